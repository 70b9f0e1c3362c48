"""Product flows (seed §9, DESIGN §6–§7): create, update, delete, seller-code fix, stock, price, task results.

Every send flow runs the same way:

1. settle its content type: tasks in flight are polled, records of a crashed send are resolved
   by asking N11 (never re-sent blindly);
2. if a batch of the content type is still in flight, stop (one batch per content type);
3. select what changed since N11 last accepted it (ledger version dates), skipping the penalty
   box before the page limit so penalized records never block the queue;
4. records that cannot be built (no price/stock, mapping gaps) are penalized with the seed §8
   message; the rest are written as a batch, then posted in pages of ``queue_page_size``
   (default N11's 1000 SKUs per task), each task id stored the moment N11 acknowledges it.

Per-SKU results arrive through ``task_results`` (or at once with the ``wait_s`` option).
Options (``ctx.options``): ``skus`` (operator selection), ``page_size``, ``wait_s`` (poll the
batch's tasks up to that long), ``quiet`` (do not log selected SKUs that had nothing to send).
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any, Callable, Iterable, Iterator, Sequence

from sqlalchemy import func, select

from .. import batch_recovery, batch_results, batches, ledger, penalty, results_child
from .. import products_send as ps
from ..storage.models import AppState, Batch, FailedIntegration, IntegrationAction, Product
from ..threadturns import quick_turns
from .base import FlowCancelled, FlowContext, FlowOutcome, register

PENDING_REFRESH_ONE_BY_ONE = 100


def _page_size(ctx: FlowContext) -> int:
    raw = ctx.options.get("page_size") or ctx.config.get("queue_page_size") or ps.DEFAULT_PAGE_SIZE
    try:
        return max(1, min(int(raw), 1000))
    except (TypeError, ValueError):
        return ps.DEFAULT_PAGE_SIZE


def _limit(ctx: FlowContext) -> int:
    try:
        tasks = int(ctx.config.get("queue_max_tasks") or ps.DEFAULT_MAX_TASKS)
    except (TypeError, ValueError):
        tasks = ps.DEFAULT_MAX_TASKS
    return _page_size(ctx) * max(1, tasks)


def _skus(ctx: FlowContext) -> list[str] | None:
    """The operator's selection (``skus``) or a push's ``product_ids`` (the scheduler's debounced edits)."""
    skus = ctx.options.get("skus")
    if skus:
        return [str(s) for s in skus]
    ids = ctx.options.get("product_ids")
    if ids:
        with ctx.session_factory() as s:
            return [str(x) for x in s.scalars(select(Product.sku).where(Product.id.in_([int(i) for i in ids])))] \
                or ["\x00no such product"]
    return None


def _log_fn(ctx: FlowContext):
    def fn(message: str, **kw: Any) -> None:
        ctx.log(message, **kw)
    return fn


def _settle(ctx: FlowContext, content_type: str, outcome: FlowOutcome) -> bool:
    """Poll/recover this content type; True when a batch of it is still in flight."""
    summary = batch_recovery.recover_in_flight(ctx.db, ctx.client(), ctx.config, clock=ctx.clock, log_fn=_log_fn(ctx),
                                        content_type=content_type)
    outcome.penalized += summary.penalized
    with ctx.session_factory() as s:
        active = batches.active_batch(s, content_type)
        if active is not None:
            outcome.message = (f"batch {active.id} ({active.flow}) is still in flight on N11 "
                               f"(task(s) {active.remote_task_id or 'not acknowledged yet'}); nothing new is sent")
            return True
    return False


def _not_in_queue(ctx: FlowContext, wanted: Sequence[str] | None, picked: Iterable[str]) -> int:
    if not wanted:
        return 0
    missing = sorted(set(wanted) - set(picked))
    if ctx.options.get("quiet") or ctx.options.get("product_ids") or ctx.trigger == "push":
        return len(missing)
    for sku in missing[:500]:
        ctx.log(penalty.MSG_NOT_IN_QUEUE, level="WARNING", object_type="product", object_key=sku)
    return len(missing)


def _penalize_built(ctx: FlowContext, content_type: str, bad: Sequence[ps.Built], now: datetime) -> int:
    if not bad:
        return 0
    with ctx.session_factory.begin() as s:
        for b in bad:
            msg = "; ".join(b.problems) or "the record cannot be built"
            penalty.penalize(s, content_type, b.product_id, b.sku, b.reason_type, msg, ctx.config, now)
            ledger.upsert(s, content_type, b.product_id, b.sku, now, error=msg)
    for b in bad[:500]:
        ctx.log("; ".join(b.problems), level="WARNING", object_type="product", object_key=b.sku)
    return len(bad)


BUILD_CHUNK = 5000  # records built and written per step at most (bounded memory on 100k pushes)
BUILD_CHUNK_PAGES = 2  # ... and at most this many pages: the first post leaves once its chunk is written


def _build_parts(ctx: FlowContext, ids: Sequence[int]) -> Iterator[list[int]]:
    """The ids in the steps they are built and written in: a first step of a few pages (the first
    post leaves once it is written), then :data:`BUILD_CHUNK` each (written by the writer thread
    while pages are posted: fewer, larger steps cost less; their reads take no lock and each
    insert holds the database only for itself)."""
    if not ids:
        return
    first = max(1, min(BUILD_CHUNK, BUILD_CHUNK_PAGES * _page_size(ctx)))
    yield list(ids[:first])
    for start in range(first, len(ids), BUILD_CHUNK):
        yield list(ids[start:start + BUILD_CHUNK])


def _write_rest(ctx: FlowContext, batch_id: int, op: str, chunks: Iterator[list[batches.SendItem]],
                assembly: batches.Assembly) -> None:
    """The writer thread of :func:`_assemble_and_send_inner`: the remaining chunks are built and
    added (each in its own transaction) until they run out, then the batch is committed; it
    stops at the next chunk when the send asks (``assembly.aborted``) or a stop is requested."""
    error: BaseException | None = None
    complete = False
    try:
        with batches.gc_paused():
            for items in chunks:
                if assembly.aborted:
                    break
                if items:
                    batches.add_items(ctx.db, batch_id, op, items, ctx.clock())
                    assembly.wrote(len(items))
                ctx.check_stop()
            else:
                if not assembly.aborted:
                    batches.commit_batch(ctx.db, batch_id, ctx.clock())
                    complete = True
    except BaseException as exc:  # handed to the sending thread (the flow raises it after the send)
        error = exc
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            try:
                close()
            except Exception:  # noqa: BLE001 - the writer's own error (if any) is the one reported
                pass
        assembly.done(complete=complete, error=error)


def _send(ctx: FlowContext, content_type: str, op: str, items: list[batches.SendItem],
          outcome: FlowOutcome) -> FlowOutcome:
    return _assemble_and_send(ctx, content_type, op, [items], outcome)


def _assemble_and_send(ctx: FlowContext, content_type: str, op: str, chunks: Iterable[list[batches.SendItem]],
                       outcome: FlowOutcome, expected: int | None = None) -> FlowOutcome:
    """Write the batch chunk by chunk (initialized → commit) and post it (``expected``: how many
    records the chunks may hold, the progress total while they are written)."""
    # building and writing 100k records: see batches.gc_paused; posting while results are
    # applied on other threads: see threadturns
    with batches.gc_paused(), quick_turns():
        return _assemble_and_send_inner(ctx, content_type, op, chunks, outcome, expected)


def _assemble_and_send_inner(ctx: FlowContext, content_type: str, op: str,
                             chunks: Iterable[list[batches.SendItem]], outcome: FlowOutcome,
                             expected: int | None = None) -> FlowOutcome:
    """The first chunk is written here (the batch, ``initialized``); the rest is built and
    written on a writer thread while the pages already written are posted (a page leaves only
    once all its records are committed; the batch is committed when the last chunk is in)."""
    chunks = iter(chunks)
    batch_id = None
    n = 0
    now = ctx.clock()
    try:
        for items in chunks:
            if not items:
                continue
            try:
                batch_id = batches.create_batch(ctx.db, content_type, ctx.slug, op, items, now, finalize=False)
            except batches.BatchInFlight:
                outcome.skipped += len(items)
                outcome.message = f"another {content_type} batch is in flight; nothing sent"
                return outcome
            n = len(items)
            ctx.check_stop()
            break
    except BaseException:
        if batch_id is not None:
            batches.abandon_batch(ctx.db, batch_id, ctx.clock(), "stopped while the batch was being written")
        raise
    if batch_id is None:
        outcome.message = outcome.message or "nothing to send"
        return outcome
    assembly = batches.Assembly(n, expected)
    writer = threading.Thread(target=_write_rest, args=(ctx, batch_id, op, chunks, assembly),
                              name="n11-batch-assembly", daemon=True)
    total = max(n, expected or 0)
    in_child = results_child.wanted(ctx.db, total, client_factory=ctx.client_factory)
    if in_child:  # the rest is built and written while the first pages are posted
        writer.start()
    else:
        # a smaller push: written before the first post, on this thread (with its results applied
        # on threads of this interpreter, the posting phase has no time to spare for the build)
        writer.run()
    ctx.progress(0, total, f"sending {total} record(s)")
    page_size = _page_size(ctx)
    # several tasks: the earlier ones' results are read and applied while the later ones are posted
    in_flight: Any = threading.Event()  # set while a page's request is on the wire (see EarlyResults)
    early: Any = None
    if in_child:
        # a large push: the results are applied in a second interpreter, on the core this one
        # leaves free, so this one has time to build and write the batch while it is posted
        try:
            early = results_child.ChildResults(ctx.db, ctx.config, batch_id, content_type, slug=ctx.slug,
                                               run_id=ctx.run_id, trigger=ctx.trigger, clock=ctx.clock,
                                               log_fn=_log_fn(ctx), should_stop=ctx.should_stop)
            in_flight = early.in_flight
        except OSError as exc:
            ctx.log(f"early task results are applied in this process ({exc})", level="INFO")
    if early is None:
        early = batch_results.EarlyResults(ctx.db, ctx.new_client, ctx.config, batch_id, content_type,
                                           clock=ctx.clock, log_fn=_log_fn(ctx), should_stop=ctx.should_stop,
                                           in_flight=in_flight)
    try:
        summary = batches.send_batch(ctx.db, batch_id, ctx.client(), ctx.config, page_size=page_size,
                                     clock=ctx.clock, should_stop=ctx.should_stop,
                                     progress=lambda d, t: ctx.progress(d, t, f"sent {d} of {t}"),
                                     log_fn=_log_fn(ctx), on_task=early.acknowledged,
                                     exchange_row=ctx.exchange_log_row, assembly=assembly, in_flight=in_flight)
    finally:
        in_flight.set()  # no more posts: results still to apply need not wait for one
        assembly.stop()  # (send_batch has waited for the writer already, unless it failed before that)
        assembly.wait_finished()
        if in_child:
            writer.join()
        applied = early.close()
    # (a takeover by another process is reported by the send: "taken over", nothing more posted)
    if assembly.error is not None and not isinstance(assembly.error, (FlowCancelled, batches.BatchTakenOver)):
        raise assembly.error
    outcome.total += assembly.written
    outcome.succeeded += summary.sent
    outcome.penalized += summary.penalized
    outcome.skipped += summary.unsent + summary.unknown
    parts = [f"{summary.sent} record(s) sent in {summary.tasks} task(s) (batch {batch_id})"]
    if early.tasks_applied:
        outcome.failed += applied.failed - applied.penalized
        outcome.penalized += applied.penalized
        parts.append(f"N11 already processed {early.tasks_applied} of the tasks: {applied.succeeded} ok, "
                     f"{applied.failed} failed")
        if applied.succeeded:  # N11's products changed: the N11 State Sync runs after this (as after task_results)
            from ..remote_sync import mark_products_changed

            with ctx.session_factory.begin() as s:
                mark_products_changed(s, ctx.clock())
    if summary.error:
        parts.append(f"stopped: {summary.error}")
        if not summary.sent:
            outcome.failed_as_whole = True
    outcome.message = "; ".join(parts)
    wait_s = float(ctx.options.get("wait_s") or 0)
    if wait_s > 0 and summary.sent:
        _wait_for_results(ctx, content_type, batch_id, wait_s, outcome)
    return outcome


def _wait_for_results(ctx: FlowContext, content_type: str, batch_id: int, wait_s: float,
                      outcome: FlowOutcome) -> None:
    deadline = time.monotonic() + wait_s
    delay = 0.05
    while True:
        ctx.check_stop()
        res = batch_results.poll(ctx.db, ctx.client(), ctx.config, clock=ctx.clock, content_type=content_type,
                           log_fn=_log_fn(ctx), should_stop=ctx.should_stop)
        outcome.failed += res.failed - res.penalized
        outcome.penalized += res.penalized
        with ctx.session_factory() as s:
            b = s.get(Batch, batch_id)
            if b.state not in ("initialized", "commit", "sent_to_remote", "ongoing"):
                outcome.message += f"; N11 processed it: {b.succeeded} ok, {b.failed} failed"
                return
        if time.monotonic() >= deadline:
            outcome.message += "; results will arrive with task_results"
            return
        time.sleep(delay)
        delay = min(delay * 2, 1.0)


def _vd(v: datetime | None) -> str | None:
    return v.isoformat() if v is not None else None


# ----------------------------------------------------------------------------- create / update
def _changed(ctx: FlowContext, content_type: str, outcome: FlowOutcome, candidates: Callable[..., list], *,
             force: bool = False, **kw: Any) -> tuple[datetime, list] | None:
    """What a send flow starts with: settle what is in flight (``None`` when that ended the run),
    honour ``force`` if asked, read the records to send (``candidates(session, now, limit=...,
    skus=..., **kw)``) and count the SKUs asked for that are not among them."""
    if _settle(ctx, content_type, outcome):
        return None
    now = ctx.clock()
    wanted = _skus(ctx)
    if force:
        _force(ctx, content_type, wanted)
    with ctx.session_factory() as s:
        cands = candidates(s, now, limit=_limit(ctx), skus=wanted, **kw)
    outcome.skipped += _not_in_queue(ctx, wanted, [c[1] for c in cands])
    return now, cands


def _create(ctx: FlowContext, states: Sequence[str] = ("failed", "seller_code_deleted", "pending")) -> FlowOutcome:
    outcome = FlowOutcome()
    if (changed := _changed(ctx, "product", outcome, ps.create_candidates, states=states)) is None:
        return outcome
    now, cands = changed
    ctx.check_stop()
    ids = [c[0] for c in cands]

    def chunks():
        for part in _build_parts(ctx, ids):
            with ctx.db.read_session() as s:  # one snapshot, no write lock (see Database.read_session)
                vds: dict[int, tuple] = {}  # filled by the read that finds the price and stock rows
                built = ps.build_payloads(s, part, buffer_stock=ctx.config.buffer_stock, encoded=True,
                                          dates=vds)
            bad = [b for b in built if b.payload is None]
            outcome.penalized += _penalize_built(ctx, "product", bad, now)
            outcome.total += len(bad)
            yield [batches.SendItem(b.product_id, b.sku, b.payload, vds[b.product_id][0],
                                    {"stock_vd": _vd(vds[b.product_id][1]), "price_vd": _vd(vds[b.product_id][2])},
                                    b.text)
                   for b in built if b.payload is not None]

    return _assemble_and_send(ctx, "product", "create", chunks(), outcome, len(ids))


@register("product_create")
def product_create(ctx: FlowContext) -> FlowOutcome:
    return _create(ctx)


def refresh_pending_approval(ctx: FlowContext, limit: int = 100_000, *, bulk: bool = True) -> int:
    """Products created on N11 await catalog approval; ask N11 which are now Active/rejected.

    Few pending: one product-query each. Many: one pass over N11's product list (250 a page),
    only when ``bulk`` (product_update; task_results keeps its minute cadence cheap)."""
    with ctx.session_factory() as s:
        n = s.scalar(select(func.count()).select_from(IntegrationAction).where(
            IntegrationAction.content_type == "product", IntegrationAction.state == "pending_approval")) or 0
        if not n or (n > PENDING_REFRESH_ONE_BY_ONE and not bulk):
            return 0
        rows = s.execute(select(IntegrationAction.object_id, IntegrationAction.object_key).where(
            IntegrationAction.content_type == "product", IntegrationAction.state == "pending_approval")
            .limit(limit)).all()
    client = ctx.client()
    found: dict[str, Any] = {}
    if n > PENDING_REFRESH_ONE_BY_ONE and not _bulk_refresh_due(ctx):
        return 0
    if n <= PENDING_REFRESH_ONE_BY_ONE:
        for _oid, key in rows:
            ctx.check_stop()
            r = client.get_remote_product(key)
            if r is not None:
                found[key] = r
    else:
        keys = {k for _o, k in rows}
        for r in client.query_products():
            if r.stock_code in keys:
                found[r.stock_code] = r
    changed = 0
    now = ctx.clock()
    with ctx.session_factory.begin() as s:
        for oid, key in rows:
            r = found.get(key)
            if r is None:
                continue
            state = ledger.state_for_remote_status(r.status)
            err = None
            if state == "rejected":
                err = penalty.with_hint(f"N11 rejected the product in catalog approval: {r.reject_info or r.status}")
            ledger.upsert(s, "product", oid, key, now, state=state, remote_id=r.n11_product_id,
                          remote_status=r.status, error=err)
            changed += state != "pending_approval"
    if changed:
        ctx.log(f"{changed} product(s) left catalog approval on N11", level="INFO")
    return changed


BULK_REFRESH_EVERY = timedelta(minutes=30)
_BULK_REFRESH_KEY = "products.approval_refresh_at"


def _bulk_refresh_due(ctx: FlowContext) -> bool:
    """The full pass over N11's product list runs at most every 30 minutes."""
    now = ctx.clock()
    with ctx.session_factory.begin() as s:
        row = s.get(AppState, _BULK_REFRESH_KEY)
        last = None
        if row is not None and row.value:
            try:
                last = datetime.fromisoformat(str(row.value))
            except ValueError:
                last = None
        if last is not None and now - last < BULK_REFRESH_EVERY:
            return False
        if row is None:
            s.add(AppState(key=_BULK_REFRESH_KEY, value=now.isoformat()))
        else:
            row.value = now.isoformat()
    return True


@register("product_update")
def product_update(ctx: FlowContext) -> FlowOutcome:
    outcome = FlowOutcome()
    if _settle(ctx, "product", outcome):
        return outcome
    refresh_pending_approval(ctx)
    now = ctx.clock()
    wanted = _skus(ctx)
    with ctx.session_factory() as s:
        cands = ps.update_candidates(s, now, limit=_limit(ctx), skus=wanted)
    outcome.skipped += _not_in_queue(ctx, wanted, [c[1] for c in cands])
    ids = [c[0] for c in cands]

    def chunks():
        for part in _build_parts(ctx, ids):
            with ctx.db.read_session() as s:  # one snapshot, no write lock (see Database.read_session)
                vds: dict[int, tuple] = {}  # (the same snapshot as the payloads)
                built = ps.build_payloads(s, part, buffer_stock=ctx.config.buffer_stock, for_update=True,
                                          dates=vds)
            bad = [b for b in built if b.payload is None]
            outcome.penalized += _penalize_built(ctx, "product", bad, now)
            outcome.total += len(bad)
            _against_last_sent(ctx, [b for b in built if b.payload is not None])
            yield [batches.SendItem(b.product_id, b.sku, b.payload, vds[b.product_id][0]) for b in built
                   if b.payload is not None]

    return _assemble_and_send(ctx, "product", "update", chunks(), outcome, len(ids))


MSG_ATTRIBUTES_NOT_SENT = ("attribute changes are not sent: N11's product-update takes no attributes and a "
                           "product-create with the same stock code is refused; change them in N11's seller panel")


def _against_last_sent(ctx: FlowContext, built: Sequence[ps.Built]) -> None:
    """Compare update SKUs with what N11 was last given (ledger ``last_values``):

    - ``productMainId`` goes out only when it changed: N11 applies it only with
      ``deleteProductMainId: true`` (which regroups the variants), so an unchanged one is left out;
    - attributes that changed cannot go out at all (docs/n11-protocol.md): say so per product
      instead of letting the update look like it carried them."""
    by_id = {b.product_id: b for b in built}
    if not by_id:
        return
    with ctx.session_factory() as s:
        rows = s.execute(select(IntegrationAction.object_id, IntegrationAction.last_values).where(
            IntegrationAction.content_type == "product",
            IntegrationAction.object_id.in_(list(by_id)))).all()
    for pid, values in rows:
        b = by_id[pid]
        last_main = (values or {}).get("productMainId")
        if last_main is not None and str(last_main) == str(b.payload.get("productMainId")):
            b.payload.pop("productMainId", None)
    with_attrs = {b.product_id: b for b in built if b.attributes is not None}
    rows = [r for r in rows if r[0] in with_attrs]

    def norm(attrs) -> list:
        return sorted((str(a.get("id")), str(a.get("valueId")), str(a.get("customValue")))
                      for a in (attrs or []) if isinstance(a, dict))

    for pid, values in rows:
        sent = (values or {}).get("attributes")
        b = with_attrs[pid]
        if sent is not None and norm(sent) != norm(b.attributes):
            ctx.log(MSG_ATTRIBUTES_NOT_SENT, level="WARNING", object_type="product", object_key=b.sku)


# ----------------------------------------------------------------------------- delete / seller code
@register("product_delete")
def product_delete(ctx: FlowContext) -> FlowOutcome:
    outcome = FlowOutcome()
    if (changed := _changed(ctx, "product", outcome, ps.delete_candidates)) is None:
        return outcome
    _now, cands = changed
    items = [batches.SendItem(pid, sku, {"stockCode": sku, "quantity": 0}, removed_at) for pid, sku, removed_at in cands]
    return _send(ctx, "product", "zero_stock", items, outcome)


def seller_code_candidates(s, now: datetime, *, limit: int | None, skus: Sequence[str] | None):
    prefix = penalty.MSG_SELLER_CODE.split("{code}")[0]
    q = (select(FailedIntegration.object_id, FailedIntegration.object_key)
         .where(FailedIntegration.content_type == "product", FailedIntegration.is_active.is_(True),
                FailedIntegration.message.like(prefix.replace("%", r"\%") + "%"),
                ~batches.in_flight_clause("product", FailedIntegration.object_id))
         .order_by(FailedIntegration.object_id))
    if skus:
        q = q.where(FailedIntegration.object_key.in_(list(skus)))
    return [tuple(r) for r in s.execute(q.limit(limit) if limit else q)]


@register("send_delete_product_seller_code")
def send_delete_product_seller_code(ctx: FlowContext) -> FlowOutcome:
    """Seed §8 "listed with XXXX seller code": delete on N11 under that code, then create anew."""
    outcome = FlowOutcome()
    if _settle(ctx, "product", outcome):
        return outcome
    with ctx.session_factory() as s:
        recreate = s.scalar(select(func.count()).select_from(IntegrationAction).where(
            IntegrationAction.content_type == "product", IntegrationAction.state == "seller_code_deleted")) or 0
    if recreate:  # phase 2: the old listing is gone, create the product anew
        return _create(ctx, states=("seller_code_deleted",))
    now = ctx.clock()
    wanted = _skus(ctx)
    with ctx.session_factory() as s:
        cands = seller_code_candidates(s, now, limit=_limit(ctx), skus=wanted)
    items = [batches.SendItem(pid, sku, {"stockCode": sku}, now) for pid, sku in cands]
    return _send(ctx, "product", "seller_delete", items, outcome)


# ----------------------------------------------------------------------------- stock / price
def _force(ctx: FlowContext, content_type: str, wanted: Sequence[str] | None) -> None:
    """Option ``force`` (with ``skus``): resend the selection even if N11 accepted these values
    before (N11's side changed them: Monitoring → Reports "Fix selected"). The ledger forgets the
    accepted version; the penalty box and in-flight rules still apply."""
    if not ctx.options.get("force") or not wanted:
        return
    from sqlalchemy import update

    with ctx.session_factory.begin() as s:
        ids = ps.product_ids_for_skus(s, wanted)
        for start in range(0, len(ids), 900):
            s.execute(update(IntegrationAction).where(IntegrationAction.content_type == content_type,
                                                      IntegrationAction.object_id.in_(ids[start:start + 900]))
                      .values(version_date=None))


def _send_changed(ctx: FlowContext, content_type: str, candidates: Callable[..., list],
                  build: Callable[[datetime, list, FlowOutcome], list[batches.SendItem]]) -> FlowOutcome:
    """Stock and price: the changed records (``force`` honoured), sent as what
    ``build(now, candidates, outcome)`` makes of them."""
    outcome = FlowOutcome()
    if (changed := _changed(ctx, content_type, outcome, candidates, force=True)) is None:
        return outcome
    now, cands = changed
    return _send(ctx, content_type, "price_stock", build(now, cands, outcome), outcome)


@register("stock")
def stock(ctx: FlowContext) -> FlowOutcome:
    def build(_now: datetime, cands: list, _outcome: FlowOutcome) -> list[batches.SendItem]:
        buffer_stock = ctx.config.buffer_stock
        return [batches.SendItem(pid, sku, ps.stock_payload(sku, qty, buffer_stock), vd)
                for pid, sku, qty, vd in cands]

    return _send_changed(ctx, "productstock", ps.stock_candidates, build)


@register("price")
def price(ctx: FlowContext) -> FlowOutcome:
    def build(now: datetime, cands: list, outcome: FlowOutcome) -> list[batches.SendItem]:
        bad = [ps.Built(pid, sku, None, (f"{penalty.MSG_PRICE_NOT_FOUND} (price is {p})",), "channel_app")
               for pid, sku, p, _lp, _cur, _vd in cands if p is None or p <= 0]
        outcome.penalized += _penalize_built(ctx, "productprice", bad, now)
        outcome.total += len(bad)
        return [batches.SendItem(pid, sku, ps.price_payload(sku, p, lp, cur), vd)
                for pid, sku, p, lp, cur, vd in cands if p is not None and p > 0]

    return _send_changed(ctx, "productprice", ps.price_candidates, build)


# ----------------------------------------------------------------------------- task results
@register("task_results")
def task_results(ctx: FlowContext) -> FlowOutcome:
    """Poll every task in flight until PROCESSED/REJECT; per-SKU SUCCESS/FAIL into the ledger."""
    # After a restart the instance-lease holder has already released the batches of the previous
    # process (schedule_facts.recover_on_start → batch_recovery.take_over_abandoned, before any flow started);
    # this run (trigger "start") polls them and resolves their unacknowledged records. It keeps the
    # STALE_AFTER_S rule itself: a send of this process may already run next to it.
    summary = batch_recovery.recover_in_flight(ctx.db, ctx.client(), ctx.config, clock=ctx.clock, log_fn=_log_fn(ctx))
    approved = refresh_pending_approval(ctx, bulk=False)
    out = FlowOutcome(total=summary.succeeded + summary.failed, succeeded=summary.succeeded,
                      failed=summary.failed - summary.penalized, penalized=summary.penalized)
    parts = []
    if summary.pending:
        parts.append(f"{summary.pending} record(s) still in N11's queue")
    if summary.batches_finished:
        parts.append(f"{summary.batches_finished} batch(es) finished")
    if summary.resolved_unknown:
        parts.append(f"{summary.resolved_unknown} unacknowledged record(s) resolved via product-query")
    if approved:
        parts.append(f"{approved} product(s) left catalog approval")
    parts.extend(summary.messages)
    out.message = "; ".join(parts) or "no tasks in flight"
    if summary.succeeded or approved:  # N11's products changed: the N11 State Sync runs after this
        from ..remote_sync import mark_products_changed

        with ctx.session_factory.begin() as s:
            mark_products_changed(s, ctx.clock())
    return out
