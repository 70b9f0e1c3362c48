"""The flow list (seed §7.2.1): every flow with its flag, schedule, last and next run,
progress while it runs, Run now / Cancel, Pause all / Resume all.

Everything shown comes from the scheduler's signals as frozen dataclasses
(``FlowStatus``, ``FlowProgress``); this view never touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionProgressBar,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.domain import FlowProgress
from ..core.formats import number
from ..core.runner import format_eta
from ..core.schedule import FlowStatus
from ..core.schedules import load_schedule_row
from .core_texts import core_message, core_tr, schedule_text, state_word

if TYPE_CHECKING:
    from ..app import AppServices

COLUMNS = (QT_TRANSLATE_NOOP("FlowTableModel", "Flow"), QT_TRANSLATE_NOOP("FlowTableModel", "Flag"),
           QT_TRANSLATE_NOOP("FlowTableModel", "Schedule"), QT_TRANSLATE_NOOP("FlowTableModel", "Last run"),
           QT_TRANSLATE_NOOP("FlowTableModel", "Result"), QT_TRANSLATE_NOOP("FlowTableModel", "Next run"),
           QT_TRANSLATE_NOOP("FlowTableModel", "Progress"))
COL_PROGRESS = 6
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 1
SLUG_ROLE = Qt.ItemDataRole.UserRole + 2


@dataclass(frozen=True, slots=True)
class FlowRow:
    status: FlowStatus
    progress: FlowProgress | None = None


def _local(dt: datetime | None) -> str:
    if dt is None:
        return "—"
    local = dt.replace(tzinfo=timezone.utc).astimezone()
    today = datetime.now().astimezone().date()
    return local.strftime("%H:%M:%S" if local.date() == today else "%d.%m %H:%M")


def _result_text(s: FlowStatus) -> str:
    h = s.history
    if h.last_state is None:
        return QCoreApplication.translate("FlowTableModel", "never ran")
    text = state_word(h.last_state)
    if h.last_total or h.last_succeeded or h.last_failed:
        text += " — " + QCoreApplication.translate("FlowTableModel", "%1 total, %2 ok").replace("%1", str(h.last_total)).replace(
            "%2", str(h.last_succeeded))
        if h.last_failed:
            text += ", " + QCoreApplication.translate("FlowTableModel", "%1 failed").replace("%1", str(h.last_failed))
        if h.last_penalized:
            text += ", " + QCoreApplication.translate("FlowTableModel", "%1 penalized").replace("%1", str(h.last_penalized))
    return text


class FlowTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[FlowRow] = []
        self._index: dict[str, int] = {}
        self._now: datetime | None = None
        self._paused = False
        self._started = True

    # ------------------------------------------------------------------ updates (GUI thread)
    def set_statuses(self, statuses: tuple[FlowStatus, ...], now: datetime, *, paused: bool = False,
                     started: bool = True) -> None:
        progress = {r.status.slug: r.progress for r in self._rows}
        rows = [FlowRow(s, progress.get(s.slug) if s.running else None) for s in statuses]
        self._now, self._paused, self._started = now, paused, started
        if [r.status.slug for r in rows] == [r.status.slug for r in self._rows]:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self._index = {r.status.slug: i for i, r in enumerate(rows)}
        self.endResetModel()

    def set_progress(self, p: FlowProgress | None, slug: str | None = None) -> None:
        slug = slug or (p.flow if p is not None else None)
        i = self._index.get(slug or "")
        if i is None:
            return
        self._rows[i] = FlowRow(self._rows[i].status, p)
        self.dataChanged.emit(self.index(i, COL_PROGRESS), self.index(i, COL_PROGRESS))

    def slug_at(self, row: int) -> str | None:
        return self._rows[row].status.slug if 0 <= row < len(self._rows) else None

    def row_of(self, slug: str) -> FlowRow | None:
        i = self._index.get(slug)
        return None if i is None else self._rows[i]

    # ------------------------------------------------------------------ Qt model API
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(COLUMNS):
            return self.tr(COLUMNS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        s = row.status
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return core_tr(s.name)
            if col == 1:
                return "—" if s.flag is None else s.flag + " (" + (self.tr("on") if s.flag_on else self.tr("off")) + ")"
            if col == 2:
                return schedule_text(s.schedule)
            if col == 3:
                return _local(s.history.last_end)
            if col == 4:
                return _result_text(s)
            if col == 5:
                return self._next_text(s)
            if col == COL_PROGRESS:
                return self._progress_text(row)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 4 and s.history.last_message:
                return core_message(s.history.last_message)
            if col == 0:
                return f"{s.slug}: {s.name}"
            return None
        if role == PROGRESS_ROLE and col == COL_PROGRESS:
            p = row.progress
            if not s.running:
                return None
            return (p.done, p.total) if p is not None and p.total else (0, 0)
        if role == SLUG_ROLE:
            return s.slug
        return None

    def _next_text(self, s: FlowStatus) -> str:
        if s.running:
            return self.tr("running")
        if s.queued:
            return self.tr("queued")
        if not s.available:
            return self.tr("not available yet")
        if not s.enabled:
            return self.tr("flag off") if s.flag and not s.flag_on else "—"
        if not self._started:
            return self.tr("scheduler off")
        if self._paused:
            return self.tr("paused")
        if s.next_due is None:
            return self.tr("on trigger")
        if self._now is not None and s.next_due <= self._now:
            return self.tr("due now")
        return _local(s.next_due)

    @staticmethod
    def _progress_text(row: FlowRow) -> str:
        if not row.status.running:
            return ""
        p = row.progress
        if p is None or not p.total:
            return QCoreApplication.translate("FlowTableModel", "running…") if p is None else QCoreApplication.translate("FlowTableModel", "%1 done").replace("%1", number(p.done))
        text = f"{number(p.done)}/{number(p.total)}"
        if p.eta_s is not None:
            text += " · " + QCoreApplication.translate("FlowTableModel", "ETA %1").replace("%1", format_eta(p.eta_s))
        return text


class ProgressDelegate(QStyledItemDelegate):
    """Draws a progress bar in the Progress column while a flow runs."""

    def paint(self, painter, option, index) -> None:
        value = index.data(PROGRESS_ROLE)
        if value is None:
            super().paint(painter, option, index)
            return
        done, total = value
        bar = QStyleOptionProgressBar()
        bar.rect = option.rect.adjusted(2, 3, -2, -3)
        bar.minimum, bar.maximum = 0, max(total, 0)  # 0/0 = busy indicator
        bar.progress = min(done, total) if total else 0
        bar.text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        bar.textVisible = True
        bar.state = QStyle.StateFlag.State_Enabled
        style = option.widget.style() if option.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ProgressBar, bar, painter, option.widget)


class FlowsPanel(QWidget):
    """The scheduler's flow list. Works without a scheduler (shows a note)."""

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.scheduler = services.scheduler
        self.model = FlowTableModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setItemDelegateForColumn(COL_PROGRESS, ProgressDelegate(self.table))
        header = self.table.horizontalHeader()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for col, width in enumerate((210, 250, 300, 95, 260, 110)):
            self.table.setColumnWidth(col, width)

        self.state_label = QLabel(self.tr("Scheduler: off"))
        self.run_button = QPushButton(self.tr("Run now"))
        self.cancel_button = QPushButton(self.tr("Cancel"))
        self.pause_button = QPushButton(self.tr("Pause all"))
        self.resume_button = QPushButton(self.tr("Resume all"))
        self.schedule_button = QPushButton(self.tr("Schedule…"))
        self.schedule_button.setToolTip(self.tr("Change when the selected flow runs (interval or daily time, "
                                        "Europe/Istanbul), or reset it to the default"))
        self.schedule_button.clicked.connect(self.edit_schedule)
        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        for b, tip in ((self.run_button, self.tr("Run the selected flow now (after a run of it or its content type "
                                                 "ends)")),
                       (self.cancel_button, self.tr("Stop the selected flow at its next safe point")),
                       (self.pause_button, self.tr("Stop starting scheduled runs (running flows finish; Run now still "
                                                   "works)")),
                       (self.resume_button, self.tr("Start scheduled runs again; missed runs run once"))):
            b.setToolTip(tip)
        self.run_button.clicked.connect(self.run_selected)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.pause_button.clicked.connect(self.pause_all)
        self.resume_button.clicked.connect(self.resume_all)

        buttons = QHBoxLayout()
        buttons.addWidget(self.state_label)
        buttons.addStretch(1)
        for b in (self.run_button, self.cancel_button, self.schedule_button, self.pause_button, self.resume_button):
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message_label)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)

        self._ready = False
        if self.scheduler is None:
            self.message_label.setText(self.tr("The scheduler is not available in this build; flows run from the CLI."))
            for b in (self.run_button, self.cancel_button, self.pause_button, self.resume_button):
                b.setEnabled(False)
            self._ready = True
            return
        sch = self.scheduler
        sch.statuses_changed.connect(self._on_statuses)
        sch.flow_progress.connect(self._on_progress)
        sch.flow_finished.connect(self._on_finished)
        sch.state_changed.connect(self._on_state)
        self._on_state(sch.state)
        self._on_statuses(sch.statuses())
        sch.refresh()  # last runs come from a background read

    # ------------------------------------------------------------------ actions
    def selected_slug(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.slug_at(rows[0].row()) if rows else None

    def select(self, slug: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.slug_at(row) == slug:
                self.table.selectRow(row)
                return

    @Slot()
    def run_selected(self) -> None:
        slug = self.selected_slug()
        if slug is None or self.scheduler is None:
            self.message_label.setText(self.tr("Select a flow first."))
            return
        self.scheduler.run_now(slug)
        self.message_label.setText(self.tr("%1: run requested.").replace("%1", str(self.model.row_of(slug).status.name)))

    @Slot()
    def edit_schedule(self) -> None:
        slug = self.selected_slug()
        if slug is None:
            self.message_label.setText(self.tr("Select a flow first."))
            return
        db = self.services.db

        def done(row):
            from .schedule_dialog import ScheduleDialog

            dlg = ScheduleDialog(self.services, row, self)
            dlg.saved.connect(self._on_schedule_saved)
            self.schedule_dialog = dlg
            dlg.open()

        self.services.runner.submit(lambda: load_schedule_row(db, slug), done, lambda e: self.message_label.setText(self.tr("Could not read schedules: %1").replace("%1", str(e))))

    @Slot(str)
    def _on_schedule_saved(self, text: str) -> None:
        slug, sep, what = text.partition(": ")  # "stock: every 15 min" from core.schedules
        self.message_label.setText(slug + sep + schedule_text(what) if sep else text)
        if self.scheduler is not None:
            self.scheduler.refresh()

    @Slot()
    def cancel_selected(self) -> None:
        slug = self.selected_slug()
        if slug is None or self.scheduler is None:
            return
        if self.scheduler.cancel(slug):
            self.message_label.setText(self.tr("%1: stopping at the next safe point…").replace("%1", str(self.model.row_of(slug).status.name)))
        else:
            self.message_label.setText(self.tr("%1 is not running.").replace("%1", str(self.model.row_of(slug).status.name)))

    @Slot()
    def pause_all(self) -> None:
        if self.scheduler is not None:
            self.scheduler.pause()

    @Slot()
    def resume_all(self) -> None:
        if self.scheduler is not None:
            self.scheduler.resume()

    # ------------------------------------------------------------------ scheduler signals
    @Slot(object)
    def _on_statuses(self, statuses) -> None:
        sch = self.scheduler
        self.model.set_statuses(statuses, sch.clock(), paused=sch.paused, started=sch.state != "off")
        for slug, p in sch.running().items():
            if p is not None:
                self.model.set_progress(p)
        if sch.planner.inputs is not None:
            self._ready = True
        self._update_buttons()

    @Slot(object)
    def _on_progress(self, p: FlowProgress) -> None:
        self.model.set_progress(p)

    @Slot(object)
    def _on_finished(self, result) -> None:
        name = core_tr(self.model.row_of(result.flow).status.name) if self.model.row_of(result.flow) else result.flow
        text = f"{name}: {state_word(result.state.value)}"
        if result.message:
            text += f" — {core_message(result.message)}"
        self.message_label.setText(text)

    @Slot(str)
    def _on_state(self, state: str) -> None:
        self.state_label.setText(self.tr("Scheduler: %1").replace("%1", state_word(str(state))))
        self._update_buttons()

    def _update_buttons(self, *_args) -> None:
        sch = self.scheduler
        if sch is None:
            return
        slug = self.selected_slug()
        row = self.model.row_of(slug) if slug else None
        self.run_button.setEnabled(row is not None and row.status.available and not row.status.queued)
        self.schedule_button.setEnabled(row is not None)
        self.cancel_button.setEnabled(row is not None and (row.status.running or row.status.queued))
        self.pause_button.setEnabled(not sch.paused)
        self.resume_button.setEnabled(sch.paused)

    def is_ready(self) -> bool:
        return self._ready
