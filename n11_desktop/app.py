"""Composition root: wires the database, the background runner, the sandbox and the views."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject

from .core.storage.db import Database
from .workers.background import BackgroundRunner
from .workers.scheduler import build_scheduler


@dataclass
class AppServices:
    """What views get (never the engine directly: they submit work to ``runner``)."""

    db: Database
    runner: BackgroundRunner
    ui_settings_path: Path
    demo: bool = False
    sandbox: Any = None  # a running SandboxServer in demo mode
    scheduler: Any = None  # workers.scheduler.SchedulerHost (set by build_services)
    store_name: str = ""  # the store (core.stores) this window works on; "" with --db / one database
    extras: dict[str, Any] = field(default_factory=dict)
    _listeners: dict[str, list[Callable[[Any], None]]] = field(default_factory=dict)

    # Events (GUI thread): "stock_changed" / "price_changed" (payload: tuple of product ids),
    # "catalog_changed", "settings_changed", "flow_finished" (payload: FlowResult), "mapping_changed".
    def subscribe(self, event: str, fn: Callable[[Any], None]) -> None:
        self._listeners.setdefault(event, []).append(fn)

    def emit(self, event: str, payload: Any = None) -> None:
        for fn in list(self._listeners.get(event, ())):
            fn(payload)

    def shutdown(self, timeout_ms: int = 10_000) -> bool:
        ok = True
        if self.scheduler is not None and hasattr(self.scheduler, "shutdown"):
            ok = bool(self.scheduler.shutdown(timeout_ms)) and ok
        ok = self.runner.shutdown(timeout_ms) and ok
        return ok


def build_services(db: Database, *, parent: QObject | None = None, demo: bool = False, sandbox: Any = None) -> AppServices:
    runner = BackgroundRunner(parent)
    if db.path is not None:
        ui_path = db.path.with_name(db.path.stem + ".ui.ini")
    else:  # a PostgreSQL database: the window state stays on this workstation
        from .core.paths import data_dir
        from .core.storage.postgres import local_name

        ui_path = data_dir() / f"{local_name(db.target())}.ui.ini"
    services = AppServices(db=db, runner=runner, ui_settings_path=ui_path, demo=demo, sandbox=sandbox)
    services.scheduler = build_scheduler(services, parent=parent)
    return services
