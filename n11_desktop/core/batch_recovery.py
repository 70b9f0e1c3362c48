"""Recovery of product batches (DESIGN §7): after a restart nothing in flight is re-sent
blindly. Records never posted become ``unsent``; records whose post left without an
acknowledgement become ``unknown`` and are resolved by asking N11 (product-query); batches
whose sender is gone are released (:func:`take_over_abandoned` at start-up,
:func:`recover_in_flight` before every send)."""

from __future__ import annotations

import contextlib
import logging
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import penalty
from .batch_results import _Outcome, apply_outcomes, poll
from .batches import LogFn, PollSummary, _close_assembly, _noop_log, _set_items_where, strip_meta
from .settings import ChannelConfig
from .storage.models import BATCH_ACTIVE_STATES, Batch, BatchItem

if TYPE_CHECKING:
    from .n11.models import RemoteProduct
    from .n11.port import N11Port
    from .storage.db import Database

log = logging.getLogger(__name__)

STALE_AFTER_S = 120.0
UNKNOWN_RESOLVE_LIMIT = 5000  # lost-acknowledgement records resolved per run (looked up in category pages)


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
    of N11 later, never re-sent blindly) and its records never posted become ``unsent``; a batch
    it was still writing (``initialized``, maybe with pages already posted) is closed as written."""
    n_sending = s.execute(update(BatchItem).where(BatchItem.batch_id == b.id, BatchItem.state == "sending")
                          .values(state="unknown", message="posted without an acknowledgement")).rowcount
    _set_items_where(s, b.id, "pending", "unsent")
    if n_sending:
        b.error = f"{n_sending} record(s) posted without an acknowledgement; checking N11"
    if b.state == "initialized":  # its writer is gone too: no more records come (pages may have been posted)
        if not b.error:
            b.error = "the sender stopped while the batch was being written"
        _close_assembly(b)


def take_over_abandoned(db: Database, now: datetime) -> list[int]:
    """Start-up recovery of the instance-lease holder (``core.instance``): every batch still in
    flight was left by a previous process and is released at once, without waiting
    :data:`STALE_AFTER_S` (database only, no HTTP). Returns the ids of the batches taken over.

    Only the process that just took the lease may call this, before it starts any flow of its
    own (``schedule_facts.recover_on_start``): a process without the lease cannot know whether another
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
