"""The N11 client against the real sandbox over loopback HTTP: every call, paging, task
splitting, typed errors (incl. injected faults) and redaction. The sandbox's state object is
used only to arrange data and to check effects; every N11 call goes through HTTP."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from n11_desktop.core.n11 import (
    AuthenticationError,
    BusinessError,
    MalformedResponseError,
    N11ConnectionError,
    N11Error,
    N11TimeoutError,
    NotFoundError,
    ServerError,
    WrongBaseUrlError,
    TaskRejectedError,
    client_from_config,
)
from n11_desktop.core.n11.models import CategoryNode
from n11_desktop.core.n11.soap import SOAP_ENV_NS

from .conftest import DEMO_APP_KEY, DEMO_APP_SECRET, make_client

UTC = timezone.utc
DAY_MS = 86_400_000


def now_ms() -> int:
    return int(datetime.now(UTC).timestamp() * 1000)


def exchanges_to(rec, fragment: str):
    return [ex for ex in rec.exchanges if fragment in ex.url]


# --------------------------------------------------------------------------- helpers
def a_leaf_with_attributes(client) -> tuple[int, tuple]:
    tree = client.get_category_tree()
    for root in tree:
        for node in root.walk():
            if node.is_leaf:
                return node.id, client.get_category_attributes(node.id)
    raise AssertionError("no leaf")


def valid_sku(code: str, category_id: int, attrs, **over) -> dict:
    attributes = []
    for a in attrs:
        if a.mandatory:
            if a.values:
                attributes.append({"id": a.id, "valueId": a.values[0].id, "customValue": None})
            else:
                attributes.append({"id": a.id, "valueId": None, "customValue": "Deger"})
    sku = {
        "title": f"Test ürünü uzun başlık {code}",
        "description": "<p>Açıklama</p>",
        "categoryId": category_id,
        "currencyType": "TL",
        "productMainId": f"main-{code}",
        "preparingDay": 3,
        "shipmentTemplate": "Standart",
        "stockCode": code,
        "quantity": 5,
        "images": [{"url": "https://cdn.example.com/a.jpg", "order": 1}],
        "attributes": attributes,
        "salePrice": Decimal("99.90"),
        "listPrice": Decimal("120.00"),
        "vatRate": 20,
    }
    sku.update(over)
    return sku


# =========================================================================== connection + auth
def test_test_connection_and_wrong_credentials_on_every_family(sandbox, client, rec):
    client.test_connection()
    assert rec.exchanges[-1].status == 200

    bad = make_client(sandbox.base_url, rec, secret="wrong-secret")
    badkey = make_client(sandbox.base_url, rec, key="wrong-key", secret="wrong-secret")
    try:
        rec.exchanges.clear()
        with pytest.raises(AuthenticationError) as ei:  # /ms → 401 Spring body
            bad.test_connection()
        assert ei.value.http_status == 401 and ei.value.code == "SellerApiUserUnauthorizedException"
        assert "doğrulama" in ei.value.message
        with pytest.raises(AuthenticationError) as ei:  # /rest → 400 failure body
            list(bad.iter_shipment_packages(datetime.now(UTC) - timedelta(days=1), datetime.now(UTC)))
        assert ei.value.http_status == 400 and ei.value.code == "SELLER_API.authenticationFailed"
        with pytest.raises(AuthenticationError) as ei:  # /cdn → 403 text/plain
            badkey.get_category_tree()
        assert ei.value.http_status == 403 and "Authentication failed" in ei.value.message
        with pytest.raises(AuthenticationError) as ei:  # SOAP → 200 + result failure
            bad.get_cities()
        assert ei.value.http_status == 200 and ei.value.code == "SELLER_API.authenticationFailed"
        assert len(rec.exchanges) == 4  # authentication failures are never retried
        assert rec.sleeps == []
        rec.assert_no_secret("wrong-secret")
    finally:
        bad.close()
        badkey.close()


def test_client_from_config(sandbox, rec):
    with pytest.raises(ValueError, match="app_secret"):
        client_from_config({"base_url": sandbox.base_url, "app_key": "k"})
    c = client_from_config(
        {"base_url": sandbox.base_url, "app_key": DEMO_APP_KEY, "app_secret": DEMO_APP_SECRET, "other": 1},
        timeout=(2, 5),
        on_exchange=rec.on_exchange,
    )
    with c:
        c.test_connection()
        assert "demo-app-secret" not in repr(c)
    rec.assert_no_secret(DEMO_APP_SECRET)


# =========================================================================== categories
def test_category_tree_and_attributes(client):
    tree = client.get_category_tree()
    assert len(tree) == 79 and all(isinstance(n, CategoryNode) for n in tree)
    nodes = [n for root in tree for n in root.walk()]
    assert len(nodes) == 4406
    leaf = next(n for n in nodes if n.is_leaf)
    parent = next(n for n in nodes if not n.is_leaf)
    attrs = client.get_category_attributes(leaf.id)
    brand = next(a for a in attrs if a.id == 1)
    assert brand.name == "Marka" and brand.mandatory and brand.values
    assert all(isinstance(v.id, int) and v.name for v in brand.values)
    assert [a.order for a in attrs] == sorted(a.order for a in attrs) or len({a.id for a in attrs}) == len(attrs)

    with pytest.raises(BusinessError) as ei:  # attributes of a non-leaf category
        client.get_category_attributes(parent.id)
    assert ei.value.code == "invalidInput" and ei.value.http_status == 400
    assert str(parent.id) in ei.value.message
    with pytest.raises(NotFoundError) as ei:  # "... bulunamadı" (400 invalidInput)
        client.get_category_attributes(999_999_999)
    assert ei.value.code == "invalidInput"


# =========================================================================== product tasks
def test_2500_skus_are_split_into_three_tasks_and_results_read(sandbox, client, rec):
    cid, attrs = a_leaf_with_attributes(client)
    skus = [valid_sku(f"SKU-{n:05d}", cid, attrs) for n in range(2500)]
    skus[1234]["title"] = "kısa"  # one bad SKU → per-SKU FAIL, the task still runs
    client.log_body_limit = None  # keep whole bodies to inspect what went out
    rec.exchanges.clear()
    acks = client.create_products(skus)
    posts = exchanges_to(rec, "/ms/product/tasks/product-create")
    assert len(posts) == 3 and len(acks) == 3
    sizes = [len(json.loads(ex.request_body)["payload"]["skus"]) for ex in posts]
    assert sizes == [1000, 1000, 500]
    assert all(json.loads(ex.request_body)["payload"]["integrator"] == "n11-desktop" for ex in posts)
    assert [len(a.stock_codes) for a in acks] == [1000, 1000, 500]
    assert acks[0].stock_codes[0] == "SKU-00000" and acks[2].stock_codes[-1] == "SKU-02499"
    assert all(a.status == "IN_QUEUE" and a.type == "PRODUCT_CREATE" and not a.rejected for a in acks)
    assert len({a.task_id for a in acks}) == 3

    sandbox.state.process_tasks_now()
    results = [client.get_task_result(a.task_id) for a in acks]
    assert all(r.status == "PROCESSED" and r.done for r in results)
    assert [len(r.skus) for r in results] == [1000, 1000, 500]
    failed = [s for r in results for s in r.skus if not s.ok]
    assert [s.stock_code for s in failed] == ["SKU-01234"]
    assert any("15" in reason for reason in failed[0].reasons)
    ok = results[0].skus[0]
    assert ok.status == "SUCCESS" and ok.sale_price == Decimal("99.9") and ok.quantity == 5


def test_task_results_are_read_across_pages(sandbox, rec):
    client = make_client(sandbox.base_url, rec, task_page_size=300)
    try:
        for n in range(700):
            sandbox.state.add_product(stockCode=f"P{n:04d}", salePrice="50", quantity=1)
        (ack,) = client.update_price_stock(
            [{"stockCode": f"P{n:04d}", "quantity": 7} for n in range(700)] + [{"stockCode": "nope", "quantity": 1}]
        )
        assert ack.type == "SKU_UPDATE"
        sandbox.state.process_tasks_now()
        rec.exchanges.clear()
        result = client.get_task_result(ack.task_id)
        assert len(exchanges_to(rec, "page-query")) == 3  # 701 rows / 300 per page
        assert len(result.skus) == 701
        assert [s.stock_code for s in result.skus if not s.ok] == ["nope"]
        assert {s.quantity for s in result.skus if s.ok} == {7}
    finally:
        client.close()


def test_in_queue_task_and_unknown_task(sandbox, client):
    sandbox.state.add_product(stockCode="Q1", salePrice="10")
    (ack,) = client.update_price_stock([{"stockCode": "Q1", "salePrice": Decimal("9.50"), "listPrice": Decimal("10")}])
    early = client.get_task_result(ack.task_id)
    assert early.status in ("IN_QUEUE", "PROCESSED")
    with pytest.raises(NotFoundError) as ei:
        client.get_task_result(123)
    assert ei.value.http_status == 404 and "123" in ei.value.message


def test_rejected_task_raises_with_all_acks(sandbox, rec):
    client = make_client(sandbox.base_url, rec, integrator=" ")
    try:
        with pytest.raises(TaskRejectedError) as ei:
            client.delete_products(["A", "B"])
        err = ei.value
        assert err.task_id is not None and len(err.acks) == 1 and err.acks[0].rejected
        assert "integrator" in err.message and err.code == "REJECT"
        acks = client.delete_products(["A"], raise_on_reject=False)
        assert acks[0].status == "REJECT" and acks[0].reasons
        result = client.get_task_result(acks[0].task_id)
        assert result.status == "REJECT" and result.done and result.skus == ()
        assert any("integrator" in r for r in result.reasons)
    finally:
        client.close()


def test_update_delete_and_product_query(sandbox, client, rec):
    cid, attrs = a_leaf_with_attributes(client)
    client.create_products([valid_sku("0123", cid, attrs), valid_sku("00456", cid, attrs)])
    sandbox.state.process_tasks_now()
    sandbox.state.approve_products_now()

    product = client.get_remote_product("0123")
    assert product is not None and product.stock_code == "0123" and product.status == "Active"
    assert product.sale_price == Decimal("99.9") and product.list_price == Decimal("120")
    assert product.category_id == cid and product.vat_rate == 20 and product.n11_product_id
    assert client.get_remote_product("123") is None  # "0123" is not 123

    client.update_price_stock(
        [{"stockCode": "0123", "salePrice": Decimal("80.00"), "listPrice": Decimal("100.00"), "quantity": 0}]
    )
    client.update_products([{"stockCode": "00456", "status": "Suspended", "vatRate": 20}])
    sandbox.state.process_tasks_now()
    p = client.get_remote_product("0123")
    assert (p.sale_price, p.list_price, p.quantity) == (Decimal("80"), Decimal("100"), 0)
    assert client.get_remote_product("00456").status == "Suspended"
    assert [x.stock_code for x in client.query_products(status="Suspended")] == ["00456"]

    (ack,) = client.delete_products(["00456"])
    sandbox.state.process_tasks_now()
    assert client.get_task_result(ack.task_id).skus[0].ok
    assert client.get_remote_product("00456") is None

    with pytest.raises(TypeError):
        client.delete_products("0123")
    with pytest.raises(ValueError, match="stockCode"):
        client.update_price_stock([{"quantity": 1}])
    assert client.create_products([]) == []


def test_product_query_follows_pages(sandbox, client, rec):
    for n in range(620):
        sandbox.state.add_product(stockCode=f"Z{n:04d}", salePrice="10", quantity=n % 3)
    rec.exchanges.clear()
    products = list(client.query_products())
    assert len(products) == 620 and len({p.stock_code for p in products}) == 620
    pages = exchanges_to(rec, "/ms/product-query")
    assert len(pages) == 3
    assert [parse_qs(urlsplit(ex.url).query)["page"][0] for ex in pages] == ["0", "1", "2"]
    assert all(parse_qs(urlsplit(ex.url).query)["size"] == ["250"] for ex in pages)
    out_of_stock = list(client.query_products(sale_status="Out_Of_Stock", page_size=100))
    assert len(out_of_stock) == 207 and all(p.quantity == 0 for p in out_of_stock)


# =========================================================================== packages (REST)
def test_packages_split_into_15_day_windows_and_pages(sandbox, client, rec):
    now = now_ms()
    for n in range(330):  # spread over 40 days: > 100 per 15-day window
        sandbox.state.create_order(created_ms=now - (n * 40 * DAY_MS) // 330 - 60_000, n_lines=1)
    rec.exchanges.clear()
    end = datetime.now(UTC)
    start = end - timedelta(days=41)
    packages = list(client.iter_shipment_packages(start, end))
    assert len(packages) == 330 and len({p.id for p in packages}) == 330
    calls = exchanges_to(rec, "/rest/delivery/v1/shipmentPackages")
    spans = set()
    for ex in calls:
        q = {k: v[0] for k, v in parse_qs(urlsplit(ex.url).query).items()}
        assert int(q["endDate"]) - int(q["startDate"]) <= 15 * DAY_MS
        assert q["size"] == "100"
        spans.add((q["startDate"], q["endDate"]))
    assert len(spans) == 3  # 41 days → 3 windows
    second_pages = [ex for ex in calls if parse_qs(urlsplit(ex.url).query)["page"] == ["1"]]
    assert len(second_pages) >= 2  # full windows (>100 packages) were read in two pages
    first = packages[0]
    assert first.order_number.isdigit() and first.status == "Created" and first.lines
    assert isinstance(first.total_amount, Decimal) and first.created is not None
    assert first.shipping_address.city and first.customer_name

    with pytest.raises(ValueError):
        list(client.iter_shipment_packages(end, start))


def test_reading_packages_ahead_asks_the_same_pages_and_stops_cleanly(sandbox, client, rec):
    """read_ahead requests a page while the one before it is handed out: the same requests, the
    same packages in the same order; an N11 error on a later page comes after the earlier pages'
    packages; stopping early waits for the request in flight and leaves no thread behind."""
    import threading

    now = now_ms()
    for n in range(250):
        sandbox.state.create_order(created_ms=now - 3_600_000 + n * 1000, n_lines=1)
    end = datetime.now(UTC) + timedelta(minutes=1)
    start = end - timedelta(days=2)

    def pages_asked() -> list[str]:
        return [parse_qs(urlsplit(ex.url).query)["page"][0] for ex in
                exchanges_to(rec, "/rest/delivery/v1/shipmentPackages")]

    rec.exchanges.clear()
    plain = [p.id for p in client.iter_shipment_packages(start, end, by_last_modified=True)]
    plain_pages = pages_asked()
    rec.exchanges.clear()
    ahead = [p.id for p in client.iter_shipment_packages(start, end, by_last_modified=True, read_ahead=True)]
    assert ahead == plain and len(set(ahead)) == 250
    assert pages_asked() == plain_pages == ["0", "1", "2"]

    def helper_threads() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name.startswith("n11-page-read-ahead")]

    rec.exchanges.clear()
    it = client.iter_shipment_packages(start, end, by_last_modified=True, read_ahead=True)
    first = [next(it) for _ in range(3)]
    it.close()  # the consumer stops on page 0: page 1 (asked ahead) is waited for, nothing after it
    assert [p.id for p in first] == plain[:3]
    assert pages_asked() in (["0"], ["0", "1"]) and not helper_threads()

    sandbox.state.add_targeted_fault("/rest/delivery/v1/shipmentPackages", "page=2&", 20, "http_500")
    rec.exchanges.clear()
    got = []
    with pytest.raises(N11Error):
        for p in client.iter_shipment_packages(start, end, by_last_modified=True, read_ahead=True):
            got.append(p.id)
    assert got == plain[:200] and not helper_threads()


def test_package_filters_status_order_number_and_last_modified(sandbox, client):
    old = now_ms() - 20 * DAY_MS
    pk_old = sandbox.state.create_order(created_ms=old, n_lines=1)[0]
    pk_new = sandbox.state.create_order(n_lines=2)[0]
    sandbox.state.advance_package(pk_old["id"], "Picking")
    end = datetime.now(UTC) + timedelta(minutes=1)
    recent = end - timedelta(days=2)
    assert [p.id for p in client.iter_shipment_packages(recent, end)] == [pk_new["id"]]
    modified = list(client.iter_shipment_packages(recent, end, by_last_modified=True))
    assert {p.id for p in modified} == {pk_old["id"], pk_new["id"]}
    picking = list(client.iter_shipment_packages(end - timedelta(days=30), end, status="Picking"))
    assert [p.id for p in picking] == [pk_old["id"]] and picking[0].status == "Picking"
    by_number = list(client.iter_shipment_packages(recent, end, order_number=pk_new["orderNumber"]))
    assert [p.order_number for p in by_number] == [pk_new["orderNumber"]]
    assert isinstance(by_number[0].order_number, str)


def test_approve_split_and_cancel_by_quantity(sandbox, client):
    for code in ("L1", "L2", "L3"):
        sandbox.state.add_product(stockCode=code, salePrice="25")
    pkg = sandbox.state.create_order(
        lines=[{"stockCode": "L1", "quantity": 1}, {"stockCode": "L2", "quantity": 1}, {"stockCode": "L3", "quantity": 3}]
    )[0]
    ids = [ln["orderLineId"] for ln in pkg["lines"]]
    results = client.approve_lines(ids + [1])
    assert [r.ok for r in results] == [True, True, True, False]
    assert results[-1].line_id == 1 and results[-1].message
    again = client.approve_lines(ids[:1])
    assert not again[0].ok and "Picking" in again[0].message
    assert client.approve_lines([]) == []

    split = client.split_combine_package([[ids[0]]])
    assert split.ok and len(split.packages) == 2
    assert sorted(len(p.lines) for p in split.packages) == [1, 2]
    assert all(p.status == "Picking" for p in split.packages)

    cancel = client.split_package_by_quantity([(ids[2], 2, 61)])
    statuses = sorted(p.status for p in cancel.packages)
    assert statuses == ["Picking", "UnSupplied"]
    cancelled = next(p for p in cancel.packages if p.status == "UnSupplied")
    assert cancelled.lines[0].quantity == 2

    with pytest.raises(BusinessError) as ei:
        client.split_package_by_quantity([(ids[1], 1, 70)])
    assert "61" in ei.value.message and ei.value.http_status == 400
    with pytest.raises(ValueError):
        client.split_package_by_quantity([(ids[1], 0, 61)])
    with pytest.raises(ValueError):
        client.split_combine_package([[]])


def n11_today() -> date:
    """Today as N11 (and the sandbox) dates orders and claims: the day in Europe/Istanbul."""
    from n11_desktop.core.schedules import n11_tz

    return datetime.now(n11_tz()).date()

# =========================================================================== SOAP orders
def test_detailed_order_list_pages_and_late_shipment(sandbox, rec):
    client = make_client(sandbox.base_url, rec)
    try:
        pkgs = [sandbox.state.create_order(n_lines=1)[0] for _ in range(120)]
        sandbox.state.advance_package(pkgs[5]["id"], "LATE_SHIPMENT")
        rec.exchanges.clear()
        orders = client.detailed_order_list(page_size=50)
        assert len(orders) == 120 and len({o.order_number for o in orders}) == 120
        assert len(rec.exchanges) == 3  # 50 + 50 + 20
        body = rec.exchanges[0].request_body
        assert "<appSecret>***</appSecret>" in body and "<currentPage>0</currentPage>" in body
        today = n11_today()  # N11 dates orders by the day in Istanbul: from 21:00 UTC that is tomorrow
        late = client.detailed_order_list("LATE_SHIPMENT", today - timedelta(days=1), today)
        assert [o.order_number for o in late] == [pkgs[5]["orderNumber"]]
        assert late[0].items[0].status == "14"
        new = client.detailed_order_list("New")
        assert len(new) == 119
        first = orders[0]
        assert isinstance(first.order_number, str) and first.items and first.buyer_name
        assert first.items[0].id == pkgs[0]["lines"][0]["orderLineId"]
        assert first.items[0].campaign_number == pkgs[0]["cargoTrackingNumber"]
    finally:
        client.close()


def test_order_detail_shipment_combine_separate_and_invoice(sandbox, client):
    sandbox.state.add_product(stockCode="S1", salePrice="30")
    pkg = sandbox.state.create_order(lines=[{"stockCode": "S1", "quantity": 1}, {"stockCode": "S1", "quantity": 2}])[0]
    other = sandbox.state.create_order(lines=[{"stockCode": "S1", "quantity": 1}])[0]
    ids = [ln["orderLineId"] for ln in pkg["lines"]]
    (order,) = [o for o in client.detailed_order_list() if o.order_number == pkg["orderNumber"]]
    detail = client.order_detail(order.id)
    assert detail.order_number == pkg["orderNumber"] and [i.id for i in detail.items] == ids
    assert detail.billing_address.full_name
    with pytest.raises(NotFoundError) as ei:
        client.order_detail(1)
    assert ei.value.code == "SELLER_API.orderNotFound"

    client.approve_lines(ids)
    items = client.make_order_item_shipment([(ids[0], 341, "CAMP-1", "TRK-0001", 1)])
    assert [i.id for i in items] == [ids[0]]
    assert items[0].tracking_number == "TRK-0001" and items[0].campaign_number == "CAMP-1"
    end = datetime.now(UTC) + timedelta(minutes=1)
    (shipped,) = client.iter_shipment_packages(end - timedelta(days=1), end, order_number=pkg["orderNumber"])
    assert shipped.status == "Shipped" and shipped.cargo_tracking_number == "TRK-0001"
    with pytest.raises(BusinessError) as ei:  # only Picking items can be shipped
        client.make_order_item_shipment([(other["lines"][0]["orderLineId"], 341, None, "T", 1)])
    assert ei.value.code and not ei.value.outcome_unknown
    assert client.make_order_item_shipment([]) == ()

    client.combine_items(ids)
    client.separate_combined_items(ids)
    with pytest.raises(BusinessError):
        client.combine_items([ids[0], other["lines"][0]["orderLineId"]])
    with pytest.raises(NotFoundError):
        client.separate_combined_items([42])

    client.save_invoice_link(pkg["orderNumber"], "https://fatura.example.com/f/1.pdf")
    assert sandbox.state.invoices[-1]["url"] == "https://fatura.example.com/f/1.pdf"
    with pytest.raises(NotFoundError):
        client.save_invoice_link("999", "https://fatura.example.com/f/2.pdf")
    before = len(sandbox.state.requests_log)
    with pytest.raises(ValueError):
        client.save_invoice_link(pkg["orderNumber"], "ftp://x/1.pdf")
    assert len(sandbox.state.requests_log) == before  # bad input sends nothing


# =========================================================================== claims
def test_claim_cancel_list_pages_approve_and_deny(sandbox, client, rec):
    claims = []
    for _ in range(25):
        pkg = sandbox.state.create_order(n_lines=1)[0]
        claims.append(sandbox.state.create_claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"]))
    rec.exchanges.clear()
    today = n11_today()  # the day in Istanbul, whatever the zone of this machine
    listed = client.claim_cancel_list("REQUESTED", today - timedelta(days=1), today)
    assert len(listed) == 25 and len(rec.exchanges) == 2  # 20 per page, fixed
    assert "<searchDateType>REQUEST</searchDateType>" in rec.exchanges[0].request_body
    c0 = listed[0]
    assert c0.claim_id == claims[0]["claimCancelId"] and c0.order_number == claims[0]["orderNumber"]
    assert c0.line_id == claims[0]["skuId"] and c0.quantity == 1 and c0.unit_price is not None

    client.claim_cancel_approve(listed[0].claim_id)
    client.claim_cancel_deny(listed[1].claim_id, 81, "Mevzuat gereği")
    states = {c.claim_id: c.status for c in client.claim_cancel_list("ALL")}
    assert states[listed[0].claim_id] == "COMPLETED" and states[listed[1].claim_id] == "DENIED"
    with pytest.raises(BusinessError) as ei:
        client.claim_cancel_approve(listed[0].claim_id)
    assert ei.value.code == "SELLER_API.claimCancelInvalidStatus"
    with pytest.raises(NotFoundError):
        client.claim_cancel_approve(1)
    assert client.claim_cancel_list("REQUESTED", date(2020, 1, 1), date(2020, 1, 2)) == []


def test_claim_return_list(sandbox, client):
    pkg = sandbox.state.create_order(n_lines=1)[0]
    sandbox.state.advance_package(pkg["id"], "Delivered")
    ret = sandbox.state.create_claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"], kind="return")
    (only,) = client.claim_return_list()
    assert only.claim_id == ret["claimReturnId"] and only.status == "REQUESTED"
    assert only.order_number == pkg["orderNumber"] and only.reason
    assert client.claim_return_list("APPROVED") == []


# =========================================================================== reference data
def test_cities_districts_neighborhoods_companies_templates(client, rec):
    cities = client.get_cities()
    assert len(cities) == 81
    istanbul = next(c for c in cities if c.name == "İstanbul")
    assert istanbul.code == "34" and isinstance(istanbul.id, int)
    districts = client.get_districts(istanbul.code)
    assert districts and all(isinstance(d.id, int) for d in districts)
    request = etree.fromstring(rec.exchanges[-1].request_body.encode())
    top = request.find(f"{{{SOAP_ENV_NS}}}Body")[0]
    assert [c.tag for c in top] == ["cityCode", "auth"]  # parameter before auth (CityService quirk)
    hoods = client.get_neighborhoods(districts[0].id)
    assert hoods and hoods[0].name
    companies = client.get_shipment_companies()
    assert any(c.short_name for c in companies) and all(isinstance(c.id, int) for c in companies)
    templates = client.get_shipment_templates()
    assert "Standart" in [t.name for t in templates]


# =========================================================================== faults and error types
def test_server_errors_are_retried_for_reads_only(sandbox, client, rec):
    sandbox.state.set_faults(rate=1.0, kinds=["http_500"])
    with pytest.raises(ServerError) as ei:
        client.get_cities()
    assert ei.value.http_status == 500 and ei.value.retryable and not ei.value.outcome_unknown
    assert len(rec.exchanges) == 3 and rec.sleeps == [0.01, 0.02]

    rec.exchanges.clear()
    rec.sleeps.clear()
    with pytest.raises(ServerError) as ei:
        client.update_price_stock([{"stockCode": "X", "quantity": 1}])
    assert ei.value.outcome_unknown and len(rec.exchanges) == 1 and rec.sleeps == []
    assert "outcome unknown" in str(ei.value)

    sandbox.state.set_faults(rate=1.0, kinds=["http_503"])
    with pytest.raises(ServerError) as ei:
        client.get_category_tree()
    assert ei.value.http_status == 503


def test_reads_recover_when_faults_are_intermittent(sandbox, rec):
    client = make_client(sandbox.base_url, rec, retries=8, timeout=(1.0, 0.5))
    try:
        sandbox.state.set_faults(rate=0.4, kinds=["http_500", "http_503", "reset", "malformed"])
        for _ in range(5):
            assert len(client.get_cities()) == 81
        assert any(ex.error for ex in rec.exchanges)  # faults did happen
    finally:
        client.close()


def test_timeouts(sandbox, rec):
    client = make_client(sandbox.base_url, rec, timeout=(1.0, 0.2), retries=1)
    try:
        sandbox.state.set_faults(rate=1.0, kinds=["timeout"], timeout_s=2)
        with pytest.raises(N11TimeoutError) as ei:
            client.get_shipment_companies()
        assert ei.value.retryable and len(rec.exchanges) == 2
        rec.exchanges.clear()
        with pytest.raises(N11TimeoutError) as ei:
            client.create_products([{"stockCode": "T1"}])
        err = ei.value
        assert err.outcome_unknown and len(rec.exchanges) == 1  # a task post is never re-sent
        assert err.acks == ()
    finally:
        sandbox.state.set_faults(rate=0)
        client.close()


def test_connection_reset(sandbox, client):
    sandbox.state.set_faults(rate=1.0, kinds=["reset"])
    with pytest.raises(N11ConnectionError):
        client.get_category_attributes(1000002)
    with pytest.raises(N11ConnectionError) as ei:
        client.approve_lines([1])
    assert ei.value.outcome_unknown


def test_malformed_bodies(sandbox, client, rec):
    sandbox.state.set_faults(rate=1.0, kinds=["malformed"])
    with pytest.raises(MalformedResponseError):
        client.get_category_tree()
    with pytest.raises(MalformedResponseError):
        client.get_cities()
    sandbox.state.set_faults(rate=1.0, kinds=["wrong_content_type"])
    with pytest.raises(MalformedResponseError):
        client.test_connection()
    with pytest.raises(MalformedResponseError):
        client.get_shipment_templates()


def test_unknown_path_is_a_wrong_base_url_not_an_outage(sandbox, rec):
    """N11's edge answers an unknown path with 503 + HTML: one call, one line naming the Base Url."""
    client = make_client(sandbox.url + "/gateway/", rec)
    try:
        with pytest.raises(WrongBaseUrlError) as ei:
            client.get_cities()
        err = ei.value
        assert err.http_status == 503 and not err.retryable
        assert len(rec.exchanges) == 1 and rec.sleeps == []  # not retried as downtime
        assert rec.exchanges[-1].url.endswith("/gateway/cityService/")
        text = str(err)
        assert "\n" not in text and "Base Url" in text and "https://api.n11.com/ws/" in text
        rec.exchanges.clear()
        with pytest.raises(WrongBaseUrlError):  # Test connection says the same
            client.test_connection()
        assert len(rec.exchanges) == 2  # REST part answered; the SOAP path did not exist
    finally:
        client.close()


def test_a_real_503_outage_is_still_retried(sandbox, client, rec):
    sandbox.state.set_faults(rate=1.0, kinds=["http_503"])
    try:
        with pytest.raises(ServerError) as ei:
            client.get_cities()
    finally:
        sandbox.state.set_faults(rate=0.0)
    assert ei.value.retryable and len(rec.exchanges) == 3 and len(rec.sleeps) == 2


def test_partial_multi_task_failure_keeps_earlier_acks(sandbox, rec):
    def on_exchange(ex):  # after the first task post, the sandbox starts failing
        rec.on_exchange(ex)
        sandbox.state.set_faults(rate=1.0, kinds=["http_500"])

    client = make_client(sandbox.base_url, rec, max_task_skus=2)
    client.on_exchange = on_exchange
    try:
        items = [{"stockCode": f"M{n}", "quantity": 1} for n in range(5)]
        with pytest.raises(ServerError) as ei:
            client.update_price_stock(items)
        assert len(ei.value.acks) == 1 and ei.value.acks[0].stock_codes == ("M0", "M1")
        assert ei.value.outcome_unknown and len(rec.exchanges) == 2  # third task not posted
    finally:
        sandbox.state.set_faults(rate=0)
        client.close()


def test_every_error_is_an_n11_error_with_one_line_text(sandbox, rec):
    bad = make_client(sandbox.base_url, rec, secret="nope")
    try:
        with pytest.raises(N11Error) as ei:
            bad.get_cities()
        text = str(ei.value)
        assert "\n" not in text and "credentials" in text and "GetCitiesRequest" in text
    finally:
        bad.close()
