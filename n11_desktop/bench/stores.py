"""An agency's stores headless (issue 16): ``all_stores`` creates N demo stores (each a demo
profile against its own built-in sandbox) and runs one cycle of every store in one process
(``run --all-stores --once``). The baseline is one of those stores' cycle alone, times N: the
ratio says what running them side by side costs (below 1: the stores overlap)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from . import BenchResult, scenario


def make_demo_stores(registry_path: Path, n: int) -> list[str]:
    """N demo stores ``demo-01`` … in the registry at ``registry_path`` (as `stores add --demo` does)."""
    from ..commands.stores import prepare_demo_with_sandbox
    from ..core.stores import Registry, create_store

    names = []
    for i in range(1, n + 1):
        reg = Registry.load(registry_path)
        store, _ = create_store(reg, f"demo-{i:02d}", demo=True, prepare=prepare_demo_with_sandbox)
        names.append(store.name)
    return names


def _cycle(registry_path: Path, only: str | None = None) -> tuple[float, dict]:
    from ..commands.run import start_store_sandbox
    from ..core.allstores import AllStoresRunner
    from ..core.stores import Registry

    sandboxes = []

    def stores():
        listed = Registry.load(registry_path).listed()
        return [s for s in listed if only is None or s.name == only]

    multi = AllStoresRunner(stores, once=True, max_workers=1,
                            prepare=lambda store, db: sandboxes.append(start_store_sandbox(db)))
    t0 = time.perf_counter()
    try:
        code = multi.run()
    finally:
        for server in sandboxes:
            server.stop()
    elapsed = time.perf_counter() - t0
    states = {name: run.state for name, run in multi.runs.items()}
    runs = sum(len(run.results) for run in multi.runs.values())
    failed = sum(run.counts()[2] for run in multi.runs.values())
    return elapsed, {"code": code, "states": states, "flow_runs": runs, "failed_runs": failed}


@scenario("all_stores", quick=2, full=20,
          description="N demo stores (each with its own sandbox) created, then one cycle of all of them in one process")
def bench_all_stores(size: int, workdir: Path) -> BenchResult:
    registry = workdir / "stores.json"
    os.environ["N11_DESKTOP_STORES"] = str(registry)  # the child process of this scenario only
    t0 = time.perf_counter()
    names = make_demo_stores(registry, size)
    created_s = time.perf_counter() - t0
    # baseline: the first store's cycle alone (on a copy, so the measured run starts from the same state)
    import shutil

    from ..core.stores import Registry

    solo_reg = workdir / "solo" / "stores.json"
    solo_reg.parent.mkdir()
    reg = Registry.load(registry)
    first = reg.get(names[0])
    shutil.copy(first.target(), solo_reg.parent / "solo.db")
    solo = Registry.load(solo_reg)
    solo.add("solo", str(solo_reg.parent / "solo.db"), demo=True)
    solo.save()
    one_s, _ = _cycle(solo_reg)
    all_s, info = _cycle(registry)
    done = sum(1 for st in info["states"].values() if st == "done")
    return BenchResult(time_s=all_s, baseline_s=one_s * size, baseline=f"one store's cycle × {size}",
                       notes=f"{done}/{size} stores done, {info['flow_runs']} flow runs, {info['failed_runs']} failed; "
                             f"creating the {size} demo stores took {created_s:.1f} s",
                       extra={"created_s": round(created_s, 2), "one_store_s": round(one_s, 2), **info})
