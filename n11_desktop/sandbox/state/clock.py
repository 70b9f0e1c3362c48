"""The sandbox's clock: N11's "now" in epoch milliseconds and its Turkish-time formatting.
Every state reads ``clock.now_ms()`` through this module, so a test can move N11's clock in
one place (``monkeypatch.setattr(clock, "now_ms", ...)``)."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

TR_TZ = timezone(timedelta(hours=3))


def now_ms() -> int:
    return int(time.time() * 1000)


def fmt_ms(ms: int, pattern: str) -> str:
    return datetime.fromtimestamp(ms / 1000, TR_TZ).strftime(pattern)
