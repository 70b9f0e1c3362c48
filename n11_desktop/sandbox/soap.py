"""SOAP side of the sandbox. Every POST under ``/ws/`` lands here whatever the path
variant; the operation is chosen by the body's root element (``<XxxRequest>``).

Business failures are HTTP 200 with ``result/status=failure`` (as production); unparsable
or hostile XML (DTD, entities) gets a SOAP Client fault with HTTP 500.
"""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal

from . import data
from .state import (APPROVAL_INT, CLAIM_CANCEL_DENY_REASONS, RETURN_DENY_REASONS,
                    RETURN_PENDING_REASONS, SALE_INT, SOAP_FILTER_TO_ITEM, TR_TZ,
                    SandboxState, fmt_ms, money)
from .xmlio import BadXml, as_list, empty_response_skeleton, soap_body_root, soap_fault, \
    soap_response, structure_errors

XML_CT = "text/xml;charset=utf-8"
AUTH_FAILED = ("SELLER_API.authenticationFailed", "Apide dogrulama islemi basarisiz oldu.")
CLOSED_MESSAGE = ("Bu servis 25.01.2025 tarihinden itibaren kullanıma kapatılmıştır. Ürün "
                  "işlemleri için REST API (/ms/product/tasks) kullanınız.")
CLOSED_OPS = {"SaveProduct", "UpdateProductBasic", "UpdateProductPriceById",
              "UpdateProductPriceBySellerCode", "UpdateDiscountValueByProductId",
              "UpdateDiscountValueBySellerCode", "ProductPriceAddOptionPrice",
              "AdaptUnificationProducts"}
OK = {"status": "success"}


class Failure(Exception):
    def __init__(self, code: str, message: str, category: str = "SELLER_API"):
        super().__init__(message)
        self.code, self.message, self.category = code, message, category


def failure_result(code: str, message: str, category: str = "SELLER_API") -> dict:
    return {"status": "failure", "errorCode": code, "errorMessage": message,
            "errorCategory": category}


def handle(state: SandboxState, body: bytes) -> tuple[int, str, bytes]:
    try:
        root, req = soap_body_root(body)
    except BadXml as exc:
        return 500, XML_CT, soap_fault("Client", str(exc))
    if not root.endswith("Request") or not isinstance(req, (dict, str)):
        return 500, XML_CT, soap_fault("Client", f"No endpoint mapping found for [{root}]")
    op = root[: -len("Request")]
    fn = OPS.get(op)
    if fn is None and op not in CLOSED_OPS:
        return 500, XML_CT, soap_fault("Client", f"No endpoint mapping found for [{root}]")
    if state.validate_soap:
        # Payload checked against the WSDL's structure before the endpoint runs (Spring-WS
        # style fault): unknown elements, elements out of sequence order and elements where
        # text belongs are refused; required elements left out are accepted, as N11 does
        # (taha-kanar README). See docs/n11-protocol.md.
        errors = structure_errors(body, root)
        if errors:
            return 500, XML_CT, soap_fault("Client", "Validation error: " + "; ".join(errors))
    if not isinstance(req, dict):
        req = {}
    resp_el = f"{op}Response"
    auth = req.get("auth") if isinstance(req.get("auth"), dict) else {}
    if auth.get("appKey") != state.app_key or auth.get("appSecret") != state.app_secret:
        if state.alt_auth_failures:
            return 403, "text/plain;charset=UTF-8", b"Authentication failed"
        content = {"result": failure_result(*AUTH_FAILED)}
        content.update(empty_response_skeleton(resp_el))
        return 200, XML_CT, soap_response(resp_el, content)
    if op in CLOSED_OPS:
        content = {"result": failure_result("SELLER_API.serviceClosed", CLOSED_MESSAGE)}
        return 200, XML_CT, soap_response(resp_el, content)
    try:
        with state.lock:
            state.tick()
            content = fn(state, req)
    except Failure as f:
        content = {"result": failure_result(f.code, f.message, f.category)}
        content.update(empty_response_skeleton(resp_el))
    except (TypeError, AttributeError, ValueError, KeyError) as exc:
        # A structurally odd request (an element where text was expected, ...).
        content = {"result": failure_result("SELLER_API.invalidRequest",
                                            f"İstek geçersiz: {type(exc).__name__}")}
        content.update(empty_response_skeleton(resp_el))
    return 200, XML_CT, soap_response(resp_el, content)


# --------------------------------------------------------------------------- helpers


def _text(v, name: str) -> str:
    if v is None:
        return ""
    if not isinstance(v, str):
        raise Failure("SELLER_API.invalidRequest", f"{name} alanı metin olmalıdır.")
    return v


def _int(v, name: str, default=None) -> int:
    if v in (None, ""):
        if default is not None:
            return default
        raise Failure("SELLER_API.invalidRequest", f"{name} alanı boş olamaz.")
    try:
        return int(str(v).strip())
    except ValueError:
        raise Failure("SELLER_API.invalidRequest", f"{name} alanı geçersiz: {v}") from None


def _paging(req: dict, default_size: int = 100, max_size: int = 100) -> tuple[int, int]:
    pd = req.get("pagingData") if isinstance(req.get("pagingData"), dict) else {}
    page = max(0, _int(pd.get("currentPage"), "currentPage", 0))
    size = pd.get("pageSize") or pd.get("itemsPerPage")
    size = _int(size, "pageSize", default_size)
    return page, max(1, min(size, max_size))


def _page(rows: list, page: int, size: int) -> tuple[list, dict]:
    total = len(rows)
    count = (total + size - 1) // size
    return rows[page * size:(page + 1) * size], {"currentPage": page, "pageSize": size,
                                                  "totalCount": total, "pageCount": count}


def _cat(cid) -> data.Category:
    cid = _int(cid, "categoryId")
    c = data.categories().get(cid)
    if c is None:
        raise Failure("SELLER_API.categoryNotFound", f"{cid} id'li kategori bulunamadı.")
    return c


def _leaf_attrs(state: SandboxState, cid) -> tuple[data.Category, list[dict]]:
    c = _cat(cid)
    if not c.leaf:
        raise Failure("SELLER_API.categoryNotLeaf",
                      f"{c.id} id'li kategori en alt seviye kategori değildir.")
    return c, data.category_attributes(c.id, state.seed) or []


def _parse_period_date(s, end: bool = False) -> int | None:
    if not s:
        return None
    s = str(s).strip()
    for fmt in ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y"):
        try:
            d = datetime.strptime(s, fmt).replace(tzinfo=TR_TZ)
        except ValueError:
            continue
        if fmt == "%d/%m/%Y" and end:
            d = d.replace(hour=23, minute=59, second=59)
        return int(d.timestamp() * 1000)
    raise Failure("SELLER_API.invalidDateFormat",
                  f"Tarih formatı geçersiz: {s} (beklenen dd/MM/yyyy)")


# --------------------------------------------------------------------------- categories


def GetTopLevelCategories(state, req):
    cats = data.categories()
    return {"result": OK, "categoryList": {"category": [
        {"id": i, "name": cats[i].name, "lastModifiedDate": data.category_last_modified(i)}
        for i in data.top_level_ids()]}}


def GetSubCategories(state, req):
    c = _cat(req.get("categoryId"))
    cats = data.categories()
    since = req.get("lastModifiedDate")
    since_ms = _parse_period_date(since) if isinstance(since, str) and since.strip() else None
    subs = [{"id": s, "name": cats[s].name, "lastModifiedDate": data.category_last_modified(s)}
            for s in c.children]
    if since_ms is not None:  # incremental sync: only what changed since then
        subs = [x for x in subs if _parse_period_date(x["lastModifiedDate"]) >= since_ms]
    return {"result": OK, "category": [{"id": c.id, "name": c.name,
                                        "subCategoryList": {"subCategory": subs},
                                        "lastModifiedDate": data.category_last_modified(c.id)}]}


def GetParentCategory(state, req):
    c = _cat(req.get("categoryId"))
    out = {"id": c.id, "name": c.name, "lastModifiedDate": data.category_last_modified(c.id)}
    if c.parent_id is not None:
        p = data.categories()[c.parent_id]
        out["parentCategory"] = {"id": p.id, "name": p.name,
                                 "lastModifiedDate": data.category_last_modified(p.id)}
    return {"result": OK, "category": out}


def GetCategoryAttributes(state, req):
    c, attrs = _leaf_attrs(state, req.get("categoryId"))
    page, size = _paging(req, default_size=20, max_size=100)
    chunk, meta = _page(attrs, page, size)
    parent = data.categories().get(c.parent_id) if c.parent_id else None
    return {"result": OK, "category": {
        "id": c.id, "name": c.name,
        "parentCategory": {"id": parent.id, "name": parent.name} if parent else None,
        "subCategoryList": {},
        "attributeList": {"attribute": [
            {"id": a["id"], "name": a["name"], "mandatory": a["mandatory"],
             "multipleSelect": a["multipleSelect"],
             "valueList": {"value": [{"id": v["id"], "name": v["name"]} for v in a["values"]]},
             "priority": float(a["order"]), "variant": a["variant"], "slicer": a["slicer"],
             "grouping": a["grouping"], "customValue": a["customValue"]} for a in chunk]},
        "metadata": meta, "lastModifiedDate": data.category_last_modified(c.id)}}


def GetCategoryAttributesId(state, req):
    _, attrs = _leaf_attrs(state, req.get("categoryId"))
    return {"result": OK, "categoryProductAttributeList": {"categoryProductAttribute": [
        {"id": a["id"], "name": a["name"], "mandatory": a["mandatory"],
         "multipleSelect": a["multipleSelect"], "variant": a["variant"], "slicer": a["slicer"],
         "grouping": a["grouping"], "customValue": a["customValue"]} for a in attrs]}}


def GetCategoryAttributeValue(state, req):
    aid = _int(req.get("categoryProductAttributeId"), "categoryProductAttributeId")
    _, attrs = _leaf_attrs(state, req.get("categoryId"))
    match = [a for a in attrs if a["id"] == aid]
    if not match:
        raise Failure("SELLER_API.attributeNotFound",
                      f"{aid} id'li özellik bu kategoride bulunamadı.")
    page, size = _paging(req, default_size=100, max_size=100)
    chunk, meta = _page(match[0]["values"], page, size)
    return {"result": OK, "categoryProductAttributeValueList": {"categoryProductAttributeValue": [
        {"id": v["id"], "name": v["name"]} for v in chunk]}, "pagingData": meta}


# --------------------------------------------------------------------------- cities / cargo


def _city(p: data.Province) -> dict:
    return {"cityCode": str(p.plate), "cityId": p.city_id, "cityName": p.name}


def GetCities(state, req):
    return {"result": OK, "cities": {"city": [_city(p) for p in data.provinces()]}}


def _province(req) -> data.Province:
    code = _int(req.get("cityCode"), "cityCode")
    p = data.province_by_plate(code)
    if p is None:
        raise Failure("SELLER_API.cityNotFound", f"{code} kodlu şehir bulunamadı.")
    return p


def GetCity(state, req):
    return {"result": OK, "city": _city(_province(req))}


def GetDistrict(state, req):
    p = _province(req)
    return {"result": OK, "districts": {"district": [{"name": n, "id": i} for i, n in p.districts]}}


def GetNeighborhoods(state, req):
    did = _int(req.get("districtId"), "districtId")
    rows = data.neighbourhoods(did)
    if rows is None:
        raise Failure("SELLER_API.districtNotFound", f"{did} id'li ilçe bulunamadı.")
    return {"result": OK, "neighborhoods": {"neighborhood": [{"name": n, "id": i}
                                                              for i, n, _ in rows]}}


def GetShipmentCompanies(state, req):
    return {"result": OK, "shipmentCompanies": {"shipmentCompany": [
        dict(c) for c in data.shipment_companies()]}}


def _template_xml(t: dict) -> dict:
    out = dict(t)
    out["shipmentCompanies"] = {"shipmentCompany": list(t.get("shipmentCompanies") or [])}
    cities = t.get("deliverableCities") or {}
    out["deliverableCities"] = cities if isinstance(cities, dict) else {"city": cities}
    return out


def GetShipmentTemplateList(state, req):
    page, size = _paging(req)
    chunk, _ = _page(state.templates, page, size)
    return {"result": OK, "shipmentTemplates": {"shipmentTemplate": [_template_xml(t) for t in chunk]}}


def GetShipmentTemplate(state, req):
    name = req.get("name")
    for t in state.templates:
        if t["templateName"] == name:
            return {"result": OK, "shipmentTemplate": _template_xml(t)}
    raise Failure("SELLER_API.shipmentTemplateNotFound", f"'{name}' isimli kargo şablonu bulunamadı.")


def CreateOrUpdateShipmentTemplate(state, req):
    s = req.get("shipment") if isinstance(req.get("shipment"), dict) else None
    if not s or not s.get("templateName"):
        raise Failure("SELLER_API.invalidRequest", "templateName alanı boş olamaz.")
    t = dict(s)
    t["shipmentCompanies"] = as_list((s.get("shipmentCompanies") or {}).get("shipmentCompany")
                                     if isinstance(s.get("shipmentCompanies"), dict) else None)
    for k in ("specialDelivery", "combinedShipmentAllowed", "useDmallCargo", "defaultTemplate"):
        if k in t:
            t[k] = str(t[k]).lower() == "true"
    state.templates = [x for x in state.templates if x["templateName"] != t["templateName"]] + [t]
    return {"result": OK, "shipmentTemplate": _template_xml(t)}


# --------------------------------------------------------------------------- products


def _groups(state: SandboxState) -> list[list[dict]]:
    g: dict[str, list[dict]] = {}
    for p in sorted(state.products.values(), key=lambda r: r["n11ProductId"]):
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


# --------------------------------------------------------------------------- orders


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


def _line_of(state, soap_id: int) -> int:
    """SOAP order item id → the sandbox's line id (they differ when soap_item_id_offset is set:
    no source says N11's REST orderLineId equals its SOAP orderItem.id)."""
    return soap_id - state.soap_item_id_offset


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


# --------------------------------------------------------------------------- claims / returns


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


def _claim(state, req):
    cid = _int(req.get("claimCancelId"), "claimCancelId")
    c = state.claims.get(cid)
    if c is None:
        raise Failure("SELLER_API.claimCancelNotFound", f"{cid} id'li iptal talebi bulunamadı.")
    if c["status"] != "REQUESTED":
        raise Failure("SELLER_API.claimCancelInvalidStatus",
                      f"{cid} id'li iptal talebi {c['status']} durumunda, işlem yapılamaz.")
    return c


def ClaimCancelApprove(state, req):
    state._finish_cancel_claim(_claim(state, req), "COMPLETED")
    return {"result": OK}


def ClaimCancelDeny(state, req):
    c = _claim(state, req)
    rid = _int(req.get("denyReasonId"), "denyReasonId")
    if rid not in dict(CLAIM_CANCEL_DENY_REASONS):
        raise Failure("SELLER_API.invalidDenyReason", f"Geçersiz red nedeni: {rid}")
    c["denyReasonType"] = dict(CLAIM_CANCEL_DENY_REASONS)[rid]
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
    rid = _int(rid, "claimReturnId")
    r = state.returns.get(rid)
    if r is None:
        raise Failure("SELLER_API.claimReturnNotFound", f"{rid} id'li iade talebi bulunamadı.")
    if r["status"] not in ("REQUESTED", "PENDING", "PENDED"):
        raise Failure("SELLER_API.claimReturnInvalidStatus",
                      f"{rid} id'li iade talebi {r['status']} durumunda, işlem yapılamaz.")
    return r


def ClaimReturnApprove(state, req):
    state._finish_return(_return(state, req), "APPROVED")
    return {"result": OK}


def ClaimReturnDeny(state, req):
    r = _return(state, req)
    rid = _int(req.get("denyReasonId"), "denyReasonId")
    if rid not in dict(RETURN_DENY_REASONS):
        raise Failure("SELLER_API.invalidDenyReason", f"Geçersiz red nedeni: {rid}")
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


OPS = {name: fn for name, fn in dict(globals()).items()
       if callable(fn) and name[:1].isupper() and name not in ("Failure", "Decimal")
       and not isinstance(fn, type)}

SERVED_OPERATIONS = sorted(OPS)
