"""Catalog import from CSV or XLSX (DESIGN §9): upsert by sku, bad rows reported and skipped.

Every row is validated on its own; a row with any error changes nothing, the good rows are
written in one transaction per chunk with bulk statements (SQLAlchemy Core executemany).
Each part that really changed gets its own version bump: product fields → ``product.version``,
prices → ``price.version``, stock → ``stock.version``, so the price and stock flows send deltas only.

Cell semantics for an existing product: a column that is absent, or a blank cell, leaves the
stored value as it is; ``attr:<Name>`` cells are merged into the product's attributes.
New products default to: product_code = sku, list_price = price, vat_rate 20, currency TL,
active 1, in_catalog 1.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Callable, Iterable

from sqlalchemy import JSON, Boolean, DateTime

from ..storage.db import Database, mark, marks
from ..storage.models import CatalogItem, Money, Price, Product, Stock, utcnow
from . import values as V
from .fileread import CatalogFileError, read_table

__all__ = ["CatalogFileError", "FieldChange", "ImportReport", "RowError", "import_catalog", "COLUMNS"]

CHUNK_ROWS = 5_000
_CENT = Decimal("0.01")
N11_MIN_TITLE = 15  # product-create refuses shorter titles
N11_MAX_QUANTITY = 999_999
WARNINGS_CAP = 2_000
CHANGES_CAP = 2_000
TITLE_MAX = 500

def _max(n: int, limit: int, what: str) -> int:
    if n > limit:
        raise ValueError(f"'{n}' is too large; {what} {limit}")
    return n


# column → parser; product fields are written to the product table
PRODUCT_COLUMNS: dict[str, Callable[[Any], Any]] = {
    "product_code": V.code,
    "title": V.text,
    "description": V.text,
    "category": V.category_path,
    "brand": V.text,
    "barcode": V.code,
    "vat_rate": V.vat_rate,
    "images": V.images,
    "preparing_day": lambda c: _max(V.integer(c, minimum=0), 365, "at most"),
    "shipment_template": V.text,
    "active": V.boolean,
}
OTHER_COLUMNS: dict[str, Callable[[Any], Any]] = {
    "sku": V.code,
    "price": V.money,
    "list_price": V.money,
    "currency": V.currency,
    "stock": lambda c: _max(V.integer(c, minimum=0), N11_MAX_QUANTITY, "N11 accepts at most"),
    "in_catalog": V.boolean,
}
COLUMNS: tuple[str, ...] = ("sku", *PRODUCT_COLUMNS, "price", "list_price", "currency", "stock", "in_catalog")
ATTR_PREFIX = "attr:"
_MAXLEN = {"sku": 255, "product_code": 255, "title": TITLE_MAX, "brand": 200, "barcode": 100,
           "category": 500, "shipment_template": 200}
_PRODUCT_FIELDS = ("product_code", "title", "description", "brand", "barcode", "vat_rate", "images", "category",
                   "attributes", "preparing_day", "shipment_template", "active")


# --------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as the merchant sees it in Excel: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, column {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class FieldChange:
    sku: str
    field: str  # "(new product)" for a created product
    old: str
    new: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    path: str
    dry_run: bool
    rows: int  # data rows read (blank rows not counted)
    created: int
    updated: int
    unchanged: int
    errors: tuple[RowError, ...]
    warnings: tuple[RowError, ...] = ()  # imported, but N11 will refuse it until fixed (e.g. a short title)
    changes: tuple[FieldChange, ...] = ()
    changes_truncated: bool = False
    price_changes: int = 0
    stock_changes: int = 0
    catalog_changes: int = 0

    @property
    def bad_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""

        def n(count: int, word: str) -> str:
            return f"{count} {word}{'' if count == 1 else 's'}"

        parts = [f"{n(self.rows, 'row')} read", f"{self.created} {verb}created", f"{self.updated} {verb}updated",
                 f"{self.unchanged} unchanged"]
        if self.errors:
            parts.append(f"{n(self.bad_rows, 'bad row')} skipped")
        if self.warnings:
            parts.append(n(len(self.warnings), "warning"))
        return ("Dry run: " if self.dry_run else "") + ", ".join(parts)


# --------------------------------------------------------------------------- parsing
@dataclass(slots=True)
class _Row:
    row: int
    sku: str
    product: dict[str, Any] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)
    price: Decimal | None = None
    list_price: Decimal | None = None
    currency: str | None = None
    stock: int | None = None
    in_catalog: bool | None = None


def _parse_header(header: tuple[str, ...]) -> tuple[list[tuple[int, str, str | None]], list[RowError]]:
    """Return [(index, column key, attribute name or None)] and header errors."""
    cols: list[tuple[int, str, str | None]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = (raw or "").replace("\ufeff", "").strip()
        if not name:
            continue
        attr = None
        if name.lower().startswith(ATTR_PREFIX):
            attr = name[len(ATTR_PREFIX):].strip()
            if not attr:
                errors.append(RowError(1, name, "attribute column without a name; write it as attr:<Name>"))
                continue
            key = ATTR_PREFIX + attr
        else:
            key = name.lower()
            if key not in PRODUCT_COLUMNS and key not in OTHER_COLUMNS:
                errors.append(RowError(1, name, "unknown column; expected " + ", ".join(COLUMNS)
                                       + " or attr:<Name>"))
                continue
        if key.lower() in seen:
            errors.append(RowError(1, name, f"the column appears twice (columns {seen[key.lower()] + 1} and {i + 1})"))
            continue
        seen[key.lower()] = i
        cols.append((i, key, attr))
    if "sku" not in seen:
        errors.append(RowError(1, "sku", "the required column 'sku' is missing from the header"))
    return cols, errors


_SKU, _PRODUCT, _OTHER, _ATTR = range(4)


def _column_specs(cols: list[tuple[int, str, str | None]]) -> list[tuple[int, str, int, Any, int | None, str]]:
    """Per column: (index, key, kind, parser, max length, label in messages)."""
    specs = []
    for i, key, attr in cols:
        if attr is not None:
            specs.append((i, attr, _ATTR, V.text, None, ATTR_PREFIX + attr))
        elif key == "sku":
            specs.append((i, key, _SKU, V.code, _MAXLEN["sku"], key))
        elif key in PRODUCT_COLUMNS:
            specs.append((i, key, _PRODUCT, PRODUCT_COLUMNS[key], _MAXLEN.get(key), key))
        else:
            specs.append((i, key, _OTHER, OTHER_COLUMNS[key], None, key))
    return specs


def _parse_row(n: int, cells: tuple[Any, ...], specs: list[tuple[int, str, int, Any, int | None, str]],
               errors: list[RowError], warnings: list[RowError] | None = None) -> _Row | None:
    row = _Row(n, "")
    bad = False
    ncells = len(cells)
    text = V.text
    str_ = str
    control = V.TEXT_CONTROL.search
    for i, key, kind, parser, limit, label in specs:
        cell = cells[i] if i < ncells else None
        if type(cell) is str_:  # CSV: every cell; the fast path for blanks and plain text
            stripped = cell.strip()
            if not stripped:
                cell = None
        elif cell is not None and V.is_blank(cell):
            cell = None
        if cell is None:
            if kind == _SKU:
                errors.append(RowError(n, "sku", "sku is required"))
                bad = True
            continue
        try:
            value = stripped if parser is text and type(cell) is str_ else parser(cell)
            if type(value) is str_ and control(value):
                raise ValueError("contains a control character (the file is damaged or not text)")
            if limit and len(value) > limit:
                raise ValueError(f"is {len(value)} characters long; at most {limit} allowed")
        except (ValueError, ArithmeticError) as exc:
            errors.append(RowError(n, label, str(exc)))
            bad = True
            continue
        if kind == _PRODUCT:
            row.product[key] = value
        elif kind == _ATTR:
            row.attrs[key] = value
        elif kind == _SKU:
            row.sku = value
        else:
            setattr(row, key, value)
    if row.price is not None and row.price <= 0:
        errors.append(RowError(n, "price", "the price must be above 0"))
        bad = True
    if row.price is not None and row.list_price is not None and row.list_price < row.price:
        errors.append(RowError(n, "list_price", f"list price {row.list_price} is below the sale price {row.price}"))
        bad = True
    if row.list_price is not None and row.price is None:
        errors.append(RowError(n, "price", "a list_price needs a price in the same row"))
        bad = True
    if "title" in row.product and not row.product["title"]:
        del row.product["title"]
    title = row.product.get("title")
    if not bad and title and len(title) < N11_MIN_TITLE and warnings is not None and len(warnings) < WARNINGS_CAP:
        warnings.append(RowError(n, "title", f"is {len(title)} characters; N11 needs at least {N11_MIN_TITLE} "
                                 "to create the product"))
    return None if bad else row


def _all_blank(cells: tuple[Any, ...]) -> bool:
    try:  # CSV: every cell is text
        return not "".join(cells).strip()
    except TypeError:
        return all(V.is_blank(c) for c in cells)


# --------------------------------------------------------------------------- existing state
@dataclass(slots=True)
class _Existing:
    id: int
    product: dict[str, Any]
    price: tuple[Decimal, Decimal, str] | None
    stock: int | None
    catalog: bool | None  # None: never in the N11 catalog; True: removed from it; False: in it


_P = Product.__table__
_PR = Price.__table__
_ST = Stock.__table__
_CI = CatalogItem.__table__


_JSON_FIELDS = ("images", "attributes")
_FETCH_PARAMS = 5_000  # SQLite >= 3.32 allows 32766 host parameters


def _fetch_existing(conn, skus: list[str]) -> dict[str, _Existing]:
    """The stored state of these skus: one joined query per 5000 skus, values decoded by hand (fast)."""
    out: dict[str, _Existing] = {}
    fields = ", ".join(f'p."{f}"' for f in _PRODUCT_FIELDS)
    loads = json.loads
    hundred = Decimal(100)
    for i in range(0, len(skus), _FETCH_PARAMS):
        part = skus[i:i + _FETCH_PARAMS]
        sql = (f'SELECT p.id, p.sku, {fields}, pr.price, pr.list_price, pr.currency, st.quantity, '
               f'ci.product_id, ci.removed_at FROM "product" p '
               f'LEFT JOIN "price" pr ON pr.product_id = p.id LEFT JOIN "stock" st ON st.product_id = p.id '
               f'LEFT JOIN "catalog_item" ci ON ci.product_id = p.id '
               f'WHERE p.sku IN ({marks(conn, len(part))})')
        for row in conn.exec_driver_sql(sql, tuple(part)):
            pid, sku = row[0], row[1]
            vals = dict(zip(_PRODUCT_FIELDS, row[2:2 + len(_PRODUCT_FIELDS)]))
            for f in _JSON_FIELDS:
                raw = vals[f]
                # sqlite3 hands JSON over as text, psycopg already decoded
                vals[f] = (loads(raw) if isinstance(raw, str) else raw) if raw is not None else \
                    ([] if f == "images" else {})
            vals["active"] = bool(vals["active"])
            price, list_price, cur, qty, ci, removed = row[2 + len(_PRODUCT_FIELDS):]
            out[sku] = _Existing(
                pid, vals,
                None if price is None else ((Decimal(price) / hundred).quantize(_CENT),
                                            (Decimal(list_price) / hundred).quantize(_CENT), cur),
                qty,
                None if ci is None else (removed is not None),
            )
    return out


def _show(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "1" if v else "0"
    if isinstance(v, list):
        return " | ".join(map(str, v))
    if isinstance(v, dict):
        return ", ".join(f"{k}={val}" for k, val in v.items())
    return str(v)


# --------------------------------------------------------------------------- the plan for one chunk
@dataclass(slots=True)
class _Plan:
    new_products: list[dict[str, Any]] = field(default_factory=list)
    new_rows: list[_Row] = field(default_factory=list)
    product_updates: list[dict[str, Any]] = field(default_factory=list)
    price_inserts: list[dict[str, Any]] = field(default_factory=list)
    price_updates: list[dict[str, Any]] = field(default_factory=list)
    stock_inserts: list[dict[str, Any]] = field(default_factory=list)
    stock_updates: list[dict[str, Any]] = field(default_factory=list)
    catalog_inserts: list[dict[str, Any]] = field(default_factory=list)
    catalog_updates: list[dict[str, Any]] = field(default_factory=list)
    catalog_removals: list[dict[str, Any]] = field(default_factory=list)
    readded: list[int] = field(default_factory=list)  # back in the catalog: product version bumped (sent again)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    price_changes: int = 0
    stock_changes: int = 0
    catalog_changes: int = 0


class _Changes:
    def __init__(self, cap: int) -> None:
        self.items: list[FieldChange] = []
        self.cap = cap
        self.truncated = False

    def add(self, sku: str, fld: str, old: Any, new: Any) -> None:
        if len(self.items) < self.cap:
            self.items.append(FieldChange(sku, fld, _show(old), _show(new)))
        else:
            self.truncated = True


def _plan_chunk(rows: list[_Row], existing: dict[str, _Existing], now: datetime, changes: _Changes,
                errors: list[RowError]) -> _Plan:
    plan = _Plan()
    for r in rows:
        ex = existing.get(r.sku)
        if ex is None:
            if not r.product.get("title"):
                errors.append(RowError(r.row, "title", "a title is required for a new product"))
                continue
            p = {"sku": r.sku, "product_code": r.sku, "title": "", "description": "", "brand": None, "barcode": None,
                 "vat_rate": 20, "images": [], "category": None, "attributes": {}, "preparing_day": None,
                 "shipment_template": None, "product_type": "simple", "active": True, "version": 1,
                 "version_date": now, "created_at": now}
            p.update(r.product)
            attrs = dict(r.attrs)
            if p.get("brand"):
                attrs["brand"] = p["brand"]
            p["attributes"] = attrs
            plan.new_products.append(p)
            plan.new_rows.append(r)
            plan.created += 1
            changes.add(r.sku, "(new product)", "", p["title"])
            continue

        changed_any = False
        # product fields
        new_vals = dict(ex.product)
        new_vals.update(r.product)
        attrs = dict(ex.product.get("attributes") or {})
        attrs.update(r.attrs)
        if r.product.get("brand"):
            attrs["brand"] = r.product["brand"]
        new_vals["attributes"] = attrs
        diff = [f for f in _PRODUCT_FIELDS if new_vals[f] != ex.product[f]]
        if diff:
            changed_any = True
            for f in diff:
                changes.add(r.sku, f, ex.product[f], new_vals[f])
            upd = {f"b_{f}": new_vals[f] for f in _PRODUCT_FIELDS}
            upd["b_id"] = ex.id
            plan.product_updates.append(upd)
        # price
        if r.price is not None:
            old = ex.price
            if r.list_price is not None:
                lp = r.list_price
            elif old is not None and old[1] >= r.price:
                lp = old[1]
            else:
                lp = r.price
            cur = r.currency or (old[2] if old else "TL")
            new = (r.price, lp, cur)
            if old is None:
                plan.price_inserts.append({"product_id": ex.id, "price": r.price, "list_price": lp, "currency": cur,
                                           "version": 1, "version_date": now})
            elif new != old:
                plan.price_updates.append({"b_id": ex.id, "b_price": r.price, "b_list_price": lp, "b_currency": cur})
            if new != old:
                changed_any = True
                plan.price_changes += 1
                if old is None or old[0] != new[0]:
                    changes.add(r.sku, "price", old and old[0], new[0])
                if old is None or old[1] != new[1]:
                    changes.add(r.sku, "list_price", old and old[1], new[1])
        # stock
        if r.stock is not None and r.stock != ex.stock:
            changed_any = True
            plan.stock_changes += 1
            changes.add(r.sku, "stock", ex.stock, r.stock)
            if ex.stock is None:
                plan.stock_inserts.append({"product_id": ex.id, "quantity": r.stock, "version": 1, "version_date": now})
            else:
                plan.stock_updates.append({"b_id": ex.id, "b_quantity": r.stock})
        # catalog membership
        if r.in_catalog is not None:
            member = ex.catalog is False
            if r.in_catalog and not member:
                changed_any = True
                plan.catalog_changes += 1
                changes.add(r.sku, "in_catalog", "0", "1")
                if ex.catalog is None:
                    plan.catalog_inserts.append({"product_id": ex.id, "added_at": now, "removed_at": None})
                else:
                    plan.catalog_updates.append({"b_id": ex.id, "b_added_at": now, "b_removed_at": None})
                    if not diff:
                        plan.readded.append(ex.id)
            elif not r.in_catalog and member:
                changed_any = True
                plan.catalog_changes += 1
                changes.add(r.sku, "in_catalog", "1", "0")
                plan.catalog_removals.append({"b_id": ex.id, "b_removed_at": now})
        if changed_any:
            plan.updated += 1
        else:
            plan.unchanged += 1
    return plan


def _to_cents(v: Any) -> int | None:
    return None if v is None else int((v * 100).to_integral_value(rounding=ROUND_HALF_UP))


def _to_json(v: Any) -> str | None:
    return None if v is None else json.dumps(v)  # what SQLAlchemy's JSON type writes


_DT_MEMO: list[Any] = [None, None]


def _to_datetime(v: Any) -> str | None:
    if v is None:
        return None
    if v is not _DT_MEMO[0]:  # every row of a chunk carries the same "now": format it once
        _DT_MEMO[0], _DT_MEMO[1] = v, v.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite format
    return _DT_MEMO[1]


def _to_bool(v: Any) -> bool | None:
    return None if v is None else bool(v)  # sqlite3 stores True as 1; PostgreSQL wants a boolean


def _converter(column) -> Callable[[Any], Any] | None:
    t = column.type
    if isinstance(t, Money):
        return _to_cents
    if isinstance(t, JSON):
        return _to_json
    if isinstance(t, DateTime):
        return _to_datetime
    if isinstance(t, Boolean):
        return _to_bool
    return None


def _params(table, cols: list[str], rows: list[dict[str, Any]], keys: list[str]) -> list[tuple[Any, ...]]:
    """Row dicts → parameter tuples, each value converted as its column type would (generated code)."""
    env: dict[str, Any] = {}
    parts = []
    for n, (c, k) in enumerate(zip(cols, keys)):
        f = _converter(table.c[c])
        if f is None:
            parts.append(f"r[{k!r}]")
        else:
            env[f"f{n}"] = f
            parts.append(f"f{n}(r[{k!r}])")
    build = eval(f"lambda r: ({', '.join(parts)},)", env)  # noqa: S307 - built from column names only
    return [build(r) for r in rows]


def _bulk_insert(conn, table, rows: list[dict[str, Any]]) -> None:
    """One executemany of plain values converted as the column types would (fast path for 100k rows)."""
    if not rows:
        return
    cols = list(rows[0])
    names = ", ".join(f'"{c}"' for c in cols)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks(conn, len(cols))})'
    conn.exec_driver_sql(sql, _params(table, cols, rows, cols))


def _bulk_update(conn, table, key: str, rows: list[dict[str, Any]], now: datetime | None) -> None:
    """UPDATE ... WHERE key = b_id for each row; ``now`` given = bump version and version_date."""
    if not rows:
        return
    keys = [k for k in rows[0] if k != "b_id"]
    cols = [k[2:] for k in keys]
    m = mark(conn)
    sets = [f'"{c}" = {m}' for c in cols]
    if now is not None:
        sets += ['"version" = "version" + 1', f'"version_date" = \'{_to_datetime(now)}\'']
    sql = f'UPDATE "{table.name}" SET {", ".join(sets)} WHERE "{key}" = {m}'
    params = _params(table, cols, rows, keys)
    conn.exec_driver_sql(sql, [p + (r["b_id"],) for p, r in zip(params, rows)])


def _write_plan(conn, plan: _Plan, now: datetime) -> None:
    if plan.new_products:
        # ids assigned here: the transaction holds SQLite's write lock (BEGIN IMMEDIATE) or, on PostgreSQL,
        # the store's transaction lock (storage/postgres.py): nobody else inserts
        base = conn.exec_driver_sql('SELECT coalesce(max(id), 0) FROM "product"').scalar_one()
        for k, (p, r) in enumerate(zip(plan.new_products, plan.new_rows), start=1):
            pid = base + k
            p["id"] = pid
            if r.price is not None:
                plan.price_inserts.append({"product_id": pid, "price": r.price,
                                           "list_price": r.list_price if r.list_price is not None else r.price,
                                           "currency": r.currency or "TL", "version": 1, "version_date": now})
                plan.price_changes += 1
            if r.stock is not None:
                plan.stock_inserts.append({"product_id": pid, "quantity": r.stock, "version": 1, "version_date": now})
                plan.stock_changes += 1
            if r.in_catalog is None or r.in_catalog:
                plan.catalog_inserts.append({"product_id": pid, "added_at": now, "removed_at": None})
                plan.catalog_changes += 1
        _bulk_insert(conn, _P, plan.new_products)
        if conn.dialect.name == "postgresql":  # the serial sequence goes on after the ids given here
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('product', 'id'), %s)",
                                 (base + len(plan.new_products),))
    _bulk_update(conn, _P, "id", plan.product_updates, now)
    _bulk_insert(conn, _PR, plan.price_inserts)
    _bulk_update(conn, _PR, "product_id", plan.price_updates, now)
    _bulk_insert(conn, _ST, plan.stock_inserts)
    _bulk_update(conn, _ST, "product_id", plan.stock_updates, now)
    _bulk_insert(conn, _CI, plan.catalog_inserts)
    _bulk_update(conn, _CI, "product_id", plan.catalog_updates, None)
    _bulk_update(conn, _CI, "product_id", plan.catalog_removals, None)
    if plan.readded:
        m = mark(conn)
        conn.exec_driver_sql(f'UPDATE "product" SET "version" = "version" + 1, "version_date" = {m} WHERE "id" = {m}',
                             [(_to_datetime(now), pid) for pid in plan.readded])


# --------------------------------------------------------------------------- entry point
def read_rows(path: Path, errors: list[RowError],
              warnings: list[RowError] | None = None) -> tuple[list[_Row], int]:
    """Read and validate every row; bad rows land in ``errors``. Returns (good rows, data rows read).

    Raises CatalogFileError when the file as a whole is unusable."""
    table = read_table(path)
    specs = _specs_of(table)
    good: list[_Row] = []
    first_row: dict[str, int] = {}
    read = 0
    for read, row in _good_rows(table.rows, specs, errors, warnings, first_row):
        if row is not None:
            good.append(row)
    return good, read


def _specs_of(table):
    cols, header_errors = _parse_header(table.header)
    if header_errors:
        raise CatalogFileError("; ".join(str(e) for e in header_errors))
    return _column_specs(cols)


def _good_rows(rows, specs, errors: list[RowError], warnings: list[RowError] | None, first_row: dict[str, int]):
    """(data rows read so far, the row parsed — None when it is bad or a repeated sku) per data row."""
    read = 0
    for n, cells in rows:
        if _all_blank(cells):
            continue
        read += 1
        row = _parse_row(n, cells, specs, errors, warnings)
        if row is not None:
            prev = first_row.get(row.sku)
            if prev is not None:
                errors.append(RowError(n, "sku", f"'{row.sku}' already appears in row {prev}; each sku once per file"))
                row = None
            else:
                first_row[row.sku] = n
        yield read, row


def _checked_rows(path: Path):
    """(table, data rows in the file, the rows to import): the whole file is split and checked
    first — a damaged row anywhere refuses the file before anything is written — and then read
    again from its text in chunks, so 100k parsed rows are never held at once."""
    table = read_table(path)
    specs = _specs_of(table)
    if table.again is None:  # XLSX: its rows are read once, kept as cells
        raw = [(n, cells) for n, cells in table.rows if not _all_blank(cells)]
        return specs, len(raw), iter(raw)
    if table.count is not None:
        # its reader (and the copy of the text it splits) is not needed: the rows are split again
        getattr(table.rows, "close", lambda: None)()
        total = table.count()
    else:
        total = sum(1 for _n, cells in table.rows if not _all_blank(cells))
    return specs, total, table.again()


def import_catalog(db: Database, path: Path | str, *, dry_run: bool = False,
                   on_progress: Callable[[int, int], None] | None = None,
                   chunk_rows: int = CHUNK_ROWS) -> ImportReport:
    """Import a catalog file. Raises :class:`CatalogFileError` if the file as a whole is unusable."""
    from ..batches import gc_paused

    with gc_paused():  # rows parsed and written by the thousand: see batches.gc_paused
        return _import_catalog(db, Path(path), dry_run, on_progress, chunk_rows)


def _import_catalog(db: Database, path: Path, dry_run: bool, on_progress: Callable[[int, int], None] | None,
                    chunk_rows: int) -> ImportReport:
    errors: list[RowError] = []
    warnings: list[RowError] = []
    specs, total_rows, raw_rows = _checked_rows(path)
    changes = _Changes(CHANGES_CAP)
    created = updated = unchanged = price_n = stock_n = catalog_n = 0
    if on_progress:
        on_progress(0, total_rows)
    first_row: dict[str, int] = {}
    parsed = _good_rows(raw_rows, specs, errors, warnings, first_row)
    while True:
        chunk: list[_Row] = []
        done = 0
        for done, row in parsed:
            if row is not None:
                chunk.append(row)
                if len(chunk) >= chunk_rows:
                    break
        if not chunk:
            break
        now = utcnow()
        with db.engine.begin() as conn:
            existing = _fetch_existing(conn, [r.sku for r in chunk])
            plan = _plan_chunk(chunk, existing, now, changes, errors)
            if not dry_run:
                _write_plan(conn, plan, now)
            else:
                plan.price_changes += sum(1 for r in plan.new_rows if r.price is not None)
                plan.stock_changes += sum(1 for r in plan.new_rows if r.stock is not None)
                plan.catalog_changes += sum(1 for r in plan.new_rows if r.in_catalog is None or r.in_catalog)
        created += plan.created
        updated += plan.updated
        unchanged += plan.unchanged
        price_n += plan.price_changes
        stock_n += plan.stock_changes
        catalog_n += plan.catalog_changes
        if on_progress and done < total_rows:
            on_progress(done, total_rows)
        del chunk, plan
    if on_progress:
        on_progress(total_rows, total_rows)
    errors.sort(key=lambda e: (e.row, e.column))
    return ImportReport(
        path=str(path), dry_run=dry_run, rows=total_rows, created=created, updated=updated, unchanged=unchanged,
        errors=tuple(errors), warnings=tuple(warnings), changes=tuple(changes.items), changes_truncated=changes.truncated,
        price_changes=price_n, stock_changes=stock_n, catalog_changes=catalog_n,
    )
