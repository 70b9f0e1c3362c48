"""The screens with the scheduler users get: flows in child processes (the app's default), real
flows against the sandbox. The other GUI scheduler tests register fake flows in this process and
so run them on threads (tests/conftest.py); these drive the same buttons in process mode."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt

from n11_desktop.core.domain import RunState
from n11_desktop.core.storage.models import utcnow
from n11_desktop.workers.flow_worker import WorkerHost
from n11_desktop.workers.scheduler import ISOLATION_ENV

from .conftest import runs
from .test_flows_panel import cell, make_panel


@pytest.fixture
def app_services(configured_db, qapp, monkeypatch):
    """Services as the app builds them, with the app's default isolation."""
    from n11_desktop.app import build_services

    monkeypatch.delenv(ISOLATION_ENV, raising=False)
    services = build_services(configured_db)
    assert services.scheduler.isolation == "process"
    yield services
    assert services.shutdown(30_000)
    assert not WorkerHost.running_hosts()


def test_run_now_and_cancel_from_the_panel_with_flows_in_child_processes(qtbot, configured_db, app_services):
    from n11_desktop.bench.products import _setup

    _setup(configured_db, 3000, sent=False, t0=utcnow() - timedelta(days=1))
    panel = make_panel(qtbot, app_services)
    sch = app_services.scheduler
    panel.select("reference_data")
    with qtbot.waitSignal(sch.flow_finished, timeout=60_000) as blk:
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    assert blk.args[0].state is RunState.DONE, blk.args[0].message
    qtbot.waitUntil(lambda: cell(panel, "reference_data", "Result").startswith("done"), timeout=10_000)

    panel.select("product_create")
    with qtbot.waitSignal(sch.flow_progress, timeout=60_000):
        qtbot.mouseClick(panel.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: cell(panel, "product_create", "Next run") == "running", timeout=10_000)
    assert panel.cancel_button.isEnabled()
    with qtbot.waitSignal(sch.flow_finished, timeout=60_000) as blk:
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    state = blk.args[0].state
    assert state in (RunState.CANCELLED, RunState.DONE)  # the child may have finished first
    qtbot.waitUntil(lambda: cell(panel, "product_create", "Result").startswith(state.value), timeout=10_000)
    assert runs(configured_db) == [("reference_data", "manual", "done"),
                                               ("product_create", "manual", state.value)]


def test_status_bar_and_mapper_with_flows_in_child_processes(qtbot, configured_db, app_services):
    """The Mapper's Run Category Node goes through the scheduler into a child process; the tree
    it fetched appears, and the status bar follows the run."""
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.views.main_window import MainWindow

    with configured_db.session_factory.begin() as s:
        ch = ensure_channel(s)
        ch.conf = dict(ch.conf, category_ids=[1001770])
    window = MainWindow(app_services)
    qtbot.addWidget(window)
    mapper = window.tab_widgets["categories_mapping"]
    qtbot.waitUntil(mapper.is_ready, timeout=10_000)
    assert mapper.tree_stack.currentWidget() is mapper.tree_empty
    with qtbot.waitSignal(app_services.scheduler.flow_finished, timeout=60_000) as blk:
        qtbot.mouseClick(mapper.btn_node, Qt.MouseButton.LeftButton)
    assert blk.args[0].flow == "category_node" and blk.args[0].state is RunState.DONE, blk.args[0].message
    qtbot.waitUntil(lambda: mapper.is_ready() and mapper.tree_stack.currentWidget() is mapper.tree_view,
                    timeout=10_000)
    assert "category_node: done" in mapper.status.text() and mapper.btn_node.isEnabled()
    qtbot.waitUntil(lambda: window.flows_label.text() == "No flow running", timeout=10_000)
    window.close()
    assert app_services.scheduler.state == "stopped"
