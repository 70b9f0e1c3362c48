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

This module writes the records down and sends them; :mod:`.batch_results` polls the tasks and
applies each record's outcome; :mod:`.batch_recovery` resolves what a crash or a lost
acknowledgement left in flight.

After a restart :func:`~.batch_recovery.recover_in_flight` turns ``pending`` into ``unsent`` and ``sending``
into ``unknown``, then polls the tasks in flight and resolves the unknown records. It treats a
batch as abandoned once untouched for :data:`~.batch_recovery.STALE_AFTER_S` (its sender may be another live
process); the instance-lease holder releases every batch in flight at start-up at once instead
(:func:`~.batch_recovery.take_over_abandoned`, called by ``schedule_facts.recover_on_start``).
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from sqlalchemy import Text, cast, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..gcpause import gc_paused
from . import ledger, penalty
from .logrows import insert_log_rows
from .n11.products import ENCODABLE, EncodedSku, encode_sku
from .n11.rest import encode_text, money
from .settings import ChannelConfig
from .storage.db import datetime_param, mark, marks
from .storage.models import BATCH_ACTIVE_STATES, Batch, BatchItem

if TYPE_CHECKING:
    from .n11.models import TaskAck
    from .n11.port import N11Port
    from .storage.db import Database

IN_FLIGHT_ITEM_STATES = ("pending", "sending", "sent", "unknown")
#: which N11 task each batch operation posts
OPS = ("create", "update", "delete", "price_stock", "zero_stock", "seller_delete")

LogFn = Callable[..., None]


class BatchInFlight(Exception):
    """Another batch of this content type is still in flight."""


class BatchTakenOver(Exception):
    """Records were to be added to a batch that another process released meanwhile (the lease
    holder's start-up takeover closed it): nothing more of it is written or posted here."""


@dataclass(frozen=True, slots=True)
class SendItem:
    object_id: int
    object_key: str
    payload: Mapping[str, Any]  # the exact N11 sku dict
    version_date: datetime | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)  # other version dates, op details
    #: op ``create`` only: the SKU's JSON as :func:`_encoded_text` would store it (built with the
    #: payload, ``products_send.build_payloads(encoded=True)``); ``payload`` is then not read
    text: str | None = None


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


# gc_paused: the process-wide pause of the cyclic collector (n11_desktop/gcpause.py), shared with an
# in-process N11 simulator so neither turns the collector back on in the middle of the other's pause


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
    _insert_prepared(s, batch_id, _prepare_items(s.connection().dialect, op, items))


def _prepare_items(dialect: Any, op: str, items: Sequence[SendItem]) -> list[tuple]:
    """The driver values of :func:`_insert_items`'s rows but the batch id: made (checked and
    encoded) before the write transaction opens, so the database is not held meanwhile."""
    table = BatchItem.__table__
    procs = [ledger.bind_processor(table.c[k], dialect) for k in _ITEM_COLUMNS]
    encodable = op in ENCODABLE
    rows = []
    for it in items:
        meta = {**dict(it.meta), "op": op}
        if it.text is not None and op == "create":
            text = it.text[:-1] + _META_MARK + encode_text(meta) + "}"
        else:
            text = _encoded_text(op, it, meta) if encodable else None
        if text is not None:  # already the driver's value (JSON text)
            rows.append((it.object_id, it.object_key, text, _proc(procs[4], it.version_date), "pending"))
            continue
        payload = {**dict(it.payload), "_meta": meta}
        rows.append(tuple(_proc(p, v) for p, v in zip(procs[1:], (
            it.object_id, it.object_key, payload, it.version_date, "pending"))))
    return rows


def _insert_prepared(s: Session, batch_id: int, rows: Sequence[tuple]) -> None:
    conn = s.connection()
    # sqlite3 executemany / psycopg executemany (one pipeline of prepared inserts)
    sql = (f"INSERT INTO batch_item ({', '.join(_ITEM_COLUMNS)}) "
           f"VALUES ({marks(conn.dialect, len(_ITEM_COLUMNS))})")
    for start in range(0, len(rows), 5000):
        conn.exec_driver_sql(sql, [(batch_id, *r) for r in rows[start:start + 5000]])


#: what follows a SKU's own JSON in a record stored by :func:`_encoded_text` (and nowhere else:
#: other writers use ``", "`` and ``": "``; inside a JSON string a quote is always escaped)
_META_MARK = ',"_meta":'


_PRICES = ("salePrice", "listPrice")


def _money_float(v: float) -> float | None:
    try:
        return float(money(v))
    except ValueError:
        return None


def _encoded_text(op: str, it: SendItem, meta: dict) -> str | None:
    """The record's payload as stored JSON text whose start is the SKU exactly as it goes out
    in the task (checked and encoded once, :func:`.n11.products.encode_sku`), followed by
    ``"_meta"``: a post splices that part into the request body (:func:`_load_page`). Decoded,
    it is the same value as the plain form. ``None`` when the SKU needs the plain form (a check
    fails: the post raises it as before; a ``_meta`` key of its own; another stock code)."""
    payload = it.payload
    if "_meta" in payload or payload.get("stockCode") != it.object_key:
        return None
    for k in _PRICES:  # a float price that the check keeps as it is: the stored value stays the same
        v = payload.get(k)
        if v is not None and (type(v) is not float or _money_float(v) != v):
            return None
    try:
        sku = encode_sku(op, payload).text
    except (ValueError, TypeError):
        return None
    if len(sku) < 3 or sku[-1] != "}":
        return None
    return sku[:-1] + _META_MARK + encode_text(meta) + "}"


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
    rows = _prepare_items(db.engine.dialect, op, items)
    try:
        with db.session_factory.begin() as s:
            if active_batch(s, content_type) is not None:
                raise BatchInFlight(content_type)
            batch = Batch(content_type=content_type, flow=flow, state="initialized", total=len(items),
                          created_at=now, updated_at=now)
            s.add(batch)
            s.flush()
            _insert_prepared(s, batch.id, rows)
            if finalize:
                batch.state = "commit"
            return batch.id
    except IntegrityError as exc:  # a concurrent writer won the race for this content type
        raise BatchInFlight(content_type) from exc


@with_gc_paused
def add_items(db: Database, batch_id: int, op: str, items: Sequence[SendItem], now: datetime) -> None:
    rows = _prepare_items(db.engine.dialect, op, items)
    with db.session_factory.begin() as s:
        b = s.get(Batch, batch_id)
        if b.state != "initialized":  # closed by another process's takeover (or a recovery) meanwhile
            raise BatchTakenOver(_taken_over(batch_id))
        _insert_prepared(s, batch_id, rows)
        b.total = (b.total or 0) + len(items)
        b.updated_at = now


def abandon_batch(db: Database, batch_id: int, now: datetime, reason: str) -> None:
    """Assembly stopped (cancel): release its records that were not posted."""
    with db.session_factory.begin() as s:
        _set_items_where(s, batch_id, "pending", "unsent")
        b = s.get(Batch, batch_id)
        b.error = reason
        if b.state == "initialized":
            _close_assembly(b)
        _maybe_finish(s, b, now)


def commit_batch(db: Database, batch_id: int, now: datetime) -> None:
    """Every record is written: initialized → commit (→ ``sent_to_remote`` at once when pages of
    it were already acknowledged while it was written)."""
    with db.session_factory.begin() as s:
        b = s.get(Batch, batch_id)
        if b.state == "initialized":
            _close_assembly(b)
            b.updated_at = now


def _close_assembly(b: Batch) -> None:
    """No more records come to ``b`` (written, stopped, or its writer is gone): it leaves
    ``initialized``, for ``sent_to_remote`` when N11 acknowledged a task of it already."""
    b.state = "sent_to_remote" if (b.remote_task_id or "") else "commit"


def _post(client: N11Port, op: str, skus: list[dict]) -> list[TaskAck]:
    if op == "create":
        return client.create_products(skus, raise_on_reject=False)
    if op == "update":
        return client.update_products(skus, raise_on_reject=False)
    if op == "seller_delete":
        return client.delete_products([s["stockCode"] for s in skus], raise_on_reject=False)  # (plain form)
    return client.update_price_stock(skus, raise_on_reject=False)


def strip_meta(payload: Mapping[str, Any]) -> dict:
    return {k: v for k, v in payload.items() if k != "_meta"}


@with_gc_paused
def send_batch(db: Database, batch_id: int, client: N11Port, config: ChannelConfig, *, page_size: int = 1000,
               clock: Callable[[], datetime], should_stop: Callable[[], bool] = lambda: False,
               progress: Callable[[int, int], None] | None = None, log_fn: LogFn = _noop_log,
               on_task: Callable[[str], None] | None = None,
               exchange_row: Callable[[Any], tuple] | None = None, assembly: Assembly | None = None,
               in_flight: threading.Event | None = None) -> SendSummary:
    """commit → sent_to_remote: post the batch page by page; store each task id on arrival.

    ``on_task(task_id)`` is called (on this thread) once a task's id is stored and its records
    are ``sent``: the send flows start polling it early (:class:`.batch_results.EarlyResults`).
    ``exchange_row(exchange)``: the log row (:mod:`.logrows`) of an exchange of ``client``; with
    it a post's exchanges are logged in the transaction that stores its acknowledgement instead
    of one transaction each (the same rows, redacted and cut by the client as before).

    ``assembly``: the batch is still ``initialized`` and being written by another thread
    (:class:`Assembly`); its pages are posted as their records are committed, and the send
    waits for the writer to end before it releases what was not posted."""
    summary = SendSummary(batch_id=batch_id)
    page_size = max(1, min(int(page_size or 1000), 1000))
    pages = _Pages(db, batch_id, page_size, assembly)
    op = None
    done = 0
    stopped = False
    # The next page's payloads are read (read-only: they never change once written) while this
    # page's request is on the wire; its records are still marked "sending" only right before
    # its own request leaves.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="n11-batch-send")
    ahead: tuple[list[int], Future] | None = None
    try:
        while True:
            if should_stop():
                stopped = True
                break
            ids = pages.next(should_stop)
            if ids is None or should_stop():  # (a stop may come while the next page was awaited)
                stopped = should_stop()
                break
            if assembly is not None and assembly.error is not None:
                # the rest of the batch could not be written: nothing more of it leaves
                summary.error = (_taken_over(batch_id) if isinstance(assembly.error, BatchTakenOver)
                                 else f"the batch could not be written completely: {assembly.error}")
                summary.fatal = True
                break
            now = clock()
            if ahead is not None and ahead[0] == ids:
                page_op, skus = ahead[1].result()
            else:
                page_op, skus = _load_page(db, ids)
            ahead = None
            if not _mark_sending(db, batch_id, ids, now):  # written as about-to-send before the request leaves
                # another process released this batch meanwhile (the lease holder's start-up
                # takeover): its records may be sent again by it, so nothing more leaves here
                summary.error = _taken_over(batch_id)
                summary.fatal = True
                break
            if op is None:
                op = page_op
            following = pages.peek()
            if following is not None:
                ahead = (following, pool.submit(_load_page, db, following))
            done, brk = _send_page(db, batch_id, client, config, op, ids, skus, clock, summary, log_fn, done,
                                   pages.total(), progress, on_task, exchange_row, in_flight)
            del skus
            if brk:
                break
    finally:
        pool.shutdown(wait=True)
        if assembly is not None:  # the writer stops at its next chunk (if still writing) and is waited for
            assembly.stop()
            assembly.wait_finished()
    # anything not posted (cancel, fatal error) is released at once; an assembly that did not
    # end with every record written is closed here (its records are all in by now)
    with db.session_factory.begin() as s:
        summary.unsent += _set_items_where(s, batch_id, "pending", "unsent")
        b = s.get(Batch, batch_id)
        if summary.error:
            b.error = summary.error
        if b.state == "initialized" and assembly is not None:
            if not b.error:
                b.error = "stopped while the batch was being written"
            _close_assembly(b)
        _maybe_finish(s, b, clock())
    if stopped:
        from .flows.base import FlowCancelled

        raise FlowCancelled()
    return summary


def _taken_over(batch_id: int) -> str:
    return f"batch {batch_id} was taken over by another process; its remaining records were not posted"


class Assembly:
    """A batch whose records are still being written by another thread while its first pages
    are posted (the send flows: :func:`.flows.products._assemble_and_send`).

    The writer adds records in transactions of their own (:func:`add_items`, each record
    committed before any page holding it is formed), reports them with :meth:`wrote`, ends with
    :meth:`done` (after :func:`commit_batch` when everything was written) and stops at its next
    chunk once :attr:`aborted` (a post failed, a stop request). The batch stays ``initialized``
    until then: :func:`_maybe_finish` never closes it meanwhile."""

    def __init__(self, written: int = 0, expected: int | None = None) -> None:
        self._cond = threading.Condition()
        self.written = written  # records committed so far
        self.expected = expected  # how many there will be at most (the progress total meanwhile)
        self.finished = False  # the writer has ended (see complete / error)
        self.complete = False  # ... with every record written and the batch committed
        self.error: BaseException | None = None
        self.aborted = False

    def wrote(self, n: int) -> None:
        with self._cond:
            self.written += n
            self._cond.notify_all()

    def done(self, *, complete: bool, error: BaseException | None = None) -> None:
        with self._cond:
            self.finished, self.complete, self.error = True, complete, error
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self.aborted = True
            self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> None:
        """Until more than ``seen`` records are written, the writer ended, or ``timeout``."""
        with self._cond:
            self._cond.wait_for(lambda: self.finished or self.written > seen, timeout)

    def wait_finished(self) -> None:
        with self._cond:
            self._cond.wait_for(lambda: self.finished)


class _Pages:
    """The pages of a batch in id order, ``page_size`` records each but the last: all of them at
    once, or (``assembly``) as its records are committed, a page being formed only when it is
    full or the writing has ended (the same pages as after a complete assembly)."""

    def __init__(self, db: Database, batch_id: int, page_size: int, assembly: Assembly | None) -> None:
        self.db, self.batch_id, self.page_size, self.assembly = db, batch_id, page_size, assembly
        self.ids: list[int] = []  # pending records read, not yet in a page
        self.last = 0  # the highest id read
        self.taken = 0
        self.seen = -1  # the assembly's count at the last read
        self.ended = False  # every record is read
        self._read()

    def _read(self) -> None:
        a = self.assembly
        if a is not None:
            with a._cond:
                finished, written = a.finished, a.written
            if written == self.seen and not finished:
                return
            self.seen = written
        with self.db.read_session() as s:  # a read: no write lock (the writer's inserts go on meanwhile)
            conn = s.connection()
            m = mark(conn)
            self.ids.extend(conn.exec_driver_sql(
                f"SELECT id FROM batch_item WHERE batch_id = {m} AND state = 'pending' AND id > {m} ORDER BY id",
                (self.batch_id, self.last)).scalars().all())
        if self.ids:
            self.last = self.ids[-1]
        self.ended = a is None or finished

    def _take(self) -> list[int] | None:
        if len(self.ids) >= self.page_size or (self.ended and self.ids):
            page, self.ids = self.ids[:self.page_size], self.ids[self.page_size:]
            self.taken += len(page)
            return page
        return None

    def peek(self) -> list[int] | None:
        """The next page if it is already known (not waiting for the writer)."""
        if len(self.ids) < self.page_size and not self.ended:
            self._read()
        if len(self.ids) >= self.page_size or (self.ended and self.ids):
            return self.ids[:self.page_size]
        return None

    def next(self, should_stop: Callable[[], bool]) -> list[int] | None:
        """The next page; ``None`` when none is left (or a stop request came while waiting)."""
        while True:
            page = self._take()
            if page is not None or self.ended:
                return page
            if should_stop() or self.assembly.aborted:
                return None
            self.assembly.wait(self.seen, 0.25)
            self._read()

    def total(self) -> int:
        """The records of the batch (for progress): while it is written, what it is expected to hold."""
        if self.assembly is None or self.ended:
            return self.taken + len(self.ids)
        return max(self.assembly.expected or 0, self.assembly.written, self.taken + len(self.ids))


def _load_page(db: Database, ids: Sequence[int]) -> tuple[str | None, list]:
    """(operation, N11 skus) of one page of a batch, in ``ids`` order: the SKUs' own JSON texts
    when every record was stored by :func:`_encoded_text`, else the sku dicts."""
    # the stored text itself (PostgreSQL's json keeps it as written); a page's records never change
    # once written: read without the write lock, so the result threads' writes do not wait for it
    with db.read_session() as s:
        rows = {i: (key, text) for i, key, text in s.execute(
            select(BatchItem.id, BatchItem.object_key, cast(BatchItem.payload, Text)).where(BatchItem.id.in_(ids)))}
    encoded = []
    op = None
    for i in ids:
        key, text = rows[i]
        cut = text.rfind(_META_MARK) if text.endswith("}") else -1
        if cut < 0:
            break
        meta = json.loads(text[cut + len(_META_MARK):-1])
        if op is None:
            op = meta.get("op")
        if op not in ENCODABLE or meta.get("op") != op:
            break
        encoded.append(EncodedSku(op, key, text[:cut] + "}"))
    else:
        return op, encoded
    payloads = {i: json.loads(text) for i, (_key, text) in rows.items()}
    op = (payloads[ids[0]].get("_meta") or {}).get("op")
    return op, [strip_meta(payloads[i]) for i in ids]


def _send_page(db: Database, batch_id: int, client: N11Port, config: ChannelConfig, op: str | None, ids: Sequence[int],
               skus: list[dict], clock: Callable[[], datetime], summary: SendSummary, log_fn: LogFn, done: int,
               total: int, progress: Callable[[int, int], None] | None,
               on_task: Callable[[str], None] | None = None,
               exchange_row: Callable[[Any], tuple] | None = None,
               in_flight: threading.Event | None = None) -> tuple[int, bool]:
    """Post one page (its records are "sending"); store the acknowledgement. → (done, stop?)

    ``in_flight`` is set while the request is on the wire (when this thread needs no database)."""
    from .n11.errors import N11Error

    held = _HeldExchanges(client) if exchange_row is not None else None
    try:
        if in_flight is not None:
            in_flight.set()
        try:
            acks = _post(client, op, skus)
        finally:
            if in_flight is not None:
                in_flight.clear()
    except BaseException as err:
        if held is not None:
            held.release()  # logged as they would have been, one transaction each
        if not isinstance(err, N11Error):
            raise
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
    rows = held.rows(exchange_row) if held is not None else ()
    try:
        _record_acks(db, batch_id, ids, acks, clock(), summary, config, log_fn, log_rows=rows)
    except BaseException:
        if held is not None:
            held.release()
        raise
    if on_task is not None:
        for ack in acks:
            if not ack.rejected and ack.task_id is not None:
                on_task(str(ack.task_id))
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
                 summary: SendSummary, config: ChannelConfig, log_fn: LogFn, *, log_rows: Sequence[tuple] = ()) -> None:
    """The acknowledgement arrived: store N11's task id at once (one chunk = one task).
    ``log_rows`` (the post's exchanges) are written in the same transaction."""
    if acks and not any(ack.rejected for ack in acks):
        _record_accepted(db, batch_id, ids, acks, now, summary, log_rows)
        return
    failures: list[tuple[str, str]] = []
    with db.session_factory.begin() as s:
        insert_log_rows(s.connection(), log_rows)
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


class _HeldExchanges:
    """The exchanges ``client`` reports during one post, held back (its ``on_exchange`` sink is
    swapped for the post) so they can be logged with the acknowledgement; :meth:`release` hands
    them to the sink after all (a failed post) and restores it."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.sink = getattr(client, "on_exchange", None)
        self.held: list[Any] = []
        self.active = self.sink is not None
        if self.active:
            client.on_exchange = self.held.append

    def _restore(self) -> None:
        if self.active:
            self.client.on_exchange = self.sink
            self.active = False

    def rows(self, exchange_row: Callable[[Any], tuple]) -> list[tuple]:
        self._restore()
        rows = [exchange_row(x) for x in self.held]
        self.held = []
        return rows

    def release(self) -> None:
        self._restore()
        held, self.held = self.held, []
        for x in held:
            try:
                self.sink(x)
            except Exception:  # as the transport's own hand-over: a broken log sink must not break the send
                import logging

                logging.getLogger(__name__).exception("on_exchange callback failed")


#: the records of one page of a batch: ``ids`` is a slice of the batch's ``pending`` records in id
#: order, taken when the page was formed, so the batch's records between its first and last id
#: that are still in the state asked for are exactly the page's (no record ever returns to
#: ``pending``; records written later have higher ids)
_PAGE_RANGE = "batch_id = {m} AND id >= {m} AND id <= {m}"


def _mark_sending(db: Database, batch_id: int, ids: Sequence[int], now: datetime) -> bool:
    """pending → sending for one page, and the batch touched, in one driver-level transaction.
    False (and nothing of the page left ``sending``) when a record of it was no longer pending:
    another process released the batch."""
    with db.engine.begin() as conn:
        m = mark(conn)
        where = _PAGE_RANGE.format(m=m)
        rng = (batch_id, ids[0], ids[-1])
        n = conn.exec_driver_sql(f"UPDATE batch_item SET state = 'sending' WHERE {where} AND state = 'pending'",
                                 rng).rowcount
        if n != len(ids):
            conn.exec_driver_sql(f"UPDATE batch_item SET state = 'unsent' WHERE {where} AND state = 'sending'", rng)
            return False
        at = datetime_param(conn, now)
        conn.exec_driver_sql(f"UPDATE batch SET sent_at = COALESCE(sent_at, {m}), updated_at = {m} WHERE id = {m}",
                             (at, at, batch_id))
    return True


def _record_accepted(db: Database, batch_id: int, ids: Sequence[int], acks: Sequence[TaskAck], now: datetime,
                     summary: SendSummary, log_rows: Sequence[tuple]) -> None:
    """:func:`_record_acks` when N11 accepted every task: driver-level statements, one transaction
    with the post's log rows."""
    with db.engine.begin() as conn:
        m = mark(conn)
        where = _PAGE_RANGE.format(m=m)
        offset = 0
        for ack in acks:
            n = len(ack.stock_codes) or (len(ids) - offset)
            part = ids[offset:offset + n]
            offset += n
            tid = str(ack.task_id) if ack.task_id is not None else None
            summary.tasks += 1
            if part:
                summary.sent += conn.exec_driver_sql(
                    f"UPDATE batch_item SET state = 'sent', remote_task_id = {m} WHERE {where} AND state = 'sending'",
                    (tid, batch_id, part[0], part[-1])).rowcount or 0
            if tid:  # the batch's task ids, comma-separated in posting order
                conn.exec_driver_sql(
                    f"UPDATE batch SET remote_task_id = CASE WHEN remote_task_id IS NULL OR remote_task_id = '' "
                    f"THEN {m} ELSE remote_task_id || ',' || {m} END WHERE id = {m}", (tid, tid, batch_id))
            else:
                conn.exec_driver_sql(f"UPDATE batch SET remote_task_id = COALESCE(remote_task_id, '') WHERE id = {m}",
                                     (batch_id,))
        conn.exec_driver_sql(f"UPDATE batch SET state = CASE WHEN state = 'commit' THEN 'sent_to_remote' ELSE state "
                             f"END, updated_at = {m} WHERE id = {m}", (datetime_param(conn, now), batch_id))
        insert_log_rows(conn, log_rows)


def _maybe_finish(s: Session, b: Batch, now: datetime) -> bool:
    if b.state == "initialized":  # still being written (records to come): closed by its writer or recovery
        return False
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
