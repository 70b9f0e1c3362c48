"""One-off background jobs (loading a table, "Test connection") on a QThreadPool.

Views call ``runner.run(key, operation, on_done, on_error)``; ``operation`` runs on a pool thread
and must return plain data (frozen dataclasses, tuples). Callbacks run on the GUI thread. The
runner keeps a strong reference to every job until it reports back (superqt's ``_worker_set``
idea).

The ``key`` names what the result is for (``(view, "load")``). Pool jobs can finish out of
order, so the runner drops the outcome of a job superseded by a later ``run`` with the same key:
only the newest request's result (or error) reaches the view. ``join=True`` adds a job to the
key's current request without superseding it (the next pages of a table being loaded): it is
dropped together with that request. ``serial`` runs one job per key at a time and coalesces the
requests made meanwhile into one more run; every result it runs is delivered (alarm evaluation,
which writes what it finds). ``key=None`` (or ``submit``) is a plain job, always delivered.
"""

from __future__ import annotations

import itertools
import logging
import traceback
from dataclasses import dataclass
from typing import Any, Callable, Hashable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class JobError:
    kind: str
    message: str
    details: str = ""

    def __str__(self) -> str:
        return self.message


class _JobSignals(QObject):
    finished = Signal(object)  # (job id, ok, result or JobError)


class _Job(QRunnable):
    def __init__(self, job_id: int, fn: Callable[[], Any], signals: _JobSignals) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._id, self._fn, self._signals = job_id, fn, signals

    def run(self) -> None:  # pool thread
        try:
            result = self._fn()
        except Exception as exc:  # noqa: BLE001 - reported to the GUI as data
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            self._signals.finished.emit((self._id, False, JobError(type(exc).__name__, first, traceback.format_exc())))
            return
        self._signals.finished.emit((self._id, True, result))


Callback = Callable[[Any], None] | None
ErrorCallback = Callable[[JobError], None] | None


@dataclass(slots=True)
class _Pending:
    on_done: Callback
    on_error: ErrorCallback
    key: Hashable | None = None
    generation: int = 0
    serial: bool = False
    owner: object = None


class BackgroundRunner(QObject):
    idle = Signal()
    busy_changed = Signal(int)

    def __init__(self, parent: QObject | None = None, max_threads: int = 3) -> None:
        super().__init__(parent)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max_threads)
        self._signals = _JobSignals(self)
        self._signals.finished.connect(self._on_finished)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, _Pending] = {}
        self._generation: dict[Hashable, int] = {}  # key -> newest request (kept while it has jobs)
        self._live: dict[Hashable, int] = {}  # key -> jobs not reported back yet
        self._waiting: dict[Hashable, tuple[Callable[[], Any], Callback, ErrorCallback]] = {}  # serial
        self._closing = False

    @property
    def pending(self) -> int:
        return len(self._callbacks) + len(self._waiting)

    def submit(self, fn: Callable[[], Any], on_done: Callback = None, on_error: ErrorCallback = None, *,
               owner: object = None) -> int:
        """A plain job: its result is always delivered."""
        return self.run(None, fn, on_done, on_error, owner=owner)

    def run(self, key: Hashable | None, fn: Callable[[], Any], on_done: Callback = None,
            on_error: ErrorCallback = None, *, join: bool = False, serial: bool = False, owner: object = None) -> int:
        """Run ``fn`` off the GUI thread for ``key``; returns a job id (0 once shut down, or when a
        ``serial`` request is queued behind the running one). ``owner`` (by default the first item
        of a tuple key) is what ``pending_for`` counts by."""
        if self._closing:
            return 0
        if owner is None and isinstance(key, tuple) and key:
            owner = key[0]
        if key is not None and serial:
            if self._live.get(key):
                self._waiting[key] = (fn, on_done, on_error)  # replaces an earlier waiting request
                self.busy_changed.emit(self.pending)
                return 0
        elif key is not None and not join:
            self._generation[key] = self._generation.get(key, 0) + 1
        job_id = next(self._ids)
        generation = self._generation.setdefault(key, 0) if key is not None else 0
        if key is not None:
            self._live[key] = self._live.get(key, 0) + 1
        self._callbacks[job_id] = _Pending(on_done, on_error, key, generation, serial, owner)
        self._pool.start(_Job(job_id, fn, self._signals))
        self.busy_changed.emit(self.pending)
        return job_id

    def pending_for(self, owner: object) -> int:
        """Jobs of ``owner`` (a view) not reported back yet, superseded ones included."""
        return sum(1 for job in self._callbacks.values() if job.owner is owner)

    @Slot(object)
    def _on_finished(self, message: object) -> None:
        job_id, ok, payload = message  # type: ignore[misc]
        job = self._callbacks.pop(job_id, None)
        if job is None:
            return
        stale = False
        if job.key is not None:
            stale = not job.serial and self._generation.get(job.key) != job.generation
            self._live[job.key] -= 1
            if not self._live[job.key]:
                del self._live[job.key]
                self._generation.pop(job.key, None)
        try:
            if stale:
                log.debug("dropped the outcome of a superseded job for %r", job.key)
            elif ok and job.on_done is not None:
                job.on_done(payload)
            elif not ok:
                if job.on_error is not None:
                    job.on_error(payload)  # type: ignore[arg-type]
                else:
                    log.warning("background job failed: %s", payload)
        finally:
            if job.serial and job.key is not None and job.key in self._waiting and not self._closing:
                fn, on_done, on_error = self._waiting.pop(job.key)
                self.run(job.key, fn, on_done, on_error, serial=True)
            self.busy_changed.emit(self.pending)
            if not self._callbacks and not self._waiting:
                self.idle.emit()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        """Take no more jobs, wait (bounded) for the running ones, and forget every callback: a
        screen being closed is never called back. True when no job is left running."""
        self._closing = True
        self._waiting.clear()
        done = self._pool.waitForDone(timeout_ms)
        if done:
            self._callbacks.clear()
            self._live.clear()
            self._generation.clear()
        return done
