"""Raw SOAP over HTTP: routing by body root on every path variant, production quirks,
hostile XML refused, and the SOAP-only services without a public WSDL (claims, returns,
invoice links)."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from n11_desktop.sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET

ENV = ('<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
       'xmlns:sch="http://www.n11.com/ws/schemas"><soapenv:Header/><soapenv:Body>{}'
       '</soapenv:Body></soapenv:Envelope>')
AUTH = f"<auth><appKey>{DEMO_APP_KEY}</appKey><appSecret>{DEMO_APP_SECRET}</appSecret></auth>"
N11 = "{http://www.n11.com/ws/schemas}"


def soap(sb, http, op, inner="", path="/ws/orderService/", auth=AUTH, first=True):
    body = f"<sch:{op}Request>{auth + inner if first else inner + auth}</sch:{op}Request>"
    r = http.post(sb.url + path, data=ENV.format(body).encode("utf-8"),
                  headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'})
    return r


def response_el(r, op):
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"].startswith("text/xml")
    root = ET.fromstring(r.content)
    el = root.find(f".//{N11}{op}Response")
    assert el is not None, r.text
    return el


@pytest.mark.parametrize("path", ["/ws/orderService/", "/ws/OrderService/", "/ws/productService",
                                  "/ws/ProductService.wsdl", "/ws/cityService/", "/ws/anything"])
def test_routing_by_root_element_on_every_path_variant(sb, http, path):
    r = soap(sb, http, "GetCity", "<cityCode>34</cityCode>", path=path, first=False)
    el = response_el(r, "GetCity")
    assert el.findtext("result/status") == "success"
    assert el.findtext("city/cityName") == "İstanbul"


def test_response_uses_ns3_prefix_and_unqualified_children(sb, http):
    r = soap(sb, http, "GetCity", "<cityCode>6</cityCode>", first=False)
    assert b"<ns3:GetCityResponse xmlns:ns3=\"http://www.n11.com/ws/schemas\">" in r.content
    assert b"<result><status>success</status></result>" in r.content


def test_single_element_list_and_empty_list(fresh, http):
    sb = fresh
    sb.state.add_product(stockCode="ONE", productMainId="ONE")
    r = soap(sb, http, "GetProductList", "<pagingData><currentPage>0</currentPage>"
             "<pageSize>10</pageSize></pagingData>", path="/ws/productService/")
    el = response_el(r, "GetProductList")
    products = el.find("products")
    assert len(products.findall("product")) == 1  # one element, not wrapped in an array
    assert products.find("product/stockItems/stockItem/sellerStockCode").text == "ONE"
    sb.state.reset()
    r = soap(sb, http, "GetProductList", "<pagingData><currentPage>0</currentPage>"
             "<pageSize>10</pageSize></pagingData>", path="/ws/productService/")
    assert b"<products/>" in r.content


def test_auth_failure_shape(sb, http):
    r = soap(sb, http, "GetProductList", auth="<auth><appKey>x</appKey><appSecret>y</appSecret></auth>",
             path="/ws/productService/")
    el = response_el(r, "GetProductList")
    assert el.findtext("result/status") == "failure"
    assert el.findtext("result/errorCode") == "SELLER_API.authenticationFailed"
    assert el.findtext("result/errorMessage") == "Apide dogrulama islemi basarisiz oldu."
    assert el.findtext("result/errorCategory") == "SELLER_API"
    assert b"<products/>" in r.content
    r = soap(sb, http, "GetCities", auth="", path="/ws/cityService/")
    assert response_el(r, "GetCities").findtext("result/errorCode") == "SELLER_API.authenticationFailed"


def test_business_failure_is_http_200(sb, http):
    r = soap(sb, http, "GetCategoryAttributes", "<categoryId>1000001</categoryId>",
             path="/ws/categoryService/")
    el = response_el(r, "GetCategoryAttributes")
    assert el.findtext("result/status") == "failure" and el.findtext("result/errorMessage")


def test_metadata_paging_and_typo_quirks(fresh, http):
    sb = fresh
    r = soap(sb, http, "GetCategoryAttributes", "<categoryId>1002571</categoryId><pagingData>"
             "<currentPage>1</currentPage><pageSize>2</pageSize></pagingData>",
             path="/ws/categoryService/")
    el = response_el(r, "GetCategoryAttributes")
    assert el.findtext("category/metadata/currentPage") == "1"
    assert el.findtext("category/metadata/pageSize") == "2"
    assert el.find("pagingData") is None
    pkg = sb.state.create_order()[0]
    r = soap(sb, http, "DetailedOrderList", "<searchData><orderNumber>" + pkg["orderNumber"] +
             "</orderNumber></searchData>")
    el = response_el(r, "DetailedOrderList")
    item = el.find("orderList/order/orderItemList/orderItem")
    assert item.findtext("shipmenCompanyCampaignNumber") == pkg["cargoTrackingNumber"]
    assert item.findtext("status") == "2"
    assert el.findtext("orderList/order/buyer/fullName") == pkg["customerfullName"]


BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
        + ENV.format("<sch:GetCitiesRequest><auth><appKey>&lol3;</appKey></auth></sch:GetCitiesRequest>"))
XXE = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
       + ENV.format("<sch:GetCitiesRequest><auth><appKey>&xxe;</appKey></auth></sch:GetCitiesRequest>"))


@pytest.mark.parametrize("payload", [BOMB, XXE, "<not-xml", ""], ids=["bomb", "xxe", "broken", "empty"])
def test_hostile_or_broken_xml_is_refused_with_fault(sb, http, payload):
    r = http.post(sb.url + "/ws/cityService/", data=payload.encode(),
                  headers={"Content-Type": "text/xml"})
    assert r.status_code == 500
    assert b"Fault" in r.content and b"root:" not in r.content


def test_unknown_operation_is_fault(sb, http):
    r = soap(sb, http, "NoSuchThing")
    assert r.status_code == 500 and b"No endpoint mapping" in r.content


def test_wsdls_served_with_sandbox_address_and_closed_ones_405(sb, http):
    r = http.get(sb.url + "/ws/OrderService.wsdl")
    assert r.status_code == 200
    assert f'location="{sb.url}/ws/orderService/"'.encode() in r.content
    for name in ("ProductStockService", "ProductSellingService", "WebHookService", "Nope"):
        assert http.get(f"{sb.url}/ws/{name}.wsdl").status_code == 405


def test_closed_product_writes_fail(sb, http):
    r = soap(sb, http, "SaveProduct", "<product><productSellerCode>X</productSellerCode></product>",
             path="/ws/ProductService/")
    el = response_el(r, "SaveProduct")
    assert el.findtext("result/status") == "failure"


# ----------------------------------------------------------------------------- claims


def _order_with_claim(sb):
    pkg = sb.state.create_order(n_lines=2)[0]
    claim = sb.state.create_claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"])
    return pkg, claim


def test_claim_cancel_list_approve_deny(fresh, http):
    sb = fresh
    pkg, claim = _order_with_claim(sb)
    pkg2, claim2 = _order_with_claim(sb)
    r = soap(sb, http, "ClaimCancelList", "<searchData><status>REQUESTED</status></searchData>"
             "<pagingData><currentPage>0</currentPage></pagingData>", path="/ws/claimCancelService/")
    el = response_el(r, "ClaimCancelList")
    rows = el.findall("claimCancelList/claimCancel")
    assert [int(x.findtext("claimCancelId")) for x in rows] == [claim["claimCancelId"], claim2["claimCancelId"]]
    assert rows[0].findtext("orderNumber") == pkg["orderNumber"]
    assert rows[0].findtext("buyerName")
    assert el.findtext("pagingData/totalCount") == "2"
    # SOAP item status 11 while a claim is open
    r = soap(sb, http, "DetailedOrderList", "<searchData><status>Claimed</status></searchData>")
    assert len(response_el(r, "DetailedOrderList").findall("orderList/order")) == 2
    r = soap(sb, http, "ClaimCancelApprove", f"<claimCancelId>{claim['claimCancelId']}</claimCancelId>",
             path="/ws/ClaimCancelService")
    assert response_el(r, "ClaimCancelApprove").findtext("result/status") == "success"
    r = soap(sb, http, "ClaimCancelDenyReasonType", path="/ws/claimCancelService/")
    reasons = response_el(r, "ClaimCancelDenyReasonType").findall("denyReasonTypeDataList")
    assert len(reasons) >= 2 and reasons[0].findtext("value")
    r = soap(sb, http, "ClaimCancelDeny", f"<claimCancelId>{claim2['claimCancelId']}</claimCancelId>"
             "<denyReasonId>81</denyReasonId><denyReasonNote>Faturalı sipariş</denyReasonNote>",
             path="/ws/claimCancelService/")
    assert response_el(r, "ClaimCancelDeny").findtext("result/status") == "success"
    r = soap(sb, http, "ClaimCancelApprove", f"<claimCancelId>{claim2['claimCancelId']}</claimCancelId>",
             path="/ws/claimCancelService/")
    assert response_el(r, "ClaimCancelApprove").findtext("result/status") == "failure"
    r = soap(sb, http, "ClaimCancelList", "<searchData><status>COMPLETED</status></searchData>",
             path="/ws/claimCancelService/")
    rows = response_el(r, "ClaimCancelList").findall("claimCancelList/claimCancel")
    assert [int(x.findtext("claimCancelId")) for x in rows] == [claim["claimCancelId"]]
    line = sb.state._active_line(pkg["lines"][0]["orderLineId"])[1]
    assert line["orderItemLineItemStatusName"] == "Cancelled"


def test_claim_cancel_partial(fresh, http):
    sb = fresh
    pkg = sb.state.create_order([{"stockCode": "P", "quantity": 3}])[0]
    lid = pkg["lines"][0]["orderLineId"]
    r = soap(sb, http, "ClaimCancelPartial", f"<orderItemId>{lid}</orderItemId>"
             "<cancelQuantity>1</cancelQuantity><cancelReasonTypeId>61</cancelReasonTypeId>",
             path="/ws/claimCancelService/")
    assert response_el(r, "ClaimCancelPartial").findtext("result/status") == "success"
    statuses = sorted(p["shipmentPackageStatus"] for p in sb.state.packages.values())
    assert statuses == ["Created", "UnSupplied", "Unpacked"]


def test_returns(fresh, http):
    sb = fresh
    pkg = sb.state.create_order(n_lines=1)[0]
    sb.state.advance_package(pkg["id"], "Delivered")
    ret = sb.state.create_claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"], kind="return")
    r = soap(sb, http, "ClaimReturnList", "<searchData><status></status></searchData>"
             "<pagingData><currentPage>0</currentPage></pagingData>", path="/ws/returnService/")
    rows = response_el(r, "ClaimReturnList").findall("claimReturnList/claimReturn")
    assert len(rows) == 1 and int(rows[0].findtext("claimReturnId")) == ret["claimReturnId"]
    assert rows[0].find("stockCode") is None  # production rows carry no stock code
    for op in ("ClaimReturnDenyReasonTypes", "ClaimReturnPendingReasonTypes"):
        el = response_el(soap(sb, http, op, path="/ws/returnService/"), op)
        assert el.findtext("result/status") == "success" and len(list(el)) >= 3
    r = soap(sb, http, "ClaimReturnApprove", f"<claimReturnId>{ret['claimReturnId']}</claimReturnId>",
             path="/ws/returnService/")
    assert response_el(r, "ClaimReturnApprove").findtext("result/status") == "success"
    r = soap(sb, http, "ClaimReturnList", "<searchData><status>APPROVED</status></searchData>",
             path="/ws/returnService/")
    assert len(response_el(r, "ClaimReturnList").findall("claimReturnList/claimReturn")) == 1
    r = soap(sb, http, "ClaimReturnDeny", f"<claimReturnId>{ret['claimReturnId']}</claimReturnId>"
             "<denyReasonId>1</denyReasonId>", path="/ws/returnService/")
    assert response_el(r, "ClaimReturnDeny").findtext("result/status") == "failure"


def test_seller_invoice_link(fresh, http):
    sb = fresh
    pkg = sb.state.create_order()[0]
    num = pkg["orderNumber"]
    ok = soap(sb, http, "SaveLinkSellerInvoice",
              f"<url>https://fatura.example.com/{num}.pdf</url><orderNumber>{num}</orderNumber>",
              path="/ws/sellerInvoiceService/")
    assert response_el(ok, "SaveLinkSellerInvoice").findtext("result/status") == "success"
    for url in ("http://x/f.pdf", "https://x/" + "a" * 2050):
        bad = soap(sb, http, "SaveLinkSellerInvoice",
                   f"<url>{url}</url><orderNumber>{num}</orderNumber>", path="/ws/sellerInvoiceService/")
        assert response_el(bad, "SaveLinkSellerInvoice").findtext("result/status") == "failure"
    assert sb.state.invoices == [{"orderNumber": num, "url": f"https://fatura.example.com/{num}.pdf",
                                  "invoiceNumber": None, "invoiceDateTime": None}]


def test_late_shipment_is_automatic_after_ship_by_date(fresh, http):
    import time
    sb = fresh
    old = sb.state.create_order(created_ms=int(time.time() * 1000) - 3 * 86_400_000)[0]
    sb.state.create_order()
    r = soap(sb, http, "DetailedOrderList", "<searchData><status>LATE_SHIPMENT</status></searchData>")
    orders = response_el(r, "DetailedOrderList").findall("orderList/order")
    assert [o.findtext("orderNumber") for o in orders] == [old["orderNumber"]]
    # REST still shows it as Created (N11 keeps late packages in Created)
    assert sb.state.packages[old["id"]]["shipmentPackageStatus"] == "Created"


def test_separate_and_combine_items_change_packages(fresh, http):
    sb = fresh
    pkg = sb.state.create_order(n_lines=3)[0]
    ids = [ln["orderLineId"] for ln in pkg["lines"]]
    items = "".join(f"<orderItem><id>{i}</id></orderItem>" for i in ids[:1])
    r = soap(sb, http, "SeparateCombinedItems", f"<orderItemList>{items}</orderItemList>")
    assert response_el(r, "SeparateCombinedItems").findtext("result/status") == "success"
    live = [p for p in sb.state.packages.values() if p["shipmentPackageStatus"] != "Unpacked"]
    assert sorted(len(p["lines"]) for p in live) == [1, 2]
    items = "".join(f"<orderItem><id>{i}</id></orderItem>" for i in ids)
    r = soap(sb, http, "CombineItems", f"<orderItemList>{items}</orderItemList>")
    assert response_el(r, "CombineItems").findtext("result/status") == "success"
    live = [p for p in sb.state.packages.values() if p["shipmentPackageStatus"] != "Unpacked"]
    assert [len(p["lines"]) for p in live] == [3]
    other = sb.state.create_order()[0]
    items += f"<orderItem><id>{other['lines'][0]['orderLineId']}</id></orderItem>"
    r = soap(sb, http, "CombineItems", f"<orderItemList>{items}</orderItemList>")
    assert response_el(r, "CombineItems").findtext("result/status") == "failure"


@pytest.mark.parametrize("path", ["/ws/categoryService.wsdl", "/ws/categoryService/?wsdl",
                                  "/ws/CategoryService?wsdl"])
def test_wsdl_path_variants(sb, http, path):
    r = http.get(sb.url + path)
    assert r.status_code == 200
    assert f'location="{sb.url}/ws/categoryService/"'.encode() in r.content


def test_question_list_rate_limit_when_enabled(fresh, http):
    sb = fresh
    body = "<productQuestionSearch/><pagingData><currentPage>0</currentPage></pagingData>"
    assert response_el(soap(sb, http, "GetProductQuestionList", body, path="/ws/productService/"),
                       "GetProductQuestionList").findtext("result/status") == "success"
    sb.state.set_faults(question_interval_s=60)
    el = response_el(soap(sb, http, "GetProductQuestionList", body, path="/ws/productService/"),
                     "GetProductQuestionList")
    assert el.findtext("result/errorCode") == "SELLER_API.getProductQuestionListRequest.accessLimit.reached"


@pytest.mark.parametrize("rest_status,soap_item,soap_filter", [
    ("Created", 2, "New"), ("Picking", 5, "Approved"), ("Shipped", 6, "Shipped"),
    ("Delivered", 7, "Delivered"), ("Cancelled", 4, None), ("UnSupplied", 8, "Rejected")])
def test_rest_status_maps_to_soap_item_status(fresh, http, rest_status, soap_item, soap_filter):
    sb = fresh
    pkg = sb.state.create_order(n_lines=1)[0]
    sb.state.advance_package(pkg["id"], rest_status)
    r = soap(sb, http, "OrderDetail", f"<orderRequest><id>{sb.state.orders[pkg['orderNumber']]['id']}"
             "</id></orderRequest>")
    assert response_el(r, "OrderDetail").findtext("orderDetail/itemList/item/status") == str(soap_item)
    if soap_filter:
        r = soap(sb, http, "DetailedOrderList", f"<searchData><status>{soap_filter}</status></searchData>")
        orders = response_el(r, "DetailedOrderList").findall("orderList/order")
        assert [o.findtext("orderNumber") for o in orders] == [pkg["orderNumber"]]


def test_sub_categories_since_last_modified(sb, http):
    def subs(extra=""):
        r = soap(sb, http, "GetSubCategories", f"<categoryId>1000001</categoryId>{extra}",
                 path="/ws/categoryService/")
        return response_el(r, "GetSubCategories").findall("category/subCategoryList/subCategory")
    everything = subs()
    dates = sorted(s.findtext("lastModifiedDate") for s in everything)
    assert len(everything) >= 2 and all(dates)
    assert len(subs("<lastModifiedDate>01/01/2000</lastModifiedDate>")) == len(everything)
    assert subs("<lastModifiedDate>01/01/2099</lastModifiedDate>") == []


def test_alternative_auth_failure_shape(fresh, http):
    sb = fresh
    sb.state.set_faults(alt_auth_failures=True)
    r = soap(sb, http, "OrderList", auth="<auth><appKey>x</appKey><appSecret>y</appSecret></auth>")
    assert (r.status_code, r.text) == (403, "Authentication failed")
    r = http.get(sb.url + "/rest/delivery/v1/shipmentPackages",
                 headers={"appkey": "x", "appsecret": "y"})
    assert (r.status_code, r.text) == (403, "Authentication failed")
    r = soap(sb, http, "OrderList")  # right credentials are unaffected
    assert response_el(r, "OrderList").findtext("result/status") == "success"
