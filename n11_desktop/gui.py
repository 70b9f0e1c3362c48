"""Start the desktop app (or render screenshots and exit)."""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path

log = logging.getLogger(__name__)

SCREENSHOT_SIZE = (1440, 900)
SCREENSHOT_WAIT_S = 15.0


def run_gui(args, ctx) -> int:
    if args.screenshot is not None and sys.platform.startswith("linux") and not os.environ.get("DISPLAY") \
            and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from .core.logsetup import register_secret, setup_logging
    from .core.paths import log_dir

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setOrganizationName("n11-desktop")
    app.setApplicationName("n11-desktop")
    app.setApplicationDisplayName("n11-desktop")

    sandbox = None
    db_path = ctx.resolved_db_path()
    setup_logging(db_path.parent / "logs" if args.demo else log_dir())
    try:
        db = ctx.db()
        if args.demo:
            from .core.demo import prepare_demo
            from .sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET, SandboxServer

            sandbox = SandboxServer(port=0, demo_orders=True, task_delay_ms=1500)
            sandbox.start()
            register_secret(DEMO_APP_SECRET)
            prepare_demo(db, base_url=sandbox.base_url, app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET)
        from .app import build_services
        from .views.main_window import MainWindow

        services = build_services(db, parent=app, demo=bool(args.demo), sandbox=sandbox)
        window = MainWindow(services)
        try:
            if args.screenshot is not None:
                return render_screenshots(app, window, Path(args.screenshot))
            window.show()
            if services.scheduler is not None and hasattr(services.scheduler, "start"):
                services.scheduler.start()
            return int(app.exec())
        finally:
            # Tear Qt objects down in a fixed order while the QApplication is still alive
            # (letting the garbage collector pick the order crashes at interpreter exit).
            if window.isVisible():
                window.close()
            services.shutdown()
            window.deleteLater()
            del window
            app.processEvents()
            _KEEP.append(app)
    finally:
        if sandbox is not None:
            sandbox.stop()


_KEEP: list = []  # the QApplication outlives every widget until the process exits


def render_screenshots(app, window, out_dir: Path) -> int:
    """Render every tab to ``out_dir/<tab>.png`` once its data has loaded."""
    out_dir.mkdir(parents=True, exist_ok=True)
    window.resize(*SCREENSHOT_SIZE)
    window.show()
    written = []
    for slug in window.tab_slugs():
        tab = window.show_tab(slug)
        _settle(app, window, tab)
        path = out_dir / f"{slug}.png"
        if not window.grab().save(str(path)):
            print(f"n11-desktop: could not write {path}", file=sys.stderr)
            return 1
        written.append(path)
    window.close()
    app.processEvents()
    print(f"wrote {len(written)} screenshots to {out_dir}")
    return 0


def _settle(app, window, tab) -> None:
    deadline = time.monotonic() + SCREENSHOT_WAIT_S
    runner = window.services.runner
    quiet_since = None
    while time.monotonic() < deadline:
        app.processEvents()
        ready = getattr(tab, "is_ready", lambda: True)()
        if runner.pending == 0 and ready:
            quiet_since = quiet_since or time.monotonic()
            if time.monotonic() - quiet_since > 0.3:
                break
        else:
            quiet_since = None
        time.sleep(0.02)
    app.processEvents()
