"""Refresh the remote_product snapshot from N11's product-query (the source of KPIs 2–8 and reports).

Kept as the one-call entry point of the demo; the work is ``core.remote_sync`` (the
``remote_sync`` flow runs the same code on its schedule)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Callable

from .clock import utcnow
from .remote_sync import sync_snapshot
from .storage.db import Database

if TYPE_CHECKING:
    from .n11.client import N11Client


def reconcile_remote(db: Database, client: N11Client, now: datetime, *,
                     should_stop: Callable[[], bool] = lambda: False) -> int:
    """Pull every seller product from N11 (product-query, all pages) into remote_product.

    A fresh pass (no resume); returns the rows written."""
    return sync_snapshot(db, client, clock=lambda: max(now, utcnow()), should_stop=should_stop, fresh=True).products
