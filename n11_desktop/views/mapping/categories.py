"""The Mapper's left side: your local categories and N11's category tree, both filterable."""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QItemSelectionModel, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from n11_desktop.core.mapping.operations import Overview
from n11_desktop.core.mapping.store import LocalCategoryRow

from ...core.formats import number
from ..core_texts import fill
from ..mapping_models import AMBER, GREEN, GREY, RED, SORT_ROLE, Column, FoldFilterProxy, N11TreeModel, RowsModel, \
    TreeFilterProxy
from .common import empty_label, table_defaults

EMPTY_TREE = QT_TRANSLATE_NOOP("CategoryBrowser", "No N11 categories yet — set Category Ids in Channel Settings and run "
                                                  "Category Node (button above). The tree of each main category then "
                                                  "appears here.")
EMPTY_LOCAL = QT_TRANSLATE_NOOP("CategoryBrowser", "No local categories yet — import the catalog (Products tab or "
                                                   "`n11-desktop catalog import`).")


class CategoryBrowser(QWidget):
    """Local categories above, the N11 tree below. Says when the chosen local category or N11
    node changes; the Mapping page maps one onto the other."""

    local_changed = Signal()
    node_changed = Signal()
    node_activated = Signal()  # double-click: map to this node

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        left = QSplitter(Qt.Orientation.Vertical)
        outer.addWidget(left)
        box_local = QGroupBox(self.tr("Local categories (your catalog)"))
        ll = QVBoxLayout(box_local)
        self.local_filter = QLineEdit()
        self.local_filter.setPlaceholderText(self.tr("Filter local categories (try “unmapped”)…"))
        self.local_filter.setClearButtonEnabled(True)
        ll.addWidget(self.local_filter)
        self.local_summary = QLabel("")
        self.local_summary.setWordWrap(True)  # Turkish lines run longer: wrap, never widen the window
        ll.addWidget(self.local_summary)
        self.local_model: RowsModel[LocalCategoryRow] = RowsModel([
            Column(self.tr("Local category"), lambda r: r.local, tooltip=lambda r: r.problem or r.n11_path or None),
            Column(self.tr("Products"), lambda r: r.products, sort=lambda r: r.products,
                   align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            Column(self.tr("N11 category"), lambda r: (f"{r.n11_name} ({r.n11_id})" if r.n11_id else
                                                       self.tr("— not mapped")),
                   color=lambda r: GREY if r.n11_id is None else None, tooltip=lambda r: r.n11_path or None),
            Column(self.tr("Status"), lambda r: {"mapped": self.tr("✔ mapped"), "unmapped": self.tr("✖ unmapped"),
                                                 "broken": self.tr("⚠ remap")}[r.status],
                   color=lambda r: {"mapped": GREEN, "unmapped": RED, "broken": AMBER}[r.status],
                   tooltip=lambda r: r.problem or None),
        ], self)
        self.local_proxy = FoldFilterProxy(lambda r: f"{r.local} {r.n11_name} {r.status}", self)
        self.local_proxy.setSourceModel(self.local_model)
        self.local_proxy.setSortRole(SORT_ROLE)
        self.local_view = QTableView()
        self.local_view.setModel(self.local_proxy)
        table_defaults(self.local_view)
        self.local_view.setSortingEnabled(True)
        self.local_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        hh = self.local_view.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # the status column fits its longest word in the operator's language ("✖ eşleştirilmedi")
        status_w = max(self.local_view.fontMetrics().horizontalAdvance(t) for t in
                       (self.tr("✔ mapped"), self.tr("✖ unmapped"), self.tr("⚠ remap"))) + 20
        for c, w in ((1, 62), (2, 175), (3, max(92, status_w))):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            self.local_view.setColumnWidth(c, w)
        self.local_filter.textChanged.connect(self.local_proxy.set_query)
        self.local_view.selectionModel().currentRowChanged.connect(lambda *_a: self.local_changed.emit())
        self.local_stack = QStackedWidget()
        self.local_empty = empty_label(self.tr(EMPTY_LOCAL))
        self.local_stack.addWidget(self.local_view)
        self.local_stack.addWidget(self.local_empty)
        ll.addWidget(self.local_stack, 1)
        left.addWidget(box_local)

        box_tree = QGroupBox(self.tr("N11 categories"))
        tl = QVBoxLayout(box_tree)
        self.tree_filter = QLineEdit()
        self.tree_filter.setPlaceholderText(self.tr("Search N11 categories (Turkish letters optional: “kadin sneaker”)…"))
        self.tree_filter.setClearButtonEnabled(True)
        tl.addWidget(self.tree_filter)
        self.tree_info = QLabel("")
        self.tree_info.setWordWrap(True)
        tl.addWidget(self.tree_info)
        self.tree_model = N11TreeModel(self)
        self.tree_proxy = TreeFilterProxy(self)
        self.tree_proxy.setSourceModel(self.tree_model)
        self.tree_view = QTreeView()
        self.tree_view.setModel(self.tree_proxy)
        self.tree_view.setHeaderHidden(True)
        self.tree_view.setUniformRowHeights(True)
        self.tree_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree_view.selectionModel().currentChanged.connect(lambda *_a: self.node_changed.emit())
        self.tree_view.doubleClicked.connect(lambda _i: self.node_activated.emit())
        self.tree_stack = QStackedWidget()
        self.tree_empty = empty_label(self.tr(EMPTY_TREE))
        self.tree_stack.addWidget(self.tree_view)
        self.tree_stack.addWidget(self.tree_empty)
        tl.addWidget(self.tree_stack, 1)
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(150)
        self._filter_timer.timeout.connect(self._apply_tree_filter)
        self.tree_filter.textChanged.connect(lambda _t: self._filter_timer.start())
        left.addWidget(box_tree)
        left.setSizes([330, 470])

    # ------------------------------------------------------------------ showing
    def show_overview(self, ov: Overview) -> None:
        self.overview = ov  # its version is what this screen's edits are based on
        if self.tree_model.tree is None or self.tree_model.tree.nodes != ov.tree.nodes:
            self.tree_model.set_data(ov.tree)
            if self.tree_filter.text().strip():
                self._apply_tree_filter()
        self.tree_model.set_mapped(ov.mapped_counts)
        self.tree_view.viewport().update()
        self.tree_stack.setCurrentWidget(self.tree_view if ov.tree.size else self.tree_empty)
        if ov.tree.size:
            ids = ", ".join(map(str, ov.category_ids)) or "none"
            self.tree_info.setText(self.tr("%1 nodes, %2 leaves under Category Ids %3. Products go only into leaves (shown with their id); green = mapped.").replace("%1", f"{ov.tree.size:,}").replace("%2", f"{ov.tree.leaves():,}").replace("%3", str(ids)))
        else:
            self.tree_info.setText("")
        self.local_model.set_rows(ov.local)
        self.local_stack.setCurrentWidget(self.local_view if ov.local else self.local_empty)
        mapped = sum(1 for r in ov.local if r.status == "mapped")
        prods = sum(r.products for r in ov.local)
        prods_mapped = sum(r.products for r in ov.local if r.status == "mapped")
        broken = sum(1 for r in ov.local if r.status == "broken")
        txt = fill(self.tr("%1 of %2 mapped · %3 of %4 products have an N11 category · %5 attribute rules, "
                           "%6 value maps"), mapped, len(ov.local), number(prods_mapped), number(prods), ov.rules,
                   ov.value_maps)
        if broken:
            txt += " · ⚠ " + self.tr("%1 to remap").replace("%1", str(broken))
        self.local_summary.setText(txt)

    def first_local(self) -> str | None:
        """The local category shown first (in the current sort order)."""
        if not self.local_model.rows:
            return None
        first_row = self.local_proxy.mapToSource(self.local_proxy.index(0, 0)).row()
        return self.local_model.rows[max(0, first_row)].local

    def select_local(self, local: str) -> None:
        for row, r in enumerate(self.local_model.rows):
            if r.local == local:
                idx = self.local_proxy.mapFromSource(self.local_model.index(row, 0))
                if idx.isValid():
                    self.local_view.selectionModel().setCurrentIndex(
                        idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
                    self.local_view.scrollTo(idx)
                return

    @Slot()
    def _apply_tree_filter(self) -> None:
        q = self.tree_filter.text()
        n = self.tree_proxy.set_query(q)
        if n is not None:
            self.tree_view.expandAll() if n <= 400 else self.tree_view.expandToDepth(0)
            if n == 0:
                self.tree_info.setText(self.tr("No N11 category matches “%1”.").replace("%1", str(q)))
        else:
            self.tree_view.collapseAll()

    # ------------------------------------------------------------------ selection
    def current_local_row(self) -> LocalCategoryRow | None:
        idx = self.local_view.selectionModel().currentIndex()
        if not idx.isValid():
            return None
        return self.local_model.row_at(self.local_proxy.mapToSource(idx).row())

    def selected_node(self):
        idx = self.tree_view.selectionModel().currentIndex()
        if not idx.isValid() or self.tree_model.tree is None:
            return None
        src = self.tree_proxy.mapToSource(idx)
        return self.tree_model.tree.nodes[int(src.internalId()) - 1]

    def reveal_node(self, node_id: int) -> None:
        src = self.tree_model.index_of(node_id)
        idx = self.tree_proxy.mapFromSource(src)
        if idx.isValid():
            self.tree_view.scrollTo(idx)
            self.tree_view.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
