"""The penalty box (seed §3, §8): records held after an error, and the CSV uploads that release them.

"Update by uploading a file" lifts penalties, "Delete bulk failed integration" deletes them,
"Update bulk product version date" bumps version dates so the next run sends an update.
Every database call runs on ``services.runner``; a file with bad rows changes nothing and each
bad row is listed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.formats import datetime_text
from ..core.penalty import lift_from_csv, load_penalties
from .core_texts import penalty_text
from .files import open_path
from .rows_model import Column, RowsModel

if TYPE_CHECKING:
    from ..app import AppServices

CSV_FILTER = QT_TRANSLATE_NOOP("PenaltyDialog", "CSV files (*.csv *.txt);;All files (*)")


def _penalty_values(r: Any) -> tuple[str, ...]:
    return (r.sku, r.content_type, r.reason_type, str(r.retry_count),
            datetime_text(r.next_retry_at) if r.next_retry_at else QCoreApplication.translate("PenaltyModel", "manual lift"),
            r.as_json()["state"], penalty_text(r.message))


class PenaltyModel(RowsModel):
    HEADERS = ("SKU", QT_TRANSLATE_NOOP("PenaltyModel", "Content type"), QT_TRANSLATE_NOOP("PenaltyModel", "Reason"),
               QT_TRANSLATE_NOOP("PenaltyModel", "Retries"), QT_TRANSLATE_NOOP("PenaltyModel", "Next retry"),
               QT_TRANSLATE_NOOP("PenaltyModel", "State"), QT_TRANSLATE_NOOP("PenaltyModel", "Message (what to do)"))

    def __init__(self, parent: QObject | None = None) -> None:
        cols = [Column(self.tr(h), (lambda r, i=i: _penalty_values(r)[i]), tooltip=(lambda r, i=i: _penalty_values(r)[i]))
                for i, h in enumerate(self.HEADERS)]
        super().__init__(cols, parent)

    def skus(self) -> list[str]:
        return [r.sku for r in self.rows]


class PenaltyDialog(QDialog):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._busy = False
        self._loaded = False
        self.last_report = None
        self.setWindowTitle(self.tr("Penalty box (Failed Integration)"))
        self.resize(1000, 520)
        self.info = QLabel(self.tr("Loading…"), self)
        self.info.setWordWrap(True)
        self.model = PenaltyModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.report = QLabel(self)
        self.report.setWordWrap(True)
        self.report.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.report.setVisible(False)
        self.lift_button = QPushButton(self.tr("Update by uploading a file…"), self)
        self.lift_button.setToolTip(self.tr("CSV with a `sku` column (optional `content_type`, `action`): lift the "
                                    "penalties of these records so they are sent again; for orders put the N11 "
                                    "order number in `sku` (content_type order): fetched again on the next run"))
        self.lift_button.clicked.connect(lambda: self.upload("lift"))
        self.delete_button = QPushButton(self.tr("Delete bulk failed integration…"), self)
        self.delete_button.setToolTip(self.tr("CSV with a `sku` column (SKUs or N11 order numbers): delete these failed "
                                      "integrations"))
        self.delete_button.clicked.connect(lambda: self.upload("delete"))
        self.bump_button = QPushButton(self.tr("Update bulk product version date…"), self)
        self.bump_button.setToolTip(self.tr("CSV with a `sku` column: bump the version date so the next run sends an update"))
        self.bump_button.clicked.connect(lambda: self.upload("bump"))
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.clicked.connect(self.reload)
        row = QHBoxLayout()
        for b in (self.lift_button, self.delete_button, self.bump_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.refresh_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.info)
        lay.addLayout(row)
        lay.addWidget(self.table)
        lay.addWidget(self.report)
        lay.addWidget(close)
        self.reload()

    def is_ready(self) -> bool:
        return self._loaded and not self._busy

    @Slot()
    def reload(self) -> None:
        self._loaded = False
        db = self.services.db
        self.services.runner.run((self, "load"), lambda: load_penalties(db), self._on_loaded, self._on_error)

    def _on_loaded(self, rows) -> None:
        self.model.set_rows(rows)
        waiting = sum(1 for r in rows if r.next_retry_at is not None)
        self.info.setText(self.tr("%1 record(s) in the penalty box: %2 waiting to be retried, %3 need a manual lift after the cause is fixed.").replace("%1", str(len(rows))).replace("%2", str(waiting)).replace("%3", str(len(rows) - waiting))
                          if rows else self.tr("The penalty box is empty."))
        self._loaded = True
        self._set_busy(False)

    def _on_error(self, err) -> None:
        self.report.setText(self.tr("Failed: %1").replace("%1", str(err)))
        self.report.setVisible(True)
        self._loaded = True
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for b in (self.lift_button, self.delete_button, self.bump_button, self.refresh_button):
            b.setEnabled(not busy)

    @classmethod
    def choose_file(cls, parent: QWidget, title: str) -> Path | None:
        """The file dialog (patched in tests)."""
        path = open_path(parent, title, QCoreApplication.translate("PenaltyDialog", CSV_FILTER), str(Path.home()))
        return Path(path) if path else None

    def upload(self, action: str) -> None:
        titles = {"lift": self.tr("Update by uploading a file"), "delete": self.tr("Delete bulk failed integration"),
                  "bump": self.tr("Update bulk product version date")}
        path = self.choose_file(self, titles[action])
        if path is None:
            return
        self._set_busy(True)
        db = self.services.db

        self.services.runner.submit(lambda: lift_from_csv(db, path, default_action=action), lambda rep: self._on_report(path, rep), self._on_error)

    def _on_report(self, path: Path, report) -> None:
        self.last_report = report
        text = f"{path.name}: {report.summary()}"
        if report.problems:
            text += "\n" + "\n".join(str(p) for p in report.problems[:30])
            if len(report.problems) > 30:
                text += "\n… " + self.tr("%1 more").replace("%1", str(len(report.problems) - 30))
            self.report.setStyleSheet("QLabel { color: #922b21; }")
        else:
            self.report.setStyleSheet("QLabel { color: #145a32; }")
            self.services.emit("catalog_changed", None)
        self.report.setText(text)
        self.report.setVisible(True)
        self.reload()


def open_penalty_dialog(services, parent: QWidget | None = None) -> PenaltyDialog:
    dlg = PenaltyDialog(services, parent=parent)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    dlg.show()
    return dlg
