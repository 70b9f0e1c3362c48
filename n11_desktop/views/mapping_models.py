"""Item models of the Categories & Mapping tab (GUI thread; data built off-thread)."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from PySide6.QtCore import QAbstractItemModel, QCollator, QLocale, QModelIndex, QPersistentModelIndex, \
    QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor, QFont

from n11_desktop.core.mapping.text import fold
from n11_desktop.core.mapping.tree import TreeData, matching_positions

from .rows_model import ROW_ROLE, SORT_ROLE, Column, RowsModel

__all__ = ["ROW_ROLE", "SORT_ROLE", "Column", "RowsModel", "N11TreeModel"]

T = TypeVar("T")
NODE_ID_ROLE = Qt.ItemDataRole.UserRole + 1

_GREY = QBrush(QColor("#7a7a7a"))
_RED = QBrush(QColor("#b3261e"))
_GREEN = QBrush(QColor("#1b7a3a"))
_AMBER = QBrush(QColor("#9a6700"))


class N11TreeModel(QAbstractItemModel):
    """The N11 category tree over :class:`TreeData`; internal id = node position + 1."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._data: TreeData | None = None
        self._mapped: dict[int, int] = {}  # N11 id -> number of local categories mapped to it
        self._bold = QFont()
        self._bold.setBold(True)

    def set_data(self, data: TreeData | None) -> None:
        self.beginResetModel()
        self._data = data
        self.endResetModel()

    def set_mapped(self, mapped: dict[int, int]) -> None:
        self._mapped = dict(mapped)  # views repaint (viewport().update()); no structural change

    @property
    def tree(self) -> TreeData | None:
        return self._data

    def _pos(self, index: QModelIndex | QPersistentModelIndex) -> int:
        return int(index.internalId()) - 1

    def index(self, row: int, column: int, parent=QModelIndex()) -> QModelIndex:  # noqa: B008
        d = self._data
        if d is None or column != 0 or row < 0:
            return QModelIndex()
        kids = d.roots if not parent.isValid() else d.children[self._pos(parent)]
        if row >= len(kids):
            return QModelIndex()
        return self.createIndex(row, 0, kids[row] + 1)

    def parent(self, index=QModelIndex()) -> QModelIndex:  # noqa: B008
        d = self._data
        if d is None or not index.isValid():
            return QModelIndex()
        p = d.parent[self._pos(index)]
        if p < 0:
            return QModelIndex()
        return self.createIndex(d.row[p], 0, p + 1)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        d = self._data
        if d is None or parent.column() > 0:
            return 0
        if not parent.isValid():
            return len(d.roots)
        return len(d.children[self._pos(parent)])

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 1

    def hasChildren(self, parent=QModelIndex()) -> bool:  # noqa: N802, B008
        return self.rowCount(parent) > 0

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and section == 0:
            return self.tr("N11 category")
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        d = self._data
        if d is None or not index.isValid():
            return None
        node = d.nodes[self._pos(index)]
        if role == Qt.ItemDataRole.DisplayRole:
            n = self._mapped.get(node.id)
            suffix = "   ← " + self.tr("%1 local").replace("%1", str(n)) if n else ""
            return f"{node.name}  ({node.id}){suffix}" if node.is_leaf else f"{node.name}{suffix}"
        if role == NODE_ID_ROLE:
            return node.id
        if role == Qt.ItemDataRole.ToolTipRole:
            kind = self.tr("leaf — products can go here") if node.is_leaf else \
                self.tr("not a leaf — open it to choose a sub-category")
            return f"{node.path}\nid {node.id} · {kind}"
        if role == Qt.ItemDataRole.ForegroundRole:
            if node.removed:
                return _RED
            if not node.is_leaf:
                return None
            return _GREEN if node.id in self._mapped else None
        if role == Qt.ItemDataRole.FontRole and node.id in self._mapped:
            return self._bold
        return None

    def index_of(self, node_id: int) -> QModelIndex:
        d = self._data
        if d is None or node_id not in d.by_id:
            return QModelIndex()
        pos = d.by_id[node_id]
        return self.createIndex(d.row[pos], 0, pos + 1)


class TreeFilterProxy(QSortFilterProxyModel):
    """Shows nodes matching every typed word (Turkish folding), their ancestors and subtrees."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._keep: set[int] | None = None

    def set_query(self, query: str) -> int | None:
        src = self.sourceModel()
        data = src.tree if src is not None else None
        keep = matching_positions(data, query) if data is not None else None
        if keep is not None and data is not None:
            # a matched node none of whose descendants match shows its sub-tree (typing a parent
            # shows what is inside); a matched node with matching descendants shows only those
            words = _words(query)
            matched = [p for p in keep if all(w in data.folded[p] for w in words)]
            above: set[int] = set()
            for p in matched:
                q = data.parent[p]
                while q != -1 and q not in above:
                    above.add(q)
                    q = data.parent[q]
            stack = [p for p in matched if p not in above]
            while stack:
                p = stack.pop()
                for k in data.children[p]:
                    if k not in keep:
                        keep.add(k)
                        stack.append(k)
        if hasattr(self, "beginFilterChange"):  # Qt ≥ 6.10 (invalidateFilter is deprecated there)
            self.beginFilterChange()
            self._keep = keep
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self._keep = keep
            self.invalidateFilter()
        return None if keep is None else len(keep)

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802
        if self._keep is None:
            return True
        idx = self.sourceModel().index(source_row, 0, source_parent)
        return (int(idx.internalId()) - 1) in self._keep


def _words(query: str) -> list[str]:
    return fold(query).split()


RED, GREEN, AMBER, GREY = _RED, _GREEN, _AMBER, _GREY


class FoldFilterProxy(QSortFilterProxyModel):
    """Row filter over a :class:`RowsModel`: every typed word must appear (Turkish folding)
    in the text ``key(row)`` gives."""

    def __init__(self, key: Callable[[Any], str], parent=None) -> None:
        super().__init__(parent)
        self._key = key
        self._words: list[str] = []
        # text columns sort in the language's alphabetical order (Turkish: … c ç … ı i … ş …), case-insensitive
        self._collator = QCollator(QLocale())
        self._collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._collator.setNumericMode(True)

    def lessThan(self, left, right) -> bool:  # noqa: N802 - Qt API
        a, b = left.data(self.sortRole()), right.data(self.sortRole())
        if isinstance(a, str) and isinstance(b, str):
            return self._collator.compare(a, b) < 0
        return super().lessThan(left, right)

    def set_query(self, query: str) -> None:
        words = fold(query).split()
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:  # pragma: no cover - older Qt
            self._words = words
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802
        if not self._words:
            return True
        row = self.sourceModel().row_at(source_row)
        text = fold(self._key(row)) if row is not None else ""
        return all(w in text for w in self._words)
