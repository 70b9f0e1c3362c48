"""Shared fixtures. Qt runs offscreen; a test fails if it leaves Python threads running."""

from __future__ import annotations

import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
# The app runs flows in child processes; tests register fake flows in this process, so the
# scheduler built by app.build_services runs them on its worker threads here
# (tests/workers/test_flow_process.py covers the process mode with real flows).
os.environ.setdefault("N11_DESKTOP_FLOW_ISOLATION", "thread")
# English unless a test asks for Turkish (whatever the locale or saved preference of this machine).
os.environ.setdefault("N11_DESKTOP_LANG", "en")

import pytest  # noqa: E402


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated database in tmp_path."""
    from n11_desktop.core.storage.db import open_database

    database = open_database(tmp_path / "test.db")
    yield database
    database.dispose()


@pytest.fixture
def sandbox():
    """A running N11 sandbox on a free loopback port (fast tasks for tests)."""
    from n11_desktop.sandbox.server import SandboxServer

    server = SandboxServer(port=0, task_delay_ms=50, approval_delay_ms=50)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def configured_db(db, sandbox):
    """A database whose channel points at the sandbox with the demo credentials, active, no flags on."""
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET

    with db.session_factory.begin() as s:
        channel = ensure_channel(s)
        conf = dict(channel.conf)
        conf.update(base_url=sandbox.base_url, app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET)
        channel.conf = conf
        channel.is_active = True
    return db


@pytest.fixture(autouse=True)
def _no_leaked_threads():
    before = {t.ident for t in threading.enumerate()}
    yield
    leaked = []
    for t in threading.enumerate():
        if t.ident in before or t is threading.current_thread() or t.daemon:
            continue
        t.join(timeout=5)
        if t.is_alive():
            leaked.append(t.name)
    assert not leaked, f"test leaked running threads: {leaked}"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()) or "qapp" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _no_leaked_qt_workers():
    """Fail a test that leaves a flow worker thread running or a scheduler timer active (napari-style)."""
    yield
    import sys

    if "PySide6.QtWidgets" not in sys.modules or "n11_desktop.workers.flow_worker" not in sys.modules:
        return
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    from n11_desktop.workers.flow_worker import WorkerHost

    leaked = WorkerHost.running_hosts()
    for host in leaked:  # stop them so one leak does not break the following tests
        host.shutdown(5000)
    timers = []
    try:
        from n11_desktop.workers.scheduler import SchedulerHost
    except ImportError:  # pragma: no cover
        SchedulerHost = None
    if SchedulerHost is not None:
        for sched in list(SchedulerHost._live):
            try:
                active = [t.objectName() or "timer" for t in sched.findChildren(QTimer) if t.isActive()]
            except RuntimeError:  # already deleted
                continue
            if active:
                timers.extend(active)
                sched.shutdown(5000)
    assert not leaked, f"test left {len(leaked)} flow worker thread(s) running (call shutdown())"
    assert not timers, f"test left scheduler timer(s) active: {timers} (call shutdown())"
