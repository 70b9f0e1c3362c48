"""Categories & Mapping through the GUI: map a category, a global and a scoped rule, a value."""

from decimal import Decimal

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from sqlalchemy import select

from n11_desktop.app import build_services
from n11_desktop.core.flows import run_flow
from n11_desktop.core.settings import ensure_channel
from n11_desktop.core.storage.models import AttributeRule, CategoryMapping, Price, Product, Stock, ValueMapping
from n11_desktop.sandbox import data
from n11_desktop.views.mapping_tab import MappingTab

SNEAKER = 1214202
KADIN_AYAKKABI = 1001794  # not a leaf


@pytest.fixture
def tab(qtbot, configured_db):
    db = configured_db
    with db.session_factory.begin() as s:
        ch = ensure_channel(s)
        ch.conf = dict(ch.conf, category_ids=[1001770, 1001873])
        for i, (size, color) in enumerate((("38", "Black"), ("39", "Siyah"), ("40", "Black"))):
            p = Product(sku=f"SNK-{i}", product_code="SNK", title="Kadın günlük sneaker ayakkabı", description="d",
                        brand="Lumberjack", images=["https://cdn.example.com/a.jpg"], category="Ayakkabı > Kadın > Sneaker",
                        attributes={"Color": color, "Size": size}, shipment_template="Standart")
            p.price = Price(price=Decimal("100"), list_price=Decimal("120"))
            p.stock = Stock(quantity=5)
            s.add(p)
        s.add(Product(sku="TS-1", product_code="TS-1", title="Erkek basic tişört pamuk", category="Giyim > Erkek > Tişört",
                      attributes={"Color": "Navy", "Size": "M"}))
    assert run_flow("category_node", db).ok
    services = build_services(db)
    w = MappingTab(services, None)
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitUntil(w.is_ready, timeout=10_000)
    yield w
    w.shutdown()
    assert services.shutdown(10_000)


def _select_local(tab, qtbot, local):
    proxy, model = tab.local_proxy, tab.local_model
    row = next(i for i, r in enumerate(model.rows) if r.local == local)
    idx = proxy.mapFromSource(model.index(row, 0))
    tab.local_view.selectionModel().setCurrentIndex(
        idx, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    qtbot.waitUntil(lambda: tab._detail is not None and tab._detail.local == local and tab.is_ready())


def _select_node(tab, node_id):
    idx = tab.tree_proxy.mapFromSource(tab.tree_model.index_of(node_id))
    assert idx.isValid(), f"node {node_id} hidden by the filter"
    tab.tree_view.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)


def _select_row(view, model, pred):
    row = next(i for i, r in enumerate(model.rows) if pred(r))
    view.selectionModel().setCurrentIndex(model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)


def _db(tab, q):
    with tab.services.db.session_factory.begin() as s:
        return s.scalars(q).all()


def test_empty_tree_explains_what_to_do(qtbot, db):
    services = build_services(db)
    w = MappingTab(services, None)
    qtbot.addWidget(w)
    qtbot.waitUntil(w.is_ready)
    assert w.tree_stack.currentWidget() is w.tree_empty
    assert "Category Ids" in w.tree_empty.text() and "Category Node" in w.tree_empty.text()
    w.shutdown()
    assert services.shutdown(5000)


def test_run_category_node_from_the_tab(qtbot, configured_db):
    db = configured_db
    with db.session_factory.begin() as s:
        ch = ensure_channel(s)
        ch.conf = dict(ch.conf, category_ids=[1001770])
    services = build_services(db)
    w = MappingTab(services, None)
    qtbot.addWidget(w)
    qtbot.waitUntil(w.is_ready)
    assert w.tree_stack.currentWidget() is w.tree_empty
    qtbot.mouseClick(w.btn_node, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.tree_stack.currentWidget() is w.tree_view and w.is_ready(), timeout=15_000)
    qtbot.waitUntil(lambda: "category_node: done" in w.status.text() and w.btn_node.isEnabled())
    assert w.tree_model.tree.size == sum(1 for c in data.categories().values()
                                         if any(p.id == 1001770 for p in data.category_path(c.id)))
    w.shutdown()
    assert services.shutdown(10_000)


def test_map_category_rules_and_value_through_the_gui(tab, qtbot):
    assert tab.tree_model.tree.size > 150 and tab.tree_stack.currentWidget() is tab.tree_view
    _select_local(tab, qtbot, "Ayakkabı > Kadın > Sneaker")
    assert "Not mapped" in tab.sel_mapping.text()

    # a non-leaf is refused with the reason, nothing written
    qtbot.keyClicks(tab.tree_filter, "kadin ayakkabi")  # typed without Turkish letters
    qtbot.waitUntil(lambda: tab.tree_proxy._keep is not None
                    and tab.tree_proxy.mapFromSource(tab.tree_model.index_of(KADIN_AYAKKABI)).isValid())
    _select_node(tab, KADIN_AYAKKABI)
    qtbot.mouseClick(tab.btn_map, Qt.MouseButton.LeftButton)
    assert "not a leaf" in tab.map_message.text()
    assert _db(tab, select(CategoryMapping)) == []

    # search with Turkish folding, pick the leaf, Map
    tab.tree_filter.clear()
    qtbot.keyClicks(tab.tree_filter, "KADIN SNEAKER")
    qtbot.waitUntil(lambda: tab.tree_proxy._keep is not None and len(tab.tree_proxy._keep) < 20
                    and tab.tree_proxy.mapFromSource(tab.tree_model.index_of(SNEAKER)).isValid())
    assert not tab.tree_proxy.mapFromSource(tab.tree_model.index_of(1001799)).isValid()  # Kadın Bot is hidden
    _select_node(tab, SNEAKER)
    assert "Kadın Sneaker" in tab.btn_map.text()
    qtbot.mouseClick(tab.btn_map, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [m.category_id for m in _db(tab, select(CategoryMapping))] == [SNEAKER])
    # the leaf's attributes are fetched from N11 on demand, then shown
    qtbot.waitUntil(lambda: len(tab.attr_model.rows) >= 4 and tab.is_ready(), timeout=10_000)
    assert "Kadın Sneaker" in tab.sel_mapping.text()
    assert "mapped" in tab.local_summary.text()

    # global rule: Color → Renk
    _select_row(tab.attr_view, tab.attr_model, lambda v: v.attribute.attribute_id == 429)
    tab.rule_local.setCurrentText("Color")
    tab.rule_scope.setCurrentIndex(0)
    qtbot.mouseClick(tab.btn_rule, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [(r.local_attribute, r.attribute_id, r.category_id) for r in _db(tab, select(
        AttributeRule))] == [("Color", 429, 0)])

    # scoped rule: Size → Numara only in this category
    qtbot.waitUntil(lambda: tab.is_ready() and any(v.local_attribute == "Color" for v in tab.attr_model.rows))
    _select_row(tab.attr_view, tab.attr_model, lambda v: v.attribute.attribute_id == 370)
    tab.rule_local.setCurrentText("Size")
    tab.rule_scope.setCurrentIndex(1)
    qtbot.mouseClick(tab.btn_rule, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("Size", 370, SNEAKER) in [(r.local_attribute, r.attribute_id, r.category_id)
                                                        for r in _db(tab, select(AttributeRule))])
    qtbot.waitUntil(lambda: tab.is_ready() and any(v.local_attribute == "Size" for v in tab.attr_model.rows))
    numara = next(v for v in tab.attr_model.rows if v.attribute.attribute_id == 370)
    assert numara.scope == "category" and all(x.ok and x.how == "same name" for x in numara.values)

    # value map: Color=Black → one of N11's Renk values (global)
    _select_row(tab.attr_view, tab.attr_model, lambda v: v.attribute.attribute_id == 429)
    assert {x.local_value for x in tab.value_model.rows} == {"Black", "Siyah"}
    _select_row(tab.value_view, tab.value_model, lambda x: x.local_value == "Black")
    renk = [v for a in data.category_attributes(SNEAKER) if a["id"] == 429 for v in a["values"]]
    target = renk[0]
    tab.value_combo.setCurrentIndex(tab.value_combo.findData(target["id"]))
    tab.value_scope.setCurrentIndex(0)
    qtbot.mouseClick(tab.btn_value, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [(v.local_attribute, v.local_value, v.value_id, v.category_id)
                             for v in _db(tab, select(ValueMapping))] == [("Color", "Black", target["id"], 0)])
    qtbot.waitUntil(tab.is_ready)

    # Mapping Control shows the payload that would be sent
    tab.pages.setCurrentIndex(2)
    qtbot.keyClicks(tab.sku_edit, "SNK-0")
    qtbot.mouseClick(tab.btn_find, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: '"stockCode": "SNK-0"' in tab.payload_view.toPlainText()
                    and f'"categoryId": {SNEAKER}' in tab.payload_view.toPlainText())
    qtbot.waitUntil(tab.is_ready)
    text = tab.payload_view.toPlainText()
    assert f'"categoryId": {SNEAKER}' in text and f'"valueId": {target["id"]}' in text
    problems = [tab.problem_list.item(i).text() for i in range(tab.problem_list.count())]
    assert problems and all("Color" not in p for p in problems)

    # a default for a mandatory attribute the catalog does not carry (Cinsiyet)
    tab.pages.setCurrentIndex(0)
    _select_local(tab, qtbot, "Ayakkabı > Kadın > Sneaker")
    qtbot.waitUntil(lambda: tab.is_ready() and len(tab.attr_model.rows) >= 4)
    assert any("Cinsiyet" in p for p in problems)
    _select_row(tab.attr_view, tab.attr_model, lambda v: v.attribute.attribute_id == 394)
    kadin = next(v for a in data.category_attributes(SNEAKER) if a["id"] == 394 for v in a["values"]
                 if v["name"] == "Kadın")
    tab.default_combo.setCurrentIndex(tab.default_combo.findData(kadin["id"]))
    tab.default_scope.setCurrentIndex(1)
    qtbot.mouseClick(tab.btn_default, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.is_ready() and any(v.attribute.attribute_id == 394 and v.fallback
                                                   for v in tab.attr_model.rows))
    assert "defaults to Kadın" in tab.status.text()
    assert "From defaults: Cinsiyet → Kadın" in tab.attr_info.text()


def test_suggestions_accept_above_threshold(tab, qtbot):
    tab.pages.setCurrentIndex(1)
    qtbot.waitUntil(lambda: tab.is_ready() and any(s.kind == "category" for s in tab.sugg_model.rows))
    # one by one: the second-best candidate for the T-shirts, chosen by hand
    rows = tab.sugg_model.rows
    pick = next(i for i, r in enumerate(rows) if r.local == "Giyim > Erkek > Tişört" and r.rank == 2)
    tab.sugg_view.selectRow(pick)
    chosen = rows[pick].n11_id
    qtbot.mouseClick(tab.btn_accept, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [m.category_id for m in _db(tab, select(CategoryMapping))] == [chosen])
    qtbot.waitUntil(lambda: tab.is_ready() and all(r.local != "Giyim > Erkek > Tişört" for r in tab.sugg_model.rows))
    tab.threshold.setValue(90)
    assert "(1)" in tab.btn_accept_all.text()  # only Kadın Sneaker is that sure
    qtbot.mouseClick(tab.btn_accept_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ("Ayakkabı > Kadın > Sneaker", SNEAKER) in
                    [(m.local_category, m.category_id) for m in _db(tab, select(CategoryMapping))])
    qtbot.waitUntil(tab.is_ready)
    # the page accepted above the threshold can be undone; the hand-picked mapping stays
    qtbot.waitUntil(lambda: tab.btn_undo_accept.isEnabled() and "(1)" in tab.btn_undo_accept.text())
    qtbot.mouseClick(tab.btn_undo_accept, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: [m.category_id for m in _db(tab, select(CategoryMapping))] == [chosen])
    qtbot.waitUntil(lambda: tab.is_ready() and "undid 1" in tab.status.text())
    assert not tab.btn_undo_accept.isEnabled()


def test_teach_a_term_from_the_suggestions_page(tab, qtbot):
    from n11_desktop.core.mapping.suggest import operator_terms

    tab.pages.setCurrentIndex(1)
    qtbot.waitUntil(lambda: tab.is_ready() and any(s.kind == "category" for s in tab.sugg_model.rows))
    tab.term_local.setText("Tişört")  # QTest cannot type Turkish letters
    qtbot.mouseClick(tab.btn_term, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "both words" in tab.status.text())  # nothing written
    tab.term_n11.setText("Polo Yaka Tişört")
    qtbot.mouseClick(tab.btn_term, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.is_ready() and "1 term" in tab.terms_label.text())
    with tab.services.db.session_factory.begin() as s:
        assert operator_terms(s) == {"Tişört": "Polo Yaka Tişört"}
    assert "Tişört → Polo Yaka Tişört" in tab.terms_label.toolTip()  # suggestions reloaded with the term
    qtbot.mouseClick(tab.btn_term_del, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: tab.is_ready() and tab.terms_label.text() == "")


def test_models_pass_modeltester_and_filters_fold_turkish(tab, qtbot, qtmodeltester):
    qtmodeltester.check(tab.tree_model)
    qtmodeltester.check(tab.local_model)
    tab.tree_filter.setText("CANTA")  # "Çanta" typed on an English keyboard
    qtbot.waitUntil(lambda: tab.tree_proxy._keep is not None)
    qtmodeltester.check(tab.tree_proxy)
    shown = tab.tree_proxy.mapFromSource(tab.tree_model.index_of(1001817))  # Kadın Sırt Çantası
    assert shown.isValid()
    assert not tab.tree_proxy.mapFromSource(tab.tree_model.index_of(1214202)).isValid()  # Kadın Sneaker hidden
    tab.local_filter.setText("tisort")
    assert [tab.local_proxy.index(r, 0).data() for r in range(tab.local_proxy.rowCount())] == ["Giyim > Erkek > Tişört"]
    tab.local_filter.setText("unmapped")
    assert tab.local_proxy.rowCount() == 2


def test_import_and_export_from_the_tab(tab, qtbot, tmp_path, monkeypatch):
    src = tmp_path / "in.csv"
    src.write_text("kind,local,n11_id,category_id\n"
                   "category,Ayakkabı > Kadın > Sneaker,1214202,\n"
                   "category,Giyim > Erkek > Tişört,42,\n", encoding="utf-8")
    monkeypatch.setattr(MappingTab, "ask_path", classmethod(lambda cls, parent, save: str(src)))
    qtbot.mouseClick(tab.btn_import, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Import:" in tab.status.text())
    assert "1 added" in tab.status.text() and "row 3" in tab.status.text()
    qtbot.waitUntil(lambda: tab.is_ready() and "1 of 2 mapped" in tab.local_summary.text())
    out = tmp_path / "out.csv"
    monkeypatch.setattr(MappingTab, "ask_path", classmethod(lambda cls, parent, save: str(out)))
    qtbot.mouseClick(tab.btn_export, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: out.exists() and "Exported 1" in tab.status.text())
