"""``n11-desktop stores list|add|rename|remove|use|copy|link-catalog`` (issue 16: several stores).

Each store is its own database (core.stores); the registry names them. ``--store NAME`` on any
other command (and on the desktop app) opens that store's database.
"""

from __future__ import annotations

import json
import time

from ..i18n import fill, translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("stores", help=translate("cli", "list, add, rename or remove stores (one database per N11 store)"))
    sub = p.add_subparsers(dest="stores_cmd", required=True,
                           metavar="{list,add,rename,remove,use,copy,link-catalog}")
    pl = sub.add_parser("list", help=translate("cli", "every store with its database and who drives it now"))
    pl.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per line"))
    pl.set_defaults(func=cmd_list)
    pa = sub.add_parser("add", help=translate("cli", "add a store and create its database"))
    pa.add_argument("name", help=translate("cli", "store name: letters, digits, - _ . (e.g. shop-a)"))
    pa.add_argument("--db", dest="store_db", metavar="PATH|URL",
                    help=translate("cli", "its database: an SQLite file or a URL such as "
                    "postgresql+psycopg://user@host/n11?options=-csearch_path%%3Dshop_a "
                    "(default: stores/NAME.db next to the registry)"))
    pa.add_argument("--demo", action="store_true",
                    help=translate("cli", "a demo store: the demo catalog and mapping against the built-in sandbox"))
    pa.add_argument("--copy-from", metavar="STORE", help=translate("cli", "copy settings and mapping from this store"))
    pa.add_argument("--copy", dest="copy_what", default="settings,mapping", metavar="WHAT",
                    help=translate("cli", "with --copy-from: settings, mapping or both (default settings,mapping)"))
    pa.add_argument("--catalog-source", metavar="FILE",
                    help=translate("cli", "a catalog file this store shares with others (`catalog import` without FILE reads it)"))
    pa.set_defaults(func=cmd_add)
    pr = sub.add_parser("rename", help=translate("cli", "rename a store (its data stays where it is)"))
    pr.add_argument("old")
    pr.add_argument("new")
    pr.set_defaults(func=cmd_rename)
    prm = sub.add_parser("remove", help=translate("cli", "forget a store; its data is kept unless --delete-data"))
    prm.add_argument("name")
    prm.add_argument("--delete-data", action="store_true",
                     help=translate("cli", "also delete its SQLite database file (refused while a process drives it; "
                     "never drops a PostgreSQL database)"))
    prm.set_defaults(func=cmd_remove)
    pu = sub.add_parser("use", help=translate("cli", "make a store the default (what runs without --store)"))
    pu.add_argument("name")
    pu.set_defaults(func=cmd_use)
    pc = sub.add_parser("copy", help=translate("cli", "copy settings and/or mapping from one store to another"))
    pc.add_argument("source")
    pc.add_argument("target")
    pc.add_argument("--what", dest="copy_what", default="settings,mapping", metavar="WHAT",
                    help=translate("cli", "settings, mapping or both (default settings,mapping)"))
    pc.set_defaults(func=cmd_copy)
    pk = sub.add_parser("link-catalog", help=translate("cli", "share a catalog source file: `catalog import` without FILE reads it"))
    pk.add_argument("name")
    pk.add_argument("file", nargs="?", help=translate("cli", "the catalog file (CSV or XLSX); leave out with --unlink"))
    pk.add_argument("--unlink", action="store_true", help=translate("cli", "forget the linked file"))
    pk.set_defaults(func=cmd_link_catalog)


def _what(text: str) -> tuple[str, ...]:
    from ..core.stores import COPY_PARTS, StoreError

    parts = tuple(p.strip() for p in str(text).split(",") if p.strip())
    bad = [p for p in parts if p not in COPY_PARTS]
    if bad or not parts:
        raise StoreError(fill(translate("cli", "--copy/--what: %1 is not one of %2"),
                              ", ".join(bad) or translate("cli", "nothing"), ", ".join(COPY_PARTS)))
    return parts


def store_status(store, now: float | None = None) -> tuple[str, str]:
    """(state, who drives it) of one store without creating or migrating anything
    (state: ok, new — no tables yet —, missing or unavailable: see core.stores.peek_lease)."""
    now = time.time() if now is None else now
    try:
        from ..core.stores import peek_lease

        state, holder = peek_lease(store)
    except Exception as exc:  # noqa: BLE001 - one broken store never hides the others
        from ..core.inputs import one_line

        return "unavailable", one_line(str(exc), 160)
    if holder is None or holder.is_stale(now):
        return state, ""
    where = f"{holder.user}@{holder.host}" if holder.user else holder.host
    return "ok", fill(translate("cli", "%1 pid %2 on %3"), holder.role, holder.pid, where)


def cmd_list(args, ctx) -> int:
    from ..core.stores import Registry

    reg = Registry.load()
    rows = []
    for store in reg.listed():
        state, driver = store_status(store)
        rows.append({"name": store.name, "default": store.name == reg.default, "db": store.location(),
                     "state": state, "driven_by": driver, "demo": store.demo,
                     "catalog_source": store.catalog_source})
    if args.json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False, sort_keys=True))
        return 0
    if not rows:  # no table header above nothing: only the line saying so
        if reg.exists:
            print(translate("cli", "no stores yet; `stores add NAME` adds one"))
        else:
            ctx.err("n11-desktop stores: " + fill(translate("cli", "no registry yet (%1); `stores add NAME` creates it"),
                                                  reg.path))
        return 0
    from ..cli import print_table

    demo = translate("cli", " (demo)")
    print_table(["", translate("cli", "store"), translate("cli", "database"), translate("cli", "state"),
                 translate("cli", "driven by")],
                [["*" if r["default"] else "", r["name"] + (demo if r["demo"] else ""), r["db"], r["state"],
                  r["driven_by"]] for r in rows])
    if not reg.exists:
        ctx.err("n11-desktop stores: " + fill(translate("cli", "no registry yet (%1); `stores add NAME` creates it"),
                                              reg.path))
    return 0


def cmd_add(args, ctx) -> int:
    from ..core.stores import Registry, create_store
    from ..i18n.core_texts import core_message

    what = _what(args.copy_what) if args.copy_from else ()
    prepare = None
    if args.demo:
        prepare = prepare_demo_with_sandbox
    source = ""
    if args.catalog_source:
        from pathlib import Path

        path = Path(args.catalog_source).expanduser().resolve()
        if not path.is_file():
            ctx.err("n11-desktop stores add: " + fill(translate("cli", "catalog source %1 is not a file"), path))
            return 1
        source = str(path)
    reg = Registry.load()
    store, report = create_store(reg, args.name, args.store_db, demo=args.demo, prepare=prepare,
                                 copy_from=args.copy_from, copy_what=what, catalog_source=source)
    print(fill(translate("cli", "store %1 added: %2 (default)") if reg.default == store.name
               else translate("cli", "store %1 added: %2"), store.name, store.location()))
    if report is not None:
        print(fill(translate("cli", "%1: %2 from %3"), store.name, core_message(report.summary()), args.copy_from))
    return 0


def prepare_demo_with_sandbox(db) -> None:
    """The demo profile of a new demo store, its N11 category tree read from a sandbox that runs
    only for this (each later start of the store points it at the sandbox of that process)."""
    from ..core.stores import prepare_demo_store
    from ..sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET, SandboxServer

    server = SandboxServer(port=0)
    server.start()
    try:
        prepare_demo_store(db, app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET, base_url=server.base_url)
    finally:
        server.stop()


def cmd_rename(args, ctx) -> int:
    from ..core.stores import Registry

    reg = Registry.load()
    store = reg.rename(args.old, args.new)
    reg.save()
    print(fill(translate("cli", "store %1 is now %2 (%3)"), args.old, store.name, store.location()))
    return 0


def cmd_remove(args, ctx) -> int:
    from ..core.stores import Registry, remove_store

    reg = Registry.load()
    store = remove_store(reg, args.name, delete_data=args.delete_data)
    if args.delete_data:
        print(fill(translate("cli", "store %1 removed and its database %2 deleted"), store.name, store.location()))
    else:
        print(fill(translate("cli", "store %1 removed from the list; its data is kept at %2 (`stores add %1 --db …` "
                                    "brings it back)"), store.name, store.location()))
    return 0


def cmd_use(args, ctx) -> int:
    from ..core.stores import Registry

    reg = Registry.load()
    store = reg.set_default(args.name)
    reg.save()
    print(fill(translate("cli", "default store: %1"), store.name))
    return 0


def cmd_copy(args, ctx) -> int:
    from ..core.stores import Registry, copy_between, open_store

    what = _what(args.copy_what)
    reg = Registry.load()
    src, dst = reg.get(args.source), reg.get(args.target)
    if src.name == dst.name:
        ctx.err("n11-desktop stores copy: " + translate("cli", "source and target are the same store"))
        return 1
    a = open_store(src)
    try:
        b = open_store(dst)
        try:
            report = copy_between(a, b, what)
        finally:
            b.dispose()
    finally:
        a.dispose()
    from ..i18n.core_texts import core_message

    print(fill(translate("cli", "%1: %2 from %3"), dst.name, core_message(report.summary()), src.name))
    return 1 if report.mapping_errors else 0


def cmd_link_catalog(args, ctx) -> int:
    from pathlib import Path

    from ..core.stores import Registry

    reg = Registry.load()
    if args.unlink == bool(args.file):
        ctx.err("n11-desktop stores link-catalog: " + translate("cli", "give either FILE or --unlink"))
        return 2
    source = ""
    if args.file:
        path = Path(args.file).expanduser().resolve()
        if not path.is_file():
            ctx.err("n11-desktop stores link-catalog: " + fill(translate("cli", "%1 is not a file"), path))
            return 1
        source = str(path)
    store = reg.set_catalog_source(args.name, source)
    reg.save()
    print(fill(translate("cli", "store %1: catalog source %2") if source
               else translate("cli", "store %1: no linked catalog source"), store.name, source))
    return 0
