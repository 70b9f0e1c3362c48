"""Schema-driven form widgets: one editor per data type (STYLE §2.7).

Every editor has ``value()``, ``set_value(v)``, ``parse_error() -> str | None`` (problems the
widget itself can see, such as a JSON syntax error) and a ``changed`` signal. ``FieldRow``
puts an editor and its inline error label together; ``SchemaForm`` builds a ``QFormLayout``
from ``{field: {key, label, required, data_type}}`` entries.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Mapping, Sequence

from PySide6.QtCore import QDate, QRegularExpression, Qt, Signal, Slot
from PySide6.QtGui import QFontDatabase, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

ERROR_STYLE = "color: #b00020;"
HINT_STYLE = "color: #666;"
OK_STYLE = "color: #1b7f3b;"
INT_MAX = 2_147_483_647
DATE_FORMAT = "dd/MM/yyyy"
_EMPTY_DATE = QDate(2000, 1, 1)


class FieldEditor(QWidget):
    changed = Signal()

    def value(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def set_value(self, value: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def parse_error(self) -> str | None:
        return None

    def set_locked(self, locked: bool) -> None:
        self.setEnabled(not locked)


def _hbox(parent: QWidget) -> QHBoxLayout:
    lay = QHBoxLayout(parent)
    lay.setContentsMargins(0, 0, 0, 0)
    return lay


class TextEditor(FieldEditor):
    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setPlaceholderText(placeholder)
        self.edit.textChanged.connect(self.changed)
        _hbox(self).addWidget(self.edit)

    def value(self) -> str:
        return self.edit.text()

    def set_value(self, value: Any) -> None:
        self.edit.setText("" if value is None else str(value))

    def set_locked(self, locked: bool) -> None:
        self.edit.setReadOnly(locked)


class SecretEditor(TextEditor):
    """A masked field with a Show/Hide button."""

    def __init__(self, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(placeholder, parent)
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.reveal = QToolButton(self)
        self.reveal.setText(self.tr("Show"))
        self.reveal.setCheckable(True)
        self.reveal.setToolTip(self.tr("Show or hide the secret"))
        self.reveal.toggled.connect(self._on_reveal)
        self.layout().addWidget(self.reveal)

    @Slot(bool)
    def _on_reveal(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.reveal.setText(self.tr("Hide") if shown else self.tr("Show"))

    def is_masked(self) -> bool:
        return self.edit.echoMode() == QLineEdit.EchoMode.Password


class IntegerEditor(FieldEditor):
    """A spin box; its lowest position means "not set" (None)."""

    def __init__(self, minimum: int = 0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spin = QSpinBox(self)
        self._min = minimum
        self.spin.setRange(minimum - 1, INT_MAX)
        self.spin.setSpecialValueText(self.tr("not set"))
        self.spin.setValue(minimum - 1)
        self.spin.setMinimumWidth(140)
        self.spin.valueChanged.connect(self.changed)
        lay = _hbox(self)
        lay.addWidget(self.spin)
        lay.addStretch(1)

    def value(self) -> int | None:
        v = self.spin.value()
        return None if v < self._min else v

    def set_value(self, value: Any) -> None:
        try:
            v = int(value) if value not in (None, "") and not isinstance(value, bool) else None
        except (TypeError, ValueError):
            v = None
        self.spin.setValue(self._min - 1 if v is None else max(v, self._min - 1))


class ChoiceEditor(FieldEditor):
    """A combo box of allowed values; the first entry is "not set" (None)."""

    def __init__(self, choices: Iterable[tuple[Any, str]] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox(self)
        # a long choice (N11's reason names) must not widen the whole form past the window: the box
        # asks for ~22 characters but takes the width the form gives it, so a reason name shows
        # whole on a normal window (the full text is also in its tooltip and in the open list)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(22)
        self.combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.combo.currentIndexChanged.connect(lambda _i: self.combo.setToolTip(self.combo.currentText()))
        self.combo.currentIndexChanged.connect(self.changed)
        lay = _hbox(self)
        lay.addWidget(self.combo, 1)
        self.set_choices(choices)

    def set_choices(self, choices: Iterable[tuple[Any, str]]) -> None:
        current = self.value() if self.combo.count() else None
        self.combo.blockSignals(True)
        self.combo.clear()
        self.combo.addItem(self.tr("— not set —"), None)
        for value, text in choices:
            self.combo.addItem(text, value)
        self.combo.view().setMinimumWidth(self.combo.view().sizeHintForColumn(0) + 24)
        self.combo.blockSignals(False)
        self.set_value(current)

    def value(self) -> Any:
        return self.combo.currentData()

    def set_value(self, value: Any) -> None:
        idx = self.combo.findData(value) if value is not None else 0
        if idx < 0:
            self.combo.addItem(self.tr("%1 (not in the list)").replace("%1", str(value)), value)
            idx = self.combo.count() - 1
        self.combo.setCurrentIndex(idx)


class BoolEditor(FieldEditor):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.check = QCheckBox(text, self)
        self.check.toggled.connect(self.changed)
        _hbox(self).addWidget(self.check)

    def value(self) -> bool:
        return self.check.isChecked()

    def set_value(self, value: Any) -> None:
        self.check.setChecked(bool(value))


class ListEditor(FieldEditor):
    """An editable list: type an item, Add; select, Remove; double-click to edit."""

    def __init__(self, int_items: bool = False, placeholder: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.int_items = int_items
        self.list = QListWidget(self)
        self.list.setFixedHeight(78)
        self.list.setMinimumWidth(160)
        self.list.itemChanged.connect(self.changed)
        self.entry = QLineEdit(self)
        self.entry.setPlaceholderText(placeholder or ("id" if int_items else "value"))
        if int_items:
            self.entry.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{1,12}"), self.entry))
        self.entry.returnPressed.connect(self.add_current)
        self.add_btn = QPushButton(self.tr("Add"), self)
        self.add_btn.clicked.connect(self.add_current)
        self.remove_btn = QPushButton(self.tr("Remove"), self)
        self.remove_btn.clicked.connect(self.remove_selected)
        side = QVBoxLayout()
        side.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.addWidget(self.entry)
        row.addWidget(self.add_btn)
        side.addLayout(row)
        side.addWidget(self.remove_btn, 0, Qt.AlignmentFlag.AlignLeft)
        side.addStretch(1)
        lay = _hbox(self)
        lay.addWidget(self.list, 1)
        lay.addLayout(side, 1)

    def _add(self, text: str) -> None:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        self.list.addItem(item)

    @Slot()
    def add_current(self) -> None:
        text = self.entry.text().strip()
        if not text:
            return
        self._add(text)
        self.entry.clear()
        self.changed.emit()

    @Slot()
    def remove_selected(self) -> None:
        for item in self.list.selectedItems():
            self.list.takeItem(self.list.row(item))
        self.changed.emit()

    def items(self) -> list[str]:
        return [self.list.item(i).text().strip() for i in range(self.list.count())]

    def value(self) -> list[Any]:
        out: list[Any] = []
        for text in self.items():
            if self.int_items and text.isdigit():
                out.append(int(text))
            else:
                out.append(text)  # validation reports non-numbers with the item number
        return out

    def set_value(self, value: Any) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for v in value or []:
            self._add(str(v))
        self.list.blockSignals(False)
        self.changed.emit()


class JsonEditor(FieldEditor):
    """A JSON text editor with a live syntax check under it."""

    def __init__(self, parent: QWidget | None = None, height: int = 110) -> None:
        super().__init__(parent)
        self.text = QPlainTextEdit(self)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setFixedHeight(height)
        self.text.setTabChangesFocus(True)
        self.status = QLabel(self)
        self.text.textChanged.connect(self._check)
        self.text.textChanged.connect(self.changed)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.text)
        lay.addWidget(self.status)
        self._error: str | None = None
        self._check()

    @Slot()
    def _check(self) -> None:
        raw = self.text.toPlainText()
        self._error = None
        if raw.strip():
            try:
                json.loads(raw)
            except json.JSONDecodeError as exc:
                self._error = self.tr("not valid JSON: line %1, column %2: %3").replace("%1", str(exc.lineno)).replace(
                    "%2", str(exc.colno)).replace("%3", exc.msg)
        if self._error:
            self.status.setText(self._error)
            self.status.setStyleSheet(ERROR_STYLE)
        else:
            self.status.setText(self.tr("Valid JSON") if raw.strip() else self.tr("Empty (an empty object)"))
            self.status.setStyleSheet(OK_STYLE if raw.strip() else HINT_STYLE)

    def parse_error(self) -> str | None:
        return self._error

    def value(self) -> Any:
        raw = self.text.toPlainText()
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw

    def set_value(self, value: Any) -> None:
        if value in (None, {}, ""):
            self.text.setPlainText("")
        else:
            self.text.setPlainText(json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True))


class DateEditor(FieldEditor):
    """A date picker in dd/MM/yyyy; its first date shows "not set"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.date = QDateEdit(self)
        self.date.setDisplayFormat(DATE_FORMAT)
        self.date.setCalendarPopup(True)
        self.date.setMinimumDate(_EMPTY_DATE)
        self.date.setSpecialValueText(self.tr("not set"))
        self.date.setDate(_EMPTY_DATE)
        self.date.setMinimumWidth(140)
        self.date.dateChanged.connect(self.changed)
        self.clear_btn = QToolButton(self)
        self.clear_btn.setText(self.tr("Clear"))
        self.clear_btn.clicked.connect(lambda: self.date.setDate(_EMPTY_DATE))
        lay = _hbox(self)
        lay.addWidget(self.date)
        lay.addWidget(self.clear_btn)
        lay.addStretch(1)

    def value(self) -> str:
        d = self.date.date()
        return "" if d == _EMPTY_DATE else d.toString(DATE_FORMAT)

    def set_value(self, value: Any) -> None:
        d = QDate.fromString(str(value or ""), DATE_FORMAT)
        self.date.setDate(d if d.isValid() and d > _EMPTY_DATE else _EMPTY_DATE)


def make_editor(data_type: str, *, int_items: bool = False, secret: bool = False,
                choices: Sequence[tuple[Any, str]] | None = None, placeholder: str = "",
                parent: QWidget | None = None) -> FieldEditor:
    if choices is not None:
        return ChoiceEditor(choices, parent)
    if secret:
        return SecretEditor(placeholder, parent)
    if data_type == "integer":
        return IntegerEditor(0, parent)
    if data_type == "bool":
        return BoolEditor("", parent)
    if data_type == "list":
        return ListEditor(int_items, placeholder, parent)
    if data_type == "json":
        return JsonEditor(parent)
    if data_type == "date":
        return DateEditor(parent)
    hints = {"url": "https://…", "email": "name@example.com"}
    return TextEditor(placeholder or hints.get(data_type, ""), parent)


class FieldRow(QWidget):
    """An editor, an optional help line and the inline error label, stacked."""

    def __init__(self, editor: QWidget, help_text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(editor)
        self.help = QLabel(help_text, self)
        self.help.setWordWrap(True)
        self.help.setStyleSheet(HINT_STYLE)
        self.help.setVisible(bool(help_text))
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.setVisible(False)
        self.error.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        lay.addWidget(self.error)  # right under the editor
        lay.addWidget(self.help)

    def set_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

class SchemaForm(QWidget):
    """A ``QFormLayout`` generated from schema entries ``{field: {key, label, required, data_type}}``."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.form = QFormLayout(self)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.rows: dict[str, FieldRow] = {}  # field id -> row
        self.keys: dict[str, str] = {}  # field id -> conf key

    def add_field(self, field_id: str, entry: Mapping[str, Any], editor: FieldEditor | None = None,
                  help_text: str = "") -> FieldRow:
        editor = editor or make_editor(str(entry.get("data_type", "text")), parent=self)
        editor.setObjectName(f"field_{field_id}")
        editor.changed.connect(self.changed)
        row = FieldRow(editor, help_text, self)
        label = QLabel(str(entry.get("label") or field_id) + (" *" if entry.get("required") else ""), self)
        label.setToolTip(self.tr("key: %1").replace("%1", str(entry.get('key', field_id))))
        self.form.addRow(label, row)
        self.rows[field_id] = row
        self.keys[field_id] = str(entry.get("key", field_id))
        return row

    def clear(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        self.rows.clear()
        self.keys.clear()

    def editor(self, field_id: str) -> FieldEditor:
        return self.rows[field_id].editor  # type: ignore[return-value]

    def values(self) -> dict[str, Any]:
        return {self.keys[fid]: row.editor.value() for fid, row in self.rows.items()}  # type: ignore[attr-defined]

    def set_values(self, conf: Mapping[str, Any]) -> None:
        for fid, row in self.rows.items():
            key = self.keys[fid]
            if key in conf:
                row.editor.set_value(conf[key])  # type: ignore[attr-defined]
