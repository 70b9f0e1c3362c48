"""The audit trail: who changed a setting or a mapping, and when (issue 16; no Qt).

The settings and mapping operations call :func:`record` in the transaction of the change, so a
change and its audit row commit together. The operator is the OS ``user@host`` of the process,
or the name given in Preferences / ``N11_DESKTOP_OPERATOR``.

Optimistic version check: the newest audit id of an area is its *version*. A screen loads the
version with its data; a write that says which version it was based on
(:func:`expect_version`, or ``expected_version=`` on the settings save) is refused with
:class:`StaleEdit` — "changed by X at T; reload" — when someone else changed the same thing
since, instead of silently overwriting it. Writes without an expected version (the command line,
flows, imports) are never refused.
"""

from __future__ import annotations

import contextlib
import functools
import os
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .formats import read_preferences, write_preference
from .inputs import InputError, one_line

OPERATOR_ENV = "N11_DESKTOP_OPERATOR"
AREAS = ("settings", "mapping", "schedules")
#: session.info key: {"settings": version, "mapping": version} the write is based on
EXPECTED_KEY = "n11_expected_versions"

_operator: str | None = None
#: the versions the current operation is based on (set by :func:`based_on` around a screen's write)
_BASED_ON: ContextVar[dict | None] = ContextVar("n11_audit_based_on", default=None)


def operator_name() -> str:
    """``set_operator`` / ``N11_DESKTOP_OPERATOR`` / the Preferences name, else ``user@host``."""
    if _operator:
        return _operator
    env = os.environ.get(OPERATOR_ENV, "").strip()
    if env:
        return one_line(env, 200)
    return saved_operator() or default_operator()


def default_operator() -> str:
    """``user@host`` of this process: the operator when no name was given."""
    from .instance import this_host, this_user

    user = this_user()
    return f"{user}@{this_host()}" if user else this_host()


def saved_operator(path=None) -> str:
    """The name chosen in Preferences ("" when none): per user, like the language."""
    name = read_preferences(path).get("operator")
    return one_line(name.strip(), 200) if isinstance(name, str) and name.strip() else ""


def save_operator(name: str | None, path=None) -> None:
    """Store the operator's name for the audit trail ("" / None: back to user@host)."""
    name = (name or "").strip()
    write_preference("operator", one_line(name, 200) if name else None, path)


def set_operator(name: str | None) -> None:
    """The name this process writes into the audit trail (None / "": back to ``user@host``)."""
    global _operator
    _operator = one_line(name.strip(), 200) if name and name.strip() else None


class StaleEdit(InputError):
    """An edit based on data someone else changed since it was loaded (one line)."""

    def __init__(self, reason: str, entry: "AuditRow | None" = None) -> None:
        ValueError.__init__(self, reason)
        self.door, self.source, self.row, self.column, self.reason = "", "", None, None, reason
        self.entry = entry

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True, slots=True)
class AuditRow:
    id: int
    at: datetime
    operator: str
    area: str
    action: str
    object_key: str
    detail: str

    def as_dict(self) -> dict:
        return {"id": self.id, "at": self.at.isoformat(timespec="seconds"), "operator": self.operator,
                "area": self.area, "action": self.action, "object": self.object_key, "detail": self.detail}


def _row(e) -> AuditRow:
    return AuditRow(e.id, e.at, e.operator, e.area, e.action, e.object_key or "", e.detail or "")


def record(session: Session, area: str, action: str, object_key: str = "", detail: str = "") -> None:
    """Add one audit row to ``session``'s transaction (flushed with the change it records: an
    accept-all of a thousand suggestions writes its rows in one go)."""
    from .clock import utcnow
    from .storage.models import AuditEntry

    entry = AuditEntry(at=utcnow(), operator=operator_name(), area=area, action=action[:60],
                       object_key=str(object_key or "")[:500], detail=one_line(str(detail or ""), 2000))
    session.add(entry)


def version(session: Session, area: str) -> int:
    """The area's version: the id of its newest audit row (0 when nothing was recorded)."""
    from .storage.models import AuditEntry

    return int(session.scalar(select(func.max(AuditEntry.id)).where(AuditEntry.area == area)) or 0)


def expect_version(session: Session, area: str, based_on: int | None) -> None:
    """Mark the writes of ``session`` as based on ``based_on`` of ``area`` (None: no check)."""
    versions = session.info.setdefault(EXPECTED_KEY, {})
    if based_on is None:
        versions.pop(area, None)
    else:
        versions[area] = int(based_on)


@contextlib.contextmanager
def based_on(area: str, version: int | None):
    """Writes inside this block (in this thread) are based on ``version`` of ``area``: what a
    screen wraps around a write job with the version it loaded (None: no check)."""
    current = dict(_BASED_ON.get() or {})
    if version is not None:
        current[area] = int(version)
    token = _BASED_ON.set(current)
    try:
        yield
    finally:
        _BASED_ON.reset(token)


def check(session: Session, area: str, object_key: str | None = None, what: str = "",
          based_on: int | None = None) -> None:
    """Refuse (:class:`StaleEdit`) a write based on an older version of ``area`` (of ``object_key``
    when given: another mapping row changed meanwhile does not conflict)."""
    if based_on is None:
        based_on = session.info.get(EXPECTED_KEY, {}).get(area)
    if based_on is None:
        based_on = (_BASED_ON.get() or {}).get(area)
    if based_on is None:
        return
    from .storage.models import AuditEntry

    stmt = select(AuditEntry).where(AuditEntry.area == area, AuditEntry.id > int(based_on))
    if object_key is not None:
        stmt = stmt.where(AuditEntry.object_key == object_key)
    newer = session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(1)).first()
    if newer is None:
        return
    row = _row(newer)
    label = what or ("the channel settings" if area == "settings" else f"the mapping of {object_key}"
                     if object_key else "the mapping")
    raise StaleEdit(f"{label} changed by {row.operator} at {row.at:%Y-%m-%d %H:%M} UTC after you loaded "
                    f"{'them' if area == 'settings' else 'it'} ({row.action}); reload and make your change again",
                    row)


def history(session: Session, area: str | None = None, *, limit: int = 200, object_key: str | None = None,
            operator: str | None = None) -> tuple[AuditRow, ...]:
    """The newest audit rows first."""
    from .storage.models import AuditEntry

    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(max(1, min(int(limit), 100_000)))
    if area:
        stmt = stmt.where(AuditEntry.area == area)
    if object_key:
        stmt = stmt.where(AuditEntry.object_key == object_key)
    if operator:
        stmt = stmt.where(AuditEntry.operator == operator)
    return tuple(_row(e) for e in session.scalars(stmt))


def load_history(db, area: str | None = None, limit: int = 500) -> tuple[AuditRow, ...]:
    """:func:`history` in its own session (what the History dialog runs off the GUI thread)."""
    with db.session_factory() as s:
        return history(s, area, limit=limit)


# ---------------------------------------------------------------------- mapping writes
def audited_mapping(kind: str, key: Callable[..., str]):
    """Decorate a mapping write ``fn(session, …) -> Change``: check the expected version of the
    object it changes first, and record what it did (unless ``unchanged``)."""

    def deco(fn):
        @functools.wraps(fn)
        def wrapper(session, *args, **kw):
            try:
                object_key = key(*args, **kw)
            except Exception:  # noqa: BLE001 - the function itself reports bad input
                object_key = ""
            check(session, "mapping", object_key or None)
            change = fn(session, *args, **kw)
            action = getattr(change, "action", "")
            if action and action != "unchanged":
                record(session, "mapping", f"{kind} {action}", object_key, getattr(change, "message", ""))
            return change

        return wrapper

    return deco


# ---------------------------------------------------------------------- settings writes
#: settings whose values never go into the audit trail (only that they changed)
SECRET_KEYS = ("app_secret", "oms_webhook_token")


def settings_diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    """``buffer_stock: 0 → 5; app_secret changed`` (secrets never shown)."""
    parts = []
    for k in sorted(set(old) | set(new)):
        a, b = old.get(k), new.get(k)
        if a == b or (a in (None, "") and b in (None, "")):
            continue
        if k in SECRET_KEYS:
            parts.append(f"{k} changed")
        else:
            parts.append(f"{k}: {_short(a)} → {_short(b)}")
    return "; ".join(parts)


def _short(v: Any) -> str:
    import json

    if v is None:
        return "(empty)"
    text = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False, sort_keys=True, default=str)
    text = text if text != "" else "(empty)"
    return text if len(text) <= 80 else text[:77] + "…"
