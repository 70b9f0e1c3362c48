"""KPIs of seed §7.1 on a crafted catalog; expected values derived by hand from the definitions."""

from datetime import timedelta
from decimal import Decimal

import pytest

from n11_desktop.core import metrics, reports
from tests.monitoring.crafted import NOW, build_crafted

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)

@pytest.fixture
def crafted(db):
    return build_crafted(db)

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
