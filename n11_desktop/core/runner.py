"""The headless scheduler behind ``n11-desktop run``: the same :class:`~.schedule.Planner`
as the GUI, driven by a small thread loop and a bounded ``ThreadPoolExecutor`` (no Qt).

``request_stop()`` (called from a SIGINT/SIGTERM handler) asks every running flow to stop at
its next safe point, waits a bounded time and returns; flows record a ``cancelled`` run.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Callable

from ..core.domain import FlowResult, RunState
from .flows.base import FlowNotAvailable, run_flow, utcnow
from .housekeeping import Housekeeping
from .instance import InstanceLease, refused_message
from .schedule import Planner, RunRequest
from .schedule_facts import read_inputs, recover_on_start, resolve_options

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RunnerEvent:
    kind: str  # "started" | "finished" | "skipped"
    request: RunRequest
    result: FlowResult | None = None
    message: str = ""


class LeaseRefused(Exception):
    """Another process drives this database (``str(exc)`` is the one-line reason)."""

    def __init__(self, message: str, holder=None) -> None:
        super().__init__(message)
        self.holder = holder


class Runner:
    def __init__(self, db, *, clock: Callable[[], datetime] = utcnow, max_workers: int = 3,
                 tz: tzinfo | None = None, flow_fn: Callable[..., FlowResult] = run_flow,
                 max_sleep_s: float = 30.0, stop_timeout_s: float = 30.0,
                 on_event: Callable[[RunnerEvent], None] | None = None,
                 planner: Planner | None = None, lease: InstanceLease | None = None,
                 housekeeping: Housekeeping | None = None) -> None:
        self.db = db
        self.housekeeping = housekeeping if housekeeping is not None else Housekeeping(db)
        self.lease = lease if lease is not None else InstanceLease(db, "run")
        self.lease_lost = ""  # set when another process took the lease over while we ran
        self.clock = clock
        self.max_workers = max(1, max_workers)
        self.planner = planner or Planner(capacity=self.max_workers, tz=tz)
        self.flow_fn = flow_fn
        self.max_sleep_s = max_sleep_s
        self.stop_timeout_s = stop_timeout_s
        self.on_event = on_event
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._cancels: dict[str, threading.Event] = {}
        self._futures: dict[str, Future] = {}
        self._done: list[tuple[str, str, datetime]] = []  # (slug, state, ended) reported by workers
        self.results: list[FlowResult] = []
        self._signalled = False

    # ------------------------------------------------------------------ control (any thread)
    def request_stop(self) -> None:
        self._stop.set()
        with self._lock:
            for ev in self._cancels.values():
                ev.set()
        self._wake.set()

    def request_stop_from_signal(self) -> None:
        """Async-signal-safe: only sets a flag (no locks; the loop notices it within 0.25 s)."""
        self._signalled = True

    def cancel(self, slug: str) -> bool:
        with self._lock:
            ev = self._cancels.get(slug)
        if ev is None:
            return False
        ev.set()
        return True

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    # ------------------------------------------------------------------ the loop
    def run(self, *, once: bool = False) -> int:
        """Run until :meth:`request_stop` (or, with ``once``, until every due flow ran once).

        Returns 0 on a clean stop, 1 if running flows did not stop within ``stop_timeout_s``.
        Raises :class:`LeaseRefused` (before doing anything) if another process holds the
        instance lease of this database (``core.instance``); the lease is released on return.
        """
        if not self.lease.acquire():
            raise LeaseRefused(refused_message(self.lease.other), self.lease.other)
        try:
            return self._run(once)
        finally:
            self.lease.release()

    def _run(self, once: bool) -> int:
        recover_on_start(self.db, self.clock())
        first = read_inputs(self.db, self.clock())
        self.planner.update_inputs(first)
        if first.is_active and (first.available is None or "task_results" in first.available):
            self.planner.request("task_results", "start")  # batches in flight are resumed by polling
        seen: set[tuple[str, str]] = set()
        executor = ThreadPoolExecutor(max_workers=self.max_workers, thread_name_prefix="n11-flow")
        clean = True
        try:
            while not self._stop_wanted():
                self._reap()
                self.housekeeping.tick(self.clock())
                if self.lease.heartbeat_due() and not self.lease.heartbeat():
                    self.lease_lost = refused_message(self.lease.other)
                    self.request_stop()
                    break
                now = self.clock()
                self.planner.update_inputs(read_inputs(self.db, now))
                starts = self.planner.take_starts(now)
                for req in starts:
                    if once and (req.slug, req.kind) in seen:
                        self.planner.forget(req.slug)
                        continue
                    seen.add((req.slug, req.kind))
                    self._submit(executor, req)
                if once:
                    with self._lock:
                        busy = bool(self._futures)
                    pending = [r for r in self.planner.candidates(now) if (r.slug, r.kind) not in seen]
                    if not busy and not pending:
                        break
                wake = self.planner.wake_at(now)
                timeout = self.max_sleep_s
                if wake is not None:
                    timeout = min(timeout, max(0.05, (wake - now).total_seconds()))
                if once:
                    timeout = min(timeout, 1.0)
                timeout = min(timeout, self.lease.heartbeat_s)
                self._sleep(timeout)
        finally:
            clean = self._drain(executor)
        return 0 if clean else 1

    def _stop_wanted(self) -> bool:
        if self._signalled and not self._stop.is_set():
            self.request_stop()
        return self._stop.is_set()

    def _sleep(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self._signalled:
            left = deadline - time.monotonic()
            if left <= 0 or self._wake.wait(min(left, 0.25)):
                break
        self._wake.clear()

    def _submit(self, executor: ThreadPoolExecutor, req: RunRequest) -> None:
        cancel = threading.Event()
        if self._stop.is_set():
            cancel.set()
        with self._lock:
            self._cancels[req.slug] = cancel
            self._futures[req.slug] = executor.submit(self._run_one, req, cancel)
        self._emit(RunnerEvent("started", req))

    def _run_one(self, req: RunRequest, cancel: threading.Event) -> None:  # pool thread
        try:
            result = self.flow_fn(req.slug, self.db, trigger=req.trigger, clock=self.clock,
                                  should_stop=cancel.is_set, options=resolve_options(self.db, req))
        except FlowNotAvailable as exc:
            self._emit(RunnerEvent("skipped", req, message=str(exc)))
            with self._lock:
                self._done.append((req.slug, "skipped", self.clock()))
            self._wake.set()
            return
        except Exception as exc:  # noqa: BLE001 - one flow's crash never stops the scheduler
            log.exception("flow %s crashed", req.slug)
            now = self.clock()
            result = FlowResult(flow=req.slug, run_id=0, state=RunState.FAILED, trigger=req.trigger,
                                started_at=now, ended_at=now, message=f"{type(exc).__name__}: {exc}")
        with self._lock:
            self._done.append((req.slug, result.state.value, result.ended_at))
            self.results.append(result)
        self._emit(RunnerEvent("finished", req, result))
        self._wake.set()

    def _reap(self) -> None:
        with self._lock:
            done, self._done = self._done, []
            for slug, _state, _ended in done:
                self._cancels.pop(slug, None)
                self._futures.pop(slug, None)
        for slug, state, ended in done:
            if state == "skipped":
                self.planner.forget(slug)
            else:
                self.planner.finished(slug, state, ended)

    def _drain(self, executor: ThreadPoolExecutor) -> bool:
        """Stop: cancel what runs, wait a bounded time, leave the pool."""
        with self._lock:
            for ev in self._cancels.values():
                ev.set()
            futures = list(self._futures.values())
        from concurrent.futures import wait

        _done, not_done = wait(futures, timeout=self.stop_timeout_s)
        executor.shutdown(wait=not not_done, cancel_futures=True)
        self._reap()
        if not_done:
            log.warning("%d flow(s) did not stop within %.0f s", len(not_done), self.stop_timeout_s)
        return not not_done

    def _emit(self, event: RunnerEvent) -> None:
        if self.on_event is not None:
            try:
                self.on_event(event)
            except Exception:  # noqa: BLE001
                log.exception("runner event handler failed")


def format_eta(seconds: float) -> str:
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60:02d} s"
    return f"{s // 3600} h {s % 3600 // 60:02d} min"
