"""``n11-desktop bench [SCENARIO ...] [--quick] [--json FILE]``."""

from __future__ import annotations

import json
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("bench", parents=[common], help="run the benchmark harness (DESIGN §10)")
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO", help="scenario names (default: all)")
    p.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    p.add_argument("--size", type=int, help="override the size of every scenario")
    p.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON")
    p.add_argument("--list", action="store_true", help="list scenarios and exit")
    p.set_defaults(func=cmd_bench, needs_db=False)


def _peak_rss_mb() -> float | None:
    try:
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except Exception:  # pragma: no cover - e.g. Windows has no resource module
        return None
    return rss / 1024 / (1024 if sys.platform == "darwin" else 1)


def cmd_bench(args, ctx) -> int:
    from ..bench import load_scenarios
    from ..cli import print_table

    scenarios = load_scenarios()
    if args.list:
        print_table(["scenario", "quick", "full", "what"],
                    [[s.name, s.quick, s.full, s.description] for s in scenarios.values()])
        return 0
    names = args.scenarios or list(scenarios)
    unknown = [n for n in names if n not in scenarios]
    if unknown:
        ctx.err(f"n11-desktop: unknown scenario(s): {', '.join(unknown)}; see `bench --list`")
        return 1
    rows, results = [], []
    for name in names:
        sc = scenarios[name]
        size = args.size or (sc.quick if args.quick else sc.full)
        ctx.err(f"bench: {name} (size {size}) …")
        with tempfile.TemporaryDirectory(prefix=f"n11-bench-{name}-") as tmp:
            t0 = time.perf_counter()
            try:
                res = sc.fn(size, Path(tmp))
            except Exception as exc:  # noqa: BLE001 - one scenario failing does not hide the others
                ctx.err(f"bench: {name} failed: {type(exc).__name__}: {exc}")
                results.append({"scenario": name, "size": size, "error": str(exc)})
                rows.append([name, size, "error", "", "", "", str(exc)[:60]])
                continue
            wall = time.perf_counter() - t0
        rss = _peak_rss_mb()
        ratio = res.ratio
        rows.append([name, size, f"{res.time_s:.3f} s", f"{res.baseline_s:.3f} s" if res.baseline_s else "-",
                     f"{ratio:.2f}×" if ratio else "-", f"{rss:.0f} MB" if rss else "-",
                     (res.baseline + ("; " if res.baseline and res.notes else "") + res.notes)])
        results.append({"scenario": name, "size": size, "time_s": res.time_s, "baseline_s": res.baseline_s,
                        "ratio": ratio, "baseline": res.baseline, "notes": res.notes, "peak_rss_mb": rss,
                        "wall_s": wall, **({"extra": res.extra} if res.extra else {})})
    print(f"machine: {platform.platform()} · Python {platform.python_version()} · {platform.processor() or platform.machine()}")
    print_table(["scenario", "size", "time", "baseline", "ratio", "peak RSS", "baseline is / notes"], rows)
    if args.json:
        args.json.write_text(json.dumps({"machine": platform.platform(), "results": results}, indent=2,
                                        ensure_ascii=False), encoding="utf-8")
    return 1 if any("error" in r for r in results) else 0
