from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from n11_desktop.core.catalog.importer import CatalogFileError, import_catalog
from n11_desktop.core.storage.models import CatalogItem, Price, Product, Stock

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)

HEADER = "sku;title;category;brand;price;list_price;stock;vat_rate;images;attr:Renk;in_catalog"
MIXED = "\n".join([
    HEADER,
    "A-1;Kadın Sneaker Beyaz Deri;Ayakkabı > Kadın > Sneaker;Nike;1.234,50;1.500,00;10;20;https://img.example.com/a1.jpg;Beyaz;1",
    "A-2;Erkek Tişört Pamuklu Siyah;Giyim > Erkek > Tişört;LCW;199,9;;5;10;http://bad.example/x.jpg;Siyah;1",
    "A-3;Kadın Elbise Midi Boy;Giyim;LCW;abc;;-1;18;;;",
    ";Ürün kodu yok;;;1;;1;;;;",
    "A-1;Aynı sku ikinci kez;;;1;;1;;;;",
    "A-4;Çanta Deri Kahverengi Omuz;Çanta;Derimod;99;;0;1;;Kahve;0",
    ";;;;;;;;;;",
    "A-5;Erkek Bot Su Geçirmez Kahve;Ayakkabı > Erkek > Bot;Polaris;2499,90;2000;3;20;;;1",
    "A-6;;;;10;;1;;;;",
]) + "\n"


def write(tmp_path, text, name="cat.csv", encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def products(db):
    with db.session_factory() as s:
        return {p.sku: p for p in s.scalars(select(Product))}


def test_mixed_file_writes_exactly_the_good_rows_and_reports_every_bad_one(db, tmp_path):
    report = import_catalog(db, write(tmp_path, MIXED))
    assert set(products(db)) == {"A-1", "A-4"}
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    assert report.rows == 8 and report.bad_rows == 6
    lines = [str(e) for e in report.errors]
    assert "row 3, column images: 'http://bad.example/x.jpg' is not an https:// image URL" in lines
    assert "row 4, column price: 'abc' is not a number" in lines
    assert "row 4, column stock: '-1' is below 0" in lines
    assert any(x.startswith("row 4, column vat_rate:") for x in lines)
    assert "row 5, column sku: sku is required" in lines
    assert any(x.startswith("row 6, column sku: 'A-1' already appears in row 2") for x in lines)
    assert "row 9, column list_price: list price 2000.00 is below the sale price 2499.90" in lines
    assert "row 10, column title: a title is required for a new product" in lines
    with db.session_factory() as s:
        a1 = s.scalars(select(Product).where(Product.sku == "A-1")).one()
        assert a1.price.price == Decimal("1234.50") and a1.price.list_price == Decimal("1500.00")
        assert a1.stock.quantity == 10 and a1.vat_rate == 20
        assert a1.attributes == {"Renk": "Beyaz", "brand": "Nike"} and a1.brand == "Nike"
        assert a1.images == ["https://img.example.com/a1.jpg"] and a1.category == "Ayakkabı > Kadın > Sneaker"
        assert a1.catalog_item.removed_at is None and a1.product_code == "A-1"
        a4 = s.scalars(select(Product).where(Product.sku == "A-4")).one()
        assert a4.catalog_item is None and a4.price.list_price == Decimal("99.00") and a4.vat_rate == 1


@pytest.mark.parametrize("encoding", ["cp1254", "utf-8-sig", "utf-16"])
def test_turkish_encodings_read_correctly(db, tmp_path, encoding):
    text = MIXED if encoding != "utf-16" else MIXED.replace(";", "\t")
    import_catalog(db, write(tmp_path, text, encoding=encoding))
    got = products(db)
    assert got["A-4"].title == "Çanta Deri Kahverengi Omuz"
    assert got["A-1"].title == "Kadın Sneaker Beyaz Deri"


def test_comma_separated_with_quotes_and_header_case(db, tmp_path):
    text = ('SKU,Title,Price,Stock,attr:Materyal\n'
            'B-1,"Erkek Gömlek, Slim Fit Beyaz","1.299,90",7,"Pamuk, Keten"\n')
    report = import_catalog(db, write(tmp_path, text))
    assert report.ok and report.created == 1
    p = products(db)["B-1"]
    assert p.title == "Erkek Gömlek, Slim Fit Beyaz" and p.attributes == {"Materyal": "Pamuk, Keten"}
    with db.session_factory() as s:
        assert s.get(Price, p.id).price == Decimal("1299.90")


def test_dry_run_changes_nothing_and_previews_changes(db, tmp_path):
    import_catalog(db, write(tmp_path, MIXED))
    before = {sku: (p.title, p.version) for sku, p in products(db).items()}
    text = HEADER + "\nA-1;Kadın Sneaker Beyaz Deri YENİ;;;1.300,00;;10;;;;\nN-1;Yepyeni ürün başlığı burada;;;5;;;;;;\n"
    report = import_catalog(db, write(tmp_path, text, "upd.csv"), dry_run=True)
    assert report.dry_run and (report.created, report.updated) == (1, 1)
    fields = {(c.sku, c.field): (c.old, c.new) for c in report.changes}
    assert fields[("A-1", "title")] == ("Kadın Sneaker Beyaz Deri", "Kadın Sneaker Beyaz Deri YENİ")
    assert fields[("A-1", "price")] == ("1234.50", "1300.00")
    assert ("N-1", "(new product)") in fields
    assert {sku: (p.title, p.version) for sku, p in products(db).items()} == before


def test_versions_bump_only_for_the_parts_that_changed(db, tmp_path):
    import_catalog(db, write(tmp_path, MIXED))

    def versions():
        with db.session_factory() as s:
            p = s.scalars(select(Product).where(Product.sku == "A-1")).one()
            return p.version, s.get(Price, p.id).version, s.get(Stock, p.id).version

    assert versions() == (1, 1, 1)
    # the same file again: nothing changes
    again = import_catalog(db, write(tmp_path, MIXED))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2) and versions() == (1, 1, 1)
    # stock only
    import_catalog(db, write(tmp_path, "sku;stock\nA-1;11\n", "s.csv"))
    assert versions() == (1, 1, 2)
    # price only (list price kept because it is still above the new price)
    r = import_catalog(db, write(tmp_path, "sku;price\nA-1;1.200\n", "p.csv"))
    assert r.price_changes == 1 and r.stock_changes == 0
    assert versions() == (1, 2, 2)
    with db.session_factory() as s:
        pid = s.scalars(select(Product.id).where(Product.sku == "A-1")).one()
        assert s.get(Price, pid).list_price == Decimal("1500.00")
    # a product field and an attribute: product version only; other attributes are kept
    import_catalog(db, write(tmp_path, "sku;attr:Beden\nA-1;38\n", "a.csv"))
    assert versions() == (2, 2, 2)
    assert products(db)["A-1"].attributes == {"Renk": "Beyaz", "brand": "Nike", "Beden": "38"}


def test_in_catalog_zero_removes_and_one_adds_back(db, tmp_path):
    import_catalog(db, write(tmp_path, MIXED))
    import_catalog(db, write(tmp_path, "sku;in_catalog\nA-1;0\nA-4;1\n", "m.csv"))
    with db.session_factory() as s:
        items = {ci.product.sku: ci.removed_at for ci in s.scalars(select(CatalogItem))}
    assert items["A-1"] is not None and items["A-4"] is None
    import_catalog(db, write(tmp_path, "sku;in_catalog\nA-1;1\n", "m2.csv"))
    got = products(db)
    assert got["A-1"].version == 2  # back in the catalog: sent again
    assert got["A-4"].version == 1  # first added: product_create picks it up, no bump needed


def test_xlsx_with_excel_numbers(db, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["sku", "title", "barcode", "price", "stock", "vat_rate", "in_catalog"])
    ws.append(["X-1", "Kadın Deri Omuz Çantası Siyah", 8680000000123, 1234.5, 12.0, 0.2, 1])
    ws.append([1001, "Numara olarak yazılmış sku ürün", None, "99,90", 3, 10, 1])
    ws.append(["X-3", "Hatalı fiyat satırı örnek ürün", None, "on lira", 3, 10, 1])
    path = tmp_path / "cat.xlsx"
    wb.save(path)
    report = import_catalog(db, path)
    assert [str(e) for e in report.errors] == ["row 4, column price: 'on lira' is not a number"]
    got = products(db)
    assert set(got) == {"X-1", "1001"}
    assert got["X-1"].barcode == "8680000000123" and got["X-1"].vat_rate == 20
    with db.session_factory() as s:
        assert s.get(Price, got["X-1"].id).price == Decimal("1234.50")
        assert s.get(Stock, got["X-1"].id).quantity == 12


@pytest.mark.parametrize("text, message", [
    ("title;price\nÜrün;1\n", "the required column 'sku' is missing"),
    ("sku;stok\nA;1\n", "column stok: unknown column"),
    ("sku;price;Price\nA;1;2\n", "appears twice"),
])
def test_bad_header_changes_nothing(db, tmp_path, text, message):
    with pytest.raises(CatalogFileError, match=message):
        import_catalog(db, write(tmp_path, text))
    assert products(db) == {}


def test_unusable_files(db, tmp_path):
    with pytest.raises(CatalogFileError, match="no such file"):
        import_catalog(db, tmp_path / "missing.csv")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(CatalogFileError, match=r"\.xls files are not supported"):
        import_catalog(db, tmp_path / "old.xls")
    (tmp_path / "fake.xlsx").write_text("not a zip")
    with pytest.raises(CatalogFileError, match="not a readable .xlsx"):
        import_catalog(db, tmp_path / "fake.xlsx")


def test_chunks_and_progress(db, tmp_path):
    lines = ["sku;title;price;stock"] + [f"S-{i};Deneme ürünü numara {i};{i + 1},50;{i}" for i in range(250)]
    seen = []
    report = import_catalog(db, write(tmp_path, "\n".join(lines)), chunk_rows=100,
                            on_progress=lambda d, t: seen.append((d, t)))
    assert report.created == 250 and seen[-1] == (250, 250) and len(seen) == 4
    assert len(products(db)) == 250


def test_demo_catalog_imports_cleanly(db):
    from n11_desktop.core.catalog.demo import seed_demo_catalog

    report = seed_demo_catalog(db)
    assert report.ok and report.created >= 290
    with db.session_factory() as s:
        ps = list(s.scalars(select(Product)))
        assert all(len(p.title) >= 15 for p in ps)
        assert any(p.price is None for p in ps) and any(p.stock is None for p in ps)
        assert any(not p.images for p in ps)
        assert any(p.catalog_item is None for p in ps)


def test_excel_sep_hint_line(db, tmp_path):
    text = "sep=;\r\nsku;title;price\r\nH-1;Kadın Deri Bot Siyah Fermuarlı;1.999,90\r\nH-2;Kötü fiyatlı ürün satırı;x\r\n"
    report = import_catalog(db, write(tmp_path, text, encoding="cp1254"))
    assert report.created == 1 and [str(e) for e in report.errors] == ["row 4, column price: 'x' is not a number"]


def test_n11_limits_short_title_warns_and_huge_stock_is_refused(db, tmp_path):
    text = "sku;title;stock\nW-1;Kısa başlık;3\nW-2;Yeterince uzun bir ürün başlığı;1000000\n"
    report = import_catalog(db, write(tmp_path, text))
    assert set(products(db)) == {"W-1"}
    assert [str(w) for w in report.warnings] == [
        "row 2, column title: is 11 characters; N11 needs at least 15 to create the product"]
    assert [str(e) for e in report.errors] == ["row 3, column stock: '1000000' is too large; N11 accepts at most 999999"]
    assert "1 warning" in report.summary() and "1 row" not in report.summary()


def test_a_damaged_row_after_several_chunks_changes_nothing(db, tmp_path):
    """Rows are parsed and written a chunk at a time, but the whole file is split and checked
    first: a quote never closed near the end refuses the file before the first chunk is written."""
    lines = ["sku;title;price;stock"] + [f"S-{i};Deneme ürünü numara {i};{i + 1},50;{i}" for i in range(250)]
    lines.append('S-250;"Deneme ürünü kapanmayan tırnak;10;1')
    with pytest.raises(CatalogFileError, match="never closed"):
        import_catalog(db, write(tmp_path, "\n".join(lines)), chunk_rows=100)
    assert products(db) == {}


def test_a_repeated_sku_in_a_later_chunk_is_refused_and_the_first_kept(db, tmp_path):
    lines = ["sku;title;price;stock"] + [f"S-{i};Deneme ürünü numara {i};{i + 1},50;{i}" for i in range(150)]
    lines.append("S-7;Başka bir deneme ürünü;99,00;3")
    report = import_catalog(db, write(tmp_path, "\n".join(lines)), chunk_rows=100)
    assert report.created == 150 and report.rows == 151
    assert [(e.row, e.column) for e in report.errors] == [(152, "sku")]
    assert products(db)["S-7"].title == "Deneme ürünü numara 7"


def test_an_import_stopped_after_a_chunk_keeps_that_chunk_and_leaves_the_database_checked(db, tmp_path):
    """Each chunk is its own transaction: an import that stops between chunks (here the progress
    callback fails) leaves the chunks before written whole and nothing of the rest; the database's
    own checks (foreign keys on SQLite) and its automatic checkpoints are on again for every
    connection the app uses next."""
    lines = ["sku;title;price;stock"] + [f"S-{i};Deneme ürünü numara {i};{i + 1},50;{i}" for i in range(250)]

    def stop_after_first_chunk(done, total):
        if done == 100:
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        import_catalog(db, write(tmp_path, "\n".join(lines)), chunk_rows=100, on_progress=stop_after_first_chunk)
    with db.session_factory() as s:
        stored = list(s.scalars(select(Product)))
        assert {p.sku for p in stored} == {f"S-{i}" for i in range(100)}
        assert all(p.price is not None and p.stock is not None and p.catalog_item is not None for p in stored)
    report = import_catalog(db, write(tmp_path, "\n".join(lines)), chunk_rows=100)
    assert (report.created, report.unchanged) == (150, 100)
    if db.is_sqlite:
        # every connection the pool holds (the importing one among them) checks foreign keys again
        conns = [db.engine.connect() for _ in range(max(1, db.engine.pool.checkedin()))]
        try:
            assert all(c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1 for c in conns)
            # and checkpoint the WAL automatically again (SQLite's default, every 1000 pages)
            assert all(c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000 for c in conns)
            assert conns[0].exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
            with pytest.raises(IntegrityError, match="FOREIGN KEY"):
                conns[0].exec_driver_sql("INSERT INTO stock (product_id, quantity, version, version_date) "
                                         "VALUES (999999, 1, 1, '2026-01-01 00:00:00')")
            conns[0].rollback()
        finally:
            for c in conns:
                c.close()
