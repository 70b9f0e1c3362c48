"""The small key/value rows of ``app_state`` (cursors, operator terms, defaults, schedule overrides):
read one with a default, write one (insert, update or remove) in the caller's transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from .models import AppState


def read_state(session: Session, key: str, default: Any = None) -> Any:
    """The stored value of ``key``; ``default`` when there is no row or it holds null."""
    row = session.get(AppState, key)
    return row.value if row is not None and row.value is not None else default


def read_dict(session: Session, key: str) -> dict:
    """A copy of the dict stored under ``key`` (``{}`` when missing or not a dict)."""
    value = read_state(session, key)
    return dict(value) if isinstance(value, dict) else {}


def write_state(session: Session, key: str, value: Any) -> None:
    """Store ``value`` under ``key`` (``None`` removes the row); not flushed."""
    put_value(session, AppState, key, value)


def put_value(session: Session, model: type, key: str, value: Any) -> None:
    """Insert, update or (``value`` None) delete the row ``key`` of a key/value table with a ``value``
    column (``AppState``, ``SecretValue``); not flushed."""
    row = session.get(model, key)
    if value is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        session.add(model(**{model.__mapper__.primary_key[0].key: key}, value=value))
    else:
        row.value = value
