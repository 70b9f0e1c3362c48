"""Test helpers for the product flows: a small catalog mapped so the sandbox accepts it."""

from __future__ import annotations

import time

from datetime import timedelta
from decimal import Decimal

from n11_desktop.core.flows import run_flow
from n11_desktop.core.storage.models import (
    AttributeRule,
    AttributeValue,
    CategoryAttribute,
    CategoryNode,
    CatalogItem,
    CategoryMapping,
    Price,
    Product,
    Stock,
    utcnow,
)

LEAF = 1000002  # a sandbox leaf; mandatory: Marka(1), Renk(429), Boyut(488), Güç(544), all custom-valued
LOCAL_CATEGORY = "Elektronik > Test"


def seed_catalog(db, n: int = 3, *, prefix: str = "SKU", price: str = "100.00", stock: int = 10,
                 with_price: bool = True, with_stock: bool = True, start: int = 1) -> list[str]:
    skus = []
    with db.session_factory.begin() as s:
        if not s.query(CategoryMapping).count():
            _seed_leaf(s)
            s.add(CategoryMapping(local_category=LOCAL_CATEGORY, category_id=LEAF))
            for name, aid in (("brand", 1), ("Renk", 429), ("Boyut", 488), ("Güç", 544)):
                s.add(AttributeRule(local_attribute=name, attribute_id=aid, category_id=0))
        for i in range(start, start + n):
            sku = f"{prefix}-{i:04d}"
            p = Product(sku=sku, product_code=sku, title=f"Test ürünü numara {i} uzun başlık",
                        description="<p>Açıklama</p>", brand="Acme", vat_rate=20,
                        images=[f"https://cdn.example.com/{sku}.jpg"], category=LOCAL_CATEGORY,
                        attributes={"Renk": "Kırmızı", "Boyut": "M", "Güç": "10W"}, preparing_day=2,
                        shipment_template="Standart", active=True)
            s.add(p)
            s.flush()
            if with_price:
                s.add(Price(product_id=p.id, price=Decimal(price), list_price=Decimal(price) + 20, currency="TL"))
            if with_stock:
                s.add(Stock(product_id=p.id, quantity=stock))
            s.add(CatalogItem(product_id=p.id))
            skus.append(sku)
    return skus


def _seed_leaf(s) -> None:
    """The sandbox leaf and its attributes, as category_node / category_attributes would store them."""
    from n11_desktop.sandbox import data

    cat = data.categories()[LEAF]
    s.add(CategoryNode(id=LEAF, parent_id=cat.parent_id, root_id=cat.parent_id or LEAF, name=cat.name,
                       path=cat.name, depth=cat.depth, is_leaf=True, attributes_fetched_at=utcnow()))
    s.flush()
    for a in data.category_attributes(LEAF, 0):
        ca = CategoryAttribute(category_id=LEAF, attribute_id=a["id"], name=a["name"], mandatory=a["mandatory"],
                               custom_value=a["customValue"], multiple=bool(a.get("multipleSelect")),
                               order=a.get("order") or 0)
        s.add(ca)
        s.flush()
        for v in a["values"]:
            s.add(AttributeValue(category_attribute_id=ca.id, value_id=v["id"], name=v["name"]))


def run(db, slug, **kw):
    return run_flow(slug, db, **kw)


def later(minutes: float = 3):
    t = utcnow() + timedelta(minutes=minutes)
    return lambda: t


def drain(db, sandbox, *, rounds: int = 5, **kw):
    """Let N11 process every queued task and collect the results (bounded loop, no sleeps)."""
    res = None
    for _ in range(rounds):
        sandbox.state.process_tasks_now()
        res = run_flow("task_results", db, **kw)
        if "still in N11's queue" not in (res.message or ""):
            break
    return res


def create_tasks(sandbox):
    return [t for t in sandbox.state.tasks.values() if t["type"] == "PRODUCT_CREATE"]


def wait_for(pred, timeout: float = 30.0) -> bool:
    """Poll ``pred`` (another process's progress: no Qt signal to wait on) until it holds or
    ``timeout`` seconds pass; whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return True
        time.sleep(0.05)
    return False
