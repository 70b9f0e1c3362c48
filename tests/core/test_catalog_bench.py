"""The catalog bench scenarios run (speed is reported by `n11-desktop bench`, never asserted)."""

from n11_desktop.bench import load_scenarios


def test_catalog_scenarios_run_at_a_small_size(tmp_path):
    scenarios = load_scenarios()
    for name in ("catalog_import", "product_filter"):
        sc = scenarios[name]
        assert (sc.quick, sc.full) == (2_000, 100_000)
        (tmp_path / name).mkdir()
        res = sc.fn(300, tmp_path / name)
        assert res.time_s > 0 and res.baseline_s and res.baseline
