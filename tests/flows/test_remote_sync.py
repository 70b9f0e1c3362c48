"""N11 State Sync and Fix Differences against the sandbox over real loopback HTTP."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import requests
from sqlalchemy import func, select

from n11_desktop.core import penalty
from n11_desktop.core.flows import run_flow
from n11_desktop.core.flows.remote import fix_runs
from n11_desktop.core.metrics import compute_kpis
from n11_desktop.core.remote_sync import CURSOR_KEY, snapshot_age
from n11_desktop.core.settings import load_config
from n11_desktop.core.storage.models import AppState, Channel, Product, RemoteProduct, utcnow

from .helpers import drain, seed_catalog

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)


def _conf(db, **changes):
    with db.session_factory.begin() as s:
        ch = s.scalars(select(Channel)).first()
        conf = dict(ch.conf)
        conf.update(changes)
        ch.conf = conf


def _snapshot(db) -> dict[str, RemoteProduct]:
    with db.session_factory() as s:
        return {r.stock_code: r for r in s.scalars(select(RemoteProduct))}


def _control(sandbox, endpoint, **body):
    r = requests.post(f"{sandbox.url}/_sandbox/{endpoint}", json=body, timeout=5)
    assert r.status_code == 200, r.text
    return r.json()


def _store(sandbox, n):
    for i in range(n):
        sandbox.state.add_product(stockCode=f"R-{i:05d}", salePrice="50", quantity=i % 7)


def test_sync_pages_the_whole_store_and_forgets_what_n11_no_longer_has(configured_db, sandbox):
    db = configured_db
    _store(sandbox, 600)  # three pages of N11's maximum 250
    res = run_flow("remote_sync", db)
    assert res.ok, res.message
    assert "3 page(s), 600 product(s)" in res.message
    snap = _snapshot(db)
    assert len(snap) == 600 and snap["R-00006"].quantity == 6
    # N11's side changes: one product edited (control API), five gone
    _control(sandbox, "products/edit", stockCode="R-00010", salePrice="42.50", quantity=99)
    for i in range(5):
        _control(sandbox, "products/remove", stockCode=f"R-{100 + i:05d}")
    res = run_flow("remote_sync", db)
    assert res.ok and "5 no longer on N11 removed" in res.message
    snap = _snapshot(db)
    assert len(snap) == 595 and "R-00100" not in snap
    assert snap["R-00010"].sale_price == Decimal("42.50") and snap["R-00010"].quantity == 99
    with db.session_factory() as s:
        age = snapshot_age(s, utcnow())
        assert age.as_of is not None and not age.stale and age.products == 595
        assert s.get(AppState, CURSOR_KEY) is None  # a complete pass leaves no cursor


def test_an_n11_error_on_a_page_keeps_the_previous_snapshot_and_the_next_run_resumes(configured_db, sandbox):
    db = configured_db
    _store(sandbox, 1000)  # 4 pages
    assert run_flow("remote_sync", db).ok
    for i in range(3):
        sandbox.state.remove_product(f"R-{i:05d}")
    sandbox.state.edit_product("R-00999", quantity=0)
    # N11 fails page 3 (0-based page=2) on every retry the client makes
    _control(sandbox, "faults/next", path="/ms/product-query", query="page=2&", count=50)
    res = run_flow("remote_sync", db)
    assert res.state.value == "failed"
    assert "stopped at page 3" in res.message and "resumes" in res.message
    snap = _snapshot(db)
    assert len(snap) == 1000  # the previous snapshot is whole: nothing removed by a partial pass
    with db.session_factory() as s:
        assert s.get(AppState, CURSOR_KEY).value["next_page"] == 2
        assert snapshot_age(s, utcnow()).in_progress_page == 2
    sandbox.state.targeted_faults.clear()
    pages_before = sum(1 for r in sandbox.state.requests_log if r["path"] == "/ms/product-query")
    res = run_flow("remote_sync", db)
    assert res.ok and "resumed at page 3" in res.message, res.message
    pages = sum(1 for r in sandbox.state.requests_log if r["path"] == "/ms/product-query") - pages_before
    assert pages < 4 + 3  # pages 3–4 and a few one-by-one checks, not the whole store again
    snap = _snapshot(db)
    # three products left N11 between the two runs: offset paging shifted under us, so the rows
    # about to be removed were checked one by one; exactly the removed ones are gone
    assert len(snap) == 997 and not any(f"R-{i:05d}" in snap for i in range(3))
    assert snap["R-00999"].quantity == 0


def test_a_stopped_sync_resumes_where_it_stopped(configured_db, sandbox):
    db = configured_db
    _store(sandbox, 700)
    calls = {"n": 0}

    def stop_after_one_page():
        calls["n"] += 1
        return calls["n"] > 1

    res = run_flow("remote_sync", db, should_stop=stop_after_one_page)
    assert res.state.value == "cancelled"
    assert len(_snapshot(db)) == 250
    res = run_flow("remote_sync", db)
    assert res.ok and "resumed at page 2" in res.message and len(_snapshot(db)) == 700


@pytest.fixture
def live(configured_db, sandbox):
    """Four products created, approved, with stock and price on N11 as we send them."""
    db = configured_db
    sandbox.state.task_delay_ms = 10**8
    sandbox.state.approval_delay_ms = 10**8
    flags = {f: True for f in ("send_products_inserted", "send_updated_product_stock", "send_updated_product_price")}
    _conf(db, buffer_stock=1, feature_flags=flags)
    skus = seed_catalog(db, 4, stock=10)
    assert run_flow("product_create", db).succeeded == 4
    drain(db, sandbox)
    sandbox.state.approve_products_now()
    run_flow("product_update", db)
    for slug in ("stock", "price"):
        run_flow(slug, db)
        drain(db, sandbox)
    return db, skus


def _kpis(db):
    with db.session_factory() as s:
        return compute_kpis(s, buffer_stock=load_config(s).buffer_stock)


def test_fix_differences_resends_through_price_and_stock_and_counts_what_it_fixed(live, sandbox):
    db, skus = live
    assert run_flow("remote_sync", db).ok
    res = run_flow("fix_differences", db)
    assert res.ok and res.total == 0, res.message
    # on N11's side: a quantity and a price drift, a third SKU drifts but is in the penalty box
    sandbox.state.edit_product(skus[0], quantity=3)
    sandbox.state.edit_product(skus[1], salePrice="99.00", listPrice="119.00")
    sandbox.state.edit_product(skus[2], quantity=1)
    with db.session_factory.begin() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == skus[2]))
        penalty.penalize(s, "productstock", pid, skus[2], "remote", "N11 refused the stock", load_config(s), utcnow())
    assert run_flow("remote_sync", db).ok
    k = _kpis(db)
    assert (k.skus_with_price_difference, k.skus_with_stock_difference) == (1, 2)
    res = run_flow("fix_differences", db)
    assert (res.total, res.succeeded, res.skipped) == (3, 2, 1), res.message
    # the normal flows send them (their ledger version was forgotten), N11 processes the tasks
    assert run_flow("stock", db).succeeded == 1
    assert run_flow("price", db).succeeded == 1
    drain(db, sandbox)
    assert sandbox.state.products[skus[0]]["quantity"] == 9  # 10 − Buffer Stock 1
    assert sandbox.state.products[skus[1]]["salePrice"] == Decimal("100.00")
    assert run_flow("remote_sync", db).ok
    res = run_flow("fix_differences", db)
    with db.session_factory() as s:
        last = fix_runs(s)[0]
    assert last["fixed"] == 2 and last["found"] == 1 and last["explained"] == 1, last
    assert last["by_kind"]["stock"]["fixed"] == 1 and last["by_kind"]["price"]["fixed"] == 1
    assert any(r.startswith("penalized") for r in last["reasons"])
    k = _kpis(db)
    assert (k.skus_with_price_difference, k.skus_with_stock_difference) == (0, 1)


def test_fix_differences_leaves_prices_alone_when_the_flag_is_off(live, sandbox):
    db, skus = live
    _conf(db, feature_flags={"send_updated_product_stock": True, "send_updated_product_price": False})
    sandbox.state.edit_product(skus[1], salePrice="99.00", listPrice="119.00")
    assert run_flow("remote_sync", db).ok
    res = run_flow("fix_differences", db)
    assert (res.total, res.succeeded, res.skipped) == (1, 0, 1)
    with db.session_factory() as s:
        assert fix_runs(s)[0]["reasons"] == {"flag send_updated_product_price is off": 1}
        assert s.scalar(select(func.count()).select_from(RemoteProduct)) == 4


def test_sync_is_due_every_15_minutes_and_after_task_results_changed_products():
    from datetime import datetime, timedelta

    from n11_desktop.core.flows.base import SPECS
    from n11_desktop.core.schedule import FlowHistory, ScheduleInputs, due_at, is_enabled

    spec = SPECS["remote_sync"]
    t0 = datetime(2026, 12, 4, 9, 0)
    hist = {"remote_sync": FlowHistory(last_start=t0)}
    inputs = ScheduleInputs(is_active=True, history=hist)
    assert due_at(spec, inputs) == t0 + timedelta(minutes=15)
    changed = ScheduleInputs(is_active=True, history=hist, events={"event.products_changed": t0 + timedelta(minutes=3)})
    assert due_at(spec, changed) == t0 + timedelta(minutes=3)
    # fix_differences follows the sync, and runs only when price or stock sending is on
    fix = SPECS["fix_differences"]
    assert not is_enabled(fix, ScheduleInputs(is_active=True, flags={}))
    assert is_enabled(fix, ScheduleInputs(is_active=True, flags={"send_updated_product_stock": True}))
    assert fix.content_type != spec.content_type and spec.content_type not in ("productstock", "productprice")


def test_a_running_sync_never_holds_back_sends():
    from datetime import datetime

    from n11_desktop.core.flows.base import SPECS
    from n11_desktop.core.schedule import FlowHistory, Planner, ScheduleInputs

    t0 = datetime(2026, 12, 4, 9, 0)
    p = Planner([SPECS[s] for s in ("stock", "price", "remote_sync")], capacity=3)
    hist = {slug: FlowHistory(last_start=t0) for slug in ("stock", "price", "task_results", "remote_sync")}
    p.update_inputs(ScheduleInputs(is_active=True, history=hist,
                                   flags={"send_updated_product_stock": True, "send_updated_product_price": True}))
    p.request("remote_sync", "manual")
    assert [r.slug for r in p.take_starts(t0)] == ["remote_sync"]
    # a 100k sync takes a while; the stock and price flows fall due meanwhile and start next to it
    later = t0 + timedelta(minutes=5)
    started = [r.slug for r in p.take_starts(later)]
    assert "stock" in started and "price" in started and "remote_sync" in p.running


def test_a_sku_out_of_stock_on_n11_while_we_have_stock_is_fixed_too(live, sandbox):
    db, skus = live
    sandbox.state.edit_product(skus[3], quantity=0)  # N11: Out_Of_Stock; we would send 10 − 1
    assert run_flow("remote_sync", db).ok
    assert _kpis(db).total_sku_difference == 1  # not on sale: seed KPI 3, not a KPI 8 difference
    res = run_flow("fix_differences", db)
    assert (res.total, res.succeeded) == (1, 1), res.message
    assert run_flow("stock", db).succeeded == 1
    drain(db, sandbox)
    assert sandbox.state.products[skus[3]]["quantity"] == 9
    assert sandbox.state.products[skus[3]]["saleStatus"] == "On_Sale"
    assert run_flow("remote_sync", db).ok
    assert _kpis(db).total_sku_difference == 0
