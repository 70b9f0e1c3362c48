"""Pick-up requests for carriers that collect at the seller (Horoz, Ceva, Borusan).

For shipment templates with one of these carriers N11 expects a collection request once the
package is approved: ``PUT /rest/delivery/v1/collectionRequest`` with the package, a line, the
number of boxes and the volumetric weight (desi) (API.md §6, 34Pazar notes; the body's exact
shape is unverified, see docs/n11-protocol.md). Other carriers pick up through N11's own
contract, so nothing is sent for them.
"""

from __future__ import annotations

from typing import Any, Callable

from ..storage.models import LogEntry, Order
from .actions import ActionError, ActionResult

__all__ = ["collection_code", "request_collection"]

#: carrier name (as N11 calls it in cargoProviderName) → the code collectionRequest takes
_COLLECTING = (("horoz", "HLZ"), ("ceva", "CEVA"), ("borusan", "BL"))


def collection_code(carrier_name: str | None) -> str | None:
    """The collectionRequest code of a carrier that collects at the seller, else None."""
    name = (carrier_name or "").casefold()
    return next((code for key, code in _COLLECTING if key in name), None)


def request_collection(db, order_id: int, box_quantity: int, desi: Any,
                       client_factory: Callable[..., Any] | None = None) -> ActionResult:
    """Ask the carrier to collect every approved (Picking) package of the order whose carrier
    collects at the seller. The packages are read from N11 first (their current status and
    carrier). Raises :class:`ActionError` when there is none or input is wrong; N11 errors
    propagate as the client's typed errors."""
    from datetime import datetime, timedelta, timezone

    boxes = int(box_quantity)
    if boxes < 1:
        raise ActionError("the number of boxes must be at least 1")
    with db.session_factory() as s:
        order = s.get(Order, order_id)
        if order is None:
            raise ActionError(f"order #{order_id} does not exist")
        number = order.n11_order_number
        ordered = order.ordered_at
        from ..settings import load_config

        conf = load_config(s).conf
    now = datetime.now(timezone.utc)
    start = (ordered.replace(tzinfo=timezone.utc) if ordered else now) - timedelta(days=1)
    if client_factory is None:
        from ..n11.client import client_from_config as client_factory
    with client_factory(conf) as client:
        todo = []
        for pkg in client.iter_shipment_packages(min(start, now - timedelta(days=1)), now + timedelta(minutes=5),
                                                 order_number=number, by_last_modified=True):
            code = collection_code(pkg.cargo_provider_name)
            if code and pkg.status == "Picking" and pkg.id is not None and pkg.lines:
                todo.append((pkg.id, pkg.lines[0].line_id, code, pkg.cargo_provider_name))
        if not todo:
            raise ActionError("no approved package of this order goes with Horoz, Ceva or Borusan (only those "
                              "carriers need a pick-up request)")
        for package_id, line_id, code, _carrier in todo:
            client.collection_request(package_id, line_id, boxes, desi, code)
    carriers = ", ".join(sorted({c for *_, c in todo}))
    with db.session_factory.begin() as s:
        s.add(LogEntry(level="INFO", object_type="order", object_key=number,
                       message=f"pick-up requested from {carriers}: {boxes} box(es), desi {desi}"))
    return ActionResult(f"Pick-up requested from {carriers} for {len(todo)} package(s) of {number}.", None, (number,))
