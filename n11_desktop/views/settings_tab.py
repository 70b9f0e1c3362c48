"""Channel Settings tab (seed §2, §3, §9; DESIGN §5): the form generated from the schema type,
feature flags, Failed Integration rules, custom fields, local cancellation reasons, activation
and Test connection. The screen's own editors are in ``settings_editors.py``. All database and
network work is a named operation (``core/settings/operations.py``) run by ``services.runner``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ..core.settings import FieldError, SettingsSnapshot, flag_prerequisites
from ..core.settings.defaults import (
    CANCELLATION_REASON_TYPE_IDS,
    DENY_REASON_IDS,
    default_conf,
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
from .settings_editors import (LOCKED_STYLE, CancellationMapEditor, CustomFieldsEditor, FailedIntegrationEditor,
                               FlagsEditor, ReasonsEditor, WebhookTokenEditor)

if TYPE_CHECKING:
    from ..app import AppServices


def _error_label(parent: QWidget) -> QLabel:
    """A hidden red line under a group, shown with the group's errors."""
    label = QLabel(parent)
    label.setWordWrap(True)
    label.setStyleSheet(ERROR_STYLE)
    label.setVisible(False)
    return label


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

    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
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
        self.history_btn = QPushButton(self.tr("History…"), self)
        self.history_btn.setObjectName("history_button")
        self.history_btn.setToolTip(self.tr("Who changed these settings, and when"))
        self.history_btn.clicked.connect(self.open_history)
        # spot for more actions ("Update by uploading a file" comes from another part)
        self.extra_actions = QHBoxLayout()
        bar.addWidget(self.title)
        bar.addWidget(self.badge)
        bar.addWidget(self.dirty_label)
        bar.addStretch(1)
        bar.addLayout(self.extra_actions)
        for b in (self.history_btn, self.import_btn, self.export_btn, self.revert_btn, self.save_btn,
                  self.activate_btn):
            bar.addWidget(b)
        self._set_badge(False)
        return bar

    @Slot()
    def open_history(self) -> None:
        """Who changed the channel settings, and when (the audit trail)."""
        from .audit_dialog import AuditDialog

        self.history_dialog = AuditDialog(self.services, self, "settings")
        self.history_dialog.show()

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
        self.schema_error = _error_label(box)
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
        self.reasons_error = _error_label(box)
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
            "✓ " + (self.tr("Exported the saved settings to %1 (with the App Secret)") if include
                    else self.tr("Exported the saved settings to %1")).replace("%1", _esc(p)), OK_STYLE),
            self._on_job_error)

    def shutdown(self) -> None:
        pass


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
