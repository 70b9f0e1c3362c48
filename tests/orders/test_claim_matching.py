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


def test_pickup_request_only_for_carriers_that_collect(orders_db, ctl, sandbox):
    import pytest

    from n11_desktop.core.orders.actions import ActionError
    from n11_desktop.core.orders.collection import collection_code, request_collection
    from n11_desktop.core.storage.models import Order

    assert [collection_code(n) for n in ("Horoz Lojistik", "Ceva Lojistik", "Borusan Lojistik", "Aras Kargo")] == [
        "HLZ", "CEVA", "BL", None]
    yk = ctl.order(shipmentCompanyId=344, n_lines=1)
    assert run(orders_db, "order_create").ok
    ctl.status(yk["id"], "Picking")
    with orders_db.session_factory() as s:
        oid = s.scalar(select(Order.id).where(Order.n11_order_number == yk["orderNumber"]))
    with pytest.raises(ActionError, match="Horoz, Ceva or Borusan"):
        request_collection(orders_db, oid, 1, "2")
    with pytest.raises(ActionError, match="at least 1"):
        request_collection(orders_db, oid, 0, "2")
    assert sandbox.state.collection_requests == []
