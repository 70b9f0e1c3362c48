"""Typed errors raised by the N11 client.

Every error keeps what N11 said (``code`` and ``message``), the HTTP status when there was
one, whether repeating the same call may help (``retryable``) and, for calls that change
state on N11, whether the outcome is unknown (``outcome_unknown``: the request may or may not
have been applied; resolve it by polling the task or querying the product, never by re-posting
blindly).

``str(err)`` is one line meant for the operator, e.g.::

    N11 rejected the credentials (SELLER_API.authenticationFailed): Apide dogrulama islemi
    basarisiz oldu. [HTTP 200, GetCitiesRequest]
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "N11Error",
    "AuthenticationError",
    "BusinessError",
    "TaskRejectedError",
    "NotFoundError",
    "RateLimitedError",
    "N11TimeoutError",
    "ServerError",
    "MalformedResponseError",
    "N11ConnectionError",
    "WrongBaseUrlError",
]


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


class N11Error(Exception):
    """Base class of everything the client raises about talking to N11."""

    #: short operator-facing description of the error kind; subclasses override
    kind = "N11 call failed"
    default_retryable = False
    #: True when the request certainly never reached N11 (connection refused / connect timeout)
    not_sent = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        retryable: bool | None = None,
        outcome_unknown: bool = False,
        operation: str | None = None,
        acks: tuple[Any, ...] = (),
    ) -> None:
        self.message: str = _one_line(message) if message else ""
        self.code: str | None = code if code not in ("", None) else None
        self.http_status: int | None = http_status
        self.retryable: bool = self.default_retryable if retryable is None else retryable
        #: True when a state-changing call may or may not have been applied by N11
        self.outcome_unknown: bool = outcome_unknown
        #: what was being called, e.g. "GET /ms/product-query" or "GetCitiesRequest"
        self.operation: str | None = operation
        #: task acknowledgements already received before this error (multi-task posts)
        self.acks: tuple[Any, ...] = tuple(acks)
        super().__init__(self.message)

    def __str__(self) -> str:
        text = self.kind
        if self.code:
            text += f" ({self.code})"
        if self.message:
            text += f": {self.message}"
        extra = []
        if self.http_status is not None:
            extra.append(f"HTTP {self.http_status}")
        if self.operation:
            extra.append(self.operation)
        if extra:
            text += f" [{', '.join(extra)}]"
        if self.outcome_unknown:
            text += " - outcome unknown, check on N11 before sending again"
        return _one_line(text)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"http_status={self.http_status!r}, retryable={self.retryable!r}, "
            f"outcome_unknown={self.outcome_unknown!r})"
        )


class AuthenticationError(N11Error):
    """App Key / App Secret rejected (SOAP ``authenticationFailed``, REST 401/403)."""

    kind = "N11 rejected the credentials (check App Key and App Secret)"


class BusinessError(N11Error):
    """N11 refused the request: ``result.status=failure`` (HTTP 200) or a REST 4xx error body."""

    kind = "N11 refused the request"


class TaskRejectedError(BusinessError):
    """A product task was acknowledged with status ``REJECT``.

    ``task_id`` is the rejected task's id; ``acks`` holds every acknowledgement of the call
    (in order, including the accepted ones) so the caller can record all of them.
    """

    kind = "N11 rejected the product task"

    def __init__(self, message: str, *, task_id: int | None = None, **kw: Any) -> None:
        self.task_id = task_id
        super().__init__(message, **kw)


class NotFoundError(N11Error):
    """The addressed object (or path) does not exist on N11 (HTTP 404 or a not-found code)."""

    kind = "Not found on N11"


class RateLimitedError(N11Error):
    """N11 asked us to slow down (HTTP 429, ``accessLimit.reached``, ``maxCallLimit.reached``)."""

    kind = "N11 rate limit reached"
    default_retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)


class N11TimeoutError(N11Error):
    """No (complete) answer within the configured connect/read timeout."""

    kind = "N11 did not answer in time"
    default_retryable = True


class ServerError(N11Error):
    """HTTP 5xx or a SOAP server fault."""

    kind = "N11 server error"
    default_retryable = True


class MalformedResponseError(N11Error):
    """The answer could not be understood (bad XML/JSON, unexpected shape, hostile XML)."""

    kind = "N11 sent a response we cannot read"


class N11ConnectionError(N11Error):
    """The connection could not be made or was dropped."""

    kind = "Could not reach N11"
    default_retryable = True


class WrongBaseUrlError(N11Error):
    """The server answered an unknown path with an HTML page (404, or N11's edge 503 "No server
    is available to handle this request"): the configured Base Url does not point at N11's API.
    Never retried; not an outage."""

    kind = "Wrong N11 API URL (Base Url)"
    default_retryable = False
