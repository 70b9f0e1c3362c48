"""The Store menu switches the window to another store's database (issue 16): the old window's
scheduler and workers stop and its lease is released, the new store's lease is taken, the title
names the store, and the status bar shows who holds the scheduler lease."""

from __future__ import annotations

import os
import time

import pytest

from n11_desktop.core.instance import LEASE_KEY, current_holder
from n11_desktop.views.main_window import MainWindow


@pytest.fixture
def two_stores(tmp_path, monkeypatch):
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.stores import Registry, create_store

    monkeypatch.setenv("N11_DESKTOP_STORES", str(tmp_path / "stores.json"))
    for name, channel_name in (("shop-a", "Shop A"), ("shop-b", "Shop B")):
        create_store(Registry.load(), name)
        db = open_database(tmp_path / "stores" / f"{name}.db")
        with db.session_factory.begin() as s:
            ensure_channel(s).name = channel_name
        db.dispose()
    return tmp_path


def _session(qapp, name):
    from n11_desktop.core.stores import Registry, open_store
    from n11_desktop.store_session import StoreSession

    store = Registry.load().get(name)
    session = StoreSession(qapp, db=open_store(store), store=store)
    session.open_window()
    session.start()
    return session


def _close(qtbot, session):
    first_db = session.db
    session.shutdown()
    session.window.deleteLater()
    qtbot.wait(1)  # deleteLater needs one pass of the event loop
    first_db.dispose()


def _hold_elsewhere(db_file):
    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.storage.models import AppState

    db = open_database(db_file)
    try:
        with db.session_factory.begin() as s:
            s.add(AppState(key=LEASE_KEY, value={"pid": 4242, "host": "server-1", "role": "run", "user": "n11",
                                                 "started": time.time() - 60, "heartbeat": time.time()}))
    finally:
        db.dispose()


def _lease_of(db_file):
    from n11_desktop.core.storage.db import open_database

    db = open_database(db_file)
    try:
        return current_holder(db)
    finally:
        db.dispose()


def test_switching_stores_reopens_the_window_on_the_other_database(qtbot, qapp, two_stores):
    from n11_desktop.core.stores import Registry

    session = _session(qapp, "shop-a")
    try:
        w = session.window
        qtbot.waitUntil(lambda: w.windowTitle() == "n11-desktop — shop-a (Shop A)", timeout=10_000)
        qtbot.waitUntil(lambda: w.lease_label.text() == "Scheduler lease: this window", timeout=10_000)
        assert _lease_of(two_stores / "stores" / "shop-a.db").pid == os.getpid()
        w.fill_store_menu()
        actions = {a.objectName(): a for a in w.store_menu.actions() if a.objectName().startswith("store_")}
        assert set(actions) == {"store_shop-a", "store_shop-b"} and actions["store_shop-a"].isChecked()
        old_services = w.services
        actions["store_shop-b"].trigger()
        new = session.window
        assert new is not w and session.switches == 1
        qtbot.waitUntil(lambda: new.windowTitle() == "n11-desktop — shop-b (Shop B)", timeout=10_000)
        qtbot.waitUntil(lambda: new.lease_label.text() == "Scheduler lease: this window", timeout=10_000)
        assert new.isVisible()
        assert old_services.scheduler._closed and old_services.runner.pending == 0  # workers stopped
        assert _lease_of(two_stores / "stores" / "shop-a.db") is None  # released on the way out
        assert _lease_of(two_stores / "stores" / "shop-b.db").pid == os.getpid()
        assert Registry.load().default == "shop-b"  # opens next time
        new.fill_store_menu()
        checked = [a.objectName() for a in new.store_menu.actions() if a.isChecked()]
        assert checked == ["store_shop-b"]
    finally:
        _close(qtbot, session)


def test_the_status_bar_names_who_drives_the_store(qtbot, qapp, two_stores, monkeypatch):
    warned = []
    monkeypatch.setattr(MainWindow, "warn_scheduler_off", classmethod(lambda cls, parent, text: warned.append(text)))
    _hold_elsewhere(two_stores / "stores" / "shop-b.db")
    session = _session(qapp, "shop-a")
    try:
        assert session.switch_to("shop-b")
        w = session.window
        qtbot.waitUntil(lambda: "n11@server-1" in w.lease_label.text(), timeout=10_000)
        assert w.lease_label.text() == "Scheduler lease: n11-desktop run — n11@server-1, pid 4242"
        qtbot.waitUntil(lambda: bool(warned), timeout=10_000)  # its own scheduler stays off
        assert _lease_of(two_stores / "stores" / "shop-b.db").pid == 4242
    finally:
        _close(qtbot, session)


def test_a_store_that_cannot_be_opened_leaves_the_open_one_as_it_was(qtbot, qapp, two_stores, monkeypatch):
    from n11_desktop.core.stores import Registry

    failed = []
    monkeypatch.setattr(MainWindow, "warn_store_not_opened",
                        classmethod(lambda cls, parent, name, reason: failed.append((name, reason))))
    broken = two_stores / "broken.db"
    broken.write_bytes(b"not a database at all" * 50)
    reg = Registry.load()
    reg.stores["broken"] = type(reg.stores["shop-a"])("broken", str(broken), two_stores)
    reg.save()
    session = _session(qapp, "shop-a")
    try:
        w = session.window
        assert not session.switch_to("broken")
        assert failed and failed[0][0] == "broken" and "not an SQLite file" in failed[0][1]
        assert session.window is w and w.isVisible() and session.store.name == "shop-a"
        qtbot.waitUntil(lambda: w.lease_label.text() == "Scheduler lease: this window", timeout=10_000)
        assert Registry.load().default == "shop-a"
    finally:
        _close(qtbot, session)


def test_copy_settings_and_mapping_from_another_store_in_the_store_menu(qtbot, qapp, two_stores, monkeypatch):
    from n11_desktop.core.mapping.suggest import operator_terms, set_operator_term
    from n11_desktop.core.settings import load_config, save_settings
    from n11_desktop.core.storage.db import open_database

    b = open_database(two_stores / "stores" / "shop-b.db")
    try:
        with b.session_factory.begin() as s:
            assert save_settings(s, {"buffer_stock": 9, "app_key": "shop-b-key"}) == []
            set_operator_term(s, "Smartwatch", "Akıllı Saat")
    finally:
        b.dispose()
    asked = []
    monkeypatch.setattr(MainWindow, "confirm_copy", classmethod(lambda cls, parent, name: asked.append(name) or True))
    session = _session(qapp, "shop-a")
    try:
        w = session.window
        w.fill_store_menu()
        copy_menu = w.store_menu.findChild(type(w.store_menu), "store_copy_menu")
        names = [a.objectName() for a in copy_menu.actions()]
        assert names == ["copy_from_shop-b"]  # never the open store itself
        copy_menu.actions()[0].trigger()
        qtbot.waitUntil(lambda: w.statusBar().currentMessage().startswith("Copied from shop-b"), timeout=10_000)
        assert asked == ["shop-b"]
        with session.db.session_factory() as s:
            cfg = load_config(s)
            assert cfg.buffer_stock == 9 and not cfg.conf.get("app_key")  # credentials stay per store
            assert operator_terms(s) == {"Smartwatch": "Akıllı Saat"}
    finally:
        _close(qtbot, session)


def test_switching_to_a_demo_store_starts_its_sandbox_and_stops_it_on_the_way_out(qtbot, qapp, two_stores):
    from n11_desktop.commands.stores import prepare_demo_with_sandbox
    from n11_desktop.core.settings import load_config
    from n11_desktop.core.stores import Registry, create_store
    from n11_desktop.sandbox.server import SandboxServer

    create_store(Registry.load(), "demo-1", demo=True, prepare=prepare_demo_with_sandbox)
    started = []

    def start_sandbox():
        server = SandboxServer(port=0, task_delay_ms=50)
        server.start()
        started.append(server)
        return server

    session = _session(qapp, "shop-a")
    session._start_sandbox = start_sandbox
    try:
        assert session.switch_to("demo-1")
        w = session.window
        assert w.services.demo and session.sandbox is started[0]
        with session.db.session_factory() as s:
            assert load_config(s).base_url == started[0].base_url  # pointed at this process's sandbox
        qtbot.waitUntil(lambda: w.windowTitle().startswith("n11-desktop — demo-1"), timeout=10_000)
        assert session.switch_to("shop-b")
        assert session.sandbox is None and started[0]._httpd is None  # stopped with the demo store
    finally:
        _close(qtbot, session)


def test_the_app_opens_the_store_named_on_the_command_line(qapp, two_stores, tmp_path):
    from n11_desktop.cli import main

    out = tmp_path / "shots"
    assert main(["--store", "shop-b", "--screenshot", str(out)]) == 0
    assert (out / "channel_settings.png").stat().st_size > 2000
    assert _lease_of(two_stores / "stores" / "shop-b.db") is None  # screenshot mode schedules nothing
    # the window was shop-b's: its window state is kept beside shop-b's database, not shop-a's
    assert (two_stores / "stores" / "shop-b.ui.ini").exists()
    assert not (two_stores / "stores" / "shop-a.ui.ini").exists()


def test_a_demo_store_another_process_drives_stays_on_that_process_sandbox(qtbot, qapp, two_stores, monkeypatch):
    from n11_desktop.commands.stores import prepare_demo_with_sandbox
    from n11_desktop.core.settings import load_config
    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.stores import Registry, create_store, point_demo_at

    monkeypatch.setattr(MainWindow, "warn_scheduler_off", classmethod(lambda cls, parent, text: None))
    create_store(Registry.load(), "demo-1", demo=True, prepare=prepare_demo_with_sandbox)
    db = open_database(two_stores / "stores" / "demo-1.db")
    point_demo_at(db, "http://127.0.0.1:5999/ws/")  # the sandbox of the `run --all-stores` driving it
    db.dispose()
    _hold_elsewhere(two_stores / "stores" / "demo-1.db")
    started = []
    session = _session(qapp, "shop-a")
    session._start_sandbox = lambda: started.append(1)
    try:
        assert session.switch_to("demo-1")
        assert started == [] and session.sandbox is None
        with session.db.session_factory() as s:
            assert load_config(s).base_url == "http://127.0.0.1:5999/ws/"  # not repointed, not reset
        w = session.window
        qtbot.waitUntil(lambda: "pid 4242" in w.lease_label.text(), timeout=10_000)
    finally:
        _close(qtbot, session)
