"""Channel Settings tab, driven the way an operator uses it (pytest-qt, offscreen)."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QCheckBox

from n11_desktop.app import build_services
from n11_desktop.core.settings import export_settings, load_config, secrets
from n11_desktop.views.settings_tab import SettingsTab


@pytest.fixture
def make_tab(qtbot, monkeypatch):
    monkeypatch.setenv(secrets.ENV, "none")
    made = []

    def make(database):
        services = build_services(database)
        events = []
        services.subscribe("settings_changed", events.append)
        tab = SettingsTab(services)
        tab.events = events
        qtbot.addWidget(tab)
        tab.resize(1400, 900)
        tab.show()
        qtbot.waitUntil(tab.is_ready, timeout=10_000)
        made.append((tab, services))
        return tab

    yield make
    for tab, services in made:
        tab.close()
        assert services.shutdown(10_000)


@pytest.fixture
def tab(db, make_tab):
    return make_tab(db)


def stored(db) -> str:
    with db.session_factory.begin() as s:
        return export_settings(s, include_secret=True)


def click(qtbot, button):
    if isinstance(button, QCheckBox):
        # QTest clicks in quick succession on one window can merge into a double click; a
        # checkbox is clicked the way the keyboard/mouse does it: through QAbstractButton.click
        button.click()
    else:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def save(qtbot, tab, activate=False):
    with qtbot.waitSignal(tab.saved, timeout=10_000) as blocker:
        click(qtbot, tab.activate_btn if activate else tab.save_btn)
    return blocker.args[0]


def type_into(qtbot, line_edit, text):
    line_edit.clear()
    qtbot.keyClicks(line_edit, text)


def choose(combo_editor, value):
    combo = combo_editor.combo
    combo.setCurrentIndex(combo.findData(value))


def test_form_shows_seed_defaults_locked_fields_and_masked_secret(tab):
    assert tab.badge.text() == "Inactive" and tab.activate_btn.text() == "Activate"
    assert all(e.isReadOnly() for e in tab.locked_edits.values())
    assert [e.text() for e in tab.locked_edits.values()] == ["N11", "N11", "sales_channel"]
    assert tab.editors["base_url"].value() == "https://api.n11.com/ws/"
    assert tab.editors["sales_url"].value() == "https://www.n11.com/"
    assert tab.editors["attribute_set_strategy"].value() == "CategoryNode"
    assert tab.editors["attribute_set_strategy"].edit.isReadOnly()
    assert tab.editors["order_number_format"].value() == ""
    assert tab.editors["order_number_format"].edit.placeholderText() == "{orderNumber}-{id}"
    assert tab.fi.value()["order"] == {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 3}
    assert tab.fi.value()["sent_to_remote"] == {"EXPIRATION_HOUR": 6}
    assert tab.fi.durations[("order", "RETRY_INTERVAL")].text() == "= 8 h"
    assert set(tab.flags.checks) == set(tab.flags.value()) and not any(tab.flags.value().values())
    deny = tab.editors["deny_reason_id"].combo
    assert [deny.itemData(i) for i in range(deny.count())] == [None, 61, 62, 63, 64, 81]
    types = tab.editors["cancellation_reason_type_id"].combo
    assert [types.itemData(i) for i in range(types.count())] == [None, 61, 62, 63, 64, 65]
    refund = tab.editors["refund_reason_id"].combo
    assert [refund.itemData(i) for i in range(refund.count())] == [None, 2, 3]
    assert tab.editors["app_secret"].is_masked()
    assert tab.secret_warning.isVisibleTo(tab) and "database" in tab.secret_warning.text()


def test_activation_refused_then_accepted(qtbot, tab, db):
    before = stored(db)
    errors = save(qtbot, tab, activate=True)
    assert {e.field for e in errors} == {"app_key", "app_secret", "category_ids", "deny_reason_id",
                                         "cancellation_reason_id", "refund_reason_id"}
    assert tab.field_error("app_key") == "App Key: is required"
    assert tab.field_error("category_ids") == "Category Ids: is required"
    assert "6 problems" in tab.problems.text() and tab.badge.text() == "Inactive"
    assert stored(db) == before and tab.events == []

    type_into(qtbot, tab.editors["app_key"].edit, "key-123")
    secret = tab.editors["app_secret"]
    type_into(qtbot, secret.edit, "gui-secret-9")
    assert secret.is_masked()
    click(qtbot, secret.reveal)
    assert not secret.is_masked()
    click(qtbot, secret.reveal)
    cats = tab.editors["category_ids"]
    for cid in ("1001770", "1002032"):
        qtbot.keyClicks(cats.entry, cid)
        click(qtbot, cats.add_btn)
    choose(tab.editors["deny_reason_id"], 81)
    choose(tab.editors["cancellation_reason_id"], 4)
    choose(tab.editors["refund_reason_id"], 2)
    assert tab.dirty_label.text() == "Unsaved changes"
    assert save(qtbot, tab, activate=True) == ()
    assert tab.badge.text() == "Active" and tab.activate_btn.text() == "Deactivate"
    assert tab.field_error("app_key") == "" and "Saved and activated" in tab.problems.text()
    assert tab.events == [None]
    with db.session_factory.begin() as s:
        cfg = load_config(s)
        assert cfg.is_active and cfg.app_key == "key-123" and cfg.app_secret == "gui-secret-9"
        assert cfg.category_ids == (1001770, 1002032) and cfg.get("deny_reason_id") == 81
        assert "gui-secret-9" not in export_settings(s)

    # while active, emptying a required field is refused and the channel stays as it was
    before = stored(db)
    tab.editors["app_key"].edit.clear()
    errors = save(qtbot, tab)
    assert [e.message for e in errors] == ["App Key: is required"]
    assert tab.field_error("app_key") == "App Key: is required"
    assert stored(db) == before
    # deactivate
    type_into(qtbot, tab.editors["app_key"].edit, "key-123")
    assert save(qtbot, tab, activate=True) == ()  # the button now deactivates
    assert tab.badge.text() == "Inactive"
    with db.session_factory.begin() as s:
        assert not load_config(s).is_active


def test_invalid_values_are_shown_next_to_their_field_and_not_saved(qtbot, tab, db):
    before = stored(db)
    type_into(qtbot, tab.editors["base_url"].edit, "api.n11.com")
    type_into(qtbot, tab.editors["order_number_format"].edit, "N11-{order}")
    tab.editors["exclude_cargo_company_ids"].list.addItem("x")  # bypasses the validator, like a pasted value
    errors = save(qtbot, tab)
    assert {e.field for e in errors} == {"base_url", "order_number_format", "exclude_cargo_company_ids"}
    assert "http(s) URL" in tab.field_error("base_url")
    assert "{order}" in tab.field_error("order_number_format")
    assert "item 1" in tab.field_error("exclude_cargo_company_ids")
    assert tab.field_error("sales_url") == ""
    assert stored(db) == before
    # fixing them saves
    type_into(qtbot, tab.editors["base_url"].edit, "https://api.n11.com/ws/")
    type_into(qtbot, tab.editors["order_number_format"].edit, "N11-{orderNumber}-{id}")
    tab.editors["exclude_cargo_company_ids"].set_value([132, 159])
    assert save(qtbot, tab) == ()
    assert tab.field_error("base_url") == ""
    with db.session_factory.begin() as s:
        cfg = load_config(s)
        assert cfg.order_number_format == "N11-{orderNumber}-{id}" and cfg.get("exclude_cargo_company_ids") == [132, 159]


def test_flag_needs_its_settings_before_it_can_be_switched_on(qtbot, tab, db):
    check = tab.flags.checks["get_cancellation_request"]
    assert "Needs first: Deny Reason Id" in tab.flags.hints["get_cancellation_request"].text()
    click(qtbot, check)
    assert not check.isChecked()
    assert tab.flags.hints["get_cancellation_request"].text() == \
        "Can't switch on get_cancellation_request: first set Deny Reason Id"
    click(qtbot, tab.flags.checks["get_orders"])
    assert not tab.flags.checks["get_orders"].isChecked()
    assert "Order Start Date" in tab.flags.hints["get_orders"].text()
    click(qtbot, tab.flags.checks["send_cancel_order_items"])
    assert "Cancellation Reason Type Id" in tab.flags.hints["send_cancel_order_items"].text()

    choose(tab.editors["deny_reason_id"], 62)
    assert tab.flags.hints["get_cancellation_request"].text() == ""
    click(qtbot, check)
    assert check.isChecked()
    date = tab.editors["order_start_date"]
    date.date.setDate(QDate(2023, 7, 30))
    assert date.value() == "30/07/2023"
    click(qtbot, tab.flags.checks["get_orders"])
    assert tab.flags.checks["get_orders"].isChecked(), tab.flags.hints["get_orders"].text()
    click(qtbot, tab.flags.checks["send_products_inserted"])  # empty Buffer Stock means none: allowed
    assert tab.flags.checks["send_products_inserted"].isChecked()
    assert save(qtbot, tab) == ()
    with db.session_factory.begin() as s:
        cfg = load_config(s)
        assert cfg.flag("get_cancellation_request") and cfg.flag("get_orders") and cfg.flag("send_products_inserted")
        assert not cfg.flag("send_cancel_order_items") and cfg.get("order_start_date") == "30/07/2023"


def test_every_data_type_in_custom_fields_and_bad_json(qtbot, tab, db):
    kinds = ["text", "integer", "bool", "list", "json", "url", "date", "email"]
    for kind in kinds:
        tab.custom.add_row(f"my_{kind}", f"My{kind.title()}", f"My {kind}", kind, False)
    form = tab.custom_form
    assert set(form.rows) == {f"my_{k}" for k in kinds}
    type_into(qtbot, form.editor("my_text").edit, "Store 7")
    form.editor("my_integer").spin.setValue(42)
    click(qtbot, form.editor("my_bool").check)
    qtbot.keyClicks(form.editor("my_list").entry, "alpha")
    click(qtbot, form.editor("my_list").add_btn)
    js = form.editor("my_json")
    js.text.setPlainText('{"erp": "SAP",')
    assert js.status.text().startswith("not valid JSON: line 1")
    type_into(qtbot, form.editor("my_url").edit, "https://erp.example.com/api")
    form.editor("my_date").date.setDate(QDate(2026, 12, 1))
    type_into(qtbot, form.editor("my_email").edit, "ops@example")

    before = stored(db)
    tab.show_errors(())
    click(qtbot, tab.save_btn)  # refused in the form itself: nothing is sent
    assert "not valid JSON" in tab.field_error("my_json") and "Not saved" in tab.problems.text()
    assert stored(db) == before
    js.text.setPlainText('{"erp": "SAP", "plant": 3}')
    assert js.status.text() == "Valid JSON"
    errors = save(qtbot, tab)
    assert [e.field for e in errors] == ["my_email"]
    assert "e-mail" in tab.field_error("my_email")
    assert stored(db) == before
    type_into(qtbot, form.editor("my_email").edit, "ops@example.com")
    assert save(qtbot, tab) == ()
    with db.session_factory.begin() as s:
        cfg = load_config(s)
        assert cfg.get("MyText") == "Store 7" and cfg.get("MyInteger") == 42 and cfg.get("MyBool") is True
        assert cfg.get("MyList") == ["alpha"] and cfg.get("MyJson") == {"erp": "SAP", "plant": 3}
        assert cfg.get("MyUrl") == "https://erp.example.com/api" and cfg.get("MyDate") == "01/12/2026"
        assert cfg.get("MyEmail") == "ops@example.com"
    # a user field may not reuse a built-in key; removing a field removes its value
    tab.custom.add_row("dup", "app_key", "Dup", "text", False)
    errors = save(qtbot, tab)
    assert any("already used" in e.message for e in errors) and tab.schema_error.isVisibleTo(tab)
    entry = tab.custom.rows[-1]
    tab.custom._remove(entry)
    tab.custom._remove(tab.custom.rows[0])  # my_text
    assert save(qtbot, tab) == ()
    with db.session_factory.begin() as s:
        assert load_config(s).get("MyText") is None


def test_cancellation_map_and_reasons(qtbot, tab, db):
    reasons = tab.reasons
    click(qtbot, reasons.add_btn)
    _, spin, name, rtype, active = reasons.rows[-1]
    assert spin.value() == 8
    qtbot.keyClicks(name, "Address not found")
    cm = tab.cancel_map
    click(qtbot, cm.add_btn)
    edit, combo = cm.rows[-1][1], cm.rows[-1][2]
    qtbot.keyClicks(edit, "501")
    choose(combo, 8)
    assert save(qtbot, tab) == ()
    with db.session_factory.begin() as s:
        assert load_config(s).get("cancellation_map") == {"501": "8"}
    # a map row without a local reason is caught in the form
    click(qtbot, cm.add_btn)
    qtbot.keyClicks(cm.rows[-1][1], "551")
    before = stored(db)
    click(qtbot, tab.save_btn)
    assert "551" in tab.field_error("cancellation_map") and stored(db) == before


def test_cancellation_map_takes_codes_and_offers_a_picker(qtbot, tab, db):
    cm = tab.cancel_map
    click(qtbot, cm.add_btn)
    _, edit, combo = cm.rows[-1]
    menu = edit.picker.menu()
    labels = [a.text() for a in menu.actions()]
    assert any(t.startswith("VAZGECTIM") for t in labels) and any(t.startswith("61") for t in labels)
    pick = next(a for a in menu.actions() if a.data() == "VAZGECTIM")
    pick.trigger()
    assert edit.text() == "VAZGECTIM"
    choose(combo, 4)
    assert save(qtbot, tab) == ()
    with db.session_factory.begin() as s:
        assert load_config(s).get("cancellation_map") == {"VAZGECTIM": "4"}


def test_web_hook_token_is_generated_copied_and_kept_out_of_exports(qtbot, tab, db):
    from PySide6.QtGui import QGuiApplication

    from n11_desktop.core.settings import export_settings

    token = tab.webhook_token
    click(qtbot, token.generate_btn)
    value = token.value()
    assert len(value) >= 40 and value != ""
    click(qtbot, token.copy_btn)
    assert QGuiApplication.clipboard().text() == value
    assert save(qtbot, tab) == ()
    with db.session_factory.begin() as s:
        cfg = load_config(s)
        assert cfg.get("oms_webhook_token") == value and cfg.get("oms_webhook_port") == 8765
        assert value not in export_settings(s) and value in export_settings(s, include_secret=True)


def test_import_and_export_through_the_dialogs(qtbot, tab, db, tmp_path, monkeypatch):
    out = tmp_path / "settings.json"
    monkeypatch.setattr(SettingsTab, "ask_export_path", classmethod(lambda cls, parent: str(out)))
    monkeypatch.setattr(SettingsTab, "ask_include_secret", classmethod(lambda cls, parent: False))
    click(qtbot, tab.export_btn)
    qtbot.waitUntil(lambda: "Exported" in tab.problems.text(), timeout=10_000)
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert "app_secret" not in doc["conf"] and doc["is_active"] is False

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"conf": {"buffer_stock": -5, "order_start_date": "2023-07-30"}}), encoding="utf-8")
    monkeypatch.setattr(SettingsTab, "ask_import_path", classmethod(lambda cls, parent: str(bad)))
    before = stored(db)
    with qtbot.waitSignal(tab.saved, timeout=10_000) as blocker:
        click(qtbot, tab.import_btn)
    assert len(blocker.args[0]) == 2
    assert "negative" in tab.field_error("buffer_stock") and "dd/MM/yyyy" in tab.field_error("order_start_date")
    assert "bad.json was not imported, nothing changed" in tab.problems.text()
    assert stored(db) == before

    doc["conf"].update(buffer_stock=4, erp_code="4000")
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc), encoding="utf-8")
    monkeypatch.setattr(SettingsTab, "ask_import_path", classmethod(lambda cls, parent: str(good)))
    with qtbot.waitSignal(tab.saved, timeout=10_000):
        click(qtbot, tab.import_btn)
    assert tab.editors["buffer_stock"].value() == 4 and tab.editors["erp_code"].value() == "4000"
    assert tab.field_error("buffer_stock") == ""


def test_test_connection_against_the_sandbox(qtbot, tab, sandbox):
    from n11_desktop.sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET

    type_into(qtbot, tab.editors["base_url"].edit, sandbox.base_url)
    type_into(qtbot, tab.editors["app_key"].edit, DEMO_APP_KEY)
    type_into(qtbot, tab.editors["app_secret"].edit, DEMO_APP_SECRET)
    with qtbot.waitSignal(tab.connection_tested, timeout=20_000) as blocker:
        click(qtbot, tab.test_btn)
    assert blocker.args[0] is True, blocker.args
    assert tab.test_result.text().startswith("✓ Connected")

    type_into(qtbot, tab.editors["app_secret"].edit, "wrong-secret")
    with qtbot.waitSignal(tab.connection_tested, timeout=20_000) as blocker:
        click(qtbot, tab.test_btn)
    ok, message = blocker.args
    assert ok is False and "credentials" in message
    assert tab.test_result.text() == f"✗ {message}"
    assert "wrong-secret" not in message

    # a Base Url whose path leads nowhere on N11: one line naming the Base Url, not an outage
    type_into(qtbot, tab.editors["app_secret"].edit, DEMO_APP_SECRET)
    type_into(qtbot, tab.editors["base_url"].edit, sandbox.url + "/gateway/")
    with qtbot.waitSignal(tab.connection_tested, timeout=20_000) as blocker:
        click(qtbot, tab.test_btn)
    ok, message = blocker.args
    assert ok is False and "Base Url" in message and "\n" not in message
    assert sandbox.state.requests_log[-1]["path"] == "/gateway/shipmentCompanyService/"

    tab.editors["app_key"].edit.clear()
    with qtbot.waitSignal(tab.connection_tested, timeout=20_000) as blocker:
        click(qtbot, tab.test_btn)
    assert blocker.args[0] is False and "app_key" in blocker.args[1]


def test_settings_changed_elsewhere_are_shown(qtbot, tab, db):
    from n11_desktop.core.settings import save_settings

    with db.session_factory.begin() as s:
        assert save_settings(s, {"erp_code": "7000"}) == []
    with qtbot.waitSignal(tab.loaded, timeout=10_000):
        tab.services.emit("settings_changed")
    assert tab.editors["erp_code"].value() == "7000"


def test_every_built_in_field_has_its_editor_on_the_form(tab):
    """The form is generated from the schema: each built-in field has a row (label with its key and
    type), and the editor follows the schema's data type."""
    from n11_desktop.core.settings.schema import BUILTIN_FIELDS, INTEGER_RANGES, SECRET_FIELDS, default_schema
    from n11_desktop.views.forms import BoolEditor, DateEditor, IntegerEditor, ListEditor, SecretEditor

    assert set(BUILTIN_FIELDS) <= set(tab.rows)
    kinds = {"bool": BoolEditor, "date": DateEditor, "list": ListEditor}
    for fid, entry in default_schema().items():
        editor = tab.editors[fid]
        if fid in SECRET_FIELDS:
            assert isinstance(editor, SecretEditor), fid
        elif fid in INTEGER_RANGES:
            high = INTEGER_RANGES[fid][1]
            assert isinstance(editor, IntegerEditor) and editor.spin.specialValueText().startswith("default ("), fid
            assert high is None or editor.spin.maximum() == high, fid
        elif entry["data_type"] in kinds:
            assert isinstance(editor, kinds[entry["data_type"]]), fid
    assert tab._field_groups()[-1][0] != "Other settings"  # every built-in field has its group
