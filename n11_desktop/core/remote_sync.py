"""N11 state sync: the ``remote_product`` snapshot that KPIs, reports and difference alarms read.

One sync is a *generation*: N11's product-query is paged for the whole store (``size`` ≤ 250,
N11's limit), each page upserted into ``remote_product`` with ``fetched_at`` = the moment it was
read, in the same transaction as the resume cursor (``app_state['remote_sync.cursor']``). So:

* the previous snapshot stays usable while a sync runs or after it stopped half-way (kill -9,
  an N11 error on page 37): rows are only ever replaced by newer ones;
* an interrupted sync resumes at the page after the last one written (if the cursor is younger
  than :data:`RESUME_WITHIN`; otherwise a new generation starts at page 0);
* only a *complete* pass removes what N11 no longer lists (rows not seen since the generation
  started). Offset paging over a list that changes underneath can skip a row when N11 removes a
  product between two pages, so when the pass's count disagrees with N11's own total, the rows
  about to be removed are first asked about one by one (up to :data:`VERIFY_MISSING_MAX`).

The completed pass is recorded in ``app_state['remote_sync.last']``; :func:`snapshot_age` reads it
(screens show the age and warn when it is older than two sync periods).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Callable

from sqlalchemy import delete, func, select

from .storage.db import Database
from .storage.app_state import read_state, write_state
from .storage.models import RemoteProduct

if TYPE_CHECKING:
    from .n11.client import N11Client

CURSOR_KEY = "remote_sync.cursor"
LAST_KEY = "remote_sync.last"
#: event written when task results changed products on N11 (remote_sync runs after it)
CHANGED_KEY = "event.products_changed"
PAGE_SIZE = 250  # N11's product-query maximum
RESUME_WITHIN = timedelta(hours=6)
VERIFY_MISSING_MAX = 200
DEFAULT_PERIOD = timedelta(minutes=15)


def _row(rp: Any, now: datetime) -> dict[str, Any]:
    cat = getattr(rp, "category_id", None)
    return {
        "stock_code": str(rp.stock_code),
        "n11_product_id": None if getattr(rp, "n11_product_id", None) is None else str(rp.n11_product_id),
        "product_main_id": getattr(rp, "product_main_id", None),
        "status": getattr(rp, "status", None),
        "sale_status": getattr(rp, "sale_status", None),
        "category_id": int(cat) if cat not in (None, "") else None,
        "sale_price": getattr(rp, "sale_price", None),
        "list_price": getattr(rp, "list_price", None),
        "quantity": getattr(rp, "quantity", None),
        "reject_info": (str(rp.reject_info) if getattr(rp, "reject_info", None) else None),
        "fetched_at": now,
    }


def upsert_rows(session, rows: list[dict[str, Any]]) -> None:
    """Insert or replace snapshot rows (one statement per call)."""
    if not rows:
        return
    # the same stock code twice on one page: the last one wins (N11 never does this; be safe)
    rows = list({r["stock_code"]: r for r in rows}.values())
    from .storage.db import dialect_insert

    stmt = dialect_insert(session.connection())(RemoteProduct.__table__)
    cols = {c: getattr(stmt.excluded, c) for c in rows[0] if c != "stock_code"}
    session.execute(stmt.on_conflict_do_update(index_elements=["stock_code"], set_=cols), rows)


def _get_state(session, key: str) -> dict | None:
    value = read_state(session, key)
    return value if isinstance(value, dict) else None


def _dt(text: Any) -> datetime | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class SyncResult:
    complete: bool
    pages: int  # pages read by this run
    products: int  # rows written by this run
    removed: int
    resumed_at_page: int | None  # the page this run resumed at (None: a new generation)
    total_pages: int | None
    total_elements: int | None
    generation: datetime


def sync_snapshot(db: Database, client: N11Client, *, clock: Callable[[], datetime],
                  should_stop: Callable[[], bool] = lambda: False,
                  on_page: Callable[[int, int | None], None] | None = None,
                  page_size: int = PAGE_SIZE, fresh: bool = False) -> SyncResult:
    """Page N11's product-query into ``remote_product`` (resuming an interrupted generation).

    Raises what the client raises (the cursor keeps the last page written); returns with
    ``complete=False`` when ``should_stop`` asked it to stop between pages.
    """
    now = clock()
    size = max(1, min(int(page_size), PAGE_SIZE))
    with db.session_factory.begin() as s:
        cur = _get_state(s, CURSOR_KEY)
        started = _dt(cur.get("started_at")) if cur else None
        resume = (not fresh and cur is not None and started is not None and cur.get("size") == size
                  and now - _dt(cur.get("updated_at") or cur["started_at"]) <= RESUME_WITHIN)
        if not resume:
            started = now
            cur = {"started_at": now.isoformat(), "updated_at": now.isoformat(), "next_page": 0, "size": size,
                   "total_pages": None, "total_elements": None}
            write_state(s, CURSOR_KEY, cur)
    assert started is not None
    page = int(cur.get("next_page") or 0)
    resumed_at = page if resume else None
    pages = written = 0
    total_pages = cur.get("total_pages")
    total_elements = cur.get("total_elements")
    while True:
        if should_stop():
            return SyncResult(False, pages, written, 0, resumed_at, total_pages, total_elements, started)
        products, total_pages_now, last, total_elements_now = client.product_query_page(page, size)
        at = clock()
        rows = [_row(p, at) for p in products]
        with db.session_factory.begin() as s:
            upsert_rows(s, rows)
            cur = {"started_at": started.isoformat(), "updated_at": at.isoformat(), "next_page": page + 1,
                   "size": size, "total_pages": total_pages_now,
                   "total_elements": total_elements_now if total_elements_now is not None else total_elements}
            write_state(s, CURSOR_KEY, cur)
        total_pages = total_pages_now
        total_elements = cur["total_elements"]
        pages += 1
        written += len(rows)
        if on_page is not None:
            on_page(page + 1, total_pages)
        if last:
            break
        page += 1
    removed = _finish(db, client, started, clock(), total_elements, should_stop)
    return SyncResult(True, pages, written, removed, resumed_at, total_pages, total_elements, started)


def _finish(db: Database, client: N11Client, started: datetime, now: datetime, total_elements: int | None,
            should_stop: Callable[[], bool]) -> int:
    """A complete pass: remove what N11 no longer lists, record the pass, drop the cursor."""
    with db.session_factory() as s:
        seen = int(s.scalar(select(func.count()).select_from(RemoteProduct)
                            .where(RemoteProduct.fetched_at >= started)) or 0)
        stale = [r for r in s.scalars(select(RemoteProduct.stock_code).where(RemoteProduct.fetched_at < started)
                                      .limit(VERIFY_MISSING_MAX + 1))]
    consistent = total_elements is None or int(total_elements) == seen
    if stale and not consistent and len(stale) <= VERIFY_MISSING_MAX and hasattr(client, "get_remote_product"):
        # paging over a changing list may have skipped these: ask N11 about each before forgetting it
        found = []
        for code in stale:
            if should_stop():
                break
            rp = client.get_remote_product(code)
            if rp is not None:
                found.append(_row(rp, now))
        with db.session_factory.begin() as s:
            upsert_rows(s, found)
    with db.session_factory.begin() as s:
        removed = s.execute(delete(RemoteProduct).where(RemoteProduct.fetched_at < started)).rowcount or 0
        count = int(s.scalar(select(func.count()).select_from(RemoteProduct)) or 0)
        write_state(s, LAST_KEY, {"started_at": started.isoformat(), "completed_at": now.isoformat(),
                                 "products": count, "removed": int(removed)})
        write_state(s, CURSOR_KEY, None)
    return int(removed)


# --------------------------------------------------------------------------- age
@dataclass(frozen=True, slots=True)
class SnapshotAge:
    """How old N11's data on screen is (``as_of`` None: never synced)."""

    as_of: datetime | None  # naive UTC: when the last complete sync finished
    age_s: float | None
    stale: bool  # older than two sync periods (or never synced)
    period_s: float
    in_progress_page: int | None  # a sync is part-way (resumable) at this page
    products: int

    def describe(self) -> str:
        if self.as_of is None:
            text = "N11 data: never synced (run N11 State Sync)"
        else:
            text = f"N11 data as of {self.as_of:%Y-%m-%d %H:%M} UTC ({format_age(self.age_s or 0)} ago)"
            if self.stale:
                text += f" — older than two sync periods ({format_age(2 * self.period_s)}); check N11 State Sync"
        if self.in_progress_page is not None:
            text += f"; a sync is part-way (next page {self.in_progress_page})"
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"as_of": self.as_of.isoformat() if self.as_of else None,
                "age_s": None if self.age_s is None else round(self.age_s, 1), "stale": self.stale,
                "period_s": self.period_s, "products": self.products}


def format_age(seconds: float) -> str:
    s = int(max(0, seconds))
    if s < 90:
        return f"{s} s"
    if s < 90 * 60:
        return f"{round(s / 60)} min"
    if s < 48 * 3600:
        return f"{s / 3600:.1f} h"
    return f"{s / 86400:.1f} days"


def snapshot_age(session, now: datetime, period_s: float | None = None) -> SnapshotAge:
    """The snapshot's age from the last complete sync (falls back to the newest row)."""
    if period_s is None:
        period_s = sync_period_s(session)
    last = _get_state(session, LAST_KEY)
    as_of = _dt(last.get("completed_at")) if last else None
    if as_of is None:
        as_of = session.scalar(select(func.max(RemoteProduct.fetched_at)))
    cur = _get_state(session, CURSOR_KEY)
    products = int(session.scalar(select(func.count()).select_from(RemoteProduct)) or 0)
    age = None if as_of is None else (now - as_of).total_seconds()
    stale = age is None or age > 2 * period_s
    return SnapshotAge(as_of, age, stale, float(period_s), int(cur.get("next_page") or 0) if cur else None, products)


def sync_period_s(session) -> float:
    """remote_sync's interval as the operator set it (``core.schedules``), else the default."""
    try:
        from .schedules import effective_schedule

        sch = effective_schedule(session, "remote_sync")
        if sch.interval_s:
            return float(sch.interval_s)
        if sch.daily_at:
            return 86400.0
    except Exception:  # noqa: BLE001 - schedules not available: the default period
        pass
    return DEFAULT_PERIOD.total_seconds()


def mark_products_changed(session, now: datetime) -> None:
    """Task results changed products on N11: remote_sync is due (``Schedule.after_event``)."""
    write_state(session, CHANGED_KEY, {"at": now.isoformat()})
