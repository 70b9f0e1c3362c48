"""``n11-desktop flow list | flow run SLUG``."""

from __future__ import annotations

import json

from ..i18n import fill, translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("flow", parents=[common], help=translate("cli", "list flows or run one to completion"))
    sub = p.add_subparsers(dest="flow_cmd", required=True, metavar="{list,run}")
    pl = sub.add_parser("list", parents=[common], help=translate("cli", "list every flow with its flag and schedule"))
    pl.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per line"))
    pl.set_defaults(func=cmd_list)
    pr = sub.add_parser("run", parents=[common], help=translate("cli", "run one flow to completion and print a summary"))
    pr.add_argument("slug", help=translate("cli", "flow slug, see `flow list`"))
    pr.add_argument("--sku", action="append", default=[], help=translate("cli", "limit product flows to these SKUs (repeatable)"))
    pr.set_defaults(func=cmd_run)


def cmd_list(args, ctx) -> int:
    from ..core.flows import all_specs, implementation

    from ..core.schedules import apply_override, describe, read_overrides

    rows = []
    flags = {}
    overrides = {}
    if ctx.db_exists():
        from ..core.settings import load_config

        with ctx.db().session_factory.begin() as s:
            flags = dict(load_config(s).flags)
            overrides = read_overrides(s)
    for spec in all_specs():
        rows.append({
            "slug": spec.slug,
            "name": spec.name,
            "flag": spec.flag or "",
            "flag_on": (flags.get(spec.flag, False) if spec.flag else True),
            "schedule": describe(apply_override(spec.schedule, overrides.get(spec.slug))),
            "available": implementation(spec.slug) is not None,
        })
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False, sort_keys=True))
        return 0
    from ..cli import print_table

    from ..i18n.core_texts import core_text, schedule_text

    on, off = translate("cli", " (on)"), translate("cli", " (off)")
    print_table(
        [translate("cli", "slug"), translate("cli", "name"), translate("cli", "flag"), translate("cli", "schedule"),
         translate("cli", "status")],
        [[r["slug"], core_text(r["name"]), (r["flag"] + (on if r["flag"] and r["flag_on"] else off if r["flag"] else "")),
          schedule_text(r["schedule"]), translate("cli", "ready") if r["available"] else translate("cli", "not yet")]
         for r in rows],
    )
    return 0


def cmd_run(args, ctx) -> int:
    from ..core.flows import FlowNotAvailable, run_flow

    db = ctx.db()
    options = {"skus": args.sku} if args.sku else {}

    def on_progress(p) -> None:
        if p.total:
            ctx.err(f"\r{p.flow}: {p.done}/{p.total}", end="")

    try:
        result = run_flow(args.slug, db, trigger="cli", options=options, on_progress=on_progress)
    except FlowNotAvailable as exc:
        ctx.err(f"n11-desktop: {exc}")
        return 1
    ctx.err("")
    from ..i18n.core_texts import state_word

    line = fill(translate("cli", "%1: %2 — %3 total, %4 ok, %5 failed, %6 penalized, %7 skipped"),
                result.flow, state_word(result.state.value), result.total, result.succeeded, result.failed,
                result.penalized, result.skipped)
    if result.message:
        line += f" ({result.message})"
    print(line)
    return 0 if result.ok else 1
