"""Send dialog (preview old → new, guardrails, progress, cancel) and the penalty box dialog."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from n11_desktop.app import build_services
from n11_desktop.core import penalty
from n11_desktop.core.catalog.repo import set_price, set_stock
from n11_desktop.core.settings import load_config
from n11_desktop.core.storage.models import BatchItem, Product
from n11_desktop.views.penalty_dialog import PenaltyDialog
from n11_desktop.views.send_dialog import SendDialog
from tests.flows.helpers import drain, run, seed_catalog


def _open(qtbot, services, **kw):
    dlg = SendDialog(services, **kw)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitUntil(dlg.is_ready, timeout=10_000)
    return dlg


def _close(services):
    assert services.shutdown(5000)


def _rows(dlg):
    return [dlg.model.row(i) for i in range(dlg.model.rowCount())]


def test_preview_then_send_creates_products_on_n11(qtbot, configured_db, sandbox):
    db = configured_db
    skus = seed_catalog(db, 2)
    services = build_services(db)
    try:
        dlg = _open(qtbot, services, skus=skus + ["NOPE-1"])
        rows = _rows(dlg)
        assert (skus[0], "title", "—", "Test ürünü numara 1 uzun başlık") in rows
        assert (skus[0], "quantity", "—", "10") in rows
        assert "2 new on N11" in dlg.summary.text() and "NOPE-1" in dlg.summary.text()
        assert not dlg.warnings.isVisible() and dlg.send_button.isEnabled()
        progress = []
        dlg._bridge.progress.connect(progress.append)
        qtbot.mouseClick(dlg.send_button, __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dlg.outcome is not None, timeout=30_000)
        assert set(sandbox.state.products) == set(skus)
        assert "product_create: done — 2 sent" in dlg.result_label.text()
        assert "N11 processed it: 2 ok" in dlg.result_label.text()
        assert progress and progress[-1].total == 2
        assert dlg.cancel_button.text() == "Close" and not dlg.send_button.isEnabled()
    finally:
        _close(services)


def test_guardrails_block_risky_sends_until_confirmed(qtbot, configured_db, sandbox):
    db = configured_db
    skus = seed_catalog(db, 4)
    run(db, "product_create")
    drain(db, sandbox)
    with db.session_factory() as s:
        ids = {p.sku: p.id for p in s.scalars(select(Product))}
    with db.session_factory.begin() as s:
        set_price(s, ids[skus[0]], Decimal("10.00"), Decimal("120.00"))  # 100 → 10: a 90 % drop
        set_stock(s, ids[skus[1]], 5000)  # 10 → 5000
        s.get(Product, ids[skus[2]]).price.price = Decimal("0")
    services = build_services(db)
    try:
        dlg = _open(qtbot, services, product_ids=list(ids.values()))
        rules = {(f.sku, f.rule) for f in dlg.data.preview.findings}
        assert rules == {(skus[0], "price_drop"), (skus[1], "stock_jump"), (skus[2], "price_zero")}
        assert dlg.warnings.isVisible() and "90%" in dlg.warnings.text()
        assert (skus[0], "salePrice", "100.0", "10.0") in _rows(dlg)
        assert not dlg.send_button.isEnabled() and dlg.blocked_by_guardrails()
        dlg.start_send()  # ignored while blocked
        assert dlg.outcome is None and services.runner.pending == 0
        dlg.confirm.setChecked(True)
        assert dlg.send_button.isEnabled() and dlg.send_button.text() == "Send anyway"
    finally:
        _close(services)


def test_missing_price_is_a_guardrail_and_a_reason(qtbot, configured_db, sandbox):
    db = configured_db
    skus = seed_catalog(db, 1, with_price=False)
    services = build_services(db)
    try:
        dlg = _open(qtbot, services, skus=skus)
        assert [f.rule for f in dlg.data.preview.findings] == ["price_missing"]
        assert "Price data not found" in dlg.summary.text()
    finally:
        _close(services)


def test_cancel_leaves_every_record_either_sent_or_released(qtbot, configured_db, sandbox):
    db = configured_db
    with db.session_factory.begin() as s:
        from n11_desktop.core.storage.models import Channel

        ch = s.scalars(select(Channel)).first()
        ch.conf = {**ch.conf, "queue_page_size": 1}
    skus = seed_catalog(db, 4)
    services = build_services(db)
    try:
        dlg = _open(qtbot, services, skus=skus)
        dlg.start_send()
        dlg.cancel_or_close()
        qtbot.waitUntil(lambda: dlg.outcome is not None, timeout=30_000)
        assert dlg.outcome.cancelled
        assert "Cancelled" in dlg.result_label.text()
        with db.session_factory() as s:
            states = {i.state for i in s.scalars(select(BatchItem))}
        assert states <= {"sent", "success", "unsent"}
        assert len(sandbox.state.tasks) < 4
    finally:
        _close(services)


def _penalize(db, skus):
    with db.session_factory.begin() as s:
        cfg = load_config(s)
        for p in s.scalars(select(Product).where(Product.sku.in_(skus))):
            penalty.penalize(s, "product", p.id, p.sku, "channel_app", penalty.MSG_STOCK_NOT_FOUND, cfg,
                             datetime(2026, 11, 27, 9))


def test_penalty_dialog_lists_and_lifts_from_csv(qtbot, db, tmp_path, monkeypatch):
    skus = seed_catalog(db, 3)
    _penalize(db, skus)
    services = build_services(db)
    try:
        dlg = PenaltyDialog(services)
        qtbot.addWidget(dlg)
        dlg.show()
        qtbot.waitUntil(dlg.is_ready, timeout=10_000)
        assert sorted(dlg.model.skus()) == skus
        assert dlg.model.index(0, 6).data() == "Stock data not found"
        bad = tmp_path / "bad.csv"
        bad.write_text("sku\nNOPE\n", encoding="utf-8")
        monkeypatch.setattr(PenaltyDialog, "choose_file", classmethod(lambda cls, parent, title: bad))
        dlg.lift_button.click()
        qtbot.waitUntil(lambda: dlg.last_report is not None and dlg.is_ready(), timeout=10_000)
        assert "row 2: unknown sku 'NOPE'" in dlg.report.text() and dlg.model.rowCount() == 3
        good = tmp_path / "good.csv"
        good.write_text(f"sku\n{skus[0]}\n{skus[1]}\n", encoding="utf-8")
        monkeypatch.setattr(PenaltyDialog, "choose_file", classmethod(lambda cls, parent, title: good))
        dlg.last_report = None
        dlg.delete_button.click()
        qtbot.waitUntil(lambda: dlg.last_report is not None and dlg.is_ready(), timeout=10_000)
        assert "2 failed integration(s) deleted" in dlg.report.text()
        assert dlg.model.skus() == [skus[2]]
    finally:
        _close(services)


def test_products_tab_gets_send_and_penalty_actions(qtbot, db):
    from n11_desktop.views.products_tab import ProductsTab

    services = build_services(db)
    try:
        tab = ProductsTab(services)
        qtbot.addWidget(tab)
        texts = [a.text() for a in tab.toolbar.actions()]
        assert "Send selected…" in texts and "Penalty box…" in texts
        qtbot.waitUntil(lambda: tab.is_ready() and services.runner.pending == 0, timeout=10_000)
        tab.shutdown()
    finally:
        _close(services)


def test_models_pass_qt_model_tester(qtmodeltester, qtbot, db):
    from n11_desktop.views.penalty_dialog import PenaltyModel
    from n11_desktop.views.send_dialog import DiffModel

    diff = DiffModel()
    diff.set_rows([("A", "title", "—", "Yeni başlık"), ("A", "quantity", "3", "5")])
    qtmodeltester.check(diff)
    skus = seed_catalog(db, 2)
    _penalize(db, skus)
    from n11_desktop.core.penalty import list_penalties

    with db.session_factory() as s:
        rows = list_penalties(s)
    pm = PenaltyModel()
    pm.set_rows(rows)
    qtmodeltester.check(pm)


def test_dashboard_product_trigger_opens_the_create_preview(qtbot, configured_db, sandbox, monkeypatch):
    from PySide6.QtWidgets import QApplication

    from n11_desktop.views.dashboard_tab import DashboardTab

    db = configured_db
    skus = seed_catalog(db, 1)
    services = build_services(db)
    try:
        tab = DashboardTab(services)
        qtbot.addWidget(tab)
        monkeypatch.setattr(DashboardTab, "ask_skus", classmethod(lambda cls, parent: skus))
        tab.trigger_create()
        dlg = next(w for w in QApplication.topLevelWidgets() if isinstance(w, SendDialog) and w.isVisible())
        qtbot.waitUntil(dlg.is_ready, timeout=10_000)
        assert dlg.flows() == ("product_create",) and dlg.data.preview.new_skus == tuple(skus)
        dlg.close()
        qtbot.waitUntil(lambda: services.runner.pending == 0, timeout=10_000)
        if hasattr(tab, "shutdown"):
            tab.shutdown()
    finally:
        _close(services)
