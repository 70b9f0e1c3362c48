"""``n11-desktop orders …`` over an imported database."""

from __future__ import annotations

import csv
import json

from n11_desktop.cli import main

from .conftest import orders, run


def test_list_export_mark_reported(orders_db, ctl, capsys, tmp_path):
    for _ in range(3):
        ctl.order(n_lines=2)
    assert run(orders_db, "order_create").ok
    path = str(orders_db.path)
    assert main(["--db", path, "orders", "list"]) == 0
    out = capsys.readouterr().out
    assert "waiting_approval" in out and out.count("\n") >= 5
    assert main(["--db", path, "orders", "list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(rows) == 3 and {"order_number", "state", "n11_line_ids", "last_error"} <= set(rows[0])
    target = tmp_path / "orders.csv"
    assert main(["--db", path, "orders", "export", str(target)]) == 0
    with target.open(encoding="utf-8") as fh:
        lines = list(csv.DictReader(fh))
    assert len(lines) == 6 and lines[0]["erp_reported"] == "0"
    number = rows[0]["order_number"]
    assert main(["--db", path, "orders", "mark-reported", number]) == 0
    assert orders(orders_db)[rows[0]["n11_order_number"]][0].erp_reported
    assert main(["--db", path, "orders", "mark-reported", "nope"]) == 1
    assert "order nope not found" in capsys.readouterr().err
    assert main(["--db", path, "orders", "list", "--status", "bogus"]) == 1
