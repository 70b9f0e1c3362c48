"""Benchmark harness (DESIGN §10): every scenario measures its own baseline in the same run.

A scenario module registers with::

    from n11_desktop.bench import BenchResult, scenario

    @scenario("catalog_import", quick=2_000, full=100_000, description="...")
    def bench_catalog_import(size: int, workdir: Path) -> BenchResult:
        ...
        return BenchResult(time_s=t, baseline_s=b, baseline="raw sqlite3 executemany", notes="...")

Speed is reported, never asserted: tests only check that scenarios run at the quick size.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

SCENARIO_MODULES: tuple[str, ...] = (
    "n11_desktop.bench.catalog",
    "n11_desktop.bench.mapping",
    "n11_desktop.bench.products",
    "n11_desktop.bench.orders",
    "n11_desktop.bench.gui",
    "n11_desktop.bench.monitoring",
    "n11_desktop.bench.startup",
    "n11_desktop.bench.remote",
    "n11_desktop.bench.stores",
    "n11_desktop.bench.postgres",
)


@dataclass(frozen=True)
class BenchResult:
    time_s: float
    baseline_s: float | None = None
    baseline: str = ""
    notes: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        if not self.baseline_s:
            return None
        return self.time_s / self.baseline_s


@dataclass(frozen=True)
class Scenario:
    name: str
    fn: Callable[[int, Path], BenchResult]
    quick: int
    full: int
    description: str


_SCENARIOS: dict[str, Scenario] = {}


def point_channel_at(session, sandbox, *, active: bool = True, **conf):
    """The store's channel talks to ``sandbox`` with the demo credentials (plus ``conf``); returns it."""
    from ..core.settings import ensure_channel
    from ..sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET

    ch = ensure_channel(session)
    ch.conf = {**ch.conf, "base_url": sandbox.base_url, "app_key": DEMO_APP_KEY,
               "app_secret": DEMO_APP_SECRET, **conf}
    ch.is_active = active
    return ch


def scenario(name: str, *, quick: int, full: int, description: str):
    def deco(fn: Callable[[int, Path], BenchResult]):
        _SCENARIOS[name] = Scenario(name, fn, quick, full, description)
        return fn

    return deco


#: extra scenario modules (comma-separated import names), e.g. a test's own scenarios; the
#: child process of each scenario inherits it with the environment
EXTRA_MODULES_ENV = "N11_BENCH_EXTRA_MODULES"


def load_scenarios() -> dict[str, Scenario]:
    extra = tuple(m.strip() for m in os.environ.get(EXTRA_MODULES_ENV, "").split(",") if m.strip())
    for mod in SCENARIO_MODULES + extra:
        importlib.import_module(mod)
    return dict(_SCENARIOS)


class ProcessSandbox:
    """``n11-desktop sandbox`` in a child process, as N11 is in real use: its memory (every
    product and task it keeps) and its request parsing are not counted as the app's."""

    def __init__(self, *, latency_ms: int = 0, task_delay_ms: int = 0) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "n11_desktop", "sandbox", "--port", "0",
                                      "--task-delay-ms", str(task_delay_ms), "--latency-ms", str(latency_ms),
                                      "--exit-with-parent"],
                                     stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline() if self.proc.stdout else ""
        if "listening on" not in line:
            self.stop()
            raise RuntimeError(f"sandbox did not start: {line.strip()!r}")
        self.url = line.strip().rsplit(" ", 1)[-1].rstrip("/")
        self.base_url = self.url + "/ws/"

    def summary(self) -> dict:
        """The sandbox's ``/_sandbox/state`` (products, tasks, requests served, ...)."""
        with urllib.request.urlopen(self.url + "/_sandbox/state", timeout=30) as resp:  # noqa: S310 - loopback
            return json.loads(resp.read().decode("utf-8"))

    def products_on_n11(self) -> int | None:
        return None

    def cpu_s(self) -> float | None:
        """The sandbox process's CPU time so far (user + system, from ``/proc``; None elsewhere)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError, AttributeError):
            return None

    def stop(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()  # --exit-with-parent: end of input stops the sandbox cleanly
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stdout:
            self.proc.stdout.close()
