"""``n11-desktop catalog import FILE.csv|FILE.xlsx [--dry-run]`` (DESIGN §9).

Exit 0 when every row was good; 1 when the file is unusable or some rows were bad (the good
rows are still imported unless ``--dry-run``). Each bad row is one line on stderr:
``row N, column C: reason``.
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import fill, translate

PREVIEW_LINES = 40


def add_parser(subparsers, common) -> None:
    p = subparsers.add_parser("catalog", parents=[common], help=translate("cli", "import the product catalog from CSV or XLSX"))
    sub = p.add_subparsers(dest="catalog_cmd", required=True, metavar="{import}")
    pi = sub.add_parser("import", parents=[common],
                        help=translate("cli", "upsert products, prices, stock, images and attributes by sku"),
                        description=translate("cli", "Columns: sku (required), product_code, title, description, category "
                                    "(A > B > C), brand, barcode, price, list_price, currency, vat_rate, stock, "
                                    "images (| separated https URLs), preparing_day, shipment_template, active, "
                                    "in_catalog, attr:<Name>. CSV in UTF-8 or Windows-1254, separated by , ; or tab; "
                                    "Turkish decimal commas (1.234,50) are fine. Existing products: an absent "
                                    "column or a blank cell keeps the stored value. New products: product_code = "
                                    "sku, list_price = price, vat_rate 20, active 1, in_catalog 1."))
    pi.add_argument("file", type=Path, metavar="FILE", nargs="?",
                    help=translate("cli", "a .csv or .xlsx file (default: the store's linked catalog source, "
                    "`stores link-catalog`)"))
    pi.add_argument("--dry-run", action="store_true", help=translate("cli", "show what would change and write nothing"))
    pi.set_defaults(func=cmd_import)


def cmd_import(args, ctx) -> int:
    from ..core.catalog.importer import CatalogFileError, import_catalog
    from ..core.inputs import one_line
    from ..i18n.core_texts import core_message

    if args.file is None:
        store = ctx.store_entry()
        if store is None or not store.catalog_source:
            ctx.err("n11-desktop catalog import: " + translate("cli", "give FILE (this store has no linked catalog "
                                                                      "source; `n11-desktop stores link-catalog STORE "
                                                                      "FILE` links one)"))
            return 2
        args.file = Path(store.catalog_source)
    db = ctx.db()

    def progress(done: int, total: int) -> None:
        if total >= 20_000:
            ctx.err("\r" + fill(translate("cli", "importing: %1/%2"), done, total), end="")

    try:
        report = import_catalog(db, args.file, dry_run=args.dry_run, on_progress=progress)
    except CatalogFileError as exc:
        ctx.err(f"n11-desktop: {core_message(str(exc))}")
        return 1
    if report.rows >= 20_000:
        ctx.err("")
    for e in report.errors:  # cells are shown with control characters escaped, one line each
        ctx.err(one_line(core_message(str(e))))
    for w in report.warnings:
        ctx.err(one_line(fill(translate("cli", "warning: %1"), core_message(str(w)))))
    if args.dry_run:
        empty = translate("cli", "(empty)")
        for c in report.changes[:PREVIEW_LINES]:
            if c.field == "(new product)":
                print("  + " + fill(translate("cli", "%1: new product “%2”"), c.sku, c.new))
            else:
                print(f"  ~ {c.sku}: {c.field}: {c.old or empty} → {c.new or empty}")
        more = len(report.changes) - PREVIEW_LINES
        if more > 0 or report.changes_truncated:
            print("  " + fill(translate("cli", "… and more than %1 more changes") if report.changes_truncated
                              else translate("cli", "… and %1 more changes"), max(more, 0)))
    print(core_message(report.summary()) + fill(translate("cli", " — %1 price, %2 stock, %3 catalog membership changes"),
                                                report.price_changes, report.stock_changes, report.catalog_changes))
    return 0 if report.ok else 1
