"""N11 transport: how n11-desktop exchanges one REST or SOAP call with N11.

:class:`Transport` owns the HTTP session, the App Key/Secret (auth headers, SOAP ``auth``
element), timeouts, retries and rate limits, and reports every attempt as an :class:`Exchange`
with the App Secret redacted. The per-resource adapters (:mod:`.categories`, :mod:`.products`,
:mod:`.tasks`, :mod:`.orders`, :mod:`.claims`, :mod:`.reference`) build requests and read
answers through its three calls only: :meth:`Transport.rest`, :meth:`Transport.soap` and
:meth:`Transport.soap_pages`.

Reliability rules:

- every HTTP call has ``timeout=(connect, read)`` and an overall deadline while reading;
- reads and idempotent calls are retried with exponential backoff on connection errors,
  timeouts and 5xx; HTTP 429 is retried (honouring ``Retry-After``) because N11 did not act on
  it; calls that change state on N11 (task posts, claim approve/deny, split/combine) are never
  repeated when their outcome is unknown — they raise with ``outcome_unknown=True`` so the
  caller resolves it by polling the task or querying the product/order;
- every HTTP attempt is reported to ``on_exchange`` as an :class:`Exchange` with the App
  Secret redacted from headers, URL and both bodies.

Threading: a transport owns one ``requests.Session`` and must be used by one thread at a time.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar
from urllib.parse import quote, quote_plus, urlencode, urlsplit
from xml.sax.saxutils import escape as xml_escape

import requests
import urllib3.exceptions

from . import _parse as P
from . import rest, soap
from .errors import (
    MalformedResponseError,
    N11ConnectionError,
    N11Error,
    N11TimeoutError,
    RateLimitedError,
    ServerError,
)
from .limits import _MAX_PAGES

__all__ = ["Transport", "Exchange", "redact", "REDACTED"]

log = logging.getLogger(__name__)

REDACTED = "***"
T = TypeVar("T")

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
    out = text
    if _may_name_a_secret(text):
        out = _XML_SECRET.sub(lambda mt: mt.group(1) + REDACTED + mt.group(3), out)
        out = _JSON_SECRET.sub(lambda mt: mt.group(1) + '"' + REDACTED + '"', out)
        out = _QUERY_SECRET.sub(lambda mt: mt.group(1) + REDACTED, out)
    if secret:
        for variant in sorted((v for v in _secret_variants(secret) if v), key=len, reverse=True):
            out = out.replace(variant, REDACTED)
    return out


#: a case-insensitive "secret": every pattern above needs it, so a text without it cannot match them
_MENTIONS_SECRET = re.compile("[sS][eE][cC][rR][eE][tT]")


def _may_name_a_secret(text: str) -> bool:
    """False only when none of the patterns above can match ``text``: each needs "secret" in some
    letter case, whose "cret" has no case forms outside ASCII (unlike "s", which re's IGNORECASE
    also matches as "ſ"), so a text without "cret" in any ASCII case names no secret. Tested on
    the text's ASCII-lowered UTF-8 bytes: ~0.3 ms for a 250 KB page, where the patterns (and
    _MENTIONS_SECRET) scan it character by character for 1.5 ms each."""
    return b"cret" in text.encode("utf-8", "surrogatepass").lower()


def _secret_variants(secret: str) -> set[str]:
    return {
        secret,
        xml_escape(secret),
        xml_escape(secret, {'"': "&quot;", "'": "&apos;"}),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret),
    }


def redact_head(text: str, secret: str, limit: int) -> str | None:
    """``text`` cut to its first ``limit`` characters and redacted, without reading the rest
    (a 1000-SKU request body is half a megabyte): the same as redacting the whole text and
    then cutting it, as far as any secret goes. ``None`` when that cannot be promised cheaply
    (the text names an ``appSecret`` anywhere, or an occurrence of the secret straddles the cut):
    the caller then redacts the whole text."""
    if _may_name_a_secret(text) and _MENTIONS_SECRET.search(text):
        return None
    if secret:
        for v in _secret_variants(secret):
            if v and text.find(v, max(0, limit - len(v) + 1), limit + len(v) - 1) != -1:
                return None
    return redact(text[:limit], secret)


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


def _status_error(status: int, headers: Mapping[str, str], content: bytes, operation: str) -> N11Error:
    return rest.error_for_status(
        status,
        content,
        content_type=headers.get("Content-Type", ""),
        retry_after=headers.get("Retry-After"),
        operation=operation,
    )


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):g} MB"
    if n >= 1024:
        return f"{n / 1024:g} KB"
    return f"{n} bytes"


# --------------------------------------------------------------------------- the transport
class _Request(NamedTuple):
    """One HTTP request as the transport sends it (every attempt sends the same)."""

    method: str
    url: str
    headers: dict[str, str]
    body: bytes | None
    operation: str


class Transport:
    """Auth, retries, rate limits, redaction and the raw exchange log for one N11 account
    (one thread at a time; see module doc)."""

    def __init__(
        self,
        base_url: str,
        app_key: str,
        app_secret: str,
        *,
        timeout: tuple[float, float] = (5.0, 30.0),
        retries: int = 3,
        backoff: float = 0.5,
        session: requests.Session | None = None,
        on_exchange: Callable[[Exchange], None] | None = None,
        sleep: Callable[[float], Any] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        max_response_bytes: int = 64 * 1024 * 1024,
        total_timeout: float | None = None,
        max_retry_after: float = 60.0,
        log_body_limit: int | None = 512 * 1024,
    ) -> None:
        parts = urlsplit(str(base_url or "").strip())
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"N11 API URL must look like https://api.n11.com/ws/ (got {base_url!r})")
        if not app_key or not str(app_key).strip():
            raise ValueError("N11 App Key is empty")
        if not app_secret or not str(app_secret).strip():
            raise ValueError("N11 App Secret is empty")
        path = parts.path or "/"
        if not path.endswith("/"):
            path += "/"
        self.base_url = f"{parts.scheme}://{parts.netloc}{path}"
        self.rest_root = f"{parts.scheme}://{parts.netloc}"
        self.app_key = str(app_key).strip()
        self.app_secret = str(app_secret).strip()
        self.timeout = (float(timeout[0]), float(timeout[1]))
        self.retries = max(0, int(retries))
        self.backoff = max(0.0, float(backoff))
        self.max_response_bytes = int(max_response_bytes)
        self.total_timeout = float(total_timeout) if total_timeout else self.timeout[0] + 3 * self.timeout[1]
        self.max_retry_after = float(max_retry_after)
        #: bodies longer than this many characters are cut in the Exchange (after redaction)
        self.log_body_limit = log_body_limit
        self.on_exchange = on_exchange
        self._sleep = sleep
        self._clock = clock
        self._own_session = session is None
        self._session = session if session is not None else requests.Session()

    def close(self) -> None:
        """Close the HTTP session if this transport created it."""
        if self._own_session:
            self._session.close()

    def __repr__(self) -> str:
        return f"Transport({self.base_url!r}, app_key={self.app_key!r}, app_secret={REDACTED!r})"

    # ------------------------------------------------------------------ one attempt, retries
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

    def _logged_body(self, text: str, secret: str) -> str:
        """What the Exchange keeps of a body: redacted, then cut to ``log_body_limit``. Only
        the part that is kept is redacted when that is safe (:func:`redact_head`)."""
        limit = self.log_body_limit
        if limit is not None and len(text) > limit:
            head = redact_head(text, secret, limit)
            if head is not None:
                return head + f"... [cut for the log: {len(text)} characters in total]"
        return self._for_log(redact(text, secret))

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

    def _attempt(self, request: _Request, parse: Callable[[int, Mapping[str, str], bytes], T], attempt: int) -> T:
        method, url, headers, body, operation = request
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
                    request_body=self._logged_body(_text(body), secret),
                    status=status,
                    response_body=self._logged_body(_text(content, encoding), secret),
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

    def _call(self, request: _Request, parse: Callable[[int, Mapping[str, str], bytes], T], *, safe: bool) -> T:
        """``request`` with the retry rules of the module doc; ``parse(status, headers, body)``
        reads each answer (and raises the typed error of a failed one)."""
        attempt = 0
        while True:
            try:
                return self._attempt(request, parse, attempt + 1)
            except N11Error as err:
                delay = self._retry_delay(err, safe, attempt)
                if delay is None:
                    if not safe and not err.not_sent and isinstance(
                        err, (N11TimeoutError, N11ConnectionError, ServerError, MalformedResponseError)
                    ):
                        err.outcome_unknown = True
                    raise
                log.info("retrying %s in %.2f s after %s", request.operation, delay, err)
                self._sleep(delay)
                attempt += 1

    # ------------------------------------------------------------------ REST plumbing
    def rest(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        payload: Any = None,
        safe: bool,
        operation: str | None = None,
    ) -> Any:
        """One REST call: ``params`` go in the query (None values left out), ``payload`` is sent
        as JSON. Returns the decoded JSON answer (None for an empty body) or raises a typed
        error. ``safe`` says the call may be repeated (reads, idempotent writes)."""
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
            raise _status_error(status, hdrs, content, op)

        return self._call(_Request(method, url, headers, body, op), parse, safe=safe)

    # ------------------------------------------------------------------ SOAP plumbing
    def soap(
        self,
        service: str,
        operation: str,
        fields: Mapping[str, Any] | None = None,
        *,
        safe: bool,
        auth_last: bool = False,
    ) -> dict:
        """One SOAP call of ``service`` (a key of :data:`.soap.SERVICE_PATHS`): the envelope
        carries ``auth`` first (last with ``auth_last``) and then ``fields``. Returns the
        response element as plain data or raises a typed error (SOAP faults and N11's
        ``result`` status included)."""
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
            raise _status_error(status, hdrs, content, request_element)

        return self._call(_Request("POST", url, headers, envelope, request_element), parse, safe=safe)

    def soap_pages(
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
        """All pages of a paged SOAP list: ``make_fields(page)`` builds each request, items are
        read from ``data[list_key][item_key]``, built with ``build`` and deduplicated by
        ``key``; paging ends on an empty page, at ``pagingData.pageCount`` or on a short page."""
        out: list[T] = []
        seen: set[Any] = set()
        page = 0
        request_element = operation + "Request"
        while True:
            data = self.soap(service, operation, make_fields(page), safe=True)
            items = [it for it in soap.items_of(data.get(list_key), item_key) if isinstance(it, dict)]
            for item in items:
                obj = P.model(build, item, operation=request_element)
                k = key(obj)
                if k in seen:
                    continue
                seen.add(k)
                out.append(obj)
            paging = data.get("pagingData") if isinstance(data.get("pagingData"), dict) else {}
            page_count = P.model(P.i, paging.get("pageCount"), operation=request_element)
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

