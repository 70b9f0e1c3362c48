"""Monitoring (seed §7.2): the Log screen (flows, runs, entries with raw N11 exchanges) and Reports."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, QTimer, Slot
from PySide6.QtGui import QColor, QFont, QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core import monitoring as mon
from ..core.clock import utcnow
from ..core.flows import run_flow
from ..core.flows.base import all_specs
from ..core.formats import language, number
from ..core.overview import load_report
from ..core.reports import export_csv as export_report_csv
from .core_texts import core_message, core_tr, state_word
from .files import save_path
from .rows_model import Column, RowsModel

if TYPE_CHECKING:
    from ..app import AppServices

PAGE = 200
LEVEL_COLORS = {"ERROR": QColor("#c0392b"), "WARNING": QColor("#b9770e"), "DEBUG": QColor("#7f8c8d")}
STATE_COLORS = {"failed": QColor("#c0392b"), "done": QColor("#1e8449"), "running": QColor("#2471a3"),
                "cancelled": QColor("#7f8c8d")}


def _fmt(dt: datetime | None) -> str:
    if dt is None:
        return ""
    return f"{dt:%d.%m.%Y %H:%M:%S}" if language() == "tr" else f"{dt:%d/%m/%Y %H:%M:%S}"


def _state_color(r) -> QColor | None:
    level = getattr(r, "level", None) or getattr(r, "state", None)
    return LEVEL_COLORS.get(level) or STATE_COLORS.get(level)


def rows_model(columns, parent=None) -> RowsModel:
    """A shared RowsModel whose rows are coloured by log level or run state."""
    return RowsModel([Column(header, fn, color=_state_color) for header, fn in columns], parent)


def _table(model) -> QTableView:
    v = QTableView()
    v.setModel(model)
    v.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    v.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    v.verticalHeader().setVisible(False)
    v.verticalHeader().setDefaultSectionSize(22)
    v.setAlternatingRowColors(True)
    v.horizontalHeader().setStretchLastSection(True)
    return v


class LogPanel(QWidget):
    """Runs and entries of every flow with filters; raw request/response of each N11 call."""

    def __init__(self, services: AppServices, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self._before_id: int | None = None
        self._loading = False
        self._exhausted = False
        self._loaded = False

        lay = QVBoxLayout(self)
        filters = QHBoxLayout()
        self.flow = QComboBox()
        self.flow.addItem(self.tr("All flows"), None)
        for spec in all_specs():
            self.flow.addItem(core_tr(spec.name), spec.slug)
        self.level = QComboBox()
        for label, value in ((self.tr("All levels"), None), (self.tr("Info and above"), "INFO"), (self.tr("Warnings and errors"), "WARNING"),
                             (self.tr("Errors only"), "ERROR")):
            self.level.addItem(label, value)
        self.period = QComboBox()
        for label, hours in ((self.tr("Any time"), None), (self.tr("Last hour"), 1), (self.tr("Last 24 hours"), 24), (self.tr("Last 7 days"), 168),
                             (self.tr("Last 30 days"), 720)):
            self.period.addItem(label, hours)
        self.text = QLineEdit()
        self.text.setPlaceholderText(self.tr("Search messages…"))
        self.text.setClearButtonEnabled(True)
        self.key = QLineEdit()
        self.key.setPlaceholderText(self.tr("SKU or order number"))
        self.key.setClearButtonEnabled(True)
        self.key.setMaximumWidth(170)
        self.calls_only = QCheckBox(self.tr("N11 calls only"))
        self.export_btn = QPushButton(self.tr("Export CSV…"))
        self.export_btn.clicked.connect(self.export_csv)
        for w in (QLabel(self.tr("Flow")), self.flow, self.level, self.period, self.text, self.key, self.calls_only,
                  self.export_btn):
            filters.addWidget(w)
        filters.setStretchFactor(self.text, 1)
        lay.addLayout(filters)

        self.model = rows_model([
            (self.tr("Time (UTC)"), lambda r: _fmt(r.created_at)),
            (self.tr("Flow"), lambda r: r.flow or ""),
            (self.tr("Level"), lambda r: r.level),
            (self.tr("SKU / order"), lambda r: r.object_key or ""),
            (self.tr("Message"), lambda r: core_message(r.message) + ("  ⧉" if r.has_raw else "")),
        ], self)
        self.view = _table(self.model)
        hh = self.view.horizontalHeader()
        for col, width in ((0, 150), (1, 140), (2, 70), (3, 140)):
            hh.resizeSection(col, width)
        self.view.selectionModel().currentRowChanged.connect(self._show_detail)
        self.view.verticalScrollBar().valueChanged.connect(self._maybe_more)

        self.detail = QPlainTextEdit()
        self.detail.setReadOnly(True)
        self.detail.setPlaceholderText(self.tr("Select an entry to see its details and, for N11 calls, the raw request and "
                                       "response (App Secret redacted)."))
        self.detail.setFont(QFont("monospace", 9))
        copy_btn = QPushButton(self.tr("Copy"))
        copy_btn.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.detail.toPlainText()))
        detail_box = QWidget()
        dl = QVBoxLayout(detail_box)
        dl.setContentsMargins(0, 0, 0, 0)
        dl.addWidget(self.detail)
        dl.addWidget(copy_btn, 0, Qt.AlignmentFlag.AlignRight)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(detail_box)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        lay.addWidget(split, 1)
        self.count_label = QLabel("")
        self.count_label.setStyleSheet("color: palette(dark);")
        lay.addWidget(self.count_label)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.reload)
        for w in (self.flow, self.level, self.period):
            w.currentIndexChanged.connect(self._debounce.start)
        self.text.textChanged.connect(self._debounce.start)
        self.key.textChanged.connect(self._debounce.start)
        self.calls_only.toggled.connect(self._debounce.start)

    def current_filter(self) -> mon.LogFilter:
        hours = self.period.currentData()
        return mon.LogFilter(flow=self.flow.currentData(), level=self.level.currentData(),
                             text=self.text.text().strip() or None, object_key=self.key.text().strip() or None,
                             since=(utcnow() - timedelta(hours=hours)) if hours else None,
                             n11_calls_only=self.calls_only.isChecked())

    def is_ready(self) -> bool:
        return self._loaded and not self._loading

    @Slot()
    def reload(self) -> None:
        self._before_id = None
        self._exhausted = False
        self._loading = True
        f = self.current_filter()
        db = self.services.db

        def done(res):
            rows, (count, capped) = res
            self._loading = False
            self._loaded = True
            self.model.set_rows(rows)
            self._after_page(rows)
            self.count_label.setText(
                self.tr("No log entries match these filters.") if not count else
                (self.tr("More than %1 entries match · newest first · scroll for more") if capped else
                 self.tr("%1 entries match · newest first · scroll for more")).replace("%1", number(count)))
            self.detail.clear()

        self.services.runner.run((self, "logs"), lambda: mon.load_logs(db, f, PAGE), done, self._failed)

    def _failed(self, err) -> None:
        self._loading = False
        self._loaded = True
        self.count_label.setText(self.tr("Could not load logs: %1").replace("%1", str(err)))

    def _after_page(self, rows) -> None:
        if rows:
            self._before_id = rows[-1].id
        if len(rows) < PAGE:
            self._exhausted = True

    @Slot(int)
    def _maybe_more(self, value: int) -> None:
        bar = self.view.verticalScrollBar()
        if value >= bar.maximum() - 5:
            self.load_more()

    def load_more(self) -> None:
        if self._loading or self._exhausted or self._before_id is None:
            return
        self._loading = True
        before, f, db = self._before_id, self.current_filter(), self.services.db

        def done(rows):
            self._loading = False
            self.model.append_rows(rows)
            self._after_page(rows)

        self.services.runner.run((self, "logs"), lambda: mon.load_older_logs(db, f, before, PAGE), done, self._failed,
                                 join=True)

    @Slot(QModelIndex, QModelIndex)
    def _show_detail(self, current: QModelIndex, _prev: QModelIndex) -> None:
        if not current.isValid():
            return
        log_id = self.model.rows[current.row()].id
        db = self.services.db

        def done(d):
            if d is None:
                return
            parts = [f"{_fmt(d.created_at)}  {d.level}  {d.flow or ''}  {d.object_key or ''}", "", d.message]
            if d.request:
                parts += ["", "── " + self.tr("Request") + " ──", d.request]
            if d.response:
                parts += ["", "── " + self.tr("Response") + " ──", d.response]
            self.detail.setPlainText("\n".join(parts))

        self.services.runner.run((self, "detail"), lambda: mon.load_log_detail(db, log_id), done)

    @classmethod
    def ask_save_path(cls, parent, title: str, default_name: str) -> Path | None:
        path = save_path(parent, title, default_name, QCoreApplication.translate("LogPanel", "CSV files (*.csv)"))
        return Path(path) if path else None

    @Slot()
    def export_csv(self) -> None:
        path = self.ask_save_path(self, self.tr("Export log entries"), "n11-logs.csv")
        if path is None:
            return
        f, db = self.current_filter(), self.services.db

        self.services.runner.submit(lambda: mon.export_logs(db, f, path), lambda n: self.count_label.setText(self.tr("Exported %1 entries to %2").replace("%1", f"{n:,}").replace("%2", str(path))),
                                    lambda e: self.count_label.setText(self.tr("Export failed: %1").replace("%1", str(e))))


class RunsPanel(QWidget):
    """Every flow run with counts; selecting one filters the log to it."""

    def __init__(self, services: AppServices, log_panel: LogPanel, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self.log_panel = log_panel
        self.on_open_run = None  # set by the tab: show the log panel
        self._loaded = False
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.flow = QComboBox()
        self.flow.addItem(self.tr("All flows"), None)
        for spec in all_specs():
            self.flow.addItem(core_tr(spec.name), spec.slug)
        self.state = QComboBox()
        for label, value in ((self.tr("Any state"), None), (self.tr("Failed"), "failed"), (self.tr("Done"), "done"), (self.tr("Running"), "running"),
                             (self.tr("Cancelled"), "cancelled")):
            self.state.addItem(label, value)
        bar.addWidget(QLabel(self.tr("Flow")))
        bar.addWidget(self.flow)
        bar.addWidget(self.state)
        bar.addStretch(1)
        lay.addLayout(bar)
        names = {s.slug: s.name for s in all_specs()}
        self.model = rows_model([
            (self.tr("Started (UTC)"), lambda r: _fmt(r.started_at)),
            (self.tr("Flow"), lambda r: core_tr(names.get(r.flow, r.flow))),
            (self.tr("Trigger"), lambda r: core_message(r.trigger)),
            (self.tr("State"), lambda r: state_word(r.state)),
            (self.tr("Total"), lambda r: str(r.total)),
            (self.tr("OK"), lambda r: str(r.succeeded)),
            (self.tr("Failed"), lambda r: str(r.failed)),
            (self.tr("Penalized"), lambda r: str(r.penalized)),
            (self.tr("Duration"), lambda r: "" if r.ended_at is None else f"{(r.ended_at - r.started_at).total_seconds():.1f} s"),
            (self.tr("Message"), lambda r: core_message(r.message)),
        ], self)
        self.view = _table(self.model)
        self.view.setColumnWidth(0, 150)  # "04.12.2026 13:39:40"
        self.view.setColumnWidth(1, 220)  # Turkish flow names run longer ("Kategori Özellikleri ve Değerleri")
        self.view.doubleClicked.connect(self._open_run)
        lay.addWidget(self.view)
        self.note = QLabel(self.tr("Double-click a run to see its log entries."))
        self.note.setStyleSheet("color: palette(dark);")
        lay.addWidget(self.note)
        self.flow.currentIndexChanged.connect(self.reload)
        self.state.currentIndexChanged.connect(self.reload)

    def is_ready(self) -> bool:
        return self._loaded

    @Slot()
    def reload(self) -> None:
        flow, state, db = self.flow.currentData(), self.state.currentData(), self.services.db

        def done(rows):
            self._loaded = True
            self.model.set_rows(rows)
            self.note.setText(self.tr("No flow has run yet. Flows run on their schedule once the channel is active, or "
                              "with Run now.") if not rows else self.tr("Double-click a run to see its log entries."))

        self.services.runner.run((self, "runs"), lambda: mon.load_runs(db, flow=flow, state=state), done)

    @Slot(QModelIndex)
    def _open_run(self, index: QModelIndex) -> None:
        run = self.model.rows[index.row()]
        lp = self.log_panel
        lp.flow.setCurrentIndex(max(0, lp.flow.findData(run.flow)))
        lp.period.setCurrentIndex(0)
        lp.text.clear()
        lp.key.setText("")
        lp.reload()
        if self.on_open_run is not None:
            self.on_open_run()


class ReportsPanel(QWidget):
    """Seed §7.2.2: catalog products not on sale on N11 (with the reason) and price/stock differences."""

    def __init__(self, services: AppServices, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        self._loaded = False
        lay = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.addItem(self.tr("In the catalog but not on sale on N11"), "not_on_sale")
        self.kind.addItem(self.tr("Price or stock differs on N11"), "differences")
        self.kind.currentIndexChanged.connect(self.reload)
        self.fix_btn = QPushButton(self.tr("Fix selected (send)"))
        self.fix_btn.setToolTip(self.tr("Send the selected products' price and stock (or the product) to N11 now."))
        self.fix_btn.clicked.connect(self.fix_selected)
        self.export_btn = QPushButton(self.tr("Export CSV…"))
        self.export_btn.clicked.connect(self.export_csv)
        bar.addWidget(self.kind, 1)
        bar.addWidget(self.fix_btn)
        bar.addWidget(self.export_btn)
        lay.addLayout(bar)
        self.age_label = QLabel("")  # the N11 snapshot's age (red when older than two sync periods)
        self.age_label.setWordWrap(True)
        lay.addWidget(self.age_label)
        self.view = QTableView()
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setAlternatingRowColors(True)
        self.view.horizontalHeader().setStretchLastSection(True)
        lay.addWidget(self.view, 1)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: palette(dark);")
        lay.addWidget(self.note)
        self._models = {
            "not_on_sale": rows_model([("SKU", lambda r: r.sku), (self.tr("Title"), lambda r: r.title),
                                      (self.tr("Why not on sale"), lambda r: core_message(r.reason)),
                                       (self.tr("Fix"), lambda r: core_message(r.fix))], self),
            "differences": rows_model([("SKU", lambda r: r.sku), (self.tr("Title"), lambda r: r.title),
                                      (self.tr("Differs"), lambda r: r.kind),
                                      (self.tr("Price"), lambda r: f"{r.local_price} → N11 {r.n11_price}"),
                                      (self.tr("List price"), lambda r: f"{r.local_list_price} → N11 {r.n11_list_price}"),
                                      (self.tr("Stock to send"), lambda r: str(r.local_quantity)),
                                      (self.tr("N11 stock"), lambda r: "" if r.n11_quantity is None else str(r.n11_quantity))],
                                     self),
        }
        self.view.setModel(self._models["not_on_sale"])
        self.view.horizontalHeader().resizeSection(0, 140)
        self.view.horizontalHeader().resizeSection(1, 320)
        self.view.horizontalHeader().resizeSection(2, 240)  # "Neden satışta değil" and its reasons

    def is_ready(self) -> bool:
        return self._loaded

    @Slot()
    def reload(self) -> None:
        kind, db = self.kind.currentData(), self.services.db

        def done(res):
            kind_, rows, age = res
            from .core_texts import age_text

            self.age_label.setText(age_text(age))
            self.age_label.setStyleSheet("color: #b00020; font-weight: 600;" if age.stale else "color: palette(dark);")
            self._loaded = True
            model = self._models[kind_]
            model.set_rows(rows)
            self.view.setModel(model)
            self.view.horizontalHeader().resizeSection(0, 140)
            self.view.horizontalHeader().resizeSection(1, 320)
            self.view.horizontalHeader().resizeSection(2, 240)
            if kind_ == "not_on_sale":
                self.note.setText(self.tr("Every catalog product is on sale on N11.") if not rows else
                                  self.tr("%1 catalog product(s) are not on sale on N11 (per the N11 State Sync snapshot).").replace("%1", str(len(rows))))
            else:
                self.note.setText(self.tr("No price or stock differences with N11.") if not rows else
                                  self.tr("%1 product(s) differ from N11. 'Fix selected' sends our values.").replace("%1", str(len(rows))))

        self.services.runner.run((self, "report"), lambda: load_report(db, kind), done)

    def selected_rows(self):
        model = self.view.model()
        return [model.rows[i.row()] for i in self.view.selectionModel().selectedRows()]

    @Slot()
    def fix_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            self.note.setText(self.tr("Select the products to fix first."))
            return
        ids = tuple(r.product_id for r in rows)
        skus = [r.sku for r in rows]
        kind = self.kind.currentData()
        flows = ("price", "stock") if kind == "differences" else ("product_create",)
        scheduler = self.services.scheduler
        for flow in flows:
            # force: resend even when the ledger says N11 already has our values (N11 changed them)
            options = {"product_ids": list(ids), "skus": skus, "force": kind == "differences"}
            if scheduler is not None:
                scheduler.run_now(flow, options)
            else:
                db = self.services.db

                self.services.runner.submit(lambda flow=flow, options=options: run_flow(flow, db, trigger="manual",
                                                                               options=options), lambda res: (self.services.emit("flow_finished", res), self.reload()),
                                            lambda e: self.note.setText(self.tr("Sending failed: %1").replace("%1", str(e))))
        self.note.setText(self.tr("Sending %1 product(s) to N11 (%2)…").replace("%1", str(len(ids))).replace("%2", str(', '.join(flows))))

    @Slot()
    def export_csv(self) -> None:
        rows = self.view.model().rows
        path = LogPanel.ask_save_path(self, self.tr("Export report"), f"n11-report-{self.kind.currentData()}.csv")
        if path is None:
            return

        self.services.runner.submit(lambda: export_report_csv(rows, path), lambda n: self.note.setText(self.tr("Exported %1 rows to %2").replace("%1", str(n)).replace("%2", str(path))),
                                    lambda e: self.note.setText(self.tr("Export failed: %1").replace("%1", str(e))))


class RetentionPanel(QWidget):
    def __init__(self, services: AppServices, parent=None) -> None:
        super().__init__(parent)
        self.services = services
        lay = QHBoxLayout(self)
        lay.addWidget(QLabel(self.tr("Keep log entries for")))
        self.days = QSpinBox()
        self.days.setRange(1, 3650)
        self.days.setSuffix(self.tr(" days"))
        lay.addWidget(self.days)
        self.apply_btn = QPushButton(self.tr("Apply and prune now"))
        self.apply_btn.clicked.connect(self.apply)
        lay.addWidget(self.apply_btn)
        self.msg = QLabel("")
        lay.addWidget(self.msg, 1)
        db = services.db
        services.runner.submit(lambda: mon.load_retention(db), self.days.setValue)

    @Slot()
    def apply(self) -> None:
        days, db = self.days.value(), self.services.db

        self.services.runner.submit(lambda: mon.apply_retention(db, days), lambda n: self.msg.setText(self.tr("Removed %1 old entries.").replace("%1", f"{n:,}")),
                                    lambda e: self.msg.setText(str(e)))


class MonitoringTab(QWidget):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        self.tabs = QTabWidget(self)
        self.flows_panel = None
        try:
            from .flows_panel import FlowsPanel  # the scheduler's flow list with Run now / Cancel
        except ImportError:
            FlowsPanel = None  # noqa: N806
        if FlowsPanel is not None:
            self.flows_panel = FlowsPanel(services, self.tabs)
            self.tabs.addTab(self.flows_panel, self.tr("Flows"))
        self.log_panel = LogPanel(services, self.tabs)
        self.runs_panel = RunsPanel(services, self.log_panel, self.tabs)
        self.reports_panel = ReportsPanel(services, self.tabs)
        self.runs_panel.on_open_run = lambda: self.tabs.setCurrentWidget(self.log_panel)
        self.tabs.addTab(self.runs_panel, self.tr("Runs"))
        self.tabs.addTab(self.log_panel, self.tr("Log"))
        self.tabs.addTab(self.reports_panel, self.tr("Reports"))
        retention = RetentionPanel(services, self)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(retention)
        services.subscribe("flow_finished", self._on_flow_finished)
        # prune once at start (off the GUI thread), then load what is visible
        db = services.db
        services.runner.submit(lambda: mon.prune(db))
        self.runs_panel.reload()
        self.log_panel.reload()
        self.reports_panel.reload()

    def is_ready(self) -> bool:
        panels = [self.runs_panel, self.log_panel, self.reports_panel]
        if self.flows_panel is not None and hasattr(self.flows_panel, "is_ready"):
            panels.append(self.flows_panel)
        return all(p.is_ready() for p in panels)

    def _on_flow_finished(self, _result) -> None:
        self.runs_panel.reload()
        if self.tabs.currentWidget() is self.log_panel:
            self.log_panel.reload()
