"""A crafted catalog whose KPI values are derived by hand from seed §7.1 (see test_metrics)."""

from datetime import datetime
from decimal import Decimal

from n11_desktop.core.storage.models import (
    CatalogItem,
    CategoryMapping,
    Price,
    Product,
    ProductCategory,
    RemoteProduct,
    Stock,
)

NOW = datetime(2026, 11, 27, 12, 0)
IMG = ["https://img.example.com/a.jpg"]


def add(s, sku, *, price="100.00", list_price=None, stock=10, cat="Ayakkabı > Sneaker", images=IMG, in_catalog=True,
        removed=False, active=True, ptype="simple", remote=None):
    p = Product(sku=sku, product_code=sku, title=f"Ürün {sku} uzun başlık", category=cat, images=images,
                active=active, product_type=ptype)
    if price is not None:
        p.price = Price(price=Decimal(price), list_price=Decimal(list_price or price))
    if stock is not None:
        p.stock = Stock(quantity=stock)
    if in_catalog:
        p.catalog_item = CatalogItem(removed_at=NOW if removed else None)
    s.add(p)
    s.flush()
    if remote:
        status, sale, rprice, rlist, rqty = remote
        s.add(RemoteProduct(stock_code=sku, status=status, sale_status=sale, sale_price=Decimal(rprice),
                            list_price=Decimal(rlist), quantity=rqty, fetched_at=NOW))
    return p


def build_crafted(db):
    with db.session_factory.begin() as s:
        s.add(CategoryMapping(local_category="Ayakkabı > Sneaker", category_id=1001771))
        # A: in catalog, saleable, on sale, price & stock match            -> catalog, on sale
        add(s, "A", remote=("Active", "On_Sale", "100.00", "100.00", 10))
        # B: on sale, N11 sale price differs                                -> price diff
        add(s, "B", price="90.00", list_price="120.00", stock=5, remote=("Active", "On_Sale", "95.00", "120.00", 5))
        # C: on sale, N11 quantity differs (ours 7, theirs 3)               -> stock diff
        add(s, "C", stock=7, remote=("Active", "On_Sale", "100.00", "100.00", 3))
        # D: saleable, not on N11 at all                                     -> SKU difference
        add(s, "D", stock=4)
        # E: in catalog, no price (not saleable), not on sale                -> stock difference only
        add(s, "E", price=None, stock=6)
        # F: in catalog, stock 0, not on sale                                -> not saleable
        add(s, "F", stock=0)
        # G: in catalog, no image                                            -> not saleable
        add(s, "G", images=[], stock=2)
        # H: unmapped category but an explicit product_category override   -> saleable, waiting approval on N11
        h = add(s, "H", cat="Bilinmeyen", stock=8, remote=("InCatalogApproval", "Before_Sale", "100.00", "100.00", 8))
        s.add(ProductCategory(product_id=h.id, category_id=1001772))
        # I: unmapped category, no override                                  -> not saleable
        add(s, "I", cat="Bilinmeyen", stock=9)
        # J: removed from catalog but still on sale on N11                   -> on sale, not in catalog
        add(s, "J", removed=True, stock=1, remote=("Active", "On_Sale", "100.00", "100.00", 1))
        # K: inactive product in catalog                                     -> not counted in catalog KPIs
        add(s, "K", active=False, stock=50)
        # L: not a simple product                                            -> not counted
        add(s, "L", ptype="bundle", stock=50)
        # M: in catalog, N11 says CatalogRejected                            -> SKU difference (saleable)
        add(s, "M", stock=3, remote=("CatalogRejected", "Before_Sale", "100.00", "100.00", 0))
    return db


