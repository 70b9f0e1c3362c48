"""core/runner.py and `n11-desktop run`: the headless scheduler with fake flows."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from n11_desktop.core.flows import base
from n11_desktop.core.flows.base import FlowOutcome, load_flow_modules
from n11_desktop.core.runner import Runner
from n11_desktop.core.storage.models import FlowRun

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def fake_flows(monkeypatch):
    """Replace every real flow implementation with the ones a test registers."""
    load_flow_modules()  # real modules imported first, so they don't register into the fake table
    impls: dict = {}
    monkeypatch.setattr(base, "_IMPLS", impls)
    return impls


def activate(db, flags=()):
    from n11_desktop.core.settings import ensure_channel

    with db.session_factory.begin() as s:
        ch = ensure_channel(s)
        conf = dict(ch.conf)
        conf["feature_flags"] = {**(conf.get("feature_flags") or {}), **{f: True for f in flags}}
        ch.conf = conf
        ch.is_active = True


def runs(db):
    with db.session_factory.begin() as s:
        return [(r.flow, r.trigger, r.state) for r in s.query(FlowRun).order_by(FlowRun.id)]


def test_once_runs_every_due_flow_once_with_chains(db, fake_flows):
    calls = []
    for slug in ("category_node", "category_attributes", "create_default_attributes", "stock", "order_create"):
        fake_flows[slug] = (lambda s: (lambda ctx: calls.append((s, dict(ctx.options))) or FlowOutcome(total=1,
                                                                                                        succeeded=1)))(slug)
    activate(db, ["send_updated_product_stock", "get_orders"])
    runner = Runner(db, max_workers=2)
    assert runner.run(once=True) == 0
    names = [c[0] for c in calls]
    assert sorted(set(names)) == sorted(fake_flows)
    assert names.count("stock") == 1 and names.count("category_node") == 1
    assert names.index("category_attributes") > names.index("category_node")
    assert names.index("create_default_attributes") > names.index("category_attributes")
    assert ("order_create", {"late": True, "late_shipment": True}) in calls and ("order_create", {}) in calls
    assert all(state == "done" for _f, _t, state in runs(db))


def test_inactive_channel_runs_nothing(db, fake_flows):
    fake_flows["stock"] = lambda ctx: FlowOutcome()
    runner = Runner(db)
    assert runner.run(once=True) == 0
    assert runs(db) == []


def test_same_content_type_never_overlaps(db, fake_flows):
    lock = threading.Lock()
    active: dict[str, int] = {}
    overlaps = []

    def make(slug, ctype):
        def flow(ctx):
            with lock:
                active[ctype] = active.get(ctype, 0) + 1
                if active[ctype] > 1:
                    overlaps.append(slug)
            try:
                for _ in range(20):
                    threading.Event().wait(0.002)  # a little work inside the fake flow
            finally:
                with lock:
                    active[ctype] -= 1
            return FlowOutcome(total=1, succeeded=1)
        return flow

    order_flows = ["order_create", "order_update", "send_invoice_link", "cancellation_requests"]
    for slug in order_flows:
        fake_flows[slug] = make(slug, "order")
    activate(db, ["get_orders", "send_update_orders", "send_invoice_link", "get_cancellation_request"])
    assert Runner(db, max_workers=3).run(once=True) == 0
    assert not overlaps
    assert {f for f, _t, _s in runs(db)} == set(order_flows)


def test_request_stop_cancels_at_a_safe_point(db, fake_flows):
    started = threading.Event()

    def slow(ctx):
        started.set()
        while True:
            ctx.check_stop()
            threading.Event().wait(0.01)

    fake_flows["stock"] = slow
    activate(db, ["send_updated_product_stock"])
    runner = Runner(db, max_workers=2, stop_timeout_s=10)
    t = threading.Thread(target=lambda: setattr(runner, "code", runner.run()))
    t.start()
    assert started.wait(10)
    runner.request_stop()
    t.join(15)
    assert not t.is_alive()
    assert runner.code == 0
    assert ("stock", "schedule", "cancelled") in runs(db)


def test_crashing_flow_is_recorded_and_others_run(db, fake_flows):
    def boom(ctx):
        raise RuntimeError("disk on fire")

    fake_flows["stock"] = boom
    fake_flows["price"] = lambda ctx: FlowOutcome(total=2, succeeded=2)
    activate(db, ["send_updated_product_stock", "send_updated_product_price"])
    assert Runner(db).run(once=True) == 0
    assert sorted(runs(db)) == [("price", "schedule", "done"), ("stock", "schedule", "failed")]


HEADLESS = textwrap.dedent("""
    import sys, threading
    from n11_desktop.core.flows import base
    base.load_flow_modules()
    base._IMPLS.clear()

    @base.register("stock")
    def slow_stock(ctx):
        print("FLOW-RUNNING", flush=True)
        while True:
            ctx.check_stop()                 # a safe point between pages
            threading.Event().wait(0.01)

    from n11_desktop.cli import main
    sys.exit(main(sys.argv[1:]))
""")


def test_headless_run_stops_cleanly_on_sigterm(db, tmp_path):
    activate(db, ["send_updated_product_stock"])
    db_path = db.target()
    db.dispose()
    script = tmp_path / "headless.py"
    script.write_text(HEADLESS, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, str(script), "--db", str(db_path), "run"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        for line in proc.stdout:  # blocks until the flow reports it is running
            lines.append(line)
            if "FLOW-RUNNING" in line:
                break
        assert any("FLOW-RUNNING" in x for x in lines), lines
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "SIGTERM received" in err and "stopped" in err
    assert "finished stock: cancelled" in out
    from n11_desktop.core.storage.db import open_database

    db2 = open_database(db_path)
    try:
        assert ("stock", "schedule", "cancelled") in runs(db2)
        assert all(state != "running" for _f, _t, state in runs(db2))
    finally:
        db2.dispose()
