"""Catalog import from CSV or XLSX (DESIGN §9): upsert by sku, bad rows reported and skipped.

Every row is validated on its own; a row with any error changes nothing, the good rows are
written in one transaction per chunk (5,000 rows) with bulk statements (executemany at driver
level): an import killed half-way leaves the chunks before it written and nothing of the others.
Each part that really changed gets its own version bump: product fields → ``product.version``,
prices → ``price.version``, stock → ``stock.version``, so the price and stock flows send deltas only.

Cell semantics for an existing product: a column that is absent, or a blank cell, leaves the
stored value as it is; ``attr:<Name>`` cells are merged into the product's attributes.
New products default to: product_code = sku, list_price = price, vat_rate 20, currency TL,
active 1, in_catalog 1.

The rows are read and checked by :mod:`.rows`, written by :mod:`.bulkwrite`; this module compares
them with what is stored and plans each chunk's changes.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator

from ...gcpause import gc_paused
from ..storage.db import Database, mark, marks
from ..storage.models import CatalogItem, Price, Product, Stock, utcnow
from .bulkwrite import _to_cents, _to_json, bulk_update, sql_datetime
from .fileread import CatalogFileError
from .rows import COLUMNS, Row, RowError, checked_rows, good_rows

__all__ = ["CatalogFileError", "FieldChange", "ImportReport", "RowError", "import_catalog", "COLUMNS"]

CHUNK_ROWS = 5_000
CHANGES_CAP = 2_000
_PRODUCT_FIELDS = ("product_code", "title", "description", "brand", "barcode", "vat_rate", "images", "category",
                   "attributes", "preparing_day", "shipment_template", "active")


# --------------------------------------------------------------------------- results
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


_FETCH_PARAMS = 5_000  # SQLite >= 3.32 allows 32766 host parameters


_scan = json.decoder.JSONDecoder().scan_once  # the C scanner json.loads ends in, without its Python layers


def _decode(raw: str) -> Any:
    """``json.loads`` of a stored JSON text (what the bulk writer and SQLAlchemy wrote: no padding)."""
    try:
        value, end = _scan(raw, 0)
    except (ValueError, StopIteration):
        return json.loads(raw)  # raises the error json.loads raises
    return value if end == len(raw) else json.loads(raw)


def _fetch_existing(conn, skus: list[str]) -> dict[str, _Existing]:
    """The stored state of these skus: one joined query per 5000 skus, values decoded by hand (fast)."""
    out: dict[str, _Existing] = {}
    fields = ", ".join(f'p."{f}"' for f in _PRODUCT_FIELDS)
    n_fields = len(_PRODUCT_FIELDS)
    # the same attributes text (colours, sizes, brands repeat) decodes once per chunk: the decoded dict
    # is only read (compared, copied before any change), so the products can share it
    attrs_seen: dict[str, Any] = {}
    for i in range(0, len(skus), _FETCH_PARAMS):
        part = skus[i:i + _FETCH_PARAMS]
        sql = (f'SELECT p.id, p.sku, {fields}, pr.price, pr.list_price, pr.currency, st.quantity, '
               f'ci.product_id, ci.removed_at FROM "product" p '
               f'LEFT JOIN "price" pr ON pr.product_id = p.id LEFT JOIN "stock" st ON st.product_id = p.id '
               f'LEFT JOIN "catalog_item" ci ON ci.product_id = p.id '
               f'WHERE p.sku IN ({marks(conn, len(part))})')
        for row in conn.exec_driver_sql(sql, tuple(part)).fetchall():
            pid, sku = row[0], row[1]
            vals = dict(zip(_PRODUCT_FIELDS, row[2:2 + n_fields]))
            # sqlite3 hands JSON over as text, psycopg already decoded
            raw = vals["images"]
            vals["images"] = [] if raw is None else _decode(raw) if type(raw) is str else raw
            raw = vals["attributes"]
            if raw is None:
                vals["attributes"] = {}
            elif type(raw) is str:
                dec = attrs_seen.get(raw)
                if dec is None:
                    dec = attrs_seen[raw] = _decode(raw)
                vals["attributes"] = dec
            vals["active"] = bool(vals["active"])
            price, list_price, cur, qty, ci, removed = row[2 + n_fields:]
            out[sku] = _Existing(
                pid, vals,
                None if price is None else (_money(price), _money(list_price), cur),
                qty,
                None if ci is None else (removed is not None),
            )
    return out


_MONEY: dict[Any, Decimal] = {}


def _money(cents: Any) -> Decimal:
    """Stored kuruş → Decimal with two places (as dividing by 100 and quantizing to 0.01 gives)."""
    d = _MONEY.get(cents)
    if d is None:
        d = Decimal(int(cents)).scaleb(-2)
        if len(_MONEY) >= 50_000:
            _MONEY.clear()
        _MONEY[cents] = d
    return d


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
    new_rows: list[Row] = field(default_factory=list)  # new products, in the order their ids are given
    product_updates: list[dict[str, Any]] = field(default_factory=list)
    price_inserts: list[tuple[Any, ...]] = field(default_factory=list)  # _PRICE_COLUMNS, converted
    price_updates: list[dict[str, Any]] = field(default_factory=list)
    stock_inserts: list[tuple[Any, ...]] = field(default_factory=list)  # _STOCK_COLUMNS
    stock_updates: list[dict[str, Any]] = field(default_factory=list)
    catalog_inserts: list[tuple[Any, ...]] = field(default_factory=list)  # _CATALOG_COLUMNS
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


def _plan_chunk(rows: list[Row], existing: dict[str, _Existing], now: datetime, changes: _Changes,
                errors: list[RowError]) -> _Plan:
    plan = _Plan()
    now_text = sql_datetime(now)
    for r in rows:
        ex = existing.get(r.sku)
        if ex is None:
            title = r.product.get("title")
            if not title:
                errors.append(RowError(r.row, "title", "a title is required for a new product"))
                continue
            plan.new_rows.append(r)  # written by _write_plan (_new_product_params)
            plan.created += 1
            if len(changes.items) < changes.cap:  # changes.add, written out
                changes.items.append(FieldChange(r.sku, "(new product)", "", _show(title)))
            else:
                changes.truncated = True
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
                plan.price_inserts.append((ex.id, _cents(r.price), _cents(lp), cur, 1, now_text))
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
                plan.stock_inserts.append((ex.id, r.stock, 1, now_text))
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
                    plan.catalog_inserts.append((ex.id, now_text, None))
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


_NEW_PRODUCT_COLUMNS = ("id", "sku", "product_code", "title", "description", "brand", "barcode", "vat_rate", "images",
                        "category", "attributes", "preparing_day", "shipment_template", "product_type", "active",
                        "version", "version_date", "created_at")
_PRICE_COLUMNS = ("product_id", "price", "list_price", "currency", "version", "version_date")
_STOCK_COLUMNS = ("product_id", "quantity", "version", "version_date")
_CATALOG_COLUMNS = ("product_id", "added_at", "removed_at")


def _new_product_params(r: Row, pid: int, now_text: str, attrs_json: dict[tuple, str]) -> tuple[Any, ...]:
    """A new product's INSERT parameters (``_NEW_PRODUCT_COLUMNS``): the defaults (product_code = sku,
    VAT 20, active, …) under the row's cells, converted as the column types would (bulkwrite).
    ``attrs_json``: the JSON text of each attributes dict met so far, by its items (they repeat)."""
    g = r.product.get
    brand = g("brand")
    attrs = r.attrs
    key = (brand or None, *attrs.items())  # texts only: the brand and the items say what the JSON text is
    attributes = attrs_json.get(key)
    if attributes is None:
        if brand:
            attrs = dict(attrs)
            attrs["brand"] = brand
        attributes = attrs_json[key] = _to_json(attrs)
    images = g("images")
    if images is None:
        images = "[]"
    else:
        images = r.images_json or _to_json(images)
    return (pid, r.sku, g("product_code", r.sku), g("title", ""), g("description", ""), brand, g("barcode"),
            g("vat_rate", 20), images, g("category"), attributes,
            g("preparing_day"), g("shipment_template"), "simple", bool(g("active", True)), 1, now_text, now_text)


def _cents(v: Decimal) -> int:
    """``bulkwrite._to_cents`` (× 100, rounded half up), without the rounding for a price with at most
    two decimals (every parsed one): the same number."""
    c = v.scaleb(2)
    i = int(c)
    return i if i == c else _to_cents(v)


def _insert(conn, table, columns: tuple[str, ...], params: list[tuple[Any, ...]]) -> None:
    """One executemany of parameter tuples already converted as the column types would (bulkwrite)."""
    if params:
        names = ", ".join(f'"{c}"' for c in columns)
        conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({names}) VALUES ({marks(conn, len(columns))})', params)


def _write_plan(conn, plan: _Plan, now: datetime) -> None:
    now_text = sql_datetime(now)
    if plan.new_rows:
        # ids assigned here: the transaction holds SQLite's write lock (BEGIN IMMEDIATE) or, on PostgreSQL,
        # the store's transaction lock (storage/postgres.py): nobody else inserts
        base = conn.exec_driver_sql('SELECT coalesce(max(id), 0) FROM "product"').scalar_one()
        products = []
        attrs_json: dict[tuple, str] = {}
        price_inserts, stock_inserts = plan.price_inserts, plan.stock_inserts
        outside: list[int] = []  # new products not in the N11 catalog
        n_prices, n_stocks = len(price_inserts), len(stock_inserts)
        for pid, r in enumerate(plan.new_rows, start=base + 1):
            products.append(_new_product_params(r, pid, now_text, attrs_json))
            price = r.price
            if price is not None:
                cents = _cents(price)
                price_inserts.append((pid, cents, cents if r.list_price is None else _cents(r.list_price),
                                      r.currency or "TL", 1, now_text))
            if r.stock is not None:
                stock_inserts.append((pid, r.stock, 1, now_text))
            if r.in_catalog is not None and not r.in_catalog:
                outside.append(pid)
        # each new price, stock and catalog row is a change (counted once, not a row each)
        plan.price_changes += len(price_inserts) - n_prices
        plan.stock_changes += len(stock_inserts) - n_stocks
        plan.catalog_changes += len(plan.new_rows) - len(outside)
        _insert(conn, _P, _NEW_PRODUCT_COLUMNS, products)
        del products
        # the new products join the N11 catalog (all but those whose row says in_catalog 0): one statement
        # over their id range, not a row each
        m = mark(conn)
        added = f"CAST({m} AS TIMESTAMP)" if conn.dialect.name == "postgresql" else m
        sql = (f'INSERT INTO "catalog_item" ("product_id", "added_at", "removed_at") SELECT "id", {added}, NULL '
               f'FROM "product" WHERE "id" BETWEEN {m} AND {m}')
        if outside:
            sql += f' AND "id" NOT IN ({marks(conn, len(outside))})'
        conn.exec_driver_sql(sql, (now_text, base + 1, base + len(plan.new_rows), *outside))
        if conn.dialect.name == "postgresql":  # the serial sequence goes on after the ids given here
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('product', 'id'), %s)",
                                 (base + len(plan.new_rows),))
    bulk_update(conn, _P, "id", plan.product_updates, now)
    _insert(conn, _PR, _PRICE_COLUMNS, plan.price_inserts)
    bulk_update(conn, _PR, "product_id", plan.price_updates, now)
    _insert(conn, _ST, _STOCK_COLUMNS, plan.stock_inserts)
    bulk_update(conn, _ST, "product_id", plan.stock_updates, now)
    _insert(conn, _CI, _CATALOG_COLUMNS, plan.catalog_inserts)
    bulk_update(conn, _CI, "product_id", plan.catalog_updates, None)
    bulk_update(conn, _CI, "product_id", plan.catalog_removals, None)
    if plan.readded:
        m = mark(conn)
        conn.exec_driver_sql(f'UPDATE "product" SET "version" = "version" + 1, "version_date" = {m} WHERE "id" = {m}',
                             [(sql_datetime(now), pid) for pid in plan.readded])


@contextmanager
def _bulk_writing(conn) -> Iterator[None]:
    """SQLite: no foreign-key checks and no automatic WAL checkpoint on this connection while the
    import writes (one checkpoint at its end: the chunks' commits had made ~20 for 100k rows, each
    waiting for two fsyncs and copying the same hot pages again). Every row it writes
    refers to a product it inserted or read in the same transaction, which holds the write lock
    (``BEGIN IMMEDIATE``): the parent lookup per price, stock and catalog row (~0.4 µs each) could
    only succeed, and the import deletes nothing (no cascade to miss). The setting is the
    connection's own and is switched back on before the connection returns to the pool (outside a
    transaction, where SQLite honours it); a connection where that fails is discarded, never
    reused without its checks. PostgreSQL: nothing changes."""
    if conn.dialect.name != "sqlite":
        yield
        return
    dbapi = conn.connection.dbapi_connection
    dbapi.execute("PRAGMA foreign_keys=OFF")  # outside any transaction: SQLite ignores it inside one
    # the chunks' commits do not checkpoint the WAL (each checkpoint waits for two fsyncs; a 100k import
    # made ~20 of them): one checkpoint when the import ends, as a single transaction would have
    autocheckpoint = dbapi.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    dbapi.execute("PRAGMA wal_autocheckpoint=0")
    try:
        yield
    finally:
        try:
            if conn.in_transaction():  # (the chunk's own block has ended it; only after an interruption)
                conn.rollback()
            dbapi.execute(f"PRAGMA wal_autocheckpoint={int(autocheckpoint)}")
            dbapi.execute("PRAGMA foreign_keys=ON")
            if dbapi.execute("PRAGMA foreign_keys").fetchone()[0] != 1:
                raise RuntimeError("foreign keys stayed off")
        except Exception:
            conn.invalidate()  # the pool opens a new connection (foreign keys on) in its place
            raise
        try:  # never waits for readers; what it leaves, the next commit's automatic checkpoint does
            dbapi.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error:
            pass


# --------------------------------------------------------------------------- entry point


def import_catalog(db: Database, path: Path | str, *, dry_run: bool = False,
                   on_progress: Callable[[int, int], None] | None = None,
                   chunk_rows: int = CHUNK_ROWS) -> ImportReport:
    """Import a catalog file. Raises :class:`CatalogFileError` if the file as a whole is unusable."""
    with gc_paused():  # rows parsed and written by the thousand: see n11_desktop/gcpause.py
        return _import_catalog(db, Path(path), dry_run, on_progress, chunk_rows)


def _import_catalog(db: Database, path: Path, dry_run: bool, on_progress: Callable[[int, int], None] | None,
                    chunk_rows: int) -> ImportReport:
    errors: list[RowError] = []
    warnings: list[RowError] = []
    specs, total_rows, raw_rows = checked_rows(path)
    changes = _Changes(CHANGES_CAP)
    created = updated = unchanged = price_n = stock_n = catalog_n = 0
    if on_progress:
        on_progress(0, total_rows)
    first_row: dict[str, int] = {}
    with db.engine.connect() as conn, _bulk_writing(conn):
        for done, chunk in good_rows(raw_rows, specs, errors, warnings, first_row, chunk_rows):
            now = utcnow()
            with conn.begin():  # one transaction per chunk (BEGIN IMMEDIATE: see storage.db)
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
