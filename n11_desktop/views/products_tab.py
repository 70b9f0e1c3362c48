"""Products (DESIGN §8): the catalog with its N11 state, filters, in-place price/stock edits,
N11 catalog membership and the catalog file import.

Every database call runs through ``services.runner``; the table is a window over the products
(views/products_model.py), so 100k products open as fast as 300.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QPushButton, QStackedWidget, QTableView, QToolBar, QVBoxLayout, QWidget)

from ..core.catalog import operations as catalog_ops
from ..core.catalog.importer import import_catalog
from ..core.formats import number
from ..core.catalog.repo import NOT_SENT, ProductFilter, ProductRow
from .products_import import ImportReportDialog
from .files import open_path
from .products_model import COL, COLUMNS, ROW_ROLE, ProductTableModel

if TYPE_CHECKING:
    from ..app import AppServices

DEBOUNCE_MS = 300
ROW_HEIGHT = 24
FILE_FILTER = QT_TRANSLATE_NOOP("ProductsTab", "Catalog files (*.csv *.xlsx *.xlsm *.txt *.tsv);;CSV (*.csv *.txt *.tsv);;Excel (*.xlsx *.xlsm)")

MEMBERSHIP = ((QT_TRANSLATE_NOOP("ProductsTab", "In catalog or not"), None),
              (QT_TRANSLATE_NOOP("ProductsTab", "In N11 catalog"), True),
              (QT_TRANSLATE_NOOP("ProductsTab", "Not in N11 catalog"), False),
              (QT_TRANSLATE_NOOP("ProductsTab", "Removed from N11 catalog"), "removed"))
PENALTY = ((QT_TRANSLATE_NOOP("ProductsTab", "Any penalty / error"), None),
           (QT_TRANSLATE_NOOP("ProductsTab", "Penalized"), "penalized"),
           (QT_TRANSLATE_NOOP("ProductsTab", "Not penalized"), "not_penalized"),
           (QT_TRANSLATE_NOOP("ProductsTab", "With an error"), "error"))


class _Progress(QObject):
    """Lives on the GUI thread; the import job emits from its pool thread (queued to the GUI)."""

    changed = Signal(str, int, int)  # file name, rows done, rows total


class ProductsTab(QWidget):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._progress = _Progress(self)
        self._progress.changed.connect(self._on_import_progress)
        self.model = ProductTableModel(services, self)
        self._dialog: ImportReportDialog | None = None
        self._busy = False
        self._own_event = False
        self._lists_loaded = False

        # toolbar
        self.toolbar = QToolBar(self.tr("Products"), self)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.import_action = QAction(self.tr("Import catalog…"), self)
        self.import_action.setToolTip(self.tr("Import products, prices, stock, images and attributes from a CSV or XLSX "
                                      "file (you see a preview first)"))
        self.import_action.triggered.connect(self.start_import)
        self.add_to_catalog_action = QAction(self.tr("Add to N11 catalog"), self)
        self.add_to_catalog_action.setToolTip(self.tr("Add the selected products to the N11 catalog (they are then sent to N11)"))
        self.add_to_catalog_action.triggered.connect(lambda: self.set_selected_membership(True))
        self.remove_action = QAction(self.tr("Remove from N11 catalog"), self)
        self.remove_action.setToolTip(self.tr("Remove the selected products from the N11 catalog "
                                      "(Product Delete then sets their stock to 0 on N11)"))
        self.remove_action.triggered.connect(lambda: self.set_selected_membership(False))
        self.pause_action = QAction(self.tr("Pause selling on N11"), self)
        self.pause_action.setToolTip(self.tr("Stop selling the selected products on N11 without deleting them "
                                     "(N11 status Suspended; listing, price and stock are kept)"))
        self.pause_action.triggered.connect(lambda: self.set_selected_selling(False))
        self.resume_action = QAction(self.tr("Resume selling on N11"), self)
        self.resume_action.setToolTip(self.tr("Sell the selected paused products on N11 again (N11 status Active)"))
        self.resume_action.triggered.connect(lambda: self.set_selected_selling(True))
        self.set_category_action = QAction(self.tr("Set N11 category…"), self)
        self.set_category_action.setToolTip(self.tr("Put the selected products in one N11 leaf category, whatever their local "
                                            "category maps to (e.g. the category ID an N11 error names); they "
                                            "are resent with it"))
        self.set_category_action.triggered.connect(self.start_set_category)
        self.clear_category_action = QAction(self.tr("Clear N11 category override"), self)
        self.clear_category_action.setToolTip(self.tr("The selected products follow their local-category mapping again "
                                              "(they are resent)"))
        self.clear_category_action.triggered.connect(self.clear_selected_category)
        self.view_on_n11_action = QAction(self.tr("View on N11"), self)
        self.view_on_n11_action.setToolTip(self.tr("Open the product's page on N11 (Sales Url) in the web browser"))
        self.view_on_n11_action.triggered.connect(lambda: self.view_on_n11())
        self.refresh_action = QAction(self.tr("Refresh"), self)
        self.refresh_action.triggered.connect(self.refresh)
        self.toolbar.addAction(self.import_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.add_to_catalog_action)
        self.toolbar.addAction(self.remove_action)
        self.toolbar.addAction(self.pause_action)
        self.toolbar.addAction(self.resume_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.set_category_action)
        self.toolbar.addAction(self.clear_category_action)
        self.toolbar.addSeparator()
        self.toolbar.addAction(self.refresh_action)
        self._extra_separator = self.toolbar.addSeparator()

        # filters
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search SKU, title, product code, barcode or brand…"))
        self.search.setClearButtonEnabled(True)
        self.category = QComboBox(self)
        self.category.setMinimumContentsLength(22)
        self.category.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.category.addItem(self.tr("All categories"), None)
        self.membership = QComboBox(self)
        for text, value in MEMBERSHIP:
            self.membership.addItem(self.tr(text), value)
        self.state = QComboBox(self)
        self.state.addItem(self.tr("Any N11 state"), None)
        self.state.addItem(self.tr("Not sent yet"), NOT_SENT)
        self.penalty = QComboBox(self)
        for text, value in PENALTY:
            self.penalty.addItem(self.tr(text), value)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(DEBOUNCE_MS)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self.apply_filters)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self, self.search.setFocus)
        self.refresh_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        self.refresh_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(self.refresh_action)
        for combo in (self.category, self.membership, self.state, self.penalty):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        filters = QHBoxLayout()
        filters.addWidget(self.search, 3)
        filters.addWidget(self.category, 2)
        filters.addWidget(self.membership, 1)
        filters.addWidget(self.state, 1)
        filters.addWidget(self.penalty, 1)

        # banner (results and errors, never a blocking message box) and count
        self.banner = QLabel(self)
        self.banner.setWordWrap(True)
        self.banner.setVisible(False)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.count_label = QLabel(self.tr("Loading products…"), self)
        self.count_label.setObjectName("productsCount")
        hint = QLabel(self.tr("Double-click a price, list price or stock to change it. Select rows to add or remove them "
                      "from the N11 catalog."), self)
        hint.setStyleSheet("color: #7f8c8d")
        status = QHBoxLayout()
        status.addWidget(self.count_label)
        status.addStretch(1)
        status.addWidget(hint)

        # table
        self.view = QTableView(self)
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                  | QAbstractItemView.EditTrigger.EditKeyPressed
                                  | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        vh = self.view.verticalHeader()
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(ROW_HEIGHT)
        vh.setVisible(False)
        hh = self.view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        hh.setHighlightSections(False)
        for i, c in enumerate(COLUMNS):
            self.view.setColumnWidth(i, c.width)
        hh.setSortIndicator(COL["sku"], Qt.SortOrder.AscendingOrder)
        self.view.setSortingEnabled(True)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        for action in (self.add_to_catalog_action, self.remove_action, self.pause_action, self.resume_action,
                       self.set_category_action, self.clear_category_action, self.view_on_n11_action):
            self.view.addAction(action)

        # empty state
        self.empty = QWidget(self)
        el = QVBoxLayout(self.empty)
        el.addStretch(1)
        title = QLabel(self.tr("<h2>No products yet — import a CSV/XLSX catalog</h2>"), self.empty)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body = QLabel(
            self.tr("One row per SKU. Columns: <b>sku</b> (required), product_code, title, description, category "
            "(<i>Ayakkabı &gt; Kadın &gt; Sneaker</i>), brand, barcode, price, list_price, vat_rate (0/1/10/20), "
            "stock, images (https URLs separated by |), preparing_day, shipment_template, active, in_catalog "
            "and any <b>attr:&lt;Name&gt;</b> column such as attr:Renk.<br>"
            "Excel files and CSV in UTF-8 or Windows-1254 with , or ; separators and Turkish decimal commas "
            "(1.234,50) are fine. You see what would change before anything is written."), self.empty)
        body.setWordWrap(True)
        body.setAlignment(Qt.AlignmentFlag.AlignCenter)
        body.setMaximumWidth(760)
        self.empty_import = QPushButton(self.tr("Import catalog…"), self.empty)
        self.empty_import.clicked.connect(self.start_import)
        el.addWidget(title)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(body)
        row.addStretch(1)
        el.addLayout(row)
        brow = QHBoxLayout()
        brow.addStretch(1)
        brow.addWidget(self.empty_import)
        brow.addStretch(1)
        el.addLayout(brow)
        el.addStretch(2)

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)

        layout = QVBoxLayout(self)
        layout.addWidget(self.toolbar)
        layout.addLayout(filters)
        layout.addWidget(self.banner)
        layout.addLayout(status)
        layout.addWidget(self.stack, 1)

        self.model.loaded.connect(self._on_loaded)
        self.model.edit_failed.connect(lambda msg: self.show_banner(msg, error=True))
        self.model.edited.connect(self._on_edited)
        for event in ("catalog_changed", "price_changed", "stock_changed", "flow_finished", "mapping_changed"):
            services.subscribe(event, self._on_event)
        self._update_actions()
        self.model.reload()
        self._load_lists()
        from .send_dialog import install_product_actions  # "Send selected…" and "Penalty box…"

        install_product_actions(self, services)

    # ------------------------------------------------------------------ public
    def is_ready(self) -> bool:
        return self.model.is_ready() and self._lists_loaded and not self._busy

    def add_action(self, action: QAction) -> None:
        """A place for other parts (e.g. "Send selected…") in the toolbar, after the built-in actions."""
        self.toolbar.addAction(action)

    def selected_rows(self) -> list[int]:
        return sorted({i.row() for i in self.view.selectionModel().selectedRows()})

    def selected_products(self, on_done, on_error=None) -> None:
        """Resolve the selection to ProductRows off-thread (also rows not loaded yet) and call ``on_done``."""
        self.model.resolve_rows(self.selected_rows(), on_done, on_error or self._on_job_error)

    @classmethod
    def choose_import_file(cls, parent: QWidget) -> Path | None:
        """The file dialog (patched in tests)."""
        path = open_path(parent, QCoreApplication.translate("ProductsTab", "Import catalog"),
                         QCoreApplication.translate("ProductsTab", FILE_FILTER), str(Path.home()))
        return Path(path) if path else None

    @staticmethod
    def open_url(url: str) -> bool:
        """Open ``url`` in the browser (patched in tests)."""
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        return QDesktopServices.openUrl(QUrl(url))

    def view_on_n11(self) -> None:
        """Open the first selected product's page on N11 (built from Sales Url)."""
        rows = self.selected_rows()
        if not rows:
            return
        db = self.services.db

        def got(products):
            if not products:
                return
            p = products[0]

            def done(url):
                self.last_n11_url = url
                if not self.open_url(url):
                    self.show_banner(self.tr("Could not open a browser; the product's N11 page is %1").replace("%1", url),
                                     error=True)

            self.services.runner.submit(lambda: catalog_ops.n11_page_url(db, p), done, self._on_job_error)

        self.model.resolve_rows(rows[:1], got, self._on_job_error)

    def show_banner(self, text: str, *, error: bool = False) -> None:
        color, bg = ("#922b21", "#fdedec") if error else ("#145a32", "#e9f7ef")
        self.banner.setStyleSheet(f"QLabel {{ color: {color}; background: {bg}; padding: 6px; "
                                  f"border: 1px solid {color}; border-radius: 3px; }}")
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    def current_filter(self) -> ProductFilter:
        pen = self.penalty.currentData()
        return ProductFilter(
            text=self.search.text().strip() or None,
            category=self.category.currentData(),
            in_catalog=self.membership.currentData(),
            n11_state=self.state.currentData(),
            penalized=True if pen == "penalized" else False if pen == "not_penalized" else None,
            has_error=True if pen == "error" else None,
        )

    @Slot()
    def apply_filters(self) -> None:
        self._debounce.stop()
        self.model.set_filter(self.current_filter())

    @Slot()
    def refresh(self) -> None:
        self.model.reload(keep_rows=True)
        self._load_lists()

    # ------------------------------------------------------------------ loading
    def _load_lists(self) -> None:
        db = self.services.db

        self.services.runner.run((self, "lists"), lambda: catalog_ops.load_filter_lists(db), self._on_lists,
                                 self._on_lists_error)

    def _on_lists(self, res) -> None:
        cats, states = res
        self._lists_loaded = True
        self._fill_combo(self.category, [(self.tr("All categories"), None), (self.tr("(no category)"), "")]
                         + [(c, c) for c in cats])
        self._fill_combo(self.state, [(self.tr("Any N11 state"), None), (self.tr("Not sent yet"), NOT_SENT)]
                         + [(s, s) for s in states])

    def _on_lists_error(self, err) -> None:
        self._lists_loaded = True
        self.show_banner(self.tr("Could not load the filter lists: %1").replace("%1", str(err)), error=True)

    @staticmethod
    def _fill_combo(combo: QComboBox, items) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for text, value in items:
            combo.addItem(text, value)
        idx = combo.findData(current)
        combo.setCurrentIndex(max(idx, 0))
        combo.blockSignals(False)

    @Slot(int, int)
    def _on_loaded(self, matching: int, total: int) -> None:
        filtered = self.model.filter != ProductFilter()
        if total == 0:
            self.count_label.setText(self.tr("No products"))
        elif filtered:
            self.count_label.setText(self.tr("<b>%1</b> of %2 products match").replace("%1", number(matching))
                                     .replace("%2", number(total)))
        else:
            self.count_label.setText(self.tr("<b>%1</b> products").replace("%1", number(total)))
        self.stack.setCurrentWidget(self.empty if total == 0 else self.view)
        self._update_actions()

    def _update_actions(self) -> None:
        has_sel = bool(self.view.selectionModel().hasSelection())
        self.add_to_catalog_action.setEnabled(has_sel and not self._busy)
        self.remove_action.setEnabled(has_sel and not self._busy)
        self.pause_action.setEnabled(has_sel and not self._busy)
        self.resume_action.setEnabled(has_sel and not self._busy)
        self.set_category_action.setEnabled(has_sel and not self._busy)
        self.clear_category_action.setEnabled(has_sel and not self._busy)
        self.view_on_n11_action.setEnabled(has_sel)
        self.import_action.setEnabled(not self._busy)
        self.empty_import.setEnabled(not self._busy)

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self._busy = busy
        if busy and text:
            self.count_label.setText(text)
        self._update_actions()

    def _on_job_error(self, err) -> None:
        self._set_busy(False)
        self.show_banner(str(err), error=True)
        self.model.reload(keep_rows=True)

    # ------------------------------------------------------------------ events
    def _emit(self, event: str, payload) -> None:
        self._own_event = True
        try:
            self.services.emit(event, payload)
        finally:
            self._own_event = False

    def _on_event(self, _payload) -> None:
        if self._own_event:
            return
        try:
            self.refresh()
        except RuntimeError:  # the tab was deleted (tests build many windows on one services object)
            pass

    def _on_edited(self, event: str, ids) -> None:
        self._emit(event, ids)

    def _begin_on_selection(self, busy_text: str | None = None):
        """The selected rows as a Selection for an operation, the tab set busy; None when nothing is selected."""
        rows = self.selected_rows()
        if not rows:
            return None
        self._set_busy(True, busy_text or "")
        return self.model.selection(rows)

    # ------------------------------------------------------------------ membership
    def set_selected_membership(self, member: bool) -> None:
        selection = self._begin_on_selection()
        if selection is None:
            return
        db = self.services.db

        def done(res) -> None:
            ids, changed = res
            self._set_busy(False)
            skipped = len(ids) - changed
            if member:
                msg = (self.tr("%1 product added to the N11 catalog.") if changed == 1
                       else self.tr("%1 products added to the N11 catalog.")).replace("%1", str(changed))
            else:
                msg = (self.tr("%1 product removed from the N11 catalog.") if changed == 1
                       else self.tr("%1 products removed from the N11 catalog.")).replace("%1", str(changed))
            if skipped:
                msg += " " + (self.tr("%1 already in it.") if member else self.tr("%1 already out of it.")
                              ).replace("%1", str(skipped))
            self.show_banner(msg)
            self.model.reload(keep_rows=True)
            if changed:
                self._emit("catalog_changed", ids)

        self.services.runner.submit(lambda: catalog_ops.set_membership(db, selection, member), done, self._on_job_error)

    # ------------------------------------------------------------------ pause / resume selling
    def set_selected_selling(self, selling: bool) -> None:
        """Pause (``selling=False``) or resume selling the selected products on N11 (product-update
        status Suspended / Active), on a worker thread."""
        selection = self._begin_on_selection(self.tr("Sending to N11…"))
        if selection is None:
            return
        db = self.services.db

        def done(res) -> None:
            self._set_busy(False)
            self.show_banner(res.message, error=not res.sent)
            self.model.reload(keep_rows=True)

        self.services.runner.submit(lambda: catalog_ops.set_selling(db, selection, selling), done, self._on_job_error)

    # ------------------------------------------------------------------ N11 category override
    @classmethod
    def ask_n11_category(cls, parent: QWidget, leaves, count: int, current: int | None = None) -> str | None:
        """The "Set N11 category" dialog: the leaf id typed or picked, None if cancelled (tests patch it)."""
        from .products_category import CategoryOverrideDialog

        dialog = CategoryOverrideDialog(leaves, count, parent, current)
        try:
            return dialog.value() if dialog.exec() == CategoryOverrideDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    def start_set_category(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        db = self.services.db
        self._set_busy(True, self.tr("Loading the N11 category tree…"))

        def loaded(leaves) -> None:
            self._set_busy(False)
            row = self.model.row_at(rows[0]) if len(rows) == 1 else None
            current = row.n11_category if row is not None else None
            text = self.ask_n11_category(self, leaves, len(rows), current)
            if text is not None:
                self.set_selected_category(text)

        self.services.runner.submit(lambda: catalog_ops.load_leaf_choices(db), loaded, self._on_job_error)

    def set_selected_category(self, category_id: str | int) -> None:
        """Put the selected products in N11 leaf ``category_id`` (refused with the reason if it is not one)."""
        self._change_category(category_id)

    def clear_selected_category(self) -> None:
        self._change_category(None)

    def _change_category(self, category_id) -> None:
        selection = self._begin_on_selection()
        if selection is None:
            return
        db = self.services.db

        def done(res) -> None:
            ids, change, error = res
            self._set_busy(False)
            if error:
                self.show_banner(self.tr("N11 category not set: %1. Nothing was changed.").replace("%1", str(error)),
                                 error=True)
                return
            n = change.changed
            if change.category_id is None:
                msg = (self.tr("N11 category override cleared for %1 product; they follow the category mapping again.")
                       if n == 1 else
                       self.tr("N11 category override cleared for %1 products; they follow the category mapping "
                               "again.")).replace("%1", str(n))
            else:
                msg = (self.tr("%1 product put in N11 category “%2” (%3); they are resent with it at the next "
                               "Product Update / Create.") if n == 1 else
                       self.tr("%1 products put in N11 category “%2” (%3); they are resent with it at the next "
                               "Product Update / Create.")
                       ).replace("%1", str(n)).replace("%2", str(change.category_name)).replace("%3", str(change.category_id))
            if change.unchanged:
                msg += " " + (self.tr("%1 already without one.") if change.category_id is None
                              else self.tr("%1 already in it.")).replace("%1", str(change.unchanged))
            self.show_banner(msg)
            self.model.reload(keep_rows=True)
            if n:
                self._emit("catalog_changed", ids)

        self.services.runner.submit(lambda: catalog_ops.change_category(db, selection, category_id), done,
                                    self._on_job_error)

    # ------------------------------------------------------------------ import
    @Slot()
    def start_import(self) -> None:
        if self._busy:
            return
        path = self.choose_import_file(self)
        if path is None:
            return
        self._run_import(path, dry_run=True)

    def _run_import(self, path: Path, *, dry_run: bool) -> None:
        db = self.services.db
        self._set_busy(True, (self.tr("Checking %1…") if dry_run else self.tr("Importing %1…")).replace("%1", path.name))
        self.show_banner("")

        progress = self._progress.changed

        def job():
            return import_catalog(db, path, dry_run=dry_run,
                                  on_progress=lambda done, total: progress.emit(path.name, done, total))

        def failed(err) -> None:
            self._set_busy(False)
            self.show_banner(self.tr("%1 was not imported: %2").replace("%1", path.name).replace("%2", str(err)),
                             error=True)
            self.model.reload(keep_rows=True)

        self.services.runner.submit(job, lambda report: self._on_import_report(path, report), failed)

    @Slot(str, int, int)
    def _on_import_progress(self, name: str, done: int, total: int) -> None:
        if self._busy and total:
            self.count_label.setText(self.tr("Processing %1: %2 of %3 rows…").replace("%1", name)
                                     .replace("%2", number(done)).replace("%3", number(total)))

    def _on_import_report(self, path: Path, report) -> None:
        self._set_busy(False)
        dlg = ImportReportDialog(report, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dlg
        if report.dry_run:
            dlg.accepted.connect(lambda: self._run_import(path, dry_run=False))
            dlg.rejected.connect(lambda: self.show_banner(self.tr("Import cancelled: nothing was written.")))
        else:
            msg = report.summary() + "."
            if report.errors:
                msg += " " + self.tr("Bad rows were skipped; they are listed in the import report.")
            self.show_banner(msg, error=bool(report.errors))
            self.model.reload(keep_rows=True)
            self._load_lists()
            if report.created or report.updated:
                self._emit("catalog_changed", None)
            # the scheduler pushes stock and prices at once (an empty tuple: many products, see the versions)
            if report.stock_changes:
                self._emit("stock_changed", ())
            if report.price_changes:
                self._emit("price_changed", ())
        dlg.finished.connect(self._dialog_closed)
        dlg.open()

    def _dialog_closed(self, _result: int) -> None:
        self._dialog = None

    # ------------------------------------------------------------------ teardown
    def shutdown(self) -> None:
        self._debounce.stop()


__all__ = ["ProductsTab", "ProductRow", "ROW_ROLE"]
