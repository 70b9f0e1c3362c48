"""N11 client — the only code in n11-desktop that speaks N11 (REST + SOAP).

Public API: :class:`N11Client`, :func:`client_from_config`, :class:`Exchange`, :func:`redact`,
the typed errors in :mod:`.errors` and the result models in :mod:`.models`.
"""

from . import errors
from .client import Exchange, N11Client, client_from_config, redact
from .errors import (
    AuthenticationError,
    BusinessError,
    MalformedResponseError,
    N11ConnectionError,
    N11Error,
    N11TimeoutError,
    NotFoundError,
    RateLimitedError,
    ServerError,
    TaskRejectedError,
    WrongBaseUrlError,
)

__all__ = ["N11Client", "client_from_config", "Exchange", "redact", *errors.__all__]
