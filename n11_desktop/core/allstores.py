"""``n11-desktop run --all-stores``: one process drives every store of the registry (no Qt).

Each store gets its own :class:`~.runner.Runner` on its own database, in its own thread, under
its own instance lease (the lease lives in the store's database, so a GUI on a workstation sees
who drives that store). A store that cannot run — its database will not open, another process
holds its lease, its runner crashed — is reported and tried again every ``retry_s`` seconds; it
never stops the others. Bad credentials or an unreachable N11 are ordinary flow failures inside
that store's runner (recorded in its flow_run and log, alarms as usual).

``once``: every store runs its due flows once; the result is 0 when every store ran cleanly.

Memory (issue 18): twenty stores are some sixty threads and twenty databases in one process. A
store's SQLite connections keep a small page cache (:data:`STORE_CACHE_KIB`; the files are read
through the system's cache anyway), the threads share a few malloc arenas, and the free pages of
the C allocator go back to the system every :data:`RELEASE_EVERY_S` (``native_memory``); once a
store has run its cycle (``once``) its database is closed.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from .instance import InstanceLease, refused_message
from .runner import LeaseRefused, Runner, RunnerEvent

log = logging.getLogger(__name__)

RETRY_S = 60.0
#: flows running at once in the whole process, all stores together (a store's own limit is max_workers)
MAX_FLOWS = 4
#: SQLite page cache of each connection to a store's database here (SQLite's default is 2,000 KiB;
#: twenty stores' connections kept ~40 MB of it)
STORE_CACHE_KIB = 256
#: glibc malloc arenas shared by the stores' threads (glibc's default: up to eight per core)
MALLOC_ARENAS = 2
#: how often the loop hands the allocator's free pages back to the system (seconds)
RELEASE_EVERY_S = 2.0


@dataclass
class StoreRun:
    """What happened to one store in this process."""

    name: str
    state: str = "waiting"  # waiting | running | done | stopped | removed | unavailable | refused | crashed
    message: str = ""
    db: Any = None
    runner: Runner | None = None
    thread: threading.Thread | None = None
    attempts: int = 0
    next_try: float = 0.0
    results: list = field(default_factory=list)
    code: int | None = None  # Runner.run's result
    prepared: bool = False  # prepare(store, db) ran (once, under the store's lease)
    removed: bool = False  # gone from the registry: its runner stops, its lease is released
    target: str = ""  # the database it drives (a renamed store is the same database under a new name)

    def counts(self) -> tuple[int, int, int]:
        """(runs, ok, failed) of this store's flow runs in this process."""
        ok = sum(1 for r in self.results if r.state.value == "done")
        failed = sum(1 for r in self.results if r.state.value == "failed")
        return len(self.results), ok, failed

    def summary(self) -> str:
        runs, _ok, failed = self.counts()
        text = f"{self.name}: {self.state}"
        if runs:
            text += f", {runs} flow run(s), {failed} failed"
        if self.message:
            text += f" ({self.message})"
        return text


class AllStoresRunner:
    """Drive every store returned by ``stores()`` (a list of :class:`~.stores.Store`, read again
    at every tick so stores added to the registry later are picked up, and a store removed from it
    is stopped at a safe point, its lease released and its database closed; put back, it runs again)."""

    def __init__(self, stores: Callable[[], Sequence[Any]], *, once: bool = False, max_workers: int = 3,
                 stop_timeout_s: float = 30.0, retry_s: float = RETRY_S,
                 on_event: Callable[[str, RunnerEvent], None] | None = None,
                 on_store: Callable[[StoreRun], None] | None = None,
                 open_db: Callable[[Any], Any] | None = None,
                 make_runner: Callable[..., Runner] | None = None,
                 prepare: Callable[[Any, Any], None] | None = None,
                 tick_s: float = 0.25, max_flows: int = MAX_FLOWS,
                 flow_fn: Callable[..., Any] | None = None) -> None:
        self.stores = stores
        self.once = once
        self.max_workers = max_workers
        self.stop_timeout_s = stop_timeout_s
        self.retry_s = retry_s
        self.on_event = on_event
        self.on_store = on_store
        self.open_db = open_db or _open_store
        self.make_runner = make_runner or Runner
        self.prepare = prepare  # prepare(store, db) before its runner starts (demo stores: their sandbox)
        self.tick_s = tick_s
        # twenty stores due at once would otherwise run sixty flows side by side on a few cores
        self._slots = threading.BoundedSemaphore(max(1, max_flows))
        self._flow_fn = flow_fn
        self.runs: dict[str, StoreRun] = {}
        self._stop = threading.Event()
        self._signalled = False
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ control
    def request_stop(self) -> None:
        self._stop.set()
        with self._lock:
            runners = [r.runner for r in self.runs.values() if r.runner is not None]
        for runner in runners:
            runner.request_stop()

    def request_stop_from_signal(self) -> None:
        """Async-signal-safe: a flag the loop looks at every ``tick_s``."""
        self._signalled = True

    # ------------------------------------------------------------------ the loop
    def run(self) -> int:
        """Run until stopped (or, with ``once``, until every store ran once). 0 when every store
        ran and stopped cleanly; 1 otherwise (each store's state is in :attr:`runs`)."""
        from .native_memory import limit_arenas, release_free_memory

        limit_arenas(MALLOC_ARENAS)  # before the stores' threads start (see native_memory)
        next_release = time.monotonic() + RELEASE_EVERY_S
        try:
            self._start_due(time.monotonic())
            while True:
                if self._signalled and not self._stop.is_set():
                    self.request_stop()
                if self._stop.is_set():
                    break
                self._reap()
                if self.once and not self._any_alive():
                    break
                if not self.once:
                    self._start_due(time.monotonic())
                if time.monotonic() >= next_release:
                    release_free_memory()
                    next_release = time.monotonic() + RELEASE_EVERY_S
                self._stop.wait(self.tick_s)
        finally:
            self.request_stop()
            self._join_all()
        clean = all(r.state in ("done", "stopped", "removed") and r.code in (0, None) for r in self.runs.values())
        return 0 if clean else 1

    def _any_alive(self) -> bool:
        return any(r.thread is not None and r.thread.is_alive() for r in self.runs.values())

    def _start_due(self, now: float) -> None:
        try:
            stores = list(self.stores())
        except Exception as exc:  # noqa: BLE001 - a registry that cannot be read now: the running stores go on
            log.error("cannot read the store list: %s", exc)
            return
        listed = {store.name for store in stores}
        for run in list(self.runs.values()):
            if run.name not in listed and not run.removed:
                self._drop(run)
        # a database whose store left the registry and is still stopping (a renamed store) starts
        # under its new name once the old runner is gone, never two runners on one database
        stopping = {r.target for r in self.runs.values()
                    if r.removed and r.thread is not None and r.thread.is_alive()}
        for store in stores:
            if _target(store) in stopping:
                continue
            run = self.runs.get(store.name)
            if run is None:
                run = self.runs[store.name] = StoreRun(store.name)
            elif run.removed:  # back in the registry
                if run.thread is not None and run.thread.is_alive():
                    continue  # still stopping: started again at the next tick after that
                run.removed, run.next_try, run.prepared = False, 0.0, False
            if run.thread is not None and run.thread.is_alive():
                continue
            if run.state in ("done", "stopped") or now < run.next_try or self._stop.is_set():
                continue
            self._start(store, run, now)

    def _drop(self, run: StoreRun) -> None:
        """A store gone from the registry: its runner stops at a safe point (the lease is released
        as it exits; :meth:`_reap` closes its database); one not running is just marked removed."""
        run.removed = True
        runner = run.runner
        if runner is not None and run.thread is not None and run.thread.is_alive():
            log.info("store %s left the registry: stopping it", run.name)
            runner.request_stop()
            return
        if run.db is not None:
            run.db.dispose()
            run.db = None
        self._set(run, "removed", "")

    def _start(self, store, run: StoreRun, now: float) -> None:
        run.target = _target(store)
        run.attempts += 1
        run.next_try = now + self.retry_s
        from .inputs import one_line

        if run.db is None:
            try:
                run.db = self.open_db(store)
            except Exception as exc:  # noqa: BLE001 - a broken store never stops the others
                self._set(run, "unavailable", one_line(str(exc), 300))
                return
        # the store's lease first: nothing (not even a demo store's sandbox) touches a store another
        # process drives; the Runner re-takes this lease (same process) and releases it on exit
        lease = InstanceLease(run.db, "run")
        try:
            taken = lease.acquire()
        except Exception as exc:  # noqa: BLE001 - e.g. the database server went away
            self._set(run, "unavailable", one_line(str(exc), 300))
            return
        if not taken:
            self._set(run, "refused", refused_message(lease.other))
            return
        if self.prepare is not None and not run.prepared:
            try:
                self.prepare(store, run.db)
            except Exception as exc:  # noqa: BLE001
                lease.release()
                self._set(run, "unavailable", one_line(str(exc), 300))
                return
            run.prepared = True
        events = None
        if self.on_event is not None:
            events = functools.partial(self.on_event, store.name)  # events(ev) → on_event(store, ev)
        run.runner = self.make_runner(run.db, max_workers=self.max_workers, stop_timeout_s=self.stop_timeout_s,
                                      on_event=events, flow_fn=self._limited, lease=lease)
        run.thread = threading.Thread(target=self._drive, args=(run,), name=f"n11-store-{store.name}")
        self._set(run, "running", "")
        run.thread.start()

    def _limited(self, *args, **kwargs):
        """Run one flow when one of the process's ``max_flows`` slots is free."""
        flow_fn = self._flow_fn
        if flow_fn is None:
            from .flows.base import run_flow as flow_fn
        with self._slots:
            return flow_fn(*args, **kwargs)

    def _drive(self, run: StoreRun) -> None:  # the store's thread
        runner = run.runner
        assert runner is not None
        try:
            run.code = runner.run(once=self.once)
        except LeaseRefused as exc:
            run.code = None
            self._set(run, "refused", str(exc))
            return
        except Exception as exc:  # noqa: BLE001 - one store's crash never stops the others
            log.exception("store %s: the scheduler crashed", run.name)
            from .inputs import one_line

            run.code = 1
            self._set(run, "crashed", one_line(f"{type(exc).__name__}: {exc}", 300))
            return
        finally:
            run.results.extend(runner.results)
        if runner.lease_lost:
            self._set(run, "refused", runner.lease_lost)
        elif run.removed:
            self._set(run, "removed", "" if run.code == 0 else "some flows did not stop in time")
        elif self.once:
            self._set(run, "done", "" if run.code == 0 else "some flows did not stop in time")
        elif self._stop.is_set() or runner.stopping:  # everything asked to stop, or this store's runner
            self._set(run, "stopped", "" if run.code == 0 else "some flows did not stop in time")
        else:  # pragma: no cover - Runner.run returns only when asked to stop
            self._set(run, "crashed", "the scheduler stopped by itself")

    def _reap(self) -> None:
        for run in self.runs.values():
            if run.thread is not None and not run.thread.is_alive():
                run.thread.join()
                run.thread = None
                run.runner = None
                # removed from the registry, or (once) its cycle is over: it is not started again here
                if run.db is not None and (run.removed or (self.once and run.state == "done")):
                    run.db.dispose()
                    run.db = None

    def _join_all(self) -> None:
        deadline = time.monotonic() + self.stop_timeout_s + 5
        for run in self.runs.values():
            if run.thread is not None:
                run.thread.join(max(0.0, deadline - time.monotonic()))
                if run.thread.is_alive():
                    self._set(run, "crashed", "did not stop in time")
                    continue
                run.thread = None
            if run.db is not None:
                run.db.dispose()
                run.db = None

    def _set(self, run: StoreRun, state: str, message: str) -> None:
        run.state, run.message = state, message
        if state in ("unavailable", "refused", "crashed"):
            log.error("store %s: %s: %s", run.name, state, message)
        if self.on_store is not None:
            try:
                self.on_store(run)
            except Exception:  # noqa: BLE001
                log.exception("store event handler failed")


def _target(store) -> str:
    try:
        return str(store.target())
    except Exception:  # noqa: BLE001 - a stand-in store of a test
        return store.name


def _open_store(store):
    from .stores import open_store

    db = open_store(store)
    if db.is_sqlite:
        _small_page_cache(db.engine, STORE_CACHE_KIB)
    return db


def _small_page_cache(engine, kib: int) -> None:
    """Every connection of ``engine`` from now on keeps at most ``kib`` KiB of SQLite page cache;
    the connections pooled while the database was checked and upgraded are closed (new ones
    are opened on demand)."""
    from sqlalchemy import event

    def on_connect(dbapi_conn, _record) -> None:
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA cache_size = -{int(kib)}")
        finally:
            cur.close()

    event.listen(engine, "connect", on_connect)
    engine.dispose()
