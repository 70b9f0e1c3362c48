"""core/schedule.py: when flows are due, with a fake clock (no Qt, no real time)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from n11_desktop.core.flows.base import SPECS, all_specs
from n11_desktop.core.schedule import (
    DUE_ALWAYS,
    FlowHistory,
    Planner,
    ScheduleInputs,
    due_at,
    due_requests,
    is_enabled,
    next_daily,
    next_wake,
)
from n11_desktop.core.schedule_facts import read_inputs, recover_on_start

TR = timezone(timedelta(hours=3))  # Türkiye, no DST
T0 = datetime(2026, 11, 27, 9, 0, 0)  # naive UTC = 12:00 in Istanbul
ALL_FLAGS = {spec.flag: True for spec in all_specs() if spec.flag}


def inputs(flags=None, active=True, **hist):
    return ScheduleInputs(is_active=active, flags=ALL_FLAGS if flags is None else flags,
                          history={k: v for k, v in hist.items()})


def slugs(reqs):
    return [(r.slug, r.trigger) for r in reqs]


def test_on_start_every_due_flow_runs_at_once():
    due = due_requests(all_specs(), inputs(), T0, TR)
    got = {r.slug for r in due if r.trigger == "schedule"}
    timed = {s.slug for s in all_specs() if s.schedule.interval_s or s.schedule.daily_at}
    assert got == timed
    # chained and webhook flows wait for their trigger
    assert "category_attributes" not in got and "split_packages" not in got
    # the LATE_SHIPMENT pass of order_create is due as well, as its own run
    late = [r for r in due if r.trigger == "late_shipment"]
    assert [(r.slug, dict(r.options)) for r in late] == [("order_create", {"late": True, "late_shipment": True})]
    # stock before the rest
    assert due[0].slug == "task_results" and due[1].slug == "stock"


def test_inactive_channel_or_flag_off_runs_nothing():
    assert due_requests(all_specs(), inputs(active=False), T0, TR) == []
    only_stock = inputs(flags={"send_updated_product_stock": True})
    due = {r.slug for r in due_requests(all_specs(), only_stock, T0, TR)}
    assert "stock" in due and "price" not in due and "order_create" not in due
    assert "task_results" in due  # a product flag is on, so sent tasks are polled
    assert "task_results" not in {r.slug for r in due_requests(all_specs(), inputs(flags={}), T0, TR)}


def test_intervals_fire_at_the_right_times():
    stock = SPECS["stock"]
    inp = inputs(stock=FlowHistory(last_start=T0))
    assert due_at(stock, inp) == T0 + timedelta(minutes=1)
    assert "stock" not in {r.slug for r in due_requests([stock], inp, T0 + timedelta(seconds=59))}
    assert "stock" in {r.slug for r in due_requests([stock], inp, T0 + timedelta(seconds=60))}
    price = SPECS["price"]
    assert due_at(price, inputs(price=FlowHistory(last_start=T0))) == T0 + timedelta(minutes=5)
    oc = SPECS["order_create"]
    inp = inputs(order_create=FlowHistory(last_start=T0, last_extra_start=T0))
    assert next_wake([oc], inp, T0) == T0 + timedelta(minutes=5)
    due = due_requests([oc], inp, T0 + timedelta(hours=8))
    assert slugs(due) == [("order_create", "schedule"), ("order_create", "late_shipment")]


def test_daily_at_local_time():
    spec = SPECS["get_updated_orders"]  # daily 06:00 local
    ran = datetime(2026, 11, 27, 3, 0)  # 06:00 Istanbul
    inp = inputs(get_updated_orders=FlowHistory(last_start=ran))
    assert due_at(spec, inp, TR) == datetime(2026, 11, 28, 3, 0)
    assert next_daily(datetime(2026, 11, 27, 2, 59), "06:00", TR) == datetime(2026, 11, 27, 3, 0)
    assert next_daily(datetime(2026, 11, 27, 3, 0), "06:00", TR) == datetime(2026, 11, 28, 3, 0)
    # the same wall-clock time in UTC+0
    assert next_daily(datetime(2026, 11, 27, 3, 0), "06:00", timezone.utc) == datetime(2026, 11, 27, 6, 0)


def test_daily_missed_for_days_runs_once():
    spec = SPECS["get_updated_orders"]
    p = Planner([spec], tz=TR)
    p.update_inputs(inputs(get_updated_orders=FlowHistory(last_start=datetime(2026, 11, 20, 3, 0))))
    now = datetime(2026, 11, 27, 9, 0)  # a week later
    assert slugs(p.take_starts(now)) == [("get_updated_orders", "schedule")]
    p.finished("get_updated_orders", "done", now)
    assert p.take_starts(now + timedelta(hours=1)) == []
    assert p.wake_at(now) == datetime(2026, 11, 28, 3, 0)


def test_after_chain():
    specs = [SPECS["category_node"], SPECS["category_attributes"], SPECS["create_default_attributes"]]
    p = Planner(specs, tz=TR)
    p.update_inputs(inputs())
    assert slugs(p.take_starts(T0)) == [("category_node", "schedule")]
    assert p.take_starts(T0 + timedelta(seconds=1)) == []
    p.finished("category_node", "done", T0 + timedelta(seconds=5))
    assert slugs(p.take_starts(T0 + timedelta(seconds=5))) == [("category_attributes", "schedule")]
    p.finished("category_attributes", "done", T0 + timedelta(seconds=9))
    assert slugs(p.take_starts(T0 + timedelta(seconds=9))) == [("create_default_attributes", "schedule")]
    p.finished("create_default_attributes", "done", T0 + timedelta(seconds=10))
    assert p.take_starts(T0 + timedelta(minutes=10)) == []


def test_failed_run_does_not_trigger_the_next_in_chain():
    specs = [SPECS["category_node"], SPECS["category_attributes"]]
    p = Planner(specs, tz=TR)
    p.update_inputs(inputs())
    p.take_starts(T0)
    p.finished("category_node", "failed", T0 + timedelta(seconds=5))
    assert p.take_starts(T0 + timedelta(seconds=6)) == []


def test_no_overlap_under_a_flow_slower_than_its_interval():
    p = Planner([SPECS["stock"]])
    p.update_inputs(inputs())
    started = []
    now = T0
    started += p.take_starts(now)
    # the stock run takes 10 minutes; the planner is asked every 10 s meanwhile
    for _ in range(60):
        now += timedelta(seconds=10)
        started += p.take_starts(now)
    assert len(started) == 1
    p.finished("stock", "done", now)
    # overdue by 9 minutes: it runs once, right away, not 9 times
    again = p.take_starts(now)
    assert slugs(again) == [("stock", "schedule")]
    assert p.take_starts(now) == []


def _drain(p, now):
    """Start and finish (instantly) everything due at ``now`` until nothing is left."""
    ran = []
    for _ in range(100):
        starts = p.take_starts(now)
        if not starts:
            return ran
        for r in starts:
            ran.append((r.slug, r.trigger))
            p.finished(r.slug, "done", now)
    raise AssertionError("never settles")


def test_catch_up_after_a_long_pause_runs_once():
    p = Planner(all_specs(), capacity=3, tz=TR)
    p.update_inputs(inputs())
    first = _drain(p, T0)
    assert len(first) == len(set(first))
    late = T0 + timedelta(hours=30)  # the laptop slept through 1800 stock ticks and a daily run
    second = _drain(p, late)
    assert len(second) == len(set(second))  # every flow once, not once per missed tick
    assert ("stock", "schedule") in second and ("get_updated_orders", "schedule") in second
    assert _drain(p, late + timedelta(seconds=1)) == []


def test_same_content_type_never_runs_at_once():
    p = Planner(all_specs(), capacity=50, tz=TR)
    p.update_inputs(inputs())
    started = p.take_starts(T0)
    types = [SPECS[r.slug].content_type for r in started if SPECS[r.slug].content_type]
    assert len(types) == len(set(types))
    assert "order_create" in {r.slug for r in started}
    assert "order_update" not in {r.slug for r in started}
    p.finished("order_create", "done", T0)
    nxt = p.take_starts(T0)
    assert [SPECS[r.slug].content_type for r in nxt].count("order") == 1


def test_bounded_capacity():
    p = Planner(all_specs(), capacity=3, tz=TR)
    p.update_inputs(inputs())
    started = p.take_starts(T0)
    assert len(started) == 3
    assert p.take_starts(T0) == []
    p.finished(started[0].slug, "done", T0)
    assert len(p.take_starts(T0)) == 1


def test_pause_stops_scheduled_but_not_manual_runs():
    p = Planner([SPECS["stock"], SPECS["price"]])
    p.update_inputs(inputs())
    p.paused = True
    assert p.take_starts(T0) == []
    assert p.wake_at(T0) is None
    p.request("price")
    assert slugs(p.take_starts(T0)) == [("price", "manual")]
    p.paused = False
    assert slugs(p.take_starts(T0)) == [("stock", "schedule")]


def test_debounced_push_coalesces_edits():
    p = Planner([SPECS["stock"]], debounce_s=3, push_max_wait_s=15)
    p.update_inputs(inputs(stock=FlowHistory(last_start=T0)))
    now = T0
    for i in range(50):
        p.push("stock", [i], now)
        now += timedelta(milliseconds=20)
    assert p.take_starts(now) == []
    assert p.wake_at(now) == now - timedelta(milliseconds=20) + timedelta(seconds=3)
    now += timedelta(seconds=3)
    starts = p.take_starts(now)
    assert slugs(starts) == [("stock", "push")]
    assert starts[0].options["product_ids"] == tuple(range(50))
    p.finished("stock", "done", now)
    # a push does not count as the scheduled full run
    assert due_at(SPECS["stock"], p.effective_inputs()) == T0 + timedelta(minutes=1)


def test_push_keeps_editing_is_capped_by_max_wait():
    p = Planner([SPECS["stock"]], debounce_s=3, push_max_wait_s=10)
    p.update_inputs(inputs(stock=FlowHistory(last_start=T0)))
    now = T0
    started = []
    for i in range(30):  # an edit every second for 30 s
        p.push("stock", [i], now)
        started += p.take_starts(now)
        now += timedelta(seconds=1)
    assert started and started[0].trigger == "push"


def test_full_run_absorbs_pending_push_and_flag_off_drops_it():
    p = Planner([SPECS["stock"]], debounce_s=3)
    p.update_inputs(inputs())
    p.push("stock", [1, 2], T0)
    assert slugs(p.take_starts(T0)) == [("stock", "schedule")]
    assert p.pending_push("stock") == frozenset()
    p.finished("stock", "done", T0)
    p.update_inputs(inputs(flags={}))
    p.push("stock", [3], T0)
    assert p.take_starts(T0 + timedelta(seconds=5)) == []
    assert p.pending_push("stock") == frozenset()


def test_push_waits_while_a_full_run_of_the_same_flow_runs():
    p = Planner([SPECS["stock"]], debounce_s=1)
    p.update_inputs(inputs())
    p.take_starts(T0)
    p.push("stock", [7], T0 + timedelta(seconds=1))
    assert p.take_starts(T0 + timedelta(seconds=5)) == []
    p.finished("stock", "done", T0 + timedelta(seconds=6))
    assert slugs(p.take_starts(T0 + timedelta(seconds=6))) == [("stock", "push")]


def test_statuses_describe_every_flow():
    p = Planner(tz=TR)
    p.update_inputs(inputs(stock=FlowHistory(last_start=T0, last_state="done", last_total=5)))
    rows = {r.slug: r for r in p.statuses(T0)}
    assert set(rows) == set(SPECS)
    assert rows["stock"].next_due == T0 + timedelta(minutes=1)
    assert rows["stock"].history.last_total == 5
    assert rows["price"].next_due == T0  # never ran: due now
    assert rows["split_packages"].next_due is None


def test_enabled_respects_implementation():
    inp = ScheduleInputs(is_active=True, flags=ALL_FLAGS, available=frozenset({"stock"}))
    assert is_enabled(SPECS["stock"], inp) and not is_enabled(SPECS["price"], inp)
    assert due_at(SPECS["price"], inputs()) == DUE_ALWAYS


@pytest.mark.parametrize("activated", [True])
def test_read_inputs_and_recovery(db, activated):
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.core.storage.models import FlowRun

    with db.session_factory.begin() as s:
        ensure_channel(s)
    first = read_inputs(db, T0)
    assert first.is_active is False and first.activated_at is None
    with db.session_factory.begin() as s:
        ensure_channel(s).is_active = True
        s.add(FlowRun(flow="stock", trigger="schedule", state="done", started_at=T0, ended_at=T0, total=3))
        s.add(FlowRun(flow="stock", trigger="push", state="done", started_at=T0 + timedelta(seconds=30),
                      ended_at=T0 + timedelta(seconds=31)))
        s.add(FlowRun(flow="order_create", trigger="late_shipment", state="done", started_at=T0, ended_at=T0))
        s.add(FlowRun(flow="price", trigger="schedule", state="running", started_at=T0))
    inp = read_inputs(db, T0 + timedelta(minutes=1))
    assert inp.is_active and inp.activated_at == T0 + timedelta(minutes=1)
    assert inp.hist("stock").last_start == T0  # the push is not a full run
    assert inp.hist("stock").last_trigger == "push"
    assert inp.hist("order_create").last_extra_start == T0 and inp.hist("order_create").last_start is None
    # activation is remembered, not re-detected
    assert read_inputs(db, T0 + timedelta(minutes=2)).activated_at == T0 + timedelta(minutes=1)
    assert recover_on_start(db, T0 + timedelta(minutes=3)) == 1
    with db.session_factory.begin() as s:
        run = s.query(FlowRun).filter_by(flow="price").one()
        assert run.state == "failed" and "interrupted" in run.message


def test_order_create_own_late_pass_counts_and_push_ids_become_skus(db):
    from n11_desktop.core.schedule import make_request
    from n11_desktop.core.schedule_facts import resolve_options
    from n11_desktop.core.storage.models import AppState, Product

    with db.session_factory.begin() as s:
        s.add(AppState(key="orders.late_pass_at", value=T0.isoformat()))
        s.add(Product(sku="A-1", product_code="A"))
        s.add(Product(sku="B-2", product_code="B"))
    inp = read_inputs(db, T0)
    assert inp.hist("order_create").last_extra_start == T0
    req = make_request("stock", "push", {"product_ids": [2, 1, 99]})
    assert resolve_options(db, req) == {"product_ids": (2, 1, 99), "skus": ("A-1", "B-2")}
