"""The GUI scheduler and the instance lease (core/instance.py): one process per database schedules."""

from __future__ import annotations

import os
import time
from datetime import timedelta

from n11_desktop.core.instance import LEASE_KEY, current_holder
from n11_desktop.core.storage.models import AppState, FlowRun
from n11_desktop.views.main_window import MainWindow

from .conftest import activate, quick, runs

STOCK = "send_updated_product_stock"


def hold_elsewhere(db, heartbeat=None):
    value = {"pid": 4242, "host": "other-host", "role": "run", "started": time.time() - 60,
             "heartbeat": time.time() if heartbeat is None else heartbeat}
    with db.session_factory.begin() as s:
        row = s.get(AppState, LEASE_KEY)
        if row is None:
            s.add(AppState(key=LEASE_KEY, value=value))
        else:
            row.value = value


def test_gui_on_a_database_another_process_drives_keeps_its_scheduler_off(qtbot, db, services, make_host,
                                                                           fake_flows, clock, monkeypatch):
    fake_flows["stock"] = quick()
    activate(db, [STOCK])
    with db.session_factory.begin() as s:  # the other process's run, in progress
        s.add(FlowRun(flow="price", trigger="schedule", state="running", started_at=clock() - timedelta(minutes=1)))
    hold_elsewhere(db)
    warned = []
    monkeypatch.setattr(MainWindow, "warn_scheduler_off", classmethod(lambda cls, parent, text: warned.append(text)))
    host = make_host(clock=clock)
    services.scheduler = host
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    host.start()
    qtbot.waitUntil(lambda: bool(warned), timeout=10_000)
    assert len(warned) == 1 and "pid 4242 on other-host" in warned[0]
    assert w.isVisible()
    assert "off — another n11-desktop (pid 4242 on other-host)" in w.scheduler_label.text()
    assert runs(db) == [("price", "schedule", "running")]  # not closed, and nothing scheduled
    with qtbot.waitSignal(host.flow_finished, timeout=10_000):  # "Run now" still works
        host.run_now("stock")
    assert ("stock", "manual", "done") in runs(db)
    assert ("price", "schedule", "running") in runs(db)
    assert current_holder(db).pid == 4242
    w.close()
    assert current_holder(db).pid == 4242  # closing never removes another process's lease


def test_gui_takes_a_stale_lease_and_releases_it_on_close(qtbot, db, services, make_host, fake_flows, clock):
    fake_flows["task_results"] = quick()
    hold_elsewhere(db, heartbeat=time.time() - 3600)
    host = make_host(clock=clock)
    host.start()
    qtbot.waitUntil(lambda: host.state not in ("off", "starting"), timeout=10_000)
    h = current_holder(db)
    assert (h.pid, h.role) == (os.getpid(), "gui") and host.lease_refused_text == ""
    assert host.shutdown(5000)
    assert current_holder(db) is None


def test_gui_scheduler_stops_when_its_lease_is_taken_over(qtbot, db, make_host, fake_flows, clock):
    host = make_host(clock=clock)
    host.start()
    qtbot.waitUntil(lambda: host.lease.held and host.state not in ("off", "starting"), timeout=10_000)
    hold_elsewhere(db, heartbeat=time.time() + 3600)  # someone took it over while we stalled
    with qtbot.waitSignal(host.lease_refused, timeout=10_000) as blocker:
        host._beat()  # what the 20 s heartbeat timer does
    assert "pid 4242 on other-host" in blocker.args[0]
    assert host.state.startswith("off — another n11-desktop")
