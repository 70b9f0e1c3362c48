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
import threading
from collections import Counter

import pytest
from sqlalchemy import func, select

from n11_desktop.core.storage.models import Batch, BatchItem, IntegrationAction

from n11_desktop.core.schedule_facts import recover_on_start

from .helpers import wait_for, create_tasks, later, run, seed_catalog

pytestmark = [pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL"),
              pytest.mark.both_engines]  # SQLite and PostgreSQL (tests/conftest.py)


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
        assert wait_for(lambda: sending() and posted(), timeout=60), "the flow never reached the post"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert wait_for(lambda: len(create_tasks(sandbox)) == 1), "N11 never received the post"
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


def _set_conf(db, **values):
    from n11_desktop.core.settings import ensure_channel

    with db.session_factory.begin() as s:
        channel = ensure_channel(s)
        channel.conf = {**dict(channel.conf), **values}


def _sent(db) -> int:
    """Records N11 acknowledged (their task's results maybe applied already, by the send itself)."""
    with db.session_factory() as s:
        return s.scalar(select(func.count()).select_from(BatchItem).where(BatchItem.state.in_(("sent", "success"))))


#: `flow run product_create` whose assembly is slow after its first chunk (as a long 100k build):
#: the second chunk is written only once the first pages are acknowledged, and slowly
_SLOW_ASSEMBLY = """
import sys, time
from sqlalchemy import func, select
from n11_desktop.core import batches
from n11_desktop.core.storage.models import BatchItem
add_items = batches.add_items
def slow(db, *a, **k):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with db.session_factory() as s:
            if s.scalar(select(func.count()).select_from(BatchItem).where(
                    BatchItem.state.in_(("sent", "success")))) >= 4:
                break
        time.sleep(0.02)
    time.sleep(1.0)
    return add_items(db, *a, **k)
batches.add_items = slow
from n11_desktop.cli import main
sys.exit(main())
"""


def _batch_states(db):
    with db.session_factory() as s:
        return [(b.id, b.state) for b in s.scalars(select(Batch).order_by(Batch.id))]


def _item_states(db):
    with db.session_factory() as s:
        return Counter(s.scalars(select(BatchItem.state)))


def _created(sandbox) -> Counter:
    return Counter(x["stockCode"] for t in create_tasks(sandbox) for x in t["skus_in"])


def _send_the_rest(db, sandbox, **kw) -> None:
    for _ in range(8):  # an unknown record waits for N11's answer; then the rest goes out
        sandbox.state.process_tasks_now()
        run(db, "task_results", **kw)
        if run(db, "product_create", **kw).total == 0 and all(
                st in ("done", "fail") for _b, st in _batch_states(db)):
            return
    raise AssertionError(f"the push did not converge: {_batch_states(db)} {_item_states(db)}")


def test_kill_9_while_the_batch_is_still_written_after_pages_were_posted(configured_db, sandbox):
    """Pages are posted while the rest of the batch is still being written; kill -9 then: the
    restart closes the half-written batch (nothing of it re-sent) and the next runs send the rest,
    every SKU in exactly one create task."""
    db = configured_db
    skus = seed_catalog(db, 40)
    _set_conf(db, queue_page_size=4, queue_max_tasks=20)  # chunks of 2 pages: 5 chunks, 10 posts
    sandbox.state.approval_delay_ms = 10**8
    # (the overlapped assembly goes with early results in a second process: forced on this small push)
    env = {**os.environ, "N11_DESKTOP_RESULTS_CHILD_MIN": "0"}
    proc = subprocess.Popen([sys.executable, "-c", _SLOW_ASSEMBLY, "--db", db.target(), "flow", "run",
                             "product_create"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        def posted_while_written():
            assert proc.poll() is None, "the flow process ended before the kill"
            states = _batch_states(db)
            return bool(states) and states[-1][1] == "initialized" and _sent(db) >= 4

        assert wait_for(posted_while_written, timeout=60), "no page was acknowledged while the batch was written"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    assert sandbox.wait_idle(30)
    (batch_id, state), = _batch_states(db)
    assert state == "initialized"  # killed while it was being written
    written = sum(_item_states(db).values())
    assert 8 <= written < 40, written
    # a process without the instance lease cannot know the writer is dead: the batch stays in flight
    assert "still in flight" in run(db, "product_create").message
    # restart: the lease holder takes the batch over and closes it as written (pending → unsent, a
    # post in the air → unknown, asked of N11); its acknowledged tasks are polled
    sandbox.state.process_tasks_now()
    recover_on_start(db)
    assert run(db, "task_results", trigger="start").ok
    assert _batch_states(db)[0][1] != "initialized"
    _send_the_rest(db, sandbox)
    # a page marked "sending" whose post had not reached N11 stays unknown: it expires after
    # sent_to_remote (6 h, penalized) and is sent again after the penalty interval (8 h)
    _send_the_rest(db, sandbox, clock=later(60 * 7))
    _send_the_rest(db, sandbox, clock=later(60 * 16))
    created = _created(sandbox)
    assert not [k for k, n in created.items() if n > 1], "a SKU was posted twice"
    assert set(created) == set(skus)
    items = _item_states(db)
    assert not items["pending"] and not items["sending"], items


def test_stop_while_the_batch_is_still_written_leaves_a_consistent_batch(configured_db, sandbox, monkeypatch):
    """A stop request while pages are posted and later chunks are still being written: the run ends
    cancelled, nothing more is written or posted, what was posted stays in flight for its results,
    the rest is released, and the next run sends it (each SKU once)."""
    from n11_desktop.core import batches
    from n11_desktop.core.domain import RunState
    from n11_desktop.core.flows import products as product_flows

    db = configured_db
    skus = seed_catalog(db, 40)
    _set_conf(db, queue_page_size=4, queue_max_tasks=20)  # a first step of 2 pages
    monkeypatch.setattr(product_flows, "BUILD_CHUNK", 8)  # ... and the later ones as small: 5 steps
    monkeypatch.setenv("N11_DESKTOP_RESULTS_CHILD_MIN", "0")  # the overlap goes with the results' child
    sandbox.state.approval_delay_ms = 10**8
    add_items = batches.add_items
    stop = threading.Event()

    def slow(*a, **k):  # the second chunk waits for the first two pages' acknowledgements; then the stop
        assert wait_for(lambda: _sent(db) >= 8, timeout=30)
        stop.set()
        return add_items(*a, **k)

    monkeypatch.setattr(batches, "add_items", slow)
    res = run(db, "product_create", should_stop=stop.is_set)
    assert res.state is RunState.CANCELLED, res
    monkeypatch.setattr(batches, "add_items", add_items)
    (batch_id, state), = _batch_states(db)
    items = _item_states(db)
    assert not items["pending"] and not items["sending"], items  # nothing left half-done
    # two pages posted (the first one's results maybe applied already), the third chunk released
    assert items["sent"] + items["success"] == 8 and items["unsent"] == 8 and sum(items.values()) == 16, items
    assert state in ("sent_to_remote", "ongoing"), state  # closed as written; its results are still to come
    with db.session_factory() as s:
        assert s.get(Batch, batch_id).error == "stopped while the batch was being written"
        sent = set(s.scalars(select(BatchItem.object_key).where(BatchItem.state.in_(("sent", "success")))))
    assert set(_created(sandbox)) == sent  # what left is recorded as sent, and nothing else left
    _send_the_rest(db, sandbox)
    created = _created(sandbox)
    assert not [k for k, n in created.items() if n > 1], "a SKU was posted twice"
    assert set(created) == set(skus)
