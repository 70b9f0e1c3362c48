"""Product-flow benchmarks (DESIGN §10).

``delta_detection``: 100k SKUs already on N11 (ledger rows for product, stock and price), 1 %
of them with a newer stock or price version. Timed: the flows' candidate queries for stock and
price (penalty box and in-flight filters included) plus building the price-stock payloads and
the product-update payloads (Mapper) of the changed rows. Baseline: a raw ``sqlite3`` select of
the changed stock and price rows (the join on the ledger, nothing else).

``initial_push``: N SKUs never sent, pushed to a sandbox answering with 50 ms latency:
``product_create`` (payloads, batch written before sending, one task per 1000 SKUs) then
``task_results`` until every task is processed. Baseline: the protocol bound
tasks × round trips (post + poll) × latency.
"""

from __future__ import annotations

import math
import sqlite3
import sys
import time
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from . import BenchResult, point_channel_at, scenario

LEAF = 1000002
LOCAL_CATEGORY = "Elektronik > Test"
LATENCY_MS = 50


def _setup(db, n: int, *, sent: bool, t0: datetime) -> None:
    """n products with price, stock, catalog membership, mapping; ledger rows when ``sent``."""
    from sqlalchemy import insert

    from ..core.storage.models import (
        AttributeRule,
        AttributeValue,
        CatalogItem,
        CategoryAttribute,
        CategoryMapping,
        CategoryNode,
        IntegrationAction,
        Price,
        Product,
        Stock,
    )
    from ..sandbox import data

    cat = data.categories()[LEAF]
    with db.session_factory.begin() as s:
        s.add(CategoryNode(id=LEAF, parent_id=cat.parent_id, root_id=cat.parent_id or LEAF, name=cat.name,
                           path=cat.name, depth=cat.depth, is_leaf=True, attributes_fetched_at=t0))
        s.flush()
        for a in data.category_attributes(LEAF, 0):
            ca = CategoryAttribute(category_id=LEAF, attribute_id=a["id"], name=a["name"], mandatory=a["mandatory"],
                                   custom_value=a["customValue"], multiple=bool(a.get("multipleSelect")),
                                   order=a.get("order") or 0)
            s.add(ca)
            s.flush()
            for v in a["values"]:
                s.add(AttributeValue(category_attribute_id=ca.id, value_id=v["id"], name=v["name"]))
        s.add(CategoryMapping(local_category=LOCAL_CATEGORY, category_id=LEAF))
        for name, aid in (("brand", 1), ("Renk", 429), ("Boyut", 488), ("Güç", 544)):
            s.add(AttributeRule(local_attribute=name, attribute_id=aid, category_id=0))
        step = 10_000
        for start in range(1, n + 1, step):
            ids = range(start, min(n, start + step - 1) + 1)
            s.execute(insert(Product), [dict(
                id=i, sku=f"BP-{i:07d}", product_code=f"BP-{i:07d}", title=f"Bench ürünü numara {i} uzun başlık",
                description="<p>Açıklama</p>", brand=f"Marka{i % 50}", vat_rate=20,
                images=[f"https://cdn.example.com/bp/{i}.jpg"], category=LOCAL_CATEGORY,
                attributes={"Renk": "Kırmızı", "Boyut": "M", "Güç": "10W"}, preparing_day=2,
                shipment_template="Standart", product_type="simple", active=True, version=1, version_date=t0,
                created_at=t0) for i in ids])
            s.execute(insert(Price), [dict(product_id=i, price=Decimal(100 + i % 900), list_price=Decimal(1200),
                                           currency="TL", version=1, version_date=t0) for i in ids])
            s.execute(insert(Stock), [dict(product_id=i, quantity=i % 50, version=1, version_date=t0) for i in ids])
            s.execute(insert(CatalogItem), [dict(product_id=i, added_at=t0) for i in ids])
            if sent:
                rows = []
                for i in ids:
                    sku = f"BP-{i:07d}"
                    rows.append(dict(content_type="product", object_id=i, object_key=sku, state="active",
                                     version_date=t0, last_values={}, updated_at=t0))
                    rows.append(dict(content_type="productstock", object_id=i, object_key=sku, state="synced",
                                     version_date=t0, last_values={"quantity": i % 50}, updated_at=t0))
                    rows.append(dict(content_type="productprice", object_id=i, object_key=sku, state="synced",
                                     version_date=t0, last_values={}, updated_at=t0))
                s.execute(insert(IntegrationAction), rows)


@scenario("delta_detection", quick=2_000, full=100_000,
          description="find the 1% changed stock/price rows of N SKUs and build their payloads")
def bench_delta_detection(size: int, workdir: Path) -> BenchResult:
    from sqlalchemy import update

    from ..core import products_send as ps
    from ..core.storage.db import open_database
    from ..core.storage.models import Price, Stock

    t0 = datetime(2026, 1, 1, 12, 0, 0)
    db = open_database(workdir / "delta.db")
    try:
        _setup(db, size, sent=True, t0=t0)
        changed = max(1, size // 100)
        t1 = t0 + timedelta(hours=1)
        stock_ids = list(range(1, size + 1, max(1, size // changed)))[:changed]
        price_ids = [i + 1 for i in stock_ids if i + 1 <= size][: changed // 2 or 1]
        with db.session_factory.begin() as s:
            s.execute(update(Stock).where(Stock.product_id.in_(stock_ids)).values(quantity=77, version_date=t1))
            s.execute(update(Price).where(Price.product_id.in_(price_ids)).values(price=Decimal("55.50"),
                                                                                  version_date=t1))
        now = t1 + timedelta(minutes=1)
        # -------------------------------------------------------------- timed: the flows' own code
        best = math.inf
        n_stock = n_price = n_payloads = 0
        for _ in range(3):
            a = time.perf_counter()
            with db.session_factory() as s:
                sc = ps.stock_candidates(s, now, limit=None)
                pc = ps.price_candidates(s, now, limit=None)
                stock_payloads = [ps.stock_payload(sku, q, 2) for _pid, sku, q, _vd in sc]
                price_payloads = [ps.price_payload(sku, p, lp, cur) for _pid, sku, p, lp, cur, _vd in pc]
                built = ps.build_payloads(s, [c[0] for c in sc], buffer_stock=2, for_update=True)
            best = min(best, time.perf_counter() - a)
            n_stock, n_price = len(stock_payloads), len(price_payloads)
            n_payloads = sum(1 for b in built if b.payload is not None)
        # -------------------------------------------------------------- baseline: raw sqlite3 select
        raw = sqlite3.connect(str(db.path))
        base = math.inf
        for _ in range(3):
            a = time.perf_counter()
            r1 = raw.execute(
                "SELECT p.id, p.sku, s.quantity FROM stock s JOIN product p ON p.id = s.product_id "
                "JOIN integration_action l ON l.object_id = s.product_id AND l.content_type = 'productstock' "
                "WHERE s.version_date > l.version_date").fetchall()
            r2 = raw.execute(
                "SELECT p.id, p.sku, pr.price, pr.list_price FROM price pr JOIN product p ON p.id = pr.product_id "
                "JOIN integration_action l ON l.object_id = pr.product_id AND l.content_type = 'productprice' "
                "WHERE pr.version_date > l.version_date").fetchall()
            base = min(base, time.perf_counter() - a)
        raw.close()
        assert n_stock == len(r1) == len(stock_ids) and n_price == len(r2) == len(price_ids), (n_stock, n_price)
    finally:
        db.dispose()
    return BenchResult(time_s=best, baseline_s=base, baseline="raw sqlite3 select of the changed rows",
                       notes=f"{n_stock} stock + {n_price} price changes found, {n_stock + n_price} price-stock and "
                             f"{n_payloads} product-update payloads built",
                       extra={"stock_changed": n_stock, "price_changed": n_price, "update_payloads": n_payloads})


def _children_cpu() -> float:
    """CPU of the ended child processes (a large push's results process, core/results_child.py);
    0 where the platform does not say (Windows)."""
    try:
        import resource
    except ImportError:
        return 0.0
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _children_peak_rss_mb() -> float:
    """Peak RSS of the largest ended child process (after the push: its results process), MB;
    0 where the platform does not say (Windows)."""
    try:
        import resource
    except ImportError:
        return 0.0
    kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return kb / (1024 * 1024) if sys.platform == "darwin" else kb / 1024  # bytes on macOS


@scenario("initial_push", quick=2_000, full=100_000,
          description="push N never-sent SKUs to a sandbox process at 50 ms latency (product_create + task_results)")
def bench_initial_push(size: int, workdir: Path) -> BenchResult:
    from ..core.flows import run_flow
    from sqlalchemy import func, select

    from ..core.flows.base import load_flow_modules
    from ..core.storage.db import open_database
    from ..core.storage.models import IntegrationAction, utcnow
    from . import ProcessSandbox

    load_flow_modules()  # imported once by a running app; not part of the push (0.3 s of a 10k run)
    # N11 in its own process, as in real use: the 100k products it keeps are not the app's memory
    sandbox = ProcessSandbox(latency_ms=LATENCY_MS, task_delay_ms=0)
    db = open_database(workdir / "push.db")
    try:
        with db.session_factory.begin() as s:
            point_channel_at(s, sandbox)
        _setup(db, size, sent=False, t0=utcnow() - timedelta(days=1))
        before = sandbox.summary()["requests"]
        a = time.perf_counter()
        cpu = time.process_time()
        kids = _children_cpu()
        n11_cpu = sandbox.cpu_s()
        created = run_flow("product_create", db)
        polls = 0
        results = None
        while polls < 50:
            polls += 1
            results = run_flow("task_results", db)
            if "still in N11's queue" not in (results.message or ""):
                break
        elapsed = time.perf_counter() - a
        cpu = time.process_time() - cpu  # the app's own CPU (all its threads), not the sandbox's
        kids = _children_cpu() - kids  # a large push's results process (ended; the sandbox still runs)
        kids_rss = _children_peak_rss_mb() if kids > 0.005 else 0.0
        n11_end = sandbox.cpu_s()
        n11_cpu = n11_end - n11_cpu if n11_cpu is not None and n11_end is not None else None
        state = sandbox.summary()
        calls = state["requests"] - before
        tasks = math.ceil(size / 1000)
        bound = tasks * 2 * LATENCY_MS / 1000
        on_n11 = state["products"]
        if on_n11 != size or not created.ok:
            raise RuntimeError(f"only {on_n11} of {size} SKUs arrived ({created.message})")
        with db.session_factory() as s:  # by either flow: the send applies earlier tasks' results itself
            recorded = s.scalar(select(func.count()).select_from(IntegrationAction).where(
                IntegrationAction.content_type == "product")) or 0
    finally:
        db.dispose()
        sandbox.stop()
    return BenchResult(time_s=elapsed, baseline_s=bound,
                       baseline=f"protocol bound: {tasks} tasks × 2 round trips × {LATENCY_MS} ms",
                       notes=f"{calls} HTTP calls, {recorded} SKU results recorded; "
                             f"the app's CPU {cpu:.2f} s ({cpu / size * 1e6:.0f} µs a SKU)"
                             + (f" + {kids:.2f} s in its results process (peak RSS {kids_rss:.0f} MB)"
                                if kids > 0.005 else "")
                             + (f", the sandbox's {n11_cpu:.2f} s" if n11_cpu is not None else "")
                             + "; sandbox in its own process (child RSS = the sandbox)",
                       extra={"tasks": tasks, "http_calls": calls, "skus_on_n11": on_n11, "cpu_s": cpu,
                              "results_process_cpu_s": kids, "results_process_peak_rss_mb": kids_rss,
                              "sandbox_cpu_s": n11_cpu})


class _Crash(BaseException):
    """The process dies after N11 accepted the post, before the acknowledgement is stored."""


@scenario("lost_ack_recovery", quick=300, full=1_000,
          description="N SKUs posted, the app killed before the acknowledgement: restart recovery asks N11")
def bench_lost_ack_recovery(size: int, workdir: Path) -> BenchResult:
    from ..core.flows import run_flow
    from ..core.n11.client import client_from_config
    from ..core.schedule_facts import recover_on_start
    from ..core.storage.db import open_database
    from ..core.storage.models import BatchItem, IntegrationAction, utcnow

    from sqlalchemy import func, select

    from ..sandbox.server import SandboxServer

    sandbox = SandboxServer(port=0, latency_ms=LATENCY_MS, task_delay_ms=0, approval_delay_ms=10**9)
    sandbox.start()
    db = open_database(workdir / "lostack.db")

    def crash_after_post(conf, **kw):
        client = client_from_config(conf, **kw)
        post = client.create_products

        def create(skus, **k):
            post(skus, **k)
            raise _Crash()

        client.create_products = create
        return client

    try:
        with db.session_factory.begin() as s:
            conf = dict(point_channel_at(s, sandbox, queue_page_size=1000).conf)
        _setup(db, size, sent=False, t0=utcnow() - timedelta(days=1))
        try:
            run_flow("product_create", db, client_factory=crash_after_post)
        except _Crash:
            pass
        sandbox.state.process_tasks_now()
        with db.session_factory() as s:
            in_doubt = s.scalar(select(func.count()).select_from(BatchItem).where(
                BatchItem.state.in_(("sending", "unknown"))))
        if in_doubt != size:
            raise RuntimeError(f"expected {size} records posted without an acknowledgement, found {in_doubt}")
        log = sandbox.state.requests_log
        # -------------------------------------------------------------- timed: the restart's recovery
        a = time.perf_counter()
        recover_on_start(db)  # the lease holder takes the dead process's batch over (no 120 s wait)
        before = len(log)
        res = run_flow("task_results", db, trigger="start")
        elapsed = time.perf_counter() - a
        calls = log[before:]
        queries = sum(1 for r in calls if r["path"] == "/ms/product-query")
        with db.session_factory() as s:
            resolved = s.scalar(select(func.count()).select_from(IntegrationAction).where(
                IntegrationAction.content_type == "product"))
        if resolved != size or not res.ok:
            raise RuntimeError(f"only {resolved} of {size} records resolved ({res.message})")
        # -------------------------------------------------------------- the old way, sampled: one query per SKU
        sample = min(size, 20)
        with client_from_config(conf) as client:
            b = time.perf_counter()
            for i in range(1, sample + 1):
                client.get_remote_product(f"BP-{i:07d}")
            per_sku = (time.perf_counter() - b) / sample
    finally:
        db.dispose()
        sandbox.stop()
    pages = math.ceil(size / 250)
    bound = pages * LATENCY_MS / 1000
    return BenchResult(time_s=elapsed, baseline_s=bound,
                       baseline=f"protocol bound: {pages} product-query pages of 250 × {LATENCY_MS} ms",
                       notes=f"{len(calls)} HTTP calls ({queries} product-query = 1 per "
                             f"{size / max(1, queries):.0f} SKUs); one query per SKU would take "
                             f"≈ {per_sku * size:.1f} s",
                       extra={"http_calls": len(calls), "product_queries": queries,
                              "per_sku_estimate_s": per_sku * size})
