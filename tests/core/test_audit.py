"""The audit trail and the optimistic version check (issue 16): who changed a setting or a
mapping and when; an edit based on data someone else changed since is refused, not applied."""

from __future__ import annotations

import json

import pytest

from n11_desktop.core import audit
from n11_desktop.core.mapping.store import clear_category_mapping, set_category_mapping
from n11_desktop.core.settings import load_settings, save_settings

from .mapping_fixtures import load_tree

SNEAKER, TSHIRT = 1214202, 1001915


@pytest.fixture(autouse=True)
def _operator(monkeypatch):
    monkeypatch.delenv(audit.OPERATOR_ENV, raising=False)
    yield
    audit.set_operator(None)


def _history(db, area=None):
    with db.session_factory() as s:
        return audit.history(s, area)


@pytest.mark.both_engines
def test_a_settings_save_records_who_changed_what_and_never_a_secret(db):
    audit.set_operator("ayse@ofis-1")
    with db.session_factory.begin() as s:
        assert save_settings(s, {"buffer_stock": 3, "app_secret": "s3cret-value", "app_key": "key-1"}) == []
    with db.session_factory.begin() as s:
        assert save_settings(s, {"buffer_stock": 3}) == []  # nothing changed: nothing recorded
    rows = _history(db, "settings")
    assert len(rows) == 1
    row = rows[0]
    assert row.operator == "ayse@ofis-1" and row.action == "save" and row.object_key == "channel"
    assert "buffer_stock: (empty) → 3" in row.detail and "app_secret changed" in row.detail
    assert "app_key: (empty) → key-1" in row.detail
    assert "s3cret-value" not in row.detail


def test_the_operator_defaults_to_user_at_host(db, monkeypatch):
    from n11_desktop.core.instance import this_host

    monkeypatch.setattr("n11_desktop.core.instance.this_user", lambda: "mehmet")
    assert audit.operator_name() == f"mehmet@{this_host()}"
    monkeypatch.setenv(audit.OPERATOR_ENV, "Depo ekibi")
    assert audit.operator_name() == "Depo ekibi"


@pytest.mark.both_engines
def test_a_settings_save_based_on_an_older_version_is_refused(db):
    """Two operators load the form; the second save would silently overwrite the first."""
    with db.session_factory() as s:
        first = load_settings(s)  # operator A's form
        second = load_settings(s)  # operator B's form
    assert first.version == second.version
    audit.set_operator("b@ofis-2")
    with db.session_factory.begin() as s:
        assert save_settings(s, {"buffer_stock": 7}, expected_version=second.version) == []
    audit.set_operator("a@ofis-1")
    with db.session_factory.begin() as s:
        errors = save_settings(s, {"buffer_stock": 2}, expected_version=first.version)
    assert len(errors) == 1 and errors[0].field == "version"
    assert "changed by b@ofis-2 at " in errors[0].message and "reload" in errors[0].message
    with db.session_factory() as s:
        fresh = load_settings(s)
    assert fresh.conf["buffer_stock"] == 7  # B's change stands
    with db.session_factory.begin() as s:  # A reloads and saves again: accepted
        assert save_settings(s, {"buffer_stock": 2}, expected_version=fresh.version) == []
    assert [r.operator for r in _history(db, "settings")] == ["a@ofis-1", "b@ofis-2"]


@pytest.mark.both_engines
def test_a_mapping_edit_on_a_row_someone_else_changed_is_refused(db):
    load_tree(db)
    with db.session_factory() as s:
        loaded = audit.version(s, "mapping")  # both Mappers load the mapping at this version
    audit.set_operator("b@ofis-2")
    with db.session_factory.begin() as s:
        audit.expect_version(s, "mapping", loaded)
        set_category_mapping(s, "Giyim > Tişört", TSHIRT)
    audit.set_operator("a@ofis-1")
    with pytest.raises(audit.StaleEdit) as exc, db.session_factory.begin() as s:
        audit.expect_version(s, "mapping", loaded)
        set_category_mapping(s, "Giyim>Tişört", SNEAKER, replace=True)
    assert "the mapping of category:Giyim > Tişört changed by b@ofis-2" in str(exc.value)
    with db.session_factory.begin() as s:  # another row changed meanwhile does not conflict
        audit.expect_version(s, "mapping", loaded)
        assert set_category_mapping(s, "Ayakkabı > Spor", SNEAKER).action == "added"
    with db.session_factory.begin() as s:  # without an expected version (CLI, imports) nothing is refused
        assert set_category_mapping(s, "Giyim > Tişört", SNEAKER, replace=True).action == "updated"
        assert clear_category_mapping(s, "Ayakkabı > Spor").action == "removed"
    rows = _history(db, "mapping")
    assert [(r.operator, r.action, r.object_key) for r in rows] == [
        ("a@ofis-1", "category removed", "category:Ayakkabı > Spor"),
        ("a@ofis-1", "category updated", "category:Giyim > Tişört"),
        ("a@ofis-1", "category added", "category:Ayakkabı > Spor"),
        ("b@ofis-2", "category added", "category:Giyim > Tişört"),
    ]


def test_audit_command_lists_the_trail(db_target, capsys, monkeypatch):
    from n11_desktop.cli import main

    db_file = db_target  # an SQLite file, or a PostgreSQL URL
    monkeypatch.setenv(audit.OPERATOR_ENV, "cli-operator")
    assert main(["--db", str(db_file), "settings", "deactivate"]) in (0, 1)
    assert main(["--db", str(db_file), "mapping", "term", "add", "Smartwatch", "Akıllı Saat"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_file), "audit", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows[0]["operator"] == "cli-operator" and rows[0]["action"] == "term set"
    assert rows[0]["area"] == "mapping" and "Akıllı Saat" in rows[0]["detail"]
    assert main(["--db", str(db_file), "audit", "--area", "settings"]) == 0
    out = capsys.readouterr().out
    assert "term set" not in out and out.splitlines()[0].startswith("when (UTC)")
    # in Turkish the action, object kind and area read in Turkish; the stored values stay neutral
    assert main(["--lang", "tr", "--db", str(db_file), "audit"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "cli-operator" in line and "Akıllı Saat" in line)
    assert "terim ayarlandı" in row and "terim:smartwatch" in row and "eşleştirme" in row
    assert "term set" not in out and "ne değişti" in out.splitlines()[0]
    assert main(["--db", str(db_file), "audit", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["action"] == "term set"


def test_schedule_changes_are_in_the_trail_without_touching_the_settings_version(db):
    from n11_desktop.core.schedules import reset_schedule, set_schedule

    audit.set_operator("a@ofis-1")
    with db.session_factory() as s:
        loaded = load_settings(s)
    with db.session_factory.begin() as s:
        set_schedule(s, "stock", every="7m")
        set_schedule(s, "stock", every="7m")  # the same again: nothing to record
        reset_schedule(s, "stock")
    rows = _history(db, "schedules")
    assert [(r.action, r.object_key) for r in rows] == [("schedule reset", "schedule:stock"),
                                                        ("schedule set", "schedule:stock")]
    assert "every 7 min" in rows[1].detail
    with db.session_factory.begin() as s:  # a schedule change does not make a settings form stale
        assert save_settings(s, {"buffer_stock": 1}, expected_version=loaded.version) == []


def test_command_line_imports_are_versions_a_stale_screen_edit_cannot_overwrite(db_target, tmp_path, capsys,
                                                                                 monkeypatch):
    """`settings import` and `mapping import` are recorded with their operator, and an edit a screen
    based on what it loaded before the import is refused instead of silently undoing the import."""
    from n11_desktop.cli import main
    from n11_desktop.core.storage.db import open_database

    db_file = db_target  # an SQLite file, or a PostgreSQL URL
    db = open_database(db_file)
    try:
        load_tree(db)
        with db.session_factory() as s:
            form = load_settings(s)  # a Channel Settings screen open on a workstation
            mapper = audit.version(s, "mapping")  # a Mapper open on another one
        monkeypatch.setenv(audit.OPERATOR_ENV, "depo@sunucu")
        settings_file = tmp_path / "settings.json"
        settings_file.write_text(json.dumps({"conf": {"buffer_stock": 9}}), encoding="utf-8")
        assert main(["--db", str(db_file), "settings", "import", str(settings_file)]) == 0
        mapping_file = tmp_path / "mapping.csv"
        mapping_file.write_text(f"kind,local,n11_id,category_id\ncategory,Giyim > Tişört,{TSHIRT},\n",
                                encoding="utf-8")
        assert main(["--db", str(db_file), "mapping", "import", str(mapping_file)]) == 0
        monkeypatch.delenv(audit.OPERATOR_ENV)
        audit.set_operator("a@ofis-1")
        with db.session_factory.begin() as s:
            errors = save_settings(s, {"buffer_stock": 2}, expected_version=form.version)
        assert len(errors) == 1 and "changed by depo@sunucu" in errors[0].message and "(import)" in errors[0].message
        with pytest.raises(audit.StaleEdit) as exc, db.session_factory.begin() as s:
            audit.expect_version(s, "mapping", mapper)
            set_category_mapping(s, "Giyim > Tişört", SNEAKER, replace=True)
        assert "changed by depo@sunucu" in str(exc.value)
        with db.session_factory() as s:
            assert load_settings(s).conf["buffer_stock"] == 9  # the import stands
        rows = [(r.operator, r.area, r.action, r.object_key) for r in _history(db)]
        assert rows[:3] == [("depo@sunucu", "mapping", "mapping import", "file:mapping.csv"),
                            ("depo@sunucu", "mapping", "category added", "category:Giyim > Tişört"),
                            ("depo@sunucu", "settings", "import", "channel")]
    finally:
        db.dispose()
    capsys.readouterr()
    assert main(["--lang", "tr", "--db", str(db_file), "audit", "--limit", "1"]) == 0
    assert "eşleştirme içe aktarma" in capsys.readouterr().out  # "mapping import", "file:mapping.csv"
