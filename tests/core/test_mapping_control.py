"""Mapper logic on the demo catalog (≈300 real-looking products) and N11's real tree."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from n11_desktop.core.mapping.control import build_payloads, build_product_payload, summarize
from n11_desktop.core.mapping.store import set_attribute_rule, set_category_mapping, set_value_mapping
from n11_desktop.core.mapping.suggest import accept, best_per_item, suggest_attributes, suggest_categories, \
    suggest_values
from n11_desktop.core.storage.models import Price, Product, ProductCategory, Stock
from n11_desktop.sandbox import data

from .mapping_fixtures import import_demo_catalog, load_attributes, load_tree

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)

SNEAKER, TSHIRT_M, ELBISE = 1214202, 1001915, 1209218


@pytest.fixture
def catalog_db(db):
    load_tree(db)
    import_demo_catalog(db)
    return db


def _pid(s, sku):
    return s.scalars(select(Product.id).where(Product.sku == sku)).one()


def test_suggestions_map_most_of_the_catalog(catalog_db):
    db = catalog_db
    with db.session_factory.begin() as s:
        cats = suggest_categories(s)
        top = {x.local: x for x in cats if x.rank == 1}
        assert top["Ayakkabı > Kadın > Sneaker"].n11_id == SNEAKER
        assert top["Ayakkabı > Kadın > Sneaker"].confidence >= 0.95
        assert top["Giyim > Kadın > Elbise"].n11_id == ELBISE
        assert "Ev > Mutfak > Fincan & Kupa" not in {x.local for x in cats if x.confidence >= 0.85}
        res = accept(s, [x for x in best_per_item(cats) if x.confidence >= 0.85])
        assert res.accepted >= 8
    with db.session_factory.begin() as s:
        from n11_desktop.core.mapping.store import leaves_in_use

        leaves = leaves_in_use(s)
    load_attributes(db, *leaves)
    with db.session_factory.begin() as s:
        attrs = suggest_attributes(s)
        by_name = {}
        for a in attrs:
            by_name.setdefault(a.local, []).append(a)
        assert [(a.n11_id, a.category_id) for a in by_name["Renk"]] == [(429, 0)]  # global
        assert [(a.n11_id, a.category_id) for a in by_name["Cinsiyet"]] == [(394, 0)]
        sizes = {(a.n11_id, a.category_id) for a in by_name["Beden"]}
        assert (370, SNEAKER) in sizes and any(aid == 361 and cid for aid, cid in sizes)  # scoped per leaf
        accept(s, attrs)
        values = suggest_values(s)
        assert all(0 < v.confidence <= 1 and v.reason for v in values)


def test_payload_is_exactly_the_n11_create_sku(catalog_db):
    db = catalog_db
    with db.session_factory.begin() as s:
        set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", SNEAKER)
    load_attributes(db, SNEAKER, ELBISE)
    numara = {v["name"]: v["id"] for a in data.category_attributes(SNEAKER) if a["id"] == 370 for v in a["values"]}
    with db.session_factory.begin() as s:
        set_attribute_rule(s, "Renk", 429)
        set_attribute_rule(s, "Beden", 370, SNEAKER)  # scoped beats any global rule
        set_attribute_rule(s, "Beden", 361)
        set_attribute_rule(s, "Cinsiyet", 394)
        set_attribute_rule(s, "brand", 1)
        pid = _pid(s, "AYK-KSN-001-38")
        res = build_product_payload(s, pid, buffer_stock=7)
        p = res.payload if res.ok else res.draft
        assert p["stockCode"] == "AYK-KSN-001-38" and p["productMainId"] == "AYK-KSN-001"
        assert p["categoryId"] == SNEAKER and p["currencyType"] == "TL" and p["vatRate"] == 20
        assert p["quantity"] == 50 - 7
        assert p["salePrice"] == Decimal("1824.99") and p["listPrice"] == Decimal("2279.90")
        assert p["images"][0] == {"url": "https://cdn.example.com/demo/ayk-ksn-001/bordo-1.jpg", "order": 1}
        sent = {a["id"]: a for a in p["attributes"]}
        assert sent[370] == {"id": 370, "valueId": numara["38"], "customValue": None}
        assert sent[1]["customValue"] == "Lumberjack" or sent[1]["valueId"]
        assert set(p) >= {"title", "description", "categoryId", "currencyType", "productMainId", "preparingDay",
                          "shipmentTemplate", "stockCode", "quantity", "images", "attributes", "salePrice",
                          "listPrice", "vatRate"}
        # stock − buffer never below 0
        assert build_product_payload(s, pid, buffer_stock=500).draft["quantity"] == 0


def test_problems_use_the_seed_texts(catalog_db):
    db = catalog_db
    with db.session_factory.begin() as s:
        set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", SNEAKER)
    load_attributes(db, SNEAKER)
    with db.session_factory.begin() as s:
        pid = _pid(s, "AYK-KSN-001-38")
        p = s.get(Product, pid)
        s.delete(s.get(Price, pid))
        s.delete(s.get(Stock, pid))
        p.images = []
        p.attributes = dict(p.attributes, Cinsiyet="Uzaylı")
    with db.session_factory.begin() as s:
        from n11_desktop.core.mapping.store import set_attribute_rule

        set_attribute_rule(s, "Cinsiyet", 394)
        res = build_product_payload(s, pid)
        msgs = [x.message for x in res.problems]
        assert res.payload is None and not res.ok
        assert "Price data not found" in msgs and "Stock data not found" in msgs and "No image" in msgs
        assert "Value Uzaylı is not in N11's list for Cinsiyet" in msgs
        mugs = s.scalars(select(Product.id).where(Product.category == "Ev > Mutfak > Fincan & Kupa")).all()
        r = build_product_payload(s, mugs[0])
        assert [x.message for x in r.problems][0] == "Category mapping not found for Ev > Mutfak > Fincan & Kupa"
        # a product-level override wins over the local category mapping
        s.add(ProductCategory(product_id=mugs[0], category_id=SNEAKER))
        s.flush()
        assert build_product_payload(s, mugs[0]).category_id == SNEAKER


def test_mandatory_attribute_missing_is_reported(catalog_db):
    db = catalog_db
    with db.session_factory.begin() as s:
        set_category_mapping(s, "Giyim > Kadın > Elbise", ELBISE)
    load_attributes(db, ELBISE)
    mandatory = [a["name"] for a in data.category_attributes(ELBISE) if a["mandatory"] and a["id"] != 1]  # brand → Marka built in
    with db.session_factory.begin() as s:
        ids = s.scalars(select(Product.id).where(Product.category == "Giyim > Kadın > Elbise")).all()
        res = build_payloads(s, ids)
        msgs = {x.message for r in res for x in r.problems}
        for name in mandatory:
            assert f"Mandatory attribute {name} is missing" in msgs
        ready, total, top = summarize(res)
        assert total == len(ids) and ready == 0 and top[0][0] == "mandatory_attribute_missing"


def test_bulk_build_reads_each_table_once_per_chunk(catalog_db):
    from sqlalchemy import event

    db = catalog_db
    statements = []

    def count(*args):
        statements.append(args[2])

    with db.session_factory.begin() as s:
        ids = s.scalars(select(Product.id)).all()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            res = build_payloads(s, ids)
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
    assert len(res) == len(ids) == 296
    assert len(statements) < 20  # not one query per product


def test_custom_value_attributes_send_free_text(catalog_db):
    db = catalog_db
    with db.session_factory.begin() as s:
        set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", SNEAKER)
    load_attributes(db, SNEAKER)
    with db.session_factory.begin() as s:
        set_attribute_rule(s, "Renk", 429)  # Renk accepts free text on N11
        pid = _pid(s, "AYK-KSN-001-38")
        p = s.get(Product, pid)
        p.attributes = dict(p.attributes, Renk="Gece Mavisi")
        s.flush()
        sent = {a["id"]: a for a in build_product_payload(s, pid).draft["attributes"]}
        assert sent[429] == {"id": 429, "valueId": None, "customValue": "Gece Mavisi"}
        set_value_mapping(s, "Renk", "Gece Mavisi", custom_value="Lacivert Gece")
        sent = {a["id"]: a for a in build_product_payload(s, pid).draft["attributes"]}
        assert sent[429]["customValue"] == "Lacivert Gece"
