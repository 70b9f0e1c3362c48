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


def test_soap_calls_use_soap_item_ids_even_when_they_differ_from_rest_line_ids(orders_db, ctl, sandbox):
    """No source says REST orderLineId = SOAP orderItem.id: MakeOrderItemShipment, CombineItems
    and SeparateCombinedItems get the SOAP ids, matched by seller stock code."""
    from n11_desktop.core.orders import actions
    from n11_desktop.core.storage.models import LogEntry, Order

    from .conftest import orders, set_conf

    sandbox.state.soap_item_id_offset = 7_000_000_000  # the two id spaces differ
    set_conf(orders_db, send_shipping_info=True)
    lines = [{"stockCode": f"SI-{n}", "quantity": 1} for n in range(3)]
    pkg = ctl.order(lines=lines)
    assert run(orders_db, "order_create").ok
    order, items = orders(orders_db)[pkg["orderNumber"]]
    res = actions.ship(orders_db, order.id, [items[0].id], "YK-556677")
    out = run(orders_db, res.flow, orders=list(res.orders))
    assert out.ok, out.message
    shipped = [p for p in sandbox.state.packages.values() if p["cargoSenderNumber"] == "YK-556677"]
    assert shipped and shipped[0]["shipmentPackageStatus"] == "Shipped"
    with orders_db.session_factory() as s:
        assert not s.scalars(select(LogEntry).where(LogEntry.message.contains("not found in N11's SOAP order"))).all()
        oid = s.scalar(select(Order.id).where(Order.n11_order_number == pkg["orderNumber"]))
    assert oid == order.id


def test_combine_uses_soap_item_ids(orders_db, ctl, sandbox):
    from n11_desktop.core.storage.models import OrderItem

    from .conftest import orders

    sandbox.state.soap_item_id_offset = 7_000_000_000
    pkg = ctl.order(lines=[{"stockCode": f"CB-{n}", "quantity": 1} for n in range(3)])
    assert run(orders_db, "order_create").ok
    order, items = orders(orders_db)[pkg["orderNumber"]]
    assert run(orders_db, "handle_package_combinations").total == 0
    with orders_db.session_factory.begin() as s:
        for it in s.scalars(select(OrderItem).where(OrderItem.order_id == order.id)):
            it.tracking_number = "OMS-1" if it.id in (items[0].id, items[1].id) else "OMS-2"
    out = run(orders_db, "handle_package_combinations")
    # with REST line ids N11 would answer "Sipariş kalemi bulunamadı" and the change would fail
    assert out.ok and out.succeeded == 1 and out.failed == 0, out.message
