"""History of changes (issue 16): the Store menu's dialog lists who changed what and when, filtered by
area; Preferences names the operator the trail records."""

from __future__ import annotations

import pytest

from n11_desktop.app import build_services
from n11_desktop.core import audit
from n11_desktop.core.mapping.suggest import set_operator_term
from n11_desktop.core.settings import save_settings
from n11_desktop.views.main_window import MainWindow


@pytest.fixture(autouse=True)
def _operator(monkeypatch):
    monkeypatch.delenv(audit.OPERATOR_ENV, raising=False)
    yield
    audit.set_operator(None)


def test_history_dialog_lists_the_changes_newest_first_by_area(qtbot, db):
    audit.set_operator("b@ofis-2")
    with db.session_factory.begin() as s:
        assert save_settings(s, {"buffer_stock": 4, "app_secret": "never-shown"}) == []
    audit.set_operator("a@ofis-1")
    with db.session_factory.begin() as s:
        set_operator_term(s, "Smartwatch", "Akıllı Saat")
    services = build_services(db)
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show_tab("channel_settings")
    w.open_history()
    dlg = w.history_dialog
    qtbot.waitUntil(lambda: dlg.loaded, timeout=10_000)
    assert dlg.area.currentData() == "settings"  # opened from Channel Settings: its changes
    assert dlg.table.rowCount() == 1
    assert dlg.table.item(0, 1).text() == "b@ofis-2" and "buffer_stock" in dlg.table.item(0, 5).text()
    assert "never-shown" not in dlg.table.item(0, 5).text()
    dlg.loaded = False
    dlg.area.setCurrentIndex(dlg.area.findData(None))
    qtbot.waitUntil(lambda: dlg.loaded and dlg.table.rowCount() == 2, timeout=10_000)
    assert [dlg.table.item(i, 1).text() for i in range(2)] == ["a@ofis-1", "b@ofis-2"]
    assert dlg.table.item(0, 3).text() == "term set" and dlg.count.text() == "2 change(s)"
    dlg.close()
    w.close()


def test_the_operator_named_in_preferences_is_recorded(qtbot, db, tmp_path, monkeypatch):
    from n11_desktop.views.preferences_dialog import PreferencesDialog

    prefs = tmp_path / "preferences.json"
    monkeypatch.setattr("n11_desktop.core.formats.preferences_path", lambda: prefs)
    dlg = PreferencesDialog(path=prefs)
    qtbot.addWidget(dlg)
    assert "@" in dlg.operator.placeholderText()  # user@host unless a name is given
    dlg.operator.setText("Ayşe (depo)")
    dlg.accept()
    with db.session_factory.begin() as s:
        set_operator_term(s, "Smartwatch", "Akıllı Saat")
    with db.session_factory() as s:
        assert audit.history(s)[0].operator == "Ayşe (depo)"


def test_history_buttons_on_the_settings_and_mapping_screens(qtbot, db):
    from n11_desktop.views.mapping_tab import MappingTab
    from n11_desktop.views.settings_tab import SettingsTab

    audit.set_operator("b@ofis-2")
    with db.session_factory.begin() as s:
        assert save_settings(s, {"buffer_stock": 4}) == []
        set_operator_term(s, "Smartwatch", "Akıllı Saat")
    services = build_services(db)
    settings = SettingsTab(services)
    mapper = MappingTab(services, None)
    for w in (settings, mapper):
        qtbot.addWidget(w)
    try:
        qtbot.waitUntil(lambda: settings.is_ready() and mapper.is_ready(), timeout=10_000)
        settings.history_btn.click()
        mapper.btn_history.click()
        for dlg, area, action in ((settings.history_dialog, "settings", "save"),
                                  (mapper.history_dialog, "mapping", "term set")):
            qtbot.waitUntil(lambda d=dlg: d.loaded, timeout=10_000)
            assert dlg.area.currentData() == area and dlg.table.rowCount() == 1
            assert dlg.table.item(0, 3).text() == action
            dlg.close()
    finally:
        mapper.shutdown()
        settings.close()
        assert services.shutdown(10_000)


def test_history_reads_in_turkish(qtbot, db):
    """Action, object kind and area in the operator's language; what is stored stays language-neutral."""
    from n11_desktop import i18n

    audit.set_operator("a@ofis-1")
    with db.session_factory.begin() as s:
        set_operator_term(s, "Smartwatch", "Akıllı Saat")
        assert save_settings(s, {"buffer_stock": 4}) == []
    i18n.use_language("tr")
    try:
        services = build_services(db)
        w = MainWindow(services)
        qtbot.addWidget(w)
        w.open_history()
        dlg = w.history_dialog
        qtbot.waitUntil(lambda: dlg.loaded, timeout=10_000)
        dlg.loaded = False
        dlg.area.setCurrentIndex(dlg.area.findData(None))  # all changes
        qtbot.waitUntil(lambda: dlg.loaded and dlg.table.rowCount() == 2, timeout=10_000)
        cells = [[dlg.table.item(i, j).text() for j in (3, 4)] for i in range(2)]
        dlg.close()
        w.close()
    finally:
        i18n.use_language("en")
    assert cells == [["kaydetme", "kanal"], ["terim ayarlandı", "terim:smartwatch"]]
    with db.session_factory() as s:
        assert [(r.action, r.object_key) for r in audit.history(s)] == [("save", "channel"),
                                                                        ("term set", "term:smartwatch")]
