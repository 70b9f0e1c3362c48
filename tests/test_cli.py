import json
import subprocess
import sys

from n11_desktop import __version__
from n11_desktop.cli import main


def run_cli(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "n11_desktop", *args], capture_output=True, text=True,
                          timeout=timeout)


def test_version():
    out = run_cli("--version")
    assert out.returncode == 0 and __version__ in out.stdout


def test_unknown_argument_is_one_line_exit_2():
    out = run_cli("--frobnicate")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "unrecognized arguments: --frobnicate" in out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_subcommand_exit_2(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "x.db"), "nosuch"]) == 2
    err = capsys.readouterr().err
    assert "invalid choice" in err and err.strip().count("\n") == 0


def test_corrupt_database_is_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("garbage, not sqlite" * 50)
    out = run_cli("--db", str(bad), "flow", "list")
    assert out.returncode == 2
    assert "not an SQLite file" in out.stderr and "Traceback" not in out.stderr
    assert out.stderr.strip().count("\n") == 0


def test_flow_list_shows_every_flow(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "n.db"), "flow", "list"]) == 0
    out = capsys.readouterr().out
    for slug in ("category_node", "product_create", "stock", "order_create", "cancel_refund_orders"):
        assert slug in out
    assert "send_updated_product_stock (off)" in out
    assert main(["--db", str(tmp_path / "n.db"), "flow", "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["slug"] for r in rows} >= {"category_node", "price", "split_packages"}
    assert len(rows) == 23  # DESIGN §6 (21) + remote_sync, fix_differences
    assert all(set(r) == {"slug", "name", "flag", "flag_on", "schedule", "available"} for r in rows)


def test_flow_run_unknown_slug_exit_1(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "n.db"), "flow", "run", "nope"]) == 1
    assert "unknown flow" in capsys.readouterr().err


def test_db_option_after_subcommand_reads_that_database(tmp_path, capsys):
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.core.storage.db import open_database

    path = tmp_path / "after.db"
    database = open_database(path)
    with database.session_factory.begin() as s:
        ch = ensure_channel(s)
        ch.conf = {**ch.conf, "feature_flags": {**ch.conf["feature_flags"], "send_updated_product_stock": True}}
    database.dispose()
    assert main(["flow", "list", "--db", str(path)]) == 0
    assert "send_updated_product_stock (on)" in capsys.readouterr().out
