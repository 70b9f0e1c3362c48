"""Alarms (seed §7.3): create, set and view alarms on flows; fire once per episode; clear by themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING


from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QSystemTrayIcon,
    QVBoxLayout,
    QWidget,
)

from ..core import alarms as core_alarms
from ..core.flows.base import all_specs
from .core_texts import core_message, core_tr
from .monitoring_tab import _fmt, _table, rows_model

if TYPE_CHECKING:
    from ..app import AppServices

EVALUATE_EVERY_MS = 60 * 1000


class AlarmMonitor(QObject):
    """Evaluates alarms off the GUI thread every minute and after each flow run."""

    transitions = Signal(object)  # tuple[core_alarms.Transition, ...]
    firing_changed = Signal(int)

    def __init__(self, services: AppServices, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self._timer = QTimer(self)
        self._timer.setInterval(EVALUATE_EVERY_MS)
        self._timer.timeout.connect(self.evaluate)
        self._tray: QSystemTrayIcon | None = None
        services.subscribe("flow_finished", lambda _r: self.evaluate())

    def start(self) -> None:
        self._timer.start()
        self.evaluate()

    def stop(self) -> None:
        self._timer.stop()

    @Slot()
    def evaluate(self) -> None:
        """One evaluation at a time; requests made meanwhile run once more after it (never lost)."""
        db = self.services.db

        def done(res):
            transitions, firing = res
            if transitions:
                self.transitions.emit(transitions)
                self._notify(transitions)
            self.firing_changed.emit(firing)
            self.services.emit("alarms_changed", firing)

        self.services.runner.run((self, "evaluate"), lambda: core_alarms.evaluate_now(db), done, serial=True)  # a failure is logged by the runner

    def use_tray(self, tray: QSystemTrayIcon) -> None:
        """Notify through the main window's tray icon instead of one of our own."""
        self._tray = tray

    def _notify(self, transitions) -> None:
        """A desktop notification through the system tray, where there is one."""
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return
        if self._tray is None:
            icon = QApplication.windowIcon()  # the app icon (gui.set_app_icon); a red square without it
            if icon.isNull():
                pix = QPixmap(16, 16)
                pix.fill(QColor("#c0392b"))
                icon = QIcon(pix)
            self._tray = QSystemTrayIcon(icon, self)
            self._tray.setToolTip(self.tr("n11-desktop alarms"))
            self._tray.show()
        for t in transitions:
            if t.fired:
                self._tray.showMessage(self.tr("Alarm: %1").replace("%1", core_message(t.name)), core_message(t.message),
                                       QSystemTrayIcon.MessageIcon.Warning, 10_000)


class AlarmsTab(QWidget):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._loaded = False
        self._editing_id: int | None = None
        self._param_widgets: dict[str, QSpinBox] = {}

        root = QVBoxLayout(self)
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        root.addWidget(self.banner)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(QLabel(self.tr("<b>Alarms</b>")))
        self.model = rows_model([
            (self.tr("State"), lambda r: (self.tr("● FIRING") if r.state == "firing" else self.tr("ok")) if r.enabled
             else self.tr("disabled")),
            (self.tr("Name"), lambda r: core_message(r.name)),
            (self.tr("Condition"), lambda r: core_message(r.condition)),
            (self.tr("Last fired (UTC)"), lambda r: _fmt(r.last_fired)),
        ], self)
        self.view = _table(self.model)
        self.view.horizontalHeader().resizeSection(0, 90)
        self.view.horizontalHeader().resizeSection(1, 200)
        self.view.horizontalHeader().resizeSection(2, 330)
        self.view.selectionModel().currentRowChanged.connect(self._select)
        ll.addWidget(self.view, 2)
        row = QHBoxLayout()
        self.new_btn = QPushButton(self.tr("New alarm"))
        self.new_btn.clicked.connect(self.new_alarm)
        self.toggle_btn = QPushButton(self.tr("Disable"))
        self.toggle_btn.clicked.connect(self.toggle_selected)
        self.delete_btn = QPushButton(self.tr("Delete"))
        self.delete_btn.clicked.connect(self.delete_selected)
        self.check_btn = QPushButton(self.tr("Check now"))
        self.check_btn.clicked.connect(lambda: self.monitor.evaluate())
        for b in (self.new_btn, self.toggle_btn, self.delete_btn):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.check_btn)
        ll.addLayout(row)
        ll.addWidget(QLabel(self.tr("<b>History</b>")))
        self.history = rows_model([
            (self.tr("Fired (UTC)"), lambda r: _fmt(r.fired_at)),
            (self.tr("Cleared (UTC)"), lambda r: _fmt(r.cleared_at) if r.cleared_at else self.tr("still firing")),
            (self.tr("Alarm"), lambda r: core_message(r.alarm_name)),
            (self.tr("What happened"), lambda r: core_message(r.message)),
        ], self)
        self.history_view = _table(self.history)
        for col, w in ((0, 150), (1, 150), (2, 200)):
            self.history_view.horizontalHeader().resizeSection(col, w)
        ll.addWidget(self.history_view, 1)
        split.addWidget(left)

        self.form_box = QGroupBox(self.tr("New alarm"))
        form = QFormLayout(self.form_box)
        self.name = QLineEdit()
        self.name.setPlaceholderText(self.tr("e.g. Stock not sent for 30 minutes"))
        self.kind = QComboBox()
        for k in core_alarms.KINDS.values():
            self.kind.addItem(core_tr(k.label), k.kind)
        self.kind.currentIndexChanged.connect(self._rebuild_params)
        self.flow = QComboBox()
        self.flow.addItem(self.tr("Any flow"), None)
        for spec in all_specs():
            self.flow.addItem(core_tr(spec.name), spec.slug)
        self.enabled = QCheckBox(self.tr("Enabled"))
        self.enabled.setChecked(True)
        form.addRow(self.tr("Name"), self.name)
        form.addRow(self.tr("Kind"), self.kind)
        form.addRow(self.tr("Flow"), self.flow)
        self.params_box = QWidget()
        self.params_form = QFormLayout(self.params_box)
        self.params_form.setContentsMargins(0, 0, 0, 0)
        form.addRow(self.params_box)
        form.addRow("", self.enabled)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #c0392b;")
        self.error.setWordWrap(True)
        form.addRow(self.error)
        self.save_btn = QPushButton(self.tr("Create alarm"))
        self.save_btn.clicked.connect(self.save)
        form.addRow(self.save_btn)
        help_text = QLabel(self.tr("An alarm fires once when its condition starts to hold (shown in the status bar, here "
                           "and as a desktop notification) and clears by itself when the condition no longer "
                           "holds. Conditions are checked every minute and after every flow run."))
        help_text.setWordWrap(True)
        help_text.setStyleSheet("color: palette(dark);")
        form.addRow(help_text)
        split.addWidget(self.form_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        root.addWidget(split, 1)
        self._rebuild_params()

        self.monitor = AlarmMonitor(services, self)
        self.monitor.transitions.connect(self._on_transitions)
        services.subscribe("alarms_changed", lambda _n: self.reload())
        db = services.db
        services.runner.submit(lambda: core_alarms.seed_defaults(db), lambda _r: self.monitor.start())

    # ------------------------------------------------------------------ data
    def is_ready(self) -> bool:
        return self._loaded

    @Slot()
    def reload(self) -> None:
        db = self.services.db

        def done(res):
            rows, hist = res
            self._loaded = True
            self.model.set_rows(rows)
            self.history.set_rows(hist)
            firing = [r for r in rows if r.enabled and r.state == "firing"]
            if firing:
                self.banner.setText(self.tr("<span style='color:#c0392b'><b>%1 alarm(s) firing:</b> ").replace("%1", str(len(firing)))
                                    + "; ".join(core_message(r.name) for r in firing) + "</span>")
            elif rows:
                self.banner.setText(self.tr("All alarms are quiet."))
            else:
                self.banner.setText(self.tr("No alarms yet. Create one on the right: for example, when a flow keeps failing."))

        self.services.runner.run((self, "load"), lambda: core_alarms.load_alarms(db), done)

    def _on_transitions(self, _transitions) -> None:
        self.reload()

    # ------------------------------------------------------------------ form
    def _rebuild_params(self) -> None:
        while self.params_form.rowCount():
            self.params_form.removeRow(0)
        self._param_widgets.clear()
        kind = core_alarms.KINDS[self.kind.currentData()]
        for pname, plabel, default in kind.params:
            sb = QSpinBox()
            sb.setRange(0, 1_000_000)
            sb.setValue(default)
            self._param_widgets[pname] = sb
            self.params_form.addRow(core_tr(plabel), sb)
        self.flow.setEnabled(kind.uses_flow)

    def form_values(self) -> dict:
        kind = self.kind.currentData()
        return {
            "name": self.name.text(),
            "kind": kind,
            "flow": self.flow.currentData() if core_alarms.KINDS[kind].uses_flow else None,
            "params": {k: w.value() for k, w in self._param_widgets.items()},
            "enabled": self.enabled.isChecked(),
        }

    @Slot()
    def new_alarm(self) -> None:
        self._editing_id = None
        self.view.clearSelection()
        self.form_box.setTitle(self.tr("New alarm"))
        self.save_btn.setText(self.tr("Create alarm"))
        self.name.clear()
        self.enabled.setChecked(True)
        self.error.clear()

    def _select(self, current, _prev) -> None:
        if not current.isValid():
            return
        r = self.model.rows[current.row()]
        self._editing_id = r.id
        self.form_box.setTitle(self.tr("Edit alarm: %1").replace("%1", str(r.name)))
        self.save_btn.setText(self.tr("Save changes"))
        self.name.setText(r.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(r.kind)))
        self._rebuild_params()
        self.flow.setCurrentIndex(max(0, self.flow.findData(r.flow)))
        for k, w in self._param_widgets.items():
            if k in r.params:
                w.setValue(int(r.params[k]))
        self.enabled.setChecked(r.enabled)
        self.toggle_btn.setText(self.tr("Disable") if r.enabled else self.tr("Enable"))
        self.error.clear()

    @Slot()
    def save(self) -> None:
        values = self.form_values()
        editing = self._editing_id
        db = self.services.db

        def done(_id):
            self.error.clear()
            self.new_alarm()
            self.reload()
            self.monitor.evaluate()

        self.services.runner.submit(lambda: core_alarms.save_alarm(db, editing, values), done, lambda e: self.error.setText(core_message(str(e))))

    def _selected(self):
        idx = self.view.selectionModel().currentIndex()
        return self.model.rows[idx.row()] if idx.isValid() else None

    @Slot()
    def toggle_selected(self) -> None:
        r = self._selected()
        if r is None:
            return
        db = self.services.db

        self.services.runner.submit(lambda: core_alarms.switch_alarm(db, r.id, not r.enabled), lambda _x: (self.reload(), self.monitor.evaluate()))

    @Slot()
    def delete_selected(self) -> None:
        r = self._selected()
        if r is None:
            return
        db = self.services.db

        self.services.runner.submit(lambda: core_alarms.remove_alarm(db, r.id), lambda _x: (self.new_alarm(), self.reload(), self.monitor.evaluate()))

    def shutdown(self) -> None:
        self.monitor.stop()
