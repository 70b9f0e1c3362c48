"""Batches (DESIGN §7): records sent to N11 as product tasks, written down before they leave.

State machine of a batch: ``initialized`` (being assembled) → ``commit`` (records written as
about-to-send) → ``sent_to_remote`` (N11 acknowledged at least one task; its id is stored the
moment the acknowledgement arrives) → ``ongoing`` (N11 is processing) → ``done`` | ``fail``.
At most one batch per content type is in flight (a partial unique index enforces it).

A batch may span several N11 tasks (≤ page size SKUs each); every record (``batch_item``)
knows the task that carried it. Record states::

    pending  → in the batch, its post has not started
    sending  → its post is leaving now (committed before the HTTP request)
    sent     → N11 acknowledged the task (``remote_task_id`` set)
    success | fail            → N11's per-SKU result (or a rejected task / sent_to_remote expiry)
    unsent   → never posted (cancel, network down before the post): eligible again at once
    unknown  → posted but the acknowledgement was lost (crash, timeout): resolved by asking
               N11 (product-query), never by a blind duplicate post; penalized with the
               sent_to_remote message if N11 shows nothing within EXPIRATION_HOUR

After a restart :func:`recover_in_flight` turns ``pending`` into ``unsent`` and ``sending``
into ``unknown``, then polls the tasks in flight and resolves the unknown records. It treats a
batch as abandoned once untouched for :data:`STALE_AFTER_S` (its sender may be another live
process); the instance-lease holder releases every batch in flight at start-up at once instead
(:func:`take_over_abandoned`, called by ``schedule.recover_on_start``).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from . import ledger, penalty
from .settings import ChannelConfig
from .storage.db import marks
from .storage.models import BATCH_ACTIVE_STATES, Batch, BatchItem

if TYPE_CHECKING:
    from .n11.models import RemoteProduct, TaskAck, TaskResult
    from .n11.port import N11Port
    from .storage.db import Database

log = logging.getLogger(__name__)

IN_FLIGHT_ITEM_STATES = ("pending", "sending", "sent", "unknown")
#: which N11 task each batch operation posts
OPS = ("create", "update", "delete", "price_stock", "zero_stock", "seller_delete")
UNKNOWN_RESOLVE_LIMIT = 5000  # lost-acknowledgement records resolved per run (looked up in category pages)
ALREADY_CREATED_LOOKUP_LIMIT = 500

LogFn = Callable[..., None]


class BatchInFlight(Exception):
    """Another batch of this content type is still in flight."""


@dataclass(frozen=True, slots=True)
class SendItem:
    object_id: int
    object_key: str
    payload: Mapping[str, Any]  # the exact N11 sku dict
    version_date: datetime | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)  # other version dates, op details


@dataclass
class SendSummary:
    batch_id: int
    tasks: int = 0
    sent: int = 0
    rejected: int = 0
    unsent: int = 0
    unknown: int = 0
    penalized: int = 0
    error: str | None = None
    fatal: bool = False


@dataclass
class PollSummary:
    succeeded: int = 0
    failed: int = 0
    penalized: int = 0
    pending: int = 0
    resolved_unknown: int = 0
    batches_finished: int = 0
    messages: list[str] = field(default_factory=list)
    queued_types: set[str] = field(default_factory=set)  # content types with a task N11 reports IN_QUEUE


def _noop_log(*_a: Any, **_k: Any) -> None:
    return None


_gc_lock = threading.Lock()
_GC_SETTLE_AFTER = 50_000  # objects allocated during a pause
_gc_depth = 0
_gc_was_enabled = False


@contextlib.contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while a bulk step allocates many long-lived objects.

    A 100k push builds, writes and applies hundreds of thousands of small dicts that survive
    young collections; CPython's collector then re-traverses the whole heap again and again
    (measured: about half of a 20k push). Reference counting still frees everything acyclic;
    the collector is back on (and catches up at once) when the outermost pause ends. Nesting and
    concurrent flows are counted, so only the last one out restores the previous state.
    """
    global _gc_depth, _gc_was_enabled
    with _gc_lock:
        if _gc_depth == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_depth += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_depth -= 1
            if _gc_depth == 0 and _gc_was_enabled:
                gc.enable()
                if gc.get_count()[0] > _GC_SETTLE_AFTER:
                    # a bulk step left many new objects: one full collection now, paid by the
                    # step itself, rather than in whatever code happens to allocate next
                    gc.collect()


def with_gc_paused(fn):
    """Decorator form of :func:`gc_paused`."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any):
        with gc_paused():
            return fn(*args, **kwargs)
    return wrapper


# ----------------------------------------------------------------------------- queries
def active_batch(session: Session, content_type: str) -> Batch | None:
    return session.scalars(select(Batch).where(Batch.content_type == content_type,
                                               Batch.state.in_(BATCH_ACTIVE_STATES))).first()


def in_flight_clause(content_type: str, object_id_col: Any):
    """SQL condition: the object is part of an unresolved send of this content type."""
    return exists().where(BatchItem.object_id == object_id_col, BatchItem.state.in_(IN_FLIGHT_ITEM_STATES),
                          BatchItem.batch_id == Batch.id, Batch.content_type == content_type)


# ----------------------------------------------------------------------------- create + send
def _item_rows(batch_id: int, op: str, items: Sequence[SendItem]) -> list[dict]:
    return [dict(batch_id=batch_id, object_id=it.object_id, object_key=it.object_key,
                 payload={**dict(it.payload), "_meta": {**dict(it.meta), "op": op}},
                 version_date=it.version_date, state="pending") for it in items]


_ITEM_COLUMNS = ("batch_id", "object_id", "object_key", "payload", "version_date", "state")


def _insert_items(s: Session, batch_id: int, op: str, items: Sequence[SendItem]) -> None:
    """The rows of :func:`_item_rows`, inserted at the driver level (executemany): each value
    goes through its column type's own bind processor, so the stored text is the same as an
    ORM/Core insert's, without SQLAlchemy's per-row parameter handling (100k records)."""
    conn = s.connection()
    dialect = conn.dialect
    table = BatchItem.__table__
    procs = [ledger.memo_processor(table.c[k].type.dialect_impl(dialect).bind_processor(dialect))
             for k in _ITEM_COLUMNS]
    # sqlite3 executemany / psycopg executemany (one pipeline of prepared inserts)
    sql = (f"INSERT INTO batch_item ({', '.join(_ITEM_COLUMNS)}) "
           f"VALUES ({marks(dialect, len(_ITEM_COLUMNS))})")
    for start in range(0, len(items), 5000):
        rows = []
        for it in items[start:start + 5000]:
            payload = {**dict(it.payload), "_meta": {**dict(it.meta), "op": op}}
            rows.append(tuple(_proc(p, v) for p, v in zip(procs, (
                batch_id, it.object_id, it.object_key, payload, it.version_date, "pending"))))
        conn.exec_driver_sql(sql, rows)


def _proc(p: Any, v: Any) -> Any:
    return p(v) if p is not None else v


@with_gc_paused
def create_batch(db: Database, content_type: str, flow: str, op: str, items: Sequence[SendItem], now: datetime, *,
                 finalize: bool = True) -> int:
    """initialized → commit: the batch and its records are written before anything leaves.

    With ``finalize=False`` the batch stays ``initialized`` so more records can be added page by
    page (:func:`add_items`) before :func:`commit_batch`; a crash meanwhile leaves only records
    that recovery releases (``pending`` → ``unsent``)."""
    if op not in OPS:
        raise ValueError(f"unknown batch op {op!r}")
    try:
        with db.session_factory.begin() as s:
            if active_batch(s, content_type) is not None:
                raise BatchInFlight(content_type)
            batch = Batch(content_type=content_type, flow=flow, state="initialized", total=len(items),
                          created_at=now, updated_at=now)
            s.add(batch)
            s.flush()
            _insert_items(s, batch.id, op, items)
            if finalize:
                batch.state = "commit"
            return batch.id
    except IntegrityError as exc:  # a concurrent writer won the race for this content type
        raise BatchInFlight(content_type) from exc


@with_gc_paused
def add_items(db: Database, batch_id: int, op: str, items: Sequence[SendItem], now: datetime) -> None:
    with db.session_factory.begin() as s:
        b = s.get(Batch, batch_id)
        if b.state != "initialized":
            raise ValueError(f"batch {batch_id} is {b.state}; records are added only while it is initialized")
        _insert_items(s, batch_id, op, items)
        b.total = (b.total or 0) + len(items)
        b.updated_at = now


def abandon_batch(db: Database, batch_id: int, now: datetime, reason: str) -> None:
    """Assembly stopped (cancel): release its records; nothing was posted."""
    with db.session_factory.begin() as s:
        _set_items_where(s, batch_id, "pending", "unsent")
        b = s.get(Batch, batch_id)
        b.error = reason
        _maybe_finish(s, b, now)


def commit_batch(db: Database, batch_id: int, now: datetime) -> None:
    with db.session_factory.begin() as s:
        b = s.get(Batch, batch_id)
        if b.state == "initialized":
            b.state = "commit"
            b.updated_at = now


def _post(client: N11Port, op: str, skus: list[dict]) -> list[TaskAck]:
    if op == "create":
        return client.create_products(skus, raise_on_reject=False)
    if op == "update":
        return client.update_products(skus, raise_on_reject=False)
    if op == "seller_delete":
        return client.delete_products([s["stockCode"] for s in skus], raise_on_reject=False)
    return client.update_price_stock(skus, raise_on_reject=False)


def strip_meta(payload: Mapping[str, Any]) -> dict:
    return {k: v for k, v in payload.items() if k != "_meta"}


@with_gc_paused
def send_batch(db: Database, batch_id: int, client: N11Port, config: ChannelConfig, *, page_size: int = 1000,
               clock: Callable[[], datetime], should_stop: Callable[[], bool] = lambda: False,
               progress: Callable[[int, int], None] | None = None, log_fn: LogFn = _noop_log) -> SendSummary:
    """commit → sent_to_remote: post the batch page by page; store each task id on arrival."""
    summary = SendSummary(batch_id=batch_id)
    page_size = max(1, min(int(page_size or 1000), 1000))
    with db.session_factory() as s:
        all_ids = list(s.scalars(select(BatchItem.id).where(BatchItem.batch_id == batch_id,
                                                            BatchItem.state == "pending").order_by(BatchItem.id)))
    total = len(all_ids)
    op = None
    done = 0
    stopped = False
    pages = [all_ids[start:start + page_size] for start in range(0, total, page_size)]
    # The next page's payloads are read (read-only: they never change once written) while this
    # page's request is on the wire; its records are still marked "sending" only right before
    # its own request leaves.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="n11-batch-send") if len(pages) > 1 else None
    ahead: Future | None = None
    try:
        for n_page, ids in enumerate(pages):
            if should_stop():
                stopped = True
                break
            now = clock()
            page_op, skus = ahead.result() if ahead is not None else _load_page(db, ids)
            ahead = None
            with db.session_factory.begin() as s:  # written as about-to-send before the request leaves
                if _set_items(s, ids, state="sending", only_state="pending") != len(ids):
                    # another process released this batch meanwhile (the lease holder's start-up
                    # takeover): its records may be sent again by it, so nothing more leaves here
                    _set_items(s, ids, state="unsent", only_state="sending")
                    summary.error = (f"batch {batch_id} was taken over by another process; "
                                     "its remaining records were not posted")
                    summary.fatal = True
                    break
                b = s.get(Batch, batch_id)
                if b.sent_at is None:
                    b.sent_at = now
                b.updated_at = now
            if op is None:
                op = page_op
            if pool is not None and n_page + 1 < len(pages):
                ahead = pool.submit(_load_page, db, pages[n_page + 1])
            done, brk = _send_page(db, batch_id, client, config, op, ids, skus, clock, summary, log_fn, done,
                                   total, progress)
            del skus
            if brk:
                break
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    # anything not posted (cancel, fatal error) is released at once
    with db.session_factory.begin() as s:
        summary.unsent += _set_items_where(s, batch_id, "pending", "unsent")
        b = s.get(Batch, batch_id)
        if summary.error:
            b.error = summary.error
        _maybe_finish(s, b, clock())
    if stopped:
        from .flows.base import FlowCancelled

        raise FlowCancelled()
    return summary


def _load_page(db: Database, ids: Sequence[int]) -> tuple[str | None, list[dict]]:
    """(operation, N11 sku dicts) of one page of a batch, in ``ids`` order."""
    with db.session_factory() as s:
        payloads = dict(s.execute(select(BatchItem.id, BatchItem.payload).where(BatchItem.id.in_(ids))).all())
    op = (payloads[ids[0]].get("_meta") or {}).get("op")
    return op, [strip_meta(payloads[i]) for i in ids]


def _send_page(db: Database, batch_id: int, client: N11Port, config: ChannelConfig, op: str | None, ids: Sequence[int],
               skus: list[dict], clock: Callable[[], datetime], summary: SendSummary, log_fn: LogFn, done: int,
               total: int, progress: Callable[[int, int], None] | None) -> tuple[int, bool]:
    """Post one page (its records are "sending"); store the acknowledgement. → (done, stop?)"""
    from .n11.errors import N11Error

    try:
        acks = _post(client, op, skus)
    except N11Error as err:
        acks = list(getattr(err, "acks", ()) or ())
        if acks:  # earlier tasks of this call were accepted (cannot happen with one task per call)
            _record_acks(db, batch_id, ids, acks, clock(), summary, config, log_fn)
        if getattr(err, "outcome_unknown", False):
            with db.session_factory.begin() as s:
                summary.unknown += _set_items(s, ids, state="unknown", only_state="sending",
                                              message=f"outcome unknown: {err}")
            log_fn(f"{len(ids)} record(s) posted without an acknowledgement ({err}); they will be checked "
                   "on N11 before anything is sent again", level="WARNING")
        else:
            with db.session_factory.begin() as s:
                summary.unsent += _set_items(s, ids, state="unsent", only_state="sending", message=str(err))
        summary.error = str(err)
        summary.fatal = True
        return done, True
    _record_acks(db, batch_id, ids, acks, clock(), summary, config, log_fn)
    done += len(ids)
    if progress is not None:
        progress(done, total)
    return done, False


def _set_items(s: Session, ids: Sequence[int], *, state: str, only_state: str | None = None,
               message: str | None = None, task_id: str | None = None) -> int:
    n = 0
    for start in range(0, len(ids), 500):
        q = update(BatchItem).where(BatchItem.id.in_(ids[start:start + 500]))
        if only_state:
            q = q.where(BatchItem.state == only_state)
        values: dict[str, Any] = {"state": state}
        if message is not None:
            values["message"] = message
        if task_id is not None:
            values["remote_task_id"] = task_id
        n += s.execute(q.values(**values)).rowcount or 0
    return n


def _set_items_where(s: Session, batch_id: int, old: str, new: str) -> int:
    return s.execute(update(BatchItem).where(BatchItem.batch_id == batch_id, BatchItem.state == old)
                     .values(state=new)).rowcount or 0


def _record_acks(db: Database, batch_id: int, ids: Sequence[int], acks: Sequence[TaskAck], now: datetime,
                 summary: SendSummary, config: ChannelConfig, log_fn: LogFn) -> None:
    """The acknowledgement arrived: store N11's task id at once (one chunk = one task)."""
    failures: list[tuple[str, str]] = []
    with db.session_factory.begin() as s:
        b = s.get(Batch, batch_id)
        offset = 0
        for ack in acks:
            n = len(ack.stock_codes) or (len(ids) - offset)
            part = list(ids[offset:offset + n])
            offset += n
            tid = str(ack.task_id) if ack.task_id is not None else None
            summary.tasks += 1
            if ack.rejected:
                reason = "; ".join(ack.reasons) or "task rejected"
                msg = f"N11 rejected the task{' ' + tid if tid else ''}: {reason}"
                items = s.scalars(select(BatchItem).where(BatchItem.id.in_(part))).all()
                for it in items:
                    it.state, it.message, it.remote_task_id = "fail", msg, tid
                    penalty.penalize(s, b.content_type, it.object_id, it.object_key, "remote", msg, config, now)
                    ledger.upsert(s, b.content_type, it.object_id, it.object_key, now, error=msg)
                    failures.append((it.object_key, msg))
                summary.rejected += len(items)
                summary.penalized += len(items)
            else:
                summary.sent += _set_items(s, part, state="sent", task_id=tid, only_state="sending")
                ids_txt = ",".join(x for x in ((b.remote_task_id or "").split(",") + [tid or ""]) if x)
                b.remote_task_id = ids_txt
                if b.state == "commit":
                    b.state = "sent_to_remote"
        b.updated_at = now
    for sku, msg in failures[:200]:
        log_fn(msg, level="WARNING", object_type="product", object_key=sku)


def _maybe_finish(s: Session, b: Batch, now: datetime) -> bool:
    open_ = s.scalar(select(exists().where(BatchItem.batch_id == b.id,
                                           BatchItem.state.in_(("pending", "sending", "sent")))))
    if open_:
        return False
    counts: dict[str, int] = {}
    for st, in s.execute(select(BatchItem.state).where(BatchItem.batch_id == b.id)):
        counts[st] = counts.get(st, 0) + 1
    b.succeeded = counts.get("success", 0)
    b.failed = counts.get("fail", 0)
    posted = sum(v for k, v in counts.items() if k != "unsent")
    b.state = "done" if (b.succeeded or (posted and b.failed < posted)) else "fail"
    if not posted and not b.error:
        b.error = "nothing was sent"
    b.finished_at = now
    b.updated_at = now
    return True


# ----------------------------------------------------------------------------- results
@dataclass(frozen=True, slots=True)
class _Outcome:
    item_id: int
    ok: bool
    reasons: tuple[str, ...] = ()
    remote: RemoteProduct | None = None  # looked up for the record, when needed
    message: str | None = None  # final message (overrides translation)
    expired: bool = False


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


def _apply_task_result(db: Database, client: N11Port, batch_id: int, ct: str, tid: str, result: TaskResult,
                       config: ChannelConfig, now: datetime, summary: PollSummary, log_fn: LogFn,
                       before_write: Callable[[], None] | None = None) -> None:
    with db.session_factory() as s:
        rows = s.execute(select(BatchItem.id, BatchItem.object_id, BatchItem.object_key, BatchItem.payload,
                                BatchItem.version_date, BatchItem.state).where(
            BatchItem.batch_id == batch_id, BatchItem.remote_task_id == tid, BatchItem.state == "sent")).all()
    preloaded = {r[0]: _Item(*r) for r in rows}
    items = [(r[0], r[2], r[3]) for r in rows]
    del rows
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
    with db.session_factory.begin() as s:
        apply_outcomes(s, ct, outcomes, config, now, summary, logs, preloaded=preloaded)
        b = s.get(Batch, batch_id)
        b.updated_at = now
    ok = sum(1 for o in outcomes if o.ok)
    log_fn(f"task {tid}: {result.status}, {ok} of {len(outcomes)} SKU(s) succeeded", level="INFO")
    for level, key, msg in logs[:500]:
        log_fn(msg, level=level, object_type="product", object_key=key)


# ----------------------------------------------------------------------------- recovery
STALE_AFTER_S = 120.0


def recover_in_flight(db: Database, client: N11Port | None = None, config: ChannelConfig | None = None, *,
                      clock: Callable[[], datetime] | None = None, log_fn: LogFn = _noop_log,
                      content_type: str | None = None, stale_after_s: float = STALE_AFTER_S) -> PollSummary:
    """After a restart (or before every send): nothing in flight is re-sent blindly.

    Records never posted become ``unsent``; records whose post left without an acknowledgement
    become ``unknown`` and are resolved with product-query; tasks in flight are polled. A batch
    whose sender is still alive touches ``updated_at`` at every page, so only batches untouched
    for ``stale_after_s`` are treated as abandoned by a crashed process.

    ``client``/``config``/``clock`` default to the stored settings and the wall clock (HTTP:
    never call this on the GUI thread).
    """
    if config is None:
        from .settings import load_config

        with db.session_factory() as s:
            config = load_config(s)
    if clock is None:
        from .storage.models import utcnow as clock
    if client is None:
        from .n11.client import client_from_config

        with client_from_config(config.conf) as own:
            return recover_in_flight(db, own, config, clock=clock, log_fn=log_fn, content_type=content_type,
                                     stale_after_s=stale_after_s)
    now = clock()
    with db.session_factory.begin() as s:
        q = select(Batch).where(Batch.state.in_(BATCH_ACTIVE_STATES),
                                Batch.updated_at <= now - timedelta(seconds=stale_after_s))
        if content_type:
            q = q.where(Batch.content_type == content_type)
        for b in s.scalars(q):
            _release_abandoned(s, b)
    # the tasks whose ids we hold are polled first: what N11 reports of them decides which
    # lost-acknowledgement records may already be judged (nothing of ours still IN_QUEUE)
    polled = poll(db, client, config, clock=clock, content_type=content_type, log_fn=log_fn)
    summary = resolve_unknown(db, client, config, clock=clock, log_fn=log_fn, content_type=content_type,
                              queue_busy=polled.queued_types)
    for k in ("succeeded", "failed", "penalized", "pending", "batches_finished"):
        setattr(summary, k, getattr(summary, k) + getattr(polled, k))
    summary.messages.extend(polled.messages)
    return summary


def _release_abandoned(s: Session, b: Batch) -> None:
    """The sender of ``b`` is gone: its posts without an acknowledgement become ``unknown`` (asked
    of N11 later, never re-sent blindly) and its records never posted become ``unsent``."""
    n_sending = s.execute(update(BatchItem).where(BatchItem.batch_id == b.id, BatchItem.state == "sending")
                          .values(state="unknown", message="posted without an acknowledgement")).rowcount
    _set_items_where(s, b.id, "pending", "unsent")
    if n_sending:
        b.error = f"{n_sending} record(s) posted without an acknowledgement; checking N11"


def take_over_abandoned(db: Database, now: datetime) -> list[int]:
    """Start-up recovery of the instance-lease holder (``core.instance``): every batch still in
    flight was left by a previous process and is released at once, without waiting
    :data:`STALE_AFTER_S` (database only, no HTTP). Returns the ids of the batches taken over.

    Only the process that just took the lease may call this, before it starts any flow of its
    own (``schedule.recover_on_start``): a process without the lease cannot know whether another
    live process sends, and keeps the ``stale_after_s`` rule of :func:`recover_in_flight`. The
    batches stay in flight; the next :func:`recover_in_flight` (``task_results`` on start, or the
    ``_settle`` step of any send) polls their tasks and resolves their ``unknown`` records by
    product-query, exactly as for a stale batch.
    """
    with db.session_factory.begin() as s:
        taken = list(s.scalars(select(Batch).where(Batch.state.in_(BATCH_ACTIVE_STATES)).order_by(Batch.id)))
        for b in taken:
            _release_abandoned(s, b)
            b.updated_at = now
        ids = [b.id for b in taken]
    if ids:
        log.warning("took over %d batch(es) left in flight by a previous process: %s",
                    len(ids), ", ".join(map(str, ids)))
    return ids


def resolve_unknown(db: Database, client: N11Port, config: ChannelConfig, *, clock: Callable[[], datetime],
                    log_fn: LogFn = _noop_log, content_type: str | None = None,
                    queue_busy: frozenset[str] | set[str] = frozenset()) -> PollSummary:
    """Records posted without an acknowledgement: ask N11 whether the post took effect.

    N11 has no way to list tasks, so the task a lost acknowledgement left behind cannot be found
    by id; what N11 reports instead is its product state (product-query), read in category pages
    (:func:`lookup_remote`, ≈ 1 request per 250 SKUs) rather than one query per SKU.
    ``queue_busy``: content types with a task N11 still reports ``IN_QUEUE`` (from the poll just
    made): while N11 has not worked through our queue, "the value is not there yet" is no
    evidence, so such records are never expired, only left for the next run."""
    summary = PollSummary()
    hours = config.sent_to_remote_expiration_hours
    with db.session_factory() as s:
        q = (select(BatchItem.id, BatchItem.object_id, BatchItem.object_key, BatchItem.payload, Batch.content_type,
                    Batch.sent_at, Batch.created_at)
             .join(Batch, Batch.id == BatchItem.batch_id).where(BatchItem.state == "unknown"))
        if content_type:
            q = q.where(Batch.content_type == content_type)
        rows = s.execute(q.order_by(BatchItem.id).limit(UNKNOWN_RESOLVE_LIMIT)).all()
        hints = _category_hints(s, rows)
    if not rows:
        return summary
    remotes = lookup_remote(client, {key: hints.get(key) for _i, _o, key, *_r in rows})
    by_ct: dict[str, list[_Outcome]] = {}
    now = clock()
    for item_id, _oid, key, payload, ct, sent_at, created_at in rows:
        meta = payload.get("_meta") or {}
        op = meta.get("op")
        remote = remotes.get(key)
        verdict = _verdict(op, strip_meta(payload), remote)
        started = sent_at or created_at
        if verdict is None and now - started > timedelta(hours=hours) and ct not in queue_busy:
            by_ct.setdefault(ct, []).append(_Outcome(item_id, False, message=penalty.MSG_SENT_TO_REMOTE.format(
                hours=hours), expired=True))
        elif verdict is True:
            by_ct.setdefault(ct, []).append(_Outcome(item_id, True, remote=remote))
        elif verdict is False:
            by_ct.setdefault(ct, []).append(_Outcome(item_id, False, message=penalty.MSG_PRODUCT_NOT_FOUND))
    logs: list[tuple[str, str, str]] = []
    with db.session_factory.begin() as s:
        for ct, outs in by_ct.items():
            apply_outcomes(s, ct, outs, config, now, summary, logs)
    summary.resolved_unknown = sum(len(v) for v in by_ct.values())
    if summary.resolved_unknown:
        log_fn(f"resolved {summary.resolved_unknown} record(s) whose acknowledgement was lost by asking N11: "
               f"{summary.succeeded} had arrived, {summary.failed} penalized", level="INFO")
    for level, key, msg in logs[:500]:
        log_fn(msg, level=level, object_type="product", object_key=key)
    return summary


def _category_hints(s: Session, rows: Sequence[Any]) -> dict[str, int]:
    """stock code → the N11 category it was sent with (the record's own payload, else the ledger)."""
    hints: dict[str, int] = {}
    missing: dict[int, str] = {}
    for _item_id, oid, key, payload, *_rest in rows:
        cid = payload.get("categoryId")
        if cid is not None:
            with contextlib.suppress(TypeError, ValueError):
                hints[key] = int(cid)
                continue
        missing[oid] = key
    ids = list(missing)
    from .storage.models import IntegrationAction

    for start in range(0, len(ids), 900):
        for oid, values in s.execute(select(IntegrationAction.object_id, IntegrationAction.last_values).where(
                IntegrationAction.content_type == "product", IntegrationAction.object_id.in_(ids[start:start + 900]))):
            cid = (values or {}).get("categoryId")
            if cid is not None:
                with contextlib.suppress(TypeError, ValueError):
                    hints[missing[oid]] = int(cid)
    return hints


#: categories per product-query of :func:`lookup_remote` (kept short so the URL stays small)
LOOKUP_CATEGORIES_PER_QUERY = 40


def lookup_remote(client: N11Port, wanted: Mapping[str, int | None]) -> dict[str, RemoteProduct | None]:
    """stock code → its product on N11 (``RemoteProduct``) or ``None``, in few requests.

    Codes with a category hint are read from product-query pages filtered by those categories
    (250 rows a page) when that costs fewer requests than one query per code (decided from the
    first page's page count); every code *not* seen in those pages is asked for by stock code
    before it is reported absent, so a page that shifted while it was read (or a product N11
    moved to another category) can never make a record look unsent. Codes without a hint, or
    whose categories hold too many other products, are asked for one by one."""
    found: dict[str, RemoteProduct | None] = {}
    by_cat: dict[int, list[str]] = {}
    single: list[str] = []
    for code, cid in wanted.items():
        (by_cat.setdefault(int(cid), []) if cid is not None else single).append(code)
    cats = sorted(by_cat, key=lambda c: -len(by_cat[c]))
    for start in range(0, len(cats), LOOKUP_CATEGORIES_PER_QUERY):
        group = cats[start:start + LOOKUP_CATEGORIES_PER_QUERY]
        codes = {c for cat in group for c in by_cat[cat]}
        products, total_pages, last = client.query_product_page(0, category_ids=group)
        if not last and (total_pages is None or total_pages > len(codes)):
            single.extend(codes)  # the categories are mostly other products: per code is cheaper
            continue
        page = 0
        while True:
            for p in products:
                if p.stock_code in codes:
                    found[p.stock_code] = p
            if last or codes <= found.keys():
                break
            page += 1
            products, total_pages, last = client.query_product_page(page, category_ids=group)
        single.extend(c for c in codes if c not in found)
    for code in single:
        if code not in found:
            found[code] = client.get_remote_product(code)
    return found


def _verdict(op: str | None, payload: Mapping[str, Any], remote: RemoteProduct | None) -> bool | None:
    """Did the lost post take effect on N11? True / False (definitely failed) / None (not yet known)."""
    if op == "create":
        return True if remote is not None else None
    if op == "seller_delete":
        return True if remote is None else None
    if op in ("price_stock", "zero_stock"):
        if remote is None:
            return False
        ok = True
        if payload.get("quantity") is not None:
            ok = ok and remote.quantity == payload.get("quantity")
        if payload.get("salePrice") is not None:
            ok = ok and _eq_money(remote.sale_price, payload.get("salePrice")) and \
                _eq_money(remote.list_price, payload.get("listPrice"))
        return True if ok else None
    return None  # update: cannot be observed reliably; the expiry decides


def _eq_money(a: Any, b: Any) -> bool:
    try:
        return Decimal(str(a)).quantize(Decimal("0.01")) == Decimal(str(b)).quantize(Decimal("0.01"))
    except Exception:  # noqa: BLE001
        return False
