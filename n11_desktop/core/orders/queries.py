"""Read side of the Orders tab and the ``orders`` CLI: paged lists and order details as
frozen dataclasses (never ORM objects across threads)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import and_, case, func, or_, select

from ..storage.collation import folded_contains, turkish
from ..storage.models import (
    Cancellation,
    CancellationRequest,
    CargoCompany,
    FailedIntegration,
    Order,
    OrderItem,
    Package,
)
from ..storage.portable import search_text, sort_key, sorted_by
from . import status as st
from .cancellations import WAITING_ERP


@dataclass(frozen=True)
class OrderFilter:
    status: str | None = None  # a local status, "late", "problem" or None for all
    date_from: datetime | None = None
    date_to: datetime | None = None
    text: str = ""

    def __post_init__(self) -> None:  # a pasted NUL must not break the query on PostgreSQL
        object.__setattr__(self, "text", search_text(self.text))


@dataclass(frozen=True)
class OrderRow:
    id: int
    number: str
    n11_order_number: str
    status: str
    customer: str
    city: str
    lines: int
    total: Decimal
    ordered_at: datetime | None
    cargo: str
    invoiced: bool
    erp_reported: bool
    late: bool
    history: bool = False  # brought in by "import history" (first seen past New): not new work for the ERP


@dataclass(frozen=True)
class ItemRow:
    id: int
    line_id: str
    sku: str
    name: str
    quantity: int
    cancelled: int
    price: Decimal
    discount: Decimal
    status: str
    sent_status: str
    n11_status: str
    tracking: str
    package: str


@dataclass(frozen=True)
class PackageRow:
    n11_id: str
    status: str
    campaign: str
    tracking: str
    link: str
    last_modified: datetime | None


@dataclass(frozen=True)
class CancelRow:
    when: datetime | None
    source: str
    kind: str
    line: str
    quantity: int
    reason: str
    state: str
    message: str


@dataclass(frozen=True)
class OrderDetail:
    row: OrderRow
    customer_email: str
    tc_id: str
    shipping: dict
    billing: dict
    discount: Decimal
    invoice_link: str
    invoice_sent: bool
    items: tuple[ItemRow, ...]
    packages: tuple[PackageRow, ...]
    cancellations: tuple[CancelRow, ...]
    raw_json: str
    micro: bool = False  # micro-export: the invoice link needs the invoice number and time


def _where(f: OrderFilter):
    conds = []
    if f.status == "late":
        conds.append(Order.id.in_(select(OrderItem.order_id).where(OrderItem.n11_status == "LATE_SHIPMENT",
                                                                   OrderItem.status == st.WAITING)))
    elif f.status == "not_reported":
        conds.append(Order.erp_reported.is_(False))
    elif f.status == WAITING_ERP:
        conds.append(Order.id.in_(select(Cancellation.order_id).where(Cancellation.state == WAITING_ERP)))
    elif f.status:
        conds.append(Order.status == f.status)
    if f.date_from is not None:
        conds.append(Order.ordered_at >= f.date_from)
    if f.date_to is not None:
        conds.append(Order.ordered_at < f.date_to)
    text = (f.text or "").strip()
    if text:
        like = f"%{text}%"
        # customer names fold Turkish letters too ("ışık" finds "IŞIK"); SQLite's LIKE folds ASCII only
        name = (Order.customer_name.like(like) if text.isascii() and not any(c in "iI" for c in text)
                else folded_contains(Order.customer_name, text))
        conds.append(or_(Order.number.like(like), Order.n11_order_number.like(like), name))
    return and_(*conds) if conds else None


#: what the orders list sorts by (``list_orders``' ``order_by``, "-" first = descending); the default is the
#: first, newest first
SORT_KEYS = ("ordered_at", "number", "status", "customer", "city", "total", "cargo", "invoice", "erp_reported")
DEFAULT_ORDER = "-ordered_at"


def _sort_column(key: str):
    """The SQL value ``key`` sorts by: people's and places' names in Turkish alphabetical order
    (storage/collation.py), statuses along the order's life (waiting … completed, then cancelled, refunded)."""
    if key == "customer":
        return turkish(Order.customer_name)
    if key == "city":  # a key of the shipping address (JSON): ->> on PostgreSQL, json_extract on SQLite
        return turkish(func.coalesce(Order.shipping_address["city"].as_string(), ""))
    if key == "cargo":
        return turkish(CargoCompany.name)
    if key == "status":
        return case(st.RANK, value=Order.status, else_=len(st.RANK) + 10)
    if key == "total":
        return Order.total_amount
    if key == "invoice":
        return case((func.coalesce(Order.invoice_link, "") != "", 1), else_=0)  # the ✓ of the Invoice column
    return getattr(Order, key)


def count_orders(session, f: OrderFilter) -> int:
    q = select(func.count()).select_from(Order)
    w = _where(f)
    if w is not None:
        q = q.where(w)
    return int(session.scalar(q) or 0)


def list_orders(session, f: OrderFilter, offset: int = 0, limit: int = 200,
                order_by: str = DEFAULT_ORDER) -> tuple[OrderRow, ...]:
    """One page of orders sorted in SQL by ``order_by`` (a key of ``SORT_KEYS``, "-" = descending; newest
    first by default), ties by id in the same direction so consecutive pages neither skip nor repeat an order
    (the line counts are computed for that page only)."""
    key, desc = sort_key(order_by or DEFAULT_ORDER, SORT_KEYS)
    q = select(Order.id, Order.number, Order.n11_order_number, Order.status, Order.customer_name,
               Order.shipping_address, Order.total_amount, Order.ordered_at, CargoCompany.name,
               Order.invoice_link, Order.erp_reported, Order.raw) \
        .outerjoin(CargoCompany, CargoCompany.id == Order.cargo_company_id)
    w = _where(f)
    if w is not None:
        q = q.where(w)
    q = q.order_by(*sorted_by(_sort_column(key), Order.id, desc)).offset(offset).limit(limit)
    page = session.execute(q).all()
    ids = [r[0] for r in page]
    counts: dict[int, tuple[int, bool]] = {}
    if ids:
        late_expr = func.max(case((and_(OrderItem.n11_status == "LATE_SHIPMENT", OrderItem.status == st.WAITING), 1),
                                  else_=0))  # CASE, not SQLite's iif(): both engines
        for oid, n, late in session.execute(
                select(OrderItem.order_id, func.count(), late_expr)
                .where(OrderItem.order_id.in_(ids), OrderItem.status != st.SUPERSEDED)
                .group_by(OrderItem.order_id)):
            counts[oid] = (int(n), bool(late))
    out = []
    for (oid, number, n11, status, cust, ship, total, ordered, cargo, inv, erp, raw) in page:
        n, late = counts.get(oid, (0, False))
        out.append(OrderRow(oid, number, n11, status, cust or "", (ship or {}).get("city") or "", n,
                            total if total is not None else Decimal("0"), ordered, cargo or "", bool(inv),
                            bool(erp), late, bool((raw or {}).get("history")) if isinstance(raw, dict) else False))
    return tuple(out)


def order_detail(session, order_id: int) -> OrderDetail | None:
    o = session.get(Order, order_id)
    if o is None:
        return None
    rows = list_orders(session, OrderFilter(text=o.n11_order_number), 0, 5)
    row = next((r for r in rows if r.id == o.id), None)
    pkgs = {p.id: p for p in session.scalars(select(Package).where(Package.order_id == o.id))}
    items = []
    for i in session.scalars(select(OrderItem).where(OrderItem.order_id == o.id).order_by(OrderItem.id)):
        p = pkgs.get(i.package_id)
        items.append(ItemRow(i.id, i.n11_line_id, i.sku or "", i.product_name or "", i.quantity,
                             i.cancelled_quantity or 0, i.price, i.discount, i.status, i.sent_status or "",
                             i.n11_status or "", i.tracking_number or "", p.n11_package_id if p else ""))
    packages = tuple(PackageRow(p.n11_package_id or "", p.status, p.campaign_number or "", p.tracking_number or "",
                                p.tracking_link or "", p.last_modified)
                     for p in sorted(pkgs.values(), key=lambda p: p.id))
    line_of = {i.id: i.line_id for i in items}
    cancels: list[CancelRow] = []
    for r in session.scalars(select(CancellationRequest).where(CancellationRequest.order_id == o.id)):
        cancels.append(CancelRow(r.requested_at, f"N11 claim {r.n11_claim_id}", "request",
                                 line_of.get(r.order_item_id, ""), r.quantity, r.reason or "", r.status,
                                 r.decision or ""))
    for c in session.scalars(select(Cancellation).where(Cancellation.order_id == o.id)):
        src = "Orders tab" if c.source_key.startswith("local:") else f"N11 {c.source_key.replace(':', ' ')}"
        cancels.append(CancelRow(c.created_at, src, c.kind, line_of.get(c.order_item_id, ""), c.quantity,
                                 "" if c.reason_id is None else str(c.reason_id), c.state,
                                 f"{c.message or ''}" + (f" (attempts {c.attempts})" if c.attempts else "")))
    cancels.sort(key=lambda c: c.when or datetime.min)
    problems = [f.message for f in session.scalars(select(FailedIntegration).where(
        FailedIntegration.content_type == "order", FailedIntegration.object_key == o.n11_order_number,
        FailedIntegration.is_active.is_(True)))]
    raw = dict(o.raw or {})
    raw["packages"] = {p.n11_package_id: p.raw for p in sorted(pkgs.values(), key=lambda p: p.id)}
    if problems:
        raw["open_problems"] = problems
    if row is None:  # pragma: no cover - the order was just found
        row = OrderRow(o.id, o.number, o.n11_order_number, o.status, o.customer_name or "", "", len(items),
                       o.total_amount, o.ordered_at, "", bool(o.invoice_link), bool(o.erp_reported), False)
    return OrderDetail(row=row, customer_email=o.customer_email or "", tc_id=o.tc_id or "",
                       shipping=dict(o.shipping_address or {}), billing=dict(o.billing_address or {}),
                       discount=o.discount_amount, invoice_link=o.invoice_link or "",
                       invoice_sent=o.invoice_sent_at is not None, items=tuple(items), packages=packages,
                       cancellations=tuple(cancels),
                       raw_json=json.dumps(raw, ensure_ascii=False, indent=2, sort_keys=True, default=str),
                       micro=any((p.raw or {}).get("micro") is True for p in pkgs.values()))


@dataclass(frozen=True)
class ClaimRow:
    claim_id: str
    order_number: str
    status: str  # N11's claim status
    decision: str  # approved | denied | "" (not answered)
    reason: str
    requested_at: datetime | None
    waiting: str  # why the app has not answered / written it, "" when nothing waits


def claim_rows(session, limit: int = 1000) -> tuple[ClaimRow, ...]:
    """Cancellation requests seen from N11, newest first, with what each one waits for."""
    plans = {}
    for source, state in session.execute(select(Cancellation.source_key, Cancellation.state)
                                         .where(Cancellation.source_key.like("claim:%"))):
        plans[source[6:]] = state
    out = []
    for r in session.scalars(select(CancellationRequest).order_by(CancellationRequest.id.desc()).limit(limit)):
        waiting = ""
        if r.order_id is None and not r.decision and r.status == "REQUESTED":
            waiting = "order not imported: not approved blindly"
        elif plans.get(r.n11_claim_id) == WAITING_ERP:
            waiting = "order not reported to the ERP yet"
        out.append(ClaimRow(r.n11_claim_id, r.n11_order_number, r.status or "", r.decision or "", r.reason or "",
                            r.requested_at, waiting))
    return tuple(out)


class WaitingClaim(NamedTuple):
    """A cancellation request waiting because its order is not imported."""

    claim_id: str
    order_number: str
    reason: str


class FailedOrder(NamedTuple):
    """An order from N11 that could not be written (unmapped address / cargo)."""

    order_number: str
    message: str


def waiting_claims(session) -> tuple[WaitingClaim, ...]:
    """Cancellation requests waiting because their order is not imported."""
    rows = session.execute(select(CancellationRequest.n11_claim_id, CancellationRequest.n11_order_number,
                                  CancellationRequest.reason).where(
        CancellationRequest.order_id.is_(None), CancellationRequest.decision.is_(None),
        CancellationRequest.status == "REQUESTED").order_by(CancellationRequest.id))
    return tuple(WaitingClaim(c, n, r or "") for c, n, r in rows)


def failed_orders(session) -> tuple[FailedOrder, ...]:
    """Orders that could not be written (unmapped address / cargo), newest first."""
    rows = session.execute(select(FailedIntegration.object_key, FailedIntegration.message).where(
        FailedIntegration.content_type == "order", FailedIntegration.is_active.is_(True))
        .order_by(FailedIntegration.id.desc()))
    return tuple(FailedOrder(k, m) for k, m in rows)


def export_rows(session, f: OrderFilter | None = None) -> list[dict[str, Any]]:
    """One dict per order line (for CSV export to the ERP)."""
    f = f or OrderFilter()
    q = select(Order, OrderItem).join(OrderItem, OrderItem.order_id == Order.id) \
        .where(OrderItem.status != st.SUPERSEDED).order_by(Order.id, OrderItem.id)
    w = _where(f)
    if w is not None:
        q = q.where(w)
    from ..settings import load_config

    erp_code = str(load_config(session).get("erp_code") or "")
    out = []
    for o, i in session.execute(q):
        ship = o.shipping_address or {}
        out.append({
            "order_number": o.number, "n11_order_number": o.n11_order_number, "order_status": o.status,
            "ordered_at": o.ordered_at.isoformat(sep=" ", timespec="seconds") if o.ordered_at else "",
            "customer": o.customer_name or "", "city": ship.get("city") or "", "township": ship.get("township") or "",
            "cargo_company_id": o.cargo_company_id or "", "line_id": i.n11_line_id, "sku": i.sku or "",
            "product": i.product_name or "", "quantity": i.quantity, "cancelled_quantity": i.cancelled_quantity or 0,
            "price": str(i.price), "discount": str(i.discount), "line_status": i.status,
            "tracking_number": i.tracking_number or "", "invoice_link": o.invoice_link or "",
            "erp_reported": int(bool(o.erp_reported)), "erp_code": erp_code,
            "history": int(bool((o.raw or {}).get("history"))),
            # N11 pick-up-point delivery (KTN / EASYPOINT / PUP): city/township above are the point's
            "delivery": (f"pickup:{ship.get('delivery_address_type') or ''}" if ship.get("pickup_point")
                         else "home"),
        })
    return out


def status_counts(session) -> dict[str, int]:
    """Orders per status, plus ``late`` (waiting lines N11 reports as late) and ``not_reported``."""
    out = {s: int(n) for s, n in session.execute(select(Order.status, func.count()).group_by(Order.status))}
    out["late"] = count_orders(session, OrderFilter(status="late"))
    out["not_reported"] = int(session.scalar(select(func.count()).select_from(Order)
                                             .where(Order.erp_reported.is_(False))) or 0)
    out[WAITING_ERP] = count_orders(session, OrderFilter(status=WAITING_ERP))
    out["claims_unknown_order"] = int(session.scalar(select(func.count()).select_from(CancellationRequest).where(
        CancellationRequest.order_id.is_(None), CancellationRequest.decision.is_(None),
        CancellationRequest.status == "REQUESTED")) or 0)
    return out
