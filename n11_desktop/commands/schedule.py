"""``n11-desktop schedule list [--json] | set SLUG EVERY | set SLUG --daily HH:MM | reset SLUG|--all``.

Changes a flow's timer (seed §9: frequencies can be modified). Daily times are Europe/Istanbul,
N11's zone, whatever this computer's zone. The scheduler (app window or ``run``) picks a change
up at its next look at the database."""

from __future__ import annotations

import json


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("schedule", parents=[common], help="show or change when each flow runs")
    sub = p.add_subparsers(dest="schedule_cmd", required=True, metavar="{list,set,reset}")
    pl = sub.add_parser("list", parents=[common], help="every flow with its default and current schedule")
    pl.add_argument("--json", action="store_true", help="one JSON object per line")
    pl.set_defaults(func=cmd_list)
    ps = sub.add_parser("set", parents=[common],
                        help="set a flow's interval (90s, 5m, 2h, 1d; 1 minute to 7 days) or daily time")
    ps.add_argument("slug", help="flow slug, see `schedule list`")
    ps.add_argument("every", nargs="?", help="interval, e.g. 5m, 30m, 2h, 1d")
    ps.add_argument("--daily", metavar="HH:MM", help="run once a day at this time, Europe/Istanbul")
    ps.set_defaults(func=cmd_set)
    pr = sub.add_parser("reset", parents=[common], help="back to the default schedule")
    pr.add_argument("slug", nargs="?", help="flow slug")
    pr.add_argument("--all", action="store_true", help="reset every flow")
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

    print_table(["slug", "current", "default", "changed"],
                [[r.slug, r.current, r.default, "yes" if r.changed else ""] for r in rows])
    return 0


def cmd_set(args, ctx) -> int:
    from ..core.schedules import ScheduleError, describe, set_schedule

    if (args.every is None) == (args.daily is None):
        ctx.err("n11-desktop schedule set: give either an interval (e.g. 10m) or --daily HH:MM")
        return 2
    try:
        with ctx.db().session_factory.begin() as s:
            sch = set_schedule(s, args.slug, every=args.every, daily_at=args.daily)
    except ScheduleError as exc:
        ctx.err(f"n11-desktop schedule set: {exc}")
        return 1
    print(f"{args.slug}: {describe(sch)}")
    return 0


def cmd_reset(args, ctx) -> int:
    from ..core.schedules import ScheduleError, reset_schedule

    if bool(args.slug) == bool(args.all):
        ctx.err("n11-desktop schedule reset: give a flow slug or --all")
        return 2
    try:
        with ctx.db().session_factory.begin() as s:
            n = reset_schedule(s, None if args.all else args.slug)
    except ScheduleError as exc:
        ctx.err(f"n11-desktop schedule reset: {exc}")
        return 1
    print(f"{n} schedule(s) back to the default")
    return 0
