"""The Qt scheduler: worker threads, no overlap, exclusion, catch-up, cancel, shutdown, debounce."""

from __future__ import annotations

from datetime import timedelta

from n11_desktop.core.domain import RunState
from n11_desktop.core.flows.base import utcnow
from n11_desktop.core.storage.models import Batch, BatchItem, FlowRun
from n11_desktop.workers.flow_worker import WorkerHost

from .conftest import Gate, activate, quick, runs

STOCK = "send_updated_product_stock"


def not_due(db, clock, *slugs):
    """Record a recent full run so ``slugs`` are not due at start."""
    with db.session_factory.begin() as s:
        for slug in slugs:
            s.add(FlowRun(flow=slug, trigger="schedule", state="done", started_at=clock(), ended_at=clock()))


def test_manual_run_reports_progress_and_result(qtbot, db, services, make_host, fake_flows):
    fake_flows["price"] = quick(total=5)
    host = make_host()
    seen = []
    services.subscribe("flow_finished", seen.append)
    with qtbot.waitSignal(host.flow_finished, timeout=10_000) as blocker:
        host.run_now("price")
    result = blocker.args[0]
    assert result.flow == "price" and result.state is RunState.DONE and result.total == 5
    assert result.trigger == "manual"
    assert seen == [result]
    assert runs(db) == [("price", "manual", "done")]
    assert host.thread_count() == 3  # a bounded pool
    assert host.shutdown(5000)
    assert not WorkerHost.running_hosts()


def test_start_runs_every_due_flow_at_once_and_recovers(qtbot, db, make_host, fake_flows, clock):
    for slug in ("stock", "price", "task_results"):
        fake_flows[slug] = quick()
    activate(db, [STOCK, "send_updated_product_price"])
    with db.session_factory.begin() as s:  # a run left "running" by a killed process
        s.add(FlowRun(flow="price", trigger="schedule", state="running", started_at=clock() - timedelta(hours=1)))
    host = make_host(clock=clock)
    finished = []
    host.flow_finished.connect(finished.append)
    host.start()
    qtbot.waitUntil(lambda: {r.flow for r in finished} == {"stock", "price", "task_results"}, timeout=10_000)
    got = runs(db)
    assert ("price", "schedule", "failed") in got  # the interrupted one, closed on start
    assert ("task_results", "start", "done") in got  # batches in flight polled on start
    assert ("stock", "schedule", "done") in got and ("price", "schedule", "done") in got
    assert host.state == "running"


def test_schedule_fires_at_the_right_times(qtbot, db, make_host, fake_flows, clock):
    fake_flows["stock"] = quick()
    activate(db, [STOCK])
    host = make_host(clock=clock)
    started = []
    host.flow_started.connect(started.append)
    with qtbot.waitSignal(host.flow_finished, timeout=10_000):
        host.start()
    assert started == ["stock"]
    clock.advance(seconds=59)
    with qtbot.waitSignal(host.inputs_loaded, timeout=10_000):
        host.tick()
    assert started == ["stock"]
    clock.advance(seconds=1)
    with qtbot.waitSignal(host.flow_finished, timeout=10_000):
        host.tick()
    assert started == ["stock", "stock"]


def test_no_overlap_under_a_flow_slower_than_its_interval(qtbot, db, make_host, fake_flows, clock):
    gate = Gate()
    fake_flows["stock"] = gate
    activate(db, [STOCK])
    host = make_host(clock=clock)
    started = []
    host.flow_started.connect(started.append)
    with qtbot.waitSignal(host.flow_started, timeout=10_000):
        host.start()
    for _ in range(5):  # ten minutes of one-minute ticks while the first run is still going
        clock.advance(minutes=2)
        with qtbot.waitSignal(host.inputs_loaded, timeout=10_000):
            host.tick()
    host.run_now("stock")  # a manual request waits too
    assert started == ["stock"] and gate.calls == 1
    with qtbot.waitSignal(host.flow_finished, timeout=10_000):
        gate.release.set()
    # after it ends, the queued manual run starts; it also covers the overdue schedule (runs once)
    qtbot.waitUntil(lambda: len(runs(db)) == 2 and all(s == "done" for *_x, s in runs(db)), timeout=10_000)
    with qtbot.waitSignal(host.inputs_loaded, timeout=10_000):
        host.tick()
    assert started == ["stock", "stock"]
    assert [t for _f, t, _s in runs(db)] == ["schedule", "manual"]


def test_same_content_type_never_runs_at_once(qtbot, db, make_host, fake_flows, clock):
    a, b = Gate(), Gate()
    fake_flows["order_create"] = a
    fake_flows["order_update"] = b
    fake_flows["stock"] = quick()
    activate(db, ["get_orders", "send_update_orders", STOCK])
    not_due(db, clock, "order_create")
    with db.session_factory.begin() as s:
        s.add(FlowRun(flow="order_create", trigger="late_shipment", state="done", started_at=clock(),
                      ended_at=clock()))
    host = make_host(clock=clock)
    host.run_now("order_create")
    with qtbot.waitSignal(host.inputs_loaded, timeout=10_000):
        host.start()
    # an unrelated flow is not delayed by the long order flow
    qtbot.waitUntil(lambda: ("stock", "schedule", "done") in runs(db) and set(host.running()) == {"order_create"},
                    timeout=10_000)
    qtbot.waitUntil(a.entered.is_set, timeout=10_000)
    assert b.calls == 0  # order_update is due but waits for the other order flow
    with qtbot.waitSignal(host.flow_started, timeout=10_000) as blk:
        a.release.set()
    assert blk.args == ["order_update"]
    with qtbot.waitSignal(host.flow_finished, timeout=10_000):
        b.release.set()


def test_catch_up_after_a_long_pause_runs_once(qtbot, db, make_host, fake_flows, clock):
    for slug in ("stock", "price", "get_updated_orders"):
        fake_flows[slug] = quick()
    activate(db, [STOCK, "send_updated_product_price", "get_updated_order_items"])
    not_due(db, clock, "stock", "price", "get_updated_orders")
    host = make_host(clock=clock)
    with qtbot.waitSignal(host.inputs_loaded, timeout=10_000):
        host.start()
    host.pause()
    assert host.state == "paused"
    clock.advance(hours=50)  # two missed daily runs, 3000 missed stock ticks
    with qtbot.waitSignal(host.inputs_loaded, timeout=10_000):
        host.tick()
    assert host.running() == {}
    finished = []
    host.flow_finished.connect(finished.append)
    host.resume()
    qtbot.waitUntil(lambda: len(finished) == 3, timeout=10_000)
    with qtbot.waitSignal(host.inputs_loaded, timeout=10_000):
        host.tick()
    assert sorted(r.flow for r in finished) == ["get_updated_orders", "price", "stock"]
    assert host.running() == {}


def batch_writing_flow(pages: int, entered):
    """Writes one complete batch per page (one transaction) and stops only between pages."""

    def flow(ctx):
        entered.set()
        for page in range(pages):
            ctx.check_stop()
            with ctx.session_factory.begin() as s:
                batch = Batch(content_type="productstock", flow=ctx.slug, state="initialized", total=10)
                s.add(batch)
                s.flush()
                for i in range(10):
                    s.add(BatchItem(batch_id=batch.id, object_id=page * 10 + i, object_key=f"sku-{page}-{i}"))
                batch.state = "done"
            ctx.progress(page + 1, pages)
            import threading

            threading.Event().wait(0.01)
        return FlowOutcome(total=pages, succeeded=pages)

    from n11_desktop.core.flows.base import FlowOutcome

    return flow


def assert_no_half_written_batch(db):
    with db.session_factory.begin() as s:
        for batch in s.query(Batch):
            assert batch.state == "done"
            assert s.query(BatchItem).filter_by(batch_id=batch.id).count() == batch.total


def test_cancel_stops_at_a_safe_point(qtbot, db, make_host, fake_flows):
    import threading

    entered = threading.Event()
    fake_flows["stock"] = batch_writing_flow(10_000, entered)
    host = make_host()
    with qtbot.waitSignal(host.flow_progress, timeout=10_000):
        host.run_now("stock")
    assert host.progress_of("stock") is not None
    with qtbot.waitSignal(host.flow_finished, timeout=10_000) as blk:
        assert host.cancel("stock")
    assert blk.args[0].state is RunState.CANCELLED
    assert runs(db) == [("stock", "manual", "cancelled")]
    assert_no_half_written_batch(db)
    assert host.cancel("stock") is False


def test_shutdown_stops_running_flows_and_leaks_nothing(qtbot, db, make_host, fake_flows):
    import threading

    entered = threading.Event()
    fake_flows["stock"] = batch_writing_flow(100_000, entered)
    fake_flows["price"] = Gate()
    host = make_host()
    with qtbot.waitSignal(host.flow_progress, timeout=10_000):
        host.run_now("stock")
        host.run_now("price")
    assert set(host.running()) == {"stock", "price"}
    assert host.shutdown(10_000) is True
    assert not WorkerHost.running_hosts()
    assert sorted(runs(db)) == [("price", "manual", "cancelled"), ("stock", "manual", "cancelled")]
    assert_no_half_written_batch(db)
    host.run_now("stock")  # a closed scheduler starts nothing
    assert not WorkerHost.running_hosts()


def test_debounce_coalesces_50_edits_into_one_run(qtbot, db, services, make_host, fake_flows, clock):
    gate = Gate()
    gate.release.set()
    fake_flows["stock"] = gate
    activate(db, [STOCK])
    not_due(db, utcnow, "stock")
    host = make_host(debounce_s=0.2)
    with qtbot.waitSignal(host.inputs_loaded, timeout=10_000):
        host.start()
    for i in range(50):
        services.emit("stock_changed", (i + 1,))
    with qtbot.waitSignal(host.flow_finished, timeout=10_000) as blk:
        pass
    assert blk.args[0].trigger == "push"
    assert gate.calls == 1
    assert len(gate.options) == 1 and gate.options[0]["product_ids"] == tuple(range(1, 51))
    assert gate.options[0]["skus"] == ()  # ids resolved to SKUs (none exist in this database)
    with qtbot.assertNotEmitted(host.flow_started, wait=300):
        pass


def test_unimplemented_flow_reports_instead_of_crashing(qtbot, make_host, fake_flows):
    host = make_host()
    with qtbot.waitSignal(host.flow_finished, timeout=10_000) as blk:
        host.run_now("split_packages")
    assert blk.args[0].state is RunState.FAILED
    assert "not implemented" in blk.args[0].message
    assert host.running() == {}


def test_inactive_channel_schedules_nothing(qtbot, db, make_host, fake_flows):
    fake_flows["stock"] = quick()
    host = make_host()
    states = []
    host.state_changed.connect(states.append)
    with qtbot.waitSignal(host.inputs_loaded, timeout=10_000):
        host.start()
    assert host.state == "inactive channel"
    with qtbot.assertNotEmitted(host.flow_started, wait=200):
        pass
    assert runs(db) == []
