"""``n11-desktop reports price-stock|not-on-sale [--json]``: Monitoring → Reports headless."""

from __future__ import annotations

import json
from dataclasses import fields
from decimal import Decimal

from ..i18n import fill, translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("reports", parents=[common], help=translate("cli", "price/stock difference and not-on-sale reports"))
    p.add_argument("report", choices=("price-stock", "not-on-sale"),
                   help=translate("cli", "price-stock: SKUs on sale whose N11 price or stock differs; "
                        "not-on-sale: catalog SKUs not on sale on N11, with the reason and the fix"))
    p.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per line"))
    p.set_defaults(func=cmd_reports)


def _blank(v) -> str:
    return "" if v is None else str(v)


def _plain(v):
    if isinstance(v, Decimal):
        return str(v)
    return v


def cmd_reports(args, ctx) -> int:
    from ..core.flows.base import utcnow
    from ..core.overview import report
    from ..i18n.core_texts import age_text, core_message

    with ctx.db().session_factory() as s:
        rows, age = report(s, args.report, utcnow())
    if args.json:
        for r in rows:
            print(json.dumps({f.name: _plain(getattr(r, f.name)) for f in fields(r)}, ensure_ascii=False,
                             sort_keys=True))
        if age.stale:
            ctx.err("n11-desktop reports: " + fill(translate("cli", "warning: %1"), age_text(age)))
        return 0
    from ..cli import print_table

    print(age_text(age))
    if args.report == "not-on-sale":
        print_table([translate("cli", "sku"), translate("cli", "title"), translate("cli", "why not on sale"),
                     translate("cli", "fix")],
                    [[r.sku, r.title[:40], core_message(r.reason), core_message(r.fix)] for r in rows])
    else:
        print_table([translate("cli", "sku"), translate("cli", "differs"), translate("cli", "price → N11"),
                     translate("cli", "list price → N11"), translate("cli", "stock to send → N11")],
                    [[r.sku, core_message(r.kind), f"{r.local_price} → {r.n11_price}",
                      f"{r.local_list_price} → {r.n11_list_price}",
                      f"{r.local_quantity} → {_blank(r.n11_quantity)}"] for r in rows])
    print(fill(translate("cli", "%1 row(s)"), len(rows)))
    return 0
