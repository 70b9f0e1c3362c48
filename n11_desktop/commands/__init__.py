"""Headless sub-commands (DESIGN §9). Each module defines ``add_parser(subparsers, common)``.

A module sets ``func(args, ctx) -> int`` on its parser; ``ctx`` is a :class:`cli.CliContext`
that opens the database lazily.
"""

COMMAND_MODULES: tuple[tuple[str, str, str], ...] = (
    ("sandbox", "n11_desktop.commands.sandbox", "run the local N11 sandbox"),
    ("settings", "n11_desktop.commands.settings", "show, import, export, activate or deactivate channel settings"),
    ("catalog", "n11_desktop.commands.catalog", "import the product catalog from CSV or XLSX"),
    ("mapping", "n11_desktop.commands.mapping", "import, export or suggest category/attribute mappings"),
    ("flow", "n11_desktop.commands.flow", "list flows or run one to completion"),
    ("run", "n11_desktop.commands.run", "run the scheduler headless until interrupted"),
    ("penalty", "n11_desktop.commands.penalty", "list the penalty box or lift penalties from a CSV"),
    ("products", "n11_desktop.commands.products", "list products with their N11 state"),
    ("orders", "n11_desktop.commands.orders", "list or export orders"),
    ("bench", "n11_desktop.commands.bench", "run the benchmark harness"),
    ("schedule", "n11_desktop.commands.schedule", "show or change when each flow runs"),
    ("kpis", "n11_desktop.commands.kpis", "the eight dashboard KPIs with the N11 snapshot's age"),
    ("reports", "n11_desktop.commands.reports", "price/stock difference and not-on-sale reports"),
    ("audit", "n11_desktop.commands.audit", "who changed a setting or a mapping, and when"),
    ("stores", "n11_desktop.commands.stores", "list, add, rename or remove stores (one database per N11 store)"),
)
