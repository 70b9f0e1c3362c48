"""``n11-desktop settings show | import FILE | export FILE | activate | deactivate`` (DESIGN §9)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ..i18n import fill, translate

EXIT_OK, EXIT_INVALID = 0, 1


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("settings", parents=[common],
                              help=translate("cli", "show, import, export, activate or deactivate channel settings"))
    sub = p.add_subparsers(dest="settings_cmd", required=True, metavar="{show,import,export,activate,deactivate}")
    ps = sub.add_parser("show", parents=[common], help=translate("cli", "print the channel settings (the App Secret masked)"))
    ps.add_argument("--json", action="store_true", help=translate("cli", "print the settings file instead (no secret)"))
    ps.set_defaults(func=cmd_show)
    pi = sub.add_parser("import", parents=[common],
                        help=translate("cli", 'apply a settings file {"is_active", "conf", "schema_type"}; '
                             "nothing changes if any value is invalid"))
    pi.add_argument("file", type=Path, help=translate("cli", "settings file (JSON)"))
    pi.set_defaults(func=cmd_import)
    pe = sub.add_parser("export", parents=[common], help=translate("cli", "write the settings file (without the App Secret)"))
    pe.add_argument("file", type=Path, help=translate("cli", "where to write, '-' for standard output"))
    pe.add_argument("--include-secret", action="store_true", help=translate("cli", "also write the App Secret"))
    pe.set_defaults(func=cmd_export)
    pa = sub.add_parser("activate", parents=[common], help=translate("cli", "validate everything and switch the channel on"))
    pa.set_defaults(func=cmd_activate)
    pd = sub.add_parser("deactivate", parents=[common], help=translate("cli", "switch the channel off (no flow runs)"))
    pd.set_defaults(func=cmd_deactivate)


def _problems(ctx, title: str, errors) -> int:
    from ..core.inputs import one_line

    from ..i18n.core_texts import core_message

    if len(errors) == 1:  # one problem: one line
        ctx.err(f"n11-desktop: {title}: {one_line(core_message(errors[0].message))}")
        return EXIT_INVALID
    ctx.err(f"n11-desktop: {title} " + fill(translate("cli", "(%1 problems):"), len(errors)))
    for e in errors:
        ctx.err(f"  - {one_line(core_message(e.message))}")
    return EXIT_INVALID


def _fmt(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return translate("cli", "(empty)")
    if isinstance(value, bool):
        return translate("cli", "yes") if value else translate("cli", "no")
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def cmd_show(args, ctx) -> int:
    from ..core.inputs import one_line
    from ..core.settings import export_settings, load_settings
    from ..core.settings.schema import LABELS
    from ..core.settings.store import activation_problems

    with ctx.db().session_factory.begin() as s:
        if args.json:
            sys.stdout.write(export_settings(s))
            return EXIT_OK
        snap = load_settings(s)
        problems = activation_problems(s) if not snap.is_active else []
        from ..core.schedules import schedule_rows

        changed = [r for r in schedule_rows(s) if r.changed]
    from ..i18n.core_texts import core_message, core_tr, schedule_text

    print(fill(translate("cli", "Channel %1 (catalog %2, type %3): %4"), snap.name, snap.catalog_name,
               snap.channel_type, translate("cli", "active") if snap.is_active else translate("cli", "inactive")))
    rows = []
    for fid, entry in snap.schema.items():
        key = entry["key"]
        value = snap.conf.get(key)
        if fid == "feature_flags":
            on = [k for k, v in (value or {}).items() if v]
            text = ", ".join(on) if on else translate("cli", "(all off)")
        elif fid == "app_secret":
            where = {"keyring": translate("cli", "******** (in the system keyring)"),
                     "database": translate("cli", "******** (in the database; no system keyring)")}.get(
                snap.secret_location, translate("cli", "******** (in the settings)"))
            text = where if value else translate("cli", "(empty)")
        else:
            text = _fmt(value)
        text = one_line(text)  # a value saved by an older version may hold a line break
        if len(text) > 90:
            text = text[:87] + "…"
        label = core_tr(LABELS.get(fid) or entry["label"])
        rows.append([label + (" *" if entry["required"] else ""), key, text])
    from ..cli import print_table

    print_table([translate("cli", "field"), translate("cli", "key"), translate("cli", "value")], rows)
    print(translate("cli", "* required"))
    if changed:
        print(fill(translate("cli", "Schedules changed from the default (%1; `n11-desktop schedule list` shows all):"),
                   len(changed)))
        for r in changed:
            print("  - " + fill(translate("cli", "%1 (%2): %3 (default: %4)"), core_tr(r.name), r.slug,
                                schedule_text(r.current), schedule_text(r.default)))
    else:
        print(translate("cli", "Schedules: every flow on its default (`n11-desktop schedule list`)"))
    if problems:
        print(fill(translate("cli", "Not ready to activate (%1 problems):"), len(problems)))
        for e in problems:
            print(f"  - {core_message(e.message)}")
    return EXIT_OK


def cmd_import(args, ctx) -> int:
    from ..core.inputs import MAX_SETTINGS_BYTES, read_limited
    from ..core.settings import import_settings

    raw = read_limited(args.file, door="settings file", max_bytes=MAX_SETTINGS_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        ctx.err("n11-desktop: " + fill(translate("cli", "cannot read %1: not UTF-8 text (byte %2)"), args.file, exc.start))
        return EXIT_INVALID
    with ctx.db().session_factory() as s:
        with s.begin():
            errors = import_settings(s, text)
            if errors:
                s.rollback()
                return _problems(ctx, fill(translate("cli", "%1 was not imported, nothing changed"), args.file), errors)
    print(fill(translate("cli", "imported %1"), args.file))
    return EXIT_OK


def cmd_export(args, ctx) -> int:
    from ..core.settings import export_settings

    with ctx.db().session_factory.begin() as s:
        text = export_settings(s, include_secret=args.include_secret)
    if str(args.file) == "-":
        sys.stdout.write(text)
        return EXIT_OK
    try:
        args.file.write_text(text, encoding="utf-8")
    except OSError as exc:
        ctx.err("n11-desktop: " + fill(translate("cli", "cannot write %1: %2"), args.file, exc.strerror))
        return EXIT_INVALID
    print(fill(translate("cli", "exported to %1 (including the App Secret)") if args.include_secret
               else translate("cli", "exported to %1"), args.file))
    return EXIT_OK


def cmd_activate(args, ctx) -> int:
    from ..core.settings import activate

    with ctx.db().session_factory() as s:
        with s.begin():
            errors = activate(s)
            if errors:
                s.rollback()
                return _problems(ctx, translate("cli", "the channel was not activated"), errors)
    print(translate("cli", "channel activated"))
    return EXIT_OK


def cmd_deactivate(args, ctx) -> int:
    from ..core.settings import deactivate

    with ctx.db().session_factory.begin() as s:
        deactivate(s)
    print(translate("cli", "channel deactivated"))
    return EXIT_OK
