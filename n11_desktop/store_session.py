"""The desktop app's open store and the switch to another one (issue 16, composition root).

A session owns what one store needs in this process: its database, the services (background
runner, scheduler), the main window and, for a demo store, the built-in sandbox. Switching
stores opens the other store's database first, on a pool thread (its migrations, a PostgreSQL
server's connect and timeout, a demo store's sandbox), while the window stays usable and says
"Opening store X…" with its Store actions off; a store that cannot be opened leaves the current one
as it was, with its one-line reason. Once open, the new window is built and shown, then the old
one is closed — its tabs, scheduler and workers stop and its lease is released — and its database
disposed.
The store opened last is the default next time.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

from .workers.background import BackgroundRunner

log = logging.getLogger(__name__)


class StoreNotOpened(Exception):
    """The one line saying why a store could not be opened."""


@dataclass(frozen=True)
class _Opened:
    store: Any  # core.stores.Store
    db: Any  # core.storage.db.Database
    sandbox: Any = None


def _dispose(db, sandbox) -> None:
    if db is not None:
        db.dispose()
    if sandbox is not None:
        sandbox.stop()


class StoreSession(QObject):
    switched = Signal(str)  # the store now open
    switch_failed = Signal(str, str)  # store, one-line reason

    def __init__(self, app, *, db, store=None, demo: bool = False, sandbox: Any = None,
                 start_scheduler: bool = True, start_sandbox: Callable[[], Any] | None = None,
                 build: Callable[..., Any] | None = None) -> None:
        super().__init__(app)
        self.app = app
        self.db = db
        self.store = store  # core.stores.Store, or None (--db / --demo / no registry)
        self.demo = demo
        self.sandbox = sandbox
        self.start_scheduler = start_scheduler
        self._start_sandbox = start_sandbox
        self._build = build
        self.services = None
        self.window = None
        self.switches = 0  # stores switched to in this session
        # the other store is opened off the GUI thread, one at a time; the runner outlives the windows
        self.runner = BackgroundRunner(self, max_threads=1)
        self.opening: str | None = None  # the store being opened now
        self._lock = threading.Lock()
        self._closed = False
        self._unclaimed: _Opened | None = None  # opened on the pool thread, not swapped in yet

    # ------------------------------------------------------------------ building
    def open_window(self):
        from .app import build_services
        from .views.main_window import MainWindow

        services = build_services(self.db, parent=self.app, demo=self.demo, sandbox=self.sandbox)
        services.store_name = self.store.name if self.store is not None else ""
        window = MainWindow(services)
        window.store_switch_requested.connect(self.switch_to)
        window.store_renamed.connect(self._renamed)
        self.services, self.window = services, window
        return window

    def start(self) -> None:
        self.window.show()
        if self.start_scheduler and self.services.scheduler is not None:
            self.services.scheduler.start()

    # ------------------------------------------------------------------ switching
    def switch_to(self, name: str) -> bool:
        """Start opening store ``name`` in place of the current one, off the GUI thread (its
        migrations, a PostgreSQL server's connect and timeout, a demo store's sandbox). True when
        the switch started (or ``name`` is open already); False while another switch is under way
        or once the session shut down. The outcome comes as ``switched`` or ``switch_failed``; a
        store that cannot be opened leaves the current one open, untouched."""
        if self.store is not None and self.store.name == name:
            return True
        if self.opening is not None or self._closed:
            return False
        self.opening = name
        if self.window is not None:
            self.window.set_store_opening(name)
        start_sandbox = self._start_sandbox or _default_sandbox
        job = self.runner.run((self, "open"), lambda: self._open(name, start_sandbox), self._opened,
                              lambda err: self._open_failed(name, err))
        if not job:  # the runner is shutting down
            self.opening = None
            return False
        return True

    def _open(self, name: str, start_sandbox: Callable[[], Any]) -> "_Opened":
        """On a pool thread: the store's database opened and migrated, a demo store's sandbox started
        and the store pointed at it. Whatever fails is undone and raised as one line."""
        from .core.inputs import one_line
        from .core.stores import Registry, driven_elsewhere, open_store, point_demo_at

        db = sandbox = None
        try:
            store = Registry.load().get(name)
            db = open_store(store)
            # a demo store another process drives (`run --all-stores`) stays on that process's sandbox
            if store.demo and not driven_elsewhere(db):
                from .core.logsetup import register_secret
                from .sandbox.server import DEMO_APP_SECRET

                sandbox = start_sandbox()
                register_secret(DEMO_APP_SECRET)
                point_demo_at(db, sandbox.base_url)
        except Exception as exc:  # noqa: BLE001 - one line for the operator; the open store stays
            _dispose(db, sandbox)
            raise StoreNotOpened(one_line(str(exc), 300)) from None
        opened = _Opened(store, db, sandbox)
        with self._lock:
            if self._closed:  # the app quit meanwhile: nobody takes this store any more
                _dispose(db, sandbox)
                raise StoreNotOpened("the app is closing")
            self._unclaimed = opened
        return opened

    def _opened(self, opened: "_Opened") -> None:
        """GUI thread: the other store is open; swap the windows."""
        from .core.stores import Registry

        with self._lock:
            if self._unclaimed is not opened:  # shutdown() took it (and disposed it)
                return
            self._unclaimed = None
        self.opening = None
        store, db, sandbox = opened.store, opened.db, opened.sandbox
        old_window, old_services, old_db, old_sandbox = self.window, self.services, self.db, self.sandbox
        geometry = old_window.saveGeometry() if old_window is not None else None
        self.db, self.store, self.sandbox, self.demo = db, store, sandbox, bool(store.demo)
        window = self.open_window()
        if geometry is not None:
            window.restoreGeometry(geometry)
        self.start()
        if old_window is not None:  # the new window shows first, so the app never has no window
            old_window.close()  # tabs, scheduler and workers stop; the lease is released
            old_services.shutdown()
            old_window.deleteLater()
        if old_db is not None:
            old_db.dispose()
        if old_sandbox is not None:
            old_sandbox.stop()
        try:
            registry = Registry.load()
            registry.set_default(store.name)
            registry.save()
        except Exception as exc:  # noqa: BLE001 - the switch worked; only "open it next time" did not
            log.warning("could not remember %s as the default store: %s", store.name, exc)
        self.switches += 1
        self.switched.emit(store.name)

    def _open_failed(self, name: str, err) -> None:
        self.opening = None
        if self.window is not None:
            self.window.set_store_opening(None)
        self._fail(name, str(err))

    def _renamed(self, old: str, new: str) -> None:
        """The open store was renamed (Store → Manage stores…): this session knows it by its new name."""
        from dataclasses import replace

        if self.store is not None and self.store.name == old:
            self.store = replace(self.store, name=new)

    def _fail(self, name: str, reason: str) -> None:
        log.warning("store %s not opened: %s", name, reason)
        if self.window is not None:
            self.window.show_store_not_opened(name, reason)
        self.switch_failed.emit(name, reason)

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
        self.runner.shutdown()  # a store being opened: waited for (bounded), never swapped in
        with self._lock:
            leftover, self._unclaimed = self._unclaimed, None
        if leftover is not None:
            _dispose(leftover.db, leftover.sandbox)
        self.opening = None
        if self.window is not None and self.window.isVisible():
            self.window.close()
        if self.services is not None:
            self.services.shutdown()
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None


def _default_sandbox():
    from .gui import start_demo_sandbox

    return start_demo_sandbox()
