"""N11 changes: what the last Compare Attributes found changed on N11 and which mappings it breaks."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from ..mapping_models import AMBER, RED


class ChangesPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lay = QVBoxLayout(self)
        self.changes_summary = QLabel(self.tr("Run Compare Attributes to see what changed on N11 and which mappings "
                                      "it breaks."))
        self.changes_summary.setWordWrap(True)
        lay.addWidget(self.changes_summary)
        self.changes_list = QListWidget()
        lay.addWidget(self.changes_list, 1)

    def show_report(self, report) -> None:
        """Broken mappings and catalog values first, then removed and renamed N11 values, then new ones."""
        self.changes_list.clear()
        if report is None:
            return
        self.changes_summary.setText(self.tr("<b>Last Compare Attributes</b> (%1 UTC): %2. Broken mappings and catalog values first, then removed and renamed N11 values, then new ones.").replace("%1", str(report.at.replace('T', ' '))).replace("%2", str(report.summary())))
        for b in report.broken:
            what = self.tr("catalog value") if b.kind == "catalog_value" else \
                self.tr("%1 mapping").replace("%1", b.kind)
            it = QListWidgetItem(f"⚠ {what} {b.local}: {b.reason}")
            it.setForeground(RED)
            self.changes_list.addItem(it)
        order = {"attribute_removed": 0, "removed": 1, "renamed": 2, "attribute_added": 3, "added": 4}
        for c in sorted(report.changes, key=lambda c: order.get(c.change, 5))[:2000]:
            it = QListWidgetItem(c.describe())
            if c.change in ("removed", "attribute_removed", "renamed"):
                it.setForeground(AMBER)
            self.changes_list.addItem(it)
        if not report.changes and not report.broken:
            self.changes_list.addItem(self.tr("No changes on N11 since the last run."))
