"""kill -9 in the middle of an import (DESIGN §11): a restart loses nothing and duplicates nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from n11_desktop.core.storage.models import Order, OrderItem

from .conftest import run

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)


def _counts(db):
    with db.session_factory() as s:
        return (s.scalar(select(func.count()).select_from(Order)),
                s.scalar(select(func.count()).select_from(OrderItem)),
                s.scalar(select(func.count(func.distinct(OrderItem.n11_line_id)))))


@pytest.mark.skipif(sys.platform.startswith("win"), reason="uses SIGKILL")
def test_kill_9_during_order_import_then_restart(orders_db, ctl, sandbox):
    ctl.post("orders", {"count": 300})
    sandbox.latency_ms = 400  # slow pages: the process is killed between two committed batches
    proc = subprocess.Popen([sys.executable, "-m", "n11_desktop", "--db", orders_db.target(), "flow", "run",
                             "order_create"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if _counts(orders_db)[0] >= 100:
                break
            time.sleep(0.05)
        assert proc.poll() is None, "the import finished before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    partial = _counts(orders_db)
    assert 100 <= partial[0] < 300
    sandbox.latency_ms = 0
    assert run(orders_db, "order_create").ok
    n_orders, n_items, distinct_lines = _counts(orders_db)
    assert n_orders == 300 and n_items == distinct_lines
