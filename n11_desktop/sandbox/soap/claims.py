"""ClaimCancelService and ReturnService of the sandbox: cancellation and return requests,
approving, denying, partial cancellation and the reason lists."""

from __future__ import annotations

from ..state import CLAIM_CANCEL_DENY_REASONS, RETURN_DENY_REASONS, RETURN_PENDING_REASONS
from .common import Failure, OK, _int, _line_of, _page, _parse_period_date, operations


def _claim_status_filter(req) -> tuple[str, dict]:
    s = req.get("searchData") if isinstance(req.get("searchData"), dict) else {}
    return (s.get("status") or "REQUESTED").strip(), s


def _in_period(row_ts: int, period: dict) -> bool:
    start = _parse_period_date(period.get("startDate"))
    end = _parse_period_date(period.get("endDate"), end=True)
    return not (start is not None and row_ts < start or end is not None and row_ts > end)


def _fixed_page(req) -> int:
    pd = req.get("pagingData") if isinstance(req.get("pagingData"), dict) else {}
    return max(0, _int(pd.get("currentPage"), "currentPage", 0))


def ClaimCancelList(state, req):
    status, s = _claim_status_filter(req)
    sd = s.get("searchDate") if isinstance(s.get("searchDate"), dict) else {}
    period = sd.get("period") if isinstance(sd.get("period"), dict) else {}
    rows = [c for c in sorted(state.claims.values(), key=lambda c: c["claimCancelId"])
            if (status == "ALL" or c["status"] == status) and _in_period(c["_ts"], period)]
    chunk, meta = _page(rows, _fixed_page(req), 20)
    return {"result": OK, "pagingData": meta, "claimCancelList": {"claimCancel": [
        {k: c[k] for k in ("claimCancelId", "status", "executer", "cancelReasonType",
                           "cancelReasonDescription", "denyReasonType", "orderNumber",
                           "requestDate", "completedDate", "productId", "skuId", "productName",
                           "quantity", "unitPrice", "finalPrice", "buyerName", "buyerEmail",
                           "buyerPhone", "paymentDate", "shipmentCompany", "deliveryFeeType")}
        for c in chunk]}}


def _open_claim(rows, key: int, code: str, what: str, statuses: tuple[str, ...]):
    """The claim ``key`` of ``rows`` if it can still be acted on, else N11's NotFound / InvalidStatus."""
    row = rows.get(key)
    if row is None:
        raise Failure(f"SELLER_API.{code}NotFound", f"{key} id'li {what} talebi bulunamadı.")
    if row["status"] not in statuses:
        raise Failure(f"SELLER_API.{code}InvalidStatus",
                      f"{key} id'li {what} talebi {row['status']} durumunda, işlem yapılamaz.")
    return row


def _deny_reason(req, reasons) -> str:
    """The deny reason named by ``denyReasonId`` (one of ``reasons``), else N11's invalidDenyReason."""
    rid = _int(req.get("denyReasonId"), "denyReasonId")
    if rid not in dict(reasons):
        raise Failure("SELLER_API.invalidDenyReason", f"Geçersiz red nedeni: {rid}")
    return dict(reasons)[rid]


def _claim(state, req):
    cid = _int(req.get("claimCancelId"), "claimCancelId")
    return _open_claim(state.claims, cid, "claimCancel", "iptal", ("REQUESTED",))


def ClaimCancelApprove(state, req):
    state._finish_cancel_claim(_claim(state, req), "COMPLETED")
    return {"result": OK}


def ClaimCancelDeny(state, req):
    c = _claim(state, req)
    c["denyReasonType"] = _deny_reason(req, CLAIM_CANCEL_DENY_REASONS)
    state._finish_cancel_claim(c, "DENIED")
    return {"result": OK}


def ClaimCancelDenyReasonType(state, req):
    return {"result": OK, "denyReasonTypeDataList": [{"id": i, "value": v}
                                                     for i, v in CLAIM_CANCEL_DENY_REASONS]}


def ClaimCancelPartial(state, req):
    item = _line_of(state, _int(req.get("orderItemId"), "orderItemId"))
    qty = _int(req.get("cancelQuantity"), "cancelQuantity")
    reason = _int(req.get("cancelReasonTypeId"), "cancelReasonTypeId", 65)
    if reason not in range(61, 66):
        reason = 65
    _, err = state.cancel_by_quantity([{"orderLineId": item, "quantity": qty,
                                        "cancelReasonId": reason}])
    if err:
        raise Failure("SELLER_API.claimCancelPartialFailed", err)
    return {"result": OK}


def ClaimReturnList(state, req):
    status, s = _claim_status_filter(req)
    period = s.get("period") if isinstance(s.get("period"), dict) else {}
    query = (s.get("searchQuery") or "").strip()
    rows = [r for r in sorted(state.returns.values(), key=lambda r: r["claimReturnId"])
            if (status == "ALL" or r["status"] == status) and _in_period(r["_ts"], period)
            and (not query or r["orderNumber"] == query)]
    chunk, meta = _page(rows, _fixed_page(req), 20)
    return {"result": OK, "pagingData": meta, "claimReturnList": {"claimReturn": [
        {k: r[k] for k in ("claimReturnId", "status", "executer", "returnReasonType",
                           "returnReasonDescription", "orderNumber", "shipmentMethod",
                           "requestDate", "productId", "productName", "attributesNames",
                           "quantity", "unitPrice", "finalPrice", "buyerName", "buyerEmail",
                           "buyerPhone", "skuId", "approvalRemainingTime", "sender",
                           "deniedDate", "approvedDate")} for r in chunk]}}


def _return(state, req):
    rid = req.get("claimReturnId") or req.get("claimCancelId")
    return _open_claim(state.returns, _int(rid, "claimReturnId"), "claimReturn", "iade",
                       ("REQUESTED", "PENDING", "PENDED"))


def ClaimReturnApprove(state, req):
    state._finish_return(_return(state, req), "APPROVED")
    return {"result": OK}


def ClaimReturnDeny(state, req):
    r = _return(state, req)
    _deny_reason(req, RETURN_DENY_REASONS)
    state._finish_return(r, "DENIED")
    return {"result": OK}


def ClaimReturnPending(state, req):
    r = _return(state, req)
    _int(req.get("pendingReasonId"), "pendingReasonId")
    r["status"] = "PENDED"
    return {"result": OK}


def ClaimReturnDenyReasonTypes(state, req):
    return {"result": OK, "denyReasonTypeDataList": [{"id": i, "value": v}
                                                     for i, v in RETURN_DENY_REASONS]}


def ClaimReturnPendingReasonTypes(state, req):
    return {"result": OK, "pendingReasonTypeDataList": [{"id": i, "value": v}
                                                        for i, v in RETURN_PENDING_REASONS]}


OPS = operations(globals())
