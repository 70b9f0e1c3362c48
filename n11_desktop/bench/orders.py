"""``order_import``: importing N packages from the sandbox over the real REST protocol.

Baseline (same run): a raw ``sqlite3`` ``executemany`` of the same order and line rows into
an empty database — what the rows cost without HTTP, parsing, address/cargo resolution or
idempotency checks. Notes report the protocol bound too (pages × measured round trip).

N11 (the sandbox) runs in its own process, as it does in real use: its page building is not
the app's CPU, and the app's writing can overlap the next page's round trip.

The notes and ``extra`` also give the same import against a second sandbox process answering with
50 ms latency (as ``initial_push`` and ``remote_sync`` use), with its own bound (pages × one page's
round trip measured at that latency), at 2,000 packages (10,000 added ~20 s to the scenario); the
row's ratio stays the 0 ms one.
"""

from __future__ import annotations

import json
import sqlite3
import time
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

from . import BenchResult, point_channel_at, scenario


@scenario("order_import", quick=500, full=10_000,
          description="order_create importing N packages from the sandbox (vs raw sqlite3 insert of the rows)")
def bench_order_import(size: int, workdir: Path) -> BenchResult:
    from ..core.flows import run_flow
    from ..core.flows.base import load_flow_modules
    from ..core.storage.models import Order, OrderItem
    from sqlalchemy import func, select

    from . import ProcessSandbox

    sandbox = ProcessSandbox(task_delay_ms=0)
    db = None
    try:
        packages, db, page_rt = _prepare_import(sandbox, workdir / "bench.db", size)
        pages = -(-size // 100)

        # the flows' modules (the N11 client's among them) are imported before the clock starts, as
        # in the running app: the first run_flow of a process imports them (~0.3 s), not the import
        load_flow_modules()
        t0 = time.perf_counter()
        res = run_flow("order_create", db, trigger="bench")
        elapsed = time.perf_counter() - t0
        if not res.ok:
            raise RuntimeError(f"order_create failed: {res.message}")
        t1 = time.perf_counter()
        again = run_flow("order_create", db, trigger="bench", options={})
        second = time.perf_counter() - t1
        with db.session_factory() as s:
            n_orders = s.scalar(select(func.count()).select_from(Order))
            n_items = s.scalar(select(func.count()).select_from(OrderItem))
        if n_orders != size or not again.ok:
            raise RuntimeError(f"expected {size} orders, got {n_orders}")
    finally:
        if db is not None:
            db.dispose()
        sandbox.stop()

    # the same import from a sandbox answering with N11-like latency (as initial_push and
    # remote_sync use), against its own bound; reported beside the row's figure, not as its ratio
    slow_size = min(size, SLOW_SIZE)
    slow = ProcessSandbox(latency_ms=SLOW_LATENCY_MS, task_delay_ms=0)
    slow_db = None
    try:
        _, slow_db, slow_rt = _prepare_import(slow, workdir / "bench_latency.db", slow_size)
        slow_pages = -(-slow_size // 100)
        t2 = time.perf_counter()
        slow_res = run_flow("order_create", slow_db, trigger="bench")
        slow_elapsed = time.perf_counter() - t2
        if not slow_res.ok:
            raise RuntimeError(f"order_create at {SLOW_LATENCY_MS} ms latency failed: {slow_res.message}")
    finally:
        if slow_db is not None:
            slow_db.dispose()
        slow.stop()
    slow_bound = slow_pages * slow_rt
    slow_why = "" if slow_size == size else ", fewer to keep the scenario short"

    # baseline: raw executemany of the same rows
    rows_o = [(p["orderNumber"], p["orderNumber"] + "-" + str(p["id"]), "waiting_approval", p["customerfullName"])
              for p in packages]
    rows_i = [(p["orderNumber"], str(ln["orderLineId"]), ln["stockCode"], ln["quantity"], int(ln["price"] * 100))
              for p in packages for ln in p["lines"]]
    con = sqlite3.connect(workdir / "baseline.db")
    con.execute("CREATE TABLE o (n TEXT PRIMARY KEY, number TEXT, status TEXT, customer TEXT)")
    con.execute("CREATE TABLE i (o TEXT, line TEXT, sku TEXT, qty INT, price INT, UNIQUE(o, line))")
    tb = time.perf_counter()
    with con:
        con.executemany("INSERT INTO o VALUES (?,?,?,?)", rows_o)
        con.executemany("INSERT INTO i VALUES (?,?,?,?,?)", rows_i)
    baseline = time.perf_counter() - tb
    con.close()
    return BenchResult(
        time_s=elapsed, baseline_s=baseline, baseline="raw sqlite3 executemany of the same rows",
        notes=(f"{n_orders} orders / {n_items} lines; {pages} pages × {page_rt * 1000:.0f} ms round trip = "
               f"{pages * page_rt:.2f} s protocol bound; re-run over the same window {second:.2f} s, "
               f"no duplicates; at {SLOW_LATENCY_MS} ms latency ({slow_size} packages{slow_why}): "
               f"{slow_elapsed:.2f} s against {slow_pages} pages × {slow_rt * 1000:.0f} ms = {slow_bound:.2f} s "
               f"→ {slow_elapsed / slow_bound:.2f}×"),
        extra={"orders": n_orders, "lines": n_items, "protocol_bound_s": pages * page_rt,
               "rerun_s": second, "per_package_ms": elapsed / max(1, size) * 1000,
               "latency_ms": SLOW_LATENCY_MS, "latency_packages": slow_size, "latency_time_s": slow_elapsed,
               "latency_protocol_bound_s": slow_bound, "latency_ratio": slow_elapsed / slow_bound})


SLOW_LATENCY_MS = 50  # as initial_push and remote_sync
SLOW_SIZE = 2_000  # packages of the latency run (at most the scenario's size): at 10,000 it added ~20 s to the scenario


def _prepare_import(sandbox, path: Path, size: int):
    """``size`` new orders on ``sandbox``, a database at ``path`` whose channel points at it (with the
    address tree and cargo mapping), and one page's round trip measured the way the import asks."""
    from ..core.orders.demo import seed_address_tree, seed_cargo_mapping
    from ..core.storage.db import open_database
    from ..core.storage.models import AppState
    from ..sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET

    now_ms = int(time.time() * 1000)
    packages = []
    step = 100  # orders made per control call; each group shares one creation time
    for n in range(0, size, step):
        body = json.dumps({"count": min(step, size - n),
                           "created_ms": now_ms - (size - n) * 60_000 // max(1, size // 100)}).encode()
        req = urllib.request.Request(sandbox.url + "/_sandbox/orders", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - loopback sandbox
            packages += json.loads(resp.read().decode("utf-8"))["packages"]
    db = open_database(path)
    try:
        with db.session_factory.begin() as s:
            point_channel_at(s, sandbox,
                             order_start_date=(datetime.now() - timedelta(days=10)).strftime("%d/%m/%Y"))
            # the 8-hourly LATE_SHIPMENT pass is not part of this scenario
            s.add(AppState(key="orders.late_pass_at",
                           value=datetime.now(timezone.utc).replace(tzinfo=None).isoformat()))
        seed_address_tree(db)
        seed_cargo_mapping(db)

        # protocol bound: one page round trip, measured (the best of three: a single request may
        # meet a garbage collection of the 10k orders just generated, 10× its usual time)
        import requests

        page_rt = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            requests.get(sandbox.url + "/rest/delivery/v1/shipmentPackages", params={"size": 100},
                         headers={"appkey": DEMO_APP_KEY, "appsecret": DEMO_APP_SECRET},
                         timeout=30).raise_for_status()
            page_rt = min(page_rt, time.perf_counter() - t)
    except BaseException:
        db.dispose()
        raise
    return packages, db, page_rt
