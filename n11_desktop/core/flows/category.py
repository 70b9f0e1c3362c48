"""Category flows (DESIGN §6, seed §4): Category Node, Category Attribute and Values,
Create Default Attributes, Compare Attributes.

Network calls happen outside write transactions; each write is one short transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..clock import utcnow
from ..storage.db import Database
from ..storage.models import (
    AppState,
    AttributeRule,
    AttributeValue,
    CategoryAttribute,
    CategoryMapping,
    CategoryNode,
    DefaultAttribute,
    ProductCategory,
    ValueMapping,
)
from .base import FlowContext, FlowOutcome, register

if TYPE_CHECKING:
    from ..n11.client import N11Client

COMPARE_REPORT_KEY = "mapping.compare_attributes.last_report"


def _clean(name: Any) -> str:
    return " ".join(str(name or "").split())


# =========================================================================== category_node
@dataclass(frozen=True)
class TreeSyncResult:
    total: int
    added: int
    renamed: int
    moved: int
    removed: int
    restored: int
    missing_roots: tuple[int, ...]

    def summary(self) -> str:
        parts = [f"{self.total} nodes", f"{self.added} new"]
        if self.renamed:
            parts.append(f"{self.renamed} renamed")
        if self.moved:
            parts.append(f"{self.moved} moved")
        if self.removed:
            parts.append(f"{self.removed} marked removed")
        if self.restored:
            parts.append(f"{self.restored} back")
        if self.missing_roots:
            parts.append("not found on N11: " + ", ".join(map(str, self.missing_roots)))
        return ", ".join(parts)


def _flatten(roots: Iterable[Any], wanted: tuple[int, ...]) -> tuple[dict[int, dict], tuple[int, ...]]:
    """Rows of the subtrees under the wanted ids (full N11 path, N11 depth)."""
    found: dict[int, dict] = {}
    wanted_set = set(wanted)
    stack: list[tuple[Any, int | None, tuple[str, ...], int | None]] = [(r, None, (), None) for r in reversed(list(roots))]
    while stack:
        node, parent, path, root = stack.pop()
        names = path + (_clean(node.name),)
        nid = int(node.id)
        if root is None and nid in wanted_set:
            root = nid
        if root is not None:
            found[nid] = dict(id=nid, parent_id=parent, root_id=root, name=names[-1], path=" > ".join(names),
                              depth=len(names), is_leaf=not node.children)
        for child in reversed(node.children):
            stack.append((child, nid, names, root))
    missing = tuple(i for i in wanted if i not in found)
    return found, missing


def sync_tree(session: Session, roots: Iterable[Any], category_ids: tuple[int, ...]) -> TreeSyncResult:
    rows, missing = _flatten(roots, category_ids)
    existing = {n.id: n for n in session.scalars(select(CategoryNode))}
    added = renamed = moved = removed = restored = 0
    new_rows = []
    now = utcnow()
    for nid, r in rows.items():
        cur = existing.get(nid)
        if cur is None:
            new_rows.append(dict(r, removed=False, updated_at=now))
            added += 1
            continue
        changed = False
        if cur.name != r["name"]:
            renamed += 1
            changed = True
        if cur.parent_id != r["parent_id"]:
            moved += 1
            changed = True
        if cur.removed:
            restored += 1
            changed = True
        if changed or cur.path != r["path"] or cur.is_leaf != r["is_leaf"] or cur.root_id != r["root_id"] \
                or cur.depth != r["depth"]:
            cur.name, cur.parent_id, cur.root_id = r["name"], r["parent_id"], r["root_id"]
            cur.path, cur.depth, cur.is_leaf, cur.removed = r["path"], r["depth"], r["is_leaf"], False
    for nid, cur in existing.items():
        if nid not in rows and not cur.removed:
            cur.removed = True
            removed += 1
    if new_rows:
        session.execute(CategoryNode.__table__.insert(), new_rows)
    session.flush()
    return TreeSyncResult(len(rows), added, renamed, moved, removed, restored, missing)


@register("category_node")
def category_node(ctx: FlowContext) -> FlowOutcome:
    ids = ctx.config.category_ids
    if not ids:
        return FlowOutcome(message="Category Ids are empty — set the N11 main category ids in Channel Settings",
                           failed_as_whole=True)
    ctx.progress(0, 1, "downloading the N11 category tree")
    roots = ctx.client().get_category_tree()
    ctx.check_stop()
    with ctx.session_factory.begin() as s:
        res = sync_tree(s, roots, ids)
    for rid in res.missing_roots:
        ctx.log(f"Category Id {rid} is not in N11's category tree; check Category Ids in Channel Settings",
                level="WARNING", object_type="category", object_key=str(rid))
    ctx.progress(1, 1)
    return FlowOutcome(total=res.total, succeeded=res.total, failed=len(res.missing_roots), message=res.summary())


# =========================================================================== attributes
@dataclass(frozen=True)
class ValueChange:
    category_id: int
    category_name: str
    attribute_id: int
    attribute_name: str
    change: str  # added | renamed | removed | attribute_added | attribute_removed | flags_changed
    value_id: int | None = None
    old: str = ""
    new: str = ""

    def describe(self) -> str:
        where = f"{self.category_name} ({self.category_id}) · {self.attribute_name}"
        if self.change == "added":
            return f"{where}: new value “{self.new}” ({self.value_id})"
        if self.change == "renamed":
            return f"{where}: value {self.value_id} renamed “{self.old}” → “{self.new}”"
        if self.change == "removed":
            return f"{where}: value “{self.old}” ({self.value_id}) removed"
        if self.change == "attribute_added":
            return f"{where}: new attribute"
        if self.change == "attribute_removed":
            return f"{where}: attribute removed"
        return f"{where}: {self.old} → {self.new}"


@dataclass(frozen=True)
class AttributeSync:
    category_id: int
    attributes: int
    values: int
    changes: tuple[ValueChange, ...] = ()
    first_fetch: bool = False


def store_leaf_attributes(session: Session, category_id: int, attrs: Iterable[Any]) -> AttributeSync:
    """Upsert one leaf's attributes and values; what N11 no longer lists is marked removed."""
    node = session.get(CategoryNode, int(category_id))
    if node is None:
        raise ValueError(f"N11 category {category_id} is not in the local tree; run Category Node first")
    first = node.attributes_fetched_at is None
    cname = node.name
    existing = {a.attribute_id: a for a in
                session.scalars(select(CategoryAttribute).where(CategoryAttribute.category_id == node.id))}
    values_by_attr: dict[int, dict[int, AttributeValue]] = {}
    if existing:
        for v in session.scalars(select(AttributeValue).where(
                AttributeValue.category_attribute_id.in_([a.id for a in existing.values()]))):
            values_by_attr.setdefault(v.category_attribute_id, {})[int(v.value_id)] = v
    changes: list[ValueChange] = []
    seen_attrs: set[int] = set()
    n_values = 0
    attrs = list(attrs)
    for a in attrs:
        aid = int(a.id)
        seen_attrs.add(aid)
        aname = _clean(a.name)
        row = existing.get(aid)
        if row is None:
            row = CategoryAttribute(category_id=node.id, attribute_id=aid, name=aname)
            session.add(row)
            if not first:
                changes.append(ValueChange(node.id, cname, aid, aname, "attribute_added"))
        elif row.removed:
            row.removed = False
            changes.append(ValueChange(node.id, cname, aid, aname, "attribute_added"))
        row.name = aname
        row.mandatory, row.variant, row.slicer = bool(a.mandatory), bool(a.variant), bool(a.slicer)
        row.custom_value, row.multiple, row.order = bool(a.custom_value), bool(a.multiple), int(a.order or 0)
        session.flush()
        have = values_by_attr.get(row.id, {})
        seen_values: set[int] = set()
        new_values = []
        for v in a.values:
            vid = int(v.id)
            if vid in seen_values:
                continue
            seen_values.add(vid)
            vname = _clean(v.name)
            n_values += 1
            cur = have.get(vid)
            if cur is None:
                new_values.append(dict(category_attribute_id=row.id, value_id=vid, name=vname, removed=False))
                if not first:
                    changes.append(ValueChange(node.id, cname, aid, aname, "added", vid, "", vname))
            else:
                if cur.removed:
                    cur.removed = False
                    changes.append(ValueChange(node.id, cname, aid, aname, "added", vid, "", vname))
                elif cur.name != vname:
                    changes.append(ValueChange(node.id, cname, aid, aname, "renamed", vid, cur.name, vname))
                cur.name = vname
        for vid, cur in have.items():
            if vid not in seen_values and not cur.removed:
                cur.removed = True
                changes.append(ValueChange(node.id, cname, aid, aname, "removed", vid, cur.name, ""))
        if new_values:
            session.execute(AttributeValue.__table__.insert(), new_values)
    for aid, row in existing.items():
        if aid not in seen_attrs and not row.removed:
            row.removed = True
            changes.append(ValueChange(node.id, cname, aid, row.name, "attribute_removed"))
    node.attributes_fetched_at = utcnow()
    session.flush()
    return AttributeSync(node.id, len(attrs), n_values, tuple(changes), first)


def fetch_leaf_attributes(db: Database, client: N11Client, category_id: int) -> AttributeSync:
    """Download and store one leaf's attributes (the Mapper calls this when a leaf is opened)."""
    with db.session_factory.begin() as s:
        node = s.get(CategoryNode, int(category_id))
        if node is None:
            raise ValueError(f"N11 category {category_id} is not in the local tree; run Category Node first")
        if not node.is_leaf:
            raise ValueError(f"“{node.name}” ({node.id}) is not a leaf category; N11 lists attributes of leaves only")
    attrs = client.get_category_attributes(int(category_id))  # HTTP outside the transaction
    with db.session_factory.begin() as s:
        return store_leaf_attributes(s, int(category_id), attrs)


def _leaves_in_use(s: Session) -> list[int]:
    ids = set(s.scalars(select(CategoryMapping.category_id)).all())
    ids |= set(s.scalars(select(ProductCategory.category_id).distinct()).all())
    ids |= {r for r in s.scalars(select(AttributeRule.category_id).where(AttributeRule.category_id != 0)).all()}
    if not ids:
        return []
    return sorted(int(i) for i in s.scalars(select(CategoryNode.id).where(
        CategoryNode.id.in_(ids), CategoryNode.is_leaf.is_(True), CategoryNode.removed.is_(False))).all())


@register("category_attributes")
def category_attributes(ctx: FlowContext) -> FlowOutcome:
    extra = [int(x) for x in (ctx.options.get("category_ids") or [])]
    with ctx.session_factory.begin() as s:
        leaves = sorted(set(_leaves_in_use(s)) | set(extra))
    if not leaves:
        return FlowOutcome(message="no local category is mapped to an N11 leaf yet — map categories in "
                                   "Categories & Mapping, then run this again")
    client = ctx.client()
    ok = failed = 0
    n_attrs = n_values = 0
    for i, cid in enumerate(leaves):
        ctx.check_stop()
        ctx.progress(i, len(leaves), f"attributes of {cid}")
        try:
            res = fetch_leaf_attributes(ctx.db, client, cid)
        except Exception as exc:  # noqa: BLE001 - one leaf failing does not stop the others
            from ..n11.errors import AuthenticationError, N11ConnectionError

            if isinstance(exc, (AuthenticationError, N11ConnectionError)) and not ok:
                raise  # the whole run fails: wrong credentials or N11 unreachable
            failed += 1
            ctx.log(f"attributes of N11 category {cid} could not be loaded: {exc}", level="ERROR",
                    object_type="category", object_key=str(cid))
            continue
        ok += 1
        n_attrs += res.attributes
        n_values += res.values
        for ch in res.changes:
            ctx.log(ch.describe(), object_type="category_attribute", object_key=str(cid))
    ctx.progress(len(leaves), len(leaves))
    return FlowOutcome(total=len(leaves), succeeded=ok, failed=failed,
                       message=f"{ok} leaf categories, {n_attrs} attributes, {n_values} values",
                       failed_as_whole=bool(failed and not ok))


# =========================================================================== default attributes
# code, label, source (product field or expression), data type, required for product-create
DEFAULT_ATTRIBUTES: tuple[tuple[str, str, str, str, bool], ...] = (
    ("remote_id", "N11 product id", "integration_action.remote_id", "text", False),
    ("stock_code", "Stock code (stockCode)", "product.sku", "text", True),
    ("product_main_id", "Product main id (productMainId)", "product.product_code", "text", True),
    ("title", "Title", "product.title", "text", True),
    ("description", "Description (HTML)", "product.description", "text", True),
    ("brand", "Brand (N11 attribute Marka, id 1)", "product.brand", "text", True),
    ("barcode", "Barcode", "product.barcode", "text", False),
    ("category_id", "N11 leaf category", "category_mapping / product_category", "integer", True),
    ("sale_price", "Sale price (salePrice)", "price.price", "decimal", True),
    ("list_price", "List price (listPrice)", "price.list_price", "decimal", True),
    ("currency_type", "Currency (currencyType)", "price.currency", "text", True),
    ("vat_rate", "VAT rate (0/1/10/20)", "product.vat_rate", "integer", True),
    ("quantity", "Quantity (stock − Buffer Stock)", "stock.quantity - buffer_stock", "integer", True),
    ("images", "Images (https URLs)", "product.images", "list", True),
    ("preparing_day", "Preparing days", "product.preparing_day", "integer", False),
    ("shipment_template", "Shipment template", "product.shipment_template", "text", True),
)


def create_default_attributes_in(s: Session) -> tuple[int, int, bool]:
    """Upsert the predefined fields; ensure the global rule brand → Marka (1).

    Returns (fields added, fields updated, whether the brand rule was added)."""
    have = {d.code: d for d in s.scalars(select(DefaultAttribute))}
    added = updated = 0
    for code, label, source, dtype, required in DEFAULT_ATTRIBUTES:
        row = have.get(code)
        if row is None:
            s.add(DefaultAttribute(code=code, label=label, source=source, data_type=dtype, required=required))
            added += 1
        elif (row.label, row.source, row.data_type, row.required) != (label, source, dtype, required):
            row.label, row.source, row.data_type, row.required = label, source, dtype, required
            updated += 1
    rules = s.scalars(select(AttributeRule).where(AttributeRule.category_id == 0)).all()
    brand_rule = not any(r.local_attribute.strip().lower() == "brand" for r in rules)
    if brand_rule:
        s.add(AttributeRule(local_attribute="brand", attribute_id=1, category_id=0, source="default"))
    s.flush()
    return added, updated, brand_rule


@register("create_default_attributes")
def create_default_attributes(ctx: FlowContext) -> FlowOutcome:
    with ctx.session_factory.begin() as s:
        added, updated, brand_rule = create_default_attributes_in(s)
    total = len(DEFAULT_ATTRIBUTES)
    msg = f"{total} predefined fields ready ({added} added, {updated} updated)"
    if brand_rule:
        msg += "; global rule brand → Marka (1) added"
    return FlowOutcome(total=total, succeeded=total, message=msg)


# =========================================================================== compare_attributes
@dataclass(frozen=True)
class BrokenMapping:
    kind: str  # category | attribute | value
    local: str
    category_id: int
    reason: str


@dataclass(frozen=True)
class CompareReport:
    at: str
    categories: int
    changes: tuple[ValueChange, ...] = ()
    broken: tuple[BrokenMapping, ...] = ()
    failed: tuple[str, ...] = ()

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for c in self.changes:
            counts[c.change] = counts.get(c.change, 0) + 1
        parts = [f"{self.categories} categories compared"]
        parts += [f"{n} {k.replace('_', ' ')}" for k, n in sorted(counts.items())]
        if not self.changes:
            parts.append("no changes")
        if self.broken:
            parts.append(f"{len(self.broken)} mapping(s) broken")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        return ", ".join(parts)

    def to_json(self) -> dict:
        return {"at": self.at, "categories": self.categories, "changes": [asdict(c) for c in self.changes],
                "broken": [asdict(b) for b in self.broken], "failed": list(self.failed)}

    @classmethod
    def from_json(cls, d: dict) -> "CompareReport":
        return cls(at=d.get("at", ""), categories=int(d.get("categories", 0)),
                   changes=tuple(ValueChange(**c) for c in d.get("changes", [])),
                   broken=tuple(BrokenMapping(**b) for b in d.get("broken", [])),
                   failed=tuple(d.get("failed", [])))


def broken_mappings(s: Session) -> tuple[BrokenMapping, ...]:
    """Mappings that point at something N11 no longer offers."""
    out: list[BrokenMapping] = []
    nodes = {n.id: n for n in s.scalars(select(CategoryNode))}
    for m in s.scalars(select(CategoryMapping)):
        n = nodes.get(m.category_id)
        if n is None or n.removed or not n.is_leaf:
            why = "is not in the tree" if n is None else ("was removed by N11" if n.removed else "is no longer a leaf")
            out.append(BrokenMapping("category", m.local_category, m.category_id,
                                     f"N11 category {m.category_id} {why}"))
    live_attrs: dict[int, set[int]] = {}
    any_attr: set[int] = set()
    for ca in s.scalars(select(CategoryAttribute).where(CategoryAttribute.removed.is_(False))):
        live_attrs.setdefault(ca.category_id, set()).add(int(ca.attribute_id))
        any_attr.add(int(ca.attribute_id))
    fetched = {n.id for n in nodes.values() if n.attributes_fetched_at is not None}
    for r in s.scalars(select(AttributeRule)):
        if r.category_id and r.category_id in fetched and int(r.attribute_id) not in live_attrs.get(r.category_id, set()):
            out.append(BrokenMapping("attribute", r.local_attribute, r.category_id,
                                     f"N11 attribute {r.attribute_id} is no longer offered in category {r.category_id}"))
    live_values: dict[tuple[int, int], set[int]] = {}
    any_values: dict[int, set[int]] = {}
    for cat_id, aid, vid in s.execute(
            select(CategoryAttribute.category_id, CategoryAttribute.attribute_id, AttributeValue.value_id)
            .join(AttributeValue, AttributeValue.category_attribute_id == CategoryAttribute.id)
            .where(AttributeValue.removed.is_(False), CategoryAttribute.removed.is_(False))):
        live_values.setdefault((int(cat_id), int(aid)), set()).add(int(vid))
        any_values.setdefault(int(aid), set()).add(int(vid))
    for v in s.scalars(select(ValueMapping).where(ValueMapping.value_id.is_not(None))):
        aid = int(v.attribute_id or 0)
        if v.category_id:
            if v.category_id not in fetched:
                continue
            ok = int(v.value_id) in live_values.get((int(v.category_id), aid), set())
        else:
            if aid not in any_attr:
                continue
            ok = int(v.value_id) in any_values.get(aid, set())
        if not ok:
            out.append(BrokenMapping("value", f"{v.local_attribute}={v.local_value}", int(v.category_id),
                                     f"N11 value {v.value_id} is no longer in the list of attribute {aid}"))
    return tuple(out)


def catalog_values_hit(s: Session, changes: Iterable[ValueChange]) -> tuple[BrokenMapping, ...]:
    """Catalog values that were sent by name (no value map) and whose N11 value was removed."""
    from sqlalchemy import text

    from ..mapping.control import MappingSnapshot, product_attributes_from
    from ..mapping.text import fold

    removed = {(c.category_id, c.attribute_id, fold(c.old)): c for c in changes if c.change == "removed"}
    if not removed:
        return ()
    snap = MappingSnapshot(s)
    counts: dict[tuple[int, int, str, str], int] = {}
    pg = s.get_bind().dialect.name == "postgresql"
    rows = s.execute(text(
        "SELECT p.category, pc.category_id, j.key, j.value, count(*) " + product_attributes_from(pg)
        + "GROUP BY p.category, pc.category_id, j.key, j.value "
        "UNION ALL SELECT p.category, pc.category_id, 'brand', p.brand, count(*) FROM product p "
        "LEFT JOIN product_category pc ON pc.product_id = p.id WHERE p.brand IS NOT NULL "
        + ("AND (p.attributes ->> 'brand') IS NULL " if pg else "AND json_extract(p.attributes, '$.brand') IS NULL ")
        + "GROUP BY p.category, pc.category_id, p.brand"))
    for cat, override, key, value, n in rows:
        if key is None or value is None:
            continue
        leaf = snap.leaf_of(cat, override)
        if leaf is None:
            continue
        aid = snap.rule(str(key), int(leaf))
        if aid is None or (int(leaf), aid, fold(value)) not in removed:
            continue
        if snap.value_map(str(key), str(value), int(leaf)) is not None:
            continue  # an explicit value map is reported by broken_mappings
        k = (int(leaf), aid, str(key), str(value))
        counts[k] = counts.get(k, 0) + int(n)
    out = []
    for (leaf, aid, key, value), n in sorted(counts.items()):
        ch = removed[(leaf, aid, fold(value))]
        out.append(BrokenMapping("catalog_value", f"{key}={value}", leaf,
                                 f"N11 removed “{ch.old}” from {ch.attribute_name} in {ch.category_name}; "
                                 f"{n} product{'s' if n != 1 else ''} send it by name — map it to another value"))
    return tuple(out)


def save_compare_report(s: Session, report: CompareReport) -> None:
    row = s.get(AppState, COMPARE_REPORT_KEY)
    if row is None:
        s.add(AppState(key=COMPARE_REPORT_KEY, value=report.to_json()))
    else:
        row.value = report.to_json()


def load_compare_report(s: Session) -> CompareReport | None:
    row = s.get(AppState, COMPARE_REPORT_KEY)
    if row is None or not isinstance(row.value, dict):
        return None
    try:
        return CompareReport.from_json(row.value)
    except (TypeError, ValueError, KeyError):
        return None


@register("compare_attributes")
def compare_attributes(ctx: FlowContext) -> FlowOutcome:
    with ctx.session_factory.begin() as s:
        leaves = sorted(int(i) for i in s.scalars(select(CategoryNode.id).where(
            CategoryNode.attributes_fetched_at.is_not(None), CategoryNode.removed.is_(False),
            CategoryNode.is_leaf.is_(True))).all())
        leaves = sorted(set(leaves) | set(_leaves_in_use(s)))
    client = ctx.client() if leaves else None
    changes: list[ValueChange] = []
    failed: list[str] = []
    for i, cid in enumerate(leaves):
        ctx.check_stop()
        ctx.progress(i, len(leaves), f"comparing {cid}")
        try:
            res = fetch_leaf_attributes(ctx.db, client, cid)
        except Exception as exc:  # noqa: BLE001
            failed.append(f"{cid}: {exc}")
            ctx.log(f"attributes of N11 category {cid} could not be compared: {exc}", level="ERROR",
                    object_type="category", object_key=str(cid))
            continue
        changes.extend(res.changes)
    with ctx.session_factory.begin() as s:
        broken = broken_mappings(s) + catalog_values_hit(s, changes)
        report = CompareReport(at=utcnow().isoformat(timespec="seconds"), categories=len(leaves) - len(failed),
                               changes=tuple(changes), broken=broken, failed=tuple(failed))
        save_compare_report(s, report)
    for ch in changes:
        ctx.log(ch.describe(), level="WARNING" if ch.change in ("removed", "attribute_removed") else "INFO",
                object_type="category_attribute", object_key=str(ch.category_id))
    for b in broken:
        ctx.log(f"mapping broken: {b.kind} {b.local} — {b.reason}", level="WARNING", object_type="mapping",
                object_key=b.local)
    ctx.progress(len(leaves), len(leaves))
    return FlowOutcome(total=len(leaves), succeeded=len(leaves) - len(failed), failed=len(failed),
                       message=report.summary(), failed_as_whole=bool(failed) and len(failed) == len(leaves))
