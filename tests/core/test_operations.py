"""The named operations the screens submit to their worker are plain functions: they run and
answer without a display, against a real database and the sandbox over loopback HTTP."""

from __future__ import annotations

import pytest

from n11_desktop.core.mapping import operations as mapping_ops
from n11_desktop.core.overview import load_dashboard
from n11_desktop.core.products_send import load_preview
from n11_desktop.core.settings.operations import check_connection


def test_check_connection_says_connected_or_raises_without_the_secret(sandbox):
    from n11_desktop.core.n11.errors import N11Error
    from n11_desktop.sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET

    conf = {"base_url": sandbox.base_url, "app_key": DEMO_APP_KEY, "app_secret": DEMO_APP_SECRET}
    assert check_connection(conf) == f"Connected: N11 accepted the App Key and App Secret at {sandbox.base_url}"
    with pytest.raises(N11Error) as err:
        check_connection({**conf, "app_secret": "wrong-secret"})
    assert "wrong-secret" not in str(err.value)


def test_first_dashboard_load_records_a_kpi_snapshot(db):
    assert load_dashboard(db, 7).snapshots == 0
    data = load_dashboard(db, 7, first=True)
    assert data.snapshots == 1
    assert load_dashboard(db, 7, first=True).snapshots == 1  # only when there is none yet


def test_mapping_control_and_send_preview_of_the_demo_catalog(db):
    from n11_desktop.core.catalog.demo import seed_demo_catalog

    seed_demo_catalog(db)
    rows = mapping_ops.search_products(db, "")
    assert rows and all(isinstance(r, mapping_ops.ProductHit) for r in rows)
    pid, sku = rows[0].id, rows[0].sku
    assert [r.sku for r in mapping_ops.search_products(db, sku)][:1] == [sku]

    n, summary, listed = mapping_ops.control_summary(db, limit=5)
    ready, total, _top = summary
    assert n == total >= len(rows) and ready < total  # nothing is mapped yet
    assert len(listed) == 5 and not listed[0].ok and listed[0].problem  # problems first, with the first problem

    view = mapping_ops.check_product(db, pid)
    assert view.sku == sku and not view.result.ok

    pv = load_preview(db, [sku, "NO-SUCH-SKU"], None)
    assert pv.skus == (sku,) and pv.unknown == ("NO-SUCH-SKU",)


def test_mapping_control_summary_checked_in_chunks_says_the_same_as_in_one_go(db, monkeypatch):
    from n11_desktop.core.catalog.demo import seed_demo_catalog

    seed_demo_catalog(db)
    whole = mapping_ops.control_summary(db, limit=7)
    monkeypatch.setattr(mapping_ops, "CONTROL_CHUNK", 3)  # the catalog's products three at a time
    assert mapping_ops.control_summary(db, limit=7) == whole
    n, (ready, total, top), listed = whole
    assert n == total and sum(count for _code, count in top) >= total - ready
    assert [(c.ok, c.sku) for c in listed] == sorted((c.ok, c.sku) for c in listed)


def test_products_screen_operations_resolve_table_rows_and_change_membership(db):
    from n11_desktop.core.catalog import operations as catalog_ops
    from n11_desktop.core.catalog.demo import seed_demo_catalog
    from n11_desktop.core.catalog.repo import ProductFilter

    seed_demo_catalog(db)
    first = catalog_ops.load_first_page(db, ProductFilter(), "sku", 10)
    assert first.total == first.total_all > 10 and len(first.first_page) == 10
    assert catalog_ops.load_page(db, ProductFilter(), "sku", 10, 5)[0].sku > first.first_page[-1].sku
    sel = catalog_ops.Selection(ProductFilter(), "sku", (1, 3))
    rows = catalog_ops.resolve(db, sel)
    assert [r.sku for r in rows] == [first.first_page[1].sku, first.first_page[3].sku]
    ids, changed = catalog_ops.set_membership(db, sel, False)
    assert ids == tuple(r.id for r in rows) and changed == 2
    assert catalog_ops.set_membership(db, sel, False)[1] == 0  # already out: nothing changes
    cats, _states = catalog_ops.load_filter_lists(db)
    assert cats


def test_alarm_operations_create_switch_and_remove(db):
    from n11_desktop.core import alarms

    alarms.seed_defaults(db)
    rows, _history = alarms.load_alarms(db)
    n = len(rows)
    aid = alarms.save_alarm(db, None, {"name": "Stock keeps failing", "kind": "consecutive_failures",
                                       "flow": "stock", "params": {"count": 2}})
    alarms.switch_alarm(db, aid, False)
    rows, _ = alarms.load_alarms(db)
    assert len(rows) == n + 1 and not next(r for r in rows if r.id == aid).enabled
    transitions, firing = alarms.evaluate_now(db)
    assert transitions == () and firing == 0  # no flow has run: nothing fires
    alarms.remove_alarm(db, aid)
    assert len(alarms.load_alarms(db)[0]) == n


def test_settings_export_and_a_refused_import_change_nothing(db, tmp_path):
    from n11_desktop.core.settings import operations as settings_ops

    before = settings_ops.load_snapshot(db)
    out = tmp_path / "settings.json"
    assert settings_ops.export_file(db, out, include_secret=False) == str(out) and out.stat().st_size > 0
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    result = settings_ops.import_file(db, bad)
    assert result.errors and result.snapshot is None
    assert settings_ops.load_snapshot(db) == before
    assert settings_ops.import_file(db, out).errors == ()
    assert settings_ops.channel_state(db)[1] is False  # not activated by an import


def test_orders_operations_export_an_empty_selection_with_a_header(db, tmp_path):
    from n11_desktop.core.orders import operations as order_ops
    from n11_desktop.core.orders.queries import OrderFilter

    assert order_ops.load_orders(db, OrderFilter(), 50) == (0, ())
    n, path = order_ops.export_orders_csv(db, OrderFilter(), tmp_path / "orders.csv")
    assert n == 0 and (tmp_path / "orders.csv").read_text(encoding="utf-8").startswith("order_number,")
    assert list(order_ops.load_unmapped_addresses(db)) == []  # no N11 address name waits for a mapping
