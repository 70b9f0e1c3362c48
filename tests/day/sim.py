"""A simulated day of the headless scheduler (``n11-desktop run``'s :class:`Runner`) on a fake clock.

Discrete-event simulation with the real pieces: the real Runner loop, Planner, flows, database and
the sandbox over loopback HTTP. Only time is simulated: while flows run, the clock stands still;
when the Runner would sleep, the clock jumps to its next wake-up (at most ``step``), and the
events due by then run first (N11-side changes through the sandbox's control API, local edits,
fault switches). Flows run one at a time (``max_workers=1``) so a day replays the same way.

Other halves of the day (orders, claims) add their own events with :meth:`DaySim.at` and their own
checks on :attr:`DaySim.results` after :meth:`DaySim.run`.
"""

from __future__ import annotations

import heapq
import itertools
from concurrent.futures import wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable

from n11_desktop.core.instance import InstanceLease
from n11_desktop.core.runner import Runner


@dataclass
class FakeClock:
    now: datetime

    def __call__(self) -> datetime:
        return self.now


@dataclass(order=True)
class _Event:
    at: datetime
    seq: int
    fn: Callable[[datetime], None] = field(compare=False)
    name: str = field(compare=False, default="")


class _SimRunner(Runner):
    def __init__(self, sim: "DaySim", *args, **kw) -> None:
        super().__init__(*args, **kw)
        self.sim = sim

    def _sleep(self, timeout: float) -> None:  # the only change: simulated instead of real waiting
        with self._lock:
            futures = list(self._futures.values())
        if futures:
            wait(futures)  # flows run at a standing clock; look again at once (after-chains)
            return
        if self.sim.should_stop(self):
            self.request_stop()
            return
        self.sim.advance(timedelta(seconds=max(1.0, min(timeout, self.sim.step.total_seconds()))))


class DaySim:
    def __init__(self, db, start: datetime, *, hours: float = 24, step: timedelta = timedelta(minutes=5)) -> None:
        self.db = db
        self.clock = FakeClock(start)
        self.start = start
        self.end = start + timedelta(hours=hours)
        self.step = step
        self._events: list[_Event] = []
        self._seq = itertools.count()
        self.log: list[tuple[datetime, str]] = []
        self.stop_when: Callable[["DaySim", Runner], bool] = lambda sim, runner: True
        self.runner: _SimRunner | None = None

    def at(self, offset: timedelta, fn: Callable[[datetime], None], name: str = "") -> None:
        """Run ``fn(now)`` when the simulated clock reaches start + ``offset``."""
        heapq.heappush(self._events, _Event(self.start + offset, next(self._seq), fn, name or fn.__name__))

    def every(self, first: timedelta, period: timedelta, until: timedelta, fn: Callable[[datetime], None],
              name: str = "") -> None:
        t = first
        while t <= until:
            self.at(t, fn, name)
            t += period

    def advance(self, by: timedelta) -> None:
        target = self.clock.now + by
        while self._events and self._events[0].at <= target:
            ev = heapq.heappop(self._events)
            self.clock.now = max(self.clock.now, ev.at)
            ev.fn(self.clock.now)
            self.log.append((self.clock.now, ev.name))
        self.clock.now = target

    def should_stop(self, runner: Runner) -> bool:
        return self.clock.now >= self.end and self.stop_when(self, runner)

    def run(self) -> Runner:
        lease = InstanceLease(self.db, "run", heartbeat_s=10**6)
        self.runner = _SimRunner(self, self.db, clock=self.clock, max_workers=1, max_sleep_s=self.step.total_seconds(),
                                 lease=lease)
        code = self.runner.run()
        assert code == 0
        return self.runner

    @property
    def results(self):
        return self.runner.results if self.runner else []
