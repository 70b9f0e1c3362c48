"""Demo mappings: after the demo catalog is imported, pull the N11 tree and attributes from
the in-process sandbox and map most of the catalog, leaving a few gaps on purpose so
Mapping Control has something to explain (a local category outside the configured N11
main categories, mandatory attributes the catalog does not carry)."""

from __future__ import annotations

import logging

from ..flows.base import run_flow
from ..settings import ensure_channel
from ..storage.db import Database
from .store import MappingError, set_category_mapping
from .suggest import accept, best_per_item, suggest_attributes, suggest_categories, suggest_values

log = logging.getLogger(__name__)

# N11 main categories the demo catalog needs: Ayakkabı & Çanta, Erkek Giyim, Kadın Giyim.
DEMO_ROOTS = (1001770, 1001873, 1001935)

# Where suggestions alone are ambiguous, the demo merchant decided explicitly.
DEMO_CATEGORY_MAP = {
    "Ayakkabı > Kadın > Sneaker": 1214202,
    "Ayakkabı > Erkek > Sneaker": 1214222,
    "Ayakkabı > Kadın > Bot": 1001799,
    "Ayakkabı > Erkek > Bot": 1214235,
    "Giyim > Erkek > Tişört": 1001915,
    "Giyim > Erkek > Gömlek": 1209200,
    "Giyim > Kadın > Elbise": 1209218,
    "Giyim > Kadın > Tişört": 1212204,
    "Çanta > Kadın > Omuz Çantası": 1001815,
    "Çanta > Erkek > Sırt Çantası": 1001793,
}
SUGGESTION_THRESHOLD = 0.85


def seed_demo_mappings(db: Database) -> None:
    with db.session_factory.begin() as s:
        channel = ensure_channel(s)
        conf = dict(channel.conf or {})
        ids = [int(x) for x in (conf.get("category_ids") or [])]
        for rid in DEMO_ROOTS:
            if rid not in ids:
                ids.append(rid)
        conf["category_ids"] = ids
        channel.conf = conf
    res = run_flow("category_node", db, trigger="demo")
    if not res.ok:
        log.warning("demo: category_node did not finish: %s", res.message)
        return
    with db.session_factory.begin() as s:
        for local, cid in DEMO_CATEGORY_MAP.items():
            try:
                set_category_mapping(s, local, cid, source="demo")
            except MappingError as exc:
                log.info("demo: %s", exc)
        picks = [x for x in best_per_item(suggest_categories(s)) if x.confidence >= SUGGESTION_THRESHOLD]
        accept(s, picks)
    run_flow("category_attributes", db, trigger="demo")
    run_flow("create_default_attributes", db, trigger="demo")
    with db.session_factory.begin() as s:
        accept(s, [x for x in suggest_attributes(s) if x.confidence >= SUGGESTION_THRESHOLD])
    with db.session_factory.begin() as s:
        accept(s, [x for x in best_per_item(suggest_values(s)) if x.confidence >= SUGGESTION_THRESHOLD])
