"""The Store menu switches the window to another store's database (issue 16): the other store is
opened off the GUI thread while the window stays usable, then the old window's scheduler and workers
stop and its lease is released, the new store's lease is taken, the title names the store, and the
status bar shows who holds the scheduler lease."""

from __future__ import annotations

import os
import socket

import pytest

from n11_desktop.core.instance import current_holder
from n11_desktop.views.main_window import MainWindow

from .store_fixtures import hold_lease_elsewhere


def _make_two_stores(tmp_path, monkeypatch, dbs: dict[str, str] | None = None):
    """shop-a and shop-b (channels "Shop A" and "Shop B") in a registry in tmp_path: SQLite files
    under tmp_path/stores, or the databases ``dbs`` names (PostgreSQL schema URLs)."""
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.stores import Registry, create_store

    monkeypatch.setenv("N11_DESKTOP_STORES", str(tmp_path / "stores.json"))
    for name, channel_name in (("shop-a", "Shop A"), ("shop-b", "Shop B")):
        store, _ = create_store(Registry.load(), name, (dbs or {}).get(name))
        db = open_database(store.target())
        with db.session_factory.begin() as s:
            ensure_channel(s).name = channel_name
        db.dispose()
    return tmp_path


@pytest.fixture
def two_stores(tmp_path, monkeypatch):
    return _make_two_stores(tmp_path, monkeypatch)


@pytest.fixture
def two_pg_stores(tmp_path, monkeypatch, pg_urls):
    """shop-a and shop-b as two schemas of the test PostgreSQL server."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))  # a URL's .ui.ini: not the real one
    return _make_two_stores(tmp_path, monkeypatch, {"shop-a": pg_urls(), "shop-b": pg_urls()})


def _target(name):
    """The database of store ``name``: its file, or its PostgreSQL URL."""
    from n11_desktop.core.stores import Registry

    return Registry.load().get(name).target()


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


def _lease_of(db_file):
    from n11_desktop.core.storage.db import open_database

    db = open_database(db_file)
    try:
        return current_holder(db)
    finally:
        db.dispose()


def _switch_from_a_to_b(qtbot, session):
    """Store menu → shop-b, opened off the GUI thread: then a new window on shop-b, shop-a's workers
    stopped and its lease released, shop-b's lease taken, shop-b the default from now on."""
    from n11_desktop.core.stores import Registry

    w = session.window
    qtbot.waitUntil(lambda: w.windowTitle() == "n11-desktop — shop-a (Shop A)", timeout=10_000)
    qtbot.waitUntil(lambda: w.lease_label.text() == "Scheduler lease: this window", timeout=10_000)
    assert _lease_of(_target("shop-a")).pid == os.getpid()
    w.fill_store_menu()
    actions = {a.objectName(): a for a in w.store_menu.actions() if a.objectName().startswith("store_")}
    assert set(actions) == {"store_shop-a", "store_shop-b"} and actions["store_shop-a"].isChecked()
    old_services = w.services
    with qtbot.waitSignal(session.switched, timeout=30_000) as switched:
        actions["store_shop-b"].trigger()
        # opened off the GUI thread: meanwhile the window says so and takes no second switch
        assert session.opening == "shop-b" and session.window is w
        assert w.statusBar().currentMessage() == "Opening store shop-b…"
        w.fill_store_menu()
        assert not any(a.isEnabled() for a in w.store_menu.actions()
                       if a.objectName().startswith("store_") or a.objectName() == "action_manage_stores")
        assert not session.switch_to("shop-b")  # already under way
    assert switched.args == ["shop-b"]
    new = session.window
    assert new is not w and session.switches == 1 and session.opening is None
    qtbot.waitUntil(lambda: new.windowTitle() == "n11-desktop — shop-b (Shop B)", timeout=10_000)
    qtbot.waitUntil(lambda: new.lease_label.text() == "Scheduler lease: this window", timeout=10_000)
    assert new.isVisible()
    assert old_services.scheduler._closed and old_services.runner.pending == 0  # workers stopped
    assert _lease_of(_target("shop-a")) is None  # released on the way out
    assert _lease_of(_target("shop-b")).pid == os.getpid()
    assert Registry.load().default == "shop-b"  # opens next time
    new.fill_store_menu()
    checked = [a.objectName() for a in new.store_menu.actions() if a.isChecked()]
    assert checked == ["store_shop-b"]
    return new


def test_switching_stores_reopens_the_window_on_the_other_database(qtbot, qapp, two_stores):
    session = _session(qapp, "shop-a")
    try:
        _switch_from_a_to_b(qtbot, session)
    finally:
        _close(qtbot, session)


def _seed_products_and_orders(name, tmp_path, n_products: int, orders: list[str]) -> None:
    from datetime import datetime

    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.storage.models import Order

    from .test_products_tab import seed

    db = open_database(_target(name))
    try:
        (tmp_path / name).mkdir()
        seed(db, tmp_path / name, n=n_products)
        with db.session_factory.begin() as s:
            for i, number in enumerate(orders):
                s.add(Order(n11_order_number=number, number=f"O-{number}", status="approved",
                            customer_name=f"Müşteri {number}", ordered_at=datetime(2026, 12, 1, 10, i)))
    finally:
        db.dispose()


def _shows_products_and_orders(qtbot, w, n_products: int, orders: list[str]) -> None:
    products = w.show_tab("products")
    qtbot.waitUntil(lambda: products.is_ready() and products.model.rowCount() == n_products, timeout=10_000)
    assert products.model.index(0, 0).data() is not None
    tab = w.show_tab("orders")
    qtbot.waitUntil(lambda: tab.is_ready() and tab.model.rowCount() == len(orders), timeout=10_000)
    assert sorted(r.n11_order_number for r in tab.model.rows) == sorted(orders)


@pytest.mark.postgresql
def test_postgresql_stores_show_their_data_and_switch(qtbot, qapp, two_pg_stores, tmp_path):
    """Two stores in two schemas of one PostgreSQL server: the window shows each one's products and
    orders, and the Store menu switches between them as between files (leases in each schema)."""
    _seed_products_and_orders("shop-a", tmp_path, 4, ["A-1", "A-2"])
    _seed_products_and_orders("shop-b", tmp_path, 7, ["B-1"])
    session = _session(qapp, "shop-a")
    try:
        assert session.db.is_postgresql
        _shows_products_and_orders(qtbot, session.window, 4, ["A-1", "A-2"])
        new = _switch_from_a_to_b(qtbot, session)
        assert session.db.is_postgresql and session.store.name == "shop-b"
        _shows_products_and_orders(qtbot, new, 7, ["B-1"])
    finally:
        _close(qtbot, session)


def test_the_status_bar_names_who_drives_the_store(qtbot, qapp, two_stores, monkeypatch):
    warned = []
    monkeypatch.setattr(MainWindow, "warn_scheduler_off", classmethod(lambda cls, parent, text: warned.append(text)))
    hold_lease_elsewhere(two_stores / "stores" / "shop-b.db")
    session = _session(qapp, "shop-a")
    try:
        _switch(qtbot, session, "shop-b")
        w = session.window
        qtbot.waitUntil(lambda: "n11@server-1" in w.lease_label.text(), timeout=10_000)
        assert w.lease_label.text() == "Scheduler lease: n11-desktop run — n11@server-1, pid 4242"
        qtbot.waitUntil(lambda: bool(warned), timeout=10_000)  # its own scheduler stays off
        assert _lease_of(two_stores / "stores" / "shop-b.db").pid == 4242
    finally:
        _close(qtbot, session)


def _switch(qtbot, session, name):
    """Switch ``session`` to store ``name`` and wait until the new window is in place."""
    with qtbot.waitSignal(session.switched, timeout=30_000):
        assert session.switch_to(name)


def _add_store(two_stores, name, db):
    from n11_desktop.core.stores import Registry

    reg = Registry.load()
    reg.stores[name] = type(reg.stores["shop-a"])(name, str(db), two_stores)
    reg.save()


def _newer_schema(path):
    from n11_desktop.core.storage.db import open_database

    db = open_database(path)
    with db.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = 'f00dfeed9999'")
    db.dispose()
    return path


@pytest.mark.parametrize("kind, reason", [
    ("not a database", "not an SQLite file"),
    ("newer schema", "was written by a newer n11-desktop (schema f00dfeed9999); upgrade the app to open it"),
], ids=["not-a-database", "newer-schema"])
def test_a_store_that_cannot_be_opened_leaves_the_open_one_as_it_was(qtbot, qapp, two_stores, monkeypatch,
                                                                     kind, reason):
    from n11_desktop.core.stores import Registry

    failed = []
    monkeypatch.setattr(MainWindow, "warn_store_not_opened",
                        classmethod(lambda cls, parent, name, reason: failed.append((name, reason))))
    broken = two_stores / "broken.db"
    if kind == "newer schema":
        _newer_schema(broken)
    else:
        broken.write_bytes(b"not a database at all" * 50)
    _add_store(two_stores, "broken", broken)
    session = _session(qapp, "shop-a")
    try:
        w = session.window
        with qtbot.waitSignal(session.switch_failed, timeout=30_000) as failure:
            assert session.switch_to("broken")
        assert failure.args[0] == "broken" and reason in failure.args[1] and "\n" not in failure.args[1]
        assert failed == [tuple(failure.args)]
        assert w.statusBar().currentMessage() == f"Store broken not opened: {failure.args[1]}"
        assert session.window is w and w.isVisible() and session.store.name == "shop-a"
        assert session.db.path.name == "shop-a.db" and session.opening is None
        w.fill_store_menu()
        assert {a.objectName(): a.isEnabled() for a in w.store_menu.actions()
                if a.objectName().startswith("store_")} == {"store_shop-a": True, "store_shop-b": True,
                                                            "store_broken": True}
        qtbot.waitUntil(lambda: w.lease_label.text() == "Scheduler lease: this window", timeout=10_000)
        assert Registry.load().default == "shop-a"
        assert _lease_of(two_stores / "stores" / "shop-a.db").pid == os.getpid()  # still driven here
    finally:
        _close(qtbot, session)


def test_an_unreachable_database_server_never_freezes_the_window(qtbot, qapp, two_stores, monkeypatch):
    """A PostgreSQL server that does not answer: while the app waits for it the window keeps
    running (a timer keeps firing), says what it is doing and takes no second switch; when the
    connection fails the open store stays, and the operator reads the one-line reason without the
    password."""
    from PySide6.QtCore import QTimer

    failed = []
    monkeypatch.setattr(MainWindow, "warn_store_not_opened",
                        classmethod(lambda cls, parent, name, reason: failed.append((name, reason))))
    hung = socket.socket()  # listens, never accepts nor answers: the connect waits on it
    hung.bind(("127.0.0.1", 0))
    hung.listen(8)
    port = hung.getsockname()[1]
    _add_store(two_stores, "shop-pg", f"postgresql+psycopg://n11:s3cret@127.0.0.1:{port}/n11")
    session = _session(qapp, "shop-a")
    ticks = []
    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(lambda: ticks.append(1))
    try:
        w = session.window
        w.fill_store_menu()
        pick = next(a for a in w.store_menu.actions() if a.objectName() == "store_shop-pg")
        with qtbot.waitSignal(session.switch_failed, timeout=30_000) as failure:
            pick.trigger()
            timer.start()
            qtbot.waitUntil(lambda: len(ticks) >= 10, timeout=10_000)  # the GUI thread is free meanwhile
            assert session.opening == "shop-pg" and session.window is w
            assert w.statusBar().currentMessage() == "Opening store shop-pg…"
            w.fill_store_menu()
            others = {a.objectName(): a for a in w.store_menu.actions() if a.objectName().startswith("store_")}
            assert not any(a.isEnabled() for a in others.values())
            others["store_shop-b"].trigger()  # a second pick does nothing
            assert not session.switch_to("shop-b") and session.opening == "shop-pg"
            hung.close()  # the server goes away: the waiting connection fails
        name, reason = failure.args
        assert name == "shop-pg" and reason.startswith(f"cannot open PostgreSQL database 127.0.0.1:{port}/n11: ")
        assert "s3cret" not in reason and "\n" not in reason
        assert failed == [(name, reason)]
        assert w.statusBar().currentMessage() == f"Store shop-pg not opened: {reason}"
        assert session.window is w and w.isVisible() and session.store.name == "shop-a" and session.switches == 0
        qtbot.waitUntil(lambda: w.lease_label.text() == "Scheduler lease: this window", timeout=10_000)
        _switch(qtbot, session, "shop-b")  # the switcher works again
        assert session.store.name == "shop-b"
    finally:
        timer.stop()
        hung.close()
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
        _switch(qtbot, session, "demo-1")
        w = session.window
        assert w.services.demo and session.sandbox is started[0]
        with session.db.session_factory() as s:
            assert load_config(s).base_url == started[0].base_url  # pointed at this process's sandbox
        qtbot.waitUntil(lambda: w.windowTitle().startswith("n11-desktop — demo-1"), timeout=10_000)
        _switch(qtbot, session, "shop-b")
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
    hold_lease_elsewhere(two_stores / "stores" / "demo-1.db")
    started = []
    session = _session(qapp, "shop-a")
    session._start_sandbox = lambda: started.append(1)
    try:
        _switch(qtbot, session, "demo-1")
        assert started == [] and session.sandbox is None
        with session.db.session_factory() as s:
            assert load_config(s).base_url == "http://127.0.0.1:5999/ws/"  # not repointed, not reset
        w = session.window
        qtbot.waitUntil(lambda: "pid 4242" in w.lease_label.text(), timeout=10_000)
    finally:
        _close(qtbot, session)


@pytest.mark.postgresql
def test_switching_to_a_store_on_postgresql_and_back(qtbot, qapp, two_stores, pg_url, monkeypatch):
    """An agency's stores on a PostgreSQL server: the window switches to one and back, taking and
    releasing its scheduler lease there."""
    from n11_desktop.core.storage.db import open_database

    monkeypatch.setenv("XDG_DATA_HOME", str(two_stores / "xdg-data"))  # its window state for a URL
    _add_store(two_stores, "shop-pg", pg_url)
    session = _session(qapp, "shop-a")
    try:
        _switch(qtbot, session, "shop-pg")
        w = session.window
        assert session.store.name == "shop-pg" and session.db.path is None  # the server's database
        qtbot.waitUntil(lambda: w.windowTitle().startswith("n11-desktop — shop-pg"), timeout=10_000)
        qtbot.waitUntil(lambda: w.lease_label.text() == "Scheduler lease: this window", timeout=10_000)
        assert current_holder(session.db).pid == os.getpid()
        assert _lease_of(two_stores / "stores" / "shop-a.db") is None
        _switch(qtbot, session, "shop-a")
        assert session.db.path.name == "shop-a.db"
        db = open_database(pg_url)
        try:
            assert current_holder(db) is None  # released on the way out
        finally:
            db.dispose()
    finally:
        _close(qtbot, session)
