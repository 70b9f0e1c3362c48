"""One process per database drives the integration: the instance lease (no Qt).

The scheduler of the desktop app and the headless runner (``n11-desktop run``) both close
flow_run rows left "running" when they start and both schedule flows, so only one of them may
work on a database at a time. The one that does holds a lease: the ``app_state`` row
``instance_lease`` = ``{pid, host, role, started, heartbeat}``, taken in a write transaction
(``BEGIN IMMEDIATE`` on SQLite; on PostgreSQL every transaction of a store first takes the store's
advisory lock, ``core/storage/postgres.py``), so two processes starting at once — on one machine
or, sharing a PostgreSQL database, on two — cannot both get it.

* The holder refreshes ``heartbeat`` every :data:`HEARTBEAT_S` seconds (scheduler/runner loops).
* A lease whose heartbeat is older than :data:`STALE_AFTER_S`, or whose pid is not alive on this
  host (a holder on another machine goes stale by its heartbeat only), is stale and is taken over (a killed process never blocks the database for long).
* A clean exit releases it (deletes the row).
* The lease is per process: the same pid on the same host re-takes it (two schedulers in one
  process only happen in tests).

Manual one-off runs (``n11-desktop flow run SLUG``, "Run now" in a GUI whose scheduler is off)
need no lease: they never close other runs, and ``run_flow`` refuses to start a flow while the
same slug runs (the batch rules), so they never overlap a scheduled run.

Times are wall-clock UTC seconds (``time.time``), never a flow's test clock.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

log = logging.getLogger(__name__)

LEASE_KEY = "instance_lease"
HEARTBEAT_S = 20.0
STALE_AFTER_S = 90.0


def this_host() -> str:
    return socket.gethostname() or "localhost"


def this_user() -> str:
    """The OS user this process runs as ("" when unknown): shown with the lease and in the audit trail."""
    try:
        import getpass

        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in the environment / no pwd entry
        return ""


def pid_alive(pid: int) -> bool:
    """Whether ``pid`` runs on this machine. Unknown counts as alive: the lease then goes stale
    by its heartbeat only. Windows has no ``os.kill(pid, 0)`` (it would *terminate* the process),
    so there the answer comes from ``OpenProcess`` + ``GetExitCodeProcess``."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        return _win_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    except OSError:
        return True
    return True


_PROCESS_QUERY_LIMITED_INFORMATION = 0x1000
_STILL_ACTIVE = 259
_ERROR_ACCESS_DENIED = 5
_ERROR_INVALID_PARAMETER = 87  # OpenProcess on a pid no process has


def _win_pid_alive(pid: int, kernel32=None) -> bool:
    """``pid_alive`` on Windows through kernel32 (``kernel32`` is injectable for tests)."""
    try:
        if kernel32 is None:
            import ctypes

            kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
            get_error = ctypes.get_last_error  # type: ignore[attr-defined]
        else:
            get_error = kernel32.get_last_error
        handle = kernel32.OpenProcess(_PROCESS_QUERY_LIMITED_INFORMATION, False, int(pid))
        if not handle:
            err = get_error()
            if err == _ERROR_INVALID_PARAMETER:
                return False
            return True  # access denied (another user's process) or unknown: alive
        try:
            import ctypes

            code = ctypes.c_ulong(0)
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == _STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    except Exception:  # noqa: BLE001 - no kernel32 / ctypes trouble: rely on the heartbeat
        return True


@dataclass(frozen=True, slots=True)
class LeaseHolder:
    pid: int
    host: str
    role: str  # "gui" | "run"
    started: float
    heartbeat: float
    user: str = ""  # the OS user of the holder (leases written before it was recorded: "")

    @classmethod
    def from_value(cls, value) -> "LeaseHolder | None":
        if not isinstance(value, dict):
            return None
        try:
            return cls(pid=int(value.get("pid") or 0), host=str(value.get("host") or ""),
                       role=str(value.get("role") or "?"), started=float(value.get("started") or 0),
                       heartbeat=float(value.get("heartbeat") or 0), user=str(value.get("user") or ""))
        except (TypeError, ValueError):
            return None

    def to_value(self) -> dict:
        return {"pid": self.pid, "host": self.host, "role": self.role, "started": self.started,
                "heartbeat": self.heartbeat, "user": self.user}

    def is_stale(self, now: float, *, stale_after_s: float = STALE_AFTER_S,
                 host: str | None = None, alive: Callable[[int], bool] = pid_alive) -> bool:
        if now - self.heartbeat > stale_after_s:
            return True
        if self.host == (host or this_host()) and not alive(self.pid):
            return True
        return False

    def describe(self, now: float | None = None) -> str:
        """e.g. ``n11-desktop run (pid 4242 on host-a, since 2026-11-27 09:00 UTC, last seen 5 s ago)``."""
        now = time.time() if now is None else now
        what = "n11-desktop run" if self.role == "run" else "the n11-desktop window" if self.role == "gui" \
            else f"n11-desktop ({self.role})"
        since = datetime.fromtimestamp(self.started, tz=timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        ago = max(0, int(now - self.heartbeat))
        user = f", user {self.user}" if self.user else ""
        return f"{what} (pid {self.pid} on {self.host}{user}, since {since}, last seen {ago} s ago)"


class InstanceLease:
    """The lease of one process on one database. ``acquire()`` once, ``heartbeat()`` every
    :data:`HEARTBEAT_S`, ``release()`` on exit. Each call is one short write transaction."""

    def __init__(self, db, role: str, *, now: Callable[[], float] = time.time, pid: int | None = None,
                 host: str | None = None, stale_after_s: float = STALE_AFTER_S,
                 heartbeat_s: float = HEARTBEAT_S, alive: Callable[[int], bool] = pid_alive) -> None:
        self.db = db
        self.role = role
        self.now = now
        self.pid = os.getpid() if pid is None else pid
        self.host = host or this_host()
        self.user = this_user()
        self.stale_after_s = stale_after_s
        self.heartbeat_s = heartbeat_s
        self.alive = alive
        self.held = False
        self.other: LeaseHolder | None = None  # who holds it when we could not take it
        self._started = 0.0
        self._last_beat = 0.0

    def _mine(self, holder: LeaseHolder | None) -> bool:
        return holder is not None and holder.pid == self.pid and holder.host == self.host

    def _take(self) -> bool:
        from .storage.models import AppState

        now = self.now()
        with self.db.session_factory.begin() as s:  # BEGIN IMMEDIATE: one writer at a time
            row = s.get(AppState, LEASE_KEY)
            holder = LeaseHolder.from_value(row.value) if row is not None else None
            if holder is not None and not self._mine(holder) and not holder.is_stale(
                    now, stale_after_s=self.stale_after_s, host=self.host, alive=self.alive):
                self.other = holder
                return False
            if holder is not None and not self._mine(holder):
                log.warning("taking over the stale instance lease of %s", holder.describe(now))
            started = self._started or (holder.started if self._mine(holder) and holder is not None else now)
            value = LeaseHolder(self.pid, self.host, self.role, started, now, self.user).to_value()
            if row is None:
                s.add(AppState(key=LEASE_KEY, value=value))
            else:
                row.value = value
        self._started = started
        self._last_beat = now
        self.other = None
        return True

    def acquire(self) -> bool:
        """Take the lease (free, stale or already ours). False: ``other`` names the holder."""
        self.held = self._take()
        return self.held

    def heartbeat(self) -> bool:
        """Refresh the heartbeat. False if another process took the lease over meanwhile."""
        if not self.held:
            return False
        self.held = self._take()
        if not self.held:
            log.error("lost the instance lease to %s", self.other.describe(self.now()) if self.other else "?")
        return self.held

    def heartbeat_due(self) -> bool:
        return self.held and self.now() - self._last_beat >= self.heartbeat_s

    def release(self) -> None:
        """Give the lease up (only if it is still ours)."""
        if not self.held:
            return
        self.held = False
        from .storage.models import AppState

        try:
            with self.db.session_factory.begin() as s:
                row = s.get(AppState, LEASE_KEY)
                if row is not None and self._mine(LeaseHolder.from_value(row.value)):
                    s.delete(row)
        except Exception:  # noqa: BLE001 - exit goes on; the lease goes stale by itself
            log.exception("could not release the instance lease")


def current_holder(db) -> LeaseHolder | None:
    """Who holds the lease now (stale or not), for status displays and tests."""
    from .storage.models import AppState

    with db.session_factory() as s:
        row = s.get(AppState, LEASE_KEY)
        return LeaseHolder.from_value(row.value) if row is not None else None


def refused_message(holder: LeaseHolder | None, now: float | None = None) -> str:
    who = holder.describe(now) if holder is not None else "another n11-desktop process"
    return (f"{who} already drives this database; only one scheduler may run per database. "
            f"Stop it first (its lease goes stale {int(STALE_AFTER_S)} s after it stops).")
