"""The rest of an order's life against the sandbox: approval, shipment, delivery, invoice
link, returns blocking updates, claims approved/denied with and without invoice, refunds,
cancellations (map / fallbacks / unreported ERP / 6 attempts), partial cancel, split (web
hook) and combine, and reference data."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from n11_desktop.core.orders import actions
from n11_desktop.core.storage.models import (
    Cancellation,
    CancellationRequest,
    N11City,
    N11District,
    N11ShipmentCompany,
    Order,
)

from .conftest import logs, orders, run, set_conf

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)


def n11_package(sandbox, package_id):
    return sandbox.state.package_json(sandbox.state.packages[int(package_id)])


def imported(orders_db, ctl, **kw):
    pkg = ctl.order(**kw)
    assert run(orders_db, "order_create").ok
    order, items = orders(orders_db)[pkg["orderNumber"]]
    return pkg, order, items


def test_approve_ship_deliver_complete(orders_db, ctl, sandbox):
    pkg, order, items = imported(orders_db, ctl, n_lines=2)
    # approve in the app → order_update → N11 Picking
    res = actions.approve(orders_db, order.id, [i.id for i in items])
    assert res.flow == "order_update"
    out = run(orders_db, res.flow, orders=list(res.orders))
    assert out.ok and out.succeeded == 2, out.message
    assert n11_package(sandbox, pkg["id"])["shipmentPackageStatus"] == "Picking"
    # ship with a tracking number; Send Shipping Info off: N11 gets no tracking number
    res = actions.ship(orders_db, order.id, [i.id for i in items], "TRK123456")
    assert run(orders_db, res.flow, orders=list(res.orders)).ok
    after = n11_package(sandbox, pkg["id"])
    assert after["shipmentPackageStatus"] == "Shipped"
    assert after["cargoSenderNumber"] != "TRK123456"
    _, items = orders(orders_db)[pkg["orderNumber"]]
    assert {i.status for i in items} == {"shipped"} and {i.sent_status for i in items} == {"shipped"}
    # nothing left to send: a second run sends nothing twice
    again = run(orders_db, "order_update")
    assert again.ok and again.total == 0
    # delivered on N11 → get_updated_orders (daily, 15 days back)
    ctl.status(pkg["id"], "Delivered")
    assert run(orders_db, "get_updated_orders").ok
    order, items = orders(orders_db)[pkg["orderNumber"]]
    assert order.status == "delivered" and {i.status for i in items} == {"delivered"}


def test_tracking_number_sent_only_with_send_shipping_info(orders_db, ctl, sandbox):
    set_conf(orders_db, send_shipping_info=True)
    pkg, order, items = imported(orders_db, ctl)
    res = actions.ship(orders_db, order.id, [items[0].id], "YK-998877")  # approve + ship in one go
    out = run(orders_db, res.flow, orders=list(res.orders))
    assert out.ok, out.message
    assert n11_package(sandbox, pkg["id"])["cargoSenderNumber"] == "YK-998877"
    assert any("tracking numbers included" in line for line in logs(orders_db, "order_update"))


def test_statuses_never_go_backwards(orders_db, ctl):
    pkg, order, items = imported(orders_db, ctl)
    ctl.status(pkg["id"], "Picking", "Shipped")
    assert run(orders_db, "order_create").ok
    _, items = orders(orders_db)[pkg["orderNumber"]]
    assert items[0].status == "shipped"
    import pytest

    with pytest.raises(actions.ActionError, match="only lines waiting for approval"):
        actions.approve(orders_db, order.id, [items[0].id])
    # an older package state (e.g. a stale page) does not move the line back
    from n11_desktop.core.orders.importer import OrderImporter
    from n11_desktop.core.n11 import _parse
    from n11_desktop.core.settings import load_config

    stale = dict(pkg, shipmentPackageStatus="Created")
    with orders_db.session_factory() as s:
        cfg = load_config(s)
    OrderImporter(orders_db, cfg).import_packages([_parse.shipment_package(stale)])
    _, items = orders(orders_db)[pkg["orderNumber"]]
    assert items[0].status == "shipped"


def test_order_with_return_in_progress_is_not_updated(orders_db, ctl, sandbox):
    pkg, order, items = imported(orders_db, ctl)
    ctl.claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"], kind="return")
    actions.approve(orders_db, order.id, [items[0].id])
    out = run(orders_db, "order_update")
    assert out.ok and out.skipped == 1
    assert n11_package(sandbox, pkg["id"])["shipmentPackageStatus"] == "Created"
    assert any("return is in progress" in line for line in logs(orders_db, "order_update"))


def test_invoice_link_goes_to_n11_once(orders_db, ctl, sandbox):
    pkg, order, _ = imported(orders_db, ctl)
    import pytest

    with pytest.raises(actions.ActionError, match="https"):
        actions.attach_invoice(orders_db, order.id, "ftp://x/invoice.pdf")
    res = actions.attach_invoice(orders_db, order.id, "https://erp.example.com/inv/1.pdf")
    assert run(orders_db, res.flow).succeeded == 1
    assert run(orders_db, res.flow).succeeded == 0
    assert [i["url"] for i in sandbox.state.invoices] == ["https://erp.example.com/inv/1.pdf"]


# ------------------------------------------------------------------ claims
def test_cancellation_request_without_invoice_is_approved_then_cancelled(orders_db, ctl, sandbox):
    pkg, order, items = imported(orders_db, ctl, n_lines=1)
    claim = ctl.claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"])
    out = run(orders_db, "cancellation_requests")
    assert out.ok and out.succeeded == 1, out.message
    assert sandbox.state.claims[claim["claimCancelId"]]["status"] == "COMPLETED"
    # the order moved to the cancel list: get_cancel_orders writes the cancellation …
    out = run(orders_db, "cancel_refund_orders")
    assert out.skipped == 1 and "1 waiting for the ERP" in out.message  # … once the order was reported to the ERP
    assert any("Unreported order of ERP cannot be canceled" in line for line in logs(orders_db))
    actions.mark_reported(orders_db, [order.number])
    out = run(orders_db, "cancel_refund_orders")
    assert out.ok and out.succeeded == 1
    order, items = orders(orders_db)[pkg["orderNumber"]]
    assert items[0].status == "cancelled" and order.status == "cancelled"
    with orders_db.session_factory() as s:
        plan = s.scalar(select(Cancellation))
        req = s.scalar(select(CancellationRequest))
    assert plan.kind == "cancel" and plan.reason_id == 4 and plan.state == "done"  # Cancellation Reason Id
    assert req.decision == "approved"
    assert run(orders_db, "cancel_refund_orders").succeeded == 0  # written once


def test_cancellation_request_with_invoice_is_denied(orders_db, ctl, sandbox):
    pkg, order, _ = imported(orders_db, ctl)
    actions.attach_invoice(orders_db, order.id, "https://erp.example.com/inv/2.pdf")
    claim = ctl.claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"])
    out = run(orders_db, "cancellation_requests")
    assert out.ok and out.succeeded == 1, (out.message, logs(orders_db, "cancellation_requests"))
    assert sandbox.state.claims[claim["claimCancelId"]]["status"] == "DENIED"
    with orders_db.session_factory() as s:
        assert s.scalar(select(CancellationRequest.decision)) == "denied"


def test_completed_claim_on_invoiced_line_is_a_refund(orders_db, ctl):
    pkg, order, _ = imported(orders_db, ctl)
    actions.attach_invoice(orders_db, order.id, "https://erp.example.com/inv/3.pdf")
    actions.mark_reported(orders_db, [order.n11_order_number])
    claim = ctl.claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"])
    ctl.post("claims", {"complete": claim["claimCancelId"]})
    assert run(orders_db, "cancel_refund_orders").succeeded == 1
    _, items = orders(orders_db)[pkg["orderNumber"]]
    assert items[0].status == "refunded"
    with orders_db.session_factory() as s:
        plan = s.scalar(select(Cancellation))
    assert (plan.kind, plan.reason_id) == ("refund", 2)  # Refund Reason Id


def test_cancellation_waits_for_the_erp_and_is_never_abandoned(orders_db, ctl, sandbox):
    from datetime import datetime, timedelta

    from n11_desktop.core import alarms
    from n11_desktop.core.orders.queries import OrderFilter, list_orders

    set_conf(orders_db, cancellation_map={"VAZGECTIM": "7"})
    pkg, order, _ = imported(orders_db, ctl)
    claim = ctl.claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"])
    ctl.post("claims", {"complete": claim["claimCancelId"]})
    for n in range(8):
        out = run(orders_db, "cancel_refund_orders")
        assert out.ok
    assert "1 waiting for the ERP" in out.message
    with orders_db.session_factory() as s:
        plan = s.scalar(select(Cancellation))
        assert plan.reason_id == 7 and plan.state == "waiting_erp" and plan.attempts == 0
        assert "Unreported order of ERP cannot be canceled" in plan.message
        # visible in the Orders tab's filter and as an alarm kind
        shown = list_orders(s, OrderFilter(status="waiting_erp"))
        assert [r.n11_order_number for r in shown] == [pkg["orderNumber"]]
        from n11_desktop.core.orders.queries import claim_rows

        assert [c.waiting for c in claim_rows(s)] == ["order not reported to the ERP yet"]
    warned = [m for m in logs(orders_db, "cancel_refund_orders") if "Unreported order of ERP" in m]
    assert len(warned) == 1  # said once when it starts waiting, not every run
    with orders_db.session_factory.begin() as s:
        alarms.create_alarm(s, name="ERP", kind="cancellations_waiting", params={"count": 0, "hours": 1})
        fired = alarms.evaluate_alarms(s, datetime.utcnow() + timedelta(hours=2))
    assert fired and "waited more than 1 h" in fired[0].message
    # reported (a day later): the waiting plan is written on the next run
    actions.mark_reported(orders_db, [order.n11_order_number])
    assert run(orders_db, "cancel_refund_orders").succeeded == 1
    with orders_db.session_factory() as s:
        plan = s.scalar(select(Cancellation))
    assert plan.state == "done" and plan.attempts == 1
    _, items = orders(orders_db)[pkg["orderNumber"]]
    assert items[0].status == "cancelled"


def test_plan_without_reason_is_decided_once_settings_are_fixed(orders_db, ctl):
    set_conf(orders_db, cancellation_map={}, cancellation_reason_id=None)
    pkg, order, _ = imported(orders_db, ctl)
    actions.mark_reported(orders_db, [order.n11_order_number])
    claim = ctl.claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"])
    ctl.post("claims", {"complete": claim["claimCancelId"]})
    run(orders_db, "cancel_refund_orders")
    with orders_db.session_factory() as s:
        assert s.scalar(select(Cancellation.state)) == "failed"
    set_conf(orders_db, cancellation_reason_id=4)
    assert run(orders_db, "cancel_refund_orders").succeeded == 1
    with orders_db.session_factory() as s:
        plan = s.scalar(select(Cancellation))
    assert (plan.state, plan.reason_id) == ("done", 4)


def test_unsupplied_reason_for_unsupplied_packages(orders_db, ctl):
    set_conf(orders_db, unsupplied_reason_id=5)
    pkg, order, _ = imported(orders_db, ctl, n_lines=1)
    actions.mark_reported(orders_db, [order.n11_order_number])
    claim = ctl.claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"])
    ctl.status(pkg["id"], "UnSupplied")
    assert run(orders_db, "order_create").ok
    ctl.post("claims", {"complete": claim["claimCancelId"]})
    assert run(orders_db, "cancel_refund_orders").ok
    with orders_db.session_factory() as s:
        assert s.scalar(select(Cancellation.reason_id)) == 5


def test_partial_cancel_goes_to_n11_with_reason_type(orders_db, ctl, sandbox):
    pkg, order, items = imported(orders_db, ctl, lines=[{"stockCode": "SKU-P", "quantity": 3, "price": "10"}])
    import pytest

    with pytest.raises(actions.ActionError, match="1–3"):
        actions.cancel_lines(orders_db, order.id, {items[0].id: 4})
    res = actions.cancel_lines(orders_db, order.id, {items[0].id: 1})
    out = run(orders_db, res.flow, orders=list(res.orders))
    assert out.ok and out.succeeded == 1, (out.message, logs(orders_db, res.flow))
    states = sorted(p["shipmentPackageStatus"] for p in
                    (sandbox.state.package_json(p) for p in sandbox.state.packages.values()))
    assert states == ["Created", "UnSupplied", "Unpacked"]
    order, items = orders(orders_db)[pkg["orderNumber"]]
    live = sorted((i.quantity, i.status) for i in items if i.status != "superseded")
    assert live == [(1, "cancelled"), (2, "waiting_approval")]
    assert run(orders_db, res.flow).total == 0  # sent once


def test_partial_cancel_without_reason_type_is_refused(orders_db, ctl):
    set_conf(orders_db, cancellation_reason_type_id=None)
    pkg, order, items = imported(orders_db, ctl)
    actions.cancel_lines(orders_db, order.id, {items[0].id: 1})
    out = run(orders_db, "send_cancel_order_items")
    assert not out.ok and "Cancellation Reason Type Id" in out.message


def test_combine_and_separate_reported_after_package_changes(orders_db, ctl, sandbox):
    pkg, order, items = imported(orders_db, ctl, n_lines=3)
    assert run(orders_db, "handle_package_combinations").total == 0  # baseline: what N11 knows
    from n11_desktop.core.storage.models import OrderItem

    with orders_db.session_factory.begin() as s:  # the OMS put two lines under one tracking number
        for it in s.scalars(select(OrderItem).where(OrderItem.order_id == order.id)):
            it.tracking_number = "OMS-1" if it.id in (items[0].id, items[1].id) else "OMS-2"
    before = len(sandbox.state.requests_log)
    out = run(orders_db, "handle_package_combinations")
    assert out.ok and out.succeeded == 1
    with orders_db.session_factory.begin() as s:
        for it in s.scalars(select(OrderItem).where(OrderItem.order_id == order.id)):
            it.tracking_number = f"OMS-{it.id}"
    out = run(orders_db, "handle_package_combinations")
    assert out.ok and out.succeeded == 1
    assert len(sandbox.state.requests_log) - before >= 2
    assert any("1 combine, 0 separate" in line for line in logs(orders_db))
    assert any("0 combine, 1 separate" in line for line in logs(orders_db))


def test_reference_data(orders_db, ctl):
    out = run(orders_db, "reference_data", city_codes=["34", "6"])
    assert out.ok, out.message
    with orders_db.session_factory() as s:
        assert s.scalar(select(N11City).where(N11City.code == "34")).name == "İstanbul"
        assert len(s.scalars(select(N11City)).all()) == 81
        assert len(s.scalars(select(N11District)).all()) == 39 + 25
        assert s.get(N11ShipmentCompany, 344) is not None
    assert run(orders_db, "reference_data", city_codes=["34"]).ok  # idempotent


def test_neighbourhoods_are_loaded_lazily(orders_db, ctl):
    from n11_desktop.core.flows.reference import ensure_neighborhoods
    from n11_desktop.core.n11.client import client_from_config
    from n11_desktop.core.settings import load_config
    from n11_desktop.core.storage.models import N11Neighborhood

    assert run(orders_db, "reference_data", city_codes=["34"]).ok
    with orders_db.session_factory() as s:
        cfg = load_config(s)
        district = s.scalars(select(N11District).order_by(N11District.id)).first()
    with client_from_config(cfg.conf) as client:
        added = ensure_neighborhoods(orders_db, client, district.id)
        assert added > 0
        assert ensure_neighborhoods(orders_db, client, district.id) == 0  # already there: no call
    with orders_db.session_factory() as s:
        assert len(s.scalars(select(N11Neighborhood)).all()) == added
