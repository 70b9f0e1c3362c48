"""One-off background jobs (loading a table, "Test connection") on a QThreadPool.

Views call ``runner.submit(fn, on_done, on_error)``; ``fn`` runs on a pool thread and must
return plain data (frozen dataclasses, tuples). Callbacks run on the GUI thread. The runner
keeps a strong reference to every job until it reports back (superqt's ``_worker_set`` idea).
"""

from __future__ import annotations

import itertools
import logging
import traceback
from dataclasses import dataclass
from typing import Any, Callable

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
        self._callbacks: dict[int, tuple[Callable[[Any], None] | None, Callable[[JobError], None] | None]] = {}
        self._closing = False

    @property
    def pending(self) -> int:
        return len(self._callbacks)

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[JobError], None] | None = None) -> int:
        if self._closing:
            return 0
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        self._pool.start(_Job(job_id, fn, self._signals))
        self.busy_changed.emit(self.pending)
        return job_id

    @Slot(object)
    def _on_finished(self, message: object) -> None:
        job_id, ok, payload = message  # type: ignore[misc]
        on_done, on_error = self._callbacks.pop(job_id, (None, None))
        try:
            if ok and on_done is not None:
                on_done(payload)
            elif not ok:
                if on_error is not None:
                    on_error(payload)  # type: ignore[arg-type]
                else:
                    log.warning("background job failed: %s", payload)
        finally:
            self.busy_changed.emit(self.pending)
            if not self._callbacks:
                self.idle.emit()

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        self._closing = True
        return self._pool.waitForDone(timeout_ms)
