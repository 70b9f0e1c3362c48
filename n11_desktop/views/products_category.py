"""The "Set N11 category…" dialog of the Products tab: a per-product N11 leaf override
(seed §8: "You can enter this ID to resend the product.").

The operator types a leaf id (as N11's error message gives it) or searches the leaves of the
category tree by name, path or id. The tab checks the id off the GUI thread
(``core.mapping.product_category.set_product_category``) and refuses unknown, removed and
non-leaf ids with the reason.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..core.mapping.product_category import LeafChoice
from ..core.formats import number
from ..core.mapping.text import fold

MAX_SHOWN = 300


class CategoryOverrideDialog(QDialog):
    def __init__(self, leaves: tuple[LeafChoice, ...], count: int, parent: QWidget | None = None,
                 current: int | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Set N11 category"))
        self.resize(640, 460)
        self._leaves = leaves
        self._folded = [f"{fold(leaf.path)} {leaf.id}" for leaf in leaves]
        what = self.tr("the selected product") if count == 1 else \
            self.tr("the %1 selected products").replace("%1", number(count))
        intro = QLabel(self.tr("Put %1 in this N11 leaf category, whatever their local category maps to. Use it when N11 says “The product is listed in the category … with category ID …”: enter that ID and the product is resent with it.").replace("%1", str(what)), self)
        intro.setWordWrap(True)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Search leaf categories by name, path or id…"))
        self.search.setClearButtonEnabled(True)
        self.list = QListWidget(self)
        self.list.setUniformItemSizes(True)
        self.count_label = QLabel(self)
        self.count_label.setStyleSheet("color: #7f8c8d")
        self.leaf_id = QLineEdit(self)
        self.leaf_id.setPlaceholderText(self.tr("N11 leaf category id, e.g. 1000722"))
        if current is not None:
            self.leaf_id.setText(str(current))
        form = QFormLayout()
        form.addRow(self.tr("N11 category id:"), self.leaf_id)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Set category"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.search)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.count_label)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.apply_search)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.list.currentItemChanged.connect(self._picked)
        self.list.itemDoubleClicked.connect(lambda _i: self.accept())
        self.leaf_id.textChanged.connect(self._update_ok)
        self.apply_search()
        self._update_ok()
        self.search.setFocus()

    def apply_search(self) -> None:
        words = fold(self.search.text()).split()
        self.list.clear()
        hits = [i for i, f in enumerate(self._folded) if all(w in f for w in words)]
        for i in hits[:MAX_SHOWN]:
            leaf = self._leaves[i]
            item = QListWidgetItem(f"{leaf.path}  ({leaf.id})")
            item.setData(Qt.ItemDataRole.UserRole, leaf.id)
            self.list.addItem(item)
        if not self._leaves:
            self.count_label.setText(self.tr("No N11 category tree yet (run Category Node); you can still type an id."))
        elif len(hits) > MAX_SHOWN:
            self.count_label.setText(self.tr("%1 leaves match; showing the first %2").replace("%1", number(len(hits)))
                                     .replace("%2", number(MAX_SHOWN)))
        else:
            self.count_label.setText(self.tr("%1 of %2 leaves").replace("%1", number(len(hits)))
                                     .replace("%2", number(len(self._leaves))))

    def _picked(self, item: QListWidgetItem | None, _prev=None) -> None:
        if item is not None:
            self.leaf_id.setText(str(item.data(Qt.ItemDataRole.UserRole)))

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.leaf_id.text().strip()))

    def value(self) -> str:
        return self.leaf_id.text().strip()
