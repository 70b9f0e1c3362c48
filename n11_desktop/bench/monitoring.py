"""Bench scenarios for the Dashboard and the Log screen (issue 9)."""

from __future__ import annotations

import random
import sqlite3
import time
from datetime import datetime, timedelta
from pathlib import Path

from . import BenchResult, scenario

NOW = datetime(2026, 11, 27, 12, 0)


def _make_db(workdir: Path, products: int, logs: int) -> Path:
    """A migrated database filled directly with sqlite3 (fast), ``products`` SKUs and ``logs`` log rows."""
    from ..core.storage.db import open_database

    path = workdir / "bench.db"
    open_database(path).dispose()
    rnd = random.Random(7)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    ts = NOW.isoformat(sep=" ")
    con.executemany(
        "INSERT INTO product (id, sku, product_code, title, description, vat_rate, images, category, attributes,"
        " product_type, active, version, version_date, created_at) VALUES (?,?,?,?,?,20,?,?,'{}','simple',1,1,?,?)",
        ((i, f"SKU-{i:07d}", f"P-{i // 3:07d}", f"Bench ürünü numara {i}", "", '["https://img.example.com/x.jpg"]',
          f"Kategori {i % 50}", ts, ts) for i in range(1, products + 1)))
    con.executemany("INSERT INTO price (product_id, price, list_price, currency, version, version_date)"
                    " VALUES (?,?,?, 'TL', 1, ?)", ((i, 10000 + i % 997, 12000 + i % 997, ts) for i in range(1, products + 1)))
    con.executemany("INSERT INTO stock (product_id, quantity, version, version_date) VALUES (?,?,1,?)",
                    ((i, rnd.randint(0, 40), ts) for i in range(1, products + 1)))
    con.executemany("INSERT INTO catalog_item (product_id, added_at) VALUES (?, ?)",
                    ((i, ts) for i in range(1, products + 1) if i % 10))
    con.executemany("INSERT INTO category_mapping (local_category, category_id, source, updated_at) VALUES (?,?,?,?)",
                    ((f"Kategori {c}", 1000000 + c, "manual", ts) for c in range(50)))
    con.executemany(
        "INSERT INTO remote_product (stock_code, status, sale_status, sale_price, list_price, quantity, fetched_at)"
        " VALUES (?,?,?,?,?,?,?)",
        ((f"SKU-{i:07d}", "Active", "On_Sale", 10000 + i % 997 + (1 if i % 100 == 0 else 0), 12000 + i % 997,
          rnd.randint(0, 40), ts) for i in range(1, products + 1) if i % 3))
    flows = ("stock", "price", "product_create", "order_create", "category_node")
    levels = ("DEBUG", "INFO", "INFO", "INFO", "WARNING", "ERROR")
    con.execute("INSERT INTO flow_run (id, flow, trigger, state, started_at, total, processed, succeeded, failed,"
                " penalized, skipped) VALUES (1, 'stock', 'schedule', 'done', ?, 0, 0, 0, 0, 0, 0)", (ts,))
    start = NOW - timedelta(days=30)
    step = (30 * 86400) / max(1, logs)
    con.executemany(
        "INSERT INTO log_entry (run_id, flow, created_at, level, object_type, object_key, message) VALUES (1,?,?,?,?,?,?)",
        ((flows[i % 5], (start + timedelta(seconds=i * step)).isoformat(sep=" "), levels[i % 6],
          "product", f"SKU-{i % max(1, products):07d}", f"record {i} processed with status {levels[i % 6].lower()}")
         for i in range(logs)))
    con.commit()
    con.close()
    return path


@scenario("dashboard_refresh", quick=2_000, full=100_000,
          description="Dashboard KPIs + history with N products and 10×N log rows (1M at full size)")
def bench_dashboard(size: int, workdir: Path) -> BenchResult:
    from ..core.overview import load_dashboard
    from ..core.storage.db import open_database

    path = _make_db(workdir, size, size * 10)
    db = open_database(path)
    try:
        t0 = time.perf_counter()
        data = load_dashboard(db, 30, now=NOW)
        elapsed = time.perf_counter() - t0
    finally:
        db.dispose()
    con = sqlite3.connect(path)
    t0 = time.perf_counter()
    con.execute("SELECT COUNT(*), SUM(s.quantity) FROM product p JOIN stock s ON s.product_id = p.id "
                "JOIN catalog_item c ON c.product_id = p.id LEFT JOIN remote_product r ON r.stock_code = p.sku").fetchone()
    base = time.perf_counter() - t0
    con.close()
    return BenchResult(elapsed, base, "one raw sqlite3 join over the same tables",
                       f"{data.kpis.total_sku_in_catalog} SKUs in catalog, {data.kpis.skus_on_sale} on sale")


@scenario("log_viewer", quick=20_000, full=1_000_000,
          description="Log screen: open (first page + count) and filter (errors, text) on N log rows")
def bench_log_viewer(size: int, workdir: Path) -> BenchResult:
    from ..core import monitoring as mon
    from ..core.storage.db import open_database

    path = _make_db(workdir, 1000, size)
    db = open_database(path)
    timings = {}
    try:
        with db.session_factory() as s:
            for name, f in (("open", mon.LogFilter()), ("errors", mon.LogFilter(level="ERROR")),
                            ("flow+level", mon.LogFilter(flow="stock", level="WARNING")),
                            ("text", mon.LogFilter(text="record 4242 ")),
                            ("text common", mon.LogFilter(text="processed")), ("sku", mon.LogFilter(object_key="SKU-0000042"))):
                t0 = time.perf_counter()
                mon.query_logs(s, f, limit=200)
                mon.count_logs(s, f)
                timings[name] = time.perf_counter() - t0
    finally:
        db.dispose()
    con = sqlite3.connect(path)
    t0 = time.perf_counter()
    con.execute("SELECT id, message FROM log_entry ORDER BY id DESC LIMIT 200").fetchall()
    con.execute("SELECT COUNT(*) FROM log_entry").fetchone()
    base = time.perf_counter() - t0
    con.close()
    worst = max(timings.values())
    return BenchResult(worst, base, "raw sqlite3 first page + count",
                       " · ".join(f"{k} {v * 1000:.0f} ms" for k, v in timings.items()), extra=timings)
