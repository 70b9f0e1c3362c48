"""Order export for the ERP opens in a spreadsheet: no cell is a live formula (OWASP CSV injection)."""

from __future__ import annotations

import csv

from n11_desktop.cli import main

from .conftest import run


def test_orders_export_neutralises_formulas_and_keeps_numbers(orders_db, ctl, capsys, tmp_path):
    from n11_desktop.core.storage.models import Order, OrderItem

    ctl.order(n_lines=1)
    assert run(orders_db, "order_create").ok
    with orders_db.session_factory.begin() as s:  # what a hostile buyer name or product name looks like
        s.query(Order).update({Order.customer_name: '=HYPERLINK("http://evil.example","Kargo")'})
        s.query(OrderItem).update({OrderItem.product_name: "@SUM(1+1)*cmd|' /C calc'!A0"})
    target = tmp_path / "orders.csv"
    assert main(["--db", orders_db.target(), "orders", "export", str(target)]) == 0
    with target.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and rows[0]["customer"] == '\'=HYPERLINK("http://evil.example","Kargo")'
    assert rows[0]["product"].startswith("'@")
    assert all(not v.startswith(("=", "@", "\t", "\r")) for r in rows for v in r.values())
    assert rows[0]["quantity"].isdigit() and not rows[0]["price"].startswith("'")
