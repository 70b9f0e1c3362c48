"""Mapping Control: exactly what would be sent to N11 for a product, and what is missing.

:func:`build_payloads` is what the product flows call (up to 100k products): it reads each
table once per chunk of ids (never one query per product) and resolves categories,
attribute rules and value maps in memory.

Resolution rules:
- N11 category = the product's ``product_category`` override, else the mapping of its local
  category. It must be a live leaf.
- A local attribute maps through the rule scoped to that leaf, else the global rule
  (category 0); ``brand`` (the product column) maps to Marka (id 1) unless a rule says otherwise.
- A value maps through the scoped value map, else the global one, else an N11 value with the
  same name (Turkish folding), else — for custom-value attributes — the text itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from decimal import Decimal
from typing import Any, Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..storage.models import (
    AttributeRule,
    AttributeValue,
    CategoryAttribute,
    CategoryMapping,
    CategoryNode,
    ValueMapping,
)
from .text import fold

CHUNK = 5000
VAT_RATES = (0, 1, 10, 20)
DEFAULT_PREPARING_DAY = 3
MIN_TITLE = 15
BRAND_ATTRIBUTE_ID = 1


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    field: str
    message: str
    blocking: bool = True


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs 4× (100k built per push)
class PayloadResult:
    sku: str
    payload: dict | None  # the N11 sku dict when nothing blocks, else None
    problems: tuple[Problem, ...]
    product_id: int = 0
    draft: dict = field(default_factory=dict)  # what could be built, shown by Mapping Control
    category_id: int | None = None

    @property
    def ok(self) -> bool:
        return self.payload is not None

    @property
    def blocking(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.blocking)

    def message(self) -> str:
        """One line for the penalty box / logs (the seed §8 texts)."""
        return "; ".join(p.message for p in self.blocking) or "ok"


# --------------------------------------------------------------------------- mapping snapshot
@dataclass
class _Attr:
    attribute_id: int
    name: str
    mandatory: bool
    custom: bool
    multiple: bool
    order: int
    by_id: dict[int, str]
    by_fold: dict[str, int]


@dataclass
class _Leaf:
    id: int
    name: str
    path: str
    usable: str  # "" when products can go there, else why not
    fetched: bool
    attrs: dict[int, _Attr]


class MappingSnapshot:
    """Everything mapping-related, read once; resolves any number of products in memory."""

    def __init__(self, session: Session, leaf_ids: Iterable[int] | None = None) -> None:
        self.cat_map: dict[str, int] = {}
        for local, cid in session.execute(select(CategoryMapping.local_category, CategoryMapping.category_id)):
            self.cat_map[norm_category(local)] = int(cid)
        self.rules: dict[tuple[str, int], tuple[int, str]] = {}
        for local, aid, cid in session.execute(select(AttributeRule.local_attribute, AttributeRule.attribute_id,
                                                      AttributeRule.category_id)):
            self.rules[(fold(local), int(cid or 0))] = (int(aid), local)
        self.values: dict[tuple[str, str, int], tuple[int | None, int | None, str | None]] = {}
        for la, lv, aid, vid, custom, cid in session.execute(
                select(ValueMapping.local_attribute, ValueMapping.local_value, ValueMapping.attribute_id,
                       ValueMapping.value_id, ValueMapping.custom_value, ValueMapping.category_id)):
            self.values[(fold(la), fold(lv), int(cid or 0))] = (aid, vid, custom)
        # names of the N11 values global maps point at: a global map applies wherever its local
        # attribute is mapped, also to N11 attributes (per category) that list the same value name
        gvids = {int(v[1]) for k, v in self.values.items() if k[2] == 0 and v[1] is not None}
        self.value_names: dict[int, str] = {}
        for chunk in _chunks(sorted(gvids), CHUNK):
            for vid, vname in session.execute(select(AttributeValue.value_id, AttributeValue.name).where(
                    AttributeValue.value_id.in_(chunk))):
                self.value_names.setdefault(int(vid), str(vname))
        from .defaults import attribute_defaults

        self.defaults = attribute_defaults(session)
        self.leaves: dict[int, _Leaf] = {}
        self.resolved: dict[tuple[int, str, str], Any] = {}  # (leaf, local name, value) → attribute entry | Problem
        # (leaf, stored attributes JSON text, brand) → (attribute entries, problems): products of one
        # leaf with the same attributes (variants, repeated sizes and colours) resolve once
        self.attr_sets: dict[tuple[int, str, Any], tuple[tuple[dict, ...], tuple[Problem, ...]]] = {}
        # (stored local category, override) → (leaf, category problems, category id): see _category
        self.categories: dict[tuple[Any, Any], tuple] = {}
        self._session = session
        self.load_leaves(set(self.cat_map.values()) | set(leaf_ids or ()))

    def leaf_of(self, category: Any, override: int | None = None) -> int | None:
        """The N11 leaf a product goes to: its own override, else its local category's mapping."""
        return override if override is not None else self.cat_map.get(norm_category(category))

    def load_leaves(self, ids: Iterable[int]) -> None:
        want = sorted({int(i) for i in ids} - set(self.leaves))
        if not want:
            return
        s = self._session
        for chunk in _chunks(want, CHUNK):
            found = set()
            for n in s.scalars(select(CategoryNode).where(CategoryNode.id.in_(chunk))):
                found.add(n.id)
                usable = ""
                if n.removed:
                    usable = f"N11 category “{n.name}” ({n.id}) was removed by N11"
                elif not n.is_leaf:
                    usable = f"N11 category “{n.name}” ({n.id}) is not a leaf category"
                self.leaves[n.id] = _Leaf(n.id, n.name, n.path, usable, n.attributes_fetched_at is not None, {})
            for cid in chunk:
                if cid not in found:
                    self.leaves[cid] = _Leaf(cid, str(cid), "", f"N11 category {cid} is not in the category tree",
                                             False, {})
            ca_rows = s.execute(select(CategoryAttribute.id, CategoryAttribute.category_id,
                                       CategoryAttribute.attribute_id, CategoryAttribute.name,
                                       CategoryAttribute.mandatory, CategoryAttribute.custom_value,
                                       CategoryAttribute.multiple, CategoryAttribute.order)
                                .where(CategoryAttribute.category_id.in_(chunk),
                                       CategoryAttribute.removed.is_(False))).all()
            by_ca: dict[int, _Attr] = {}
            for ca_id, cid, aid, name, mand, custom, multi, order in ca_rows:
                a = _Attr(int(aid), name, bool(mand), bool(custom), bool(multi), int(order or 0), {}, {})
                self.leaves[int(cid)].attrs[int(aid)] = a
                by_ca[ca_id] = a
            ca_ids = list(by_ca)
            for sub in _chunks(ca_ids, CHUNK):
                for ca_id, vid, vname in s.execute(
                        select(AttributeValue.category_attribute_id, AttributeValue.value_id, AttributeValue.name)
                        .where(AttributeValue.category_attribute_id.in_(sub), AttributeValue.removed.is_(False))):
                    a = by_ca[ca_id]
                    a.by_id[int(vid)] = vname
                    a.by_fold.setdefault(fold(vname), int(vid))

    def rule(self, local_attribute: str, leaf_id: int) -> int | None:
        key = fold(local_attribute)
        hit = self.rules.get((key, leaf_id)) or self.rules.get((key, 0))
        if hit is not None:
            return hit[0]
        if key == "brand":
            return BRAND_ATTRIBUTE_ID
        return None

    def value_map(self, local_attribute: str, local_value: str, leaf_id: int):
        key = (fold(local_attribute), fold(local_value))
        return self.values.get(key + (leaf_id,)) or self.values.get(key + (0,))


@lru_cache(maxsize=100_000)
def product_attributes_from(pg: bool) -> str:
    """SQL ``FROM`` clause: each product ``p`` with its category override ``pc`` and ``j``, one row per
    key/value of its attributes JSON (``json_each`` on SQLite, ``json_each_text`` on PostgreSQL)."""
    return ("FROM product p LEFT JOIN product_category pc ON pc.product_id = p.id, "
            + ("json_each_text(CASE WHEN json_typeof(p.attributes) = 'object' THEN p.attributes ELSE '{}' END) j "
               if pg else "json_each(p.attributes) j "))


def norm_category(path: Any) -> str:
    """A local category path as the mapping keys it: ``A > B > C`` with the parts trimmed."""
    return " > ".join(p.strip() for p in str(path or "").split(">") if p.strip())


def _chunks(seq: Sequence, size: int):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


# --------------------------------------------------------------------------- building

def build_product_payload(session: Session, product_id: int, *, buffer_stock: int = 0,
                          for_update: bool = False) -> PayloadResult:
    res = build_payloads(session, [product_id], buffer_stock=buffer_stock, for_update=for_update)
    if not res:
        return PayloadResult("", None, (Problem("not_found", "product", f"Product {product_id} not found"),),
                             int(product_id))
    return res[0]


def build_payloads(session: Session, product_ids: Iterable[int], *, buffer_stock: int = 0,
                   for_update: bool = False, snapshot: MappingSnapshot | None = None) -> list[PayloadResult]:
    """Payloads for many products, in the order of ``product_ids`` (unknown ids are skipped)."""
    from ..batches import gc_paused

    with gc_paused():  # 100k payload dicts survive young collections: see batches.gc_paused
        return _build_payloads(session, product_ids, buffer_stock=buffer_stock, for_update=for_update,
                               snapshot=snapshot)


def _build_payloads(session: Session, product_ids: Iterable[int], *, buffer_stock: int,
                    for_update: bool, snapshot: MappingSnapshot | None) -> list[PayloadResult]:
    ids = [int(i) for i in product_ids]
    if not ids:
        return []
    snap = snapshot or MappingSnapshot(session)
    rows: dict[int, tuple] = {}
    conn = session.connection()
    from ..storage.db import marks as _marks

    for chunk in _chunks(sorted(set(ids)), CHUNK):
        # one joined read per chunk at the driver level: ORM row processing would cost more than the
        # build; each driver row goes to _build_one as it is (no per-row repacking). A chunk of
        # consecutive ids (a whole catalog's push) is read as a key range, without the IN list's
        # lookup table and one key search per id
        if chunk[-1] - chunk[0] + 1 == len(chunk):
            where, params = f"p.id BETWEEN {_marks(conn, 1)} AND {_marks(conn, 1)}", (chunk[0], chunk[-1])
        else:
            where, params = f"p.id IN ({_marks(conn, len(chunk))})", tuple(chunk)
        rows.update((r[0], r) for r in conn.exec_driver_sql(
            "SELECT p.id, p.sku, p.product_code, p.title, p.description, p.brand, p.barcode, p.vat_rate, p.images, "
            "p.category, p.attributes, p.preparing_day, p.shipment_template, pr.price, pr.list_price, pr.currency, "
            "st.quantity, pc.category_id "
            "FROM product p LEFT JOIN price pr ON pr.product_id = p.id LEFT JOIN stock st ON st.product_id = p.id "
            f"LEFT JOIN product_category pc ON pc.product_id = p.id WHERE {where}", params).fetchall())
    overrides = {int(r[17]) for r in rows.values() if r[17] is not None}
    if overrides:
        snap.load_leaves(overrides)
    buffer_stock = max(0, int(buffer_stock or 0))
    build = _build_one
    return [build(r, snap, buffer_stock, for_update) for r in map(rows.get, ids) if r is not None]


_CENT = Decimal("0.01")
_MONEY: dict[Any, Decimal] = {}  # kuruş → Decimal (immutable, so shared): prices repeat across a catalog
_MONEY_MAX = 50_000


def _cents(v: Any) -> Decimal | None:
    """Money columns hold integer kuruş (see storage.models.Money): ``19990`` → ``Decimal("199.90")``,
    always two places (the same value and exponent as dividing by 100 and quantizing to 0.01)."""
    if v is None:
        return None
    d = _MONEY.get(v)
    if d is None:
        d = Decimal(int(v)).scaleb(-2)
        if len(_MONEY) >= _MONEY_MAX:
            _MONEY.clear()
        _MONEY[v] = d
    return d


_scan = json.decoder.JSONDecoder().scan_once  # the C scanner json.loads ends in, without its Python layers


def _json(v: Any, kind: type) -> Any:
    if v is None or v == "":
        return kind()
    if isinstance(v, (list, dict)):
        return v
    try:
        out, end = _scan(v, 0)
        if end != len(v):
            out = json.loads(v)  # surrounding whitespace, or trailing data (raises)
    except (TypeError, ValueError, StopIteration):
        try:
            out = json.loads(v)
        except (TypeError, ValueError):
            return kind()
    return out if isinstance(out, kind) else kind()


def _category(snap: MappingSnapshot, local_cat: Any, override: Any) -> tuple:
    """(leaf or None, its problems, the category id to report) for a product's stored local category
    and override: the same for every product of that category, so resolved once per snapshot."""
    key = (local_cat, override)
    hit = snap.categories.get(key)
    if hit is not None:
        return hit
    problems: list[Problem] = []
    add = problems.append
    local = norm_category(local_cat)
    leaf_id = int(override) if override is not None else snap.cat_map.get(local)
    leaf = snap.leaves.get(leaf_id) if leaf_id is not None else None
    if leaf_id is None:
        if local:
            add(Problem("no_category_mapping", "categoryId", f"Category mapping not found for {local}"))
        else:
            add(Problem("no_category", "categoryId", "Product has no local category"))
    elif leaf is None or leaf.usable:
        why = leaf.usable if leaf else f"N11 category {leaf_id} is not in the category tree"
        add(Problem("invalid_category", "categoryId", f"{why} — map {local or 'the product'} again"))
        leaf = None
    if leaf is not None and not leaf.fetched:
        add(Problem("attributes_not_loaded", "attributes",
                    f"Attributes of N11 category “{leaf.name}” ({leaf.id}) are not loaded — "
                    "run Category Attribute and Values"))
    hit = (leaf, tuple(problems), leaf.id if leaf is not None else leaf_id)
    if type(local_cat) is str or local_cat is None:
        snap.categories[key] = hit
    return hit


def _build_one(row, snap: MappingSnapshot, buffer_stock: int, for_update: bool) -> PayloadResult:
    # the hot path of every push (100k products): one driver row in, plain local operations, the
    # per-category and per-attribute-set work looked up in the snapshot's caches
    (pid, sku, product_code, title, description, brand, barcode, vat_rate, images, local_cat, attributes,
     preparing_day, shipment_template, price, list_price, currency, qty, override) = row
    cat = snap.categories.get((local_cat, override))
    if cat is None:
        cat = _category(snap, local_cat, override)
    leaf, problems, category_id = cat
    problems = [*problems] if problems else []
    add = problems.append
    # ---------------------------------------------------------------- attributes
    if leaf is not None and leaf.fetched:
        key = (leaf.id, attributes, brand) if type(attributes) is str else None
        hit = snap.attr_sets.get(key) if key is not None else None
        if hit is None:
            hit = _resolve_attributes(snap, leaf, _json(attributes, dict), brand)
            if key is not None:
                if len(snap.attr_sets) >= _ATTR_SETS_MAX:
                    snap.attr_sets.clear()
                snap.attr_sets[key] = hit
        out_attrs = list(map(dict, hit[0]))  # each payload its own entries (callers may change them)
        if hit[1]:
            problems += hit[1]
    else:
        out_attrs = []
    # ---------------------------------------------------------------- common fields
    payload: dict[str, Any]
    preparing = int(preparing_day) if preparing_day is not None else DEFAULT_PREPARING_DAY
    vat = int(vat_rate) if vat_rate is not None else None
    if vat not in VAT_RATES:
        add(Problem("invalid_vat", "vatRate", f"VAT rate {vat_rate} is not accepted by N11 (0, 1, 10 or 20)"))
    if not shipment_template or (shipment_template.isspace() if type(shipment_template) is str
                                 else not str(shipment_template).strip()):
        add(Problem("no_shipment_template", "shipmentTemplate",
                    "No shipment template — set the N11 shipment template name in the catalog"))
    main_id = str(product_code or sku)
    if for_update:
        payload = {"stockCode": sku, "productMainId": main_id, "preparingDay": preparing,
                   "shipmentTemplate": shipment_template, "description": description or "", "vatRate": vat,
                   "attributes": out_attrs}
    else:
        title = title.strip() if type(title) is str else str(title or "").strip()
        if len(title) < MIN_TITLE:
            add(Problem("short_title", "title", f"Title must be at least {MIN_TITLE} characters on N11 "
                                                f"(has {len(title)})"))
        if not description or (description.isspace() if type(description) is str
                               else not str(description).strip()):
            # N11 fails a product-create SKU without a description (API.md §6; sandbox enforces it)
            add(Problem("no_description", "description",
                        "Description is empty — N11 requires a product description; fill it in the catalog"))
        # images: the stored list's non-empty addresses, trimmed, each an https address
        images_out = []
        for u in (images if type(images) is list else _json(images, list)):
            u = u.strip() if type(u) is str else str(u).strip()
            if u:
                if not u.startswith("https://") and not u.lower().startswith("https://"):
                    add(Problem("image_not_https", "images", f"Image {u} is not an https address"))
                images_out.append({"url": u, "order": len(images_out) + 1})
        if not images_out:
            add(Problem("no_image", "images", "No image"))
        sale = list_ = None
        if price is None:  # no price row, or no price in it
            add(Problem("no_price", "salePrice", "Price data not found"))
        else:
            sale = _MONEY.get(price)  # Decimal, to the kuruş
            if sale is None:
                sale = _cents(price)
            if list_price is None:
                list_ = sale
            else:
                list_ = _MONEY.get(list_price)
                if list_ is None:
                    list_ = _cents(list_price)
            if sale <= 0:
                add(Problem("invalid_price", "salePrice", f"Sale price {sale} must be greater than 0"))
            if list_ < sale:
                add(Problem("list_below_sale", "listPrice",
                            f"List price {list_} is lower than sale price {sale} (N11 needs listPrice ≥ salePrice)"))
            if currency and currency != "TL":
                add(Problem("currency", "currencyType", f"Currency {currency} is not TL"))
        quantity = None
        if qty is None:  # no stock row, or no quantity in it
            add(Problem("no_stock", "quantity", "Stock data not found"))
        else:
            quantity = int(qty) - buffer_stock
            if quantity < 0:
                quantity = 0
            elif quantity > 999_999:
                quantity = 999_999
        if barcode and (barcode := str(barcode).strip()):
            payload = {"title": title, "description": description or "",
                       "categoryId": leaf.id if leaf is not None else None, "currencyType": "TL",
                       "productMainId": main_id, "preparingDay": preparing, "shipmentTemplate": shipment_template,
                       "stockCode": sku, "barcode": barcode, "quantity": quantity, "images": images_out,
                       "attributes": out_attrs, "salePrice": sale, "listPrice": list_, "vatRate": vat}
        else:
            payload = {"title": title, "description": description or "",
                       "categoryId": leaf.id if leaf is not None else None, "currencyType": "TL",
                       "productMainId": main_id, "preparingDay": preparing, "shipmentTemplate": shipment_template,
                       "stockCode": sku, "quantity": quantity, "images": images_out,
                       "attributes": out_attrs, "salePrice": sale, "listPrice": list_, "vatRate": vat}
    if not problems:
        return PayloadResult(sku, payload, (), pid, payload, category_id)
    for p in problems:
        if p.blocking:
            return PayloadResult(sku, None, tuple(problems), pid, payload, category_id)
    return PayloadResult(sku, payload, tuple(problems), pid, payload, category_id)


def _resolve_attributes(snap: MappingSnapshot, leaf: _Leaf, attributes: dict, brand: Any
                        ) -> tuple[tuple[dict, ...], tuple[Problem, ...]]:
    """A product's N11 attribute entries and attribute problems in ``leaf``: a pure function of the
    leaf, the product's local attributes and brand, and the mapping snapshot."""
    problems: list[Problem] = []
    add = problems.append
    out_attrs: list[dict] = []
    local_attrs: dict[str, Any] = {}
    for k, v in (attributes or {}).items():
        if v is None or str(v).strip() == "":
            continue
        local_attrs[str(k)] = v
    if brand and str(brand).strip() and not any(fold(k) == "brand" for k in local_attrs):
        local_attrs["brand"] = str(brand).strip()
    present: set[int] = set()
    for name, raw in local_attrs.items():
        aid = snap.rule(name, leaf.id)
        if aid is None:
            continue
        a = leaf.attrs.get(aid)
        if a is None or aid in present:
            continue
        raw_values = [raw] if not isinstance(raw, (list, tuple)) else list(raw)
        if a.multiple:
            raw_values = [p.strip() for v in raw_values for p in str(v).split("|") if p.strip()]
        sent_any = False
        for value in raw_values:
            value = str(value).strip()
            key = (leaf.id, name, value)
            entry = snap.resolved.get(key)
            if entry is None:  # the same value resolves the same way for every product of a leaf
                entry = snap.resolved[key] = _resolve_value(snap, leaf, a, name, value)
            if isinstance(entry, Problem):
                add(entry)
                continue
            out_attrs.append(dict(entry))
            sent_any = True
            if not a.multiple:
                break
        if sent_any:
            present.add(aid)
    if snap.defaults:  # what the catalog does not carry, from the operator's defaults
        for a in leaf.attrs.values():
            if a.attribute_id in present:
                continue
            entry = _default_entry(snap, leaf, a)
            if entry is not None:
                out_attrs.append(entry)
                present.add(a.attribute_id)
    for a in sorted(leaf.attrs.values(), key=lambda a: -a.order):
        if a.mandatory and a.attribute_id not in present and not any(
                p.code == "value_not_in_list" and p.field == f"attributes.{a.name}" for p in problems):
            add(Problem("mandatory_attribute_missing", f"attributes.{a.name}",
                        f"Mandatory attribute {a.name} is missing"))
    return tuple(out_attrs), tuple(problems)


_ATTR_SETS_MAX = 20_000


def _default_entry(snap: MappingSnapshot, leaf: _Leaf, a: _Attr) -> dict | None:
    d = snap.defaults.get((leaf.id, a.attribute_id)) or snap.defaults.get((0, a.attribute_id))
    if d is None:
        return None
    if d.value_id is not None and d.value_id in a.by_id:
        return {"id": a.attribute_id, "valueId": d.value_id, "customValue": None}
    same = a.by_fold.get(fold(d.name))
    if same is not None:
        return {"id": a.attribute_id, "valueId": same, "customValue": None}
    if a.custom and (d.custom or d.name):
        return {"id": a.attribute_id, "valueId": None, "customValue": d.custom or d.name}
    return None  # this leaf's list has no such value: the attribute stays missing (and says so)


def _resolve_value(snap: MappingSnapshot, leaf: _Leaf, a: _Attr, local_name: str, value: str):
    field_name = f"attributes.{a.name}"
    mapped = snap.value_map(local_name, value, leaf.id)
    if mapped is not None:
        _aid, vid, custom = mapped
        if vid is not None:
            if int(vid) in a.by_id:
                return {"id": a.attribute_id, "valueId": int(vid), "customValue": None}
            same = a.by_fold.get(fold(snap.value_names.get(int(vid), "")))
            if same is not None:  # a global map, here for another N11 attribute listing the same value
                return {"id": a.attribute_id, "valueId": same, "customValue": None}
            return Problem("value_not_in_list", field_name,
                           f"Value {value} is not in N11's list for {a.name} (mapped to value {vid}, which "
                           f"“{leaf.name}” does not offer)")
        if custom:
            same = a.by_fold.get(fold(custom))
            if same is not None:
                return {"id": a.attribute_id, "valueId": same, "customValue": None}
            if a.custom:
                return {"id": a.attribute_id, "valueId": None, "customValue": custom}
            return Problem("custom_not_allowed", field_name,
                           f"{a.name} does not accept free text on N11; map {value} to one of its values")
    vid = a.by_fold.get(fold(value))
    if vid is not None:
        return {"id": a.attribute_id, "valueId": vid, "customValue": None}
    if a.custom:
        return {"id": a.attribute_id, "valueId": None, "customValue": value}
    return Problem("value_not_in_list", field_name, f"Value {value} is not in N11's list for {a.name}")


def summarize(results: Iterable[PayloadResult]) -> tuple[int, int, list[tuple[str, int]]]:
    """(ready, total, [(problem code, count), ...] most frequent first)."""
    ready = total = 0
    counts: dict[str, int] = {}
    for r in results:
        total += 1
        if r.ok:
            ready += 1
        for code in {p.code for p in r.blocking}:
            counts[code] = counts.get(code, 0) + 1
    return ready, total, sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
