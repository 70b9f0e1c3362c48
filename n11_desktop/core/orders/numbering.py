"""Order Number Format (seed §2): ``{orderNumber}-{id}`` by default, e.g. ``N11-{orderNumber}-{id}``.

``{orderNumber}`` is N11's order number; ``{id}`` is the id of the first N11 shipment package
seen for the order (it stays the same when N11 later splits the package).
"""

from __future__ import annotations

import functools
import re
import string

DEFAULT_FORMAT = "{orderNumber}-{id}"
PLACEHOLDERS = ("orderNumber", "id")


class OrderNumberFormatError(ValueError):
    pass


@functools.lru_cache(maxsize=32)  # called for every new order of an import with the same format
def validate_format(fmt: str) -> str:
    fmt = (fmt or "").strip() or DEFAULT_FORMAT
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(fmt) if f is not None]
    except ValueError as exc:
        raise OrderNumberFormatError(f"Order Number Format {fmt!r} is not valid: {exc}") from None
    unknown = [f for f in fields if f not in PLACEHOLDERS]
    if unknown:
        raise OrderNumberFormatError(
            f"Order Number Format {fmt!r} uses unknown placeholder {{{unknown[0]}}}; "
            "use {orderNumber} and {id}")
    if "orderNumber" not in fields:
        raise OrderNumberFormatError(f"Order Number Format {fmt!r} must contain {{orderNumber}}")
    if len(re.sub(r"\{[^}]*\}", "", fmt)) > 40:
        raise OrderNumberFormatError("Order Number Format is too long")
    return fmt


def format_order_number(fmt: str, order_number: str, package_id: int | str | None) -> str:
    fmt = validate_format(fmt)
    return fmt.format(orderNumber=str(order_number), id="" if package_id is None else str(package_id)).rstrip("-")
