"""Defaults for mandatory N11 attributes the catalog does not carry (Menşei, Cinsiyet, …)."""

import pytest
from sqlalchemy import select

from n11_desktop.core.mapping.control import build_payloads
from n11_desktop.core.mapping.defaults import attribute_defaults, remove_attribute_default, set_attribute_default
from n11_desktop.core.mapping.detail import category_detail
from n11_desktop.core.mapping.store import MappingError, set_attribute_rule, set_category_mapping
from n11_desktop.core.storage.models import Product

from .mapping_fixtures import import_demo_catalog, load_attributes, load_tree
from .test_mapping_value_scope import _vid

ELBISE, TSHIRT = 1209218, 1001915
MENSEI, CINSIYET = 463, 394


@pytest.fixture
def elbise_db(db):
    load_tree(db)
    import_demo_catalog(db)
    load_attributes(db, ELBISE, TSHIRT)
    with db.session_factory.begin() as s:
        set_category_mapping(s, "Giyim > Kadın > Elbise", ELBISE)
        set_category_mapping(s, "Giyim > Erkek > Tişört", TSHIRT)
        for name, aid in (("Renk", 429), ("Beden", 361), ("brand", 1)):
            set_attribute_rule(s, name, aid)
        for p in s.scalars(select(Product).where(Product.category.in_(["Giyim > Kadın > Elbise",
                                                                       "Giyim > Erkek > Tişört"]))):
            p.attributes = {k: v for k, v in (p.attributes or {}).items() if k in ("Renk", "Beden")}
    return db


def _products(s, local):
    return s.scalars(select(Product.id).where(Product.category == local)).all()


def _problems(s, ids):
    return {p.code + ":" + p.field for r in build_payloads(s, ids) for p in r.problems}


def test_default_fills_a_mandatory_attribute_the_catalog_lacks(elbise_db):
    with elbise_db.session_factory.begin() as s:
        ids = _products(s, "Giyim > Kadın > Elbise")
        assert "mandatory_attribute_missing:attributes.Menşei" in _problems(s, ids)
        tr = _vid(s, ELBISE, MENSEI, "Türkiye")
        ch = set_attribute_default(s, MENSEI, value_id=tr, category_id=ELBISE)
        assert ch.action == "added" and "Türkiye" in ch.message
    with elbise_db.session_factory.begin() as s:
        res = build_payloads(s, ids)
        assert "mandatory_attribute_missing:attributes.Menşei" not in _problems(s, ids)
        sent = [a for a in (res[0].payload or res[0].draft)["attributes"] if a["id"] == MENSEI]
        assert sent == [{"id": MENSEI, "valueId": tr, "customValue": None}]
        detail = category_detail(s, "Giyim > Kadın > Elbise")
        view = next(v for v in detail.attributes if v.attribute.attribute_id == MENSEI)
        assert view.fallback == "Türkiye (this category)"


def test_global_default_matches_each_leafs_list_by_name_and_the_products_own_value_wins(elbise_db):
    with elbise_db.session_factory.begin() as s:
        set_attribute_default(s, MENSEI, custom_value="Türkiye")  # every category offering Menşei
        set_attribute_rule(s, "Menşei", MENSEI)
        tshirt = _products(s, "Giyim > Erkek > Tişört")
        own = s.get(Product, tshirt[0])
        own.attributes = dict(own.attributes, **{"Menşei": "Çin"})
    with elbise_db.session_factory.begin() as s:
        elbise = _products(s, "Giyim > Kadın > Elbise")
        tr_e, tr_t, cin = _vid(s, ELBISE, MENSEI, "Türkiye"), _vid(s, TSHIRT, MENSEI, "Türkiye"), \
            _vid(s, TSHIRT, MENSEI, "Çin")
        got = {}
        for r in build_payloads(s, [elbise[0], *tshirt[:2]]):
            got[r.product_id] = [a["valueId"] for a in (r.payload or r.draft)["attributes"] if a["id"] == MENSEI]
        assert got == {elbise[0]: [tr_e], tshirt[0]: [cin], tshirt[1]: [tr_t]}
        assert remove_attribute_default(s, MENSEI).action == "removed"
        assert attribute_defaults(s) == {}


def test_bad_defaults_are_refused_with_one_line(elbise_db):
    with elbise_db.session_factory.begin() as s:
        with pytest.raises(MappingError, match="not in N11's list"):
            set_attribute_default(s, MENSEI, value_id=987654, category_id=ELBISE)
        with pytest.raises(MappingError, match="does not accept free text"):
            set_attribute_default(s, CINSIYET, custom_value="Herkes")
        with pytest.raises(MappingError, match="does not offer"):
            set_attribute_default(s, 517, value_id=1, category_id=ELBISE)  # Yaka Tipi: T-shirts only
        with pytest.raises(MappingError, match="choose an N11 value"):
            set_attribute_default(s, MENSEI)
        assert attribute_defaults(s) == {}
