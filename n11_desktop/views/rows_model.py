"""A read-only table model over a tuple of frozen rows, shared by the tabs.

Rows arrive from a worker as frozen dataclasses; ``data()`` only formats what it is given
(STYLE §2.6: cheap ``data()``, begin/end bracketing, no SQL on the GUI thread).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Sequence, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush

T = TypeVar("T")
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
SORT_ROLE = Qt.ItemDataRole.UserRole + 3


@dataclass(frozen=True)
class Column(Generic[T]):
    header: str
    display: Callable[[T], Any]
    sort: Callable[[T], Any] | None = None
    color: Callable[[T], QBrush | None] | None = None
    tooltip: Callable[[T], str | None] | None = None
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter


class RowsModel(QAbstractTableModel, Generic[T]):
    """A read-only table over a tuple of frozen rows."""

    def __init__(self, columns: Sequence[Column[T]], parent=None) -> None:
        super().__init__(parent)
        self._cols = tuple(columns)
        self._rows: tuple[T, ...] = ()

    def set_rows(self, rows: Sequence[T]) -> None:
        self.beginResetModel()
        self._rows = tuple(rows)
        self.endResetModel()

    @property
    def rows(self) -> tuple[T, ...]:
        return self._rows

    def row_at(self, row: int) -> T | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._cols)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self._cols):
            return self._cols[section].header
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self._rows[index.row()]
        c = self._cols[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            v = c.display(r)
            return "" if v is None else str(v)
        if role == SORT_ROLE:
            return (c.sort or c.display)(r)
        if role == ROW_ROLE:
            return r
        if role == Qt.ItemDataRole.ForegroundRole and c.color is not None:
            return c.color(r)
        if role == Qt.ItemDataRole.ToolTipRole and c.tooltip is not None:
            return c.tooltip(r)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(c.align)
        return None

    def append_rows(self, rows: Sequence[T]) -> None:
        """Add a page at the end (keyset paging) without resetting the view."""
        rows = tuple(rows)
        if not rows:
            return
        first = len(self._rows)
        self.beginInsertRows(QModelIndex(), first, first + len(rows) - 1)
        self._rows = self._rows + rows
        self.endInsertRows()
