"""Start-up to first paint with a big catalog (DESIGN §10).

``startup_first_paint``: a fresh interpreter starts the desktop app (the same objects as
``n11-desktop --db PATH``: database opened and migrated, services, main window) over a profile
of N catalog products, N log rows and the matching price/stock/remote rows, and reports the
time from process launch to the main window's first paint (the process's own
``time.perf_counter`` at the paint minus its start, plus the launch overhead measured from
outside). The baseline is the same start over an empty profile, so the ratio is what the
catalog costs at start-up. ``extra`` also has the time until the first tab reports its data
loaded (off the GUI thread), the time the Products tab takes to show its N rows once the
operator switches to it, and the bare-Qt floor (a ``QMainWindow`` painted by a fresh
interpreter that imports nothing of ours). Median of three starts each (one at smoke sizes).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from . import BenchResult, scenario

REPEATS = 3  # starts per side at full size (1 at smoke sizes)

_CHILD = r"""
import sys, time, json
t_start = time.perf_counter()
mode, db_path = sys.argv[1], sys.argv[2]
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([sys.argv[0]])
marks = {}

class PaintSpy(QObject):
    def eventFilter(self, obj, ev):
        if ev.type() == QEvent.Type.Paint and "paint" not in marks:
            marks["paint"] = time.perf_counter() - t_start
        return False

spy = PaintSpy()
if mode == "qt":
    w = QMainWindow()
    w.resize(1440, 900)
    w.installEventFilter(spy)
    w.show()
    services = None
else:
    from pathlib import Path
    from n11_desktop.core.storage.db import open_database
    from n11_desktop.app import build_services
    from n11_desktop.views.main_window import MainWindow
    db = open_database(Path(db_path))
    services = build_services(db, parent=app)
    w = MainWindow(services)
    w.resize(1440, 900)
    w.installEventFilter(spy)
    w.show()
deadline = time.perf_counter() + 60
tab = w.tabs.currentWidget() if services is not None else None
while time.perf_counter() < deadline:
    app.processEvents()
    if "paint" in marks and "ready" not in marks and (tab is None or getattr(tab, "is_ready", lambda: True)()):
        marks["ready"] = time.perf_counter() - t_start
    if "ready" in marks:
        break
    time.sleep(0.001)
if services is not None and "ready" in marks and "products" in getattr(w, "tab_widgets", {}):
    t_switch = time.perf_counter()
    ptab = w.show_tab("products")
    while time.perf_counter() < deadline:
        app.processEvents()
        if getattr(ptab, "is_ready", lambda: True)():
            marks["products_ready"] = time.perf_counter() - t_switch
            break
        time.sleep(0.001)
print("BENCH " + json.dumps(marks), flush=True)
w.close()
if services is not None:
    services.shutdown()
w.deleteLater()
app.processEvents()
"""


def _start_once(mode: str, db_path: Path, env: dict) -> dict:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", _CHILD, mode, str(db_path)], capture_output=True, text=True,
                          env=env, timeout=300)
    wall = time.perf_counter() - t0
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("BENCH ")), None)
    if proc.returncode != 0 or line is None:
        raise RuntimeError(f"start-up child failed (exit {proc.returncode}): {proc.stderr.strip()[-400:]}")
    marks = json.loads(line[6:])
    if "paint" not in marks:
        raise RuntimeError("the main window never painted")
    # launch overhead (interpreter start before our first line) is wall minus what the child measured
    # up to its exit; approximate it with the interpreter's bare start measured once per run
    return {"paint": marks["paint"], "ready": marks.get("ready", float("nan")),
            "products_ready": marks.get("products_ready", float("nan")), "wall": wall}


def _interpreter_start(env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], env=env, check=True)
    return time.perf_counter() - t0


def _children_peak_rss_mb() -> float | None:
    """Peak RSS of the largest child so far (the app started over the big profile)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return None
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(rss / 1024 / (1024 if sys.platform == "darwin" else 1), 1)


def _median(runs: list[dict], key: str) -> float:
    return statistics.median(r[key] for r in runs)


@scenario("startup_first_paint", quick=2_000, full=100_000,
          description="process launch → main window first paint over a profile of N catalog products "
                      "(vs the same start over an empty profile)")
def bench_startup(size: int, workdir: Path) -> BenchResult:
    from .monitoring import _make_db

    full_dir, empty_dir = workdir / "full", workdir / "empty"
    full_dir.mkdir()
    empty_dir.mkdir()
    full_db = _make_db(full_dir, size, size)
    empty_db = _make_db(empty_dir, 0, 0)
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["XDG_CONFIG_HOME"] = str(workdir / "config")  # never read or write the user's Qt settings
    repeats = REPEATS if size >= 10_000 else 1
    launch = statistics.median(_interpreter_start(env) for _ in range(repeats))
    _start_once("app", empty_db, env)  # warm the OS file cache so both sides start equally warm
    full = [_start_once("app", full_db, env) for _ in range(repeats)]
    empty = [_start_once("app", empty_db, env) for _ in range(repeats)]
    qt = [_start_once("qt", empty_db, env) for _ in range(repeats)]
    t_full = launch + _median(full, "paint")
    t_empty = launch + _median(empty, "paint")
    ready = launch + _median(full, "ready")
    products_ready = _median(full, "products_ready")
    floor = launch + _median(qt, "paint")
    return BenchResult(
        time_s=t_full, baseline_s=t_empty, baseline="same start, empty profile",
        notes=f"first tab's data loaded at {ready:.2f} s; Products tab ({size} rows) ready "
              f"{products_ready * 1000:.0f} ms after switching to it; bare Qt window {floor:.2f} s; "
              f"app peak RSS {_children_peak_rss_mb()} MB",
        extra={"child_peak_rss_mb": _children_peak_rss_mb(), "first_paint_s": t_full, "first_paint_empty_s": t_empty, "first_tab_ready_s": ready, "products_tab_ready_after_switch_s": products_ready,
               "bare_qt_first_paint_s": floor, "interpreter_start_s": launch,
               "db_mb": round(full_db.stat().st_size / 1e6, 1)})
