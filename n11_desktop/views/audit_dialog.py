"""History of changes: who changed a setting or a mapping of this store, and when (issue 16)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView,
                               QLabel, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from ..core.audit import load_history

from .core_texts import audit_action, audit_object

if TYPE_CHECKING:
    from ..app import AppServices

# rows the dialog shows (newest first; `n11-desktop audit --limit N` lists more)
LIMIT = 500


class AuditDialog(QDialog):
    def __init__(self, services: AppServices, parent: QWidget | None = None, area: str | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.rows: tuple = ()
        self.setWindowTitle(self.tr("History of changes"))
        self.resize(1000, 560)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Show:")))
        self.area = QComboBox(self)
        self.area.setObjectName("audit_area")
        self.area.addItem(self.tr("All changes"), None)
        self.area.addItem(self.tr("Channel Settings"), "settings")
        self.area.addItem(self.tr("Mapping"), "mapping")
        self.area.addItem(self.tr("Schedules"), "schedules")
        self.area.setCurrentIndex(max(0, self.area.findData(area)))
        self.area.currentIndexChanged.connect(lambda _i: self.reload())
        top.addWidget(self.area)
        top.addStretch(1)
        self.count = QLabel("")
        top.addWidget(self.count)
        layout.addLayout(top)
        self.table = QTableWidget(0, 6, self)
        self.table.setObjectName("audit_table")
        self.table.setHorizontalHeaderLabels([self.tr("When (UTC)"), self.tr("Operator"), self.tr("Area"),
                                              self.tr("Action"), self.tr("Object"), self.tr("What changed")])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        note = QLabel(self.tr("The operator is the OS user@host of the app that made the change, or the name "
                              "set in Preferences. A change based on data someone else changed meanwhile is "
                              "refused, never applied."), self)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555;")
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, parent=self)
        buttons.rejected.connect(self.reject)
        refresh = buttons.addButton(self.tr("Refresh"), QDialogButtonBox.ButtonRole.ActionRole)
        refresh.clicked.connect(self.reload)
        layout.addWidget(buttons)
        self.loaded = False
        self.reload()

    def reload(self) -> None:
        db, area = self.services.db, self.area.currentData()

        self.services.runner.run((self, "audit"), lambda: load_history(db, area, LIMIT), self._show, self._failed)

    def _show(self, rows) -> None:
        self.rows = tuple(rows)
        areas = {"settings": self.tr("Channel Settings"), "mapping": self.tr("Mapping"),
                 "schedules": self.tr("Schedules")}
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            values = (f"{r.at:%Y-%m-%d %H:%M:%S}", r.operator, areas.get(r.area, r.area), audit_action(r.action),
                      audit_object(r.object_key), r.detail)
            for j, v in enumerate(values):
                item = QTableWidgetItem(v)
                if j == 5:
                    item.setToolTip(v)
                self.table.setItem(i, j, item)
        n = len(self.rows)
        self.count.setText(self.tr("%n change(s)", "", n) if n < LIMIT
                           else self.tr("the newest %1 changes").replace("%1", str(LIMIT)))
        self.loaded = True

    def _failed(self, err) -> None:
        self.count.setText(QCoreApplication.translate("AuditDialog", "Could not load the history: %1")
                           .replace("%1", str(err)))
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.loaded = True
