"""Orders follow the `order` Failed Integration rule (seed §3) like every content type: a failed
order waits RETRY_INTERVAL, stops after MAX_RETRY_COUNT, and the penalty CSV lifts or deletes it."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from n11_desktop.core.flows import run_flow
from n11_desktop.core.penalty import lift_from_text
from n11_desktop.core.storage.models import FailedIntegration

from .conftest import orders, set_conf

RULE = {"order": {"RETRY_INTERVAL": 3600, "EXPIRATION_DATE": 86400, "MAX_RETRY_COUNT": 2},
        "DEFAULT": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 2}}


def penalty(db, number):
    with db.session_factory() as s:
        return s.scalar(select(FailedIntegration).where(FailedIntegration.content_type == "order",
                                                        FailedIntegration.object_key == number,
                                                        FailedIntegration.is_active.is_(True)))


def at(db, when):
    out = run_flow("order_create", db, clock=lambda: when)
    assert out.ok, out.message
    return out


def test_order_penalty_waits_its_interval_and_stops_after_max_retries(orders_db, ctl, sandbox):
    set_conf(orders_db, failed_integration=RULE)
    pkg = ctl.order(shipmentCompanyId=401)  # no local cargo company for N11's 401: not written
    number = pkg["orderNumber"]
    t0 = datetime.utcnow()
    assert at(orders_db, t0).penalized == 1
    p = penalty(orders_db, number)
    assert p.retry_count == 0 and p.next_retry_at == t0 + timedelta(seconds=3600)
    # runs inside RETRY_INTERVAL do not try the order again (not even when the window re-reads it)
    for minutes in (5, 20, 50):
        at(orders_db, t0 + timedelta(minutes=minutes))
        assert penalty(orders_db, number).retry_count == 0
    at(orders_db, t0 + timedelta(minutes=61))
    assert penalty(orders_db, number).retry_count == 1
    at(orders_db, t0 + timedelta(minutes=125))
    p = penalty(orders_db, number)
    assert p.retry_count == 2 and p.next_retry_at is None  # MAX_RETRY_COUNT reached: the operator decides
    at(orders_db, t0 + timedelta(hours=5))
    assert penalty(orders_db, number).retry_count == 2 and number not in orders(orders_db)
    # the penalty CSV lifts orders too (by N11 order number); bump makes no sense for an order
    bad = lift_from_text(orders_db, f"sku,content_type,action\n{number},order,bump\n")
    assert not bad.ok and "bump does not apply to orders" in str(bad.problems[0])
    assert penalty(orders_db, number) is not None
    report = lift_from_text(orders_db, f"sku\n{number}\n")
    assert report.ok and report.lifted == 1 and penalty(orders_db, number) is None
    at(orders_db, t0 + timedelta(hours=5, minutes=1))  # tried again: still unmapped, a new penalty
    assert penalty(orders_db, number).retry_count == 0
    # delete forgets the failure: no more retries at all
    report = lift_from_text(orders_db, f"sku,content_type,action\n{number},order,delete\n")
    assert report.ok and report.deleted >= 1
    at(orders_db, t0 + timedelta(hours=9))
    assert penalty(orders_db, number) is None


def test_fixing_the_cargo_mapping_lets_the_order_in_at_once(orders_db, ctl):
    from n11_desktop.core.orders.cargo import CargoRow, save_cargo_rows

    set_conf(orders_db, failed_integration=RULE)
    pkg = ctl.order(shipmentCompanyId=401)
    t0 = datetime.utcnow()
    at(orders_db, t0)
    assert penalty(orders_db, pkg["orderNumber"]).next_retry_at > t0
    with orders_db.session_factory.begin() as s:
        save_cargo_rows(s, [CargoRow(107, "Ceva Lojistik", "CEVA", 401, True)])
    at(orders_db, t0 + timedelta(minutes=1))
    assert pkg["orderNumber"] in orders(orders_db) and penalty(orders_db, pkg["orderNumber"]) is None
