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


def test_lost_ack_recovery_asks_n11_in_pages_not_per_sku(tmp_path):
    res = load_scenarios()["lost_ack_recovery"].fn(300, tmp_path)
    # 300 records whose acknowledgement was lost: 2 product-query pages of 250, not 300 queries
    assert res.extra["product_queries"] == 2
    assert res.extra["http_calls"] == 2
