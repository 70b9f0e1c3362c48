"""Composition root: wires the database, the background runner, the sandbox and the views."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol, runtime_checkable

from PySide6.QtCore import QObject, SignalInstance

from .core.storage.db import Database
from .workers.background import BackgroundRunner
from .workers.scheduler import build_scheduler

if TYPE_CHECKING:
    from .core.schedule import FlowStatus
    from .sandbox.server import SandboxServer


@runtime_checkable
class SchedulerPort(Protocol):
    """What the views use of the GUI scheduler (``workers.scheduler.SchedulerHost``): run a flow
    now (never overlapping its scheduled run), cancel, pause, and its signals. ``services.scheduler``
    is None only where a test builds the services without one; views then run flows on the runner."""

    flow_started: SignalInstance  # (slug)
    flow_progress: SignalInstance  # (FlowProgress)
    flow_finished: SignalInstance  # (FlowResult)
    state_changed: SignalInstance  # (state text)
    statuses_changed: SignalInstance  # (tuple[FlowStatus, ...])
    running_changed: SignalInstance  # (status-bar text, done, total)
    lease_refused: SignalInstance  # (who holds the lease)

    @property
    def paused(self) -> bool: ...

    @property
    def state(self) -> str: ...

    def start(self) -> None: ...

    def shutdown(self, timeout_ms: int = 10_000) -> bool: ...

    def pause(self) -> None: ...

    def resume(self) -> None: ...

    def run_now(self, slug: str, options: Mapping[str, Any] | None = None, trigger: str = "manual") -> None: ...

    def trigger_webhook(self, slug: str, options: Mapping[str, Any] | None = None) -> None: ...

    def cancel(self, slug: str) -> bool: ...

    def refresh(self) -> None: ...

    def statuses(self) -> tuple[FlowStatus, ...]: ...

    def attach_status(self, window: Any) -> None: ...


@dataclass
class AppServices:
    """What views get (never the engine directly: they submit work to ``runner``)."""

    db: Database
    runner: BackgroundRunner
    ui_settings_path: Path
    demo: bool = False
    sandbox: SandboxServer | None = None  # a running N11 sandbox in demo mode
    scheduler: SchedulerPort | None = None  # set by build_services
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
        if self.scheduler is not None:
            ok = bool(self.scheduler.shutdown(timeout_ms)) and ok
        ok = self.runner.shutdown(timeout_ms) and ok
        return ok


def build_services(db: Database, *, parent: QObject | None = None, demo: bool = False,
                   sandbox: SandboxServer | None = None) -> AppServices:
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
