"""The sandbox injects 20% faults for a whole scenario (DESIGN §11).

Faults: timeouts (connection held then closed), HTTP 500/503, connection resets, truncated
(malformed) XML/JSON bodies, HTML where XML/JSON was expected, slow responses, and lost
acknowledgements (the request is applied, the answer is dropped with a reset). Under faults,
product_create, task_results, stock, price and order_create run round after round: no run
crashes (a failed run ends with one clear line, never a Python exception), every record that
did not make it is penalized with a message or left eligible to be retried, nothing is sent
twice. Once faults stop, everything converges: every SKU on N11 with the local stock and
price, every order imported exactly once.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from n11_desktop.core.catalog.repo import set_price, set_stock
from n11_desktop.core.flows import run_flow
from n11_desktop.core.n11.client import client_from_config
from n11_desktop.core.storage.models import (
    BATCH_ACTIVE_STATES,
    Batch,
    FailedIntegration,
    FlowRun,
    IntegrationAction,
    LogEntry,
    Order,
    OrderItem,
    Price,
    Product,
    Stock,
    utcnow,
)

from ..flows.helpers import seed_catalog
from .conftest import SEED, count, set_conf

pytestmark = pytest.mark.resilience

FAULT_RATE = 0.20
N_PRODUCTS = 120
N_ORDERS = 40
#: a Python exception leaking into a run's message means something crashed instead of failing cleanly
CRASH_RE = re.compile(r"\b(Traceback|KeyError|TypeError|AttributeError|IndexError|NameError|UnboundLocalError|"
                      r"AssertionError|ZeroDivisionError|RecursionError|IntegrityError|OperationalError)\b")


@pytest.fixture
def sandbox():
    from n11_desktop.sandbox.server import SandboxServer

    server = SandboxServer(port=0, task_delay_ms=20, approval_delay_ms=20)
    server.state.fault_rng = random.Random(f"faults:{SEED}")  # the seed picks which requests fault
    server.start()
    yield server
    server.stop()


def _fast_client(conf, **kw):
    """The real client, with a short back-off so the retries of 20% faults stay quick in a test."""
    return client_from_config(conf, backoff=0.02, timeout=(1.0, 1.0), **kw)


class _Clock:
    """The app's clock: advanced between rounds so penalties and sent_to_remote expiry come due."""

    def __init__(self):
        self.offset = timedelta(0)

    def __call__(self):
        return utcnow() + self.offset

    def advance(self, **delta):
        self.offset += timedelta(**delta)


def _run(db, slug, clock, runs: Counter, **kw):
    res = run_flow(slug, db, trigger="schedule", clock=clock, client_factory=_fast_client, **kw)
    assert res.state.value in ("done", "failed"), (slug, res)
    assert not CRASH_RE.search(res.message or ""), f"{slug} crashed instead of failing cleanly: {res.message}"
    if res.state.value == "failed":
        assert res.message and "\n" not in res.message.strip(), f"{slug} failed without one clear line: {res!r}"
    runs[(slug, res.state.value)] += 1
    return res


def test_twenty_percent_faults_for_a_whole_scenario_then_convergence(configured_db, sandbox, monkeypatch):
    from datetime import datetime

    from n11_desktop.core.orders.demo import seed_address_tree, seed_cargo_mapping

    db = configured_db
    seed_address_tree(db)
    seed_cargo_mapping(db)
    set_conf(db, queue_page_size=10, order_start_date=(datetime.now() - timedelta(days=3)).strftime("%d/%m/%Y"),
             flags={"send_products_inserted": True, "send_updated_product_stock": True,
                    "send_updated_product_price": True, "get_orders": True})
    skus = seed_catalog(db, N_PRODUCTS)
    for i in range(N_ORDERS):
        sandbox.state.create_order([{"stockCode": skus[i], "quantity": 1 + i % 2, "price": "100"}],
                                   shipment_company_id=344)

    injected: Counter = Counter()
    real_pick = sandbox.state.pick_fault

    def counting_pick():
        kind = real_pick()
        if kind:
            injected[kind] += 1
        return kind

    monkeypatch.setattr(sandbox.state, "pick_fault", counting_pick)
    from n11_desktop.sandbox import state as sandbox_state

    kinds = list(getattr(sandbox_state, "ALL_FAULT_KINDS", sandbox_state.FAULT_KINDS))  # incl. lost_ack
    sandbox.state.set_faults(rate=FAULT_RATE, kinds=kinds, timeout_s=0.3, latency_ms=150)

    clock = _Clock()
    runs: Counter = Counter()
    # ------------------------------------------------------------------ under 20% faults
    for rnd in range(6):
        sandbox.state.process_tasks_now()
        sandbox.state.approve_products_now()
        for slug in ("task_results", "product_create", "order_create"):
            _run(db, slug, clock, runs)
        if rnd == 2:  # stock and price change while faults go on
            with db.session_factory.begin() as s:
                for pid in list(s.scalars(select(Product.id)))[: N_PRODUCTS // 2]:
                    set_stock(s, pid, 3 + pid % 5)
                    if pid % 3 == 0:
                        pr = s.scalars(select(Price).where(Price.product_id == pid)).one()
                        set_price(s, pid, pr.price + 1, pr.list_price + 1)
        if rnd >= 2:
            _run(db, "stock", clock, runs)
            _run(db, "price", clock, runs)
        clock.advance(minutes=5)
    requests_under_faults = len(sandbox.state.requests_log)
    missing_after_faults = len(set(skus) - set(sandbox.state.products))
    assert sum(injected.values()) >= 10, f"too few faults injected to mean anything: {injected}"

    # each record that did not make it is penalized with a message, in flight, or eligible again
    with db.session_factory() as s:
        penalties = list(s.scalars(select(FailedIntegration).where(FailedIntegration.is_active.is_(True))))
        for f in penalties:
            assert f.message.strip(), f"penalty without a message: {f.object_key}"
            assert f.next_retry_at is not None or f.expires_at is not None, f"penalty with no retry: {f.object_key}"
        crashed = list(s.scalars(select(FlowRun.message).where(FlowRun.state == "failed")))
        assert not any(CRASH_RE.search(m or "") for m in crashed)
        assert not s.scalar(select(func.count()).select_from(FlowRun).where(FlowRun.state == "running"))
    count("faults injected by the sandbox (20% of requests)", sum(injected.values()))
    for kind, n in sorted(injected.items()):
        count(f"faults injected, kind {kind}", n)
    count("flow runs under faults (none crashed)", sum(runs.values()))
    count("flow runs under faults that failed as a whole, cleanly", sum(n for (s_, st), n in runs.items()
                                                                       if st == "failed"))
    count("records penalized under faults (with a message and a retry)", len(penalties))
    with db.session_factory() as s:
        failed_calls = s.scalar(select(func.count()).select_from(LogEntry).where(
            LogEntry.object_type == "n11_call", LogEntry.level == "ERROR"))
    count("faults: N11 calls that failed, logged with their raw exchange", failed_calls)

    # ------------------------------------------------------------------ faults stop: convergence
    sandbox.state.set_faults(rate=0.0)
    converged = False
    for delta in ({"minutes": 5}, {"hours": 7}, {"hours": 9}, {"hours": 9}):
        clock.advance(**delta)
        for _ in range(3):
            sandbox.state.process_tasks_now()
            sandbox.state.approve_products_now()
            results = [_run(db, slug, clock, runs)
                       for slug in ("task_results", "product_create", "task_results", "stock", "price", "order_create")]
            converged = set(sandbox.state.products) == set(skus) and _stock_and_price_match(db, sandbox)
            if converged or not any(r.total for r in results):
                break  # done, or nothing more happens until the clock moves on
        if converged:
            break
    sandbox.state.process_tasks_now()
    _run(db, "task_results", clock, runs)

    assert set(sandbox.state.products) == set(skus), \
        f"not on N11 after faults stopped: {sorted(set(skus) - set(sandbox.state.products))[:10]}"
    assert _stock_and_price_match(db, sandbox)
    created = Counter(sk["stockCode"] for t in sandbox.state.tasks.values() if t["type"] == "PRODUCT_CREATE"
                      for sk in t["skus_in"])
    twice = sorted(k for k, n in created.items() if n > 1)
    assert not twice, f"created twice despite lost acknowledgements: {twice[:10]}"
    with db.session_factory() as s:
        numbers = list(s.scalars(select(Order.n11_order_number)))
        line_ids = list(s.scalars(select(OrderItem.n11_line_id)))
        assert not s.scalar(select(func.count()).select_from(Batch).where(Batch.state.in_(BATCH_ACTIVE_STATES)))
        assert not s.scalar(select(func.count()).select_from(FailedIntegration)
                            .where(FailedIntegration.is_active.is_(True), FailedIntegration.content_type == "product"))
        states = Counter(s.scalars(select(IntegrationAction.state).where(IntegrationAction.content_type == "product")))
    assert len(numbers) == len(set(numbers)) == len(sandbox.state.orders), "orders lost or duplicated"
    assert len(line_ids) == len(set(line_ids)), "an order line was written twice"
    assert set(states) <= {"active", "pending_approval"}, states
    count("requests served under faults", requests_under_faults)
    count("SKUs converged on N11 after faults stopped", len(skus))
    count("faults: SKUs not yet on N11 when faults stopped (sent later, once)", missing_after_faults)
    count("orders imported exactly once despite faults", len(numbers))


def _stock_and_price_match(db, sandbox) -> bool:
    with db.session_factory() as s:
        rows = s.execute(select(Product.sku, Stock.quantity, Price.price).join(Stock).join(Price)).all()
    for sku, qty, price in rows:
        p = sandbox.state.products.get(sku)
        if p is None or int(p["quantity"]) != qty or p["salePrice"] != price:
            return False
    return True
