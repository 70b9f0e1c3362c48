"""REST side of the sandbox: shapes, auth failures per path family, validation, tasks,
orders paging/clamps, approve/split/cancel."""

import time

import pytest

from .conftest import AUTH

LEAF = 1002571  # Makyaj Çantası (leaf, N11 docs example)


def test_category_tree_shape(sb, http):
    r = http.get(sb.url + "/cdn/categories", headers={"appkey": AUTH["appkey"]})
    assert r.status_code == 200
    cats = r.json()["categories"]
    assert len(cats) == 79
    n = 0
    leaves = 0
    stack = list(cats)
    while stack:
        c = stack.pop()
        n += 1
        if c["subCategories"] is None:
            leaves += 1
        else:
            stack += c["subCategories"]
    assert n == 4406 and leaves == 3738


def test_leaf_attributes_with_brand_and_color(sb, http):
    r = http.get(f"{sb.url}/cdn/category/{LEAF}/attribute", headers=AUTH)
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == LEAF and body["name"] == "Makyaj Çantası"
    attrs = {a["attributeId"]: a for a in body["categoryAttributes"]}
    assert attrs[1]["attributeName"] == "Marka" and attrs[1]["isCustomValue"] is True
    assert {"id": 8372688, "value": "Abay"} in attrs[1]["attributeValues"]
    assert attrs[429]["attributeName"] == "Renk" and attrs[429]["isVariant"] is True
    assert len(attrs) >= 4
    # deterministic
    assert http.get(f"{sb.url}/cdn/category/{LEAF}/attribute", headers=AUTH).json() == body


@pytest.mark.parametrize("cid", ["1000001", "999", "abc"])
def test_attributes_of_non_leaf_or_unknown_is_invalid_input(sb, http, cid):
    r = http.get(f"{sb.url}/cdn/category/{cid}/attribute", headers=AUTH)
    assert r.status_code == 400
    assert r.json()["errorCode"] == "invalidInput" and r.json()["errorMessage"]


def test_auth_failures_per_family(sb, http):
    r = http.get(sb.url + "/cdn/categories", headers={"appkey": "wrong"})
    assert (r.status_code, r.text) == (403, "Authentication failed")
    assert r.headers["Content-Type"].startswith("text/plain")
    r = http.get(sb.url + "/cdn/categories")
    assert r.status_code == 403
    r = http.get(sb.url + "/ms/product-query", headers={"appkey": AUTH["appkey"], "appsecret": "x"})
    assert r.status_code == 401 and r.json()["@type"] == "SellerApiUserUnauthorizedException"
    r = http.get(sb.url + "/ms/product-query", headers={"appkey": AUTH["appkey"]})
    assert r.status_code == 500 and "MissingRequestHeaderException" in r.text
    r = http.get(sb.url + "/rest/delivery/v1/shipmentPackages",
                 headers={"appkey": AUTH["appkey"], "appsecret": "x"})
    assert r.status_code == 400
    assert r.json()["errorCode"] == "SELLER_API.authenticationFailed"
    r = http.get(sb.url + "/rest/delivery/v1/shipmentPackages")
    assert r.status_code == 400 and r.headers["Content-Type"].startswith("text/html")
    # header names are case-insensitive
    r = http.get(sb.url + "/ms/product-query", headers={"AppKey": AUTH["appkey"],
                                                       "AppSecret": AUTH["appsecret"]})
    assert r.status_code == 200


def test_unknown_path_is_503_html(sb, http):
    r = http.get(sb.url + "/api/v2/whatever", headers=AUTH)
    assert r.status_code == 503 and "<html>" in r.text


def _sku(code, **over):
    sku = {"title": "Deri Makyaj Çantası Büyük Boy", "description": "<p>Çanta</p>",
           "categoryId": LEAF, "currencyType": "TL", "productMainId": "MAIN-" + code,
           "preparingDay": 2, "shipmentTemplate": "Standart", "stockCode": code,
           "quantity": 5, "images": [{"url": "https://img.example.com/1.jpg", "order": 1}],
           "attributes": [{"id": 1, "valueId": 8372688}, {"id": 429, "customValue": "Siyah"}],
           "salePrice": 100.5, "listPrice": 120, "vatRate": 20}
    sku.update(over)
    return sku


def _fill_mandatory(sb, sku):
    """Add a valid value for every mandatory attribute the generated category has."""
    from n11_desktop.sandbox import data
    present = {a["id"] for a in sku["attributes"]}
    for a in data.category_attributes(LEAF, sb.state.seed):
        if a["mandatory"] and a["id"] not in present:
            sku["attributes"].append({"id": a["id"], "valueId": a["values"][0]["id"]})
    return sku


def _post_task(sb, http, kind, skus, integrator="n11-desktop"):
    payload = {"skus": skus}
    if integrator is not None:
        payload["integrator"] = integrator
    r = http.post(f"{sb.url}/ms/product/tasks/{kind}", json={"payload": payload}, headers=AUTH)
    assert r.status_code == 200, r.text
    return r.json()


def _details(sb, http, tid):
    r = http.post(sb.url + "/ms/product/task-details/page-query",
                  json={"taskId": tid, "pageable": {"page": 0, "size": 1000}}, headers=AUTH)
    assert r.status_code == 200, r.text
    return r.json()


def test_create_task_lifecycle_and_product_query(fresh, http):
    sb = fresh
    good = _fill_mandatory(sb, _sku("SKU-1"))
    bad = _fill_mandatory(sb, _sku("SKU-2", title="Kısa", listPrice=50, vatRate=18,
                                   images=[{"url": "http://x/1.jpg", "order": 1}],
                                   shipmentTemplate="Yok"))
    ack = _post_task(sb, http, "product-create", [good, bad])
    assert ack["status"] == "IN_QUEUE" and ack["type"] == "PRODUCT_CREATE"
    assert ack["reasons"] == ["2 sku işlenmeye alındı."]
    d = _details(sb, http, ack["id"])
    assert d["status"] == "IN_QUEUE" and d["skus"]["content"] == []
    assert sb.state.process_tasks_now() == 1
    d = _details(sb, http, ack["id"])
    assert d["status"] == "PROCESSED"
    rows = {r["itemCode"]: r for r in d["skus"]["content"]}
    assert rows["SKU-1"]["status"] == "SUCCESS" and rows["SKU-1"]["reasons"] == []
    reasons = " | ".join(rows["SKU-2"]["reasons"])
    assert rows["SKU-2"]["status"] == "FAIL"
    for text in ("15 karakter", "listPrice salePrice dan küçük olamaz", "vatRate",
                 "https", "shipmentTemplate alanı geçersizdir"):
        assert text in reasons
    q = http.get(sb.url + "/ms/product-query", params={"stockCode": "SKU-1"}, headers=AUTH).json()
    assert q["totalElements"] == 1
    row = q["content"][0]
    assert row["status"] == "InCatalogApproval" and row["salePrice"] == 100.5
    assert {"attributeId": 1, "attributeName": "Marka", "attributeValue": "Abay"} in row["attributes"]
    sb.state.approve_products_now()
    row = http.get(sb.url + "/ms/product-query", params={"stockCode": "SKU-1"}, headers=AUTH).json()["content"][0]
    assert row["status"] == "Active" and row["saleStatus"] == "On_Sale"


def test_tasks_process_after_delay(http):
    from n11_desktop.sandbox.server import SandboxServer
    with SandboxServer(task_delay_ms=50, approval_delay_ms=50) as sb:
        ack = _post_task(sb, http, "product-create", [_fill_mandatory(sb, _sku("D-1"))])
        deadline = time.monotonic() + 10
        while _details(sb, http, ack["id"])["status"] != "PROCESSED":
            assert time.monotonic() < deadline
            time.sleep(0.02)
        while sb.state.products["D-1"]["status"] != "Active":
            assert time.monotonic() < deadline
            time.sleep(0.02)
            sb.state.tick()


def test_a_task_without_delay_is_acknowledged_before_it_is_processed_and_seen_processed(http):
    """As on N11, the post answers with the task id first; whatever looks afterwards (task
    details, product query, the state itself) sees the task processed, in the order posted."""
    import gc
    import threading

    from n11_desktop.sandbox.server import SandboxServer
    with SandboxServer(task_delay_ms=0, approval_delay_ms=0) as sb:
        worker = sb.state.task_worker
        sb.state.task_worker = threading.Event()  # a worker that never comes: only a look processes
        gc_was = gc.isenabled()
        ack = _post_task(sb, http, "product-create", [_fill_mandatory(sb, _sku("W-1", quantity=5))])
        assert ack["status"] == "IN_QUEUE"
        assert sb.state._tasks[ack["id"]]["status"] == "IN_QUEUE"  # answered, not yet processed
        ps = _post_task(sb, http, "price-stock-update", [{"stockCode": "W-1", "quantity": 2}])
        d = _details(sb, http, ps["id"])  # the later task: both processed, the create first
        assert d["status"] == "PROCESSED" and d["skus"]["content"][0]["status"] == "SUCCESS"
        assert sb.state.products["W-1"]["quantity"] == 2
        assert gc.isenabled() == gc_was  # the collector's pause held for the waiting tasks ended
        sb.state.task_worker = worker
        # with the worker: posts in a row, then one look
        acks = [_post_task(sb, http, "price-stock-update", [{"stockCode": "W-1", "quantity": q}])
                for q in (7, 8, 9)]
        q = http.get(sb.url + "/ms/product-query", params={"stockCode": "W-1"}, headers=AUTH).json()
        assert q["content"][0]["quantity"] == 9
        assert all(_details(sb, http, a["id"])["status"] == "PROCESSED" for a in acks)
        name = f"n11-sandbox-tasks-{sb.port}"
        assert any(t.name == name for t in threading.enumerate())
    assert not any(t.name == name for t in threading.enumerate())  # the worker stops with the server
    assert gc.isenabled() == gc_was


def test_reject_trigger_and_update_rules(fresh, http):
    sb = fresh
    _post_task(sb, http, "product-create",
               [_fill_mandatory(sb, _sku("R-1", title="REJECTME Makyaj Çantası Deri"))])
    sb.state.process_tasks_now()
    ack = _post_task(sb, http, "product-update", [{"stockCode": "R-1", "vatRate": 20}])
    sb.state.process_tasks_now()
    row = _details(sb, http, ack["id"])["skus"]["content"][0]
    assert row["status"] == "FAIL" and "InCatalogApproval" in row["reasons"][0]
    sb.state.approve_products_now()
    p = sb.state.products["R-1"]
    assert p["status"] == "CatalogRejected" and p["rejectInfo"]


def test_task_rejects(fresh, http):
    sb = fresh
    ack = _post_task(sb, http, "product-create", [_sku("X")], integrator=None)
    assert ack["status"] == "REJECT" and "integrator" in ack["reasons"][0]
    ack = _post_task(sb, http, "price-stock-update",
                     [{"stockCode": f"S{i}", "quantity": 1} for i in range(1001)])
    assert ack["status"] == "REJECT" and "1000" in ack["reasons"][0]
    assert _details(sb, http, ack["id"])["status"] == "REJECT"


def test_duplicates_and_stock_code_owned_by_other_main_id(fresh, http):
    sb = fresh
    sb.state.add_product(stockCode="OWN-1", productMainId="OTHER")
    a = _fill_mandatory(sb, _sku("OWN-1"))
    b = _fill_mandatory(sb, _sku("DUP"))
    ack = _post_task(sb, http, "product-create", [a, b, dict(b)])
    sb.state.process_tasks_now()
    rows = _details(sb, http, ack["id"])["skus"]["content"]
    assert [r["status"] for r in rows] == ["FAIL", "SUCCESS", "FAIL"]
    assert "başka bir ürün" in rows[0]["reasons"][0]
    assert "birden fazla" in rows[2]["reasons"][0]


def test_attribute_rules(fresh, http):
    sb = fresh
    sku = _sku("A-1", attributes=[{"id": 429, "customValue": "Mavi"}, {"id": 1, "valueId": 123},
                                  {"id": 77777, "valueId": 1}])
    ack = _post_task(sb, http, "product-create", [sku])
    sb.state.process_tasks_now()
    reasons = " | ".join(_details(sb, http, ack["id"])["skus"]["content"][0]["reasons"])
    assert "123 id'li değer Marka" in reasons
    assert "77777 id'li özellik" in reasons
    sku = _sku("A-2", attributes=[{"id": 429, "customValue": "Mavi"}])
    ack = _post_task(sb, http, "product-create", [sku])
    sb.state.process_tasks_now()
    reasons = _details(sb, http, ack["id"])["skus"]["content"][0]["reasons"]
    assert "Marka bilgisi girilmelidir." in reasons


def test_price_stock_update(fresh, http):
    sb = fresh
    sb.state.add_product(stockCode="PS-1", salePrice="10", listPrice="12", quantity=3)
    ack = _post_task(sb, http, "price-stock-update", [
        {"stockCode": "PS-1", "listPrice": 20, "salePrice": 15.5, "quantity": 7},
        {"stockCode": "NOPE", "quantity": 1},
        {"stockCode": "PS-1", "salePrice": 9},
    ])
    assert ack["type"] == "SKU_UPDATE"
    sb.state.process_tasks_now()
    rows = _details(sb, http, ack["id"])["skus"]["content"]
    assert rows[0]["status"] == "SUCCESS"
    # price-stock-update reasons sit inside the sku block, as on N11 (API.md §9)
    assert rows[1]["status"] == "FAIL" and "Ürün bulunamadı" in rows[1]["sku"]["reasons"][0]
    assert rows[1]["reasons"] == []
    assert rows[2]["status"] == "FAIL"  # duplicate in task
    p = http.get(sb.url + "/ms/product-query", params={"stockCode": "PS-1"}, headers=AUTH).json()["content"][0]
    assert (p["listPrice"], p["salePrice"], p["quantity"]) == (20, 15.5, 7)
    ack = _post_task(sb, http, "price-stock-update", [
        {"stockCode": "PS-1", "listPrice": 20.123, "salePrice": 15},
        ])
    sb.state.process_tasks_now()
    row = _details(sb, http, ack["id"])["skus"]["content"][0]
    assert row["status"] == "FAIL" and "2 ondalık" in row["sku"]["reasons"][0]


def test_product_query_paging_and_limits(fresh, http):
    sb = fresh
    for i in range(25):
        sb.state.add_product(stockCode=f"Q-{i:02d}")
    r = http.get(sb.url + "/ms/product-query", params={"page": 1, "size": 20}, headers=AUTH).json()
    assert r["totalElements"] == 25 and r["totalPages"] == 2 and len(r["content"]) == 5
    assert r["last"] is True
    r = http.get(sb.url + "/ms/product-query", params={"page": 5}, headers=AUTH)
    assert r.status_code == 200 and r.json()["content"] == []
    r = http.get(sb.url + "/ms/product-query", params={"size": 251}, headers=AUTH)
    assert r.status_code == 500 and "ConstraintViolationException" in r.text


def test_delete_task(fresh, http):
    sb = fresh
    sb.state.add_product(stockCode="DEL-1")
    ack = _post_task(sb, http, "product-delete", [{"stockCode": "DEL-1"}, {"stockCode": "DEL-2"}])
    sb.state.process_tasks_now()
    rows = _details(sb, http, ack["id"])["skus"]["content"]
    assert [r["status"] for r in rows] == ["SUCCESS", "FAIL"]
    assert "DEL-1" not in sb.state.products


def test_unknown_task_id(sb, http):
    r = http.post(sb.url + "/ms/product/task-details/page-query", json={"taskId": 1}, headers=AUTH)
    assert r.status_code == 404


def test_requests_log_counts_posts(fresh, http):
    sb = fresh
    before = len(sb.state.requests_log)
    _post_task(sb, http, "product-create", [_sku("L-1")])
    posts = [e for e in sb.state.requests_log[before:]
             if e["path"] == "/ms/product/tasks/product-create"]
    assert len(posts) == 1 and posts[0]["method"] == "POST" and posts[0]["body_size"] > 0


# ----------------------------------------------------------------------------- orders

PKG = "/rest/delivery/v1/shipmentPackages"


def test_packages_shape_and_filters(fresh, http):
    sb = fresh
    sb.state.add_product(stockCode="O-1", salePrice="100", quantity=50)
    pkg = sb.state.create_order([{"stockCode": "O-1", "quantity": 2, "price": "100",
                                  "sellerDiscount": "10", "mallDiscount": "0"}])[0]
    line = pkg["lines"][0]
    assert line["sellerInvoiceAmount"] == 180 and line["totalSellerDiscountPrice"] == 20
    for key in ("id", "orderNumber", "shipmentPackageStatus", "lastModifiedDate",
                "agreedDeliveryDate", "totalAmount", "totalDiscountAmount", "packageHistories",
                "cargoTrackingNumber", "cargoSenderNumber", "shipmentCompanyId",
                "cargoProviderName", "customerfullName", "shippingAddress", "billingAddress",
                "lines", "tcIdentityNumber", "isReturned", "sellerId",
                "installmentChargeWithVATprice", "micro"):
        assert key in pkg
    # home delivery: N11 sends no deliveryAddressType, and micro is null (lonca, API.md §9)
    assert "deliveryAddressType" not in pkg and pkg["micro"] is None
    assert line["customTextOptionValues"] == []
    assert {"taxId", "taxHouse", "invoiceType"} <= set(pkg["billingAddress"])
    assert set(pkg["shippingAddress"]) >= {"address", "city", "district", "neighborhood",
                                           "fullName", "gsm", "tcId", "postalCode"}
    r = http.get(sb.url + PKG, headers=AUTH).json()
    assert r["pageCount"] == 1 and r["content"][0]["id"] == pkg["id"]
    assert http.get(sb.url + PKG, params={"status": "Picking"}, headers=AUTH).json()["content"] == []
    assert http.get(sb.url + PKG, params={"status": "Bogus"}, headers=AUTH).json()["content"] == []
    assert http.get(sb.url + PKG, params={"orderNumber": pkg["orderNumber"]},
                    headers=AUTH).json()["pageCount"] == 1


def test_packages_paging_window_and_size_clamp(fresh, http):
    sb = fresh
    now = int(time.time() * 1000)
    day = 86_400_000
    for i in range(130):
        sb.state.create_order(created_ms=now - 3600_000 - i)
    old = sb.state.create_order(created_ms=now - 20 * day)[0]
    r = http.get(sb.url + PKG, params={"size": 500, "page": 0}, headers=AUTH).json()
    assert r["size"] == 100 and r["pageCount"] == 100 and r["totalPages"] == 2
    r2 = http.get(sb.url + PKG, params={"size": 100, "page": 1}, headers=AUTH).json()
    assert r2["pageCount"] == 30
    ids = {p["id"] for p in r["content"]} | {p["id"] for p in r2["content"]}
    assert len(ids) == 130 and old["id"] not in ids
    # a 25-day window answers like its LAST 15 days (lonca's notes, API.md §9): the 20-day-old
    # package is not in it, the recent ones are
    r = http.get(sb.url + PKG, params={"startDate": now - 25 * day, "endDate": now, "size": 100},
                 headers=AUTH).json()
    assert old["id"] not in [p["id"] for p in r["content"]] and r["totalPages"] == 2
    r = http.get(sb.url + PKG, params={"startDate": now - 25 * day, "endDate": now - 10 * day + 1},
                 headers=AUTH).json()
    assert [p["id"] for p in r["content"]] == [old["id"]]


def test_last_modified_filter(fresh, http):
    sb = fresh
    now = int(time.time() * 1000)
    pkg = sb.state.create_order(created_ms=now - 10 * 86_400_000)[0]
    sb.state.advance_package(pkg["id"], "Picking")
    r = http.get(sb.url + PKG, params={"startDate": now - 60_000, "endDate": now + 60_000,
                                       "orderByField": "true"}, headers=AUTH).json()
    assert [p["id"] for p in r["content"]] == [pkg["id"]]
    assert r["content"][0]["shipmentPackageStatus"] == "Picking"
    r = http.get(sb.url + PKG, params={"startDate": now - 60_000, "endDate": now + 60_000},
                 headers=AUTH).json()
    assert r["content"] == []


def test_approve_lines(fresh, http):
    sb = fresh
    pkg = sb.state.create_order(n_lines=2)[0]
    ids = [ln["orderLineId"] for ln in pkg["lines"]]
    r = http.put(sb.url + "/rest/order/v1/update",
                 json={"lines": [{"lineId": ids[0]}, {"lineId": 1}], "status": "Picking"},
                 headers=AUTH)
    assert r.status_code == 200
    res = r.json()["content"]
    assert [x["status"] for x in res] == ["SUCCESS", "FAILED"]
    p = http.get(sb.url + PKG, headers=AUTH).json()["content"][0]
    assert p["shipmentPackageStatus"] == "Picking"
    r = http.put(sb.url + "/rest/order/v1/update",
                 json={"lines": [{"lineId": ids[0]}], "status": "Shipped"}, headers=AUTH)
    assert r.status_code == 400 and r.json()["status"] == "failure"


def test_split_and_cancel_by_quantity(fresh, http):
    sb = fresh
    pkg = sb.state.create_order([{"stockCode": "A", "quantity": 1}, {"stockCode": "B", "quantity": 3}])[0]
    a, b = (ln["orderLineId"] for ln in pkg["lines"])
    r = http.post(sb.url + "/rest/delivery/v1/splitCombinePackage",
                  json={"splitGroups": [{"orderLineIds": [a]}]}, headers=AUTH)
    assert r.status_code == 400  # not Picking yet
    sb.state.advance_package(pkg["id"], "Picking")
    r = http.post(sb.url + "/rest/delivery/v1/splitCombinePackage",
                  json={"splitGroups": [{"orderLineIds": [a]}]}, headers=AUTH)
    assert r.status_code == 200, r.text
    kids = r.json()["content"]
    assert len(kids) == 2 and all(k["id"] != pkg["id"] for k in kids)
    assert kids[0]["cargoTrackingNumber"] != pkg["cargoTrackingNumber"]
    parent = sb.state.packages[pkg["id"]]
    assert parent["shipmentPackageStatus"] == "Unpacked"
    r = http.post(sb.url + "/rest/delivery/v1/splitPackageByQuantity",
                  json={"cancelledItems": [{"orderLineId": b, "quantity": 2, "cancelReasonId": 61}]},
                  headers=AUTH)
    assert r.status_code == 200, r.text
    out = r.json()["content"]
    kept, cancelled = out
    assert kept["shipmentPackageStatus"] == "Picking" and kept["lines"][0]["quantity"] == 1
    assert cancelled["shipmentPackageStatus"] == "UnSupplied" and cancelled["lines"][0]["quantity"] == 2
    assert kept["lines"][0]["orderLineId"] != b
    r = http.post(sb.url + "/rest/delivery/v1/splitPackageByQuantity",
                  json={"cancelledItems": [{"orderLineId": kept["lines"][0]["orderLineId"],
                                            "quantity": 1, "cancelReasonId": 99}]}, headers=AUTH)
    assert r.status_code == 400 and "61-65" in r.json()["errorMessage"]


def test_chunked_body_and_hostile_json(sb, http):
    def gen():
        yield b'{"payload": {"integrator": "x", '
        yield b'"skus": [{"stockCode": "C-1", "quantity": 1}]}}'
    r = http.post(sb.url + "/ms/product/tasks/price-stock-update", data=gen(), headers=AUTH)
    assert r.status_code == 200 and r.json()["status"] == "IN_QUEUE"
    deep = b"[" * 100000 + b"]" * 100000
    r = http.post(sb.url + "/ms/product/tasks/price-stock-update", data=deep, headers=AUTH)
    assert r.status_code == 400
    r = http.post(sb.url + "/ms/product/tasks/price-stock-update", data=b"{nope", headers=AUTH)
    assert r.status_code == 400


def test_orders_take_units_out_of_remote_stock(fresh, http):
    sb = fresh
    sb.state.add_product(stockCode="ST-1", quantity=3)
    sb.state.create_order([{"stockCode": "ST-1", "quantity": 2}])
    sb.state.create_order([{"stockCode": "ST-1", "quantity": 1}])
    row = http.get(sb.url + "/ms/product-query", params={"stockCode": "ST-1"}, headers=AUTH).json()["content"][0]
    assert row["quantity"] == 0 and row["saleStatus"] == "Out_Of_Stock"


def test_product_update_status_and_fields(fresh, http):
    sb = fresh
    sb.state.add_product(stockCode="U-1", quantity=2)
    ack = _post_task(sb, http, "product-update", [
        {"stockCode": "U-1", "vatRate": 10, "status": "Suspended", "preparingDay": 5,
         "description": "<p>Yeni</p>"}])
    assert ack["type"] == "PRODUCT_UPDATE"
    sb.state.process_tasks_now()
    assert _details(sb, http, ack["id"])["skus"]["content"][0]["status"] == "SUCCESS"
    row = http.get(sb.url + "/ms/product-query", params={"stockCode": "U-1"}, headers=AUTH).json()["content"][0]
    assert (row["status"], row["vatRate"], row["preparingDay"]) == ("Suspended", 10, 5)
    ack = _post_task(sb, http, "product-update", [{"stockCode": "U-1", "status": "Active"}])
    sb.state.process_tasks_now()
    row = _details(sb, http, ack["id"])["skus"]["content"][0]
    assert row["status"] == "FAIL" and "vatRate alanı boş olamaz" in row["reasons"]
    ack = _post_task(sb, http, "product-update", [
        {"stockCode": "U-1", "vatRate": 20, "status": "Active", "preparingDay": "x"}])
    sb.state.process_tasks_now()
    assert _details(sb, http, ack["id"])["skus"]["content"][0]["status"] == "FAIL"
    assert sb.state.products["U-1"]["status"] == "Suspended"  # nothing applied on FAIL


def test_odd_value_types_fail_the_sku_not_the_sandbox(fresh, http):
    sb = fresh
    ack = _post_task(sb, http, "product-create", [
        {"stockCode": "T-1", "title": ["x"], "categoryId": {"a": 1}, "images": [1],
         "attributes": [1, {"id": "x"}], "listPrice": "1e999", "salePrice": True,
         "quantity": 1.5, "vatRate": "x"}])
    sb.state.process_tasks_now()
    row = _details(sb, http, ack["id"])["skus"]["content"][0]
    assert row["status"] == "FAIL" and row["reasons"]
    assert http.get(sb.url + "/ms/product-query", headers=AUTH).status_code == 200


def test_sender_filter_and_location_delivery_quirk(fresh, http):
    sb = fresh
    mine = sb.state.create_order()[0]
    depot = sb.state.create_order(sender="N11")[0]
    konum = sb.state.create_order(location_delivery=True)[0]
    assert konum["id"] is None and konum["deliveryAddressType"] == "PUP"
    default = http.get(sb.url + PKG, headers=AUTH).json()["content"]
    assert {p["orderNumber"] for p in default} == {mine["orderNumber"], konum["orderNumber"]}
    everything = http.get(sb.url + PKG, params={"sender": "ALL"}, headers=AUTH).json()["content"]
    assert depot["orderNumber"] in {p["orderNumber"] for p in everything}
    r = http.post(sb.url + "/_sandbox/orders", json={"location_delivery": True})
    pkg = r.json()["packages"][0]
    assert pkg["id"] is None and pkg["sandboxPackageId"] in sb.state.packages


def test_banned_words_and_price_guard(fresh, http):
    sb = fresh
    ack = _post_task(sb, http, "product-create", [
        _fill_mandatory(sb, _sku("B-1", title="Replika Deri Makyaj Çantası")),
        _fill_mandatory(sb, _sku("B-2", salePrice=2_000_000, listPrice=2_000_000))])
    sb.state.process_tasks_now()
    rows = _details(sb, http, ack["id"])["skus"]["content"]
    assert "yasaklı kelime" in rows[0]["reasons"][0]
    assert any("üst sınır" in r for r in rows[1]["reasons"])


def test_packages_order_direction_and_single_bound(fresh, http):
    sb = fresh
    now = int(time.time() * 1000)
    a = sb.state.create_order(created_ms=now - 3000)[0]
    b = sb.state.create_order(created_ms=now - 2000)[0]
    asc = http.get(sb.url + PKG, params={"orderByDirection": "ASC"}, headers=AUTH).json()["content"]
    desc = http.get(sb.url + PKG, params={"orderByDirection": "DESC"}, headers=AUTH).json()["content"]
    assert [p["id"] for p in asc] == [a["id"], b["id"]] and [p["id"] for p in desc] == [b["id"], a["id"]]
    only_end = http.get(sb.url + PKG, params={"endDate": now}, headers=AUTH).json()["content"]
    assert len(only_end) == 2
    only_start = http.get(sb.url + PKG, params={"startDate": now - 2500}, headers=AUTH).json()["content"]
    assert [p["id"] for p in only_start] == [b["id"]]
