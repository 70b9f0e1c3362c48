"""Categories & Mapping: the N11 tree, category mapping, attribute rules and value maps,
suggestions, Mapping Control and what changed on N11 (DESIGN §8, seed §4–§6).

Every database or N11 call runs through ``services.runner`` (a pool thread) and comes back
as frozen rows; this module only arranges widgets.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QItemSelectionModel, QSortFilterProxyModel, Qt, QTimer, Slot
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from n11_desktop.core.mapping import operations as ops
from n11_desktop.core.mapping.detail import AttributeView, CategoryDetail, ValueView
from n11_desktop.core.mapping.store import LocalCategoryRow
from n11_desktop.core.mapping.suggest import Suggestion
from n11_desktop.core.mapping.tree import TreeData

from ..core.formats import number
from .core_texts import core_tr, fill
from .mapping_models import AMBER, GREEN, GREY, RED, SORT_ROLE, Column, FoldFilterProxy, N11TreeModel, \
    RowsModel, TreeFilterProxy

log = logging.getLogger(__name__)

EMPTY_TREE = QT_TRANSLATE_NOOP("MappingTab", "No N11 categories yet — set Category Ids in Channel Settings and run "
                                             "Category Node (button above). The tree of each main category then "
                                             "appears here.")
EMPTY_LOCAL = QT_TRANSLATE_NOOP("MappingTab", "No local categories yet — import the catalog (Products tab or "
                                              "`n11-desktop catalog import`).")


@dataclass(frozen=True)
class Overview:
    tree: TreeData
    local: tuple[LocalCategoryRow, ...]
    mapped_counts: dict
    category_ids: tuple[int, ...]
    compare: Any  # CompareReport | None
    rules: int
    value_maps: int


def _load_overview(db) -> Overview:
    from n11_desktop.core.flows.category import load_compare_report
    from n11_desktop.core.mapping.store import load_local_categories, load_rules, load_tree, load_value_maps
    from n11_desktop.core.mapping.tree import build_tree_data
    from n11_desktop.core.settings import load_config

    with db.session_factory.begin() as s:
        rows = load_tree(s)
        local = load_local_categories(s)
        cfg = load_config(s)
        report = load_compare_report(s)
        n_rules = len(load_rules(s))
        n_values = len(load_value_maps(s))
    counts: dict[int, int] = {}
    for r in local:
        if r.n11_id is not None and r.status == "mapped":
            counts[r.n11_id] = counts.get(r.n11_id, 0) + 1
    return Overview(build_tree_data(rows), local, counts, cfg.category_ids, report, n_rules, n_values)


def _pct(x: float) -> str:
    return f"{round(x * 100)}%"


class MappingTab(QWidget):
    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._loaded = False
        self._closing = False
        self._overview: Overview | None = None
        self._detail: CategoryDetail | None = None
        self._selected_local: str | None = None
        self._fetching: set[int] = set()
        self._flows_running: set[str] = set()
        self._build_ui()
        services.subscribe("catalog_changed", self._on_external_change)
        services.subscribe("mapping_changed", self._on_external_change)
        services.subscribe("flow_finished", self._on_flow_finished)
        self.reload()

    # ================================================================== UI
    def _build_ui(self) -> None:
        root = QVBoxLayout(self)
        root.setContentsMargins(8, 8, 8, 4)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("<b>N11 flows:</b>")))
        self.btn_node = QPushButton(self.tr("Run Category Node"))
        self.btn_node.setToolTip(self.tr("Pull the full N11 tree under the Category Ids of Channel Settings"))
        self.btn_attrs = QPushButton(self.tr("Run Category Attributes"))
        self.btn_attrs.setToolTip(self.tr("Pull attributes and values of every N11 leaf a local category is mapped to"))
        self.btn_defaults = QPushButton(self.tr("Create Default Attributes"))
        self.btn_defaults.setToolTip(self.tr("Prepare the predefined fields (stock code, title, price, …) and brand → Marka"))
        self.btn_compare = QPushButton(self.tr("Compare Attributes"))
        self.btn_compare.setToolTip(self.tr("Refresh attribute values from N11 and report what changed and what it breaks"))
        for b, slug in ((self.btn_node, "category_node"), (self.btn_attrs, "category_attributes"),
                        (self.btn_defaults, "create_default_attributes"), (self.btn_compare, "compare_attributes")):
            b.clicked.connect(lambda _=False, s=slug: self.run_flow(s))
            bar.addWidget(b)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bar.addWidget(self.status, 1)
        self.btn_import = QPushButton(self.tr("Import mapping CSV…"))
        self.btn_import.setToolTip(self.tr("kind,local,n11_id,category_id[,custom_value] — only the good rows are written"))
        self.btn_import.clicked.connect(self.import_csv)
        self.btn_export = QPushButton(self.tr("Export mapping CSV…"))
        self.btn_export.clicked.connect(self.export_csv)
        bar.addWidget(self.btn_import)
        bar.addWidget(self.btn_export)
        root.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        root.addWidget(split, 1)

        # ---------------------------------------------------------- left: local + N11 tree
        left = QSplitter(Qt.Orientation.Vertical)
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
        self._table_defaults(self.local_view)
        self.local_view.setSortingEnabled(True)
        self.local_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        hh = self.local_view.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c, w in ((1, 62), (2, 175), (3, 92)):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            self.local_view.setColumnWidth(c, w)
        self.local_filter.textChanged.connect(self.local_proxy.set_query)
        self.local_view.selectionModel().currentRowChanged.connect(self._on_local_selected)
        self.local_stack = QStackedWidget()
        self.local_empty = self._empty_label(self.tr(EMPTY_LOCAL))
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
        self.tree_view.selectionModel().currentChanged.connect(self._on_tree_selected)
        self.tree_view.doubleClicked.connect(lambda _i: self.map_selected())
        self.tree_stack = QStackedWidget()
        self.tree_empty = self._empty_label(self.tr(EMPTY_TREE))
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
        split.addWidget(left)

        # ---------------------------------------------------------- right: pages
        self.pages = QTabWidget()
        self.pages.addTab(self._build_mapping_page(), self.tr("Mapping"))
        self.pages.addTab(self._build_suggestions_page(), self.tr("Suggestions"))
        self.pages.addTab(self._build_control_page(), self.tr("Mapping Control"))
        self.pages.addTab(self._build_changes_page(), self.tr("N11 changes"))
        self.pages.currentChanged.connect(self._on_page_changed)
        split.addWidget(self.pages)
        split.setSizes([520, 820])

    @staticmethod
    def _empty_label(text: str) -> QLabel:
        lab = QLabel(text)
        lab.setWordWrap(True)
        lab.setAlignment(Qt.AlignmentFlag.AlignCenter)
        lab.setStyleSheet("color: #555; padding: 24px;")
        return lab

    @staticmethod
    def _table_defaults(view: QTableView) -> None:
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(22)
        view.setAlternatingRowColors(True)
        view.setWordWrap(False)

    def _build_mapping_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.sel_title = QLabel(self.tr("Select a local category on the left."))
        f = QFont()
        f.setPointSize(f.pointSize() + 2)
        f.setBold(True)
        self.sel_title.setFont(f)
        self.sel_title.setWordWrap(True)
        lay.addWidget(self.sel_title)
        self.sel_mapping = QLabel("")
        self.sel_mapping.setWordWrap(True)
        self.sel_mapping.setTextFormat(Qt.TextFormat.RichText)
        lay.addWidget(self.sel_mapping)
        row = QHBoxLayout()
        self.btn_map = QPushButton(self.tr("Map to selected N11 category"))
        self.btn_map.setEnabled(False)
        self.btn_map.clicked.connect(self.map_selected)
        self.btn_unmap = QPushButton(self.tr("Remove mapping"))
        self.btn_unmap.setEnabled(False)
        self.btn_unmap.clicked.connect(self.unmap_selected)
        row.addWidget(self.btn_map)
        row.addWidget(self.btn_unmap)
        row.addStretch(1)
        lay.addLayout(row)
        self.map_hint = QLabel(self.tr("Pick the N11 leaf in the tree, then Map (or double-click the leaf). "
                               "A product can be in only one N11 category, so each local category maps to exactly "
                               "one leaf."))
        self.map_hint.setWordWrap(True)
        self.map_hint.setStyleSheet("color: #555;")
        lay.addWidget(self.map_hint)
        self.map_message = QLabel("")
        self.map_message.setWordWrap(True)
        lay.addWidget(self.map_message)
        self.sugg_hint = QLabel("")
        self.sugg_hint.setWordWrap(True)
        self.sugg_hint.setTextFormat(Qt.TextFormat.RichText)
        self.sugg_hint.setStyleSheet("background: #f3f7fb; border: 1px solid #c9d8e8; padding: 8px;")
        self.sugg_hint.setVisible(False)
        lay.addWidget(self.sugg_hint)

        self.attr_box = QGroupBox(self.tr("N11 attributes of the mapped category"))
        al = QVBoxLayout(self.attr_box)
        self.attr_info = QLabel("")
        self.attr_info.setWordWrap(True)
        al.addWidget(self.attr_info)
        self.attr_model: RowsModel[AttributeView] = RowsModel([
            Column(self.tr("N11 attribute"), lambda v: f"{v.attribute.name} ({v.attribute.attribute_id})"),
            Column(self.tr("N11 flags"), lambda v: ", ".join(x for x, on in (
                (self.tr("required"), v.attribute.mandatory), (self.tr("variant"), v.attribute.variant),
                (self.tr("slicer"), v.attribute.slicer), (self.tr("free text ok"), v.attribute.custom_value)) if on),
                   color=lambda v: RED if v.attribute.mandatory and not v.local_attribute else None),
            Column(self.tr("Local attribute"), lambda v: v.local_attribute or (
                self.tr("— default: %1").replace("%1", v.fallback) if v.fallback else
                self.tr("— not mapped") if v.attribute.mandatory else "—"),
                   color=lambda v: (RED if v.attribute.mandatory and not v.fallback else GREY)
                   if not v.local_attribute else None),
            Column(self.tr("Rule"), lambda v: {"global": self.tr("all categories"),
                                               "category": self.tr("this category only"),
                                               "default": self.tr("built-in (brand)"), "": ""}[v.scope]),
            Column(self.tr("Values"), lambda v: _values_summary(v),
                   color=lambda v: RED if any(not x.ok for x in v.values) else None),
        ], self)
        self.attr_view = QTableView()
        self.attr_view.setModel(self.attr_model)
        self._table_defaults(self.attr_view)
        ah = self.attr_view.horizontalHeader()
        ah.setStretchLastSection(True)
        for c, w in ((0, 160), (1, 190), (2, 115), (3, 115)):
            self.attr_view.setColumnWidth(c, w)
        self.attr_view.selectionModel().currentRowChanged.connect(self._on_attr_selected)
        al.addWidget(self.attr_view, 2)
        rule_row = QHBoxLayout()
        rule_row.addWidget(QLabel(self.tr("Local attribute:")))
        self.rule_local = QComboBox()
        self.rule_local.setEditable(True)
        self.rule_local.setMinimumWidth(140)
        rule_row.addWidget(self.rule_local)
        self.rule_scope = QComboBox()
        self.rule_scope.addItem(self.tr("for all categories (global)"), 0)
        self.rule_scope.addItem(self.tr("for this N11 category only"), 1)
        self.rule_scope.setToolTip(self.tr("Global suits Color, Brand, Gender; scope Size per category "
                                   "(Beden in clothing, Numara in shoes)"))
        rule_row.addWidget(self.rule_scope)
        self.btn_rule = QPushButton(self.tr("Save rule"))
        self.btn_rule.clicked.connect(self.save_rule)
        self.btn_rule_del = QPushButton(self.tr("Remove rule"))
        self.btn_rule_del.clicked.connect(self.remove_rule)
        rule_row.addWidget(self.btn_rule)
        rule_row.addWidget(self.btn_rule_del)
        rule_row.addStretch(1)
        al.addLayout(rule_row)
        default_row = QHBoxLayout()
        default_row.addWidget(QLabel(self.tr("Default when a product has no value:")))
        self.default_combo = QComboBox()
        self.default_combo.setMinimumWidth(180)
        self.default_combo.setPlaceholderText(self.tr("choose N11's value…"))
        self.default_combo.setToolTip(self.tr("For N11 attributes the catalog does not carry (Menşei, Cinsiyet, …): sent "
                                      "for every product without its own value"))
        default_row.addWidget(self.default_combo)
        self.default_scope = QComboBox()
        self.default_scope.addItem(self.tr("for all categories (global)"), 0)
        self.default_scope.addItem(self.tr("for this N11 category only"), 1)
        default_row.addWidget(self.default_scope)
        self.btn_default = QPushButton(self.tr("Set default"))
        self.btn_default.clicked.connect(self.save_default)
        self.btn_default_del = QPushButton(self.tr("Remove default"))
        self.btn_default_del.clicked.connect(self.remove_default)
        default_row.addWidget(self.btn_default)
        default_row.addWidget(self.btn_default_del)
        default_row.addStretch(1)
        al.addLayout(default_row)

        self.value_title = QLabel(self.tr("Values: select an attribute above."))

        self.value_title.setWordWrap(True)  # Turkish lines run longer: wrap, never widen the window
        al.addWidget(self.value_title)
        self.value_model: RowsModel[ValueView] = RowsModel([
            Column(self.tr("Local value"), lambda v: v.local_value),
            Column(self.tr("Products"), lambda v: v.products, align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            Column(self.tr("Sent to N11"), lambda v: (f"{v.n11_text} ({v.value_id})" if v.value_id is not None else v.n11_text)
                   or "—"),
            Column(self.tr("How"), lambda v: v.how, color=lambda v: None if v.ok else RED),
        ], self)
        self.value_view = QTableView()
        self.value_view.setModel(self.value_model)
        self._table_defaults(self.value_view)
        self.value_view.horizontalHeader().setStretchLastSection(True)
        for c, w in ((0, 150), (1, 70), (2, 200)):
            self.value_view.setColumnWidth(c, w)
        self.value_view.selectionModel().currentRowChanged.connect(self._on_value_selected)
        al.addWidget(self.value_view, 2)
        val_row = QHBoxLayout()
        val_row.addWidget(QLabel(self.tr("N11 value:")))
        self.value_combo = QComboBox()
        self.value_combo.setMinimumWidth(200)
        self.value_combo.setPlaceholderText(self.tr("choose N11's value…"))
        val_row.addWidget(self.value_combo)
        self.value_scope = QComboBox()
        self.value_scope.addItem(self.tr("for all categories (global)"), 0)
        self.value_scope.addItem(self.tr("for this N11 category only"), 1)
        val_row.addWidget(self.value_scope)
        self.btn_value = QPushButton(self.tr("Save value"))
        self.btn_value.clicked.connect(self.save_value)
        self.btn_value_del = QPushButton(self.tr("Remove value map"))
        self.btn_value_del.clicked.connect(self.remove_value)
        val_row.addWidget(self.btn_value)
        val_row.addWidget(self.btn_value_del)
        val_row.addStretch(1)
        al.addLayout(val_row)
        lay.addWidget(self.attr_box, 1)
        self._filler = QWidget()  # keeps the header at the top while the attribute box is hidden
        lay.addWidget(self._filler, 1)
        self._filler.setVisible(False)
        self._set_attr_editing(False)
        return page

    def _build_suggestions_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        intro = QLabel(self.tr("Suggestions for what is not mapped yet. Categories are ranked on the whole local path, "
                       "a Turkish e-commerce lexicon (Laptop → Dizüstü Bilgisayar, Bayan → Kadın) plus your own "
                       "terms, the products' titles, what you already mapped and N11's tree; Turkish letters are "
                       "folded (İ/ı/ş/ğ/ü/ö/ç). Accept one by one, or all of the best ones above the threshold "
                       "(and undo that if it went wrong)."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Threshold:")))
        self.threshold = QSlider(Qt.Orientation.Horizontal)
        self.threshold.setRange(50, 100)
        self.threshold.setValue(85)
        self.threshold.setMaximumWidth(200)
        row.addWidget(self.threshold)
        self.threshold_label = QLabel("85%")
        row.addWidget(self.threshold_label)
        self.btn_sugg_refresh = QPushButton(self.tr("Refresh"))
        self.btn_sugg_refresh.clicked.connect(self.load_suggestions)
        self.btn_accept = QPushButton(self.tr("Accept selected"))
        self.btn_accept.clicked.connect(self.accept_selected)
        self.btn_accept_all = QPushButton(self.tr("Accept all ≥ 85%"))
        self.btn_accept_all.clicked.connect(self.accept_above_threshold)
        self.btn_undo_accept = QPushButton(self.tr("Undo last accept"))
        self.btn_undo_accept.setEnabled(False)
        self.btn_undo_accept.clicked.connect(self.undo_last_accept)
        self._last_undo: tuple = ()
        self.threshold.valueChanged.connect(self._on_threshold)
        for b in (self.btn_sugg_refresh, self.btn_accept, self.btn_accept_all, self.btn_undo_accept):
            row.addWidget(b)
        row.addStretch(1)
        lay.addLayout(row)
        term_row = QHBoxLayout()
        term_row.addWidget(QLabel(self.tr("Treat")))
        self.term_local = QLineEdit()
        self.term_local.setPlaceholderText(self.tr("your word, e.g. Smartwatch"))
        term_row.addWidget(self.term_local)
        term_row.addWidget(QLabel(self.tr("as")))
        self.term_n11 = QLineEdit()
        self.term_n11.setPlaceholderText(self.tr("N11's word, e.g. Akıllı Saat"))
        self.term_n11.returnPressed.connect(self.add_term)
        term_row.addWidget(self.term_n11)
        self.btn_term = QPushButton(self.tr("Teach"))
        self.btn_term.clicked.connect(self.add_term)
        self.btn_term_del = QPushButton(self.tr("Forget"))
        self.btn_term_del.setToolTip(self.tr("Forget the term typed on the left"))
        self.btn_term_del.clicked.connect(self.remove_term)
        term_row.addWidget(self.btn_term)
        term_row.addWidget(self.btn_term_del)
        self.terms_label = QLabel("")
        self.terms_label.setStyleSheet("color: #555;")
        term_row.addWidget(self.terms_label, 1)
        lay.addLayout(term_row)
        self.sugg_summary = QLabel("")
        self.sugg_summary.setWordWrap(True)  # Turkish lines run longer: wrap, never widen the window
        lay.addWidget(self.sugg_summary)
        self.sugg_model: RowsModel[Suggestion] = RowsModel([
            Column(self.tr("Kind"), lambda s: s.kind),
            Column(self.tr("Local"), lambda s: s.local),
            Column(self.tr("Suggested N11"), lambda s: f"{s.n11_name.split(' > ')[-1]} ({s.n11_id})",
                   tooltip=lambda s: s.n11_name),
            Column(self.tr("Confidence"), lambda s: _pct(s.confidence), sort=lambda s: s.confidence,
                   color=lambda s: GREEN if s.confidence >= 0.85 else (AMBER if s.confidence >= 0.6 else GREY)),
            Column(self.tr("Scope"), lambda s: "—" if s.kind == "category" else
                   (self.tr("all categories") if not s.category_id else
                    self.tr("category %1").replace("%1", str(s.category_id)))),
            Column(self.tr("Why"), lambda s: s.reason, tooltip=lambda s: s.reason),
        ], self)
        self.sugg_view = QTableView()
        self.sugg_view.setModel(self.sugg_model)
        self._table_defaults(self.sugg_view)
        self.sugg_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.sugg_view.horizontalHeader().setStretchLastSection(True)
        for c, w in ((0, 62), (1, 170), (2, 200), (3, 78), (4, 100)):
            self.sugg_view.setColumnWidth(c, w)
        lay.addWidget(self.sugg_view, 1)
        return page

    def _build_control_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        intro = QLabel(self.tr("Exactly what would be sent to N11 for a product, and what is missing — before anything "
                       "is sent."))
        intro.setWordWrap(True)
        lay.addWidget(intro)
        self.control_summary = QLabel("")
        self.control_summary.setWordWrap(True)
        lay.addWidget(self.control_summary)
        row = QHBoxLayout()
        self.sku_edit = QLineEdit()
        self.sku_edit.setPlaceholderText(self.tr("Find a product by SKU or title (the list starts with products that "
                                         "cannot be sent)…"))
        self.sku_edit.setClearButtonEnabled(True)
        self.sku_edit.returnPressed.connect(self.search_products)
        self.btn_find = QPushButton(self.tr("Find"))
        self.btn_find.clicked.connect(self.search_products)
        row.addWidget(self.sku_edit, 1)
        row.addWidget(self.btn_find)
        lay.addLayout(row)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.sku_list = QListWidget()
        self.sku_list.currentItemChanged.connect(self._on_sku_selected)
        split.addWidget(self.sku_list)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        self.control_title = QLabel(self.tr("Pick a product."))
        self.control_title.setWordWrap(True)
        self.control_title.setTextFormat(Qt.TextFormat.RichText)
        rl.addWidget(self.control_title)
        self.problem_list = QListWidget()
        self.problem_list.setMaximumHeight(110)
        rl.addWidget(self.problem_list)
        self.control_attrs = QLabel("")
        self.control_attrs.setWordWrap(True)
        self.control_attrs.setTextFormat(Qt.TextFormat.RichText)
        rl.addWidget(self.control_attrs)
        self.payload_view = QPlainTextEdit()
        self.payload_view.setReadOnly(True)
        self.payload_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.payload_view.setPlaceholderText(self.tr("The product-create payload appears here."))
        rl.addWidget(self.payload_view, 1)
        split.addWidget(right)
        split.setSizes([230, 600])
        lay.addWidget(split, 1)
        return page

    def _build_changes_page(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        self.changes_summary = QLabel(self.tr("Run Compare Attributes to see what changed on N11 and which mappings "
                                      "it breaks."))
        self.changes_summary.setWordWrap(True)
        lay.addWidget(self.changes_summary)
        self.changes_list = QListWidget()
        lay.addWidget(self.changes_list, 1)
        return page

    # ================================================================== background plumbing
    def is_ready(self) -> bool:
        return self._loaded and self.services.runner.pending_for(self) == 0

    def shutdown(self) -> None:
        self._closing = True

    def _submit(self, fn: Callable[[], Any], on_done: Callable[[Any], None],
                on_error: Callable[[Any], None] | None = None, *, latest: str | None = None) -> None:
        """Run ``fn`` on the pool; with ``latest``, a result older than a later request of the
        same kind is dropped by the runner (pool jobs can finish out of order)."""

        def done(result: Any) -> None:
            if not self._closing:
                on_done(result)

        def failed(err: Any) -> None:
            if self._closing:
                return
            if on_error is not None:
                on_error(err)
            else:
                self._say(f"⚠ {err}", error=True)

        if latest is None:
            self.services.runner.submit(fn, done, failed, owner=self)
        else:
            self.services.runner.run((self, latest), fn, done, failed)

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b3261e;" if error else "color: #1b5e20;")

    # ================================================================== loading
    def reload(self) -> None:
        db = self.services.db
        self._submit(lambda: _load_overview(db), self._show_overview, latest="overview")

    @Slot(object)
    def _on_external_change(self, _payload: object = None) -> None:
        if self._closing:
            return
        self.reload()
        self.load_control_summary()

    def _on_flow_finished(self, result: Any) -> None:
        slug = getattr(result, "flow", "")
        if self._closing or slug not in self._flow_buttons():
            return
        if slug in self._flows_running:  # started from this tab through the scheduler
            self._flows_running.discard(slug)
            self._flow_buttons()[slug].setEnabled(True)
            self._say(f"{'✔' if result.ok else '✖'} {slug}: {result.state.value} — {result.message}",
                      error=not result.ok)
        self.reload()
        self.load_control_summary()

    def _show_overview(self, ov: Overview) -> None:
        first = self._overview is None
        self._overview = ov
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
        self._show_changes(ov.compare)
        if self._selected_local is not None:
            self._select_local(self._selected_local)
            self.load_detail(self._selected_local)
        elif first and ov.local:
            first_row = self.local_proxy.mapToSource(self.local_proxy.index(0, 0)).row()
            self._select_local(self.local_model.rows[max(0, first_row)].local)
        self._loaded = True
        if first:
            self.load_control_summary()
            self.load_suggestions()

    def _select_local(self, local: str) -> None:
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

    # ================================================================== selection
    def _current_local_row(self) -> LocalCategoryRow | None:
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

    @Slot()
    def _on_local_selected(self, *_args) -> None:
        row = self._current_local_row()
        if row is None:
            return
        changed = row.local != self._selected_local
        self._selected_local = row.local
        if changed:
            self.map_message.setText("")
            self.load_detail(row.local)
            if row.n11_id is not None:
                self.reveal_node(row.n11_id)
        self._update_map_button()

    def reveal_node(self, node_id: int) -> None:
        src = self.tree_model.index_of(node_id)
        idx = self.tree_proxy.mapFromSource(src)
        if idx.isValid():
            self.tree_view.scrollTo(idx)
            self.tree_view.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    @Slot()
    def _on_tree_selected(self, *_args) -> None:
        self._update_map_button()

    def _update_map_button(self) -> None:
        row = self._current_local_row()
        node = self.selected_node()
        self.btn_unmap.setEnabled(bool(row and row.n11_id is not None))
        if row is None or node is None:
            self.btn_map.setEnabled(False)
            self.btn_map.setText(self.tr("Map to selected N11 category"))
            return
        self.btn_map.setEnabled(row.n11_id != node.id)
        name = node.name.replace("&", "&&")  # not a mnemonic
        if row.n11_id == node.id:
            self.btn_map.setText(self.tr("✔ Mapped to this N11 category"))
        elif row.n11_id is not None:
            self.btn_map.setText(self.tr("Replace mapping with “%1”").replace("%1", str(name)))
        else:
            self.btn_map.setText(self.tr("Map to “%1”").replace("%1", str(name)))

    # ================================================================== detail
    def load_detail(self, local: str) -> None:
        db = self.services.db

        def work():
            from n11_desktop.core.mapping.detail import category_detail

            with db.session_factory.begin() as s:
                return category_detail(s, local)

        self._submit(work, self._show_detail, latest="detail")

    def _show_detail(self, d: CategoryDetail) -> None:
        if d.local != self._selected_local:
            return
        self._detail = d
        self.sel_title.setText((self.tr("%1  ·  %2 product") if d.products == 1 else self.tr("%1  ·  %2 products"))
                               .replace("%1", str(d.local)).replace("%2", str(d.products)))
        if d.mapped_id is None:
            self.sel_mapping.setText(self.tr("<span style='color:#b3261e'><b>Not mapped.</b></span> Products of this "
                                     "category cannot be sent until it has an N11 leaf category."))
        elif d.problem:
            self.sel_mapping.setText(f"<span style='color:#9a6700'><b>⚠ {d.problem}</b></span>")
        else:
            self.sel_mapping.setText(self.tr("Mapped to <b>%1</b> (%2)<br><span style='color:#555'>%3</span>").replace("%1", str(d.leaf.name)).replace("%2", str(d.leaf.id)).replace("%3", str(d.leaf.path)))
        self.attr_model.set_rows(d.attributes)
        self.value_model.set_rows(())
        self.value_title.setText(self.tr("Values: select an attribute above."))
        self._set_attr_editing(False)
        self.rule_local.clear()
        self.rule_local.addItems(list(d.local_attributes))
        leaf = d.leaf
        self._show_category_suggestions(d)
        self.attr_box.setVisible(not (d.mapped_id is None or d.problem or leaf is None))
        self._filler.setVisible(self.attr_box.isHidden())
        if d.mapped_id is None or d.problem or leaf is None:
            self.attr_box.setTitle(self.tr("N11 attributes"))
            self.attr_info.setText(self.tr("Map the category first; its N11 attributes then appear here."))
        elif leaf.fetched_at is None:
            self.attr_box.setTitle(self.tr("N11 attributes of “%1”").replace("%1", str(leaf.name)))
            self.attr_info.setText(self.tr("Loading the attributes of this N11 category from N11…"))
            self.fetch_attributes(leaf.id)
        else:
            req = sum(1 for a in d.attributes if a.attribute.mandatory)
            missing = [a.attribute.name for a in d.attributes
                       if a.attribute.mandatory and not a.local_attribute and not a.fallback]
            defaulted = [f"{a.attribute.name} → {a.fallback.split(' (')[0]}" for a in d.attributes
                         if not a.local_attribute and a.fallback]
            self.attr_box.setTitle(self.tr("N11 attributes of “%1”").replace("%1", str(leaf.name)))
            txt = self.tr("%1 attributes, %2 required.").replace("%1", str(len(d.attributes))).replace("%2", str(req))
            if missing:
                txt += " " + self.tr("Required but not fed by any local attribute: %1 (map a local attribute, or set "
                                     "a default below).").replace("%1", ", ".join(missing))
            if defaulted:
                txt += " " + self.tr("From defaults: %1.").replace("%1", ", ".join(defaulted))
            if d.unused_local:
                txt += " " + self.tr("Local attributes not used here: %1.").replace("%1", ", ".join(d.unused_local))
            self.attr_info.setText(txt)
            # point at the first thing to fix (else the first attribute), so its values show
            pick = next((i for i, a in enumerate(d.attributes) if any(not x.ok for x in a.values)), None)
            if pick is None:
                pick = next((i for i, a in enumerate(d.attributes) if a.attribute.mandatory and not a.local_attribute),
                            0 if d.attributes else None)
            if pick is not None:
                self.attr_view.selectionModel().setCurrentIndex(
                    self.attr_model.index(pick, 0),
                    QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        self._update_map_button()

    def _show_category_suggestions(self, d: CategoryDetail) -> None:
        if not d.suggestions or (d.mapped_id is not None and not d.problem):
            self.sugg_hint.setVisible(False)
            return
        lines = []
        for cid, name, path, conf, reason in d.suggestions:
            lines.append(f"<li><b>{name}</b> ({cid}) — {_pct(conf)}<br><span style='color:#555'>{path}</span></li>")
        self.sugg_hint.setText(self.tr("<b>Suggested N11 categories</b> (the best one is selected in the tree — press Map "
                               "if it is right):<ol style='margin-top:4px'>") + "".join(lines) + "</ol>")
        self.sugg_hint.setVisible(True)
        if self.selected_node() is None or self.selected_node().id not in {x[0] for x in d.suggestions}:
            self.reveal_node(d.suggestions[0][0])

    def fetch_attributes(self, category_id: int) -> None:
        if category_id in self._fetching:
            return
        self._fetching.add(category_id)
        db = self.services.db

        def work():
            return ops.fetch_category_attributes(db, category_id)

        def done(res) -> None:
            self._fetching.discard(category_id)
            self._say(self.tr("Loaded %1 attributes and %2 values of N11 category %3.").replace(
                "%1", str(res.attributes)).replace("%2", str(res.values)).replace("%3", str(category_id)))
            if self._selected_local:
                self.load_detail(self._selected_local)

        def failed(err) -> None:
            self._fetching.discard(category_id)
            self.attr_info.setText(self.tr("⚠ Could not load the attributes of N11 category %1: %2. Check Channel Settings, then run Category Attributes.").replace("%1", str(category_id)).replace("%2", str(err)))

        self._submit(work, done, failed)

    @Slot()
    def _on_attr_selected(self, *_args) -> None:
        v = self._current_attr()
        if v is None:
            self._set_attr_editing(False)
            return
        self._set_attr_editing(True)
        if v.local_attribute:
            self.rule_local.setCurrentText(v.local_attribute)
        else:
            self.rule_local.setCurrentText(_guess_local(v.attribute.name, self._detail.local_attributes
                                                        if self._detail else ()))
        self.rule_scope.setCurrentIndex(1 if v.scope == "category" else 0)
        self.btn_rule_del.setEnabled(v.scope in ("global", "category"))
        self.value_model.set_rows(v.values)
        a = v.attribute
        if not v.local_attribute:
            self.value_title.setText(self.tr("Values of %1: map a local attribute to it first.").replace("%1", str(a.name)))
        else:
            free = " " + self.tr("It also accepts free text: type it in the box.") if a.custom_value else ""
            self.value_title.setText(self.tr("Values of %1 → %2 (%3 N11 values).%4").replace("%1", str(v.local_attribute)).replace("%2", str(a.name)).replace("%3", str(len(a.values))).replace("%4", str(free)))
        self.value_combo.clear()
        self.value_combo.setEditable(a.custom_value)
        for val in a.values:
            self.value_combo.addItem(f"{val.name} ({val.id})", val.id)
        self.value_combo.setCurrentIndex(-1)
        self.default_combo.clear()
        self.default_combo.setEditable(a.custom_value)
        for val in a.values:
            self.default_combo.addItem(f"{val.name} ({val.id})", val.id)
        self.default_combo.setCurrentIndex(-1)
        self.btn_default_del.setEnabled(bool(v.fallback))
        self.default_scope.setCurrentIndex(1 if "this category" in v.fallback else 0)
        self._set_value_editing(False)
        bad = next((i for i, x in enumerate(v.values) if not x.ok), None)
        if bad is not None:  # the first value to fix is ready to edit
            self.value_view.selectionModel().setCurrentIndex(
                self.value_model.index(bad, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _current_attr(self) -> AttributeView | None:
        idx = self.attr_view.selectionModel().currentIndex()
        return self.attr_model.row_at(idx.row()) if idx.isValid() else None

    def _current_value(self) -> ValueView | None:
        idx = self.value_view.selectionModel().currentIndex()
        return self.value_model.row_at(idx.row()) if idx.isValid() else None

    def _set_attr_editing(self, on: bool) -> None:
        for w in (self.rule_local, self.rule_scope, self.btn_rule, self.btn_rule_del, self.default_combo,
                  self.default_scope, self.btn_default, self.btn_default_del):
            w.setEnabled(on)
        if not on:
            self._set_value_editing(False)

    def _set_value_editing(self, on: bool) -> None:
        for w in (self.value_combo, self.value_scope, self.btn_value, self.btn_value_del):
            w.setEnabled(on)

    @Slot()
    def _on_value_selected(self, *_args) -> None:
        v = self._current_value()
        a = self._current_attr()
        if v is None or a is None or not a.local_attribute:
            self._set_value_editing(False)
            return
        self._set_value_editing(True)
        self.value_scope.setCurrentIndex(1 if v.how == "mapped here" else 0)
        pos = self.value_combo.findData(v.value_id) if v.value_id is not None else -1
        if pos >= 0:
            self.value_combo.setCurrentIndex(pos)
        elif a.attribute.custom_value:
            self.value_combo.setCurrentIndex(-1)
            self.value_combo.setEditText(v.n11_text.removeprefix("free text: ") if v.n11_text else v.local_value)
        else:
            self.value_combo.setCurrentIndex(-1)
        self.btn_value_del.setEnabled(v.how.startswith("mapped"))

    # ================================================================== write actions
    def _write(self, fn: Callable[[Any], Any], done_text: Callable[[Any], str]) -> None:
        db = self.services.db

        def work():
            with db.session_factory.begin() as s:
                return fn(s)

        def done(change) -> None:
            self._say(done_text(change))
            self.services.emit("mapping_changed", None)

        def failed(err) -> None:
            self._say(f"✖ {err}", error=True)
            self.map_message.setText(f"<span style='color:#b3261e'>✖ {err}</span>")

        self._submit(work, done, failed)

    @Slot()
    def map_selected(self) -> None:
        row = self._current_local_row()
        node = self.selected_node()
        if row is None:
            self.map_message.setText(self.tr("<span style='color:#b3261e'>Select a local category first.</span>"))
            return
        if node is None:
            self.map_message.setText(self.tr("<span style='color:#b3261e'>Select an N11 category in the tree first.</span>"))
            return
        if not node.is_leaf:
            self.map_message.setText(
                self.tr("<span style='color:#b3261e'>✖ “%1” is not a leaf category: N11 accepts products only in leaf (last-level) categories. Open it and choose one of its sub-categories.</span>").replace("%1", str(node.name)))
            return
        if node.removed:
            self.map_message.setText(self.tr("<span style='color:#b3261e'>✖ “%1” was removed by N11.</span>").replace("%1", str(node.name)))
            return
        replace = row.n11_id is not None and row.n11_id != node.id
        local, cid = row.local, node.id
        self.map_message.setText("")

        def fn(s):
            from n11_desktop.core.mapping.store import set_category_mapping

            return set_category_mapping(s, local, cid, replace=replace)

        self._write(fn, lambda ch: ("✔ " + ch.message) + (" " + self.tr("(a product can be in only one N11 category, "
                                                                        "so the previous mapping was replaced)")
                                                          if replace else ""))

    @Slot()
    def unmap_selected(self) -> None:
        row = self._current_local_row()
        if row is None or row.n11_id is None:
            return
        local = row.local

        def fn(s):
            from n11_desktop.core.mapping.store import clear_category_mapping

            return clear_category_mapping(s, local)

        self._write(fn, lambda ch: "✔ " + ch.message)

    def _leaf_id(self) -> int | None:
        d = self._detail
        return d.leaf.id if d and d.leaf else None

    @Slot()
    def save_rule(self) -> None:
        v = self._current_attr()
        leaf = self._leaf_id()
        local = self.rule_local.currentText().strip()
        if v is None or leaf is None:
            return
        if not local:
            self._say("✖ " + self.tr("Type or choose the local attribute that feeds this N11 attribute."), error=True)
            return
        scope = leaf if self.rule_scope.currentData() == 1 else 0
        aid = v.attribute.attribute_id

        def fn(s):
            from n11_desktop.core.mapping.store import set_attribute_rule

            return set_attribute_rule(s, local, aid, scope)

        self._write(fn, lambda ch: "✔ " + ch.message)

    @Slot()
    def remove_rule(self) -> None:
        v = self._current_attr()
        leaf = self._leaf_id()
        if v is None or leaf is None or not v.local_attribute or v.scope not in ("global", "category"):
            return
        local, scope = v.local_attribute, (leaf if v.scope == "category" else 0)

        def fn(s):
            from n11_desktop.core.mapping.store import remove_attribute_rule

            return remove_attribute_rule(s, local, scope)

        self._write(fn, lambda ch: "✔ " + ch.message)

    @Slot()
    def save_default(self) -> None:
        a = self._current_attr()
        leaf = self._leaf_id()
        if a is None or leaf is None:
            return
        idx = self.default_combo.currentIndex()
        value_id = self.default_combo.itemData(idx) if idx >= 0 else None
        text = self.default_combo.currentText().strip()
        custom = None
        if value_id is None or (a.attribute.custom_value and idx >= 0 and text != self.default_combo.itemText(idx)):
            value_id, custom = None, text
            if not custom:
                self._say("✖ " + self.tr("Choose one of N11's values for %1 as its default.").replace(
                    "%1", a.attribute.name), error=True)
                return
        scope = leaf if self.default_scope.currentData() == 1 else 0
        aid = a.attribute.attribute_id

        def fn(s):
            from n11_desktop.core.mapping.defaults import set_attribute_default

            return set_attribute_default(s, aid, value_id=value_id, custom_value=custom, category_id=scope)

        self._write(fn, lambda ch: "✔ " + ch.message)

    @Slot()
    def remove_default(self) -> None:
        a = self._current_attr()
        leaf = self._leaf_id()
        if a is None or leaf is None or not a.fallback:
            return
        aid, scope = a.attribute.attribute_id, (leaf if "this category" in a.fallback else 0)

        def fn(s):
            from n11_desktop.core.mapping.defaults import remove_attribute_default

            return remove_attribute_default(s, aid, scope)

        self._write(fn, lambda ch: "✔ " + ch.message)

    @Slot()
    def save_value(self) -> None:
        a = self._current_attr()
        v = self._current_value()
        leaf = self._leaf_id()
        if a is None or v is None or leaf is None or not a.local_attribute:
            return
        idx = self.value_combo.currentIndex()
        value_id = self.value_combo.itemData(idx) if idx >= 0 else None
        custom = None
        text = self.value_combo.currentText().strip()
        if value_id is None or (a.attribute.custom_value and idx >= 0 and text != self.value_combo.itemText(idx)):
            if not a.attribute.custom_value:
                self._say("✖ " + self.tr("Choose one of N11's values for %1.").replace("%1", a.attribute.name),
                          error=True)
                return
            value_id, custom = None, text
            if not custom:
                self._say("✖ " + self.tr("Choose an N11 value or type the free text to send."), error=True)
                return
        scope = leaf if self.value_scope.currentData() == 1 else 0
        name, local_value, aid = a.local_attribute, v.local_value, a.attribute.attribute_id

        def fn(s):
            from n11_desktop.core.mapping.store import set_value_mapping

            return set_value_mapping(s, name, local_value, value_id=value_id, custom_value=custom, category_id=scope,
                                     attribute_id=aid)

        self._write(fn, lambda ch: "✔ " + ch.message)

    @Slot()
    def remove_value(self) -> None:
        a = self._current_attr()
        v = self._current_value()
        leaf = self._leaf_id()
        if a is None or v is None or leaf is None or not v.how.startswith("mapped"):
            return
        name, value, scope = a.local_attribute, v.local_value, (leaf if v.how.startswith("mapped here") else 0)

        def fn(s):
            from n11_desktop.core.mapping.store import remove_value_mapping

            return remove_value_mapping(s, name, value, scope)

        self._write(fn, lambda ch: "✔ " + ch.message)

    # ================================================================== flows
    def _flow_buttons(self) -> dict[str, QPushButton]:
        return {"category_node": self.btn_node, "category_attributes": self.btn_attrs,
                "create_default_attributes": self.btn_defaults, "compare_attributes": self.btn_compare}

    def run_flow(self, slug: str) -> None:
        """Run a category flow now: through the scheduler when there is one (a flow never
        overlaps itself), else on the background runner."""
        from n11_desktop.core.flows import SPECS

        name = SPECS[slug].name
        sched = self.services.scheduler
        if sched is not None and hasattr(sched, "run_now"):
            self._flows_running.add(slug)
            self._flow_buttons()[slug].setEnabled(False)
            self._say(self.tr("%1: started…").replace("%1", core_tr(name)))
            sched.run_now(slug)
            return
        db = self.services.db
        buttons = tuple(self._flow_buttons().values())
        for b in buttons:
            b.setEnabled(False)
        self._say(self.tr("%1: running…").replace("%1", core_tr(name)))

        def work():
            from n11_desktop.core.flows import run_flow

            return run_flow(slug, db, trigger="manual")

        def done(result) -> None:
            for b in buttons:
                b.setEnabled(True)
            self._say(f"{'✔' if result.ok else '✖'} {slug}: {result.state.value} — {result.message}",
                      error=not result.ok)
            self.services.emit("flow_finished", result)  # reloads this tab too (_on_flow_finished)

        def failed(err) -> None:
            for b in buttons:
                b.setEnabled(True)
            self._say(f"✖ {slug}: {err}", error=True)

        self._submit(work, done, failed)

    # ================================================================== CSV
    @classmethod
    def ask_path(cls, parent: QWidget, save: bool) -> str:
        """The file to import or export (patched in tests)."""
        from PySide6.QtWidgets import QFileDialog

        if save:
            return QFileDialog.getSaveFileName(parent, QCoreApplication.translate("MappingTab", "Export mapping"), "n11-mapping.csv",
                                              QCoreApplication.translate("MappingTab", "CSV files (*.csv)"))[0]
        return QFileDialog.getOpenFileName(parent, QCoreApplication.translate("MappingTab", "Import mapping"), "",
                                              QCoreApplication.translate("MappingTab", "CSV files (*.csv);;All files (*)"))[0]

    @Slot()
    def import_csv(self) -> None:
        path = self.ask_path(self, False)
        if not path:
            return
        db = self.services.db

        def work():
            from pathlib import Path

            from n11_desktop.core.mapping.store import import_mapping_csv

            with db.session_factory.begin() as s:
                return import_mapping_csv(s, Path(path))

        def done(rep) -> None:
            text = f"Import: {rep.summary()}."
            if rep.errors:
                text += " " + "; ".join(str(e) for e in rep.errors[:2]) + (" …" if len(rep.errors) > 2 else "")
            self._say(("✔ " if not rep.errors else "⚠ ") + text, error=bool(rep.errors))
            self.status.setToolTip("\n".join(str(e) for e in rep.errors[:200]))
            if rep.written:
                self.services.emit("mapping_changed", None)

        self._submit(work, done)

    @Slot()
    def export_csv(self) -> None:
        path = self.ask_path(self, True)
        if not path:
            return
        db = self.services.db

        def work():
            from pathlib import Path

            from n11_desktop.core.mapping.store import export_mapping_csv

            with db.session_factory.begin() as s:
                return export_mapping_csv(s, Path(path))

        self._submit(work, lambda n: self._say("✔ " + self.tr("Exported %1 mapping rows to %2").replace("%1", str(n))
                                               .replace("%2", str(path))))

    # ================================================================== suggestions
    @Slot()
    def load_suggestions(self) -> None:
        db = self.services.db

        def work():
            from n11_desktop.core.mapping.suggest import operator_terms, suggest_all

            with db.session_factory.begin() as s:
                return tuple(suggest_all(s)), operator_terms(s)

        self._submit(work, self._show_suggestions, latest="suggestions")

    def _show_suggestions(self, data) -> None:
        rows, terms = data
        self.terms_label.setText(self.tr("%1 term(s) of yours").replace("%1", str(len(terms))) if terms else "")
        self.terms_label.setToolTip("\n".join(f"{k} → {v}" for k, v in sorted(terms.items())))
        self.sugg_model.set_rows(rows)
        self._on_threshold(self.threshold.value())
        if not rows:
            self.sugg_summary.setText(self.tr("Nothing to suggest: everything is mapped, or the N11 tree and attributes "
                                      "are not loaded yet."))

    @Slot(int)
    def _on_threshold(self, value: int) -> None:
        from n11_desktop.core.mapping.suggest import best_per_item

        self.threshold_label.setText(f"{value}%")
        n = sum(1 for s in best_per_item(self.sugg_model.rows) if s.confidence * 100 >= value)
        self.btn_accept_all.setText(self.tr("Accept all ≥ %1% (%2)").replace("%1", str(value)).replace("%2", str(n)))
        self.btn_accept_all.setEnabled(n > 0)
        kinds: dict[str, int] = {}
        for s in self.sugg_model.rows:
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
        if self.sugg_model.rows:
            self.sugg_summary.setText(", ".join(f"{n} {k} suggestions" for k, n in sorted(kinds.items())))

    def _accept(self, items: list[Suggestion]) -> None:
        if not items:
            self._say(self.tr("Select suggestions to accept first."), error=True)
            return
        db = self.services.db

        def work():
            from n11_desktop.core.mapping.suggest import accept

            with db.session_factory.begin() as s:
                return accept(s, items)

        def done(res) -> None:
            self._say("✔ " + self.tr("accepted %1 suggestion(s)").replace("%1", str(res.accepted))
                      + (", " + self.tr("%1 skipped").replace("%1", str(res.skipped)) if res.skipped else ""))
            self._last_undo = res.undo
            self.btn_undo_accept.setText(self.tr("Undo last accept (%1)").replace("%1", str(len(res.undo))) if res.undo else self.tr("Undo last accept"))
            self.btn_undo_accept.setEnabled(bool(res.undo))
            self.services.emit("mapping_changed", None)
            self.load_suggestions()
            self.load_control_summary()

        self._submit(work, done)

    @Slot()
    def accept_selected(self) -> None:
        rows = sorted({i.row() for i in self.sugg_view.selectionModel().selectedRows()})
        self._accept([self.sugg_model.rows[r] for r in rows])

    @Slot()
    def accept_above_threshold(self) -> None:
        from n11_desktop.core.mapping.suggest import best_per_item

        t = self.threshold.value() / 100
        self._accept([s for s in best_per_item(self.sugg_model.rows) if s.confidence >= t])

    @Slot()
    def undo_last_accept(self) -> None:
        steps = self._last_undo
        if not steps:
            return
        db = self.services.db
        self._last_undo = ()
        self.btn_undo_accept.setEnabled(False)
        self.btn_undo_accept.setText(self.tr("Undo last accept"))

        def work():
            from n11_desktop.core.mapping.suggest import undo_accept

            with db.session_factory.begin() as s:
                return undo_accept(s, steps)

        def done(n) -> None:
            self._say("✔ " + self.tr("undid %1 accepted suggestion(s)").replace("%1", str(n)))
            self.services.emit("mapping_changed", None)
            self.load_suggestions()
            self.load_control_summary()

        self._submit(work, done)

    def _term_write(self, fn) -> None:
        db = self.services.db

        def work():
            with db.session_factory.begin() as s:
                return fn(s)

        def done(msg) -> None:
            self._say("✔ " + msg)
            self.load_suggestions()

        self._submit(work, done, lambda err: self._say(f"✖ {err}", error=True))

    @Slot()
    def add_term(self) -> None:
        local, n11 = self.term_local.text(), self.term_n11.text()

        def fn(s):
            from n11_desktop.core.mapping.suggest import set_operator_term

            return set_operator_term(s, local, n11)

        self._term_write(fn)

    @Slot()
    def remove_term(self) -> None:
        local = self.term_local.text()

        def fn(s):
            from n11_desktop.core.mapping.suggest import remove_operator_term

            return remove_operator_term(s, local)

        self._term_write(fn)

    @Slot(int)
    def _on_page_changed(self, index: int) -> None:
        if self.pages.widget(index) is self.sugg_view.parentWidget():
            self.load_suggestions()

    # ================================================================== mapping control
    def load_control_summary(self) -> None:
        db = self.services.db

        def work():
            return ops.control_summary(db)

        self._submit(work, self._show_control_summary, latest="control_summary")

    def _show_control_summary(self, data) -> None:
        n, summary, rows = data
        if n == 0:
            self.control_summary.setText(self.tr("No products yet."))
            return
        if summary is None:
            self.control_summary.setText(self.tr("%1 products — find one by SKU or title to check it.").replace("%1", f"{n:,}"))
            return
        if rows and not self.sku_edit.text().strip():
            cur = self.sku_list.currentItem()
            keep = cur.data(Qt.ItemDataRole.UserRole) if cur is not None else None
            self._show_products(rows, select_first=keep is None)
            if keep is not None:
                for i in range(self.sku_list.count()):
                    if self.sku_list.item(i).data(Qt.ItemDataRole.UserRole) == keep:
                        self.sku_list.setCurrentRow(i)
                        break
                self.check_product(int(keep))  # its payload may have changed with the mapping
        ready, total, top = summary
        text = "<b>" + self.tr("%1 of %2 products are ready to send.").replace("%1", number(ready)).replace(
            "%2", number(total)) + "</b>"
        if top:
            text += " " + self.tr("Most common problems: %1").replace("%1", ", ".join(
                f"{self.tr(_PROBLEM_NAMES[c]) if c in _PROBLEM_NAMES else c} ({k})" for c, k in top[:4]))
        self.control_summary.setText(text)

    @Slot()
    def search_products(self) -> None:
        q = self.sku_edit.text().strip()
        db = self.services.db

        def work():
            return ops.search_products(db, q)

        self._submit(work, self._show_products, latest="products")

    def _show_products(self, rows, select_first: bool = False) -> None:
        """rows: (id, sku, title) from a search, or (id, sku, ok, first problem) from the check."""
        self.sku_list.clear()
        for row in rows:
            pid, sku = row[0], row[1]
            if len(row) == 4:
                ok, problem = row[2], row[3]
                it = QListWidgetItem(("✔ " if ok else "✖ ") + sku)
                it.setForeground(GREEN if ok else RED)
                it.setToolTip(self.tr("ready to send") if ok else problem)
            else:
                it = QListWidgetItem(sku)
                it.setToolTip(row[2])
            it.setData(Qt.ItemDataRole.UserRole, pid)
            self.sku_list.addItem(it)
        if not rows:
            self.control_title.setText(self.tr("No product matches."))
        elif len(rows) == 1 or select_first:
            self.sku_list.setCurrentRow(0)  # a single match, or the first product to fix

    @Slot()
    def _on_sku_selected(self, item, _prev=None) -> None:
        if item is None:
            return
        self.check_product(int(item.data(Qt.ItemDataRole.UserRole)))

    def check_product(self, product_id: int) -> None:
        db = self.services.db

        def work():
            return ops.check_product(db, product_id)

        self._submit(work, self._show_control, latest="control")

    def _show_control(self, cv: ops.ControlView) -> None:
        r = cv.result
        state = ("<span style='color:#1b7a3a'><b>✔ " + self.tr("ready to send") + "</b></span>" if r.ok else
                 "<span style='color:#b3261e'><b>✖ " + self.tr("not sendable: %1 problem(s)").replace(
                     "%1", str(len(r.blocking))) + "</b></span>")
        self.control_title.setText(f"<b>{cv.sku}</b> — {cv.title}<br><span style='color:#555'>{cv.local_category}"
                                   f"</span><br>{state}")
        self.problem_list.clear()
        for p in r.problems:
            it = QListWidgetItem(("✖ " if p.blocking else "• ") + p.message)
            it.setToolTip(self.tr("%1 · field %2").replace("%1", str(p.code)).replace("%2", str(p.field)))
            it.setForeground(RED if p.blocking else AMBER)
            self.problem_list.addItem(it)
        if not r.problems:
            self.problem_list.addItem(self.tr("No problems: this is exactly what product-create would send."))
        self.control_attrs.setText((self.tr("<b>Attributes sent:</b> ") + " · ".join(cv.attributes)) if cv.attributes
                                   else self.tr("<b>Attributes sent:</b> none"))
        shown = r.payload if r.payload is not None else r.draft
        header = "" if r.payload is not None else "// " + self.tr("draft — not sent while problems remain") + "\n"
        self.payload_view.setPlainText(header + json.dumps(shown, ensure_ascii=False, indent=2, default=_json_default))

    # ================================================================== N11 changes
    def _show_changes(self, report) -> None:
        self.changes_list.clear()
        if report is None:
            return
        self.changes_summary.setText(self.tr("<b>Last Compare Attributes</b> (%1 UTC): %2. Broken mappings and catalog values first, then removed and renamed N11 values, then new ones.").replace("%1", str(report.at.replace('T', ' '))).replace("%2", str(report.summary())))
        for b in report.broken:
            what = self.tr("catalog value") if b.kind == "catalog_value" else \
                self.tr("%1 mapping").replace("%1", b.kind)
            it = QListWidgetItem(f"⚠ {what} {b.local}: {b.reason}")
            it.setForeground(RED)
            self.changes_list.addItem(it)
        order = {"attribute_removed": 0, "removed": 1, "renamed": 2, "attribute_added": 3, "added": 4}
        for c in sorted(report.changes, key=lambda c: order.get(c.change, 5))[:2000]:
            it = QListWidgetItem(c.describe())
            if c.change in ("removed", "attribute_removed", "renamed"):
                it.setForeground(AMBER)
            self.changes_list.addItem(it)
        if not report.changes and not report.broken:
            self.changes_list.addItem(self.tr("No changes on N11 since the last run."))


_PROBLEM_NAMES = {  # English; shown through tr()
    "no_category_mapping": QT_TRANSLATE_NOOP("MappingTab", "category not mapped"),
    "mandatory_attribute_missing": QT_TRANSLATE_NOOP("MappingTab", "required attribute missing"),
    "value_not_in_list": QT_TRANSLATE_NOOP("MappingTab", "value not in N11's list"),
    "no_price": QT_TRANSLATE_NOOP("MappingTab", "no price"), "no_stock": QT_TRANSLATE_NOOP("MappingTab", "no stock"),
    "no_image": QT_TRANSLATE_NOOP("MappingTab", "no image"),
    "attributes_not_loaded": QT_TRANSLATE_NOOP("MappingTab", "attributes not loaded"),
    "invalid_category": QT_TRANSLATE_NOOP("MappingTab", "category to remap"),
    "short_title": QT_TRANSLATE_NOOP("MappingTab", "title too short"),
    "no_shipment_template": QT_TRANSLATE_NOOP("MappingTab", "no shipment template"),
    "no_description": QT_TRANSLATE_NOOP("MappingTab", "no description"),
}


def _values_summary(v: AttributeView) -> str:
    if not v.local_attribute:
        return ""
    bad = sum(1 for x in v.values if not x.ok)
    if not v.values:
        return QCoreApplication.translate("MappingTab", "no values in the catalog")
    n = len(v.values)
    text = (QCoreApplication.translate("MappingTab", "%1 value") if n == 1 else
            QCoreApplication.translate("MappingTab", "%1 values")).replace("%1", str(n))
    return text + ", " + (QCoreApplication.translate("MappingTab", "%1 not sendable").replace("%1", str(bad)) if bad
                          else QCoreApplication.translate("MappingTab", "all sendable"))


def _guess_local(n11_name: str, local_names) -> str:
    from n11_desktop.core.mapping.text import name_similarity

    best, score = "", 0.0
    for n in local_names:
        sc, _ = name_similarity(n, n11_name)
        if sc > score:
            best, score = n, sc
    return best if score >= 0.6 else ""


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v) if v != v.to_integral_value() else int(v)
    return str(v)
