"""`penalty list` and `penalty lift` from the command line (in-process `main`, one subprocess check)."""

import json
import subprocess
import sys
from datetime import datetime

from n11_desktop.cli import main
from n11_desktop.core import penalty
from n11_desktop.core.settings import load_config
from n11_desktop.core.storage.db import open_database
from n11_desktop.core.storage.models import Product

T0 = datetime(2026, 11, 27, 9, 0)


def _seed(path):
    db = open_database(path)
    try:
        with db.session_factory.begin() as s:
            cfg = load_config(s)
            for sku in ("A-1", "B-2"):
                p = Product(sku=sku, product_code=sku, title="Uzun bir ürün başlığı")
                s.add(p)
                s.flush()
                penalty.penalize(s, "product", p.id, sku, "channel_app", penalty.MSG_STOCK_NOT_FOUND, cfg, T0)
    finally:
        db.dispose()


def test_penalty_list_table_and_json(tmp_path, capsys):
    dbp = tmp_path / "p.db"
    _seed(dbp)
    assert main(["--db", str(dbp), "penalty", "list"]) == 0
    out = capsys.readouterr().out
    assert "A-1" in out and "Stock data not found" in out and "channel_app" in out
    assert main(["--db", str(dbp), "penalty", "list", "--json"]) == 0
    rows = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert {r["sku"] for r in rows} == {"A-1", "B-2"}
    assert rows[0]["message"] == "Stock data not found" and rows[0]["state"] == "waiting"


def test_penalty_lift_ok_and_bad_rows(tmp_path, capsys):
    dbp = tmp_path / "p.db"
    _seed(dbp)
    good = tmp_path / "good.csv"
    good.write_text("sku\nA-1\n", encoding="utf-8")
    assert main(["--db", str(dbp), "penalty", "lift", str(good)]) == 0
    assert "1 penalty(ies) lifted" in capsys.readouterr().out
    assert main(["--db", str(dbp), "penalty", "list", "--json"]) == 0
    assert [json.loads(x)["sku"] for x in capsys.readouterr().out.splitlines()] == ["B-2"]
    bad = tmp_path / "bad.csv"
    bad.write_text("sku,action\nB-2,lift\nZZ,lift\nB-2,frob\n", encoding="utf-8")
    assert main(["--db", str(dbp), "penalty", "lift", str(bad)]) == 1
    cap = capsys.readouterr()
    assert cap.err.splitlines() == ["bad.csv: row 3: unknown sku 'ZZ' (not in the local catalog nor a penalized order number)",
                                    "bad.csv: row 4: unknown action 'frob' (use lift, delete, bump)"]
    assert "nothing changed" in cap.out
    assert main(["--db", str(dbp), "penalty", "list", "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1  # B-2 still penalized


def test_penalty_lift_missing_file_is_one_line(tmp_path):
    out = subprocess.run([sys.executable, "-m", "n11_desktop", "--db", str(tmp_path / "x.db"), "penalty", "lift",
                          str(tmp_path / "nope.csv")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 1 and "no such file" in out.stderr and "Traceback" not in out.stderr
