"""The penalty box: seed §3 rules, seed §8 messages, CSV uploads."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from n11_desktop.core import penalty
from n11_desktop.core.settings import ChannelConfig
from n11_desktop.core.settings.defaults import default_failed_integration
from n11_desktop.core.storage.models import FailedIntegration, Price, Product, Stock

T0 = datetime(2026, 11, 27, 9, 0, 0)


def _config(drop=(), **rules) -> ChannelConfig:
    fi = default_failed_integration()
    for ct in drop:
        fi.pop(ct, None)
    for ct, rule in rules.items():
        fi[ct] = rule
    return ChannelConfig(channel_id=1, name="N11", is_active=True, conf={"failed_integration": fi})


def _product(db, sku="SKU-1") -> int:
    with db.session_factory.begin() as s:
        p = Product(sku=sku, product_code=sku, title="t" * 20)
        s.add(p)
        s.flush()
        s.add(Price(product_id=p.id, price=10, list_price=10))
        s.add(Stock(product_id=p.id, quantity=1))
        return p.id


def test_seed_section_3_example_new_interval_applies_to_the_next_penalty(db):
    pid = _product(db)
    three_h = _config(productstock={"RETRY_INTERVAL": 3 * 3600, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 3})
    with db.session_factory.begin() as s:
        row = penalty.penalize(s, "productstock", pid, "SKU-1", "remote", penalty.MSG_PRODUCT_NOT_FOUND, three_h, T0)
    assert row.next_retry_at == T0 + timedelta(hours=3)
    with db.session_factory() as s:
        assert not penalty.eligible(s, "productstock", pid, T0 + timedelta(hours=2, minutes=59))
        assert penalty.eligible(s, "productstock", pid, T0 + timedelta(hours=3))
    # the operator changes the retry interval to 2 hours; the stock update fails again after 3 h
    two_h = _config(productstock={"RETRY_INTERVAL": 2 * 3600, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 3})
    t1 = T0 + timedelta(hours=3)
    with db.session_factory.begin() as s:
        row = penalty.penalize(s, "productstock", pid, "SKU-1", "remote", penalty.MSG_PRODUCT_NOT_FOUND, two_h, t1)
    assert row.retry_count == 1
    assert row.next_retry_at == t1 + timedelta(hours=2)


def test_content_type_rule_wins_over_default_and_max_retry_count_exhausts(db):
    pid = _product(db)
    cfg = _config(product={"RETRY_INTERVAL": 60, "EXPIRATION_DATE": 86400, "MAX_RETRY_COUNT": 2},
                  DEFAULT={"RETRY_INTERVAL": 99999, "EXPIRATION_DATE": 999999, "MAX_RETRY_COUNT": 9})
    t = T0
    rows = []
    for _ in range(3):
        with db.session_factory.begin() as s:
            rows.append(penalty.penalize(s, "product", pid, "SKU-1", "mapping", "Mapping missing", cfg, t))
        t += timedelta(seconds=61)
    assert rows[0].next_retry_at == T0 + timedelta(seconds=60)
    assert rows[1].retry_count == 1 and rows[1].next_retry_at is not None
    assert rows[2].retry_count == 2 and rows[2].next_retry_at is None and rows[2].exhausted
    with db.session_factory() as s:
        assert not penalty.eligible(s, "product", pid, T0 + timedelta(days=30))


def test_expiration_date_stops_retries(db):
    pid = _product(db)
    # no productprice rule: DEFAULT applies
    cfg = _config(drop=("productprice",), DEFAULT={"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601,
                                                   "MAX_RETRY_COUNT": 10})
    t = T0
    out = []
    for _ in range(3):
        with db.session_factory.begin() as s:
            out.append(penalty.penalize(s, "productprice", pid, "SKU-1", "remote", "x", cfg, t))
        t += timedelta(seconds=28800)
    assert out[0].next_retry_at and out[1].next_retry_at  # 8 h and 16 h still inside 57601 s
    assert out[2].next_retry_at is None  # 24 h would be after EXPIRATION_DATE
    assert out[2].expires_at == T0 + timedelta(seconds=57601)


def test_success_clears_the_penalty(db):
    pid = _product(db)
    with db.session_factory.begin() as s:
        penalty.penalize(s, "product", pid, "SKU-1", "remote", "x", _config(), T0)
        penalty.clear(s, "product", [pid], T0)
    with db.session_factory() as s:
        assert penalty.eligible(s, "product", pid, T0)
        assert penalty.list_penalties(s) == ()


def test_success_lifts_only_the_penalties_of_the_records_that_succeeded(db):
    """Whether the box holds fewer or more active penalties of a type than records succeeded."""
    pids = [_product(db, f"SKU-{i}") for i in range(4)]
    with db.session_factory.begin() as s:
        for pid in pids[:3]:
            penalty.penalize(s, "product", pid, f"SKU-{pid}", "remote", "x", _config(), T0)
        penalty.penalize(s, "productstock", pids[0], "SKU-0", "remote", "x", _config(), T0)
        assert penalty.clear(s, "product", [pids[1]], T0) == 1  # three active, one cleared
        assert penalty.clear(s, "product", [pids[2], pids[3]], T0) == 1  # two active, one of ours
    with db.session_factory() as s:
        assert not penalty.eligible(s, "product", pids[0], T0)
        assert all(penalty.eligible(s, "product", pid, T0) for pid in pids[1:])
        assert not penalty.eligible(s, "productstock", pids[0], T0)


def test_translate_n11_reasons_into_seed_messages():
    assert penalty.translate_reason(["Ürün bulunamadı (stockCode: A1)."]) == "Product not found"
    assert penalty.translate_reason(
        ["Stok kodu (A1) başka bir ürün (productMainId: XK-9) tarafından kullanılmaktadır."]) == (
        "The product you entered is listed with XK-9 seller code on your side. "
        "You can update your product through this product.")
    assert penalty.translate_reason(
        ["Ürün InCatalogApproval durumunda. Yalnızca Active veya Suspended durumundaki ürünler güncellenebilir."]
    ) == "This product is already pending approval. It will be published once approved."
    assert penalty.translate_reason(["vatRate alanı boş olamaz"]) == "N11 rejected the record: vatRate alanı boş olamaz"
    fix = "run Category Attribute and Values (N11's latest values), then Compare Attributes"
    assert penalty.translate_reason(["Failed to suggest product to the catalog"]).startswith(
        "Failed to suggest product to the catalog. If it is about attribute values: " + fix)
    turkish = penalty.translate_reason(["Ürün kataloğa önerilemedi: Renk değeri geçersiz"])
    assert turkish.startswith("Failed to suggest product to the catalog (N11: Ürün kataloğa önerilemedi") and fix in turkish
    assert penalty.category_message(None, 1000003) == (
        "The product is listed in the category ? on N11 with category ID 1000003. "
        "You can enter this ID to resend the product.")


def _write(tmp_path, text):
    p = tmp_path / "upload.csv"
    p.write_text(text, encoding="utf-8")
    return p


def test_csv_lift_delete_and_bump(db, tmp_path):
    a, b, c = _product(db, "A"), _product(db, "B"), _product(db, "C")
    cfg = _config()
    with db.session_factory.begin() as s:
        for pid, sku in ((a, "A"), (b, "B"), (c, "C")):
            penalty.penalize(s, "product", pid, sku, "remote", "x", cfg, T0)
            penalty.penalize(s, "productstock", pid, sku, "remote", "x", cfg, T0)
        before = s.get(Product, c).version_date
    report = penalty.lift_from_csv(db, _write(tmp_path, "sku,content_type,action\nA,product,lift\nB,,delete\nC,product,bump\n"),
                                   now=T0 + timedelta(days=400))
    assert report.ok, report.problems
    assert (report.lifted, report.deleted, report.bumped) == (2, 2, 1)
    with db.session_factory() as s:
        assert penalty.eligible(s, "product", a, T0)
        assert not penalty.eligible(s, "productstock", a, T0)  # only the product penalty was lifted
        assert s.scalars(select(FailedIntegration).where(FailedIntegration.object_id == b)).all() == []
        assert s.get(Product, c).version_date == T0 + timedelta(days=400) != before


def test_csv_with_bad_rows_changes_nothing_and_names_each_row(db, tmp_path):
    a = _product(db, "A")
    with db.session_factory.begin() as s:
        penalty.penalize(s, "product", a, "A", "remote", "x", _config(), T0)
    report = penalty.lift_from_csv(db, _write(tmp_path, "sku,action\nA,lift\nNOPE,lift\nA,explode\n,lift\n"))
    assert not report.ok
    assert report.summary() == "3 bad row(s); nothing changed"
    rows = {p.row: p.message for p in report.problems}
    assert set(rows) == {3, 4, 5}
    assert "unknown action 'explode'" in rows[4] and "sku is empty" in rows[5] and "NOPE" in rows[3]
    with db.session_factory() as s:
        assert not penalty.eligible(s, "product", a, T0)  # nothing changed
    assert not penalty.lift_from_csv(db, _write(tmp_path, "code\nA\n")).ok
    assert not penalty.lift_from_csv(db, tmp_path / "missing.csv").ok
