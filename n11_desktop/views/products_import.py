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
from .core_texts import core_message


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
        self.setWindowTitle((self.tr("Preview import of %1") if report.dry_run else self.tr("Imported %1")).replace("%1", name))
        self.resize(860, 520)
        layout = QVBoxLayout(self)

        good = report.created + report.updated + report.unchanged
        if report.dry_run:
            head = f"<b>{name}</b>: " + self.tr(
                "%1 rows. Importing would create <b>%2</b> and update <b>%3</b> products (%4 unchanged).").replace(
                "%1", str(report.rows)).replace("%2", str(report.created)).replace("%3", str(report.updated)).replace(
                "%4", str(report.unchanged))
        else:
            head = f"<b>{name}</b>: " + self.tr("%1 products created, %2 updated, %3 unchanged.").replace(
                "%1", str(report.created)).replace("%2", str(report.updated)).replace("%3", str(report.unchanged))
        if report.errors:
            head += "<br><span style='color:#c0392b'>" + (
                self.tr("<b>%1 bad rows</b> will be skipped — nothing from them is written. Fix them in the file "
                        "and import it again.") if report.dry_run else
                self.tr("<b>%1 bad rows</b> were skipped — nothing from them is written. Fix them in the file "
                        "and import it again.")).replace("%1", str(report.bad_rows)) + "</span>"
        elif good:
            head += "<br><span style='color:#1e8449'>" + self.tr("Every row is good.") + "</span>"
        if report.dry_run:
            head += "<br>" + self.tr("Nothing has been written yet.")
        self.summary = QLabel(head, self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.summary)

        self.tabs = QTabWidget(self)
        self.errors_model = TupleTableModel(
            [self.tr("Row"), self.tr("Column"), self.tr("Problem")],
            [(e.row or self.tr("file"), e.column, core_message(e.message)) for e in report.errors], self,
            color=lambda row, col: "#c0392b" if col == 2 else None)
        new_product = self.tr("new product")
        self.changes_model = TupleTableModel(
            ["SKU", self.tr("Field"), self.tr("Now"), self.tr("After import") if report.dry_run else self.tr("Imported")],
            [(c.sku, new_product if c.field == "(new product)" else c.field, c.old, c.new)
             for c in report.changes], self,
            color=lambda row, col: "#1e8449" if row[1] == new_product and col == 1 else None)
        self.errors_view = _table(self.errors_model, [60, 130, 500], self)
        self.changes_view = _table(self.changes_model, [160, 110, 220, 220], self)
        changes_title = self.tr("Changes (%1)").replace(
            "%1", f"{len(report.changes)}{'+' if report.changes_truncated else ''}")
        if report.errors:
            self.tabs.addTab(self.errors_view, self.tr("Bad rows (%1)").replace("%1", str(report.bad_rows)))
        self.tabs.addTab(self.changes_view, changes_title)
        if not report.errors:
            self.tabs.addTab(self.errors_view, self.tr("Bad rows (0)"))
        self.warnings_model = TupleTableModel(
            [self.tr("Row"), self.tr("Column"), self.tr("Imported, but N11 will refuse it until fixed")],
            [(w.row, w.column, core_message(w.message)) for w in report.warnings], self,
            color=lambda row, col: "#b9770e" if col == 2 else None)
        self.warnings_view = _table(self.warnings_model, [60, 130, 500], self)
        if report.warnings:
            self.tabs.addTab(self.warnings_view, self.tr("Warnings (%1)").replace("%1", str(len(report.warnings))))
        layout.addWidget(self.tabs, 1)

        self.buttons = QDialogButtonBox(self)
        if report.dry_run:
            n = report.created + report.updated
            self.ok_button = self.buttons.addButton(
                (self.tr("Import %1 good row") if n == 1 else self.tr("Import %1 good rows")).replace("%1", str(n))
                if n else self.tr("Nothing to import"),
                QDialogButtonBox.ButtonRole.AcceptRole)
            self.ok_button.setEnabled(n > 0)
            self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        else:
            self.ok_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
