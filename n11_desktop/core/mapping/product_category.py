"""Per-product N11 category override (table ``product_category``; seed §8: "The product is listed
in the category [category name] on N11 with category ID [category ID]. You can enter this ID to
resend the product.").

Mapping Control and the product payload honour :class:`ProductCategory` over the local-category
mapping. Setting or clearing an override bumps the product version, so product_update (or
product_create, for products not on N11 yet) resends it with the new category.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ..flows.base import utcnow
from ..storage.models import CategoryNode, Product, ProductCategory
from .store import MappingError, check_leaf, load_tree


@dataclass(frozen=True, slots=True)
class OverrideChange:
    category_id: int | None  # the leaf set, None when cleared
    category_name: str
    changed: int  # products whose override changed (their version was bumped)
    unchanged: int  # products that already had it


@dataclass(frozen=True, slots=True)
class LeafChoice:
    id: int
    name: str
    path: str


def _bump(session: Session, ids: Sequence[int]) -> None:
    now = utcnow()
    for i in range(0, len(ids), 900):
        session.execute(update(Product).where(Product.id.in_(list(ids[i:i + 900])))
                        .values(version=Product.version + 1, version_date=now))


def set_product_category(session: Session, product_ids: Iterable[int], category_id: int | str) -> OverrideChange:
    """Put the products in N11 leaf ``category_id`` whatever their local category maps to.

    Refuses (``MappingError``, nothing changed) an id that is not a number, not in the tree,
    removed by N11 or not a leaf, exactly as the category mapping does.
    """
    node = check_leaf(session, category_id)
    ids = sorted({int(i) for i in product_ids})
    known = set()
    for i in range(0, len(ids), 900):
        known |= set(session.scalars(select(Product.id).where(Product.id.in_(ids[i:i + 900]))))
    missing = [i for i in ids if i not in known]
    if missing:
        raise MappingError(f"product {missing[0]} does not exist")
    changed: list[int] = []
    for i in range(0, len(ids), 900):
        part = ids[i:i + 900]
        existing = {pc.product_id: pc for pc in
                    session.scalars(select(ProductCategory).where(ProductCategory.product_id.in_(part)))}
        for pid in part:
            pc = existing.get(pid)
            if pc is None:
                session.add(ProductCategory(product_id=pid, category_id=node.id))
                changed.append(pid)
            elif pc.category_id != node.id:
                pc.category_id = node.id
                changed.append(pid)
    session.flush()
    _bump(session, changed)
    return OverrideChange(node.id, node.name, len(changed), len(ids) - len(changed))


def clear_product_category(session: Session, product_ids: Iterable[int]) -> OverrideChange:
    """Drop the override: the products follow their local-category mapping again."""
    ids = sorted({int(i) for i in product_ids})
    changed: list[int] = []
    for i in range(0, len(ids), 900):
        part = ids[i:i + 900]
        had = list(session.scalars(select(ProductCategory.product_id).where(ProductCategory.product_id.in_(part))))
        if had:
            session.execute(delete(ProductCategory).where(ProductCategory.product_id.in_(had)))
            changed.extend(had)
    _bump(session, changed)
    return OverrideChange(None, "", len(changed), len(ids) - len(changed))


def product_id_for_sku(session: Session, sku: str) -> int:
    pid = session.scalars(select(Product.id).where(Product.sku == sku)).first()
    if pid is None:
        raise MappingError(f"no product with SKU {sku!r}")
    return int(pid)


def override_of(session: Session, product_id: int) -> tuple[int, str] | None:
    """(leaf id, leaf name or "") of the product's override, None without one."""
    row = session.execute(select(ProductCategory.category_id, CategoryNode.name)
                          .outerjoin(CategoryNode, CategoryNode.id == ProductCategory.category_id)
                          .where(ProductCategory.product_id == int(product_id))).first()
    return None if row is None else (int(row[0]), row[1] or "")


def leaf_choices(session: Session) -> tuple[LeafChoice, ...]:
    """Every leaf products can be put in (not removed), for the picker."""
    return tuple(LeafChoice(r.id, r.name, r.path) for r in load_tree(session) if r.is_leaf)
