"""Preferences: the language of the app (applied on the next start) and the operator's name in
the history of changes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox,
                               QWidget)

from ..core.audit import default_operator, save_operator, saved_operator
from ..core.formats import save_language, saved_language, system_language


class PreferencesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, path: Path | None = None) -> None:
        super().__init__(parent)
        self.path = path
        self.setWindowTitle(self.tr("Preferences"))
        form = QFormLayout(self)
        self.language = QComboBox(self)
        self.language.setObjectName("language")
        system = "Türkçe" if system_language() == "tr" else "English"
        self.language.addItem(self.tr("System language (%1)").replace("%1", system), None)
        for name, code in (("Türkçe", "tr"), ("English", "en")):  # each language's name in that language
            self.language.addItem(name, code)
        saved = saved_language(path)
        self.language.setCurrentIndex(max(0, self.language.findData(saved)) if saved else 0)
        form.addRow(self.tr("Language:"), self.language)
        note = QLabel(self.tr("The new language applies when n11-desktop starts again. "
                              "--lang on the command line overrides this choice."), self)
        note.setWordWrap(True)
        form.addRow(note)
        self.operator = QLineEdit(self)
        self.operator.setObjectName("operator")
        self.operator.setMaxLength(200)
        self.operator.setPlaceholderText(default_operator())
        self.operator.setText(saved_operator(path))
        form.addRow(self.tr("Your name in the history of changes:"), self.operator)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   parent=self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        try:
            save_language(self.language.currentData(), self.path)
            save_operator(self.operator.text(), self.path)
        except OSError as exc:
            QMessageBox.warning(self, self.tr("Preferences"),
                                self.tr("Could not save the preferences: %1").replace("%1", str(exc)))
            return
        super().accept()

