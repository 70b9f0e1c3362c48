"""``n11-desktop penalty list [--json] [--all] | penalty lift FILE.csv [--action lift|delete|bump]``."""

from __future__ import annotations

import json
from pathlib import Path

from ..i18n import translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("penalty", parents=[common], help=translate("cli", "list the penalty box or lift penalties from a CSV"))
    sub = p.add_subparsers(dest="penalty_cmd", required=True, metavar="{list,lift}")
    pl = sub.add_parser("list", parents=[common], help=translate("cli", "show records held in the penalty box"))
    pl.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per line"))
    pl.add_argument("--all", action="store_true", help=translate("cli", "include lifted penalties"))
    pl.add_argument("--content-type", choices=("product", "productstock", "productprice", "order"))
    pl.set_defaults(func=cmd_list)
    pf = sub.add_parser("lift", parents=[common],
                        help=translate("cli", "apply a CSV: lift penalties, delete failed integrations, bump version dates"),
                        description=translate("cli", "CSV with a header: `sku` (required), optional `content_type` "
                                    "(product, productstock, productprice; empty = all) and `action` "
                                    "(lift, delete, bump). Bad rows are listed and nothing changes."))
    pf.add_argument("file", type=Path, metavar="FILE.csv")
    pf.add_argument("--action", choices=("lift", "delete", "bump"), default="lift",
                    help=translate("cli", "action for rows without an `action` column value (default lift)"))
    pf.set_defaults(func=cmd_lift)


def cmd_list(args, ctx) -> int:
    from ..core.penalty import list_penalties

    with ctx.db().session_factory() as s:
        rows = list_penalties(s, content_type=args.content_type, active_only=not args.all)
    if args.json:
        for r in rows:
            print(json.dumps(r.as_json(), ensure_ascii=False, sort_keys=True))
        return 0
    from ..cli import print_table

    from ..core.formats import datetime_text
    from ..i18n.core_texts import penalty_text

    def when(d):
        return datetime_text(d) if d else "-"

    print_table([translate("cli", "sku"), translate("cli", "content type"), translate("cli", "reason"),
                 translate("cli", "retries"), translate("cli", "next retry"), translate("cli", "state"),
                 translate("cli", "message")],
                [[r.sku, r.content_type, r.reason_type, r.retry_count,
                  when(r.next_retry_at) if r.next_retry_at else (translate("cli", "manual") if r.is_active else "-"),
                  r.as_json()["state"], penalty_text(r.message)] for r in rows])
    if not rows:
        print(translate("cli", "(the penalty box is empty)"))
    return 0


def cmd_lift(args, ctx) -> int:
    from ..core.penalty import lift_from_csv

    if not args.file.exists():
        ctx.err(f"n11-desktop: {args.file}: " + translate("cli", "no such file"))
        return 1
    report = lift_from_csv(ctx.db(), args.file, default_action=args.action)
    from ..core.inputs import one_line

    from ..i18n.core_texts import core_message

    for p in report.problems:
        ctx.err(one_line(f"{args.file.name or args.file}: {core_message(str(p))}"))
    print(core_message(report.summary()))
    return 0 if report.ok else 1
