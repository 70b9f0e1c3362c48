"""Early task results of a large push applied in a second interpreter (a child process).

In one interpreter the app's CPU is the floor of a large push's wall clock: applying task
results (:class:`.batch_results.EarlyResults`, ≈ 5 s of a 100k push) holds the same interpreter
as the sending thread. :class:`ChildResults` has ``EarlyResults``' interface but runs it in a
child (``python -m n11_desktop.core.results_child``; see :mod:`.child`), on its own database
connection and its own N11 client, so that work uses the machine's other core.

The pipe: frames (4-byte big-endian length + pickle; parent and child are the same program and
user) on the child's stdin: ``("start", params)`` first — the database target (a PostgreSQL URL
holds its password: the pipe, never the command line), the channel configuration (its secrets
likewise), the batch, the flow's slug and run for its log rows —, then ``("ack", task_id, now)``
as the sending thread stores each task, ``("wire", bool)`` around each post (the parent's
``in_flight`` event, carried over: the child writes a task's results while the parent's request
is on the wire, so the sending thread's own transactions do not queue behind it for SQLite's
write lock) and ``("end", stop)``. On stdout the child answers once: ``("summary", PollSummary,
tasks_applied)``.

Nothing is lost when either side dies: each task is applied in its own transaction touching
only records still ``sent``. A parent killed (kill -9) closes the child's stdin: the child
stops at once (the task being written commits or rolls back whole) and exits; what it did not
apply stays ``sent`` for ``task_results``, as with the thread. A child that dies or fails is
reported in the flow's log and its tasks stay ``sent`` for ``task_results``; the push goes on.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import pickle
import subprocess
import sys
import threading
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Callable

from .batches import LogFn, PollSummary, _noop_log
from .child import read_frame, write_frame
from .clock import utcnow

if TYPE_CHECKING:
    from .settings import ChannelConfig
    from .storage.db import Database

MODULE = "n11_desktop.core.results_child"
#: pushes of at least this many records apply their early results in a child process
CHILD_MIN_RECORDS = 20_000
#: the environment variable that overrides CHILD_MIN_RECORDS (tests force the child on small pushes)
CHILD_MIN_ENV = "N11_DESKTOP_RESULTS_CHILD_MIN"

#: the child's scheduling priority below the app's (POSIX ``nice`` increment; on Windows the
#: process is created BELOW_NORMAL): on a two-core PC the window, the flow and N11's answers go
#: first, the results take the time they leave (their tasks are applied a little later, never lost)
CHILD_NICE = 10


def min_records() -> int:
    raw = os.environ.get(CHILD_MIN_ENV)
    if raw:
        try:
            return max(0, int(raw))
        except ValueError:
            pass
    return CHILD_MIN_RECORDS


def can_open_again(db: Database) -> bool:
    """Whether another process can open ``db``: a server database or an SQLite file (not an
    in-memory database)."""
    if db.is_postgresql:
        return True
    path = db.path
    return path is not None and str(path) not in ("", ":memory:") and "mode=memory" not in str(path) \
        and os.path.isfile(path)


def wanted(db: Database, records: int, *, client_factory: Any = None) -> bool:
    """Whether a push of ``records`` records applies its early results in a child."""
    return records >= min_records() and client_factory is None and can_open_again(db)


def _command() -> list[str]:
    from .child import module_command

    return module_command(MODULE)


class _Wire:
    """The parent's ``in_flight`` event as ``send_batch`` uses it (``set``/``clear``), told to the child."""

    def __init__(self, owner: ChildResults) -> None:
        self._owner = owner
        self._on = False

    def set(self) -> None:
        if not self._on:
            self._on = True
            self._owner._send(("wire", True))

    def clear(self) -> None:
        if self._on:
            self._on = False
            self._owner._send(("wire", False))

    def is_set(self) -> bool:
        return self._on


class ChildResults:
    """:class:`.batch_results.EarlyResults` in a child process (same interface: ``acknowledged``,
    ``close``, ``tasks_applied``; ``in_flight`` is the event to hand to ``send_batch``)."""

    def __init__(self, db: Database, config: ChannelConfig, batch_id: int, content_type: str, *, slug: str,
                 run_id: int, trigger: str = "manual", clock: Callable[[], datetime] = utcnow,
                 log_fn: LogFn = _noop_log, should_stop: Callable[[], bool] = lambda: False) -> None:
        from .child import popen_flags

        self._clock, self._log_fn, self._should_stop = clock, log_fn, should_stop
        self._real_clock = clock is utcnow  # else (tests) the child uses the parent's times
        self._lock = threading.Lock()
        self._dead = False
        self.tasks_applied = 0
        self.summary = PollSummary()
        self.in_flight = _Wire(self)
        flags = popen_flags()
        if sys.platform == "win32":  # see CHILD_NICE
            flags["creationflags"] = flags.get("creationflags", 0) | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS",
                                                                             0x4000)
        self._proc = subprocess.Popen(_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, **flags)
        self._send(("start", {
            "target": db.target(), "collation": getattr(db.engine.dialect, "n11_turkish_collation", None),
            "config": dataclasses.replace(config, conf=dict(config.conf)), "batch_id": batch_id, "content_type": content_type, "slug": slug,
            "run_id": run_id, "trigger": trigger}))

    def _send(self, msg: Any) -> None:
        if self._dead:
            return
        with self._lock:
            try:
                write_frame(self._proc.stdin, msg)
            except (OSError, ValueError):  # the child is gone: close() reports it
                self._dead = True

    def acknowledged(self, task_id: str) -> None:
        self._send(("ack", task_id, None if self._real_clock else self._clock()))

    def close(self) -> PollSummary:
        """Tell the child no more tasks come and wait for its summary (no process outlives the send)."""
        proc = self._proc
        self._send(("end", bool(self._should_stop())))
        with self._lock:
            try:
                proc.stdin.close()
            except OSError:
                pass
        try:
            kind, summary, applied = read_frame(proc.stdout)
            if kind != "summary":
                raise EOFError
        except Exception:  # noqa: BLE001 - a dead or failing child: its tasks stay "sent"
            code = proc.wait()
            self._log_fn(f"the process applying early task results ended unexpectedly (exit code {code}); "
                         "task_results will poll the tasks it did not apply", level="WARNING")
        else:
            self.summary, self.tasks_applied = summary, applied
            proc.wait()
        finally:
            proc.stdout.close()
        return self.summary


def main() -> int:  # pragma: no cover - runs in the child process
    inp = os.fdopen(os.dup(sys.stdin.fileno()), "rb")
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not corrupt the frames
    try:
        kind, params = read_frame(inp)
    except (EOFError, OSError, pickle.UnpicklingError):
        return 0
    if kind != "start":
        return 2
    if hasattr(os, "nice"):  # POSIX; Windows: created BELOW_NORMAL (see CHILD_NICE)
        try:
            os.nice(CHILD_NICE)
        except OSError:
            pass
    gc.disable()  # a short-lived applier: thousands of objects a task, no cycles worth collecting
    from sqlalchemy.orm import sessionmaker

    from .batch_results import EarlyResults
    from .flows.base import FlowContext
    from .storage.db import Database, bare_engine, db_target, is_database_url

    target = db_target(params["target"])
    engine = bare_engine(target)  # the parent opened (checked, migrated) it already
    if params.get("collation") is not None:
        engine.dialect.n11_turkish_collation = params["collation"]  # type: ignore[attr-defined]
    db = Database(path=None if is_database_url(target) else target, engine=engine,
                  session_factory=sessionmaker(engine, expire_on_commit=False))
    config = params["config"]
    config = dataclasses.replace(config, conf=MappingProxyType(config.conf))  # as load_config makes it
    ctx = FlowContext(slug=params["slug"], db=db, config=config, run_id=params["run_id"],
                      trigger=params["trigger"])
    now: list[datetime | None] = [None]
    stop, wire = threading.Event(), threading.Event()

    def log(message: str, **kw: Any) -> None:
        ctx.log(message, **kw)

    early = EarlyResults(db, ctx.new_client, ctx.config, params["batch_id"], params["content_type"],
                         clock=lambda: now[0] or utcnow(), log_fn=log, should_stop=stop.is_set, in_flight=wire)
    parent_gone = False
    try:
        while True:
            try:
                msg = read_frame(inp)
            except (EOFError, OSError, pickle.UnpicklingError):
                parent_gone = True  # killed, or the pipe broke: stop now, the rest stays "sent"
                stop.set()
                break
            if msg[0] == "ack":
                if msg[2] is not None:
                    now[0] = msg[2]
                early.acknowledged(msg[1])
            elif msg[0] == "wire":
                (wire.set if msg[1] else wire.clear)()
            elif msg[0] == "end":
                if msg[1]:
                    stop.set()
                break
    finally:
        wire.set()  # no more posts: results still to apply need not wait for one
        summary = early.close()
        engine.dispose()
    if not parent_gone:
        try:
            write_frame(out, ("summary", summary, early.tasks_applied))
        except OSError:
            pass
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
