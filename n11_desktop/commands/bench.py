"""``n11-desktop bench [SCENARIO ...] [--quick] [--json FILE]``.

Every scenario runs in its own child process (``bench SCENARIO --child-json FILE``, started with
this same Python), so the "peak RSS" of a row is that scenario's own peak, measured inside the
child — not the cumulative peak of one process that ran several scenarios. A scenario that fails
or whose child dies is an error row; the others still run.
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..core.inputs import bounded_int
from ..i18n import fill, translate

try:  # POSIX only; elsewhere the peak RSS column says "-"
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("bench", parents=[common], help=translate("cli", "run the benchmark harness (DESIGN §10)"))
    p.add_argument("scenarios", nargs="*", metavar="SCENARIO", help=translate("cli", "scenario names (default: all)"))
    p.add_argument("--quick", action="store_true", help=translate("cli", "small sizes, for a smoke run"))
    p.add_argument("--size", type=bounded_int(1, 10**7), help=translate("cli", "override the size of every scenario"))
    p.add_argument("--json", type=Path, metavar="FILE", help=translate("cli", "also write the results as JSON"))
    p.add_argument("--list", action="store_true", help=translate("cli", "list scenarios and exit"))
    # internal: run exactly one scenario in this process and write its result to FILE
    p.add_argument("--child-json", type=Path, metavar="FILE", help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_bench, needs_db=False)


def _peak_rss_mb(who: str = "self") -> float | None:
    """Peak resident set size of this process so far (MB), or None where unknown. ``who="children"``:
    the largest of its child processes that ended (a flow run in its own process, a sandbox)."""
    if resource is None:
        return None
    try:
        rss = resource.getrusage(resource.RUSAGE_SELF if who == "self" else resource.RUSAGE_CHILDREN).ru_maxrss
    except Exception:  # pragma: no cover
        return None
    return rss / 1024 / (1024 if sys.platform == "darwin" else 1)


class _DescendantPeak:
    """The largest peak RSS (``VmHWM``) of this process's descendants, sampled from ``/proc``.

    ``RUSAGE_CHILDREN`` is no use for a child started by a big process: Linux records the parent's
    memory as the child's peak at ``exec`` (the fork/vfork copy), so a flow child started by a
    500 MB GUI would "peak" at 500 MB. ``VmHWM`` counts only the child's own image after ``exec``;
    sampled every 0.2 s, it misses at most the growth of a child's last 0.2 s. None without /proc."""

    def __init__(self) -> None:
        import threading

        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-rss-sampler", daemon=True)
        self.available = Path("/proc/self/status").exists()
        if self.available:
            self._thread.start()

    def _descendants(self) -> list[str]:
        import os

        parents: dict[str, str] = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            parents[pid] = stat.rsplit(")", 1)[-1].split()[1]
        mine, frontier = [], {str(os.getpid())}
        while frontier:
            frontier = {p for p, pp in parents.items() if pp in frontier}
            mine.extend(frontier)
        return mine

    def _sample(self) -> None:
        for pid in self._descendants():
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        self.peak_kb = max(self.peak_kb, int(line.split()[1]))
                        break
            except (OSError, ValueError, IndexError):
                continue

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def stop(self) -> float | None:
        """Peak in MB (None where unknown or no child ran)."""
        if not self.available:
            return None
        self._stop.set()
        self._thread.join()
        return self.peak_kb / 1024 if self.peak_kb else None


def _run_child(name: str, size: int, out: Path, scenarios) -> int:
    """Child side: run one scenario here and write its result (with this process's peak RSS)."""
    sc = scenarios[name]
    sampler = _DescendantPeak()
    with tempfile.TemporaryDirectory(prefix=f"n11-bench-{name}-") as tmp:
        t0 = time.perf_counter()
        try:
            res = sc.fn(size, Path(tmp))
        except Exception as exc:  # noqa: BLE001 - reported as an error row by the parent
            doc = {"scenario": name, "size": size, "error": f"{type(exc).__name__}: {exc}"}
        else:
            doc = {"scenario": name, "size": size, "time_s": res.time_s, "baseline_s": res.baseline_s,
                   "ratio": res.ratio, "baseline": res.baseline, "notes": res.notes,
                   "wall_s": time.perf_counter() - t0, **({"extra": res.extra} if res.extra else {})}
    doc["peak_rss_mb"] = _peak_rss_mb()
    children = sampler.stop() if sampler.available else _peak_rss_mb("children")
    if children:  # the scenario's own child processes (the flow child of the GUI, a sandbox process)
        doc["peak_rss_children_mb"] = children
    out.write_text(json.dumps(doc, ensure_ascii=False, default=str), encoding="utf-8")
    return 1 if "error" in doc else 0


def _run_in_child(name: str, size: int) -> dict:
    """Parent side: one child process per scenario; its JSON, or an error dict."""
    with tempfile.TemporaryDirectory(prefix="n11-bench-child-") as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "n11_desktop", "bench", name, "--size", str(size), "--child-json", str(out)]
        try:
            proc = subprocess.run(cmd, stdin=subprocess.DEVNULL)
        except OSError as exc:
            return {"scenario": name, "size": size,
                    "error": fill(translate("cli", "could not start the child process: %1"), exc)}
        try:
            doc = json.loads(out.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"scenario": name, "size": size,
                    "error": fill(translate("cli", "child process ended with exit code %1 and no result"),
                                  proc.returncode)}
    if not isinstance(doc, dict):
        return {"scenario": name, "size": size, "error": translate("cli", "child process wrote an unreadable result")}
    return doc


def _row(r: dict) -> list:
    name, size, rss = r["scenario"], r["size"], r.get("peak_rss_mb")
    rss_text = f"{rss:.0f} MB" if rss else "-"
    child = r.get("peak_rss_children_mb")
    if child:
        rss_text += fill(translate("cli", " (child %1 MB)"), f"{child:.0f}")
    if "error" in r:
        return [name, size, "error", "", "", rss_text, str(r["error"])[:60]]
    ratio, baseline_s = r.get("ratio"), r.get("baseline_s")
    baseline, notes = r.get("baseline") or "", r.get("notes") or ""
    return [name, size, f"{r['time_s']:.3f} s", f"{baseline_s:.3f} s" if baseline_s else "-",
            f"{ratio:.2f}×" if ratio else "-", rss_text,
            baseline + ("; " if baseline and notes else "") + notes]


def cmd_bench(args, ctx) -> int:
    from ..bench import load_scenarios
    from ..cli import print_table

    scenarios = load_scenarios()
    if args.list:
        print_table([translate("cli", "scenario"), translate("cli", "quick"), translate("cli", "full"),
                     translate("cli", "what")],
                    [[s.name, s.quick, s.full, s.description] for s in scenarios.values()])
        return 0
    names = args.scenarios or list(scenarios)
    unknown = [n for n in names if n not in scenarios]
    if unknown:
        ctx.err("n11-desktop: " + fill(translate("cli", "unknown scenario(s): %1; see `bench --list`"), ", ".join(unknown)))
        return 1
    if args.child_json is not None:
        if len(names) != 1:
            ctx.err("n11-desktop: " + translate("cli", "--child-json runs exactly one scenario"))
            return 1
        sc = scenarios[names[0]]
        return _run_child(names[0], args.size or (sc.quick if args.quick else sc.full), args.child_json, scenarios)
    rows, results = [], []
    for name in names:
        sc = scenarios[name]
        size = args.size or (sc.quick if args.quick else sc.full)
        ctx.err("bench: " + fill(translate("cli", "%1 (size %2) …"), name, size))
        r = _run_in_child(name, size)
        if "error" in r:
            ctx.err("bench: " + fill(translate("cli", "%1 failed: %2"), name, r["error"]))
        results.append(r)
        rows.append(_row(r))
    print(fill(translate("cli", "machine: %1 · Python %2 · %3"), platform.platform(), platform.python_version(),
               platform.processor() or platform.machine()))
    print_table([translate("cli", "scenario"), translate("cli", "size"), translate("cli", "time"),
                 translate("cli", "baseline"), translate("cli", "ratio"), translate("cli", "peak RSS"),
                 translate("cli", "baseline is / notes")], rows)
    if args.json:
        args.json.write_text(json.dumps({"machine": platform.platform(), "results": results}, indent=2,
                                        ensure_ascii=False, default=str), encoding="utf-8")
    return 1 if any("error" in r for r in results) else 0
