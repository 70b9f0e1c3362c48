"""REST side of the N11 protocol: headers, JSON in/out and error bodies → typed errors.

Auth is two headers, ``appkey`` and ``appsecret`` (no Authorization header). Error shapes
seen on production (``n11/API.md`` §5):

- ``/ms``: 401 ``{"@type":"SellerApiUserUnauthorizedException","message":...}``; Spring
  envelope ``{"@type", name, message, description, errors:[{reason}]}``; some validation
  problems come back as 500 naming ``ConstraintViolationException`` etc.
- ``/rest``: 400 ``{code, status:"failure", errorCode, errorMessage, errorCategory}``,
  or 403 text/plain "Authentication failed".
- ``/cdn``: 403 text/plain "Authentication failed"; 400 ``{errorCode:"invalidInput", errorMessage}``.
- unknown path: 503 HTML.

This module has no network code; :mod:`.transport` does the HTTP.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from .errors import (AuthenticationError, BusinessError, MalformedResponseError, N11Error, NotFoundError,
                     RateLimitedError, ServerError, WrongBaseUrlError)
from .soap import classify_failure

__all__ = [
    "auth_headers",
    "encode_json",
    "money",
    "decode_json",
    "error_for_status",
    "check_body",
    "parse_retry_after",
    "expect_object",
    "content_list",
]

# Spring exceptions that mean "your request was wrong" even when N11 answers 500
_CLIENT_SIDE_EXCEPTIONS = (
    "constraintviolation",
    "illegalargument",
    "missingrequestheader",
    "methodargumentnotvalid",
    "httpmessagenotreadable",
    "typemismatch",
    "missingservletrequestparameter",
)


def auth_headers(app_key: str, app_secret: str) -> dict[str, str]:
    return {
        "appkey": app_key,
        "appsecret": app_secret,
        "Accept": "application/json",
    }


# A Decimal goes out as the exact JSON number it holds (never through float, so 99.9 stays 99.9
# and never becomes 99.90000000000001): the encoder writes a marked string, then the marks go.
# (the mark carries a per-process random token, so no text a user typed can turn into a number)
_DEC_TOKEN = secrets.token_hex(8)
_DEC_MARK = f"\u0000{_DEC_TOKEN}:"
_DEC_OUT = re.compile(r'"\\u0000' + _DEC_TOKEN + r':(-?[0-9]+(?:\.[0-9]+)?)"')


def _decimal_text(value: Decimal) -> str:
    # digits as held: a price quantized by money() keeps both decimals (2000.00), which meets
    # both readings of N11's rule ("at most two" [API.md §9] and "exactly two" [TradeXpress])
    if not value.is_finite():
        raise ValueError(f"cannot send {value} as a JSON number")
    return format(value, "f")


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return _DEC_MARK + _decimal_text(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"cannot send {type(value).__name__} as JSON")


def encode_json(obj: Any) -> bytes:
    """JSON bytes; ``Decimal`` values become exact JSON numbers (see :func:`money`). A
    :class:`RawJSON` is sent as the bytes it holds."""
    if isinstance(obj, RawJSON):
        return obj.data
    return encode_text(obj).encode("utf-8")


try:  # json.dumps's own C encoder with encode_json's settings, made once (dumps makes one a call)
    from _json import make_encoder as _c_make_encoder

    _encode_c = _c_make_encoder(None, _json_default, json.encoder.encode_basestring, None, ":", ",", False, False,
                                True)
except ImportError:  # pragma: no cover - a Python without the C accelerator
    _encode_c = None


def encode_text(obj: Any) -> str:
    """:func:`encode_json`'s text (before the UTF-8 encoding): the same characters."""
    if _encode_c is not None and type(obj) is dict:  # (a cycle would recurse until RecursionError)
        text = "".join(_encode_c(obj, 0))
    else:
        text = json.dumps(obj, ensure_ascii=False, default=_json_default, separators=(",", ":"))
    if _DEC_TOKEN in text:
        text = _DEC_OUT.sub(lambda mt: mt.group(1), text)
    return text


class RawJSON:
    """A request body already encoded (a task's SKUs spliced from their stored JSON texts)."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data


_CENT = Decimal("0.01")
#: float prices already checked → their Decimal (Decimals are immutable, so one is shared)
_MONEY_SEEN: dict[float, Decimal] = {}


def money(value: Any, what: str = "price") -> Decimal:
    """A price as N11 takes it: a Decimal with at most two decimals (API.md §6, §9: "2 digits
    after the point, otherwise REJECT").

    Floats are read through their shortest text (``99.9`` → ``99.9``), so binary noise such as
    ``99.90000000000001`` is rounded away; a value that really has a third decimal
    (``Decimal("9.999")``, ``"9.999"``, ``9.999``) is refused with a ``ValueError`` naming it,
    because rounding it would silently change the price."""
    if isinstance(value, bool) or value is None:
        raise ValueError(f"{what} must be a number (got {value!r})")
    if isinstance(value, float):
        known = _MONEY_SEEN.get(value)
        if known is not None:  # a price already checked (a catalog repeats a few hundred prices)
            return known
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{what} must be a finite number (got {value!r})")
        exact = Decimal(repr(value))
        cents = exact.quantize(_CENT)
        # binary noise (99.90000000000001) is rounded away; a real third decimal is not
        if abs(exact - cents) > Decimal("1e-9"):
            raise ValueError(f"{what} {value!r} has more than two decimals (N11 accepts at most two)")
        if value:  # (0.0 and -0.0 are equal keys with different texts: not remembered)
            if len(_MONEY_SEEN) >= 20_000:
                _MONEY_SEEN.clear()
            _MONEY_SEEN[value] = cents
        return cents
    try:
        exact = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError(f"{what} must be a number (got {value!r})") from None
    if not exact.is_finite():
        raise ValueError(f"{what} must be a finite number (got {value!r})")
    cents = exact.quantize(_CENT)
    if cents != exact:
        raise ValueError(f"{what} {value} has more than two decimals (N11 accepts at most two)")
    return cents


def decode_json(body: bytes, *, operation: str | None = None, http_status: int | None = None) -> Any:
    if not body or not body.strip():
        raise MalformedResponseError("empty response body where JSON was expected", operation=operation, http_status=http_status)
    try:
        return json.loads(body, parse_float=Decimal)
    except (ValueError, RecursionError) as exc:
        snippet = _snippet(body)
        raise MalformedResponseError(
            f"invalid JSON ({exc.__class__.__name__}: {exc}); body starts {snippet!r}",
            operation=operation,
            http_status=http_status,
            # a truncated body or a gateway page is worth one more read; deep nesting is not
            retryable=not isinstance(exc, RecursionError),
        ) from None


def _snippet(body: bytes, limit: int = 160) -> str:
    text = body[:2000].decode("utf-8", errors="replace")
    if "<" in text and ">" in text:
        text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(text.split())
    return text[:limit]


def parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(0.0, seconds)


def _code_and_message(data: Any) -> tuple[str | None, str | None]:
    if not isinstance(data, dict):
        return None, None
    code = data.get("errorCode") or data.get("@type") or data.get("name") or data.get("error")
    message = data.get("errorMessage") or data.get("message") or data.get("description")
    errors = data.get("errors")
    if isinstance(errors, list):
        reasons = [
            str(e.get("reason") or e.get("message") or e) if isinstance(e, dict) else str(e) for e in errors if e
        ]
        if reasons:
            message = f"{message}: {'; '.join(reasons)}" if message else "; ".join(reasons)
    if isinstance(data.get("reasons"), list) and not message:
        message = "; ".join(str(r) for r in data["reasons"])
    return (str(code) if code is not None else None), (str(message) if message is not None else None)


# N11's edge answers an unknown path with 503 and this page (API.md §5); a real outage page
# ("503 Service Temporarily Unavailable") does not say it
_NO_ROUTE = re.compile(rb"no server is available to handle this request", re.IGNORECASE)
_HTML = re.compile(rb"^\s*(<!doctype\s+html|<html)", re.IGNORECASE)


def _is_unknown_path_page(status: int, body: bytes, content_type: str) -> bool:
    head = (body or b"")[:4096]
    is_html = "html" in (content_type or "").lower() or _HTML.search(head) is not None
    if not is_html:
        return False
    if status == 404:
        return True
    return status == 503 and _NO_ROUTE.search(head) is not None


def error_for_status(
    status: int,
    body: bytes,
    *,
    content_type: str = "",
    retry_after: str | None = None,
    operation: str | None = None,
) -> N11Error:
    """Typed error for a non-2xx HTTP answer (REST, or SOAP answered without an envelope)."""
    data: Any = None
    if body and body.lstrip()[:1] in (b"{", b"["):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
    code, message = _code_and_message(data)
    if data is None and _is_unknown_path_page(status, body, content_type):
        return WrongBaseUrlError(
            f"HTTP {status} with an HTML page: this path does not exist there, so the Base Url "
            "does not point at N11's API (expected https://api.n11.com/ws/)",
            http_status=status,
            operation=operation,
        )
    if not message:
        message = _snippet(body) or f"HTTP {status}"
    kw = dict(code=code, http_status=status, operation=operation)
    lc = (code or "").lower()
    lm = message.lower()
    if status in (401, 403) or "authenticationfailed" in lc or "unauthorized" in lc:
        return AuthenticationError(message, **kw)
    if status == 404:
        return NotFoundError(message, **kw)
    if status == 429:
        return RateLimitedError(message, retry_after=parse_retry_after(retry_after), **kw)
    if 400 <= status < 500:
        return classify_failure(code, message, http_status=status, operation=operation)
    if status >= 500:
        if any(name in lc or name in lm for name in _CLIENT_SIDE_EXCEPTIONS):
            return BusinessError(message, retryable=False, **kw)
        err = ServerError(message, **kw)
        if status == 503:
            err.retry_after = parse_retry_after(retry_after)  # type: ignore[attr-defined]
        return err
    return MalformedResponseError(f"unexpected HTTP {status}: {message}", **kw)


def check_body(data: Any, *, http_status: int, operation: str | None) -> Any:
    """Raise for a 2xx JSON body that still reports ``status: failure``."""
    if isinstance(data, dict):
        status = data.get("status")
        if isinstance(status, str) and status.strip().lower() == "failure":
            code, message = _code_and_message(data)
            raise classify_failure(code, message, http_status=http_status, operation=operation)
    return data


def expect_object(data: Any, operation: str) -> dict:
    """``data`` if it is a JSON object, else :class:`MalformedResponseError`."""
    if not isinstance(data, dict):
        raise MalformedResponseError(f"expected a JSON object, got {type(data).__name__}", operation=operation)
    return data


def content_list(data: Any, key: str, operation: str) -> list:
    """The list under ``key`` of a JSON object (an answer that is a list already is taken as
    it is; a missing or null key is an empty list)."""
    if isinstance(data, list):
        return data
    value = expect_object(data, operation).get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedResponseError(f"'{key}' is not a list", operation=operation)
    return value
