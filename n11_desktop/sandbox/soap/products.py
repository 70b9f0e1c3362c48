"""ProductService of the sandbox: the (read-only) SOAP product views, deleting products,
product questions and answers; the product-changing SOAP operations N11 closed are answered
by the dispatcher."""

from __future__ import annotations

import time
from datetime import datetime

from .. import data
from ..state import APPROVAL_INT, SALE_INT, TR_TZ, SandboxState, fmt_ms
from .common import Failure, OK, _int, _page, _paging, _text, operations


def _groups(state: SandboxState) -> list[list[dict]]:
    g: dict[str, list[dict]] = {}
    products = state.products
    for code in products.sorted_codes():
        p = products[code]
        g.setdefault(p["productMainId"], []).append(p)
    return list(g.values())


def _sku_xml(p: dict) -> dict:
    return {"sellerStockCode": p["stockCode"], "optionPrice": p["salePrice"],
            "currencyAmount": p["salePrice"], "displayPrice": p["salePrice"],
            "oldOptionPrice": p["listPrice"], "gtin": p.get("barcode") or "",
            "n11CatalogId": p.get("catalogId"), "bundle": False, "id": p["n11ProductId"] + 500_000_000_000,
            "version": p["version"], "quantity": p["quantity"],
            "attributes": {"attribute": [{"id": a["attributeId"], "name": a["attributeName"],
                                          "value": a["attributeValue"]} for a in p["attributes"]]},
            "images": {"image": [{"url": u, "order": i + 1} for i, u in enumerate(p["imageUrls"])]}}


def _cur_int(c: str) -> int:
    return {"TL": 1, "USD": 2, "EUR": 3}.get(c, 1)


def _basic_xml(group: list[dict]) -> dict:
    p = group[0]
    return {"id": p["n11ProductId"], "productSellerCode": p["productMainId"], "title": p["title"],
            "price": p["listPrice"], "displayPrice": p["salePrice"], "isDomestic": True,
            "saleStatus": SALE_INT.get(p["saleStatus"], 1),
            "approvalStatus": APPROVAL_INT.get(p["status"], 5),
            "stockItems": {"id": p["n11ProductId"], "stockItem": [_sku_xml(s) for s in group],
                           "productSellerCode": p["productMainId"]},
            "oldPrice": p["listPrice"], "currencyAmount": p["salePrice"],
            "currencyType": _cur_int(p["currencyType"]), "productStatusDetail": p["status"],
            "n11CatalogGroupId": p.get("catalogId"), "unitInfo": {}}


def _product_xml(group: list[dict]) -> dict:
    p = group[0]
    path = data.category_path(p["categoryId"])
    return {"id": p["n11ProductId"], "title": p["title"], "displayPrice": p["salePrice"],
            "price": p["listPrice"], "productSellerCode": p["productMainId"],
            "description": p["description"],
            "category": {"id": p["categoryId"], "name": path[-1].name if path else "",
                         "fullName": " > ".join(c.name for c in path)},
            "specialProductInfoList": {}, "preparingDay": p["preparingDay"],
            "productCondition": "1",
            "images": {"image": [{"url": u, "order": i + 1} for i, u in enumerate(p["imageUrls"])]},
            "stockItems": {"id": p["n11ProductId"], "stockItem": [_sku_xml(s) for s in group],
                           "productSellerCode": p["productMainId"]},
            "shipmentTemplate": p["shipmentTemplate"],
            "attributes": {"attribute": [{"id": a["attributeId"], "name": a["attributeName"],
                                          "value": a["attributeValue"]} for a in p["attributes"]]},
            "approvalStatus": APPROVAL_INT.get(p["status"], 5),
            "saleStatus": SALE_INT.get(p["saleStatus"], 1), "currencyAmount": p["salePrice"],
            "currencyType": _cur_int(p["currencyType"]), "unitInfo": {},
            "maxPurchaseQuantity": p.get("maxPurchaseQuantity"),
            "productStatusDetail": p["status"], "domestic": True}


def GetProductList(state, req):
    page, size = _paging(req)
    chunk, meta = _page(_groups(state), page, size)
    return {"result": OK, "products": {"product": [_basic_xml(g) for g in chunk]},
            "pagingData": meta}


def _group_by_id(state, pid) -> list[dict]:
    pid = _int(pid, "productId")
    for g in _groups(state):
        if any(p["n11ProductId"] == pid for p in g):
            return g
    raise Failure("SELLER_API.productNotFound", f"{pid} id'li ürün bulunamadı.")


def _group_by_code(state, code) -> list[dict]:
    for g in _groups(state):
        if g[0]["productMainId"] == code or any(p["stockCode"] == code for p in g):
            return g
    raise Failure("SELLER_API.productNotFound", f"{code} satıcı kodlu ürün bulunamadı.")


def GetProductByProductId(state, req):
    return {"result": OK, "product": _product_xml(_group_by_id(state, req.get("productId")))}


def GetProductBySellerCode(state, req):
    return {"result": OK, "product": _product_xml(_group_by_code(state, req.get("sellerCode")))}


_SEARCH_STATUS = {"Active": "Active", "Suspended": "Suspended", "Prohibited": "Prohibited",
                  "WaitingForApproval": "InCatalogApproval", "Rejected": "CatalogRejected",
                  "Unlisted": "Unlisted"}


def SearchProducts(state, req):
    page, size = _paging(req)
    s = req.get("productSearch") if isinstance(req.get("productSearch"), dict) else {}
    name = _text(s.get("name"), "productSearch.name").casefold()
    status = _SEARCH_STATUS.get(s.get("approvalStatus") or "")
    rows = [g for g in _groups(state)
            if (not name or name in g[0]["title"].casefold())
            and (not status or g[0]["status"] == status)]
    chunk, meta = _page(rows, page, size)
    return {"result": OK, "products": {"product": [_basic_xml(g) for g in chunk]},
            "pagingData": meta}


def ProductApprovalStatus(state, req):
    sts = [g[0]["status"] for g in _groups(state)]
    return {"result": {"approvedCount": sts.count("Active"),
                       "unapprovedCount": sts.count("Suspended"),
                       "waitingApprovalCount": sts.count("InCatalogApproval"),
                       "waitingCount": 0, "rejectedCount": sts.count("CatalogRejected"),
                       "totalCount": len(sts), "status": "success"}}


def _delete_group(state, group) -> dict:
    basic = _basic_xml(group)
    for p in group:
        state.products.pop(p["stockCode"], None)
    return {"result": OK, "product": basic}


def DeleteProductById(state, req):
    return _delete_group(state, _group_by_id(state, req.get("productId")))


def DeleteProductBySellerCode(state, req):
    return _delete_group(state, _group_by_code(state, req.get("productSellerCode")))


def GetProductQuestionList(state, req):
    gap = state.question_list_min_interval_s
    if gap and time.monotonic() - state._last_question_list < gap:
        raise Failure("SELLER_API.getProductQuestionListRequest.accessLimit.reached",
                      "Bu servis dakikada bir kez çağrılabilir.")
    state._last_question_list = time.monotonic()
    page, size = _paging(req)
    s = req.get("productQuestionSearch") if isinstance(req.get("productQuestionSearch"), dict) else {}
    rows = [q for q in state.questions.values()
            if (not s.get("status") or q["status"] == s["status"])
            and (not s.get("productId") or str(q["productId"]) == str(s["productId"]))]
    chunk, meta = _page(rows, page, size)
    return {"productQuestions": {"productQuestion": [
        {"id": q["id"], "productId": q["productId"], "productTitle": q["productTitle"],
         "questionSubject": q["questionSubject"], "question": q["question"],
         "answer": q["answer"], "images": {}} for q in chunk]},
        "pagingData": meta, "result": OK}


def GetProductQuestionDetail(state, req):
    qid = _int(req.get("productQuestionId"), "productQuestionId")
    q = state.questions.get(qid)
    if q is None:
        return {"result": OK}
    return {"productQuestion": {k: q[k] for k in (
        "productId", "productTitle", "questionSubject", "question", "answer", "fullName", "email",
        "productStatus", "status", "questionDate", "answeredDate")} | {
        "sellerExpose": "true", "buyerExpose": "false", "images": {}}, "result": OK}


def SaveProductAnswer(state, req):
    qid = _int(req.get("productQuestionId"), "productQuestionId")
    answer = _text(req.get("answer"), "answer")
    if not 1 <= len(answer) <= 2048:
        raise Failure("SELLER_API.invalidAnswer", "Cevap 1 ile 2048 karakter arasında olmalıdır.")
    q = state.questions.get(qid)
    if q is None:
        raise Failure("SELLER_API.questionNotFound", f"{qid} id'li soru bulunamadı.")
    q["answer"] = answer
    q["status"] = "CLOSED"
    q["answeredDate"] = fmt_ms(int(datetime.now(TR_TZ).timestamp() * 1000), "%Y-%m-%d")
    return {"result": OK}


OPS = operations(globals())
