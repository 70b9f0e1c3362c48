"""Order flows (seed §9, DESIGN §6): order_create, order_update, send_invoice_link,
get_updated_orders, and the helpers the cancellation (``cancellations``) and package
(``packages``) flows share.

Every flow talks to N11 through ``ctx.client()`` only and keeps no HTTP call inside a write
transaction. Options (``ctx.options``) used by the Orders tab / CLI:
``orders``: list of N11 order numbers to limit a run to; ``late``: force the LATE_SHIPMENT
pass of order_create; ``split``: the split request of split_packages.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from ..clock import utcnow
from ..logrows import insert_log_rows, log_row
from ..n11.errors import N11Error
from ..orders import status as st
from ..orders.importer import (
    BATCH_SIZE,
    OrderImporter,
    history_orders,
    pending_orders,
    release_mapping_penalties,
    retry_due,
    to_utc_naive,
)
from ..orders.numbering import OrderNumberFormatError
from ..orders.prefetch import DeferredExchanges, Prefetch
from ..storage.models import (
    AppState,
    CargoCompany,
    Order,
    OrderItem,
    Package,
)
from .base import FlowContext, FlowOutcome, register

TURKEY = timezone(timedelta(hours=3), "TRT")
CURSOR_KEY = "orders.cursor"
LATE_KEY = "orders.late_pass_at"
COMBINED_KEY = "orders.combined"
OVERLAP = timedelta(minutes=30)
WINDOW = timedelta(days=15)  # N11's largest package window
LATE_INTERVAL = timedelta(hours=8)
UPDATED_DAYS = 15
CLAIM_HOURS = 24
MAX_PENDING_RETRIES = 50


# ------------------------------------------------------------------ helpers
def _now(ctx: FlowContext) -> datetime:
    return ctx.clock()


def _aware(naive_utc: datetime) -> datetime:
    return naive_utc.replace(tzinfo=timezone.utc)


def _state_get(ctx: FlowContext, key: str, default: Any = None) -> Any:
    with ctx.session_factory() as s:
        row = s.get(AppState, key)
        return default if row is None else row.value


def _state_set(ctx: FlowContext, key: str, value: Any) -> None:
    with ctx.session_factory.begin() as s:
        row = s.get(AppState, key)
        if row is None:
            s.add(AppState(key=key, value=value))
        else:
            row.value = value


def parse_start_date(text: str | None) -> datetime | None:
    """Order Start Date (dd/MM/yyyy, Turkish time) as naive UTC, or None when empty."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        day = datetime.strptime(text, "%d/%m/%Y").replace(tzinfo=TURKEY)
    except ValueError:
        raise ValueError(f"Order Start Date {text!r} is not a date in dd/MM/yyyy form (e.g. 30/07/2023)") from None
    return day.astimezone(timezone.utc).replace(tzinfo=None)


def _order_filter(ctx: FlowContext) -> list[str] | None:
    numbers = ctx.options.get("orders")
    if not numbers:
        return None
    return [str(n) for n in numbers]


def _importer(ctx: FlowContext) -> OrderImporter:
    return OrderImporter(ctx.db, ctx.config, clock=ctx.clock, log=ctx.log)


def _error_text(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _soap_date(text: str | None) -> datetime | None:
    if not text:
        return None
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=TURKEY).astimezone(timezone.utc) \
                .replace(tzinfo=None)
        except ValueError:
            continue
    return None


def _returns_in_progress(ctx: FlowContext, now: datetime) -> set[str]:
    """Order numbers with a return claim in progress on N11 (seed §8: such orders are not updated)."""
    numbers: set[str] = set()
    start = (now - timedelta(days=30)).date()
    for status in ("REQUESTED", "PENDING"):
        for claim in ctx.client().claim_return_list(status, start, (now + timedelta(days=1)).date()):
            if claim.order_number:
                numbers.add(str(claim.order_number))
    return numbers


# ------------------------------------------------------------------ order_create
@register("order_create")
def order_create(ctx: FlowContext) -> FlowOutcome:
    out = FlowOutcome()
    try:
        start_date = parse_start_date(ctx.config.get("order_start_date"))
    except ValueError as exc:
        return FlowOutcome(message=str(exc), failed_as_whole=True)
    if start_date is None:
        return FlowOutcome(message="Order Start Date is not set (Channel Settings, dd/MM/yyyy); orders are "
                                   "fetched from that date on", failed_as_whole=True)
    try:
        importer = _importer(ctx)
    except OrderNumberFormatError as exc:
        return FlowOutcome(message=str(exc), failed_as_whole=True)
    history = bool(ctx.options.get("history"))
    _release_on_mapping_settings_change(ctx)
    client = ctx.client()
    now = _now(ctx)
    cursor_text = _state_get(ctx, CURSOR_KEY)
    cursor = datetime.fromisoformat(cursor_text) if cursor_text else None
    start = max(start_date, cursor - OVERLAP) if cursor else start_date
    if start > now:
        start = now - OVERLAP

    def keep(pkg) -> bool:
        created = to_utc_naive(pkg.created)
        return created is None or created >= start_date

    ctx.log(f"fetching packages modified {start:%d/%m/%Y %H:%M} – {now:%d/%m/%Y %H:%M} UTC")
    stats = None
    window_start = start
    # the pages' exchanges are logged by this thread between batches (DeferredExchanges)
    sink = getattr(client, "on_exchange", None)
    deferred = DeferredExchanges(sink) if sink is not None else None
    # … and, when they go to this run's log, written in each batch's own transaction (one commit a page)
    with_batch = deferred is not None and sink == ctx._log_exchange

    def batch_log(conn, failed: list[tuple[str, str]]):
        """The batch's failures and the exchanges kept so far, as log rows in the batch's transaction
        (the rows ctx.log and the deferred flush would write after its commit, in the same order)."""
        rows = [log_row(message, level="ERROR", flow=ctx.slug, run_id=ctx.run_id, object_type="order",
                        object_key=number, created_at=utcnow()) for number, message in failed]
        taken = deferred.take()
        for exchange in taken:
            try:
                rows.append(ctx.exchange_log_row(exchange))
            except Exception:  # noqa: BLE001 - as the flush: a broken log row must not break the import
                logging.getLogger(__name__).exception("on_exchange callback failed")
        try:
            insert_log_rows(conn, rows)
        except BaseException:
            deferred.restore(taken)
            raise
        return lambda: deferred.restore(taken)

    def batch_done(n: int, base: int) -> None:
        if deferred is not None and not with_batch:
            deferred.flush()
        ctx.progress(base + n, 0, f"{base + n} packages")

    while True:  # N11's 15-day windows; the cursor moves after each committed window
        window_end = min(window_start + WINDOW, now)
        # the next page is fetched while the previous batch is written (one page ahead at most),
        # and requested while the page before it is turned into packages (read_ahead)
        if deferred is not None:
            client.on_exchange = deferred
        importer.batch_log = batch_log if with_batch else None
        try:
            with Prefetch(client.iter_shipment_packages(_aware(window_start), _aware(window_end),
                                                        by_last_modified=True, read_ahead=True),
                          chunk=BATCH_SIZE) as fetched:
                part = importer.import_packages((p for p in fetched if keep(p)), check_stop=ctx.check_stop,
                                                history=history,
                                                progress=lambda n, base=(stats.seen if stats else 0):
                                                batch_done(n, base))
        finally:  # the fetching threads have stopped: the client logs directly again
            importer.batch_log = None
            if deferred is not None:
                client.on_exchange = sink
                deferred.flush()
        if stats is None:
            stats = part
        else:
            stats.merge(part)
        _state_set(ctx, CURSOR_KEY, window_end.isoformat())
        if window_end >= now:
            break
        window_start = window_end
        ctx.check_stop()

    # orders that failed before (unmapped address / cargo) are fetched again by number
    # … once their `order` Failed Integration rule allows (RETRY_INTERVAL, MAX_RETRY_COUNT)
    with ctx.session_factory() as s:
        pending = pending_orders(s)
        due = retry_due(s, pending, now)
    failed_now = {n for n, _ in stats.failed}
    retried = 0
    for number, when in [(n, w) for n, w in pending.items() if n in due][:MAX_PENDING_RETRIES]:
        if number in stats.imported_numbers or number in failed_now:
            continue
        ctx.check_stop()
        first = datetime.fromisoformat(when) - timedelta(days=1)
        retried += 1
        stats.merge(importer.import_packages(  # first seen as New: created whatever its status now
            client.iter_shipment_packages(_aware(first), _aware(now), order_number=number, by_last_modified=True),
            any_status=True))
    if history:  # "import history": the orders recorded as history come in, marked as such
        with ctx.session_factory() as s:
            recorded = history_orders(s)
        for number, (_status, when) in list(recorded.items()):
            if number in stats.imported_numbers:
                continue
            ctx.check_stop()
            first = datetime.fromisoformat(when) - timedelta(days=1)
            stats.merge(importer.import_packages(
                client.iter_shipment_packages(_aware(first), _aware(now), order_number=number), history=True))

    # the 8-hourly LATE_SHIPMENT pass (SOAP DetailedOrderList)
    late_at = _state_get(ctx, LATE_KEY)
    late_due = bool(ctx.options.get("late")) or not late_at or \
        datetime.fromisoformat(late_at) + LATE_INTERVAL <= now
    late_count = 0
    if late_due:
        late_count = _late_pass(ctx, importer, stats, start_date, now)
        _state_set(ctx, LATE_KEY, now.isoformat())

    out.total = stats.seen
    out.succeeded = stats.orders_created + stats.orders_updated
    out.skipped = stats.skipped
    failed_numbers = {n for n, _ in stats.failed}
    out.penalized = len(failed_numbers)
    parts = [f"{stats.orders_created} new orders", f"{stats.orders_updated} updated"]
    if failed_numbers:
        parts.append(f"{len(failed_numbers)} not written (see log)")
    if retried:
        parts.append(f"{retried} earlier failures retried")
    if stats.history:
        parts.append(f"{len(stats.history)} first seen past New recorded as history (not new work; "
                     "`orders import-history` brings them in)")
    if late_due:
        parts.append(f"late-shipment pass: {late_count} late orders")
    out.message = ", ".join(parts)
    return out


MAPPING_SETTINGS = ("cargo_company_id", "exclude_cargo_company_ids", "use_neighborhood",
                    "use_channel_id_in_address_mapping")
MAPPING_KEY = "orders.mapping_settings"


def _release_on_mapping_settings_change(ctx: FlowContext) -> None:
    """Settings that decide address / cargo mapping changed since the last run: orders penalized for a
    mapping problem are tried again now instead of after their RETRY_INTERVAL."""
    current = {k: ctx.config.get(k) for k in MAPPING_SETTINGS}
    before = _state_get(ctx, MAPPING_KEY)
    if before == current:
        return
    with ctx.session_factory.begin() as s:
        if before is not None:
            release_mapping_penalties(s, _now(ctx))
        row = s.get(AppState, MAPPING_KEY)
        if row is None:
            s.add(AppState(key=MAPPING_KEY, value=current))
        else:
            row.value = current


def _late_pass(ctx: FlowContext, importer: OrderImporter, stats, start_date: datetime, now: datetime) -> int:
    client = ctx.client()
    since = max(start_date, now - timedelta(days=30))
    orders = client.detailed_order_list("LATE_SHIPMENT", since.date(), (now + timedelta(days=1)).date())
    count = 0
    for sorder in orders:
        ctx.check_stop()
        late_ids = {str(it.id) for it in sorder.items if str(it.status or "") == "14"} or \
            {str(it.id) for it in sorder.items}
        with ctx.session_factory() as s:
            known = s.scalar(select(Order.id).where(Order.n11_order_number == sorder.order_number))
        if known is None:
            created = _soap_date(sorder.create_date) or since
            stats.merge(importer.import_packages(client.iter_shipment_packages(
                _aware(created - timedelta(days=1)), _aware(now), order_number=sorder.order_number), any_status=True))
        with ctx.session_factory.begin() as s:
            order = s.scalar(select(Order).where(Order.n11_order_number == sorder.order_number))
            if order is None:
                continue
            for item in s.scalars(select(OrderItem).where(OrderItem.order_id == order.id,
                                                          OrderItem.n11_line_id.in_(late_ids))):
                if item.status == st.WAITING:
                    item.n11_status = "LATE_SHIPMENT"
            count += 1
        ctx.log(f"order {sorder.order_number} is late for shipment (N11 LATE_SHIPMENT)", level="WARNING",
                object_type="order", object_key=sorder.order_number)
    return count


# ------------------------------------------------------------------ order_update
def _n11_company_for(s, order: Order) -> int | None:
    if order.cargo_company_id is not None:
        mapped = s.scalar(select(CargoCompany.n11_shipment_company_id).where(CargoCompany.id == order.cargo_company_id))
        if mapped:
            return int(mapped)
    return order.n11_shipment_company_id


@register("order_update")
def order_update(ctx: FlowContext) -> FlowOutcome:
    out = FlowOutcome()
    client = ctx.client()
    now = _now(ctx)
    only = _order_filter(ctx)
    send_tracking = bool(ctx.config.get("send_shipping_info", False))
    with ctx.session_factory() as s:
        q = select(OrderItem, Order).join(Order, Order.id == OrderItem.order_id).where(
            OrderItem.status.in_((st.APPROVED, st.SHIPPED, st.DELIVERED, st.COMPLETED)))
        if only:
            q = q.where(Order.n11_order_number.in_(only))
        work: dict[str, list[dict]] = defaultdict(list)
        orders: dict[str, dict] = {}
        for item, order in s.execute(q):
            if not st.is_ahead(item.status, item.sent_status):
                continue
            pkg = s.get(Package, item.package_id) if item.package_id else None
            work[order.n11_order_number].append(dict(
                id=item.id, line_id=int(item.n11_line_id), sku=item.sku, status=item.status, sent=item.sent_status,
                tracking=item.tracking_number, campaign=pkg.campaign_number if pkg else None))
            orders[order.n11_order_number] = dict(company=_n11_company_for(s, order))
        q2 = select(Order).where(Order.invoice_link.is_not(None), Order.invoice_sent_at.is_(None))
        if only:
            q2 = q2.where(Order.n11_order_number.in_(only))
        invoices = [(o.id, o.n11_order_number, o.invoice_link) for o in s.scalars(q2)]
    if not work and not invoices:
        out.message = "nothing to send"
        return out
    blocked = _returns_in_progress(ctx, now)
    importer: OrderImporter | None = None
    for number, items in work.items():
        ctx.check_stop()
        out.total += len(items)
        if number in blocked:
            out.skipped += len(items)
            ctx.log(f"order {number} not updated: a return is in progress on N11 (seed §8)", level="WARNING",
                    object_type="order", object_key=number)
            continue
        # 1) approve on N11 what is approved (or further) locally but still waiting there
        to_approve = [it for it in items if st.RANK.get(it["sent"] or "", -1) < st.RANK[st.APPROVED]]
        approved_ok: set[int] = set()
        trouble = False
        results = []
        if to_approve:
            try:
                results = client.approve_lines([it["line_id"] for it in to_approve])
            except N11Error as exc:
                trouble = True
                ctx.log(f"order {number}: approval failed: {_error_text(exc)}", level="ERROR",
                        object_type="order", object_key=number)
            for res in results:
                if res.ok:
                    approved_ok.add(res.line_id)
                else:
                    trouble = True
                    ctx.log(f"order {number} line {res.line_id}: N11 did not approve: {res.message}",
                            level="ERROR", object_type="order", object_key=number)
            _mark_sent(ctx, [it["id"] for it in to_approve if it["line_id"] in approved_ok], st.APPROVED)
        ready = [it for it in items if it not in to_approve or it["line_id"] in approved_ok]
        if to_approve and not approved_ok:
            ready = []
        # 2) shipment info for lines shipped locally
        to_ship = [it for it in ready if st.RANK[it["status"]] >= st.RANK[st.SHIPPED]
                   and st.RANK.get(it["sent"] or "", -1) < st.RANK[st.SHIPPED]]
        if to_ship:
            company = orders[number]["company"]
            if company is None:
                trouble = True
                ctx.log(f"order {number}: no N11 shipment company for the order's cargo company; map it first",
                        level="ERROR", object_type="order", object_key=number)
            else:
                try:
                    soap_ids = _soap_ids(ctx, client, number, [(it["line_id"], it["sku"]) for it in to_ship])
                    client.make_order_item_shipment([
                        (soap_ids[it["line_id"]], company, it["campaign"], it["tracking"] if send_tracking else None, 1)
                        for it in to_ship])
                except N11Error as exc:
                    trouble = True
                    ctx.log(f"order {number}: shipment info not accepted: {_error_text(exc)}", level="ERROR",
                            object_type="order", object_key=number)
                    to_ship = []
                _mark_sent(ctx, [it["id"] for it in to_ship], st.SHIPPED)
        sent = len([it for it in to_approve if it["line_id"] in approved_ok]) + len(to_ship)
        if trouble:
            # something was refused or its outcome is unknown: read the order back from N11 so a change
            # that did reach N11 (e.g. a retried call) counts as sent and nothing is sent twice
            try:
                importer = importer or _importer(ctx)
                _refresh_from_n11(ctx, importer, number, now)
            except N11Error as exc:
                ctx.log(f"order {number}: could not read it back from N11: {_error_text(exc)}", level="WARNING",
                        object_type="order", object_key=number)
            with ctx.session_factory() as s:
                still = [i for i in s.scalars(select(OrderItem).where(OrderItem.id.in_([it["id"] for it in items])))
                         if st.is_ahead(i.status, i.sent_status)]
            out.failed += len(still)
            sent = len(items) - len(still)
        out.succeeded += min(sent, len(items))
        if sent:
            ctx.log(f"order {number}: status sent to N11 ({len(approved_ok)} approved, {len(to_ship)} shipped"
                    f"{', tracking numbers included' if send_tracking and to_ship else ''})",
                    object_type="order", object_key=number)
    for order_id, number, link in invoices:
        if number in blocked:
            continue
        out.total += 1
        if _send_invoice(ctx, order_id, number, link):
            out.succeeded += 1
        else:
            out.failed += 1
    return out


def _soap_ids(ctx: FlowContext, client, number: str, lines: list[tuple[int, str | None]]) -> dict[int, int]:
    """SOAP order item ids of REST lines, matched by documented fields (client.soap_item_ids);
    a line N11's SOAP side does not show keeps its REST id, with a warning (unverified)."""
    found = client.soap_item_ids(number, lines)
    for line_id, _sku in lines:
        if line_id not in found:
            ctx.log(f"order {number} line {line_id}: not found in N11's SOAP order; its REST line id is used",
                    level="WARNING", object_type="order", object_key=number)
            found[line_id] = line_id
    return found


def _mark_sent(ctx: FlowContext, item_ids: list[int], status: str) -> None:
    if not item_ids:
        return
    with ctx.session_factory.begin() as s:
        for item in s.scalars(select(OrderItem).where(OrderItem.id.in_(item_ids))):
            item.sent_status = st.advance(item.sent_status, status)


def _send_invoice(ctx: FlowContext, order_id: int, number: str, link: str) -> bool:
    from ..orders.actions import is_micro_export

    with ctx.session_factory() as s:  # micro-export orders carry the invoice number and time too
        order = s.get(Order, order_id)
        micro = order is not None and is_micro_export(s, order)
        invoice = dict(((order.raw or {}).get("invoice") or {}) if order is not None else {})
    when = datetime.fromisoformat(invoice["time"]) if invoice.get("time") else None
    try:
        ctx.client().save_invoice_link(number, link, invoice_number=invoice.get("number"),
                                       invoice_datetime=when, micro=micro)
    except (N11Error, ValueError) as exc:
        ctx.log(f"order {number}: invoice link not accepted: {_error_text(exc)}", level="ERROR",
                object_type="order", object_key=number)
        return False
    with ctx.session_factory.begin() as s:
        order = s.get(Order, order_id)
        if order is not None and order.invoice_link == link:
            order.invoice_sent_at = _now(ctx)
    ctx.log(f"order {number}: invoice link sent to N11", object_type="order", object_key=number)
    return True


# ------------------------------------------------------------------ send_invoice_link
@register("send_invoice_link")
def send_invoice_link(ctx: FlowContext) -> FlowOutcome:
    out = FlowOutcome()
    only = _order_filter(ctx)
    with ctx.session_factory() as s:
        q = select(Order.id, Order.n11_order_number, Order.invoice_link).where(
            Order.invoice_link.is_not(None), Order.invoice_sent_at.is_(None))
        if only:
            q = q.where(Order.n11_order_number.in_(only))
        rows = s.execute(q).all()
    for order_id, number, link in rows:
        ctx.check_stop()
        out.total += 1
        if _send_invoice(ctx, order_id, number, link):
            out.succeeded += 1
        else:
            out.failed += 1
    if not rows:
        out.message = "no invoiced order waiting"
    return out


# ------------------------------------------------------------------ get_updated_orders
@register("get_updated_orders")
def get_updated_orders(ctx: FlowContext) -> FlowOutcome:
    out = FlowOutcome()
    client = ctx.client()
    now = _now(ctx)
    start = now - timedelta(days=UPDATED_DAYS)
    importer = _importer(ctx)
    total_seen = updated = 0
    for status in ("Shipped", "Delivered"):
        stats = importer.import_packages(
            client.iter_shipment_packages(_aware(start), _aware(now), status=status, by_last_modified=True),
            create=False, check_stop=ctx.check_stop)
        total_seen += stats.seen
        updated += stats.orders_updated
    completed = 0
    for sorder in client.detailed_order_list("Completed", start.date(), (now + timedelta(days=1)).date()):
        ctx.check_stop()
        total_seen += 1
        with ctx.session_factory.begin() as s:
            order = s.scalar(select(Order).where(Order.n11_order_number == sorder.order_number))
            if order is None:
                continue
            items = {it.n11_line_id: it for it in s.scalars(select(OrderItem).where(OrderItem.order_id == order.id))}
            changed = False
            for sitem in sorder.items:
                item = items.get(str(sitem.id))
                new = st.from_soap(sitem.status)
                if item is None or new is None:
                    continue
                before = item.status
                item.status = st.advance(item.status, new)
                item.sent_status = st.advance(item.sent_status, new)
                track = (sitem.campaign_number if ctx.config.get("oms_enabled") else None) or sitem.tracking_number
                if track:
                    item.tracking_number = track
                changed = changed or item.status != before
            if changed:
                order.status = st.order_status([i.status for i in items.values()])
                completed += 1
    out.total = total_seen
    out.succeeded = updated + completed
    out.message = f"{updated} orders updated from packages, {completed} from completed orders"
    return out


def _order_window(ctx: FlowContext, number: str, now: datetime) -> datetime:
    with ctx.session_factory() as s:
        ordered = s.scalar(select(Order.ordered_at).where(Order.n11_order_number == number))
    return (ordered or now - timedelta(days=14)) - timedelta(days=1)


def _refresh_from_n11(ctx: FlowContext, importer: OrderImporter, number: str, now: datetime) -> None:
    start = _order_window(ctx, number, now)
    importer.import_packages(ctx.client().iter_shipment_packages(_aware(start), _aware(now + timedelta(minutes=1)),
                                                                 order_number=number), create=False)
