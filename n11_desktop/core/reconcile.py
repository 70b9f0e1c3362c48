"""Refresh the remote_product snapshot from N11's product-query (the source of KPIs 2–8 and reports)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Iterable

from sqlalchemy import delete, select

from .storage.db import Database
from .storage.models import RemoteProduct

CHUNK = 2000


def _row(rp: Any, now: datetime) -> dict[str, Any]:
    cat = getattr(rp, "category_id", None)
    return {
        "stock_code": str(rp.stock_code),
        "n11_product_id": None if getattr(rp, "n11_product_id", None) is None else str(rp.n11_product_id),
        "product_main_id": getattr(rp, "product_main_id", None),
        "status": getattr(rp, "status", None),
        "sale_status": getattr(rp, "sale_status", None),
        "category_id": int(cat) if cat not in (None, "") else None,
        "sale_price": getattr(rp, "sale_price", None),
        "list_price": getattr(rp, "list_price", None),
        "quantity": getattr(rp, "quantity", None),
        "reject_info": (str(rp.reject_info) if getattr(rp, "reject_info", None) else None),
        "fetched_at": now,
    }


def store_remote_products(db: Database, products: Iterable[Any], now: datetime, *, full: bool = True,
                          should_stop: Callable[[], bool] = lambda: False) -> int:
    """Upsert what N11 returned; with ``full`` also forget SKUs N11 no longer lists."""
    seen = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if not batch:
            return
        with db.session_factory.begin() as s:
            codes = [b["stock_code"] for b in batch]
            existing = {r.stock_code: r for r in s.scalars(select(RemoteProduct).where(RemoteProduct.stock_code.in_(codes)))}
            for b in batch:
                row = existing.get(b["stock_code"])
                if row is None:
                    s.add(RemoteProduct(**b))
                else:
                    for k, v in b.items():
                        setattr(row, k, v)
        batch.clear()

    for rp in products:
        if should_stop():
            flush()
            return seen
        batch.append(_row(rp, now))
        seen += 1
        if len(batch) >= CHUNK:
            flush()
    flush()
    if full:
        with db.session_factory.begin() as s:
            s.execute(delete(RemoteProduct).where(RemoteProduct.fetched_at < now))
    return seen


def reconcile_remote(db: Database, client: Any, now: datetime, *,
                     should_stop: Callable[[], bool] = lambda: False) -> int:
    """Pull every seller product from N11 (product-query, all pages) into remote_product."""
    return store_remote_products(db, client.query_products(), now, should_stop=should_stop)
