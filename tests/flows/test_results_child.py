"""Early task results of a large push applied in a second process (core/results_child.py).

The threshold is lowered so small pushes take the child's path (``N11_DESKTOP_RESULTS_CHILD_MIN``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from n11_desktop.core import results_child
from n11_desktop.core.schedule_facts import recover_on_start
from n11_desktop.core.settings import ensure_channel
from n11_desktop.core.storage.models import Batch, BatchItem, FailedIntegration, IntegrationAction, LogEntry, Product

from .helpers import wait_for, create_tasks, run, seed_catalog

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)


@pytest.fixture
def started(monkeypatch):
    """The child's path forced on small pushes; the children started (their command lines)."""
    monkeypatch.setenv(results_child.CHILD_MIN_ENV, "0")
    commands: list[list[str]] = []
    command = results_child._command

    def spy():
        cmd = command()
        commands.append(cmd)
        return cmd

    monkeypatch.setattr(results_child, "_command", spy)
    return commands


def _set_conf(db, **values):
    with db.session_factory.begin() as s:
        channel = ensure_channel(s)
        channel.conf = {**dict(channel.conf), **values}


def _snapshot(db, prefix: str):
    """What a user sees of a push of the SKUs starting with ``prefix`` (the prefix cut off): the
    ledger, the batch's records, the penalty box (every column but ids, times and the payload
    posted, whose version dates differ)."""
    def row(obj):
        return tuple(sorted((c.key, repr(getattr(obj, c.key)).replace(prefix + "-", "-"))
                            for c in obj.__table__.columns
                            if not (c.key in ("id", "payload") or c.key.endswith("_id") or c.key.endswith("_at")
                                    or c.key.endswith("date"))))

    with db.session_factory() as s:
        return [sorted(row(o) for o in s.scalars(select(model).where(model.object_key.startswith(prefix))))
                for model in (IntegrationAction, BatchItem, FailedIntegration)]


def _push_of_seven(db, prefix: str):
    skus = seed_catalog(db, 7, prefix=prefix)
    with db.session_factory.begin() as s:  # N11 fails this one (unknown shipment template)
        s.scalars(select(Product).where(Product.sku == skus[0])).one().shipment_template = "Bilinmeyen"
    res = run(db, "product_create", options={"page_size": 2, "skus": skus})  # tasks of 2, 2, 2 and 1 SKUs
    return skus, res


def test_a_large_push_applies_early_results_in_a_child_as_the_thread_does(configured_db, sandbox, monkeypatch,
                                                                           started):
    db = configured_db
    sandbox.state.task_delay_ms = 0  # N11 processes each task as it arrives
    sandbox.state.approval_delay_ms = 10**8
    monkeypatch.setenv(results_child.CHILD_MIN_ENV, str(10**9))  # first the thread's path
    _t_skus, t_res = _push_of_seven(db, "T")
    assert not started
    assert run(db, "task_results").ok
    monkeypatch.setenv(results_child.CHILD_MIN_ENV, "0")  # then the same push through a child
    skus, res = _push_of_seven(db, "C")
    assert len(started) == 1 and "n11_desktop.core.results_child" in started[0]
    assert not any(db.target() in part for part in started[0] if db.is_postgresql)  # no password on it
    assert "7 record(s) sent in 4 task(s)" in res.message
    assert "N11 already processed 3 of the tasks: 5 ok, 1 failed" in res.message
    assert res.message.replace("batch 2", "batch 1") == t_res.message
    with db.session_factory() as s:  # the child's lines are the flow's, as the thread's
        run_ids = {e.run_id for e in s.scalars(select(LogEntry).where(
            LogEntry.message.like("task %SKU(s) succeeded"), LogEntry.flow == "product_create"))}
    assert len(run_ids) == 2
    assert run(db, "task_results").succeeded == 1
    assert _snapshot(db, "C") == _snapshot(db, "T")
    with db.session_factory() as s:
        assert set(s.scalars(select(FailedIntegration.object_key))) == {"T-0001", "C-0001"}
        assert set(s.scalars(select(BatchItem.state))) == {"success", "fail"}
    with db.session_factory() as s:
        assert [(b.state, b.succeeded, b.failed) for b in s.scalars(select(Batch).order_by(Batch.id))] == \
            [("done", 6, 1), ("done", 6, 1)]
    assert Counter(x["stockCode"] for t in create_tasks(sandbox) for x in t["skus_in"] if x["stockCode"] in skus) \
        == Counter(skus)  # each SKU posted once


def test_a_child_that_fails_leaves_its_tasks_to_task_results(configured_db, sandbox, monkeypatch, started):
    db = configured_db
    sandbox.state.task_delay_ms = 0
    sandbox.state.approval_delay_ms = 10**8
    monkeypatch.setattr(results_child, "_command", lambda: [sys.executable, "-c", "import sys; sys.exit(3)"])
    skus, res = _push_of_seven(db, "F")
    assert res.ok and "7 record(s) sent in 4 task(s)" in res.message
    assert "already processed" not in res.message
    with db.session_factory() as s:
        assert s.scalars(select(LogEntry.message).where(LogEntry.message.contains("ended unexpectedly"))).all() == [
            "the process applying early task results ended unexpectedly (exit code 3); "
            "task_results will poll the tasks it did not apply"]
        assert set(s.scalars(select(BatchItem.state))) == {"sent"}
        assert not s.scalars(select(IntegrationAction)).all()
    res = run(db, "task_results")
    assert res.succeeded == 6 and "1 batch(es) finished" in res.message
    with db.session_factory() as s:
        assert set(s.scalars(select(FailedIntegration.object_key))) == {"F-0001"}
        assert Counter(s.scalars(select(BatchItem.state))) == {"success": 6, "fail": 1}
        assert set(s.scalars(select(IntegrationAction.object_key).where(
            IntegrationAction.content_type == "product", IntegrationAction.state == "pending_approval"))) \
            == set(skus[1:])


def test_an_in_memory_database_keeps_the_thread(monkeypatch):
    from n11_desktop.core.storage.db import Database

    monkeypatch.setenv(results_child.CHILD_MIN_ENV, "0")
    db = Database(path=Path(":memory:"), engine=type("E", (), {"dialect": type("D", (), {"name": "sqlite"})()})(),
                  session_factory=None)
    assert not results_child.wanted(db, 100_000)


def _children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid and b"results_child" in cmdline:
            found.append(int(entry.name))
    return found


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL") or not Path("/proc/self/stat").exists(),
                    reason="needs SIGKILL and /proc")
def test_kill_9_of_the_parent_ends_the_child_and_leaves_a_resumable_batch(configured_db, sandbox):
    db = configured_db
    skus = seed_catalog(db, 12)
    _set_conf(db, queue_page_size=2)  # 6 tasks
    sandbox.state.task_delay_ms = 0
    sandbox.state.approval_delay_ms = 10**8
    sandbox.latency_ms = 300  # each post and poll in the air this long
    env = {**os.environ, results_child.CHILD_MIN_ENV: "0"}
    proc = subprocess.Popen([sys.executable, "-m", "n11_desktop", "--db", db.target(), "flow", "run",
                             "product_create"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    children: list[int] = []
    try:
        def applied_while_posting():
            assert proc.poll() is None, "the flow process ended before the kill"
            children[:] = children or _children_of(proc.pid)
            with db.session_factory() as s:
                states = Counter(s.scalars(select(BatchItem.state)))
            return bool(children) and states["success"] >= 2 and states["pending"] >= 2

        assert wait_for(applied_while_posting, timeout=60), "the child applied no task while the push went on"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    (child,) = children
    assert wait_for(lambda: _gone(child), timeout=20), "the child outlived its parent"
    sandbox.latency_ms = 0
    assert sandbox.wait_idle(30)
    # restart: the lease holder takes the batch over; acknowledged tasks are polled, the rest is sent
    for _ in range(6):
        sandbox.state.process_tasks_now()
        recover_on_start(db)
        run(db, "task_results", trigger="start")
        if run(db, "product_create").total == 0:
            with db.session_factory() as s:
                if all(st in ("done", "fail") for st in s.scalars(select(Batch.state))):
                    break
    created = Counter(x["stockCode"] for t in create_tasks(sandbox) for x in t["skus_in"])
    assert not [k for k, n in created.items() if n > 1], "a SKU was posted twice"
    with db.session_factory() as s:
        states = Counter(s.scalars(select(BatchItem.state)))
        ledger = {ia.object_key: ia.state for ia in s.scalars(select(IntegrationAction).where(
            IntegrationAction.content_type == "product"))}
    assert not states["pending"] and not states["sending"] and not states["sent"], states
    # each SKU posted at most once, and each posted one's results applied (a record in the air at
    # the kill may wait for its expiry as "unknown", as without the child)
    assert set(created) <= set(skus) and all(ledger.get(k) == "pending_approval" for k in created)


def test_a_stop_while_the_child_applies_ends_the_run_and_the_child(configured_db, sandbox, started):
    from n11_desktop.core.domain import RunState

    db = configured_db
    skus = seed_catalog(db, 12)
    sandbox.state.task_delay_ms = 0
    sandbox.state.approval_delay_ms = 10**8

    def acknowledged() -> int:
        with db.session_factory() as s:
            return len(s.scalars(select(BatchItem.id).where(BatchItem.state.in_(("sent", "success")))).all())

    res = run(db, "product_create", options={"page_size": 2}, should_stop=lambda: acknowledged() >= 6)
    assert res.state is RunState.CANCELLED, res
    assert len(started) == 1
    with db.session_factory() as s:
        states = Counter(s.scalars(select(BatchItem.state)))
    assert not states["pending"] and not states["sending"], states
    assert states["sent"] + states["success"] == 6 and states["unsent"] == 6, states
    for _ in range(4):  # the next runs collect the results and send the rest, each SKU once
        sandbox.state.process_tasks_now()
        run(db, "task_results")
        if run(db, "product_create").total == 0:
            break
    created = Counter(x["stockCode"] for t in create_tasks(sandbox) for x in t["skus_in"])
    assert created == Counter(skus)


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="POSIX priorities (Windows: created BELOW_NORMAL)")
def test_the_child_runs_below_the_apps_priority(configured_db, sandbox, monkeypatch, started):
    """On a two-core PC the window, the flow and N11's answers go first: the results process is
    niced below the app that started it."""
    seen: list[tuple[int, int]] = []
    close = results_child.ChildResults.close

    def spy_close(self):
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        wait_for(lambda: os.getpriority(os.PRIO_PROCESS, self._proc.pid) != mine, timeout=10)  # once started
        seen.append((mine, os.getpriority(os.PRIO_PROCESS, self._proc.pid)))
        return close(self)

    monkeypatch.setattr(results_child.ChildResults, "close", spy_close)
    sandbox.state.task_delay_ms = 0
    _skus, res = _push_of_seven(configured_db, "P")
    assert res.state.value == "done", res.message
    assert started, "the push did not take the child's path"
    assert seen and all(theirs == min(mine + results_child.CHILD_NICE, 19) for mine, theirs in seen), seen
