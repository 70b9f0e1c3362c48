"""Categories & Mapping: the N11 tree, category mapping, attribute rules and value maps,
suggestions, Mapping Control and what changed on N11 (DESIGN §8, seed §4–§6).

``MappingTab`` composes the parts in ``views/mapping/`` (one widget per pane or page) and owns
the flow buttons, the CSV import/export and the status line. Every database or N11 call is a
named operation of ``core/mapping/operations.py`` run through ``services.runner``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSplitter, QTabWidget, QVBoxLayout, QWidget

from n11_desktop.core.flows import SPECS, run_flow
from n11_desktop.core.mapping import operations as ops

from .core_texts import core_message, core_tr
from .files import open_path, save_path
from .mapping.categories import CategoryBrowser
from .mapping.category_page import CategoryMappingPage
from .mapping.changes import ChangesPage
from .mapping.common import Pane
from .mapping.control import ControlPage
from .mapping.suggestions import SuggestionsPage

if TYPE_CHECKING:
    from ..app import AppServices

log = logging.getLogger(__name__)


class MappingTab(Pane):
    def __init__(self, services: AppServices, parent: QWidget | None = None) -> None:
        super().__init__(services, self._say, parent)
        self._loaded = False
        self._overview: ops.Overview | None = None
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
        self.btn_history = QPushButton(self.tr("History…"))
        self.btn_history.setToolTip(self.tr("Who changed the mapping, and when"))
        self.btn_history.clicked.connect(self.open_history)
        bar.addWidget(self.btn_import)
        bar.addWidget(self.btn_export)
        bar.addWidget(self.btn_history)
        root.addLayout(bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        root.addWidget(split, 1)
        self.browser = CategoryBrowser()
        split.addWidget(self.browser)
        self.mapping_page = CategoryMappingPage(self.services, self._say, self.browser)
        self.suggestions_page = SuggestionsPage(self.services, self._say)
        self.control_page = ControlPage(self.services, self._say)
        self.changes_page = ChangesPage()
        self.suggestions_page.accepted.connect(self.control_page.load_control_summary)
        self.pages = QTabWidget()
        self.pages.addTab(self.mapping_page, self.tr("Mapping"))
        self.pages.addTab(self.suggestions_page, self.tr("Suggestions"))
        self.pages.addTab(self.control_page, self.tr("Mapping Control"))
        self.pages.addTab(self.changes_page, self.tr("N11 changes"))
        self.pages.currentChanged.connect(self._on_page_changed)
        split.addWidget(self.pages)
        split.setSizes([520, 820])

    def _parts(self) -> tuple[QWidget, ...]:
        return (self.browser, self.mapping_page, self.mapping_page.attributes, self.mapping_page.attributes.values,
                self.suggestions_page, self.control_page, self.changes_page)

    def __getattr__(self, name: str) -> Any:
        """The parts' widgets answer by their old names (``tab.attr_model``, ``tab.sugg_view``):
        tests and tools that drive the Mapper need not know which part holds a widget."""
        if name.startswith("__") or name in ("browser", "mapping_page", "suggestions_page", "control_page",
                                             "changes_page"):
            raise AttributeError(name)
        for part in self._parts():
            if name in part.__dict__:
                return part.__dict__[name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # ================================================================== background plumbing
    def is_ready(self) -> bool:
        return self._loaded and not any(p.busy() for p in (self, self.mapping_page, self.suggestions_page,
                                                           self.control_page))

    def shutdown(self) -> None:
        for part in (self, self.mapping_page, self.mapping_page.attributes, self.mapping_page.attributes.values,
                     self.suggestions_page, self.control_page):
            part.closing = True

    def _say(self, text: str, *, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #b3261e;" if error else "color: #1b5e20;")

    def open_history(self) -> None:
        """Who changed the mapping, and when (the audit trail)."""
        from .audit_dialog import AuditDialog

        self.history_dialog = AuditDialog(self.services, self, "mapping")
        self.history_dialog.show()

    # ================================================================== loading
    def reload(self) -> None:
        db = self.services.db
        self.submit(lambda: ops.load_overview(db), self._show_overview, latest="overview")

    def load_control_summary(self) -> None:
        self.control_page.load_control_summary()

    def load_suggestions(self) -> None:
        self.suggestions_page.load_suggestions()

    @Slot(object)
    def _on_external_change(self, _payload: object = None) -> None:
        if self.closing:
            return
        self.reload()
        self.load_control_summary()

    def _on_flow_finished(self, result: Any) -> None:
        slug = getattr(result, "flow", "")
        if self.closing or slug not in self._flow_buttons():
            return
        if slug in self._flows_running:  # started from this tab through the scheduler
            self._flows_running.discard(slug)
            self._flow_buttons()[slug].setEnabled(True)
            self._say(f"{'✔' if result.ok else '✖'} {slug}: {result.state.value} — {result.message}",
                      error=not result.ok)
        self.reload()
        self.load_control_summary()

    def _show_overview(self, ov: ops.Overview) -> None:
        first = self._overview is None
        self._overview = ov
        self.browser.show_overview(ov)
        self.changes_page.show_report(ov.compare)
        selected = self.mapping_page.selected_local
        if selected is not None:
            self.browser.select_local(selected)
            self.mapping_page.load_detail(selected)
        elif first and ov.local:
            self.browser.select_local(self.browser.first_local())
        self._loaded = True
        if first:
            self.load_control_summary()
            self.load_suggestions()

    @Slot(int)
    def _on_page_changed(self, index: int) -> None:
        if self.pages.widget(index) is self.suggestions_page:
            self.load_suggestions()

    # ================================================================== flows
    def _flow_buttons(self) -> dict[str, QPushButton]:
        return {"category_node": self.btn_node, "category_attributes": self.btn_attrs,
                "create_default_attributes": self.btn_defaults, "compare_attributes": self.btn_compare}

    def run_flow(self, slug: str) -> None:
        """Run a category flow now: through the scheduler when there is one (a flow never
        overlaps itself), else on the background runner."""
        name = SPECS[slug].name
        sched = self.services.scheduler
        if sched is not None:
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

        self.submit(lambda: run_flow(slug, db, trigger="manual"), done, failed)

    # ================================================================== CSV
    @classmethod
    def ask_path(cls, parent: QWidget, save: bool) -> str | None:
        """The file to import or export (patched in tests)."""
        if save:
            return save_path(parent, QCoreApplication.translate("MappingTab", "Export mapping"), "n11-mapping.csv",
                             QCoreApplication.translate("MappingTab", "CSV files (*.csv)"))
        return open_path(parent, QCoreApplication.translate("MappingTab", "Import mapping"),
                         QCoreApplication.translate("MappingTab", "CSV files (*.csv);;All files (*)"))

    @Slot()
    def import_csv(self) -> None:
        path = self.ask_path(self, False)
        if not path:
            return
        db = self.services.db

        def done(rep) -> None:
            text = self.tr("Import: %1.").replace("%1", core_message(rep.summary()))
            if rep.errors:
                text += " " + "; ".join(core_message(str(e)) for e in rep.errors[:2]) + (" …" if len(rep.errors) > 2 else "")
            self._say(("✔ " if not rep.errors else "⚠ ") + text, error=bool(rep.errors))
            self.status.setToolTip("\n".join(core_message(str(e)) for e in rep.errors[:200]))
            if rep.written:
                self.services.emit("mapping_changed", None)

        self.submit(lambda: ops.import_csv(db, path), done)

    @Slot()
    def export_csv(self) -> None:
        path = self.ask_path(self, True)
        if not path:
            return
        db = self.services.db
        self.submit(lambda: ops.export_csv(db, path),
                    lambda n: self._say("✔ " + self.tr("Exported %1 mapping rows to %2").replace("%1", str(n))
                                        .replace("%2", str(path))))
