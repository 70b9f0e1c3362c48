"""``n11-desktop flow list | flow run SLUG``."""

from __future__ import annotations

import json


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("flow", parents=[common], help="list flows or run one to completion")
    sub = p.add_subparsers(dest="flow_cmd", required=True, metavar="{list,run}")
    pl = sub.add_parser("list", parents=[common], help="list every flow with its flag and schedule")
    pl.add_argument("--json", action="store_true", help="one JSON object per line")
    pl.set_defaults(func=cmd_list)
    pr = sub.add_parser("run", parents=[common], help="run one flow to completion and print a summary")
    pr.add_argument("slug", help="flow slug, see `flow list`")
    pr.add_argument("--sku", action="append", default=[], help="limit product flows to these SKUs (repeatable)")
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

    print_table(
        ["slug", "name", "flag", "schedule", "status"],
        [[r["slug"], r["name"], (r["flag"] + (" (on)" if r["flag"] and r["flag_on"] else " (off)" if r["flag"] else "")),
          r["schedule"], "ready" if r["available"] else "not yet"] for r in rows],
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
    line = (f"{result.flow}: {result.state.value} — {result.total} total, {result.succeeded} ok, "
            f"{result.failed} failed, {result.penalized} penalized, {result.skipped} skipped")
    if result.message:
        line += f" ({result.message})"
    print(line)
    return 0 if result.ok else 1
