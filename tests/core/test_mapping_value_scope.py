"""Value maps written for all categories apply wherever the attribute is mapped — also where the
attribute is mapped per category (Beden → Beden in clothing, Beden → Numara in shoes)."""

import pytest
from sqlalchemy import select

from n11_desktop.core.mapping.control import build_payloads
from n11_desktop.core.mapping.store import MappingError, set_attribute_rule, set_category_mapping, set_value_mapping
from n11_desktop.core.storage.models import AttributeValue, CategoryAttribute, Product

from .mapping_fixtures import import_demo_catalog, load_attributes, load_tree

SNEAKER, TSHIRT, ELBISE = 1214202, 1001915, 1209218
BEDEN, NUMARA = 361, 370


def _vid(s, leaf, aid, name):
    return s.scalars(select(AttributeValue.value_id).join(
        CategoryAttribute, CategoryAttribute.id == AttributeValue.category_attribute_id).where(
        CategoryAttribute.category_id == leaf, CategoryAttribute.attribute_id == aid,
        AttributeValue.name == name)).one()


def _one(s, local, attrs):
    p = s.scalars(select(Product).where(Product.category == local).order_by(Product.id)).first()
    p.attributes = dict(p.attributes or {}, **attrs)
    return p.id


def _sent(s, pid, aid):
    res = build_payloads(s, [pid])[0]
    draft = res.payload or res.draft
    hit = [a for a in draft.get("attributes", []) if a["id"] == aid]
    return (hit[0]["valueId"], hit[0]["customValue"]) if hit else None, [p.message for p in res.problems]


@pytest.fixture
def scoped_db(db):
    load_tree(db)
    import_demo_catalog(db)
    load_attributes(db, SNEAKER, TSHIRT, ELBISE)
    with db.session_factory.begin() as s:
        for local, leaf in (("Ayakkabı > Kadın > Sneaker", SNEAKER), ("Giyim > Erkek > Tişört", TSHIRT),
                            ("Giyim > Kadın > Elbise", ELBISE)):
            set_category_mapping(s, local, leaf)
        # "Beden" is mapped per category only: N11 calls it Beden in clothing and Numara in shoes
        set_attribute_rule(s, "Beden", NUMARA, SNEAKER)
        set_attribute_rule(s, "Beden", BEDEN, TSHIRT)
        set_attribute_rule(s, "Beden", BEDEN, ELBISE)
    return db


def test_global_value_map_for_an_attribute_mapped_per_category(scoped_db):
    with scoped_db.session_factory.begin() as s:
        tshirt = _one(s, "Giyim > Erkek > Tişört", {"Beden": "Medium"})
        elbise = _one(s, "Giyim > Kadın > Elbise", {"Beden": "Medium"})
        sneaker = _one(s, "Ayakkabı > Kadın > Sneaker", {"Beden": "Otuz Sekiz"})
        m_tshirt, m_elbise = _vid(s, TSHIRT, BEDEN, "M"), _vid(s, ELBISE, BEDEN, "M")
        n38 = _vid(s, SNEAKER, NUMARA, "38")
        assert _sent(s, tshirt, BEDEN)[0] is None  # "Medium" is not an N11 size: blocked before
        # written for all categories although no global rule exists (was: "map the attribute first")
        ch = set_value_mapping(s, "Beden", "Medium", value_id=m_tshirt)
        assert ch.action == "added"
        assert set_value_mapping(s, "Beden", "Otuz Sekiz", custom_value="38").action == "added"
    with scoped_db.session_factory.begin() as s:
        assert _sent(s, tshirt, BEDEN)[0] == (m_tshirt, None)
        assert _sent(s, elbise, BEDEN)[0] == (m_elbise, None)  # same value name in the other leaf's list
        assert _sent(s, sneaker, NUMARA)[0] == (n38, None)  # by N11 value name, to Numara
        # a map for one category wins over the global one there, and only there
        l_elbise = _vid(s, ELBISE, BEDEN, "L")
        set_value_mapping(s, "Beden", "Medium", value_id=l_elbise, category_id=ELBISE)
    with scoped_db.session_factory.begin() as s:
        assert _sent(s, elbise, BEDEN)[0] == (l_elbise, None)
        assert _sent(s, tshirt, BEDEN)[0] == (m_tshirt, None)


def test_global_value_map_still_needs_the_attribute_mapped_somewhere(scoped_db):
    with scoped_db.session_factory.begin() as s:
        with pytest.raises(MappingError, match="map the attribute first"):
            set_value_mapping(s, "Yaka", "V", custom_value="V Yaka")
        with pytest.raises(MappingError, match="not in N11's list"):
            set_value_mapping(s, "Beden", "Medium", value_id=987654321)
        with pytest.raises(MappingError, match="does not accept free text"):
            set_value_mapping(s, "Beden", "Dev", custom_value="Kocaman")  # Beden/Numara take listed values only
