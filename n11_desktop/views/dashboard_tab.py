"""Dashboard (seed §7.1): the eight KPIs, their history, flow health and the product-create trigger."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (QT_TRANSLATE_NOOP, QAbstractTableModel, QCoreApplication, QModelIndex,  # noqa: E402
                            Qt, QTimer, Signal, Slot)
from PySide6.QtWidgets import (  # noqa: E402
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..core.flows import run_flow  # noqa: E402
from ..core.formats import language, money, number, tr_upper  # noqa: E402
from ..core.metrics import KPI_LABELS, KPI_NAMES  # noqa: E402
from ..core.overview import HISTORY_KPIS, DashboardData, load_dashboard, load_kpi_members, refresh_from_n11, snapshot_now  # noqa: E402
from .core_texts import age_text, core_tr, fill  # noqa: E402

if TYPE_CHECKING:
    from ..app import AppServices

SNAPSHOT_EVERY_MS = 15 * 60 * 1000
REFRESH_EVERY_MS = 60 * 1000
RANGES = ((QT_TRANSLATE_NOOP("DashboardTab", "Last 24 hours"), 1), (QT_TRANSLATE_NOOP("DashboardTab", "Last 7 days"), 7),
          (QT_TRANSLATE_NOOP("DashboardTab", "Last 30 days"), 30), (QT_TRANSLATE_NOOP("DashboardTab", "Last year"), 365))


def fix_text(run: dict | None, kind: str) -> str:
    """'Last fix run: found 3 · fixed 2 · still different 1' for the (FIXED) KPI cards."""
    if not run:
        return QCoreApplication.translate("DashboardTab", "No fix run yet (Fix Differences runs after each N11 State Sync).")
    k = (run.get("by_kind") or {}).get(kind) or {}
    at = str(run.get("at", ""))[:16].replace("T", " ")
    return fill(QCoreApplication.translate(
        "DashboardTab", "Last fix run %1 UTC: found %2 · resent %3 · fixed %4 · still different %5 · explained %6"),
        at, k.get("found", 0), k.get("resent", 0), k.get("fixed", 0), k.get("still_different", 0),
        k.get("explained", 0))


def _fix_history(runs: tuple[dict, ...]) -> str:
    if not runs:
        return ""
    parts = []
    for r in runs[:5]:
        at = str(r.get("at", ""))[11:16]
        parts.append(fill(QCoreApplication.translate("DashboardTab", "%1: found %2 / fixed %3 / still different %4"),
                          at, r.get("found", 0), r.get("fixed", 0), r.get("still_different", 0)))
    return QCoreApplication.translate(
        "DashboardTab", "Fix Differences (found / fixed / still different), latest first — ") + " · ".join(parts)


class KpiCard(QFrame):
    clicked = Signal(str)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        label, help_text = (core_tr(t) for t in KPI_LABELS[name])
        self.setObjectName("kpiCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setToolTip(self.tr("%1\nClick to see the SKUs.").replace("%1", str(help_text)))
        self.setStyleSheet("#kpiCard { background: palette(base); border: 1px solid palette(mid); border-radius: 6px; }")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(12, 8, 12, 8)
        self.value = QLabel("–")
        self.value.setObjectName("kpiValue")
        self.value.setStyleSheet("font-size: 22pt; font-weight: 600;")
        title = QLabel(tr_upper(label) if language() == "tr" else label.upper())  # İ, not I, in Turkish
        title.setStyleSheet("color: palette(dark); font-size: 8pt; font-weight: 600;")
        title.setWordWrap(True)
        self.hint = QLabel(help_text)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(dark); font-size: 8pt;")
        lay.addWidget(title)
        lay.addWidget(self.value)
        lay.addWidget(self.hint)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)

    def set_value(self, v: int, warn: bool = False) -> None:
        self.value.setText(number(v))
        self.value.setStyleSheet(f"font-size: 22pt; font-weight: 600; color: {'#c0392b' if warn and v else 'palette(text)'};")

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.name)
        super().mouseReleaseEvent(event)


class MembersModel(QAbstractTableModel):
    HEADERS = ("SKU", QT_TRANSLATE_NOOP("MembersModel", "Title"), QT_TRANSLATE_NOOP("MembersModel", "Price"),
               QT_TRANSLATE_NOOP("MembersModel", "N11 price"), QT_TRANSLATE_NOOP("MembersModel", "Stock"),
               QT_TRANSLATE_NOOP("MembersModel", "To send"), QT_TRANSLATE_NOOP("MembersModel", "N11 qty"),
               QT_TRANSLATE_NOOP("MembersModel", "N11 status"))

    def __init__(self, rows=(), parent=None) -> None:
        super().__init__(parent)
        self._rows = tuple(rows)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(self.HEADERS[section])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role != Qt.ItemDataRole.DisplayRole:
            return None
        r = self._rows[index.row()]
        vals = (r.sku, r.title, r.price, r.n11_price, r.stock, r.stock_to_send, r.n11_quantity, r.n11_status)
        v = vals[index.column()]
        if index.column() in (2, 3):
            return "" if v is None else money(v)
        if index.column() in (4, 5, 6):
            return "" if v is None else number(v)
        return "" if v is None else str(v)


class MembersDialog(QDialog):
    def __init__(self, title: str, rows, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(900, 500)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(self.tr("%1 SKU(s)").replace("%1", str(len(rows))) + (self.tr(" (first 5,000 shown)") if len(rows) >= 5000 else "")))
        self.view = QTableView()
        self.model = MembersModel(rows, self)
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.verticalHeader().setDefaultSectionSize(22)
        lay.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay.addWidget(buttons)


class DashboardTab(QWidget):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._loaded = False
        self._loading = False
        self.data: DashboardData | None = None

        root = QVBoxLayout(self)
        top = QHBoxLayout()
        heading = QLabel(self.tr("<b>N11 at a glance</b>"))
        self.status = QLabel(self.tr("Loading…"))
        self.status.setStyleSheet("color: palette(dark);")
        self.range = QComboBox()
        for label, days in RANGES:
            self.range.addItem(self.tr(label), days)
        self.range.setCurrentIndex(0)
        self.range.currentIndexChanged.connect(self.reload)
        self.refresh_btn = QPushButton(self.tr("Refresh from N11"))
        self.refresh_btn.setToolTip(self.tr("Run the N11 State Sync now: read every product of the store from N11 "
                                    "(on sale or not, prices, stock), then recompute the KPIs. It also runs by "
                                    "itself every 15 minutes and after N11 processed our changes."))
        self.refresh_btn.clicked.connect(self.refresh_remote)
        self.send_btn = QPushButton(self.tr("Send products to N11…"))
        self.send_btn.setToolTip(self.tr("Product triggering (seed §8): send selected SKUs to N11 now. This is for creating "
                                 "products; updates go through 'Update Bulk Product Version Date' (penalty box CSV)."))
        self.send_btn.clicked.connect(self.trigger_create)
        top.addWidget(heading)
        top.addSpacing(12)
        top.addWidget(self.status, 1)
        top.addWidget(self.range)
        top.addWidget(self.refresh_btn)
        top.addWidget(self.send_btn)
        root.addLayout(top)

        grid = QGridLayout()
        grid.setSpacing(8)
        self.cards: dict[str, KpiCard] = {}
        for i, name in enumerate(KPI_NAMES):
            card = KpiCard(name, self)
            card.clicked.connect(self.show_members)
            self.cards[name] = card
            grid.addWidget(card, i // 4, i % 4)
        root.addLayout(grid)

        # the charts (pyqtgraph and numpy, ~40 MB) are built when the tab is first shown
        self._charts_box = QWidget(self)
        self._charts_box.setLayout(QVBoxLayout())
        self._charts_box.layout().setContentsMargins(0, 0, 0, 0)
        self.charts = None
        root.addWidget(self._charts_box, 1)
        self.fix_label = QLabel("")
        self.fix_label.setWordWrap(True)
        self.fix_label.setToolTip(self.tr("Fix Differences runs after each N11 State Sync: it resends SKUs whose price or "
                                  "stock on N11 differs from ours, and counts what the previous runs fixed."))
        root.addWidget(self.fix_label)
        self.empty_note = QLabel("")
        self.empty_note.setStyleSheet("color: palette(dark);")
        self.empty_note.setWordWrap(True)
        root.addWidget(self.empty_note)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(REFRESH_EVERY_MS)
        self._refresh_timer.timeout.connect(self.reload)
        self._snapshot_timer = QTimer(self)
        self._snapshot_timer.setInterval(SNAPSHOT_EVERY_MS)
        self._snapshot_timer.timeout.connect(self.take_snapshot)
        services.subscribe("flow_finished", self._on_flow_finished)
        services.subscribe("catalog_changed", self._on_data_changed)
        self._first_snapshot_done = False
        self.reload()
        self._refresh_timer.start()
        self._snapshot_timer.start()

    # ------------------------------------------------------------------ loading
    def is_ready(self) -> bool:
        return self._loaded and not self._loading

    @Slot()
    def reload(self) -> None:
        if self._loading:
            return
        self._loading = True
        days = int(self.range.currentData() or 7)
        db = self.services.db
        first = not self._first_snapshot_done

        self._first_snapshot_done = True
        self.services.runner.run((self, "load"), lambda: load_dashboard(db, days, first=first), self._show, self._failed)

    def _failed(self, err) -> None:
        self._loading = False
        self._loaded = True
        self.status.setText(self.tr("Could not load the dashboard: %1").replace("%1", str(err)))

    def _show(self, data: DashboardData) -> None:
        self._loading = False
        self._loaded = True
        self.data = data
        k = data.kpis
        for name in KPI_NAMES:
            warn = name in ("total_sku_difference", "skus_with_price_difference", "total_stock_difference",
                            "skus_with_stock_difference")
            self.cards[name].set_value(getattr(k, name), warn=warn)
        fetched = age_text(data.age) if data.age is not None else self.tr("N11 data not fetched yet")
        self.status.setText(self.tr("Updated %1 UTC · %2").replace("%1", f"{data.loaded_at:%H:%M:%S}").replace("%2", str(fetched)))
        stale = data.age is None or data.age.stale
        self.status.setStyleSheet("color: #b00020; font-weight: 600;" if stale else "color: palette(dark);")
        last_fix = data.fix_runs[0] if data.fix_runs else None
        for name, kind in (("skus_with_price_difference", "price"), ("skus_with_stock_difference", "stock")):
            self.cards[name].hint.setText(fix_text(last_fix, kind))
        self.fix_label.setText(_fix_history(data.fix_runs))
        if self.charts is not None:
            self.charts.show_data(data, int(self.range.currentData() or 7))
        notes = []
        if data.snapshots < 2:
            notes.append(self.tr("History fills in as KPI snapshots are taken (every 15 minutes while the app runs)."))
        if not data.runs_ok.x and not data.runs_failed.x:
            notes.append(self.tr("No flow has run in this period yet."))
        if not k.total_sku_in_catalog:
            notes.append(self.tr("The N11 catalog is empty: import products and add them to the catalog in the "
                                 "Products tab."))
        self.empty_note.setText(" ".join(notes))
        self.empty_note.setVisible(bool(notes))

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self.charts is None:
            self._build_charts()

    def _build_charts(self) -> None:
        from .dashboard_charts import DashboardCharts  # pyqtgraph and numpy load here, not at start-up

        self.charts = DashboardCharts(
            (self.tr("Catalog vs N11 over time (SKUs)"), self.tr("Flow runs per hour"),
             self.tr("Send queue and penalty box")),
            {n: core_tr(KPI_LABELS[n][0]) for n in HISTORY_KPIS},
            (self.tr("succeeded"), self.tr("failed"), self.tr("waiting to send"), self.tr("penalized")),
            self._charts_box)
        self._charts_box.layout().addWidget(self.charts)
        self.charts.show()  # added to a widget already on screen
        if self.data is not None:
            self.charts.show_data(self.data, int(self.range.currentData() or 7))

    def _on_flow_finished(self, _result) -> None:
        self.reload()

    def _on_data_changed(self, _payload) -> None:
        self.reload()

    @Slot()
    def take_snapshot(self) -> None:
        db = self.services.db
        self.services.runner.submit(lambda: snapshot_now(db), lambda _r: self.reload())

    # ------------------------------------------------------------------ actions
    @Slot()
    def refresh_remote(self) -> None:
        scheduler = self.services.scheduler
        if scheduler is not None:
            scheduler.run_now("remote_sync")  # the dashboard reloads when the run finishes
            self.status.setText(self.tr("N11 State Sync started: reading every product of the store from N11…"))
            return
        self.refresh_btn.setEnabled(False)
        self.status.setText(self.tr("Asking N11 for the state of our products…"))
        db = self.services.db

        def done(res):
            self.refresh_btn.setEnabled(True)
            self.status.setText(self.tr("N11 State Sync: %1 — %2").replace("%1", str(res.state.value)).replace("%2", str(res.message)))
            self.services.emit("flow_finished", res)
            self.reload()

        def failed(err):
            self.refresh_btn.setEnabled(True)
            self.status.setText(self.tr("Refresh from N11 failed: %1").replace("%1", str(err)))

        self.services.runner.submit(lambda: refresh_from_n11(db), done, failed)

    @Slot(str)
    def show_members(self, name: str) -> None:
        db = self.services.db

        def done(rows):
            dlg = MembersDialog(core_tr(KPI_LABELS[name][0]), rows, self)
            self._members_dialog = dlg
            dlg.open()

        self.services.runner.submit(lambda: load_kpi_members(db, name), done)

    @classmethod
    def ask_skus(cls, parent) -> list[str] | None:
        text, ok = QInputDialog.getMultiLineText(
            parent, QCoreApplication.translate("DashboardTab", "Send products to N11"),
            QCoreApplication.translate("DashboardTab", "SKUs to create on N11 (one per line or comma-separated):"))
        if not ok:
            return None
        return [t.strip() for t in text.replace(",", "\n").splitlines() if t.strip()]

    @Slot()
    def trigger_create(self) -> None:
        skus = self.ask_skus(self)
        if not skus:
            return
        try:  # the send dialog (preview + guardrails) when it is available
            from .send_dialog import open_send_dialog  # type: ignore[attr-defined]
        except ImportError:
            open_send_dialog = None
        if open_send_dialog is not None:
            open_send_dialog(self.services, skus=skus, flow="product_create", parent=self)
            return
        scheduler = self.services.scheduler
        if scheduler is not None:
            scheduler.run_now("product_create", {"skus": skus})
            self.status.setText(self.tr("Product Create started for %1 SKU(s).").replace("%1", str(len(skus))))
            return
        db = self.services.db

        def done(res):
            self.status.setText(self.tr("Product Create: %1 — %2 ok, %3 failed, %4 penalized. %5").replace("%1", str(res.state.value)).replace("%2", str(res.succeeded)).replace("%3", str(res.failed)).replace("%4", str(res.penalized)).replace("%5", str(res.message)))
            self.services.emit("flow_finished", res)

        self.services.runner.submit(lambda: run_flow("product_create", db, trigger="manual", options={"skus": skus}), done,
                                    lambda e: self.status.setText(self.tr("Product Create failed: %1").replace("%1", str(e))))

    def shutdown(self) -> None:
        self._refresh_timer.stop()
        self._snapshot_timer.stop()
