"""``n11-desktop orders list [--json] | export FILE.csv | mark-reported NUMBER... | webhook``."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from ..core.inputs import MAX_ID, bounded_int, neutralise_dict
from ..i18n import fill, translate


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("orders", parents=[common], help=translate("cli", "list or export orders"))
    sub = p.add_subparsers(dest="orders_cmd", required=True,
                           metavar="{list,export,mark-reported,claims,import-history,address-map,cargo-map,webhook}")
    pl = sub.add_parser("list", parents=[common], help=translate("cli", "list orders (newest first)"))
    pl.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per line"))
    pl.add_argument("--status", help=translate("cli", "only this status (waiting_approval, approved, shipped, delivered, "
                                     "completed, cancelled, refunded, late, not_reported, waiting_erp = a "
                                     "cancellation waits for the ERP)"))
    pl.add_argument("--limit", type=bounded_int(1, 10**7), default=1000, help=translate("cli", "at most this many orders (default 1000)"))
    pl.add_argument("--sort", default="-ordered_at", metavar="[-]KEY",
                    help=translate("cli", "sort by ordered_at, number, status, customer, city, total, cargo, invoice "
                                          "or erp_reported, as the Orders tab's columns do; a leading - sorts "
                                          "descending: --sort=-total (default -ordered_at, newest first)"))
    pl.set_defaults(func=cmd_list)
    pe = sub.add_parser("export", parents=[common], help=translate("cli", "write order lines to a CSV file (e.g. for the ERP)"))
    pe.add_argument("file", type=Path, metavar="FILE.csv")
    pe.add_argument("--status", help=translate("cli", "only orders with this status"))
    pe.add_argument("--mark-reported", action="store_true",
                    help=translate("cli", "mark the exported orders as reported to the ERP once the file is written"))
    pe.set_defaults(func=cmd_export)
    pm = sub.add_parser("mark-reported", parents=[common],
                        help=translate("cli", "mark orders as reported to the ERP (their cancellations can then be written)"))
    pm.add_argument("numbers", nargs="*", metavar="NUMBER", help=translate("cli", "N11 order number or formatted order number"))
    pm.add_argument("--file", type=Path, metavar="FILE.csv",
                    help=translate("cli", "a CSV of order numbers (column n11_order_number / order_number, else the first)"))
    pm.set_defaults(func=cmd_mark_reported)
    pc = sub.add_parser("claims", parents=[common],
                        help=translate("cli", "cancellation requests from N11: answered, written, or what they wait for"))
    pc.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per line"))
    pc.add_argument("--waiting", action="store_true", help=translate("cli", "only requests that wait (order not imported / not "
                                                            "reported to the ERP)"))
    pc.set_defaults(func=cmd_claims)
    ph = sub.add_parser("import-history", parents=[common],
                        help=translate("cli", "bring in the orders first seen past New (recorded as history), marked as history "
                             "and as reported to the ERP (never new work for it)"))
    ph.set_defaults(func=cmd_import_history)
    for name, what in (("address-map", translate("cli", "list, export or import the N11 address names → local city / "
                                                        "township / district mapping (CSV)")),
                       ("cargo-map", translate("cli", "list, export or import the local cargo companies → N11 "
                                                      "shipment companies mapping (CSV)"))):
        pa = sub.add_parser(name, parents=[common], help=what)
        asub = pa.add_subparsers(dest="map_cmd", required=True, metavar="{list,export,import}")
        al = asub.add_parser("list", parents=[common], help=translate("cli", "print the mapping"))
        al.add_argument("--json", action="store_true", help=translate("cli", "one JSON object per line"))
        if name == "address-map":
            al.add_argument("--unmapped", action="store_true", help=translate("cli", "only names still waiting for a local node"))
        al.set_defaults(func=cmd_map_list, map_kind=name)
        ae = asub.add_parser("export", parents=[common], help=translate("cli", "write the mapping to a CSV file"))
        ae.add_argument("file", type=Path, metavar="FILE.csv")
        ae.set_defaults(func=cmd_map_export, map_kind=name)
        ai = asub.add_parser("import", parents=[common],
                             help=translate("cli", "read a CSV file (the export's columns); all rows or nothing"))
        ai.add_argument("file", type=Path, metavar="FILE.csv")
        ai.set_defaults(func=cmd_map_import, map_kind=name)
    pw = sub.add_parser("webhook", parents=[common], help=translate("cli", "serve the OMS split-package web hook until interrupted"))
    pw.add_argument("--host", default="127.0.0.1", help=translate("cli", "address to bind (default 127.0.0.1, loopback only)"))
    pw.add_argument("--port", type=bounded_int(0, 65535), default=8765, help=translate("cli", "TCP port (default 8765; 0 = any free)"))
    pw.add_argument("--token", help=translate("cli", "expected 'Authorization: Token …' value (default: $N11_WEBHOOK_TOKEN)"))
    pw.add_argument("--oms-channel-id", type=bounded_int(1, MAX_ID), help=translate("cli", "accept only order.split_package_<this id>"))
    pw.set_defaults(func=cmd_webhook)


_STATUSES = ("waiting_approval", "approved", "shipped", "delivered", "completed", "cancelled", "refunded", "late",
             "not_reported", "waiting_erp")


def _filter(ctx, status):
    from ..core.orders.queries import OrderFilter

    if status and status not in _STATUSES:
        ctx.err("n11-desktop: " + fill(translate("cli", "unknown status %1; use one of %2"), repr(status),
                                       ", ".join(_STATUSES)))
        return None
    return OrderFilter(status=status or None)


def cmd_list(args, ctx) -> int:
    from ..core.orders.queries import list_orders
    from ..core.storage.models import FailedIntegration, OrderItem, Package
    from sqlalchemy import select

    from ..core.orders.queries import SORT_KEYS
    from ..core.storage.portable import sort_key

    f = _filter(ctx, args.status)
    if f is None:
        return 1
    try:
        sort_key(args.sort, SORT_KEYS)
    except ValueError:
        ctx.err("n11-desktop: " + fill(translate("cli", "cannot sort by %1; use one of %2 (a leading - sorts descending)"),
                                       repr(args.sort.lstrip("-+")), ", ".join(SORT_KEYS)))
        return 1
    db = ctx.db()
    with db.session_factory() as s:
        rows = list_orders(s, f, 0, max(1, args.limit), order_by=args.sort)
        if args.json:
            ids = [r.id for r in rows]
            pkgs: dict[int, list[str]] = {}
            for oid, pid in s.execute(select(Package.order_id, Package.n11_package_id).where(Package.order_id.in_(ids))):
                pkgs.setdefault(oid, []).append(pid)
            lines: dict[int, list[str]] = {}
            for oid, lid in s.execute(select(OrderItem.order_id, OrderItem.n11_line_id)
                                      .where(OrderItem.order_id.in_(ids))):
                lines.setdefault(oid, []).append(lid)
            errors = dict(s.execute(select(FailedIntegration.object_key, FailedIntegration.message).where(
                FailedIntegration.content_type == "order", FailedIntegration.is_active.is_(True))).all())
    if args.json:
        for r in rows:
            print(json.dumps({
                "order_number": r.number, "n11_order_number": r.n11_order_number, "state": r.status,
                "n11_package_ids": sorted(pkgs.get(r.id, [])), "n11_line_ids": sorted(lines.get(r.id, [])),
                "customer": r.customer, "city": r.city, "total": str(r.total),
                "ordered_at": r.ordered_at.isoformat(timespec="seconds") if r.ordered_at else None,
                "invoiced": r.invoiced, "erp_reported": r.erp_reported, "late": r.late, "history": r.history,
                "last_error": errors.get(r.n11_order_number),
            }, ensure_ascii=False, sort_keys=True))
        return 0
    from ..cli import print_table

    from ..core.formats import datetime_text, money
    from ..core.orders.status import LABELS
    from ..i18n.core_texts import core_tr

    yes, no = translate("cli", "yes"), translate("cli", "no")
    print_table([translate("cli", "order"), translate("cli", "status"), translate("cli", "customer"),
                 translate("cli", "city"), translate("cli", "lines"), translate("cli", "total"),
                 translate("cli", "ordered"), translate("cli", "cargo"), translate("cli", "ERP")],
                [[r.number, core_tr(LABELS.get(r.status, r.status)) + (translate("cli", " (late)") if r.late else ""),
                  r.customer, r.city, r.lines, money(r.total), datetime_text(r.ordered_at), r.cargo,
                  yes if r.erp_reported else no] for r in rows])
    return 0


def cmd_export(args, ctx) -> int:
    from ..core.orders.queries import export_rows

    f = _filter(ctx, args.status)
    if f is None:
        return 1
    with ctx.db().session_factory() as s:
        rows = export_rows(s, f)
    fields = list(rows[0]) if rows else ["order_number", "n11_order_number", "line_id"]
    tmp = args.file.with_name(args.file.name + ".tmp")
    try:
        with tmp.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=fields)
            w.writeheader()
            w.writerows(neutralise_dict(r) for r in rows)  # no live formulas for Excel (OWASP)
        os.replace(tmp, args.file)
    except OSError as exc:
        ctx.err("n11-desktop: " + fill(translate("cli", "cannot write %1: %2"), args.file, exc.strerror or exc))
        return 1
    print(fill(translate("cli", "wrote %1 order lines to %2"), len(rows), args.file))
    if args.mark_reported and rows:
        return _mark_reported(ctx, lambda: [r["n11_order_number"] for r in rows])
    return 0


def cmd_mark_reported(args, ctx) -> int:
    from ..core.orders.actions import ActionError, read_order_numbers

    def numbers() -> list[str]:
        out = list(args.numbers)
        if args.file is not None:
            out += read_order_numbers(args.file)
        if not out:
            raise ActionError(translate("cli", "give order numbers or --file FILE.csv"))
        return out

    return _mark_reported(ctx, numbers)


def _mark_reported(ctx, numbers) -> int:
    """Mark the orders ``numbers()`` names as reported; a refusal is one line on stderr and exit 1."""
    from ..core.inputs import one_line
    from ..core.orders.actions import ActionError, mark_reported
    from ..i18n.core_texts import core_message

    try:
        res = mark_reported(ctx.db(), numbers())
    except ActionError as exc:
        ctx.err(f"n11-desktop: {one_line(core_message(str(exc)))}")
        return 1
    print(core_message(res.message))
    return 0


def cmd_claims(args, ctx) -> int:
    from ..core.orders.queries import claim_rows

    with ctx.db().session_factory() as s:
        rows = [r for r in claim_rows(s) if r.waiting or not args.waiting]
    if args.json:
        for r in rows:
            print(json.dumps({"claim_id": r.claim_id, "n11_order_number": r.order_number, "status": r.status,
                              "decision": r.decision or None, "reason": r.reason,
                              "requested_at": r.requested_at.isoformat(timespec="seconds") if r.requested_at else None,
                              "waiting": r.waiting or None}, ensure_ascii=False, sort_keys=True))
        return 0
    from ..cli import print_table

    from ..i18n.core_texts import core_message

    print_table([translate("cli", "claim"), translate("cli", "order"), translate("cli", "N11 status"),
                 translate("cli", "decision"), translate("cli", "reason"), translate("cli", "waits for")],
                [[r.claim_id, r.order_number, r.status, core_message(r.decision), r.reason, core_message(r.waiting)]
                 for r in rows])
    return 0


def cmd_import_history(args, ctx) -> int:
    from ..core.flows import run_flow
    from ..core.orders.importer import history_orders

    db = ctx.db()
    with db.session_factory() as s:
        waiting = len(history_orders(s))
    result = run_flow("order_create", db, trigger="manual", options={"history": True})
    with db.session_factory() as s:
        left = len(history_orders(s))
    from ..i18n.core_texts import core_message

    print(fill(translate("cli", "%1 of %2 orders recorded as history imported (marked as history); order_create: %3"),
               waiting - left, waiting, core_message(result.message)))
    return 0 if result.ok else 1


def cmd_map_list(args, ctx) -> int:
    from sqlalchemy import select

    from ..core.orders.addresstree import ensure_address_tree
    from ..core.orders.mapfiles import ADDRESS_COLUMNS, CARGO_COLUMNS, address_rows
    from ..core.storage.models import CargoCompany

    db = ctx.db()
    if args.map_kind == "address-map":
        ensure_address_tree(db, neighbourhoods=None)
        with db.session_factory() as s:
            rows = [(r.model, r.code, r.parent_code, r.local_id, r.local_name)
                    for r in address_rows(s, unmapped_only=args.unmapped)]
        columns = ADDRESS_COLUMNS
    else:
        with db.session_factory() as s:
            rows = [(c.id, c.name, c.code or "", c.n11_shipment_company_id, bool(c.is_active))
                    for c in s.scalars(select(CargoCompany).order_by(CargoCompany.id))]
        columns = CARGO_COLUMNS
    if args.json:
        for r in rows:
            print(json.dumps(dict(zip(columns, r)), ensure_ascii=False, sort_keys=True))
        return 0
    from ..cli import print_table

    print_table(list(columns), [["" if v is None else v for v in r] for r in rows])
    return 0


def cmd_map_export(args, ctx) -> int:
    from ..core.orders.addresstree import ensure_address_tree
    from ..core.orders.mapfiles import address_csv, cargo_csv

    db = ctx.db()
    if args.map_kind == "address-map":
        ensure_address_tree(db, neighbourhoods=None)
    with db.session_factory() as s:
        text = address_csv(s) if args.map_kind == "address-map" else cargo_csv(s)
    tmp = args.file.with_name(args.file.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, args.file)
    except OSError as exc:
        ctx.err("n11-desktop: " + fill(translate("cli", "cannot write %1: %2"), args.file, exc.strerror or exc))
        return 1
    print(fill(translate("cli", "wrote %1 rows to %2"), text.count(chr(10)) - 1, args.file))
    return 0


def cmd_map_import(args, ctx) -> int:
    from ..core.orders.addresstree import ensure_address_tree
    from ..core.orders.mapfiles import MapFileError, import_address_csv, import_cargo_csv

    from ..core.inputs import one_line, read_limited

    if not args.file.exists():
        ctx.err(f"n11-desktop: {args.file}: " + translate("cli", "file not found"))
        return 1
    try:
        text = read_limited(args.file, door=f"{args.map_kind} file", max_bytes=64 * 1024 * 1024).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        ctx.err(f"n11-desktop: {args.file}: " + fill(translate("cli", "cannot be read as UTF-8 text (byte %1)"), exc.start))
        return 1
    db = ctx.db()
    try:
        if args.map_kind == "address-map":
            ensure_address_tree(db, neighbourhoods=None)
            with db.session_factory.begin() as s:
                added, changed = import_address_csv(s, text)
            print(fill(translate("cli", "address map: %1 added, %2 changed; run `n11-desktop flow run order_create` "
                                        "to fetch the waiting orders again"), added, changed))
        else:
            with db.session_factory.begin() as s:
                changed = import_cargo_csv(s, text)
            print(fill(translate("cli", "cargo map: %1 cargo companies added or changed"), changed))
    except MapFileError as exc:
        from ..i18n.core_texts import core_message

        ctx.err(f"n11-desktop: {one_line(core_message(str(exc)))}")
        return 1
    return 0


def cmd_webhook(args, ctx) -> int:
    import threading

    from ..core.orders.webhook import WebhookServer, split_via_flow

    token = args.token or os.environ.get("N11_WEBHOOK_TOKEN", "")
    try:
        server = WebhookServer(args.host, args.port, token=token, on_split=split_via_flow(ctx.db()),
                               oms_channel_id=args.oms_channel_id)
        server.start()
    except (ValueError, OSError) as exc:
        ctx.err("n11-desktop: " + fill(translate("cli", "web hook not started: %1"), exc))
        return 1
    print(fill(translate("cli", "OMS web hook listening on %1 (Ctrl+C stops)"),
               f"{server.url}/flow-trigger/<slug>/split_packages"))
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
