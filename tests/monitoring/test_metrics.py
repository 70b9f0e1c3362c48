"""KPIs of seed §7.1 on a crafted catalog; expected values derived by hand from the definitions."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from n11_desktop.core import metrics, reports
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


@pytest.fixture
def crafted(db):
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


def test_eight_kpis_by_hand(crafted):
    with crafted.session_factory() as s:
        k = metrics.compute_kpis(s)
    # 1: A B C D E F G H I M (J removed, K inactive, L bundle)
    assert k.total_sku_in_catalog == 10
    # 2: A B C J
    assert k.skus_on_sale == 4
    # 3: saleable in catalog not on sale: D H M  (E no price, F stock 0, G no image, I no category)
    assert k.total_sku_difference == 3
    # 4: B
    assert k.skus_with_price_difference == 1
    # 5: 10+5+7+4+6+0+2+8+9+3
    assert k.total_stock_in_catalog == 54
    # 6: N11 quantities of A B C J: 10+5+3+1
    assert k.total_stock_on_sale == 19
    # 7: catalog not on sale: D4 E6 F0 G2 H8 I9 M3
    assert k.total_stock_difference == 32
    # 8: C
    assert k.skus_with_stock_difference == 1


def test_buffer_stock_changes_stock_difference(crafted):
    with crafted.session_factory() as s:
        # with Buffer Stock 2 we would send A 8 (N11 10), B 3 (5), C 5 (3), J 0 (1): all differ
        assert metrics.compute_kpis(s, buffer_stock=2).skus_with_stock_difference == 4


def test_members_are_the_skus_behind_each_kpi(crafted):
    with crafted.session_factory() as s:
        assert [m.sku for m in metrics.kpi_members(s, "total_sku_difference")] == ["D", "H", "M"]
        assert [m.sku for m in metrics.kpi_members(s, "skus_with_price_difference")] == ["B"]
        assert [m.sku for m in metrics.kpi_members(s, "skus_on_sale")] == ["A", "B", "C", "J"]
        for name in metrics.KPI_NAMES:
            assert name in metrics.KPI_LABELS
            metrics.kpi_members(s, name)


def test_reports_give_reasons_and_differences(crafted, tmp_path):
    with crafted.session_factory() as s:
        rows = {r.sku: r for r in reports.not_on_sale(s)}
        diffs = {r.sku: r for r in reports.price_stock_differences(s)}
    assert set(rows) == {"D", "E", "F", "G", "H", "I", "M"}
    assert rows["E"].reason == "Price data not found"
    assert rows["F"].reason == "No stock"
    assert rows["G"].reason == "No image"
    assert rows["I"].reason == "No N11 category"
    assert rows["D"].reason == "Not sent to N11 yet"
    assert rows["H"].reason.startswith("This product is already pending approval")
    assert rows["M"].reason.startswith("Rejected by N11")
    assert set(diffs) == {"B", "C"}
    assert diffs["B"].kind == "price" and diffs["B"].n11_price == Decimal("95.00")
    assert diffs["C"].kind == "stock" and (diffs["C"].local_quantity, diffs["C"].n11_quantity) == (7, 3)
    out = tmp_path / "report.csv"
    assert reports.export_csv(list(rows.values()), out) == 7
    text = out.read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "product_id,sku,title,reason,fix" and "Ürün" in text


def test_snapshots_feed_history(crafted):
    with crafted.session_factory.begin() as s:
        for i in range(5):
            metrics.take_snapshot(s, NOW - timedelta(hours=5 - i))
    with crafted.session_factory() as s:
        series = metrics.kpi_history(s, NOW - timedelta(days=1), ("skus_on_sale", "queue_depth"))
    assert [se.name for se in series] == ["skus_on_sale", "queue_depth"]
    assert series[0].y == (4.0,) * 5 and len(series[0].x) == 5
    assert series[1].y[0] >= 1  # nothing was ever sent: the whole catalog is waiting
