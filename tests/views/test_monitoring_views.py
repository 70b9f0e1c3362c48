"""Dashboard, Monitoring and Alarms as an operator uses them."""

from datetime import datetime, timedelta

from n11_desktop.app import build_services
from n11_desktop.core.flows import run_flow
from n11_desktop.core.storage.models import FlowRun, LogEntry
from n11_desktop.views.alarms_tab import AlarmsTab
from n11_desktop.views.dashboard_tab import DashboardTab
from n11_desktop.views.monitoring_tab import MonitoringTab
from tests.monitoring.crafted import build_crafted


def make(qtbot, cls, db):
    services = build_services(db)
    w = cls(services)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.is_ready() and services.runner.pending == 0, timeout=10_000)
    return w, services


def close(w, services):
    if hasattr(w, "shutdown"):
        w.shutdown()
    assert services.shutdown(5000)


def test_dashboard_shows_the_eight_kpis_and_their_skus(qtbot, db):
    build_crafted(db)
    w, services = make(qtbot, DashboardTab, db)
    values = {name: card.value.text() for name, card in w.cards.items()}
    assert values == {
        "total_sku_in_catalog": "10", "skus_on_sale": "4", "total_sku_difference": "3",
        "skus_with_price_difference": "1", "total_stock_in_catalog": "54", "total_stock_on_sale": "19",
        "total_stock_difference": "32", "skus_with_stock_difference": "1",
    }
    w.show_members("total_sku_difference")
    qtbot.waitUntil(lambda: getattr(w, "_members_dialog", None) is not None)
    model = w._members_dialog.model
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["D", "H", "M"]
    w._members_dialog.close()
    # a snapshot was taken on first load, so the history chart has a point
    assert w.data.snapshots >= 1
    # the crafted N11 data is a week old: its age is shown with a warning (two sync periods = 30 min)
    assert "N11 data as of 2026-11-27 12:00 UTC" in w.status.text()
    assert "older than two sync periods" in w.status.text()
    assert w.cards["skus_with_price_difference"].hint.text().startswith("No fix run yet")
    close(w, services)


def test_dashboard_charts_are_built_when_first_shown_and_plot_the_loaded_history(qtbot, db):
    build_crafted(db)
    w, services = make(qtbot, DashboardTab, db)
    assert w.charts is None  # not shown yet: pyqtgraph is not loaded for it
    w.show()
    qtbot.waitExposed(w)
    assert w.charts is not None and w.charts.isVisible()
    _x, y = w.charts._kpi_items["total_sku_in_catalog"].getData()
    assert y is not None and list(y)[-1] == 10  # the first load's snapshot: 10 SKUs in the catalog
    w.reload()  # later loads go to the charts already built
    qtbot.waitUntil(lambda: w.is_ready() and services.runner.pending == 0, timeout=10_000)
    assert list(w.charts._kpi_items["total_sku_in_catalog"].getData()[1])[-1] == 10
    close(w, services)


def test_dashboard_shows_found_fixed_still_different_per_fix_run(qtbot, db):
    from n11_desktop.core.flows.remote import RUNS_KEY
    from n11_desktop.core.storage.models import AppState

    build_crafted(db)
    runs = [{"run_id": i, "at": f"2026-12-04T{9 + i:02d}:15:00", "found": 3 + i, "resent": 2, "fixed": i,
             "still_different": 1, "explained": 1,
             "by_kind": {"price": {"found": 1, "resent": 1, "fixed": i, "still_different": 0, "explained": 0},
                         "stock": {"found": 2 + i, "resent": 1, "fixed": 0, "still_different": 1, "explained": 1}},
             "reasons": {}} for i in range(2)]
    with db.session_factory.begin() as s:
        s.add(AppState(key=RUNS_KEY, value=runs))
    w, services = make(qtbot, DashboardTab, db)
    assert w.cards["skus_with_price_difference"].hint.text() == (
        "Last fix run 2026-12-04 10:15 UTC: found 1 · resent 1 · fixed 1 · still different 0 · explained 0")
    assert "found 3 · resent 1 · fixed 0 · still different 1" in w.cards["skus_with_stock_difference"].hint.text()
    assert w.fix_label.text() == ("Fix Differences (found / fixed / still different), latest first — "
                                  "10:15: found 4 / fixed 1 / still different 1 · 09:15: found 3 / fixed 0 / "
                                  "still different 1")
    close(w, services)


def test_log_screen_filters_and_shows_raw_exchange(qtbot, db):
    now = datetime.utcnow()
    with db.session_factory.begin() as s:
        run = FlowRun(flow="stock", trigger="manual", state="failed", started_at=now, ended_at=now, total=3, failed=3)
        s.add(run)
        s.flush()
        s.add(LogEntry(run_id=run.id, flow="stock", level="INFO", message="Stock: started", created_at=now))
        s.add(LogEntry(run_id=run.id, flow="stock", level="ERROR", object_key="SKU-9", object_type="n11_call",
                       message="POST /ms/product/tasks/price-stock-update → 500", created_at=now + timedelta(seconds=1),
                       request='{"payload": {"skus": []}}', response="Internal Server Error"))
    w, services = make(qtbot, MonitoringTab, db)
    assert w.runs_panel.model.rowCount() == 1
    lp = w.log_panel
    assert lp.model.rowCount() == 2
    lp.level.setCurrentIndex(lp.level.findData("ERROR"))
    qtbot.waitUntil(lambda: lp.model.rowCount() == 1 and lp.is_ready(), timeout=5000)
    lp.view.setCurrentIndex(lp.model.index(0, 0))
    qtbot.waitUntil(lambda: "── Response ──" in lp.detail.toPlainText(), timeout=5000)
    assert "Internal Server Error" in lp.detail.toPlainText()
    lp.key.setText("SKU-404")
    qtbot.waitUntil(lambda: lp.model.rowCount() == 0 and lp.is_ready(), timeout=5000)
    assert "No log entries match" in lp.count_label.text()
    close(w, services)


def test_alarm_created_in_gui_fires_on_sandbox_faults_and_clears(qtbot, configured_db, sandbox):
    db = configured_db
    with db.session_factory.begin() as s:
        from n11_desktop.core.settings import ensure_channel

        ch = ensure_channel(s)
        ch.conf = {**ch.conf, "category_ids": [1001770]}
    w, services = make(qtbot, AlarmsTab, db)
    w.name.setText("Category Node keeps failing")
    w.kind.setCurrentIndex(w.kind.findData("consecutive_failures"))
    w.flow.setCurrentIndex(w.flow.findData("category_node"))
    w._param_widgets["count"].setValue(2)
    w.save_btn.click()
    qtbot.waitUntil(lambda: any(r.name == "Category Node keeps failing" for r in w.model.rows), timeout=5000)

    sandbox.state.set_faults(rate=1.0, kinds=["http_500"])
    for _ in range(2):
        assert not run_flow("category_node", db).ok
    w.monitor.evaluate()
    qtbot.waitUntil(lambda: any(r.name == "Category Node keeps failing" and r.state == "firing" for r in w.model.rows),
                    timeout=5000)
    assert "firing" in w.banner.text() and w.history.rowCount() >= 1
    assert w.history.rows[0].cleared_at is None

    sandbox.state.set_faults(rate=0.0)
    assert run_flow("category_node", db).ok
    w.monitor.evaluate()
    qtbot.waitUntil(lambda: all(r.state == "ok" for r in w.model.rows if r.name == "Category Node keeps failing"),
                    timeout=5000)
    qtbot.waitUntil(lambda: w.history.rowCount() >= 1 and w.history.rows[0].cleared_at is not None, timeout=5000)
    close(w, services)


def test_bad_alarm_shows_error_and_saves_nothing(qtbot, db):
    w, services = make(qtbot, AlarmsTab, db)
    before = w.model.rowCount()
    w.name.setText("   ")
    w.save_btn.click()
    qtbot.waitUntil(lambda: "Name" in w.error.text(), timeout=5000)
    assert w.model.rowCount() == before
    close(w, services)
