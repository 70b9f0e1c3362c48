"""The storage scenarios on PostgreSQL beside SQLite (issue 16).

Each scenario does the same work once on a fresh SQLite file (the baseline column) and once on
a fresh PostgreSQL schema (the time column), so the ratio reads "PostgreSQL / SQLite". The
server: ``$N11_BENCH_PG_URL`` (a database the bench may create schemas in), else a throwaway
local server started from this machine's PostgreSQL programs (core/storage/pg_local.py); with
neither the scenario reports why it could not run.
"""

from __future__ import annotations

import os
import time
import uuid
from datetime import datetime
from pathlib import Path
from typing import Callable

from . import BenchResult, scenario

PG_URL_ENV = "N11_BENCH_PG_URL"


class _Server:
    def __init__(self) -> None:
        self.local = None
        self.base = os.environ.get(PG_URL_ENV)
        if not self.base:
            from ..core.storage.pg_local import LocalPostgres

            self.local = LocalPostgres().start()
            self.base = self.local.url()
        self.schemas: list[str] = []

    def new_url(self) -> str:
        name = f"n11_bench_{uuid.uuid4().hex[:10]}"
        self.schemas.append(name)
        sep = "&" if "?" in self.base else "?"
        return f"{self.base}{sep}options=-csearch_path%3D{name}"

    def close(self) -> None:
        if self.local is not None:
            self.local.stop()
            return
        from ..core.storage.db import bare_engine

        engine = bare_engine(self.base)
        try:
            with engine.begin() as c:
                for name in self.schemas:
                    c.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        finally:
            engine.dispose()


def _both(workdir: Path, work: Callable[[object], float]) -> tuple[float, float]:
    """(PostgreSQL seconds, SQLite seconds) of ``work(db)`` on a fresh database of each engine."""
    from ..core.storage.db import open_database

    lite = open_database(workdir / "sqlite.db")
    try:
        t_sqlite = work(lite)
    finally:
        lite.dispose()
    server = _Server()
    try:
        pg = open_database(server.new_url())
        try:
            t_pg = work(pg)
        finally:
            pg.dispose()
    finally:
        server.close()
    return t_pg, t_sqlite


@scenario("pg_catalog_import", quick=2_000, full=100_000,
          description="catalog import of N CSV rows on PostgreSQL (vs the same import on SQLite)")
def bench_pg_catalog_import(size: int, workdir: Path) -> BenchResult:
    from ..core.catalog.importer import import_catalog
    from .catalog import write_catalog_csv

    src = workdir / "catalog.csv"
    write_catalog_csv(src, size)

    def work(db) -> float:
        t0 = time.perf_counter()
        report = import_catalog(db, src)
        dt = time.perf_counter() - t0
        assert report.ok and report.created == size, report.summary()
        return dt

    t_pg, t_lite = _both(workdir, work)
    return BenchResult(time_s=t_pg, baseline_s=t_lite, baseline="the same import on SQLite",
                       notes="PostgreSQL: executemany in psycopg pipelines, one store lock per transaction")


@scenario("pg_batch_create", quick=5_000, full=100_000,
          description="writing a send batch of N records (batch items, driver-level executemany) on PostgreSQL "
                      "(vs SQLite)")
def bench_pg_batch_create(size: int, workdir: Path) -> BenchResult:
    from ..core.batches import SendItem, create_batch
    from ..core.storage.models import utcnow

    items = [SendItem(object_id=i, object_key=f"SKU-{i}", payload={"stockCode": f"SKU-{i}", "quantity": i % 50},
                      version_date=datetime(2026, 12, 1, 10, 0)) for i in range(1, size + 1)]

    def work(db) -> float:
        t0 = time.perf_counter()
        create_batch(db, "productstock", "stock", "price_stock", items, utcnow())
        return time.perf_counter() - t0

    t_pg, t_lite = _both(workdir, work)
    return BenchResult(time_s=t_pg, baseline_s=t_lite, baseline="the same batch on SQLite")


@scenario("pg_log_search", quick=20_000, full=1_000_000,
          description="Log screen text filter (count + first page) over N log rows on PostgreSQL, pg_trgm "
                      "(vs SQLite FTS5)")
def bench_pg_log_search(size: int, workdir: Path) -> BenchResult:
    from ..core import monitoring as mon
    from ..core.storage.models import LogEntry

    def work(db) -> float:
        table = LogEntry.__table__
        with db.engine.begin() as c:
            # 20,000 rows at a time: a list of a million dicts was 400 MB of this row's peak RSS
            for start in range(0, size, 20_000):
                c.execute(table.insert(), [
                    {"flow": "stock", "level": "INFO" if i % 10 else "ERROR", "object_key": f"SKU-{i}",
                     "message": f"stock message {i} sent to N11"}
                    for i in range(start, min(size, start + 20_000))])
            if db.is_postgresql:
                c.exec_driver_sql("ANALYZE log_entry")
        best = None
        for _ in range(3):
            with db.session_factory() as s:
                t0 = time.perf_counter()
                mon.count_logs(s, mon.LogFilter(text="message 1234"))
                mon.query_logs(s, mon.LogFilter(text="message 1234"), limit=200)
                dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        return best

    t_pg, t_lite = _both(workdir, work)
    return BenchResult(time_s=t_pg, baseline_s=t_lite, baseline="the same filter on SQLite (FTS5 trigram)")
