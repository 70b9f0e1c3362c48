"""Cancellation and return claims of the sandbox: creating them on order lines, and finishing
them (a completed cancellation cancels the line; an approved return marks it returned)."""

from __future__ import annotations

import itertools
from decimal import Decimal

from . import clock
from .common import money, num


class ClaimsState:
    """Cancel claims and return claims (part of :class:`~.SandboxState`, under its lock).
    Owns ``claims`` and ``returns``; changes the order lines of the orders state."""

    def _reset_claims(self) -> None:
        self.claims: dict[int, dict] = {}        # claimCancelId -> claim
        self.returns: dict[int, dict] = {}       # claimReturnId -> return claim
        # claim rows' skuId is the order line id here; no source confirms N11 does the same,
        # so tests turn this off to check that claims still match by documented fields
        self.claim_sku_is_line = True
        self._claim_ids = itertools.count(9_100_001)
        self._return_ids = itertools.count(7_200_001)

    def create_claim(self, order_number: str, line_id, status: str = "REQUESTED", *,
                     kind: str = "cancel", quantity: int | None = None,
                     reason: str | None = None, reason_type: str | None = None) -> dict:
        """Create a cancel claim (``kind='cancel'``) or a return claim (``kind='return'``).
        ``reason_type``: the buyer's reason as N11 sends it (a code such as VAZGECTIM or an id such as 501)."""
        with self.lock:
            self.tick()
            order = self.orders.get(str(order_number))
            if order is None:
                raise KeyError(f"order {order_number} not found")
            match = [(p, ln) for p, ln in self.order_lines(order) if ln["orderLineId"] == int(line_id)]
            if not match:
                raise KeyError(f"line {line_id} not in order {order_number}")
            pkg, ln = match[0]
            qty = quantity or ln["quantity"]
            buyer = order["buyer"]
            common = dict(orderNumber=order["orderNumber"], requestDate=clock.fmt_ms(clock.now_ms(), "%d/%m/%Y"),
                          productId=ln["productId"],
                          skuId=ln["orderLineId"] if self.claim_sku_is_line else ln["productId"] + 1,
                          productName=ln["productName"], quantity=qty, unitPrice=ln["price"],
                          finalPrice=money(ln["sellerInvoiceAmount"] * qty / ln["quantity"]),
                          buyerName=buyer["fullName"], buyerEmail=buyer["email"],
                          buyerPhone=buyer["gsm"], _line=ln["orderLineId"], _ts=clock.now_ms())
            if kind == "cancel":
                cid = next(self._claim_ids)
                claim = dict(claimCancelId=cid, status=status, executer="BUYER",
                             cancelReasonType=str(reason_type or "VAZGECTIM"),
                             cancelReasonDescription=reason or "Siparişten vazgeçtim",
                             denyReasonType=None, completedDate=None,
                             paymentDate=clock.fmt_ms(order["createDate"], "%d/%m/%Y"),
                             shipmentCompany=pkg["cargoProviderName"], deliveryFeeType=2, **common)
                self.claims[cid] = claim
                if status == "REQUESTED":
                    ln["_soap"] = 11
                elif status == "COMPLETED":
                    self._finish_cancel_claim(claim, status)
                return self._public(claim)
            if kind == "return":
                rid = next(self._return_ids)
                ret = dict(claimReturnId=rid, status=status, executer="BUYER",
                           returnReasonType=str(reason_type or "DEFECTIVE"),
                           returnReasonDescription=reason or "Ürün hasarlı geldi",
                           shipmentMethod=1, attributesNames="", approvalRemainingTime="72 saat",
                           sender="SELLER", deniedDate=None, approvedDate=None, **common)
                self.returns[rid] = ret
                if status == "REQUESTED":
                    ln["_soap"] = 11
                elif status in ("APPROVED", "DENIED"):
                    self._finish_return(ret, status)
                return self._public(ret)
            raise ValueError("kind must be 'cancel' or 'return'")

    @staticmethod
    def _public(d: dict) -> dict:
        return {k: (num(v) if isinstance(v, Decimal) else v) for k, v in d.items()
                if not k.startswith("_")}

    def _line_by_id(self, lid) -> tuple[dict, dict] | None:
        return self._active_line(lid)

    def complete_claim(self, claim_id: int, status: str = "COMPLETED") -> dict:
        """Finish a cancel claim (COMPLETED cancels the line) or a return (APPROVED)."""
        with self.lock:
            claim = self.claims.get(int(claim_id))
            if claim is not None:
                self._finish_cancel_claim(claim, status)
                return self._public(claim)
            ret = self.returns.get(int(claim_id))
            if ret is None:
                raise KeyError(f"claim {claim_id} not found")
            self._finish_return(ret, "APPROVED" if status == "COMPLETED" else status)
            return self._public(ret)

    def _finish_cancel_claim(self, claim: dict, status: str) -> None:
        claim["status"] = status
        found = self._line_by_id(claim["_line"])
        if status == "COMPLETED":
            claim["completedDate"] = clock.fmt_ms(clock.now_ms(), "%d/%m/%Y")
            if found:
                pkg, ln = found
                ln["_soap"] = None
                if all(x["orderLineId"] == ln["orderLineId"] for x in pkg["lines"]):
                    self._set_package_status(pkg, "Cancelled")
                else:
                    ln["orderItemLineItemStatusName"] = "Cancelled"
                    pkg["lastModifiedDate"] = max(clock.now_ms(), pkg["lastModifiedDate"] + 1)
        elif found:
            found[1]["_soap"] = None

    def _finish_return(self, ret: dict, status: str) -> None:
        ret["status"] = status
        found = self._line_by_id(ret["_line"])
        if status == "APPROVED":
            ret["approvedDate"] = clock.fmt_ms(clock.now_ms(), "%d/%m/%Y")
            if found:
                found[1]["_soap"] = 9
        elif status == "DENIED":
            ret["deniedDate"] = clock.fmt_ms(clock.now_ms(), "%d/%m/%Y")
            if found:
                found[1]["_soap"] = None
