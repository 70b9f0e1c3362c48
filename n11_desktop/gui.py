"""Start the desktop app (or render screenshots and exit)."""

from __future__ import annotations

import logging
import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

from .i18n import fill, translate

log = logging.getLogger(__name__)

SCREENSHOT_SIZE = (1440, 900)
SCREENSHOT_WAIT_S = 15.0
# Room above the text of every tab: Fusion draws unselected tabs 2 px lower and clips the marks above
# Turkish capitals (the dot of İ, the dots of Ü and Ö) without it.
TAB_STYLE = ("QTabBar::tab { padding: 5px 12px 4px 12px; border: 1px solid palette(mid); border-bottom: none; "
             "background: palette(button); margin-right: 1px; border-top-left-radius: 4px; "
             "border-top-right-radius: 4px; } QTabBar::tab:selected { background: palette(base); } "
             "QTabBar::tab:!selected { margin-top: 2px; }")


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
    set_app_icon(app)
    from . import i18n
    from .core.formats import choose_language

    i18n.install(app, choose_language(getattr(args, "lang", None)))
    app.setStyleSheet(TAB_STYLE)

    sandbox = None
    store = ctx.store_entry()  # None with --db / --demo, or without a store registry
    demo = bool(args.demo) or bool(store is not None and store.demo)
    db_path = ctx.resolved_db_path()
    setup_logging(db_path.parent / "logs" if args.demo and isinstance(db_path, Path) else log_dir())
    try:
        db = ctx.db()
        if demo and not args.demo:
            from .core.stores import driven_elsewhere

            # a demo store another process drives (`run --all-stores`) stays on that process's sandbox
            own_sandbox = not driven_elsewhere(db)
        else:
            own_sandbox = demo
        if own_sandbox:
            from .sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET

            sandbox = start_demo_sandbox()
            register_secret(DEMO_APP_SECRET)
        if args.demo:
            from .core.demo import prepare_demo

            prepare_demo(db, base_url=sandbox.base_url, app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET)
            if args.screenshot is not None:  # no scheduler in screenshot mode: do its first pass here
                from .core.demo import warm_up_demo

                warm_up_demo(db)
        elif own_sandbox:  # a demo store (`stores add NAME --demo`): pointed at this process's sandbox
            from .core.stores import point_demo_at

            point_demo_at(db, sandbox.base_url)
        from .store_session import StoreSession

        session = StoreSession(app, db=db, store=store, demo=demo, sandbox=sandbox,
                               start_scheduler=args.screenshot is None)
        sandbox = None  # the session owns it now (and stops it when it switches away)
        session.open_window()
        try:
            if args.screenshot is not None:
                return render_screenshots(app, session.window, Path(args.screenshot))
            session.start()
            _quit_on_signals(app)
            return int(app.exec())
        finally:
            # Tear Qt objects down in a fixed order while the QApplication is still alive
            # (letting the garbage collector pick the order crashes at interpreter exit).
            session.shutdown()
            session.window.deleteLater()
            session.window = None
            app.processEvents()
            if session.db is not db:  # a store switched to; ctx closes the one it opened
                session.db.dispose()
            _KEEP.append(app)
    finally:
        if sandbox is not None:
            sandbox.stop()


APP_ICON = Path(__file__).resolve().parent / "resources" / "icons" / "n11-desktop.png"


def set_app_icon(app) -> None:
    """The app icon on every window and, on Windows, on the taskbar (its own AppUserModelID, so the
    taskbar shows this icon and not the interpreter's)."""
    from PySide6.QtGui import QIcon

    app.setWindowIcon(QIcon(str(APP_ICON)))
    if sys.platform == "win32":
        try:
            import ctypes

            ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID("n11-desktop.n11-desktop")  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - cosmetic
            pass


_KEEP: list = []  # the QApplication outlives every widget until the process exits


def _quit_on_signals(app) -> None:
    """Ctrl-C / SIGTERM close the window like the close button does (flows stop at a safe point)."""
    import signal

    from PySide6.QtCore import QTimer

    def quit_app(*_args) -> None:
        app.closeAllWindows()
        app.quit()

    for name in ("SIGINT", "SIGTERM"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, quit_app)
    timer = QTimer(app)  # let the interpreter run its signal handlers while Qt's loop waits
    timer.timeout.connect(lambda: None)
    timer.start(250)


class SandboxProcess:
    """The demo's N11 sandbox in its own process, so its work never competes with the GUI thread."""

    def __init__(self, proc: subprocess.Popen, url: str) -> None:
        self.proc, self.url, self.base_url = proc, url, url + "/ws/"

    def stop(self) -> None:
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def start_demo_sandbox(timeout_s: float = 30.0):
    """Start the sandbox in a child process (in-process if that fails) and return it once it listens."""
    from .core.child import module_command, popen_flags

    cmd = module_command("n11_desktop.sandbox", "--host", "127.0.0.1", "--port", "0", "--demo-orders",
                         "--task-delay-ms", "1500", "--exit-with-parent")
    try:  # stdin stays open while we live: the sandbox stops when it closes, even if we are killed
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.PIPE,
                                text=True, encoding="utf-8", **popen_flags())
    except OSError as exc:
        log.warning("could not start the sandbox process (%s); running it in-process", exc)
        return _in_process_sandbox()
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        for line in proc.stdout:  # type: ignore[union-attr]
            lines.put(line)
            if "listening on" in line:
                return

    threading.Thread(target=read, name="n11-sandbox-start", daemon=True).start()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        match = re.search(r"listening on (http://\S+)", line)
        if match:
            return SandboxProcess(proc, match.group(1).rstrip("/"))
    proc.kill()
    proc.wait(5)
    log.warning("the sandbox process did not start in time; running it in-process")
    return _in_process_sandbox()


def _in_process_sandbox():
    from .sandbox.server import SandboxServer

    server = SandboxServer(port=0, demo_orders=True, task_delay_ms=1500)
    server.start()
    return server


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
            print("n11-desktop: " + fill(translate("cli", "could not write %1"), path), file=sys.stderr)
            return 1
        written.append(path)
    window.close()
    app.processEvents()
    print(fill(translate("cli", "wrote %1 screenshots to %2"), len(written), out_dir))
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
