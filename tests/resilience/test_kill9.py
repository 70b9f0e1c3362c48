"""kill -9 of the app at random points of product_create, stock and order_create (DESIGN §11).

The N11 sandbox runs in this process (it is the witness: it records every task and package it
served); the app runs as ``python -m n11_desktop --db DB flow run SLUG`` in a subprocess and is
SIGKILLed after a seeded random number of its requests reached the sandbox plus a seeded random
delay, so kills land before, during and after posts, acknowledgements and database writes.
After the kills the restart path (``recover_on_start`` + ``task_results``, as ``run`` does at
start) and normal runs finish the work. Then: no SKU in two create tasks, no (SKU, quantity)
sent twice, no order or line duplicated, nothing lost, ``PRAGMA integrity_check`` ok (on SQLite).
Every test runs on SQLite and on PostgreSQL (tests/conftest.py).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from n11_desktop.core.catalog.repo import set_stock
from n11_desktop.core.flows import run_flow
from n11_desktop.core.schedule_facts import recover_on_start
from n11_desktop.core.storage.models import (
    BATCH_ACTIVE_STATES,
    Batch,
    BatchItem,
    FlowRun,
    IntegrationAction,
    Order,
    OrderItem,
    Product,
    Stock,
    utcnow,
)

from ..flows.helpers import seed_catalog
from .conftest import COUNTS, cli, count, popen, set_conf

pytestmark = [pytest.mark.resilience,
              pytest.mark.skipif(sys.platform == "win32" or not hasattr(signal, "SIGKILL"),
                                 reason="kill -9 needs POSIX signals")]

N_PRODUCTS = 400
PAGE = 8  # SKUs per N11 task: many posts per run, so kills land between and inside them
MAX_TASKS = 5  # tasks per run: a run sends 40 SKUs, so every kill run has work to be killed in
KILLS = {"product_create": 9, "stock": 6, "order_create": 7, "run": 5}  # 27 kill points
#: the PostgreSQL twins: the same kills at a smaller size (what differs there is the database's
#: side, its transactions, locks and the restart's recovery; the SQLite run has the full schedule)
PG_N_PRODUCTS = 240  # 6 runs' worth: every one of the 5 product_create kills still has work
PG_KILLS = {"product_create": 5, "stock": 3, "order_create": 7, "run": 3}  # 18 kill points
N_ORDERS = 240


@pytest.fixture
def sandbox():
    """A sandbox with a little latency (so a run takes long enough to be killed in the middle)."""
    from n11_desktop.sandbox.server import SandboxServer

    server = SandboxServer(port=0, task_delay_ms=30, approval_delay_ms=30, latency_ms=4)
    server.start()
    yield server
    server.stop()


def _requests(sandbox) -> int:
    with sandbox.state.lock:
        return len(sandbox.state.requests_log)


def _kill_during(db_path, sandbox, slug: str, rng, *, max_requests: int, max_delay_s: float,
                 argv: tuple[str, ...] | None = None, wait_s: float = 60) -> str:
    """Start ``flow run SLUG`` (or ``argv``); SIGKILL it after k of its requests + a random delay."""
    k = rng.randint(1, max_requests)
    delay = rng.uniform(0.0, max_delay_s)
    base = _requests(sandbox)
    proc = popen(db_path, *(argv or ("flow", "run", slug)))
    try:
        deadline = time.monotonic() + wait_s
        while _requests(sandbox) - base < k and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
        if delay:
            time.sleep(delay)
        if proc.poll() is None:
            reached = _requests(sandbox) - base
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            # a request the dead client had already sent runs to its end on N11's side (a post that
            # arrived becomes a task): the restart below happens "later" (its clock is hours ahead),
            # so N11 must have finished with it first, as it would have in those hours
            assert sandbox.wait_idle(30), "the sandbox did not finish the killed client's requests"
            where = f"{slug}: killed after {reached} requests (k={k}, +{delay * 1000:.0f} ms)"
            if reached >= k:
                count(f"kill -9 points: {slug}", detail=where)
            else:  # an idle scheduler: killed, but not in the middle of anything
                count(f"runs finished before their kill point: {slug}")
                where += " (idle: not counted as a kill point)"
            return where
        proc.wait(timeout=30)
        out, err = proc.communicate()
        count(f"runs finished before their kill point: {slug}")
        return f"{slug}: finished before the kill (exit {proc.returncode}: {err.strip()[-300:]})"
    finally:
        if proc.poll() is None:  # pragma: no cover - only on a test failure
            proc.kill()
            proc.wait()
        for f in (proc.stdout, proc.stderr):
            if f is not None:
                f.close()


def ahead(**delta):
    """A clock ``delta`` ahead of now: the restarted app after that much time (batches of the killed
    process are stale after 2 min; a post killed before it left resolves at sent_to_remote expiry)."""
    d = timedelta(**delta)
    return lambda: utcnow() + d


def _restart(db, sandbox, **delta) -> None:
    """What the restarted app does first: close interrupted runs, then poll/recover batches in flight."""
    recover_on_start(db)
    sandbox.state.process_tasks_now()
    res = run_flow("task_results", db, trigger="start", clock=ahead(**delta))
    assert res.ok, res.message


def _finish(db, sandbox, slug: str, rounds: int = 40, **delta) -> None:
    """Run ``slug`` + ``task_results`` until nothing is left to send and nothing is in flight."""
    clock = ahead(**delta)
    res = None
    for _ in range(rounds):
        sandbox.state.process_tasks_now()
        run_flow("task_results", db, trigger="start", clock=clock)
        res = run_flow(slug, db, trigger="cli", clock=clock)
        with db.session_factory() as s:
            in_flight = s.scalar(select(func.count()).select_from(Batch).where(Batch.state.in_(BATCH_ACTIVE_STATES)))
        if res.total == 0 and not in_flight:
            return
    raise AssertionError(f"{slug} did not converge after {rounds} rounds: last result {res}")


def _attempts(slug: str, db):
    """Attempt numbers until KILLS[slug] (PG_KILLS on PostgreSQL) kills landed while the run was going
    (at most 3× as many runs)."""
    target, key = (KILLS if db.is_sqlite else PG_KILLS)[slug], f"kill -9 points: {slug}"
    start = COUNTS[key]
    for i in range(3 * target):
        if COUNTS[key] - start >= target:
            return
        yield i
    assert COUNTS[key] - start >= target, f"only {COUNTS[key] - start} of {target} {slug} runs were killed in the middle"


def _tasks(sandbox, ttype: str) -> list[dict]:
    with sandbox.state.lock:
        return [t for t in sandbox.state.tasks.values() if t["type"] == ttype]


def _integrity(db) -> str:
    if not db.is_sqlite:  # PostgreSQL: the server's own WAL recovery; nothing to check from here
        return "ok"
    with db.engine.connect() as c:
        return c.execute(text("PRAGMA integrity_check")).scalar()


def _count_overlapped(db) -> None:
    """A kill that landed while the batch was still being written (a run's 40 SKUs are written in
    chunks of two pages) after a page of it had been posted."""
    with db.session_factory() as s:
        posted = s.scalar(select(func.count()).select_from(BatchItem).join(Batch, Batch.id == BatchItem.batch_id)
                          .where(Batch.state == "initialized", BatchItem.state.in_(("sending", "sent", "success"))))
    if posted:
        count("kill -9 points: product_create while its batch was written, pages posted")


def finish_and_check_nothing_twice(db, sandbox, skus) -> None:
    """After the kills and the restart: let the creates finish, import the orders, then no SKU in two
    create tasks, every SKU on N11, and the 120 orders and lines each written once."""
    _finish(db, sandbox, "product_create", minutes=3)
    _finish(db, sandbox, "product_create", hours=7)
    _finish(db, sandbox, "product_create", hours=16)
    assert run_flow("order_create", db, trigger="cli").ok
    created = Counter(s["stockCode"] for t in _tasks(sandbox, "PRODUCT_CREATE") for s in t["skus_in"])
    assert not [k for k, n in created.items() if n > 1], "a SKU was sent in two create tasks"
    assert set(sandbox.state.products) == set(skus)
    with db.session_factory() as s:
        numbers = list(s.scalars(select(Order.n11_order_number)))
        lines = list(s.scalars(select(OrderItem.n11_line_id)))
    assert len(numbers) == len(set(numbers)) == len(sandbox.state.orders) == 120
    assert len(lines) == len(set(lines)) == 120


def test_kill9_during_product_create_and_stock_sends_nothing_twice(configured_db, sandbox, tmp_path, rng):
    db = configured_db
    db_path = db.target()  # the SQLite file, or the PostgreSQL URL
    set_conf(db, queue_page_size=PAGE, queue_max_tasks=MAX_TASKS,
             flags={"send_products_inserted": True, "send_updated_product_stock": True})
    n_products = N_PRODUCTS if db.is_sqlite else PG_N_PRODUCTS
    skus = seed_catalog(db, n_products)
    kills = []
    # ---------------------------------------------------------------- product_create
    for _ in _attempts("product_create", db):
        kills.append(_kill_during(db_path, sandbox, "product_create", rng, max_requests=MAX_TASKS + 1,
                                  max_delay_s=0.02))
        _count_overlapped(db)
        _restart(db, sandbox, minutes=3)
        with db.session_factory() as s:  # the restart closed a batch its dead writer left half-written
            assert not s.scalar(select(func.count()).select_from(Batch).where(Batch.state == "initialized"))
    with db.session_factory() as s:
        unknown = s.scalar(select(func.count()).select_from(BatchItem).where(BatchItem.state == "unknown"))
    # records whose post was killed before it left: penalized at sent_to_remote expiry (6 h), retried
    # after the penalty interval (8 h): sent once, never twice
    _finish(db, sandbox, "product_create", hours=7)
    _finish(db, sandbox, "product_create", hours=16)
    count("records left unknown by a kill, settled at expiry then sent once", unknown)

    created = Counter(s["stockCode"] for t in _tasks(sandbox, "PRODUCT_CREATE") for s in t["skus_in"])
    twice = {sku: n for sku, n in created.items() if n > 1}
    assert not twice, f"SKUs sent in more than one create task: {sorted(twice)[:10]}"
    assert set(created) == set(skus), f"never sent: {sorted(set(skus) - set(created))[:10]}"
    assert set(sandbox.state.products) == set(skus)
    with db.session_factory() as s:
        states = Counter(s.scalars(select(IntegrationAction.state)
                                   .where(IntegrationAction.content_type == "product")))
        assert states == {"pending_approval": n_products} or sum(states.values()) == n_products, states
        assert not s.scalar(select(func.count()).select_from(FlowRun).where(FlowRun.state == "running"))
    count("SKUs created across kills (each in exactly one task)", n_products)

    # ---------------------------------------------------------------- stock
    sandbox.state.approve_products_now()
    with db.session_factory.begin() as s:
        for pid in list(s.scalars(select(Product.id))):
            set_stock(s, pid, 11 + pid % 7)
    for _ in _attempts("stock", db):
        kills.append(_kill_during(db_path, sandbox, "stock", rng, max_requests=MAX_TASKS + 1, max_delay_s=0.02))
        _restart(db, sandbox, hours=16, minutes=3)
    _finish(db, sandbox, "stock", hours=23)
    _finish(db, sandbox, "stock", hours=40)
    sent = Counter((s["stockCode"], s.get("quantity")) for t in _tasks(sandbox, "SKU_UPDATE") for s in t["skus_in"])
    twice = {k: n for k, n in sent.items() if n > 1}
    assert not twice, f"stock values sent more than once: {sorted(twice)[:10]}"
    with db.session_factory() as s:
        want = {sku: q for sku, q in s.execute(select(Product.sku, Stock.quantity).join(Stock))}
    got = {sku: int(p["quantity"]) for sku, p in sandbox.state.products.items()}
    assert got == want, "N11 stock differs from the local stock after the kills"
    count("SKUs whose stock converged across kills", len(want))
    assert _integrity(db) == "ok"
    count("PRAGMA integrity_check after kills: ok" if db.is_sqlite else "kill -9 on PostgreSQL: product_create, stock")
    print("\n".join(kills))


def test_kill9_during_order_create_duplicates_and_loses_nothing(configured_db, sandbox, tmp_path, rng):
    from datetime import datetime, timedelta

    from n11_desktop.core.orders.demo import seed_address_tree, seed_cargo_mapping

    db = configured_db
    db_path = db.target()  # the SQLite file, or the PostgreSQL URL
    seed_address_tree(db)
    seed_cargo_mapping(db)
    set_conf(db, order_start_date=(datetime.now() - timedelta(days=3)).strftime("%d/%m/%Y"),
             flags={"get_orders": True})
    lines = 0
    for i in range(N_ORDERS):
        n = 1 + i % 3
        sandbox.state.create_order([{"stockCode": f"SKU-{i:04d}-{j}", "quantity": 1, "price": "99.90"}
                                    for j in range(n)], shipment_company_id=344)
        lines += n
    kills = []
    for i in _attempts("order_create", db):
        if i:  # new orders arrive between kills too, so every later run has work to be killed in
            for j in range(15):
                sandbox.state.create_order([{"stockCode": f"NEW-{i}-{j}", "quantity": 2, "price": "10"}],
                                           shipment_company_id=344)
                lines += 1
        kills.append(_kill_during(db_path, sandbox, "order_create", rng, max_requests=2, max_delay_s=0.3))
    recover_on_start(db)
    res = run_flow("order_create", db, trigger="start")
    assert res.ok, res.message
    res = run_flow("order_create", db, trigger="cli")  # a second, overlapping window changes nothing
    assert res.ok, res.message
    with sandbox.state.lock:
        remote_orders = set(sandbox.state.orders)
        remote_lines = {ln["orderLineId"] for p in sandbox.state.packages.values() for ln in p["lines"]}
    with db.session_factory() as s:
        numbers = list(s.scalars(select(Order.n11_order_number)))
        n_items = s.scalar(select(func.count()).select_from(OrderItem))
        line_ids = list(s.scalars(select(OrderItem.n11_line_id))) if hasattr(OrderItem, "n11_line_id") else []
    dup = [n for n, c in Counter(numbers).items() if c > 1]
    assert not dup, f"orders written twice: {dup[:10]}"
    assert set(numbers) == remote_orders, f"orders lost: {sorted(remote_orders - set(numbers))[:10]}"
    assert n_items == lines, f"{n_items} order lines locally, {lines} on N11"
    if line_ids:
        assert len(set(line_ids)) == len(line_ids), "an order line was written twice"
    if line_ids:
        assert {str(x) for x in line_ids} == {str(x) for x in remote_lines}
    assert _integrity(db) == "ok"
    count("orders imported across kills (each once)", len(remote_orders))
    count("order lines imported across kills (each once)", lines)
    count("PRAGMA integrity_check after kills: ok" if db.is_sqlite else "kill -9 on PostgreSQL: order_create runs")
    print("\n".join(kills))


def _an_hour_passes(db) -> None:
    """Shift the run history an hour back: the restarted scheduler finds every flow due again."""
    hour = timedelta(hours=1)
    with db.session_factory.begin() as s:
        for run in s.scalars(select(FlowRun)):
            run.started_at = run.started_at - hour if run.started_at is not None else None
            run.ended_at = run.ended_at - hour if run.ended_at is not None else None


def test_kill9_of_the_headless_scheduler_then_restart(configured_db, sandbox, tmp_path, rng):
    """``n11-desktop run`` with every product and order flow due, killed again and again; then the real
    restart (``run --once`` in a new process: interrupted runs closed, batches polled) and normal runs."""
    from datetime import datetime, timedelta

    from n11_desktop.core.orders.demo import seed_address_tree, seed_cargo_mapping

    db = configured_db
    db_path = db.target()  # the SQLite file, or the PostgreSQL URL
    seed_address_tree(db)
    seed_cargo_mapping(db)
    set_conf(db, queue_page_size=PAGE, queue_max_tasks=MAX_TASKS,
             order_start_date=(datetime.now() - timedelta(days=3)).strftime("%d/%m/%Y"),
             flags={"send_products_inserted": True, "send_updated_product_stock": True, "get_orders": True})
    skus = seed_catalog(db, 160)
    for i in range(120):
        sandbox.state.create_order([{"stockCode": f"R-{i}", "quantity": 1, "price": "20"}], shipment_company_id=344)
    kills = []
    for _ in _attempts("run", db):
        _an_hour_passes(db)  # so every flow is due again when the scheduler restarts
        kills.append(_kill_during(db_path, sandbox, "run", rng, max_requests=8, max_delay_s=0.2, argv=("run",),
                                  wait_s=8))
    proc = cli(db_path, "run", "--once", timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    with db.session_factory() as s:
        assert not s.scalar(select(func.count()).select_from(FlowRun).where(FlowRun.state == "running")), \
            "the restart left runs of the killed processes open"
        interrupted = s.scalar(select(func.count()).select_from(FlowRun).where(FlowRun.message.contains("interrupted")))
    finish_and_check_nothing_twice(db, sandbox, skus)
    assert _integrity(db) == "ok"
    count("runs closed as interrupted by the restart", interrupted)
    count("PRAGMA integrity_check after kills: ok" if db.is_sqlite else "kill -9 on PostgreSQL: the headless scheduler")
    print("\n".join(kills))
