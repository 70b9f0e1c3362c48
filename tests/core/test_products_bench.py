"""The product-flow bench scenarios run at a small size (speed is reported by `bench`, never asserted)."""

from n11_desktop.bench import load_scenarios


def test_delta_detection_runs_small(tmp_path):
    res = load_scenarios()["delta_detection"].fn(500, tmp_path)
    assert res.extra == {"stock_changed": 5, "price_changed": 2, "update_payloads": 5}
    assert res.baseline_s and res.time_s > 0


def test_initial_push_runs_small(tmp_path):
    res = load_scenarios()["initial_push"].fn(300, tmp_path)
    assert res.extra["skus_on_n11"] == 300 and res.extra["tasks"] == 1
    assert res.extra["http_calls"] == 2  # one post, one poll
