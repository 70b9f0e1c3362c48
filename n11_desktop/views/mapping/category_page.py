"""The Mapping page: the chosen local category, mapping it onto the N11 leaf chosen in the
tree, suggested leaves, and (once mapped) its attribute and value panels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from n11_desktop.core.mapping import operations as ops
from n11_desktop.core.mapping.detail import CategoryDetail

from ..core_texts import core_message
from .attributes import AttributeMappingPanel
from .categories import CategoryBrowser
from .common import Pane, Say, pct

if TYPE_CHECKING:
    from ...app import AppServices


class CategoryMappingPage(Pane):
    def __init__(self, services: AppServices, say: Say, browser: CategoryBrowser, parent: QWidget | None = None) -> None:
        super().__init__(services, say, parent)
        self.browser = browser
        self.selected_local: str | None = None
        self._detail: CategoryDetail | None = None
        self._fetching: set[int] = set()
        lay = QVBoxLayout(self)
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
        self.attributes = AttributeMappingPanel(services, say, self.write, self)
        lay.addWidget(self.attributes, 1)
        self._filler = QWidget()  # keeps the header at the top while the attribute box is hidden
        lay.addWidget(self._filler, 1)
        self._filler.setVisible(False)
        browser.local_changed.connect(self._on_local_selected)
        browser.node_changed.connect(self.update_map_button)
        browser.node_activated.connect(self.map_selected)

    def busy(self) -> bool:
        return super().busy() or self.attributes.busy() or self.attributes.values.busy()

    # ------------------------------------------------------------------ selection
    @Slot()
    def _on_local_selected(self) -> None:
        row = self.browser.current_local_row()
        if row is None:
            return
        changed = row.local != self.selected_local
        self.selected_local = row.local
        if changed:
            self.map_message.setText("")
            self.load_detail(row.local)
            if row.n11_id is not None:
                self.browser.reveal_node(row.n11_id)
        self.update_map_button()

    @Slot()
    def update_map_button(self) -> None:
        row = self.browser.current_local_row()
        node = self.browser.selected_node()
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

    # ------------------------------------------------------------------ detail
    def load_detail(self, local: str) -> None:
        db = self.services.db
        self.submit(lambda: ops.load_category_detail(db, local), self._show_detail, latest="detail")

    def _show_detail(self, d: CategoryDetail) -> None:
        if d.local != self.selected_local:
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
        self.attributes.show_detail(d)
        self._show_category_suggestions(d)
        unmapped = d.mapped_id is None or d.problem or d.leaf is None
        self.attributes.setVisible(not unmapped)
        self._filler.setVisible(self.attributes.isHidden())
        if not unmapped and d.leaf.fetched_at is None:
            self.fetch_attributes(d.leaf.id)
        self.update_map_button()

    def _show_category_suggestions(self, d: CategoryDetail) -> None:
        if not d.suggestions or (d.mapped_id is not None and not d.problem):
            self.sugg_hint.setVisible(False)
            return
        lines = []
        for cid, name, path, conf, reason in d.suggestions:
            lines.append(f"<li><b>{name}</b> ({cid}) — {pct(conf)}<br><span style='color:#555'>{path}</span></li>")
        self.sugg_hint.setText(self.tr("<b>Suggested N11 categories</b> (the best one is selected in the tree — press Map "
                               "if it is right):<ol style='margin-top:4px'>") + "".join(lines) + "</ol>")
        self.sugg_hint.setVisible(True)
        node = self.browser.selected_node()
        if node is None or node.id not in {x[0] for x in d.suggestions}:
            self.browser.reveal_node(d.suggestions[0][0])

    def fetch_attributes(self, category_id: int) -> None:
        if category_id in self._fetching:
            return
        self._fetching.add(category_id)
        db = self.services.db

        def done(res) -> None:
            self._fetching.discard(category_id)
            self.say(self.tr("Loaded %1 attributes and %2 values of N11 category %3.").replace(
                "%1", str(res.attributes)).replace("%2", str(res.values)).replace("%3", str(category_id)))
            if self.selected_local:
                self.load_detail(self.selected_local)

        def failed(err) -> None:
            self._fetching.discard(category_id)
            self.attributes.attr_info.setText(self.tr("⚠ Could not load the attributes of N11 category %1: %2. Check Channel Settings, then run Category Attributes.").replace("%1", str(category_id)).replace("%2", str(err)))

        self.submit(lambda: ops.fetch_category_attributes(db, category_id), done, failed)

    # ------------------------------------------------------------------ writing
    def write(self, operation: Callable[[], Any], done_text: Callable[[Any], str]) -> None:
        """Run a mapping change; on success say what changed and let every screen reload."""

        def done(change) -> None:
            self.say(done_text(change))
            self.services.emit("mapping_changed", None)

        def failed(err) -> None:
            stale = getattr(err, "kind", "") == "StaleEdit"
            text = core_message(str(err)) if stale else str(err)  # who changed it, in the operator's language
            self.say(f"✖ {text}", error=True)
            self.map_message.setText(f"<span style='color:#b3261e'>✖ {text}</span>")
            if stale:  # show the other operator's change at once
                self.services.emit("mapping_changed", None)

        # refused, not applied, when someone else changed the same mapping after this screen loaded it
        overview = getattr(self.browser, "overview", None)
        version = overview.version if overview is not None else None

        def based_on_loaded() -> Any:
            with ops.based_on(version):
                return operation()

        self.submit(based_on_loaded, done, failed)

    @Slot()
    def map_selected(self) -> None:
        row = self.browser.current_local_row()
        node = self.browser.selected_node()
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
        local, cid, db = row.local, node.id, self.services.db
        self.map_message.setText("")
        self.write(lambda: ops.map_category(db, local, cid, replace=replace),
                   lambda ch: ("✔ " + ch.message) + (" " + self.tr("(a product can be in only one N11 category, "
                                                                   "so the previous mapping was replaced)")
                                                     if replace else ""))

    @Slot()
    def unmap_selected(self) -> None:
        row = self.browser.current_local_row()
        if row is None or row.n11_id is None:
            return
        local, db = row.local, self.services.db
        self.write(lambda: ops.unmap_category(db, local), lambda ch: "✔ " + ch.message)
