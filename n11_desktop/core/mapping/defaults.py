"""Default values for N11 attributes the catalog does not carry (no Qt).

N11 makes some attributes mandatory (Menşei, Cinsiyet, Yaş Grubu, …) that a shop's catalog often
has no column for. A default fills such an attribute for every product of a leaf (or of every leaf
offering that N11 attribute) whose own data does not give it. The product's own value, through the
attribute rules and value maps, always wins.

Stored in ``app_state`` under :data:`DEFAULTS_KEY` as ``{"<category_id>:<attribute_id>":
{"value_id": int | None, "custom": str | None, "name": str}}``; category 0 = every leaf.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..audit import audited_mapping
from ..storage.app_state import read_dict, write_state
from ..storage.models import AttributeValue, CategoryAttribute
from .store import Change, MappingError, check_leaf, describe_node, offered_values, parse_value_id


def _default_key(attribute_id, *_a, category_id=0, **_k) -> str:
    return f"default:{int(attribute_id)}@{int(category_id or (_a[0] if _a else 0) or 0)}"


DEFAULTS_KEY = "mapping.attribute_defaults"


@dataclass(frozen=True)
class AttributeDefault:
    category_id: int  # 0 = every leaf offering the attribute
    attribute_id: int
    value_id: int | None
    custom: str | None
    name: str  # the N11 value name (or the free text) — also what other leaves match by name


def attribute_defaults(session: Session) -> dict[tuple[int, int], AttributeDefault]:
    out: dict[tuple[int, int], AttributeDefault] = {}
    for key, v in read_dict(session, DEFAULTS_KEY).items():
        try:
            cid, aid = (int(x) for x in str(key).split(":"))
            vid = int(v["value_id"]) if v.get("value_id") is not None else None
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # a hand-edited entry that makes no sense is ignored, not fatal
        out[(cid, aid)] = AttributeDefault(cid, aid, vid, v.get("custom") or None, str(v.get("name") or ""))
    return out


def _store(session: Session, data: dict) -> None:
    write_state(session, DEFAULTS_KEY, data)
    session.flush()


@audited_mapping("default", _default_key)
def set_attribute_default(session: Session, attribute_id: int, *, value_id: int | None = None,
                          custom_value: str | None = None, category_id: int = 0) -> Change:
    """Default for N11 attribute ``attribute_id`` in one leaf (or every leaf, ``category_id`` 0)."""
    try:
        aid = int(attribute_id)
    except (TypeError, ValueError):
        raise MappingError(f"N11 attribute id must be a number (got {attribute_id!r})") from None
    cid = int(category_id or 0)
    node = check_leaf(session, cid) if cid else None
    q = select(CategoryAttribute).where(CategoryAttribute.attribute_id == aid, CategoryAttribute.removed.is_(False))
    if cid:
        q = q.where(CategoryAttribute.category_id == cid)
    attrs = session.scalars(q).all()
    if not attrs:
        where = f"{describe_node(node)} does not offer" if node else "no loaded N11 category offers"
        raise MappingError(f"{where} attribute {aid} — run Category Attribute and Values, or pick another attribute")
    attr_name = attrs[0].name
    custom = (custom_value or "").strip() or None
    vid = parse_value_id(value_id)
    if vid is not None:
        name = session.scalars(offered_values(attrs, AttributeValue.name).where(AttributeValue.value_id == vid)
                               .limit(1)).first()
        if name is None:
            where = f" in {describe_node(node)}" if node else ""
            raise MappingError(f"value {vid} is not in N11's list for {attr_name}{where}")
        custom = None
    elif custom:
        if len(custom) > 200:
            raise MappingError("a default value is at most 200 characters")
        listed = session.scalars(offered_values(attrs, AttributeValue.name).where(
            func.lower(AttributeValue.name) == custom.lower()).limit(1)).first()
        if listed is None and not any(a.custom_value for a in attrs):
            raise MappingError(f"{attr_name} does not accept free text on N11 — choose one of its values")
        name = listed or custom
    else:
        raise MappingError(f"choose an N11 value for {attr_name} (or type free text if it accepts free text)")
    data = read_dict(session, DEFAULTS_KEY)
    key = f"{cid}:{aid}"
    new = {"value_id": vid, "custom": custom, "name": str(name)}
    scope = f"in {describe_node(node)}" if node else "in every category"
    if data.get(key) == new:
        return Change("unchanged", f"{attr_name} already defaults to {name} {scope}")
    action = "updated" if key in data else "added"
    data[key] = new
    _store(session, data)
    return Change(action, f"{attr_name} defaults to {name} {scope} when the product has no value")


@audited_mapping("default", _default_key)
def remove_attribute_default(session: Session, attribute_id: int, category_id: int = 0) -> Change:
    data = read_dict(session, DEFAULTS_KEY)
    key = f"{int(category_id or 0)}:{int(attribute_id)}"
    if key not in data:
        return Change("unchanged", f"attribute {attribute_id} had no default there")
    del data[key]
    _store(session, data)
    return Change("removed", f"default for attribute {attribute_id} removed")
