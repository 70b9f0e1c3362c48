"""Run flows in a child process, driven from a worker thread (no Qt in this module).

Why: a flow's big SQLite reads and writes run long C loops that hand the GIL back and
forth without letting a waiting thread in (the "convoy effect"), so a flow on a plain thread
can freeze the GUI thread for seconds (``bench gui_stall``: ~3 s at 100k SKUs). With the flow
in a child process, the worker thread only waits on a pipe and the GUI keeps its frame rate.

``ProcessFlowRunner`` has the signature of ``run_flow``; each worker thread owns one and
with it one long-lived child (``python -m n11_desktop.workers.flow_child DB``, started on
first use, restarted if it dies). Progress and the final ``FlowResult`` come back as frames
on the child's stdout; a cancel is a frame the child turns into ``should_stop``, so the flow
still stops only at its safe points. A daemon reader thread per child moves frames into a
queue, so the worker thread waits without holding the GIL.
"""

from __future__ import annotations

import logging
import os
import queue
import subprocess
import threading
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping

from ..core.child import module_command, popen_flags
from ..core.domain import FlowProgress, FlowResult, RunState
from ..core.flows.base import FlowNotAvailable, utcnow
from .flow_child import read_frame, write_frame

log = logging.getLogger(__name__)

POLL_S = 0.05
#: the child's argument that says "the database URL is in the environment variable DB_ENV"
DB_FROM_ENV = "--db-from-env"
DB_ENV = "N11_DESKTOP_CHILD_DB"


class ProcessFlowRunner:
    """``run_flow`` in a long-lived child process. One per worker thread; not thread-safe."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = str(db_path)  # an SQLite file, or a database URL (Database.target())
        self._proc: subprocess.Popen | None = None
        self._frames: queue.Queue | None = None

    def _ensure(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            return
        self._drop()
        from ..core.storage.db import is_database_url

        if is_database_url(self.db_path):  # a URL may hold a password: never on the command line
            arg, env = DB_FROM_ENV, {**os.environ, DB_ENV: self.db_path}
        else:
            arg, env = self.db_path, None
        self._proc = subprocess.Popen(module_command("n11_desktop.workers.flow_child", arg),
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                      **popen_flags())
        self._frames = queue.Queue()
        threading.Thread(target=self._read, args=(self._proc.stdout, self._frames), name="n11-flow-process-reader",
                         daemon=True).start()

    @staticmethod
    def _read(stream, frames: queue.Queue) -> None:
        while True:
            try:
                frames.put(read_frame(stream))
            except Exception:  # noqa: BLE001 - EOF, broken pipe, a torn frame: the child is gone
                frames.put(("eof", None))
                return

    def __call__(self, slug: str, db: Any = None, *, trigger: str = "manual",
                 clock: Callable[[], datetime] = utcnow, should_stop: Callable[[], bool] = lambda: False,
                 on_progress: Callable[[FlowProgress], None] | None = None,
                 options: Mapping[str, Any] | None = None, **_ignored: Any) -> FlowResult:
        started = clock()
        self._ensure()
        proc, frames = self._proc, self._frames
        cancelled = False
        try:
            write_frame(proc.stdin, ("run", slug, trigger, dict(options or {})))
        except OSError:
            pass  # the reader reports the dead child
        while True:
            if not cancelled and should_stop():
                cancelled = True
                try:
                    write_frame(proc.stdin, ("cancel",))
                except OSError:
                    pass
            try:
                kind, payload = frames.get(timeout=POLL_S)
            except queue.Empty:
                continue
            if kind == "progress":
                if on_progress is not None:
                    on_progress(payload)
            elif kind == "result":
                return payload
            elif kind == "unavailable":
                raise FlowNotAvailable(payload)
            elif kind == "eof":
                try:
                    code = proc.wait(5)
                except subprocess.TimeoutExpired:
                    code = None
                self._drop()
                return FlowResult(flow=slug, run_id=0, state=RunState.FAILED, trigger=trigger, started_at=started,
                                  ended_at=clock(), message=f"the flow process ended unexpectedly (exit code {code})")
            else:
                return FlowResult(flow=slug, run_id=0, state=RunState.FAILED, trigger=trigger, started_at=started,
                                  ended_at=clock(), message=str(payload))

    def kill(self) -> None:
        """Last resort at shutdown (any thread): end the child now; its run is recovered on next start."""
        proc = self._proc
        if proc is not None and proc.poll() is None:
            proc.kill()

    def close(self, timeout_s: float = 5.0) -> None:
        """Let the idle child exit (it is between jobs when this is called)."""
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.poll() is None:
                try:
                    write_frame(proc.stdin, None)
                except OSError:
                    pass
                try:
                    proc.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    proc.terminate()
                    proc.wait(timeout_s)
        finally:
            self._drop()

    def _drop(self) -> None:
        proc = self._proc
        self._proc = self._frames = None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
