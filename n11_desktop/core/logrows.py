"""Rows of the flow log (``log_entry``) written at the driver level: one prepared INSERT, no
ORM object or session per line. Used by :func:`.flows.base.write_log` and by the sending
thread of a push, which writes the exchange of a post in the same transaction as the
acknowledgement it carried (:mod:`.batches`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from .storage.db import datetime_param, marks

#: the order of a log row's values (:func:`log_row`)
LOG_COLUMNS = ("run_id", "flow", "created_at", "level", "object_type", "object_key", "message", "request",
               "response")


def log_row(message: str, *, level: str = "INFO", flow: str | None = None, run_id: int | None = None,
            object_type: str | None = None, object_key: str | None = None, request: str | None = None,
            response: str | None = None, created_at: datetime) -> tuple:
    return (run_id, flow, created_at, level, object_type, object_key, message, request, response)


def insert_log_rows(conn: Any, rows: Sequence[tuple]) -> None:
    """Insert ``rows`` (:func:`log_row`) on ``conn`` (a SQLAlchemy connection inside a transaction)."""
    if not rows:
        return
    dialect = conn.dialect
    rows = [r[:2] + (datetime_param(dialect, r[2]),) + r[3:] for r in rows]  # created_at
    sql = f"INSERT INTO log_entry ({', '.join(LOG_COLUMNS)}) VALUES ({marks(dialect, len(LOG_COLUMNS))})"
    if len(rows) == 1:
        conn.exec_driver_sql(sql, rows[0])
    else:
        conn.exec_driver_sql(sql, list(rows))
