"""Per-product N11 category override (product_category): core rules and the CLI."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from n11_desktop.cli import main
from n11_desktop.core.catalog.importer import import_catalog
from n11_desktop.core.catalog.repo import product_row_by_sku
from n11_desktop.core.mapping.control import build_product_payload
from n11_desktop.core.mapping.product_category import (clear_product_category, leaf_choices, override_of,
                                                       set_product_category)
from n11_desktop.core.mapping.store import MappingError
from n11_desktop.core.storage.models import CategoryNode, Product, ProductCategory


def seed_tree(db):
    with db.session_factory.begin() as s:
        s.add(CategoryNode(id=500, parent_id=None, root_id=500, name="Ayakkabı", path="Ayakkabı", depth=0,
                           is_leaf=False))
        s.add(CategoryNode(id=501, parent_id=500, root_id=500, name="Sneaker", path="Ayakkabı > Sneaker", depth=1,
                           is_leaf=True))
        s.add(CategoryNode(id=502, parent_id=500, root_id=500, name="Terlik", path="Ayakkabı > Terlik", depth=1,
                           is_leaf=True, removed=True))
        s.add(CategoryNode(id=503, parent_id=500, root_id=500, name="Bot", path="Ayakkabı > Bot", depth=1,
                           is_leaf=True))


def seed_products(db, tmp_path):
    p = tmp_path / "c.csv"
    p.write_text("sku;title;category;price;stock;in_catalog\n"
                 "S-1;Kadın Sneaker;Ayakkabı > Kadın;100;3;1\n"
                 "S-2;Erkek Bot;Ayakkabı > Erkek;200;4;1\n", encoding="utf-8")
    assert import_catalog(db, p).ok
    with db.session_factory() as s:
        return {p.sku: p.id for p in s.scalars(select(Product))}


def versions(db):
    with db.session_factory() as s:
        return {p.sku: p.version for p in s.scalars(select(Product))}


@pytest.fixture
def shop(db, tmp_path):
    seed_tree(db)
    return seed_products(db, tmp_path)


def test_set_and_clear_bump_the_version_and_mapping_control_follows(db, shop):
    before = versions(db)
    with db.session_factory.begin() as s:
        ch = set_product_category(s, [shop["S-1"]], "501")
    assert (ch.category_id, ch.category_name, ch.changed, ch.unchanged) == (501, "Sneaker", 1, 0)
    after = versions(db)
    assert after["S-1"] == before["S-1"] + 1 and after["S-2"] == before["S-2"]
    with db.session_factory() as s:
        assert override_of(s, shop["S-1"]) == (501, "Sneaker")
        assert build_product_payload(s, shop["S-1"]).category_id == 501  # honoured over the (missing) mapping
        assert product_row_by_sku(s, "S-1").n11_category == 501
        assert product_row_by_sku(s, "S-2").n11_category is None
    with db.session_factory.begin() as s:  # the same again changes nothing
        ch = set_product_category(s, [shop["S-1"]], 501)
    assert (ch.changed, ch.unchanged) == (0, 1) and versions(db) == after
    with db.session_factory.begin() as s:
        ch = set_product_category(s, list(shop.values()), 503)  # moves S-1, adds S-2
    assert ch.changed == 2
    with db.session_factory.begin() as s:
        ch = clear_product_category(s, [shop["S-1"]])
    assert ch.changed == 1 and ch.category_id is None
    with db.session_factory() as s:
        assert override_of(s, shop["S-1"]) is None and override_of(s, shop["S-2"]) == (503, "Bot")
        assert build_product_payload(s, shop["S-1"]).category_id is None  # back to the (missing) mapping
    assert versions(db)["S-1"] == before["S-1"] + 3


@pytest.mark.parametrize("cid, reason", [
    ("abc", "must be a number"),
    (999999, "is not in the category tree"),
    (500, "is not a leaf category"),
    (502, "was removed by N11"),
])
def test_bad_ids_are_refused_with_the_reason_and_change_nothing(db, shop, cid, reason):
    before = versions(db)
    with pytest.raises(MappingError, match=reason):
        with db.session_factory.begin() as s:
            set_product_category(s, [shop["S-1"]], cid)
    with db.session_factory() as s:
        assert s.scalars(select(ProductCategory)).all() == []
    assert versions(db) == before


def test_leaf_choices_are_the_live_leaves(db, shop):
    with db.session_factory() as s:
        assert [(c.id, c.path) for c in leaf_choices(s)] == [(503, "Ayakkabı > Bot"), (501, "Ayakkabı > Sneaker")]


def test_cli_set_and_clear_category(db, shop, capsys):
    path = db.target()
    assert main(["--db", path, "products", "set-category", "S-1", "501"]) == 0
    out = capsys.readouterr().out
    assert "S-1: N11 category set to “Sneaker” (501)" in out
    assert main(["--db", path, "products", "list", "--json"]) == 0
    rows = {r["sku"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert rows["S-1"]["n11_category"] == 501 and rows["S-2"]["n11_category"] is None

    assert main(["--db", path, "products", "set-category", "S-1", "500"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "S-1" in err and "not a leaf category" in err and "nothing changed" in err
    assert main(["--db", path, "products", "set-category", "NOPE", "501"]) == 1
    assert "no product with SKU 'NOPE'" in capsys.readouterr().err

    assert main(["--db", path, "products", "clear-category", "S-1"]) == 0
    assert "S-1: N11 category override cleared" in capsys.readouterr().out
    assert main(["--db", path, "products", "clear-category", "S-1"]) == 0
    assert "had no N11 category override" in capsys.readouterr().out
    with db.session_factory() as s:
        assert s.scalars(select(ProductCategory)).all() == []
