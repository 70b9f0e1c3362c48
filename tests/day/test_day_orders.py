"""The orders half of a day without the operator (issue 17), headless on a simulated clock.

A new profile (no address tree: it comes with the first packages), N11 already holding shipped
orders from before (history), orders arriving all day, some moving on N11, buyers asking to
cancel (reasons as ids and codes), one request for an order the app never imported, the ERP
reporting orders twice a day from a CSV, and N11 failing some calls for most of the day. At the
end: every New order imported once, no history order sent to the ERP as new work, every claim
answered once, the unknown order's request still waiting, no cancellation plan abandoned, and the
Cancellation Map's ``501`` used as N11 sent it.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import select

from n11_desktop.core.orders import actions
from n11_desktop.core.orders.demo import seed_cargo_mapping
from n11_desktop.core.orders.importer import history_orders
from n11_desktop.core.schedules import set_schedule
from n11_desktop.core.settings import save_settings
from n11_desktop.core.storage.models import Cancellation, CancellationRequest, LogEntry, Order, OrderItem, utcnow
from n11_desktop.sandbox import rest as sandbox_rest
from n11_desktop.sandbox.state import clock as sandbox_clock

from .sim import DaySim

pytestmark = [pytest.mark.slow, pytest.mark.resilience, pytest.mark.timeout(600)]

FLAGS = ("get_orders", "get_cancellation_request", "get_cancel_orders")


def _control(sandbox, endpoint, **body):
    r = requests.post(f"{sandbox.url}/_sandbox/{endpoint}", json=body, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def test_a_day_of_orders_and_cancellations_without_the_operator(configured_db, sandbox, monkeypatch, tmp_path):
    db = configured_db
    start = utcnow()
    sim = DaySim(db, start, hours=12)
    # N11's clock is the simulated one (packages and claims carry simulated times)
    sim_ms = lambda: int(sim.clock.now.replace(tzinfo=timezone.utc).timestamp() * 1000)  # noqa: E731
    monkeypatch.setattr(sandbox_clock, "now_ms", sim_ms)
    monkeypatch.setattr(sandbox_rest, "now_ms", sim_ms)
    faults: list[str] = []
    pick = sandbox.state.pick_fault

    def counted_fault():
        kind = pick()
        if kind:
            faults.append(kind)
        return kind

    monkeypatch.setattr(sandbox.state, "pick_fault", counted_fault)
    seed_cargo_mapping(db)  # the operator's cargo mapping (`orders cargo-map import` on day one)
    with db.session_factory.begin() as s:
        errors = save_settings(s, {
            "category_ids": [1001770], "deny_reason_id": 81, "cancellation_reason_id": 4, "refund_reason_id": 2,
            "cancellation_map": {"501": "7"},
            "order_start_date": (start - timedelta(days=2)).strftime("%d/%m/%Y"),
            "feature_flags": {f: True for f in FLAGS}})
        assert errors == []
        for slug in ("order_create", "cancellation_requests", "cancel_refund_orders"):
            set_schedule(s, slug, every="15m")
    rng = random.Random(17)
    # before the app: N11 already has shipped orders, and a buyer asks to cancel one of them
    old = [_control(sandbox, "orders")["packages"][0] for _ in range(3)]
    for pkg in old:
        _control(sandbox, f"packages/{pkg['id']}/status", status="Picking")
        _control(sandbox, f"packages/{pkg['id']}/status", status="Shipped")
    unknown_claim = _control(sandbox, "claims", orderNumber=old[0]["orderNumber"],
                             lineId=old[0]["lines"][0]["orderLineId"])["claimCancelId"]
    new_orders: list[dict] = []
    claims: dict[int, str] = {}  # claim id -> reason as N11 sends it

    def order_arrives(now):
        new_orders.append(_control(sandbox, "orders")["packages"][0])

    def order_moves_on(now):  # the merchant works in N11's panel: an imported order is picked
        with db.session_factory() as s:
            waiting = [n for n, in s.execute(select(Order.n11_order_number).where(Order.status == "waiting_approval"))]
        for pkg in new_orders:
            if pkg["orderNumber"] in waiting and pkg["orderNumber"] not in {c for c in claims.values()}:
                _control(sandbox, f"packages/{pkg['id']}/status", status="Picking")
                return

    claimed: set[str] = set()

    def buyer_cancels(now):
        with db.session_factory() as s:
            known = {n for n, in s.execute(select(Order.n11_order_number))}
        for pkg in reversed(new_orders):  # the newest order the app has
            if pkg["orderNumber"] in known and pkg["orderNumber"] not in claimed:
                claimed.add(pkg["orderNumber"])
                reason = rng.choice(["501", "VAZGECTIM"])
                c = _control(sandbox, "claims", orderNumber=pkg["orderNumber"],
                             lineId=pkg["lines"][0]["orderLineId"], reasonType=reason)
                claims[c["claimCancelId"]] = reason
                return

    def erp_reports(now):  # the ERP sends back the orders it took over, as a CSV of order numbers
        with db.session_factory() as s:
            numbers = [n for n, in s.execute(select(Order.n11_order_number).where(Order.erp_reported.is_(False)))]
        if numbers:
            path = tmp_path / f"erp-{now:%H%M}.csv"
            path.write_text("n11_order_number\n" + "\n".join(numbers) + "\n", encoding="utf-8")
            actions.mark_reported(db, actions.read_order_numbers(path))

    sim.every(timedelta(minutes=10), timedelta(minutes=40), timedelta(hours=10), order_arrives, "order arrives")
    sim.every(timedelta(hours=1), timedelta(minutes=75), timedelta(hours=9), order_moves_on, "order picked on N11")
    sim.every(timedelta(minutes=50), timedelta(minutes=70), timedelta(hours=9), buyer_cancels, "buyer cancels")
    sim.at(timedelta(hours=4), erp_reports, "ERP reports")
    sim.at(timedelta(hours=7, minutes=30), erp_reports, "ERP reports")
    sim.at(timedelta(minutes=30), lambda now: _control(sandbox, "faults", rate=0.05,
                                                        kinds=["http_500", "http_503", "reset"]), "faults on")
    sim.at(timedelta(hours=10), lambda now: _control(sandbox, "faults", rate=0.0), "faults off")
    last_report = start + timedelta(hours=7, minutes=30)
    sim.run()

    # ---------------------------------------------------------------- orders: New ones once, history never
    with db.session_factory() as s:
        got = {o.n11_order_number: o for o in s.scalars(select(Order))}
        history = history_orders(s)
    assert set(got) == {p["orderNumber"] for p in new_orders} and len(new_orders) >= 14
    assert {p["orderNumber"] for p in old} == set(history)  # recorded, never sent to the ERP as new work
    with db.session_factory() as s:
        lines = s.scalars(select(OrderItem)).all()
    assert len({(i.order_id, i.n11_line_id) for i in lines}) == len(lines)

    # ---------------------------------------------------------------- claims: answered once each
    assert claims, "the day had no cancellation requests"
    with db.session_factory() as s:
        reqs = {int(r.n11_claim_id): r for r in s.scalars(select(CancellationRequest))}
        decisions = [e.message for e in s.scalars(select(LogEntry).where(LogEntry.flow == "cancellation_requests"))]
    for cid in claims:
        assert sandbox.state.claims[cid]["status"] == "COMPLETED", cid
        assert reqs[cid].decision == "approved"
        assert sum(1 for m in decisions if m.startswith(f"claim {cid} ") and m.endswith("cancel list")) == 1, cid
    # the request for an order the app never imported was not approved blindly: it waits
    assert sandbox.state.claims[unknown_claim]["status"] == "REQUESTED"
    assert reqs[unknown_claim].decision is None

    # ---------------------------------------------------------------- cancellations: none abandoned
    with db.session_factory() as s:
        plans = {s.get(Order, p.order_id).n11_order_number: p for p in s.scalars(select(Cancellation))}
    assert plans and not [p for p in plans.values() if p.state == "abandoned"]
    for cid, reason in claims.items():
        number = reqs[cid].n11_order_number
        plan = plans[number]
        assert plan.reason_id == (7 if reason == "501" else 4), (number, reason)  # Cancellation Map as sent
        if plan.created_at <= last_report:
            assert plan.state == "done", (number, plan.state, plan.message)
        else:  # the ERP has not reported it yet: it waits, visible, never abandoned
            assert plan.state in ("done", "waiting_erp"), (number, plan.state)
            if plan.state == "waiting_erp":
                assert not got[number].erp_reported
    assert len(faults) >= 5  # N11 did fail calls during the day
    states = [p.state for p in plans.values()]
    assert "done" in states and "waiting_erp" in states  # both paths happened during the day
    print(f"day: {len(new_orders)} orders, {len(claims)} claims, plans {sorted(states)}, "
          f"{len(sim.results)} runs, {sum(1 for r in sim.results if not r.ok)} failed, {len(faults)} faults")
