"""core/instance.py: one process per database drives the integration (the instance lease)."""

from __future__ import annotations

import pytest

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from n11_desktop.core.flows.base import FlowOutcome, load_flow_modules
from n11_desktop.core.instance import (LEASE_KEY, STALE_AFTER_S, InstanceLease, LeaseHolder, current_holder,
                                       this_host)
from n11_desktop.core.runner import LeaseRefused, Runner
from n11_desktop.core.storage.models import AppState, FlowRun

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]


def put_lease(db, **kw):
    value = {"pid": 999_999, "host": this_host(), "role": "run", "started": time.time() - 60,
             "heartbeat": time.time(), **kw}
    with db.session_factory.begin() as s:
        row = s.get(AppState, LEASE_KEY)
        if row is None:
            s.add(AppState(key=LEASE_KEY, value=value))
        else:
            row.value = value


def alive(_pid):  # the fake holders' pids count as alive unless a test says otherwise
    return True


def test_free_lease_is_taken_refreshed_and_released(db):
    t = [1000.0]
    lease = InstanceLease(db, "run", now=lambda: t[0])
    assert lease.acquire() and lease.held
    h = current_holder(db)
    assert (h.pid, h.host, h.role, h.heartbeat) == (os.getpid(), this_host(), "run", 1000.0)
    assert not lease.heartbeat_due()
    t[0] += 25
    assert lease.heartbeat_due() and lease.heartbeat()
    assert current_holder(db).heartbeat == 1025.0 and current_holder(db).started == 1000.0
    lease.release()
    assert current_holder(db) is None and not lease.held


def test_fresh_lease_of_another_process_is_refused_and_kept(db):
    put_lease(db, pid=4242, host="other-host")
    lease = InstanceLease(db, "gui", alive=alive)
    assert not lease.acquire()
    assert lease.other.pid == 4242 and lease.other.host == "other-host"
    assert "pid 4242 on other-host" in lease.other.describe()
    assert current_holder(db).pid == 4242  # unchanged
    lease.release()  # not ours: nothing happens
    assert current_holder(db).pid == 4242


def test_stale_heartbeat_is_taken_over(db):
    put_lease(db, pid=4242, host="other-host", heartbeat=time.time() - STALE_AFTER_S - 5)
    lease = InstanceLease(db, "run", alive=alive)
    assert lease.acquire()
    assert current_holder(db).pid == os.getpid()


def test_dead_pid_on_this_host_is_taken_over_at_once(db):
    put_lease(db, pid=4242)  # fresh heartbeat, but the process is gone
    assert not InstanceLease(db, "run", alive=alive).acquire()
    lease = InstanceLease(db, "run", alive=lambda pid: pid != 4242)
    assert lease.acquire()
    assert current_holder(db).pid == os.getpid()


def test_a_process_that_lost_its_lease_notices_on_heartbeat(db):
    lease = InstanceLease(db, "run")
    assert lease.acquire()
    put_lease(db, pid=4242, host="other-host")  # someone took over while we stalled
    assert not lease.heartbeat() and not lease.held
    assert lease.other.pid == 4242
    lease.release()
    assert current_holder(db).pid == 4242


def test_runner_refuses_a_held_lease_and_changes_nothing(db):
    put_lease(db, pid=4242, host="other-host")
    with db.session_factory.begin() as s:
        s.add(FlowRun(flow="stock", trigger="schedule", state="running"))
    try:
        Runner(db, lease=InstanceLease(db, "run", alive=alive)).run(once=True)
    except LeaseRefused as exc:
        assert "pid 4242 on other-host" in str(exc)
    else:
        raise AssertionError("the runner started on a database another process drives")
    with db.session_factory.begin() as s:  # the other process's running row is left alone
        assert [r.state for r in s.query(FlowRun)] == ["running"]


def test_runner_releases_the_lease_on_exit(db):
    load_flow_modules()
    assert Runner(db).run(once=True) == 0
    assert current_holder(db) is None


def cli(db_path, *args, timeout=60):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "n11_desktop", "--db", str(db_path), *args], capture_output=True,
                          text=True, env=env, timeout=timeout)


def test_second_run_on_the_same_database_exits_2_naming_the_first(db):
    load_flow_modules()
    runner = Runner(db, max_sleep_s=0.2)  # inactive channel: nothing is scheduled, the loop just waits
    codes = []
    thread = threading.Thread(target=lambda: codes.append(runner.run()), name="first-runner")
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while (h := current_holder(db)) is None or h.pid != os.getpid():
            assert time.monotonic() < deadline, "the first runner never took the lease"
            time.sleep(0.02)
        second = cli(db.target(), "run")
        assert second.returncode == 2, second.stderr
        lines = second.stderr.strip().splitlines()
        assert len(lines) == 1, lines
        assert f"pid {os.getpid()}" in lines[0] and "n11-desktop run" in lines[0] and "Traceback" not in lines[0]
        assert current_holder(db).pid == os.getpid()  # the refused process took nothing
        # a manual one-off run is allowed while the scheduler of another process runs
        manual = cli(db.target(), "flow", "run", "category_node")
        assert "another" not in manual.stderr
    finally:
        runner.request_stop()
        thread.join(30)
    assert codes == [0] and current_holder(db) is None
    again = cli(db.target(), "run", "--once")  # released on exit: the next one starts
    assert again.returncode == 0, again.stderr


def test_runner_stops_when_another_process_takes_its_lease_over(db):
    load_flow_modules()
    t = [time.time()]
    lease = InstanceLease(db, "run", now=lambda: t[0], heartbeat_s=0.0)
    runner = Runner(db, max_sleep_s=0.05, lease=lease)
    out = []
    thread = threading.Thread(target=lambda: out.append(runner.run()), name="runner")
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while current_holder(db) is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
        put_lease(db, pid=4242, host="other-host", heartbeat=time.time() + 3600)
        thread.join(30)
    finally:
        runner.request_stop()
        thread.join(30)
    assert out == [0] and "pid 4242 on other-host" in runner.lease_lost
    assert current_holder(db).pid == 4242  # not released: it is not ours any more


def test_holder_value_round_trip():
    h = LeaseHolder(1, "h", "gui", 10.0, 20.0)
    assert LeaseHolder.from_value(h.to_value()) == h
    assert LeaseHolder.from_value("junk") is None
    assert "the n11-desktop window (pid 1 on h" in h.describe(25.0)


@pytest.mark.parametrize("stale", [False, True])
def test_machines_racing_for_the_lease_get_one_winner(db, stale):
    """Six "machines" (own connections, own host names) reach for a free or stale lease at the same
    moment: exactly one gets it, the others are refused naming it, none fails (SQLite: BEGIN
    IMMEDIATE; PostgreSQL: the store's advisory transaction lock)."""
    from n11_desktop.core.storage.db import open_database

    if stale:
        put_lease(db, pid=4242, host="dead-host", heartbeat=time.time() - 3600)
    dbs = [open_database(db.target()) for _ in range(6)]
    barrier = threading.Barrier(len(dbs))
    results: dict[int, object] = {}

    def reach(i: int) -> None:
        lease = InstanceLease(dbs[i], "run", pid=1000 + i, host=f"machine-{i}", alive=alive)
        barrier.wait()
        try:
            results[i] = (lease.acquire(), lease.other)
        except Exception as exc:  # noqa: BLE001 - a failure is a result here
            results[i] = exc

    threads = [threading.Thread(target=reach, args=(i,)) for i in range(len(dbs))]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        for d in dbs:
            d.dispose()
    assert not [r for r in results.values() if isinstance(r, Exception)], results
    winners = [i for i, (won, _other) in results.items() if won]
    assert len(winners) == 1, results
    holder = current_holder(db)
    assert (holder.pid, holder.host) == (1000 + winners[0], f"machine-{winners[0]}")
    assert all(other.host == holder.host for won, other in results.values() if not won)
