"""Catalog repository: product list queries for the Products tab and CLI, and the edits an
operator makes by hand (price, stock, N11 catalog membership), each bumping the right version.

Repos take a session and never commit (STYLE §2.5). Everything returned is a frozen dataclass.
Listing runs in two steps so it stays fast on 100k products: the filtered, sorted page of ids
first (only the joins the filter and sort need), then the details of those ids only.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Sequence

from sqlalchemy import and_, exists, func, not_, or_, select, update
from sqlalchemy.orm import Session

from ..storage.collation import folded_contains, turkish
from ..storage.portable import like_any_case, search_text, sort_key, sorted_by
from ..storage.models import (CatalogItem, FailedIntegration, IntegrationAction, Price, Product, ProductCategory,
                              Stock, utcnow)

PRODUCT_CONTENT_TYPES = ("product", "productprice", "productstock")
NOT_SENT = "not_sent"
_IDS_PER_QUERY = 5_000

TEXT_SORT_KEYS = ("title", "category", "brand")
SORT_KEYS = ("id", "sku", "product_code", "title", "category", "brand", "price", "list_price", "stock",
             "in_catalog", "n11_state", "penalized")


@dataclass(frozen=True, slots=True)
class ProductRow:
    id: int
    sku: str
    product_code: str
    title: str
    category: str | None
    brand: str | None
    price: Decimal | None
    list_price: Decimal | None
    stock: int | None
    in_catalog: bool
    removed_from_catalog: bool  # was in the N11 catalog and was removed (product_delete acts on it)
    n11_state: str  # ledger state of content type 'product', "" when never sent
    remote_status: str | None  # N11's productStatus / saleStatus
    remote_id: str | None
    penalized: bool
    last_error: str | None  # the active penalty's message, else the ledger's last error
    image_count: int
    active: bool
    n11_category: int | None = None  # per-product N11 leaf override (product_category), None = by mapping


@dataclass(frozen=True, slots=True)
class ProductFilter:
    text: str | None = None
    category: str | None = None  # a local path: that category and everything below it; "" = no category
    in_catalog: bool | str | None = None  # True, False, or "removed"
    n11_state: str | None = None  # a ledger state, remote status, or "not_sent"
    penalized: bool | None = None
    has_error: bool | None = None

    def __post_init__(self) -> None:  # a pasted NUL must not break the query on PostgreSQL
        object.__setattr__(self, "text", search_text(self.text))


def _penalty_exists():
    f = FailedIntegration
    return exists().where(f.object_id == Product.id, f.is_active.is_(True),
                          f.content_type.in_(PRODUCT_CONTENT_TYPES))


def _ia_join_cond():
    return and_(IntegrationAction.object_id == Product.id, IntegrationAction.content_type == "product")


def _like_escape(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _apply_filters(stmt, flt: ProductFilter, joined: set[str]):
    conds = []
    if flt.text and flt.text.strip():
        t = flt.text.strip()
        like = f"%{_like_escape(t)}%"
        codes = [like_any_case(col, like) for col in (Product.sku, Product.product_code, Product.barcode)]
        if t.isascii() and not any(c in "iI" for c in t):  # LIKE folds ASCII case: enough, and faster
            words = [like_any_case(Product.title, like), like_any_case(Product.brand, like)]
        else:
            words = [folded_contains(Product.title, t), folded_contains(Product.brand, t)]  # GLOB / ILIKE
        conds.append(or_(*codes, *words))
    if flt.category is not None:
        if flt.category == "":
            conds.append(Product.category.is_(None))
        else:
            c = flt.category.strip()
            conds.append(or_(Product.category == c, Product.category.like(_like_escape(c) + " > %", escape="\\")))
    if flt.in_catalog is not None:
        stmt = _join(stmt, "catalog", joined)
        if flt.in_catalog == "removed":
            conds.append(CatalogItem.removed_at.is_not(None))
        elif flt.in_catalog:
            conds.append(and_(CatalogItem.product_id.is_not(None), CatalogItem.removed_at.is_(None)))
        else:
            conds.append(or_(CatalogItem.product_id.is_(None), CatalogItem.removed_at.is_not(None)))
    if flt.n11_state:
        stmt = _join(stmt, "ia", joined)
        if flt.n11_state == NOT_SENT:
            conds.append(IntegrationAction.id.is_(None))
        else:
            conds.append(or_(IntegrationAction.state == flt.n11_state, IntegrationAction.remote_status == flt.n11_state))
    if flt.penalized is not None:
        conds.append(_penalty_exists() if flt.penalized else not_(_penalty_exists()))
    if flt.has_error is not None:
        stmt = _join(stmt, "ia", joined)
        err = or_(IntegrationAction.last_error.is_not(None), _penalty_exists())
        conds.append(err if flt.has_error else not_(err))
    if conds:
        stmt = stmt.where(and_(*conds))
    return stmt


def _join(stmt, what: str, joined: set[str]):
    if what in joined:
        return stmt
    joined.add(what)
    if what == "price":
        return stmt.outerjoin(Price, Price.product_id == Product.id)
    if what == "stock":
        return stmt.outerjoin(Stock, Stock.product_id == Product.id)
    if what == "catalog":
        return stmt.outerjoin(CatalogItem, CatalogItem.product_id == Product.id)
    if what == "ia":
        return stmt.outerjoin(IntegrationAction, _ia_join_cond())
    raise ValueError(what)


def _sort(stmt, order_by: str, joined: set[str]):
    key, desc = sort_key(order_by, SORT_KEYS)
    if key in ("price", "list_price"):
        stmt = _join(stmt, "price", joined)
        col: Any = Price.price if key == "price" else Price.list_price
    elif key == "stock":
        stmt = _join(stmt, "stock", joined)
        col = Stock.quantity
    elif key == "in_catalog":
        stmt = _join(stmt, "catalog", joined)
        col = and_(CatalogItem.product_id.is_not(None), CatalogItem.removed_at.is_(None))
    elif key == "n11_state":
        stmt = _join(stmt, "ia", joined)
        col = func.coalesce(IntegrationAction.state, "")
    elif key == "penalized":
        col = _penalty_exists()
    elif key in TEXT_SORT_KEYS:  # Turkish alphabetical order (storage/collation.py)
        col = turkish(getattr(Product, key))
    else:
        col = getattr(Product, key)
    return stmt.order_by(*sorted_by(col, Product.id, desc))


def _filter_of(kw: dict[str, Any]) -> ProductFilter:
    return ProductFilter(**{k: kw[k] for k in ProductFilter.__dataclass_fields__ if k in kw})


def count_products(session: Session, flt: ProductFilter | None = None, **kw: Any) -> int:
    flt = flt or _filter_of(kw)
    stmt = _apply_filters(select(func.count()).select_from(Product), flt, set())
    return int(session.execute(stmt).scalar_one())


def product_ids(session: Session, flt: ProductFilter | None = None, *, order_by: str = "sku", offset: int = 0,
                limit: int | None = 200, **kw: Any) -> list[int]:
    flt = flt or _filter_of(kw)
    joined: set[str] = set()
    stmt = _apply_filters(select(Product.id), flt, joined)
    stmt = _sort(stmt, order_by, joined)
    if limit is not None:
        stmt = stmt.limit(limit)
    if offset:
        stmt = stmt.offset(offset)
    return list(session.execute(stmt).scalars())


def rows_for_ids(session: Session, ids: Sequence[int]) -> tuple[ProductRow, ...]:
    """Details for the given product ids, in the given order (unknown ids are left out)."""
    if not ids:
        return ()
    if len(ids) > _IDS_PER_QUERY:  # SQLite allows 32766 host parameters per statement
        by_id = {r.id: r for i in range(0, len(ids), _IDS_PER_QUERY)
                 for r in rows_for_ids(session, ids[i:i + _IDS_PER_QUERY])}
        return tuple(by_id[i] for i in ids if i in by_id)
    f = FailedIntegration
    penalty_msg = (select(f.message).where(f.object_id == Product.id, f.is_active.is_(True),
                                           f.content_type.in_(PRODUCT_CONTENT_TYPES))
                   .order_by(f.updated_at.desc()).limit(1).scalar_subquery())
    stmt = (
        select(Product.id, Product.sku, Product.product_code, Product.title, Product.category, Product.brand,
               Price.price, Price.list_price, Stock.quantity, CatalogItem.product_id.label("ci"),
               CatalogItem.removed_at, IntegrationAction.state, IntegrationAction.remote_status,
               IntegrationAction.remote_id, IntegrationAction.last_error, penalty_msg.label("penalty"),
               func.json_array_length(Product.images).label("n_images"), Product.active,
               ProductCategory.category_id.label("n11_category"))
        .outerjoin(Price, Price.product_id == Product.id)
        .outerjoin(Stock, Stock.product_id == Product.id)
        .outerjoin(CatalogItem, CatalogItem.product_id == Product.id)
        .outerjoin(IntegrationAction, _ia_join_cond())
        .outerjoin(ProductCategory, ProductCategory.product_id == Product.id)
        .where(Product.id.in_(list(ids)))
    )
    by_id: dict[int, ProductRow] = {}
    for r in session.execute(stmt):
        by_id[r.id] = ProductRow(
            id=r.id, sku=r.sku, product_code=r.product_code, title=r.title, category=r.category, brand=r.brand,
            price=r.price, list_price=r.list_price, stock=r.quantity,
            in_catalog=r.ci is not None and r.removed_at is None,
            removed_from_catalog=r.ci is not None and r.removed_at is not None,
            n11_state=r.state or "", remote_status=r.remote_status, remote_id=r.remote_id,
            penalized=r.penalty is not None, last_error=r.penalty or r.last_error,
            image_count=int(r.n_images or 0), active=bool(r.active),
            n11_category=None if r.n11_category is None else int(r.n11_category),
        )
    return tuple(by_id[i] for i in ids if i in by_id)


def product_rows(session: Session, flt: ProductFilter | None = None, *, order_by: str = "sku", offset: int = 0,
                 limit: int | None = 200, **kw: Any) -> tuple[ProductRow, ...]:
    """One page of products matching the filter, sorted in SQL (``order_by`` "-price" = descending)."""
    ids = product_ids(session, flt, order_by=order_by, offset=offset, limit=limit, **kw)
    return rows_for_ids(session, ids)


def product_row_by_sku(session: Session, sku: str) -> ProductRow | None:
    pid = session.execute(select(Product.id).where(Product.sku == sku)).scalar_one_or_none()
    rows = rows_for_ids(session, [pid]) if pid is not None else ()
    return rows[0] if rows else None


def categories(session: Session) -> tuple[str, ...]:
    """Every local category path in use, sorted, including the parents of each path."""
    paths: set[str] = set()
    for (c,) in session.execute(select(Product.category).where(Product.category.is_not(None)).distinct()):
        parts = c.split(" > ")
        for i in range(1, len(parts) + 1):
            paths.add(" > ".join(parts[:i]))
    return tuple(sorted(paths, key=str.casefold))


def n11_states(session: Session) -> tuple[str, ...]:
    """Ledger states and N11 statuses present for products (for a filter list)."""
    ia = IntegrationAction
    states = {s for (s,) in session.execute(select(ia.state).where(ia.content_type == "product").distinct()) if s}
    states |= {s for (s,) in session.execute(
        select(ia.remote_status).where(ia.content_type == "product").distinct()) if s}
    return tuple(sorted(states))


# --------------------------------------------------------------------------- edits
class CatalogEditError(ValueError):
    """An edit the operator asked for is invalid; the message says why."""


def set_price(session: Session, product_id: int, price: Decimal | str | float,
              list_price: Decimal | str | float | None = None) -> bool:
    """Set the sale (and optionally list) price. Bumps ``price.version`` if anything changed."""
    price = _money(price, "price")
    if price <= 0:
        raise CatalogEditError("the price must be above 0")
    lp_given = list_price is not None
    lp = _money(list_price, "list price") if lp_given else None
    if lp is not None and lp < price:
        raise CatalogEditError(f"list price {lp} is below the sale price {price}")
    product = session.get(Product, product_id)
    if product is None:
        raise CatalogEditError(f"product {product_id} does not exist")
    row = session.get(Price, product_id)
    now = utcnow()
    if row is None:
        session.add(Price(product_id=product_id, price=price, list_price=lp if lp is not None else price,
                          currency="TL", version=1, version_date=now))
        session.flush()
        return True
    if lp is None:
        lp = row.list_price if row.list_price is not None and row.list_price >= price else price
    if row.price == price and row.list_price == lp:
        return False
    row.price, row.list_price = price, lp
    row.version = (row.version or 0) + 1
    row.version_date = now
    session.flush()
    return True


def set_stock(session: Session, product_id: int, quantity: int | str) -> bool:
    """Set the stock quantity. Bumps ``stock.version`` if it changed."""
    try:
        from .values import integer

        qty = integer(quantity, minimum=0)
    except ValueError as exc:
        raise CatalogEditError(f"stock {exc}") from None
    if session.get(Product, product_id) is None:
        raise CatalogEditError(f"product {product_id} does not exist")
    row = session.get(Stock, product_id)
    now = utcnow()
    if row is None:
        session.add(Stock(product_id=product_id, quantity=qty, version=1, version_date=now))
        session.flush()
        return True
    if row.quantity == qty:
        return False
    row.quantity = qty
    row.version = (row.version or 0) + 1
    row.version_date = now
    session.flush()
    return True


def set_in_catalog(session: Session, product_ids: Iterable[int], member: bool) -> int:
    """Add products to (or remove them from) the N11 catalog. Returns how many changed.

    Removing sets ``removed_at`` (product_delete acts on it); adding back clears it and bumps the
    product version so the product is sent again.
    """
    ids = sorted(set(int(i) for i in product_ids))
    if not ids:
        return 0
    now = utcnow()
    changed = 0
    for i in range(0, len(ids), 900):
        part = ids[i:i + 900]
        existing = {ci.product_id: ci for ci in session.scalars(select(CatalogItem).where(CatalogItem.product_id.in_(part)))}
        known = set(session.scalars(select(Product.id).where(Product.id.in_(part))))
        readded: list[int] = []
        for pid in part:
            if pid not in known:
                continue
            ci = existing.get(pid)
            if member:
                if ci is None:
                    session.add(CatalogItem(product_id=pid, added_at=now, removed_at=None))
                    changed += 1
                elif ci.removed_at is not None:
                    ci.removed_at = None
                    ci.added_at = now
                    readded.append(pid)
                    changed += 1
            elif ci is not None and ci.removed_at is None:
                ci.removed_at = now
                changed += 1
        if readded:
            session.execute(update(Product).where(Product.id.in_(readded))
                            .values(version=Product.version + 1, version_date=now))
    session.flush()
    return changed


def _money(value: Any, what: str) -> Decimal:
    from .values import money

    try:
        return money(value)
    except ValueError as exc:
        raise CatalogEditError(f"{what} {exc}") from None


__all__ = ["ProductRow", "ProductFilter", "CatalogEditError", "NOT_SENT", "SORT_KEYS", "product_rows",
           "product_ids", "rows_for_ids", "count_products", "product_row_by_sku", "categories", "n11_states",
           "set_price", "set_stock", "set_in_catalog", "PRODUCT_CONTENT_TYPES"]
