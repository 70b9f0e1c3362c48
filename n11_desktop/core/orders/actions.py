"""What the operator does to orders (Orders tab and CLI). Each action changes local state
only and says which flow carries it to N11 — the caller then runs that flow, so the GUI,
the CLI and the scheduler all go through the same code.

Every function validates first and raises :class:`ActionError` (a one-line message naming
the order / line) without changing anything when the input is wrong.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select

from ..storage.models import Cancellation, Order, OrderItem
from . import status as st


class ActionError(ValueError):
    pass


@dataclass(frozen=True)
class ActionResult:
    message: str
    flow: str | None  # flow that sends it to N11
    orders: tuple[str, ...]  # N11 order numbers to limit that flow to


def _order(s, order_id: int) -> Order:
    order = s.get(Order, order_id)
    if order is None:
        raise ActionError(f"order #{order_id} does not exist")
    return order


def _items(s, order: Order, item_ids) -> list[OrderItem]:
    items = list(s.scalars(select(OrderItem).where(OrderItem.order_id == order.id, OrderItem.id.in_(list(item_ids)))))
    if not item_ids:
        raise ActionError(f"order {order.number}: select at least one line")
    if len(items) != len(set(item_ids)):
        raise ActionError(f"order {order.number}: some selected lines do not belong to it")
    return items


def _refresh(s, order: Order) -> None:
    items = list(s.scalars(select(OrderItem).where(OrderItem.order_id == order.id)))
    order.status = st.order_status([i.status for i in items])


def approve(db, order_id: int, item_ids) -> ActionResult:
    with db.session_factory.begin() as s:
        order = _order(s, order_id)
        items = _items(s, order, item_ids)
        bad = [i for i in items if i.status != st.WAITING]
        if bad:
            raise ActionError(f"order {order.number}: line {bad[0].n11_line_id} is "
                              f"{st.LABELS.get(bad[0].status, bad[0].status)}, only lines waiting for approval "
                              "can be approved")
        for i in items:
            i.status = st.APPROVED
        _refresh(s, order)
        return ActionResult(f"{len(items)} line(s) of {order.number} approved; sending to N11", "order_update",
                            (order.n11_order_number,))


def ship(db, order_id: int, item_ids, tracking_number: str) -> ActionResult:
    tracking = (tracking_number or "").strip()
    if not tracking or len(tracking) > 100 or any(c.isspace() for c in tracking):
        raise ActionError("tracking number must be 1–100 characters without spaces")
    with db.session_factory.begin() as s:
        order = _order(s, order_id)
        items = _items(s, order, item_ids)
        bad = [i for i in items if i.status not in (st.WAITING, st.APPROVED)]
        if bad:
            raise ActionError(f"order {order.number}: line {bad[0].n11_line_id} is "
                              f"{st.LABELS.get(bad[0].status, bad[0].status)} and cannot be shipped "
                              "(statuses never go backwards)")
        for i in items:
            i.status = st.SHIPPED
            i.tracking_number = tracking
        _refresh(s, order)
        return ActionResult(f"{len(items)} line(s) of {order.number} shipped with {tracking}; sending to N11",
                            "order_update", (order.n11_order_number,))


def attach_invoice(db, order_id: int, url: str) -> ActionResult:
    link = (url or "").strip()
    parts = urlsplit(link)
    if parts.scheme != "https" or not parts.netloc:
        raise ActionError("invoice link must be an https:// address (N11 accepts https PDF/PNG/JPEG links)")
    if len(link) > 2048:
        raise ActionError("invoice link is longer than 2048 characters")
    with db.session_factory.begin() as s:
        order = _order(s, order_id)
        order.invoice_link = link
        order.invoice_sent_at = None
        return ActionResult(f"invoice link attached to {order.number}; sending to N11", "send_invoice_link",
                            (order.n11_order_number,))


_local_ids = itertools.count(int(time.time() * 1000))


def cancel_lines(db, order_id: int, quantities: dict[int, int], reason_id: int | None = None) -> ActionResult:
    """Partial cancellation: ``quantities`` maps order item id → quantity to cancel."""
    if not quantities:
        raise ActionError("choose at least one line and a quantity to cancel")
    with db.session_factory.begin() as s:
        order = _order(s, order_id)
        items = {i.id: i for i in _items(s, order, list(quantities))}
        for item_id, qty in quantities.items():
            item = items[item_id]
            left = item.quantity - (item.cancelled_quantity or 0)
            if item.status not in (st.WAITING, st.APPROVED):
                raise ActionError(f"order {order.number}: line {item.n11_line_id} is "
                                  f"{st.LABELS.get(item.status, item.status)}; only lines not yet shipped can be "
                                  "cancelled")
            if not isinstance(qty, int) or qty < 1 or qty > left:
                raise ActionError(f"order {order.number}: line {item.n11_line_id}: quantity to cancel must be "
                                  f"1–{left} (got {qty})")
        for item_id, qty in quantities.items():
            item = items[item_id]
            item.cancelled_quantity = (item.cancelled_quantity or 0) + qty
            s.add(Cancellation(order_id=order.id, order_item_id=item.id, kind="cancel",
                               source_key=f"local:{next(_local_ids)}", reason_id=reason_id, quantity=qty,
                               attempts=0, state="planned", message="waiting to be sent to N11"))
        return ActionResult(f"{sum(quantities.values())} unit(s) of {order.number} cancelled; sending to N11",
                            "send_cancel_order_items", (order.n11_order_number,))


def mark_reported(db, numbers) -> ActionResult:
    """Mark orders as reported to the ERP (by N11 order number or formatted number)."""
    wanted = [str(n).strip() for n in numbers if str(n).strip()]
    if not wanted:
        raise ActionError("give at least one order number")
    with db.session_factory.begin() as s:
        found = list(s.scalars(select(Order).where(Order.n11_order_number.in_(wanted) | Order.number.in_(wanted))))
        known = {o.n11_order_number for o in found} | {o.number for o in found}
        missing = [n for n in wanted if n not in known]
        if missing:
            raise ActionError(f"order {missing[0]} not found")
        for o in found:
            o.erp_reported = True
        return ActionResult(f"{len(found)} order(s) marked as reported to the ERP", "cancel_refund_orders",
                            tuple(o.n11_order_number for o in found))
