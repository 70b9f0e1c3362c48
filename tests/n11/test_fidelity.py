"""Where N11 differs from what a client written alongside its own sandbox would assume (issue 19).

Each test sends what N11 refuses or ignores and checks N11's answer as the sandbox gives it,
then checks that the client sends the right thing. Sources: docs/n11-protocol.md.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
import requests

from n11_desktop.core.n11 import WrongBaseUrlError
from n11_desktop.core.n11.rest import encode_json, money
from n11_desktop.core.n11.soap import build_envelope

from .conftest import DEMO_APP_KEY, DEMO_APP_SECRET, make_client
from .test_client_sandbox import a_leaf_with_attributes, valid_sku

AUTH = {"appkey": DEMO_APP_KEY, "appsecret": DEMO_APP_SECRET}


def _raw_task(sandbox, kind: str, skus: list[dict]) -> dict:
    r = requests.post(
        f"{sandbox.url}/ms/product/tasks/{kind}",
        data=json.dumps({"payload": {"integrator": "raw", "skus": skus}}),
        headers={**AUTH, "Content-Type": "application/json"},
        timeout=5,
    )
    assert r.status_code == 200, r.text
    return r.json()


def _sent_skus(rec, path: str) -> list[dict]:
    return [
        sku for ex in rec.exchanges if path in ex.url for sku in json.loads(ex.request_body)["payload"]["skus"]
    ]


# --------------------------------------------------------------------------- prices
def test_prices_go_out_as_exact_two_decimal_numbers():
    body = encode_json({"salePrice": money(0.1 + 0.2), "listPrice": money(99.90000000000001), "x": money("2000")})
    assert body == b'{"salePrice":0.30,"listPrice":99.90,"x":2000.00}'
    with pytest.raises(ValueError, match="more than two decimals"):
        money(Decimal("9.999"))
    with pytest.raises(ValueError, match="more than two decimals"):
        money(12.345)


def test_a_third_decimal_is_refused_by_n11_and_never_sent_by_the_client(sandbox, client, rec):
    sandbox.state.add_product(stockCode="P-1", salePrice="10", listPrice="12")
    ack = _raw_task(sandbox, "price-stock-update", [{"stockCode": "P-1", "salePrice": 9.999, "listPrice": 12}])
    sandbox.state.process_tasks_now()
    (row,) = client.get_task_result(ack["id"]).skus
    assert not row.ok and any("2 ondalık" in r for r in row.reasons)  # read from sku.reasons
    assert sandbox.state.products["P-1"]["salePrice"] == Decimal("10.00")  # nothing changed

    with pytest.raises(ValueError, match="salePrice 9.999 has more than two decimals"):
        client.update_price_stock([{"stockCode": "P-1", "salePrice": Decimal("9.999"), "listPrice": 12}])
    assert not _sent_skus(rec, "price-stock-update")  # nothing went out
    client.update_price_stock([{"stockCode": "P-1", "salePrice": 0.1 + 0.2, "listPrice": 99.90000000000001}])
    (ex,) = [e for e in rec.exchanges if "price-stock-update" in e.url]
    assert '"salePrice":0.30' in ex.request_body and '"listPrice":99.90' in ex.request_body
    sandbox.state.process_tasks_now()
    assert sandbox.state.products["P-1"]["salePrice"] == Decimal("0.30")


# --------------------------------------------------------------------------- description
def test_create_without_description_fails_on_n11(sandbox, client):
    cid, attrs = a_leaf_with_attributes(client)
    client.create_products(
        [valid_sku("D-1", cid, attrs, description=""), valid_sku("D-2", cid, attrs, description=None)]
        + [valid_sku("D-3", cid, attrs)]
    )
    sandbox.state.process_tasks_now()
    (task,) = sandbox.state.tasks
    rows = {r.stock_code: r for r in client.get_task_result(task).skus}
    assert not rows["D-1"].ok and "description alanı boş olamaz." in rows["D-1"].reasons
    assert not rows["D-2"].ok and rows["D-3"].ok
    assert set(sandbox.state.products) == {"D-3"}


# --------------------------------------------------------------------------- task reasons
def test_task_reasons_are_read_at_row_level_and_inside_sku(scripted, scripted_client):
    scripted.add(
        200,
        json.dumps(
            {
                "taskId": 5,
                "status": "PROCESSED",
                "skus": {
                    "content": [
                        {"itemCode": "A", "status": "FAIL", "reasons": ["row reason"], "sku": {"reasons": ["inner"]}},
                        {"itemCode": "B", "status": "FAIL", "sku": {"salePrice": 1, "reasons": ["only inner"]}},
                        {"itemCode": "C", "status": "FAIL", "reasons": ["same"], "sku": {"reasons": ["same"]}},
                    ],
                    "totalPages": 1,
                    "last": True,
                },
            }
        ),
    )
    a, b, c = scripted_client.get_task_result(5).skus
    assert a.reasons == ("row reason", "inner") and b.reasons == ("only inner",) and c.reasons == ("same",)


# --------------------------------------------------------------------------- product-update flags
def test_product_main_id_and_max_purchase_need_their_delete_flags(sandbox, client, rec):
    sandbox.state.add_product(stockCode="U-1", productMainId="old-main")
    sandbox.state.products["U-1"]["maxPurchaseQuantity"] = 5
    # what N11 does without the flags: SUCCESS, and nothing changes
    ack = _raw_task(
        sandbox, "product-update", [{"stockCode": "U-1", "vatRate": 20, "productMainId": "new", "maxPurchaseQuantity": 2}]
    )
    sandbox.state.process_tasks_now()
    assert client.get_task_result(ack["id"]).skus[0].ok
    remote = client.get_remote_product("U-1")
    assert remote.product_main_id == "old-main" and remote.raw["maxPurchaseQuantity"] == 5

    # the client adds the flags, so the change happens
    client.update_products([{"stockCode": "U-1", "vatRate": 20, "productMainId": "new", "maxPurchaseQuantity": 2}])
    (sent,) = _sent_skus(rec, "product-update")
    assert sent["deleteProductMainId"] is True and sent["deleteMaxPurchaseQuantity"] is True
    sandbox.state.process_tasks_now()
    remote = client.get_remote_product("U-1")
    assert remote.product_main_id == "new" and remote.raw["maxPurchaseQuantity"] == 2


def test_product_update_never_sends_create_only_fields(sandbox, client, rec):
    sandbox.state.add_product(stockCode="U-2")
    ack = _raw_task(sandbox, "product-update", [{"stockCode": "U-2", "vatRate": 20, "title": "Yeni başlık burada"}])
    assert ack["status"] == "REJECT" and "title" in ack["reasons"][0]
    ack = _raw_task(sandbox, "product-update", [{"stockCode": "U-2", "vatRate": 20, "attributes": []}])
    assert ack["status"] == "REJECT"

    (ok,) = client.update_products(
        [{"stockCode": "U-2", "vatRate": 20, "title": "x" * 20, "categoryId": 1, "attributes": [], "status": "Active"}]
    )
    assert ok.status == "IN_QUEUE"
    (sent,) = _sent_skus(rec, "product-update")
    assert sent == {"stockCode": "U-2", "vatRate": 20, "status": "Active"}
    with pytest.raises(ValueError, match="Active or Suspended"):
        client.update_products([{"stockCode": "U-2", "vatRate": 20, "status": "Paused"}])


def test_pause_and_resume_selling_with_status(sandbox, client):
    sandbox.state.add_product(stockCode="S-1", quantity=4)
    client.set_products_status(["S-1"], "Suspended", {"S-1": 20})
    sandbox.state.process_tasks_now()
    remote = client.get_remote_product("S-1")
    assert remote.status == "Suspended" and remote.quantity == 4  # paused, stock kept
    client.set_products_status(["S-1"], "Active", {"S-1": 20})
    sandbox.state.process_tasks_now()
    assert client.get_remote_product("S-1").status == "Active"
    with pytest.raises(ValueError, match="no VAT rate"):
        client.set_products_status(["S-1"], "Suspended", {})


# --------------------------------------------------------------------------- invoice links
def test_invoice_links_must_be_https(sandbox, client, rec):
    (pkg,) = sandbox.state.create_order()
    number = pkg["orderNumber"]
    # N11 refuses an http link
    env = build_envelope(
        "SaveLinkSellerInvoiceRequest",
        {"auth": {"appKey": DEMO_APP_KEY, "appSecret": DEMO_APP_SECRET}, "url": "http://x.example/f.pdf",
         "orderNumber": number},
    )
    r = requests.post(sandbox.url + "/ws/sellerInvoiceService/", data=env, timeout=5)
    assert b"<status>failure</status>" in r.content and "https".encode() in r.content
    # the client never sends one
    with pytest.raises(ValueError, match="https"):
        client.save_invoice_link(number, "http://x.example/f.pdf")
    assert not rec.exchanges
    client.save_invoice_link(number, "https://x.example/f.pdf")
    assert sandbox.state.invoices[-1]["url"] == "https://x.example/f.pdf"


def test_micro_export_invoice_needs_number_and_time(sandbox, client, rec):
    from datetime import datetime, timezone

    (pkg,) = sandbox.state.create_order(micro=True)
    assert pkg["micro"] is True
    number = pkg["orderNumber"]
    # N11 refuses a micro-export invoice link without the invoice number and time
    env = build_envelope(
        "SaveLinkSellerInvoiceRequest",
        {"auth": {"appKey": DEMO_APP_KEY, "appSecret": DEMO_APP_SECRET}, "url": "https://x.example/f.pdf",
         "orderNumber": number},
    )
    r = requests.post(sandbox.url + "/ws/sellerInvoiceService/", data=env, timeout=5)
    assert b"<status>failure</status>" in r.content and b"invoiceDateTime" in r.content
    with pytest.raises(ValueError, match="micro-export"):
        client.save_invoice_link(number, "https://x.example/f.pdf", micro=True)
    assert not rec.exchanges
    when = datetime(2026, 1, 31, 22, 30, tzinfo=timezone.utc)  # 1 February in Turkey
    client.save_invoice_link(
        number, "https://x.example/f.pdf", micro=True, invoice_number="ABC2026000000001", invoice_datetime=when
    )
    saved = sandbox.state.invoices[-1]
    assert saved["invoiceNumber"] == "ABC2026000000001" and saved["invoiceDateTime"] == "01/02/2026 01:30:00"


# --------------------------------------------------------------------------- wrong base url
def test_404_html_is_a_wrong_base_url(scripted, scripted_client, rec):
    scripted.add(404, "<!DOCTYPE html><html><head><title>Not Found</title></head><body>nope</body></html>", "text/html")
    with pytest.raises(WrongBaseUrlError) as ei:
        scripted_client.test_connection()
    assert len(scripted.requests) == 1 and rec.sleeps == []
    assert str(ei.value).count("\n") == 0 and "Base Url" in str(ei.value)


def test_wrong_base_url_host_path_for_rest_too(sandbox, rec):
    c = make_client(sandbox.url + "/ws/", rec)
    try:
        with pytest.raises(WrongBaseUrlError):
            c._rest("GET", "/ms/no-such-thing", safe=True)
        assert len(rec.exchanges) == 1
    finally:
        c.close()
