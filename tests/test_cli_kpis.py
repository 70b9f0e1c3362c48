"""Headless `kpis` and `reports`: the Dashboard's and Monitoring → Reports' numbers on the command line."""

from __future__ import annotations

import json

from n11_desktop.cli import main
from n11_desktop.core.storage.db import open_database
from tests.monitoring.crafted import build_crafted


def _db(tmp_path):
    path = str(tmp_path / "n.db")
    db = open_database(path)
    build_crafted(db)
    db.dispose()
    return path


def test_kpis_json_are_the_dashboards_eight_with_the_snapshot_age(tmp_path, capsys):
    path = _db(tmp_path)
    assert main(["--db", path, "kpis", "--json"]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert {r["kpi"]: r["value"] for r in rows} == {
        "total_sku_in_catalog": 10, "skus_on_sale": 4, "total_sku_difference": 3,
        "skus_with_price_difference": 1, "total_stock_in_catalog": 54, "total_stock_on_sale": 19,
        "total_stock_difference": 32, "skus_with_stock_difference": 1,
    }
    assert all(r["snapshot_as_of"] == "2026-11-27T12:00:00" and r["snapshot_stale"] for r in rows)
    fixed = {r["kpi"]: r["fix"] for r in rows if "fix" in r}
    assert set(fixed) == {"skus_with_price_difference", "skus_with_stock_difference"}
    assert fixed["skus_with_price_difference"]["at"] is None  # no fix run yet
    assert "warning: N11 data as of 2026-11-27 12:00 UTC" in err and "older than two sync periods" in err
    assert main(["--db", path, "kpis"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("N11 data as of 2026-11-27 12:00 UTC")
    assert "SKUs with price difference" in out and "no fix run yet" in out


def test_reports_price_stock_and_not_on_sale(tmp_path, capsys):
    path = _db(tmp_path)
    assert main(["--db", path, "reports", "price-stock", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert rows and all(r["kind"] in ("price", "stock", "price+stock") for r in rows)
    assert all({"sku", "local_price", "n11_price", "local_quantity", "n11_quantity"} <= set(r) for r in rows)
    assert main(["--db", path, "reports", "not-on-sale", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["sku"] for r in rows] and all(r["reason"] and r["fix"] for r in rows)
    assert main(["--db", path, "reports", "not-on-sale"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("N11 data as of") and f"{len(rows)} row(s)" in out
    assert main(["--db", path, "reports", "bogus"]) == 2
