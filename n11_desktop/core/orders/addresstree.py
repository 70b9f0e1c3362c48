"""Turkey's address tree for a new profile: the packaged provinces (81), districts (973, our
*townships*) and neighbourhoods (our *districts*, mahalle) from the PTT list (see
resources/data/PROVENANCE.md), so N11's addresses match by name without hand work and the
Address Mapping screen is needed only for what does not match.

Filled once, when the local tree is empty; what the operator added or mapped is never
touched. Township and neighbourhood names are stored as the PTT list spells them; matching is
Turkish-aware (:func:`.address.fold`)."""

from __future__ import annotations

import gzip
import json
import logging
from pathlib import Path

from sqlalchemy import func, insert, select

from ..storage.models import LocalCity, LocalDistrict, LocalTownship

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parents[2] / "resources" / "data"
PROVINCES_FILE = "tr_provinces_districts.json"
NEIGHBOURHOODS_FILE = "tr_neighbourhoods.json.gz"


def _provinces() -> list[dict]:
    path = DATA_DIR / PROVINCES_FILE
    if not path.exists():
        log.warning("address data %s not found; local address tree not filled", path.name)
        return []
    return json.loads(path.read_text(encoding="utf-8"))["provinces"]


def _neighbourhoods() -> dict[tuple[int, str], list[str]]:
    """(plate code, district name) -> neighbourhood names (unique per district, file order)."""
    path = DATA_DIR / NEIGHBOURHOODS_FILE
    if not path.exists():
        log.warning("address data %s not found; neighbourhoods not filled", path.name)
        return {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    out: dict[tuple[int, str], list[str]] = {}
    for p in data["provinces"]:
        for d in p["districts"]:
            names = list(dict.fromkeys(" ".join(n["name"].split()) for n in d["neighbourhoods"] if n.get("name")))
            out[(int(p["plateCode"]), d["name"])] = names
    return out


def ensure_address_tree(db, *, neighbourhoods: bool | None = True) -> dict[str, int]:
    """Fill the local address tree when it is empty (idempotent; a tree the operator already has is
    kept as it is). ``neighbourhoods``: True = add them when there are none; None = only with a new
    tree (an existing tree without neighbourhoods stays so). Returns how many cities, townships and
    districts were added."""
    added = {"cities": 0, "townships": 0, "districts": 0}
    with db.session_factory() as s:
        has_cities = bool(s.scalar(select(func.count()).select_from(LocalCity)))
        has_districts = bool(s.scalar(select(func.count()).select_from(LocalDistrict)))
    if neighbourhoods is None:
        neighbourhoods = not has_cities
    if has_cities and (has_districts or not neighbourhoods):
        return added
    provinces = _provinces()
    if not provinces:
        return added
    with db.session_factory.begin() as s:
        if not s.scalar(select(func.count()).select_from(LocalCity)):
            s.execute(insert(LocalCity), [{"id": int(p["plateCode"]), "name": p["name"]} for p in provinces])
            rows = [{"city_id": int(p["plateCode"]), "name": name}
                    for p in provinces for name in dict.fromkeys(p["districts"])]
            s.execute(insert(LocalTownship), rows)
            added["cities"], added["townships"] = len(provinces), len(rows)
        if neighbourhoods and not s.scalar(select(func.count()).select_from(LocalDistrict)):
            names = _neighbourhoods()
            townships = {(city_id, name): tid for tid, city_id, name in
                         s.execute(select(LocalTownship.id, LocalTownship.city_id, LocalTownship.name))}
            rows = [{"township_id": tid, "name": nb} for key, tid in townships.items() for nb in names.get(key, ())]
            if rows:
                s.execute(insert(LocalDistrict), rows)
            added["districts"] = len(rows)
    if any(added.values()):
        log.info("local address tree filled: %(cities)d cities, %(townships)d townships, %(districts)d "
                 "neighbourhoods", added)
    return added
