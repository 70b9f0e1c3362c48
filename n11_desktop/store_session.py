"""The desktop app's open store and the switch to another one (issue 16, composition root).

A session owns what one store needs in this process: its database, the services (background
runner, scheduler), the main window and, for a demo store, the built-in sandbox. Switching
stores opens the other store's database first (a store that cannot be opened leaves the current
one as it was, with a message), then builds and shows the new window, then closes the old one —
its tabs, scheduler and workers stop and its lease is released — and disposes its database.
The store opened last is the default next time.
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)


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
        """Open store ``name`` in place of the current one. False (with ``switch_failed``) when
        it cannot be opened; the current store then stays open, untouched."""
        from .core.inputs import one_line
        from .core.stores import Registry, open_store, point_demo_at

        if self.store is not None and self.store.name == name:
            return True
        try:
            registry = Registry.load()
            store = registry.get(name)
            db = open_store(store)
        except Exception as exc:  # noqa: BLE001 - one line for the operator; the open store stays
            self._fail(name, one_line(str(exc), 300))
            return False
        sandbox = None
        try:
            from .core.stores import driven_elsewhere

            # a demo store another process drives (`run --all-stores`) stays on that process's sandbox
            if store.demo and not driven_elsewhere(db):
                from .core.logsetup import register_secret
                from .sandbox.server import DEMO_APP_SECRET

                sandbox = (self._start_sandbox or _default_sandbox)()
                register_secret(DEMO_APP_SECRET)
                point_demo_at(db, sandbox.base_url)
        except Exception as exc:  # noqa: BLE001
            db.dispose()
            if sandbox is not None:
                sandbox.stop()
            self._fail(name, one_line(str(exc), 300))
            return False
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
        return True

    def _renamed(self, old: str, new: str) -> None:
        """The open store was renamed (Store → Manage stores…): this session knows it by its new name."""
        from dataclasses import replace

        if self.store is not None and self.store.name == old:
            self.store = replace(self.store, name=new)

    def _fail(self, name: str, reason: str) -> None:
        log.warning("store %s not opened: %s", name, reason)
        if self.window is not None:
            type(self.window).warn_store_not_opened(self.window, name, reason)
        self.switch_failed.emit(name, reason)

    def shutdown(self) -> None:
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
