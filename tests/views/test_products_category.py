"""Products tab: "Set N11 category…" / "Clear N11 category override" as an operator uses them."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from n11_desktop.app import build_services
from n11_desktop.core.mapping.product_category import LeafChoice
from n11_desktop.core.storage.models import ProductCategory
from n11_desktop.views.products_category import CategoryOverrideDialog
from n11_desktop.views.products_model import COL
from n11_desktop.views.products_tab import ProductsTab

from ..core.test_product_category import seed_products, seed_tree, versions


def make(qtbot, db):
    services = build_services(db)
    w = ProductsTab(services)
    qtbot.addWidget(w)
    w.resize(1300, 700)
    w.show()
    settle(qtbot, w, services)
    return w, services


def settle(qtbot, w, services):
    qtbot.waitUntil(lambda: w.is_ready() and services.runner.pending == 0, timeout=10_000)


def select_row(w, row):
    sm = w.view.selectionModel()
    sm.select(w.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
              | QItemSelectionModel.SelectionFlag.Rows)


def cell(w, row):
    return w.model.index(row, COL["category"]).data()


def test_set_and_clear_the_n11_category_of_the_selection(qtbot, db, tmp_path, monkeypatch):
    seed_tree(db)
    seed_products(db, tmp_path)
    before = versions(db)
    w, services = make(qtbot, db)
    assert not w.set_category_action.isEnabled()
    assert w.set_category_action in w.view.actions() and w.clear_category_action in w.view.actions()  # context menu
    select_row(w, 0)  # S-1 (sorted by SKU)
    assert w.set_category_action.isEnabled() and w.clear_category_action.isEnabled()
    asked = []
    answers = iter(["500", "501"])

    def ask(cls, parent, leaves, count, current=None):
        asked.append(([leaf.id for leaf in leaves], count, current))
        return next(answers)

    monkeypatch.setattr(ProductsTab, "ask_n11_category", classmethod(ask))
    w.set_category_action.trigger()  # a category, not a leaf: refused with the reason, nothing changes
    settle(qtbot, w, services)
    assert asked == [([503, 501], 1, None)]
    assert "not a leaf category" in w.banner.text() and "Nothing was changed" in w.banner.text()
    assert versions(db) == before

    w.set_category_action.trigger()
    settle(qtbot, w, services)
    assert "1 product put in N11 category “Sneaker” (501)" in w.banner.text()
    qtbot.waitUntil(lambda: cell(w, 0) == "→ N11 501 · Ayakkabı > Kadın", timeout=10_000)
    assert "override" in w.model.index(0, COL["category"]).data(Qt.ItemDataRole.ToolTipRole)
    assert cell(w, 1) == "Ayakkabı > Erkek"
    assert versions(db)["S-1"] == before["S-1"] + 1

    w.clear_category_action.trigger()
    settle(qtbot, w, services)
    assert "override cleared for 1 product" in w.banner.text()
    qtbot.waitUntil(lambda: cell(w, 0) == "Ayakkabı > Kadın", timeout=10_000)
    with db.session_factory() as s:
        assert s.scalars(select(ProductCategory)).all() == []
    w.shutdown()
    assert services.shutdown(5000)


def test_dialog_searches_leaves_and_fills_the_id(qtbot):
    leaves = (LeafChoice(503, "Bot", "Ayakkabı > Bot"), LeafChoice(501, "Sneaker", "Ayakkabı > Sneaker"))
    d = CategoryOverrideDialog(leaves, 3)
    qtbot.addWidget(d)
    assert d.list.count() == 2 and "2 of 2 leaves" in d.count_label.text()
    ok = d.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()  # nothing chosen yet
    d.search.setText("sneak")
    d.apply_search()
    assert d.list.count() == 1 and d.list.item(0).text() == "Ayakkabı > Sneaker  (501)"
    d.list.setCurrentRow(0)
    assert d.value() == "501" and ok.isEnabled()
    d.search.setText("501")
    d.apply_search()
    assert d.list.count() == 1
    d.leaf_id.setText(" 1000722 ")  # an id N11's error names, typed by hand
    assert d.value() == "1000722"
