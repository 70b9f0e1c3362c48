"""``n11-desktop schedule list [--json] | set SLUG EVERY | set SLUG --daily HH:MM | reset SLUG|--all``.

Changes a flow's timer (seed §9: frequencies can be modified). Daily times are Europe/Istanbul,
N11's zone, whatever this computer's zone. The scheduler (app window or ``run``) picks a change
up at its next look at the database."""

from __future__ import annotations

import json

from ..i18n import fill, translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("schedule", parents=[common], help=translate("cli", "show or change when each flow runs"))
    sub = p.add_subparsers(dest="schedule_cmd", required=True, metavar="{list,set,reset}")
    pl = sub.add_parser("list", parents=[common], help=translate("cli", "every flow with its default and current schedule"))
    pl.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per line"))
    pl.set_defaults(func=cmd_list)
    ps = sub.add_parser("set", parents=[common],
                        help=translate("cli", "set a flow's interval (90s, 5m, 2h, 1d; 1 minute to 7 days) or daily time"))
    ps.add_argument("slug", help=translate("cli", "flow slug, see `schedule list`"))
    ps.add_argument("every", nargs="?", help=translate("cli", "interval, e.g. 5m, 30m, 2h, 1d"))
    ps.add_argument("--daily", metavar="HH:MM", help=translate("cli", "run once a day at this time, Europe/Istanbul"))
    ps.set_defaults(func=cmd_set)
    pr = sub.add_parser("reset", parents=[common], help=translate("cli", "back to the default schedule"))
    pr.add_argument("slug", nargs="?", help=translate("cli", "flow slug"))
    pr.add_argument("--all", action="store_true", help=translate("cli", "reset every flow"))
    pr.set_defaults(func=cmd_reset)


def cmd_list(args, ctx) -> int:
    from ..core.schedules import schedule_rows

    with ctx.db().session_factory() as s:
        rows = schedule_rows(s)
    if args.json:
        for r in rows:
            print(json.dumps(r.as_dict(), ensure_ascii=False, sort_keys=True))
        return 0
    from ..cli import print_table

    from ..i18n.core_texts import schedule_text

    print_table([translate("cli", "slug"), translate("cli", "current"), translate("cli", "default"),
                 translate("cli", "changed")],
                [[r.slug, schedule_text(r.current), schedule_text(r.default), translate("cli", "yes") if r.changed else ""]
                 for r in rows])
    return 0


def cmd_set(args, ctx) -> int:
    from ..core.schedules import ScheduleError, describe, set_schedule
    from ..i18n.core_texts import core_message, schedule_text

    if (args.every is None) == (args.daily is None):
        ctx.err("n11-desktop schedule set: " + translate("cli", "give either an interval (e.g. 10m) or --daily HH:MM"))
        return 2
    try:
        with ctx.db().session_factory.begin() as s:
            sch = set_schedule(s, args.slug, every=args.every, daily_at=args.daily)
    except ScheduleError as exc:
        ctx.err(f"n11-desktop schedule set: {core_message(str(exc))}")
        return 1
    print(f"{args.slug}: {schedule_text(describe(sch))}")
    return 0


def cmd_reset(args, ctx) -> int:
    from ..core.schedules import ScheduleError, reset_schedule

    if bool(args.slug) == bool(args.all):
        ctx.err("n11-desktop schedule reset: " + translate("cli", "give a flow slug or --all"))
        return 2
    try:
        with ctx.db().session_factory.begin() as s:
            n = reset_schedule(s, None if args.all else args.slug)
    except ScheduleError as exc:
        from ..i18n.core_texts import core_message

        ctx.err(f"n11-desktop schedule reset: {core_message(str(exc))}")
        return 1
    print(fill(translate("cli", "%1 schedule(s) back to the default"), n))
    return 0
