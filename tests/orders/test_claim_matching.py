"""Claims are matched to order lines by documented fields, not by an unsourced skuId = line id
(issue 19 item 13, docs/n11-protocol.md)."""

from __future__ import annotations

from sqlalchemy import select

from n11_desktop.core.storage.models import CancellationRequest, OrderItem

from .conftest import run


def test_claim_whose_sku_id_is_not_a_line_id_still_finds_its_line(orders_db, ctl, sandbox):
    sandbox.state.add_product(stockCode="CM-1", title="Birinci ürün başlığı uzun")
    sandbox.state.add_product(stockCode="CM-2", title="İkinci ürün başlığı uzun")
    pkg = ctl.order(lines=[{"stockCode": "CM-1"}, {"stockCode": "CM-2"}])
    assert run(orders_db, "order_create").ok
    sandbox.state.claim_sku_is_line = False  # skuId is now something else than the line id
    second = pkg["lines"][1]
    claim = ctl.claim(pkg["orderNumber"], second["orderLineId"])
    assert claim["skuId"] != second["orderLineId"]
    run(orders_db, "cancellation_requests")
    with orders_db.session_factory() as s:
        req = s.scalar(select(CancellationRequest))
        item = s.get(OrderItem, req.order_item_id)
    assert item is not None and item.n11_line_id == str(second["orderLineId"])
