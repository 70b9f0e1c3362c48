"""Turning N11 records (JSON dicts or SOAP element data) into the typed models.

Every function here takes plain data and returns a model; anything that does not fit raises
``ValueError``/``TypeError``/``KeyError``/``ArithmeticError``, which the client turns into
:class:`~.errors.MalformedResponseError`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from . import clock
from . import models as m
from .errors import MalformedResponseError
from .soap import as_list, items_of

T = TypeVar("T")


def model(fn: Callable[..., T], *args: Any, operation: str) -> T:
    """``fn(*args)``, with anything that does not fit N11's documented shape raised as
    :class:`~.errors.MalformedResponseError` for ``operation``."""
    try:
        return fn(*args)
    except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as exc:
        raise MalformedResponseError(f"unexpected content: {exc}", operation=operation) from None


#: Turkey has been on UTC+3 all year since 2016; N11 dates without a zone are Turkish time.
TURKEY = clock.TURKEY


# --------------------------------------------------------------------------- scalars
def s(value: Any) -> str | None:
    """String or None; numbers are converted without reformatting; strings kept as sent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (dict, list)):
        raise TypeError(f"expected a text value, got {type(value).__name__}")
    return str(value)


def s_strip(value: Any) -> str | None:
    text = s(value)
    if text is None:
        return None
    text = text.strip()
    return text or None


#: a whole number in an N11 answer has at most this many digits (it must fit SQLite's INTEGER)
MAX_INT_DIGITS = 18


def i(value: Any) -> int | None:
    """A whole number, bounded: a 4000-digit id in an answer is malformed, not an OverflowError later."""
    out = _i(value)
    if out is not None and not -(10**MAX_INT_DIGITS) < out < 10**MAX_INT_DIGITS:
        raise ValueError(f"expected a whole number of at most {MAX_INT_DIGITS} digits")
    return out


def _i(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal):
        return _whole(value, str(value))
    if isinstance(value, float):
        if abs(value) >= 10.0**MAX_INT_DIGITS:
            raise ValueError(f"expected a whole number of at most {MAX_INT_DIGITS} digits")
        if not value.is_integer():
            raise ValueError(f"expected a whole number, got {value}")
        return int(value)
    text = str(value).strip()
    if not text:
        return None
    if len(text) > MAX_INT_DIGITS + 8:
        raise ValueError(f"expected a whole number of at most {MAX_INT_DIGITS} digits")
    if "." in text:
        return _whole(Decimal(text), repr(text))
    return int(text)


def _whole(value: Decimal, shown: str) -> int:
    if not value.is_finite() or value.adjusted() >= MAX_INT_DIGITS:
        raise ValueError(f"expected a whole number of at most {MAX_INT_DIGITS} digits")
    if value != value.to_integral_value():
        raise ValueError(f"expected a whole number, got {shown}")
    return int(value)


def req_i(value: Any, what: str) -> int:
    out = i(value)
    if out is None:
        raise ValueError(f"{what} is missing")
    return out


def d(value: Any) -> Decimal | None:
    """An amount: finite and below 10**15 (NaN or 1e999999 in an answer is malformed)."""
    out = _d(value)
    if out is not None and (not out.is_finite() or (out and out.adjusted() >= 15)):
        raise ValueError(f"expected an amount, got {_show(out)}")
    return out


def _d(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise TypeError("expected an amount, got a boolean")
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = str(value).strip()
    if not text:
        return None
    if len(text) > 40:
        raise ValueError(f"expected an amount, got {len(text)} characters")
    return Decimal(text)


def b(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, Decimal)):
        return bool(value)
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "evet"):
        return True
    if text in ("false", "0", "no", "hayir", "hayır", ""):
        return False
    raise ValueError(f"expected true/false, got {value!r}")


_DATE_FORMATS = (
    "%d-%m-%Y %H:%M:%S",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d.%m.%Y %H:%M:%S",
    "%d/%m/%Y",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S",
)


def dt(value: Any) -> datetime | None:
    """Epoch milliseconds or one of N11's date strings → aware datetime (None if unreadable)."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, Decimal, float)) or (isinstance(value, str) and value.strip().isdigit()):
        if isinstance(value, Decimal) and value.is_finite() and value.adjusted() >= 18:
            return None  # beyond any date (as int() of it would say, after minutes for 1e999999)
        try:
            return clock.from_epoch_ms(int(value))
        except (OverflowError, OSError, ValueError):
            return None
    text = str(value).strip()
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=TURKEY)
        except ValueError:
            continue
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=TURKEY)


def strs(value: Any) -> tuple[str, ...]:
    return tuple(str(v) if not isinstance(v, dict) else str(v.get("reason") or v.get("message") or v) for v in as_list(value))


# --------------------------------------------------------------------------- shape checks
def _show(value: Any) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    kind = "number" if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool) else type(value).__name__
    kind = {"str": "text", "dict": "object", "list": "list", "bool": "true/false"}.get(kind, kind)
    return f"{text} ({kind})"


def obj(value: Any, what: str) -> dict:
    """``value`` must be a JSON object."""
    if not isinstance(value, dict):
        raise ValueError(f"{what} is {_show(value)}, expected an object")
    return value


def text(data: dict, key: str, what: str, *, required: bool = False, numbers: bool = False) -> str | None:
    """Field ``key`` must be text (or, with ``numbers``, a number sent for a code) or absent."""
    value = data.get(key)
    if value is None:
        if required:
            raise ValueError(f"{what}: '{key}' is missing")
        return None
    if isinstance(value, str):
        return value
    if numbers and isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise ValueError(f"{what}: '{key}' is {_show(value)}, expected text")


def listed(data: dict, key: str, what: str, *, text_ok: bool = False) -> list:
    """Field ``key`` must be a list or absent (``text_ok``: one text is taken as a one-item list)."""
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, list):
        return [v for v in value if v is not None]
    if text_ok and isinstance(value, str):
        return [value]
    raise ValueError(f"{what}: '{key}' is {_show(value)}, expected a list")


def rows_of(data: dict, key: str, what: str) -> list[dict]:
    """A list field whose items must all be objects."""
    rows = listed(data, key, what)
    for n, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise ValueError(f"{what}: '{key}' item {n} is {_show(row)}, expected an object")
    return rows


def field(conv: Any, data: dict, key: str, what: str) -> Any:
    """``conv(data[key])`` with an error naming the field."""
    try:
        return conv(data.get(key))
    except (ValueError, TypeError, ArithmeticError):
        raise ValueError(f"{what}: '{key}' is {_show(data.get(key))}, expected {_EXPECT.get(conv, 'another value')}") from None


_EXPECT = {}  # filled below, once the converters exist


def page(data: Any, what: str) -> tuple[list[dict], int | None, bool | None]:
    """A Spring page ``{content:[...], totalPages, last}`` → (rows, total pages, last)."""
    data = obj(data, what)
    rows = rows_of(data, "content", what)
    return rows, field(i, data, "totalPages", what), field(b, data, "last", what)


def task_result_page(data: Any) -> tuple[str, tuple[str, ...], list[dict], int | None, bool | None]:
    """One page of ``task-details/page-query`` → (status, reasons, SKU rows, total pages, last).

    ``skus`` is a page object, or (quirk) a bare list, or absent while the task is queued."""
    what = "task details"
    data = obj(data, what)
    status = text(data, "status", what, required=True).strip().upper()
    if not status:
        raise ValueError(f"{what}: 'status' is empty")
    field(i, data, "id", what)
    field(i, data, "taskId", what)
    reasons = strs(listed(data, "reasons", what, text_ok=True))
    block = data.get("skus")
    if block is None:
        return status, reasons, [], None, True
    if isinstance(block, list):
        return status, reasons, rows_of(data, "skus", what), None, True
    if isinstance(block, dict):
        rows, total_pages, last = page(block, "task details 'skus'")
        return status, reasons, rows, total_pages, last
    raise ValueError(f"{what}: 'skus' is {_show(block)}, expected a page object or a list")

_EXPECT.update({i: "a whole number", d: "an amount", b: "true/false", s: "text", s_strip: "text"})


# --------------------------------------------------------------------------- categories
def category_node(data: dict) -> m.CategoryNode:
    children = data.get("subCategories") or data.get("children") or []
    return m.CategoryNode(
        id=req_i(data.get("id"), "category id"),
        name=s(data.get("name")) or "",
        children=tuple(category_node(c) for c in as_list(children)),
    )


def category_attribute(data: dict, index: int) -> m.CategoryAttribute:
    values = data.get("attributeValues") or data.get("values") or []
    multiple = data.get("isMultipleSelect", data.get("multipleSelect", data.get("isMultiple")))
    order = data.get("attributeOrder", data.get("order", data.get("priority")))
    return m.CategoryAttribute(
        id=req_i(data.get("attributeId", data.get("id")), "attribute id"),
        name=s(data.get("attributeName", data.get("name"))) or "",
        mandatory=bool(b(data.get("isMandatory", data.get("mandatory")))),
        variant=bool(b(data.get("isVariant", data.get("variant")))),
        slicer=bool(b(data.get("isSlicer", data.get("slicer")))),
        custom_value=bool(b(data.get("isCustomValue", data.get("customValue")))),
        multiple=bool(b(multiple)),
        order=i(order) if order is not None else index,
        values=tuple(
            m.AttributeValue(id=req_i(v.get("id"), "attribute value id"), name=s(v.get("value", v.get("name"))) or "")
            for v in as_list(values)
        ),
    )


# --------------------------------------------------------------------------- tasks
def task_ack(data: dict, stock_codes: tuple[str, ...]) -> m.TaskAck:
    what = "task answer"
    data = obj(data, what)
    if "status" not in data:
        raise ValueError("task answer has no status")
    status = text(data, "status", what, required=True).strip().upper()
    task_id = field(i, data, "id", what)
    if task_id is None:
        task_id = field(i, data, "taskId", what)
    return m.TaskAck(
        task_id=task_id,
        type=text(data, "type", what),
        status=status,
        reasons=strs(listed(data, "reasons", what, text_ok=True)),
        stock_codes=stock_codes,
    )


def task_skus(rows: list) -> list[m.TaskSkuResult]:
    """The SKU rows of a task-details page (:func:`task_sku` each)."""
    return [task_sku(r) for r in rows]


def _plain_texts(value: Any) -> bool:
    return value is None or (type(value) is list and all(type(v) is str for v in value))


def task_sku(data: dict) -> m.TaskSkuResult:
    # N11's usual row ({itemCode, status, sku: {salePrice, listPrice, stock, reasons?}, reasons:
    # [texts]}) read straight; anything else, and any value that does not fit, goes through the
    # checks below (the same result, or the error naming the field)
    if type(data) is dict:
        code, status, sku = data.get("itemCode"), data.get("status"), data.get("sku")
        if type(code) is str and type(status) is str and type(sku) is dict:
            outer, inner = data.get("reasons"), sku.get("reasons")
            if _plain_texts(outer) and _plain_texts(inner):
                try:
                    sale, listed_price = d(sku.get("salePrice")), d(sku.get("listPrice"))
                    quantity = i(sku["stock"] if "stock" in sku else sku.get("quantity"))
                except (ValueError, TypeError, ArithmeticError):
                    pass
                else:
                    reasons = tuple(dict.fromkeys((*outer, *inner) if outer and inner else (outer or inner or ())))
                    return m.TaskSkuResult(code, status.strip().upper(), reasons, sale, listed_price, quantity)
    return _task_sku(data)


def _task_sku(data: dict) -> m.TaskSkuResult:
    what = "task SKU row"
    data = obj(data, what)
    sku = data.get("sku")
    if sku is None:
        sku = {}
    sku = obj(sku, f"{what}: 'sku'")
    code = data.get("itemCode", data.get("stockCode", sku.get("stockCode")))
    if code is None:
        raise ValueError("task SKU row has no itemCode")
    code = text({"itemCode": code}, "itemCode", what, numbers=True)
    # N11 puts a SKU's failure reasons at row level or inside ``sku.reasons`` (TradeXpress
    # client, API.md §9): both are read, each reason once
    reasons = strs(listed(data, "reasons", what, text_ok=True))
    inner = strs(listed(sku, "reasons", f"{what}: 'sku'", text_ok=True))
    return m.TaskSkuResult(
        stock_code=code or "",
        status=(text(data, "status", what) or "").strip().upper(),
        reasons=tuple(dict.fromkeys(reasons + inner)),
        sale_price=field(d, sku, "salePrice", what),
        list_price=field(d, sku, "listPrice", what),
        quantity=field(i, sku, "stock" if "stock" in sku else "quantity", what),
    )


# --------------------------------------------------------------------------- products
def remote_product(data: dict) -> m.RemoteProduct:
    what = "product row"
    data = obj(data, what)
    code = data.get("stockCode")
    if code is None:
        raise ValueError("product row has no stockCode")
    return m.RemoteProduct(
        n11_product_id=field(i, data, "n11ProductId", what),
        stock_code=text(data, "stockCode", what, numbers=True) or "",
        product_main_id=text(data, "productMainId", what, numbers=True),
        title=field(s, data, "title", what),
        status=(text(data, "status", what) or "").strip() or None,
        sale_status=(text(data, "saleStatus", what) or "").strip() or None,
        category_id=field(i, data, "categoryId", what),
        sale_price=field(d, data, "salePrice", what),
        list_price=field(d, data, "listPrice", what),
        quantity=field(i, data, "quantity", what),
        vat_rate=field(i, data, "vatRate", what),
        reject_info=data.get("rejectInfo"),
        raw=data,
        barcode=s(data.get("barcode")),
        currency_type=s(data.get("currencyType")),
        shipment_template=s(data.get("shipmentTemplate")),
        preparing_day=i(data.get("preparingDay")),
    )


# --------------------------------------------------------------------------- packages
def address(data: Any) -> m.Address:
    if not isinstance(data, dict):
        return m.Address()
    return m.Address(
        address=s(data.get("address")),
        city=s(data.get("city")),
        district=s(data.get("district")),
        neighborhood=s(data.get("neighborhood")),
        full_name=s(data.get("fullName")),
        gsm=s(data.get("gsm")),
        tc_id=s(data.get("tcId")),
        postal_code=s(data.get("postalCode")),
        tax_id=s(data.get("taxId")),
        tax_house=s(data.get("taxHouse")),
    )


def package_line(data: dict) -> m.PackageLine:
    what = "package line"
    field(i, data, "quantity", what)
    field(d, data, "price", what)
    text(data, "stockCode", what, numbers=True)
    return m.PackageLine(
        line_id=req_i(data.get("orderLineId"), "orderLineId"),
        stock_code=s(data.get("stockCode")),
        product_id=i(data.get("productId")),
        product_name=s(data.get("productName")),
        barcode=s(data.get("barcode")),
        quantity=i(data.get("quantity")) or 0,
        price=d(data.get("price")),
        seller_discount=d(data.get("sellerDiscount")),
        mall_discount=d(data.get("mallDiscount")),
        due_amount=d(data.get("dueAmount")),
        seller_invoice_amount=d(data.get("sellerInvoiceAmount")),
        vat_rate=i(data.get("vatRate")),
        status=s_strip(data.get("orderItemLineItemStatusName")),
        total_seller_discount=d(data.get("totalSellerDiscountPrice")),
        total_mall_discount=d(data.get("totalMallDiscountPrice")),
        commission_rate=d(data.get("commissionRate")),
        raw=data,
    )


def shipment_package(data: dict) -> m.ShipmentPackage:
    """A package row → :class:`~.models.ShipmentPackage`. N11's usual row (every value of the
    type N11 sends) is read straight by :func:`_plain_package`; anything else, and any value that
    does not fit, goes through the checks of :func:`_shipment_package` (the same package, or the
    error naming the field)."""
    if type(data) is dict:
        pkg = _plain_package(data)
        if pkg is not None:
            return pkg
    return _shipment_package(data)


_NOT_PLAIN = object()
_INT_BOUND = 10**MAX_INT_DIGITS
_AMOUNT_BOUND = 10**15  # d(): a non-zero amount's adjusted exponent is below 15
_ADDRESS_KEYS = ("address", "city", "district", "neighborhood", "fullName", "gsm", "tcId", "postalCode",
                 "taxId", "taxHouse")
_NO_ADDRESS = m.Address()
#: dt() of epoch milliseconds already read (a page's packages share a few stamps); cleared when full
_WHEN_SEEN: dict[int, datetime | None] = {}


def _plain_int(value: Any) -> bool:
    """``i(value)`` would return ``value`` itself."""
    return value is None or (type(value) is int and -_INT_BOUND < value < _INT_BOUND)


def _plain_text(value: Any) -> Any:
    """``s(value)`` for text, None or a bounded whole number; :data:`_NOT_PLAIN` for anything else."""
    if value is None or type(value) is str:
        return value
    if type(value) is int and -_INT_BOUND < value < _INT_BOUND:
        return str(value)
    return _NOT_PLAIN


def _plain_amount(value: Any) -> Any:
    """``d(value)`` for None, a decoded decimal or a whole number that fit; :data:`_NOT_PLAIN` otherwise."""
    if value is None:
        return None
    kind = type(value)
    if kind is Decimal:
        return value if value.is_finite() and (not value or value.adjusted() < 15) else _NOT_PLAIN
    if kind is int and -_AMOUNT_BOUND < value < _AMOUNT_BOUND:
        return Decimal(value)  # the same value and exponent as d()'s Decimal(str(value))
    return _NOT_PLAIN


def _when(value: Any) -> datetime | None:
    """``dt(value)``, remembered for epoch milliseconds."""
    if type(value) is not int:
        return dt(value)
    out = _WHEN_SEEN.get(value, _NOT_PLAIN)
    if out is _NOT_PLAIN:
        if len(_WHEN_SEEN) >= 4096:
            _WHEN_SEEN.clear()
        out = _WHEN_SEEN[value] = dt(value)
    return out


def _plain_address(data: Any) -> m.Address | None:
    """``address(data)``, or None when a value is not text, None or a bounded whole number."""
    if type(data) is not dict:
        return _NO_ADDRESS if not isinstance(data, dict) else None
    get = data.get
    values = [_plain_text(get(k)) for k in _ADDRESS_KEYS]
    for value in values:
        if value is _NOT_PLAIN:
            return None
    return m.Address(*values)


def _plain_line(data: dict) -> m.PackageLine | None:
    """``package_line(data)`` for a line whose every value has N11's usual type; None otherwise."""
    get = data.get
    line_id, quantity, product_id, vat = get("orderLineId"), get("quantity"), get("productId"), get("vatRate")
    if line_id is None or not (_plain_int(line_id) and _plain_int(quantity) and _plain_int(product_id)
                               and _plain_int(vat)):
        return None
    code, name, barcode = _plain_text(get("stockCode")), _plain_text(get("productName")), _plain_text(get("barcode"))
    status = _plain_text(get("orderItemLineItemStatusName"))
    if code is _NOT_PLAIN or name is _NOT_PLAIN or barcode is _NOT_PLAIN or status is _NOT_PLAIN:
        return None
    amounts = [_plain_amount(get(k)) for k in _LINE_AMOUNT_KEYS]
    for value in amounts:
        if value is _NOT_PLAIN:
            return None
    price, seller, mall, due, invoice, total_seller, total_mall, commission = amounts
    return m.PackageLine(line_id, code, product_id, name, barcode, quantity or 0, price, seller, mall, due, invoice,
                         vat, (status.strip() or None) if status is not None else None, total_seller, total_mall,
                         commission, data)


_LINE_AMOUNT_KEYS = ("price", "sellerDiscount", "mallDiscount", "dueAmount", "sellerInvoiceAmount",
                     "totalSellerDiscountPrice", "totalMallDiscountPrice", "commissionRate")


def _plain_package(data: dict) -> m.ShipmentPackage | None:
    """``_shipment_package(data)`` for N11's usual row: every value checked for the type N11 sends
    and converted as the careful parser converts it; None (→ the careful parser) for anything else."""
    get = data.get
    number = get("orderNumber")
    package_status, other_status = get("shipmentPackageStatus"), get("status")
    if (type(number) is not str or not (package_status is None or type(package_status) is str)
            or not (other_status is None or type(other_status) is str)):
        return None
    package_id, company_id, customer_id = get("id"), get("shipmentCompanyId"), get("customerId")
    if not (_plain_int(package_id) and _plain_int(company_id) and _plain_int(customer_id)):
        return None
    rows = get("lines")
    if rows is None:
        lines: tuple = ()
    elif type(rows) is list:
        built = []
        for row in rows:
            line = _plain_line(row) if type(row) is dict else None
            if line is None:
                return None
            built.append(line)
        lines = tuple(built)
    else:
        return None
    total, discount = _plain_amount(get("totalAmount")), _plain_amount(get("totalDiscountAmount"))
    campaign, sender, link = (_plain_text(get("cargoTrackingNumber")), _plain_text(get("cargoSenderNumber")),
                              _plain_text(get("cargoTrackingLink")))
    provider, email = _plain_text(get("cargoProviderName")), _plain_text(get("customerEmail"))
    customer = _plain_text(data["customerfullName"] if "customerfullName" in data else get("customerFullName"))
    tax_id, tax_office, tc_id = _plain_text(get("taxId")), _plain_text(get("taxOffice")), _plain_text(get("tcIdentityNumber"))
    method, address_type = _plain_text(get("shipmentMethod")), _plain_text(get("deliveryAddressType"))
    micro = get("micro")
    if (total is _NOT_PLAIN or discount is _NOT_PLAIN or campaign is _NOT_PLAIN or sender is _NOT_PLAIN or link is _NOT_PLAIN
            or provider is _NOT_PLAIN
            or email is _NOT_PLAIN or customer is _NOT_PLAIN or tax_id is _NOT_PLAIN or tax_office is _NOT_PLAIN
            or tc_id is _NOT_PLAIN or method is _NOT_PLAIN or address_type is _NOT_PLAIN
            or not (micro is None or type(micro) is bool)):
        return None
    billing, shipping = _plain_address(get("billingAddress")), _plain_address(get("shippingAddress"))
    if billing is None or shipping is None:
        return None
    created = None
    for h in as_list(get("packageHistories")):
        if isinstance(h, dict):
            when = _when(h.get("createdDate"))
            if when is not None and (created is None or when < created):
                created = when
    status = package_status if "shipmentPackageStatus" in data else other_status
    return m.ShipmentPackage(
        package_id, number, (status.strip() or None) if status is not None else None,
        _when(get("lastModifiedDate")), created if created is not None else _when(get("createdDate")),
        campaign, sender, link, company_id, provider, customer, email, customer_id, tax_id, tax_office, tc_id, total, discount,
        billing, shipping, lines, data, method, _when(get("agreedDeliveryDate")),
        (address_type.strip() or None) if address_type is not None else None, micro,
    )


def _shipment_package(data: dict) -> m.ShipmentPackage:
    what = "package"
    data = obj(data, what)
    if data.get("orderNumber") is None:
        raise ValueError("package has no orderNumber")
    text(data, "orderNumber", what, numbers=True)
    text(data, "shipmentPackageStatus", what)
    text(data, "status", what)
    field(i, data, "id", what)
    field(d, data, "totalAmount", what)
    rows_of(data, "lines", what)
    histories = [h for h in as_list(data.get("packageHistories")) if isinstance(h, dict)]
    created = None
    for h in histories:
        when = dt(h.get("createdDate"))
        if when is not None and (created is None or when < created):
            created = when
    return m.ShipmentPackage(
        id=i(data.get("id")),
        order_number=s(data.get("orderNumber")) or "",
        status=s_strip(data.get("shipmentPackageStatus", data.get("status"))),
        last_modified=dt(data.get("lastModifiedDate")),
        created=created if created is not None else dt(data.get("createdDate")),
        cargo_campaign_number=s(data.get("cargoTrackingNumber")),
        cargo_tracking_number=s(data.get("cargoSenderNumber")),
        tracking_link=s(data.get("cargoTrackingLink")),
        shipment_company_id=i(data.get("shipmentCompanyId")),
        cargo_provider_name=s(data.get("cargoProviderName")),
        customer_name=s(data.get("customerfullName", data.get("customerFullName"))),
        customer_email=s(data.get("customerEmail")),
        customer_id=i(data.get("customerId")),
        tax_id=s(data.get("taxId")),
        tax_office=s(data.get("taxOffice")),
        tc_id=s(data.get("tcIdentityNumber")),
        total_amount=d(data.get("totalAmount")),
        total_discount_amount=d(data.get("totalDiscountAmount")),
        billing_address=address(data.get("billingAddress")),
        shipping_address=address(data.get("shippingAddress")),
        lines=tuple(package_line(line) for line in as_list(data.get("lines"))),
        raw=data,
        shipment_method=s(data.get("shipmentMethod")),
        agreed_delivery_date=dt(data.get("agreedDeliveryDate")),
        delivery_address_type=s_strip(data.get("deliveryAddressType")),
        micro=b(data.get("micro")),
    )


def line_update(data: Any, fallback_line_id: int | None) -> m.LineUpdateResult:
    if not isinstance(data, dict):
        raise ValueError("line result is not an object")
    line_id = i(data.get("lineId", data.get("orderLineId", data.get("id"))))
    if line_id is None:
        line_id = fallback_line_id
    if line_id is None:
        raise ValueError("line result has no lineId")
    status = data.get("status", data.get("result"))
    ok_field = data.get("success", data.get("ok"))
    if ok_field is not None:
        ok = bool(b(ok_field))
    else:
        ok = str(status or "").strip().lower() in ("success", "succeeded", "ok", "true", "picking")
    reasons = data.get("reasons") or data.get("reason") or data.get("message") or data.get("errorMessage")
    if isinstance(reasons, list):
        message = "; ".join(str(r) for r in reasons) or None
    else:
        message = s(reasons)
    return m.LineUpdateResult(line_id=line_id, ok=ok, message=message)


# --------------------------------------------------------------------------- SOAP orders
def _shipment_info(item: dict) -> tuple[str | None, str | None, int | None]:
    info = item.get("shipmentInfo") if isinstance(item.get("shipmentInfo"), dict) else {}
    company = info.get("shipmentCompany") if isinstance(info.get("shipmentCompany"), dict) else {}
    campaign = s(info.get("campaignNumber")) or s(item.get("shipmenCompanyCampaignNumber"))
    return campaign, s(info.get("trackingNumber")), i(company.get("id"))


def soap_order_item(data: dict) -> m.SoapOrderItem:
    campaign, tracking, company_id = _shipment_info(data)
    return m.SoapOrderItem(
        id=req_i(data.get("id"), "order item id"),
        product_id=i(data.get("productId")),
        seller_stock_code=s(data.get("sellerStockCode")) or s(data.get("productSellerCode")),
        product_seller_code=s(data.get("productSellerCode")),
        product_name=s(data.get("productName")),
        status=s_strip(data.get("status")),
        quantity=i(data.get("quantity")),
        price=d(data.get("price")),
        seller_discount=d(data.get("sellerDiscount")),
        mall_discount=d(data.get("mallDiscount")),
        due_amount=d(data.get("dueAmount")),
        seller_invoice_amount=d(data.get("sellerInvoiceAmount")),
        campaign_number=campaign,
        tracking_number=tracking,
        shipment_company_id=company_id,
        updated_date=s(data.get("updatedDate")),
        raw=data,
    )


def soap_order(data: dict) -> m.SoapOrder:
    buyer = data.get("buyer") if isinstance(data.get("buyer"), dict) else {}
    if "orderItemList" in data:
        items = items_of(data.get("orderItemList"), "orderItem")
    else:
        items = items_of(data.get("itemList"), "item")
    return m.SoapOrder(
        id=req_i(data.get("id"), "order id"),
        order_number=s(data.get("orderNumber")) or "",
        status=s_strip(data.get("status")),
        create_date=s(data.get("createDate")),
        total_amount=d(data.get("totalAmount")),
        total_discount_amount=d(data.get("totalDiscountAmount")),
        payment_type=s_strip(data.get("paymentType")),
        invoice_type=s_strip(data.get("invoiceType")),
        citizenship_id=s(data.get("citizenshipId")),
        buyer_name=s(buyer.get("fullName")),
        buyer_email=s(buyer.get("email")),
        buyer_id=i(buyer.get("id")),
        shipping_address=address(data.get("shippingAddress")),
        billing_address=address(data.get("billingAddress")),
        items=tuple(soap_order_item(it) for it in items if isinstance(it, dict)),
        raw=data,
    )


# --------------------------------------------------------------------------- claims
def _claim_fields(data: dict, id_key: str, reason_prefix: str) -> dict:
    """The fields a cancellation request (``claimCancelId``, ``cancelReason...``) and a return
    request (``claimReturnId``, ``returnReason...``) share."""
    return dict(
        claim_id=req_i(data.get(id_key, data.get("id")), id_key),
        status=s_strip(data.get("status")),
        order_number=s(data.get("orderNumber")),
        # no field names the order line; skuId is taken for it when it matches a known line
        # [UNVERIFIED, docs/n11-protocol.md], else the flows match by order number + product name
        line_id=i(data.get("orderItemId", data.get("orderLineId", data.get("skuId")))),
        sku_id=i(data.get("skuId")),
        product_id=i(data.get("productId")),
        product_name=s(data.get("productName")),
        quantity=i(data.get("quantity")),
        reason_type=s(data.get(f"{reason_prefix}ReasonType")),
        reason=s(data.get(f"{reason_prefix}ReasonDescription")),
        request_date=s(data.get("requestDate")),
        unit_price=d(data.get("unitPrice")),
        final_price=d(data.get("finalPrice")),
        raw=data,
    )


def claim(data: dict) -> m.Claim:
    return m.Claim(
        **_claim_fields(data, "claimCancelId", "cancel"),
        completed_date=s(data.get("completedDate")),
        executer=s(data.get("executer")),
    )


def claim_return(data: dict) -> m.ClaimReturn:
    return m.ClaimReturn(
        **_claim_fields(data, "claimReturnId", "return"),
        approved_date=s(data.get("approvedDate")),
        denied_date=s(data.get("deniedDate")),
        buyer_name=s(data.get("buyerName")),
    )


# --------------------------------------------------------------------------- reference
def city(data: dict) -> m.City:
    return m.City(
        code=s(data.get("cityCode")) or "",
        id=req_i(data.get("cityId"), "cityId"),
        name=s(data.get("cityName")) or "",
    )


def district(data: dict) -> m.District:
    return m.District(id=req_i(data.get("id"), "district id"), name=s(data.get("name")) or "")


def neighborhood(data: dict) -> m.Neighborhood:
    return m.Neighborhood(id=req_i(data.get("id"), "neighborhood id"), name=s(data.get("name")) or "")


def shipment_company(data: dict) -> m.ShipmentCompany:
    return m.ShipmentCompany(
        id=req_i(data.get("id"), "shipment company id"),
        name=s(data.get("name")) or "",
        short_name=s(data.get("shortName")),
    )


def shipment_template(data: dict) -> m.ShipmentTemplate:
    companies = items_of(data.get("shipmentCompanies"), "shipmentCompany")
    names = tuple(
        (s(c.get("shortName")) or s(c.get("name")) or "") if isinstance(c, dict) else str(c) for c in companies
    )
    name = s(data.get("templateName", data.get("name")))
    if not name:
        raise ValueError("shipment template has no templateName")
    return m.ShipmentTemplate(
        name=name,
        shipment_method=s(data.get("shipmentMethod")),
        delivery_fee_type=s(data.get("deliveryFeeType")),
        combined_shipment_allowed=b(data.get("combinedShipmentAllowed")),
        default=b(data.get("defaultTemplate")),
        shipment_companies=names,
        raw=data,
    )
