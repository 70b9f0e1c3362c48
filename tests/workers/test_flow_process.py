"""Process isolation (the app's default): real flows in a child process, against the sandbox."""

from __future__ import annotations

from datetime import timedelta

import pytest

from n11_desktop.core.domain import RunState
from n11_desktop.core.storage.models import Batch, BatchItem, FlowRun, utcnow
from n11_desktop.workers.flow_worker import WorkerHost

from .conftest import runs


@pytest.fixture
def process_host(services):
    from n11_desktop.workers.scheduler import SchedulerHost

    host = SchedulerHost(services, isolation="process", max_threads=1)
    yield host
    assert host.shutdown(30_000)


def test_real_flow_runs_in_a_child_process(qtbot, configured_db, process_host):
    progress = []
    process_host.flow_progress.connect(progress.append)
    with qtbot.waitSignal(process_host.flow_finished, timeout=60_000) as blk:
        process_host.run_now("reference_data")
    result = blk.args[0]
    assert result.state is RunState.DONE, result.message
    assert result.run_id and runs(configured_db) == [("reference_data", "manual", "done")]
    # the same child serves the next run
    with qtbot.waitSignal(process_host.flow_finished, timeout=60_000) as blk:
        process_host.run_now("stock")
    assert blk.args[0].flow == "stock" and blk.args[0].state is RunState.DONE, blk.args[0].message
    assert process_host.shutdown(30_000)
    assert not WorkerHost.running_hosts()


def test_cancel_in_a_child_process_leaves_whole_batches(qtbot, configured_db, process_host):
    from n11_desktop.bench.products import _setup

    _setup(configured_db, 3000, sent=False, t0=utcnow() - timedelta(days=1))
    with qtbot.waitSignal(process_host.flow_progress, timeout=60_000):
        process_host.run_now("product_create", {"page_size": 100})
    with qtbot.waitSignal(process_host.flow_finished, timeout=60_000) as blk:
        process_host.cancel("product_create")
    assert blk.args[0].state in (RunState.CANCELLED, RunState.DONE)  # it may have ended first
    with configured_db.session_factory() as s:
        run = s.get(FlowRun, blk.args[0].run_id)
        assert run.state == blk.args[0].state.value
        for batch in s.query(Batch):
            assert s.query(BatchItem).filter_by(batch_id=batch.id).count() == batch.total


def test_unknown_and_unimplemented_flows_in_a_child(qtbot, configured_db, process_host, monkeypatch):
    from n11_desktop.core.flows import base

    with qtbot.waitSignal(process_host.flow_finished, timeout=60_000) as blk:
        process_host.run_now("handle_package_combinations")
    res = blk.args[0]
    if base.implementation("handle_package_combinations") is None:
        assert res.state is RunState.FAILED and "not implemented" in res.message
    else:
        assert res.run_id


def test_shutdown_that_times_out_kills_the_child_and_next_start_recovers(qtbot, configured_db, services):
    from n11_desktop.bench.products import _setup
    from n11_desktop.core.schedule_facts import recover_on_start
    from n11_desktop.workers.scheduler import SchedulerHost

    _setup(configured_db, 3000, sent=False, t0=utcnow() - timedelta(days=1))
    host = SchedulerHost(services, isolation="process", max_threads=1)
    with qtbot.waitSignal(host.flow_progress, timeout=60_000):
        host.run_now("product_create", {"page_size": 100})
    assert host.shutdown(0) is True  # no time to reach a safe point: the child is ended
    assert not WorkerHost.running_hosts()
    with configured_db.session_factory() as s:
        states = [r.state for r in s.query(FlowRun)]
    assert states in (["running"], ["cancelled"], ["done"])  # killed mid-run, or it stopped just in time
    assert recover_on_start(configured_db) == states.count("running")
    with configured_db.session_factory() as s:
        assert all(r.state != "running" for r in s.query(FlowRun))
