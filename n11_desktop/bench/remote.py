"""``remote_sync``: the N11 State Sync of a whole store from a sandbox answering with 50 ms latency.

Timed: the ``remote_sync`` flow (product-query paged at N11's maximum of 250, each page upserted
into the snapshot with its resume cursor), then the removal of what N11 no longer lists. Baseline:
the protocol bound, pages × one round trip × latency (N11 has no bulk export or updated-since
filter, so a whole-store read cannot take fewer round trips)."""

from __future__ import annotations

import math
import time
from pathlib import Path

from . import BenchResult, point_channel_at, scenario

LATENCY_MS = 50
PAGE = 250


@scenario("remote_sync", quick=1_000, full=100_000,
          description="N11 State Sync of N products from a sandbox at 50 ms latency (product-query, 250 a page)")
def bench_remote_sync(size: int, workdir: Path) -> BenchResult:
    from sqlalchemy import func, select

    from ..core.flows import run_flow
    from ..core.storage.db import open_database
    from ..core.storage.models import RemoteProduct
    from ..sandbox.server import SandboxServer

    sandbox = SandboxServer(port=0, latency_ms=LATENCY_MS, task_delay_ms=0, approval_delay_ms=0)
    sandbox.start()
    db = open_database(workdir / "remote_sync.db")
    try:
        with db.session_factory.begin() as s:
            point_channel_at(s, sandbox)
        for i in range(size):
            sandbox.state.add_product(stockCode=f"B-{i:07d}", salePrice=str(50 + i % 100), quantity=i % 30)
        before = len(sandbox.state.requests_log)
        a = time.perf_counter()
        res = run_flow("remote_sync", db)
        elapsed = time.perf_counter() - a
        calls = len(sandbox.state.requests_log) - before
        with db.session_factory() as s:
            stored = int(s.scalar(select(func.count()).select_from(RemoteProduct)) or 0)
        if not res.ok or stored != size:
            raise RuntimeError(f"sync stored {stored} of {size} products ({res.message})")
    finally:
        db.dispose()
        sandbox.stop()
    pages = math.ceil(size / PAGE)
    bound = pages * LATENCY_MS / 1000
    return BenchResult(time_s=elapsed, baseline_s=bound,
                       baseline=f"protocol bound: {pages} pages × 1 round trip × {LATENCY_MS} ms",
                       notes=f"{calls} HTTP calls, {stored} products in the snapshot ({res.message})",
                       extra={"pages": pages, "http_calls": calls, "products": stored})
