"""FlowsPanel and the status bar, driven like a user would (fake flows, real threads)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from n11_desktop.core.domain import RunState
from n11_desktop.core.flows.base import SPECS
from n11_desktop.views.flows_panel import COL_PROGRESS, COLUMNS, FlowsPanel

from .conftest import Gate, activate, quick, runs


def make_panel(qtbot, services):
    panel = FlowsPanel(services)
    qtbot.addWidget(panel)
    qtbot.waitUntil(panel.is_ready, timeout=10_000)
    return panel


def cell(panel, slug, column):
    model = panel.model
    for row in range(model.rowCount()):
        if model.slug_at(row) == slug:
            return model.index(row, COLUMNS.index(column)).data()
    raise KeyError(slug)


def test_lists_every_flow_with_flag_and_schedule(qtbot, qtmodeltester, db, services, fake_flows):
    fake_flows["stock"] = quick()
    activate(db, ["send_updated_product_stock"])
    panel = make_panel(qtbot, services)
    assert panel.model.rowCount() == len(SPECS)
    qtmodeltester.check(panel.model)
    assert cell(panel, "stock", "Flag") == "send_updated_product_stock (on)"
    assert cell(panel, "price", "Flag") == "send_updated_product_price (off)"
    assert cell(panel, "stock", "Schedule") == "every minute"
    assert cell(panel, "get_updated_orders", "Schedule") == "daily 06:00 (Istanbul)"
    assert cell(panel, "stock", "Result") == "never ran"
    assert cell(panel, "stock", "Next run") == "scheduler off"
    assert cell(panel, "price", "Next run") == "not available yet"


def test_run_now_progress_cancel_from_the_panel(qtbot, db, services, fake_flows):
    gate = Gate(pages=1000)
    fake_flows["stock"] = gate
    panel = make_panel(qtbot, services)
    panel.select("stock")
    sch = services.scheduler
    with qtbot.waitSignal(sch.flow_progress, timeout=10_000):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "/1,000" in cell(panel, "stock", "Progress"), timeout=10_000)
    assert cell(panel, "stock", "Next run") == "running"
    row = [r for r in range(panel.model.rowCount()) if panel.model.slug_at(r) == "stock"][0]
    assert panel.model.index(row, COL_PROGRESS).data(Qt.ItemDataRole.UserRole + 1)[1] == 1000
    assert panel.cancel_button.isEnabled()
    with qtbot.waitSignal(sch.flow_finished, timeout=10_000) as blk:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert blk.args[0].state is RunState.CANCELLED
    assert "cancelled" in panel.message_label.text()
    qtbot.waitUntil(lambda: cell(panel, "stock", "Result").startswith("cancelled"), timeout=10_000)
    assert cell(panel, "stock", "Progress") == ""
    assert runs(db) == [("stock", "manual", "cancelled")]


def test_pause_and_resume_all(qtbot, db, services, fake_flows):
    fake_flows["stock"] = quick()
    activate(db, ["send_updated_product_stock"])
    panel = make_panel(qtbot, services)
    sch = services.scheduler
    with qtbot.waitSignal(sch.flow_finished, timeout=10_000):
        sch.start()
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert panel.state_label.text() == "Scheduler: paused"
    assert not panel.pause_button.isEnabled() and panel.resume_button.isEnabled()
    assert cell(panel, "stock", "Next run") == "paused"
    qtbot.mouseClick(panel.resume_button, Qt.MouseButton.LeftButton)
    assert panel.state_label.text() == "Scheduler: running"
    qtbot.waitUntil(lambda: cell(panel, "stock", "Next run") not in ("paused", "scheduler off"), timeout=10_000)


def test_status_bar_shows_scheduler_state_and_running_flow(qtbot, db, fake_flows):
    from n11_desktop.app import build_services
    from n11_desktop.views.main_window import MainWindow

    gate = Gate(pages=500)
    fake_flows["stock"] = gate
    activate(db, ["send_updated_product_stock"])
    services = build_services(db)
    window = MainWindow(services)
    qtbot.addWidget(window)
    sch = services.scheduler
    with qtbot.waitSignal(sch.flow_progress, timeout=10_000):
        sch.start()
    qtbot.waitUntil(lambda: window.scheduler_label.text() == "Scheduler: running", timeout=10_000)
    qtbot.waitUntil(lambda: "Stock" in window.flows_label.text() and "/500" in window.flows_label.text(),
                    timeout=10_000)
    assert window.progress.isVisibleTo(window) and window.progress.maximum() == 500
    with qtbot.waitSignal(sch.flow_finished, timeout=10_000):
        gate.release.set()
    qtbot.waitUntil(lambda: window.flows_label.text() == "No flow running", timeout=10_000)
    window.close()  # asks the scheduler to stop and waits (bounded)
    assert sch.state == "stopped"


def test_operator_changes_a_schedule_from_the_panel_and_resets_it(qtbot, db, services, fake_flows):
    fake_flows["stock"] = quick()
    activate(db, ["send_updated_product_stock"])
    panel = make_panel(qtbot, services)
    panel.select("stock")
    qtbot.mouseClick(panel.schedule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(panel, "schedule_dialog", None) is not None, timeout=10_000)
    dlg = panel.schedule_dialog
    assert not dlg.reset_button.isEnabled()  # nothing changed yet: the default stands
    dlg.every_radio.setChecked(True)
    dlg.minutes.setValue(10)
    assert dlg.minutes.minimum() == 1  # under a minute cannot even be entered
    with qtbot.waitSignal(dlg.saved, timeout=10_000):
        dlg.save()
    assert "every 10 min" in panel.message_label.text()
    qtbot.waitUntil(lambda: cell(panel, "stock", "Schedule") == "every 10 min", timeout=10_000)
    # a daily time for another flow, then reset the first
    panel.select("stock")
    panel.schedule_dialog = None
    qtbot.mouseClick(panel.schedule_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.schedule_dialog is not None, timeout=10_000)
    dlg = panel.schedule_dialog
    assert dlg.reset_button.isEnabled()
    with qtbot.waitSignal(dlg.saved, timeout=10_000):
        dlg.reset()
    qtbot.waitUntil(lambda: cell(panel, "stock", "Schedule") == "every minute", timeout=10_000)
