"""Package flows (seed §9, DESIGN §6): split_packages (OMS web hook) and
handle_package_combinations.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from sqlalchemy import select

from ..n11.errors import N11Error
from ..orders import status as st
from ..storage.models import Order, OrderItem
from .base import FlowContext, FlowOutcome, register
from .orders import (
    COMBINED_KEY,
    UPDATED_DAYS,
    _error_text,
    _importer,
    _now,
    _order_filter,
    _refresh_from_n11,
    _soap_ids,
    _state_get,
    _state_set,
)


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
