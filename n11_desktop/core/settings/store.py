"""Reading and writing the channel settings: save, activate, export, import (DESIGN §5, §9).

Every writer validates first and changes nothing when any value is invalid; the caller's
transaction (``with db.session_factory.begin() as s``) makes the write atomic.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..storage.models import CancellationReason, CargoCompany, Channel
from .config import ensure_channel
from .defaults import REASON_TYPES
from .schema import merge_schema
from .secrets import get_secret, keyring_available, secret_location, set_secret
from .validation import FieldError, _kind, activation_errors, normalize

SECRET = "app_secret"
EXPORT_KEYS = ("conf", "is_active", "schema_type", "schedules")


@dataclass(frozen=True)
class ReasonRow:
    id: int
    name: str
    reason_type: str  # cancel | refund
    is_active: bool = True


@dataclass(frozen=True)
class SettingsSnapshot:
    """Everything the settings screen shows; plain data, safe to pass between threads."""

    channel_id: int
    name: str
    catalog_name: str
    channel_type: str
    is_active: bool
    conf: dict[str, Any] = field(default_factory=dict)  # includes the resolved App Secret
    schema: dict[str, dict[str, Any]] = field(default_factory=dict)
    reasons: tuple[ReasonRow, ...] = ()
    secret_location: str = "none"  # keyring | database | none
    keyring_available: bool = False
    cargo_companies: tuple[tuple[int, str], ...] = ()  # active local cargo companies
    # Cancellation Map picker: (N11 reason as N11 sends it, label) — seen in claims, then N11's list
    claim_reasons: tuple[tuple[str, str], ...] = ()
    version: int = 0  # the settings version (core.audit) this snapshot was read at


# ------------------------------------------------------------------ reading
def stored_schema(channel: Channel) -> dict[str, dict[str, Any]]:
    schema, _ = merge_schema(channel.schema_type or {})
    return schema


def load_reasons(session: Session) -> tuple[ReasonRow, ...]:
    rows = session.scalars(select(CancellationReason).order_by(CancellationReason.id))
    return tuple(ReasonRow(r.id, r.name, r.reason_type, bool(r.is_active)) for r in rows)


def cargo_companies(session: Session) -> dict[int, str]:
    """Active local cargo companies (id -> name); empty when none are set up."""
    rows = session.execute(select(CargoCompany.id, CargoCompany.name).where(CargoCompany.is_active.is_(True))
                           .order_by(CargoCompany.id))
    return {int(i): str(n) for i, n in rows}


def _reason_types(reasons: Iterable[ReasonRow]) -> dict[int, str]:
    return {r.id: r.reason_type for r in reasons if r.is_active}


def current_secret(session: Session, channel: Channel) -> str:
    return str((channel.conf or {}).get(SECRET) or "") or (get_secret(session, SECRET) or "")


def load_settings(session: Session) -> SettingsSnapshot:
    channel = ensure_channel(session)
    schema = stored_schema(channel)
    raw = _known_only(schema, channel.conf or {})
    conf, errs = normalize(schema, raw)
    for e in errs:  # show what is stored even when it no longer validates
        if e.key in raw:
            conf[e.key] = copy.deepcopy(raw[e.key])
    conf[SECRET] = current_secret(session, channel)
    return SettingsSnapshot(
        channel_id=channel.id, name=channel.name, catalog_name=channel.catalog_name,
        channel_type=channel.channel_type, is_active=bool(channel.is_active), conf=conf, schema=schema,
        reasons=load_reasons(session), secret_location=secret_location(session, SECRET),
        keyring_available=keyring_available(), cargo_companies=tuple(cargo_companies(session).items()),
        claim_reasons=tuple(_reason_picker(session)),
        version=_version(session),
    )


def _version(session: Session) -> int:
    from .. import audit

    return audit.version(session, "settings")


def _reason_picker(session: Session) -> list[tuple[str, str]]:
    from ..orders.cancellations import reason_picker

    return reason_picker(session)


def _known_only(schema: Mapping[str, Mapping[str, Any]], conf: Mapping[str, Any]) -> dict[str, Any]:
    keys = {str(e.get("key", fid)) for fid, e in schema.items()}
    return {k: v for k, v in conf.items() if k in keys}


# ------------------------------------------------------------------ reasons
def check_reasons(rows: Any) -> tuple[tuple[ReasonRow, ...], list[FieldError]]:
    errors: list[FieldError] = []
    out: list[ReasonRow] = []
    if not isinstance(rows, (list, tuple)):
        return (), [FieldError("cancellation_reasons", "", f"Cancellation reasons: must be a list, not {_kind(rows)}")]
    seen: set[int] = set()
    for n, row in enumerate(rows, 1):
        if isinstance(row, ReasonRow):
            data = {"id": row.id, "name": row.name, "reason_type": row.reason_type, "is_active": row.is_active}
        elif isinstance(row, Mapping):
            data = dict(row)
        else:
            errors.append(FieldError("cancellation_reasons", "", f"Cancellation reason {n}: must be an object"))
            continue
        where = f"Cancellation reason {n}"
        rid = data.get("id")
        if isinstance(rid, bool) or not isinstance(rid, int) or rid <= 0:
            errors.append(FieldError("cancellation_reasons", "", f"{where}: id must be a positive whole number, got {rid!r}"))
            continue
        where = f"Cancellation reason {rid}"
        if rid in seen:
            errors.append(FieldError("cancellation_reasons", "", f"{where}: the id is used twice"))
            continue
        seen.add(rid)
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            errors.append(FieldError("cancellation_reasons", "", f"{where}: the name is empty"))
            continue
        rtype = data.get("reason_type")
        if rtype not in REASON_TYPES:
            errors.append(FieldError("cancellation_reasons", "",
                                     f"{where}: type must be cancel or refund, got {rtype!r}"))
            continue
        active = data.get("is_active", True)
        if not isinstance(active, bool):
            errors.append(FieldError("cancellation_reasons", "", f"{where}: active must be true or false"))
            continue
        out.append(ReasonRow(rid, name.strip(), rtype, active))
    return tuple(out), errors


def _write_reasons(session: Session, reasons: tuple[ReasonRow, ...]) -> None:
    existing = {r.id: r for r in session.scalars(select(CancellationReason))}
    wanted = {r.id for r in reasons}
    for rid, row in existing.items():
        if rid not in wanted:
            session.delete(row)
    for r in reasons:
        row = existing.get(r.id)
        if row is None:
            session.add(CancellationReason(id=r.id, name=r.name, reason_type=r.reason_type, is_active=r.is_active))
        else:
            row.name, row.reason_type, row.is_active = r.name, r.reason_type, r.is_active


# ------------------------------------------------------------------ writing
def _prepare(session: Session, conf: Any, schema: Any, reasons: Any, *, activating: bool | None):
    """Validate; returns (channel, new_schema, new_conf, new_secret|None, new_reasons|None, errors)."""
    channel = ensure_channel(session)
    errors: list[FieldError] = []
    if schema is None:
        new_schema = stored_schema(channel)
    else:
        new_schema, schema_errors = merge_schema(schema)
        errors += [FieldError(e.field, "schema_type", e.message) for e in schema_errors]
    new_reasons = None
    if reasons is not None:
        new_reasons, reason_errors = check_reasons(reasons)
        errors += reason_errors
        reason_types = _reason_types(new_reasons)
    else:
        reason_types = _reason_types(load_reasons(session))
    cargo = cargo_companies(session)
    if not isinstance(conf, Mapping):
        return channel, new_schema, {}, None, new_reasons, errors + [
            FieldError("conf", "", f"Settings: conf must be a JSON object, not {_kind(conf)}")]
    merged = _known_only(new_schema, channel.conf or {})
    merged.update(conf)
    stored_in_conf = str((channel.conf or {}).get(SECRET) or "")
    new_secret: str | None
    if SECRET in conf:  # the caller sets the secret (empty clears it)
        raw = conf[SECRET]
        if raw is not None and not isinstance(raw, str):
            errors.append(FieldError(SECRET, SECRET, f"App Secret: must be a text, not {_kind(raw)}"))
            raw = ""
        new_secret = (raw or "").strip()
    else:  # keep it; a secret written straight into conf moves to the secret store
        new_secret = stored_in_conf or None
    merged[SECRET] = ""
    effective_secret = new_secret if new_secret is not None else (get_secret(session, SECRET) or "")
    active = bool(channel.is_active) if activating is None else activating
    if active:
        errors += activation_errors(new_schema, dict(merged, **{SECRET: effective_secret}), reasons=reason_types,
                                    cargo_companies=cargo)
        new_conf, _ = normalize(new_schema, merged, reasons=reason_types, cargo_companies=cargo)
    else:
        new_conf, conf_errors = normalize(new_schema, merged, reasons=reason_types, cargo_companies=cargo)
        errors += conf_errors
    return channel, new_schema, new_conf, new_secret, new_reasons, errors


def _buffer(conf: Mapping[str, Any] | None) -> int:
    try:
        return max(0, int((conf or {}).get("buffer_stock") or 0))
    except (TypeError, ValueError):
        return 0


def _queue_stock_resend(session: Session) -> int:
    """Buffer Stock changed: every SKU on sale gets its stock sent again (the ledger forgets the
    quantity N11 accepted, so the stock flow picks them all up with the new buffer)."""
    from sqlalchemy import update

    from ..storage.models import IntegrationAction

    res = session.execute(update(IntegrationAction).where(IntegrationAction.content_type == "productstock",
                                                          IntegrationAction.version_date.is_not(None))
                          .values(version_date=None))
    return res.rowcount or 0


def _commit(session: Session, channel: Channel, schema, conf, secret, reasons, is_active: bool | None,
            action: str = "save") -> None:
    from .. import audit

    old_conf = dict(channel.conf or {})
    old_active = bool(channel.is_active)
    old_schema = stored_schema(channel)
    secret_changed = secret is not None and secret != (get_secret(session, SECRET) or "")
    reasons_changed = reasons is not None and tuple(reasons) != tuple(load_reasons(session))
    if reasons is not None:
        _write_reasons(session, reasons)
    old_keys = {str(e.get("key", fid)) for fid, e in stored_schema(channel).items()}
    # values other parts of the app wrote under keys no schema field knows: kept as they are
    # (a removed custom field's value goes away with it)
    extras = {k: v for k, v in (channel.conf or {}).items() if k not in old_keys and k not in conf}
    conf = {**extras, **conf}
    conf[SECRET] = ""
    if _buffer(channel.conf) != _buffer(conf):
        _queue_stock_resend(session)
    channel.schema_type = schema
    channel.conf = conf
    if is_active is not None:
        channel.is_active = is_active
    if secret is not None:
        set_secret(session, SECRET, secret)
    session.flush()
    detail = audit.settings_diff({k: v for k, v in old_conf.items() if k != SECRET},
                                 {k: v for k, v in conf.items() if k != SECRET})
    extra = [d for d, on in (("app_secret changed", secret_changed), ("cancellation reasons changed", reasons_changed),
                             ("custom fields changed", schema != old_schema)) if on]
    if is_active is not None and bool(is_active) != old_active:
        extra.insert(0, "activated" if is_active else "deactivated")
    detail = "; ".join(extra + ([detail] if detail else []))
    if detail:
        audit.record(session, "settings", action, "channel", detail)


def save_settings(session: Session, conf: Mapping[str, Any], schema: Mapping[str, Any] | None = None, *,
                  reasons: Iterable[Any] | None = None, expected_version: int | None = None) -> list[FieldError]:
    """Validate and store ``conf`` (keys left out keep their stored values; ``app_secret``
    left out keeps the stored secret). ``schema``: a new schema type (user fields). ``reasons``:
    the full new list of local cancellation reasons. When the channel is active the result must
    still pass the activation checks. Nothing is written when any error is returned.
    ``expected_version``: the settings version (:func:`~..audit.version`) the form was loaded at;
    when someone saved since, the save is refused with an error naming who and when."""
    stale = _stale(session, expected_version)
    if stale:
        return stale
    reasons = list(reasons) if reasons is not None else None
    channel, schema_, conf_, secret, reasons_, errors = _prepare(session, conf, schema, reasons, activating=None)
    if errors:
        return errors
    _commit(session, channel, schema_, conf_, secret, reasons_, None)
    return []


def _stale(session: Session, expected_version: int | None) -> list[FieldError]:
    from .. import audit

    try:
        audit.check(session, "settings", based_on=expected_version)
    except audit.StaleEdit as exc:
        return [FieldError("version", "", str(exc))]
    return []


def activate(session: Session, *, expected_version: int | None = None) -> list[FieldError]:
    """Switch the channel on if every setting is valid and every required one is filled."""
    stale = _stale(session, expected_version)
    if stale:
        return stale
    channel, schema_, conf_, secret, _, errors = _prepare(session, {}, None, None, activating=True)
    if errors:
        return errors
    _commit(session, channel, schema_, conf_, secret, None, True, action="activate")
    return []


def deactivate(session: Session) -> None:
    from .. import audit

    channel = ensure_channel(session)
    was = bool(channel.is_active)
    channel.is_active = False
    session.flush()
    if was:
        audit.record(session, "settings", "deactivate", "channel", "deactivated")


def activation_problems(session: Session) -> list[FieldError]:
    """What :func:`activate` would refuse, without changing anything."""
    return _prepare(session, {}, None, None, activating=True)[-1]


# ------------------------------------------------------------------ files
def export_settings(session: Session, include_secret: bool = False) -> str:
    """The settings file (DESIGN §9): deterministic JSON; the App Secret only when asked for."""
    snap = load_settings(session)
    conf = {k: v for k, v in snap.conf.items() if k != SECRET}
    if not include_secret:
        conf.pop("oms_webhook_token", None)  # a secret too; left out, an import keeps the stored one
    if include_secret:
        conf[SECRET] = snap.conf.get(SECRET) or ""
    doc = {"conf": conf, "is_active": snap.is_active, "schema_type": snap.schema}
    from ..schedules import export_overrides

    schedules = export_overrides(session)
    if schedules:  # only the operator's changes; a file without them keeps the schedules as they are
        doc["schedules"] = schedules
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def parse_settings_file(text: str) -> tuple[dict[str, Any] | None, list[FieldError]]:
    from ..inputs import MAX_SETTINGS_BYTES, InputError, load_json

    if len(text) > MAX_SETTINGS_BYTES:
        return None, [FieldError("file", "", f"Settings file: is {len(text) // 1024} KB; a settings file is at most "
                                             f"{MAX_SETTINGS_BYTES // 1024} KB")]
    try:
        doc = load_json(text, door="settings file")
    except InputError as exc:
        return None, [FieldError("file", "", f"Settings file: {exc.reason}")]
    except json.JSONDecodeError as exc:
        return None, [FieldError("file", "", f"Settings file: not valid JSON (line {exc.lineno}, "
                                             f"column {exc.colno}: {exc.msg})")]
    except RecursionError:
        return None, [FieldError("file", "", "Settings file: not a settings file (JSON nested too deeply)")]
    if not isinstance(doc, dict):
        return None, [FieldError("file", "", f"Settings file: must be a JSON object with conf, is_active and "
                                             f"schema_type, not {_kind(doc)}")]
    unknown = sorted(set(doc) - set(EXPORT_KEYS))
    if unknown:
        return None, [FieldError("file", "", f"Settings file: unknown entry {', '.join(map(repr, unknown))} "
                                             f"(expected {', '.join(EXPORT_KEYS)})")]
    if "conf" not in doc:
        return None, [FieldError("file", "", "Settings file: the conf object is missing")]
    if "is_active" in doc and not isinstance(doc["is_active"], bool):
        return None, [FieldError("is_active", "is_active",
                                 f"Status (is_active): must be true or false, got {doc['is_active']!r}")]
    return doc, []


def import_settings(session: Session, text: str) -> list[FieldError]:
    """Apply a settings file. ``conf`` keys left out keep their values; ``"is_active": true``
    runs the activation checks, ``false`` deactivates, absent keeps the status.
    Nothing changes when any error is returned."""
    doc, errors = parse_settings_file(text)
    if errors:
        return errors
    assert doc is not None
    from ..schedules import apply_file_overrides, parse_file_overrides

    schedules, problems = parse_file_overrides(doc["schedules"]) if "schedules" in doc else ({}, [])
    is_active = doc.get("is_active")
    channel, schema_, conf_, secret, _, errors = _prepare(session, doc["conf"], doc.get("schema_type"), None,
                                                          activating=is_active)
    errors = list(errors) + [FieldError("schedules", "", p) for p in problems]
    if errors:
        return errors
    _commit(session, channel, schema_, conf_, secret, None, is_active, action="import")
    if schedules:
        apply_file_overrides(session, schedules)
    return []
