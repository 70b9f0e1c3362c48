"""Periodic monitoring work for the headless runner: alarms, KPI snapshots, log retention.

The GUI does the same from its Dashboard and Alarms tabs; ``n11-desktop run`` has no tabs,
so its loop calls :meth:`Housekeeping.tick`. Failures are logged, never raised: monitoring must
not stop the flows.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable

log = logging.getLogger(__name__)

ALARMS_EVERY = timedelta(minutes=1)
SNAPSHOT_EVERY = timedelta(minutes=15)
PRUNE_EVERY = timedelta(days=1)


class Housekeeping:
    def __init__(self, db, *, on_alarm: Callable[[object], None] | None = None) -> None:
        self.db = db
        self.on_alarm = on_alarm
        self._last: dict[str, datetime] = {}

    def _due(self, name: str, every: timedelta, now: datetime) -> bool:
        last = self._last.get(name)
        if last is not None and now - last < every:
            return False
        self._last[name] = now
        return True

    def tick(self, now: datetime) -> None:
        for name, every, fn in (("alarms", ALARMS_EVERY, self._alarms), ("snapshot", SNAPSHOT_EVERY, self._snapshot),
                                ("prune", PRUNE_EVERY, self._prune)):
            if self._due(name, every, now):
                try:
                    fn(now)
                except Exception as exc:  # noqa: BLE001 - monitoring never stops the flows
                    log.warning("housekeeping %s failed: %s", name, exc)

    def _alarms(self, now: datetime) -> None:
        from .alarms import evaluate_alarms, flow_enabled_for, seed_default_alarms
        from .settings import load_config

        with self.db.session_factory.begin() as s:
            seed_default_alarms(s)
            cfg = load_config(s)
            transitions = evaluate_alarms(s, now, buffer_stock=cfg.buffer_stock, flow_enabled=flow_enabled_for(cfg))
        for t in transitions:
            log.warning("alarm %s: %s", "fired" if t.fired else "cleared", t.message)
            if self.on_alarm is not None:
                self.on_alarm(t)

    def _snapshot(self, now: datetime) -> None:
        from .metrics import take_snapshot
        from .settings import load_config

        with self.db.session_factory.begin() as s:
            take_snapshot(s, now, buffer_stock=load_config(s).buffer_stock)

    def _prune(self, now: datetime) -> None:
        from .monitoring import prune_logs

        with self.db.session_factory.begin() as s:
            prune_logs(s, now)
