"""Driver-level bulk writes of plain row dicts, one executemany per statement (the catalog import's
fast path for 100k rows): values are converted as the column types would (money in cents, JSON
text, SQLAlchemy's datetime text, booleans); placeholders come from ``db.marks()``, so both engines work."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import ROUND_HALF_UP
from typing import Any, Callable

from sqlalchemy import JSON, Boolean, DateTime

from ..storage.db import mark, marks
from ..storage.models import Money


def _to_cents(v: Any) -> int | None:
    return None if v is None else int((v * 100).to_integral_value(rounding=ROUND_HALF_UP))


try:  # json.dumps's own C encoder, made once: dumps builds a new one on every call (~2 µs a value)
    from _json import make_encoder as _c_make_encoder

    _encode = _c_make_encoder(None, json.JSONEncoder().default, json.encoder.encode_basestring_ascii, None,
                              ": ", ", ", False, False, True)
except ImportError:  # pragma: no cover - a Python without the C accelerator
    _encode = None


def _to_json(v: Any) -> str | None:
    """What SQLAlchemy's JSON type writes (``json.dumps`` with its defaults), the same text."""
    if v is None:
        return None
    if _encode is None or type(v) not in (list, dict):
        return json.dumps(v)
    return "".join(_encode(v, 0))  # no cycle check: values parsed from a file (lists and dicts of text)


_DT_MEMO: list[Any] = [None, None]


def sql_datetime(v: Any) -> str | None:
    if v is None:
        return None
    if v is not _DT_MEMO[0]:  # every row of a chunk carries the same "now": format it once
        _DT_MEMO[0], _DT_MEMO[1] = v, v.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's SQLite format
    return _DT_MEMO[1]


def _to_bool(v: Any) -> bool | None:
    return None if v is None else bool(v)  # sqlite3 stores True as 1; PostgreSQL wants a boolean


def _converter(column) -> Callable[[Any], Any] | None:
    t = column.type
    if isinstance(t, Money):
        return _to_cents
    if isinstance(t, JSON):
        return _to_json
    if isinstance(t, DateTime):
        return sql_datetime
    if isinstance(t, Boolean):
        return _to_bool
    return None


def _params(table, cols: list[str], rows: list[dict[str, Any]], keys: list[str]) -> list[tuple[Any, ...]]:
    """Row dicts → parameter tuples, each value converted as its column type would (generated code)."""
    env: dict[str, Any] = {}
    parts = []
    for n, (c, k) in enumerate(zip(cols, keys)):
        f = _converter(table.c[c])
        if f is None:
            parts.append(f"r[{k!r}]")
        else:
            env[f"f{n}"] = f
            parts.append(f"f{n}(r[{k!r}])")
    build = eval(f"lambda r: ({', '.join(parts)},)", env)  # noqa: S307 - built from column names only
    return [build(r) for r in rows]


def bulk_insert(conn, table, rows: list[dict[str, Any]]) -> None:
    """One executemany of plain values converted as the column types would (fast path for 100k rows)."""
    if not rows:
        return
    cols = list(rows[0])
    names = ", ".join(f'"{c}"' for c in cols)
    sql = f'INSERT INTO "{table.name}" ({names}) VALUES ({marks(conn, len(cols))})'
    conn.exec_driver_sql(sql, _params(table, cols, rows, cols))


def bulk_update(conn, table, key: str, rows: list[dict[str, Any]], now: datetime | None) -> None:
    """UPDATE ... WHERE key = b_id for each row; ``now`` given = bump version and version_date."""
    if not rows:
        return
    keys = [k for k in rows[0] if k != "b_id"]
    cols = [k[2:] for k in keys]
    m = mark(conn)
    sets = [f'"{c}" = {m}' for c in cols]
    if now is not None:
        sets += ['"version" = "version" + 1', f'"version_date" = \'{sql_datetime(now)}\'']
    sql = f'UPDATE "{table.name}" SET {", ".join(sets)} WHERE "{key}" = {m}'
    params = _params(table, cols, rows, keys)
    conn.exec_driver_sql(sql, [p + (r["b_id"],) for p, r in zip(params, rows)])
