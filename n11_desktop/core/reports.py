"""Monitoring → Reports (seed §7.2.2): catalog vs N11 mismatches, with reasons and CSV export."""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

from .inputs import neutralise_row
from .metrics import _BASE, CATALOG, PRICE_DIFF, STOCK_DIFF, _dialect_sql, _params
from .storage.models import Money

_money = Money()


@dataclass(frozen=True, slots=True)
class NotOnSaleRow:
    product_id: int
    sku: str
    title: str
    reason: str
    fix: str


@dataclass(frozen=True, slots=True)
class DiffRow:
    product_id: int
    sku: str
    title: str
    kind: str  # price | stock | price+stock
    local_price: Any
    n11_price: Any
    local_list_price: Any
    n11_list_price: Any
    local_quantity: int
    n11_quantity: int | None


def _reason(r: Any) -> tuple[str, str]:
    (price, stock, has_cat, has_img, penalty, n11_status, sale_status, reject, known) = r
    if penalty:
        return f"Penalized: {penalty}", "Fix the cause, then lift the penalty (Penalty box → Update by uploading a file)."
    if price is None:
        return "Price data not found", "Add a price for the product."
    if price <= 0:
        return "Price is 0", "Set a price above 0."
    if not stock or stock <= 0:
        return "Stock data not found" if stock is None else "No stock", "Add stock for the product."
    if not has_cat:
        return "No N11 category", "Map the product's category in Categories & Mapping."
    if not has_img:
        return "No image", "Add at least one https image."
    if not known:
        return "Not sent to N11 yet", "Send it (Products → Send selected) or wait for Product Create."
    if n11_status == "CatalogRejected":
        return f"Rejected by N11: {reject or 'no reason given'}", "Fix what N11 says, then resend."
    if n11_status in ("InCatalogApproval", "InApproval"):
        return "This product is already pending approval. It will be published once approved.", \
            "Approval happens on N11's side."
    if n11_status == "Suspended":
        return "Suspended on N11", "Resume selling (Product Update with status Active)."
    if sale_status == "Out_Of_Stock":
        return "Out of stock on N11", "Send the stock (Stock flow)."
    return f"N11 status {n11_status or '?'} / {sale_status or '?'}", "Check the product on N11."


def not_on_sale(session: Session, *, buffer_stock: int = 0, limit: int = 10000) -> tuple[NotOnSaleRow, ...]:
    """Products in the catalog but not on sale on N11, with the reason and the fix."""
    sql = _BASE + f"""
    SELECT b.id, b.sku, b.title, b.price, b.stock, b.has_category, b.has_image,
           (SELECT fi.message FROM failed_integration fi WHERE fi.object_id = b.id AND fi.is_active = TRUE
            ORDER BY fi.updated_at DESC LIMIT 1),
           b.n11_status, b.n11_sale_status, b.reject_info, b.known_on_n11
    FROM base b WHERE {CATALOG.replace('in_catalog', 'b.in_catalog').replace('simple_active', 'b.simple_active')}
      AND NOT b.on_sale
    ORDER BY b.sku LIMIT :limit
    """
    out = []
    for r in session.execute(text(_dialect_sql(session, sql)), {**_params(buffer_stock), "limit": limit}).all():
        price = _money.process_result_value(r[3], None)
        reason, fix = _reason((price, r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11]))
        out.append(NotOnSaleRow(r[0], r[1], r[2] or "", reason, fix))
    return tuple(out)


def price_stock_differences(session: Session, *, buffer_stock: int = 0, limit: int = 10000) -> tuple[DiffRow, ...]:
    sql = _BASE + f"""
    SELECT id, sku, title, price, n11_price, list_price, n11_list_price, stock_to_send, n11_quantity,
           {PRICE_DIFF}, {STOCK_DIFF}
    FROM base WHERE {PRICE_DIFF} OR {STOCK_DIFF} ORDER BY sku LIMIT :limit
    """
    out = []
    for r in session.execute(text(_dialect_sql(session, sql)), {**_params(buffer_stock), "limit": limit}).all():
        kind = "+".join(k for k, flag in (("price", r[9]), ("stock", r[10])) if flag)
        out.append(DiffRow(r[0], r[1], r[2] or "", kind, _money.process_result_value(r[3], None),
                           _money.process_result_value(r[4], None), _money.process_result_value(r[5], None),
                           _money.process_result_value(r[6], None), int(r[7] or 0), r[8]))
    return tuple(out)


def export_csv(rows: Sequence[Any], path: Path) -> int:
    """Write dataclass rows to CSV (UTF-8 with BOM so Excel shows Turkish characters)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        if rows:
            names = [f.name for f in fields(rows[0])]
            w.writerow(names)
            for r in rows:
                w.writerow(neutralise_row("" if getattr(r, n) is None else getattr(r, n) for n in names))
    tmp.replace(path)
    return len(rows)
