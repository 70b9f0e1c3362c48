"""`bench gui_stall` runs (speed is reported, never asserted)."""

from __future__ import annotations


def test_gui_stall_scenario_runs_at_a_small_size(qapp, tmp_path):
    from n11_desktop.bench import load_scenarios

    sc = load_scenarios()["gui_stall"]
    res = sc.fn(200, tmp_path)
    assert res.extra["flow_state"] == "done" and res.extra["flow_total"] == 200
    assert res.extra["skus_on_n11"] == 200
    assert res.time_s > 0 and res.baseline_s > 0 and "target 50 ms" in res.notes
