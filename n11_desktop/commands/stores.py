"""``n11-desktop stores list|add|rename|remove|use|copy|link-catalog`` (issue 16: several stores).

Each store is its own database (core.stores); the registry names them. ``--store NAME`` on any
other command (and on the desktop app) opens that store's database.
"""

from __future__ import annotations

import json
import time


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("stores", help="list, add, rename or remove stores (one database per N11 store)")
    sub = p.add_subparsers(dest="stores_cmd", required=True,
                           metavar="{list,add,rename,remove,use,copy,link-catalog}")
    pl = sub.add_parser("list", help="every store with its database and who drives it now")
    pl.add_argument("--json", action="store_true", help="one JSON object per line")
    pl.set_defaults(func=cmd_list)
    pa = sub.add_parser("add", help="add a store and create its database")
    pa.add_argument("name", help="store name: letters, digits, - _ . (e.g. shop-a)")
    pa.add_argument("--db", dest="store_db", metavar="PATH|URL",
                    help="its database: an SQLite file or a URL such as "
                    "postgresql+psycopg://user@host/n11?options=-csearch_path%%3Dshop_a "
                    "(default: stores/NAME.db next to the registry)")
    pa.add_argument("--demo", action="store_true",
                    help="a demo store: the demo catalog and mapping against the built-in sandbox")
    pa.add_argument("--copy-from", metavar="STORE", help="copy settings and mapping from this store")
    pa.add_argument("--copy", dest="copy_what", default="settings,mapping", metavar="WHAT",
                    help="with --copy-from: settings, mapping or both (default settings,mapping)")
    pa.add_argument("--catalog-source", metavar="FILE",
                    help="a catalog file this store shares with others (`catalog import` without FILE reads it)")
    pa.set_defaults(func=cmd_add)
    pr = sub.add_parser("rename", help="rename a store (its data stays where it is)")
    pr.add_argument("old")
    pr.add_argument("new")
    pr.set_defaults(func=cmd_rename)
    prm = sub.add_parser("remove", help="forget a store; its data is kept unless --delete-data")
    prm.add_argument("name")
    prm.add_argument("--delete-data", action="store_true",
                     help="also delete its SQLite database file (refused while a process drives it; "
                     "never drops a PostgreSQL database)")
    prm.set_defaults(func=cmd_remove)
    pu = sub.add_parser("use", help="make a store the default (what runs without --store)")
    pu.add_argument("name")
    pu.set_defaults(func=cmd_use)
    pc = sub.add_parser("copy", help="copy settings and/or mapping from one store to another")
    pc.add_argument("source")
    pc.add_argument("target")
    pc.add_argument("--what", dest="copy_what", default="settings,mapping", metavar="WHAT",
                    help="settings, mapping or both (default settings,mapping)")
    pc.set_defaults(func=cmd_copy)
    pk = sub.add_parser("link-catalog", help="share a catalog source file: `catalog import` without FILE reads it")
    pk.add_argument("name")
    pk.add_argument("file", nargs="?", help="the catalog file (CSV or XLSX); leave out with --unlink")
    pk.add_argument("--unlink", action="store_true", help="forget the linked file")
    pk.set_defaults(func=cmd_link_catalog)


def _what(text: str) -> tuple[str, ...]:
    from ..core.stores import COPY_PARTS, StoreError

    parts = tuple(p.strip() for p in str(text).split(",") if p.strip())
    bad = [p for p in parts if p not in COPY_PARTS]
    if bad or not parts:
        raise StoreError(f"--copy/--what: {', '.join(bad) or 'nothing'} is not one of {', '.join(COPY_PARTS)}")
    return parts


def store_status(store, now: float | None = None) -> tuple[str, str]:
    """(state, who drives it) of one store without creating or migrating anything."""
    from pathlib import Path

    now = time.time() if now is None else now
    target = store.target()
    if isinstance(target, Path) and not target.exists():
        return "missing", ""
    try:
        from ..core.stores import lease_holder

        holder = lease_holder(store)
    except Exception as exc:  # noqa: BLE001 - one broken store never hides the others
        from ..core.inputs import one_line

        return "unavailable", one_line(str(exc), 160)
    if holder is None or holder.is_stale(now):
        return "ok", ""
    return "ok", f"{holder.role} pid {holder.pid} on {holder.host}"


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
    from ..cli import print_table

    print_table(["", "store", "database", "state", "driven by"],
                [["*" if r["default"] else "", r["name"] + (" (demo)" if r["demo"] else ""), r["db"], r["state"],
                  r["driven_by"]] for r in rows])
    if not reg.exists:
        ctx.err(f"n11-desktop stores: no registry yet ({reg.path}); `stores add NAME` creates it")
    return 0


def cmd_add(args, ctx) -> int:
    from ..core.stores import Registry, create_store, prepare_demo_store

    what = _what(args.copy_what) if args.copy_from else ()
    prepare = None
    if args.demo:
        prepare = prepare_demo_with_sandbox
    source = ""
    if args.catalog_source:
        from pathlib import Path

        path = Path(args.catalog_source).expanduser().resolve()
        if not path.is_file():
            ctx.err(f"n11-desktop stores add: catalog source {path} is not a file")
            return 1
        source = str(path)
    reg = Registry.load()
    store, report = create_store(reg, args.name, args.store_db, demo=args.demo, prepare=prepare,
                                 copy_from=args.copy_from, copy_what=what, catalog_source=source)
    print(f"store {store.name} added: {store.location()}" + (" (default)" if reg.default == store.name else ""))
    if report is not None:
        print(f"{store.name}: {report.summary()} from {args.copy_from}")
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
    print(f"store {args.old} is now {store.name} ({store.location()})")
    return 0


def cmd_remove(args, ctx) -> int:
    from ..core.stores import Registry, remove_store

    reg = Registry.load()
    store = remove_store(reg, args.name, delete_data=args.delete_data)
    if args.delete_data:
        print(f"store {store.name} removed and its database {store.location()} deleted")
    else:
        print(f"store {store.name} removed from the list; its data is kept at {store.location()} "
              f"(`stores add {store.name} --db …` brings it back)")
    return 0


def cmd_use(args, ctx) -> int:
    from ..core.stores import Registry

    reg = Registry.load()
    store = reg.set_default(args.name)
    reg.save()
    print(f"default store: {store.name}")
    return 0


def cmd_copy(args, ctx) -> int:
    from ..core.stores import Registry, copy_between, open_store

    what = _what(args.copy_what)
    reg = Registry.load()
    src, dst = reg.get(args.source), reg.get(args.target)
    if src.name == dst.name:
        ctx.err("n11-desktop stores copy: source and target are the same store")
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
    print(f"{dst.name}: {report.summary()} from {src.name}")
    return 1 if report.mapping_errors else 0


def cmd_link_catalog(args, ctx) -> int:
    from pathlib import Path

    from ..core.stores import Registry

    reg = Registry.load()
    if args.unlink == bool(args.file):
        ctx.err("n11-desktop stores link-catalog: give either FILE or --unlink")
        return 2
    source = ""
    if args.file:
        path = Path(args.file).expanduser().resolve()
        if not path.is_file():
            ctx.err(f"n11-desktop stores link-catalog: {path} is not a file")
            return 1
        source = str(path)
    store = reg.set_catalog_source(args.name, source)
    reg.save()
    print(f"store {store.name}: " + (f"catalog source {source}" if source else "no linked catalog source"))
    return 0
