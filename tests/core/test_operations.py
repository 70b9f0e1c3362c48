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
    assert rows and all(len(r) == 3 for r in rows)
    pid, sku, _title = rows[0]
    assert [r[1] for r in mapping_ops.search_products(db, sku)][:1] == [sku]

    n, summary, listed = mapping_ops.control_summary(db, limit=5)
    ready, total, _top = summary
    assert n == total >= len(rows) and ready < total  # nothing is mapped yet
    assert len(listed) == 5 and not listed[0][2] and listed[0][3]  # problems first, with the first problem

    view = mapping_ops.check_product(db, pid)
    assert view.sku == sku and not view.result.ok

    pv = load_preview(db, [sku, "NO-SUCH-SKU"], None)
    assert pv.skus == (sku,) and pv.unknown == ("NO-SUCH-SKU",)
