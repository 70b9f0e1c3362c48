"""``reference_data``: N11 cities, districts, neighbourhoods and shipment companies.

Cities and shipment companies are pulled whole. Districts are pulled for the provinces in
``options['city_codes']`` (plate codes) or, without it, for every province. Neighbourhoods
are many (≈73k): they are pulled for ``options['district_ids']`` only, or lazily with
:func:`ensure_neighborhoods` when something needs a district's neighbourhoods.
"""

from __future__ import annotations

from sqlalchemy import select

from ..n11.errors import N11Error
from ..storage.models import N11City, N11District, N11Neighborhood, N11ShipmentCompany
from .base import FlowContext, FlowOutcome, register


def _upsert(s, model, rows: dict[int, dict]) -> int:
    existing = {r.id: r for r in s.scalars(select(model).where(model.id.in_(list(rows))))} if rows else {}
    changed = 0
    for rid, values in rows.items():
        row = existing.get(rid)
        if row is None:
            s.add(model(id=rid, **values))
            changed += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed += 1
    return changed


def save_cities(db, cities) -> int:
    with db.session_factory.begin() as s:
        # a plate code that moved to another id is replaced (code is unique)
        by_code = {c.code: c.id for c in cities}
        for row in s.scalars(select(N11City)):
            if row.code in by_code and by_code[row.code] != row.id:
                s.delete(row)
        s.flush()
        return _upsert(s, N11City, {c.id: {"code": c.code, "name": c.name} for c in cities})


def save_districts(db, city_id: int, districts) -> int:
    with db.session_factory.begin() as s:
        return _upsert(s, N11District, {d.id: {"city_id": city_id, "name": d.name} for d in districts})


def save_neighborhoods(db, district_id: int, neighborhoods) -> int:
    with db.session_factory.begin() as s:
        return _upsert(s, N11Neighborhood, {n.id: {"district_id": district_id, "name": n.name}
                                            for n in neighborhoods})


def ensure_neighborhoods(db, client, district_id: int) -> int:
    """Pull one district's neighbourhoods if none are stored yet (lazy loading)."""
    with db.session_factory() as s:
        if s.scalar(select(N11Neighborhood.id).where(N11Neighborhood.district_id == district_id).limit(1)):
            return 0
    return save_neighborhoods(db, district_id, client.get_neighborhoods(district_id))


@register("reference_data")
def reference_data(ctx: FlowContext) -> FlowOutcome:
    out = FlowOutcome()
    client = ctx.client()
    companies = client.get_shipment_companies()
    with ctx.session_factory.begin() as s:
        n = _upsert(s, N11ShipmentCompany, {c.id: {"name": c.name, "short_name": c.short_name} for c in companies})
    ctx.log(f"{len(companies)} shipment companies ({n} new or changed)")
    cities = client.get_cities()
    changed = save_cities(ctx.db, cities)
    ctx.log(f"{len(cities)} cities ({changed} new or changed)")
    wanted = {str(c).strip().zfill(2) for c in ctx.options.get("city_codes") or []}
    chosen = [c for c in cities if not wanted or c.code.zfill(2) in wanted]
    out.total = len(companies) + len(cities) + len(chosen)
    out.succeeded = len(companies) + len(cities)
    districts = 0
    for n, city in enumerate(chosen, 1):
        ctx.check_stop()
        try:
            rows = client.get_districts(city.code)
        except N11Error as exc:
            out.failed += 1
            ctx.log(f"districts of {city.name} ({city.code}) not loaded: {exc}", level="ERROR")
            continue
        save_districts(ctx.db, city.id, rows)
        districts += len(rows)
        out.succeeded += 1
        ctx.progress(n, len(chosen), city.name)
    neighborhoods = 0
    for did in ctx.options.get("district_ids") or []:
        ctx.check_stop()
        neighborhoods += save_neighborhoods(ctx.db, int(did), client.get_neighborhoods(int(did)))
    out.message = (f"{len(companies)} shipment companies, {len(cities)} cities, {districts} districts"
                   + (f", {neighborhoods} neighbourhoods" if neighborhoods else ""))
    return out
