"""Address and cargo mapping as CSV files (``n11-desktop orders address-map|cargo-map``): list,
export, import. An import is all or nothing: the first bad row is one line naming it and
nothing changes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..inputs import InputError, csv_rows, neutralise_row, parse_int, shown, unneutralise
from ..storage.models import AddressMapping, CargoCompany, LocalCity, LocalDistrict, LocalTownship
from .address import CITY, DISTRICT, TOWNSHIP
from .cargo import CargoRow, save_cargo_rows

ADDRESS_COLUMNS = ("model", "code", "parent_code", "local_id", "local_name")
CARGO_COLUMNS = ("id", "name", "code", "n11_shipment_company_id", "is_active")
_MODELS = {CITY: LocalCity, TOWNSHIP: LocalTownship, DISTRICT: LocalDistrict}
MAX_ROWS = 200_000


class MapFileError(InputError):
    """An address/cargo map file refused as a whole (the message names the map and the row)."""

    def __init__(self, reason: str) -> None:
        super().__init__("", reason)


@dataclass(frozen=True)
class AddressRow:
    model: str
    code: str
    parent_code: str
    local_id: int | None
    local_name: str


def address_rows(session: Session, *, unmapped_only: bool = False) -> list[AddressRow]:
    q = select(AddressMapping).order_by(AddressMapping.model, AddressMapping.parent_code, AddressMapping.code)
    if unmapped_only:
        q = q.where(AddressMapping.local_id.is_(None))
    out = []
    for m in session.scalars(q):
        node = session.get(_MODELS[m.model], m.local_id) if m.local_id is not None and m.model in _MODELS else None
        out.append(AddressRow(m.model, m.code, m.parent_code or "", m.local_id, node.name if node else ""))
    return out


def to_csv(columns, rows) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(columns)
    for r in rows:
        w.writerow(neutralise_row(["" if v is None else v for v in r]))
    return buf.getvalue()


def address_csv(session: Session) -> str:
    return to_csv(ADDRESS_COLUMNS, [(r.model, r.code, r.parent_code, r.local_id, r.local_name)
                                    for r in address_rows(session)])


def cargo_csv(session: Session) -> str:
    rows = session.scalars(select(CargoCompany).order_by(CargoCompany.id))
    return to_csv(CARGO_COLUMNS, [(c.id, c.name, c.code or "", c.n11_shipment_company_id or "",
                                   1 if c.is_active else 0) for c in rows])


def _read(text: str, required: tuple[str, ...], what: str) -> list[tuple[int, dict[str, str]]]:
    """Rows of a mapping file, read strictly within the input limits (core/inputs)."""
    if "\x00" in text:
        raise MapFileError(f"{what}: the file contains NUL bytes; not a CSV text file")
    try:
        header, records = csv_rows(text, ",", door=what, source="")
        head = [h.strip().lower() for h in (header or [])]
        missing = [c for c in required if c not in head]
        if missing:
            raise MapFileError(f"{what}: column {missing[0]!r} is missing (header: {', '.join(required)})")
        out = []
        for n, rec in records:
            if n > MAX_ROWS + 1:
                raise MapFileError(f"{what}: more than {MAX_ROWS} rows")
            if len(rec) > len(head):
                raise MapFileError(f"{what}: row {n} has more cells than the header")
            clean = {k: unneutralise(rec[i].strip() if i < len(rec) else "") for i, k in enumerate(head)}
            if any(clean.values()):
                out.append((n, clean))
    except InputError as exc:
        raise MapFileError(f"{what}: not a valid CSV file ({exc.where()}: {exc.reason})") from None
    return out


def _int(value: str, n: int, column: str, what: str, *, empty_ok: bool = True) -> int | None:
    if value == "" and empty_ok:
        return None
    try:
        return parse_int(value, lo=0, max_digits=12)
    except ValueError:
        raise MapFileError(f"{what}: row {n}: {column} {shown(value)!r} is not a positive whole number") from None


def import_address_csv(session: Session, text: str) -> tuple[int, int]:
    """Upsert address mappings keyed by (model, code, parent_code); ``local_id`` empty = unmapped.
    Returns (added, changed)."""
    what = "address map"
    rows = _read(text, ("model", "code", "local_id"), what)
    models = {m.lower(): m for m in _MODELS}
    parsed = []
    seen = set()
    for n, r in rows:
        model = models.get(r.get("model", "").lower())
        if model is None:
            raise MapFileError(f"{what}: row {n}: model {r.get('model')!r} must be City, Township or District")
        code, parent = r.get("code", ""), r.get("parent_code", "")
        if not code or len(code) > 300 or len(parent) > 300:
            raise MapFileError(f"{what}: row {n}: code must be 1-300 characters (the name as N11 sends it)")
        local = _int(r.get("local_id", ""), n, "local_id", what)
        if local is not None and session.get(_MODELS[model], local) is None:
            raise MapFileError(f"{what}: row {n}: {model} #{local} does not exist in the local address tree")
        key = (model, code, parent)
        if key in seen:
            raise MapFileError(f"{what}: row {n}: {model} {code!r} (parent {parent!r}) appears twice")
        seen.add(key)
        parsed.append((key, local))
    added = changed = 0
    for (model, code, parent), local in parsed:
        row = session.scalar(select(AddressMapping).where(AddressMapping.model == model, AddressMapping.code == code,
                                                          AddressMapping.parent_code == parent))
        if row is None:
            session.add(AddressMapping(model=model, code=code, parent_code=parent, local_id=local))
            added += 1
        elif row.local_id != local:
            row.local_id = local
            changed += 1
    session.flush()
    if added or changed:
        from .address import _release

        _release(session)
    return added, changed


def import_cargo_csv(session: Session, text: str) -> int:
    """Insert or update local cargo companies and their N11 shipment company. Returns rows changed."""
    what = "cargo map"
    rows = _read(text, ("id", "name", "n11_shipment_company_id"), what)
    parsed = []
    for n, r in rows:
        cid = _int(r.get("id", ""), n, "id", what, empty_ok=False)
        active = r.get("is_active", "1").lower()
        if active not in ("", "1", "0", "true", "false", "yes", "no"):
            raise MapFileError(f"{what}: row {n}: is_active {active!r} must be 1 or 0")
        name = r.get("name", "")
        if len(name) > 200 or len(r.get("code", "")) > 50:
            raise MapFileError(f"{what}: row {n}: name (200) or code (50) is too long")
        parsed.append(CargoRow(cid, name, r.get("code", ""),
                               _int(r.get("n11_shipment_company_id", ""), n, "n11_shipment_company_id", what),
                               active in ("", "1", "true", "yes")))
    try:
        return save_cargo_rows(session, parsed)
    except ValueError as exc:
        raise MapFileError(f"{what}: {exc}") from None
