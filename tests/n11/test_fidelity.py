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
            c.transport.rest("GET", "/ms/no-such-thing", safe=True)
        assert len(rec.exchanges) == 1
    finally:
        c.close()


# --------------------------------------------------------------------------- time zone
def test_one_gmt3_conversion_around_midnight_and_month_end():
    from datetime import date, datetime, timedelta, timezone

    from n11_desktop.core.n11.clock import TURKEY, from_epoch_ms, to_epoch_ms, turkey_day_text
    from n11_desktop.core.n11.soap import format_date

    # 31 Jan 22:30 UTC is already 1 Feb 01:30 in Istanbul: N11 means the Turkish day
    utc = datetime(2026, 1, 31, 22, 30, tzinfo=timezone.utc)
    assert turkey_day_text(utc) == format_date(utc) == "01/02/2026"
    assert format_date(date(2026, 1, 31)) == "31/01/2026"  # a calendar day stays that day
    # a naive datetime is Turkish wall-clock time, wherever this machine is
    assert to_epoch_ms(datetime(2026, 2, 1, 0, 0)) == to_epoch_ms(datetime(2026, 1, 31, 21, 0, tzinfo=timezone.utc))
    # epoch ms <-> Turkish time, exactly, across the midnight and the year end
    for instant in (utc, datetime(2026, 12, 31, 20, 59, 59, 999000, tzinfo=timezone.utc)):
        ms = to_epoch_ms(instant)
        back = from_epoch_ms(ms)
        assert back == instant and back.utcoffset() == timedelta(hours=3)
    assert from_epoch_ms(to_epoch_ms(datetime(2026, 12, 31, 21, 0, tzinfo=timezone.utc))).strftime(
        "%d/%m/%Y %H:%M"
    ) == "01/01/2027 00:00"
    assert TURKEY.utcoffset(None) == timedelta(hours=3)


def test_package_windows_overlap_and_stay_under_the_clamp(sandbox, client, rec):
    """N11 answers a window over 15 days like its last 15 days: the client never asks for one,
    and a package on the edge between two windows is read once."""
    from datetime import datetime, timedelta, timezone
    from urllib.parse import parse_qs, urlsplit

    from n11_desktop.core.n11.orders import MAX_PACKAGE_WINDOW, WINDOW_OVERLAP
    from n11_desktop.core.n11.clock import to_epoch_ms

    end = datetime.now(timezone.utc).replace(microsecond=0)
    start = end - timedelta(days=40)
    edges = [start + MAX_PACKAGE_WINDOW, start + 2 * MAX_PACKAGE_WINDOW - WINDOW_OVERLAP]
    stamps = [start + timedelta(minutes=1), *edges, *(e - timedelta(minutes=5) for e in edges), end - timedelta(minutes=1)]
    made = [sandbox.state.create_order(created_ms=to_epoch_ms(t), n_lines=1)[0]["id"] for t in stamps]
    got = [p.id for p in client.iter_shipment_packages(start, end)]
    assert sorted(got) == sorted(made)  # every package, each once
    windows = []
    for ex in rec.exchanges:
        q = {k: int(v[0]) for k, v in parse_qs(urlsplit(ex.url).query).items() if k in ("startDate", "endDate")}
        windows.append((q["startDate"], q["endDate"]))
    for s, e in windows:
        assert e - s < 15 * 86_400_000  # never on the clamp edge
    for (s1, e1), (s2, e2) in zip(windows, windows[1:]):
        assert s2 < e1  # consecutive windows overlap


def test_a_window_longer_than_15_days_answers_like_the_last_15(sandbox):
    now = int(datetime_now_ms())
    day = 86_400_000
    old = sandbox.state.create_order(created_ms=now - 20 * day)[0]
    new = sandbox.state.create_order(created_ms=now - day)[0]
    r = requests.get(
        sandbox.url + "/rest/delivery/v1/shipmentPackages",
        params={"startDate": now - 30 * day, "endDate": now},
        headers=AUTH,
        timeout=5,
    ).json()
    assert [p["id"] for p in r["content"]] == [new["id"]] and old["id"] != new["id"]


def datetime_now_ms() -> int:
    import time

    return int(time.time() * 1000)


# --------------------------------------------------------------------------- categories
def test_category_nodes_carry_parent_id(sandbox, client):
    body = requests.get(sandbox.url + "/cdn/categories", headers=AUTH, timeout=5).json()
    top = body["categories"][0]
    assert "parentId" in top and top["parentId"] is None
    child = top["subCategories"][0]
    assert child["parentId"] == top["id"]
    leaf = child
    while leaf["subCategories"]:
        leaf = leaf["subCategories"][0]
    assert leaf["subCategories"] is None and leaf["parentId"] is not None
    tree = client.get_category_tree()
    assert tree[0].id == top["id"] and tree[0].children[0].id == child["id"]


# --------------------------------------------------------------------------- /ms 500 client mistakes
@pytest.mark.parametrize(
    "params, exception",
    [
        ({"productStatus": "Bogus"}, "IllegalArgumentException"),
        ({"size": 999}, "ConstraintViolationException"),
        ({"page": -1}, "IllegalArgumentException"),
    ],
)
def test_ms_500_for_a_client_mistake_names_the_exception_and_is_not_retried(sandbox, rec, params, exception):
    from n11_desktop.core.n11 import BusinessError

    r = requests.get(sandbox.url + "/ms/product-query", params=params, headers=AUTH, timeout=5)
    assert r.status_code == 500 and r.json()["message"] == exception
    c = make_client(sandbox.base_url, rec)
    try:
        with pytest.raises(BusinessError) as ei:
            c.transport.rest("GET", "/ms/product-query", params=params, safe=True)
    finally:
        c.close()
    assert not ei.value.retryable and len(rec.exchanges) == 1 and rec.sleeps == []
    assert exception in str(ei.value)


def test_missing_appsecret_is_a_bad_request_not_an_outage(sandbox):
    r = requests.get(sandbox.url + "/ms/product-query", headers={"appkey": DEMO_APP_KEY}, timeout=5)
    assert r.status_code == 500 and r.json()["message"] == "MissingRequestHeaderException"


# --------------------------------------------------------------------------- packages like N11
def test_home_and_pickup_packages_look_like_n11(sandbox, client):
    from datetime import datetime, timedelta, timezone

    home = sandbox.state.create_order()[0]
    ktn = sandbox.state.create_order(delivery_address_type="KTN")[0]
    assert "deliveryAddressType" not in home and home["micro"] is None
    assert ktn["deliveryAddressType"] == "KTN"
    assert ktn["shippingAddress"]["fullName"].startswith("KargoTürk")  # the point, not the buyer
    assert ktn["billingAddress"]["fullName"] == ktn["customerfullName"]  # the buyer
    for key in ("isReturned", "sellerId", "installmentChargeWithVATprice"):
        assert key in home
    end = datetime.now(timezone.utc) + timedelta(minutes=1)
    got = {p.order_number: p for p in client.iter_shipment_packages(end - timedelta(days=1), end)}
    assert got[home["orderNumber"]].delivery_address_type is None
    pk = got[ktn["orderNumber"]]
    assert pk.delivery_address_type == "KTN" and pk.is_pickup
    assert pk.buyer_address.full_name == ktn["customerfullName"]
    assert pk.pickup_point is not None and pk.pickup_point.full_name.startswith("KargoTürk")
    assert got[home["orderNumber"]].pickup_point is None
    assert got[home["orderNumber"]].buyer_address.address == home["shippingAddress"]["address"]


def test_active_products_carry_no_reject_info(sandbox):
    sandbox.state.add_product(stockCode="A-1")
    row = requests.get(sandbox.url + "/ms/product-query", params={"stockCode": "A-1"}, headers=AUTH, timeout=5)
    assert "rejectInfo" not in row.json()["content"][0]


def test_cli_products_pause_and_resume(configured_db, sandbox, tmp_path, capsys):
    from sqlalchemy import select

    from n11_desktop.cli import main
    from n11_desktop.core.catalog.importer import import_catalog
    from n11_desktop.core.storage.models import IntegrationAction, Product

    db = configured_db
    p = tmp_path / "c.csv"
    p.write_text("sku;title;category;price;stock;in_catalog\nC-1;Deneme ürünü başlığı bir;Giyim;10,00;4;1\n",
                 encoding="utf-8")
    assert import_catalog(db, p).ok
    with db.session_factory.begin() as s:
        pid = s.scalar(select(Product.id).where(Product.sku == "C-1"))
        s.add(IntegrationAction(content_type="product", object_id=pid, object_key="C-1", state="active"))
    sandbox.state.add_product(stockCode="C-1")
    path = str(tmp_path / "test.db")
    assert main(["--db", path, "products", "pause", "C-1", "NOPE"]) == 0
    out = capsys.readouterr().out
    assert "Pause selling sent to N11 for 1 product" in out and "NOPE (unknown SKU)" in out
    sandbox.state.process_tasks_now()
    assert sandbox.state.products["C-1"]["status"] == "Suspended"
    assert main(["--db", path, "products", "resume", "C-1"]) == 0
    sandbox.state.process_tasks_now()
    assert sandbox.state.products["C-1"]["status"] == "Active"
    assert main(["--db", path, "products", "pause", "NOPE"]) == 1


# --------------------------------------------------------------------------- SOAP envelopes
def _post_soap(sandbox, path: str, inner: str) -> requests.Response:
    env = (
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
        'xmlns:sch="http://www.n11.com/ws/schemas"><soapenv:Header/><soapenv:Body>'
        f"{inner}</soapenv:Body></soapenv:Envelope>"
    )
    return requests.post(sandbox.url + path, data=env.encode(), headers={"Content-Type": "text/xml"}, timeout=5)


AUTH_XML = f"<auth><appKey>{DEMO_APP_KEY}</appKey><appSecret>{DEMO_APP_SECRET}</appSecret></auth>"


@pytest.mark.parametrize(
    "inner, says",
    [
        # an element the WSDL does not have (a client sending itemsPerPage for pageSize)
        (f"<sch:GetShipmentTemplateListRequest>{AUTH_XML}<pagingData><currentPage>0</currentPage>"
         "<itemsPerPage>10</itemsPerPage></pagingData></sch:GetShipmentTemplateListRequest>", "itemsPerPage"),
        # GetDistrict: the WSDL puts auth after cityCode
        (f"<sch:GetDistrictRequest>{AUTH_XML}<cityCode>34</cityCode></sch:GetDistrictRequest>", "cityCode"),
        # elements where text belongs
        (f"<sch:OrderDetailRequest>{AUTH_XML}<orderRequest><id><x>1</x></id></orderRequest></sch:OrderDetailRequest>",
         "holds text"),
        # PagingData out of order
        (f"<sch:DetailedOrderListRequest>{AUTH_XML}<pagingData><pageSize>5</pageSize><currentPage>0</currentPage>"
         "</pagingData></sch:DetailedOrderListRequest>", "currentPage"),
    ],
)
def test_sandbox_refuses_envelopes_that_break_the_wsdl(sandbox, inner, says):
    r = _post_soap(sandbox, "/ws/orderService/", inner)
    assert r.status_code == 500 and b"Fault" in r.content and b"Validation error" in r.content
    assert says.encode() in r.content


def test_sandbox_accepts_required_elements_left_out_as_n11_does(sandbox):
    r = _post_soap(sandbox, "/ws/orderService/", f"<sch:DetailedOrderListRequest>{AUTH_XML}</sch:DetailedOrderListRequest>")
    assert r.status_code == 200 and b"<status>success</status>" in r.content


# --------------------------------------------------------------------------- collection request
def test_collection_request_for_carriers_that_collect(sandbox, client):
    from n11_desktop.core.n11 import BusinessError

    horoz = sandbox.state.create_order(shipment_company_id=441, n_lines=1)[0]
    yk = sandbox.state.create_order(shipment_company_id=344, n_lines=1)[0]
    for p in (horoz, yk):
        client.approve_lines([p["lines"][0]["orderLineId"]])
    line = horoz["lines"][0]["orderLineId"]
    res = client.collection_request(horoz["id"], line, 2, "3.5", "HLZ")
    assert res.ok and sandbox.state.collection_requests == [
        {"id": horoz["id"], "orderLineId": line, "boxQuantity": 2, "desi": "3.5", "shipmentCompany": "HLZ"}
    ]
    # N11 refuses one for a carrier that does not collect (Yurtiçi ships from the counter)
    with pytest.raises(BusinessError, match="Horoz, Ceva ve Borusan"):
        client.collection_request(yk["id"], yk["lines"][0]["orderLineId"], 1, 2, "HLZ")
    with pytest.raises(ValueError, match="HLZ"):
        client.collection_request(horoz["id"], line, 1, 2, "YK")
    with pytest.raises(ValueError, match="box quantity"):
        client.collection_request(horoz["id"], line, 0, 2, "CEVA")
    assert len(sandbox.state.collection_requests) == 1


def test_claim_cancel_partial_cancels_part_of_a_line(sandbox, client):
    from datetime import datetime, timedelta, timezone

    (pkg,) = sandbox.state.create_order([{"stockCode": "X-1", "quantity": 3}])
    line = pkg["lines"][0]["orderLineId"]
    client.claim_cancel_partial(line, 1, 61)
    end = datetime.now(timezone.utc) + timedelta(minutes=1)
    got = list(client.iter_shipment_packages(end - timedelta(days=1), end, order_number=pkg["orderNumber"]))
    by_status = {p.status: sum(ln.quantity for ln in p.lines) for p in got}
    assert by_status["UnSupplied"] == 1 and by_status["Created"] == 2
    with pytest.raises(ValueError, match="61-65"):
        client.claim_cancel_partial(line, 1, 7)


def test_control_api_makes_pickup_and_micro_orders(sandbox):
    r = requests.post(sandbox.url + "/_sandbox/orders", json={"delivery_address_type": "PUP", "micro": True}, timeout=5)
    (pkg,) = r.json()["packages"]
    assert pkg["deliveryAddressType"] == "PUP" and pkg["micro"] is True
    bad = requests.post(sandbox.url + "/_sandbox/orders", json={"delivery_address_type": "HOME"}, timeout=5)
    assert bad.status_code == 400 and "deliveryAddressType" in bad.json()["error"]
