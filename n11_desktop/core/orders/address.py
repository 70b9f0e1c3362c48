"""Mapping N11 address text to the local address tree (city / township / district).

N11 sends names: ``city`` (province), ``district`` (our *township*, ilçe) and
``neighborhood`` (our *district*, mahalle). Names are matched Turkish-aware
(``İSTANBUL`` = ``istanbul`` = ``Istanbul``; ``CAFERAĞA MAH.`` = ``Caferağa``), explicit
rows of ``address_mapping`` win over name matching, and a name that matches nothing is
recorded as an unmapped ``address_mapping`` row (``local_id`` empty) for the Address
Mapping screen, with the seed's message::

    Address is not valid. channel: 137 code: 137_Merkez model: Township city id: 34, city name: İstanbul.

Keys carry the channel id (``137_Merkez``) when Use Channel ID In Address Mapping is on.
The neighbourhood is only used when Use Neighborhood is on.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..storage.models import AddressMapping, LocalCity, LocalDistrict, LocalTownship

CITY, TOWNSHIP, DISTRICT = "City", "Township", "District"

_TR = str.maketrans({"ı": "i", "ş": "s", "ğ": "g", "ü": "u", "ö": "o", "ç": "c", "â": "a", "î": "i", "û": "u"})
_SUFFIXES = {"mah", "mahallesi", "mahalle", "mh", "mahal"}


@functools.lru_cache(maxsize=131_072)  # the same few thousand place names on every package
def fold(text: str | None) -> str:
    """Turkish-aware comparison key: case, dotted/dotless i, diacritics, punctuation and a
    trailing ``Mah.``/``Mahallesi`` do not matter."""
    if not text:
        return ""
    t = unicodedata.normalize("NFC", str(text)).replace("İ", "i").replace("I", "ı").lower()
    t = t.translate(_TR)
    t = "".join(c for c in unicodedata.normalize("NFKD", t) if not unicodedata.combining(c))
    t = re.sub(r"[^a-z0-9]+", " ", t).split()
    while len(t) > 1 and t[-1] in _SUFFIXES:
        t.pop()
    return " ".join(t)


class AddressNotValid(Exception):
    """An address part has no local counterpart; ``str()`` is the seed's message."""

    def __init__(self, message: str, *, model: str, code: str, parent_code: str) -> None:
        super().__init__(message)
        self.model, self.code, self.parent_code = model, code, parent_code


#: what an order keeps of an N11 address (city, district and neighbourhood first)
_ADDRESS_FIELDS = ("city", "district", "neighborhood", "full_name", "address", "postal_code", "gsm", "tc_id",
                   "tax_id", "tax_house")
_address_values = attrgetter(*_ADDRESS_FIELDS)


@dataclass
class AddressResolver:
    """Resolves addresses for one import run (loads the local tree once)."""

    channel_id: int
    use_neighborhood: bool = False
    use_channel_prefix: bool = False
    _cities: dict[str, tuple[int, str]] = field(default_factory=dict)
    _townships: dict[int, dict[str, tuple[int, str]]] = field(default_factory=dict)
    _districts: dict[int, dict[str, tuple[int, str]]] = field(default_factory=dict)
    _explicit: dict[tuple[str, str, str], int | None] = field(default_factory=dict)
    #: (city, district, neighbourhood) as N11 wrote them -> local ids of an address that resolved
    #: (the same few thousand places on every package; an unresolved one is looked up each time);
    #: (city, district) without Use Neighborhood, where the neighbourhood plays no part
    _resolved: dict[tuple, tuple[int, int, int | None]] = field(default_factory=dict)
    _loaded: bool = False

    @classmethod
    def from_config(cls, config) -> "AddressResolver":
        return cls(channel_id=config.channel_id, use_neighborhood=bool(config.get("use_neighborhood", False)),
                   use_channel_prefix=bool(config.get("use_channel_id_in_address_mapping", False)))

    def key(self, name: str) -> str:
        name = " ".join(str(name or "").split())
        return f"{self.channel_id}_{name}" if self.use_channel_prefix else name

    def load(self, session: Session) -> None:
        self._cities.clear()
        self._townships.clear()
        self._districts.clear()
        self._explicit.clear()
        self._resolved.clear()
        for cid, name in session.execute(select(LocalCity.id, LocalCity.name)):
            self._cities.setdefault(fold(name), (cid, name))
        for tid, city_id, name in session.execute(select(LocalTownship.id, LocalTownship.city_id, LocalTownship.name)):
            self._townships.setdefault(city_id, {}).setdefault(fold(name), (tid, name))
        if self.use_neighborhood:
            for did, tid, name in session.execute(
                    select(LocalDistrict.id, LocalDistrict.township_id, LocalDistrict.name)):
                self._districts.setdefault(tid, {}).setdefault(fold(name), (did, name))
        for model, code, parent, local_id in session.execute(
                select(AddressMapping.model, AddressMapping.code, AddressMapping.parent_code, AddressMapping.local_id)):
            self._explicit[(model, code, parent or "")] = local_id
        self._loaded = True

    def _lookup(self, model: str, code: str, parent: str, candidates: dict[str, tuple[int, str]],
                name: str) -> int | None:
        explicit = self._explicit.get((model, code, parent))
        if explicit is not None:
            return explicit
        hit = candidates.get(fold(name))
        return hit[0] if hit else None

    def resolve(self, session: Session, addr: Any) -> dict[str, Any]:
        """Return the address as stored on the order, or raise :class:`AddressNotValid`.

        ``addr`` is a client ``Address`` (or anything with ``city``, ``district``,
        ``neighborhood`` attributes / keys)."""
        if not self._loaded:
            self.load(session)
        if isinstance(addr, dict):
            values = tuple(addr.get(k) for k in _ADDRESS_FIELDS)
        else:
            try:  # a client Address: every field in one call
                values = _address_values(addr)
            except AttributeError:
                values = tuple(getattr(addr, k, None) for k in _ADDRESS_FIELDS)
        raw_city, raw_town, raw_nb = values[0], values[1], values[2]
        city_name, town_name, nb_name = (raw_city or "").strip(), (raw_town or "").strip(), (raw_nb or "").strip()
        memo = (raw_city is None or type(raw_city) is str) and (raw_town is None or type(raw_town) is str) \
            and (raw_nb is None or type(raw_nb) is str)
        # without Use Neighborhood the ids depend on the city and district only
        raw_names = (raw_city, raw_town, raw_nb) if self.use_neighborhood else (raw_city, raw_town)
        ids = self._resolved.get(raw_names) if memo else None
        if ids is not None:
            city_id, town_id, district_id = ids
        else:
            city_id, city_code = self._node(session, CITY, city_name, "", self._cities,
                                            f"city name: {city_name or '(empty)'}")
            town_id, town_code = self._node(session, TOWNSHIP, town_name, city_code,
                                            self._townships.get(city_id, {}),
                                            f"city id: {city_id}, city name: {city_name}")
            district_id = None
            if self.use_neighborhood:
                district_id, _ = self._node(session, DISTRICT, nb_name, town_code, self._districts.get(town_id, {}),
                                            f"township id: {town_id}, township name: {town_name}")
            if memo:
                self._resolved[raw_names] = (city_id, town_id, district_id)
        _c, _d, _n, full_name, address, postal_code, gsm, tc_id, tax_id, tax_house = values
        return {
            "full_name": full_name, "address": address, "city": city_name, "township": town_name,
            "district": nb_name if self.use_neighborhood else None, "neighborhood": nb_name,
            "postal_code": postal_code, "gsm": gsm, "tc_id": tc_id,
            "tax_id": tax_id, "tax_house": tax_house,
            "local_city_id": city_id, "local_township_id": town_id, "local_district_id": district_id,
        }

    def _node(self, session: Session, model: str, name: str, parent_code: str,
              candidates: dict[str, tuple[int, str]], parent_text: str) -> tuple[int, str]:
        """(local id, code) of one level of the address; an unknown name is recorded as unmapped and
        raises :class:`AddressNotValid` (the message names the parent as ``parent_text``)."""
        code = self.key(name)
        local_id = self._lookup(model, code, parent_code, candidates, name)
        if local_id is None:
            self._record_unmapped(session, model, code, parent_code)
            raise AddressNotValid(
                f"Address is not valid. channel: {self.channel_id} code: {code} model: {model} {parent_text}.",
                model=model, code=code, parent_code=parent_code)
        return local_id, code

    def _record_unmapped(self, session: Session, model: str, code: str, parent: str) -> None:
        if (model, code, parent) in self._explicit:
            return
        exists = session.scalar(select(AddressMapping.id).where(
            AddressMapping.model == model, AddressMapping.code == code, AddressMapping.parent_code == parent))
        if exists is None:
            session.add(AddressMapping(model=model, code=code, parent_code=parent, local_id=None))
            session.flush()
        self._explicit[(model, code, parent)] = None


# ------------------------------------------------------------------ the Address Mapping screen
@dataclass(frozen=True)
class UnmappedAddress:
    id: int
    model: str
    code: str
    parent_code: str


@dataclass(frozen=True)
class LocalNode:
    id: int
    name: str


def unmapped_addresses(session: Session) -> tuple[UnmappedAddress, ...]:
    rows = session.execute(select(AddressMapping.id, AddressMapping.model, AddressMapping.code,
                                  AddressMapping.parent_code)
                           .where(AddressMapping.local_id.is_(None)).order_by(AddressMapping.id))
    return tuple(UnmappedAddress(*r) for r in rows)


def _strip_prefix(code: str, channel_id: int) -> str:
    prefix = f"{channel_id}_"
    return code[len(prefix):] if code.startswith(prefix) else code


def candidates_for(session: Session, item: UnmappedAddress, channel_id: int) -> tuple[LocalNode, ...]:
    """Local nodes the operator can choose for an unmapped entry (scoped by its parent)."""
    if item.model == CITY:
        rows = session.execute(select(LocalCity.id, LocalCity.name).order_by(LocalCity.name))
        return tuple(LocalNode(*r) for r in rows)
    if item.model == TOWNSHIP:
        parent_name = _strip_prefix(item.parent_code, channel_id)
        city = _find_by_fold(session.execute(select(LocalCity.id, LocalCity.name)).all(), parent_name)
        q = select(LocalTownship.id, LocalTownship.name).order_by(LocalTownship.name)
        if city is not None:
            q = q.where(LocalTownship.city_id == city)
        return tuple(LocalNode(*r) for r in session.execute(q))
    parent_name = _strip_prefix(item.parent_code, channel_id)
    town = _find_by_fold(session.execute(select(LocalTownship.id, LocalTownship.name)).all(), parent_name)
    q = select(LocalDistrict.id, LocalDistrict.name).order_by(LocalDistrict.name)
    if town is not None:
        q = q.where(LocalDistrict.township_id == town)
    return tuple(LocalNode(*r) for r in session.execute(q.limit(5000)))


def _find_by_fold(rows, name: str) -> int | None:
    key = fold(name)
    for rid, rname in rows:
        if fold(rname) == key:
            return rid
    return None


def set_mapping(session: Session, mapping_id: int, local_id: int) -> None:
    """Map an unmapped entry to a local node (validated: the node must exist)."""
    row = session.get(AddressMapping, mapping_id)
    if row is None:
        raise ValueError(f"address mapping #{mapping_id} not found")
    model = {CITY: LocalCity, TOWNSHIP: LocalTownship, DISTRICT: LocalDistrict}[row.model]
    if session.get(model, int(local_id)) is None:
        raise ValueError(f"{row.model} #{local_id} does not exist in the local address tree")
    row.local_id = int(local_id)
    _release(session)


def _release(session: Session) -> None:
    """A mapping changed: orders penalized for a mapping problem are tried again on the next run."""
    from datetime import datetime, timezone

    from .importer import release_mapping_penalties

    release_mapping_penalties(session, datetime.now(timezone.utc).replace(tzinfo=None))


def create_and_map(session: Session, mapping_id: int, channel_id: int) -> LocalNode:
    """Add the N11 name as a new local node under its (mapped) parent and map the entry to it."""
    row = session.get(AddressMapping, mapping_id)
    if row is None:
        raise ValueError(f"address mapping #{mapping_id} not found")
    name = _strip_prefix(row.code, channel_id).strip()
    if not name:
        raise ValueError("the N11 name is empty; choose an existing node instead")
    if row.model == CITY:
        node = LocalCity(name=name)
    else:
        parent_model, parent_cls = (CITY, LocalCity) if row.model == TOWNSHIP else (TOWNSHIP, LocalTownship)
        parent_key = _strip_prefix(row.parent_code, channel_id)
        explicit = session.scalar(select(AddressMapping.local_id).where(
            AddressMapping.model == parent_model, AddressMapping.code == row.parent_code,
            AddressMapping.local_id.is_not(None)))
        parent_id = explicit or _find_by_fold(session.execute(select(parent_cls.id, parent_cls.name)).all(), parent_key)
        if parent_id is None:
            raise ValueError(f"the parent {parent_model.lower()} {parent_key!r} is not in the local address tree")
        node = LocalTownship(city_id=parent_id, name=name) if row.model == TOWNSHIP else \
            LocalDistrict(township_id=parent_id, name=name)
    session.add(node)
    session.flush()
    row.local_id = node.id
    _release(session)
    return LocalNode(node.id, node.name)
