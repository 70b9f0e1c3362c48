"""The order_import bench scenario runs at a small size (speed is reported by `bench`, never asserted)."""

from n11_desktop.bench import load_scenarios


def test_order_import_runs_small(tmp_path):
    res = load_scenarios()["order_import"].fn(120, tmp_path)
    assert res.extra["orders"] == 120 and res.extra["lines"] >= 120
    assert res.baseline_s and res.time_s > 0 and "no duplicates" in res.notes
    # the same import against a sandbox at 50 ms latency, with its own bound, beside the row's figure
    assert res.extra["latency_ms"] == 50 and res.extra["latency_packages"] == 120
    assert res.extra["latency_protocol_bound_s"] > 0 and "at 50 ms latency" in res.notes
