"""``n11-desktop kpis [--json]``: the eight seed §7.1 KPIs with the N11 snapshot's age (the Dashboard's numbers)."""

from __future__ import annotations

import json


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("kpis", parents=[common], help="the eight dashboard KPIs with the N11 snapshot's age")
    p.add_argument("--json", action="store_true", help="one JSON object per KPI")
    p.set_defaults(func=cmd_kpis)


def cmd_kpis(args, ctx) -> int:
    from ..core.flows.base import utcnow
    from ..core.overview import kpi_overview

    with ctx.db().session_factory() as s:
        ov = kpi_overview(s, utcnow())
    rows = ov.rows()
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False, sort_keys=True))
        if ov.age.stale:
            ctx.err(f"n11-desktop kpis: warning: {ov.age.describe()}")
        return 0
    from ..cli import print_table

    print(ov.age.describe())
    print_table(["kpi", "value", "last fix run (found / resent / fixed / still different / explained)"],
                [[r["label"], r["value"],
                  (f"{r['fix']['found']} / {r['fix']['resent']} / {r['fix']['fixed']} / "
                   f"{r['fix']['still_different']} / {r['fix']['explained']}" if r.get("fix") and r["fix"]["at"]
                   else ("no fix run yet" if "fix" in r else ""))] for r in rows])
    return 0
