"""SOAP side of the N11 protocol: envelopes out, hardened XML parsing in.

Envelopes follow the real WSDLs (``n11/wsdl/``): SOAP 1.1 document/literal, namespace
``http://www.n11.com/ws/schemas``, ``elementFormDefault="unqualified"`` so only the top-level
``<XRequest>`` element is namespace-qualified; children (``auth``, ``pagingData``, ...) are not.
The caller decides the order of children (``auth`` first, except CityService's GetCity /
GetDistrict / GetNeighborhoods where it comes after the parameter).

Responses are parsed with entity expansion, DTD loading and network access off; any DOCTYPE or
entity declaration is refused outright (billion-laughs / XXE), as is anything that is not a
SOAP envelope with the expected response element. Business failures (HTTP 200 with
``result.status=failure``) and SOAP faults become typed errors from :mod:`.errors`.

This module has no network code; :mod:`.transport` does the HTTP.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from lxml import etree

from .clock import to_turkey, turkey_day_text
from .errors import (
    AuthenticationError,
    BusinessError,
    MalformedResponseError,
    N11Error,
    NotFoundError,
    RateLimitedError,
    ServerError,
)

__all__ = [
    "NS",
    "SOAP_ENV_NS",
    "SERVICE_PATHS",
    "build_envelope",
    "parse_xml",
    "element_to_obj",
    "parse_response",
    "as_list",
    "classify_failure",
    "format_date",
    "period",
    "NIL",
]

NS = "http://www.n11.com/ws/schemas"
SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

#: endpoint path (relative to the SOAP root ``.../ws/``) of each service (WSDL soap:address)
SERVICE_PATHS: dict[str, str] = {
    "CategoryService": "categoryService/",
    "CityService": "cityService/",
    "ProductService": "productService/",
    "OrderService": "orderService/",
    "ShipmentCompanyService": "shipmentCompanyService/",
    "ShipmentService": "shipmentService/",
    "ClaimCancelService": "claimCancelService/",
    "ReturnService": "returnService/",
    "SellerInvoiceService": "sellerInvoiceService/",
}

# Any DTD at all is refused: N11 never sends one, and a DTD is how billion-laughs and
# external-entity payloads are delivered.
_HOSTILE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_HOSTILE_TEXT = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


# --------------------------------------------------------------------------- building
def format_date(value: date | datetime) -> str:
    """N11 SOAP search-period format ``dd/MM/yyyy`` of the Turkish calendar day (see .clock)."""
    return turkey_day_text(value)


def period(start: date | None, end: date | None) -> dict | None:
    """A SOAP search ``period`` (``startDate``/``endDate`` as dd/MM/yyyy), None when neither is given."""
    if start is None and end is None:
        return None
    return {
        "startDate": format_date(start) if start is not None else None,
        "endDate": format_date(end) if end is not None else None,
    }


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime):
        return to_turkey(value).strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, date):
        return format_date(value)
    return str(value)


class _Nil:
    """Marks an element sent empty as ``xsi:nil="true"`` (a nillable element the WSDL requires)."""

    def __repr__(self) -> str:
        return "NIL"


#: value for a nillable element that must be present but has nothing to say
NIL = _Nil()


def _add(parent: etree._Element, name: str, value: Any) -> None:
    if value is None:
        return
    if value is NIL:
        etree.SubElement(parent, name, {f"{{{_XSI_NS}}}nil": "true"})
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _add(parent, name, item)
        return
    el = etree.SubElement(parent, name)  # unqualified child
    if isinstance(value, Mapping):
        for key, sub in value.items():
            _add(el, key, sub)
    else:
        try:
            el.text = _scalar(value)
        except ValueError as exc:  # control characters XML cannot carry
            raise ValueError(f"value of <{name}> cannot be sent in XML: {exc}") from None


def build_envelope(request_element: str, children: Mapping[str, Any]) -> bytes:
    """Build a SOAP 1.1 envelope whose body holds ``<sch:{request_element}>``.

    ``children`` is an ordered mapping; values may be scalars, nested mappings, or lists
    (a list repeats the element, e.g. ``{"orderItem": [{"id": 1}, {"id": 2}]}``). ``None``
    values are omitted.
    """
    env = etree.Element(f"{{{SOAP_ENV_NS}}}Envelope", nsmap={"soapenv": SOAP_ENV_NS, "sch": NS, "xsi": _XSI_NS})
    etree.SubElement(env, f"{{{SOAP_ENV_NS}}}Header")
    body = etree.SubElement(env, f"{{{SOAP_ENV_NS}}}Body")
    top = etree.SubElement(body, f"{{{NS}}}{request_element}")
    for key, value in children.items():
        _add(top, key, value)
    return etree.tostring(env, xml_declaration=True, encoding="UTF-8")


# --------------------------------------------------------------------------- parsing
def _parser() -> etree.XMLParser:
    # a parser per call: lxml parsers must not be shared between threads
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(body: bytes | str, *, operation: str | None = None, http_status: int | None = None):
    """Parse untrusted XML safely; refuse DTDs/entities. Returns the root element."""
    if isinstance(body, str):
        hostile = _HOSTILE_TEXT.search(body) is not None
        data = body.encode("utf-8")
    else:
        hostile = _HOSTILE.search(body) is not None
        data = body
    kw = dict(operation=operation, http_status=http_status)
    title = _html_title(data)
    if title is not None:  # a gateway/maintenance page: transient, never parsed
        raise MalformedResponseError(
            f"N11 answered with an HTML page instead of XML ({title or 'no title'})", retryable=True, **kw
        )
    if hostile:
        raise MalformedResponseError(
            "refused an XML response containing a DOCTYPE/ENTITY declaration "
            "(possible entity-expansion or external-entity attack)",
            **kw,
        )
    if not data.strip():
        raise MalformedResponseError("empty response body where XML was expected", **kw)
    try:
        root = etree.fromstring(data, parser=_parser())
    except (etree.XMLSyntaxError, ValueError) as exc:
        # broken XML is usually a truncated answer: a read may be repeated
        raise MalformedResponseError(f"invalid XML: {exc}", retryable=True, **kw) from None
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        # e.g. a UTF-16 body that slipped past the byte scan
        raise MalformedResponseError("refused an XML response containing a DTD", **kw)
    for node in root.iter():
        if isinstance(node, etree._Entity):
            raise MalformedResponseError("refused an XML response containing entity references", **kw)
    return root


_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html)", re.IGNORECASE)
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)


def _html_title(data: bytes) -> str | None:
    """If ``data`` is an HTML page, its title ("" if none); otherwise None."""
    head = data[:4096]
    if not _HTML_START.search(head):
        return None
    m = _TITLE.search(head)
    text = m.group(1).decode("utf-8", errors="replace") if m else ""
    return " ".join(text.split())[:120]


def _local(tag: Any) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def element_to_obj(el) -> Any:
    """Element → plain data: text (``str``) for leaves, ``None`` for empty/nil elements, dicts
    for elements with children; a child repeated becomes a list. Values stay strings — no
    number guessing ("0123" stays "0123")."""
    children = [c for c in el if isinstance(c.tag, str)]
    if not children:
        if el.get(f"{{{_XSI_NS}}}nil") in ("true", "1"):
            return None
        text = el.text
        if text is None or not text.strip():
            return None
        return text
    out: dict[str, Any] = {}
    for child in children:
        key = _local(child.tag)
        value = element_to_obj(child)
        if key in out:
            prev = out[key]
            if isinstance(prev, _Repeated):
                prev.append(value)
            else:
                out[key] = _Repeated([prev, value])
        else:
            out[key] = value
    for key, value in out.items():
        if isinstance(value, _Repeated):
            out[key] = list(value)
    return out


class _Repeated(list):
    """Marks a list created from repeated elements (internal)."""


def as_list(value: Any) -> list:
    """Force a list: N11 sends a one-element list as a single element and an empty list as
    an empty element."""
    if value is None:
        return []
    if isinstance(value, list):
        return [v for v in value if v is not None]
    return [value]


def items_of(container: Any, item_name: str) -> list:
    """``<cities><city/>...</cities>`` → list of the ``city`` values (forced to a list)."""
    if not isinstance(container, dict):
        return []
    return as_list(container.get(item_name))


# --------------------------------------------------------------------------- errors
def classify_failure(
    code: str | None,
    message: str | None,
    *,
    http_status: int | None,
    operation: str | None,
) -> N11Error:
    """Map an N11 ``result`` failure (code + message) to a typed error."""
    c = (code or "").lower()
    m = (message or "").lower()
    kw = dict(code=code, http_status=http_status, operation=operation)
    text = message or code or "request failed"
    if "authenticationfailed" in c or "unauthorized" in c or "dogrulama" in m or "doğrulama" in m:
        return AuthenticationError(text, **kw)
    if "accesslimit" in c or "calllimit" in c or "ratelimit" in c or "limit.reached" in c:
        return RateLimitedError(text, **kw)
    if "notfound" in c or "not_found" in c or "bulunamad" in m or "not found" in m:
        return NotFoundError(text, **kw)
    return BusinessError(text, **kw)


def _fault_error(fault: dict, *, http_status: int | None, operation: str | None) -> N11Error:
    code = fault.get("faultcode")
    string = fault.get("faultstring") or "SOAP fault"
    code_s = str(code) if code is not None else None
    local_code = (code_s or "").rsplit(":", 1)[-1].lower()
    kw = dict(code=code_s, http_status=http_status, operation=operation)
    err = classify_failure(code_s, str(string), http_status=http_status, operation=operation)
    if type(err) is not BusinessError:  # authentication, rate limit, not found
        return err
    if local_code.startswith("client"):  # the request was wrong: repeating will not help
        return err
    return ServerError(str(string), **kw)


def parse_response(
    body: bytes,
    request_element: str,
    *,
    http_status: int | None = 200,
) -> dict:
    """Parse a SOAP response for ``request_element`` and return the response element as
    plain data. Raises typed errors for faults, ``status=failure`` and malformed bodies."""
    operation = request_element
    root = parse_xml(body, operation=operation, http_status=http_status)
    if _local(root.tag) != "Envelope" or etree.QName(root).namespace != SOAP_ENV_NS:
        raise MalformedResponseError(
            f"expected a SOAP envelope, got <{_local(root.tag)}>",
            operation=operation,
            http_status=http_status,
        )
    body_el = next((c for c in root if _local(c.tag) == "Body"), None)
    if body_el is None:
        raise MalformedResponseError("SOAP envelope has no Body", operation=operation, http_status=http_status)
    first = next((c for c in body_el if isinstance(c.tag, str)), None)
    if first is None:
        raise MalformedResponseError("SOAP Body is empty", operation=operation, http_status=http_status)
    if _local(first.tag) == "Fault":
        fault = element_to_obj(first)
        raise _fault_error(fault if isinstance(fault, dict) else {}, http_status=http_status, operation=operation)
    expected = request_element[: -len("Request")] + "Response" if request_element.endswith("Request") else None
    if expected and _local(first.tag) != expected:
        raise MalformedResponseError(
            f"expected <{expected}>, got <{_local(first.tag)}>",
            operation=operation,
            http_status=http_status,
        )
    data = element_to_obj(first)
    if not isinstance(data, dict):
        data = {}
    result = data.get("result")
    if isinstance(result, dict):
        status = (result.get("status") or "").strip().lower()
        if status == "failure":
            raise classify_failure(
                result.get("errorCode"),
                result.get("errorMessage"),
                http_status=http_status,
                operation=operation,
            )
    return data


def looks_like_soap_fault(body: bytes) -> bool:
    head = body[:4096]
    return b"Envelope" in head and b"Fault" in body[:65536]
