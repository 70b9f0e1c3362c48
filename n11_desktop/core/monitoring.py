"""Monitoring → Log screen queries: flow runs and log entries, paged in SQL so 1M rows stay fast."""

from __future__ import annotations

import csv
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import column, delete, func, or_, select, table, text
from sqlalchemy.orm import Session

from .inputs import neutralise_row
from .storage.app_state import read_state, write_state
from .storage.models import FlowRun, LogEntry
from .storage.portable import search_text

DEFAULT_RETENTION_DAYS = 30
RETENTION_KEY = "log_retention_days"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True, slots=True)
class LogFilter:
    flow: str | None = None
    level: str | None = None  # minimum level
    run_id: int | None = None
    text: str | None = None
    object_key: str | None = None  # SKU or order number
    since: datetime | None = None
    until: datetime | None = None
    n11_calls_only: bool = False

    def __post_init__(self) -> None:  # a pasted NUL must not break the query on PostgreSQL
        object.__setattr__(self, "text", search_text(self.text))
        object.__setattr__(self, "object_key", search_text(self.object_key))


@dataclass(frozen=True, slots=True)
class LogRow:
    id: int
    created_at: datetime
    flow: str | None
    run_id: int | None
    level: str
    object_key: str | None
    message: str
    has_raw: bool


@dataclass(frozen=True, slots=True)
class LogDetail:
    id: int
    created_at: datetime
    flow: str | None
    level: str
    object_type: str | None
    object_key: str | None
    message: str
    request: str | None
    response: str | None


@dataclass(frozen=True, slots=True)
class RunRow:
    id: int
    flow: str
    trigger: str
    state: str
    started_at: datetime
    ended_at: datetime | None
    total: int
    succeeded: int
    failed: int
    penalized: int
    skipped: int
    message: str


#: the trigram full-text index of log messages and object keys (migration 0005)
_FTS = table("log_entry_fts", column("rowid"))
FTS_MIN_CHARS = 3  # a trigram index finds substrings of 3 characters or more


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _fts_phrase(f: LogFilter, pg: bool = False) -> str | None:
    """The text filter as an FTS5 phrase (a case-insensitive substring), or None for a shorter text
    and on PostgreSQL (there ``ILIKE``, served by the pg_trgm indexes of migration 0005)."""
    if pg or not f.text or len(f.text) < FTS_MIN_CHARS:
        return None
    return '"' + f.text.replace('"', '""') + '"'


def _id_col(f: LogFilter, pg: bool = False):
    """The id to order and page by: the index's rowid when the text filter uses it, so SQLite walks the
    matches newest first and stops at the page's end instead of collecting every match first."""
    return _FTS.c.rowid if _fts_phrase(f, pg) else LogEntry.id


def _apply(q, f: LogFilter, *, level_eq: str | None = None, pg: bool = False):
    if f.flow:
        q = q.where(LogEntry.flow == f.flow)
    if level_eq is not None:
        q = q.where(LogEntry.level == level_eq)
    elif f.level and f.level in LEVELS:
        q = q.where(LogEntry.level.in_(LEVELS[LEVELS.index(f.level):]))
    if f.run_id is not None:
        q = q.where(LogEntry.run_id == f.run_id)
    if f.object_key:
        q = q.where(LogEntry.object_key == f.object_key)
    if f.since is not None:
        q = q.where(LogEntry.created_at >= f.since)
    if f.until is not None:
        q = q.where(LogEntry.created_at < f.until)
    if f.n11_calls_only:
        q = q.where(LogEntry.object_type == "n11_call")
    phrase = _fts_phrase(f, pg)
    if phrase is not None:
        q = q.join_from(LogEntry, _FTS, _FTS.c.rowid == LogEntry.id).where(
            text("log_entry_fts MATCH :log_text").bindparams(log_text=phrase))
    elif f.text and pg:
        like = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        q = q.where(or_(LogEntry.message.ilike(like, escape="\\"), LogEntry.object_key.ilike(like, escape="\\")))
    elif f.text:
        like = f"%{f.text}%"
        q = q.where(or_(LogEntry.message.like(like), LogEntry.object_key.like(like)))
    return q


def query_logs(session: Session, f: LogFilter, *, before_id: int | None = None, limit: int = 200) -> tuple[LogRow, ...]:
    """Newest first; page with ``before_id`` = the last id shown (keyset paging, no OFFSET).

    A minimum level is read one level at a time (the (level, id) / (flow, level, id) indexes give
    each level's newest rows in id order) and the pages merged: one ``level IN (…)`` query would
    collect and sort every row of those levels first."""
    if f.level in LEVELS and _fts_phrase(f, _is_pg(session)) is None:
        wanted = LEVELS[LEVELS.index(f.level):]
        rows = [r for lv in wanted for r in _page(session, f, before_id, limit, level_eq=lv)]
        rows.sort(key=lambda r: r.id, reverse=True)
        return tuple(rows[:limit])
    return _page(session, f, before_id, limit)


def _page(session: Session, f: LogFilter, before_id: int | None, limit: int, *,
          level_eq: str | None = None) -> tuple[LogRow, ...]:
    q = select(LogEntry.id, LogEntry.created_at, LogEntry.flow, LogEntry.run_id, LogEntry.level, LogEntry.object_key,
               LogEntry.message, (LogEntry.request.is_not(None) | LogEntry.response.is_not(None)))
    pg = _is_pg(session)
    q = _apply(q, f, level_eq=level_eq, pg=pg)
    idc = _id_col(f, pg)
    if before_id is not None:
        q = q.where(idc < before_id)
    q = q.order_by(idc.desc()).limit(limit)
    return tuple(LogRow(*r) for r in session.execute(q).all())


def count_logs(session: Session, f: LogFilter, *, cap: int = 100_000) -> tuple[int, bool]:
    """How many rows match, counting at most ``cap`` (returns (count, capped))."""
    inner = _apply(select(LogEntry.id), f, pg=_is_pg(session)).limit(cap + 1).subquery()
    n = int(session.scalar(select(func.count()).select_from(inner)) or 0)
    return min(n, cap), n > cap


def log_detail(session: Session, log_id: int) -> LogDetail | None:
    e = session.get(LogEntry, log_id)
    if e is None:
        return None
    return LogDetail(e.id, e.created_at, e.flow, e.level, e.object_type, e.object_key, e.message, e.request, e.response)


def query_runs(session: Session, *, flow: str | None = None, state: str | None = None,
               since: datetime | None = None, limit: int = 500) -> tuple[RunRow, ...]:
    q = select(FlowRun)
    if flow:
        q = q.where(FlowRun.flow == flow)
    if state:
        q = q.where(FlowRun.state == state)
    if since is not None:
        q = q.where(FlowRun.started_at >= since)
    q = q.order_by(FlowRun.id.desc()).limit(limit)
    return tuple(RunRow(r.id, r.flow, r.trigger, r.state, r.started_at, r.ended_at, r.total, r.succeeded, r.failed,
                        r.penalized, r.skipped, r.message or "") for r in session.scalars(q))


def iter_logs(session: Session, f: LogFilter, *, chunk: int = 5000) -> Iterator[LogDetail]:
    before = None
    while True:
        pg = _is_pg(session)
        q = _apply(select(LogEntry), f, pg=pg)
        idc = _id_col(f, pg)
        if before is not None:
            q = q.where(idc < before)
        rows = session.scalars(q.order_by(idc.desc()).limit(chunk)).all()
        if not rows:
            return
        for e in rows:
            yield LogDetail(e.id, e.created_at, e.flow, e.level, e.object_type, e.object_key, e.message, e.request,
                            e.response)
        before = rows[-1].id


def export_logs_csv(session: Session, f: LogFilter, path: Path, *, include_raw: bool = False) -> int:
    """Write the filtered view to CSV (atomically). Raw bodies are already redacted at capture time."""
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    names = [fl.name for fl in fields(LogDetail) if include_raw or fl.name not in ("request", "response")]
    n = 0
    with tmp.open("w", newline="", encoding="utf-8-sig") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        for d in iter_logs(session, f):
            w.writerow(neutralise_row("" if getattr(d, k) is None else getattr(d, k) for k in names))
            n += 1
    tmp.replace(path)
    return n


def retention_days(session: Session) -> int:
    value = read_state(session, RETENTION_KEY)
    try:
        return max(1, int(value)) if value is not None else DEFAULT_RETENTION_DAYS
    except (TypeError, ValueError):
        return DEFAULT_RETENTION_DAYS


def set_retention_days(session: Session, days: int) -> None:
    if int(days) < 1:
        raise ValueError("Log retention: keep logs for at least 1 day")
    write_state(session, RETENTION_KEY, int(days))


def prune_logs(session: Session, now: datetime, *, days: int | None = None) -> int:
    """Delete log entries (and finished runs) older than the retention period."""
    keep = days if days is not None else retention_days(session)
    cutoff = now - timedelta(days=keep)
    n = session.execute(delete(LogEntry).where(LogEntry.created_at < cutoff)).rowcount or 0
    session.execute(delete(FlowRun).where(FlowRun.started_at < cutoff, FlowRun.state != "running"))
    return int(n)


def as_dict(row: Any) -> dict[str, Any]:
    return {f.name: getattr(row, f.name) for f in fields(row)}


# ---------------------------------------------------------------------------- operations (the Monitoring tab's jobs)
def load_logs(db: Any, f: LogFilter, limit: int = 200) -> tuple[tuple[LogRow, ...], tuple[int, bool]]:
    """The newest page of log entries matching ``f`` and how many match (count, capped)."""
    with db.session_factory() as s:
        return query_logs(s, f, limit=limit), count_logs(s, f)


def load_older_logs(db: Any, f: LogFilter, before_id: int, limit: int = 200) -> tuple[LogRow, ...]:
    with db.session_factory() as s:
        return query_logs(s, f, before_id=before_id, limit=limit)


def load_log_detail(db: Any, log_id: int) -> LogDetail | None:
    with db.session_factory() as s:
        return log_detail(s, log_id)


def export_logs(db: Any, f: LogFilter, path: Path) -> int:
    """Every entry matching ``f`` to a CSV (with the raw exchanges, redacted as stored)."""
    with db.session_factory() as s:
        return export_logs_csv(s, f, path, include_raw=True)


def load_runs(db: Any, *, flow: str | None = None, state: str | None = None):
    with db.session_factory() as s:
        return query_runs(s, flow=flow, state=state)


def load_retention(db: Any) -> int:
    with db.session_factory() as s:
        return retention_days(s)


def apply_retention(db: Any, days: int, now: datetime | None = None) -> int:
    """Keep ``days`` days of logs from now on and prune what is older at once; returns how many went."""
    from .clock import utcnow

    with db.session_factory.begin() as s:
        set_retention_days(s, days)
        return prune_logs(s, now or utcnow())


def prune(db: Any, now: datetime | None = None) -> int:
    from .clock import utcnow

    with db.session_factory.begin() as s:
        return prune_logs(s, now or utcnow())
