"""What the Dashboard, Monitoring → Reports and the headless ``kpis`` / ``reports`` commands show:
one function each, so the screens and the command line print the same numbers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .metrics import KPI_LABELS, KPI_NAMES, Kpis, compute_kpis
from .remote_sync import SnapshotAge, snapshot_age

#: the two seed §7.1 "(FIXED)" KPIs and the kind of difference Fix Differences fixes for each
FIXED_KPIS = {"skus_with_price_difference": "price", "skus_with_stock_difference": "stock"}


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
