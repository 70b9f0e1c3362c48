"""Resilience suite (DESIGN §11): crash, fault-injection, bad-input and secret checks.

Every test here is marked ``resilience`` so ``python -m pytest -m resilience`` runs the suite
alone; it also runs with the normal suite. Each test adds what it exercised to ``COUNTS``
and the session ends with a summary (kill points, faults injected, bad inputs, …) so CI
output shows what was actually checked.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

#: what the suite exercised, printed at the end of the session
COUNTS: Counter = Counter()
DETAILS: dict[str, list[str]] = {}

SEED = int(os.environ.get("N11_RESILIENCE_SEED", "20261127"))


def count(key: str, n: int = 1, detail: str | None = None) -> None:
    COUNTS[key] += n
    if detail:
        DETAILS.setdefault(key, []).append(detail)


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.resilience)


SECTIONS = (("kill -9", ("kill -9", "runs finished before", "SKUs created across", "SKUs whose stock",
                         "orders imported across", "order lines imported across", "records left unknown",
                         "PRAGMA", "runs closed")),
            ("faults", ("faults", "flow runs under faults", "records penalized under faults",
                        "requests served under faults", "SKUs converged", "orders imported exactly once")),
            ("bad inputs", ("bad inputs",)),
            ("secrets", ("secrets",)))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if not COUNTS:
        return
    tr = terminalreporter
    tr.section("resilience suite (DESIGN §11)")
    tr.write_line(f"seed {SEED} (set N11_RESILIENCE_SEED to replay another)")
    shown = set()
    for title, prefixes in SECTIONS:
        keys = sorted(k for k in COUNTS if k.startswith(prefixes))
        if not keys:
            continue
        total = ""
        if title == "kill -9":
            total = f": {sum(COUNTS[k] for k in keys if k.startswith('kill -9 points'))} kill points"
        elif title == "bad inputs":
            total = f": {sum(COUNTS[k] for k in keys if 'whole flow run' not in k)} bad inputs refused"
        elif title == "faults":
            total = f": {COUNTS.get('faults injected by the sandbox (20% of requests)', 0)} faults injected"
        tr.write_line(f"{title}{total}")
        for k in keys:
            tr.write_line(f"  {k:<62} {COUNTS[k]}")
            shown.add(k)
    for k in sorted(set(COUNTS) - shown):
        tr.write_line(f"  {k:<62} {COUNTS[k]}")


@pytest.fixture
def rng() -> random.Random:
    return random.Random(SEED)


def cli(db_path: Path, *args: str, timeout: float = 120, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m n11_desktop --db DB ARGS`` to completion."""
    e = dict(os.environ)
    e.setdefault("QT_QPA_PLATFORM", "offscreen")
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-m", "n11_desktop", "--db", str(db_path), *args],
                          capture_output=True, text=True, timeout=timeout, env=e)


def popen(db_path: Path | None, *args: str, env: dict | None = None) -> subprocess.Popen:
    e = dict(os.environ)
    e.setdefault("QT_QPA_PLATFORM", "offscreen")
    if env:
        e.update(env)
    pre = ["--db", str(db_path)] if db_path is not None else []
    return subprocess.Popen([sys.executable, "-m", "n11_desktop", *pre, *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)


def set_conf(db, **values) -> None:
    from n11_desktop.core.settings import ensure_channel

    with db.session_factory.begin() as s:
        channel = ensure_channel(s)
        conf = dict(channel.conf)
        flags = dict(conf.get("feature_flags") or {})
        flags.update(values.pop("flags", {}))
        conf["feature_flags"] = flags
        conf.update(values)
        channel.conf = conf
