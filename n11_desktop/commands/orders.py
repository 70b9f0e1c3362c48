"""``n11-desktop orders list [--json] | export FILE.csv | mark-reported NUMBER... | webhook``."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

from ..core.inputs import MAX_ID, bounded_int, neutralise_dict


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("orders", parents=[common], help="list or export orders")
    sub = p.add_subparsers(dest="orders_cmd", required=True, metavar="{list,export,mark-reported,webhook}")
    pl = sub.add_parser("list", parents=[common], help="list orders (newest first)")
    pl.add_argument("--json", action="store_true", help="one JSON object per line")
    pl.add_argument("--status", help="only this status (waiting_approval, approved, shipped, delivered, "
                                     "completed, cancelled, refunded, late, not_reported, waiting_erp = a "
                                     "cancellation waits for the ERP)")
    pl.add_argument("--limit", type=bounded_int(1, 10**7), default=1000, help="at most this many orders (default 1000)")
    pl.set_defaults(func=cmd_list)
    pe = sub.add_parser("export", parents=[common], help="write order lines to a CSV file (e.g. for the ERP)")
    pe.add_argument("file", type=Path, metavar="FILE.csv")
    pe.add_argument("--status", help="only orders with this status")
    pe.add_argument("--mark-reported", action="store_true",
                    help="mark the exported orders as reported to the ERP once the file is written")
    pe.set_defaults(func=cmd_export)
    pm = sub.add_parser("mark-reported", parents=[common],
                        help="mark orders as reported to the ERP (their cancellations can then be written)")
    pm.add_argument("numbers", nargs="*", metavar="NUMBER", help="N11 order number or formatted order number")
    pm.add_argument("--file", type=Path, metavar="FILE.csv",
                    help="a CSV of order numbers (column n11_order_number / order_number, else the first)")
    pm.set_defaults(func=cmd_mark_reported)
    pw = sub.add_parser("webhook", parents=[common], help="serve the OMS split-package web hook until interrupted")
    pw.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    pw.add_argument("--port", type=bounded_int(0, 65535), default=8765, help="TCP port (default 8765; 0 = any free)")
    pw.add_argument("--token", help="expected 'Authorization: Token …' value (default: $N11_WEBHOOK_TOKEN)")
    pw.add_argument("--oms-channel-id", type=bounded_int(1, MAX_ID), help="accept only order.split_package_<this id>")
    pw.set_defaults(func=cmd_webhook)


_STATUSES = ("waiting_approval", "approved", "shipped", "delivered", "completed", "cancelled", "refunded", "late",
             "not_reported", "waiting_erp")


def _filter(ctx, status):
    from ..core.orders.queries import OrderFilter

    if status and status not in _STATUSES:
        ctx.err(f"n11-desktop: unknown status {status!r}; use one of {', '.join(_STATUSES)}")
        return None
    return OrderFilter(status=status or None)


def cmd_list(args, ctx) -> int:
    from ..core.orders.queries import list_orders
    from ..core.storage.models import FailedIntegration, OrderItem, Package
    from sqlalchemy import select

    f = _filter(ctx, args.status)
    if f is None:
        return 1
    db = ctx.db()
    with db.session_factory() as s:
        rows = list_orders(s, f, 0, max(1, args.limit))
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
                "invoiced": r.invoiced, "erp_reported": r.erp_reported, "late": r.late,
                "last_error": errors.get(r.n11_order_number),
            }, ensure_ascii=False, sort_keys=True))
        return 0
    from ..cli import print_table

    print_table(["order", "status", "customer", "city", "lines", "total", "ordered", "cargo", "ERP"],
                [[r.number, r.status + (" (late)" if r.late else ""), r.customer, r.city, r.lines, r.total,
                  r.ordered_at.strftime("%Y-%m-%d %H:%M") if r.ordered_at else "", r.cargo,
                  "yes" if r.erp_reported else "no"] for r in rows])
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
        ctx.err(f"n11-desktop: cannot write {args.file}: {exc.strerror or exc}")
        return 1
    print(f"wrote {len(rows)} order lines to {args.file}")
    if args.mark_reported and rows:
        from ..core.orders.actions import ActionError, mark_reported

        try:
            res = mark_reported(ctx.db(), [r["n11_order_number"] for r in rows])
        except ActionError as exc:
            ctx.err(f"n11-desktop: {exc}")
            return 1
        print(res.message)
    return 0


def cmd_mark_reported(args, ctx) -> int:
    from ..core.orders.actions import ActionError, mark_reported, read_order_numbers

    try:
        numbers = list(args.numbers)
        if args.file is not None:
            numbers += read_order_numbers(args.file)
        if not numbers:
            raise ActionError("give order numbers or --file FILE.csv")
        res = mark_reported(ctx.db(), numbers)
    except ActionError as exc:
        ctx.err(f"n11-desktop: {exc}")
        return 1
    print(res.message)
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
        ctx.err(f"n11-desktop: web hook not started: {exc}")
        return 1
    print(f"OMS web hook listening on {server.url}/flow-trigger/<slug>/split_packages (Ctrl+C stops)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0
