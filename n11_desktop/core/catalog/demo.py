"""The demo catalog: ``resources/demo_catalog.csv`` imported through the real importer.

The file is what a Turkish merchant's Excel writes (UTF-8 with BOM, ``;`` separators, decimal
commas) and holds ~300 products in local categories, a few deliberately incomplete (no price,
no stock, no image, a category with no N11 mapping) so every screen has something to show.
"""

from __future__ import annotations

import logging
from pathlib import Path

from ..storage.db import Database
from .importer import ImportReport, import_catalog

log = logging.getLogger(__name__)

DEMO_CATALOG = Path(__file__).resolve().parents[2] / "resources" / "demo_catalog.csv"


def seed_demo_catalog(db: Database) -> ImportReport:
    report = import_catalog(db, DEMO_CATALOG)
    log.info("demo catalog: %s", report.summary())
    if report.errors:  # the shipped file must be clean; say so loudly if it is not
        log.warning("demo catalog has bad rows: %s", "; ".join(map(str, report.errors[:5])))
    return report
