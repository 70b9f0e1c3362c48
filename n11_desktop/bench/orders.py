"""``order_import``: importing N packages from the sandbox over the real REST protocol.

Baseline (same run): a raw ``sqlite3`` ``executemany`` of the same order and line rows into
an empty database — what the rows cost without HTTP, parsing, address/cargo resolution or
idempotency checks. Notes report the protocol bound too (pages × measured round trip).

N11 (the sandbox) runs in its own process, as it does in real use: its page building is not
the app's CPU, and the app's writing can overlap the next page's round trip.
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
    from ..core.orders.demo import seed_address_tree, seed_cargo_mapping
    from ..core.storage.db import open_database
    from ..core.storage.models import AppState, Order, OrderItem
    from ..sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET
    from sqlalchemy import func, select

    from . import ProcessSandbox

    sandbox = ProcessSandbox(task_delay_ms=0)
    db = open_database(workdir / "bench.db")
    try:
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
        with db.session_factory.begin() as s:
            point_channel_at(s, sandbox,
                             order_start_date=(datetime.now() - timedelta(days=10)).strftime("%d/%m/%Y"))
            # the 8-hourly LATE_SHIPMENT pass is not part of this scenario
            s.add(AppState(key="orders.late_pass_at", value=datetime.now(timezone.utc).replace(tzinfo=None).isoformat()))
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
                   f"no duplicates"),
            extra={"orders": n_orders, "lines": n_items, "protocol_bound_s": pages * page_rt,
                   "rerun_s": second, "per_package_ms": elapsed / max(1, size) * 1000})
    finally:
        db.dispose()
        sandbox.stop()
