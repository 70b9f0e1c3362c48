"""Task results of product batches (DESIGN §7): polling the N11 tasks a batch posted and
applying each record's outcome (success, failure, penalty, ledger, the product's remote
state). Records are created and sent by :mod:`.batches`; lost acknowledgements and batches
left by a crashed sender are resolved by :mod:`.batch_recovery`."""

from __future__ import annotations

import json
import re
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import ledger, penalty
from .batches import LogFn, PollSummary, _maybe_finish, _noop_log, strip_meta, with_gc_paused
from .settings import ChannelConfig
from .storage.db import datetime_param, mark, marks
from .storage.models import BATCH_ACTIVE_STATES, Batch, BatchItem, IntegrationAction

if TYPE_CHECKING:
    from .n11.models import RemoteProduct, TaskResult
    from .n11.port import N11Port
    from .storage.db import Database

ALREADY_CREATED_LOOKUP_LIMIT = 500  # records whose create N11 refused as existing, looked up per task


@dataclass(frozen=True, slots=True)
class _Outcome:
    item_id: int
    ok: bool
    reasons: tuple[str, ...] = ()
    remote: RemoteProduct | None = None  # looked up for the record, when needed
    message: str | None = None  # final message (overrides translation)
    expired: bool = False


def _json_value(v: Any) -> Any:
    """A JSON column read as text (SQLite) or already decoded by the driver (psycopg)."""
    if isinstance(v, (str, bytes, bytearray)):
        return json.loads(v)
    return v


@dataclass
class _Ready:
    """A task's successes with their ledger rows already converted for the driver."""
    item_ids: list[int]
    prepared: list
    cleared: dict[str, list[int]]

    def claim(self, s: Session) -> bool:
        """Mark these records ``success``, only where still ``sent``: True when every one was
        (nothing applied them meanwhile); otherwise the caller rolls the transaction back."""
        conn = s.connection()
        cur = conn.connection.cursor()  # (the session's transaction has begun: BEGIN IMMEDIATE on SQLite)
        n = 0
        try:
            for start in range(0, len(self.item_ids), 900):
                chunk = self.item_ids[start:start + 900]
                cur.execute(_claim_sql(conn.dialect, len(chunk)), tuple(chunk))
                n += cur.rowcount or 0
        finally:
            cur.close()
        return n == len(self.item_ids)

    def write(self, s: Session, now: datetime, summary: PollSummary) -> None:
        """The rest, after :meth:`claim`: ledger rows and penalties lifted."""
        s.flush()  # (whatever the session holds goes first, as before these driver-level writes)
        conn = s.connection()
        cur = conn.connection.cursor()
        try:
            for sql, params in self.prepared:
                for start in range(0, len(params), 2000):
                    cur.executemany(sql, params[start:start + 2000])
            lift = [ct for ct, ids in self.cleared.items() if _penalized(cur, conn.dialect, ct, ids)]
        finally:
            cur.close()
        for ct in lift:
            penalty.clear(s, ct, self.cleared[ct], now)
        summary.succeeded += len(self.item_ids)


def _penalized(cur: Any, dialect: Any, ct: str, ids: Sequence[int]) -> bool:
    """Whether :func:`.penalty.clear` of these objects could lift anything: the box's active
    entries of the type (at most one more than ``ids``, as it reads them) include one of them."""
    m = mark(dialect)
    cur.execute(f"SELECT object_id FROM failed_integration WHERE content_type = {m} AND is_active = {m} LIMIT {m}",
                (ct, True, len(ids) + 1))
    active = {r[0] for r in cur.fetchall()}
    return bool(active) and (len(active) > len(ids) or not active.isdisjoint(ids))


class _Claimed(Exception):
    """Some of a task's successes were applied meanwhile: roll back, take the general path."""


_SQL: dict[tuple, str] = {}  # driver-level statements by (dialect, what, size)


def _claim_sql(dialect: Any, n: int) -> str:
    key = (dialect.name, "claim", n)
    sql = _SQL.get(key)
    if sql is None:
        sql = _SQL[key] = (f"UPDATE batch_item SET state = 'success', message = NULL "
                           f"WHERE id IN ({marks(dialect, n)}) AND state = 'sent'")
    return sql


def _touch_batch(s: Session, batch_id: int, now: datetime) -> None:
    """The batch's ``updated_at`` (what ``s.get(Batch, batch_id).updated_at = now`` wrote)."""
    conn = s.connection()
    cur = conn.connection.cursor()
    try:
        cur.execute(f"UPDATE batch SET updated_at = {mark(conn)} WHERE id = {mark(conn)}",
                    (datetime_param(conn, now), batch_id))
    finally:
        cur.close()


#: the ledger rows the all-success path writes: a task's content type → the ``_meta.op`` of its records
_FAST_OPS = {"product": "create", "productstock": "price_stock", "productprice": "price_stock"}


def _prepare_successes(db: Database, ct: str, result: TaskResult, items: Sequence[tuple],
                       now: datetime) -> _Ready | None:
    """The usual task: N11 accepted every record of it (create SKUs of a product task,
    price-stock SKUs of a stock or price task). Its ledger rows, as :func:`apply_outcomes`
    would write them, are built straight from the records read (``items``: id, object id, key,
    payload, version date as the driver returned it) before the write transaction opens.
    ``None`` when the task is anything else (the caller takes the general path)."""
    want = _FAST_OPS.get(ct)
    if want is None or not items or result.status.upper() == "REJECT":
        return None
    by_code: dict[str, Any] = {}
    for r in result.skus:
        by_code.setdefault(r.stock_code, r)
    for it in items:
        r = by_code.get(it[2])
        if r is None or not r.ok:
            return None
        meta = it[3].get("_meta")
        if type(meta) is not dict or meta.get("op") != want:
            return None
    oids = [it[1] for it in items]
    cleared = ({"product": oids, "productstock": list(oids), "productprice": list(oids)} if ct == "product"
               else {ct: oids})
    return _Ready([it[0] for it in items], [_ledger_rows(db.engine.dialect, ct, items, now, raw_dates=True)],
                  cleared)


def _prepare_some(db: Database, ct: str, outcomes: Sequence[_Outcome], items: Mapping[int, _Item],
                  now: datetime) -> _Ready | None:
    """What :func:`apply_outcomes` writes for the plain successes (N11 said SUCCESS) of a task
    with failures too, computed before the write transaction opens: the database's write lock
    is then held only to run the statements. ``None`` when there is nothing to do this way
    (the caller applies everything)."""
    ledger_rows: list[dict] = []
    merge_rows: list[dict] = []
    cleared: dict[str, list[int]] = {}
    ids: list[int] = []
    ok: list[_Item] = []
    for o in outcomes:
        if not o.ok:
            continue
        it = items.get(o.item_id)
        if it is None or it.state != "sent" or o.message is not None:
            return None
        ok.append(it)
        if o.remote is not None or (it.payload.get("_meta") or {}).get("op") != "create":
            break
    else:  # product-creates N11 accepted (nothing looked up)
        if ok and ct == "product":
            return _Ready([it.id for it in ok],
                          [_ledger_rows(db.engine.dialect, ct,
                                        [(it.id, it.object_id, it.object_key, it.payload, it.version_date)
                                         for it in ok], now, raw_dates=False)],
                          {"product": [it.object_id for it in ok], "productstock": [it.object_id for it in ok],
                           "productprice": [it.object_id for it in ok]})
    for o in outcomes:
        if not o.ok:
            continue
        it = items[o.item_id]
        meta = it.payload.get("_meta") or {}
        _success_rows(ct, meta.get("op"), it, strip_meta(it.payload), meta, o.remote, now, ledger_rows, merge_rows,
                      cleared)
        ids.append(it.id)
    if not ids:
        return None
    dialect = db.engine.dialect
    plain = ledger.prepare_bulk_upsert(dialect, ledger_rows, merge_values=False)
    merged = ledger.prepare_bulk_upsert(dialect, merge_rows, merge_values=True)
    if plain is None or merged is None:
        return None
    return _Ready(ids, plain + merged, cleared)


#: the columns of the ledger rows :func:`_success_rows` makes for ``create`` (without a looked-up
#: product) and ``price_stock``, sorted as :func:`.ledger.prepare_bulk_upsert` groups them
_CREATED_KEYS = ("content_type", "last_error", "last_sent_at", "last_values", "object_id", "object_key", "state",
                 "updated_at", "version_date")

#: a DateTime value as SQLAlchemy writes it on SQLite (what reading it and writing it again gives)
_SQLITE_DT = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}")


def _version_date_result(dialect: Any) -> Any:
    """The version-date column's result processor (a driver-level read's value → datetime), or None."""
    return BatchItem.__table__.c.version_date.type.dialect_impl(dialect).result_processor(dialect, None)


def _ledger_rows(dialect: Any, ct: str, items: Sequence[tuple], now: datetime, *,
                 raw_dates: bool) -> tuple[str, list[tuple]]:
    """:func:`.ledger.prepare_bulk_upsert` of the rows :func:`_success_rows` makes for these
    records of a ``product`` task (creates: product, stock and price rows) or of a stock or
    price task (``price_stock``): the same statement and parameters, in the same order, built
    straight as the driver's tuples; the values every row shares are converted once.
    ``items``: (id, object id, key, payload, version date); ``raw_dates``: the version dates
    are as the driver returned them (not yet through the column's result processor)."""
    sql, _ = ledger._fast_statement(dialect, _CREATED_KEYS, (), False)
    table = IntegrationAction.__table__
    procs = {k: ledger.bind_processor(table.c[k], dialect) for k in _CREATED_KEYS}

    def conv(k: str, v: Any) -> Any:
        p = procs[k]
        return p(v) if p is not None else v

    err, sent_at, updated = conv("last_error", None), conv("last_sent_at", now), conv("updated_at", now)
    pending, synced = conv("state", "pending_approval"), conv("state", "synced")
    values, oid_p, key_p = procs["last_values"], procs["object_id"], procs["object_key"]
    lv = values if values is not None else (lambda v: v)
    dates: dict[Any, Any] = {}

    def vd(raw: Any, parse: bool) -> Any:  # a datetime, or an ISO text of the record's _meta
        key = (raw, type(raw), getattr(raw, "tzinfo", None))  # (equal instants in other zones differ)
        try:
            return dates[key]
        except KeyError:
            out = dates[key] = conv("version_date", _dt(raw) if parse else raw)
            return out
        except TypeError:  # (not hashable: cannot happen with what _meta holds)
            return conv("version_date", _dt(raw) if parse else raw)

    result_p = _version_date_result(dialect) if raw_dates else None
    canonical = _SQLITE_DT.fullmatch if dialect.name == "sqlite" else (lambda v: None)

    def item_vd(v: Any) -> Any:  # the record's own version date
        if result_p is None or v is None:
            return vd(v, False)
        if type(v) is str and canonical(v):  # written by the same column type: reading it and
            return v                          # writing it again gives the same text
        return vd(result_p(v), False)
    meta_dates: dict[str, Any] = {}

    def meta_vd(raw: Any) -> Any:  # an ISO text of the record's _meta (the same few repeat)
        if type(raw) is not str:
            return vd(raw, True)
        out = meta_dates.get(raw)
        if out is None:
            out = meta_dates[raw] = vd(raw, True)
        return out

    # the stock and price values written as their JSON text straight away when the column's
    # processor makes json.dumps's text (SQLite's and PostgreSQL's JSON type do): the same text
    if values is not None and values(_PROBE) == _PROBE_TEXT:
        def quantity_json(q: Any) -> Any:
            text = _scalar_json(q)
            return '{"quantity": ' + text + "}" if text is not None else values({"quantity": q})

        def price_json(payload: Mapping[str, Any]) -> Any:
            sale, lst, cur = (_scalar_json(payload.get("salePrice")), _scalar_json(payload.get("listPrice")),
                              _scalar_json(payload.get("currencyType")))
            if sale is None or lst is None or cur is None:
                return values(_price_values(payload))
            return '{"salePrice": ' + sale + ', "listPrice": ' + lst + ', "currencyType": ' + cur + "}"
    else:
        def quantity_json(q: Any) -> Any:
            return lv({"quantity": q})

        def price_json(payload: Mapping[str, Any]) -> Any:
            return lv(_price_values(payload))
    rows: list[tuple] = []
    add = rows.append
    if ct != "product":  # price_stock: one row a record, of the task's own content type
        own = conv("content_type", ct)
        stock = ct == "productstock"
        for _id, oid, key, payload, version_date in items:
            if oid_p is not None:
                oid = oid_p(oid)
            if key_p is not None:
                key = key_p(key)
            add((own, err, sent_at, quantity_json(payload.get("quantity")) if stock else price_json(payload),
                 oid, key, synced, updated, item_vd(version_date)))
        return sql, rows
    product, stock, price = (conv("content_type", c) for c in ("product", "productstock", "productprice"))
    product_values = ledger.product_values
    for _id, oid, key, payload, version_date in items:
        meta = payload.get("_meta") or {}
        if oid_p is not None:
            oid = oid_p(oid)
        if key_p is not None:
            key = key_p(key)
        add((product, err, sent_at, lv(product_values(payload)), oid, key, pending, updated, item_vd(version_date)))
        if "quantity" in payload:
            add((stock, err, sent_at, quantity_json(payload["quantity"]), oid, key, synced, updated,
                 meta_vd(meta.get("stock_vd"))))
        if "salePrice" in payload:
            add((price, err, sent_at, price_json(payload), oid, key, synced, updated, meta_vd(meta.get("price_vd"))))
    return sql, rows


_PROBE = {"quantity": 1, "salePrice": 1.5, "currencyType": "T\u00fc"}
_PROBE_TEXT = '{"quantity": 1, "salePrice": 1.5, "currencyType": "T\\u00fc"}'
_ascii_json = json.encoder.encode_basestring_ascii


def _scalar_json(v: Any) -> str | None:
    """``v``'s text as json.dumps writes it, for a text, a whole number, a finite float or None;
    ``None`` for anything else (the caller encodes it as usual)."""
    t = type(v)
    if t is str:
        return _ascii_json(v)
    if t is int:
        return int.__repr__(v)
    if t is float and v - v == 0.0:  # (not NaN or ±inf)
        return float.__repr__(v)
    if v is None:
        return "null"
    return None


@dataclass
class _Item:
    id: int
    object_id: int
    object_key: str
    payload: dict
    version_date: datetime | None
    state: str


def apply_outcomes(s: Session, b_content_type: str, outcomes: Sequence[_Outcome], config: ChannelConfig,
                   now: datetime, summary: PollSummary, logs: list[tuple[str, str, str]],
                   preloaded: Mapping[int, _Item] | None = None) -> None:
    """Per-SKU results → batch items, ledger, penalty box. Successes are written in bulk.

    ``preloaded``: items the caller already read (their payload, key and version date never
    change after the batch is written); their *state* is always read again here."""
    items: dict[int, _Item] = {}
    oids = [o.item_id for o in outcomes]
    pre = preloaded or {}
    fresh = [i for i in oids if i not in pre]
    known = [i for i in oids if i in pre]
    for start in range(0, len(fresh), 900):
        for row in s.execute(select(BatchItem.id, BatchItem.object_id, BatchItem.object_key, BatchItem.payload,
                                    BatchItem.version_date, BatchItem.state)
                             .where(BatchItem.id.in_(fresh[start:start + 900]))):
            items[row[0]] = _Item(*row)
    for start in range(0, len(known), 900):
        for item_id, state in s.execute(select(BatchItem.id, BatchItem.state)
                                        .where(BatchItem.id.in_(known[start:start + 900]))):
            p = pre[item_id]
            items[item_id] = _Item(item_id, p.object_id, p.object_key, p.payload, p.version_date, state)
    ledger_rows: list[dict] = []
    merge_rows: list[dict] = []
    cleared: dict[str, list[int]] = {}
    done_ok: list[int] = []
    done_msg: dict[int, tuple[str, str]] = {}  # item id → (state, message)
    for o in outcomes:
        it = items.get(o.item_id)
        if it is None or it.state in ("success", "fail"):
            continue
        meta = dict(it.payload.get("_meta") or {})
        op = meta.get("op")
        payload = strip_meta(it.payload)
        if o.ok:
            _success_rows(b_content_type, op, it, payload, meta, o.remote, now, ledger_rows, merge_rows, cleared)
            done_ok.append(it.id)
            summary.succeeded += 1
            continue
        # failure -------------------------------------------------------------------------
        if o.message:
            msg = o.message
        elif op == "create" and o.remote is not None and _already_created(o.reasons):
            # the SKU exists on N11 already (a previous send landed): fine unless the category differs
            remote = o.remote
            cid = payload.get("categoryId")
            if cid is not None and remote.category_id is not None and int(remote.category_id) != int(cid):
                msg = penalty.category_message(s, remote.category_id)
            else:
                _success_rows(b_content_type, op, it, payload, meta, remote, now, ledger_rows, merge_rows, cleared)
                note = (penalty.MSG_PENDING_APPROVAL if ledger.state_for_remote_status(remote.status)
                        == "pending_approval" else penalty.MSG_NOT_IN_QUEUE)
                done_msg[it.id] = ("success", note)
                logs.append(("WARNING", it.object_key, note))
                summary.succeeded += 1
                continue
        else:
            msg = penalty.translate_reason(o.reasons)
        done_msg[it.id] = ("fail", msg)
        penalty.penalize(s, b_content_type, it.object_id, it.object_key, "remote", msg, config, now)
        fields: dict[str, Any] = {"error": msg}
        if op == "create":
            prev = ledger.get(s, "product", it.object_id)
            if prev is None or prev.state not in ledger.CREATED_STATES:
                fields["state"] = "failed"
        elif b_content_type != "product":
            fields["state"] = "failed"
        ledger.upsert(s, b_content_type, it.object_id, it.object_key, now, **fields)
        summary.failed += 1
        summary.penalized += 1
        logs.append(("WARNING", it.object_key, msg))
    s.flush()
    ledger.bulk_upsert(s, ledger_rows, merge_values=False)
    ledger.bulk_upsert(s, merge_rows, merge_values=True)
    for start in range(0, len(done_ok), 900):
        s.execute(update(BatchItem).where(BatchItem.id.in_(done_ok[start:start + 900]))
                  .values(state="success", message=None))
    for item_id, (state, message) in done_msg.items():
        s.execute(update(BatchItem).where(BatchItem.id == item_id).values(state=state, message=message))
    for ct, ids in cleared.items():
        penalty.clear(s, ct, ids, now)


def _already_created(reasons: Sequence[str]) -> bool:
    return any("daha önce ürün oluşturulmuştur" in r for r in reasons)


def _row(ct: str, it: _Item, now: datetime, state: str, **kw: Any) -> dict:
    row = {"content_type": ct, "object_id": it.object_id, "object_key": it.object_key, "state": state,
           "last_error": None, "last_sent_at": now, "updated_at": now, "last_values": {}}
    row.update(kw)
    return row


def _success_rows(ct: str, op: str | None, it: _Item, payload: Mapping[str, Any], meta: Mapping[str, Any],
                  remote: RemoteProduct | None, now: datetime, rows: list[dict], merge_rows: list[dict],
                  cleared: dict[str, list[int]]) -> None:
    oid = it.object_id
    remote_kw: dict[str, Any] = {}
    if remote is not None:
        remote_kw = {"remote_id": str(remote.n11_product_id) if remote.n11_product_id is not None else None,
                     "remote_status": remote.status}
    cleared.setdefault(ct, []).append(oid)
    if op == "create":
        state = ledger.state_for_remote_status(remote.status) if remote is not None else "pending_approval"
        rows.append(_row("product", it, now, state, version_date=it.version_date,
                         last_values=ledger.product_values(payload), **remote_kw))
        if "quantity" in payload:
            rows.append(_row("productstock", it, now, "synced", version_date=_dt(meta.get("stock_vd")),
                             last_values={"quantity": payload["quantity"]}))
        if "salePrice" in payload:
            rows.append(_row("productprice", it, now, "synced", version_date=_dt(meta.get("price_vd")),
                             last_values=_price_values(payload)))
        cleared.setdefault("productstock", []).append(oid)
        cleared.setdefault("productprice", []).append(oid)
    elif op == "update":
        merge_rows.append(_row("product", it, now, "active", version_date=it.version_date,
                               last_values=ledger.product_values(payload), **remote_kw))
    elif op == "zero_stock":
        rows.append(_row("product", it, now, "removed", version_date=it.version_date))
        # version date cleared: if the product comes back to the catalog its stock is sent again
        merge_rows.append(_row("productstock", it, now, "synced", version_date=None, last_values={"quantity": 0}))
    elif op == "seller_delete":
        rows.append(_row("product", it, now, "seller_code_deleted"))
    elif op == "price_stock":
        if ct == "productstock":
            rows.append(_row(ct, it, now, "synced", version_date=it.version_date,
                             last_values={"quantity": payload.get("quantity")}))
        else:
            rows.append(_row(ct, it, now, "synced", version_date=it.version_date, last_values=_price_values(payload)))


def _price_values(payload: Mapping[str, Any]) -> dict:
    return {"salePrice": _num(payload.get("salePrice")), "listPrice": _num(payload.get("listPrice")),
            "currencyType": payload.get("currencyType")}


def _num(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    return v


def _dt(v: Any) -> datetime | None:
    if v is None or isinstance(v, datetime):
        return v
    try:
        return datetime.fromisoformat(str(v))
    except ValueError:
        return None


#: how long the early results' writer waits for the sending thread's next request (seconds)
TURN_WAIT_S = 0.2


class EarlyResults:
    """Task results applied while the batch is still being posted.

    Each time a task of the batch is acknowledged, the task acknowledged before it is polled
    once on a helper thread (with its own client) and, when N11 reports it processed, its
    per-SKU results are applied there: the CPU work of applying results runs while the sending
    thread waits for N11's answer to the next post, instead of after the last post. A task N11
    still reports ``IN_QUEUE`` (or whose poll fails) is left as it is for ``task_results``, and
    the rest of the batch is then not polled early either (N11 is slower than our posts: each
    look would be a wasted request), so this costs one request per task at most, usually one
    per batch when N11 takes its time, and never one for the last task. Applying one task's
    results next to a send is what ``task_results`` already may do: each task in its own
    transaction, touching only records in state ``sent`` (which a post never writes again);
    nothing here posts anything."""

    def __init__(self, db: Database, new_client: Callable[[], N11Port], config: ChannelConfig, batch_id: int,
                 content_type: str, *, clock: Callable[[], datetime], log_fn: LogFn = _noop_log,
                 should_stop: Callable[[], bool] = lambda: False,
                 in_flight: threading.Event | None = None) -> None:
        self._db, self._new_client, self._config = db, new_client, config
        # set while the sending thread's request is on the wire: a task's results are written then,
        # so that the sending thread's own transactions (its marks and acknowledgements, on the
        # critical path of the push) do not wait for the write lock behind them
        self._in_flight = in_flight
        self._batch_id, self._ct = batch_id, content_type
        self._clock, self._log_fn, self._should_stop = clock, log_fn, should_stop
        # results are read on one thread and applied, in task order, on another: reading the next
        # task's results (N11's round trip) overlaps applying this one's, so applying keeps pace
        # with the posts (one thread doing both fell behind and left a backlog at the end)
        self._fetch = ThreadPoolExecutor(max_workers=1, thread_name_prefix="n11-early-fetch")
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="n11-early-results")
        self._fetch_client: N11Port | None = None  # each thread its own client (one thread at a time)
        self._client: N11Port | None = None
        self._previous: str | None = None
        self._gave_up = False  # a task was still in N11's queue (or its poll failed)
        self.tasks_applied = 0
        self.summary = PollSummary()

    def acknowledged(self, task_id: str) -> None:
        """A task of the batch was acknowledged (its records are ``sent``): poll the one before it."""
        previous, self._previous = self._previous, task_id
        if previous is not None and previous != task_id and not self._gave_up:
            self._pool.submit(self._poll, previous, self._fetch.submit(self._get, previous))

    def _get(self, tid: str) -> TaskResult | None:
        if self._should_stop() or self._gave_up:
            return None
        if self._fetch_client is None:
            self._fetch_client = self._new_client()
        try:
            result = self._fetch_client.get_task_result(int(tid))
        except Exception:
            self._gave_up = True  # _poll logs it; no later look either
            raise
        if not result.done:
            # decided here, on the one fetching thread, before it takes the next look: a look that
            # waited for the applying thread to read this answer could already be on its way
            self._gave_up = True
        return result

    def _poll(self, tid: str, fetched: Future) -> None:
        if self._should_stop() or self._gave_up:
            return
        try:
            result = fetched.result()
            if result is None:
                return
            if not result.done:
                self._gave_up = True
                return
            if self._client is None:  # (for the product lookups of SKUs N11 says exist already)
                self._client = self._new_client()
            _apply_task_result(self._db, self._client, self._batch_id, self._ct, tid, result, self._config,
                               self._clock(), self.summary, self._log_fn, wait_turn=self._wait_turn)
            self.tasks_applied += 1
        except Exception as exc:  # noqa: BLE001 - nothing is lost: the task stays "sent" for task_results
            self._gave_up = True
            self._log_fn(f"task {tid}: its results were not read yet ({exc}); task_results will poll it",
                         level="INFO")

    def _wait_turn(self) -> None:
        """Until the sending thread's next request is on the wire (at most TURN_WAIT_S: a send
        that ended or stalls holds nothing up)."""
        if self._in_flight is not None and not self._should_stop():
            self._in_flight.wait(TURN_WAIT_S)

    def close(self) -> PollSummary:
        """Wait for the polls already asked for (no thread outlives the send); their summary."""
        self._pool.shutdown(wait=True)
        self._fetch.shutdown(wait=True)
        for client in (self._client, self._fetch_client):
            if client is not None and hasattr(client, "close"):
                client.close()
        return self.summary


@with_gc_paused
def poll(db: Database, client: N11Port, config: ChannelConfig, *, clock: Callable[[], datetime],
         content_type: str | None = None, log_fn: LogFn = _noop_log,
         should_stop: Callable[[], bool] = lambda: False) -> PollSummary:
    """sent_to_remote/ongoing → done|fail: poll every task in flight; apply per-SKU results;
    penalize what got no result within sent_to_remote EXPIRATION_HOUR."""
    summary = PollSummary()
    hours = config.sent_to_remote_expiration_hours
    with db.session_factory() as s:
        q = select(Batch.id, Batch.content_type, Batch.sent_at, Batch.created_at).where(
            Batch.state.in_(BATCH_ACTIVE_STATES))
        if content_type:
            q = q.where(Batch.content_type == content_type)
        batches = s.execute(q.order_by(Batch.id)).all()
    for batch_id, ct, sent_at, created_at in batches:
        with db.session_factory() as s:
            tasks = [t for (t,) in s.execute(select(BatchItem.remote_task_id).where(
                BatchItem.batch_id == batch_id, BatchItem.state == "sent").distinct())]
        any_in_queue = False
        # The next task's result is fetched while this one's is written to the database (N11's
        # round trip overlaps our own work). HTTP calls still go one at a time and in the same
        # order (the fetch starts after this task's product lookups); results are applied in
        # task order, each in its own transaction, exactly as without the overlap.
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="n11-task-poll") if len(tasks) > 1 else None
        ahead: list[Future] = []
        try:
            for idx, tid in enumerate(tasks):
                if should_stop():
                    from .flows.base import FlowCancelled

                    raise FlowCancelled()
                result = ahead.pop().result() if ahead else client.get_task_result(int(tid))
                if not result.done:
                    any_in_queue = True
                    summary.queued_types.add(ct)
                    continue

                def fetch_next(idx: int = idx) -> None:
                    if pool is not None and idx + 1 < len(tasks) and not should_stop():
                        ahead.append(pool.submit(client.get_task_result, int(tasks[idx + 1])))

                _apply_task_result(db, client, batch_id, ct, tid, result, config, clock(), summary, log_fn,
                                   before_write=fetch_next)
        finally:
            if pool is not None:
                pool.shutdown(wait=True)  # a fetch still in flight finishes; no thread outlives the poll
        now = clock()
        with db.session_factory.begin() as s:
            b = s.get(Batch, batch_id)
            if any_in_queue and b.state in ("commit", "sent_to_remote"):
                b.state = "ongoing"
            started = b.sent_at or b.created_at
            if started is not None and now - started > timedelta(hours=hours):
                _expire(s, b, config, now, hours, summary)
            if _maybe_finish(s, b, now):
                summary.batches_finished += 1
            else:
                summary.pending += s.scalar(select(_count()).where(BatchItem.batch_id == batch_id,
                                                                   BatchItem.state == "sent")) or 0
    return summary


def _count():
    from sqlalchemy import func

    return func.count(BatchItem.id)


def _expire(s: Session, b: Batch, config: ChannelConfig, now: datetime, hours: float, summary: PollSummary) -> None:
    msg = penalty.MSG_SENT_TO_REMOTE.format(hours=hours)
    items = s.scalars(select(BatchItem).where(BatchItem.batch_id == b.id,
                                              BatchItem.state.in_(("sent", "sending")))).all()
    for it in items:
        it.state, it.message = "fail", msg
        penalty.penalize(s, b.content_type, it.object_id, it.object_key, "remote", msg, config, now)
        ledger.upsert(s, b.content_type, it.object_id, it.object_key, now, error=msg)
        summary.failed += 1
        summary.penalized += 1
    if items:
        b.error = msg
        summary.messages.append(f"batch {b.id}: {len(items)} record(s) penalized ({msg})")


def _sent_items_sql(dialect: Any) -> str:
    key = (dialect.name, "sent", 0)
    sql = _SQL.get(key)
    if sql is None:
        m = mark(dialect)
        # "+batch_id": the task's index, not the batch's: SQLite (no statistics) took the batch's and
        # read every record of the batch for each task (100k row reads a task in a 100k push)
        sql = _SQL[key] = ("SELECT id, object_id, object_key, payload, version_date FROM batch_item "
                           f"WHERE +batch_id = {m} AND remote_task_id = {m} AND state = {m} ORDER BY id")
    return sql


def _apply_task_result(db: Database, client: N11Port, batch_id: int, ct: str, tid: str, result: TaskResult,
                       config: ChannelConfig, now: datetime, summary: PollSummary, log_fn: LogFn,
                       before_write: Callable[[], None] | None = None,
                       wait_turn: Callable[[], None] | None = None) -> None:
    dialect = db.engine.dialect
    # driver level: the payload's text, decoded after the read transaction; a snapshot without the
    # write lock (read_session): the sending thread's marks and acknowledgements do not wait for it
    with db.read_session() as s:
        cur = s.connection().connection.cursor()
        try:
            cur.execute(_sent_items_sql(dialect), (batch_id, str(tid), "sent"))
            rows = cur.fetchall()
        finally:
            cur.close()
    items = [(r[0], r[1], r[2], _json_value(r[3]), r[4]) for r in rows]
    del rows
    ready = _prepare_successes(db, ct, result, items, now)  # the usual task: every record succeeded
    if ready is not None:
        if before_write is not None:  # no HTTP of this task at all
            before_write()
            before_write = None
        if wait_turn is not None:
            wait_turn()
        try:
            with db.session_factory.begin() as s:
                if not ready.claim(s):
                    raise _Claimed()
                ready.write(s, now, summary)
                _touch_batch(s, batch_id, now)
        except _Claimed:
            pass  # some were applied meanwhile: the general path applies the rest
        else:
            log_fn(f"task {tid}: {result.status}, {len(items)} of {len(items)} SKU(s) succeeded", level="INFO")
            return
    _apply_general(db, client, batch_id, ct, tid, result, config, now, summary, log_fn, items,
                   before_write=before_write, prepared=ready is None)


def _apply_general(db: Database, client: N11Port, batch_id: int, ct: str, tid: str, result: TaskResult,
                   config: ChannelConfig, now: datetime, summary: PollSummary, log_fn: LogFn, raw: Sequence[tuple],
                   *, before_write: Callable[[], None] | None, prepared: bool) -> None:
    """A task with failures (or whose records were partly applied meanwhile: ``prepared``
    False): each record's outcome, with the product lookups of SKUs N11 says exist already."""
    result_p = _version_date_result(db.engine.dialect)
    preloaded = {r[0]: _Item(r[0], r[1], r[2], r[3], result_p(r[4]) if result_p is not None else r[4], "sent")
                 for r in raw}
    items = [(it.id, it.object_key, it.payload) for it in preloaded.values()]
    by_code: dict[str, Any] = {}
    for r in result.skus:
        by_code.setdefault(r.stock_code, r)
    outcomes: list[_Outcome] = []
    lookups: list[tuple[int, str]] = []
    rejected = result.status.upper() == "REJECT"
    for item_id, key, payload in items:
        if rejected:
            reason = "; ".join(result.reasons) or "task rejected"
            outcomes.append(_Outcome(item_id, False, tuple(result.reasons),
                                     message=f"N11 rejected the task {tid}: {reason}"))
            continue
        r = by_code.get(key)
        if r is None:
            outcomes.append(_Outcome(item_id, False, message=f"N11 processed task {tid} without a result for {key}"))
        elif r.ok:
            outcomes.append(_Outcome(item_id, True))
        else:
            op = (payload.get("_meta") or {}).get("op")
            if op == "create" and _already_created(r.reasons):
                lookups.append((item_id, key))
            outcomes.append(_Outcome(item_id, False, tuple(r.reasons)))
    remotes: dict[int, RemoteProduct | None] = {}
    for item_id, key in lookups[:ALREADY_CREATED_LOOKUP_LIMIT]:  # HTTP outside the write transaction
        remotes[item_id] = client.get_remote_product(key)
    outcomes = [(_Outcome(o.item_id, o.ok, o.reasons, remote=remotes[o.item_id], message=o.message)
                 if o.item_id in remotes else o) for o in outcomes]
    logs: list[tuple[str, str, str]] = []
    if before_write is not None:  # no more HTTP of this task from here on
        before_write()
    ready = _prepare_some(db, ct, outcomes, preloaded, now) if prepared else None
    if ready is not None:
        try:
            with db.session_factory.begin() as s:
                if not ready.claim(s):  # (before anything else is written or counted)
                    raise _Claimed()
                apply_outcomes(s, ct, [o for o in outcomes if not o.ok], config, now, summary, logs,
                               preloaded=preloaded)
                ready.write(s, now, summary)
                _touch_batch(s, batch_id, now)
        except _Claimed:
            ready = None
    if ready is None:
        with db.session_factory.begin() as s:
            apply_outcomes(s, ct, outcomes, config, now, summary, logs, preloaded=preloaded)
            _touch_batch(s, batch_id, now)
    ok = sum(1 for o in outcomes if o.ok)
    log_fn(f"task {tid}: {result.status}, {ok} of {len(outcomes)} SKU(s) succeeded", level="INFO")
    for level, key, msg in logs[:500]:
        log_fn(msg, level=level, object_type="product", object_key=key)
