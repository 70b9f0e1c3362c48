"""N11 client: the only code in n11-desktop that speaks to N11 (REST and SOAP).

Which API each call uses follows DESIGN §4.1: categories, product tasks, product query,
packages, approve/split are REST; shipment info, combine/separate, invoice link, claims,
returns, cities and cargo companies are SOAP.

Threading: a client owns one ``requests.Session`` and must be used by one thread at a time
(create one client per worker). Results are frozen dataclasses (:mod:`.models`) and can be
handed to other threads.

Reliability rules:

- every HTTP call has ``timeout=(connect, read)`` and an overall deadline while reading;
- reads and idempotent calls are retried with exponential backoff on connection errors,
  timeouts and 5xx; HTTP 429 is retried (honouring ``Retry-After``) because N11 did not act on
  it; calls that change state on N11 (task posts, claim approve/deny, split/combine) are never
  repeated when their outcome is unknown — they raise with ``outcome_unknown=True`` so the
  caller resolves it by polling the task or querying the product/order;
- every HTTP attempt is reported to ``on_exchange`` as an :class:`Exchange` with the App
  Secret redacted from headers, URL and both bodies.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar
from urllib.parse import quote, quote_plus, urlencode, urlsplit
from xml.sax.saxutils import escape as xml_escape

import requests
import urllib3.exceptions

from . import _parse as P
from .claims import ClaimsAPI
from . import rest, soap
from .errors import (
    MalformedResponseError,
    N11ConnectionError,
    N11Error,
    N11TimeoutError,
    RateLimitedError,
    ServerError,
    TaskRejectedError,
)
from .limits import _MAX_PAGES
from .orders import OrdersAPI
from .reference import ReferenceAPI
from .models import (
    CategoryAttribute,
    CategoryNode,
    RemoteProduct,
    TaskAck,
    TaskResult,
    TaskSkuResult,
)

__all__ = ["N11Client", "Exchange", "redact", "client_from_config", "REDACTED"]

log = logging.getLogger(__name__)

REDACTED = "***"
T = TypeVar("T")

PRODUCT_PAGE_MAX = 250
TASK_PAGE_SIZE = 1000


# --------------------------------------------------------------------------- exchange + redaction
@dataclass(frozen=True, slots=True)
class Exchange:
    """One HTTP attempt, as sent and received, with the App Secret redacted."""

    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: str
    status: int | None
    response_body: str
    elapsed_ms: float
    error: str | None
    operation: str | None = None
    attempt: int = 1
    response_headers: Mapping[str, str] = field(default_factory=dict)


_XML_SECRET = re.compile(
    r"(<(?:[\w.-]+:)?appSecret\b[^>]*>)(.*?)(</(?:[\w.-]+:)?appSecret\s*>)", re.IGNORECASE | re.DOTALL
)
_JSON_SECRET = re.compile(r'("app[_-]?secret"\s*:\s*)"(?:[^"\\]|\\.)*"', re.IGNORECASE)
_QUERY_SECRET = re.compile(r"((?:^|[?&])app[_-]?secret=)[^&#\s]*", re.IGNORECASE)
_SECRET_HEADERS = {"appsecret", "app-secret", "app_secret", "authorization", "proxy-authorization"}


def redact(text: str, secret: str) -> str:
    """Remove ``secret`` (and anything in an ``appSecret`` element/JSON key/query parameter)
    from ``text``."""
    if not text:
        return text
    out = _XML_SECRET.sub(lambda mt: mt.group(1) + REDACTED + mt.group(3), text)
    out = _JSON_SECRET.sub(lambda mt: mt.group(1) + '"' + REDACTED + '"', out)
    out = _QUERY_SECRET.sub(lambda mt: mt.group(1) + REDACTED, out)
    if secret:
        variants = {
            secret,
            xml_escape(secret),
            xml_escape(secret, {'"': "&quot;", "'": "&apos;"}),
            json.dumps(secret)[1:-1],
            json.dumps(secret, ensure_ascii=False)[1:-1],
            quote(secret, safe=""),
            quote_plus(secret),
        }
        for variant in sorted((v for v in variants if v), key=len, reverse=True):
            out = out.replace(variant, REDACTED)
    return out


def _redact_headers(headers: Mapping[str, str], secret: str) -> dict[str, str]:
    return {
        str(k): (REDACTED if str(k).lower() in _SECRET_HEADERS else redact(str(v), secret)) for k, v in headers.items()
    }


def _text(body: bytes | None, encoding: str | None = None) -> str:
    if not body:
        return ""
    try:
        return body.decode(encoding or "utf-8", errors="replace")
    except LookupError:
        return body.decode("utf-8", errors="replace")


def _walk_causes(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException] = [exc]
    while stack:
        e = stack.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        yield e
        stack.extend(a for a in getattr(e, "args", ()) if isinstance(a, BaseException))
        for attr in ("reason", "__cause__", "__context__"):
            nxt = getattr(e, attr, None)
            if isinstance(nxt, BaseException):
                stack.append(nxt)


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"


def _chunks(seq: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(seq), size):
        yield list(seq[start : start + size])


# --------------------------------------------------------------------------- task SKU rules
#: product-update ``status`` values (API.md §6, §9: start/stop selling without deleting)
UPDATE_STATUSES = ("Active", "Suspended")
#: product-update fields N11 documents (API.md §9); anything else is dropped, not sent
UPDATE_FIELDS = (
    "stockCode",
    "status",
    "preparingDay",
    "shipmentTemplate",
    "currencyType",
    "productMainId",
    "deleteProductMainId",
    "maxPurchaseQuantity",
    "deleteMaxPurchaseQuantity",
    "description",
    "vatRate",
)


def _sku_name(n: int, sku: Mapping[str, Any]) -> str:
    return f"SKU #{n + 1} ({sku.get('stockCode')})"


def _prepare_prices(n: int, sku: dict) -> dict:
    for key in ("salePrice", "listPrice"):
        if sku.get(key) is not None:
            sku[key] = rest.money(sku[key], f"{_sku_name(n, sku)}: {key}")
    return sku


def _prepare_create(n: int, sku: dict) -> dict:
    # (an empty description is stopped earlier, by Mapping Control; N11 fails such a SKU)
    return _prepare_prices(n, sku)


def _prepare_update(n: int, sku: dict) -> dict:
    status = sku.get("status")
    if status is not None and status not in UPDATE_STATUSES:
        raise ValueError(f"{_sku_name(n, sku)}: status must be Active or Suspended (got {status!r})")
    if "productMainId" in sku and sku["productMainId"] is not None:
        sku["deleteProductMainId"] = True
    if "maxPurchaseQuantity" in sku:
        # the flag makes N11 take the value; a None value with the flag clears the limit
        sku["deleteMaxPurchaseQuantity"] = True
    return {k: v for k, v in sku.items() if k in UPDATE_FIELDS and (v is not None or k == "maxPurchaseQuantity")}


# --------------------------------------------------------------------------- the client
class N11Client(OrdersAPI, ClaimsAPI, ReferenceAPI):
    """Client for N11's seller API (one thread at a time; see module doc)."""

    def __init__(
        self,
        base_url: str,
        app_key: str,
        app_secret: str,
        *,
        integrator: str = "n11-desktop",
        timeout: tuple[float, float] = (5.0, 30.0),
        retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
        on_exchange: Callable[[Exchange], None] | None = None,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_task_skus: int = 1000,
        max_response_bytes: int = 64 * 1024 * 1024,
        total_timeout: float | None = None,
        max_retry_after: float = 60.0,
        task_page_size: int = TASK_PAGE_SIZE,
        log_body_limit: int | None = 512 * 1024,
    ) -> None:
        parts = urlsplit(str(base_url or "").strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"N11 API URL must look like https://api.n11.com/ws/ (got {base_url!r})")
        if not app_key or not str(app_key).strip():
            raise ValueError("N11 App Key is empty")
        if not app_secret or not str(app_secret).strip():
            raise ValueError("N11 App Secret is empty")
        if not 1 <= int(max_task_skus) <= 1000:
            raise ValueError("max_task_skus must be between 1 and 1000 (N11 accepts at most 1000 SKUs per task)")
        path = parts.path or "/"
        if not path.endswith("/"):
            path += "/"
        self.base_url = f"{parts.scheme}://{parts.netloc}{path}"
        self.rest_root = f"{parts.scheme}://{parts.netloc}"
        self.app_key = str(app_key).strip()
        self.app_secret = str(app_secret).strip()
        self.integrator = integrator
        self.timeout = (float(timeout[0]), float(timeout[1]))
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.max_task_skus = int(max_task_skus)
        self.max_response_bytes = int(max_response_bytes)
        self.total_timeout = float(total_timeout) if total_timeout else self.timeout[0] + 3 * self.timeout[1]
        self.max_retry_after = float(max_retry_after)
        self.task_page_size = max(1, min(int(task_page_size), TASK_PAGE_SIZE))
        #: bodies longer than this many characters are cut in the Exchange (after redaction)
        self.log_body_limit = log_body_limit
        self.on_exchange = on_exchange
        self._sleep = sleep
        self._clock = clock
        self._own_session = session is None
        self._session = session if session is not None else requests.Session()

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the HTTP session if this client created it."""
        if self._own_session:
            self._session.close()

    def __enter__(self) -> "N11Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"N11Client({self.base_url!r}, app_key={self.app_key!r}, app_secret={REDACTED!r})"

    # ------------------------------------------------------------------ transport
    def _emit(self, exchange: Exchange) -> None:
        if self.on_exchange is None:
            return
        try:
            self.on_exchange(exchange)
        except Exception:  # a broken log sink must not break the call
            log.exception("on_exchange callback failed")

    def _for_log(self, text: str) -> str:
        limit = self.log_body_limit
        if limit is None or len(text) <= limit:
            return text
        return text[:limit] + f"... [cut for the log: {len(text)} characters in total]"

    def _transport_error(self, exc: requests.RequestException, operation: str) -> N11Error:
        causes = list(_walk_causes(exc))
        kw = dict(operation=operation)
        if isinstance(exc, requests.ConnectTimeout) or (
            any(isinstance(c, urllib3.exceptions.ConnectTimeoutError) for c in causes)
            and not any(isinstance(c, urllib3.exceptions.NewConnectionError) for c in causes)
        ):
            err: N11Error = N11TimeoutError(f"could not connect within {self.timeout[0]:g} s", **kw)
            err.not_sent = True
            return err
        if isinstance(exc, requests.ReadTimeout) or any(
            isinstance(c, (urllib3.exceptions.ReadTimeoutError, TimeoutError)) for c in causes
        ):
            return N11TimeoutError(f"no answer within {self.timeout[1]:g} s", **kw)
        if any(isinstance(c, (urllib3.exceptions.NewConnectionError, ConnectionRefusedError)) for c in causes):
            err = N11ConnectionError(f"connection refused or host unreachable ({exc.__class__.__name__})", **kw)
            err.not_sent = True
            return err
        if isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
            err = N11ConnectionError(f"invalid URL: {exc}", retryable=False, **kw)
            err.not_sent = True
            return err
        reason = next((c for c in reversed(causes) if isinstance(c, OSError)), exc)
        return N11ConnectionError(f"connection failed: {reason.__class__.__name__}: {reason}", **kw)

    def _read(self, resp: requests.Response, started: float, operation: str) -> bytes:
        chunks: list[bytes] = []
        total = 0
        for chunk in resp.iter_content(64 * 1024):
            total += len(chunk)
            if total > self.max_response_bytes:
                raise MalformedResponseError(
                    f"response larger than {_size(self.max_response_bytes)}; refused",
                    http_status=resp.status_code,
                    operation=operation,
                )
            chunks.append(chunk)
            if self._clock() - started > self.total_timeout:
                raise N11TimeoutError(
                    f"answer not complete within {self.total_timeout:g} s",
                    http_status=resp.status_code,
                    operation=operation,
                )
        return b"".join(chunks)

    def _attempt(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        operation: str,
        parse: Callable[[int, Mapping[str, str], bytes], T],
        attempt: int,
    ) -> T:
        started = self._clock()
        status: int | None = None
        resp_headers: Mapping[str, str] = {}
        content = b""
        encoding: str | None = None
        error: BaseException | None = None
        try:
            try:
                resp = self._session.request(
                    method,
                    url,
                    headers=headers,
                    data=body,
                    timeout=self.timeout,
                    stream=True,
                    allow_redirects=False,
                )
                try:
                    status = resp.status_code
                    resp_headers = resp.headers
                    encoding = resp.encoding
                    content = self._read(resp, started, operation)
                finally:
                    resp.close()
            except requests.RequestException as exc:
                raise self._transport_error(exc, operation) from None
            if 300 <= status < 400:
                raise MalformedResponseError(
                    f"unexpected redirect to {resp_headers.get('Location', '?')}",
                    http_status=status,
                    operation=operation,
                )
            return parse(status, resp_headers, content)
        except BaseException as exc:
            error = exc
            raise
        finally:
            secret = self.app_secret
            self._emit(
                Exchange(
                    method=method,
                    url=redact(url, secret),
                    request_headers=_redact_headers(headers, secret),
                    request_body=self._for_log(redact(_text(body), secret)),
                    status=status,
                    response_body=self._for_log(redact(_text(content, encoding), secret)),
                    elapsed_ms=round((self._clock() - started) * 1000.0, 3),
                    error=None if error is None else redact(f"{type(error).__name__}: {error}", secret),
                    operation=operation,
                    attempt=attempt,
                    response_headers=_redact_headers(dict(resp_headers), secret),
                )
            )

    def _retry_delay(self, err: N11Error, safe: bool, attempt: int) -> float | None:
        if attempt >= self.retries:
            return None
        backoff = min(self.backoff * (2**attempt), 30.0)
        if isinstance(err, RateLimitedError):
            if err.http_status != 429:
                return None  # e.g. "once per minute" limits: the caller schedules a later run
            if err.retry_after is not None:
                if err.retry_after > self.max_retry_after:
                    return None
                return max(err.retry_after, backoff)
            return backoff
        if not err.retryable:
            return None
        if isinstance(err, (N11ConnectionError, N11TimeoutError)):
            return backoff if (safe or err.not_sent) else None
        if isinstance(err, MalformedResponseError):
            return backoff if safe else None
        if isinstance(err, ServerError):
            if not safe:
                return None
            ra = getattr(err, "retry_after", None)
            if ra is not None and ra <= self.max_retry_after:
                return max(ra, backoff)
            return backoff
        return None

    def _call(
        self,
        method: str,
        url: str,
        *,
        headers: dict[str, str],
        body: bytes | None,
        operation: str,
        parse: Callable[[int, Mapping[str, str], bytes], T],
        safe: bool,
    ) -> T:
        attempt = 0
        while True:
            try:
                return self._attempt(method, url, headers, body, operation, parse, attempt + 1)
            except N11Error as err:
                delay = self._retry_delay(err, safe, attempt)
                if delay is None:
                    if not safe and not err.not_sent and isinstance(
                        err, (N11TimeoutError, N11ConnectionError, ServerError, MalformedResponseError)
                    ):
                        err.outcome_unknown = True
                    raise
                log.info("retrying %s in %.2f s after %s", operation, delay, err)
                self._sleep(delay)
                attempt += 1

    def _model(self, fn: Callable[..., T], *args: Any, operation: str) -> T:
        try:
            return fn(*args)
        except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as exc:
            raise MalformedResponseError(f"unexpected content: {exc}", operation=operation) from None

    # ------------------------------------------------------------------ REST plumbing
    def _rest(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        payload: Any = None,
        safe: bool,
        operation: str | None = None,
    ) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        url = self.rest_root + path + (("?" + urlencode(query, doseq=True)) if query else "")
        headers = rest.auth_headers(self.app_key, self.app_secret)
        body = None
        if payload is not None:
            body = rest.encode_json(payload)
            headers["Content-Type"] = "application/json; charset=utf-8"
        op = operation or f"{method} {path}"

        def parse(status: int, hdrs: Mapping[str, str], content: bytes) -> Any:
            if 200 <= status < 300:
                if not content.strip():
                    return None
                data = rest.decode_json(content, operation=op, http_status=status)
                return rest.check_body(data, http_status=status, operation=op)
            raise rest.error_for_status(
                status,
                content,
                content_type=hdrs.get("Content-Type", ""),
                retry_after=hdrs.get("Retry-After"),
                operation=op,
            )

        return self._call(method, url, headers=headers, body=body, operation=op, parse=parse, safe=safe)

    @staticmethod
    def _expect_dict(data: Any, operation: str) -> dict:
        if not isinstance(data, dict):
            raise MalformedResponseError(
                f"expected a JSON object, got {type(data).__name__}", operation=operation
            )
        return data

    @staticmethod
    def _content(data: Any, key: str, operation: str) -> list:
        if isinstance(data, list):
            return data
        if not isinstance(data, dict):
            raise MalformedResponseError(f"expected a JSON object, got {type(data).__name__}", operation=operation)
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise MalformedResponseError(f"'{key}' is not a list", operation=operation)
        return value

    # ------------------------------------------------------------------ SOAP plumbing
    def _soap(
        self,
        service: str,
        operation: str,
        fields: Mapping[str, Any] | None = None,
        *,
        safe: bool,
        auth_last: bool = False,
    ) -> dict:
        request_element = operation + "Request"
        auth = {"appKey": self.app_key, "appSecret": self.app_secret}
        fields = dict(fields or {})
        children = {**fields, "auth": auth} if auth_last else {"auth": auth, **fields}
        envelope = soap.build_envelope(request_element, children)
        url = self.base_url + soap.SERVICE_PATHS[service]
        headers = {
            "Content-Type": "text/xml; charset=utf-8",
            "SOAPAction": '""',
            "Accept": "text/xml, application/xml",
        }

        def parse(status: int, hdrs: Mapping[str, str], content: bytes) -> dict:
            if status == 200 or (status >= 400 and soap.looks_like_soap_fault(content)):
                return soap.parse_response(content, request_element, http_status=status)
            raise rest.error_for_status(
                status,
                content,
                content_type=hdrs.get("Content-Type", ""),
                retry_after=hdrs.get("Retry-After"),
                operation=request_element,
            )

        return self._call("POST", url, headers=headers, body=envelope, operation=request_element, parse=parse, safe=safe)

    def _soap_pages(
        self,
        service: str,
        operation: str,
        make_fields: Callable[[int], Mapping[str, Any]],
        list_key: str,
        item_key: str,
        build: Callable[[dict], T],
        key: Callable[[T], Any],
        page_size: int,
    ) -> list[T]:
        out: list[T] = []
        seen: set[Any] = set()
        page = 0
        request_element = operation + "Request"
        while True:
            data = self._soap(service, operation, make_fields(page), safe=True)
            items = [it for it in soap.items_of(data.get(list_key), item_key) if isinstance(it, dict)]
            for item in items:
                obj = self._model(build, item, operation=request_element)
                k = key(obj)
                if k in seen:
                    continue
                seen.add(k)
                out.append(obj)
            paging = data.get("pagingData") if isinstance(data.get("pagingData"), dict) else {}
            page_count = self._model(P.i, paging.get("pageCount"), operation=request_element)
            if not items:
                break
            if page_count is not None:
                if page + 1 >= page_count:
                    break
            elif len(items) < page_size:
                break
            page += 1
            if page >= _MAX_PAGES:
                raise MalformedResponseError("paging does not end", operation=request_element)
        return out

    @staticmethod
    def _period(start: date | None, end: date | None) -> dict | None:
        if start is None and end is None:
            return None
        return {
            "startDate": soap.format_date(start) if start is not None else None,
            "endDate": soap.format_date(end) if end is not None else None,
        }

    # ================================================================== connection
    def test_connection(self) -> None:
        """Cheap authenticated calls on both halves of the API: REST (product query, one row)
        and SOAP (cargo companies, under the Base Url's path). Raises a typed error; a Base Url
        that does not lead to N11 raises :class:`WrongBaseUrlError` at once (no retries)."""
        self._rest("GET", "/ms/product-query", params={"page": 0, "size": 1}, safe=True)
        self._soap("ShipmentCompanyService", "GetShipmentCompanies", safe=True)

    # ================================================================== categories
    def get_category_tree(self) -> tuple[CategoryNode, ...]:
        """Whole N11 category tree (``GET /cdn/categories``). Leaf ⇔ no children."""
        op = "GET /cdn/categories"
        data = self._rest("GET", "/cdn/categories", safe=True)
        rows = self._content(data, "categories", op)
        return tuple(self._model(P.category_node, row, operation=op) for row in rows)

    def get_category_attributes(self, category_id: int) -> tuple[CategoryAttribute, ...]:
        """Attributes and values of a leaf category (``GET /cdn/category/{id}/attribute``)."""
        cid = int(category_id)
        op = f"GET /cdn/category/{cid}/attribute"
        data = self._rest("GET", f"/cdn/category/{cid}/attribute", safe=True)
        rows = self._content(data, "categoryAttributes", op)
        return tuple(self._model(P.category_attribute, row, n, operation=op) for n, row in enumerate(rows))

    # ================================================================== product tasks
    def _post_tasks(
        self,
        path: str,
        skus: Sequence[Mapping[str, Any]],
        *,
        raise_on_reject: bool,
        prepare: Callable[[int, dict], dict] | None = None,
    ) -> list[TaskAck]:
        items = list(skus)
        for n, sku in enumerate(items):
            if not isinstance(sku, Mapping):
                raise ValueError(f"SKU #{n + 1} is not a mapping")
            code = sku.get("stockCode")
            if code is None or not str(code).strip():
                raise ValueError(f"SKU #{n + 1} has no stockCode")
        if prepare is not None:  # every SKU is checked before the first task goes out
            items = [prepare(n, dict(sku)) for n, sku in enumerate(items)]
        acks: list[TaskAck] = []
        total = (len(items) + self.max_task_skus - 1) // self.max_task_skus
        for number, chunk in enumerate(_chunks(items, self.max_task_skus), start=1):
            codes = tuple(str(s["stockCode"]) for s in chunk)
            op = f"POST {path} (task {number}/{total}, {len(chunk)} SKUs)"
            payload = {"payload": {"integrator": self.integrator, "skus": [dict(s) for s in chunk]}}
            try:
                data = self._rest("POST", path, payload=payload, safe=False, operation=op)
                if not isinstance(data, dict):
                    raise MalformedResponseError("task answer is not a JSON object", operation=op)
                ack = self._model(P.task_ack, data, codes, operation=op)
            except N11Error as err:
                if isinstance(err, MalformedResponseError):
                    err.outcome_unknown = True
                err.acks = tuple(acks)
                raise
            acks.append(ack)
        if raise_on_reject:
            rejected = [a for a in acks if a.rejected]
            if rejected:
                first = rejected[0]
                reasons = "; ".join(first.reasons) or "no reason given"
                raise TaskRejectedError(
                    f"{len(rejected)} of {len(acks)} task(s) rejected; task {first.task_id}: {reasons}",
                    task_id=first.task_id,
                    code="REJECT",
                    http_status=200,
                    operation=f"POST {path}",
                    acks=tuple(acks),
                )
        return acks

    def create_products(self, skus: Sequence[Mapping[str, Any]], *, raise_on_reject: bool = True) -> list[TaskAck]:
        """Post product-create tasks (≤ ``max_task_skus`` SKUs each). See :meth:`update_price_stock`.

        Prices go out as exact numbers with two decimals (:func:`.rest.money`). N11 requires a
        description (it fails a SKU without one); Mapping Control keeps such products back."""
        return self._post_tasks(
            "/ms/product/tasks/product-create", skus, raise_on_reject=raise_on_reject, prepare=_prepare_create
        )

    def update_products(self, skus: Sequence[Mapping[str, Any]], *, raise_on_reject: bool = True) -> list[TaskAck]:
        """Post product-update tasks (``status`` Active/Suspended, description, vatRate, ...).

        N11 applies ``productMainId`` only together with ``deleteProductMainId: true`` and
        ``maxPurchaseQuantity`` only with ``deleteMaxPurchaseQuantity: true`` (without the flag
        it answers SUCCESS and changes nothing): the flags are added whenever the field is sent.
        ``attributes`` is not a product-update field on N11 and is never sent here (attribute
        changes go through product-create with the same stock code, see
        :meth:`create_products`)."""
        return self._post_tasks(
            "/ms/product/tasks/product-update", skus, raise_on_reject=raise_on_reject, prepare=_prepare_update
        )

    def set_products_status(
        self, stock_codes: Sequence[str], status: str, vat_rates: Mapping[str, int], *, raise_on_reject: bool = True
    ) -> list[TaskAck]:
        """Pause (``Suspended``) or resume (``Active``) selling without deleting: product-update
        with ``status``. ``vat_rates`` maps each stock code to its VAT rate (N11 requires
        ``vatRate`` on every product-update SKU)."""
        if isinstance(stock_codes, str):
            raise TypeError("set_products_status expects a list of stock codes, not one string")
        if status not in UPDATE_STATUSES:
            raise ValueError(f"status must be one of {', '.join(UPDATE_STATUSES)} (got {status!r})")
        skus = []
        for code in stock_codes:
            if str(code) not in vat_rates or vat_rates[str(code)] is None:
                raise ValueError(f"no VAT rate for {code}: N11 requires vatRate on product-update")
            skus.append({"stockCode": str(code), "status": status, "vatRate": int(vat_rates[str(code)])})
        return self.update_products(skus, raise_on_reject=raise_on_reject)

    def delete_products(self, stock_codes: Sequence[str], *, raise_on_reject: bool = True) -> list[TaskAck]:
        """Post product-delete tasks for these stock codes."""
        if isinstance(stock_codes, str):
            raise TypeError("delete_products expects a list of stock codes, not one string")
        return self._post_tasks(
            "/ms/product/tasks/product-delete",
            [{"stockCode": str(c)} for c in stock_codes],
            raise_on_reject=raise_on_reject,
        )

    def update_price_stock(self, items: Sequence[Mapping[str, Any]], *, raise_on_reject: bool = True) -> list[TaskAck]:
        """Post price-stock-update tasks; items are ``{stockCode, listPrice?, salePrice?, quantity?,
        currencyType?}`` (prices together).

        Split automatically into tasks of ≤ ``max_task_skus``; returns one :class:`TaskAck` per
        task in order. If a task comes back ``REJECT`` (and ``raise_on_reject``), all tasks are
        still posted and then :class:`TaskRejectedError` is raised with every ack in ``.acks``.
        If a post fails, the error carries the acks of the tasks already accepted in ``.acks``
        and the remaining tasks are not posted; a timeout/5xx/dropped connection on a post
        sets ``outcome_unknown=True`` (never re-posted automatically).
        """
        return self._post_tasks(
            "/ms/product/tasks/price-stock-update", items, raise_on_reject=raise_on_reject, prepare=_prepare_prices
        )

    def get_task_result(self, task_id: int) -> TaskResult:
        """Task status and per-SKU results (all pages of ``task-details/page-query``)."""
        tid = int(task_id)
        path = "/ms/product/task-details/page-query"
        op = f"POST {path} (task {tid})"
        page = 0
        status = ""
        reasons: tuple[str, ...] = ()
        skus: list[TaskSkuResult] = []
        while True:
            data = self._rest(
                "POST",
                path,
                payload={"taskId": tid, "pageable": {"page": page, "size": self.task_page_size}},
                safe=True,
                operation=op,
            )
            data = self._expect_dict(data, op)
            if data.get("status") is None:
                raise MalformedResponseError("task details have no status", operation=op)
            status, reasons, rows, total_pages, last = self._model(P.task_result_page, data, operation=op)
            skus.extend(self._model(P.task_sku, r, operation=op) for r in rows)
            if not rows or last is True or (total_pages is not None and page + 1 >= total_pages):
                break
            if total_pages is None and last is None and len(rows) < self.task_page_size:
                break
            page += 1
            if page >= _MAX_PAGES:
                raise MalformedResponseError("paging does not end", operation=op)
        return TaskResult(task_id=tid, status=status, skus=tuple(skus), reasons=reasons)

    # ================================================================== product query
    def query_products(
        self,
        *,
        stock_code: str | None = None,
        product_main_id: str | None = None,
        status: str | None = None,
        sale_status: str | None = None,
        page_size: int = PRODUCT_PAGE_MAX,
    ) -> Iterator[RemoteProduct]:
        """Products on N11 (``GET /ms/product-query``), following pages to the end (lazy)."""
        size = max(1, min(int(page_size), PRODUCT_PAGE_MAX))
        op = "GET /ms/product-query"
        page = 0
        while True:
            params = {
                "stockCode": stock_code,
                "productMainId": product_main_id,
                "productStatus": status,
                "saleStatus": sale_status,
                "page": page,
                "size": size,
            }
            data = self._expect_dict(self._rest("GET", "/ms/product-query", params=params, safe=True), op)
            rows, total_pages, last = self._model(P.page, data, "product page", operation=op)
            for row in rows:
                yield self._model(P.remote_product, row, operation=op)
            if not rows or last is True or (total_pages is not None and page + 1 >= total_pages):
                return
            if total_pages is None and last is None and len(rows) < size:
                return
            page += 1
            if page >= _MAX_PAGES:
                raise MalformedResponseError("paging does not end", operation=op)

    def product_query_page(self, page: int, size: int = PRODUCT_PAGE_MAX
                           ) -> tuple[list[RemoteProduct], int | None, bool, int | None]:
        """One page of the whole store's product-query: (products, total pages, last page?, total elements).

        The snapshot sync (``core.remote_sync``) pages with this so it can resume at a page."""
        size = max(1, min(int(size), PRODUCT_PAGE_MAX))
        op = "GET /ms/product-query"
        data = self._expect_dict(self._rest("GET", "/ms/product-query", params={"page": int(page), "size": size},
                                            safe=True), op)
        rows, total_pages, last = self._model(P.page, data, "product page", operation=op)
        products = [self._model(P.remote_product, row, operation=op) for row in rows]
        done = (not rows or last is True or (total_pages is not None and page + 1 >= total_pages)
                or (total_pages is None and last is None and len(rows) < size))
        total = data.get("totalElements")
        total = total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None
        return products, total_pages, bool(done), total

    def get_remote_product(self, stock_code: str) -> RemoteProduct | None:
        """The product with this stock code on N11, or ``None``."""
        code = str(stock_code)
        found = None
        pages = self.query_products(stock_code=code, page_size=20)
        try:
            for product in pages:
                if product.stock_code == code:
                    found = product
                    break
        finally:
            pages.close()
        return found

    def query_product_page(
        self,
        page: int,
        *,
        category_ids: Sequence[int] = (),
        page_size: int = PRODUCT_PAGE_MAX,
    ) -> tuple[list[RemoteProduct], int | None, bool]:
        """One page of ``GET /ms/product-query`` filtered by N11 categories (``categoryIds``):
        ``(products, total_pages or None, last)``. The caller decides from the first page's
        ``total_pages`` whether reading the rest is worth it (recovery of lost acknowledgements)."""
        size = max(1, min(int(page_size), PRODUCT_PAGE_MAX))
        op = "GET /ms/product-query"
        params = {"categoryIds": ",".join(str(int(c)) for c in category_ids) or None, "page": int(page), "size": size}
        data = self._expect_dict(self._rest("GET", "/ms/product-query", params=params, safe=True), op)
        rows, total_pages, last = self._model(P.page, data, "product page", operation=op)
        products = [self._model(P.remote_product, row, operation=op) for row in rows]
        ended = (not rows or last is True or (total_pages is not None and page + 1 >= total_pages)
                 or (total_pages is None and last is None and len(rows) < size))
        return products, total_pages, bool(ended)


def client_from_config(conf: Mapping[str, Any], **kw: Any) -> N11Client:
    """Build a client from channel settings (keys ``base_url``, ``app_key``, ``app_secret``;
    optional ``integrator``). Missing keys raise ``ValueError`` naming the key."""
    missing = [k for k in ("base_url", "app_key", "app_secret") if not str(conf.get(k) or "").strip()]
    if missing:
        raise ValueError(f"N11 settings incomplete: {', '.join(missing)} not set")
    if conf.get("integrator") and "integrator" not in kw:
        kw["integrator"] = str(conf["integrator"])
    return N11Client(str(conf["base_url"]), str(conf["app_key"]), str(conf["app_secret"]), **kw)
