"""``n11-desktop mapping import FILE.csv | export FILE.csv | suggest [--json]`` (DESIGN §9).

Mapping file: ``kind,local,n11_id,category_id[,custom_value]``; kind ``category`` (local
path → N11 leaf id), ``attribute`` (local name → N11 attribute id; category_id empty =
global) or ``value`` (``Name=Value`` → N11 value id; category_id empty = global). Only the
good rows are written; each bad row is one line on stderr ``row N, column C: reason``.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..core.inputs import bounded_int, one_line


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("mapping", parents=[common],
                              help="import, export or suggest category/attribute mappings")
    sub = p.add_subparsers(dest="mapping_cmd", required=True, metavar="{import,export,suggest}")
    pi = sub.add_parser("import", parents=[common], help="write the good rows of a mapping CSV",
                        description="Columns: kind,local,n11_id,category_id[,custom_value]. Rows apply in order; "
                                    "importing the same file twice changes nothing the second time.")
    pi.add_argument("file", type=Path, metavar="FILE.csv")
    pi.set_defaults(func=cmd_import)
    pe = sub.add_parser("export", parents=[common], help="write every mapping to a CSV (stable order)")
    pe.add_argument("file", type=Path, metavar="FILE.csv")
    pe.set_defaults(func=cmd_export)
    ps = sub.add_parser("suggest", parents=[common],
                        help="ranked suggestions for unmapped categories, attributes and values")
    ps.add_argument("--json", action="store_true", help="one JSON object per line")
    ps.add_argument("--limit", type=bounded_int(1, 100), default=3, help="candidates per local category (default 3)")
    ps.set_defaults(func=cmd_suggest)


def cmd_import(args, ctx) -> int:
    from ..core.mapping.store import MappingError, import_mapping_csv

    db = ctx.db()
    try:
        with db.session_factory.begin() as s:
            report = import_mapping_csv(s, args.file)
    except MappingError as exc:
        ctx.err(f"n11-desktop: {exc}")
        return 1
    for e in report.errors:
        ctx.err(one_line(str(e)))
    print(f"mapping import: {report.summary()}")
    return 1 if report.errors else 0


def cmd_export(args, ctx) -> int:
    from ..core.mapping.store import export_mapping_csv

    db = ctx.db()
    try:
        with db.session_factory.begin() as s:
            n = export_mapping_csv(s, args.file)
    except OSError as exc:
        ctx.err(f"n11-desktop: cannot write {args.file}: {exc.strerror or exc}")
        return 1
    print(f"mapping export: {n} rows written to {args.file}")
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
        print("nothing to suggest: every local category, attribute and value is mapped "
              "(or the N11 tree/attributes are not loaded yet — run category_node and category_attributes)")
        return 0
    from ..cli import print_table

    print_table(["kind", "local", "N11", "confidence", "scope", "reason"],
                [[r.kind, r.local, f"{r.n11_name} ({r.n11_id})", f"{round(r.confidence * 100)}%",
                  "global" if not r.category_id else str(r.category_id), r.reason] for r in rows])
    return 0
