"""Garbage collection on the GUI thread (see :func:`n11_desktop.gcpause.collect_only_when_asked`).

The GUI process lets no thread collect on its own; a timer on the GUI thread runs the
collections that have come due. Anki, another PySide desktop app, does the same for the same
reason: freeing Qt objects from a background thread crashes or deadlocks."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from ..gcpause import collect_due, collect_only_when_asked

#: how often the GUI thread looks whether a collection is due (ms)
INTERVAL_MS = 500


def install(app: QObject) -> QTimer:
    """Once per application: the collector switched to :func:`collect_due` on a timer of ``app``'s
    (GUI) thread. Returns that timer."""
    timer = app.findChild(QTimer, "n11_gc_timer")
    if timer is None:
        collect_only_when_asked()
        timer = QTimer(app)
        timer.setObjectName("n11_gc_timer")
        timer.setInterval(INTERVAL_MS)
        timer.timeout.connect(collect_due)
        timer.start()
    return timer
