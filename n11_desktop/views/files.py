"""The screens' file choosers in one place. Each screen keeps its own ``ask_*`` / ``choose_*``
method (titles and filters in its translation context; tests patch those methods) and asks here."""

from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QWidget


def open_path(parent: QWidget | None, title: str, file_filter: str, start: str = "") -> str | None:
    """The file to read, None if cancelled."""
    path, _ = QFileDialog.getOpenFileName(parent, title, start, file_filter)
    return path or None


def save_path(parent: QWidget | None, title: str, default_name: str, file_filter: str) -> str | None:
    """The file to write, None if cancelled."""
    path, _ = QFileDialog.getSaveFileName(parent, title, default_name, file_filter)
    return path or None
