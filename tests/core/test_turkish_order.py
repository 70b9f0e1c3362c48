"""Products sort in Turkish alphabetical order and searches fold İ/ı/I/i (issue 15)."""

from datetime import datetime

import pytest
from sqlalchemy import select

from n11_desktop.core import formats
from n11_desktop.core.catalog import repo
from n11_desktop.core.catalog.importer import import_catalog
from n11_desktop.core.orders.queries import OrderFilter, count_orders, list_orders
from n11_desktop.core.storage.models import Order, Product

pytestmark = pytest.mark.both_engines

NAMES = ["Zeytin", "Ütü", "İnce", "Işık", "ılık", "iğne", "Çanta", "Şemsiye", "canlı", "Ördek", "oyun", "sabun",
         "Gözlük", "güneş", "hırka", "Uzay"]
TURKISH_ORDER = ["canlı", "Çanta", "Gözlük", "güneş", "hırka", "ılık", "Işık", "iğne", "İnce", "oyun", "Ördek",
                 "sabun", "Şemsiye", "Uzay", "Ütü", "Zeytin"]


@pytest.fixture
def products(db, tmp_path):
    p = tmp_path / "c.csv"
    rows = [f"S-{n:02d};{name};Ev > {name};{name} Marka;10;1;1" for n, name in enumerate(NAMES)]
    p.write_text("sku;title;category;brand;price;stock;in_catalog\n" + "\n".join(rows) + "\n", encoding="utf-8")
    assert import_catalog(db, p).ok
    with db.session_factory.begin() as s:
        return {p.title: p.sku for p in s.scalars(select(Product))}


def titles(rows):
    return [r.title for r in rows]


def test_title_brand_and_category_sort_in_turkish_alphabetical_order(db, products):
    with db.session_factory() as s:
        assert titles(repo.product_rows(s, order_by="title", limit=100)) == TURKISH_ORDER
        assert titles(repo.product_rows(s, order_by="-title", limit=100)) == TURKISH_ORDER[::-1]
        assert titles(repo.product_rows(s, order_by="brand", limit=100)) == TURKISH_ORDER
        assert titles(repo.product_rows(s, order_by="category", limit=100)) == TURKISH_ORDER
        # paging walks the same order
        pages = [titles(repo.product_rows(s, order_by="title", offset=o, limit=5)) for o in (0, 5, 10, 15)]
        assert sum(pages, []) == TURKISH_ORDER


@pytest.mark.parametrize("typed, found", [
    ("IŞIK", ["Işık"]), ("ışık", ["Işık"]), ("isik", []), ("ILIK", ["ılık"]), ("ilik", ["ılık"]), ("ince", ["İnce"]),
    ("İNCE", ["İnce"]), ("INCE", ["İnce"]),  # typed on an English keyboard
    ("İĞNE", ["iğne"]), ("çanta", ["Çanta"]), ("ŞEMSİYE", ["Şemsiye"]), ("ütü", ["Ütü"]), ("zeytin", ["Zeytin"]),
])
def test_search_folds_turkish_letters(db, products, typed, found):
    with db.session_factory() as s:
        assert titles(repo.product_rows(s, text=typed, order_by="title", limit=100)) == found


def test_order_search_finds_customer_names_whatever_the_case(db):
    with db.session_factory.begin() as s:
        for n, name in enumerate(["IŞIL ÇELİK", "ilkay şahin", "Ümit Yılmaz"]):
            s.add(Order(n11_order_number=f"N{n}", number=f"O-{n}", status="approved", customer_name=name,
                        ordered_at=datetime(2026, 12, 1, 10, n)))
    with db.session_factory() as s:
        def names(text):
            return sorted(r.customer for r in list_orders(s, OrderFilter(text=text)))
        assert names("ışıl") == ["IŞIL ÇELİK"]
        assert names("çelik") == ["IŞIL ÇELİK"]
        assert names("İLKAY") == ["ilkay şahin"]
        assert names("ŞAHİN") == ["ilkay şahin"]
        assert names("yılmaz") == ["Ümit Yılmaz"]
        assert names("O-1") == ["ilkay şahin"]
        assert count_orders(s, OrderFilter(text="ümit")) == 1


def test_collation_key_orders_like_the_sort_key():
    words = NAMES + ["I", "ı", "i", "İ", "a1", "a10", "a2", ""]
    assert sorted(words, key=formats.tr_collation_key) == sorted(words, key=formats.tr_sort_key)
    assert formats.tr_compare("Işık", "ılık") == 1 and formats.tr_compare("ılık", "iğne") == -1
