"""Every door (issue 20): the hostile inputs an attacker or a new user tried, as regression cases.

Doors: command-line arguments, ``--db``, catalog files (CSV/XLSX), mapping files, the penalty
CSV, settings files, the OMS web hook, and what we export for a spreadsheet. Each case is
either refused with one line naming the problem (exit 1 or 2, database unchanged) or handled
correctly. The property-based side is in ``test_fuzz_doors.py``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from n11_desktop import cli
from n11_desktop.core.storage.db import APPLICATION_ID

from .conftest import count
from .test_bad_inputs import _changed, _one_clear_message, fingerprint

pytestmark = pytest.mark.resilience

HUGE = "9" * 5000


def _refused(code: int, err: str) -> str | None:
    """None when (code, err) is a clear refusal: exit 1 or 2 and exactly one clear line."""
    if code not in (1, 2):
        return f"exit {code}"
    if (why := _one_clear_message(err)) is not None:
        return why
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    if len(lines) != 1:
        return f"{len(lines)} lines"
    if len(lines[0]) > 600:
        return f"a line of {len(lines[0])} characters"
    return None


# ----------------------------------------------------------------------------- command-line arguments
CLI_ARGS = [
    ("products list --limit HUGE", ["products", "list", "--limit", HUGE], "--limit"),
    ("products list --limit -1", ["products", "list", "--limit", "-1"], "--limit"),
    ("products set-category HUGE", ["products", "set-category", "SKU-1", HUGE], "CATEGORY_ID"),
    ("products set-category 1e5", ["products", "set-category", "SKU-1", "1e5"], "CATEGORY_ID"),
    ("mapping suggest --limit HUGE", ["mapping", "suggest", "--limit", HUGE], "--limit"),
    ("orders list --limit HUGE", ["orders", "list", "--limit", HUGE], "--limit"),
    ("orders webhook --port 99999", ["orders", "webhook", "--port", "99999"], "--port"),
    ("orders webhook --port 8O", ["orders", "webhook", "--port", "8O"], "--port"),
    ("orders webhook --oms-channel-id HUGE", ["orders", "webhook", "--oms-channel-id", HUGE], "--oms-channel-id"),
    ("run --workers 0", ["run", "--workers", "0"], "--workers"),
    ("run --stop-timeout nan", ["run", "--stop-timeout", "nan"], "--stop-timeout"),
    ("run --stop-timeout 1e999", ["run", "--stop-timeout", "1e999"], "--stop-timeout"),
    ("bench --size HUGE", ["bench", "--size", HUGE], "--size"),
]


@pytest.mark.parametrize("name,args,names", CLI_ARGS, ids=[c[0] for c in CLI_ARGS])
def test_bad_arguments_are_one_line_usage_errors(tmp_path, capsys, name, args, names):
    db_path = tmp_path / "test.db"
    code = cli.main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    assert code == 2, (code, err)
    assert _refused(code, err) is None, err
    assert names in err
    assert HUGE not in err, "the whole 5000-digit value was echoed back"
    assert not db_path.exists(), "a refused command line must not even create the database"
    count("bad inputs: command-line arguments (refused)")


def test_sandbox_port_out_of_range_is_a_usage_error(capsys):
    assert cli.main(["sandbox", "--port", "99999"]) == 2
    assert "--port" in capsys.readouterr().err


def test_settings_show_into_a_closed_pipe_is_quiet(tmp_path):
    """``settings show | head -1`` prints its line and no BrokenPipeError."""
    db_path = tmp_path / "test.db"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    assert subprocess.run([sys.executable, "-m", "n11_desktop", "--db", str(db_path), "settings", "show"],
                          capture_output=True, env=env, timeout=120).returncode == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`head`) has gone before we write a byte
    try:
        proc = subprocess.run([sys.executable, "-m", "n11_desktop", "--db", str(db_path), "settings", "show"],
                              stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=120)
    finally:
        os.close(write_end)
    err = proc.stderr.decode()
    assert "BrokenPipe" not in err and "Traceback" not in err and "unexpected" not in err, err
    assert proc.returncode == 141, proc.returncode
    count("bad inputs: command-line arguments (refused)")


# ----------------------------------------------------------------------------- --db
def _other_app_db(path: Path, app_id: int = 0) -> bytes:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO notes (body) VALUES ('do not touch')")
    if app_id:
        con.execute(f"PRAGMA application_id = {app_id}")
    con.commit()
    con.close()
    return path.read_bytes()


@pytest.mark.parametrize("app_id", [0, 0x4D504246], ids=["no application id", "another application id"])
def test_db_of_another_application_is_refused_untouched(tmp_path, capsys, app_id):
    other = tmp_path / "photos.sqlite"
    data = _other_app_db(other, app_id)
    mode = other.stat().st_mode
    code = cli.main(["--db", str(other), "settings", "show"])
    err = capsys.readouterr().err
    assert code == 2
    assert _refused(code, err) is None, err
    assert "another application" in err and "photos.sqlite" in err
    assert other.read_bytes() == data, "the other application's file was written to"
    assert other.stat().st_mode == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos.sqlite"], "side files were created"
    count("bad inputs: --db files (refused untouched)")


def test_new_empty_and_older_databases_open_and_get_our_application_id(tmp_path, capsys):
    new = tmp_path / "new.db"
    assert cli.main(["--db", str(new), "settings", "show"]) == 0
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert cli.main(["--db", str(empty), "settings", "show"]) == 0
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).execute("VACUUM")  # an SQLite file without tables
    assert cli.main(["--db", str(blank), "settings", "show"]) == 0
    # a file written before the id was stamped (our tables, application id 0) still opens
    older = tmp_path / "older.db"
    assert cli.main(["--db", str(older), "settings", "show"]) == 0
    con = sqlite3.connect(older)
    con.execute("PRAGMA application_id = 0")
    con.commit()
    con.close()
    assert cli.main(["--db", str(older), "settings", "show"]) == 0
    capsys.readouterr()
    for f in (new, empty, blank, older):
        con = sqlite3.connect(f)
        try:
            assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID, f.name
        finally:
            con.close()
