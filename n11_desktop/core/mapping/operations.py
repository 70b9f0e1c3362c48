"""Qt-free jobs the Mapper runs on its worker: named here so they are reusable and testable
without a display (the view only submits them and shows the result)."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Any, NamedTuple

#: how many products the mapping-control list shows after a check of the whole catalog
CONTROL_LIST_MAX = 500
#: above this many products the control summary is not computed (find one by SKU instead)
CONTROL_SUMMARY_MAX = 20_000
#: products checked at a time for the control summary
CONTROL_CHUNK = 2_000


class ProductHit(NamedTuple):
    """A product found by SKU or title in Mapping Control."""

    id: int
    sku: str
    title: str


class ProductCheck(NamedTuple):
    """A product in the Mapping Control list after checking the catalog: can it be sent, and if not why."""

    id: int
    sku: str
    ok: bool
    problem: str  # the first blocking problem ("" when it can be sent)


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
    """(product count, summarize() of every payload or None when too many, the listed
    ProductChecks, problems first)."""
    from sqlalchemy import func, select

    from ..settings import load_config
    from ..storage.models import Product
    from .control import MappingSnapshot, build_payloads, summarize

    with db.session_factory.begin() as s:
        n = s.scalar(select(func.count()).select_from(Product)) or 0
        if n > CONTROL_SUMMARY_MAX:
            return n, None, ()
        buffer = load_config(s).buffer_stock
        ids = s.scalars(select(Product.id)).all()
        snapshot = MappingSnapshot(s)
        # a chunk of payloads at a time (the summary and the listed checks are all that is kept): the
        # whole catalog's payloads at once were a 45 MB peak of the window's memory at 20k products
        ready = total = 0
        counts: dict[str, int] = {}
        listed: list[tuple[bool, str, ProductCheck]] = []
        for i in range(0, len(ids), CONTROL_CHUNK):
            results = build_payloads(s, ids[i:i + CONTROL_CHUNK], buffer_stock=buffer, snapshot=snapshot)
            part_ready, part_total, top = summarize(results)
            ready, total = ready + part_ready, total + part_total
            for code, count in top:
                counts[code] = counts.get(code, 0) + count
            listed = heapq.nsmallest(limit, listed + [
                (r.ok, r.sku, ProductCheck(r.product_id, r.sku, r.ok, r.blocking[0].message if r.blocking else ""))
                for r in results], key=lambda t: (t[0], t[1]))
            del results
    summary = (ready, total, sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return n, summary, tuple(t[2] for t in listed)


def search_products(db, q: str, limit: int = 200) -> tuple[ProductHit, ...]:
    """The products whose SKU or title contains ``q`` (all when empty), by SKU."""
    from sqlalchemy import or_, select

    from ..storage.models import Product
    from ..storage.portable import search_text

    with db.session_factory.begin() as s:
        stmt = select(Product.id, Product.sku, Product.title).order_by(Product.sku).limit(limit)
        q = search_text(q)
        if q:
            stmt = stmt.where(or_(Product.sku.ilike(f"%{q}%"), Product.title.ilike(f"%{q}%")))
        return tuple(ProductHit(*row) for row in s.execute(stmt).all())


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


# ---------------------------------------------------------------------------------------- the Mapper's screen
@dataclass(frozen=True)
class Overview:
    """What the Mapper's left side and header show: the N11 tree, the local categories, counts."""

    tree: Any  # TreeData
    local: tuple  # LocalCategoryRow, ...
    mapped_counts: dict
    category_ids: tuple[int, ...]
    compare: Any  # CompareReport | None
    rules: int
    value_maps: int
    version: int = 0  # the mapping version (core.audit) this overview was read at


def based_on(version: int | None):
    """Wrap a write job in this: it is refused ("changed by X at T; reload") when the object it
    changes was changed by someone else after ``version`` (what the Mapper loaded)."""
    from ..audit import based_on as _based_on

    return _based_on("mapping", version)


def _in_transaction(db, fn, *args, **kwargs):
    with db.session_factory.begin() as s:
        return fn(s, *args, **kwargs)


def load_overview(db) -> Overview:
    from ..flows.category import load_compare_report
    from ..settings import load_config
    from .store import load_local_categories, load_rules, load_tree, load_value_maps
    from .tree import build_tree_data

    with db.session_factory.begin() as s:
        rows = load_tree(s)
        local = load_local_categories(s)
        cfg = load_config(s)
        report = load_compare_report(s)
        n_rules = len(load_rules(s))
        n_values = len(load_value_maps(s))
        from ..audit import version as audit_version

        mapping_version = audit_version(s, "mapping")
    counts: dict[int, int] = {}
    for r in local:
        if r.n11_id is not None and r.status == "mapped":
            counts[r.n11_id] = counts.get(r.n11_id, 0) + 1
    return Overview(build_tree_data(rows), tuple(local), counts, cfg.category_ids, report, n_rules, n_values,
                    mapping_version)


def load_category_detail(db, local: str):
    """One local category's mapping, its N11 attributes and how each local value is sent."""
    from .detail import category_detail

    return _in_transaction(db, category_detail, local)


def map_category(db, local: str, category_id: int, *, replace: bool = False):
    from .store import set_category_mapping

    return _in_transaction(db, set_category_mapping, local, category_id, replace=replace)


def unmap_category(db, local: str):
    from .store import clear_category_mapping

    return _in_transaction(db, clear_category_mapping, local)


def save_attribute_rule(db, local_attribute: str, attribute_id: int, category_id: int):
    from .store import set_attribute_rule

    return _in_transaction(db, set_attribute_rule, local_attribute, attribute_id, category_id)


def delete_attribute_rule(db, local_attribute: str, category_id: int):
    from .store import remove_attribute_rule

    return _in_transaction(db, remove_attribute_rule, local_attribute, category_id)


def save_attribute_default(db, attribute_id: int, *, value_id: int | None, custom_value: str | None, category_id: int):
    from .defaults import set_attribute_default

    return _in_transaction(db, set_attribute_default, attribute_id, value_id=value_id, custom_value=custom_value,
                           category_id=category_id)


def delete_attribute_default(db, attribute_id: int, category_id: int):
    from .defaults import remove_attribute_default

    return _in_transaction(db, remove_attribute_default, attribute_id, category_id)


def save_value_mapping(db, local_attribute: str, local_value: str, *, value_id: int | None, custom_value: str | None,
                       category_id: int, attribute_id: int):
    from .store import set_value_mapping

    return _in_transaction(db, set_value_mapping, local_attribute, local_value, value_id=value_id,
                           custom_value=custom_value, category_id=category_id, attribute_id=attribute_id)


def delete_value_mapping(db, local_attribute: str, local_value: str, category_id: int):
    from .store import remove_value_mapping

    return _in_transaction(db, remove_value_mapping, local_attribute, local_value, category_id)


def import_csv(db, path):
    from pathlib import Path

    from .csvfile import import_mapping_csv

    return _in_transaction(db, import_mapping_csv, Path(path))


def export_csv(db, path) -> int:
    from pathlib import Path

    from .csvfile import export_mapping_csv

    return _in_transaction(db, export_mapping_csv, Path(path))


def load_suggestions(db) -> tuple[tuple, dict[str, str]]:
    """(every suggestion for what is not mapped yet, the operator's own terms)."""
    from .suggest import operator_terms, suggest_all

    with db.session_factory.begin() as s:
        return tuple(suggest_all(s)), operator_terms(s)


def accept_suggestions(db, items):
    from .suggest import accept

    return _in_transaction(db, accept, list(items))


def undo_accepted(db, steps) -> int:
    from .suggest import undo_accept

    return _in_transaction(db, undo_accept, steps)


def teach_term(db, local: str, n11: str) -> str:
    from .suggest import set_operator_term

    return _in_transaction(db, set_operator_term, local, n11)


def forget_term(db, local: str) -> str:
    from .suggest import remove_operator_term

    return _in_transaction(db, remove_operator_term, local)
