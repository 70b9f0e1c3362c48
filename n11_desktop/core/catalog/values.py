"""Cell → value parsers for catalog files. Each raises ``ValueError`` with a message for the merchant.

Cells are ``str`` (CSV) or whatever openpyxl returns (``int``, ``float``, ``str``, ``datetime``,
``bool``). Turkish number formats are accepted: ``1.234,50`` and ``1234,5`` are 1234.50.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

VAT_RATES = (0, 1, 10, 20)
_SCI = re.compile(r"^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$")
_TRUE = {"1", "true", "yes", "y", "evet", "e", "x", "doğru", "dogru", "var"}
_FALSE = {"0", "false", "no", "n", "hayır", "hayir", "h", "yanlış", "yanlis", "yok"}
_CURRENCY_JUNK = re.compile(r"(?i)\s|\u00a0|\u202f|tl|try|₺")


_PLAIN_NUMBER = re.compile(r"(\d+)(?:[.,](\d{1,2}))?")
_TR_THOUSANDS = re.compile(r"(\d{1,3}(?:\.\d{3})+),(\d{1,2})")  # 1.234,50
#: either of the two above (its groups: plain digits and decimals, or thousands and decimals)
_MONEY_FAST = re.compile(r"(\d+)(?:[.,](\d{1,2}))?|(\d{1,3}(?:\.\d{3})+),(\d{1,2})")
_HTTPS_URL = re.compile(r"https://[^\s/?#@]+(?:[/?#]\S*)?", re.IGNORECASE)


def is_blank(cell: Any) -> bool:
    if type(cell) is str:
        return not cell or cell.isspace()
    return cell is None


def text(cell: Any) -> str:
    """A text cell. Integral Excel numbers lose their ``.0`` (barcodes, SKUs typed as numbers)."""
    if type(cell) is str:
        return cell.strip()
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float):
        if cell.is_integer():
            return str(int(cell))
        return repr(cell)
    if isinstance(cell, (datetime, date)):
        return cell.isoformat()
    return str(cell).strip()


_CODE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: control characters no text cell may hold (tab and line breaks are fine in a description)
TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


#: any character one of the checks above refuses somewhere: a row's text without one is clean
CONTROL_ANY = _CODE_CONTROL


def code(cell: Any) -> str:
    """A code (sku, barcode, product code): text, but Excel's scientific notation is refused."""
    value = text(cell)
    if _CODE_CONTROL.search(value):
        raise ValueError("contains a control character or a line break; a code is one line of text")
    return code_checked(value)


def code_checked(value: str) -> str:
    """:func:`code` of a stripped text known to hold no control character."""
    if ("E" in value or "e" in value) and _SCI.match(value):
        raise ValueError(f"'{value}' is in Excel scientific notation, so digits were lost; "
                         "format the column as Text in Excel and export again")
    return value


#: a price or whole number with more characters than this is refused before any conversion
MAX_NUMBER_CHARS = 24
MAX_NUMBER = 10**15  #: prices and whole numbers stay below this (N11's limits are far lower)


def _not_huge(cell: Any) -> None:
    if type(cell) is str and len(cell) > MAX_NUMBER_CHARS:
        raise ValueError(f"'{cell.strip()[:20]}…' ({len(cell)} characters) is too long for a number")
    if isinstance(cell, (int, float)) and not isinstance(cell, bool) and abs(cell) >= MAX_NUMBER:
        raise ValueError("is too large a number")


def money(cell: Any) -> Decimal:
    _not_huge(cell)
    d = _money(cell)
    if d >= MAX_NUMBER:
        raise ValueError(f"'{text(cell)}' is too large for a price")
    return d


def _money(cell: Any) -> Decimal:
    if type(cell) is str:
        # fast paths, written with two decimals (what quantizing to 0.01 gives, without its cost)
        m = _PLAIN_NUMBER.fullmatch(cell.strip())
        if m:  # 1234 / 1234,5 / 1234.50 (a lone separator + 1-2 digits is a decimal point)
            frac = m.group(2)
            return Decimal(m.group(1) + (".00" if frac is None else "." + frac if len(frac) == 2 else "." + frac + "0"))
        m = _TR_THOUSANDS.fullmatch(cell.strip())
        if m:  # 1.234,50
            frac = m.group(2)
            return Decimal(m.group(1).replace(".", "") + ("." + frac if len(frac) == 2 else "." + frac + "0"))
    if isinstance(cell, bool):
        raise ValueError(f"'{cell}' is not a price")
    if isinstance(cell, (int, float)):
        d = Decimal(str(cell))
    else:
        raw = str(cell)
        s = _CURRENCY_JUNK.sub("", raw)
        d = _number(s, raw)
    if not d.is_finite():
        raise ValueError(f"'{cell}' is not a price")
    if d < 0:
        raise ValueError(f"'{text(cell)}' is negative")
    q = d.quantize(Decimal("0.01"))
    if q != d and abs(q - d) > Decimal("0.000001"):
        raise ValueError(f"'{text(cell)}' has more than 2 decimals")
    return q


def _number(s: str, raw: str) -> Decimal:
    """``1.234,50`` / ``1,234.50`` / ``1234,5`` / ``1234.5`` / ``1.234`` (thousands) → Decimal."""
    if not s or not re.fullmatch(r"[+-]?[\d.,]+", s) or not re.search(r"\d", s):
        raise ValueError(f"'{raw.strip()}' is not a number")
    sign = ""
    if s[0] in "+-":
        sign, s = s[0], s[1:]
    has_dot, has_comma = "." in s, "," in s
    if has_dot and has_comma:
        dec = "." if s.rfind(".") > s.rfind(",") else ","
        thousands = "," if dec == "." else "."
        intpart, _, frac = s.rpartition(dec)
        if dec in intpart or not re.fullmatch(r"\d{1,3}(?:" + re.escape(thousands) + r"\d{3})*", intpart):
            raise ValueError(f"'{raw.strip()}' is not a number")
        s = intpart.replace(thousands, "") + "." + frac
    elif has_dot or has_comma:
        sep = "." if has_dot else ","
        parts = s.split(sep)
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) == 3 and parts[0] not in ("", "0")):
            # more than one separator, or one followed by exactly three digits: a thousands separator
            # (prices never have three decimals)
            if not all(p.isdigit() for p in parts) or any(len(p) != 3 for p in parts[1:]) or not parts[0]:
                raise ValueError(f"'{raw.strip()}' is not a number")
            s = "".join(parts)
        else:
            s = parts[0] + "." + parts[1] if len(parts) == 2 else parts[0]
    if s.startswith("."):
        s = "0" + s
    try:
        return Decimal(sign + s)
    except InvalidOperation:
        raise ValueError(f"'{raw.strip()}' is not a number") from None


def integer(cell: Any, *, minimum: int | None = 0) -> int:
    _not_huge(cell)
    if type(cell) is str:
        s = cell.strip()
        if s.isdigit() and s.isascii():
            n = int(s)
            if minimum is not None and n < minimum:
                raise ValueError(f"'{n}' is below {minimum}")
            return n
    if isinstance(cell, bool):
        raise ValueError(f"'{cell}' is not a whole number")
    if isinstance(cell, int):
        n = cell
    elif isinstance(cell, float):
        if not cell.is_integer():
            raise ValueError(f"'{cell}' is not a whole number")
        n = int(cell)
    else:
        raw = str(cell).strip()
        s = raw.replace("\u00a0", "").replace(" ", "")
        try:
            d = _number(s, raw)
        except ValueError:
            raise ValueError(f"'{raw}' is not a whole number") from None
        if d != d.to_integral_value():
            raise ValueError(f"'{raw}' is not a whole number")
        n = int(d)
    if minimum is not None and n < minimum:
        raise ValueError(f"'{n}' is below {minimum}")
    return n


def boolean(cell: Any) -> bool:
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, (int, float)) and cell in (0, 1):
        return bool(cell)
    s = str(cell).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError(f"'{text(cell)}' is not 1 or 0")


_VAT_FAST = {str(v): v for v in VAT_RATES}


def vat_rate(cell: Any) -> int:
    if type(cell) is str and cell.strip() in _VAT_FAST:
        return _VAT_FAST[cell.strip()]
    raw = cell
    if isinstance(cell, str):
        cell = cell.strip().lstrip("%").rstrip("%").strip()
    try:
        n = integer(cell)
    except ValueError:
        n = None
    if n is None and isinstance(cell, (float, str)):  # Excel percent format: 0.2 or "0,20"
        try:
            frac = money(cell) if isinstance(cell, str) else Decimal(str(cell))
        except ValueError:
            frac = None
        if frac is not None and frac < 1 and (frac * 100) == (frac * 100).to_integral_value():
            n = int(frac * 100)
    if n in (18, 8):  # the rates before July 2023
        raise ValueError(f"'{text(raw)}' is the VAT rate before July 2023; it is now {20 if n == 18 else 10} "
                         "(use one of 0, 1, 10, 20)")
    if n not in VAT_RATES:
        raise ValueError(f"'{text(raw)}' is not a VAT rate; use one of 0, 1, 10, 20")
    return n


def currency(cell: Any) -> str:
    s = text(cell).upper()
    if s in ("TL", "TRY", "₺"):
        return "TL"
    raise ValueError(f"'{text(cell)}' is not a supported currency; N11 sells in TL")


_HTTPS_LIST = re.compile(r"https://[^\s/?#@|]+(?:[/?#][^\s|]*)?(?:\|https://[^\s/?#@|]+(?:[/?#][^\s|]*)?)*",
                         re.IGNORECASE)
#: part of what ``_HTTPS_LIST`` accepts, tried first: lower-case ``https://`` and printable ASCII
#: only — classes of explicit ranges and no backtracking, about half the regex engine's time of
#: ``_HTTPS_LIST`` (whose ``\s`` and case-folding are tested character by character). A cell it
#: refuses is still judged by ``_HTTPS_LIST``: the outcome is the same.
_HTTPS_LIST_ASCII = re.compile(r'https://[!"$-.0->A-{}~]++(?:[/?#][!-{}~]*+)?+'
                               r'(?:\|https://[!"$-.0->A-{}~]++(?:[/?#][!-{}~]*+)?+)*+')


def images(cell: Any) -> list[str]:
    value = text(cell)
    if _HTTPS_LIST_ASCII.fullmatch(value) or _HTTPS_LIST.fullmatch(value):  # a clean "url|url|url" list
        urls = value.split("|")
    else:
        urls = [u.strip() for u in value.split("|")]
        urls = [u for u in urls if u]
        for u in urls:
            if not _HTTPS_URL.fullmatch(u):
                raise ValueError(f"'{u}' is not an https:// image URL")
    if len(set(urls)) != len(urls):
        raise ValueError("the same image URL is listed twice")
    return urls


def category_path(cell: Any) -> str:
    return _category_path(text(cell))


@lru_cache(maxsize=4096)
def _category_path(value: str) -> str:
    parts = [p.strip() for p in value.split(">")]
    if any(not p for p in parts):
        raise ValueError(f"'{value}' has an empty level; write it as 'A > B > C'")
    return " > ".join(parts)


#: :func:`category_path` of a stripped text (what it does after ``text``)
category_path_checked = _category_path
