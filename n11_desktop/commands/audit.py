"""``n11-desktop audit [--area settings|mapping] [--limit N] [--json]``: who changed a setting or a
mapping, and when (the audit trail, newest first; issue 16)."""

from __future__ import annotations

import json

from ..core.inputs import bounded_int
from ..i18n import translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("audit", parents=[common],
                              help=translate("cli", "who changed a setting or a mapping, and when (newest first)"))
    p.add_argument("--area", choices=("settings", "mapping", "schedules"), help=translate("cli", "only this area"))
    p.add_argument("--object", metavar="KEY",
                   help=translate("cli", "only this object, e.g. 'category:Giyim > Tişört' or 'channel'"))
    p.add_argument("--operator", metavar="NAME",
                   help=translate("cli", "only the changes of this operator (user@host)"))
    p.add_argument("--limit", type=bounded_int(1, 100_000), default=50, metavar="N",
                   help=translate("cli", "at most N rows (default 50)"))
    p.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per line"))
    p.set_defaults(func=cmd_audit)


def cmd_audit(args, ctx) -> int:
    from ..core.audit import history

    with ctx.db().session_factory() as s:
        rows = history(s, args.area, limit=args.limit, object_key=args.object, operator=args.operator)
    if args.json:
        for r in rows:
            print(json.dumps(r.as_dict(), ensure_ascii=False, sort_keys=True))
        return 0
    from ..cli import print_table
    from ..i18n.core_texts import audit_action, audit_area, audit_object

    print_table([translate("cli", "when (UTC)"), translate("cli", "operator"), translate("cli", "area"),
                 translate("cli", "action"), translate("cli", "object"), translate("cli", "what changed")],
                [[f"{r.at:%Y-%m-%d %H:%M:%S}", r.operator, audit_area(r.area), audit_action(r.action),
                  audit_object(r.object_key),
                  r.detail if len(r.detail) <= 100 else r.detail[:99] + "…"] for r in rows])
    return 0
