"""Schedules the operator can change (seed §9): bounds, Istanbul daily times, the scheduler uses them, CLI."""

from __future__ import annotations

import json
import os
import time
from datetime import datetime, timedelta

import pytest

from n11_desktop.cli import main
from n11_desktop.core.flows.base import SPECS
from n11_desktop.core.schedule import FlowHistory, ScheduleInputs, due_at, next_daily
from n11_desktop.core.schedule_facts import read_inputs
from n11_desktop.core.schedules import ScheduleError, reset_schedule, set_schedule
from n11_desktop.core.storage.db import open_database


@pytest.mark.parametrize("every, field", [("30s", "interval"), ("0", "interval"), ("8d", "interval"),
                                          ("soon", "interval"), ("10081m", "interval")])
def test_out_of_bounds_intervals_are_refused_naming_the_field(db, every, field):
    with db.session_factory.begin() as s, pytest.raises(ScheduleError) as exc:
        set_schedule(s, "stock", every=every)
    assert str(exc.value).startswith(f"{field}: ")
    with db.session_factory() as s:
        assert read_inputs(db).overrides == {}


@pytest.mark.parametrize("at", ["24:00", "7", "12:60", "noon"])
def test_bad_daily_times_are_refused_naming_the_field(db, at):
    with db.session_factory.begin() as s, pytest.raises(ScheduleError, match="^daily time: "):
        set_schedule(s, "category_node", daily_at=at)


def test_the_scheduler_uses_the_operators_schedule(db):
    t0 = datetime(2026, 12, 4, 9, 0)
    with db.session_factory.begin() as s:
        set_schedule(s, "stock", every="10m")
        set_schedule(s, "price", daily_at="21:30")
    inputs = read_inputs(db)
    hist = {"stock": FlowHistory(last_start=t0), "price": FlowHistory(last_start=t0)}
    from dataclasses import replace

    inputs = replace(inputs, history=hist)
    assert due_at(SPECS["stock"], inputs) == t0 + timedelta(minutes=10)
    # 21:30 in Istanbul (UTC+3) is 18:30 UTC, whatever this computer's zone
    assert due_at(SPECS["price"], inputs) == datetime(2026, 12, 4, 18, 30)
    with db.session_factory.begin() as s:
        assert reset_schedule(s, "stock") == 1
    inputs = replace(read_inputs(db), history=hist)
    assert due_at(SPECS["stock"], inputs) == t0 + timedelta(minutes=1)


def test_daily_times_are_istanbul_whatever_the_pcs_zone(monkeypatch):
    if not hasattr(time, "tzset"):
        pytest.skip("needs time.tzset")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert next_daily(datetime(2026, 7, 1, 0, 0), "06:00", None) == datetime(2026, 7, 1, 3, 0)
        spec = SPECS["get_updated_orders"]
        inputs = ScheduleInputs(is_active=True, history={spec.slug: FlowHistory(last_start=datetime(2026, 1, 5, 4))})
        assert due_at(spec, inputs) == datetime(2026, 1, 6, 3, 0)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_schedule_cli_list_set_reset(db_target, capsys):
    path = str(db_target)  # an SQLite file, or a PostgreSQL URL
    open_database(path).dispose()
    assert main(["--db", path, "schedule", "set", "remote_sync", "30m"]) == 0
    assert "remote_sync: every 30 min" in capsys.readouterr().out
    assert main(["--db", path, "schedule", "set", "compare_attributes", "--daily", "05:15"]) == 0
    assert main(["--db", path, "schedule", "set", "stock", "20s"]) == 1
    assert capsys.readouterr().err.strip() == \
        "n11-desktop schedule set: interval: '20s' is under the minimum of 1 minute"
    assert main(["--db", path, "schedule", "set", "stock", "9d"]) == 1
    assert "interval: '9d' is over the maximum of 7 days" in capsys.readouterr().err
    assert main(["--db", path, "schedule", "list", "--json"]) == 0
    rows = {r["slug"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["remote_sync"]["changed"] and rows["remote_sync"]["interval_s"] == 1800
    assert rows["remote_sync"]["default"].startswith("every 15 min")
    assert rows["compare_attributes"]["current"] == "daily 05:15 (Istanbul)"
    assert not rows["stock"]["changed"]
    assert main(["--db", path, "flow", "list"]) == 0
    assert "every 30 min" in capsys.readouterr().out
    assert main(["--db", path, "schedule", "reset", "--all"]) == 0
    assert "2 schedule(s) back to the default" in capsys.readouterr().out
    assert main(["--db", path, "schedule", "set", "split_packages", "5m"]) == 1
    assert "flow: split_packages runs on the OMS web hook" in capsys.readouterr().err
    assert main(["--db", path, "schedule", "set", "nope", "5m"]) == 1
    assert "flow: unknown flow 'nope'" in capsys.readouterr().err
    assert "://" in path or os.path.exists(path)


def test_settings_show_export_and_import_carry_the_schedules(db_target, other_db_target, tmp_path, capsys):
    """Seed §9 frequencies belong to the channel's settings too: `settings show` lists the changed
    ones, the settings file carries them, and an import validates them like `schedule set`."""
    src, dst = str(db_target), str(other_db_target)  # two files, or two PostgreSQL schemas
    open_database(src).dispose()
    open_database(dst).dispose()
    assert main(["--db", src, "settings", "show"]) == 0
    assert "every flow on its default" in capsys.readouterr().out
    assert main(["--db", src, "schedule", "set", "stock", "10m"]) == 0
    assert main(["--db", src, "schedule", "set", "compare_attributes", "--daily", "05:15"]) == 0
    capsys.readouterr()
    assert main(["--db", src, "settings", "show"]) == 0
    out = capsys.readouterr().out
    assert "Schedules changed from the default (2;" in out
    assert "(stock): every 10 min" in out and "daily 05:15 (Istanbul)" in out

    exported = tmp_path / "settings.json"
    assert main(["--db", src, "settings", "export", str(exported)]) == 0
    doc = json.loads(exported.read_text(encoding="utf-8"))
    assert doc["schedules"] == {"compare_attributes": {"daily_at": "05:15"}, "stock": {"interval_s": 600}}
    assert main(["--db", dst, "settings", "import", str(exported)]) == 0
    capsys.readouterr()
    assert main(["--db", dst, "schedule", "list", "--json"]) == 0
    rows = {r["slug"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["stock"]["interval_s"] == 600 and rows["compare_attributes"]["daily_at"] == "05:15"

    # a bad schedule in the file: named, and nothing in the file is applied
    doc["schedules"] = {"stock": None, "price": {"every": "20s"}}
    doc["conf"]["buffer_stock"] = 7
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["--db", dst, "settings", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "Schedules (schedules.price): interval: '20s' is under the minimum of 1 minute" in err
    assert main(["--db", dst, "schedule", "list", "--json"]) == 0
    rows = {r["slug"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["stock"]["interval_s"] == 600 and not rows["price"]["changed"]
    # null puts a flow back on its default
    doc["schedules"] = {"stock": None}
    bad.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["--db", dst, "settings", "import", str(bad)]) == 0
    capsys.readouterr()
    assert main(["--db", dst, "schedule", "list", "--json"]) == 0
    rows = {r["slug"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert not rows["stock"]["changed"] and rows["compare_attributes"]["changed"]
