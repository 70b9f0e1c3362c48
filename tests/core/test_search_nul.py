"""A NUL pasted into a search box (Products, Orders, Logs, the Mapper's product search) is ignored,
on both engines: PostgreSQL refuses NUL in a text parameter, which used to fail the search."""

from __future__ import annotations

from n11_desktop.core import monitoring as mon
from n11_desktop.core.catalog import repo
from n11_desktop.core.mapping.operations import search_products
from n11_desktop.core.orders.queries import OrderFilter, count_orders, list_orders
from n11_desktop.core.storage.models import LogEntry, Product


def test_a_pasted_nul_in_every_search_box_is_ignored(db):
    with db.session_factory.begin() as s:
        s.add(Product(sku="SKU-1", product_code="P-1", title="Termos 500 ml", category="Ev > Mutfak"))
        s.add(LogEntry(flow="stock", level="ERROR", object_key="SKU-1", message="stok gönderilemedi"))
    with db.session_factory() as s:
        assert repo.count_products(s, repo.ProductFilter(text="Ter\x00mos")) == 1
        assert repo.product_ids(s, repo.ProductFilter(text="\x00")) != ()
        assert mon.count_logs(s, mon.LogFilter(text="gönder\x00ilemedi"))[0] == 1
        assert len(mon.query_logs(s, mon.LogFilter(object_key="SKU-\x001"))) == 1
        assert count_orders(s, OrderFilter(text="\x00nobody")) == 0
        assert list_orders(s, OrderFilter(text="\x00")) == ()
    assert [h.sku for h in search_products(db, "SKU\x00-1")] == ["SKU-1"]
