"""REST side of the sandbox: ``/cdn`` (categories), ``/ms`` (product tasks and query),
``/rest`` (order packages). Returns ``(status, content_type, body_bytes)``."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from urllib.parse import parse_qs

from . import data
from .state import SandboxState, now_ms
from .state.common import (
    ATTRS, CAT, CODE, MAIN_ID, PID, SALE_STATUS, SENDER, STATUS, brand_of, product_json,
)

JSON = "application/json;charset=UTF-8"
Reply = tuple[int, str, bytes]
DAY_MS = 86_400_000
WINDOW_MS = 15 * DAY_MS
NO_DATA_BEFORE_MS = 1_730_408_400_000  # 2024-11-01 00:00 GMT+3


def jreply(status: int, obj) -> Reply:
    return status, JSON, json.dumps(obj, ensure_ascii=False).encode("utf-8")


def html(status: int, title: str, text: str) -> Reply:
    body = (f"<html><head><title>{status} {title}</title></head><body><h1>{title}</h1>"
            f"<p>{text}</p></body></html>")
    return status, "text/html;charset=utf-8", body.encode("utf-8")


def spring_error(status: int, typ: str, message: str, reason: str | None = None,
                 path: str = "") -> Reply:
    """Spring error envelope. A 500 that N11 gives for a client mistake (unknown enum value,
    ``size`` over the limit, negative page, missing header) carries the exception's name
    itself in ``message`` (lonca errors.ts, production-observed; API.md §9); the text goes to
    ``description`` and ``errors[].reason``."""
    if status == 500 and reason:
        return jreply(status, {"@type": typ, "name": typ, "message": reason,
                               "description": message, "urlStack": [path],
                               "errors": [{"reason": message}]})
    return jreply(status, {"@type": typ, "name": typ, "message": message,
                           "description": message, "urlStack": [path],
                           "errors": [{"reason": reason or message}]})


def rest_failure(message: str, code: str = "SELLER_API.invalidRequest") -> Reply:
    return jreply(400, {"code": 400, "status": "failure", "errorCode": code,
                        "errorMessage": message, "errorCategory": "SELLER_API"})


@lru_cache(maxsize=1)
def _categories_body() -> bytes:
    return json.dumps(data.category_tree_json(), ensure_ascii=False).encode("utf-8")


def _qs(query: str) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}


def _json_body(body: bytes):
    try:
        return json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ValueError(f"JSON parse error: {type(exc).__name__}: {exc}") from exc


# --------------------------------------------------------------------------- auth


def check_auth(state: SandboxState, family: str, headers) -> Reply | None:
    key, secret = headers.get("appkey"), headers.get("appsecret")
    if family == "cdn":
        if key != state.app_key or (secret is not None and secret != state.app_secret):
            return 403, "text/plain;charset=UTF-8", b"Authentication failed"
        return None
    if family == "ms":
        if secret is None:
            return spring_error(500, "InternalServerException",
                                "Required request header 'appsecret' for method parameter type "
                                "String is not present",
                                "MissingRequestHeaderException")
        if key != state.app_key or secret != state.app_secret:
            return spring_error(401, "SellerApiUserUnauthorizedException",
                                "Apide doğrulama işlemi başarısız oldu.")
        return None
    # /rest
    if key is None or secret is None:
        return html(400, "Bad Request", "Required request header is missing")
    if key != state.app_key or secret != state.app_secret:
        if state.alt_auth_failures:
            return 403, "text/plain;charset=UTF-8", b"Authentication failed"
        return jreply(400, {"code": 400, "status": "failure",
                            "errorCode": "SELLER_API.authenticationFailed",
                            "errorMessage": "Apide dogrulama islemi basarisiz oldu.",
                            "errorCategory": "SELLER_API"})
    return None


# --------------------------------------------------------------------------- dispatch

_ATTR_RE = re.compile(r"^/cdn/category/([^/]+)/attribute/?$")
_TASK_RE = re.compile(r"^/ms/product/tasks/(product-create|product-update|product-delete|"
                      r"price-stock-update)/?$")


def handle(state: SandboxState, method: str, path: str, query: str, headers,
           body: bytes) -> Reply:
    family = path.split("/", 2)[1]
    denied = check_auth(state, family, headers)
    if denied is not None:
        return denied
    try:
        if family == "cdn":
            return _cdn(state, method, path)
        if family == "ms":
            return _ms(state, method, path, query, body)
        return _rest(state, method, path, query, body)
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        if family == "ms":
            return spring_error(400, "BadRequestException", str(exc),
                                "HttpMessageNotReadableException", path)
        return rest_failure(str(exc))


def _not_found() -> Reply:
    return html(503, "Service Unavailable", "No server is available to handle this request.")


def _cdn(state: SandboxState, method: str, path: str) -> Reply:
    if method != "GET":
        return _not_found()
    if path.rstrip("/") == "/cdn/categories":
        return 200, JSON, _categories_body()
    m = _ATTR_RE.match(path)
    if not m:
        return _not_found()
    try:
        cid = int(m.group(1))
    except ValueError:
        return jreply(400, {"errorCode": "invalidInput",
                            "errorMessage": f"Geçersiz kategori id: {m.group(1)}"})
    cat = data.categories().get(cid)
    if cat is None:
        return jreply(400, {"errorCode": "invalidInput",
                            "errorMessage": f"{cid} id'li kategori bulunamadı."})
    if not cat.leaf:
        return jreply(400, {"errorCode": "invalidInput",
                            "errorMessage": f"{cid} id'li kategori en alt seviye kategori "
                                            "değildir. Özellikler yalnızca alt seviye "
                                            "kategoriler için listelenebilir."})
    attrs = data.category_attributes(cid, state.seed) or []
    return jreply(200, {"id": cid, "name": cat.name, "categoryAttributes": [
        {"attributeId": a["id"], "categoryId": cid, "attributeName": a["name"],
         "isMandatory": a["mandatory"], "isVariant": a["variant"], "isSlicer": a["slicer"],
         "isCustomValue": a["customValue"], "isN11Grouping": a["grouping"],
         "attributeOrder": a["order"],
         "attributeValues": [{"id": v["id"], "value": v["name"]} for v in a["values"]]}
        for a in attrs]})


_PRODUCT_STATUSES = ("Active", "InCatalogApproval", "Suspended", "CatalogRejected",
                     "Prohibited", "Unlisted", "InApproval")
_SALE_STATUSES = ("On_Sale", "Out_Of_Stock", "Before_Sale", "Sale_Closed")


def _ms(state: SandboxState, method: str, path: str, query: str, body: bytes) -> Reply:
    m = _TASK_RE.match(path)
    if m and method == "POST":
        doc = _json_body(body)
        payload = doc.get("payload") if isinstance(doc, dict) else None
        return jreply(200, state.submit_task(m.group(1), payload,
                                             body if isinstance(doc, dict) and "payload" in doc else None))
    if path.rstrip("/") == "/ms/product/task-details/page-query" and method == "POST":
        doc = _json_body(body)
        if not isinstance(doc, dict) or doc.get("taskId") is None:
            return spring_error(400, "BadRequestException", "taskId alanı boş olamaz.",
                                path=path)
        pageable = doc.get("pageable") or {}
        try:
            tid = int(doc["taskId"])
            page = int(pageable.get("page", 0))
            size = int(pageable.get("size", 1000))
        except (TypeError, ValueError):
            return spring_error(400, "BadRequestException", "Geçersiz sayfa parametresi.",
                                path=path)
        if page < 0 or size < 1 or size > 1000:
            return spring_error(500, "InternalServerException",
                                "page must not be negative and size must be 1..1000",
                                "ConstraintViolationException", path)
        res = state.task_details_json(tid, page, size)
        if res is None:
            return spring_error(404, "TaskNotFoundException",
                                f"{tid} id'li task bulunamadı.", path=path)
        return 200, JSON, res
    if path.rstrip("/") == "/ms/product-query" and method == "GET":
        return _product_query(state, _qs(query), path)
    return _not_found()


def _product_query(state: SandboxState, q: dict, path: str) -> Reply:
    try:
        page = int(q.get("page") or 0)
        size = int(q.get("size") or 20)
    except ValueError:
        return spring_error(500, "InternalServerException", "page/size must be numbers",
                            "IllegalArgumentException", path)
    if page < 0:
        return spring_error(500, "InternalServerException", "Page index must not be less than zero",
                            "IllegalArgumentException", path)
    if size < 1 or size > 250:
        return spring_error(500, "InternalServerException", "size: must be between 1 and 250",
                            "ConstraintViolationException", path)
    ps, ss = q.get("productStatus"), q.get("saleStatus")
    if ps and ps not in _PRODUCT_STATUSES:
        return spring_error(500, "InternalServerException",
                            f"No enum constant ProductStatus.{ps}", "IllegalArgumentException", path)
    if ss and ss not in _SALE_STATUSES:
        return spring_error(500, "InternalServerException",
                            f"No enum constant SaleStatus.{ss}", "IllegalArgumentException", path)
    sender = q.get("sender") or "SELLER"
    cat_ids = {int(c) for c in (q.get("categoryIds") or "").split(",") if c.strip().isdigit()}
    with state.lock:
        state.tick()
        products = state.products
        rows = products._rows
        whole_store = not any(q.get(k) for k in ("id", "productMainId", "stockCode", "brandName")) \
            and not ps and not ss and not cat_ids
        if whole_store:  # the whole store (a sync's paging): the sorted codes kept between pages
            codes = products.sorted_codes(sender)
            total = len(codes)
            chunk = [product_json(rows[c]) for c in codes[page * size:(page + 1) * size]]
        else:
            matched = []
            for code in products.sorted_codes():
                r = rows[code]
                if q.get("id") and str(r[PID]) != q["id"]:
                    continue
                if q.get("productMainId") and r[MAIN_ID] != q["productMainId"]:
                    continue
                if q.get("stockCode") and r[CODE] != q["stockCode"]:
                    continue
                if ps and r[STATUS] != ps:
                    continue
                if ss and r[SALE_STATUS] != ss:
                    continue
                if cat_ids and r[CAT] not in cat_ids:
                    continue
                if q.get("brandName") and brand_of(r[ATTRS]) != q["brandName"]:
                    continue
                if sender != "ALL" and r[SENDER] != sender:
                    continue
                matched.append(r)
            total = len(matched)
            chunk = [product_json(r) for r in matched[page * size:(page + 1) * size]]  # this page only
    rows = range(total)
    total_pages = (len(rows) + size - 1) // size
    return jreply(200, {"content": chunk,
                        "pageable": {"pageNumber": page, "pageSize": size, "offset": page * size,
                                     "paged": True, "unpaged": False,
                                     "sort": {"sorted": False, "unsorted": True, "empty": True}},
                        "totalElements": len(rows), "totalPages": total_pages,
                        "last": page >= total_pages - 1, "first": page == 0,
                        "number": page, "size": size, "numberOfElements": len(chunk),
                        "sort": {"sorted": False, "unsorted": True, "empty": True},
                        "empty": not chunk})


def _rest(state: SandboxState, method: str, path: str, query: str, body: bytes) -> Reply:
    p = path.rstrip("/")
    if p == "/rest/delivery/v1/shipmentPackages" and method == "GET":
        return _packages(state, _qs(query))
    if p == "/rest/order/v1/update" and method == "PUT":
        doc = _json_body(body)
        if not isinstance(doc, dict) or not isinstance(doc.get("lines"), list) or not doc["lines"]:
            return rest_failure("lines alanı boş olamaz.")
        if doc.get("status") != "Picking":
            return rest_failure(f"Geçersiz statü: {doc.get('status')}. Yalnızca Picking desteklenir.")
        ids = [ln.get("lineId") if isinstance(ln, dict) else None for ln in doc["lines"]]
        return jreply(200, {"content": state.approve_lines(ids, "Picking")})
    if p == "/rest/delivery/v1/splitCombinePackage" and method == "POST":
        doc = _json_body(body)
        groups = doc.get("splitGroups") if isinstance(doc, dict) else None
        if not isinstance(groups, list) or not groups:
            return rest_failure("splitGroups alanı boş olamaz.")
        try:
            ids = [list(g["orderLineIds"]) for g in groups]
        except (KeyError, TypeError):
            return rest_failure("splitGroups[].orderLineIds alanı zorunludur.")
        try:
            pkgs, err = state.split_package(ids)
        except (TypeError, ValueError):
            return rest_failure("orderLineIds sayısal olmalıdır.")
        if err:
            return rest_failure(err)
        return jreply(200, {"status": "success", "content": pkgs})
    if p == "/rest/delivery/v1/collectionRequest" and method == "PUT":
        doc = _json_body(body)
        if not isinstance(doc, dict):
            return rest_failure("İstek gövdesi geçersiz.")
        err = state.collection_request(doc)
        if err:
            return rest_failure(err)
        return jreply(200, {"status": "success", "message": "Toplama talebi oluşturuldu."})
    if p == "/rest/delivery/v1/splitPackageByQuantity" and method == "POST":
        doc = _json_body(body)
        items = doc.get("cancelledItems") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            return rest_failure("cancelledItems alanı boş olamaz.")
        pkgs, err = state.cancel_by_quantity(items)
        if err:
            return rest_failure(err)
        return jreply(200, {"status": "success", "content": pkgs})
    return _not_found()


def _packages(state: SandboxState, q: dict) -> Reply:
    def num_param(name, default):
        v = q.get(name)
        if v in (None, ""):
            return default
        try:
            return int(v)
        except ValueError:
            raise ValueError(f"{name} sayısal olmalıdır: {v}") from None

    try:
        start = num_param("startDate", None)
        end = num_param("endDate", None)
        page = max(0, num_param("page", 0))
        size = num_param("size", 20)
    except ValueError as exc:
        return rest_failure(str(exc))
    size = max(1, min(size, 100))
    if start is None and end is None:
        end = now_ms()
        start = end - WINDOW_MS
    elif start is None:
        start = end - WINDOW_MS
    elif end is None:
        end = start + WINDOW_MS
    if end - start > WINDOW_MS:
        # N11 silently answers a longer window like its LAST 15 days (lonca's notes, API.md §9)
        start = end - WINDOW_MS
    start = max(start, NO_DATA_BEFORE_MS)  # N11 keeps no packages before Nov 2024
    ids = None
    if q.get("packageIds"):
        try:
            ids = [int(x) for x in q["packageIds"].split(",") if x.strip()]
        except ValueError:
            return rest_failure("packageIds sayısal olmalıdır.")
    status = q.get("status") or None
    if status is not None:
        status = status.strip()
    res = state.query_packages(start_ms=start, end_ms=end, page=page, size=size,
                               order_number=q.get("orderNumber") or None, package_ids=ids,
                               status=status,
                               by_modified=(q.get("orderByField") or "").lower() == "true",
                               descending=(q.get("orderByDirection") or "ASC").upper() == "DESC",
                               sender=(q.get("sender") or "SELLER").upper())
    res.pop("totalElements", None)
    return jreply(200, res)

