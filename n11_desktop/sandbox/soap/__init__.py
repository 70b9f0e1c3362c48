"""SOAP side of the sandbox. Every POST under ``/ws/`` lands here whatever the path
variant; the operation is chosen by the body's root element (``<XxxRequest>``).

Business failures are HTTP 200 with ``result/status=failure`` (as production); unparsable
or hostile XML (DTD, entities) gets a SOAP Client fault with HTTP 500.

:mod:`.common` holds what the services share; one module per N11 service group:
:mod:`.categories`, :mod:`.reference`, :mod:`.products`, :mod:`.orders`, :mod:`.claims`.
"""

from __future__ import annotations

from ..state import SandboxState
from ..xmlio import BadXml, empty_response_skeleton, soap_body_root, soap_fault, soap_response, structure_errors
from . import categories, claims, orders, products, reference
from .common import Failure, failure_result

XML_CT = "text/xml;charset=utf-8"
AUTH_FAILED = ("SELLER_API.authenticationFailed", "Apide dogrulama islemi basarisiz oldu.")
CLOSED_MESSAGE = ("Bu servis 25.01.2025 tarihinden itibaren kullanıma kapatılmıştır. Ürün "
                  "işlemleri için REST API (/ms/product/tasks) kullanınız.")
CLOSED_OPS = {"SaveProduct", "UpdateProductBasic", "UpdateProductPriceById",
              "UpdateProductPriceBySellerCode", "UpdateDiscountValueByProductId",
              "UpdateDiscountValueBySellerCode", "ProductPriceAddOptionPrice",
              "AdaptUnificationProducts"}

OPS = {**categories.OPS, **reference.OPS, **products.OPS, **orders.OPS, **claims.OPS}
SERVED_OPERATIONS = sorted(OPS)


def handle(state: SandboxState, body: bytes) -> tuple[int, str, bytes]:
    try:
        root, req = soap_body_root(body)
    except BadXml as exc:
        return 500, XML_CT, soap_fault("Client", str(exc))
    if not root.endswith("Request") or not isinstance(req, (dict, str)):
        return 500, XML_CT, soap_fault("Client", f"No endpoint mapping found for [{root}]")
    op = root[: -len("Request")]
    fn = OPS.get(op)
    if fn is None and op not in CLOSED_OPS:
        return 500, XML_CT, soap_fault("Client", f"No endpoint mapping found for [{root}]")
    if state.validate_soap:
        # Payload checked against the WSDL's structure before the endpoint runs (Spring-WS
        # style fault): unknown elements, elements out of sequence order and elements where
        # text belongs are refused; required elements left out are accepted, as N11 does
        # (taha-kanar README). See docs/n11-protocol.md.
        errors = structure_errors(body, root)
        if errors:
            return 500, XML_CT, soap_fault("Client", "Validation error: " + "; ".join(errors))
    if not isinstance(req, dict):
        req = {}
    resp_el = f"{op}Response"
    auth = req.get("auth") if isinstance(req.get("auth"), dict) else {}
    if auth.get("appKey") != state.app_key or auth.get("appSecret") != state.app_secret:
        if state.alt_auth_failures:
            return 403, "text/plain;charset=UTF-8", b"Authentication failed"
        content = {"result": failure_result(*AUTH_FAILED)}
        content.update(empty_response_skeleton(resp_el))
        return 200, XML_CT, soap_response(resp_el, content)
    if op in CLOSED_OPS:
        content = {"result": failure_result("SELLER_API.serviceClosed", CLOSED_MESSAGE)}
        return 200, XML_CT, soap_response(resp_el, content)
    try:
        with state.lock:
            state.tick()
            content = fn(state, req)
    except Failure as f:
        content = {"result": failure_result(f.code, f.message, f.category)}
        content.update(empty_response_skeleton(resp_el))
    except (TypeError, AttributeError, ValueError, KeyError) as exc:
        # A structurally odd request (an element where text was expected, ...).
        content = {"result": failure_result("SELLER_API.invalidRequest",
                                            f"İstek geçersiz: {type(exc).__name__}")}
        content.update(empty_response_skeleton(resp_el))
    return 200, XML_CT, soap_response(resp_el, content)

