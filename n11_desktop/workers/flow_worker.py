"""A flow worker on its own QThread (STYLE §2.2).

``FlowWorker`` is a parentless QObject moved to a QThread owned by exactly one
``WorkerHost``. It runs one :class:`FlowJob` at a time through ``run_flow`` (the same code
as the CLI), reports throttled :class:`~n11_desktop.core.domain.FlowProgress` and a
:class:`JobOutcome` (frozen) through signals, and stops at the flow's next safe point when
the job's cancel event is set.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..core.domain import FlowProgress, FlowResult, RunState
from ..core.flows.base import FlowNotAvailable, run_flow, utcnow
from ..core.schedule import RunRequest
from ..core.schedule_facts import resolve_options

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FlowJob:
    job_id: int
    request: RunRequest
    cancel: threading.Event  # set from any thread; the flow stops at its next safe point

    @property
    def slug(self) -> str:
        return self.request.slug


@dataclass(frozen=True, slots=True)
class JobOutcome:
    job_id: int
    request: RunRequest
    result: FlowResult
    available: bool = True  # False: the flow is not implemented, nothing was recorded


class FlowWorker(QObject):
    """Runs flows in its thread. Created without a parent so it can be moved to a QThread."""

    job_started = Signal(object)  # FlowJob
    progress = Signal(object)  # FlowProgress (throttled)
    finished = Signal(object)  # JobOutcome

    def __init__(self, db, *, clock: Callable[[], datetime] = utcnow,
                 flow_fn: Callable[..., FlowResult] = run_flow, progress_interval_s: float = 0.1) -> None:
        super().__init__()  # NO parent, or moveToThread refuses
        self._db = db
        self._clock = clock
        self._flow_fn = flow_fn
        self._progress_interval = progress_interval_s
        self._last_progress = 0.0

    @Slot(object)
    def run_job(self, job: FlowJob) -> None:  # worker thread
        self.job_started.emit(job)
        req = job.request
        self._last_progress = 0.0
        available = True
        try:
            result = self._flow_fn(req.slug, self._db, trigger=req.trigger, clock=self._clock,
                                   should_stop=job.cancel.is_set, on_progress=self._on_progress,
                                   options=resolve_options(self._db, req))
        except FlowNotAvailable as exc:
            available = False
            now = self._clock()
            result = FlowResult(flow=req.slug, run_id=0, state=RunState.FAILED, trigger=req.trigger,
                                started_at=now, ended_at=now, message=str(exc))
        except Exception as exc:  # noqa: BLE001 - never let an exception escape a slot
            log.exception("flow %s crashed outside its run record", req.slug)
            now = self._clock()
            result = FlowResult(flow=req.slug, run_id=0, state=RunState.FAILED, trigger=req.trigger,
                                started_at=now, ended_at=now, message=f"{type(exc).__name__}: {exc}")
        self.finished.emit(JobOutcome(job.job_id, req, result, available))

    def _on_progress(self, p: FlowProgress) -> None:  # worker thread, maybe very often
        now = time.monotonic()
        if p.total and p.done >= p.total or now - self._last_progress >= self._progress_interval:
            self._last_progress = now
            self.progress.emit(p)

    @Slot()
    def finish(self) -> None:  # queued: runs in the worker thread after the current job
        close = getattr(self._flow_fn, "close", None)
        if close is not None:  # a ProcessFlowRunner: let its child process exit
            try:
                close()
            except Exception:  # noqa: BLE001
                log.exception("could not close the flow process")
        self.thread().quit()


class WorkerHost(QObject):
    """Lives in the GUI thread and owns one QThread with one FlowWorker on it."""

    _submit = Signal(object)
    _finish = Signal()
    _live: "weakref.WeakSet[WorkerHost]" = weakref.WeakSet()  # for the leak guard in tests

    def __init__(self, worker: FlowWorker, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.worker = worker
        self.thread = QThread(self)
        self.thread.setObjectName("n11-flow-worker")
        worker.moveToThread(self.thread)
        self._submit.connect(worker.run_job)  # queued across threads
        self._finish.connect(worker.finish)
        self.thread.finished.connect(worker.deleteLater)
        self.busy: FlowJob | None = None
        WorkerHost._live.add(self)

    def start(self) -> None:
        self.thread.start()

    def submit(self, job: FlowJob) -> None:
        self.busy = job
        self._submit.emit(job)

    def is_running(self) -> bool:
        try:
            return self.thread.isRunning()
        except RuntimeError:  # C++ object already gone
            return False

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Cancel the running job, let the thread finish at a safe point, wait at most ``timeout_ms``."""
        if self.busy is not None:
            self.busy.cancel.set()
        if not self.is_running():
            return True
        self._finish.emit()
        ok = self.thread.wait(max(0, int(timeout_ms)))
        if not ok:
            log.warning("flow worker did not stop within %d ms", timeout_ms)
        return bool(ok)

    @classmethod
    def running_hosts(cls) -> list["WorkerHost"]:
        return [h for h in list(cls._live) if h.is_running()]
