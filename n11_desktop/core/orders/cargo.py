"""Cargo company of an imported order (seed §2 Cargo Company Id / Exclude Cargo Company Ids).

- Cargo Company Id set → that local company is used.
- Otherwise the cargo mapping (local cargo company ↔ N11 shipment company id) decides: the
  first active local company mapped to the package's N11 shipment company.
- Exclude Cargo Company Ids: when the package's company (its N11 id, or the local company it
  maps to) is listed, the mapping is ignored and Cargo Company Id is used.
- No company found → the order is not written; :class:`CargoNotResolved` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..storage.models import CargoCompany, N11ShipmentCompany


class CargoNotResolved(Exception):
    pass


def _int_or_none(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass
class CargoResolver:
    cargo_company_id: int | None = None
    exclude: frozenset[int] = frozenset()
    _by_n11: dict[int, int] = field(default_factory=dict)
    _names: dict[int, str] = field(default_factory=dict)
    _local_ids: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, session: Session, config) -> "CargoResolver":
        excl = frozenset(i for i in (_int_or_none(x) for x in (config.get("exclude_cargo_company_ids") or []))
                         if i is not None)
        r = cls(cargo_company_id=_int_or_none(config.get("cargo_company_id")), exclude=excl)
        for cid, n11_id, active in session.execute(
                select(CargoCompany.id, CargoCompany.n11_shipment_company_id, CargoCompany.is_active)
                .order_by(CargoCompany.id)):
            r._local_ids.add(cid)
            if active and n11_id is not None:
                r._by_n11.setdefault(int(n11_id), cid)
        for cid, name in session.execute(select(N11ShipmentCompany.id, N11ShipmentCompany.name)):
            r._names[cid] = name
        return r

    def resolve(self, n11_company_id: int | None, provider_name: str | None = None) -> int:
        label = self._label(n11_company_id, provider_name)
        mapped = self._by_n11.get(int(n11_company_id)) if n11_company_id is not None else None
        excluded = (n11_company_id is not None and int(n11_company_id) in self.exclude) or \
                   (mapped is not None and mapped in self.exclude)
        if self.cargo_company_id is not None:
            return self.cargo_company_id
        if excluded:
            raise CargoNotResolved(
                f"cargo company {label} is in Exclude Cargo Company Ids and Cargo Company Id is not set; "
                "set Cargo Company Id in Channel Settings")
        if mapped is None:
            raise CargoNotResolved(
                f"no local cargo company is mapped to N11 shipment company {label}; add the mapping "
                "(Orders → Cargo mapping…) or set Cargo Company Id in Channel Settings")
        return mapped

    def _label(self, n11_id: int | None, provider_name: str | None) -> str:
        if n11_id is None:
            return f"'{provider_name}' (no id)" if provider_name else "(none)"
        name = provider_name or self._names.get(int(n11_id))
        return f"{n11_id} ({name})" if name else str(n11_id)


# ------------------------------------------------------------------ the Cargo Mapping screen
@dataclass(frozen=True)
class CargoRow:
    id: int
    name: str
    code: str
    n11_shipment_company_id: int | None
    is_active: bool


def cargo_rows(session: Session) -> tuple[tuple[CargoRow, ...], tuple[tuple[int, str], ...]]:
    """Local cargo companies and the N11 shipment companies they can map to."""
    rows = tuple(CargoRow(c.id, c.name, c.code or "", c.n11_shipment_company_id, bool(c.is_active))
                 for c in session.scalars(select(CargoCompany).order_by(CargoCompany.id)))
    companies = tuple((c.id, c.name) for c in session.scalars(select(N11ShipmentCompany).order_by(N11ShipmentCompany.name)))
    return rows, companies


def save_cargo_rows(session: Session, rows: list[CargoRow]) -> int:
    """Insert or update local cargo companies; validates ids, names and N11 ids (nothing saved on error)."""
    known_n11 = set(session.scalars(select(N11ShipmentCompany.id)))
    seen: set[int] = set()
    for n, r in enumerate(rows, 1):
        if not isinstance(r.id, int) or r.id <= 0:
            raise ValueError(f"row {n}: the local cargo company id must be a positive number")
        if r.id in seen:
            raise ValueError(f"row {n}: local cargo company id {r.id} is used twice")
        seen.add(r.id)
        if not r.name.strip():
            raise ValueError(f"row {n}: the name is empty")
        if r.n11_shipment_company_id is not None and known_n11 and r.n11_shipment_company_id not in known_n11:
            raise ValueError(f"row {n}: {r.n11_shipment_company_id} is not an N11 shipment company id "
                             "(run Reference Data to refresh the list)")
    changed = 0
    for r in rows:
        row = session.get(CargoCompany, r.id)
        if row is None:
            row = CargoCompany(id=r.id)
            session.add(row)
        values = dict(name=r.name.strip(), code=r.code.strip() or None, n11_shipment_company_id=r.n11_shipment_company_id,
                      is_active=r.is_active)
        if any(getattr(row, k, None) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            changed += 1
    if changed:
        from datetime import datetime, timezone

        from .importer import release_mapping_penalties

        release_mapping_penalties(session, datetime.now(timezone.utc).replace(tzinfo=None))
    return changed
