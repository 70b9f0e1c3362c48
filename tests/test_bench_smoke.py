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

SLOW_OR_ELSEWHERE = {"gui_stall", "gui_stall_remote",
                     # the PostgreSQL rows: tests/core/test_postgres.py, on the session's test server
                     "pg_catalog_import", "pg_batch_create", "pg_log_search"}
#: DESIGN §10 scenarios that must exist (later issues may add more)
REQUIRED = {"catalog_import", "delta_detection", "initial_push", "order_import", "gui_stall", "log_viewer",
            "dashboard_refresh", "startup_first_paint", "remote_sync"}


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


_FAKE_SCENARIOS = '''
import os
from n11_desktop.bench import BenchResult, scenario

@scenario("fake_big", quick=1, full=1, description="allocates ~150 MB")
def big(size, workdir):
    blob = bytearray(150 * 1024 * 1024)
    blob[::4096] = b"x" * len(blob[::4096])
    return BenchResult(time_s=0.2, baseline_s=0.1, baseline="nothing")

@scenario("fake_small", quick=1, full=1, description="allocates nothing")
def small(size, workdir):
    return BenchResult(time_s=0.2, baseline_s=0.1, baseline="nothing")

@scenario("fake_fails", quick=1, full=1, description="raises")
def fails(size, workdir):
    raise RuntimeError("scenario broke on purpose")

@scenario("fake_child", quick=1, full=1, description="its work runs in a child process of ~120 MB")
def child(size, workdir):
    import subprocess, sys
    subprocess.run([sys.executable, "-c", "import time; b = bytearray(120 * 1024 * 1024); b[::4096] = b'x' * len(b[::4096]); time.sleep(0.8)"],
                   check=True)
    return BenchResult(time_s=0.2, baseline_s=0.1, baseline="nothing")

@scenario("fake_dies", quick=1, full=1, description="its process dies")
def dies(size, workdir):
    os._exit(3)
'''


@pytest.mark.timeout(120)
def test_each_scenario_runs_in_its_own_process_with_its_own_peak_rss_and_failures_are_rows(tmp_path):
    (tmp_path / "fake_bench_scenarios.py").write_text(_FAKE_SCENARIOS, encoding="utf-8")
    out_json = tmp_path / "bench.json"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", N11_BENCH_EXTRA_MODULES="fake_bench_scenarios",
               PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]))
    names = ["fake_big", "fake_fails", "fake_dies", "fake_small", "fake_child"]
    proc = subprocess.run([sys.executable, "-m", "n11_desktop", "bench", "--quick", "--json", str(out_json), *names],
                          capture_output=True, text=True, timeout=110, env=env)
    assert proc.returncode == 1, proc.stdout + proc.stderr[-3000:]  # some scenario failed
    rows = {ln.split()[0]: ln for ln in proc.stdout.splitlines()[3:] if ln.strip()}
    assert set(rows) == set(names)  # a failing scenario does not hide the others
    assert "scenario broke on purpose" in rows["fake_fails"] and " error " in rows["fake_fails"]
    assert "exit code 3" in rows["fake_dies"]
    assert "×" in rows["fake_small"] and "×" in rows["fake_big"]
    doc = {r["scenario"]: r for r in json.loads(out_json.read_text(encoding="utf-8"))["results"]}
    big, small = doc["fake_big"]["peak_rss_mb"], doc["fake_small"]["peak_rss_mb"]
    if big is None:  # no resource module on this platform: the column says "-"
        assert small is None
    else:
        # the small scenario ran after the big one, yet reports only its own peak
        assert big > small + 100, (big, small)
        # work done in a child process (a flow child) is reported as the child's peak
        assert doc["fake_child"]["peak_rss_children_mb"] > 100
        assert "(child " in rows["fake_child"]
        assert "peak_rss_children_mb" not in doc["fake_small"]
