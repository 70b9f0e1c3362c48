"""What the Mapper shows for one local category: its N11 leaf, each N11 attribute with the
local attribute feeding it, and each local value with how it resolves (frozen rows)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..storage.models import CategoryMapping, Product
from .control import MappingSnapshot
from .store import AttributeRow, LeafDetail, load_leaf_detail, normalize_local_category
from .text import RankedCategory, fold


@dataclass(frozen=True, slots=True)
class ValueView:
    local_value: str
    products: int
    value_id: int | None
    n11_text: str  # what would be sent ("Siyah", "free text: Black", "")
    how: str  # mapped here | mapped globally | same name | free text | missing
    ok: bool


@dataclass(frozen=True, slots=True)
class AttributeView:
    attribute: AttributeRow
    local_attribute: str | None
    scope: str  # "global" | "category" | "default" | ""
    values: tuple[ValueView, ...]
    fallback: str = ""  # the operator's default when the product has no value ("Türkiye (all categories)")


@dataclass(frozen=True, slots=True)
class CategoryDetail:
    local: str
    products: int
    mapped_id: int | None
    leaf: LeafDetail | None
    problem: str
    local_attributes: tuple[str, ...]
    attributes: tuple[AttributeView, ...]
    unused_local: tuple[str, ...]  # local attributes with no rule in this leaf
    suggestions: tuple[RankedCategory, ...] = ()  # when not (validly) mapped


def category_detail(session: Session, local_category: str) -> CategoryDetail:
    local = normalize_local_category(local_category)
    # streamed a chunk at a time: a category of 100k products held as decoded rows was an 80 MB peak
    rows = session.execute(select(Product.brand, Product.attributes).where(Product.category == local)
                           .execution_options(yield_per=2_000))
    counts: dict[str, dict[str, int]] = {}
    names: dict[str, str] = {}
    n_products = 0
    for brand, attrs in rows:
        n_products += 1
        items = dict(attrs or {})
        if brand and not any(fold(k) == "brand" for k in items):
            items["brand"] = brand
        for k, v in items.items():
            if v is None or str(v).strip() == "":
                continue
            names.setdefault(fold(k), str(k))
            per = counts.setdefault(fold(k), {})
            per[str(v).strip()] = per.get(str(v).strip(), 0) + 1
    local_names = tuple(sorted(names.values(), key=fold))
    mapped_id = session.scalars(select(CategoryMapping.category_id).where(
        CategoryMapping.local_category == local)).first()
    if mapped_id is None:
        return CategoryDetail(local, n_products, None, None, "", local_names, (), local_names,
                              _suggest(session, local))
    leaf = load_leaf_detail(session, int(mapped_id))
    problem = ""
    if leaf is None:
        problem = f"N11 category {mapped_id} is not in the tree any more — map this category again"
    elif leaf.removed:
        problem = f"“{leaf.name}” was removed by N11 — map this category again"
    elif not leaf.is_leaf:
        problem = f"“{leaf.name}” is no longer a leaf category — map this category again"
    if leaf is None or problem:
        return CategoryDetail(local, n_products, int(mapped_id), leaf, problem, local_names, (), local_names,
                              _suggest(session, local))
    snap = MappingSnapshot(session, [leaf.id])
    snap_leaf = snap.leaves[leaf.id]
    by_attr: dict[int, tuple[str, str]] = {}
    for key, orig in names.items():
        aid = snap.rule(orig, leaf.id)
        if aid is None or aid in by_attr:
            continue
        if (key, leaf.id) in snap.rules:
            scope = "category"
        elif (key, 0) in snap.rules:
            scope = "global"
        else:
            scope = "default"
        by_attr[aid] = (orig, scope)
    views = []
    for a in leaf.attributes:
        local_attr, scope = by_attr.get(a.attribute_id, (None, ""))
        vals: list[ValueView] = []
        if local_attr is not None:
            sa = snap_leaf.attrs.get(a.attribute_id)
            for value, n in sorted(counts.get(fold(local_attr), {}).items(), key=lambda kv: fold(kv[0])):
                vals.append(_resolve(snap, leaf.id, sa, local_attr, value, n))
        d = snap.defaults.get((leaf.id, a.attribute_id)) or snap.defaults.get((0, a.attribute_id))
        fallback = f"{d.name} ({'this category' if d.category_id else 'all categories'})" if d else ""
        views.append(AttributeView(a, local_attr, scope, tuple(vals), fallback))
    unused = tuple(n for n in local_names if snap.rule(n, leaf.id) is None
                   or snap.rule(n, leaf.id) not in {a.attribute_id for a in leaf.attributes})
    return CategoryDetail(local, n_products, int(mapped_id), leaf, "", local_names, tuple(views), unused)


def _suggest(session: Session, local: str) -> tuple:
    from .suggest import category_ranker, product_evidence

    ranker = category_ranker(session)
    if ranker is None:
        return ()
    return tuple(ranker.rank(local, 3, evidence=product_evidence(session, [local]).get(local)))


def _resolve(snap: MappingSnapshot, leaf_id: int, a, local_attr: str, value: str, n: int) -> ValueView:
    if a is None:
        return ValueView(value, n, None, "", "attribute not offered", False)
    hit_scoped = snap.values.get((fold(local_attr), fold(value), leaf_id))
    hit = hit_scoped or snap.values.get((fold(local_attr), fold(value), 0))
    where = "mapped here" if hit_scoped else "mapped globally"
    if hit is not None:
        _aid, vid, custom = hit
        if vid is not None:
            if int(vid) in a.by_id:
                return ValueView(value, n, int(vid), a.by_id[int(vid)], where, True)
            same = a.by_fold.get(fold(snap.value_names.get(int(vid), "")))
            if same is not None:
                return ValueView(value, n, same, a.by_id[same], where + " (same value name)", True)
            return ValueView(value, n, int(vid), f"value {vid}", where + " — not in N11's list", False)
        if custom:
            same = a.by_fold.get(fold(custom))
            if same is not None:
                return ValueView(value, n, same, a.by_id[same], where, True)
            return ValueView(value, n, None, f"free text: {custom}", where, a.custom)
    vid = a.by_fold.get(fold(value))
    if vid is not None:
        return ValueView(value, n, vid, a.by_id[vid], "same name", True)
    if a.custom:
        return ValueView(value, n, None, f"free text: {value}", "free text", True)
    return ValueView(value, n, None, "", "not in N11's list — map it", False)
