"""Two processes on one PostgreSQL database under kill -9 (issue 16).

``n11-desktop run`` (the scheduler on the "server") is SIGKILLed again and again while a second
process on the same database — the operator's side, pressing "Run now" for product_create —
sends products too. The sandbox is the witness: no SKU is ever in two create tasks, no order is
imported twice, nothing is lost, and the lease and the batch claims hold across the processes
(each transaction of a store takes the store's advisory lock, core/storage/postgres.py).
"""

from __future__ import annotations

import signal
import sys
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from n11_desktop.core.storage.models import Batch, FlowRun

from ..flows.helpers import seed_catalog
from .conftest import cli, count, popen, set_conf
from .conftest import COUNTS
from .test_kill9 import (  # noqa: F401
    MAX_TASKS, PAGE, _count_overlapped, _kill_during, finish_and_check_nothing_twice, sandbox)

KILLS = 3  # kill points of the scheduler (the SQLite suite has its own 27)

pytestmark = [pytest.mark.resilience, pytest.mark.postgresql,
              pytest.mark.skipif(sys.platform == "win32" or not hasattr(signal, "SIGKILL"),
                                 reason="kill -9 needs POSIX signals")]


@pytest.mark.parametrize("db_engine", ["postgresql"], indirect=True)
def test_kill9_of_run_beside_a_second_process_on_one_postgresql_database(configured_db, sandbox, rng):
    from n11_desktop.core.orders.demo import seed_address_tree, seed_cargo_mapping

    db = configured_db
    url = db.target()
    assert db.is_postgresql
    seed_address_tree(db)
    seed_cargo_mapping(db)
    set_conf(db, queue_page_size=PAGE, queue_max_tasks=MAX_TASKS,
             order_start_date=(datetime.now() - timedelta(days=3)).strftime("%d/%m/%Y"),
             flags={"send_products_inserted": True, "send_updated_product_stock": True, "get_orders": True})
    skus = seed_catalog(db, 160)
    for i in range(120):
        sandbox.state.create_order([{"stockCode": f"R-{i}", "quantity": 1, "price": "20"}], shipment_company_id=344)
    kills, second_runs = [], Counter()
    start = COUNTS["kill -9 points: run"]
    for _ in range(3 * KILLS):
        if COUNTS["kill -9 points: run"] - start >= KILLS:
            break
        with db.engine.begin() as c:  # an hour passes: every flow is due again when the scheduler restarts
            c.execute(text("UPDATE flow_run SET started_at = started_at - interval '1 hour', "
                           "ended_at = ended_at - interval '1 hour'"))
        other = popen(url, "flow", "run", "product_create")  # the second process, on its own
        try:
            kills.append(_kill_during(url, sandbox, "run", rng, max_requests=8, max_delay_s=0.2, argv=("run",),
                                      wait_s=8))
            _count_overlapped(db)  # the scheduler's push killed while its batch was still being written
            _out, err = other.communicate(timeout=180)
        finally:
            if other.poll() is None:  # pragma: no cover - only on a test failure
                other.kill()
                other.wait()
        assert "Traceback" not in err, err[-2000:]
        second_runs[other.returncode] += 1
    killed = COUNTS["kill -9 points: run"] - start
    assert killed >= KILLS, f"only {killed} of {KILLS} runs were killed in the middle"
    proc = cli(url, "run", "--once", timeout=180)  # the restart on the server
    assert proc.returncode == 0, proc.stderr[-2000:]
    with db.session_factory() as s:
        assert not s.scalar(select(func.count()).select_from(FlowRun).where(FlowRun.state == "running")), \
            "the restart left runs of the killed processes open"
        assert not s.scalar(select(func.count()).select_from(Batch).where(Batch.state == "initialized")), \
            "the restart left a batch of a killed process half-written"
    finish_and_check_nothing_twice(db, sandbox, skus)
    count("PostgreSQL: second-process runs beside the killed scheduler", sum(second_runs.values()))
    print("\n".join(kills), dict(second_runs))
