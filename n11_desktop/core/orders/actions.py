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


def _items_in(s, order: Order, item_ids, allowed: tuple[str, ...], why: str) -> list[OrderItem]:
    """The order's lines ``item_ids``, refused (naming the first line in another status, then ``why``)
    unless every one is in an ``allowed`` status."""
    items = _items(s, order, item_ids)
    bad = next((i for i in items if i.status not in allowed), None)
    if bad is not None:
        raise ActionError(f"order {order.number}: line {bad.n11_line_id} is {st.LABELS.get(bad.status, bad.status)}"
                          + why)
    return items


def _refresh(s, order: Order) -> None:
    items = list(s.scalars(select(OrderItem).where(OrderItem.order_id == order.id)))
    order.status = st.order_status([i.status for i in items])


def approve(db, order_id: int, item_ids) -> ActionResult:
    with db.session_factory.begin() as s:
        order = _order(s, order_id)
        items = _items_in(s, order, item_ids, (st.WAITING,), ", only lines waiting for approval can be approved")
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
        items = _items_in(s, order, item_ids, (st.WAITING, st.APPROVED),
                          " and cannot be shipped (statuses never go backwards)")
        for i in items:
            i.status = st.SHIPPED
            i.tracking_number = tracking
        _refresh(s, order)
        return ActionResult(f"{len(items)} line(s) of {order.number} shipped with {tracking}; sending to N11",
                            "order_update", (order.n11_order_number,))


def is_micro_export(s, order: Order) -> bool:
    """N11 marks a micro-export order ``micro: true`` on its packages (API.md §6, §9)."""
    from ..storage.models import Package

    return any((p.raw or {}).get("micro") is True
               for p in s.scalars(select(Package).where(Package.order_id == order.id)))


_INVOICE_TIME_FORMATS = ("%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M")


def parse_invoice_time(text: str):
    """``dd/MM/yyyy HH:mm`` (Turkish time) → aware datetime; ActionError if unreadable."""
    from datetime import datetime

    from ..n11.clock import to_turkey

    value = (text or "").strip()
    for fmt in _INVOICE_TIME_FORMATS:
        try:
            return to_turkey(datetime.strptime(value, fmt))
        except ValueError:
            continue
    raise ActionError(f"invoice date and time {value!r} is not like 31/01/2026 14:30")


def attach_invoice(db, order_id: int, url: str, invoice_number: str | None = None,
                   invoice_time: str | None = None) -> ActionResult:
    """Attach the invoice link (https only). A micro-export order also needs the invoice number
    and the invoice date and time, which N11 takes with the link."""
    link = (url or "").strip()
    parts = urlsplit(link)
    if parts.scheme != "https" or not parts.netloc:
        raise ActionError("invoice link must be an https:// address (N11 accepts https PDF/PNG/JPEG links)")
    if len(link) > 2048:
        raise ActionError("invoice link is longer than 2048 characters")
    number = (invoice_number or "").strip()
    when = parse_invoice_time(invoice_time) if (invoice_time or "").strip() else None
    with db.session_factory.begin() as s:
        order = _order(s, order_id)
        if is_micro_export(s, order) and (not number or when is None):
            raise ActionError("micro-export order: N11 needs the invoice number and the invoice date and time "
                              "with the link")
        if number or when is not None:
            order.raw = {**(order.raw or {}), "invoice": {"number": number or None,
                                                          "time": when.isoformat() if when else None}}
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
    """Mark orders as reported to the ERP (by N11 order number or formatted number). All or
    nothing: when a number is not known nothing is marked."""
    wanted = list(dict.fromkeys(str(n).strip() for n in numbers if str(n).strip()))
    if not wanted:
        raise ActionError("give at least one order number")
    with db.session_factory.begin() as s:
        found: list[Order] = []
        for i in range(0, len(wanted), 500):
            part = wanted[i:i + 500]
            found += list(s.scalars(select(Order).where(Order.n11_order_number.in_(part) | Order.number.in_(part))))
        known = {o.n11_order_number for o in found} | {o.number for o in found}
        missing = [n for n in wanted if n not in known]
        if len(missing) == 1:
            raise ActionError(f"order {missing[0]} not found")
        if missing:
            shown = ", ".join(missing[:5]) + (", …" if len(missing) > 5 else "")
            raise ActionError(f"{len(missing)} orders not found ({shown}); nothing was marked")
        found = list({o.id: o for o in found}.values())
        for o in found:
            o.erp_reported = True
        return ActionResult(f"{len(found)} order(s) marked as reported to the ERP", "cancel_refund_orders",
                            tuple(o.n11_order_number for o in found))


NUMBER_COLUMNS = ("n11_order_number", "order_number", "number", "order", "siparis_no", "sipariş no")


def read_order_numbers(path) -> list[str]:
    """Order numbers from a CSV file: the column named like an order number (n11_order_number,
    order_number, number, order), else the first column; an unnamed first row that is no number
    is taken as a header. Read within the input limits (core/inputs). Raises :class:`ActionError`
    with a one-line message."""
    from pathlib import Path

    from ..inputs import InputError, csv_rows, read_limited, unneutralise

    p = Path(path)
    door = "order numbers file"
    try:
        raw = read_limited(p, door=door)
    except InputError as exc:
        raise ActionError(f"{p.name}: {'file not found' if 'no such file' in exc.reason else exc.reason}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActionError(f"{p.name}: not a UTF-8 text file") from None
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count) if any(d in first for d in ",;\t") else ","
    try:
        header, reader = csv_rows(text, delimiter, door=door, source=p.name)
        if header is None:
            raise ActionError(f"{p.name}: no order numbers in the file")
        rows = [list(header)] + [list(rec) for _n, rec in reader]
    except InputError as exc:
        raise ActionError(str(exc)) from None
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise ActionError(f"{p.name}: no order numbers in the file")
    head = [c.strip().lower() for c in rows[0]]
    col = next((head.index(n) for n in NUMBER_COLUMNS if n in head), None)
    if col is not None:
        rows = rows[1:]
    else:
        col = 0
        if not any(ch.isdigit() for ch in rows[0][0]):
            rows = rows[1:]  # a header with other names
    numbers = [unneutralise(r[col].strip()) for r in rows if len(r) > col and r[col].strip()]
    if not numbers:
        raise ActionError(f"{p.name}: no order numbers in the file")
    too_long = next((n for n in numbers if len(n) > 100 or not n.isprintable()), None)
    if too_long is not None:
        raise ActionError(f"{p.name}: {too_long[:40]!r}… is not an order number (at most 100 printable characters)")
    return numbers
