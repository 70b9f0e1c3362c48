"""JSON answers of the right syntax but the wrong shape are refused with a one-line message
naming the field (task acks, task results, product-query pages, shipment-package pages), while
N11's documented quirks (bare ``skus`` list, one text as ``reasons``, numbers as codes, extra
fields) are still read. Served by the scripted loopback server (real HTTP)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from n11_desktop.core.n11 import MalformedResponseError

END = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def _refused(call, needle: str) -> str:
    with pytest.raises(MalformedResponseError) as ei:
        call()
    msg = str(ei.value)
    assert "\n" not in msg and needle in msg, msg
    return msg


TASK_RESULT_CASES = [
    ({"id": "x", "status": 5, "skus": "all"}, "'status'"),
    ({"id": 7, "status": "COMPLETED", "skus": "all"}, "'skus'"),
    ({"id": "x", "status": "COMPLETED", "skus": []}, "'id'"),
    ({"id": 7, "status": ["COMPLETED"], "skus": []}, "'status'"),
    ({"id": 7, "status": "COMPLETED", "reasons": {"a": 1}, "skus": []}, "'reasons'"),
    ({"id": 7, "status": "COMPLETED", "skus": ["A-1"]}, "'skus' item 1"),
    ({"id": 7, "status": "COMPLETED", "skus": {"content": "rows"}}, "'content'"),
    ({"id": 7, "status": "COMPLETED", "skus": {"content": [], "totalPages": "many"}}, "'totalPages'"),
    ({"id": 7, "status": "COMPLETED", "skus": [{"itemCode": "A-1", "status": 3}]}, "'status'"),
    ({"id": 7, "status": "COMPLETED", "skus": [{"itemCode": ["A-1"], "status": "SUCCESS"}]}, "'itemCode'"),
    ({"id": 7, "status": "COMPLETED", "skus": [{"itemCode": "A-1", "status": "SUCCESS", "sku": "x"}]}, "'sku'"),
    ({"id": 7, "status": "COMPLETED",
      "skus": [{"itemCode": "A-1", "status": "SUCCESS", "sku": {"salePrice": "cheap"}}]}, "'salePrice'"),
]


@pytest.mark.parametrize("body,field", TASK_RESULT_CASES)
def test_task_result_of_the_wrong_shape_is_malformed(scripted, scripted_client, body, field):
    scripted.add(200, json.dumps(body))
    _refused(lambda: scripted_client.get_task_result(7), field)


def test_task_result_quirks_and_extra_fields_are_still_read(scripted, scripted_client):
    scripted.add(200, json.dumps({"id": 7, "status": " completed ", "reasons": "one reason", "extra": {"x": 1},
                                  "skus": [{"itemCode": 123, "status": "SUCCESS", "reasons": [], "new": 1}]}))
    res = scripted_client.get_task_result(7)
    assert res.status == "COMPLETED" and res.reasons == ("one reason",)
    assert [(s.stock_code, s.status) for s in res.skus] == [("123", "SUCCESS")]
    scripted.add(200, json.dumps({"taskId": "7", "status": "IN_QUEUE"}))  # queued: no skus yet
    assert scripted_client.get_task_result(7).skus == ()


ACK_CASES = [
    ({"id": 1, "status": 5}, "'status'"),
    ({"id": "x", "status": "IN_QUEUE"}, "'id'"),
    ({"id": 1, "status": "REJECT", "reasons": {"r": 1}}, "'reasons'"),
    ({"id": 1, "status": "IN_QUEUE", "type": ["a"]}, "'type'"),
]


@pytest.mark.parametrize("body,field", ACK_CASES)
def test_task_ack_of_the_wrong_shape_is_malformed_and_outcome_unknown(scripted, scripted_client, body, field):
    scripted.add(200, json.dumps(body))
    with pytest.raises(MalformedResponseError) as ei:
        scripted_client.update_price_stock([{"stockCode": "A-1", "quantity": 1}])
    assert field in str(ei.value) and "\n" not in str(ei.value)
    assert ei.value.outcome_unknown  # the post may have been taken: never re-posted blindly
    assert len(scripted.requests) == 1


PRODUCT_CASES = [
    ({"content": {"stockCode": "A-1"}, "totalPages": 1}, "'content'"),
    ({"content": ["A-1"], "totalPages": 1}, "'content' item 1"),
    ({"content": [], "totalPages": "two"}, "'totalPages'"),
    ({"content": [], "last": "maybe"}, "'last'"),
    ({"content": [{"stockCode": {"a": 1}}], "totalPages": 1}, "'stockCode'"),
    ({"content": [{"stockCode": "A-1", "quantity": "lots"}], "totalPages": 1}, "'quantity'"),
    ({"content": [{"stockCode": "A-1", "salePrice": [1]}], "totalPages": 1}, "'salePrice'"),
    ({"content": [{"stockCode": "A-1", "status": 1}], "totalPages": 1}, "'status'"),
]


@pytest.mark.parametrize("body,field", PRODUCT_CASES)
def test_product_page_of_the_wrong_shape_is_malformed(scripted, scripted_client, body, field):
    scripted.add(200, json.dumps(body))
    _refused(lambda: list(scripted_client.query_products()), field)


def test_product_page_with_number_codes_and_extra_fields_is_read(scripted, scripted_client):
    scripted.add(200, json.dumps({"content": [{"stockCode": 42, "productMainId": 7, "status": " Active ",
                                               "salePrice": "10.50", "quantity": "3", "newField": [1]}],
                                  "totalPages": 1, "last": True, "pageable": {"x": 1}}))
    (p,) = list(scripted_client.query_products())
    assert (p.stock_code, p.product_main_id, p.status, p.quantity) == ("42", "7", "Active", 3)


PACKAGE_CASES = [
    ({"content": "none", "totalPages": 1}, "'content'"),
    ({"content": [7], "totalPages": 1}, "'content' item 1"),
    ({"content": [], "totalPages": [1]}, "'totalPages'"),
    ({"content": [{"id": 1, "orderNumber": "N1", "lines": "all"}], "totalPages": 1}, "'lines'"),
    ({"content": [{"id": 1, "orderNumber": "N1", "lines": [3]}], "totalPages": 1}, "'lines' item 1"),
    ({"content": [{"id": "one", "orderNumber": "N1"}], "totalPages": 1}, "'id'"),
    ({"content": [{"id": 1, "orderNumber": {"n": 1}}], "totalPages": 1}, "'orderNumber'"),
    ({"content": [{"id": 1, "orderNumber": "N1", "shipmentPackageStatus": 2}], "totalPages": 1},
     "'shipmentPackageStatus'"),
    ({"content": [{"id": 1, "orderNumber": "N1", "totalAmount": "a lot"}], "totalPages": 1}, "'totalAmount'"),
    ({"content": [{"id": 1, "orderNumber": "N1", "lines": [{"orderLineId": 5, "quantity": "two"}]}],
      "totalPages": 1}, "'quantity'"),
]


@pytest.mark.parametrize("body,field", PACKAGE_CASES)
def test_package_page_of_the_wrong_shape_is_malformed(scripted, scripted_client, body, field):
    scripted.add(200, json.dumps(body))
    _refused(lambda: list(scripted_client.iter_shipment_packages(END - timedelta(days=1), END)), field)


def test_package_page_with_number_codes_whole_amounts_and_odd_dates_is_read(scripted, scripted_client):
    # values of other types than N11 usually sends are read as before (numbers for codes, whole
    # numbers for amounts, a date as text); a stamp beyond any date is no date, read at once
    body = ('{"content": [{"id": 7, "orderNumber": 2026, "shipmentPackageStatus": " Created ",'
            ' "lastModifiedDate": 1e999999, "agreedDeliveryDate": "01/12/2026 10:00", "totalAmount": 12,'
            ' "cargoTrackingNumber": 159017, "micro": true, "shippingAddress": {"city": "Mu\u011fla", "postalCode": 48050},'
            ' "lines": [{"orderLineId": 5, "stockCode": 42, "price": 9.90, "orderItemLineItemStatusName": " "}]},'
            ' {"id": 8, "orderNumber": "N2", "lastModifiedDate": 1796422128576, "totalAmount": 19.90,'
            ' "lines": [{"orderLineId": 6, "stockCode": "SKU-6", "quantity": 2, "price": 9.95, "mallDiscount": 0}]}],'
            ' "totalPages": 1}')
    scripted.add(200, body)
    odd, usual = list(scripted_client.iter_shipment_packages(END - timedelta(days=1), END))
    assert (odd.order_number, odd.status, odd.last_modified, odd.total_amount, odd.cargo_campaign_number,
            odd.micro) == ("2026", "Created", None, Decimal("12"), "159017", True)
    assert odd.agreed_delivery_date == datetime(2026, 12, 1, 7, 0, tzinfo=timezone.utc)
    assert (odd.shipping_address.city, odd.shipping_address.postal_code, odd.billing_address.city) == ("Muğla", "48050", None)
    (line,) = odd.lines
    assert (line.stock_code, line.quantity, str(line.price), line.status) == ("42", 0, "9.90", None)
    assert (usual.order_number, str(usual.total_amount), usual.lines[0].quantity, str(usual.lines[0].mall_discount)) == (
        "N2", "19.90", 2, "0")
    assert usual.last_modified == datetime.fromtimestamp(1796422128.576, timezone.utc)
