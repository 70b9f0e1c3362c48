"""``n11-desktop bench --quick``: every fast scenario of DESIGN §10 runs at its smoke size,
measures its baseline in the same run and prints a ratio (speed is reported, never asserted).

The GUI-stall scenarios (a main window and a flow at once) have their own tests; everything
else runs here in one ``bench`` process, exactly as a user would run it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from n11_desktop.bench import load_scenarios

SLOW_OR_ELSEWHERE = {"gui_stall", "gui_stall_remote"}
#: DESIGN §10 scenarios that must exist (later issues may add more)
REQUIRED = {"catalog_import", "delta_detection", "initial_push", "order_import", "gui_stall", "log_viewer",
            "dashboard_refresh", "startup_first_paint"}


def test_every_design_scenario_is_registered():
    missing = REQUIRED - set(load_scenarios())
    assert not missing, f"DESIGN §10 scenarios without a bench: {sorted(missing)}"


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_bench_quick_prints_every_fast_scenario_with_its_ratio(tmp_path):
    names = sorted(set(load_scenarios()) - SLOW_OR_ELSEWHERE)
    out_json = tmp_path / "bench.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-m", "n11_desktop", "bench", "--quick", "--json", str(out_json), *names],
                          capture_output=True, text=True, timeout=230, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("machine: ")
    header = lines[1].split()
    assert header[:6] == ["scenario", "size", "time", "baseline", "ratio", "peak"]
    rows = {ln.split()[0]: ln for ln in lines[3:] if ln.strip()}
    assert set(rows) == set(names)
    for name, line in rows.items():
        assert "×" in line, f"{name} printed no ratio: {line}"
    doc = json.loads(out_json.read_text(encoding="utf-8"))
    assert doc["machine"]
    for r in doc["results"]:
        assert "error" not in r, r
        assert r["baseline_s"] and r["ratio"] and r["baseline"], r
