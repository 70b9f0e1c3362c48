"""The Products tab as an operator uses it: lazy table, filters, in-place edits, membership, import."""

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from sqlalchemy import select

from n11_desktop.app import build_services
from n11_desktop.core.catalog.importer import import_catalog
from n11_desktop.core.storage.models import CatalogItem, FailedIntegration, IntegrationAction, Price, Product, Stock
from n11_desktop.views import products_model
from n11_desktop.views.products_model import COL, ProductTableModel
from n11_desktop.views.products_tab import ProductsTab


def seed(db, tmp_path, n=30):
    lines = ["sku;title;category;brand;price;stock;in_catalog"]
    for i in range(n):
        cat = "Giyim > Erkek > Tişört" if i % 2 else "Ayakkabı > Kadın > Sneaker"
        lines.append(f"P-{i:03d};Deneme ürünü başlığı numara {i};{cat};Marka{i % 3};{100 + i},50;{i};{1 if i % 5 else 0}")
    p = tmp_path / "seed.csv"
    p.write_text("\n".join(lines), encoding="utf-8")
    assert import_catalog(db, p).ok
    with db.session_factory.begin() as s:
        ids = {p.sku: p.id for p in s.scalars(select(Product))}
        s.add(IntegrationAction(content_type="product", object_id=ids["P-001"], object_key="P-001", state="success",
                                remote_status="Active", remote_id="9001"))
        s.add(FailedIntegration(content_type="product", object_id=ids["P-002"], object_key="P-002",
                                reason_type="mapping", message="Kategori eşleştirmesi yapılmamış"))
    return ids


def make(qtbot, db):
    services = build_services(db)
    w = ProductsTab(services)
    qtbot.addWidget(w)
    w.resize(1300, 700)
    w.show()
    qtbot.waitUntil(lambda: w.is_ready() and services.runner.pending == 0, timeout=10_000)
    return w, services


def settle(qtbot, w, services):
    qtbot.waitUntil(lambda: w.is_ready() and services.runner.pending == 0, timeout=10_000)


def close(w, services):
    w.shutdown()
    assert services.shutdown(5000)


def cell(model, row, col):
    return model.index(row, COL[col]).data()


def test_model_passes_qt_model_tester(qtbot, qtmodeltester, db, tmp_path, monkeypatch):
    seed(db, tmp_path, n=25)
    monkeypatch.setattr(products_model, "PAGE", 10)  # several pages, some not loaded yet
    services = build_services(db)
    model = ProductTableModel(services)
    model.reload()
    qtbot.waitUntil(lambda: model.is_ready(), timeout=10_000)
    assert model.rowCount() == 25 and model.row_at(0) is not None and model.row_at(15) is None
    qtmodeltester.check(model)
    assert model.index(24, 0).data() == "…"  # not loaded: a placeholder, and the page is requested
    qtbot.waitUntil(lambda: services.runner.pending == 0 and model.row_at(24) is not None, timeout=10_000)
    qtmodeltester.check(model)
    assert model.index(24, COL["sku"]).data() == "P-024"
    assert services.shutdown(5000)


def test_empty_state_explains_what_to_do(qtbot, db):
    w, services = make(qtbot, db)
    assert w.stack.currentWidget() is w.empty
    assert "No products yet — import a CSV/XLSX catalog" in w.empty.findChildren(type(w.count_label))[0].text()
    close(w, services)


def test_rows_states_and_filters(qtbot, db, tmp_path):
    seed(db, tmp_path)
    w, services = make(qtbot, db)
    m = w.model
    assert w.stack.currentWidget() is w.view and m.rowCount() == 30
    assert "30" in w.count_label.text()
    assert [cell(m, r, "sku") for r in range(3)] == ["P-000", "P-001", "P-002"]
    assert cell(m, 1, "n11_state") == "Active" and cell(m, 0, "n11_state") == "not sent"
    assert cell(m, 2, "penalized") == "⚠ penalized"
    assert cell(m, 2, "last_error") == "Kategori eşleştirmesi yapılmamış"
    assert cell(m, 1, "price") == "101.50" and cell(m, 0, "in_catalog") == "not in catalog"

    w.search.setText("numara 1")  # debounced
    qtbot.waitUntil(lambda: m.rowCount() == 11, timeout=5000)
    assert "11 of 30 products match" in w.count_label.text().replace("<b>", "").replace("</b>", "")
    w.search.clear()
    settle(qtbot, w, services)
    w.category.setCurrentIndex(w.category.findData("Giyim"))
    qtbot.waitUntil(lambda: m.rowCount() == 15, timeout=5000)
    w.category.setCurrentIndex(0)
    w.penalty.setCurrentIndex(w.penalty.findData("penalized"))
    qtbot.waitUntil(lambda: m.rowCount() == 1, timeout=5000)
    settle(qtbot, w, services)
    assert cell(m, 0, "sku") == "P-002"
    w.penalty.setCurrentIndex(0)
    w.state.setCurrentIndex(w.state.findData("Active"))
    qtbot.waitUntil(lambda: m.rowCount() == 1, timeout=5000)
    w.state.setCurrentIndex(w.state.findData("not_sent"))
    qtbot.waitUntil(lambda: m.rowCount() == 29, timeout=5000)
    w.state.setCurrentIndex(0)
    w.membership.setCurrentIndex(w.membership.findData(False))
    qtbot.waitUntil(lambda: m.rowCount() == 6, timeout=5000)
    w.membership.setCurrentIndex(0)
    qtbot.waitUntil(lambda: m.rowCount() == 30, timeout=5000)
    # sort by price, descending, in SQL
    w.view.sortByColumn(COL["price"], Qt.SortOrder.DescendingOrder)
    qtbot.waitUntil(lambda: m.order_by == "-price" and m.is_ready(), timeout=5000)
    settle(qtbot, w, services)
    assert cell(m, 0, "sku") == "P-029"
    close(w, services)


def test_editing_price_and_stock_persists_and_emits(qtbot, db, tmp_path):
    ids = seed(db, tmp_path)
    w, services = make(qtbot, db)
    events = []
    services.subscribe("price_changed", lambda p: events.append(("price", p)))
    services.subscribe("stock_changed", lambda p: events.append(("stock", p)))
    m = w.model
    assert m.flags(m.index(0, COL["price"])) & Qt.ItemFlag.ItemIsEditable
    assert not m.flags(m.index(0, COL["title"])) & Qt.ItemFlag.ItemIsEditable
    assert m.setData(m.index(0, COL["price"]), "1.250,90")
    assert cell(m, 0, "price") == "1,250.90"  # at once (English format; Turkish shows 1.250,90)
    qtbot.waitUntil(lambda: ("price", (ids["P-000"],)) in events, timeout=5000)
    assert m.setData(m.index(0, COL["stock"]), "42")
    qtbot.waitUntil(lambda: ("stock", (ids["P-000"],)) in events, timeout=5000)
    with db.session_factory() as s:
        price = s.get(Price, ids["P-000"])
        assert price.price == Decimal("1250.90") and price.version == 2
        assert s.get(Stock, ids["P-000"]).quantity == 42 and s.get(Stock, ids["P-000"]).version == 2
    assert m.setData(m.index(0, COL["list_price"]), "1499,9")
    qtbot.waitUntil(lambda: events.count(("price", (ids["P-000"],))) == 2, timeout=5000)
    with db.session_factory() as s:
        price = s.get(Price, ids["P-000"])
        assert (price.price, price.list_price, price.version) == (Decimal("1250.90"), Decimal("1499.90"), 3)
    with qtbot.waitSignal(m.edit_failed) as blocker:
        assert not m.setData(m.index(0, COL["list_price"]), "100")
    assert "below the sale price" in blocker.args[0]
    # bad input: nothing written, a message says why
    with qtbot.waitSignal(m.edit_failed) as blocker:
        assert not m.setData(m.index(1, COL["stock"]), "-3")
    assert "P-001" in blocker.args[0] and "below 0" in blocker.args[0]
    w.show_banner(blocker.args[0], error=True)
    assert w.banner.isVisible()
    close(w, services)


def test_add_and_remove_selection_from_n11_catalog(qtbot, db, tmp_path):
    ids = seed(db, tmp_path)
    w, services = make(qtbot, db)
    changed = []
    services.subscribe("catalog_changed", changed.append)
    w.view.selectRow(0)  # P-000, not in catalog
    assert w.add_to_catalog_action.isEnabled()
    w.add_to_catalog_action.trigger()
    qtbot.waitUntil(lambda: bool(changed), timeout=5000)
    settle(qtbot, w, services)
    assert cell(w.model, 0, "in_catalog") == "✓ in catalog"
    w.view.selectRow(1)
    w.remove_action.trigger()
    qtbot.waitUntil(lambda: len(changed) == 2, timeout=5000)
    settle(qtbot, w, services)
    assert cell(w.model, 1, "in_catalog") == "✗ removed"
    assert "removed from the N11 catalog" in w.banner.text()
    with db.session_factory() as s:
        assert s.get(CatalogItem, ids["P-001"]).removed_at is not None
        assert s.get(CatalogItem, ids["P-000"]).removed_at is None
    close(w, services)


def test_import_previews_then_imports_good_rows(qtbot, db, tmp_path, monkeypatch):
    f = tmp_path / "katalog.csv"
    f.write_bytes(("sku;title;price;stock\n"
                   "N-1;Kadın Sneaker Beyaz Deri;1.234,50;4\n"
                   "N-2;Erkek Tişört Pamuklu;bedava;2\n"
                   "N-3;Çanta Deri Kahverengi;99;1\n").encode("cp1254"))
    monkeypatch.setattr(ProductsTab, "choose_import_file", classmethod(lambda cls, parent: f))
    w, services = make(qtbot, db)
    changed = []
    services.subscribe("catalog_changed", changed.append)
    services.subscribe("stock_changed", lambda p: changed.append(("stock", p)))
    w.empty_import.click()
    qtbot.waitUntil(lambda: w._dialog is not None, timeout=10_000)
    dlg = w._dialog
    assert dlg.report.dry_run and dlg.ok_button.text() == "Import 2 good rows"
    errs = dlg.errors_model
    assert [errs.index(0, c).data() for c in range(3)] == ["3", "price", "'bedava' is not a number"]
    with db.session_factory() as s:
        assert s.scalars(select(Product)).first() is None  # the preview wrote nothing
    dlg.ok_button.click()
    qtbot.waitUntil(lambda: w._dialog is not None and not w._dialog.report.dry_run, timeout=10_000)
    settle(qtbot, w, services)
    assert w.model.rowCount() == 2 and w.stack.currentWidget() is w.view
    assert [cell(w.model, r, "sku") for r in range(2)] == ["N-1", "N-3"]
    assert "1 bad row skipped" in w.banner.text() and changed == [None, ("stock", ())]
    w._dialog.buttons.button(QDialogButtonBox.StandardButton.Close).click()
    qtbot.waitUntil(lambda: w._dialog is None)
    close(w, services)


def test_unusable_file_is_explained(qtbot, db, tmp_path, monkeypatch):
    f = tmp_path / "bad.csv"
    f.write_text("title;price\nX;1\n", encoding="utf-8")
    monkeypatch.setattr(ProductsTab, "choose_import_file", classmethod(lambda cls, parent: f))
    w, services = make(qtbot, db)
    w.import_action.trigger()
    qtbot.waitUntil(lambda: "was not imported" in w.banner.text(), timeout=10_000)
    assert "'sku' is missing" in w.banner.text() and w._dialog is None
    close(w, services)


def test_add_to_catalog_actionlands_in_the_toolbar(qtbot, db):
    from PySide6.QtGui import QAction

    w, services = make(qtbot, db)
    a = QAction("Send selected…", w)
    w.add_action(a)
    assert w.toolbar.actions()[-1] is a
    close(w, services)


@pytest.mark.parametrize("n", [450])
def test_scrolling_loads_later_pages(qtbot, db, tmp_path, n):
    seed(db, tmp_path, n=n)
    w, services = make(qtbot, db)
    m = w.model
    assert m.rowCount() == n and m.row_at(n - 1) is None
    w.view.scrollToBottom()
    qtbot.waitUntil(lambda: m.row_at(n - 1) is not None, timeout=10_000)
    assert cell(m, n - 1, "sku") == f"P-{n - 1:03d}"
    settle(qtbot, w, services)
    close(w, services)


def test_refresh_keeps_rows_on_screen_and_shows_changes_made_elsewhere(qtbot, db, tmp_path):
    ids = seed(db, tmp_path, n=450)
    w, services = make(qtbot, db)
    m = w.model
    w.view.scrollToBottom()
    qtbot.waitUntil(lambda: m.row_at(449) is not None, timeout=10_000)
    settle(qtbot, w, services)
    from n11_desktop.core.catalog import repo

    with db.session_factory.begin() as s:
        repo.set_stock(s, ids["P-449"], 777)
    services.emit("stock_changed", (ids["P-449"],))  # e.g. a flow or another tab changed it
    assert m.row_at(449) is not None  # still shown while refreshing
    qtbot.waitUntil(lambda: cell(m, 449, "stock") == "777", timeout=10_000)
    settle(qtbot, w, services)
    close(w, services)


def test_typing_a_new_stock_in_the_cell(qtbot, db, tmp_path):
    from PySide6.QtWidgets import QLineEdit

    ids = seed(db, tmp_path)
    w, services = make(qtbot, db)
    events = []
    services.subscribe("stock_changed", events.append)
    idx = w.model.index(3, COL["stock"])
    w.view.setCurrentIndex(idx)
    w.view.edit(idx)
    editor = w.view.viewport().findChild(QLineEdit)
    assert editor is not None and editor.text() == "3"
    editor.selectAll()
    qtbot.keyClicks(editor, "15")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: events == [(ids["P-003"],)], timeout=5000)
    settle(qtbot, w, services)
    assert cell(w.model, 3, "stock") == "15"
    with db.session_factory() as s:
        assert s.get(Stock, ids["P-003"]).quantity == 15
    close(w, services)


def test_pause_and_resume_selling_on_n11_from_the_toolbar(qtbot, configured_db, sandbox, tmp_path):
    """Pause keeps the product on N11 (status Suspended, stock kept); resume sells it again."""
    db = configured_db
    ids = seed(db, tmp_path, n=5)
    with db.session_factory.begin() as s:  # P-003 is on N11 (Active); P-000 was never sent
        s.add(IntegrationAction(content_type="product", object_id=ids["P-003"], object_key="P-003", state="active",
                                remote_status="Active", remote_id="9003"))
    sandbox.state.add_product(stockCode="P-003", quantity=3)
    w, services = make(qtbot, db)
    row = next(n for n in range(w.model.rowCount()) if cell(w.model, n, "sku") == "P-003")
    w.view.selectRow(row)
    assert w.pause_action.isEnabled() and w.pause_action in w.view.actions()  # toolbar and context menu
    w.pause_action.trigger()
    qtbot.waitUntil(lambda: "Pause selling sent to N11 for 1 product" in w.banner.text(), timeout=10_000)
    sandbox.state.process_tasks_now()
    assert sandbox.state.products["P-003"]["status"] == "Suspended"
    assert sandbox.state.products["P-003"]["quantity"] == 3  # not deleted, stock kept
    w.resume_action.trigger()
    qtbot.waitUntil(lambda: "Resume selling sent to N11 for 1 product" in w.banner.text(), timeout=10_000)
    sandbox.state.process_tasks_now()
    assert sandbox.state.products["P-003"]["status"] == "Active"
    # a product N11 does not hold is skipped with the reason, nothing is sent
    tasks = len(sandbox.state.tasks)
    w.view.selectRow(next(n for n in range(w.model.rowCount()) if cell(w.model, n, "sku") == "P-000"))
    w.pause_action.trigger()
    qtbot.waitUntil(lambda: "not on N11 yet" in w.banner.text(), timeout=10_000)
    assert len(sandbox.state.tasks) == tasks
    settle(qtbot, w, services)
    close(w, services)


def test_view_on_n11_opens_the_product_page_from_sales_url(qtbot, db, tmp_path, monkeypatch):
    seed(db, tmp_path)
    opened = []
    monkeypatch.setattr(ProductsTab, "open_url", staticmethod(lambda url: opened.append(url) or True))
    w, services = make(qtbot, db)
    assert w.view_on_n11_action in w.view.actions()  # in the table's context menu
    w.view.selectRow(1)  # P-001: N11 knows it as product 9001
    w.view_on_n11_action.trigger()
    qtbot.waitUntil(lambda: len(opened) == 1, timeout=5000)
    assert opened[0] == "https://www.n11.com/urun/deneme-urunu-basligi-numara-1-9001"
    w.view.selectRow(0)  # never sent: N11's search for its title
    w.view_on_n11_action.trigger()
    qtbot.waitUntil(lambda: len(opened) == 2, timeout=5000)
    assert opened[1].startswith("https://www.n11.com/arama?q=Deneme%20%C3%BCr%C3%BCn%C3%BC")
    settle(qtbot, w, services)
    close(w, services)
