"""OrderService and SellerInvoiceService of the sandbox: order lists and details, item
accept/reject/shipment/delivery, combining and separating items, the invoice link."""

from __future__ import annotations

from decimal import Decimal

from .. import data
from ..state import SOAP_FILTER_TO_ITEM, SandboxState, fmt_ms, money
from ..xmlio import as_list
from .common import Failure, OK, _int, _line_of, _page, _paging, _parse_period_date, _text, operations


def _addr(a: dict) -> dict:
    return {"address": a["address"], "fullName": a["fullName"], "city": a["city"],
            "district": a["district"], "neighborhood": a["neighborhood"],
            "postalCode": a["postalCode"], "gsm": a["gsm"], "tcId": a["tcId"],
            "taxId": None, "taxHouse": None}


def _buyer(o: dict) -> dict:
    b = o["buyer"]
    return {"id": b["customerId"], "fullName": b["fullName"], "taxId": None, "taxOffice": None,
            "email": b["email"], "tcId": b["tcId"]}


def _shipment_info(state, pkg, ln) -> dict:
    comp = data.shipment_company(pkg["shipmentCompanyId"]) or {}
    info = ln.get("_shipmentInfo") or {}
    return {"shipmentCompany": {"id": comp.get("id"), "name": comp.get("name"),
                                "shortName": comp.get("shortName")},
            "trackingNumber": info.get("trackingNumber") or pkg["cargoSenderNumber"],
            "campaignNumber": info.get("campaignNumber") or pkg["cargoTrackingNumber"],
            "shipmentMethod": str(pkg["shipmentMethod"]), "campaignNumberStatus": 1}


def _item_common(state, pkg, ln) -> dict:
    d = lambda ms: fmt_ms(ms, "%d/%m/%Y") if ms else None  # noqa: E731
    return {"id": ln["orderLineId"] + state.soap_item_id_offset, "productId": ln["productId"],
            "deliveryFeeType": ln["deliveryFeeType"], "productSellerCode": ln["stockCode"],
            "price": ln["price"], "sellerDiscount": ln["sellerDiscount"],
            "mallDiscount": ln["mallDiscount"],
            "commission": money(ln["sellerInvoiceAmount"] * ln["commissionRate"] / Decimal(100)),
            "quantity": ln["quantity"], "productName": ln["productName"],
            "dueAmount": ln["dueAmount"], "shipmentInfo": _shipment_info(state, pkg, ln),
            "attributes": {"attribute": [{"id": 429, "name": a["name"], "value": a["value"]}
                                         for a in ln["variantAttributes"]]},
            "customTextOptionValues": {},
            "approvedDate": d(ln["_approvedDate"]), "installmentChargeWithVAT": Decimal("0"),
            "sellerCouponDiscount": ln["sellerCouponDiscount"],
            "sellerInvoiceAmount": ln["sellerInvoiceAmount"], "sellerStockCode": ln["stockCode"],
            "shippingDate": d(ln["_shippingDate"]),
            "totalMallDiscountPrice": ln["totalMallDiscountPrice"], "version": ln["_version"],
            "shipmenCompanyCampaignNumber": pkg["cargoTrackingNumber"], "sppApproved": True}


def _order_item_data(state, pkg, ln) -> dict:
    c = _item_common(state, pkg, ln)
    out = {k: c[k] for k in ("id",)}
    out["stockKeepingUnitId"] = ln["productId"] + 500_000_000_000
    out.update(c)
    out["status"] = state.soap_item_status(ln)
    out["bundle"] = False
    out["updatedDate"] = fmt_ms(pkg["lastModifiedDate"], "%d/%m/%Y %H:%M")
    out["cargoCompanyWarning"] = None
    return out


def _order_search_data(state, pkg, ln) -> dict:
    out = _item_common(state, pkg, ln)
    out["status"] = str(state.soap_item_status(ln))
    out["rejectReason"] = ln["_rejectReason"]
    out["bundle"] = False
    out["stockKeepingUnitId"] = ln["productId"] + 500_000_000_000
    out["updatedDate"] = fmt_ms(pkg["lastModifiedDate"], "%d/%m/%Y %H:%M")
    return out


def _order_totals(state, o) -> tuple[Decimal, Decimal]:
    total, disc = Decimal("0"), Decimal("0")
    for _, ln in state.order_lines(o):
        total += ln["price"] * ln["quantity"]
        disc += ln["totalSellerDiscountPrice"] + ln["totalMallDiscountPrice"]
    return money(total), money(disc)


def _filtered_orders(state: SandboxState, req) -> list[dict]:
    s = req.get("searchData") if isinstance(req.get("searchData"), dict) else {}
    period = s.get("period") if isinstance(s.get("period"), dict) else {}
    start = _parse_period_date(period.get("startDate"))
    end = _parse_period_date(period.get("endDate"), end=True)
    status = (s.get("status") or "").strip()
    wanted = None
    if status:
        wanted = SOAP_FILTER_TO_ITEM.get(status)
        if wanted is None:
            raise Failure("SELLER_API.invalidOrderStatus", f"Geçersiz sipariş statüsü: {status}")
    by_update = str(s.get("sortForUpdateDate") or "").lower() == "true"
    rows = []
    for o in state.orders.values():
        lines = state.order_lines(o)
        ts = max([p["lastModifiedDate"] for p, _ in lines] or [o["createDate"]]) if by_update \
            else o["createDate"]
        if start is not None and ts < start or end is not None and ts > end:
            continue
        if s.get("orderNumber") and o["orderNumber"] != str(s["orderNumber"]):
            continue
        if s.get("buyerName") and s["buyerName"].casefold() not in o["buyer"]["fullName"].casefold():
            continue
        if s.get("recipient") and s["recipient"].casefold() not in o["shippingAddress"]["fullName"].casefold():
            continue
        if s.get("productSellerCode") and not any(ln["stockCode"] == s["productSellerCode"] for _, ln in lines):
            continue
        if s.get("productId") and not any(str(ln["productId"]) == str(s["productId"]) for _, ln in lines):
            continue
        if wanted is not None and not any(state.soap_item_status(ln) in wanted for _, ln in lines):
            continue
        rows.append((ts, o["id"], o))
    desc = str(s.get("updateDateSortOrder") or "").upper() == "DESC"
    rows.sort(key=lambda r: (r[0], r[1]), reverse=desc)
    return [r[2] for r in rows]


def OrderList(state, req):
    page, size = _paging(req)
    chunk, meta = _page(_filtered_orders(state, req), page, size)
    out = []
    for o in chunk:
        total, disc = _order_totals(state, o)
        out.append({"id": o["id"], "createDate": fmt_ms(o["createDate"], "%d/%m/%Y %H:%M"),
                    "totalDiscountAmount": disc, "paymentType": o["paymentType"],
                    "orderNumber": o["orderNumber"], "totalAmount": total,
                    "status": state.soap_order_status(o), "citizenshipId": o["buyer"]["tcId"]})
    return {"result": OK, "pagingData": meta, "orderList": {"order": out}}


def DetailedOrderList(state, req):
    page, size = _paging(req)
    chunk, meta = _page(_filtered_orders(state, req), page, size)
    out = []
    for o in chunk:
        total, disc = _order_totals(state, o)
        out.append({"id": o["id"], "invoiceType": str(o["invoiceType"]),
                    "status": state.soap_order_status(o), "orderNumber": o["orderNumber"],
                    "totalAmount": total, "paymentType": o["paymentType"],
                    "citizenshipId": o["buyer"]["tcId"],
                    "orderItemList": {"orderItem": [_order_item_data(state, p, ln)
                                                    for p, ln in state.order_lines(o)]},
                    "createDate": fmt_ms(o["createDate"], "%d/%m/%Y %H:%M"),
                    "serviceItemList": {}, "buyer": _buyer(o),
                    "shippingAddress": _addr(o["shippingAddress"]),
                    "billingAddress": _addr(o["billingAddress"]), "totalDiscountAmount": disc})
    return {"result": OK, "orderList": {"order": out}, "pagingData": meta}


def OrderDetail(state, req):
    r = req.get("orderRequest") if isinstance(req.get("orderRequest"), dict) else {}
    oid = _int(r.get("id"), "orderRequest.id")
    o = state.find_order_by_id(oid)
    if o is None:
        raise Failure("SELLER_API.orderNotFound", f"{oid} id'li sipariş bulunamadı.")
    lines = state.order_lines(o)
    total, disc = _order_totals(state, o)
    seller_disc = money(sum((ln["totalSellerDiscountPrice"] for _, ln in lines), Decimal("0")))
    mall = money(sum((ln["totalMallDiscountPrice"] for _, ln in lines), Decimal("0")))
    return {"result": OK, "orderDetail": {
        "id": o["id"], "orderNumber": o["orderNumber"], "rwbOrder": False, "buyer": _buyer(o),
        "citizenshipId": o["buyer"]["tcId"], "invoiceType": str(o["invoiceType"]),
        "itemList": {"item": [_order_search_data(state, p, ln) for p, ln in lines]},
        "serviceItemList": {}, "status": state.soap_order_status(o),
        "paymentType": o["paymentType"],
        "billingTemplate": {"originalPrice": total, "totalSellerDiscount": seller_disc,
                            "totalServiceItemOriginalPrice": Decimal("0"),
                            "installmentChargeWithVat": Decimal("0"),
                            "sellerInvoiceAmount": money(total - seller_disc),
                            "totalMallDiscountPrice": mall,
                            "dueAmount": money(sum((ln["dueAmount"] for _, ln in lines), Decimal("0")))},
        "shippingAddress": _addr(o["shippingAddress"]), "billingAddress": _addr(o["billingAddress"]),
        "createDate": fmt_ms(o["createDate"], "%d/%m/%Y %H:%M"),
        "orderItemShipmentList": {"orderItemShipmentInfo": [
            {"shippingAddress": _addr(o["shippingAddress"]), "deliveryPointMessage": None,
             "orderItemIds": {"id": ln["orderLineId"] + state.soap_item_id_offset}} for _, ln in lines]}}}


def _item_ids(req, state=None) -> list[int]:
    lst = req.get("orderItemList") if isinstance(req.get("orderItemList"), dict) else {}
    ids = []
    for it in as_list(lst.get("orderItem")):
        if isinstance(it, dict):
            soap_id = _int(it.get("id"), "orderItem.id")
            ids.append(_line_of(state, soap_id) if state is not None else soap_id)
    if not ids:
        raise Failure("SELLER_API.invalidRequest", "orderItemList alanı boş olamaz.")
    return ids


def _line_op(state, req, op, **kw):
    found, err = state.soap_line_op(_item_ids(req, state), op, **kw)
    if err:
        raise Failure("SELLER_API.invalidOrderItemStatus" if "durumda" in err
                      else "SELLER_API.orderItemNotFound", err)
    return {"result": OK, "orderItemList": {"orderItem": [_order_item_data(state, p, ln)
                                                          for p, ln in found]}}


def OrderItemAccept(state, req):
    return _line_op(state, req, "accept")


def OrderItemReject(state, req):
    reason = _text(req.get("rejectReason"), "rejectReason")
    if not reason:
        raise Failure("SELLER_API.invalidRequest", "rejectReason alanı boş olamaz.")
    return _line_op(state, req, "reject", reason=reason)


def MakeOrderItemShipment(state, req):
    lst = req.get("orderItemList") if isinstance(req.get("orderItemList"), dict) else {}
    info = {}
    for it in as_list(lst.get("orderItem")):
        if isinstance(it, dict):
            si = it.get("shipmentInfo") if isinstance(it.get("shipmentInfo"), dict) else {}
            info[_line_of(state, _int(it.get("id"), "orderItem.id"))] = {
                "trackingNumber": si.get("trackingNumber") or None,
                "campaignNumber": si.get("campaignNumber") or None}
    return _line_op(state, req, "ship", info=info)


def _check_items(state, req) -> list:
    ids = _item_ids(req, state)
    out = []
    for i in ids:
        f = state._active_line(i)
        if f is None:
            raise Failure("SELLER_API.orderItemNotFound", f"Sipariş kalemi bulunamadı: {i}")
        out.append(f)
    return out


def CombineItems(state, req):
    err = state.combine_lines(_item_ids(req, state))
    if err:
        raise Failure("SELLER_API.combineItemsFailed", err)
    return {"result": OK}


def SeparateCombinedItems(state, req):
    err = state.separate_lines(_item_ids(req, state))
    if err:
        raise Failure("SELLER_API.separateItemsFailed", err)
    return {"result": OK}


def OrderItemDelivery(state, req):
    lst = req.get("orderItemList") if isinstance(req.get("orderItemList"), dict) else {}
    for i in as_list(lst.get("orderItemId")):
        if state._active_line(_line_of(state, _int(i, "orderItemId"))) is None:
            raise Failure("SELLER_API.orderItemNotFound", f"Sipariş kalemi bulunamadı: {i}")
    return {"result": OK}


def OrderItemIdentity(state, req):
    if not req.get("orderNumber") or str(req["orderNumber"]) not in state.orders:
        raise Failure("SELLER_API.orderNotFound", f"Sipariş bulunamadı: {req.get('orderNumber')}")
    return {"result": OK}


def ComplementaryItemDetail(state, req):
    _check_items(state, req)
    return {"result": OK, "itemWithCompInfoList": {}}



def SaveLinkSellerInvoice(state, req):
    url = _text(req.get("url"), "url")
    if not url.startswith("https://"):
        raise Failure("SELLER_API.invalidInvoiceUrl", "Fatura linki https ile başlamalıdır.")
    if len(url) > 2048:
        raise Failure("SELLER_API.invalidInvoiceUrl", "Fatura linki en fazla 2048 karakter olabilir.")
    num = str(req.get("orderNumber") or "")
    if num not in state.orders:
        raise Failure("SELLER_API.orderNotFound", f"Sipariş bulunamadı: {num}")
    inv_no, inv_at = req.get("invoiceNumber"), req.get("invoiceDateTime")
    if state.orders[num].get("micro") and (not inv_no or not inv_at):
        # micro-export orders need the invoice number and date (API.md §3.10, §9)
        raise Failure("SELLER_API.invalidInput",
                      "Mikro ihracat siparişlerinde invoiceNumber ve invoiceDateTime zorunludur.")
    state.invoices.append({"orderNumber": num, "url": url, "invoiceNumber": inv_no,
                           "invoiceDateTime": inv_at})
    return {"result": OK}


OPS = operations(globals())
