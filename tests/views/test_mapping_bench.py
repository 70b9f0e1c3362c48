"""The mapping bench scenarios run at a small size (speed is reported by `bench`, never asserted)."""

from n11_desktop.bench import load_scenarios


def test_payload_build_runs_small(tmp_path):
    sc = load_scenarios()["payload_build"]
    assert (sc.quick, sc.full) == (2_000, 100_000)
    res = sc.fn(300, tmp_path)
    assert res.time_s > 0 and res.baseline_s and res.baseline
    # a third of the products sit in an unmapped category, a fifth have a size N11 does not list
    assert "160/300 ready" in res.notes


def test_category_tree_runs_with_the_gui_part(qapp, tmp_path):
    res = load_scenarios()["category_tree"].fn(1, tmp_path)
    assert res.extra["nodes"] == 4406 and res.extra["gui_populate_paint_s"] > 0
    assert "4406 nodes, 79 top level" in res.notes


def test_mapping_suggest_reports_top1_top3_on_the_eval_set(tmp_path):
    sc = load_scenarios()["mapping_suggest"]
    assert (sc.quick, sc.full) == (200, 1_000)
    res = sc.fn(60, tmp_path)
    assert res.time_s > 0 and res.baseline_s and res.baseline
    assert "60/60 local categories got suggestions" in res.notes
    assert res.extra["top1"] >= 0.75 and res.extra["top3"] >= 0.90
    assert {"top1_tune", "top1_holdout", "top3_tune", "top3_holdout"} <= set(res.extra)
