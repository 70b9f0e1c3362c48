"""Helpers shared by the Store switch and Manage stores tests."""

from __future__ import annotations

import time

from n11_desktop.core.instance import LEASE_KEY


def hold_lease_elsewhere(db_file) -> None:
    """Write a live scheduler lease of another machine's `run` into the store's database."""
    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.storage.models import AppState

    db = open_database(db_file)
    try:
        with db.session_factory.begin() as s:
            s.add(AppState(key=LEASE_KEY, value={"pid": 4242, "host": "server-1", "role": "run", "user": "n11",
                                                 "started": time.time() - 60, "heartbeat": time.time()}))
    finally:
        db.dispose()
