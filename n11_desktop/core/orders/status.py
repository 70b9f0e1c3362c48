"""Local order-line statuses and the rule that they never go backwards (seed §8).

N11 reports REST package/line statuses (Created, Picking, Shipped, Delivered, Cancelled,
UnSupplied, Unpacked) and SOAP item codes (API.md §4). Locally a line is one of:

``waiting_approval`` → ``approved`` → ``shipped`` → ``delivered`` → ``completed``, or the end
states ``cancelled`` / ``refunded``. ``superseded`` marks a line whose package N11 split
(``Unpacked``): its quantity lives on in the lines of the new packages.
"""

from __future__ import annotations

WAITING = "waiting_approval"
APPROVED = "approved"
SHIPPED = "shipped"
DELIVERED = "delivered"
COMPLETED = "completed"
CANCELLED = "cancelled"
REFUNDED = "refunded"
SUPERSEDED = "superseded"

RANK: dict[str, int] = {WAITING: 0, APPROVED: 1, SHIPPED: 2, DELIVERED: 3, COMPLETED: 4, CANCELLED: 9, REFUNDED: 10}
TERMINAL = frozenset({CANCELLED, REFUNDED})
ACTIVE = (WAITING, APPROVED, SHIPPED, DELIVERED, COMPLETED)

LABELS: dict[str, str] = {
    WAITING: "Waiting for approval",
    APPROVED: "Approved",
    SHIPPED: "Shipped",
    DELIVERED: "Delivered",
    COMPLETED: "Completed",
    CANCELLED: "Cancelled",
    REFUNDED: "Refunded",
    SUPERSEDED: "Split (replaced)",
    "partly_cancelled": "Partly cancelled",
}

REST_TO_LOCAL: dict[str, str] = {
    "created": WAITING,
    "picking": APPROVED,
    "shipped": SHIPPED,
    "delivered": DELIVERED,
    "cancelled": CANCELLED,
    "canceled": CANCELLED,
    "unsupplied": CANCELLED,
    "unpacked": SUPERSEDED,
    "completed": COMPLETED,
}

# SOAP OrderItemData.status codes (API.md §4)
SOAP_TO_LOCAL: dict[str, str] = {
    "1": WAITING, "2": WAITING, "14": WAITING, "5": APPROVED, "15": APPROVED, "6": SHIPPED, "7": DELIVERED,
    "10": COMPLETED, "4": CANCELLED, "8": CANCELLED, "3": CANCELLED, "9": REFUNDED, "12": CANCELLED,
}


def from_rest(status: str | None) -> str | None:
    if not status:
        return None
    try:  # N11 writes the same few status names: each text is mapped once
        return _FROM_REST[status]
    except (KeyError, TypeError):
        local = REST_TO_LOCAL.get(status.strip().lower())
    if type(status) is str and len(_FROM_REST) < 256:
        _FROM_REST[status] = local
    return local


_FROM_REST: dict[str, str | None] = {}


def from_soap(code: str | int | None) -> str | None:
    if code is None:
        return None
    return SOAP_TO_LOCAL.get(str(code).strip())


def advance(current: str | None, new: str | None) -> str | None:
    """The status a line should have after N11 reports ``new``; never moves backwards.

    Returns ``current`` when ``new`` would be a step back (or is unknown)."""
    if new is None:
        return current
    if current is None:
        return new
    if current == SUPERSEDED:
        return new  # a split line reappearing in a live package takes that package's status
    if new == SUPERSEDED:
        return current if current in TERMINAL else SUPERSEDED
    if current in TERMINAL:
        return current if RANK[new] <= RANK[current] else new
    return new if RANK.get(new, -1) > RANK.get(current, -1) else current


def is_ahead(local: str | None, reported: str | None) -> bool:
    """True when the local status is further than what N11 knows (something to send)."""
    if local is None or local in (SUPERSEDED,) or local in TERMINAL:
        return False
    return RANK.get(local, -1) > RANK.get(reported or "", -1)


def order_status(item_statuses: list[str]) -> str:
    """An order's status from its lines: the least advanced live line; cancelled when all are."""
    if item_statuses and item_statuses[0] == WAITING:
        return WAITING  # (a new order's usual case) the first of the least advanced live lines
    live = [s for s in item_statuses if s != SUPERSEDED]
    if not live:
        return WAITING
    active = [s for s in live if s not in TERMINAL]
    if not active:
        return REFUNDED if all(s == REFUNDED for s in live) else CANCELLED
    return min(active, key=lambda s: RANK.get(s, 0))
