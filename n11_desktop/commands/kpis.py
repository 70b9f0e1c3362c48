"""``n11-desktop kpis [--json]``: the eight seed §7.1 KPIs with the N11 snapshot's age (the Dashboard's numbers)."""

from __future__ import annotations

import json

from ..i18n import fill, translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("kpis", parents=[common], help=translate("cli", "the eight dashboard KPIs with the N11 snapshot's age"))
    p.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per KPI"))
    p.set_defaults(func=cmd_kpis)


def cmd_kpis(args, ctx) -> int:
    from ..core.flows.base import utcnow
    from ..core.overview import kpi_overview
    from ..core.formats import number
    from ..i18n.core_texts import age_text, core_tr

    with ctx.db().session_factory() as s:
        ov = kpi_overview(s, utcnow())
    rows = ov.rows()
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False, sort_keys=True))
        if ov.age.stale:
            ctx.err("n11-desktop kpis: " + fill(translate("cli", "warning: %1"), age_text(ov.age)))
        return 0
    from ..cli import print_table

    print(age_text(ov.age))
    print_table([translate("cli", "kpi"), translate("cli", "value"),
                 translate("cli", "last fix run (found / resent / fixed / still different / explained)")],
                [[core_tr(r["label"]), number(r["value"]),
                  (f"{r['fix']['found']} / {r['fix']['resent']} / {r['fix']['fixed']} / "
                   f"{r['fix']['still_different']} / {r['fix']['explained']}" if r.get("fix") and r["fix"]["at"]
                   else (translate("cli", "no fix run yet") if "fix" in r else ""))] for r in rows])
    return 0
