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


def test_bulk_mark_reported_from_a_csv_and_with_export(orders_db, ctl, capsys, tmp_path):
    pkgs = [ctl.order() for _ in range(4)]
    assert run(orders_db, "order_create").ok
    path = str(orders_db.path)
    numbers = tmp_path / "reported.csv"
    numbers.write_text("n11_order_number;note\n" + "".join(f"{p['orderNumber']};ok\n" for p in pkgs[:2]),
                       encoding="utf-8")
    assert main(["--db", path, "orders", "mark-reported", "--file", str(numbers)]) == 0
    assert "2 order(s) marked" in capsys.readouterr().out
    assert [orders(orders_db)[p["orderNumber"]][0].erp_reported for p in pkgs] == [True, True, False, False]
    # one unknown number: one line naming it, nothing marked
    bad = tmp_path / "bad.csv"
    bad.write_text(f"{pkgs[2]['orderNumber']}\n999999999\n", encoding="utf-8")
    assert main(["--db", path, "orders", "mark-reported", "--file", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "order 999999999 not found" in err and err.count("\n") == 1
    assert not orders(orders_db)[pkgs[2]["orderNumber"]][0].erp_reported
    assert main(["--db", path, "orders", "mark-reported", "--file", str(tmp_path / "missing.csv")]) == 1
    assert "file not found" in capsys.readouterr().err
    # export for the ERP and mark what was exported, in one step; the ERP code goes with every line
    from .conftest import set_conf

    set_conf(orders_db, erp_code="4000")
    target = tmp_path / "erp.csv"
    assert main(["--db", path, "orders", "export", "--status", "not_reported", "--mark-reported", str(target)]) == 0
    assert "2 order(s) marked" in capsys.readouterr().out
    with target.open(encoding="utf-8") as fh:
        lines = list(csv.DictReader(fh))
    assert {ln["n11_order_number"] for ln in lines} == {pkgs[2]["orderNumber"], pkgs[3]["orderNumber"]}
    assert {ln["erp_code"] for ln in lines} == {"4000"}
    assert all(o.erp_reported for o, _ in orders(orders_db).values())
