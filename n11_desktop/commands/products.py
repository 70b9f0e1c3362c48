"""``n11-desktop products list [--json] [--state S] [--penalized] [--text T] [--limit N]``,
``products set-category SKU CATEGORY_ID`` and ``products clear-category SKU`` (the per-product
N11 category override, seed §8), ``products pause SKU...`` / ``products resume SKU...`` (stop or
start selling on N11 without deleting: product-update status Suspended / Active)."""

from __future__ import annotations

import json

from ..core.inputs import MAX_ID, bounded_int
from ..i18n import fill, translate

PAGE = 1000


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("products", parents=[common], help=translate("cli", "list products with their N11 state"))
    sub = p.add_subparsers(dest="products_cmd", required=True,
                           metavar="{list,set-category,clear-category,pause,resume}")
    pl = sub.add_parser("list", parents=[common], help=translate("cli", "list products (readable table, or JSON lines with --json)"))
    pl.add_argument("--json", action="store_true",
                    help=translate("cli", "one JSON object per line: sku, state, n11_product_id, remote_status, last_error, "
                         "price, list_price, stock, in_catalog, penalized, title, category, n11_category (override)"))
    pl.add_argument("--state", metavar="S", help=translate("cli", "only this N11 state (ledger state or N11 status; not_sent = never sent)"))
    pl.add_argument("--penalized", action="store_true", help=translate("cli", "only products in the penalty box"))
    pl.add_argument("--text", metavar="T", help=translate("cli", "only products whose sku, title, code, barcode or brand contains T"))
    pl.add_argument("--limit", type=bounded_int(0, 10**9), metavar="N", help=translate("cli", "at most N products"))
    pl.set_defaults(func=cmd_list)
    ps = sub.add_parser("set-category", parents=[common],
                        help=translate("cli", "put one product in an N11 leaf category whatever its local category maps to "
                             "(e.g. the category ID an N11 error names); the product is resent with it"))
    ps.add_argument("sku", metavar="SKU")
    ps.add_argument("category_id", type=bounded_int(1, MAX_ID), metavar="CATEGORY_ID", help=translate("cli", "an N11 leaf category id from the category tree"))
    ps.set_defaults(func=cmd_set_category)
    pc = sub.add_parser("clear-category", parents=[common],
                        help=translate("cli", "drop a product's N11 category override (it follows the category mapping again)"))
    pc.add_argument("sku", metavar="SKU")
    pc.set_defaults(func=cmd_clear_category)
    for name, text in (("pause", translate("cli", "stop selling these products on N11 without deleting them (N11 "
                                                  "status Suspended: listing, price and stock are kept)")),
                       ("resume", translate("cli", "start selling these products on N11 again (N11 status Active)"))):
        pp = sub.add_parser(name, parents=[common], help=text)
        pp.add_argument("skus", nargs="+", metavar="SKU")
        pp.set_defaults(func=cmd_pause if name == "pause" else cmd_resume)


def _json_row(r) -> dict:
    return {
        "sku": r.sku,
        "state": r.n11_state or "not_sent",
        "n11_product_id": r.remote_id,
        "remote_status": r.remote_status,
        "last_error": r.last_error,
        "price": None if r.price is None else str(r.price),
        "list_price": None if r.list_price is None else str(r.list_price),
        "stock": r.stock,
        "in_catalog": r.in_catalog,
        "penalized": r.penalized,
        "title": r.title,
        "category": r.category,
        "n11_category": r.n11_category,
    }


def cmd_list(args, ctx) -> int:
    from ..core.catalog.repo import ProductFilter, count_products, product_rows

    if args.limit is not None and args.limit < 0:
        ctx.err("n11-desktop: " + translate("cli", "--limit must be 0 or more"))
        return 2
    flt = ProductFilter(text=args.text, n11_state=args.state, penalized=True if args.penalized else None)
    db = ctx.db()
    remaining = args.limit
    offset = 0
    table = []
    with db.session_factory() as s:
        total = count_products(s, flt)
        while remaining is None or remaining > 0:
            n = PAGE if remaining is None else min(PAGE, remaining)
            rows = product_rows(s, flt, order_by="sku", offset=offset, limit=n)
            if not rows:
                break
            for r in rows:
                if args.json:
                    print(json.dumps(_json_row(r), ensure_ascii=False, sort_keys=True))
                else:
                    table.append(r)
            offset += len(rows)
            if remaining is not None:
                remaining -= len(rows)
    if args.json:
        return 0
    from ..cli import print_table

    def cut(text, n):
        text = text or ""
        return text if len(text) <= n else text[: n - 1] + "…"

    from ..core.formats import number
    from ..i18n.core_texts import penalty_text

    yes, no, removed = translate("cli", "yes"), translate("cli", "no"), translate("cli", "removed")
    print_table(
        [translate("cli", "sku"), translate("cli", "title"), translate("cli", "price"), translate("cli", "stock"),
         translate("cli", "catalog"), translate("cli", "state"), translate("cli", "n11 id"),
         translate("cli", "last error")],
        [[r.sku, cut(r.title, 40), "" if r.price is None else number(r.price, 2), "" if r.stock is None else number(r.stock),
          yes if r.in_catalog else (removed if r.removed_from_catalog else no),
          (r.n11_state or translate("cli", "not sent")) + (translate("cli", " ⚠ penalized") if r.penalized else ""),
          r.remote_id or "", cut(penalty_text(r.last_error), 50)] for r in table],
    )
    print(fill(translate("cli", "%1 of %2 products"), len(table), total))
    return 0


def cmd_set_category(args, ctx) -> int:
    return _change_category(args, ctx, args.category_id)


def cmd_clear_category(args, ctx) -> int:
    return _change_category(args, ctx, None)


def _change_category(args, ctx, category_id) -> int:
    from ..core.mapping.product_category import clear_product_category, product_id_for_sku, set_product_category
    from ..core.mapping.store import MappingError

    db = ctx.db()
    try:
        with db.session_factory.begin() as s:
            pid = product_id_for_sku(s, args.sku)
            change = (clear_product_category(s, [pid]) if category_id is None
                      else set_product_category(s, [pid], category_id))
    except MappingError as exc:
        from ..i18n.core_texts import core_message

        ctx.err("n11-desktop products: " + fill(translate("cli", "%1: %2; nothing changed"), args.sku,
                                                core_message(str(exc))))
        return 1
    if category_id is None:
        print(fill(translate("cli", "%1: N11 category override cleared") if change.changed
                   else translate("cli", "%1: had no N11 category override"), args.sku))
    elif change.changed:
        print(fill(translate("cli", "%1: N11 category set to “%2” (%3); it is resent at the next Product Update / Create"),
                   args.sku, change.category_name, change.category_id))
    else:
        print(fill(translate("cli", "%1: already in N11 category “%2” (%3)"), args.sku, change.category_name,
                   change.category_id))
    return 0


def cmd_pause(args, ctx) -> int:
    return _selling(args, ctx, "Suspended")


def cmd_resume(args, ctx) -> int:
    return _selling(args, ctx, "Active")


def _selling(args, ctx, status: str) -> int:
    from ..core.n11.errors import N11Error
    from ..core.products_selling import set_selling

    try:
        res = set_selling(ctx.db(), status, skus=list(dict.fromkeys(args.skus)))
    except (N11Error, ValueError) as exc:
        from ..i18n.core_texts import core_message

        ctx.err(f"n11-desktop products {args.products_cmd}: {core_message(str(exc))}")
        return 1
    from ..i18n.core_texts import core_message

    print(core_message(res.message))
    return 0 if res.sent and not res.rejected else 1
