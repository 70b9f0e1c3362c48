"""What the Mapper's parts share: running operations through the runner, table defaults."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QTableView, QWidget

if TYPE_CHECKING:
    from ...app import AppServices

Say = Callable[..., None]  # say(text, error=False): the tab's status line


def pct(x: float) -> str:
    return f"{round(x * 100)}%"


def empty_label(text: str) -> QLabel:
    lab = QLabel(text)
    lab.setWordWrap(True)
    lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
    lab.setStyleSheet("color: #555; padding: 24px;")
    return lab


def table_defaults(view: QTableView) -> None:
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)


class Pane(QWidget):
    """A part of the Mapper. It runs operations off the GUI thread through ``services.runner``
    (with ``latest``, only the newest request of that kind reports back) and reports on the
    tab's status line; once the tab shuts down, late results are ignored."""

    def __init__(self, services: AppServices, say: Say, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._say_to_tab = say
        self.closing = False

    def say(self, text: str, *, error: bool = False) -> None:
        self._say_to_tab(text, error=error)

    def busy(self) -> bool:
        return self.services.runner.pending_for(self) > 0

    def submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
               on_error: Callable[[Any], None] | None = None, *, latest: str | None = None) -> None:
        def done(result: Any) -> None:
            if not self.closing:
                on_done(result)

        def failed(err: Any) -> None:
            if self.closing:
                return
            if on_error is not None:
                on_error(err)
            else:
                self.say(f"⚠ {err}", error=True)

        if latest is None:
            self.services.runner.submit(fn, done, failed, owner=self)
        else:
            self.services.runner.run((self, latest), fn, done, failed)
