"""Order flows (seed §9, DESIGN §6): order_create, order_update, send_invoice_link,
get_updated_orders, cancellation_requests, cancel_refund_orders, send_cancel_order_items,
split_packages, handle_package_combinations.

Every flow talks to N11 through ``ctx.client()`` only and keeps no HTTP call inside a write
transaction. Options (``ctx.options``) used by the Orders tab / CLI:
``orders``: list of N11 order numbers to limit a run to; ``late``: force the LATE_SHIPMENT
pass of order_create; ``split``: the split request of split_packages.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from ..n11.errors import N11Error
from ..orders import status as st
from ..orders.cancellations import (
    MAX_PLAN_ATTEMPTS,
    UNREPORTED_ERP,
    UNREPORTED_FIX,
    WAITING_ERP,
    ReasonNotConfigured,
    cancel_reason,
    check_reason,
    claim_reason_keys,
    refund_reason,
)
from ..orders.importer import (
    OrderImporter,
    history_orders,
    pending_orders,
    release_mapping_penalties,
    retry_due,
    to_utc_naive,
)
from ..orders.numbering import OrderNumberFormatError
from ..storage.models import (
    AppState,
    Cancellation,
    CancellationRequest,
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
    while True:  # N11's 15-day windows; the cursor moves after each committed window
        window_end = min(window_start + WINDOW, now)
        packages = (p for p in client.iter_shipment_packages(_aware(window_start), _aware(window_end),
                                                             by_last_modified=True) if keep(p))
        part = importer.import_packages(packages, check_stop=ctx.check_stop, history=history,
                                        progress=lambda n, base=(stats.seen if stats else 0):
                                        ctx.progress(base + n, 0, f"{base + n} packages"))
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


# ------------------------------------------------------------------ cancellation_requests
def _claim_line(claim) -> str | None:
    for value in (claim.line_id, claim.sku_id):
        if value is not None:
            return str(value)
    return None


def _claim_item_by_product(s, order, claim):
    items = list(s.scalars(select(OrderItem).where(OrderItem.order_id == order.id)))
    if len(items) == 1:
        return items[0]
    name = (claim.product_name or "").strip().casefold()
    same = [i for i in items if name and (i.product_name or "").strip().casefold() == name]
    return same[0] if len(same) == 1 else None


def _upsert_request(s, claim, now: datetime) -> CancellationRequest:
    req = s.scalar(select(CancellationRequest).where(CancellationRequest.n11_claim_id == str(claim.claim_id)))
    order = s.scalar(select(Order).where(Order.n11_order_number == str(claim.order_number or "")))
    item = None
    line = _claim_line(claim)
    if order is not None and line is not None:
        item = s.scalar(select(OrderItem).where(OrderItem.order_id == order.id, OrderItem.n11_line_id == line))
    if order is not None and item is None:
        # No source says a claim's skuId is the order line id (docs/n11-protocol.md): match by the
        # fields both records document instead, the product name within the order, when unique
        item = _claim_item_by_product(s, order, claim)
    if req is None:
        req = CancellationRequest(n11_claim_id=str(claim.claim_id), n11_order_number=str(claim.order_number or ""),
                                  status=claim.status or "", requested_at=_soap_date(claim.request_date) or now,
                                  raw={})
        s.add(req)
    req.status = claim.status or req.status
    if req.decision in (None, ""):  # decided on N11 already (e.g. our call's answer was lost)
        req.decision = {"COMPLETED": "approved", "DENIED": "denied"}.get((claim.status or "").upper())
    req.order_id = order.id if order is not None else None
    req.order_item_id = item.id if item is not None else None
    req.reason = " / ".join(x for x in (claim.reason_type, claim.reason) if x) or req.reason
    req.quantity = int(claim.quantity or req.quantity or 1)
    if claim.completed_date:
        req.completed_at = _soap_date(claim.completed_date)
    req.raw = {k: (str(v) if v is not None and not isinstance(v, (str, int, float, bool, list, dict)) else v)
               for k, v in (claim.raw or {}).items()}
    s.flush()
    return req


@register("cancellation_requests")
def cancellation_requests(ctx: FlowContext) -> FlowOutcome:
    out = FlowOutcome()
    client = ctx.client()
    now = _now(ctx)
    claims = client.claim_cancel_list("REQUESTED", (now - timedelta(hours=CLAIM_HOURS)).date(),
                                      (now + timedelta(days=1)).date())
    deny_reason = ctx.config.get("deny_reason_id")
    for claim in claims:
        ctx.check_stop()
        out.total += 1
        with ctx.session_factory.begin() as s:
            seen_before = s.scalar(select(CancellationRequest.id).where(
                CancellationRequest.n11_claim_id == str(claim.claim_id))) is not None
            req = _upsert_request(s, claim, now)
            if req.decision in ("approved", "denied"):
                out.skipped += 1
                continue
            unknown = req.order_id is None
            if unknown:
                as_history = str(claim.order_number or "") in history_orders(s)
            order = s.get(Order, req.order_id) if req.order_id else None
            invoiced = bool(order is not None and order.invoice_link)
            number = req.n11_order_number
        if unknown:
            # an order the app has never imported: whether it was invoiced is unknown, so the request is
            # not approved blindly; it waits (Orders tab) until the order is imported
            out.skipped += 1
            if not seen_before:
                where = " (recorded as history: first seen past New)" if as_history else ""
                ctx.log(f"claim {claim.claim_id}: order {number} is not imported{where}; the cancellation request "
                        "waits and is not approved blindly (import the order or answer it on N11)",
                        level="WARNING", object_type="order", object_key=number)
            continue
        key = f"claim {claim.claim_id} (order {number})"
        try:
            if invoiced:
                if deny_reason in (None, ""):
                    out.failed += 1
                    ctx.log(f"{key}: order is invoiced, so the request must be denied, but Deny Reason Id is not "
                            "set (Channel Settings)", level="ERROR", object_type="order", object_key=number)
                    continue
                client.claim_cancel_deny(claim.claim_id, int(deny_reason), "Sipariş faturalandı / order invoiced")
                decision, new_status = "denied", "DENIED"
            else:
                client.claim_cancel_approve(claim.claim_id)
                decision, new_status = "approved", "COMPLETED"
        except N11Error as exc:
            out.failed += 1
            ctx.log(f"{key}: {_error_text(exc)}", level="ERROR", object_type="order", object_key=number)
            continue
        with ctx.session_factory.begin() as s:
            req = s.scalar(select(CancellationRequest).where(CancellationRequest.n11_claim_id == str(claim.claim_id)))
            req.decision = decision
            req.status = new_status
        out.succeeded += 1
        ctx.log(f"{key}: {decision}" + (f" with Deny Reason Id {deny_reason} (order has an invoice)" if invoiced
                                        else "; it moves to the cancel list"),
                object_type="order", object_key=number)
    if not claims:
        out.message = "no cancellation requests in the last 24 hours"
    return out


# ------------------------------------------------------------------ cancel_refund_orders
@register("cancel_refund_orders")
def cancel_refund_orders(ctx: FlowContext) -> FlowOutcome:
    out = FlowOutcome()
    client = ctx.client()
    now = _now(ctx)
    claims = client.claim_cancel_list("COMPLETED", (now - timedelta(hours=CLAIM_HOURS)).date(),
                                      (now + timedelta(days=1)).date())
    notes: list[tuple[str, str, str]] = []  # (level, message, order) logged after each transaction

    def flush_notes() -> None:
        for level, message, key in notes:
            ctx.log(message, level=level, object_type="order", object_key=key)
        notes.clear()

    for claim in claims:
        with ctx.session_factory.begin() as s:
            req = _upsert_request(s, claim, now)
            if req.order_id is None:
                notes.append(("WARNING", f"claim {claim.claim_id}: order {claim.order_number} is not imported; "
                              "nothing to cancel", str(claim.order_number or "")))
                continue
            if req.order_item_id is None:
                notes.append(("WARNING", f"claim {claim.claim_id}: line {_claim_line(claim)} of order "
                              f"{claim.order_number} is not known locally", req.n11_order_number))
                continue
            order = s.get(Order, req.order_id)
            item = s.get(OrderItem, req.order_item_id)
            kind = "refund" if order.invoice_link else "cancel"
            source = f"claim:{claim.claim_id}"
            exists = s.scalar(select(Cancellation.id).where(Cancellation.order_item_id == item.id,
                                                            Cancellation.source_key == source))
            if exists is not None:
                continue
            pkg = s.get(Package, item.package_id) if item.package_id else None
            try:
                choice = refund_reason(ctx.config) if kind == "refund" else \
                    cancel_reason(ctx.config, claim_reason_keys(claim.reason_type, claim.raw),
                                  pkg.status if pkg else None)
                problem = check_reason(s, choice, kind)
                reason_id, msg = (None if problem else choice.reason_id), (problem or f"reason from {choice.source}")
            except ReasonNotConfigured as exc:
                reason_id, msg, problem = None, str(exc), str(exc)
            s.add(Cancellation(order_id=order.id, order_item_id=item.id, kind=kind, source_key=source,
                               reason_id=reason_id, quantity=int(claim.quantity or item.quantity), attempts=0,
                               state="failed" if problem else "planned", message=msg, created_at=now))
            if problem:
                notes.append(("ERROR", f"order {order.n11_order_number}: {problem}", order.n11_order_number))
        flush_notes()
    # plans that could not get a reason (settings missing then) are decided again with today's settings
    _rechoose_reasons(ctx, notes)
    flush_notes()
    # carry out every open plan; a plan waiting for the ERP keeps waiting (never abandoned) until the
    # order is marked ERP-reported, however old its claim is
    with ctx.session_factory() as s:
        plan_ids = list(s.scalars(select(Cancellation.id).where(
            Cancellation.source_key.like("claim:%"), Cancellation.reason_id.is_not(None),
            ((Cancellation.state.in_(("planned", "failed")) & (Cancellation.attempts < MAX_PLAN_ATTEMPTS))
             | (Cancellation.state == WAITING_ERP)
             | ((Cancellation.state == "abandoned") & Cancellation.message.like(UNREPORTED_ERP + "%"))))
            .order_by(Cancellation.id)))
    waiting = 0
    for plan_id in plan_ids:
        ctx.check_stop()
        out.total += 1
        with ctx.session_factory.begin() as s:
            plan = s.get(Cancellation, plan_id)
            order = s.get(Order, plan.order_id)
            item = s.get(OrderItem, plan.order_item_id) if plan.order_item_id else None
            number, kind, claim_id = order.n11_order_number, plan.kind, plan.source_key[6:]
            if not order.erp_reported:
                first = plan.state != WAITING_ERP
                plan.state = WAITING_ERP
                plan.message = f"{UNREPORTED_ERP}: waiting for the ERP since {plan.created_at:%d/%m/%Y %H:%M} UTC"
                waiting += 1
                out.skipped += 1
                if first:
                    notes.append(("WARNING", f"order {number}: {UNREPORTED_ERP}: {UNREPORTED_FIX} "
                                  f"(the {kind} of claim {claim_id} waits until then)", number))
                continue
            plan.attempts += 1
            if item is not None:
                item.status = st.REFUNDED if plan.kind == "refund" else st.CANCELLED
                item.sent_status = item.status
                item.cancelled_quantity = min(item.quantity, max(item.cancelled_quantity or 0, plan.quantity))
                items = list(s.scalars(select(OrderItem).where(OrderItem.order_id == order.id)))
                order.status = st.order_status([i.status for i in items])
            plan.state = "done"
            plan.message = f"{'refund' if kind == 'refund' else 'cancellation'} written with reason {plan.reason_id}"
        out.succeeded += 1
        notes.append(("INFO", f"order {number}: {kind} written (claim {claim_id})", number))
    if waiting:
        out.message = f"{out.succeeded} written, {waiting} waiting for the ERP (mark the orders ERP-reported)"
    flush_notes()
    if not claims and not plan_ids:
        out.message = "no completed cancellations in the last 24 hours"
    return out


def _rechoose_reasons(ctx: FlowContext, notes: list) -> None:
    with ctx.session_factory.begin() as s:
        for plan in s.scalars(select(Cancellation).where(Cancellation.source_key.like("claim:%"),
                                                         Cancellation.reason_id.is_(None),
                                                         Cancellation.state == "failed")):
            req = s.scalar(select(CancellationRequest).where(CancellationRequest.n11_claim_id == plan.source_key[6:]))
            raw = req.raw if req is not None and isinstance(req.raw, dict) else {}
            item = s.get(OrderItem, plan.order_item_id) if plan.order_item_id else None
            pkg = s.get(Package, item.package_id) if item is not None and item.package_id else None
            try:
                choice = refund_reason(ctx.config) if plan.kind == "refund" else \
                    cancel_reason(ctx.config, claim_reason_keys(raw.get("cancelReasonType"), raw),
                                  pkg.status if pkg else None)
            except ReasonNotConfigured:
                continue
            problem = check_reason(s, choice, plan.kind)
            if problem:
                plan.message = problem
                continue
            plan.reason_id, plan.state, plan.message = choice.reason_id, "planned", f"reason from {choice.source}"
            notes.append(("INFO", f"claim {plan.source_key[6:]}: reason {choice.reason_id} now set "
                          f"({choice.source})", str(req.n11_order_number if req else "")))


# ------------------------------------------------------------------ send_cancel_order_items
@register("send_cancel_order_items")
def send_cancel_order_items(ctx: FlowContext) -> FlowOutcome:
    out = FlowOutcome()
    only = _order_filter(ctx)
    with ctx.session_factory() as s:
        q = select(Cancellation, OrderItem, Order).join(OrderItem, OrderItem.id == Cancellation.order_item_id) \
            .join(Order, Order.id == Cancellation.order_id).where(
                Cancellation.kind == "cancel", Cancellation.source_key.like("local:%"),
                Cancellation.state.in_(("planned", "unknown")))
        if only:
            q = q.where(Order.n11_order_number.in_(only))
        work = [(c.id, int(i.n11_line_id), c.quantity, c.attempts, o.n11_order_number, i.package_id)
                for c, i, o in s.execute(q)]
    if not work:
        out.message = "no partial cancellations waiting"
        return out
    raw_reason = ctx.config.get("cancellation_reason_type_id")
    try:
        reason = int(raw_reason)
    except (TypeError, ValueError):
        reason = None
    if reason is None or not 61 <= reason <= 65:
        return FlowOutcome(total=len(work), failed=len(work), failed_as_whole=True,
                           message="Cancellation Reason Type Id must be set to 61–65 (Channel Settings) to send "
                                   "partial cancellations to N11")
    client = ctx.client()
    importer = _importer(ctx)
    now = _now(ctx)
    groups: dict[tuple[str, int | None], list] = defaultdict(list)
    for row in work:
        groups[(row[4], row[5])].append(row)
    for (number, _pkg), rows in groups.items():
        ctx.check_stop()
        out.total += len(rows)
        if any(r[3] > 0 for r in rows) and _already_cancelled(ctx, number, [r[1] for r in rows], now):
            _set_plans(ctx, [r[0] for r in rows], "sent", "confirmed on N11 after an unknown outcome")
            out.succeeded += len(rows)
            continue
        try:
            result = client.split_package_by_quantity([(line, qty, reason) for _, line, qty, *_ in rows])
        except N11Error as exc:
            state = "unknown" if exc.outcome_unknown else "failed"
            _set_plans(ctx, [r[0] for r in rows], state, _error_text(exc), attempt=True)
            out.failed += len(rows)
            ctx.log(f"order {number}: partial cancellation not accepted: {_error_text(exc)}", level="ERROR",
                    object_type="order", object_key=number)
            continue
        _set_plans(ctx, [r[0] for r in rows], "sent", f"sent with reason type {reason}", attempt=True)
        if result.packages:
            importer.import_packages(result.packages, create=False)
        _refresh_from_n11(ctx, importer, number, now)
        out.succeeded += len(rows)
        ctx.log(f"order {number}: partial cancellation of {len(rows)} line(s) sent to N11 (reason type {reason})",
                object_type="order", object_key=number)
    return out


def _set_plans(ctx: FlowContext, ids: list[int], state: str, message: str, attempt: bool = False) -> None:
    with ctx.session_factory.begin() as s:
        for plan in s.scalars(select(Cancellation).where(Cancellation.id.in_(ids))):
            plan.state = state
            plan.message = message
            if attempt:
                plan.attempts += 1


def _order_window(ctx: FlowContext, number: str, now: datetime) -> datetime:
    with ctx.session_factory() as s:
        ordered = s.scalar(select(Order.ordered_at).where(Order.n11_order_number == number))
    return (ordered or now - timedelta(days=14)) - timedelta(days=1)


def _refresh_from_n11(ctx: FlowContext, importer: OrderImporter, number: str, now: datetime) -> None:
    start = _order_window(ctx, number, now)
    importer.import_packages(ctx.client().iter_shipment_packages(_aware(start), _aware(now + timedelta(minutes=1)),
                                                                 order_number=number), create=False)


def _already_cancelled(ctx: FlowContext, number: str, line_ids: list[int], now: datetime) -> bool:
    start = _order_window(ctx, number, now)
    live: set[int] = set()
    for pkg in ctx.client().iter_shipment_packages(_aware(start), _aware(now + timedelta(minutes=1)),
                                                   order_number=number):
        if (pkg.status or "").lower() not in ("unpacked", "unsupplied", "cancelled"):
            live |= {ln.line_id for ln in pkg.lines}
    return not any(lid in live for lid in line_ids)


# ------------------------------------------------------------------ split_packages (OMS web hook)
@register("split_packages")
def split_packages(ctx: FlowContext) -> FlowOutcome:
    request = ctx.options.get("split")
    if not request:
        return FlowOutcome(message="nothing to split (the flow runs on the OMS web hook)")
    number = str(request.get("order_number") or "")
    groups = [list(map(int, g)) for g in request.get("groups") or []]
    with ctx.session_factory() as s:
        order = s.scalar(select(Order).where((Order.n11_order_number == number) | (Order.number == number)))
        if order is None:
            return FlowOutcome(total=1, failed=1, failed_as_whole=True,
                               message=f"split request for unknown order {number!r}")
        known = set(s.scalars(select(OrderItem.n11_line_id).where(OrderItem.order_id == order.id)))
        n11_number = order.n11_order_number
    unknown = [lid for g in groups for lid in g if str(lid) not in known]
    if unknown:
        return FlowOutcome(total=1, failed=1, failed_as_whole=True,
                           message=f"split request names lines {unknown} that are not in order {n11_number}")
    try:
        result = ctx.client().split_combine_package(groups)
    except N11Error as exc:
        ctx.log(f"order {n11_number}: split not accepted by N11: {_error_text(exc)}", level="ERROR",
                object_type="order", object_key=n11_number)
        return FlowOutcome(total=1, failed=1, failed_as_whole=True, message=_error_text(exc))
    importer = _importer(ctx)
    if result.packages:
        importer.import_packages(result.packages, create=False)
    _refresh_from_n11(ctx, importer, n11_number, _now(ctx))
    ctx.log(f"order {n11_number}: split into {len(groups)} package group(s) on N11", object_type="order",
            object_key=n11_number)
    return FlowOutcome(total=1, succeeded=1, message=f"order {n11_number} split into {len(result.packages) or len(groups)} packages")


# ------------------------------------------------------------------ handle_package_combinations
@register("handle_package_combinations")
def handle_package_combinations(ctx: FlowContext) -> FlowOutcome:
    """Items that share a tracking number ship together: groups that formed since the last
    run are reported with CombineItems, groups that broke up with SeparateCombinedItems.
    The first time an order is seen its grouping is taken as N11 already knows it."""
    out = FlowOutcome()
    now = _now(ctx)
    only = _order_filter(ctx)
    known: dict[str, list[list[int]]] = dict(_state_get(ctx, COMBINED_KEY, {}) or {})
    with ctx.session_factory() as s:
        q = select(Order.n11_order_number, OrderItem.n11_line_id, OrderItem.tracking_number, OrderItem.sku).join(
            OrderItem, OrderItem.order_id == Order.id).where(
            OrderItem.status.in_((st.WAITING, st.APPROVED)), Order.updated_at >= now - timedelta(days=UPDATED_DAYS))
        if only:
            q = q.where(Order.n11_order_number.in_(only))
        current: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        skus: dict[int, str | None] = {}
        for number, line, tracking, sku in s.execute(q):
            current[number][tracking or f"single:{line}"].append(int(line))
            skus[int(line)] = sku
    client = ctx.client()
    for number, by_tracking in current.items():
        groups = sorted(sorted(g) for g in by_tracking.values() if len(g) > 1)
        before = [sorted(g) for g in known.get(number, [])] if number in known else None
        if before is None:
            known[number] = groups
            continue
        added = [g for g in groups if g not in before]
        removed = [g for g in before if g not in groups]
        if not added and not removed:
            continue
        out.total += len(added) + len(removed)
        try:
            lines = sorted({lid for g in added + removed for lid in g})
            soap_ids = _soap_ids(ctx, client, number, [(lid, skus.get(lid)) for lid in lines])
            for g in removed:
                live = [lid for lid in g if any(lid in x for x in by_tracking.values())]
                if live:
                    client.separate_combined_items([soap_ids[lid] for lid in live])
            for g in added:
                client.combine_items([soap_ids[lid] for lid in g])
        except N11Error as exc:
            out.failed += len(added) + len(removed)
            ctx.log(f"order {number}: package change not accepted: {_error_text(exc)}", level="ERROR",
                    object_type="order", object_key=number)
            continue
        known[number] = groups
        out.succeeded += len(added) + len(removed)
        ctx.log(f"order {number}: {len(added)} combine, {len(removed)} separate reported to N11",
                object_type="order", object_key=number)
    _state_set(ctx, COMBINED_KEY, known)
    return out
