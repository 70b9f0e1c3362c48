"""The sandbox's own XML reading and writing (shares nothing with the N11 client).

Writing: responses are plain nested dicts/lists; :class:`SchemaOrder` reads the packaged
WSDLs once and emits children in the order the WSDL's ``xs:sequence`` declares (a strict
SOAP toolkit such as zeep reads sequences in order). Elements the WSDL does not declare
(production's superset fields) are appended after the declared ones, as production does.

Reading: ``defusedxml`` with DTDs forbidden, so billion-laughs and external-entity payloads
are refused before any expansion happens.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree as ET
from xml.sax.saxutils import escape

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

N11_NS = "http://www.n11.com/ws/schemas"
SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
XS = "{http://www.w3.org/2001/XMLSchema}"
WSDL_DIR = Path(__file__).resolve().parent.parent / "resources" / "wsdl"


class BadXml(Exception):
    """The request body is not acceptable XML (syntax error, DTD, entities)."""


# --------------------------------------------------------------------------- reading


def parse_xml(body: bytes) -> ET.Element:
    try:
        return DET.fromstring(body, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    except DefusedXmlException as exc:
        raise BadXml(f"DTD/entity declarations are not allowed: {type(exc).__name__}") from exc
    except ET.ParseError as exc:
        raise BadXml(f"XML parse error: {exc}") from exc


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def to_obj(elem: ET.Element):
    """Element → str (leaf) or dict of local names; repeated names become lists."""
    children = list(elem)
    if not children:
        return (elem.text or "").strip() if elem.text is not None else ""
    out: dict = {}
    for ch in children:
        k = local(ch.tag)
        v = to_obj(ch)
        if k in out:
            if not isinstance(out[k], list) or not getattr(out[k], "_multi", False):
                out[k] = _Multi([out[k]])
            out[k].append(v)
        else:
            out[k] = v
    return out


class _Multi(list):
    _multi = True


def as_list(v) -> list:
    """A repeated child read from XML: None/'' → [], single → [single]."""
    if v is None or v == "":
        return []
    if isinstance(v, _Multi):
        return list(v)
    return [v]


def soap_body_root(body: bytes) -> tuple[str, dict | str]:
    """Parse a SOAP envelope; return (local name of the body's first element, its content)."""
    root = parse_xml(body)
    if local(root.tag) != "Envelope":
        # Some clients post the bare request element; be lenient like a router would.
        return local(root.tag), to_obj(root)
    for ch in root:
        if local(ch.tag) == "Body":
            for op in ch:
                return local(op.tag), to_obj(op)
            raise BadXml("SOAP Body is empty")
    raise BadXml("SOAP Envelope has no Body")


# --------------------------------------------------------------------------- schema order


class SchemaOrder:
    """Child order of every element/type in the packaged WSDLs."""

    _instance: "SchemaOrder | None" = None
    _lock = threading.Lock()

    def __init__(self) -> None:
        # element name -> list[(child, type key)] ; type key = (file, typename) or None
        self.elements: dict[str, list[tuple[str, tuple | None]]] = {}
        self.types: dict[tuple, list[tuple[str, tuple | None]]] = {}
        for path in sorted(WSDL_DIR.glob("*.wsdl")):
            self._load(path)

    @classmethod
    def get(cls) -> "SchemaOrder":
        with cls._lock:
            if cls._instance is None:
                cls._instance = SchemaOrder()
            return cls._instance

    def _load(self, path: Path) -> None:
        tree = DET.parse(str(path), forbid_dtd=True)
        schema = tree.getroot().find(f".//{XS}schema")
        fname = path.stem
        raw_types: dict[str, ET.Element] = {}
        for node in schema:
            if node.tag == f"{XS}complexType":
                raw_types[node.get("name")] = node

        def tkey(typ: str | None):
            if not typ or typ.startswith("xs:"):
                return None
            return (fname, typ.split(":", 1)[-1])

        def seq_children(ct: ET.Element) -> list:
            out = []
            ext = ct.find(f"{XS}complexContent/{XS}extension")
            if ext is not None:
                base = ext.get("base", "").split(":", 1)[-1]
                if base in raw_types:
                    out += seq_children(raw_types[base])
                ct = ext
            seq = ct.find(f"{XS}sequence")
            if seq is not None:
                for e in seq.findall(f"{XS}element"):
                    out.append((e.get("name"), tkey(e.get("type"))))
            return out

        for name, ct in raw_types.items():
            self.types[(fname, name)] = seq_children(ct)
        for node in schema:
            if node.tag == f"{XS}element":
                ct = node.find(f"{XS}complexType")
                if ct is not None:
                    self.elements[node.get("name")] = seq_children(ct)
                elif node.get("type"):
                    k = tkey(node.get("type"))
                    self.elements[node.get("name")] = self.types.get(k, [])

    def children_of_type(self, key) -> list:
        return self.types.get(key, []) if key else []


# --------------------------------------------------------------------------- writing


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        s = format(v, "f")
        return s
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _emit(out: list, name: str, value, children: list) -> None:
    if value is None:
        return
    if isinstance(value, list):
        for item in value:
            _emit(out, name, item, children)
        return
    if isinstance(value, dict):
        if not value:
            out.append(f"<{name}/>")
            return
        out.append(f"<{name}>")
        mark = len(out)
        _emit_children(out, value, children)
        if len(out) == mark:  # every child was empty: <list/>, as production writes it
            out[-1] = f"<{name}/>"
        else:
            out.append(f"</{name}>")
        return
    text = escape(_scalar(value))
    out.append(f"<{name}>{text}</{name}>" if text else f"<{name}/>")


def _emit_children(out: list[str], value: dict, children) -> None:
    """``value``'s children in the WSDL's order (``children``: (name, type) pairs), then any others."""
    order = SchemaOrder.get()
    known = {c for c, _ in children}
    for cname, ctype in children:
        if cname in value:
            _emit(out, cname, value[cname], order.children_of_type(ctype))
    for cname, cval in value.items():
        if cname not in known:
            _emit(out, cname, cval, [])


def soap_response(op_element: str, content: dict) -> bytes:
    """Envelope with ``<ns3:{op_element}>`` and children ordered by the WSDL."""
    order = SchemaOrder.get()
    children = order.elements.get(op_element, [])
    out = ['<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
           '<SOAP-ENV:Header/><SOAP-ENV:Body>'
           f'<ns3:{op_element} xmlns:ns3="{N11_NS}">']
    _emit_children(out, content, children)
    out.append(f"</ns3:{op_element}></SOAP-ENV:Body></SOAP-ENV:Envelope>")
    return "".join(out).encode("utf-8")


def empty_response_skeleton(op_element: str) -> dict:
    """For failures: the response's complex children as empty elements (``<products/>``)."""
    order = SchemaOrder.get()
    out = {}
    for cname, ctype in order.elements.get(op_element, []):
        if cname in ("result", "pagingData"):
            continue
        if ctype is not None:
            out[cname] = {}
    return out


def soap_fault(code: str, message: str) -> bytes:
    return ('<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/">'
            '<SOAP-ENV:Header/><SOAP-ENV:Body><SOAP-ENV:Fault>'
            f'<faultcode>SOAP-ENV:{escape(code)}</faultcode>'
            f'<faultstring xml:lang="en">{escape(message)}</faultstring>'
            '</SOAP-ENV:Fault></SOAP-ENV:Body></SOAP-ENV:Envelope>').encode("utf-8")


def wsdl_with_address(service: str, base_url: str) -> bytes | None:
    """The packaged WSDL of ``service`` with ``soap:address`` pointing at ``base_url``."""
    matches = [p for p in WSDL_DIR.glob("*.wsdl") if p.stem.lower() == service.lower()]
    if not matches:
        return None
    path = matches[0]
    service = path.stem
    text = path.read_text(encoding="utf-8")
    lower = service[0].lower() + service[1:]
    text = text.replace(f"https://api.n11.com/ws/{lower}/", f"{base_url.rstrip('/')}/ws/{lower}/")
    return text.encode("utf-8")


# --------------------------------------------------------------------------- request checks


def structure_errors(body: bytes, root_name: str) -> list[str] | None:
    """What in the request element breaks its WSDL's structure: an element the WSDL does not
    declare there, elements out of the WSDL's sequence order, or child elements inside a text
    element. ``[]`` when none; ``None`` when no packaged WSDL declares ``root_name``
    (ClaimCancel, Return, SellerInvoice services).

    Elements the WSDL marks required but the request leaves out are NOT errors: N11 accepts
    such requests (taha-kanar/n11-sdk README, API.md §1). ``body`` is a SOAP envelope (or a
    bare request element) that already passed :func:`parse_xml`."""
    order = SchemaOrder.get()
    spec = order.elements.get(root_name)
    if spec is None:
        return None
    root = parse_xml(body)
    request = root
    if local(root.tag) == "Envelope":
        body_el = next((c for c in root if local(c.tag) == "Body"), None)
        request = next(iter(body_el), None) if body_el is not None else None
    if request is None:
        return ["no request element"]
    errors: list[str] = []

    def walk(el: ET.Element, children: list, where: str) -> None:
        position = {name: n for n, (name, _t) in enumerate(children)}
        types = dict(children)
        last, last_name = -1, ""
        for child in el:
            name = local(child.tag)
            if name not in position:
                errors.append(f"<{name}> is not an element of <{where}> in the WSDL")
                continue
            if position[name] < last:
                errors.append(f"<{name}> comes after <{last_name}> in <{where}>; the WSDL orders "
                              f"them {' , '.join(c for c, _ in children)}")
            last, last_name = position[name], name
            key = types[name]
            if key is None:
                if len(child):
                    errors.append(f"<{name}> in <{where}> holds text, not elements")
            else:
                walk(child, order.children_of_type(key), name)
            if len(errors) >= 10:
                return

    walk(request, spec, root_name)
    return errors[:10]
