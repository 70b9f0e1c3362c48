"""``n11-desktop mapping import FILE.csv | export FILE.csv | suggest [--json] | term … | default …`` (DESIGN §9).

``mapping term add X Y`` teaches the category suggestions a merchant word ("treat X as Y",
the same as the Mapper's Suggestions page); ``mapping default set ATTRIBUTE_ID (--value-id N |
--text T) [--category LEAF]`` sets the value sent for an N11 attribute the catalog does not carry.

Mapping file: ``kind,local,n11_id,category_id[,custom_value]``; kind ``category`` (local
path → N11 leaf id), ``attribute`` (local name → N11 attribute id; category_id empty =
global), ``value`` (``Name=Value`` → N11 value id; category_id empty = global), ``term`` (local
word → N11's word in custom_value, for the suggestions) or ``default`` (local = N11 attribute id →
N11 value id, or a value name/free text in custom_value; category_id empty = every leaf). Only
the good rows are written; each bad row is one line on stderr ``row N, column C: reason``.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.inputs import bounded_int, one_line
from ..i18n import fill, translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("mapping", parents=[common],
                              help=translate("cli", "import, export or suggest category/attribute mappings"))
    sub = p.add_subparsers(dest="mapping_cmd", required=True, metavar="{import,export,suggest,term,default}")
    pi = sub.add_parser("import", parents=[common], help=translate("cli", "write the good rows of a mapping CSV"),
                        description=translate("cli", "Columns: kind,local,n11_id,category_id[,custom_value]. Rows apply in order; "
                                    "importing the same file twice changes nothing the second time."))
    pi.add_argument("file", type=Path, metavar="FILE.csv")
    pi.set_defaults(func=cmd_import)
    pe = sub.add_parser("export", parents=[common], help=translate("cli", "write every mapping to a CSV (stable order)"))
    pe.add_argument("file", type=Path, metavar="FILE.csv")
    pe.set_defaults(func=cmd_export)
    ps = sub.add_parser("suggest", parents=[common],
                        help=translate("cli", "ranked suggestions for unmapped categories, attributes and values"))
    ps.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per line"))
    ps.add_argument("--limit", type=bounded_int(1, 100), default=3, help=translate("cli", "candidates per local category (default 3)"))
    ps.set_defaults(func=cmd_suggest)
    pt = sub.add_parser("term", parents=[common], help=translate("cli", "the suggestions' extra words: treat X as Y"))
    tsub = pt.add_subparsers(dest="term_cmd", required=True, metavar="{add,remove,list}")
    ta = tsub.add_parser("add", parents=[common], help=translate("cli", "treat LOCAL (your word) as N11 (N11's word)"))
    ta.add_argument("local", metavar="LOCAL")
    ta.add_argument("n11", metavar="N11")
    ta.set_defaults(func=cmd_term_add)
    tr = tsub.add_parser("remove", parents=[common], help=translate("cli", "forget a term"))
    tr.add_argument("local", metavar="LOCAL")
    tr.set_defaults(func=cmd_term_remove)
    tl = tsub.add_parser("list", parents=[common], help=translate("cli", "list your terms"))
    tl.set_defaults(func=cmd_term_list)
    pd = sub.add_parser("default", parents=[common],
                        help=translate("cli", "values for N11 attributes the catalog does not carry (e.g. Menşei)"))
    dsub = pd.add_subparsers(dest="default_cmd", required=True, metavar="{set,remove,list}")
    dset = dsub.add_parser("set", parents=[common], help=translate("cli", "set the default of an N11 attribute"))
    dset.add_argument("attribute_id", type=bounded_int(1, 10**12), metavar="ATTRIBUTE_ID")
    g = dset.add_mutually_exclusive_group(required=True)
    g.add_argument("--value-id", type=bounded_int(1, 10**12), help=translate("cli", "one of N11's values of the attribute"))
    g.add_argument("--text", help=translate("cli", "an N11 value name, or free text where N11 accepts it"))
    dset.add_argument("--category", type=bounded_int(0, 10**12), default=0,
                      help=translate("cli", "only in this N11 leaf (default: every leaf offering the attribute)"))
    dset.set_defaults(func=cmd_default_set)
    drm = dsub.add_parser("remove", parents=[common], help=translate("cli", "remove a default"))
    drm.add_argument("attribute_id", type=bounded_int(1, 10**12), metavar="ATTRIBUTE_ID")
    drm.add_argument("--category", type=bounded_int(0, 10**12), default=0)
    drm.set_defaults(func=cmd_default_remove)
    dls = dsub.add_parser("list", parents=[common], help=translate("cli", "list the defaults"))
    dls.set_defaults(func=cmd_default_list)


def cmd_import(args, ctx) -> int:
    from ..core.mapping.csvfile import import_mapping_csv
    from ..core.mapping.store import MappingError
    from ..i18n.core_texts import core_message

    db = ctx.db()
    try:
        with db.session_factory.begin() as s:
            report = import_mapping_csv(s, args.file)
    except MappingError as exc:
        ctx.err(f"n11-desktop: {core_message(str(exc))}")
        return 1
    for e in report.errors:
        ctx.err(one_line(core_message(str(e))))
    print(fill(translate("cli", "mapping import: %1"), core_message(report.summary())))
    return 1 if report.errors else 0


def cmd_export(args, ctx) -> int:
    from ..core.mapping.csvfile import export_mapping_csv

    db = ctx.db()
    try:
        with db.session_factory.begin() as s:
            n = export_mapping_csv(s, args.file)
    except OSError as exc:
        ctx.err("n11-desktop: " + fill(translate("cli", "cannot write %1: %2"), args.file, exc.strerror or exc))
        return 1
    print(fill(translate("cli", "mapping export: %1 rows written to %2"), n, args.file))
    return 0


def cmd_suggest(args, ctx) -> int:
    from ..core.mapping.suggest import suggest_all

    db = ctx.db()
    with db.session_factory.begin() as s:
        rows = suggest_all(s, limit=max(1, args.limit))
    if args.json:
        for r in rows:
            print(json.dumps({"kind": r.kind, "local": r.local, "n11_id": r.n11_id, "n11_name": r.n11_name,
                              "confidence": r.confidence, "reason": r.reason, "category_id": r.category_id,
                              "attribute_id": r.attribute_id, "rank": r.rank}, ensure_ascii=False, sort_keys=True))
        return 0
    if not rows:
        print(translate("cli", "nothing to suggest: every local category, attribute and value is mapped "
                               "(or the N11 tree/attributes are not loaded yet — run category_node and "
                               "category_attributes)"))
        return 0
    from ..cli import print_table
    from ..core.formats import percent
    from ..i18n.core_texts import core_message

    print_table([translate("cli", "kind"), translate("cli", "local"), "N11", translate("cli", "confidence"),
                 translate("cli", "scope"), translate("cli", "reason")],
                [[r.kind, r.local, f"{r.n11_name} ({r.n11_id})", percent(round(r.confidence * 100), 0),
                  translate("cli", "global") if not r.category_id else str(r.category_id), core_message(r.reason)]
                 for r in rows])
    return 0


def _write(ctx, fn) -> int:
    from ..core.mapping.store import MappingError
    from ..i18n.core_texts import core_message

    db = ctx.db()
    try:
        with db.session_factory.begin() as s:
            msg = fn(s)
    except MappingError as exc:
        ctx.err(f"n11-desktop: {one_line(core_message(str(exc)))}")
        return 1
    print(core_message(str(getattr(msg, "message", msg))))
    return 0


def cmd_term_add(args, ctx) -> int:
    from ..core.mapping.suggest import set_operator_term

    return _write(ctx, lambda s: set_operator_term(s, args.local, args.n11))


def cmd_term_remove(args, ctx) -> int:
    from ..core.mapping.suggest import remove_operator_term

    return _write(ctx, lambda s: remove_operator_term(s, args.local))


def cmd_term_list(args, ctx) -> int:
    from ..core.mapping.suggest import operator_terms

    with ctx.db().session_factory.begin() as s:
        terms = operator_terms(s)
    for k, v in sorted(terms.items()):
        print(f"{k}\t{v}")
    return 0


def cmd_default_set(args, ctx) -> int:
    from ..core.mapping.defaults import set_attribute_default

    return _write(ctx, lambda s: set_attribute_default(s, args.attribute_id, value_id=args.value_id,
                                                         custom_value=args.text, category_id=args.category))


def cmd_default_remove(args, ctx) -> int:
    from ..core.mapping.defaults import remove_attribute_default

    return _write(ctx, lambda s: remove_attribute_default(s, args.attribute_id, args.category))


def cmd_default_list(args, ctx) -> int:
    from ..core.mapping.defaults import attribute_defaults

    with ctx.db().session_factory.begin() as s:
        rows = attribute_defaults(s)
    every = translate("cli", "all categories")
    for (cid, aid), d in sorted(rows.items()):
        print(f"{aid}\t{every if not cid else cid}\t{d.name}"
              + ("\t" + fill(translate("cli", "(value %1)"), d.value_id) if d.value_id is not None else ""))
    return 0
