"""Cancellation flows (seed §9, DESIGN §6): cancellation_requests, cancel_refund_orders,
send_cancel_order_items. Shared helpers live in ``orders``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

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
from ..orders.importer import history_orders
from ..storage.models import Cancellation, CancellationRequest, Order, OrderItem, Package
from .base import FlowContext, FlowOutcome, register
from .orders import (
    CLAIM_HOURS,
    _aware,
    _error_text,
    _importer,
    _now,
    _order_filter,
    _order_window,
    _refresh_from_n11,
    _soap_date,
)


# ------------------------------------------------------------------ cancellation_requests
def _recent_cancel_claims(client, status: str, now: datetime) -> list:
    """Cancellation requests in ``status`` from the last ``CLAIM_HOURS`` hours (N11 searches by day)."""
    return client.claim_cancel_list(status, (now - timedelta(hours=CLAIM_HOURS)).date(),
                                    (now + timedelta(days=1)).date())


def _request_of(s, claim_id) -> CancellationRequest | None:
    """The stored cancellation request of an N11 claim id."""
    return s.scalar(select(CancellationRequest).where(CancellationRequest.n11_claim_id == str(claim_id)))


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
    req = _request_of(s, claim.claim_id)
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
    claims = _recent_cancel_claims(client, "REQUESTED", now)
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
            req = _request_of(s, claim.claim_id)
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
    claims = _recent_cancel_claims(client, "COMPLETED", now)
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
            req = _request_of(s, plan.source_key[6:])
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


def _already_cancelled(ctx: FlowContext, number: str, line_ids: list[int], now: datetime) -> bool:
    start = _order_window(ctx, number, now)
    live: set[int] = set()
    for pkg in ctx.client().iter_shipment_packages(_aware(start), _aware(now + timedelta(minutes=1)),
                                                   order_number=number):
        if (pkg.status or "").lower() not in ("unpacked", "unsupplied", "cancelled"):
            live |= {ln.line_id for ln in pkg.lines}
    return not any(lid in live for lid in line_ids)
