"""Category mappings, attribute rules and value maps: writes with validation and reads as
frozen rows (the mapping CSV of DESIGN §9 is :mod:`.csvfile`).

Every write function takes a session (the caller owns the transaction), validates first
and raises :class:`MappingError` with a message naming what is wrong *before* writing, so a
refused change changes nothing. Writes are idempotent: setting what is already there
leaves the row untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from ..storage.models import (
    AttributeRule,
    AttributeValue,
    CategoryAttribute,
    CategoryMapping,
    CategoryNode,
    Product,
    ProductCategory,
    ValueMapping,
)
from ..audit import audited_mapping
from .text import fold

BRAND_ATTRIBUTE_ID = 1
GLOBAL = 0


class MappingError(ValueError):
    """A mapping change was refused; the message says what and why, for the operator."""


# --------------------------------------------------------------------------- frozen rows
@dataclass(frozen=True, slots=True)
class TreeRow:
    id: int
    parent_id: int | None
    name: str
    path: str
    depth: int
    is_leaf: bool
    removed: bool
    attributes_fetched: bool


@dataclass(frozen=True, slots=True)
class LocalCategoryRow:
    local: str
    products: int
    n11_id: int | None
    n11_name: str
    n11_path: str
    status: str  # mapped | unmapped | broken
    problem: str = ""


@dataclass(frozen=True, slots=True)
class ValueRow:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class AttributeRow:
    attribute_id: int
    name: str
    mandatory: bool
    variant: bool
    slicer: bool
    custom_value: bool
    multiple: bool
    values: tuple[ValueRow, ...]


@dataclass(frozen=True, slots=True)
class LeafDetail:
    id: int
    name: str
    path: str
    is_leaf: bool
    removed: bool
    fetched_at: datetime | None
    attributes: tuple[AttributeRow, ...]


@dataclass(frozen=True, slots=True)
class RuleRow:
    local_attribute: str
    attribute_id: int
    attribute_name: str
    category_id: int  # 0 = global
    category_name: str
    source: str


@dataclass(frozen=True, slots=True)
class ValueMapRow:
    local_attribute: str
    local_value: str
    attribute_id: int | None
    value_id: int | None
    value_name: str
    custom_value: str | None
    category_id: int
    source: str


@dataclass(frozen=True, slots=True)
class Change:
    """What a write did: ``added``, ``updated``, ``unchanged`` or ``removed``."""

    action: str
    message: str


# --------------------------------------------------------------------------- audit keys (core.audit)
def _category_key(local_category, *_a, **_k) -> str:
    return "category:" + normalize_local_category(local_category)


def _rule_key_set(local_attribute, attribute_id=None, category_id=GLOBAL, **_k) -> str:
    return f"attribute:{fold(str(local_attribute).strip())}@{int(category_id or 0)}"


def _rule_key_remove(local_attribute, category_id=GLOBAL, **_k) -> str:
    return f"attribute:{fold(str(local_attribute).strip())}@{int(category_id or 0)}"


def _value_key(local_attribute, local_value, category_id=GLOBAL, **_k) -> str:
    return (f"value:{fold(str(local_attribute).strip())}={fold(str(local_value).strip())}"
            f"@{int(category_id or 0)}")


# --------------------------------------------------------------------------- lookups
def _node(session: Session, category_id: int) -> CategoryNode | None:
    return session.get(CategoryNode, int(category_id))


def describe_node(node: CategoryNode) -> str:
    return f"“{node.name}” ({node.id})"


def parse_value_id(value_id: object) -> int | None:
    """An N11 value id as typed (None or "" for none); anything else than a number is refused."""
    if value_id in (None, ""):
        return None
    try:
        return int(value_id)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise MappingError(f"N11 value id must be a number (got {value_id!r})") from None


def offered_values(attrs: Sequence[CategoryAttribute], column: Any) -> Select:
    """``select(column)`` over the values (not removed) that the N11 attributes ``attrs`` offer."""
    return select(column).where(AttributeValue.category_attribute_id.in_([a.id for a in attrs]),
                                AttributeValue.removed.is_(False))


def check_leaf(session: Session, category_id: int) -> CategoryNode:
    """The node if products can be put in it, else :class:`MappingError` saying why."""
    try:
        cid = int(category_id)
    except (TypeError, ValueError):
        raise MappingError(f"N11 category id must be a number (got {category_id!r})") from None
    node = _node(session, cid)
    if node is None:
        raise MappingError(f"N11 category {cid} is not in the category tree — run Category Node, "
                           "or check the Category Ids in Channel Settings")
    if node.removed:
        raise MappingError(f"N11 category {describe_node(node)} was removed by N11 — choose another category")
    if not node.is_leaf:
        raise MappingError(f"{describe_node(node)} is not a leaf category: N11 accepts products only in "
                           "leaf (last-level) categories — open it and choose one of its sub-categories")
    return node


def known_attribute_name(session: Session, attribute_id: int, category_id: int = GLOBAL) -> str | None:
    q = select(CategoryAttribute.name).where(CategoryAttribute.attribute_id == int(attribute_id),
                                             CategoryAttribute.removed.is_(False))
    if category_id:
        q = q.where(CategoryAttribute.category_id == int(category_id))
    name = session.scalars(q.limit(1)).first()
    if name is None and int(attribute_id) == BRAND_ATTRIBUTE_ID and not category_id:
        return "Marka"
    return name


# --------------------------------------------------------------------------- category mapping
@audited_mapping("category", _category_key)
def set_category_mapping(session: Session, local_category: str, category_id: int, *, replace: bool = False,
                         source: str = "manual") -> Change:
    """Map a local category path to exactly one N11 leaf.

    A local category that is already mapped elsewhere is only moved with ``replace=True``:
    a product can be in only one N11 category (seed §6).
    """
    local = normalize_local_category(local_category)
    node = check_leaf(session, category_id)
    row = session.scalars(select(CategoryMapping).where(CategoryMapping.local_category == local)).first()
    if row is not None and row.category_id == node.id:
        return Change("unchanged", f"“{local}” is already mapped to {describe_node(node)}")
    if row is not None:
        old = _node(session, row.category_id)
        old_text = describe_node(old) if old else str(row.category_id)
        if not replace:
            raise MappingError(f"“{local}” is already mapped to {old_text}. A product can be in only one N11 "
                               "category, so a local category maps to exactly one leaf — replace the mapping "
                               "to move it")
        row.category_id = node.id
        row.source = source
        session.flush()
        return Change("updated", f"“{local}” moved from {old_text} to {describe_node(node)}")
    session.add(CategoryMapping(local_category=local, category_id=node.id, source=source))
    session.flush()
    return Change("added", f"“{local}” mapped to {describe_node(node)}")


@audited_mapping("category", _category_key)
def clear_category_mapping(session: Session, local_category: str) -> Change:
    local = normalize_local_category(local_category)
    n = session.execute(delete(CategoryMapping).where(CategoryMapping.local_category == local)).rowcount
    return Change("removed" if n else "unchanged",
                  f"mapping of “{local}” removed" if n else f"“{local}” was not mapped")


def normalize_local_category(path: str) -> str:
    parts = [p.strip() for p in str(path or "").split(">")]
    parts = [p for p in parts if p]
    if not parts:
        raise MappingError("local category is empty")
    return " > ".join(parts)


# --------------------------------------------------------------------------- attribute rules
@audited_mapping("attribute rule", _rule_key_set)
def set_attribute_rule(session: Session, local_attribute: str, attribute_id: int, category_id: int = GLOBAL,
                       *, source: str = "manual") -> Change:
    """Local attribute → N11 attribute; ``category_id`` 0 = global, else scoped to that leaf."""
    local = str(local_attribute or "").strip()
    if not local:
        raise MappingError("local attribute name is empty")
    try:
        aid = int(attribute_id)
    except (TypeError, ValueError):
        raise MappingError(f"N11 attribute id must be a number (got {attribute_id!r})") from None
    cid = int(category_id or 0)
    if cid:
        node = check_leaf(session, cid)
        if node.attributes_fetched_at is not None:
            if known_attribute_name(session, aid, cid) is None:
                raise MappingError(f"N11 attribute {aid} is not an attribute of {describe_node(node)}")
        elif known_attribute_name(session, aid) is None and aid != BRAND_ATTRIBUTE_ID:
            raise MappingError(f"N11 attribute {aid} is unknown — run Category Attribute and Values first")
    elif known_attribute_name(session, aid) is None:
        raise MappingError(f"N11 attribute {aid} is unknown — run Category Attribute and Values first")
    existing = session.scalars(select(AttributeRule).where(AttributeRule.category_id == cid)).all()
    row = next((r for r in existing if fold(r.local_attribute) == fold(local)), None)
    scope = "global" if not cid else f"for category {cid}"
    if row is not None:
        if row.attribute_id == aid and row.local_attribute == local:
            return Change("unchanged", f"rule {local} → {aid} ({scope}) already exists")
        row.attribute_id, row.local_attribute, row.source = aid, local, source
        session.flush()
        return Change("updated", f"rule {local} → {aid} ({scope}) updated")
    session.add(AttributeRule(local_attribute=local, attribute_id=aid, category_id=cid, source=source))
    session.flush()
    return Change("added", f"rule {local} → {aid} ({scope}) added")


@audited_mapping("attribute rule", _rule_key_remove)
def remove_attribute_rule(session: Session, local_attribute: str, category_id: int = GLOBAL) -> Change:
    rows = session.scalars(select(AttributeRule).where(AttributeRule.category_id == int(category_id or 0))).all()
    row = next((r for r in rows if fold(r.local_attribute) == fold(local_attribute)), None)
    if row is None:
        return Change("unchanged", f"no rule for {local_attribute}")
    session.delete(row)
    session.flush()
    return Change("removed", f"rule for {local_attribute} removed")


def rule_for(session: Session, local_attribute: str, category_id: int) -> AttributeRule | None:
    """The rule that applies in a leaf: the scoped one beats the global one."""
    rows = session.scalars(select(AttributeRule).where(AttributeRule.category_id.in_({int(category_id), 0}))).all()
    key = fold(local_attribute)
    scoped = [r for r in rows if r.category_id and fold(r.local_attribute) == key]
    if scoped:
        return scoped[0]
    glob = [r for r in rows if not r.category_id and fold(r.local_attribute) == key]
    return glob[0] if glob else None


# --------------------------------------------------------------------------- value maps
@audited_mapping("value map", _value_key)
def set_value_mapping(session: Session, local_attribute: str, local_value: str, *, value_id: int | None = None,
                      custom_value: str | None = None, category_id: int = GLOBAL, attribute_id: int | None = None,
                      source: str = "manual") -> Change:
    """``Name=Value`` → N11 value id, or free text for custom-value attributes."""
    name = str(local_attribute or "").strip()
    value = str(local_value if local_value is not None else "").strip()
    if not name or not value:
        raise MappingError("a value map needs both the local attribute name and the local value")
    cid = int(category_id or 0)
    if cid:
        node = check_leaf(session, cid)
    else:
        node = None
    scoped_ids: list[int] = []
    if attribute_id is None:
        rule = rule_for(session, name, cid) if cid else _global_rule(session, name)
        if rule is None and not cid:
            # mapped per category only: a global value map applies wherever the attribute is mapped
            scoped_ids = sorted({int(r.attribute_id) for r in session.scalars(
                select(AttributeRule).where(AttributeRule.category_id != 0)) if fold(r.local_attribute) == fold(name)})
        if rule is None and not scoped_ids:
            where = f" in {describe_node(node)}" if node else " (global)"
            raise MappingError(f"no attribute rule for “{name}”{where} — map the attribute first")
        if rule is not None:
            attribute_id = rule.attribute_id
    aid = int(attribute_id) if attribute_id is not None else None
    attrs_q = select(CategoryAttribute).where(CategoryAttribute.removed.is_(False))
    attrs_q = attrs_q.where(CategoryAttribute.attribute_id == aid) if aid is not None else \
        attrs_q.where(CategoryAttribute.attribute_id.in_(scoped_ids))
    if cid:
        attrs_q = attrs_q.where(CategoryAttribute.category_id == cid)
    attrs = session.scalars(attrs_q).all()
    attr_name = attrs[0].name if attrs else (str(aid) if aid is not None else name)
    custom = (custom_value or "").strip() or None
    vid = parse_value_id(value_id)
    if vid is not None:
        if not attrs:
            raise MappingError(f"N11 attribute {aid} has no values loaded — run Category Attribute and Values first")
        ok = session.scalars(offered_values(attrs, AttributeValue.id).where(AttributeValue.value_id == vid)
                             .limit(1)).first()
        if ok is None:
            where = f" in {describe_node(node)}" if node else ""
            raise MappingError(f"value {vid} is not in N11's list for {attr_name}{where}")
        if aid is None:  # the attribute (of those mapped per category) that offers this value
            owner = session.scalars(offered_values(attrs, AttributeValue.category_attribute_id)
                                    .where(AttributeValue.value_id == vid).limit(1)).first()
            aid = next(int(a.attribute_id) for a in attrs if a.id == owner)
        custom = None
    elif custom:
        named = aid is None and session.scalars(offered_values(attrs, AttributeValue.id).where(
            func.lower(AttributeValue.name) == custom.lower()).limit(1)).first() is not None
        if attrs and not named and not any(a.custom_value for a in attrs):
            raise MappingError(f"{attr_name} does not accept free text on N11 — choose one of its values")
    else:
        raise MappingError(f"choose an N11 value for {name}={value} (or type free text for a custom-value attribute)")
    rows = session.scalars(select(ValueMapping).where(ValueMapping.category_id == cid)).all()
    row = next((r for r in rows if fold(r.local_attribute) == fold(name) and fold(r.local_value) == fold(value)), None)
    label = f"{name}={value}"
    target = f"value {vid}" if vid is not None else f"free text “{custom}”"
    if row is not None:
        if row.value_id == vid and row.custom_value == custom and row.attribute_id == aid:
            return Change("unchanged", f"{label} → {target} already mapped")
        row.value_id, row.custom_value, row.attribute_id, row.source = vid, custom, aid, source
        session.flush()
        return Change("updated", f"{label} → {target} updated")
    session.add(ValueMapping(local_attribute=name, local_value=value, attribute_id=aid, value_id=vid,
                             custom_value=custom, category_id=cid, source=source))
    session.flush()
    return Change("added", f"{label} → {target} added")


@audited_mapping("value map", _value_key)
def remove_value_mapping(session: Session, local_attribute: str, local_value: str, category_id: int = GLOBAL) -> Change:
    rows = session.scalars(select(ValueMapping).where(ValueMapping.category_id == int(category_id or 0))).all()
    row = next((r for r in rows if fold(r.local_attribute) == fold(local_attribute)
                and fold(r.local_value) == fold(local_value)), None)
    if row is None:
        return Change("unchanged", f"{local_attribute}={local_value} was not mapped")
    session.delete(row)
    session.flush()
    return Change("removed", f"{local_attribute}={local_value} unmapped")


def _global_rule(session: Session, name: str) -> AttributeRule | None:
    rows = session.scalars(select(AttributeRule).where(AttributeRule.category_id == 0)).all()
    return next((r for r in rows if fold(r.local_attribute) == fold(name)), None)


# --------------------------------------------------------------------------- reads for the Mapper
def load_tree(session: Session, *, include_removed: bool = False) -> tuple[TreeRow, ...]:
    """Every N11 node, parents before children, siblings by name (Turkish order-insensitive)."""
    q = select(CategoryNode.id, CategoryNode.parent_id, CategoryNode.name, CategoryNode.path, CategoryNode.depth,
               CategoryNode.is_leaf, CategoryNode.removed, CategoryNode.attributes_fetched_at)
    if not include_removed:
        q = q.where(CategoryNode.removed.is_(False))
    rows = [TreeRow(r[0], r[1], r[2], r[3], r[4], bool(r[5]), bool(r[6]), r[7] is not None)
            for r in session.execute(q)]
    rows.sort(key=lambda r: (r.depth, fold(r.name), r.id))
    return tuple(rows)


def local_category_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Product.category, func.count()).group_by(Product.category))
    out: dict[str, int] = {}
    for cat, n in rows:
        if cat and str(cat).strip():
            try:
                key = normalize_local_category(cat)
            except MappingError:
                continue
            out[key] = out.get(key, 0) + int(n)
    return out


def load_local_categories(session: Session) -> tuple[LocalCategoryRow, ...]:
    counts = local_category_counts(session)
    maps = {m.local_category: m.category_id for m in session.scalars(select(CategoryMapping))}
    ids = set(maps.values())
    nodes = {n.id: n for n in session.scalars(select(CategoryNode).where(CategoryNode.id.in_(ids)))} if ids else {}
    out = []
    for local in sorted(set(counts) | set(maps), key=fold):
        cid = maps.get(local)
        if cid is None:
            out.append(LocalCategoryRow(local, counts.get(local, 0), None, "", "", "unmapped"))
            continue
        node = nodes.get(cid)
        if node is None:
            out.append(LocalCategoryRow(local, counts.get(local, 0), cid, str(cid), "", "broken",
                                        f"N11 category {cid} is not in the tree any more"))
        elif node.removed or not node.is_leaf:
            why = "was removed by N11" if node.removed else "is no longer a leaf"
            out.append(LocalCategoryRow(local, counts.get(local, 0), cid, node.name, node.path, "broken",
                                        f"{describe_node(node)} {why} — map it again"))
        else:
            out.append(LocalCategoryRow(local, counts.get(local, 0), cid, node.name, node.path, "mapped"))
    return tuple(out)


def load_leaf_detail(session: Session, category_id: int) -> LeafDetail | None:
    node = _node(session, category_id)
    if node is None:
        return None
    attrs = session.scalars(select(CategoryAttribute).where(CategoryAttribute.category_id == node.id,
                                                            CategoryAttribute.removed.is_(False))).all()
    ids = [a.id for a in attrs]
    values: dict[int, list[ValueRow]] = {}
    if ids:
        for ca_id, vid, name in session.execute(
                select(AttributeValue.category_attribute_id, AttributeValue.value_id, AttributeValue.name)
                .where(AttributeValue.category_attribute_id.in_(ids), AttributeValue.removed.is_(False))
                .order_by(AttributeValue.id)):
            values.setdefault(ca_id, []).append(ValueRow(int(vid), name))
    rows = sorted(attrs, key=lambda a: (not a.mandatory, -a.order, fold(a.name)))
    return LeafDetail(node.id, node.name, node.path, node.is_leaf, node.removed, node.attributes_fetched_at,
                      tuple(AttributeRow(int(a.attribute_id), a.name, a.mandatory, a.variant, a.slicer, a.custom_value,
                                         a.multiple, tuple(values.get(a.id, ()))) for a in rows))


def load_rules(session: Session) -> tuple[RuleRow, ...]:
    rules = session.scalars(select(AttributeRule)).all()
    names = dict(session.execute(select(CategoryAttribute.attribute_id, CategoryAttribute.name)).all())
    names.setdefault(BRAND_ATTRIBUTE_ID, "Marka")
    cids = {r.category_id for r in rules if r.category_id}
    nodes = dict(session.execute(select(CategoryNode.id, CategoryNode.name).where(CategoryNode.id.in_(cids))).all()) \
        if cids else {}
    out = [RuleRow(r.local_attribute, int(r.attribute_id), names.get(r.attribute_id, str(r.attribute_id)),
                   int(r.category_id), nodes.get(r.category_id, "") if r.category_id else "all categories", r.source)
           for r in rules]
    out.sort(key=lambda r: (fold(r.local_attribute), r.category_id))
    return tuple(out)


def load_value_maps(session: Session) -> tuple[ValueMapRow, ...]:
    maps = session.scalars(select(ValueMapping)).all()
    names = dict(session.execute(select(AttributeValue.value_id, AttributeValue.name)).all()) if maps else {}
    out = [ValueMapRow(m.local_attribute, m.local_value, m.attribute_id, m.value_id,
                       names.get(m.value_id, "") if m.value_id is not None else "", m.custom_value,
                       int(m.category_id), m.source) for m in maps]
    out.sort(key=lambda r: (fold(r.local_attribute), fold(r.local_value), r.category_id))
    return tuple(out)


def leaves_in_use(session: Session) -> tuple[int, ...]:
    """N11 leaves a local category is mapped to, plus per-product overrides."""
    ids = set(session.scalars(select(CategoryMapping.category_id)).all())
    ids |= set(session.scalars(select(ProductCategory.category_id).distinct()).all())
    return tuple(sorted(int(i) for i in ids))
