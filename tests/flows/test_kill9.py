"""DESIGN §11: `flow run product_create` killed with SIGKILL between the post and its acknowledgement.

The sandbox answers slowly (latency before it handles the request), so the process dies while the
request is in the air; the sandbox still creates the task. A restart must resolve the SKUs by asking
N11 and must not post them again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from n11_desktop.core.storage.models import BatchItem, IntegrationAction

from n11_desktop.core.schedule_facts import recover_on_start

from .helpers import create_tasks, run, seed_catalog

pytestmark = [pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
              pytest.mark.both_engines]  # SQLite and PostgreSQL (tests/conftest.py)


def _wait(pred, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False


def test_kill_9_between_post_and_ack_sends_nothing_twice(configured_db, sandbox):
    db = configured_db
    skus = seed_catalog(db, 3)
    sandbox.state.approval_delay_ms = 10**8
    sandbox.latency_ms = 1500  # the request is in the air this long before N11 handles it
    proc = subprocess.Popen([sys.executable, "-m", "n11_desktop", "--db", db.target(), "flow", "run",
                             "product_create"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def sending():
            with db.session_factory() as s:
                return s.scalar(select(BatchItem.id).where(BatchItem.state == "sending")) is not None

        def posted():
            assert proc.poll() is None, "the flow process ended before its post"
            return any(r["path"] == "/ms/product/tasks/product-create" for r in list(sandbox.state.requests_log))

        # the records are written as "sending" before the request leaves; kill once N11 has the request
        assert _wait(lambda: sending() and posted(), timeout=60), "the flow never reached the post"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert _wait(lambda: len(create_tasks(sandbox)) == 1), "N11 never received the post"
    sandbox.latency_ms = 0
    sandbox.state.process_tasks_now()
    # a process without the instance lease (a manual `flow run`) cannot know the sender is dead
    assert "still in flight" in run(db, "product_create").message
    # restart: the lease holder closes interrupted runs and takes the batch over at once (no clock
    # advance); task_results resolves the SKUs by asking N11 and nothing is posted again
    recover_on_start(db)
    res = run(db, "task_results", trigger="start")
    assert "resolved via product-query" in res.message
    assert run(db, "product_create").total == 0
    with db.session_factory() as s:
        states = {ia.object_key: ia.state for ia in s.scalars(select(IntegrationAction).where(
            IntegrationAction.content_type == "product"))}
    assert states == {s: "pending_approval" for s in skus}
    creates = create_tasks(sandbox)
    assert len(creates) == 1 and sorted(x["stockCode"] for x in creates[0]["skus_in"]) == skus
