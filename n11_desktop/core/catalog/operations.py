"""Qt-free jobs the Products screen runs on its worker: named here so they are reusable and
testable without a display (the views only submit them and show the result).

A ``Selection`` is what the operator selected in the products table: row numbers of the table
as sorted and filtered; it is resolved to product ids in the job, so rows not loaded yet count.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from . import repo
from .repo import ProductFilter, ProductRow


@dataclass(frozen=True, slots=True)
class Selection:
    filter: ProductFilter
    order_by: str
    rows: tuple[int, ...]  # sorted table row numbers

    def ids(self, session) -> list[int]:
        if not self.rows:
            return []
        lo, hi = self.rows[0], self.rows[-1]
        got = repo.product_ids(session, self.filter, order_by=self.order_by, offset=lo, limit=hi - lo + 1)
        return [got[r - lo] for r in self.rows if r - lo < len(got)]


@dataclass(frozen=True, slots=True)
class FirstPage:
    total: int  # products matching the filter
    first_page: tuple[ProductRow, ...]
    total_all: int  # all products


def load_first_page(db: Any, flt: ProductFilter, order_by: str, limit: int) -> FirstPage:
    with db.session_factory() as s:
        total = repo.count_products(s, flt)
        total_all = total if flt == ProductFilter() else repo.count_products(s)
        first = repo.product_rows(s, flt, order_by=order_by, offset=0, limit=limit)
    return FirstPage(total, tuple(first), total_all)


def load_page(db: Any, flt: ProductFilter, order_by: str, offset: int, limit: int) -> tuple[ProductRow, ...]:
    with db.session_factory() as s:
        return tuple(repo.product_rows(s, flt, order_by=order_by, offset=offset, limit=limit))


def save_stock(db: Any, product_id: int, stock: int) -> tuple[ProductRow, ...]:
    """Set one product's stock; returns its row as now stored."""
    with db.session_factory.begin() as s:
        repo.set_stock(s, product_id, stock)
        return tuple(repo.rows_for_ids(s, [product_id]))


def save_price(db: Any, product_id: int, price: Decimal, list_price: Decimal | None) -> tuple[ProductRow, ...]:
    """Set one product's sale price (and list price when given); returns its row as now stored."""
    with db.session_factory.begin() as s:
        repo.set_price(s, product_id, price, list_price)
        return tuple(repo.rows_for_ids(s, [product_id]))


def resolve(db: Any, selection: Selection) -> tuple[ProductRow, ...]:
    with db.session_factory() as s:
        return tuple(repo.rows_for_ids(s, selection.ids(s)))


def load_filter_lists(db: Any) -> tuple[Any, Any]:
    """(the local categories, the N11 states) the filter combos offer."""
    with db.session_factory() as s:
        return repo.categories(s), repo.n11_states(s)


def n11_page_url(db: Any, product: ProductRow) -> str:
    """The product's page on N11, built from the channel's Sales Url."""
    from ..links import product_page_url
    from ..settings import load_config

    with db.session_factory() as s:
        sales_url = load_config(s).get("sales_url")
    return product_page_url(sales_url, sku=product.sku, title=product.title, n11_product_id=product.remote_id)


def set_membership(db: Any, selection: Selection, member: bool) -> tuple[tuple[int, ...], int]:
    """Add the selected products to the N11 catalog (or take them out): (their ids, how many changed)."""
    with db.session_factory.begin() as s:
        chosen = selection.ids(s)
        return tuple(chosen), repo.set_in_catalog(s, chosen, member)


def set_selling(db: Any, selection: Selection, selling: bool):
    """Pause or resume selling the selected products on N11 (product-update status)."""
    from ..products_selling import PAUSE, RESUME, set_selling as send

    with db.session_factory() as s:
        ids = selection.ids(s)
    return send(db, RESUME if selling else PAUSE, product_ids=ids)


def load_leaf_choices(db: Any):
    from ..mapping.product_category import leaf_choices

    with db.session_factory() as s:
        return leaf_choices(s)


def change_category(db: Any, selection: Selection, category_id: str | int | None):
    """Put the selected products in an N11 leaf (None: clear the override): (ids, change, error);
    on a refusal nothing changes and ``error`` says why."""
    from ..mapping.product_category import clear_product_category, set_product_category
    from ..mapping.store import MappingError

    try:
        with db.session_factory.begin() as s:
            ids = selection.ids(s)
            if category_id is None:
                return tuple(ids), clear_product_category(s, ids), ""
            return tuple(ids), set_product_category(s, ids, category_id), ""
    except MappingError as exc:
        return (), None, str(exc)
