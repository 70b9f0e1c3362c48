"""The integration ledger (DESIGN §7): one ``integration_action`` row per (content type, object).

It remembers what N11 last accepted: N11 product id, the version date of the data sent, a
state, and the last values sent (the basis of reports and of the send preview's old → new).

Ledger states used by the product flows:

- content type ``product``: ``pending_approval`` (created, InCatalogApproval on N11),
  ``active`` (N11 status Active/Suspended), ``rejected`` (CatalogRejected), ``failed`` (create
  failed), ``unknown`` (a post whose outcome is unknown, being resolved by product-query),
  ``removed`` (stock set to 0 after removal from the catalog), ``seller_code_deleted``
  (deleted on N11 to be created anew under our seller code);
- ``productstock`` / ``productprice``: ``synced``, ``failed``, ``unknown``.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import JSON, select, text
from sqlalchemy.orm import Session

from .storage.models import IntegrationAction

CREATED_STATES = ("pending_approval", "active", "rejected", "removed")
UPDATABLE_STATES = ("active",)

#: fields of a product-create sku remembered in the ledger (description as a hash)
PRODUCT_FIELDS = ("title", "productMainId", "categoryId", "barcode", "vatRate", "preparingDay", "shipmentTemplate",
                  "currencyType", "maxPurchaseQuantity", "attributes", "images")


def product_values(sku: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: sku[k] for k in PRODUCT_FIELDS if k in sku}
    if "description" in sku:
        out["descriptionHash"] = hashlib.sha1(str(sku.get("description") or "").encode("utf-8")).hexdigest()[:16]
    return out


def state_for_remote_status(status: str | None) -> str:
    s = (status or "").lower()
    if s in ("active", "suspended"):
        return "active"
    if s in ("catalogrejected", "prohibited"):
        return "rejected"
    return "pending_approval"


def get(session: Session, content_type: str, object_id: int) -> IntegrationAction | None:
    return session.scalars(select(IntegrationAction).where(IntegrationAction.content_type == content_type,
                                                           IntegrationAction.object_id == object_id)).first()


Cache = dict  # {(content_type, object_id): IntegrationAction}


def preload(session: Session, content_types: Sequence[str], object_ids: Sequence[int]) -> Cache:
    """Ledger rows of many objects in a few queries (bulk result application)."""
    cache: Cache = {}
    ids = sorted(set(int(i) for i in object_ids))
    for start in range(0, len(ids), 900):
        for row in session.scalars(select(IntegrationAction).where(
                IntegrationAction.content_type.in_(list(content_types)),
                IntegrationAction.object_id.in_(ids[start:start + 900]))):
            cache[(row.content_type, row.object_id)] = row
    for ct in content_types:
        for i in ids:
            cache.setdefault((ct, i), None)
    return cache


def upsert(session: Session, content_type: str, object_id: int, object_key: str, now: datetime, *,
           state: str | None = None, version_date: datetime | None = None, values: Mapping[str, Any] | None = None,
           merge_values: bool = True, remote_id: str | None = None, remote_status: str | None = None,
           error: str | None = None, clear_error: bool = False, sent: bool = False,
           cache: Cache | None = None) -> IntegrationAction:
    key = (content_type, object_id)
    if cache is not None and key in cache:
        row = cache[key]
    else:
        row = get(session, content_type, object_id)
    if row is None:
        row = IntegrationAction(content_type=content_type, object_id=object_id, object_key=object_key,
                                state=state or "pending", last_values={}, updated_at=now)
        session.add(row)
    if cache is not None:
        cache[key] = row
    row.object_key = object_key
    if state is not None:
        row.state = state
    if version_date is not None:
        row.version_date = version_date
    if values is not None:
        row.last_values = ({**(row.last_values or {}), **dict(values)} if merge_values else dict(values))
    if remote_id is not None:
        row.remote_id = str(remote_id)
    if remote_status is not None:
        row.remote_status = remote_status
    if error is not None:
        row.last_error = error
    elif clear_error:
        row.last_error = None
    if sent:
        row.last_sent_at = now
    row.updated_at = now
    return row


def bulk_upsert(session: Session, rows: Sequence[dict], *, merge_values: bool = False) -> None:
    """INSERT … ON CONFLICT (content_type, object_id) DO UPDATE for many rows (executemany).

    Rows with the same keys go in one statement; columns a row leaves out keep their value on
    update (``remote_id`` of a price update, say). ``merge_values`` merges ``last_values``
    into what is stored (JSON patch) instead of replacing it.
    """
    if not rows:
        return
    from sqlalchemy import func

    from .storage.db import dialect_insert

    groups: dict[tuple[str, ...], list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(sorted(r)), []).append(r)
    for keys, group in groups.items():
        if _FAST_REQUIRED.issubset(keys) and set(keys) <= _COLUMNS:
            _bulk_upsert_fast(session, keys, group, merge_values)
            continue
        stmt = dialect_insert(session.connection())(IntegrationAction)
        set_ = {k: stmt.excluded[k] for k in keys if k not in ("content_type", "object_id")}
        if merge_values and "last_values" in set_:
            if session.connection().dialect.name == "postgresql":
                set_["last_values"] = text(_PG_MERGE)
            else:
                set_["last_values"] = func.json_patch(func.coalesce(IntegrationAction.last_values, "{}"),
                                                      stmt.excluded.last_values)
        stmt = stmt.on_conflict_do_update(index_elements=["content_type", "object_id"], set_=set_)
        for start in range(0, len(group), 2000):
            session.execute(stmt, list(group[start:start + 2000]))


#: columns with a Python-side default: the fast path needs them in every row (same INSERT result)
_FAST_REQUIRED = frozenset({"content_type", "object_id", "object_key", "state", "last_values", "updated_at"})
_COLUMNS = frozenset(c.key for c in IntegrationAction.__table__.columns) - {"id"}


def _bulk_upsert_fast(session: Session, keys: Sequence[str], group: Sequence[dict], merge_values: bool) -> None:
    """The same INSERT … ON CONFLICT DO UPDATE at the driver level: values go through each
    column type's own bind processor (identical stored text), without the ORM's per-row cost."""
    conn = session.connection()
    sql, out = _fast_statement(conn.dialect, keys, group, merge_values)
    for start in range(0, len(out), 2000):
        conn.exec_driver_sql(sql, out[start:start + 2000])


Prepared = list  # [(driver SQL, [parameter tuples])], see prepare_bulk_upsert


def prepare_bulk_upsert(dialect: Any, rows: Sequence[dict], *, merge_values: bool = False) -> Prepared | None:
    """:func:`bulk_upsert`'s statements with every value already converted (the JSON of
    ``last_values`` included), so that a caller can do this CPU work before it opens its write
    transaction and hold the database's write lock only for :func:`run_prepared`. ``None`` when
    a row needs the generic path (a column with a Python-side default left out)."""
    groups: dict[tuple[str, ...], list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(sorted(r)), []).append(r)
    out: Prepared = []
    for keys, group in groups.items():
        if not (_FAST_REQUIRED.issubset(keys) and set(keys) <= _COLUMNS):
            return None
        out.append(_fast_statement(dialect, keys, group, merge_values))
    return out


def run_prepared(session: Session, prepared: Prepared) -> None:
    """Execute what :func:`prepare_bulk_upsert` made (inside the caller's transaction)."""
    conn = session.connection()
    for sql, params in prepared:
        for start in range(0, len(params), 2000):
            conn.exec_driver_sql(sql, params[start:start + 2000])


def _fast_statement(dialect: Any, keys: Sequence[str], group: Sequence[dict],
                    merge_values: bool) -> tuple[str, list[tuple]]:
    table = IntegrationAction.__table__
    procs = [bind_processor(table.c[k], dialect) for k in keys]
    sets = []
    for k in keys:
        if k in ("content_type", "object_id"):
            continue
        if k == "last_values" and merge_values:
            if dialect.name == "postgresql":
                sets.append(f"last_values = {_PG_MERGE}")
            else:
                sets.append("last_values = json_patch(coalesce(integration_action.last_values, '{}'), "
                            "excluded.last_values)")
        else:
            sets.append(f"{k} = excluded.{k}")
    from .storage.db import marks

    sql = (f"INSERT INTO integration_action ({', '.join(keys)}) VALUES ({marks(dialect, len(keys))}) "
           f"ON CONFLICT (content_type, object_id) DO UPDATE SET {', '.join(sets)}")
    out = []
    for row in group:
        vals = []
        for k, p in zip(keys, procs):
            v = row[k]
            vals.append(p(v) if p is not None else v)
        out.append(tuple(vals))
    return sql, out


#: ``json_patch`` on PostgreSQL: the stored values with the new ones laid over them (the values are
#: flat objects, so jsonb's ``||`` merges them as json_patch does)
_PG_MERGE = ("(coalesce(integration_action.last_values::jsonb, '{}'::jsonb) "
             "|| coalesce(excluded.last_values::jsonb, '{}'::jsonb))::json")


try:  # json.dumps's own C encoder, made once: dumps builds a new one on every call (~2 µs a value)
    from _json import make_encoder as _c_make_encoder

    _encode_json = _c_make_encoder(None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None,
                                   ": ", ", ", False, False, True)
except ImportError:  # pragma: no cover - a Python without the C accelerator
    _encode_json = None


def bind_processor(column: Any, dialect: Any) -> Any:
    """``column``'s bind processor for a driver-level write, as :func:`memo_processor` makes it;
    on SQLite a JSON column's dicts and lists are written by a C encoder made once instead of
    through ``json.dumps`` (what SQLAlchemy's JSON type calls there; the same text)."""
    proc = memo_processor(column.type.dialect_impl(dialect).bind_processor(dialect))
    if (_encode_json is None or proc is None or dialect.name != "sqlite" or not isinstance(column.type, JSON)
            or getattr(dialect, "_json_serializer", None) is not None):
        return proc

    def run(v: Any) -> Any:
        if type(v) is dict or type(v) is list:  # our own values: trees of plain data (no cycle check)
            return "".join(_encode_json(v, 0))
        return proc(v)
    return run


def memo_processor(proc: Any) -> Any:
    """A bind processor that converts each distinct datetime once (a bulk write repeats the
    same few timestamps 100k times); every other value is converted as usual."""
    if proc is None:
        return None
    cache: dict = {}

    def run(v: Any) -> Any:
        if type(v) is not datetime:
            return proc(v)
        key = (v, v.tzinfo)  # equal instants in other zones format differently
        out = cache.get(key)
        if out is None:
            if len(cache) > 10_000:
                cache.clear()
            out = cache[key] = proc(v)
        return out
    return run
