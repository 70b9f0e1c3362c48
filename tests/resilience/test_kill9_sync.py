"""kill -9 of ``flow run remote_sync`` part-way through the store: the previous snapshot stays
whole and usable, and the next run resumes at the page after the last one written."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest
from sqlalchemy import select, text

from n11_desktop.core.flows import run_flow
from n11_desktop.core.remote_sync import CURSOR_KEY
from n11_desktop.core.schedule_facts import recover_on_start
from n11_desktop.core.storage.models import AppState, RemoteProduct

from .conftest import popen

pytestmark = [pytest.mark.resilience,
              pytest.mark.skipif(sys.platform == "win32" or not hasattr(signal, "SIGKILL"),
                                 reason="kill -9 needs POSIX signals")]

N = 3000  # 12 pages of 250


@pytest.fixture
def sandbox():
    from n11_desktop.sandbox.server import SandboxServer

    server = SandboxServer(port=0, task_delay_ms=0, approval_delay_ms=0, latency_ms=40)
    server.start()
    yield server
    server.stop()


def _pages_served(sandbox) -> int:
    with sandbox.state.lock:
        return sum(1 for r in sandbox.state.requests_log if r["path"] == "/ms/product-query")


def _snapshot(db):
    with db.session_factory() as s:
        return {r.stock_code: r.quantity for r in s.scalars(select(RemoteProduct))}


def test_kill9_mid_sync_keeps_the_snapshot_and_the_next_run_resumes(configured_db, sandbox):
    db = configured_db
    for i in range(N):
        sandbox.state.add_product(stockCode=f"K-{i:05d}", quantity=5)
    assert run_flow("remote_sync", db).ok
    before = _snapshot(db)
    assert len(before) == N
    # N11 changes: ten products gone, one quantity changed
    for i in range(10):
        sandbox.state.remove_product(f"K-{i:05d}")
    sandbox.state.edit_product(f"K-{N - 1:05d}", quantity=77)
    base = _pages_served(sandbox)
    proc = popen(db.target(), "flow", "run", "remote_sync")
    try:
        deadline = time.monotonic() + 60
        while _pages_served(sandbox) - base < 5 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        assert proc.poll() is None, "the sync finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:  # pragma: no cover
            proc.kill()
            proc.wait()
        for f in (proc.stdout, proc.stderr):
            f.close()
    assert sandbox.wait_idle(30)
    # the previous snapshot is whole: a partial pass removes nothing
    after_kill = _snapshot(db)
    assert set(after_kill) == set(before)
    with db.session_factory() as s:
        cursor = s.get(AppState, CURSOR_KEY).value
        if db.is_sqlite:  # PostgreSQL recovers with its own WAL; no file check from here
            assert s.execute(text("PRAGMA integrity_check")).scalar() == "ok"
    assert 1 <= cursor["next_page"] < N // 250
    recover_on_start(db)  # what the app or `run` does at start: the killed run is closed
    pages_before = _pages_served(sandbox)
    res = run_flow("remote_sync", db)
    assert res.ok and f"resumed at page {cursor['next_page'] + 1}" in res.message, res.message
    assert _pages_served(sandbox) - pages_before < N // 250 + 10 + 1  # the rest, plus one-by-one checks
    snap = _snapshot(db)
    assert set(snap) == set(sandbox.state.products) and len(snap) == N - 10
    assert snap[f"K-{N - 1:05d}"] == 77
