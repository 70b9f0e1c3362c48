"""The Channel Settings screen's own editors (seed §2, §3, §9): feature flags with their
prerequisites, Failed Integration rules, the OMS web hook token, the cancellation map, the local
cancellation reasons and the custom fields of the schema type. The generic field editors are in
``forms.py``; the tab that lays them out is ``settings_tab.py``."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.settings.defaults import (
    FAILED_INTEGRATION_HELP,
    FAILED_INTEGRATION_RULE_KEYS,
    FAILED_INTEGRATION_TYPES,
    FEATURE_FLAGS,
    REASON_TYPES,
    SENT_TO_REMOTE,
    default_failed_integration,
)
from ..core.settings.schema import DATA_TYPES
from .core_texts import core_tr
from .forms import (
    ERROR_STYLE,
    HINT_STYLE,
    INT_MAX,
    ChoiceEditor,
    FieldEditor,
    SecretEditor,
)

LOCKED_STYLE = "background: #ececec; color: #333;"


class FlagsEditor(FieldEditor):
    """Every flag of seed §9 with its description and schedule; a flag whose prerequisites are
    missing cannot be switched on and says what is missing."""

    def __init__(self, missing_for: Callable[[str], list[str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._missing_for = missing_for
        self.checks: dict[str, QCheckBox] = {}
        self.hints: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        grid.setColumnStretch(1, 1)
        for n, (flag, info) in enumerate(FEATURE_FLAGS.items()):
            check = QCheckBox(flag, self)
            check.setObjectName(f"flag_{flag}")
            font = check.font()
            font.setBold(True)
            check.setFont(font)
            check.toggled.connect(self._on_toggled)
            desc = QLabel(self.tr("%1<br><span style='color:#666'>Runs: %2</span>").replace("%1", core_tr(info["description"])).replace("%2", core_tr(info["schedule"])), self)
            desc.setWordWrap(True)
            desc.setTextFormat(Qt.TextFormat.RichText)
            hint = QLabel(self)
            hint.setWordWrap(True)
            hint.setVisible(False)
            box = QVBoxLayout()
            box.setSpacing(1)
            box.addWidget(desc)
            box.addWidget(hint)
            grid.addWidget(check, n, 0, Qt.AlignmentFlag.AlignTop)
            grid.addLayout(box, n, 1)
            self.checks[flag], self.hints[flag] = check, hint

    @Slot(bool)
    def _on_toggled(self, on: bool) -> None:
        check = self.sender()
        flag = next((f for f, c in self.checks.items() if c is check), None)
        if flag is None:
            return
        if on:
            missing = self._missing_for(flag)
            if missing:
                check.blockSignals(True)
                check.setChecked(False)
                check.blockSignals(False)
                self._set_hint(flag, self.tr("Can't switch on %1: first set %2").replace("%1", flag)
                               .replace("%2", ", ".join(core_tr(m) for m in missing)), error=True)
                return
        self.refresh()
        self.changed.emit()

    def _set_hint(self, flag: str, text: str, error: bool) -> None:
        hint = self.hints[flag]
        hint.setText(text)
        hint.setStyleSheet(ERROR_STYLE if error else HINT_STYLE)
        hint.setVisible(bool(text))

    def refresh(self) -> None:
        for flag, check in self.checks.items():
            missing = self._missing_for(flag)
            if not missing:
                self._set_hint(flag, "", False)
            elif check.isChecked():
                self._set_hint(flag, self.tr("On, but needs %1").replace("%1", ", ".join(core_tr(m) for m in missing)),
                               True)
            else:
                self._set_hint(flag, self.tr("Needs first: %1").replace("%1", ", ".join(core_tr(m) for m in missing)),
                               False)

    def value(self) -> dict[str, bool]:
        return {flag: c.isChecked() for flag, c in self.checks.items()}

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        for flag, check in self.checks.items():
            check.blockSignals(True)
            check.setChecked(bool(value.get(flag, False)))
            check.blockSignals(False)
        self.refresh()


def _duration(seconds: int) -> str:
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    def unit(template: str, n: int) -> str:  # "%1 sa" in Turkish (core_texts.age_words' units)
        return QCoreApplication.translate("core", template).replace("%1", str(n))

    parts = [unit("%1 h", h) if h else "", unit("%1 min", m) if m else "", unit("%1 s", s) if s else ""]
    return "= " + (" ".join(p for p in parts if p) or unit("%1 s", 0))


class FailedIntegrationEditor(FieldEditor):
    """Seed §3 rules per content type, in seconds (with hours shown), and sent_to_remote in hours."""

    COLUMNS = {"RETRY_INTERVAL": QT_TRANSLATE_NOOP("FailedIntegrationEditor", "Retry interval (s)"),
               "EXPIRATION_DATE": QT_TRANSLATE_NOOP("FailedIntegrationEditor", "Expiration (s)"),
               "MAX_RETRY_COUNT": QT_TRANSLATE_NOOP("FailedIntegrationEditor", "Max retries")}

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spins: dict[tuple[str, str], QSpinBox] = {}
        self.durations: dict[tuple[str, str], QLabel] = {}
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        grid = QGridLayout()
        grid.setHorizontalSpacing(10)
        grid.addWidget(QLabel(self.tr("<b>Content type</b>"), self), 0, 0)
        for c, key in enumerate(FAILED_INTEGRATION_RULE_KEYS, 1):
            head = QLabel(f"<b>{self.tr(self.COLUMNS[key])}</b>", self)
            head.setWordWrap(True)  # "Yeniden deneme aralığı (sn)" wraps instead of widening the form
            head.setAlignment(Qt.AlignmentFlag.AlignBottom | Qt.AlignmentFlag.AlignLeft)
            head.setToolTip(FAILED_INTEGRATION_HELP[key])
            grid.addWidget(head, 0, c)
        for r, ctype in enumerate(FAILED_INTEGRATION_TYPES, 1):
            grid.addWidget(QLabel(ctype, self), r, 0)
            for c, key in enumerate(FAILED_INTEGRATION_RULE_KEYS, 1):
                spin = QSpinBox(self)
                spin.setObjectName(f"fi_{ctype}_{key}")
                spin.setRange(1 if key == "RETRY_INTERVAL" else 0, INT_MAX if key != "MAX_RETRY_COUNT" else 1000)
                spin.setToolTip(FAILED_INTEGRATION_HELP[key])
                spin.valueChanged.connect(self._on_changed)
                cell = QVBoxLayout()
                cell.setSpacing(0)
                cell.addWidget(spin)
                if key != "MAX_RETRY_COUNT":
                    dur = QLabel(self)
                    dur.setStyleSheet(HINT_STYLE)
                    cell.addWidget(dur)
                    self.durations[(ctype, key)] = dur
                grid.addLayout(cell, r, c)
                self.spins[(ctype, key)] = spin
        row = len(FAILED_INTEGRATION_TYPES) + 1
        grid.addWidget(QLabel(SENT_TO_REMOTE, self), row, 0)
        self.hours = QDoubleSpinBox(self)
        self.hours.setObjectName("fi_sent_to_remote_EXPIRATION_HOUR")
        self.hours.setRange(0.5, 720)
        self.hours.setDecimals(1)
        self.hours.setSuffix(" h")
        self.hours.setToolTip(FAILED_INTEGRATION_HELP["EXPIRATION_HOUR"])
        self.hours.valueChanged.connect(self._on_changed)
        grid.addWidget(self.hours, row, 1)
        grid.addWidget(QLabel(self.tr("Expiration hour: time N11 has to return a result"), self), row, 2, 1, 2)
        outer.addLayout(grid)
        help_text = "<br>".join(f"<b>{k}</b>: {FAILED_INTEGRATION_HELP[k]}" for k in
                                ("RETRY_INTERVAL", "EXPIRATION_DATE", "MAX_RETRY_COUNT", "EXPIRATION_HOUR"))
        explain = QLabel(help_text + f"<br>{FAILED_INTEGRATION_HELP['DEFAULT']} {FAILED_INTEGRATION_HELP['changes']}",
                         self)
        explain.setWordWrap(True)
        explain.setStyleSheet(HINT_STYLE)
        outer.addWidget(explain)
        self.set_value(default_failed_integration())

    @Slot()
    def _on_changed(self) -> None:
        for k, label in self.durations.items():
            label.setText(_duration(self.spins[k].value()))
        self.changed.emit()

    def value(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for ctype in FAILED_INTEGRATION_TYPES:
            out[ctype] = {key: self.spins[(ctype, key)].value() for key in FAILED_INTEGRATION_RULE_KEYS}
        hours = self.hours.value()
        out[SENT_TO_REMOTE] = {"EXPIRATION_HOUR": int(hours) if float(hours).is_integer() else hours}
        return out

    def set_value(self, value: Any) -> None:
        value = value if isinstance(value, dict) else {}
        default = value.get("DEFAULT") if isinstance(value.get("DEFAULT"), dict) else {}
        for ctype in FAILED_INTEGRATION_TYPES:
            rule = value.get(ctype) if isinstance(value.get(ctype), dict) else default
            for key in FAILED_INTEGRATION_RULE_KEYS:
                try:
                    self.spins[(ctype, key)].setValue(int(rule.get(key, 0)))
                except (TypeError, ValueError):
                    pass
        str_rule = value.get(SENT_TO_REMOTE) if isinstance(value.get(SENT_TO_REMOTE), dict) else {}
        try:
            self.hours.setValue(float(str_rule.get("EXPIRATION_HOUR", 6)))
        except (TypeError, ValueError):
            pass
        self._on_changed()


class WebhookTokenEditor(SecretEditor):
    """The split_packages web hook token: masked, with Generate (a random token) and Copy (for the OMS)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(QCoreApplication.translate("WebhookTokenEditor", "Generate one for the OMS"), parent)
        self.generate_btn = QToolButton(self)
        self.generate_btn.setText(self.tr("Generate"))
        self.generate_btn.setToolTip(self.tr("Put a new random token here (save, then give it to the OMS)"))
        self.generate_btn.clicked.connect(self.generate)
        self.copy_btn = QToolButton(self)
        self.copy_btn.setText(self.tr("Copy"))
        self.copy_btn.setToolTip(self.tr("Copy the token to the clipboard for the OMS web hook settings"))
        self.copy_btn.clicked.connect(self.copy)
        self.layout().addWidget(self.generate_btn)
        self.layout().addWidget(self.copy_btn)

    @Slot()
    def generate(self) -> None:
        import secrets

        self.edit.setText(secrets.token_urlsafe(32))

    @Slot()
    def copy(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText(self.value())


class _RowList:
    """Editable rows stacked in ``self.box`` below one header widget, each with a Remove button;
    ``_rows_changed`` says what the editor does when a row comes or goes."""

    rows: list
    box: QVBoxLayout

    def _init_rows(self, header: QWidget) -> None:
        self.rows = []
        self.box = QVBoxLayout(self)  # type: ignore[arg-type]
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSpacing(3)
        self.box.addWidget(header)

    def _new_row(self) -> tuple[QWidget, QHBoxLayout]:
        w = QWidget(self)  # type: ignore[arg-type]
        lay = QHBoxLayout(w)
        lay.setContentsMargins(0, 0, 0, 0)
        return w, lay

    def _remove_button(self, entry: tuple, text: str) -> QToolButton:
        remove = QToolButton(entry[0])
        remove.setText(text)
        remove.clicked.connect(lambda: self._remove(entry))
        return remove

    def _insert(self, entry: tuple) -> None:
        self.box.insertWidget(len(self.rows) + 1, entry[0])
        self.rows.append(entry)
        self._rows_changed()

    def _remove(self, entry: tuple) -> None:
        if entry in self.rows:
            self.rows.remove(entry)
            entry[0].setParent(None)
            entry[0].deleteLater()
        self._rows_changed()

    def _clear(self) -> None:
        for entry in list(self.rows):
            self._remove(entry)

    def _rows_changed(self) -> None:
        raise NotImplementedError


class CancellationMapEditor(_RowList, FieldEditor):
    """N11 reason id → local cancellation reason, one row each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._choices: list[tuple[Any, str]] = []
        self._n11_reasons: list[tuple[str, str]] = []  # picker: seen in claims, then N11's list
        self.empty = QLabel(self.tr("No mappings: every N11 reason uses the Cancellation Reason Id."), self)
        self.empty.setStyleSheet(HINT_STYLE)
        self._init_rows(self.empty)
        self.rows: list[tuple[QWidget, QLineEdit, ChoiceEditor]]
        self.add_btn = QPushButton(self.tr("Add mapping"), self)
        self.add_btn.clicked.connect(lambda: self.add_row("", None))
        self.box.addWidget(self.add_btn, 0, Qt.AlignmentFlag.AlignLeft)

    def set_choices(self, choices: list[tuple[Any, str]]) -> None:
        self._choices = list(choices)
        for _, _, combo in self.rows:
            combo.set_choices(self._choices)

    def set_n11_reasons(self, reasons) -> None:
        """The reasons the picker offers: (as N11 sends it, label)."""
        self._n11_reasons = [(str(k), str(label)) for k, label in reasons]
        for _, edit, _ in self.rows:
            self._fill_picker(edit)

    def _fill_picker(self, edit: QLineEdit) -> None:
        button = getattr(edit, "picker", None)
        if not isinstance(button, QToolButton):
            return
        menu = button.menu()
        menu.clear()
        if not self._n11_reasons:
            menu.addAction(self.tr("No reasons known yet")).setEnabled(False)
        for key, label in self._n11_reasons:
            action = menu.addAction(label)
            action.setData(key)
            action.triggered.connect(lambda _=False, k=key, e=edit: e.setText(k))

    def add_row(self, n11_id: str, local: Any) -> tuple[QLineEdit, ChoiceEditor]:
        w, lay = self._new_row()
        edit = QLineEdit(str(n11_id), w)
        edit.setPlaceholderText(self.tr("N11 reason id or code"))
        edit.setToolTip(self.tr("The reason exactly as N11 sends it in claims (an id such as 501 or a code such "
                                "as VAZGECTIM)"))
        edit.setMinimumWidth(90)
        edit.setMaximumWidth(140)
        edit.textChanged.connect(self.changed)
        pick = QToolButton(w)
        pick.setText(self.tr("Pick"))
        pick.setToolTip(self.tr("Reasons seen in claims so far and N11's reason list"))
        pick.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        pick.setMenu(QMenu(pick))
        edit.picker = pick
        self._fill_picker(edit)
        combo = ChoiceEditor(self._choices, w)
        combo.set_value(int(local) if isinstance(local, (int, str)) and str(local).isdigit() else local)
        combo.changed.connect(self.changed)
        entry = (w, edit, combo)
        lay.addWidget(QLabel("N11", w))
        lay.addWidget(edit)
        lay.addWidget(pick)
        lay.addWidget(QLabel(self.tr("→ local"), w))
        lay.addWidget(combo, 1)
        lay.addWidget(self._remove_button(entry, self.tr("Remove")))
        self._insert(entry)
        return edit, combo

    def _rows_changed(self) -> None:
        self.empty.setVisible(not self.rows)
        self.changed.emit()

    def parse_error(self) -> str | None:
        seen = set()
        for n, (_, edit, combo) in enumerate(self.rows, 1):
            key = edit.text().strip()
            if not key:
                return self.tr("Cancellation Map: row %1 has no N11 reason id or code").replace("%1", str(n))
            if len(key) > 64 or not key.isprintable():
                return self.tr("Cancellation Map: row %1: N11 reason %2 must be 1-64 printable characters").replace(
                    "%1", str(n)).replace("%2", repr(key[:64]))
            if key.upper() in seen:
                return self.tr("Cancellation Map: N11 reason %1 is mapped twice").replace("%1", key)
            seen.add(key.upper())
            if combo.value() is None:
                return self.tr("Cancellation Map: row %1 (N11 reason %2) has no local reason").replace(
                    "%1", str(n)).replace("%2", key)
        return None

    def value(self) -> dict[str, str]:
        return {edit.text().strip(): str(combo.value()) for _, edit, combo in self.rows
                if edit.text().strip() and combo.value() is not None}

    def set_value(self, value: Any) -> None:
        self._clear()
        if isinstance(value, dict):
            for k, v in value.items():
                self.add_row(str(k), v)
        self.empty.setVisible(not self.rows)


class ReasonsEditor(_RowList, QWidget):
    """The local cancellation reasons (id, name, cancel/refund, active)."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._init_rows(QLabel(self.tr("<b>Id · Name · Type · Active</b>"), self))
        self.rows: list[tuple[QWidget, QSpinBox, QLineEdit, QComboBox, QCheckBox]]
        self.add_btn = QPushButton(self.tr("Add reason"), self)
        self.add_btn.clicked.connect(self._add_new)
        self.box.addWidget(self.add_btn, 0, Qt.AlignmentFlag.AlignLeft)

    @Slot()
    def _add_new(self) -> None:
        next_id = max([s.value() for _, s, *_ in self.rows] + [0]) + 1
        self.add_row(next_id, "", "cancel", True)

    def add_row(self, rid: int, name: str, rtype: str, active: bool):
        w, lay = self._new_row()
        spin = QSpinBox(w)
        spin.setRange(1, INT_MAX)
        spin.setValue(int(rid))
        spin.setMaximumWidth(90)
        edit = QLineEdit(name, w)
        edit.setPlaceholderText(self.tr("reason name"))
        combo = QComboBox(w)
        combo.addItems(list(REASON_TYPES))
        combo.setCurrentText(rtype)
        check = QCheckBox(self.tr("active"), w)
        check.setChecked(active)
        entry = (w, spin, edit, combo, check)
        for sig in (spin.valueChanged, edit.textChanged, combo.currentIndexChanged, check.toggled):
            sig.connect(self.changed)
        for x in (spin, edit, combo, check, self._remove_button(entry, self.tr("Remove"))):
            lay.addWidget(x, 1 if x is edit else 0)
        self._insert(entry)
        return entry

    def _rows_changed(self) -> None:
        self.changed.emit()

    def value(self) -> list[dict[str, Any]]:
        return [{"id": s.value(), "name": e.text(), "reason_type": c.currentText(), "is_active": a.isChecked()}
                for _, s, e, c, a in self.rows]

    def set_value(self, reasons) -> None:
        self.blockSignals(True)
        self._clear()
        for r in reasons:
            self.add_row(r.id, r.name, r.reason_type, r.is_active)
        self.blockSignals(False)
        self.changed.emit()

    def choices(self, kind: str) -> list[tuple[int, str]]:
        no_name = self.tr("(no name)")
        return [(s.value(), f"{s.value()} — {e.text() or no_name}") for _, s, e, c, a in self.rows
                if c.currentText() == kind and a.isChecked()]


class CustomFieldsEditor(_RowList, QWidget):
    """Add, edit and remove user fields of the schema type (built-in fields are locked)."""

    schema_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty = QLabel(self.tr("No custom fields yet (e.g. values your ERP needs, like a store code)."), self)
        self.empty.setStyleSheet(HINT_STYLE)
        self._init_rows(self.empty)
        self.rows: list[tuple[QWidget, QLineEdit, QLineEdit, QLineEdit, QComboBox, QCheckBox]]
        self.add_btn = QPushButton(self.tr("Add field"), self)
        self.add_btn.clicked.connect(lambda: self.add_row("", "", "", "text", False))
        self.box.addWidget(self.add_btn, 0, Qt.AlignmentFlag.AlignLeft)

    def add_row(self, fid: str, key: str, label: str, dtype: str, required: bool):
        w, lay = self._new_row()
        fid_e = QLineEdit(fid, w)
        fid_e.setPlaceholderText(self.tr("field (e.g. store_code)"))
        key_e = QLineEdit(key, w)
        key_e.setPlaceholderText(self.tr("key (e.g. StoreCode)"))
        label_e = QLineEdit(label, w)
        label_e.setPlaceholderText(self.tr("label"))
        type_c = QComboBox(w)
        type_c.addItems(list(DATA_TYPES))
        type_c.setCurrentText(dtype)
        req = QCheckBox(self.tr("required"), w)
        req.setChecked(required)
        entry = (w, fid_e, key_e, label_e, type_c, req)
        remove = self._remove_button(entry, self.tr("Remove"))
        for e in (fid_e, key_e, label_e):
            e.editingFinished.connect(self.schema_changed)
        type_c.currentIndexChanged.connect(self.schema_changed)
        req.toggled.connect(self.schema_changed)
        for x in (fid_e, key_e, label_e, type_c, req, remove):
            lay.addWidget(x, 1 if isinstance(x, QLineEdit) else 0)
        self._insert(entry)
        return entry

    def _rows_changed(self) -> None:
        self.empty.setVisible(not self.rows)
        self.schema_changed.emit()

    def value(self) -> dict[str, dict[str, Any]]:
        out = {}
        for _, fid_e, key_e, label_e, type_c, req in self.rows:
            fid = fid_e.text().strip() or key_e.text().strip()
            if not fid:
                continue
            out[fid] = {"key": key_e.text().strip() or fid, "label": label_e.text().strip() or fid,
                        "required": req.isChecked(), "data_type": type_c.currentText()}
        return out

    def set_value(self, fields: dict[str, dict[str, Any]]) -> None:
        self.blockSignals(True)
        self._clear()
        for fid, e in fields.items():
            self.add_row(fid, str(e.get("key", fid)), str(e.get("label", fid)), str(e.get("data_type", "text")),
                         bool(e.get("required")))
        self.blockSignals(False)
        self.empty.setVisible(not self.rows)
        self.schema_changed.emit()
