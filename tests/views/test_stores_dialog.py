"""Store → Manage stores… (issue 16): the operator adds, renames, removes stores and picks the
default one in the app, with the command line's rules (core/stores.py), off the GUI thread."""

from __future__ import annotations

import json
import re

import pytest

from n11_desktop.app import build_services
from n11_desktop.views.main_window import MainWindow
from n11_desktop.views.stores_dialog import StoresDialog

from .store_fixtures import hold_lease_elsewhere


@pytest.fixture
def registry(tmp_path, monkeypatch):
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.stores import Registry, create_store

    monkeypatch.setenv("N11_DESKTOP_STORES", str(tmp_path / "stores.json"))
    create_store(Registry.load(), "shop-a")
    create_store(Registry.load(), "shop-b")
    db = open_database(tmp_path / "stores" / "shop-a.db")
    with db.session_factory.begin() as s:
        ensure_channel(s).conf = {**ensure_channel(s).conf, "buffer_stock": 7}
    db.dispose()
    return tmp_path / "stores.json"


@pytest.fixture
def window(qtbot, registry, tmp_path):
    from n11_desktop.core.stores import Registry, open_store

    db = open_store(Registry.load().get("shop-a"))
    services = build_services(db)
    services.store_name = "shop-a"
    w = MainWindow(services)
    qtbot.addWidget(w)
    yield w
    w.close()
    services.shutdown()
    db.dispose()


def _open(qtbot, w) -> StoresDialog:
    w.fill_store_menu()
    action = next(a for a in w.store_menu.actions() if a.objectName() == "action_manage_stores")
    action.trigger()
    dlg = w.stores_dialog
    qtbot.waitUntil(lambda: dlg.loaded, timeout=10_000)
    return dlg


def _cells(dlg):
    return [[dlg.table.item(i, j).text() for j in range(4)] for i in range(dlg.table.rowCount())]


def _after(qtbot, dlg, action):
    dlg.loaded = False
    action()
    qtbot.waitUntil(lambda: dlg.loaded and dlg.message.text() not in ("", "Working…"), timeout=15_000)


def _doc(registry):
    return json.loads(registry.read_text(encoding="utf-8"))


def test_the_list_shows_each_store_its_database_without_password_default_and_driver(qtbot, window, registry):
    doc = _doc(registry)
    doc["stores"]["shop-pg"] = {"db": "postgresql+psycopg://n11:s3cret@127.0.0.1:1/n11"}
    registry.write_text(json.dumps(doc), encoding="utf-8")
    hold_lease_elsewhere(registry.parent / "stores" / "shop-b.db")
    dlg = _open(qtbot, window)
    rows = {r[0]: r for r in _cells(dlg)}
    assert set(rows) == {"shop-a (open here)", "shop-b", "shop-pg"}
    assert rows["shop-a (open here)"][2] == "✓" and rows["shop-b"][2] == ""
    assert rows["shop-a (open here)"][1].endswith("shop-a.db")
    assert rows["shop-b"][3] == "run pid 4242 on n11@server-1"
    assert rows["shop-pg"][1] == "postgresql+psycopg://n11:***@127.0.0.1:1/n11"
    assert all("s3cret" not in cell for row in _cells(dlg) for cell in row)
    assert rows["shop-pg"][3].startswith("cannot be opened")
    dlg.close()


def test_add_a_store_with_copied_settings_and_refuse_bad_input(qtbot, window, registry):
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.core.storage.db import open_database

    dlg = _open(qtbot, window)
    dlg.add_btn.click()
    add = dlg.add_dialog
    before = registry.read_text(encoding="utf-8")
    add.buttons.button(add.buttons.StandardButton.Ok).click()  # no name
    assert add.message.text() == "A store needs a name." and add.isVisible()

    def submit(name, database=""):
        add.name.setText(name)
        add.database.setText(database)
        add.message.setText("")
        add.submit()
        qtbot.waitUntil(lambda: not add.busy, timeout=15_000)

    submit("SHOP-B")
    assert add.message.text() == "Not added: a store named shop-b already exists"
    submit("shop-pg", "postgresql+psycopg://n11:s3cret@127.0.0.1:1/n11")
    assert add.message.text().startswith("Not added: ") and "s3cret" not in add.message.text()
    assert "127.0.0.1" in add.message.text()
    assert registry.read_text(encoding="utf-8") == before  # nothing changed
    assert add.isVisible()

    add.copy_from.setCurrentIndex(add.copy_from.findData("shop-a"))
    dlg.loaded = False
    submit("shop-c")
    assert not add.isVisible() and add.result() == add.DialogCode.Accepted
    qtbot.waitUntil(lambda: dlg.loaded and dlg.table.rowCount() == 3, timeout=10_000)
    assert dlg.message.text() == "Store shop-c added."
    assert "shop-c" in _doc(registry)["stores"]
    db = open_database(registry.parent / "stores" / "shop-c.db")
    try:
        with db.session_factory() as s:
            assert ensure_channel(s).conf.get("buffer_stock") == 7  # copied from shop-a
    finally:
        db.dispose()
    dlg.close()


def test_rename_remove_and_default_follow_the_command_line_rules(qtbot, window, registry, monkeypatch):
    monkeypatch.setattr(StoresDialog, "confirm_remove", classmethod(lambda cls, parent, name: True))
    names = iter(["shop-a", "Mağaza-1", "shop-b"])
    monkeypatch.setattr(StoresDialog, "ask_new_name", classmethod(lambda cls, parent, old: next(names)))
    dlg = _open(qtbot, window)

    dlg.select("shop-b")
    _after(qtbot, dlg, dlg.rename_btn.click)  # taken name
    assert dlg.message.text() == "Nothing changed: a store named shop-a already exists"
    _after(qtbot, dlg, dlg.rename_btn.click)
    assert dlg.message.text() == "Store shop-b is now Mağaza-1."
    assert set(_doc(registry)["stores"]) == {"shop-a", "Mağaza-1"}

    _after(qtbot, dlg, dlg.default_btn.click)
    assert _doc(registry)["default"] == "Mağaza-1"
    assert {r[0]: r[2] for r in _cells(dlg)} == {"shop-a (open here)": "", "Mağaza-1": "✓"}

    hold_lease_elsewhere(registry.parent / "stores" / "shop-b.db")  # `run --all-stores` on a server drives it
    _after(qtbot, dlg, dlg.remove_btn.click)
    assert dlg.message.text().startswith("Nothing changed: store Mağaza-1 is in use: ")
    assert "Mağaza-1" in _doc(registry)["stores"]

    dlg.select("shop-a")  # the store open in this window
    dlg.remove_btn.click()
    assert dlg.message.text().startswith("Nothing changed: store shop-a is open in this window")
    assert "shop-a" in _doc(registry)["stores"]

    # the open store renamed: the window and the Store menu follow
    dlg.select("shop-a")
    monkeypatch.setattr(StoresDialog, "ask_new_name", classmethod(lambda cls, parent, old: "shop-z"))
    _after(qtbot, dlg, dlg.rename_btn.click)
    assert window.services.store_name == "shop-z"
    window.fill_store_menu()
    assert [a.objectName() for a in window.store_menu.actions() if a.isChecked()] == ["store_shop-z"]
    dlg.close()


def test_removing_keeps_the_data(qtbot, window, registry, monkeypatch):
    monkeypatch.setattr(StoresDialog, "confirm_remove", classmethod(lambda cls, parent, name: True))
    dlg = _open(qtbot, window)
    dlg.select("shop-b")
    _after(qtbot, dlg, dlg.remove_btn.click)
    assert dlg.message.text() == "Store shop-b removed from the list; its data is kept."
    assert [r[0] for r in _cells(dlg)] == ["shop-a (open here)"]
    assert (registry.parent / "stores" / "shop-b.db").exists()
    dlg.close()


def test_a_refusal_reads_in_turkish(qtbot, window, registry, monkeypatch):
    from n11_desktop import i18n

    monkeypatch.setattr(StoresDialog, "ask_new_name", classmethod(lambda cls, parent, old: "shop-a"))
    dlg = _open(qtbot, window)
    dlg.select("shop-b")
    i18n.use_language("tr")
    try:
        _after(qtbot, dlg, dlg.rename_btn.click)
    finally:
        i18n.use_language("en")
    assert dlg.message.text().endswith("shop-a adlı bir mağaza zaten var")
    dlg.close()


def test_add_a_demo_store(qtbot, window, registry):
    dlg = _open(qtbot, window)
    dlg.add_btn.click()
    add = dlg.add_dialog
    add.name.setText("demo-1")
    add.demo.setChecked(True)
    dlg.loaded = False
    add.submit()
    qtbot.waitUntil(lambda: not add.busy, timeout=30_000)
    assert add.result() == add.DialogCode.Accepted, add.message.text()
    qtbot.waitUntil(lambda: dlg.loaded and dlg.table.rowCount() == 3, timeout=10_000)
    assert _doc(registry)["stores"]["demo-1"]["demo"] is True
    assert "demo-1 (demo)" in [r[0] for r in _cells(dlg)]
    window.fill_store_menu()
    assert any(a.objectName() == "store_demo-1" for a in window.store_menu.actions())
    dlg.close()


def test_add_a_store_on_postgresql_after_testing_the_connection(qtbot, window, registry, pg_server, fresh_pg_url,
                                                                caplog):
    """The operator types the server's URL and, in a field of its own, the password; Test connection
    says in one line what it found (or why not) without saving anything; OK adds the store, whose
    password is never shown in the dialog, the list or a log line."""
    import logging

    caplog.set_level(logging.DEBUG)
    if not getattr(pg_server, "role_made", False):
        pg_server.create_role("right-secret")
        pg_server.role_made = True
    url = fresh_pg_url.replace("://postgres@", "://n11_pw@")  # a role whose password the server checks
    schema = url.rsplit("%3D", 1)[1]
    dlg = _open(qtbot, window)
    dlg.add_btn.click()
    add = dlg.add_dialog
    assert not add.test_btn.isEnabled() and not add.password.isEnabled()  # an SQLite file needs no test
    add.name.setText("shop-pg")
    add.database.setText(url)
    assert add.test_btn.isEnabled() and add.password.echoMode() == add.password.EchoMode.Password
    before = registry.read_text(encoding="utf-8")

    def test(password):
        add.password.setText(password)
        add.test_btn.click()
        assert add.testing and not add.test_btn.isEnabled()  # off the GUI thread
        qtbot.waitUntil(lambda: not add.testing, timeout=30_000)
        return add.message.text()

    line = test("wrong-secret")
    assert line.startswith(f"Not connected: cannot open PostgreSQL database 127.0.0.1:{pg_server.port}/postgres: ")
    assert "password authentication failed" in line and "\n" not in line and "secret" not in line
    line = test("right-secret")
    assert re.fullmatch(rf"Connected to 127\.0\.0\.1:{pg_server.port}/postgres \(PostgreSQL \d+[.\d]*\): "
                        rf"schema {schema} does not exist yet; adding the store creates it and its tables\.", line), line
    assert registry.read_text(encoding="utf-8") == before  # testing saves nothing

    dlg.loaded = False
    add.submit()
    qtbot.waitUntil(lambda: not add.busy, timeout=60_000)
    assert add.result() == add.DialogCode.Accepted, add.message.text()
    qtbot.waitUntil(lambda: dlg.loaded and dlg.table.rowCount() == 3, timeout=30_000)
    rows = {r[0]: r for r in _cells(dlg)}
    assert rows["shop-pg"][1] == url.replace("n11_pw@", "n11_pw:***@")
    assert rows["shop-pg"][3] == "nobody"  # reachable, no scheduler on it
    assert _doc(registry)["stores"]["shop-pg"]["db"] == url.replace("n11_pw@", "n11_pw:right-secret@")

    # a second look at the same URL finds the store's tables
    dlg.add_btn.click()
    again = dlg.add_dialog
    again.database.setText(url)
    again.password.setText("right-secret")
    again.test_btn.click()
    qtbot.waitUntil(lambda: not again.testing, timeout=30_000)
    assert again.message.text().endswith(f"schema {schema} holds n11-desktop's tables; the store uses them.")
    again.reject()
    assert "right-secret" not in caplog.text and "wrong-secret" not in caplog.text
    dlg.close()
