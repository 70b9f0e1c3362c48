"""The SOAP view of the sandbox's orders: N11's SOAP item and order status codes, orders by
their SOAP id, and the SOAP line operations (shipment, combine, separate)."""

from __future__ import annotations

from . import clock
from .common import REST_TO_SOAP_ITEM


class SoapOrdersState:
    """SOAP views of the orders state's orders and lines (part of :class:`~.SandboxState`,
    under its lock)."""

    def soap_item_status(self, ln: dict) -> int:
        if ln["_soap"] is not None:
            return ln["_soap"]
        if ln["orderItemLineItemStatusName"] == "Created" and ln.get("_ship_by") \
                and clock.now_ms() > ln["_ship_by"]:
            return 14  # Kargo Yapılması Gecikmiş: not shipped by the agreed date
        return REST_TO_SOAP_ITEM.get(ln["orderItemLineItemStatusName"], 2)

    def order_lines(self, order: dict) -> list[tuple[dict, dict]]:
        out = []
        for pid in order["packages"]:
            pkg = self.packages[pid]
            if pkg["shipmentPackageStatus"] == "Unpacked":
                continue
            out += [(pkg, ln) for ln in pkg["lines"]]
        return out

    def soap_order_status(self, order: dict) -> int:
        sts = [self.soap_item_status(ln) for _, ln in self.order_lines(order)]
        if not sts:
            return 1
        if all(s in (3, 4, 8) for s in sts):
            return 3
        if all(s in (7, 10) for s in sts):
            return 5
        if any(s == 2 for s in sts):
            return 1
        return 2

    def find_order_by_id(self, oid) -> dict | None:
        try:
            oid = int(oid)
        except (TypeError, ValueError):
            return None
        return self.orders.get(self._order_ids_index.get(oid, ""))

    def soap_line_op(self, line_ids: list, op: str, **kw) -> tuple[list[tuple[dict, dict]], str | None]:
        """OrderItemAccept/Reject/MakeOrderItemShipment on lines. → (lines, error)"""
        with self.lock:
            self.tick()
            found = []
            for lid in line_ids:
                f = self._active_line(lid)
                if f is None:
                    return [], f"Sipariş kalemi bulunamadı: {lid}"
                found.append(f)
            for pkg, ln in found:
                st = ln["orderItemLineItemStatusName"]
                if op == "accept" and st != "Created":
                    return [], f"Sipariş kalemi onaylanabilir durumda değil: {ln['orderLineId']}"
                if op == "reject" and st not in ("Created",):
                    return [], f"Sipariş kalemi reddedilebilir durumda değil: {ln['orderLineId']}"
                if op == "ship" and st not in ("Picking",):
                    return [], f"Sipariş kalemi kargoya verilebilir durumda değil: {ln['orderLineId']}"
            pkgs = {pkg["id"]: pkg for pkg, _ in found}
            for pkg in pkgs.values():
                if op == "accept":
                    self._set_package_status(pkg, "Picking")
                elif op == "reject":
                    self._set_package_status(pkg, "UnSupplied")
                    for ln in pkg["lines"]:
                        ln["_rejectReason"] = kw.get("reason") or "Stokta yok"
                elif op == "ship":
                    self._set_package_status(pkg, "Shipped")
            if op == "ship":
                for pkg, ln in found:
                    info = kw.get("info", {}).get(ln["orderLineId"], {})
                    ln["_shipmentInfo"] = info
                    if info.get("trackingNumber"):
                        pkg["cargoSenderNumber"] = info["trackingNumber"]
            return found, None
