"""The catalog import report: what a file would change (dry run) or did change, and every bad row."""

from __future__ import annotations

from typing import Any, Callable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.catalog.importer import ImportReport


class TupleTableModel(QAbstractTableModel):
    """Read-only rows of plain values (bad rows, changes)."""

    def __init__(self, headers: Sequence[str], rows: Sequence[tuple[Any, ...]], parent=None,
                 color: Callable[[tuple[Any, ...], int], str | None] | None = None) -> None:
        super().__init__(parent)
        self._headers = tuple(headers)
        self._rows = tuple(rows)
        self._color = color

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal \
                and 0 <= section < len(self._headers):
            return self._headers[section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            v = row[index.column()]
            return "" if v is None else str(v)
        if role == Qt.ItemDataRole.ForegroundRole and self._color is not None:
            c = self._color(row, index.column())
            return QColor(c) if c else None
        return None


def _table(model: QAbstractTableModel, widths: Sequence[int], parent: QWidget) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setAlternatingRowColors(True)
    view.verticalHeader().setVisible(False)
    view.verticalHeader().setDefaultSectionSize(22)
    for i, w in enumerate(widths):
        view.setColumnWidth(i, w)
    view.horizontalHeader().setStretchLastSection(True)
    return view


class ImportReportDialog(QDialog):
    """Shows an :class:`ImportReport`. For a dry run the OK button reads "Import N good rows"."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        name = report.path.replace("\\", "/").rsplit("/", 1)[-1]
        self.setWindowTitle(("Preview import of " if report.dry_run else "Imported ") + name)
        self.resize(860, 520)
        layout = QVBoxLayout(self)

        good = report.created + report.updated + report.unchanged
        if report.dry_run:
            head = (f"<b>{name}</b>: {report.rows} rows. Importing would create <b>{report.created}</b> and "
                    f"update <b>{report.updated}</b> products ({report.unchanged} unchanged).")
        else:
            head = (f"<b>{name}</b>: {report.created} products created, {report.updated} updated, "
                    f"{report.unchanged} unchanged.")
        if report.errors:
            head += (f"<br><span style='color:#c0392b'><b>{report.bad_rows} bad rows</b> "
                     f"{'will be' if report.dry_run else 'were'} skipped — nothing from them is written. "
                     "Fix them in the file and import it again.</span>")
        elif good:
            head += "<br><span style='color:#1e8449'>Every row is good.</span>"
        if report.dry_run:
            head += "<br>Nothing has been written yet."
        self.summary = QLabel(head, self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget(self)
        self.errors_model = TupleTableModel(
            ["Row", "Column", "Problem"], [(e.row or "file", e.column, e.message) for e in report.errors], self,
            color=lambda row, col: "#c0392b" if col == 2 else None)
        self.changes_model = TupleTableModel(
            ["SKU", "Field", "Now", "After import" if report.dry_run else "Imported"],
            [(c.sku, "new product" if c.field == "(new product)" else c.field, c.old, c.new)
             for c in report.changes], self,
            color=lambda row, col: "#1e8449" if row[1] == "new product" and col == 1 else None)
        self.errors_view = _table(self.errors_model, [60, 130, 500], self)
        self.changes_view = _table(self.changes_model, [160, 110, 220, 220], self)
        changes_title = f"Changes ({len(report.changes)}{'+' if report.changes_truncated else ''})"
        if report.errors:
            self.tabs.addTab(self.errors_view, f"Bad rows ({report.bad_rows})")
        self.tabs.addTab(self.changes_view, changes_title)
        if not report.errors:
            self.tabs.addTab(self.errors_view, "Bad rows (0)")
        self.warnings_model = TupleTableModel(
            ["Row", "Column", "Imported, but N11 will refuse it until fixed"],
            [(w.row, w.column, w.message) for w in report.warnings], self,
            color=lambda row, col: "#b9770e" if col == 2 else None)
        self.warnings_view = _table(self.warnings_model, [60, 130, 500], self)
        if report.warnings:
            self.tabs.addTab(self.warnings_view, f"Warnings ({len(report.warnings)})")
        layout.addWidget(self.tabs, 1)

        self.buttons = QDialogButtonBox(self)
        if report.dry_run:
            n = report.created + report.updated
            self.ok_button = self.buttons.addButton(
                f"Import {n} good row{'s' if n != 1 else ''}" if n else "Nothing to import",
                QDialogButtonBox.ButtonRole.AcceptRole)
            self.ok_button.setEnabled(n > 0)
            self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        else:
            self.ok_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
