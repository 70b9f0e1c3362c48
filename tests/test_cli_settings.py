"""``n11-desktop settings show|import|export|activate|deactivate`` (DESIGN §9)."""

from __future__ import annotations

import json

import pytest

from n11_desktop.cli import main
from n11_desktop.core.settings import secrets


@pytest.fixture(autouse=True)
def _db_secret_store(monkeypatch):
    monkeypatch.setenv(secrets.ENV, "none")


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.both_engines
def test_settings_cli_end_to_end(tmp_path, capsys, db_target):
    dbp = str(db_target)  # an SQLite file, or a postgresql+psycopg:// URL
    code, out, err = run(capsys, "--db", dbp, "settings", "show")
    assert code == 0 and "inactive" in out and "Base Url *" in out and "https://api.n11.com/ws/" in out
    assert "Not ready to activate" in out and "App Key: is required" in out

    code, out, err = run(capsys, "--db", dbp, "settings", "activate")
    assert code == 1 and "not activated" in err and "  - Category Ids: is required" in err

    good = {"conf": {"app_key": "k", "app_secret": "cli-secret-1", "category_ids": [1001770], "deny_reason_id": 81,
                     "cancellation_reason_id": 4, "refund_reason_id": 2, "buffer_stock": 3},
            "is_active": True}
    (tmp_path / "good.json").write_text(json.dumps(good), encoding="utf-8")
    code, out, err = run(capsys, "--db", dbp, "settings", "import", str(tmp_path / "good.json"))
    assert (code, err) == (0, "")

    code, out, err = run(capsys, "--db", dbp, "settings", "show")
    assert code == 0 and "): active" in out and "cli-secret-1" not in out and "********" in out

    code, out, err = run(capsys, "--db", dbp, "settings", "export", str(tmp_path / "out.json"))
    assert code == 0
    exported = (tmp_path / "out.json").read_text(encoding="utf-8")
    assert "cli-secret-1" not in exported and json.loads(exported)["conf"]["buffer_stock"] == 3
    code, out, err = run(capsys, "--db", dbp, "settings", "export", "-", "--include-secret")
    assert json.loads(out)["conf"]["app_secret"] == "cli-secret-1"

    bad = {"conf": {"buffer_stock": -2, "order_start_date": "2023-07-30", "feature_flags": {"nope": True}}}
    (tmp_path / "bad.json").write_text(json.dumps(bad), encoding="utf-8")
    code, out, err = run(capsys, "--db", dbp, "settings", "import", str(tmp_path / "bad.json"))
    assert code == 1
    assert "nothing changed (3 problems)" in err
    assert "Buffer Stock: must not be negative" in err and "Order Start Date" in err and "'nope'" in err
    assert "Traceback" not in err
    code, out, err = run(capsys, "--db", dbp, "settings", "export", str(tmp_path / "again.json"))
    assert (tmp_path / "again.json").read_text(encoding="utf-8") == exported  # nothing changed, byte-identical

    code, out, err = run(capsys, "--db", dbp, "settings", "import", str(tmp_path / "missing.json"))
    assert code == 1 and "cannot read" in err

    code, out, err = run(capsys, "--db", dbp, "settings", "deactivate")
    assert code == 0
    code, out, err = run(capsys, "--db", dbp, "settings", "show", "--json")
    assert json.loads(out)["is_active"] is False


def test_settings_cli_usage_error(tmp_path, capsys):
    code, out, err = run(capsys, "--db", str(tmp_path / "u.db"), "settings", "frobnicate")
    assert code == 2 and "invalid choice" in err
