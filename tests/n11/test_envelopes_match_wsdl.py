"""Request envelopes validate against the XML Schema inside N11's real WSDLs (packaged in
n11_desktop/resources/wsdl). Requests are captured off the wire from a scripted loopback
server answering with minimal success envelopes."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from lxml import etree

import n11_desktop
from n11_desktop.core.n11.soap import NS, SOAP_ENV_NS

WSDL_DIR = Path(n11_desktop.__file__).resolve().parent / "resources" / "wsdl"
XS = "http://www.w3.org/2001/XMLSchema"


def schema_of(service: str) -> etree.XMLSchema:
    path = WSDL_DIR / f"{service}.wsdl"
    assert path.exists(), f"{path.name} is not packaged"
    wsdl = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    (schema_el,) = wsdl.getroot().iter(f"{{{XS}}}schema")
    return etree.XMLSchema(etree.fromstring(etree.tostring(schema_el)))


def ok_response(op: str, inner: str = "") -> str:
    return (
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV_NS}"><SOAP-ENV:Body>'
        f'<ns3:{op}Response xmlns:ns3="{NS}"><result><status>success</status></result>{inner}'
        f"</ns3:{op}Response></SOAP-ENV:Body></SOAP-ENV:Envelope>"
    )


CASES = [
    ("CityService", "GetCities", lambda c: c.get_cities()),
    ("CityService", "GetDistrict", lambda c: c.get_districts("06")),
    ("CityService", "GetNeighborhoods", lambda c: c.get_neighborhoods(1006001)),
    ("ShipmentCompanyService", "GetShipmentCompanies", lambda c: c.get_shipment_companies()),
    ("ShipmentService", "GetShipmentTemplateList", lambda c: c.get_shipment_templates()),
    ("OrderService", "OrderDetail", lambda c: c.order_detail(286000001)),
    ("OrderService", "CombineItems", lambda c: c.combine_items([5120000001, 5120000002])),
    ("OrderService", "SeparateCombinedItems", lambda c: c.separate_combined_items([5120000001])),
    ("OrderService", "DetailedOrderList", lambda c: c.detailed_order_list()),
    ("OrderService", "DetailedOrderList", lambda c: c.detailed_order_list("LATE_SHIPMENT", date(2026, 1, 1), date(2026, 1, 31))),
    (
        "OrderService",
        "MakeOrderItemShipment",
        lambda c: c.make_order_item_shipment([(5120000001, 341, "CAMP1", "TRK1", 1), (5120000002, 342, "C2", "T2", 2)]),
    ),
]


@pytest.mark.parametrize("service,op,call", CASES, ids=[f"{c[1]}-{n}" for n, c in enumerate(CASES)])
def test_request_validates_against_wsdl_schema(scripted, scripted_client, service, op, call):
    inner = "<orderDetail><id>286000001</id><orderNumber>1</orderNumber></orderDetail>" if op == "OrderDetail" else ""
    scripted.add(200, ok_response(op, inner), "text/xml;charset=UTF-8")
    call(scripted_client)
    body = scripted.requests[-1]["body"]
    envelope = etree.fromstring(body)
    assert etree.QName(envelope).namespace == SOAP_ENV_NS
    (request,) = envelope.find(f"{{{SOAP_ENV_NS}}}Body")
    assert request.tag == f"{{{NS}}}{op}Request"
    schema = schema_of(service)
    doc = etree.fromstring(etree.tostring(request))
    assert schema.validate(doc), schema.error_log.last_error


def _request_of(body: bytes):
    envelope = etree.fromstring(body)
    (request,) = envelope.find(f"{{{SOAP_ENV_NS}}}Body")
    return etree.fromstring(etree.tostring(request))


def test_detailed_order_list_sends_every_element_in_wsdl_order(scripted, scripted_client):
    """OrderDataListRequest: all ten elements in order, nil where nillable; PagingData with
    totalCount and pageCount (API.md §9, OrderService.wsdl)."""
    scripted.add(200, ok_response("DetailedOrderList"), "text/xml;charset=UTF-8")
    scripted_client.detailed_order_list("LATE_SHIPMENT")
    req = _request_of(scripted.requests[-1]["body"])
    search = req.find("searchData")
    assert [c.tag for c in search] == ["productId", "status", "buyerName", "orderNumber", "productSellerCode",
                                       "recipient", "sameDayDelivery", "period", "sortForUpdateDate",
                                       "updateDateSortOrder"]
    nil = "{http://www.w3.org/2001/XMLSchema-instance}nil"
    assert search.findtext("status") == "LATE_SHIPMENT" and search.find("productId").get(nil) == "true"
    assert [c.get(nil) for c in search.find("period")] == ["true", "true"]
    assert [c.tag for c in req.find("pagingData")] == ["currentPage", "pageSize", "totalCount", "pageCount"]
    assert schema_of("OrderService").validate(req)


def test_test_connection_soap_call_validates(scripted, scripted_client):
    scripted.add(200, '{"content": [], "totalPages": 0, "last": true}')
    scripted.add(200, ok_response("GetShipmentCompanies"), "text/xml;charset=UTF-8")
    scripted_client.test_connection()
    req = _request_of(scripted.requests[-1]["body"])
    assert schema_of("ShipmentCompanyService").validate(req), schema_of("ShipmentCompanyService").error_log
