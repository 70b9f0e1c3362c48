"""Accepting a page of suggestions above a confidence, undoing it, and teaching the suggestions
a word from the Mapper ("treat X as Y")."""

import pytest
from sqlalchemy import select

from n11_desktop.core.mapping.store import MappingError, load_local_categories, set_attribute_rule
from n11_desktop.core.mapping.suggest import (
    accept,
    best_per_item,
    operator_terms,
    remove_operator_term,
    set_operator_term,
    suggest_categories,
    undo_accept,
)
from n11_desktop.core.storage.models import AttributeRule, Product

from .mapping_fixtures import import_demo_catalog, load_attributes, load_tree


@pytest.fixture
def catalog_db(db):
    load_tree(db)
    import_demo_catalog(db)
    load_attributes(db, 1214202)
    return db


def _status(db):
    with db.session_factory.begin() as s:
        return {r.local: (r.status, r.n11_id) for r in load_local_categories(s)}


def test_accept_above_threshold_then_undo_puts_everything_back(catalog_db):
    db = catalog_db
    with db.session_factory.begin() as s:
        set_attribute_rule(s, "Renk", 429)  # an existing rule the page will overwrite
    before = _status(db)
    with db.session_factory.begin() as s:
        page = [x for x in best_per_item(suggest_categories(s)) if x.confidence >= 0.9]
        assert len(page) >= 8
        from n11_desktop.core.mapping.suggest import Suggestion

        page.append(Suggestion("attribute", "Renk", 1, "Marka", 0.95, "test", 0))
        res = accept(s, page)
        assert res.accepted == len(page) and len(res.undo) == len(page)
    after = _status(db)
    assert sum(1 for st, _ in after.values() if st == "mapped") >= 8
    with db.session_factory.begin() as s:
        assert undo_accept(s, res.undo) == len(page)
    assert _status(db) == before
    with db.session_factory.begin() as s:
        assert [(r.local_attribute, r.attribute_id) for r in s.scalars(select(AttributeRule))] == [("Renk", 429)]


def test_operator_term_changes_the_suggestion_and_says_so(catalog_db):
    db = catalog_db
    with db.session_factory.begin() as s:
        for p in s.scalars(select(Product).where(Product.category == "Ev > Mutfak > Fincan & Kupa")):
            p.category = "Ev > Mutfak > Mug Cup"
    with db.session_factory.begin() as s:
        assert set_operator_term(s, "Mug Cup", "Elbise") == "suggestions now treat “Mug Cup” as “Elbise”"
        assert operator_terms(s) == {"Mug Cup": "Elbise"}
        top = [x for x in suggest_categories(s) if x.local == "Ev > Mutfak > Mug Cup" and x.rank == 1][0]
        assert top.n11_name.endswith("Elbise") and "your term" in top.reason
        with pytest.raises(MappingError, match="both words"):
            set_operator_term(s, "  ", "Elbise")
        with pytest.raises(MappingError, match="already the same"):
            set_operator_term(s, "ELBİSE", "elbise")
        remove_operator_term(s, "mug cup")
        assert operator_terms(s) == {}
        with pytest.raises(MappingError, match="no term"):
            remove_operator_term(s, "Mug Cup")


def test_product_titles_of_the_local_category_reach_the_suggestion(catalog_db):
    db = catalog_db
    with db.session_factory.begin() as s:
        for p in s.scalars(select(Product).where(Product.category == "Ayakkabı > Kadın > Bot")):
            p.category = "YENİ SEZON > Çok Satanlar"  # the path says nothing about the products
    with db.session_factory.begin() as s:
        top = [x for x in suggest_categories(s) if x.local == "YENİ SEZON > Çok Satanlar" and x.rank == 1][0]
        assert top.n11_id == 1001799 and "product titles say" in top.reason  # Kadın Bot
        assert top.confidence < 0.85  # titles alone: shown, not accepted in bulk


def test_brands_of_accepted_categories_are_evidence(catalog_db):
    from n11_desktop.core.mapping.store import set_category_mapping

    with catalog_db.session_factory.begin() as s:
        set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", 1214202)
    with catalog_db.session_factory.begin() as s:
        top = [x for x in suggest_categories(s) if x.local == "Ayakkabı > Erkek > Sneaker" and x.rank == 1][0]
        assert top.n11_id == 1214222 and "is sold in “Ayakkabı & Çanta”" in top.reason
