"""``n11-desktop reports price-stock|not-on-sale [--json]``: Monitoring → Reports headless."""

from __future__ import annotations

import json
from dataclasses import fields
from decimal import Decimal


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("reports", parents=[common], help="price/stock difference and not-on-sale reports")
    p.add_argument("report", choices=("price-stock", "not-on-sale"),
                   help="price-stock: SKUs on sale whose N11 price or stock differs; "
                        "not-on-sale: catalog SKUs not on sale on N11, with the reason and the fix")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.set_defaults(func=cmd_reports)


def _plain(v):
    if isinstance(v, Decimal):
        return str(v)
    return v


def cmd_reports(args, ctx) -> int:
    from ..core.flows.base import utcnow
    from ..core.overview import report

    with ctx.db().session_factory() as s:
        rows, age = report(s, args.report, utcnow())
    if args.json:
        for r in rows:
            print(json.dumps({f.name: _plain(getattr(r, f.name)) for f in fields(r)}, ensure_ascii=False,
                             sort_keys=True))
        if age.stale:
            ctx.err(f"n11-desktop reports: warning: {age.describe()}")
        return 0
    from ..cli import print_table

    print(age.describe())
    if args.report == "not-on-sale":
        print_table(["sku", "title", "why not on sale", "fix"], [[r.sku, r.title[:40], r.reason, r.fix] for r in rows])
    else:
        print_table(["sku", "differs", "price → N11", "list price → N11", "stock to send → N11"],
                    [[r.sku, r.kind, f"{r.local_price} → {r.n11_price}", f"{r.local_list_price} → {r.n11_list_price}",
                      f"{r.local_quantity} → {'' if r.n11_quantity is None else r.n11_quantity}"] for r in rows])
    print(f"{len(rows)} row(s)")
    return 0
