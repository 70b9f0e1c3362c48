"""Claims adapter (SOAP ClaimCancelService, ReturnService): cancellation and return requests.
Talks to N11 only through a :class:`~.transport.Transport`; :class:`~.client.N11Client` exposes
its calls."""

from __future__ import annotations

from datetime import date
from typing import Any

from . import _parse as P
from . import soap
from .models import Claim, ClaimReturn
from .transport import Transport

CLAIM_PAGE_SIZE = 20  # fixed by N11


class ClaimsAPI:
    """Cancellation and return requests."""

    def __init__(self, transport: Transport) -> None:
        self._t = transport
    # ================================================================== claims
    def claim_cancel_list(
        self, status: str | None = None, start: date | None = None, end: date | None = None
    ) -> list[Claim]:
        """ClaimCancelService ``ClaimCancelList`` (cancellation requests), all pages."""

        def fields(page: int) -> dict:
            period = soap.period(start, end)
            search: dict[str, Any] = {"status": status}
            if period is not None:
                search["searchDate"] = {"searchDateType": "REQUEST", "period": period}
            search = {k: v for k, v in search.items() if v is not None}
            return {"searchData": search or None, "pagingData": {"currentPage": page}}

        return self._t.soap_pages(
            "ClaimCancelService",
            "ClaimCancelList",
            fields,
            "claimCancelList",
            "claimCancel",
            P.claim,
            lambda c: c.claim_id,
            CLAIM_PAGE_SIZE,
        )

    def claim_cancel_approve(self, claim_id: int) -> None:
        """ClaimCancelService ``ClaimCancelApprove``."""
        self._t.soap("ClaimCancelService", "ClaimCancelApprove", {"claimCancelId": int(claim_id)}, safe=False)

    def claim_cancel_deny(self, claim_id: int, deny_reason_id: int, note: str) -> None:
        """ClaimCancelService ``ClaimCancelDeny``."""
        self._t.soap(
            "ClaimCancelService",
            "ClaimCancelDeny",
            {"claimCancelId": int(claim_id), "denyReasonId": int(deny_reason_id), "denyReasonNote": note or ""},
            safe=False,
        )

    def claim_cancel_partial(self, order_item_id: int, quantity: int, reason_type_id: int) -> None:
        """ClaimCancelService ``ClaimCancelPartial``: cancel ``quantity`` units of one order line
        (reason 61–65). No public copy of this service's WSDL exists; the element names are
        N11's documentation as summarised in API.md §3.8. The flows use the documented REST
        equivalent, :meth:`split_package_by_quantity`."""
        qty = int(quantity)
        if qty < 1:
            raise ValueError(f"quantity to cancel must be positive (got {quantity})")
        reason = int(reason_type_id)
        if not 61 <= reason <= 65:
            raise ValueError(f"cancel reason must be 61-65 (got {reason_type_id})")
        self._t.soap(
            "ClaimCancelService",
            "ClaimCancelPartial",
            {"orderItemId": int(order_item_id), "cancelQuantity": qty, "cancelReasonTypeId": reason},
            safe=False,
        )

    def claim_return_list(
        self, status: str | None = None, start: date | None = None, end: date | None = None
    ) -> list[ClaimReturn]:
        """ReturnService ``ClaimReturnList`` (return requests), all pages."""

        def fields(page: int) -> dict:
            search = {"status": status, "period": soap.period(start, end)}
            search = {k: v for k, v in search.items() if v is not None}
            return {"searchData": search or None, "pagingData": {"currentPage": page}}

        return self._t.soap_pages(
            "ReturnService",
            "ClaimReturnList",
            fields,
            "claimReturnList",
            "claimReturn",
            P.claim_return,
            lambda c: c.claim_id,
            CLAIM_PAGE_SIZE,
        )
