"""Links to N11's web site built from Sales Url (seed §2 "N11 Site URL", https://www.n11.com/)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

_TR = str.maketrans({"ı": "i", "İ": "i", "ş": "s", "Ş": "s", "ğ": "g", "Ğ": "g", "ü": "u", "Ü": "u",
                     "ö": "o", "Ö": "o", "ç": "c", "Ç": "c"})


def slug(text: str) -> str:
    t = unicodedata.normalize("NFKD", (text or "").translate(_TR).lower())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", t).strip("-")[:120]


def _base(sales_url: str | None) -> str:
    base = (sales_url or "").strip() or "https://www.n11.com/"
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"Sales Url {base!r} is not an http(s) address (Channel Settings)")
    return base if base.endswith("/") else base + "/"


def product_page_url(sales_url: str | None, *, sku: str, title: str | None = None,
                     n11_product_id: str | int | None = None) -> str:
    """The product's page on N11 when N11's product id is known (``urun/<title>-<id>``), else
    N11's search for the SKU's title (or the SKU)."""
    base = _base(sales_url)
    pid = str(n11_product_id or "").strip()
    if pid.isdigit():
        name = slug(title or "") or slug(sku) or "urun"
        return f"{base}urun/{name}-{pid}"
    return f"{base}arama?q={quote((title or sku or '').strip())}"
