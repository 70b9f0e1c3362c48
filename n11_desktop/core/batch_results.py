"""Task results of product batches (DESIGN §7): polling the N11 tasks a batch posted and
applying each record's outcome (success, failure, penalty, ledger, the product's remote
state). Records are created and sent by :mod:`.batches`; lost acknowledgements and batches
left by a crashed sender are resolved by :mod:`.batch_recovery`."""

from __future__ import annotations

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from sqlalchemy import Text, select, type_coerce, update
from sqlalchemy.orm import Session

from . import ledger, penalty
from .batches import LogFn, PollSummary, _maybe_finish, _noop_log, strip_meta, with_gc_paused
from .settings import ChannelConfig
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
        n = 0
        for start in range(0, len(self.item_ids), 900):
            n += s.execute(update(BatchItem).where(BatchItem.id.in_(self.item_ids[start:start + 900]),
                                                   BatchItem.state == "sent")
                           .values(state="success", message=None)).rowcount or 0
        return n == len(self.item_ids)

    def write(self, s: Session, now: datetime, summary: PollSummary) -> None:
        """The rest, after :meth:`claim`: ledger rows and penalties lifted."""
        ledger.run_prepared(s, self.prepared)
        for ct, ids in self.cleared.items():
            penalty.clear(s, ct, ids, now)
        summary.succeeded += len(self.item_ids)


class _Claimed(Exception):
    """Some of a task's successes were applied meanwhile: roll back, take the general path."""


def _prepare_successes(db: Database, ct: str, outcomes: Sequence[_Outcome], items: Mapping[int, _Item],
                       now: datetime) -> _Ready | None:
    """What :func:`apply_outcomes` writes for the plain successes (N11 said SUCCESS), computed
    before the write transaction opens: the database's write lock is then held only to run the
    statements. ``None`` when there is nothing to do this way (the caller applies everything)."""
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
    else:  # the usual task: product-creates N11 accepted (nothing looked up)
        if ok and ct == "product":
            return _Ready([it.id for it in ok], [_created_rows(db.engine.dialect, ok, now)],
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


#: the columns of a created product's three ledger rows (:func:`_success_rows` for ``create``
#: without a looked-up product), sorted as :func:`.ledger.prepare_bulk_upsert` groups them
_CREATED_KEYS = ("content_type", "last_error", "last_sent_at", "last_values", "object_id", "object_key", "state",
                 "updated_at", "version_date")


def _created_rows(dialect: Any, ok: Sequence[_Item], now: datetime) -> tuple[str, list[tuple]]:
    """:func:`.ledger.prepare_bulk_upsert` of the rows :func:`_success_rows` makes for these
    created products (the same statement and parameters, in the same order), built straight
    as the driver's tuples: the values every row shares are converted once."""
    sql, _ = ledger._fast_statement(dialect, _CREATED_KEYS, (), False)
    table = IntegrationAction.__table__
    procs = {k: ledger.bind_processor(table.c[k], dialect) for k in _CREATED_KEYS}

    def conv(k: str, v: Any) -> Any:
        p = procs[k]
        return p(v) if p is not None else v

    err, sent_at, updated = conv("last_error", None), conv("last_sent_at", now), conv("updated_at", now)
    product, stock, price = (conv("content_type", c) for c in ("product", "productstock", "productprice"))
    pending, synced = conv("state", "pending_approval"), conv("state", "synced")
    values, oid_p, key_p = procs["last_values"], procs["object_id"], procs["object_key"]
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

    lv = values if values is not None else (lambda v: v)
    rows: list[tuple] = []
    add = rows.append
    for it in ok:
        payload = it.payload
        meta = payload.get("_meta") or {}
        oid = it.object_id if oid_p is None else oid_p(it.object_id)
        key = it.object_key if key_p is None else key_p(it.object_key)
        add((product, err, sent_at, lv(ledger.product_values(payload)), oid, key, pending, updated,
             vd(it.version_date, False)))
        if "quantity" in payload:
            add((stock, err, sent_at, lv({"quantity": payload["quantity"]}), oid, key, synced, updated,
                 vd(meta.get("stock_vd"), True)))
        if "salePrice" in payload:
            add((price, err, sent_at, lv(_price_values(payload)), oid, key, synced, updated,
                 vd(meta.get("price_vd"), True)))
    return sql, rows


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
                 should_stop: Callable[[], bool] = lambda: False) -> None:
        self._db, self._new_client, self._config = db, new_client, config
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
                               self._clock(), self.summary, self._log_fn)
            self.tasks_applied += 1
        except Exception as exc:  # noqa: BLE001 - nothing is lost: the task stays "sent" for task_results
            self._gave_up = True
            self._log_fn(f"task {tid}: its results were not read yet ({exc}); task_results will poll it",
                         level="INFO")

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


def _apply_task_result(db: Database, client: N11Port, batch_id: int, ct: str, tid: str, result: TaskResult,
                       config: ChannelConfig, now: datetime, summary: PollSummary, log_fn: LogFn,
                       before_write: Callable[[], None] | None = None) -> None:
    with db.session_factory() as s:  # the payload's text, decoded after the read transaction
        rows = s.execute(select(BatchItem.id, BatchItem.object_id, BatchItem.object_key,
                                type_coerce(BatchItem.payload, Text), BatchItem.version_date, BatchItem.state).where(
            BatchItem.batch_id == batch_id, BatchItem.remote_task_id == tid, BatchItem.state == "sent")).all()
    preloaded = {r[0]: _Item(r[0], r[1], r[2], _json_value(r[3]), r[4], r[5]) for r in rows}
    items = [(it.id, it.object_key, it.payload) for it in preloaded.values()]
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
    ready = _prepare_successes(db, ct, outcomes, preloaded, now)
    if ready is not None:
        try:
            with db.session_factory.begin() as s:
                if not ready.claim(s):  # (before anything else is written or counted)
                    raise _Claimed()
                apply_outcomes(s, ct, [o for o in outcomes if not o.ok], config, now, summary, logs,
                               preloaded=preloaded)
                ready.write(s, now, summary)
                s.get(Batch, batch_id).updated_at = now
        except _Claimed:
            ready = None
    if ready is None:
        with db.session_factory.begin() as s:
            apply_outcomes(s, ct, outcomes, config, now, summary, logs, preloaded=preloaded)
            s.get(Batch, batch_id).updated_at = now
    ok = sum(1 for o in outcomes if o.ok)
    log_fn(f"task {tid}: {result.status}, {ok} of {len(outcomes)} SKU(s) succeeded", level="INFO")
    for level, key, msg in logs[:500]:
        log_fn(msg, level=level, object_type="product", object_key=key)
