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
    path = orders_db.target()
    assert main(["--db", path, "orders", "list"]) == 0
    out = capsys.readouterr().out
    assert "Waiting for approval" in out and out.count("\n") >= 5
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
    path = orders_db.target()
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
    for name, body in (("quote.csv", b'n11_order_number\n"123\n456\n'), ("nul.csv", b"n11_order_number\n12\x003\n"),
                       ("latin.csv", "n11_order_number\nSİPARİŞ\n".encode("cp1254")),
                       ("empty.csv", b"")):
        (tmp_path / name).write_bytes(body)
        assert main(["--db", path, "orders", "mark-reported", "--file", str(tmp_path / name)]) == 1
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and name in err, err
    assert not orders(orders_db)[pkgs[2]["orderNumber"]][0].erp_reported
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


def test_address_and_cargo_maps_on_the_command_line(orders_db, ctl, capsys, tmp_path):
    from .conftest import set_conf

    path = orders_db.target()
    from sqlalchemy import delete, select

    from n11_desktop.core.storage.models import LocalTownship

    pkg = ctl.order(plate=6, shipmentCompanyId=401)  # Ceva: no local cargo company mapped
    town = pkg["shippingAddress"]["district"]
    with orders_db.session_factory.begin() as s:  # the local tree spells this township differently
        s.execute(delete(LocalTownship).where(LocalTownship.city_id == 6, LocalTownship.name == town))
        s.add(LocalTownship(city_id=6, name=f"{town} Yeni"))
    assert run(orders_db, "order_create").ok and pkg["orderNumber"] not in orders(orders_db)
    assert main(["--db", path, "orders", "address-map", "list", "--unmapped", "--json"]) == 0
    todo = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(t["model"], t["code"], t["local_id"]) for t in todo] == [("Township", town, None)]
    with orders_db.session_factory() as s:
        local = s.scalar(select(LocalTownship.id).where(LocalTownship.name == f"{town} Yeni"))
    # export, fill in the local id, import
    target = tmp_path / "address.csv"
    assert main(["--db", path, "orders", "address-map", "export", str(target)]) == 0
    with target.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 1
    rows[0]["local_id"] = str(local)
    # a bad row first: one line naming it, nothing changes
    bad = tmp_path / "bad.csv"
    bad.write_text("model,code,parent_code,local_id\nCity,X,,99999\n", encoding="utf-8")
    assert main(["--db", path, "orders", "address-map", "import", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "row 2" in err and "City #99999 does not exist" in err and err.count("\n") == 1
    with target.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    assert main(["--db", path, "orders", "address-map", "import", str(target)]) == 0
    assert "1 changed" in capsys.readouterr().out
    # cargo: map a new local company to N11's 401 from a CSV
    cargo = tmp_path / "cargo.csv"
    assert main(["--db", path, "orders", "cargo-map", "export", str(cargo)]) == 0
    text = cargo.read_text(encoding="utf-8") + "107,Ceva Lojistik,CEVA,401,1\n"
    cargo.write_text(text, encoding="utf-8")
    assert main(["--db", path, "orders", "cargo-map", "import", str(cargo)]) == 0
    assert main(["--db", path, "orders", "cargo-map", "list"]) == 0
    assert "Ceva Lojistik" in capsys.readouterr().out
    assert run(orders_db, "order_create").ok  # address and cargo now map: the order is written
    order, _ = orders(orders_db)[pkg["orderNumber"]]
    assert order.shipping_address["local_township_id"] == local and order.cargo_company_id == 107
    bad.write_text("id,name,n11_shipment_company_id\nabc,X,401\n", encoding="utf-8")
    assert main(["--db", path, "orders", "cargo-map", "import", str(bad)]) == 1
    assert "row 2: id 'abc'" in capsys.readouterr().err
