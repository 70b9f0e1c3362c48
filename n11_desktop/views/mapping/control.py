"""Mapping Control: exactly what would be sent to N11 for a product, and what is missing."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Slot
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit, \
    QPushButton, QSplitter, QVBoxLayout, QWidget

from n11_desktop.core.mapping import operations as ops

from ...core.formats import number
from ..core_texts import core_message
from ..mapping_models import AMBER, GREEN, RED
from .common import Pane, Say

if TYPE_CHECKING:
    from ...app import AppServices

_PROBLEM_NAMES = {  # English; shown through tr()
    "no_category_mapping": QT_TRANSLATE_NOOP("ControlPage", "category not mapped"),
    "mandatory_attribute_missing": QT_TRANSLATE_NOOP("ControlPage", "required attribute missing"),
    "value_not_in_list": QT_TRANSLATE_NOOP("ControlPage", "value not in N11's list"),
    "no_price": QT_TRANSLATE_NOOP("ControlPage", "no price"), "no_stock": QT_TRANSLATE_NOOP("ControlPage", "no stock"),
    "no_image": QT_TRANSLATE_NOOP("ControlPage", "no image"),
    "attributes_not_loaded": QT_TRANSLATE_NOOP("ControlPage", "attributes not loaded"),
    "invalid_category": QT_TRANSLATE_NOOP("ControlPage", "category to remap"),
    "short_title": QT_TRANSLATE_NOOP("ControlPage", "title too short"),
    "no_shipment_template": QT_TRANSLATE_NOOP("ControlPage", "no shipment template"),
    "no_description": QT_TRANSLATE_NOOP("ControlPage", "no description"),
}


class ControlPage(Pane):
    def __init__(self, services: AppServices, say: Say, parent: QWidget | None = None) -> None:
        super().__init__(services, say, parent)
        lay = QVBoxLayout(self)
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

    @Slot()
    def load_control_summary(self) -> None:
        db = self.services.db
        self.submit(lambda: ops.control_summary(db), self._show_control_summary, latest="control_summary")

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
        self.submit(lambda: ops.search_products(db, q), self._show_products, latest="products")

    def _show_products(self, rows: tuple[ops.ProductHit, ...] | tuple[ops.ProductCheck, ...],
                       select_first: bool = False) -> None:
        """Products found by a search (ProductHit) or listed by the catalog check (ProductCheck)."""
        self.sku_list.clear()
        for row in rows:
            if isinstance(row, ops.ProductCheck):
                it = QListWidgetItem(("✔ " if row.ok else "✖ ") + row.sku)
                it.setForeground(GREEN if row.ok else RED)
                it.setToolTip(self.tr("ready to send") if row.ok else row.problem)
            else:
                it = QListWidgetItem(row.sku)
                it.setToolTip(row.title)
            it.setData(Qt.ItemDataRole.UserRole, row.id)
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
        self.submit(lambda: ops.check_product(db, product_id), self._show_control, latest="control")

    def _show_control(self, cv: ops.ControlView) -> None:
        r = cv.result
        state = ("<span style='color:#1b7a3a'><b>✔ " + self.tr("ready to send") + "</b></span>" if r.ok else
                 "<span style='color:#b3261e'><b>✖ " + self.tr("not sendable: %1 problem(s)").replace(
                     "%1", str(len(r.blocking))) + "</b></span>")
        self.control_title.setText(f"<b>{cv.sku}</b> — {cv.title}<br><span style='color:#555'>{cv.local_category}"
                                   f"</span><br>{state}")
        self.problem_list.clear()
        for p in r.problems:
            it = QListWidgetItem(("✖ " if p.blocking else "• ") + core_message(p.message))
            it.setToolTip(self.tr("%1 · field %2").replace("%1", str(p.code)).replace("%2", str(p.field)))
            it.setForeground(RED if p.blocking else AMBER)
            self.problem_list.addItem(it)
        if not r.problems:
            self.problem_list.addItem(self.tr("No problems: this is exactly what product-create would send."))
        self.control_attrs.setText((self.tr("<b>Attributes sent:</b> ") + " · ".join(map(core_message, cv.attributes)))
                                   if cv.attributes
                                   else self.tr("<b>Attributes sent:</b> none"))
        shown = r.payload if r.payload is not None else r.draft
        header = "" if r.payload is not None else "// " + self.tr("draft — not sent while problems remain") + "\n"
        self.payload_view.setPlainText(header + json.dumps(shown, ensure_ascii=False, indent=2, default=_json_default))


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v) if v != v.to_integral_value() else int(v)
    return str(v)


