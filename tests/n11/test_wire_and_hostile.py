"""Wire format, hostile XML/JSON and transport behaviour of the N11 client.

These tests use a tiny scripted HTTP server on loopback (real HTTP, real ``requests``) for
answers the sandbox never gives: hostile XML, 429 with Retry-After, redirects, odd bodies.
"""

from __future__ import annotations

import json
import socket
from decimal import Decimal

import pytest
from lxml import etree

from n11_desktop.core.n11 import (
    AuthenticationError,
    BusinessError,
    MalformedResponseError,
    N11ConnectionError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    redact,
)
from n11_desktop.core.n11.soap import NS, SOAP_ENV_NS, build_envelope

from .conftest import make_client

SOAP_HEAD = (
    '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Header/>'
    "<SOAP-ENV:Body>"
)
SOAP_TAIL = "</SOAP-ENV:Body></SOAP-ENV:Envelope>"


def soap_response(op: str, inner: str) -> str:
    return f'{SOAP_HEAD}<ns3:{op}Response xmlns:ns3="{NS}">{inner}</ns3:{op}Response>{SOAP_TAIL}'


OK = "<result><status>success</status></result>"


# --------------------------------------------------------------------------- envelopes
def test_envelope_only_top_element_is_qualified_and_auth_comes_first():
    xml = build_envelope(
        "DetailedOrderListRequest",
        {"auth": {"appKey": "k", "appSecret": "s"}, "pagingData": {"currentPage": 0, "pageSize": 100}},
    )
    root = etree.fromstring(xml)
    assert etree.QName(root).namespace == SOAP_ENV_NS
    body = root.find(f"{{{SOAP_ENV_NS}}}Body")
    top = body[0]
    assert top.tag == f"{{{NS}}}DetailedOrderListRequest"
    assert [c.tag for c in top] == ["auth", "pagingData"]  # unqualified children
    assert [c.tag for c in top.iter() if c is not top and "}" in c.tag] == []
    assert top.find("pagingData/currentPage").text == "0"


def test_city_calls_put_auth_after_the_parameter_and_keep_zero_padded_codes(scripted, scripted_client):
    scripted.add(
        200,
        soap_response("GetDistrict", OK + "<districts><district><name>Seyhan</name><id>1001</id></district></districts>"),
        "text/xml;charset=UTF-8",
    )
    districts = scripted_client.get_districts("01")
    assert [(d.id, d.name) for d in districts] == [(1001, "Seyhan")]  # one-element list
    req = scripted.requests[-1]
    assert req["method"] == "POST" and req["path"] == "/ws/cityService/"
    assert req["headers"]["SOAPAction"] == '""'
    assert req["headers"]["Content-Type"].startswith("text/xml")
    top = etree.fromstring(req["body"]).find(f"{{{SOAP_ENV_NS}}}Body")[0]
    assert top.tag == f"{{{NS}}}GetDistrictRequest"
    assert [c.tag for c in top] == ["cityCode", "auth"]
    assert top.findtext("cityCode") == "01"
    assert top.findtext("auth/appKey") == "demo-app-key"


def test_one_element_and_empty_lists_and_string_codes(scripted, scripted_client):
    scripted.add(
        200,
        soap_response(
            "GetCities",
            OK + "<cities><city><cityCode>01</cityCode><cityId>0123</cityId><cityName>Adana</cityName></city></cities>",
        ),
        "text/xml",
    )
    scripted.add(200, soap_response("GetCities", OK + "<cities/>"), "text/xml")
    cities = scripted_client.get_cities()
    assert len(cities) == 1 and cities[0].code == "01" and cities[0].id == 123 and cities[0].name == "Adana"
    assert scripted_client.get_cities() == []


def test_soap_failure_becomes_typed_error_keeping_code_and_message(scripted, scripted_client):
    scripted.add(
        200,
        soap_response(
            "GetShipmentCompanies",
            "<result><status>failure</status><errorCode>SELLER_API.authenticationFailed</errorCode>"
            "<errorMessage>Apide dogrulama islemi basarisiz oldu.</errorMessage>"
            "<errorCategory>SELLER_API</errorCategory></result><shipmentCompanies/>",
        ),
        "text/xml",
    )
    with pytest.raises(AuthenticationError) as ei:
        scripted_client.get_shipment_companies()
    err = ei.value
    assert err.code == "SELLER_API.authenticationFailed"
    assert err.message == "Apide dogrulama islemi basarisiz oldu."
    assert err.http_status == 200 and not err.retryable
    assert "\n" not in str(err) and "authenticationFailed" in str(err)
    assert len(scripted.requests) == 1  # not retried


def test_soap_rate_limit_code_and_soap_faults(scripted, scripted_client):
    scripted.add(
        200,
        soap_response(
            "GetCities",
            "<result><status>failure</status><errorCode>SELLER_API.getProductQuestionListRequest.accessLimit.reached"
            "</errorCode><errorMessage>limit</errorMessage></result>",
        ),
        "text/xml",
    )
    with pytest.raises(RateLimitedError) as ei:
        scripted_client.get_cities()
    assert ei.value.code.endswith("accessLimit.reached")
    assert len(scripted.requests) == 1  # a once-per-minute limit is not hammered

    fault = (
        f"{SOAP_HEAD}<SOAP-ENV:Fault><faultcode>SOAP-ENV:Client</faultcode>"
        f"<faultstring>Validation error: cityCode</faultstring></SOAP-ENV:Fault>{SOAP_TAIL}"
    )
    scripted.add(500, fault, "text/xml")
    with pytest.raises(BusinessError) as ei:
        scripted_client.get_districts(99)
    assert ei.value.code == "SOAP-ENV:Client" and "cityCode" in ei.value.message
    assert ei.value.http_status == 500

    server_fault = fault.replace("SOAP-ENV:Client", "SOAP-ENV:Server")
    for _ in range(3):
        scripted.add(500, server_fault, "text/xml")
    with pytest.raises(ServerError):
        scripted_client.get_districts(99)


def test_http_403_text_is_an_authentication_error(scripted, scripted_client):
    scripted.add(403, "Authentication failed", "text/plain")
    with pytest.raises(AuthenticationError) as ei:
        scripted_client.get_shipment_companies()
    assert ei.value.http_status == 403 and "Authentication failed" in str(ei.value)


def test_404_is_not_found(scripted, scripted_client):
    scripted.add(404, json.dumps({"message": "no such task"}))
    with pytest.raises(NotFoundError) as ei:
        scripted_client.get_task_result(5)
    assert ei.value.http_status == 404


def test_wrong_response_element_is_malformed(scripted, scripted_client):
    scripted.add(200, soap_response("GetCities", OK), "text/xml")
    with pytest.raises(MalformedResponseError) as ei:
        scripted_client.get_shipment_companies()
    assert "GetShipmentCompaniesResponse" in str(ei.value)


# --------------------------------------------------------------------------- hostile XML
BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>
<ns3:GetCitiesResponse xmlns:ns3="http://www.n11.com/ws/schemas"><result><status>success</status></result>
<cities><city><cityCode>34</cityCode><cityId>1</cityId><cityName>&lol9;</cityName></city></cities>
</ns3:GetCitiesResponse></SOAP-ENV:Body></SOAP-ENV:Envelope>"""


def test_billion_laughs_is_refused_without_expansion(scripted, scripted_client, rec):
    scripted.add(200, BILLION_LAUGHS, "text/xml")
    with pytest.raises(MalformedResponseError) as ei:
        scripted_client.get_cities()
    assert "DOCTYPE" in str(ei.value)
    assert len(scripted.requests) == 1  # a hostile answer is not asked for again
    assert rec.exchanges[-1].error and "MalformedResponseError" in rec.exchanges[-1].error
    assert "lollol" not in rec.exchanges[-1].error


def test_external_entity_is_refused_and_file_not_read(scripted, scripted_client, tmp_path):
    secret_file = tmp_path / "private.txt"
    secret_file.write_text("TOP-SECRET-FILE-CONTENT")
    payload = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "{secret_file.as_uri()}">]>'
        + soap_response(
            "GetCities",
            OK + "<cities><city><cityCode>34</cityCode><cityId>1</cityId><cityName>&xxe;</cityName></city></cities>",
        )
    )
    scripted.add(200, payload, "text/xml")
    with pytest.raises(MalformedResponseError) as ei:
        scripted_client.get_cities()
    assert "TOP-SECRET" not in str(ei.value)


def test_dtd_hidden_in_utf16_is_still_refused(scripted, scripted_client):
    payload = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY a "b">]>' + soap_response("GetCities", OK)).encode(
        "utf-16"
    )
    scripted.responses.append((200, {"Content-Type": "text/xml"}, payload))
    with pytest.raises(MalformedResponseError):
        scripted_client.get_cities()


def test_html_pages_truncated_and_empty_bodies_are_malformed(scripted, scripted_client, rec):
    page = "<!DOCTYPE html><html><head><title>n11 bakim</title></head><body>Bakim calismasi</body></html>"
    for _ in range(3):
        scripted.add(200, page, "text/html")
    with pytest.raises(MalformedResponseError) as ei:
        scripted_client.get_cities()
    assert "HTML page" in str(ei.value) and "n11 bakim" in str(ei.value)
    assert len(scripted.requests) == 3  # a gateway page on a read is transient: retried
    scripted.add(200, soap_response("GetCities", OK)[:-30], "text/xml")  # truncated once
    scripted.add(200, soap_response("GetCities", OK + "<cities/>"), "text/xml")
    assert scripted_client.get_cities() == []
    assert "invalid XML" in rec.exchanges[-2].error
    scripted.add(200, "", "text/xml")
    with pytest.raises(MalformedResponseError) as ei:
        scripted_client.get_cities()
    assert "empty" in str(ei.value)


def test_hostile_json_nesting_and_oversized_bodies_are_refused(scripted, rec):
    client = make_client(scripted.url + "/ws/", rec, max_response_bytes=10_000)
    try:
        scripted.add(200, "[" * 200_00 + "]" * 200_00)
        with pytest.raises(MalformedResponseError) as ei:
            client.get_category_tree()
        assert "larger than" in str(ei.value) or "JSON" in str(ei.value)
        scripted.add(200, "[" * 5000 + "]" * 5000)
        with pytest.raises(MalformedResponseError):
            client.get_category_tree()
        scripted.add(200, '{"categories": [{"id": "x", "name": "bad"}]}')
        with pytest.raises(MalformedResponseError) as ei:
            client.get_category_tree()
        assert "unexpected content" in str(ei.value)
    finally:
        client.close()


# --------------------------------------------------------------------------- retry + rate limit
def test_429_is_retried_after_retry_after(scripted, scripted_client, rec):
    scripted.add(429, json.dumps({"message": "Too many requests"}), Retry_After="1")
    scripted.add(200, json.dumps({"categories": [{"id": 1, "name": "Moda", "subCategories": None}]}))
    tree = scripted_client.get_category_tree()
    assert [n.name for n in tree] == ["Moda"] and tree[0].is_leaf
    assert rec.sleeps == [1.0]
    assert [ex.status for ex in rec.exchanges] == [429, 200]


def test_429_exhausted_raises_rate_limited(scripted, scripted_client, rec):
    for _ in range(3):
        scripted.add(429, "slow down", "text/plain")
    with pytest.raises(RateLimitedError) as ei:
        scripted_client.get_category_tree()
    assert ei.value.http_status == 429 and ei.value.retryable
    assert len(scripted.requests) == 3 and rec.sleeps == [0.01, 0.02]  # exponential backoff


def test_429_with_long_retry_after_is_left_to_the_caller(scripted, scripted_client, rec):
    scripted.add(429, "{}", Retry_After="3600")
    with pytest.raises(RateLimitedError) as ei:
        scripted_client.get_category_tree()
    assert ei.value.retry_after == 3600.0 and rec.sleeps == []


def test_redirect_is_not_followed(scripted, scripted_client):
    scripted.add(302, "", "text/plain", Location="https://evil.example.com/steal")
    with pytest.raises(MalformedResponseError) as ei:
        scripted_client.get_category_tree()
    assert "redirect" in str(ei.value)
    assert len(scripted.requests) == 1


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_connection_refused_is_retried_and_raised(rec):
    client = make_client(f"http://127.0.0.1:{_closed_port()}/ws/", rec)
    try:
        with pytest.raises(N11ConnectionError) as ei:
            client.get_cities()
        assert ei.value.retryable and not ei.value.outcome_unknown
        assert len(rec.exchanges) == 3 and rec.sleeps == [0.01, 0.02]
        # a task post that never reached N11 is safe to repeat, and its outcome is known
        rec.exchanges.clear()
        with pytest.raises(N11ConnectionError) as ei:
            client.update_price_stock([{"stockCode": "A1", "quantity": 1}])
        assert not ei.value.outcome_unknown and len(rec.exchanges) == 3
    finally:
        client.close()


# --------------------------------------------------------------------------- redaction
def test_redact_everywhere():
    secret = 'p&ss"w<rd'
    xml = build_envelope("GetCitiesRequest", {"auth": {"appKey": "k", "appSecret": secret}}).decode()
    assert secret not in redact(xml, secret) and "p&amp;ss" not in redact(xml, secret)
    assert "<appSecret>***</appSecret>" in redact(xml, secret)
    js = json.dumps({"appsecret": secret, "x": f"echo {secret}"})
    out = redact(js, secret)
    assert "w<rd" not in out and json.loads(out)["appsecret"] == "***"
    assert redact("GET /x?appSecret=abc&y=1", "zzz") == "GET /x?appSecret=***&y=1"
    assert redact("", secret) == ""
    # any letter case, and the long s re's IGNORECASE reads as "s" (the quick no-secret test must
    # not skip these)
    assert redact('{"APP_SECRET": "v1", "AppſECRET": "v2"}', "zzz") == '{"APP_SECRET": "***", "AppſECRET": "***"}'
    assert redact("<n:APPSECRET>v</n:APPSECRET> ?App-Secret=v&", "zzz") == \
        "<n:APPSECRET>***</n:APPSECRET> ?App-Secret=***&"


def test_exchange_has_request_and_response_with_secret_redacted(scripted, scripted_client, rec):
    scripted.add(200, json.dumps({"content": [], "totalPages": 0, "last": True}))
    scripted.add(
        200,
        '<S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/"><S:Body>'
        '<ns3:GetShipmentCompaniesResponse xmlns:ns3="http://www.n11.com/ws/schemas">'
        "<result><status>success</status></result><shipmentCompanies/></ns3:GetShipmentCompaniesResponse>"
        "</S:Body></S:Envelope>",
        "text/xml",
    )
    scripted_client.test_connection()
    assert rec.exchanges[-1].url.endswith("/ws/shipmentCompanyService/")
    ex = rec.exchanges[-2]
    assert ex.method == "GET" and ex.url.endswith("/ms/product-query?page=0&size=1")
    assert ex.request_headers["appsecret"] == "***" and ex.request_headers["appkey"] == "demo-app-key"
    assert ex.status == 200 and json.loads(ex.response_body)["last"] is True
    assert ex.error is None and ex.elapsed_ms >= 0
    sent = scripted.requests[-2]["headers"]
    assert sent["appsecret"] == "s3cr3t-value"  # the real request carried it


def test_decimal_money_goes_out_as_json_numbers(scripted, scripted_client):
    scripted.add(200, json.dumps({"id": 7, "type": "SKU_UPDATE", "status": "IN_QUEUE", "reasons": ["1 sku"]}))
    acks = scripted_client.update_price_stock(
        [{"stockCode": "0123", "salePrice": Decimal("99.90"), "listPrice": Decimal("120"), "quantity": 5}]
    )
    assert acks[0].task_id == 7 and acks[0].stock_codes == ("0123",)
    sent = json.loads(scripted.requests[-1]["body"])
    assert sent == {
        "payload": {
            "integrator": "n11-desktop",
            "skus": [{"stockCode": "0123", "salePrice": 99.9, "listPrice": 120, "quantity": 5}],
        }
    }


def test_large_bodies_are_cut_in_the_log_after_redaction(scripted, rec):
    client = make_client(scripted.url + "/ws/", rec, secret="s3cr3t-value", log_body_limit=100)
    try:
        rows = [{"id": n, "name": f"Kategori {n} s3cr3t-value", "subCategories": None} for n in range(50)]
        scripted.add(200, json.dumps({"categories": rows}))
        assert len(client.get_category_tree()) == 50
        body = rec.exchanges[-1].response_body
        assert "cut for the log" in body and len(body) < 200 and "s3cr3t" not in body
    finally:
        client.close()


def test_a_cut_body_is_redacted_only_as_far_as_it_is_kept_and_never_leaks_part_of_the_secret():
    """A 1000-SKU post is half a megabyte: the log keeps its head, redacted. Wherever the cut
    falls (inside the secret, around an ``appSecret`` key past the cut), no part of the secret
    is kept."""
    from n11_desktop.core.n11.transport import Transport

    secret = "s3cr3t-value"
    t = Transport("http://127.0.0.1:1/ws/", "key", secret, log_body_limit=40)
    body = "x" * 30 + secret + "y" * 100
    for limit in range(20, 60):
        t.log_body_limit = limit
        kept = t._logged_body(body, secret)
        assert "cut for the log" in kept
        head = kept.split("... [cut")[0]
        assert not any(secret[:k] in head[-k:] for k in range(3, len(secret) + 1)), (limit, head)
        assert secret not in kept
    t.log_body_limit = 40
    plain = "z" * 1000
    assert t._logged_body(plain, secret) == "z" * 40 + "... [cut for the log: 1000 characters in total]"
    # a JSON secret key beyond the cut: the whole text is redacted, then cut
    keyed = "a" * 50 + json.dumps({"appSecret": "another-value"})
    t.log_body_limit = 60
    assert "another" not in t._logged_body(keyed, secret)


def _package(pid: int, number: str, line_id: int) -> dict:
    return {
        "id": pid,
        "orderNumber": number,
        "shipmentPackageStatus": " Shipped",
        "lastModifiedDate": 1764200000000,
        "packageHistories": [{"createdDate": 1764100000000, "status": "Created"}],
        "cargoTrackingNumber": "000123456789012",
        "customerfullName": "Ayşe Yılmaz",
        "tcIdentityNumber": "",
        "totalAmount": 150.5,
        "shippingAddress": {"city": "İstanbul", "postalCode": "01000", "fullName": "Ayşe Yılmaz"},
        "lines": [{"orderLineId": line_id, "stockCode": "0123", "quantity": 1, "price": "150.50"}],
    }


def test_packages_seen_in_two_windows_are_yielded_once(scripted, scripted_client, rec):
    from datetime import datetime, timedelta, timezone

    a, b = _package(11, "0202600000001", 1), _package(12, "2026000000002", 2)
    scripted.add(200, json.dumps({"content": [a], "totalPages": 1, "page": 0, "size": 100, "pageCount": 1}))
    scripted.add(200, json.dumps({"content": [a, b], "totalPages": 1, "page": 0, "size": 100, "pageCount": 2}))
    end = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    got = list(scripted_client.iter_shipment_packages(end - timedelta(days=20), end))
    assert [p.id for p in got] == [11, 12]
    assert len(scripted.requests) == 2  # 20 days → two windows
    first = got[0]
    assert first.order_number == "0202600000001" and first.status == "Shipped"
    assert first.cargo_campaign_number == "000123456789012" and first.lines[0].stock_code == "0123"
    assert first.shipping_address.postal_code == "01000" and first.total_amount == Decimal("150.5")
    assert first.created.year == 2025 and first.customer_name == "Ayşe Yılmaz"
