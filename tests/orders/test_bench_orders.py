"""The order_import bench scenario runs at a small size (speed is reported by `bench`, never asserted)."""

from n11_desktop.bench import load_scenarios


def test_order_import_runs_small(tmp_path):
    res = load_scenarios()["order_import"].fn(120, tmp_path)
    assert res.extra["orders"] == 120 and res.extra["lines"] >= 120
    assert res.baseline_s and res.time_s > 0 and "no duplicates" in res.notes
