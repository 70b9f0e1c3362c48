from decimal import Decimal

import pytest
from sqlalchemy import select

from n11_desktop.core.catalog import repo
from n11_desktop.core.catalog.importer import import_catalog
from n11_desktop.core.storage.models import FailedIntegration, IntegrationAction, Price, Product, Stock

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)

CSV = """sku;title;category;brand;price;stock;in_catalog
K-1;Kadın Sneaker Beyaz Deri;Ayakkabı > Kadın > Sneaker;Hummel;1.000;5;1
K-2;Kadın Bot Siyah Deri Fermuarlı;Ayakkabı > Kadın > Bot;Derimod;2.000;0;1
E-1;Erkek Tişört Pamuklu Lacivert;Giyim > Erkek > Tişört;Kiğılı;300;20;0
E-2;Erkek Gömlek Slim Fit Beyaz 100%_pamuk;Giyim > Erkek > Gömlek;Kiğılı;;;1
"""


@pytest.fixture
def cat(db, tmp_path):
    p = tmp_path / "c.csv"
    p.write_text(CSV, encoding="utf-8")
    assert import_catalog(db, p).ok
    with db.session_factory.begin() as s:
        ids = {p.sku: p.id for p in s.scalars(select(Product))}
        s.add(IntegrationAction(content_type="product", object_id=ids["K-1"], object_key="K-1", state="success",
                                remote_status="Active", remote_id="555"))
        s.add(IntegrationAction(content_type="product", object_id=ids["K-2"], object_key="K-2", state="fail",
                                last_error="Kategori eşleşmesi yok"))
        s.add(FailedIntegration(content_type="productstock", object_id=ids["K-2"], object_key="K-2",
                                reason_type="remote", message="Stok gönderilemedi"))
        s.add(FailedIntegration(content_type="product", object_id=ids["E-1"], object_key="E-1",
                                reason_type="mapping", message="old", is_active=False))
    return ids


def skus(rows):
    return [r.sku for r in rows]


def test_filters(db, cat):
    with db.session_factory() as s:
        assert repo.count_products(s) == 4
        assert skus(repo.product_rows(s, text="deri")) == ["K-1", "K-2"]
        assert skus(repo.product_rows(s, text="kiğılı")) == ["E-1", "E-2"]  # brand
        assert skus(repo.product_rows(s, text="100%_")) == ["E-2"]  # LIKE wildcards are literal
        assert skus(repo.product_rows(s, text="0%_")) == ["E-2"]
        assert skus(repo.product_rows(s, category="Ayakkabı")) == ["K-1", "K-2"]
        assert skus(repo.product_rows(s, category="Ayakkabı > Kadın > Bot")) == ["K-2"]
        assert skus(repo.product_rows(s, in_catalog=False)) == ["E-1"]
        assert skus(repo.product_rows(s, n11_state="not_sent")) == ["E-1", "E-2"]
        assert skus(repo.product_rows(s, n11_state="Active")) == ["K-1"]
        assert skus(repo.product_rows(s, penalized=True)) == ["K-2"]
        assert repo.count_products(s, penalized=False) == 3
        assert skus(repo.product_rows(s, has_error=True)) == ["K-2"]
        assert repo.categories(s)[:3] == ("Ayakkabı", "Ayakkabı > Kadın", "Ayakkabı > Kadın > Bot")
        assert repo.n11_states(s) == ("Active", "fail", "success")


def test_row_contents_sort_and_paging(db, cat):
    with db.session_factory() as s:
        k2 = repo.product_row_by_sku(s, "K-2")
        assert k2.penalized and k2.last_error == "Stok gönderilemedi" and k2.n11_state == "fail"
        assert k2.price == Decimal("2000.00") and k2.stock == 0 and k2.in_catalog
        e2 = repo.product_row_by_sku(s, "E-2")
        assert e2.price is None and e2.stock is None and e2.n11_state == "" and not e2.penalized
        assert skus(repo.product_rows(s, order_by="-price")) == ["K-2", "K-1", "E-1", "E-2"]
        assert skus(repo.product_rows(s, order_by="stock")) == ["E-2", "K-2", "K-1", "E-1"]
        assert skus(repo.product_rows(s, order_by="penalized"))[-1] == "K-2"
        assert skus(repo.product_rows(s, order_by="sku", offset=1, limit=2)) == ["E-2", "K-1"]
        with pytest.raises(ValueError):
            repo.product_rows(s, order_by="drop table")


def test_edits_bump_their_own_version_only(db, cat):
    pid = cat["K-1"]
    with db.session_factory.begin() as s:
        assert repo.set_price(s, pid, "1.100,00") is True
        assert repo.set_price(s, pid, Decimal("1100")) is False  # no change, no bump
        assert repo.set_stock(s, pid, 9) is True
        with pytest.raises(repo.CatalogEditError, match="below 0"):
            repo.set_stock(s, pid, -1)
        with pytest.raises(repo.CatalogEditError, match="above 0"):
            repo.set_price(s, pid, 0)
        with pytest.raises(repo.CatalogEditError, match="below the sale price"):
            repo.set_price(s, pid, 50, list_price=40)
    with db.session_factory() as s:
        assert s.get(Price, pid).version == 2 and s.get(Price, pid).price == Decimal("1100.00")
        assert s.get(Price, pid).list_price == Decimal("1100.00")
        assert s.get(Stock, pid).version == 2 and s.get(Product, pid).version == 1
    # a product without price/stock rows gets them
    with db.session_factory.begin() as s:
        assert repo.set_price(s, cat["E-2"], "10") and repo.set_stock(s, cat["E-2"], "4")
    with db.session_factory() as s:
        row = repo.product_row_by_sku(s, "E-2")
        assert (row.price, row.stock) == (Decimal("10.00"), 4)


def test_catalog_membership(db, cat):
    with db.session_factory.begin() as s:
        assert repo.set_in_catalog(s, [cat["K-1"], cat["E-1"]], False) == 1
        assert repo.set_in_catalog(s, [cat["K-1"], cat["E-1"], 99999], True) == 2
    with db.session_factory() as s:
        k1 = repo.product_row_by_sku(s, "K-1")
        assert k1.in_catalog and not k1.removed_from_catalog
        assert s.get(Product, cat["K-1"]).version == 2  # re-added: sent again
        assert s.get(Product, cat["E-1"]).version == 1  # first added
    with db.session_factory.begin() as s:
        repo.set_in_catalog(s, [cat["K-2"]], False)
    with db.session_factory() as s:
        assert skus(repo.product_rows(s, in_catalog="removed")) == ["K-2"]


def test_text_search_folds_turkish_case(db, tmp_path):
    if db.is_postgresql and not getattr(db.engine.dialect, "n11_turkish_collation", None):
        pytest.skip("this PostgreSQL server was built without ICU: no Turkish case folding")
    p = tmp_path / "t.csv"
    p.write_text("sku;title\nT-1;ÇANTA SİYAH DERİ OMUZ\nT-2;Kırmızı ışıklı [özel] * ürün\nT-3;IŞIK BEYAZ LAMBA\n",
                 encoding="utf-8")
    import_catalog(db, p)
    with db.session_factory() as s:
        assert skus(repo.product_rows(s, text="çanta siyah")) == ["T-1"]
        assert skus(repo.product_rows(s, text="deri")) == ["T-1"]
        assert skus(repo.product_rows(s, text="ışık")) == ["T-2", "T-3"]
        assert skus(repo.product_rows(s, text="[özel] *")) == ["T-2"]
        assert skus(repo.product_rows(s, text="t-")) == ["T-1", "T-2", "T-3"]
        assert skus(repo.product_rows(s, text="?")) == []


def test_rows_for_many_ids_are_fetched_in_chunks(db, cat, monkeypatch):
    monkeypatch.setattr(repo, "_IDS_PER_QUERY", 2)
    with db.session_factory() as s:
        ids = repo.product_ids(s, order_by="-sku", limit=None)
        assert [r.id for r in repo.rows_for_ids(s, ids)] == ids and len(ids) == 4
