"""The timer-driven scheduler of the desktop app (DESIGN §6, issue 8).

``SchedulerHost`` lives in the GUI thread. A single-shot QTimer wakes it when the
:class:`~n11_desktop.core.schedule.Planner` says something becomes due; the database facts
(last runs, flags, activation) are read on a background thread, never on the GUI thread.
Runs go to a bounded pool of :class:`~.flow_worker.WorkerHost` threads. Stock/price edits
made in the app (``services.emit("stock_changed", ids)``) are debounced into one ``push``
run. Results land in flow_run/log_entry (``run_flow``) and come back as frozen dataclasses.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import time
import weakref
from datetime import datetime, tzinfo
from typing import Any, Callable, Mapping, Sequence

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ..core.domain import FlowProgress, FlowResult
from ..core.flows.base import FlowSpec, run_flow, utcnow
from ..core.instance import InstanceLease, refused_message
from ..core.runner import format_eta
from ..core.schedule import PUSH_FLOWS, FlowStatus, Planner, ScheduleInputs
from ..core.schedule_facts import read_inputs, recover_on_start
from .flow_worker import FlowJob, FlowWorker, JobOutcome, WorkerHost

log = logging.getLogger(__name__)

DEFAULT_THREADS = 3
DEFAULT_DEBOUNCE_S = 3.0
MAX_SLEEP_S = 30.0


class SchedulerHost(QObject):
    flow_started = Signal(str)
    flow_progress = Signal(object)  # FlowProgress
    flow_finished = Signal(object)  # FlowResult
    state_changed = Signal(str)  # "off" | "running" | "paused" | "inactive channel" | "stopped"
    statuses_changed = Signal(object)  # tuple[FlowStatus, ...]
    running_changed = Signal(str, int, int)  # status-bar text, done, total
    inputs_loaded = Signal()
    lease_refused = Signal(str)  # another process drives this database: the scheduler stays off

    _live: "weakref.WeakSet[SchedulerHost]" = weakref.WeakSet()

    def __init__(self, services, parent: QObject | None = None, *, clock: Callable[[], datetime] = utcnow,
                 max_threads: int = DEFAULT_THREADS, debounce_s: float = DEFAULT_DEBOUNCE_S,
                 push_max_wait_s: float = 15.0, tz: tzinfo | None = None,
                 flow_fn: Callable[..., FlowResult] = run_flow, max_sleep_s: float = MAX_SLEEP_S,
                 progress_interval_s: float = 0.1, isolation: str = "thread",
                 specs: Sequence[FlowSpec] | None = None) -> None:
        super().__init__(parent)
        if isolation not in ("thread", "process"):
            raise ValueError(f"isolation must be 'thread' or 'process', not {isolation!r}")
        self.isolation = isolation
        self.services = services
        self.db = services.db
        self.clock = clock
        self.max_threads = max(1, max_threads)
        self.planner = Planner(specs, capacity=self.max_threads, tz=tz, debounce_s=debounce_s,
                               push_max_wait_s=push_max_wait_s)
        self._flow_fn = flow_fn
        self._max_sleep_s = max_sleep_s
        self._progress_interval_s = progress_interval_s
        self._timer = QTimer(self)
        self._timer.setObjectName("scheduler-tick")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_tick)
        self._hosts: list[WorkerHost] = []
        self._jobs: dict[str, FlowJob] = {}
        self._progress: dict[str, FlowProgress] = {}
        self._ids = itertools.count(1)
        self._started = False
        self._recovering = False
        self._ever_dispatched = False
        self._closed = False
        self._reading = False
        self._read_again = False
        self._state = "off"
        # one process per database drives the integration (core.instance); manual runs need no lease
        self.lease = InstanceLease(self.db, "gui")
        self.lease_refused_text = ""
        self._lease_timer = QTimer(self)
        self._lease_timer.setObjectName("scheduler-lease-heartbeat")
        self._lease_timer.setInterval(int(self.lease.heartbeat_s * 1000))
        self._lease_timer.timeout.connect(self._beat)
        self._beating = False
        for event, slug in PUSH_FLOWS.items():
            services.subscribe(event, self._make_push_handler(slug))
        services.subscribe("settings_changed", self._on_settings_changed)
        SchedulerHost._live.add(self)

    # ------------------------------------------------------------------ public API (GUI thread)
    def start(self) -> None:
        """Recover after a crash, then run every due flow at once and keep to the schedule."""
        if self._started or self._closed:
            return
        self._started = True
        self._ensure_threads()
        db, now = self.db, self.clock()
        # runs left "running" by a killed process are closed first; nothing starts meanwhile
        # (if the operator already started a run in this process, there is nothing to recover)
        recover = not self._jobs and not self._ever_dispatched
        self._recovering = True
        lease = self.lease

        def first_look() -> tuple[str, ScheduleInputs]:
            if not lease.acquire():  # another process schedules here: never close its running rows
                return refused_message(lease.other), read_inputs(db, now)
            if recover:
                recover_on_start(db, now)
            return "", read_inputs(db, now)

        self._reading = True
        self.services.runner.submit(first_look, self._on_first_inputs, self._on_read_error)
        self._set_state("starting")

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Ask running flows to stop at a safe point and wait at most ``timeout_ms`` in total."""
        if self._closed and not self._hosts:
            return True
        self._closed = True
        self._timer.stop()
        self._lease_timer.stop()
        for job in self._jobs.values():
            job.cancel.set()
        deadline = time.monotonic() + max(0, timeout_ms) / 1000
        ok = True
        for host in self._hosts:
            left = int(max(0.0, deadline - time.monotonic()) * 1000)
            ok = host.shutdown(left) and ok
        if not ok and self.isolation == "process":
            # a flow that did not reach a safe point in time: end its child process (the run stays
            # "running" in flow_run and its batch in flight; both are recovered on the next start)
            for host in self._hosts:
                if host.is_running():
                    kill = getattr(getattr(host.worker, "_flow_fn", None), "kill", None)
                    if kill is not None:
                        kill()
            ok = all(host.shutdown(5000) for host in self._hosts)
        if ok:
            self._hosts = []
        self.lease.release()  # one short write at exit (a lease left behind goes stale by itself)
        self._set_state("stopped")
        return ok

    def pause(self) -> None:
        self.planner.paused = True
        self._arm_timer()
        self._set_state(self._state_text())
        self._emit_statuses()

    def resume(self) -> None:
        self.planner.paused = False
        self._set_state(self._state_text())
        self._dispatch()

    @property
    def paused(self) -> bool:
        return self.planner.paused

    def run_now(self, slug: str, options: Mapping[str, Any] | None = None, trigger: str = "manual") -> None:
        """Run ``slug`` as soon as it may (not while it or its content type runs). Works when paused."""
        if self._closed:
            return
        self.planner.request(slug, trigger, options)
        self._ensure_threads()
        self._dispatch()

    def trigger_webhook(self, slug: str, options: Mapping[str, Any] | None = None) -> None:
        self.run_now(slug, options, trigger="webhook")

    def cancel(self, slug: str) -> bool:
        """Stop ``slug`` at its next safe point (or drop its queued run). True if something was cancelled."""
        dropped = self.planner.queued.pop(slug, None) is not None
        job = self._jobs.get(slug)
        if job is not None:
            job.cancel.set()
        if dropped:
            self._emit_statuses()
        return dropped or job is not None

    def refresh(self) -> None:
        """Re-read last runs and settings (background thread), then dispatch what is due."""
        if self._closed:
            return
        if self._reading:
            self._read_again = True
            return
        self._reading = True
        db, now = self.db, self.clock()
        self.services.runner.submit(lambda: read_inputs(db, now), self._on_inputs, self._on_read_error)

    def tick(self) -> None:
        """What the timer does: start what is due now, then refresh from the database."""
        self._on_tick()

    def running(self) -> dict[str, FlowProgress | None]:
        return {slug: self._progress.get(slug) for slug in self._jobs}

    def statuses(self) -> tuple[FlowStatus, ...]:
        return self.planner.statuses(self.clock())

    def progress_of(self, slug: str) -> FlowProgress | None:
        return self._progress.get(slug)

    @property
    def state(self) -> str:
        return self._state

    def attach_status(self, window) -> None:
        """Show scheduler state and running flows in ``window``'s status bar."""
        self.state_changed.connect(window.set_scheduler_state)
        self.running_changed.connect(window.set_running)
        window.set_scheduler_state(self._state)

    def thread_count(self) -> int:
        return sum(1 for h in self._hosts if h.is_running())

    # ------------------------------------------------------------------ internals
    def _make_push_handler(self, slug: str) -> Callable[[Any], None]:
        ref = weakref.ref(self)

        def handler(ids: Any) -> None:
            me = ref()
            if me is not None:
                me._on_push(slug, ids)

        return handler

    def _on_push(self, slug: str, ids: Any) -> None:
        if self._closed or not self._started:
            return
        self.planner.push(slug, tuple(ids or ()), self.clock())
        self._arm_timer()

    def _on_settings_changed(self, _payload: Any = None) -> None:
        if self._started and not self._closed:
            self.refresh()

    def _ensure_threads(self) -> None:
        if self._closed or self._hosts:
            return
        for _ in range(self.max_threads):
            flow_fn = self._flow_fn
            if self.isolation == "process":
                from .flow_process import ProcessFlowRunner

                flow_fn = ProcessFlowRunner(self.db.target())
            worker = FlowWorker(self.db, clock=self.clock, flow_fn=flow_fn,
                                progress_interval_s=self._progress_interval_s)
            host = WorkerHost(worker, self)
            worker.progress.connect(self._on_progress)
            worker.finished.connect(self._on_job_finished)
            host.start()
            self._hosts.append(host)

    @Slot(object)
    def _on_first_inputs(self, result: tuple[str, ScheduleInputs]) -> None:
        refused, inputs = result
        self._reading = False
        self._recovering = False
        if self._closed:
            if not refused:
                self.lease.release()
            return
        self.planner.update_inputs(inputs)
        if refused:  # scheduler off; "Run now" still works (manual runs need no lease)
            self._lease_off(refused)
            return
        self.lease_refused_text = ""
        self._lease_timer.start()
        if inputs.is_active and (inputs.available is None or "task_results" in inputs.available):
            self.planner.request("task_results", "start")  # batches in flight are resumed by polling
        self.inputs_loaded.emit()
        self._after_inputs()

    @Slot(object)
    def _on_inputs(self, inputs: ScheduleInputs) -> None:
        self._reading = False
        if self._closed:
            return
        self.planner.update_inputs(inputs)
        self.inputs_loaded.emit()
        self._after_inputs()

    def _after_inputs(self) -> None:
        self._set_state(self._state_text())
        if self._read_again:  # these facts predate a finished run: dispatch on the fresh ones
            self._read_again = False
            self.refresh()
            self._emit_statuses()
            return
        self._dispatch()

    def _lease_off(self, text: str) -> None:
        self._started = False
        self._lease_timer.stop()
        self._timer.stop()
        self.planner.queued.clear()
        self.lease_refused_text = text
        self._set_state(self._state_text())
        self.inputs_loaded.emit()
        self._emit_statuses()
        self.lease_refused.emit(text)

    @Slot()
    def _beat(self) -> None:
        if self._closed or self._beating or not self.lease.held:
            return
        self._beating = True
        self.services.runner.submit(self.lease.heartbeat, self._on_beat, self._on_beat_error)

    def _on_beat(self, ok: bool) -> None:
        self._beating = False
        if not ok and not self._closed:
            log.error("another process took the instance lease over; the scheduler stops")
            self._lease_off(refused_message(self.lease.other))

    def _on_beat_error(self, error) -> None:
        self._beating = False
        log.warning("could not refresh the instance lease: %s", error)

    def _on_read_error(self, error) -> None:
        self._reading = False
        self._recovering = False
        if self.lease.held and not self._closed and not self._lease_timer.isActive():
            self._lease_timer.start()
        log.warning("scheduler could not read the database: %s", error)
        self._arm_timer()

    @Slot()
    def _on_tick(self) -> None:
        if self._closed:
            return
        self._dispatch()
        self.refresh()

    def _dispatch(self) -> None:
        if self._closed:
            return
        free = [h for h in self._hosts if h.busy is None and h.is_running()]
        if free and not self._recovering:
            for req in self.planner.take_starts(self.clock(), free_slots=len(free), scheduled=self._started):
                host = free.pop(0)
                job = FlowJob(next(self._ids), req, threading.Event())
                self._jobs[req.slug] = job
                self._ever_dispatched = True
                host.submit(job)
                self.flow_started.emit(req.slug)
        self._arm_timer()
        self._emit_running()
        self._emit_statuses()

    def _arm_timer(self) -> None:
        if self._closed or not self._started:
            return
        now = self.clock()
        wake = self.planner.wake_at(now)
        delay = self._max_sleep_s if wake is None else min(self._max_sleep_s, (wake - now).total_seconds())
        self._timer.start(max(20, int(delay * 1000)))

    @Slot(object)
    def _on_progress(self, p: FlowProgress) -> None:
        if p.flow not in self._jobs:
            return
        self._progress[p.flow] = p
        self.flow_progress.emit(p)
        self._emit_running()

    @Slot(object)
    def _on_job_finished(self, outcome: JobOutcome) -> None:
        slug = outcome.request.slug
        for host in self._hosts:
            if host.busy is not None and host.busy.job_id == outcome.job_id:
                host.busy = None
        job = self._jobs.get(slug)
        if job is not None and job.job_id == outcome.job_id:
            del self._jobs[slug]
        self._progress.pop(slug, None)
        result = outcome.result
        if outcome.available:
            self.planner.finished(slug, result.state.value, result.ended_at)
        else:
            self.planner.forget(slug)
        self.flow_finished.emit(result)
        if result.run_id:
            self.services.emit("flow_finished", result)
        if self._closed:
            return
        # dispatch on facts read after this run ended (a flow may record state the schedule reads)
        self.refresh()
        self._emit_running()
        self._emit_statuses()

    def _state_text(self) -> str:
        if self.lease_refused_text:
            other = self.lease.other
            who = f"pid {other.pid} on {other.host}" if other is not None else "another process"
            return f"off — another n11-desktop ({who}) drives this database"
        if not self._started:
            return "off"
        return self.planner.state_text()

    def _set_state(self, text: str) -> None:
        if text != self._state:
            self._state = text
            self.state_changed.emit(text)

    def _emit_statuses(self) -> None:
        self.statuses_changed.emit(self.planner.statuses(self.clock()))

    def _emit_running(self) -> None:
        parts = []
        done = total = 0
        for slug in self._jobs:
            name = self.planner.spec(slug).name
            p = self._progress.get(slug)
            if p is not None and p.total:
                text = f"{name} {p.done:,}/{p.total:,}"
                if p.eta_s is not None:
                    text += f" · ETA {format_eta(p.eta_s)}"
                if not total:
                    done, total = p.done, p.total
            else:
                text = f"{name} …"
            parts.append(text)
        self.running_changed.emit(("Running: " + "; ".join(parts)) if parts else "", done, total)


ISOLATION_ENV = "N11_DESKTOP_FLOW_ISOLATION"


def build_scheduler(services, parent: QObject | None = None, **kwargs) -> SchedulerHost:
    """Composition-root hook (app.py): the scheduler is built idle; ``start()`` sets it going.

    Flows run on the worker threads themselves (``thread``) or, from them, in one child
    process per worker (``process``, so the GUI thread never waits for the GIL); the
    environment variable ``N11_DESKTOP_FLOW_ISOLATION`` chooses, default ``process``
    (``bench gui_stall``: 100k SKUs on a thread stall the GUI for seconds; in a process, not).
    """
    if "isolation" not in kwargs:
        kwargs["isolation"] = os.environ.get(ISOLATION_ENV, "process").strip().lower() or "process"
    if getattr(services, "demo", False) and "specs" not in kwargs:
        from ..core.demo import demo_specs

        kwargs["specs"] = demo_specs()  # the demo shows orders arriving and sends going out within seconds
    return SchedulerHost(services, parent, **kwargs)
