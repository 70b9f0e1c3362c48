"""The four category flows against the sandbox over real loopback HTTP."""

import pytest
from sqlalchemy import func, select

from n11_desktop.core.flows import run_flow
from n11_desktop.core.flows.category import fetch_leaf_attributes, load_compare_report
from n11_desktop.core.mapping.store import set_attribute_rule, set_category_mapping, set_value_mapping
from n11_desktop.core.settings import ensure_channel
from n11_desktop.core.storage.models import (
    AttributeRule,
    AttributeValue,
    CategoryAttribute,
    CategoryNode,
    DefaultAttribute,
    FlowRun,
    Product,
)
from n11_desktop.sandbox import data

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)

SNEAKER, TSHIRT = 1214202, 1001915


def _set_ids(db, ids):
    with db.session_factory.begin() as s:
        ch = ensure_channel(s)
        ch.conf = dict(ch.conf, category_ids=list(ids))


def test_category_node_pulls_updates_and_marks_removed(configured_db):
    db = configured_db
    _set_ids(db, [])
    res = run_flow("category_node", db)
    assert not res.ok and "Category Ids" in res.message
    _set_ids(db, [1001770, 1001873, 999_999_999])
    res = run_flow("category_node", db)
    assert res.ok, res.message
    expected = sum(1 for c in data.categories().values()
                   if any(p.id in (1001770, 1001873) for p in data.category_path(c.id)))
    assert res.total == expected and "not found on N11: 999999999" in res.message
    with db.session_factory.begin() as s:
        sneaker = s.get(CategoryNode, SNEAKER)
        assert sneaker.is_leaf and sneaker.root_id == 1001770 and sneaker.depth == 4
        assert sneaker.path == "Ayakkabı & Çanta > Kadın Ayakkabı > Kadın Günlük Ayakkabı > Kadın Sneaker"
        assert not s.get(CategoryNode, 1001794).is_leaf
        # local state drifted: a stale name, a node moved, a node N11 no longer has
        sneaker.name = "Eski Ad"
        s.get(CategoryNode, 1214222).parent_id = 1001794
        s.add(CategoryNode(id=42, parent_id=1001770, root_id=1001770, name="Gone", path="x", depth=2, is_leaf=True))
    res = run_flow("category_node", db)
    assert res.ok and "1 renamed" in res.message and "1 moved" in res.message and "1 marked removed" in res.message
    with db.session_factory.begin() as s:
        assert s.get(CategoryNode, SNEAKER).name == "Kadın Sneaker"
        assert s.get(CategoryNode, 1214222).parent_id == 1214219
        assert s.get(CategoryNode, 42).removed
    _set_ids(db, [1001770])  # Erkek Giyim dropped from the settings: its nodes are marked removed
    res = run_flow("category_node", db)
    with db.session_factory.begin() as s:
        assert s.get(CategoryNode, TSHIRT).removed and not s.get(CategoryNode, SNEAKER).removed
    runs = None
    with db.session_factory.begin() as s:
        runs = s.scalar(select(func.count()).select_from(FlowRun).where(FlowRun.flow == "category_node"))
    assert runs == 4  # every run is recorded, the refused one included


def test_attributes_defaults_and_compare(configured_db, sandbox):
    db = configured_db
    _set_ids(db, [1001770, 1001873])
    assert run_flow("category_node", db).ok
    res = run_flow("category_attributes", db)
    assert res.ok and res.total == 0 and "no local category is mapped" in res.message
    with db.session_factory.begin() as s:
        set_category_mapping(s, "Ayakkabı > Kadın > Sneaker", SNEAKER)
        set_category_mapping(s, "Giyim > Erkek > Tişört", TSHIRT)
    res = run_flow("category_attributes", db)
    assert res.ok and (res.total, res.succeeded) == (2, 2)
    with db.session_factory.begin() as s:
        attrs = {a.attribute_id: a for a in s.scalars(select(CategoryAttribute).where(
            CategoryAttribute.category_id == SNEAKER))}
        marka = attrs[1]
        assert marka.name == "Marka" and marka.mandatory and marka.custom_value
        numara = attrs[370]
        assert numara.variant and not numara.custom_value
        n_values = s.scalar(select(func.count()).select_from(AttributeValue).where(
            AttributeValue.category_attribute_id == numara.id))
        assert n_values == 11
    res = run_flow("create_default_attributes", db)
    assert res.ok and "brand → Marka" in res.message
    assert "brand → Marka" not in run_flow("create_default_attributes", db).message  # idempotent
    with db.session_factory.begin() as s:
        codes = set(s.scalars(select(DefaultAttribute.code)))
        assert {"remote_id", "title", "description", "brand", "barcode", "sale_price", "list_price"} <= codes
        assert s.scalars(select(AttributeRule).where(AttributeRule.local_attribute == "brand")).one().attribute_id == 1
    # a value mapping that N11 will drop
    renk_values = {v["name"]: v["id"] for a in data.category_attributes(SNEAKER, 0) if a["id"] == 429
                   for v in a["values"]}
    renk_after = {v["name"] for a in data.category_attributes(SNEAKER, 5) if a["id"] == 429 for v in a["values"]}
    dropped = sorted(set(renk_values) - renk_after)[0]
    with db.session_factory.begin() as s:
        set_attribute_rule(s, "Color", 429)
        set_value_mapping(s, "Color", "X", value_id=renk_values[dropped], category_id=SNEAKER)
        for i in range(2):  # two products send the dropped colour by its name (no value map)
            s.add(Product(sku=f"S{i}", product_code="S", category="Ayakkabı > Kadın > Sneaker",
                          attributes={"Color": dropped.upper()}))
    res = run_flow("compare_attributes", db)
    assert res.ok and "no changes" in res.message
    sandbox.state.seed = 5  # N11 changes its attribute values
    res = run_flow("compare_attributes", db)
    assert res.ok and "removed" in res.message and "broken" in res.message
    with db.session_factory.begin() as s:
        report = load_compare_report(s)
        kinds = {c.change for c in report.changes}
        assert {"added", "removed"} <= kinds
        assert any(c.change == "removed" and c.old == dropped and c.category_id == SNEAKER for c in report.changes)
        assert [(b.kind, b.local) for b in report.broken] == [("value", "Color=X"),
                                                              ("catalog_value", f"Color={dropped.upper()}")]
        assert "2 products send it by name" in report.broken[1].reason
        removed = s.scalars(select(AttributeValue).where(AttributeValue.value_id == renk_values[dropped])).all()
        assert removed and all(v.removed for v in removed if v.category_attribute_id in
                               {a.id for a in s.scalars(select(CategoryAttribute).where(
                                   CategoryAttribute.category_id == SNEAKER))})


def test_fetch_leaf_attributes_on_demand_refuses_non_leaf(configured_db):
    import pytest

    from n11_desktop.core.n11.client import N11Client
    from n11_desktop.core.settings import load_config

    db = configured_db
    _set_ids(db, [1001770])
    assert run_flow("category_node", db).ok
    with db.session_factory.begin() as s:
        conf = load_config(s).conf
    with N11Client(conf["base_url"], conf["app_key"], conf["app_secret"]) as client:
        res = fetch_leaf_attributes(db, client, SNEAKER)
        assert res.first_fetch and res.attributes >= 4
        with pytest.raises(ValueError, match="not a leaf"):
            fetch_leaf_attributes(db, client, 1001794)
