"""Channel Settings tab (seed §2, §3, §9; DESIGN §5): the form generated from the schema type,
feature flags, Failed Integration rules, custom fields, local cancellation reasons, activation
and Test connection. All database and network work runs on ``services.runner``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..core.settings import FieldError, SettingsSnapshot, flag_prerequisites
from ..core.settings.defaults import (
    CANCELLATION_REASON_TYPE_IDS,
    DENY_REASON_IDS,
    FAILED_INTEGRATION_HELP,
    FAILED_INTEGRATION_RULE_KEYS,
    FAILED_INTEGRATION_TYPES,
    FEATURE_FLAGS,
    REASON_TYPES,
    SENT_TO_REMOTE,
    default_conf,
    default_failed_integration,
)
from ..core.settings import operations as settings_ops
from ..core.settings.operations import WriteResult, check_connection
from ..core.settings.schema import (
    BUILTIN_FIELDS,
    DATA_TYPES,
    HELP,
    INTEGER_LIST_FIELDS,
    INTEGER_RANGES,
    LABELS,
    LOCKED_FIELDS,
    SECRET_FIELDS,
    SENDING_FIELDS,
    SENDING_GROUP,
    default_schema,
    user_fields,
)
from .core_texts import core_message, core_tr
from .files import open_path, save_path
from .forms import (
    ERROR_STYLE,
    HINT_STYLE,
    INT_MAX,
    OK_STYLE,
    ChoiceEditor,
    FieldEditor,
    FieldRow,
    IntegerEditor,
    SchemaForm,
    SecretEditor,
    TextEditor,
    make_editor,
)

LOCKED_STYLE = "background: #ececec; color: #333;"

# ---------------------------------------------------------------------------- special editors
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
    parts = [f"{h} h" if h else "", f"{m} min" if m else "", f"{s} s" if s else ""]
    return "= " + (" ".join(p for p in parts if p) or "0 s")


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


# ---------------------------------------------------------------------------- the tab
def _add_note(form: QFormLayout, text: str, parent: QWidget) -> None:
    note = QLabel(text, parent)
    note.setWordWrap(True)
    note.setStyleSheet(HINT_STYLE)
    form.addRow(note)


def _group(title: str, parent: QWidget) -> tuple[QGroupBox, QFormLayout]:
    box = QGroupBox(QCoreApplication.translate("SettingsTab", title), parent)
    form = QFormLayout(box)
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    return box, form


class SettingsTab(QWidget):
    loaded = Signal()
    saved = Signal(object)  # tuple[FieldError, ...]; empty when the write went through
    connection_tested = Signal(bool, str)

    CONNECTION = ("app_key", "app_secret", "base_url", "sales_url", "erp_code")
    CATALOG = ("category_ids", "attribute_set_strategy", "buffer_stock")
    ORDERS = ("deny_reason_id", "cancellation_reason_id", "unsupplied_reason_id", "unpacked_reason_id",
              "refund_reason_id", "cancellation_map", "cancellation_reason_type_id", "cargo_company_id",
              "exclude_cargo_company_ids", "send_shipping_info", "use_neighborhood", "order_start_date",
              "order_number_format", "get_discount_amount", "use_channel_id_in_address_mapping", "oms_enabled",
              "oms_webhook_token", "oms_webhook_port")

    def __init__(self, services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._ready = False
        self._busy = False
        self.snapshot: SettingsSnapshot | None = None
        self.rows: dict[str, FieldRow] = {}
        self.editors: dict[str, FieldEditor] = {}
        self._schema = default_schema()
        self._defaults = default_conf()

        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 4)
        outer.addLayout(self._build_top_bar())
        self.problems = QLabel(self)
        self.problems.setObjectName("settings_problems")
        self.problems.setWordWrap(True)
        self.problems.setTextFormat(Qt.TextFormat.RichText)
        self.problems.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problems.setVisible(False)
        outer.addWidget(self.problems)

        self.scroll = QScrollArea(self)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget(self.scroll)
        cols = QHBoxLayout(body)
        cols.setContentsMargins(0, 0, 6, 0)
        left, right = QVBoxLayout(), QVBoxLayout()
        cols.addLayout(left, 5)
        cols.addLayout(right, 6)
        left.addWidget(self._build_channel_group(body))
        for box in self._build_field_groups(body):
            left.addWidget(box)
        left.addWidget(self._build_sending_group(body))
        left.addStretch(1)
        right.addWidget(self._build_flags_group(body))
        right.addWidget(self._build_fi_group(body))
        right.addWidget(self._build_custom_group(body))
        right.addWidget(self._build_reasons_group(body))
        right.addStretch(1)
        self.scroll.setWidget(body)
        outer.addWidget(self.scroll, 1)

        for editor in self.editors.values():
            editor.changed.connect(self._on_edited)
        self.reasons.changed.connect(self._on_reasons_changed)
        self.custom.schema_changed.connect(self._rebuild_custom_values)
        self._set_enabled(False)
        self._emitting = False
        services.subscribe("settings_changed", self._on_settings_changed)
        self.reload()

    # ------------------------------------------------------------------ building
    def _build_top_bar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        self.title = QLabel("<b style='font-size:15px'>N11</b>", self)
        self.badge = QLabel("…", self)
        self.badge.setObjectName("status_badge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.dirty_label = QLabel("", self)
        self.dirty_label.setStyleSheet(HINT_STYLE)
        self.activate_btn = QPushButton(self.tr("Activate"), self)
        self.activate_btn.setObjectName("activate_button")
        self.activate_btn.clicked.connect(self.toggle_active)
        self.save_btn = QPushButton(self.tr("Save"), self)
        self.save_btn.setObjectName("save_button")
        self.save_btn.setDefault(True)
        self.save_btn.clicked.connect(self.save)
        self.revert_btn = QPushButton(self.tr("Revert"), self)
        self.revert_btn.clicked.connect(self.reload)
        self.import_btn = QPushButton(self.tr("Import…"), self)
        self.import_btn.clicked.connect(self.import_file)
        self.export_btn = QPushButton(self.tr("Export…"), self)
        self.export_btn.clicked.connect(self.export_file)
        # spot for more actions ("Update by uploading a file" comes from another part)
        self.extra_actions = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addWidget(self.badge)
        bar.addWidget(self.dirty_label)
        bar.addStretch(1)
        bar.addLayout(self.extra_actions)
        for b in (self.import_btn, self.export_btn, self.revert_btn, self.save_btn, self.activate_btn):
            bar.addWidget(b)
        self._set_badge(False)
        return bar

    def _add_field(self, form: QFormLayout, fid: str, editor: FieldEditor, extra: QWidget | None = None) -> FieldRow:
        entry = self._schema[fid]
        editor.setObjectName(f"field_{fid}")
        row = FieldRow(editor, core_tr(HELP.get(fid, "")), form.parentWidget())
        if extra is not None:
            row.layout().insertWidget(1, extra)
        label = QLabel(core_tr(LABELS[fid]) + (" *" if entry["required"] else ""), form.parentWidget())
        label.setToolTip(self.tr("key: %1 · %2").replace("%1", str(entry['key'])).replace("%2", str(entry['data_type'])) + (self.tr(" · required") if entry["required"] else ""))
        form.addRow(label, row)
        self.rows[fid], self.editors[fid] = row, editor
        return row

    def _build_channel_group(self, parent: QWidget) -> QGroupBox:
        box, form = _group(QT_TRANSLATE_NOOP("SettingsTab", "Channel"), parent)
        self.locked_edits: dict[str, QLineEdit] = {}
        for key, label in (("name", self.tr("Channel Name")), ("catalog_name", self.tr("Catalog Name")),
                           ("channel_type", self.tr("Channel Type"))):
            edit = QLineEdit(box)
            edit.setReadOnly(True)
            edit.setObjectName(f"channel_{key}")
            edit.setStyleSheet(LOCKED_STYLE)
            edit.setToolTip(self.tr("Created automatically; should not be changed."))
            self.locked_edits[key] = edit
            form.addRow(QLabel(self.tr("%1 (locked)").replace("%1", str(label)), box), edit)
        _add_note(form, self.tr("Created automatically and should not be changed. The channel does nothing until it "
                                "is activated; activation checks every setting."), box)
        return box

    # the built-in fields (core.settings.schema) as the screen groups them; a built-in field no group
    # names is shown under "Other settings", so a new schema field is never left off the form
    FIELD_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
        (QT_TRANSLATE_NOOP("SettingsTab", "Connection"), CONNECTION),
        (QT_TRANSLATE_NOOP("SettingsTab", "Catalog"), CATALOG),
        (QT_TRANSLATE_NOOP("SettingsTab", "Orders and cancellations"), ORDERS),
    )
    OWN_EDITORS = ("feature_flags", "failed_integration")  # groups of their own (below)

    def _field_groups(self) -> list[tuple[str, tuple[str, ...]]]:
        placed = {f for _, fields in self.FIELD_GROUPS for f in fields} | set(SENDING_FIELDS) | set(self.OWN_EDITORS)
        rest = tuple(f for f in BUILTIN_FIELDS if f not in placed)
        return list(self.FIELD_GROUPS) + ([(QT_TRANSLATE_NOOP("SettingsTab", "Other settings"), rest)] if rest else [])

    def _editor_for(self, fid: str, box: QWidget) -> FieldEditor:
        """The editor of one built-in field, from its schema entry (data type, integer ids, secret,
        locked, range) and, for the fields that need one, its own editor or choices."""
        placeholders = {"app_key": self.tr("from N11"), "app_secret": self.tr("from N11"),
                        "erp_code": self.tr("e.g. 4000"), "category_ids": self.tr("e.g. 1001770"),
                        "order_number_format": "{orderNumber}-{id}"}
        dtype = self._schema[fid]["data_type"]
        if fid == "deny_reason_id":
            return ChoiceEditor([(k, f"{k} — {v}") for k, v in DENY_REASON_IDS.items()], box)
        if fid == "cancellation_reason_type_id":
            return ChoiceEditor([(k, f"{k} — {v}") for k, v in CANCELLATION_REASON_TYPE_IDS.items()], box)
        if fid.endswith("_reason_id"):
            return ChoiceEditor([], box)  # the local reasons, filled from the Reasons editor
        if fid == "cancellation_map":
            self.cancel_map = CancellationMapEditor(box)
            return self.cancel_map
        if fid == "oms_webhook_token":
            self.webhook_token = WebhookTokenEditor(box)
            return self.webhook_token
        if fid in SECRET_FIELDS:
            return SecretEditor(placeholders.get(fid, ""), box)
        if fid in LOCKED_FIELDS:
            editor = TextEditor("", box)
            editor.set_locked(True)
            editor.edit.setStyleSheet(LOCKED_STYLE)
            return editor
        if fid in INTEGER_RANGES:
            low, high = INTEGER_RANGES[fid]
            editor = IntegerEditor(low, box)
            if high is not None:
                editor.spin.setMaximum(high)
            editor.spin.setSpecialValueText(self.tr("default (%1)").replace("%1", str(self._defaults[fid])))
            return editor
        return make_editor(dtype, int_items=fid in INTEGER_LIST_FIELDS, placeholder=placeholders.get(fid, ""),
                           parent=box)

    def _build_field_group(self, title: str, fields: tuple[str, ...], parent: QWidget,
                           extras: dict[str, QWidget] | None = None) -> tuple[QGroupBox, QFormLayout]:
        box, form = _group(title, parent)
        for fid in fields:
            self._add_field(form, fid, self._editor_for(fid, box), extra=(extras or {}).get(fid))
        return box, form

    def _build_field_groups(self, parent: QWidget) -> list[QGroupBox]:
        boxes = []
        for title, fields in self._field_groups():
            if title == "Connection":
                boxes.append(self._build_connection_group(parent, title, fields))
            else:
                boxes.append(self._build_field_group(title, fields, parent)[0])
        return boxes

    def _build_connection_group(self, parent: QWidget, title: str, fields: tuple[str, ...]) -> QGroupBox:
        self.secret_warning = QLabel(parent)
        self.secret_warning.setWordWrap(True)
        self.secret_warning.setVisible(False)
        self.secret_warning.setStyleSheet("color: #8a5300; background: #fff4d6; padding: 3px;")
        box, form = self._build_field_group(title, fields, parent, {"app_secret": self.secret_warning})
        test = QWidget(box)
        lay = QHBoxLayout(test)
        lay.setContentsMargins(0, 0, 0, 0)
        self.test_btn = QPushButton(self.tr("Test connection"), test)
        self.test_btn.setObjectName("test_connection_button")
        self.test_btn.clicked.connect(self.test_connection)
        self.test_result = QLabel(self.tr("Uses the values in the form (saved or not)."), test)
        self.test_result.setObjectName("test_connection_result")
        self.test_result.setWordWrap(True)
        self.test_result.setStyleSheet(HINT_STYLE)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(self.test_btn, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.test_result, 1)
        form.addRow("", test)
        return box

    def _build_sending_group(self, parent: QWidget) -> QGroupBox:
        """n11-desktop's own built-in fields (not in seed §2): product send paging and send-preview guards."""
        box, form = self._build_field_group(core_tr(SENDING_GROUP), SENDING_FIELDS, parent)
        box.setObjectName("sending_group")
        _add_note(form, self.tr("How n11-desktop pages product sends (Product Create/Update, price and stock) and "
                                "when the send preview warns. Not part of the N11 integration settings of the seed."),
                  box)
        return box

    def _build_flags_group(self, parent: QWidget) -> QGroupBox:
        box, form = _group(QT_TRANSLATE_NOOP("SettingsTab", "Feature Flags"), parent)
        self.flags = FlagsEditor(self._missing_for_flag, box)
        row = FieldRow(self.flags, self.tr("A flow runs only while its flag is on and the channel is active."), box)
        form.addRow(row)
        self.flags.setObjectName("field_feature_flags")
        self.rows["feature_flags"], self.editors["feature_flags"] = row, self.flags
        return box

    def _build_fi_group(self, parent: QWidget) -> QGroupBox:
        box, form = _group(QT_TRANSLATE_NOOP("SettingsTab", "Failed Integration (penalty box)"), parent)
        self.fi = FailedIntegrationEditor(box)
        self.fi.setObjectName("field_failed_integration")
        row = FieldRow(self.fi, "", box)
        form.addRow(row)
        self.rows["failed_integration"], self.editors["failed_integration"] = row, self.fi
        return box

    def _build_custom_group(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Custom fields (schema type)"), parent)
        lay = QVBoxLayout(box)
        note = QLabel(self.tr("Add your own settings (stored under their key); the built-in fields above are locked."), box)
        note.setWordWrap(True)
        note.setStyleSheet(HINT_STYLE)
        lay.addWidget(note)
        self.custom = CustomFieldsEditor(box)
        lay.addWidget(self.custom)
        self.schema_error = QLabel(box)
        self.schema_error.setWordWrap(True)
        self.schema_error.setStyleSheet(ERROR_STYLE)
        self.schema_error.setVisible(False)
        lay.addWidget(self.schema_error)
        self.custom_form = SchemaForm(box)
        self.custom_form.changed.connect(self._on_edited)
        lay.addWidget(self.custom_form)
        return box

    def _build_reasons_group(self, parent: QWidget) -> QGroupBox:
        box = QGroupBox(self.tr("Local cancellation reasons"), parent)
        lay = QVBoxLayout(box)
        self.reasons = ReasonsEditor(box)
        lay.addWidget(self.reasons)
        self.reasons_error = QLabel(box)
        self.reasons_error.setWordWrap(True)
        self.reasons_error.setStyleSheet(ERROR_STYLE)
        self.reasons_error.setVisible(False)
        lay.addWidget(self.reasons_error)
        return box

    # ------------------------------------------------------------------ state
    def is_ready(self) -> bool:
        return self._ready and not self._busy

    def _set_enabled(self, on: bool) -> None:
        for b in (self.save_btn, self.revert_btn, self.activate_btn, self.import_btn, self.export_btn):
            b.setEnabled(on)

    def _set_badge(self, active: bool) -> None:
        self.badge.setText(self.tr("Active") if active else self.tr("Inactive"))
        color = ("#1b7f3b", "#e3f4e8") if active else ("#666", "#eeeeee")
        self.badge.setStyleSheet(f"color: {color[0]}; background: {color[1]}; border: 1px solid {color[0]}; "
                                 "border-radius: 8px; padding: 1px 10px; font-weight: 600;")
        self.activate_btn.setText(self.tr("Deactivate") if active else self.tr("Activate"))

    def _missing_for_flag(self, flag: str) -> list[str]:
        conf = {fid: self.editors[fid].value() for fid in self.editors
                if fid not in ("feature_flags", "failed_integration")}
        return flag_prerequisites(conf, flag, reasons=self._reason_types())

    def _reason_types(self) -> dict[int, str]:
        return {r["id"]: r["reason_type"] for r in self.reasons.value() if r["is_active"]}

    @Slot()
    def _on_edited(self) -> None:
        if self._ready and not getattr(self, "_applying", False):
            self.dirty_label.setText(self.tr("Unsaved changes"))
            self.flags.refresh()

    @Slot()
    def _on_reasons_changed(self) -> None:
        cancel, refund = self.reasons.choices("cancel"), self.reasons.choices("refund")
        for fid in ("cancellation_reason_id", "unsupplied_reason_id", "unpacked_reason_id"):
            self.editors[fid].set_choices(cancel)  # type: ignore[attr-defined]
        self.editors["refund_reason_id"].set_choices(refund)  # type: ignore[attr-defined]
        self.cancel_map.set_choices(self.reasons.choices("cancel") + refund)
        self._on_edited()

    @Slot()
    def _rebuild_custom_values(self) -> None:
        current = self.custom_form.values()
        self.custom_form.clear()
        for fid, entry in self.custom.value().items():
            if fid in self._schema or entry["data_type"] not in DATA_TYPES:
                continue
            self.custom_form.add_field(fid, entry, make_editor(entry["data_type"], parent=self.custom_form))
        self.custom_form.set_values(current)
        self._on_edited()

    def _apply_snapshot(self, snap: SettingsSnapshot) -> None:
        self._applying = True
        try:
            self.snapshot = snap
            self._schema = {**default_schema(), **{k: v for k, v in snap.schema.items() if k in LABELS}}
            for key, edit in self.locked_edits.items():
                edit.setText(str(getattr(snap, key)))
            self.title.setText(self.tr("<b style='font-size:15px'>%1</b> · catalog %2").replace("%1", str(snap.name)).replace("%2", str(snap.catalog_name)))
            self._set_badge(snap.is_active)
            self.reasons.set_value(snap.reasons)
            self.cancel_map.set_n11_reasons(snap.claim_reasons)
            for fid, editor in self.editors.items():
                editor.set_value(snap.conf.get(self._schema[fid]["key"]))
            self.custom.set_value(user_fields(snap.schema))
            self.custom_form.set_values(snap.conf)
            if snap.secret_location == "database" or not snap.keyring_available:
                self.secret_warning.setText(self.tr("⚠ No system keyring available: the App Secret is stored in the "
                                            "database file (readable by your user account only)."))
                self.secret_warning.setVisible(True)
            else:
                self.secret_warning.setVisible(False)
            cargo_help = core_tr(HELP["cargo_company_id"])
            if snap.cargo_companies:
                names = ", ".join(f"{i} = {n}" for i, n in snap.cargo_companies[:6])
                more = " " + self.tr("(+%1 more)").replace("%1", str(len(snap.cargo_companies) - 6)) \
                    if len(snap.cargo_companies) > 6 else ""
                cargo_help += " " + self.tr("Local: %1.").replace("%1", names + more)
            self.rows["cargo_company_id"].help.setText(cargo_help)
            self.flags.refresh()
            self.dirty_label.setText("")
        finally:
            self._applying = False

    # ------------------------------------------------------------------ load / save
    @Slot()
    def reload(self) -> None:
        self._busy = True
        self.services.runner.submit(lambda db=self.services.db: settings_ops.load_snapshot(db), self._on_loaded, self._on_job_error)

    def _on_settings_changed(self, _payload=None) -> None:
        """Another part of the app changed the settings: show them unless the operator is editing."""
        if self._emitting or self._busy or self.dirty_label.text():
            return
        self.reload()

    def _on_loaded(self, snap: SettingsSnapshot) -> None:
        self._apply_snapshot(snap)
        self.show_errors(())
        self._busy = False
        self._ready = True
        self._set_enabled(True)
        self.loaded.emit()

    def _on_job_error(self, err) -> None:
        self._busy = False
        self._ready = True
        self._set_enabled(True)
        self._show_banner(self.tr("<b>Could not complete:</b> %1").replace("%1", _esc(str(err))), ERROR_STYLE)

    def collect(self) -> tuple[dict[str, Any], dict[str, dict[str, Any]], list[dict[str, Any]], list[FieldError]]:
        """The form's conf, schema type, reasons and the problems the widgets see themselves."""
        conf: dict[str, Any] = {}
        problems: list[FieldError] = []
        for fid, editor in self.editors.items():
            key = self._schema[fid]["key"]
            conf[key] = editor.value()
            msg = editor.parse_error()
            if msg:
                problems.append(FieldError(fid, key, msg if msg.startswith(LABELS[fid]) else f"{LABELS[fid]}: {msg}"))
        custom_schema = self.custom.value()
        for fid, row in self.custom_form.rows.items():
            key = self.custom_form.keys[fid]
            conf[key] = row.editor.value()  # type: ignore[attr-defined]
            msg = row.editor.parse_error()  # type: ignore[attr-defined]
            if msg:
                problems.append(FieldError(fid, key, f"{custom_schema.get(fid, {}).get('label', fid)}: {msg}"))
        schema = {**self._schema, **custom_schema}
        return conf, schema, self.reasons.value(), problems

    @Slot()
    def save(self, then_activate: bool = False) -> None:
        if self._busy:
            return
        conf, schema, reasons, problems = self.collect()
        if problems:
            self.show_errors(problems, self.tr("Not saved"))
            return
        db = self.services.db
        # refused ("changed by X at T; reload") when someone saved after this form was loaded
        based_on = self.snapshot.version if self.snapshot is not None else None
        self._run_write(lambda: settings_ops.save(db, conf, schema, reasons, then_activate=then_activate,
                                                  based_on=based_on), self.tr("Saved and activated") if then_activate else self.tr("Saved"),
                        self.tr("Not activated") if then_activate else self.tr("Not saved"))

    def _run_write(self, operation: Callable[[], WriteResult], ok_text: str, fail_text: str) -> None:
        self._busy = True
        self._set_enabled(False)

        def done(result: WriteResult) -> None:
            self._busy = False
            self._set_enabled(True)
            if result.errors:
                self.show_errors(result.errors, fail_text)
            else:
                assert result.snapshot is not None
                self._apply_snapshot(result.snapshot)
                self.show_errors(())
                self._show_banner(f"✓ {ok_text}.", OK_STYLE)
                self._emitting = True
                try:
                    self.services.emit("settings_changed")
                finally:
                    self._emitting = False
            self.saved.emit(result.errors)

        self.services.runner.submit(operation, done, self._on_job_error)

    @Slot()
    def toggle_active(self) -> None:
        if self.snapshot is not None and self.snapshot.is_active:
            db = self.services.db
            based_on = self.snapshot.version
            self._run_write(lambda: settings_ops.deactivate_channel(db, based_on), self.tr("Deactivated: no flow runs until the channel is activated again"),
                            self.tr("Not deactivated"))
        else:
            self.save(then_activate=True)

    # ------------------------------------------------------------------ errors
    def show_errors(self, errors, title: str = "") -> None:
        for row in self.rows.values():
            row.set_error(None)
        for row in self.custom_form.rows.values():
            row.set_error(None)
        per_row: dict[str, list[str]] = {}
        schema_msgs, reason_msgs = [], []
        for e in errors:
            if e.key == "schema_type" or e.field == "schema_type":
                schema_msgs.append(core_message(e.message))
            elif e.field == "cancellation_reasons":
                reason_msgs.append(core_message(e.message))
            else:
                per_row.setdefault(e.field, []).append(core_message(e.message))
        for fid, msgs in per_row.items():
            row = self.rows.get(fid) or self.custom_form.rows.get(fid)
            if row is not None:
                row.set_error("\n".join(msgs))
        self.schema_error.setText("\n".join(schema_msgs))
        self.schema_error.setVisible(bool(schema_msgs))
        self.reasons_error.setText("\n".join(reason_msgs))
        self.reasons_error.setVisible(bool(reason_msgs))
        if errors:
            items = "".join(f"<li>{_esc(core_message(e.message))}</li>" for e in errors)
            n = len(errors)
            count = (self.tr("%1 problem") if n == 1 else self.tr("%1 problems")).replace("%1", str(n))
            title = title or self.tr("Problems")
            self._show_banner(f"<b>{title} — {count}:</b>"
                              f"<ul style='margin:2px 0 0 -20px'>{items}</ul>", ERROR_STYLE)
        else:
            self.problems.setVisible(False)

    def _show_banner(self, html: str, style: str) -> None:
        bg = "#fdecee" if style == ERROR_STYLE else "#e9f6ec"
        self.problems.setStyleSheet(f"{style} background: {bg}; padding: 6px; border-radius: 4px;")
        self.problems.setText(html)
        self.problems.setVisible(True)

    def field_error(self, field_id: str) -> str:
        row = self.rows.get(field_id) or self.custom_form.rows.get(field_id)
        return row.error.text() if row is not None and not row.error.isHidden() else ""

    # ------------------------------------------------------------------ test connection
    @Slot()
    def test_connection(self) -> None:
        conf = {k: str(self.editors[k].value() or "").strip() for k in ("base_url", "app_key", "app_secret")}
        self.test_btn.setEnabled(False)
        self.test_result.setStyleSheet(HINT_STYLE)
        self.test_result.setText(self.tr("Connecting to %1…").replace("%1", conf["base_url"] or self.tr("(no Base Url)")))
        self.services.runner.submit(lambda: check_connection(conf), self._on_test_ok, self._on_test_failed)

    def _on_test_ok(self, text: str) -> None:
        self.test_btn.setEnabled(True)
        self.test_result.setStyleSheet(OK_STYLE)
        self.test_result.setText(f"✓ {text}")
        self.connection_tested.emit(True, text)

    def _on_test_failed(self, err) -> None:
        self.test_btn.setEnabled(True)
        self.test_result.setStyleSheet(ERROR_STYLE)
        text = f"✗ {err}"
        self.test_result.setText(text)
        self.connection_tested.emit(False, str(err))

    # ------------------------------------------------------------------ files
    @classmethod
    def ask_import_path(cls, parent: QWidget) -> str | None:
        return open_path(parent, QCoreApplication.translate("SettingsTab", "Import channel settings"),
                         QCoreApplication.translate("SettingsTab", "Settings (*.json);;All files (*)"))

    @classmethod
    def ask_export_path(cls, parent: QWidget) -> str | None:
        return save_path(parent, QCoreApplication.translate("SettingsTab", "Export channel settings"), "n11-settings.json",
                         QCoreApplication.translate("SettingsTab", "Settings (*.json)"))

    @classmethod
    def ask_include_secret(cls, parent: QWidget) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, QCoreApplication.translate("SettingsTab", "Export channel settings"),
                          QCoreApplication.translate("SettingsTab", "Include the App Secret in the file? Anyone with "
                                                     "the file can then use your N11 account."),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    @Slot()
    def import_file(self) -> None:
        path = self.ask_import_path(self)
        if not path:
            return
        db = self.services.db
        self._run_write(lambda: settings_ops.import_file(db, path), self.tr("Imported %1").replace("%1", Path(path).name),
                        self.tr("%1 was not imported, nothing changed").replace("%1", Path(path).name))

    @Slot()
    def export_file(self) -> None:
        path = self.ask_export_path(self)
        if not path:
            return
        include = self.ask_include_secret(self)
        db = self.services.db

        self.services.runner.submit(lambda: settings_ops.export_file(db, path, include_secret=include), lambda p: self._show_banner(
            f"✓ Exported the saved settings to {_esc(p)}" + (" (with the App Secret)" if include else ""), OK_STYLE),
            self._on_job_error)

    def shutdown(self) -> None:
        pass


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
