"""Helpers for the Mapper tests: the real N11 tree and generated attributes stored without
HTTP (the sandbox's own seed data), and the demo catalog through the real importer."""

from __future__ import annotations

from n11_desktop.core.flows.category import store_leaf_attributes, sync_tree
from n11_desktop.core.n11.models import AttributeValue, CategoryAttribute
from n11_desktop.core.n11.models import CategoryNode as Remote
from n11_desktop.sandbox import data

ROOTS = (1001770, 1001873, 1001935)  # Ayakkabı & Çanta, Erkek Giyim, Kadın Giyim


def remote_tree() -> tuple[Remote, ...]:
    cats = data.categories()

    def build(cid: int) -> Remote:
        return Remote(cid, cats[cid].name, tuple(build(k) for k in cats[cid].children))

    return tuple(build(cid) for cid in data.top_level_ids())


def remote_attributes(cid: int, seed: int = 0) -> tuple[CategoryAttribute, ...]:
    return tuple(CategoryAttribute(a["id"], a["name"], a["mandatory"], a["variant"], a["slicer"], a["customValue"],
                                   a["multipleSelect"], a["order"],
                                   tuple(AttributeValue(v["id"], v["name"]) for v in a["values"]))
                 for a in data.category_attributes(cid, seed) or [])


def load_tree(db, roots=ROOTS) -> None:
    with db.session_factory.begin() as s:
        sync_tree(s, remote_tree(), tuple(roots))


def load_attributes(db, *cids: int, seed: int = 0) -> None:
    with db.session_factory.begin() as s:
        for cid in cids:
            store_leaf_attributes(s, cid, remote_attributes(cid, seed))


def import_demo_catalog(db) -> None:
    from n11_desktop.core.catalog.demo import seed_demo_catalog

    report = seed_demo_catalog(db)
    assert not report.errors
