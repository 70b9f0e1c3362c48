"""Qt-free jobs the Mapper runs on its worker: named here so they are reusable and testable
without a display (the view only submits them and shows the result)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: how many products the mapping-control list shows after a check of the whole catalog
CONTROL_LIST_MAX = 500
#: above this many products the control summary is not computed (find one by SKU instead)
CONTROL_SUMMARY_MAX = 20_000


@dataclass(frozen=True)
class ControlView:
    sku: str
    title: str
    local_category: str
    result: Any  # PayloadResult
    attributes: tuple[str, ...] = ()  # "Renk = Siyah (value 123)" for what is sent


def fetch_category_attributes(db, category_id: int):
    """Fetch one N11 leaf category's attributes and values with the channel's credentials."""
    from ..flows.category import fetch_leaf_attributes
    from ..n11.client import client_from_config
    from ..settings import load_config

    with db.session_factory.begin() as s:
        cfg = load_config(s)
    with client_from_config(cfg.conf) as client:
        return fetch_leaf_attributes(db, client, category_id)


def control_summary(db, limit: int = CONTROL_LIST_MAX):
    """(product count, summarize() of every payload or None when too many, listed rows) where a
    row is (product id, sku, ok, first blocking problem), problems first."""
    from sqlalchemy import func, select

    from ..settings import load_config
    from ..storage.models import Product
    from .control import build_payloads, summarize

    with db.session_factory.begin() as s:
        n = s.scalar(select(func.count()).select_from(Product)) or 0
        if n > CONTROL_SUMMARY_MAX:
            return n, None, ()
        buffer = load_config(s).buffer_stock
        ids = s.scalars(select(Product.id)).all()
        results = build_payloads(s, ids, buffer_stock=buffer)
    listed = sorted(results, key=lambda r: (r.ok, r.sku))[:limit]
    rows = tuple((r.product_id, r.sku, r.ok, r.blocking[0].message if r.blocking else "") for r in listed)
    return n, summarize(results), rows


def search_products(db, q: str, limit: int = 200) -> tuple:
    """(id, sku, title) of the products whose SKU or title contains ``q`` (all when empty)."""
    from sqlalchemy import or_, select

    from ..storage.models import Product

    with db.session_factory.begin() as s:
        stmt = select(Product.id, Product.sku, Product.title).order_by(Product.sku).limit(limit)
        if q:
            stmt = stmt.where(or_(Product.sku.ilike(f"%{q}%"), Product.title.ilike(f"%{q}%")))
        return tuple(s.execute(stmt).all())


def check_product(db, product_id: int) -> ControlView:
    """The payload one product would be sent with, its problems and its attributes by name."""
    from ..settings import load_config
    from ..storage.models import Product
    from .control import build_product_payload
    from .store import load_leaf_detail

    with db.session_factory.begin() as s:
        p = s.get(Product, product_id)
        res = build_product_payload(s, product_id, buffer_stock=load_config(s).buffer_stock)
        leaf = load_leaf_detail(s, res.category_id) if res.category_id else None
    lines = []
    by_id = {a.attribute_id: a for a in (leaf.attributes if leaf else ())}
    for a in (res.payload or res.draft or {}).get("attributes") or ():
        meta = by_id.get(a["id"])
        name = meta.name if meta else str(a["id"])
        if a.get("valueId") is not None:
            vname = next((v.name for v in (meta.values if meta else ()) if v.id == a["valueId"]), "?")
            lines.append(f"{name} = {vname}")
        else:
            lines.append(f"{name} = “{a.get('customValue')}” (free text)")
    return ControlView(p.sku, p.title, p.category or "", res, tuple(lines))
