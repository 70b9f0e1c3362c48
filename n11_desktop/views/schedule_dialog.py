"""Change one flow's schedule (Monitoring → flows → Schedule…): an interval or a daily time in
Europe/Istanbul, the seed default shown, Reset to default. Saved by ``core.schedules`` on a
worker thread; a refused value keeps the dialog open with the message naming the field."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTime, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QTimeEdit,
    QVBoxLayout,
)

from ..core.schedules import MAX_INTERVAL_S, MIN_INTERVAL_S, change_schedule, restore_schedule
from .core_texts import schedule_text

if TYPE_CHECKING:
    from ..app import AppServices


class ScheduleDialog(QDialog):
    saved = Signal(str)

    def __init__(self, services: AppServices, row, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self.row = row
        self.setWindowTitle(self.tr("Schedule of %1").replace("%1", row.name))
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("Default: %1").replace("%1", schedule_text(row.default))))
        lay.addWidget(QLabel(self.tr("Now: %1").replace("%1", schedule_text(row.current))))
        grid = QGridLayout()
        self.every_radio = QRadioButton(self.tr("Every"))
        self.daily_radio = QRadioButton(self.tr("Daily at"))
        group = QButtonGroup(self)
        group.addButton(self.every_radio)
        group.addButton(self.daily_radio)
        self.minutes = QSpinBox()
        self.minutes.setRange(MIN_INTERVAL_S // 60, MAX_INTERVAL_S // 60)
        self.minutes.setSuffix(self.tr(" min"))
        self.minutes.setValue(max(1, (row.interval_s or 300) // 60))
        self.time = QTimeEdit()
        self.time.setDisplayFormat("HH:mm")
        hh, _, mm = (row.daily_at or "03:00").partition(":")
        self.time.setTime(QTime(int(hh), int(mm or 0)))
        grid.addWidget(self.every_radio, 0, 0)
        grid.addWidget(self.minutes, 0, 1)
        grid.addWidget(self.daily_radio, 1, 0)
        grid.addWidget(self.time, 1, 1)
        grid.addWidget(QLabel(self.tr("Europe/Istanbul (N11's time), whatever this computer's zone")), 1, 2)
        lay.addLayout(grid)
        (self.daily_radio if row.daily_at and not row.interval_s else self.every_radio).setChecked(True)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        lay.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.reset_button = QPushButton(self.tr("Reset to default"))
        self.reset_button.setEnabled(row.changed)
        buttons.addButton(self.reset_button, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.reset_button.clicked.connect(self.reset)
        lay.addWidget(buttons)
        self.setEnabled(row.changeable)
        if not row.changeable:
            self.error.setText(self.tr("This flow runs on the OMS web hook; it has no timer."))

    def _submit(self, operation) -> None:
        self.services.runner.submit(operation, self._done, self._failed)

    @Slot()
    def save(self) -> None:
        slug, db = self.row.slug, self.services.db
        if self.every_radio.isChecked():
            every = f"{self.minutes.value()}m"
            self._submit(lambda: change_schedule(db, slug, every=every))
        else:
            at = self.time.time().toString("HH:mm")
            self._submit(lambda: change_schedule(db, slug, daily_at=at))

    @Slot()
    def reset(self) -> None:
        slug, db, default = self.row.slug, self.services.db, self.row.default
        back = self.tr("%1: back to the default (%2)").replace("%1", slug).replace("%2", schedule_text(default))
        self._submit(lambda: (restore_schedule(db, slug), back)[1])

    def _done(self, text: str) -> None:
        self.saved.emit(text)
        self.accept()

    def _failed(self, err) -> None:
        self.error.setText(str(err))
