"""The "Sending (n11-desktop)" built-in settings: queue_page_size, queue_max_tasks,
guard_price_drop_pct, guard_stock_jump (defaults, validation, old databases, files)."""

from __future__ import annotations

import json

import pytest

from n11_desktop.cli import main
from n11_desktop.core.settings import ensure_channel, export_settings, load_config
from n11_desktop.core.settings.defaults import default_conf
from n11_desktop.core.settings.schema import SENDING_FIELDS, SENDING_GROUP, default_schema
from n11_desktop.core.settings.store import load_settings
from n11_desktop.core.settings.validation import validate
from n11_desktop.core.storage.db import open_database

from .test_settings import _import, _save

DEFAULTS = {"queue_page_size": 1000, "queue_max_tasks": 100, "guard_price_drop_pct": 50, "guard_stock_jump": 1000}


def test_defaults_are_optional_fields_after_the_seed_fields():
    schema, conf = default_schema(), default_conf()
    assert list(schema)[-4:] == list(SENDING_FIELDS) == list(DEFAULTS)
    assert all(not schema[f]["required"] and schema[f]["data_type"] == "integer" for f in SENDING_FIELDS)
    assert {f: conf[f] for f in SENDING_FIELDS} == DEFAULTS
    assert SENDING_GROUP == "Sending (n11-desktop)"
    assert validate(schema, conf) == []


@pytest.mark.parametrize("field, value, message", [
    ("queue_page_size", 0, "Queue Page Size: must be between 1 and 1000, got 0"),
    ("queue_page_size", 1001, "Queue Page Size: must be between 1 and 1000, got 1001"),
    ("queue_page_size", "many", "Queue Page Size: must be a whole number"),
    ("queue_max_tasks", 0, "Queue Max Tasks: must be between 1 and 1000, got 0"),
    ("guard_price_drop_pct", 101, "Guard: Price Drop %: must be between 1 and 100, got 101"),
    ("guard_stock_jump", 0, "Guard: Stock Jump: must be 1 or more, got 0"),
    ("guard_stock_jump", True, "Guard: Stock Jump: must be a whole number"),
])
def test_bad_values_are_refused_naming_the_field_and_change_nothing(db, field, value, message):
    before = export_settings_of(db)
    errors = _save(db, {field: value})
    assert [e.field for e in errors] == [field] and errors[0].message.startswith(message)
    assert export_settings_of(db) == before


def export_settings_of(db):
    with db.session_factory() as s:
        return export_settings(s)


def test_values_saved_are_read_by_the_flows_and_empty_means_default(db):
    assert _save(db, {"queue_page_size": "250", "queue_max_tasks": 3, "guard_price_drop_pct": 20,
                      "guard_stock_jump": 5}) == []
    with db.session_factory() as s:
        cfg = load_config(s)
        assert [cfg.get(f) for f in SENDING_FIELDS] == [250, 3, 20, 5]
    assert _save(db, {"queue_page_size": None, "guard_stock_jump": ""}) == []
    with db.session_factory() as s:
        assert load_config(s).get("queue_page_size") == 1000 and load_config(s).get("guard_stock_jump") == 1000


def test_a_database_from_before_these_fields_loads_them_with_defaults(db):
    with db.session_factory.begin() as s:  # what an older version stored: the seed fields only
        ch = ensure_channel(s)
        ch.schema_type = {k: v for k, v in default_schema().items() if k not in SENDING_FIELDS}
        ch.conf = {k: v for k, v in ch.conf.items() if k not in SENDING_FIELDS}
    with db.session_factory() as s:
        snap = load_settings(s)
        assert {f: snap.conf[f] for f in SENDING_FIELDS} == DEFAULTS
        assert all(f in snap.schema for f in SENDING_FIELDS)
        assert {f: load_config(s).get(f) for f in SENDING_FIELDS} == DEFAULTS
        doc = json.loads(export_settings(s))
    assert {f: doc["conf"][f] for f in SENDING_FIELDS} == DEFAULTS and set(SENDING_FIELDS) <= set(doc["schema_type"])
    assert _save(db, {"queue_max_tasks": 7}) == []  # and it saves
    with db.session_factory() as s:
        assert load_config(s).get("queue_max_tasks") == 7
        assert set(SENDING_FIELDS) <= set(ensure_channel(s).schema_type)


def test_export_import_round_trip(db, other_db_target):
    assert _save(db, {"queue_page_size": 500, "guard_price_drop_pct": 30}) == []
    text = export_settings_of(db)
    other = open_database(other_db_target)  # of the same engine as db
    try:
        assert _import(other, text) == []
        with other.session_factory() as s:
            assert export_settings(s) == text  # byte-identical
            assert load_config(s).get("queue_page_size") == 500
        bad = json.loads(text)
        bad["conf"]["queue_page_size"] = 5000
        errors = _import(other, json.dumps(bad))
        assert [e.message for e in errors] == ["Queue Page Size: must be between 1 and 1000, got 5000"]
        with other.session_factory() as s:
            assert load_config(s).get("queue_page_size") == 500
    finally:
        other.dispose()


def test_cli_import_refuses_an_out_of_range_value(db, tmp_path, capsys):
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"conf": {"queue_max_tasks": 0}}), encoding="utf-8")
    assert main(["--db", db.target(), "settings", "import", str(f)]) == 1
    assert "Queue Max Tasks: must be between 1 and 1000, got 0" in capsys.readouterr().err
    f.write_text(json.dumps({"conf": {"queue_max_tasks": 12}}), encoding="utf-8")
    assert main(["--db", db.target(), "settings", "import", str(f)]) == 0
    capsys.readouterr()
    assert main(["--db", db.target(), "settings", "show"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("Queue Max Tasks"))
    assert line.split()[-1] == "12" and "queue_max_tasks" in line
