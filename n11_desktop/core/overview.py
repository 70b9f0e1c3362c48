"""What the Dashboard, Monitoring → Reports and the headless ``kpis`` / ``reports`` commands show:
one function each, so the screens and the command line print the same numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from .clock import utcnow
from .metrics import KPI_LABELS, KPI_NAMES, Kpis, Series, compute_kpis
from .remote_sync import SnapshotAge, snapshot_age

#: the two seed §7.1 "(FIXED)" KPIs and the kind of difference Fix Differences fixes for each
FIXED_KPIS = {"skus_with_price_difference": "price", "skus_with_stock_difference": "stock"}
#: the KPIs the Dashboard draws as history curves
HISTORY_KPIS = ("total_sku_in_catalog", "skus_on_sale", "total_sku_difference")


@dataclass(frozen=True, slots=True)
class KpiOverview:
    kpis: Kpis
    age: SnapshotAge
    last_fix: dict[str, Any] | None  # the last Fix Differences run (core.flows.remote)

    def rows(self) -> list[dict[str, Any]]:
        """One dict per KPI (stable keys) — the ``kpis --json`` lines."""
        out = []
        for name in KPI_NAMES:
            row: dict[str, Any] = {"kpi": name, "label": KPI_LABELS[name][0], "value": getattr(self.kpis, name),
                                   "snapshot_as_of": self.age.as_of.isoformat() if self.age.as_of else None,
                                   "snapshot_age_s": None if self.age.age_s is None else round(self.age.age_s),
                                   "snapshot_stale": self.age.stale}
            kind = FIXED_KPIS.get(name)
            if kind is not None:
                k = ((self.last_fix or {}).get("by_kind") or {}).get(kind) or {}
                row["fix"] = {"at": (self.last_fix or {}).get("at"),
                              **{f: int(k.get(f, 0)) for f in ("found", "resent", "fixed", "still_different",
                                                                 "explained")}}
            out.append(row)
        return out


def kpi_overview(session, now: datetime) -> KpiOverview:
    from .flows.remote import fix_runs
    from .settings import load_config

    kpis = compute_kpis(session, buffer_stock=load_config(session).buffer_stock)
    runs = fix_runs(session, 1)
    return KpiOverview(kpis, snapshot_age(session, now), runs[0] if runs else None)


def report(session, kind: str, now: datetime):
    """(rows, snapshot age) of a Monitoring → Reports report: ``price-stock`` or ``not-on-sale``."""
    from . import reports
    from .settings import load_config

    buf = load_config(session).buffer_stock
    age = snapshot_age(session, now)
    if kind in ("not_on_sale", "not-on-sale"):
        return reports.not_on_sale(session, buffer_stock=buf), age
    if kind in ("differences", "price-stock", "price_stock"):
        return reports.price_stock_differences(session, buffer_stock=buf), age
    raise ValueError(f"report: unknown report {kind!r} (price-stock, not-on-sale)")


# ---------------------------------------------------------------------------- Dashboard operations
# Qt-free jobs the Dashboard runs on its worker (named here so they are testable without a display).


@dataclass(frozen=True, slots=True)
class DashboardData:
    kpis: Kpis
    history: tuple[Series, ...]
    runs_ok: Series
    runs_failed: Series
    depth: tuple[Series, ...]
    snapshots: int
    remote_known: int
    last_fetch: datetime | None
    loaded_at: datetime
    age: SnapshotAge | None = None
    fix_runs: tuple[dict, ...] = ()


def load_dashboard(db, days: int, now: datetime | None = None, *, first: bool = False) -> DashboardData:
    """Everything the Dashboard shows for the last ``days``; ``first`` takes a KPI snapshot first
    when there is none yet (so a fresh install draws a point)."""
    from sqlalchemy import func, select

    from . import metrics
    from .flows.remote import fix_runs
    from .storage.models import KpiSnapshot, RemoteProduct

    if first:
        with db.session_factory() as s:
            has = s.scalar(select(func.count()).select_from(KpiSnapshot))
        if not has:
            snapshot_now(db)
    now = now or utcnow()
    since = now - timedelta(days=days)
    with db.session_factory() as s:
        overview = kpi_overview(s, now)  # the same numbers as `n11-desktop kpis`
        kpis = overview.kpis
        history = metrics.kpi_history(s, since, HISTORY_KPIS)
        depth = metrics.kpi_history(s, since, ("queue_depth", "penalty_depth"))
        ok, failed = metrics.flow_runs_per_hour(s, since)
        snaps = int(s.scalar(select(func.count()).select_from(KpiSnapshot)) or 0)
        known = int(s.scalar(select(func.count()).select_from(RemoteProduct)) or 0)
        last_fetch = s.scalar(select(func.max(RemoteProduct.fetched_at)))
        age = overview.age
        fixes = tuple(fix_runs(s, 10))
    return DashboardData(kpis, history, ok, failed, depth, snaps, known, last_fetch, now, age, fixes)


def snapshot_now(db, now: datetime | None = None) -> None:
    """Record the KPIs now (the Dashboard's quarter-hour snapshot)."""
    from . import metrics
    from .settings import load_config

    with db.session_factory.begin() as s:
        metrics.take_snapshot(s, now or utcnow(), buffer_stock=load_config(s).buffer_stock)


def refresh_from_n11(db):
    """Run the N11 State Sync now (the Dashboard's "Refresh from N11" without a scheduler)."""
    from .flows import run_flow

    return run_flow("remote_sync", db, trigger="manual")


def load_kpi_members(db, name: str):
    """The products behind one KPI number (the Dashboard's drill-down)."""
    from . import metrics
    from .settings import load_config

    with db.session_factory() as s:
        return metrics.kpi_members(s, name, buffer_stock=load_config(s).buffer_stock)


def load_report(db, kind: str, now: datetime | None = None):
    """(kind, rows, snapshot age) of one report — the same code as ``n11-desktop reports``."""
    with db.session_factory() as s:
        rows, age = report(s, kind, now or utcnow())
        return kind, rows, age
