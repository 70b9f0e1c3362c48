"""How each local value of the chosen attribute is sent to N11, and mapping one value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QItemSelectionModel, Qt, Slot
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from n11_desktop.core.mapping import operations as ops
from n11_desktop.core.mapping.detail import AttributeView, ValueView

from ..core_texts import core_message
from ..mapping_models import RED, Column, RowsModel
from .common import Pane, Say, table_defaults

if TYPE_CHECKING:
    from ...app import AppServices

Write = Callable[[Callable[[], object], Callable[[object], str]], None]


class ValueMappingPanel(Pane):
    """The values of the attribute chosen in the attribute panel: which N11 value each local
    value becomes (a map for all categories or this one, N11's own list, free text)."""

    def __init__(self, services: AppServices, say: Say, write: Write, parent: QWidget | None = None) -> None:
        super().__init__(services, say, parent)
        self._write = write
        self._attr: AttributeView | None = None
        self._leaf: int | None = None
        al = QVBoxLayout(self)
        al.setContentsMargins(0, 0, 0, 0)
        self.value_title = QLabel(self.tr("Values: select an attribute above."))
        self.value_title.setWordWrap(True)  # Turkish lines run longer: wrap, never widen the window
        al.addWidget(self.value_title)
        self.value_model: RowsModel[ValueView] = RowsModel([
            Column(self.tr("Local value"), lambda v: v.local_value),
            Column(self.tr("Products"), lambda v: v.products, align=Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            Column(self.tr("Sent to N11"), lambda v: (f"{v.n11_text} ({v.value_id})" if v.value_id is not None
                                                      else core_message(v.n11_text)) or "—"),
            Column(self.tr("How"), lambda v: core_message(v.how), color=lambda v: None if v.ok else RED),
        ], self)
        self.value_view = QTableView()
        self.value_view.setModel(self.value_model)
        table_defaults(self.value_view)
        self.value_view.horizontalHeader().setStretchLastSection(True)
        for c, w in ((0, 150), (1, 70), (2, 200)):
            self.value_view.setColumnWidth(c, w)
        self.value_view.selectionModel().currentRowChanged.connect(self._on_value_selected)
        al.addWidget(self.value_view, 1)
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
        self.set_editing(False)

    def clear(self) -> None:
        self._attr = None
        self.value_model.set_rows(())
        self.value_title.setText(self.tr("Values: select an attribute above."))

    def forget_attribute(self) -> None:
        """No attribute is chosen any more: nothing to edit."""
        self._attr = None
        self.set_editing(False)

    def show_attribute(self, v: AttributeView, leaf: int | None) -> None:
        """Show ``v``'s values; the first one that cannot be sent is selected, ready to edit."""
        self._attr, self._leaf = v, leaf
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

    def select_first_to_fix(self) -> None:
        bad = next((i for i, x in enumerate(self.value_model.rows) if not x.ok), None)
        if bad is not None:  # the first value to fix is ready to edit
            self.value_view.selectionModel().setCurrentIndex(
                self.value_model.index(bad, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def set_editing(self, on: bool) -> None:
        for w in (self.value_combo, self.value_scope, self.btn_value, self.btn_value_del):
            w.setEnabled(on)

    def _current_value(self) -> ValueView | None:
        idx = self.value_view.selectionModel().currentIndex()
        return self.value_model.row_at(idx.row()) if idx.isValid() else None

    @Slot()
    def _on_value_selected(self, *_args) -> None:
        v = self._current_value()
        a = self._attr
        if v is None or a is None or not a.local_attribute:
            self.set_editing(False)
            return
        self.set_editing(True)
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

    @Slot()
    def save_value(self) -> None:
        a = self._attr
        v = self._current_value()
        leaf = self._leaf
        if a is None or v is None or leaf is None or not a.local_attribute:
            return
        idx = self.value_combo.currentIndex()
        value_id = self.value_combo.itemData(idx) if idx >= 0 else None
        custom = None
        text = self.value_combo.currentText().strip()
        if value_id is None or (a.attribute.custom_value and idx >= 0 and text != self.value_combo.itemText(idx)):
            if not a.attribute.custom_value:
                self.say("✖ " + self.tr("Choose one of N11's values for %1.").replace("%1", a.attribute.name),
                         error=True)
                return
            value_id, custom = None, text
            if not custom:
                self.say("✖ " + self.tr("Choose an N11 value or type the free text to send."), error=True)
                return
        scope = leaf if self.value_scope.currentData() == 1 else 0
        name, local_value, aid, db = a.local_attribute, v.local_value, a.attribute.attribute_id, self.services.db
        self._write(lambda: ops.save_value_mapping(db, name, local_value, value_id=value_id, custom_value=custom,
                                                   category_id=scope, attribute_id=aid),
                    lambda ch: "✔ " + ch.message)

    @Slot()
    def remove_value(self) -> None:
        a = self._attr
        v = self._current_value()
        leaf = self._leaf
        if a is None or v is None or leaf is None or not v.how.startswith("mapped"):
            return
        name, value, scope = a.local_attribute, v.local_value, (leaf if v.how.startswith("mapped here") else 0)
        db = self.services.db
        self._write(lambda: ops.delete_value_mapping(db, name, value, scope), lambda ch: "✔ " + ch.message)
