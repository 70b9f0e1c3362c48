"""The N11 attributes of the mapped category: which local attribute feeds each (a rule for
all categories or this one), a default for what the catalog does not carry, and their values."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Slot
from PySide6.QtWidgets import QComboBox, QGroupBox, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from n11_desktop.core.mapping import operations as ops
from n11_desktop.core.mapping.detail import AttributeView, CategoryDetail
from n11_desktop.core.mapping.text import name_similarity

from ..mapping_models import GREY, RED, Column, RowsModel
from .common import Pane, Say, table_defaults
from .values import ValueMappingPanel, Write

if TYPE_CHECKING:
    from ...app import AppServices


class AttributeMappingPanel(Pane):
    def __init__(self, services: AppServices, say: Say, write: Write, parent: QWidget | None = None) -> None:
        super().__init__(services, say, parent)
        self._write = write
        self.detail: CategoryDetail | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.attr_box = QGroupBox(self.tr("N11 attributes of the mapped category"))
        outer.addWidget(self.attr_box)
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
        table_defaults(self.attr_view)
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
        self.values = ValueMappingPanel(services, say, write, self)
        al.addWidget(self.values, 2)
        self.set_editing(False)

    # ------------------------------------------------------------------ showing
    def show_detail(self, d: CategoryDetail) -> None:
        """The attributes of ``d``'s leaf; the first thing to fix (else the first attribute) is
        selected so its values show."""
        self.detail = d
        self.attr_model.set_rows(d.attributes)
        self.values.clear()
        self.set_editing(False)
        self.rule_local.clear()
        self.rule_local.addItems(list(d.local_attributes))
        leaf = d.leaf
        if d.mapped_id is None or d.problem or leaf is None:
            self.attr_box.setTitle(self.tr("N11 attributes"))
            self.attr_info.setText(self.tr("Map the category first; its N11 attributes then appear here."))
            return
        self.attr_box.setTitle(self.tr("N11 attributes of “%1”").replace("%1", str(leaf.name)))
        if leaf.fetched_at is None:
            self.attr_info.setText(self.tr("Loading the attributes of this N11 category from N11…"))
            return
        req = sum(1 for a in d.attributes if a.attribute.mandatory)
        missing = [a.attribute.name for a in d.attributes
                   if a.attribute.mandatory and not a.local_attribute and not a.fallback]
        defaulted = [f"{a.attribute.name} → {a.fallback.split(' (')[0]}" for a in d.attributes
                     if not a.local_attribute and a.fallback]
        txt = self.tr("%1 attributes, %2 required.").replace("%1", str(len(d.attributes))).replace("%2", str(req))
        if missing:
            txt += " " + self.tr("Required but not fed by any local attribute: %1 (map a local attribute, or set "
                                 "a default below).").replace("%1", ", ".join(missing))
        if defaulted:
            txt += " " + self.tr("From defaults: %1.").replace("%1", ", ".join(defaulted))
        if d.unused_local:
            txt += " " + self.tr("Local attributes not used here: %1.").replace("%1", ", ".join(d.unused_local))
        self.attr_info.setText(txt)
        pick = next((i for i, a in enumerate(d.attributes) if any(not x.ok for x in a.values)), None)
        if pick is None:
            pick = next((i for i, a in enumerate(d.attributes) if a.attribute.mandatory and not a.local_attribute),
                        0 if d.attributes else None)
        if pick is not None:
            self.attr_view.selectionModel().setCurrentIndex(
                self.attr_model.index(pick, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def set_editing(self, on: bool) -> None:
        for w in (self.rule_local, self.rule_scope, self.btn_rule, self.btn_rule_del, self.default_combo,
                  self.default_scope, self.btn_default, self.btn_default_del):
            w.setEnabled(on)
        if not on:
            self.values.set_editing(False)

    def _leaf_id(self) -> int | None:
        d = self.detail
        return d.leaf.id if d and d.leaf else None

    def _current_attr(self) -> AttributeView | None:
        idx = self.attr_view.selectionModel().currentIndex()
        return self.attr_model.row_at(idx.row()) if idx.isValid() else None

    @Slot()
    def _on_attr_selected(self, *_args) -> None:
        v = self._current_attr()
        if v is None:
            self.values.forget_attribute()
            self.set_editing(False)
            return
        self.set_editing(True)
        if v.local_attribute:
            self.rule_local.setCurrentText(v.local_attribute)
        else:
            self.rule_local.setCurrentText(_guess_local(v.attribute.name, self.detail.local_attributes
                                                        if self.detail else ()))
        self.rule_scope.setCurrentIndex(1 if v.scope == "category" else 0)
        self.btn_rule_del.setEnabled(v.scope in ("global", "category"))
        self.values.show_attribute(v, self._leaf_id())
        a = v.attribute
        self.default_combo.clear()
        self.default_combo.setEditable(a.custom_value)
        for val in a.values:
            self.default_combo.addItem(f"{val.name} ({val.id})", val.id)
        self.default_combo.setCurrentIndex(-1)
        self.btn_default_del.setEnabled(bool(v.fallback))
        self.default_scope.setCurrentIndex(1 if "this category" in v.fallback else 0)
        self.values.set_editing(False)
        self.values.select_first_to_fix()

    # ------------------------------------------------------------------ writing
    @Slot()
    def save_rule(self) -> None:
        v = self._current_attr()
        leaf = self._leaf_id()
        local = self.rule_local.currentText().strip()
        if v is None or leaf is None:
            return
        if not local:
            self.say("✖ " + self.tr("Type or choose the local attribute that feeds this N11 attribute."), error=True)
            return
        scope = leaf if self.rule_scope.currentData() == 1 else 0
        aid, db = v.attribute.attribute_id, self.services.db
        self._write(lambda: ops.save_attribute_rule(db, local, aid, scope), lambda ch: "✔ " + ch.message)

    @Slot()
    def remove_rule(self) -> None:
        v = self._current_attr()
        leaf = self._leaf_id()
        if v is None or leaf is None or not v.local_attribute or v.scope not in ("global", "category"):
            return
        local, scope, db = v.local_attribute, (leaf if v.scope == "category" else 0), self.services.db
        self._write(lambda: ops.delete_attribute_rule(db, local, scope), lambda ch: "✔ " + ch.message)

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
                self.say("✖ " + self.tr("Choose one of N11's values for %1 as its default.").replace(
                    "%1", a.attribute.name), error=True)
                return
        scope = leaf if self.default_scope.currentData() == 1 else 0
        aid, db = a.attribute.attribute_id, self.services.db
        self._write(lambda: ops.save_attribute_default(db, aid, value_id=value_id, custom_value=custom, category_id=scope),
                    lambda ch: "✔ " + ch.message)

    @Slot()
    def remove_default(self) -> None:
        a = self._current_attr()
        leaf = self._leaf_id()
        if a is None or leaf is None or not a.fallback:
            return
        aid, scope, db = a.attribute.attribute_id, (leaf if "this category" in a.fallback else 0), self.services.db
        self._write(lambda: ops.delete_attribute_default(db, aid, scope), lambda ch: "✔ " + ch.message)


def _values_summary(v: AttributeView) -> str:
    if not v.local_attribute:
        return ""
    bad = sum(1 for x in v.values if not x.ok)
    if not v.values:
        return QCoreApplication.translate("AttributeMappingPanel", "no values in the catalog")
    n = len(v.values)
    text = (QCoreApplication.translate("AttributeMappingPanel", "%1 value") if n == 1 else
            QCoreApplication.translate("AttributeMappingPanel", "%1 values")).replace("%1", str(n))
    return text + ", " + (QCoreApplication.translate("AttributeMappingPanel", "%1 not sendable").replace("%1", str(bad))
                          if bad else QCoreApplication.translate("AttributeMappingPanel", "all sendable"))


def _guess_local(n11_name: str, local_names) -> str:
    best, score = "", 0.0
    for n in local_names:
        sc, _ = name_similarity(n, n11_name)
        if sc > score:
            best, score = n, sc
    return best if score >= 0.6 else ""
