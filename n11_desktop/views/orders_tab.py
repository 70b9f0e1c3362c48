"""The Orders tab (DESIGN §8, seed §9): the orders pulled from N11 with filters, a detail pane
(lines, addresses, packages, cancellation history, raw N11 data) and the operator's actions.

Every action changes local state off the GUI thread (``core.orders.actions``) and then runs
the flow that carries it to N11 — the scheduler's ``run_now`` when the scheduler exists, so a
flow never overlaps itself, else the background runner — exactly the code the schedule runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QItemSelectionModel, Qt, QTimer, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..core.formats import number
from ..core.flows import run_flow
from ..core.flows.base import all_specs
from ..core.orders import actions
from ..core.orders import operations as order_ops
from ..core.orders import status as st
from ..core.orders.collection import request_collection
from ..core.orders.queries import OrderFilter
from .orders_dialogs import (AddressMappingDialog, CancelDialog, CargoMappingDialog, CollectionDialog,
                             InvoiceDialog, MicroInvoiceDialog, ShipDialog)
from .core_texts import core_message, core_tr, fill, state_word
from .files import open_path, save_path
from .orders_model import STATUS_COLORS, OrdersModel, local_time, money, status_text

if TYPE_CHECKING:
    from ..app import AppServices

ORDER_FLOWS = {"order_create", "order_update", "send_invoice_link", "get_updated_orders", "cancellation_requests",
               "cancel_refund_orders", "send_cancel_order_items", "split_packages", "handle_package_combinations"}

STATUS_FILTERS = [  # English labels; shown through tr()
    (QT_TRANSLATE_NOOP("OrdersTab", "All orders"), None), (QT_TRANSLATE_NOOP("OrdersTab", "Waiting for approval"), st.WAITING),
    (QT_TRANSLATE_NOOP("OrdersTab", "Approved"), st.APPROVED), (QT_TRANSLATE_NOOP("OrdersTab", "Shipped"), st.SHIPPED),
    (QT_TRANSLATE_NOOP("OrdersTab", "Delivered"), st.DELIVERED), (QT_TRANSLATE_NOOP("OrdersTab", "Completed"), st.COMPLETED),
    (QT_TRANSLATE_NOOP("OrdersTab", "Cancelled"), st.CANCELLED), (QT_TRANSLATE_NOOP("OrdersTab", "Refunded"), st.REFUNDED),
    (QT_TRANSLATE_NOOP("OrdersTab", "Late shipment"), "late"), (QT_TRANSLATE_NOOP("OrdersTab", "Not reported to ERP"), "not_reported"),
    (QT_TRANSLATE_NOOP("OrdersTab", "Cancellation waiting for ERP"), "waiting_erp"),
]
DATE_FILTERS = [(QT_TRANSLATE_NOOP("OrdersTab", "Any time"), None), (QT_TRANSLATE_NOOP("OrdersTab", "Today"), 0), (QT_TRANSLATE_NOOP("OrdersTab", "Last 7 days"), 7),
                (QT_TRANSLATE_NOOP("OrdersTab", "Last 30 days"), 30)]



def _address_html(title: str, a: dict) -> str:
    if not a:
        return f"<b>{title}</b><br>—"
    parts = [a.get("full_name") or "", a.get("address") or "",
             " / ".join(x for x in (a.get("neighborhood"), a.get("township"), a.get("city")) if x),
             QCoreApplication.translate("OrdersTab", "Postal code %1").replace("%1", str(a["postal_code"]))
             if a.get("postal_code") else "",
             f"GSM {a['gsm']}" if a.get("gsm") else ""]
    mapped = [QCoreApplication.translate("OrdersTab", "city #%1").replace("%1", str(a["local_city_id"]))
              if a.get("local_city_id") else "",
              QCoreApplication.translate("OrdersTab", "township #%1").replace("%1", str(a["local_township_id"]))
              if a.get("local_township_id") else "",
              QCoreApplication.translate("OrdersTab", "district #%1").replace("%1", str(a["local_district_id"]))
              if a.get("local_district_id") else ""]
    lines = "<br>".join(p for p in parts if p)
    m = ", ".join(x for x in mapped if x)
    return f"<b>{title}</b><br>{lines}" + (
        "<br><span style='color:#7f8c8d'>" + QCoreApplication.translate("OrdersTab", "local: %1").replace("%1", m)
        + "</span>" if m else "")


class OrdersTab(QWidget):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.detail = None
        self._detail_loading = False
        self._selected_id: int | None = None
        self._pending_flows: set[str] = set()
        self._closed = False

        root = QVBoxLayout(self)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("Status:")))
        self.status_filter = QComboBox()
        for label, value in STATUS_FILTERS:
            self.status_filter.addItem(self.tr(label), value)
        bar.addWidget(self.status_filter)
        bar.addWidget(QLabel(self.tr("Ordered:")))
        self.date_filter = QComboBox()
        for label, value in DATE_FILTERS:
            self.date_filter.addItem(self.tr(label), value)
        bar.addWidget(self.date_filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText(self.tr("Search order number or customer…"))
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 1)
        self.refresh_btn = QPushButton(self.tr("Refresh"))
        self.fetch_btn = QPushButton(self.tr("Fetch orders now"))
        self.fetch_btn.setToolTip(self.tr("Run Order Create (new packages and status changes from N11)"))
        self.mapping_btn = QPushButton(self.tr("Address mapping…"))
        self.cargo_btn = QPushButton(self.tr("Cargo mapping…"))
        self.export_btn = QPushButton(self.tr("Export CSV…"))
        self.export_btn.setToolTip(self.tr("Write the order lines shown by the filter to a CSV file (e.g. for the ERP)"))
        self.history_btn = QPushButton(self.tr("Import history"))
        self.history_btn.setToolTip(self.tr("Bring in the orders first seen on N11 past New (recorded as history): they are "
                                    "marked as history and as reported to the ERP, never new work for it"))
        self.history_btn.setVisible(False)
        self.erp_csv_btn = QPushButton(self.tr("ERP-reported from CSV…"))
        self.erp_csv_btn.setToolTip(self.tr("Mark every order listed in a CSV file of order numbers as reported to the ERP"))
        for b in (self.refresh_btn, self.fetch_btn, self.export_btn, self.erp_csv_btn, self.history_btn,
                  self.mapping_btn, self.cargo_btn):
            bar.addWidget(b)
        root.addLayout(bar)

        self.banner = QLabel("")
        self.banner.setObjectName("ordersBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel#ordersBanner { background: #fdecea; color: #922b21; padding: 6px; "
                                  "border: 1px solid #f5b7b1; border-radius: 3px; }")
        self.banner.setVisible(False)
        root.addWidget(self.banner)

        split = QSplitter(Qt.Orientation.Vertical, self)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        self.model = OrdersModel(services, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.table.horizontalHeader().setStretchLastSection(True)
        for col, width in enumerate((230, 150, 120, 190, 120, 50, 110, 120, 70, 100)):
            self.table.setColumnWidth(col, width)
        # a click on a header sorts in SQL (the model pages), again for descending; newest first to begin with
        hh = self.table.horizontalHeader()
        hh.setSortIndicator(*self.model.sort_indicator())
        hh.setSortIndicatorShown(True)
        self.table.setSortingEnabled(True)
        hh.sortIndicatorChanged.connect(self._on_sort_clicked)
        ll.addWidget(self.table, 1)
        self.count_label = QLabel(self.tr("Loading orders…"))
        ll.addWidget(self.count_label)
        split.addWidget(left)

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 4, 0, 0)
        self.header = QLabel(self.tr("Select an order to see its lines, addresses, packages and history."))
        self.header.setWordWrap(True)
        self.header.setTextFormat(Qt.TextFormat.RichText)
        rl.addWidget(self.header)
        actions = QHBoxLayout()
        self.approve_btn = QPushButton(self.tr("Approve"))
        self.ship_btn = QPushButton(self.tr("Ship…"))
        self.invoice_btn = QPushButton(self.tr("Invoice link…"))
        self.cancel_btn = QPushButton(self.tr("Cancel lines…"))
        self.erp_btn = QPushButton(self.tr("Mark ERP-reported"))
        self.pickup_btn = QPushButton(self.tr("Request pick-up…"))
        tips = (self.tr("Approve the selected lines (all waiting lines if none is selected) on N11"),
                self.tr("Ship the selected lines with a tracking number"),
                self.tr("Attach the invoice link and send it to N11"),
                self.tr("Cancel quantities of lines not yet shipped (partial cancellation on N11)"),
                self.tr("Mark the selected orders as reported to the ERP (cancellations need it)"),
                self.tr("Ask Horoz, Ceva or Borusan to collect the approved packages (N11 collection request)"))
        for b, tip in zip((self.approve_btn, self.ship_btn, self.invoice_btn, self.cancel_btn, self.erp_btn,
                           self.pickup_btn), tips):
            b.setToolTip(tip)
            b.setEnabled(False)
            actions.addWidget(b)
        actions.addStretch(1)
        rl.addLayout(actions)
        self.tabs = QTabWidget()
        self.lines = self._table([self.tr("Line"), self.tr("Product"), self.tr("Qty"), self.tr("Price"), self.tr("Status"),
                                  self.tr("Tracking"), self.tr("Package")])
        self.lines.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.addresses = QLabel("")
        self.addresses.setTextFormat(Qt.TextFormat.RichText)
        self.addresses.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.addresses.setWordWrap(True)
        self.addresses.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.packages = self._table([self.tr("N11 package"), self.tr("Status"), self.tr("Campaign no."),
                                     self.tr("Tracking no."), self.tr("Last change")])
        self.cancels = self._table([self.tr("When"), self.tr("Source"), self.tr("Kind"), self.tr("Line"), self.tr("Qty"),
                                     self.tr("Reason"), self.tr("State"), self.tr("Note")])
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.tabs.addTab(self.lines, self.tr("Lines"))
        self.tabs.addTab(self.addresses, self.tr("Addresses"))
        self.tabs.addTab(self.packages, self.tr("Packages"))
        self.tabs.addTab(self.cancels, self.tr("Cancellations"))
        self.tabs.addTab(self.raw, self.tr("Raw N11 data"))
        rl.addWidget(self.tabs, 1)
        split.addWidget(right)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([420, 380])
        root.addWidget(split, 1)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        root.addWidget(self.message)

        self._reload_timer = QTimer(self)
        self._reload_timer.setSingleShot(True)
        self._reload_timer.setInterval(250)
        self._reload_timer.timeout.connect(self.reload)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(300)
        self._search_timer.timeout.connect(self.apply_filter)

        self.status_filter.currentIndexChanged.connect(self.apply_filter)
        self.date_filter.currentIndexChanged.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _t: self._search_timer.start())
        self.refresh_btn.clicked.connect(self.reload)
        self.fetch_btn.clicked.connect(lambda: self.run_flow("order_create"))
        self.mapping_btn.clicked.connect(self.open_address_mapping)
        self.cargo_btn.clicked.connect(self.open_cargo_mapping)
        self.export_btn.clicked.connect(lambda: self.export_csv())
        self.erp_csv_btn.clicked.connect(lambda: self.mark_reported_from_csv())
        self.history_btn.clicked.connect(lambda: self.run_flow("order_create", options={"history": True}))
        self.model.loaded.connect(self._on_loaded)
        self.model.failed.connect(lambda e: self.count_label.setText(self.tr("Orders could not be loaded: %1").replace("%1", str(e))))
        self.table.selectionModel().currentRowChanged.connect(self._on_row)
        self.approve_btn.clicked.connect(lambda: self.approve())
        self.ship_btn.clicked.connect(lambda: self.ship())
        self.invoice_btn.clicked.connect(lambda: self.attach_invoice())
        self.cancel_btn.clicked.connect(lambda: self.cancel_lines())
        self.erp_btn.clicked.connect(lambda: self.mark_reported())
        self.pickup_btn.clicked.connect(lambda: self.request_pickup())
        services.subscribe("flow_finished", self._on_flow_finished)
        sch = services.scheduler
        if sch is not None:
            sch.flow_finished.connect(self._on_flow_finished)
        self.webhook = None
        self.apply_filter()
        self._start_webhook()

    # ------------------------------------------------------------------ OMS web hook
    def _start_webhook(self) -> None:
        """Serve the OMS split-package web hook while the app runs (flag + token configured)."""
        db = self.services.db

        def done(server):
            if server is None:
                return
            if self._closed:
                server.stop()
                return
            self.webhook = server
            self.message.setText(self.tr("OMS web hook listening on %1/flow-trigger/<slug>/split_packages").replace("%1", str(server.url)))

        self.services.runner.submit(lambda: order_ops.start_webhook(db), done, lambda err: self.message.setText(self.tr("OMS web hook not started: %1").replace("%1", str(err))))

    @staticmethod
    def _table(headers) -> QTableWidget:
        t = QTableWidget(0, len(headers))
        t.setHorizontalHeaderLabels(headers)
        t.verticalHeader().hide()
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setAlternatingRowColors(True)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setStretchLastSection(True)
        return t

    # ------------------------------------------------------------------ state
    def is_ready(self) -> bool:
        return not self.model.loading and not self._detail_loading

    def current_filter(self) -> OrderFilter:
        days = self.date_filter.currentData()
        date_from = None
        if days is not None:
            today = datetime.now().astimezone().replace(hour=0, minute=0, second=0, microsecond=0)
            date_from = (today - timedelta(days=days)).astimezone(timezone.utc).replace(tzinfo=None)
        return OrderFilter(status=self.status_filter.currentData(), date_from=date_from, text=self.search.text())

    @Slot()
    def apply_filter(self) -> None:
        self.model.set_filter(self.current_filter())
        self._load_problems()

    @Slot()
    def reload(self) -> None:
        self.model.reload()
        self._load_problems()
        if self._selected_id is not None:
            self.load_detail(self._selected_id)

    @Slot(int, Qt.SortOrder)
    def _on_sort_clicked(self, _column: int, _order) -> None:
        """A column the list cannot sort by (Lines) keeps the indicator where the rows are sorted."""
        column, order = self.model.sort_indicator()
        hh = self.table.horizontalHeader()
        if (hh.sortIndicatorSection(), hh.sortIndicatorOrder()) != (column, order):
            hh.setSortIndicator(column, order)

    def _load_problems(self) -> None:
        db = self.services.db

        self.services.runner.run((self, "problems"), lambda: order_ops.load_problems(db), self._show_problems)

    @Slot(object)
    def _show_problems(self, res) -> None:
        failed, unmapped, counts, claims = res
        self.status_counts = counts
        self.history_btn.setText(self.tr("Import history (%1)").replace("%1", str(counts['history'])))
        self.history_btn.setVisible(bool(counts.get("history")))
        for n, (label, value) in enumerate(STATUS_FILTERS):
            if value is not None:
                c = counts.get(value, 0)
                self.status_filter.setItemText(n, f"{self.tr(label)} ({c})" if c else self.tr(label))
        self._update_count_label()
        self.mapping_btn.setText(self.tr("Address mapping (%1)…").replace("%1", str(unmapped)) if unmapped else self.tr("Address mapping…"))
        parts = []
        if failed:
            first = failed[0][1]
            more = self.tr(" (and %1 more; see Monitoring → Order Create)").replace("%1", str(len(failed) - 1)) \
                if len(failed) > 1 else ""
            parts.append(self.tr("<b>%1 order(s) from N11 could not be written.</b>").replace("%1", str(len(failed)))
                         + f" {first}{more}")
        if claims:
            shown = ", ".join(self.tr("claim %1 (order %2)").replace("%1", str(c)).replace("%2", str(n))
                              for c, n, _ in claims[:3]) + (" …" if len(claims) > 3 else "")
            parts.append(self.tr("<b>%1 cancellation request(s) wait:</b> their order is not imported, so they are "
                                 "not approved blindly — %2. Import the order (Import history) or answer them on N11.")
                         .replace("%1", str(len(claims))).replace("%2", shown))
        self.banner.setText("<br>".join(parts))
        self.banner.setVisible(bool(parts))

    def _update_count_label(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        text = self.tr("%1 orders").replace("%1", number(total)) if shown >= total else \
            self.tr("Showing %1 of %2 orders (scroll for more)").replace("%1", number(shown)).replace("%2", number(total))
        counts = getattr(self, "status_counts", None) or {}
        extra = []
        if counts.get(st.WAITING):
            extra.append(self.tr("%1 waiting for approval").replace("%1", str(counts[st.WAITING])))
        if counts.get("late"):
            extra.append("<span style='color:#c0392b'>" + self.tr("%1 late for shipment").replace(
                "%1", str(counts["late"])) + "</span>")
        if counts.get("not_reported"):
            extra.append(self.tr("%1 not reported to the ERP").replace("%1", str(counts["not_reported"])))
        if counts.get("claims_unknown_order"):
            extra.append("<span style='color:#c0392b'>" + self.tr(
                "%1 cancellation request(s) wait: their order is not imported").replace(
                "%1", str(counts["claims_unknown_order"])) + "</span>")
        if counts.get("waiting_erp"):
            extra.append("<span style='color:#c0392b'>" + self.tr("%1 with a cancellation waiting for the ERP").replace(
                "%1", str(counts["waiting_erp"])) + "</span>")
        self.count_label.setText(text + (self.tr(" · in all: ") + " · ".join(extra) if extra else ""))

    @Slot()
    def _on_loaded(self) -> None:
        self._update_count_label()
        if self._selected_id is None and self.model.rowCount():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        elif self._selected_id is not None:
            for n, r in enumerate(self.model.rows):
                if r.id == self._selected_id:
                    self.table.selectRow(n)
                    break

    @Slot(object, object)
    def _on_row(self, current, _previous) -> None:
        row = self.model.row_at(current.row()) if current.isValid() else None
        if row is None:
            return
        if row.id != self._selected_id:
            self._selected_id = row.id
            self.load_detail(row.id)

    def load_detail(self, order_id: int) -> None:
        self._detail_loading = True
        db = self.services.db

        def done(detail):
            self._detail_loading = False
            if order_id == self._selected_id:
                self.show_detail(detail)

        def failed(err):
            self._detail_loading = False
            self.header.setText(self.tr("Order could not be loaded: %1").replace("%1", str(err)))

        self.services.runner.run((self, "detail"), lambda: order_ops.load_order_detail(db, order_id), done, failed)

    def show_detail(self, d) -> None:
        self.detail = d
        if d is None:
            self.header.setText(self.tr("The order no longer exists."))
            return
        r = d.row
        color = "#c0392b" if r.late else STATUS_COLORS.get(r.status, "#333")
        invoice = (self.tr("invoice sent to N11") if d.invoice_sent else self.tr("invoice link waiting to be sent")) \
            if d.invoice_link else self.tr("no invoice")
        self.header.setText(
            fill(self.tr("<span style='font-size:15px'><b>%1</b></span> &nbsp; <span style='color:%2'><b>%3</b></span>"
                         "<br>N11 order %4 · ordered %5 · %6%7<br>Total <b>%8</b>%9 · cargo %10 · %11 · %12"),
                 r.number, color, status_text(r.status, r.late), r.n11_order_number, local_time(r.ordered_at),
                 r.customer, " · " + d.customer_email if d.customer_email else "", money(r.total),
                 self.tr(" (discount %1)").replace("%1", money(d.discount)) if d.discount else "",
                 r.cargo or "—", invoice,
                 self.tr("reported to ERP") if r.erp_reported
                 else "<span style=color:#b9770e>" + self.tr("not reported to ERP") + "</span>"))
        from PySide6.QtGui import QBrush, QColor

        self._fill(self.lines, [
            (i.line_id, f"{i.name} ({i.sku})" if i.sku else i.name,
             f"{i.quantity}" + (f" (−{i.cancelled})" if i.cancelled else ""),
             money(i.price) + (f" −{money(i.discount)}" if i.discount else ""),
             core_tr(st.LABELS.get(i.status, i.status))
             + (" · " + self.tr("sending to N11") if st.is_ahead(i.status, i.sent_status) else ""),
             i.tracking, i.package) for i in d.items])
        for n, i in enumerate(d.items):
            item = self.lines.item(n, 4)
            item.setForeground(QBrush(QColor(STATUS_COLORS.get(i.status, "#333"))))
            item.setToolTip(self.tr("N11 says: %1; last status reported to N11: %2").replace("%1", str(i.n11_status or '—')).replace("%2", core_tr(st.LABELS.get(i.sent_status, i.sent_status or '—'))))
            self.lines.item(n, 0).setData(Qt.ItemDataRole.UserRole, i.id)
        if (d.shipping or {}).get("pickup_point"):
            # N11 pick-up-point delivery: the package goes to the point, the buyer is the billing address
            kind = d.shipping.get("delivery_address_type") or ""
            head = (_address_html(self.tr("Delivered to pick-up point (%1)").replace("%1", kind), d.shipping)
                    + "<br><br>" + _address_html(self.tr("Customer (billing address)"), d.billing))
        else:
            head = (_address_html(self.tr("Shipping address"), d.shipping) + "<br><br>"
                    + _address_html(self.tr("Billing address"), d.billing))
        self.addresses.setText(head
                               + (self.tr("<br><br>TC id %1").replace("%1", str(d.tc_id)) if d.tc_id else ""))
        self._fill(self.packages, [(p.n11_id, p.status, p.campaign, p.tracking, local_time(p.last_modified))
                                   for p in d.packages])
        self._fill(self.cancels, [(local_time(c.when), c.source, c.kind, c.line, str(c.quantity), c.reason,
                                   c.state, c.message) for c in d.cancellations])
        self.tabs.setTabText(3, self.tr("Cancellations (%1)").replace("%1", str(len(d.cancellations))) if d.cancellations else self.tr("Cancellations"))
        self.raw.setPlainText(d.raw_json)
        waiting = any(i.status == st.WAITING for i in d.items)
        open_lines = any(i.status in (st.WAITING, st.APPROVED) for i in d.items)
        self.approve_btn.setEnabled(waiting)
        self.ship_btn.setEnabled(open_lines)
        self.cancel_btn.setEnabled(open_lines)
        self.invoice_btn.setEnabled(True)
        self.erp_btn.setEnabled(not r.erp_reported)
        self.pickup_btn.setEnabled(any(i.status == st.APPROVED for i in d.items)
                                   or any(p.status == "Picking" for p in d.packages))

    @staticmethod
    def _fill(table: QTableWidget, rows) -> None:
        table.setRowCount(len(rows))
        for n, row in enumerate(rows):
            for c, value in enumerate(row):
                table.setItem(n, c, QTableWidgetItem("" if value is None else str(value)))

    # ------------------------------------------------------------------ actions
    def selected_item_ids(self, statuses) -> list[int]:
        """Selected lines, or every line in ``statuses`` when none is selected."""
        if self.detail is None:
            return []
        rows = {i.row() for i in self.lines.selectedIndexes()}
        items = [self.detail.items[r] for r in sorted(rows) if r < len(self.detail.items)]
        if not items:
            items = [i for i in self.detail.items if i.status in statuses]
        return [i.id for i in items]

    def _act(self, fn, *args) -> None:
        if self.detail is None:
            return
        db = self.services.db

        self.services.runner.submit(lambda: fn(db, *args), self._after_action, self._action_failed)

    def _after_action(self, res) -> None:
        """An order action's result: say it, reload, and run the flow that carries it to N11."""
        self.message.setText(core_message(res.message))
        self.reload()
        if res.flow:
            self.run_flow(res.flow, list(res.orders))

    def _action_failed(self, err) -> None:
        self.message.setText(self.tr("Not done: %1").replace("%1", core_message(str(err))))

    def approve(self) -> None:
        ids = self.selected_item_ids({st.WAITING})
        if not ids:
            self.message.setText(self.tr("No line waiting for approval."))
            return
        self._act(actions.approve, self.detail.row.id, ids)

    def ship(self, tracking: str | None = None) -> None:
        ids = self.selected_item_ids({st.WAITING, st.APPROVED})
        if not ids:
            self.message.setText(self.tr("No line can be shipped."))
            return
        tracking = tracking if tracking is not None else ShipDialog.ask(self, len(ids))
        if tracking is None:
            return
        self._act(actions.ship, self.detail.row.id, ids, tracking)

    def attach_invoice(self, url: str | None = None, invoice_number: str | None = None,
                       invoice_time: str | None = None) -> None:
        """Attach the invoice link; a micro-export order also asks for the invoice number and time."""
        if self.detail is None:
            return
        if url is None and self.detail.micro:
            answer = MicroInvoiceDialog.ask(self, self.detail.invoice_link)
            if answer is None:
                return
            url, invoice_number, invoice_time = answer
        url = url if url is not None else InvoiceDialog.ask(self, self.detail.invoice_link)
        if url is None:
            return
        self._act(actions.attach_invoice, self.detail.row.id, url, invoice_number, invoice_time)

    def request_pickup(self, boxes: int | None = None, desi: str | None = None) -> None:
        """N11 collection request for approved packages of carriers that collect (Horoz, Ceva, Borusan)."""
        if self.detail is None:
            return
        if boxes is None:
            answer = CollectionDialog.ask(self)
            if answer is None:
                return
            boxes, desi = answer
        self._act(request_collection, self.detail.row.id, boxes, desi)

    def cancel_lines(self, quantities: dict[int, int] | None = None) -> None:
        if self.detail is None:
            return
        if quantities is None:
            items = [i for i in self.detail.items if i.status in (st.WAITING, st.APPROVED)]
            quantities = CancelDialog.ask(self, items)
            if quantities is None:
                return
        self._act(actions.cancel_lines, self.detail.row.id, quantities)

    def selected_order_numbers(self) -> list[str]:
        """N11 order numbers of the selected rows of the orders table (the shown order if none)."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        numbers = [r.n11_order_number for r in (self.model.row_at(n) for n in rows) if r is not None]
        if not numbers and self.detail is not None:
            numbers = [self.detail.row.n11_order_number]
        return numbers

    def mark_reported(self) -> None:
        numbers = self.selected_order_numbers()
        if not numbers:
            return
        self._act(actions.mark_reported, numbers)

    @staticmethod
    def ask_numbers_path(parent: QWidget) -> str | None:
        return open_path(parent, QCoreApplication.translate("OrdersTab", "Orders reported to the ERP"),
                         QCoreApplication.translate("OrdersTab", "CSV files (*.csv *.txt);;All files (*)"))

    def mark_reported_from_csv(self, path: str | None = None) -> None:
        path = path if path is not None else self.ask_numbers_path(self)
        if not path:
            return
        db = self.services.db
        self.services.runner.submit(lambda: order_ops.mark_reported_from_file(db, path), self._after_action,
                                    self._action_failed)

    def open_address_mapping(self) -> None:
        dlg = AddressMappingDialog(self.services, self)
        dlg.exec()
        if dlg.saved:
            self.message.setText(self.tr("Address mapping saved; fetching the waiting orders again."))
            self.run_flow("order_create")
        self._load_problems()

    @staticmethod
    def ask_export_path(parent: QWidget) -> str | None:
        return save_path(parent, QCoreApplication.translate("OrdersTab", "Export orders"), "orders.csv",
                         QCoreApplication.translate("OrdersTab", "CSV files (*.csv)"))

    def export_csv(self, path: str | None = None) -> None:
        path = path if path is not None else self.ask_export_path(self)
        if not path:
            return
        db, f = self.services.db, self.current_filter()

        self.services.runner.submit(lambda: order_ops.export_orders_csv(db, f, path), lambda r: self.message.setText(self.tr("Exported %1 order lines to %2.").replace("%1", str(r[0])).replace("%2", str(r[1]))),
                                    lambda err: self.message.setText(self.tr("Export failed: %1").replace("%1", str(err))))

    def open_cargo_mapping(self) -> None:
        dlg = CargoMappingDialog(self.services, self)
        dlg.exec()
        if dlg.saved:
            self.message.setText(self.tr("Cargo mapping saved; fetching the waiting orders again."))
            self.run_flow("order_create")

    # ------------------------------------------------------------------ flows
    def run_flow(self, slug: str, orders: list[str] | None = None, options: dict | None = None) -> None:
        """Run ``slug`` through the scheduler (never overlapping a scheduled run) or the runner.
        ``options``: flow options that change what the run does (e.g. ``history``)."""
        self._pending_flows.add(slug)
        sch = self.services.scheduler
        if sch is not None:
            sch.run_now(slug, options or None, trigger="manual")  # a full run also carries this change
            return
        db = self.services.db
        options = dict(options or {}, **({"orders": orders} if orders else {}))

        def done(res):
            self.services.emit("flow_finished", res)

        self.services.runner.submit(lambda: run_flow(slug, db, trigger="manual", options=options), done,
                                    lambda err: self.message.setText(self.tr("%1 failed: %2").replace("%1", str(slug)).replace("%2", str(err))))

    @Slot(object)
    def _on_flow_finished(self, result) -> None:
        flow = getattr(result, "flow", None)
        if flow not in ORDER_FLOWS:
            return
        if flow in self._pending_flows:
            self._pending_flows.discard(flow)
            state = result.state.value if hasattr(result.state, "value") else result.state
            name = next((core_tr(s.name) for s in all_specs() if s.slug == flow), flow)
            text = self.tr("%1: %2 — %3 ok").replace("%1", name).replace("%2", state_word(state)).replace(
                "%3", str(result.succeeded))
            if result.failed:
                text += self.tr(", %1 failed").replace("%1", str(result.failed))
            if result.message:
                text += f" ({core_message(result.message)})"
            self.message.setText(text)
        self._reload_timer.start()

    def shutdown(self) -> None:
        self._closed = True
        self._reload_timer.stop()
        self._search_timer.stop()
        if self.webhook is not None:
            self.webhook.stop()
            self.webhook = None
