"""The penalty box (seed §3, §8; DESIGN §7): failed records wait before they are retried.

A failing record is penalized per ``failed_integration[content_type]`` (DEFAULT otherwise),
read *when the penalty is applied* (seed §3's example: a record penalized with a 3 h interval
and retried after the interval was changed to 2 h gets the new 2 h interval on its next
failure). A penalty row is "active" while the record sits in the box:

- ``next_retry_at`` set: the record may be tried again from that moment on;
- ``next_retry_at`` NULL: retries are exhausted (MAX_RETRY_COUNT reached or the next retry
  would fall after EXPIRATION_DATE); only the operator lifts it (CSV upload).

Queries never let penalized records block the queue: candidate selection filters them out in
SQL *before* the page limit (see :func:`eligible_clause`).

Messages are the seed §8 texts with the fix; :func:`translate_reason` turns N11's Turkish task
reasons into them where they match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Sequence

from sqlalchemy import and_, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from .settings import ChannelConfig
from .storage.models import CategoryNode, FailedIntegration, Price, Product, Stock

if TYPE_CHECKING:
    from .storage.db import Database

CONTENT_TYPES = ("product", "productstock", "productprice")
REASON_TYPES = ("mapping", "remote", "channel_app")

# Seed §8 texts -------------------------------------------------------------------------
MSG_STOCK_NOT_FOUND = "Stock data not found"
MSG_PRICE_NOT_FOUND = "Price data not found"
MSG_PRODUCT_NOT_FOUND = "Product not found"
MSG_CATEGORY = ("The product is listed in the category {name} on N11 with category ID {id}. "
                "You can enter this ID to resend the product.")
MSG_PENDING_APPROVAL = "This product is already pending approval. It will be published once approved."
MSG_SELLER_CODE = ("The product you entered is listed with {code} seller code on your side. "
                   "You can update your product through this product.")
MSG_NOT_IN_QUEUE = ("The relevant record is not in queue. The item may have been penalized or check "
                    "product is saleable")
MSG_CATALOG_SUGGEST = "Failed to suggest product to the catalog"
CATALOG_SUGGEST_FIX = ("If it is about attribute values: run Category Attribute and Values (N11's latest values), then "
                       "Compare Attributes, and send the product again.")
MSG_SENT_TO_REMOTE = ("No result from N11 within {hours:g} hours (sent_to_remote EXPIRATION_HOUR); "
                      "the record will be retried per the Failed Integration settings.")

_RE_NOT_FOUND = re.compile(r"Ürün bulunamadı", re.I)
_RE_SELLER_CODE = re.compile(r"başka bir ürün \(productMainId: ([^)]*)\)", re.I)
_RE_PENDING = re.compile(r"InCatalogApproval", re.I)
_RE_CATALOG_SUGGEST = re.compile(r"suggest(?:ed)? (?:the )?product to (?:the )?catalog|katalo(?:ga|ğa) öner"
                                 r"|katalog onay(?:ı| sürecinde)? .*reddedil", re.I)
_RE_CATEGORY = re.compile(r"kategori(?:si)?\s*(?:ID)?\s*[:=]?\s*(\d+)", re.I)


def translate_reason(reasons: Sequence[str] | str, *, category_name: str | None = None) -> str:
    """N11's task reasons → the seed §8 message with the fix (original text kept otherwise)."""
    parts = [reasons] if isinstance(reasons, str) else list(reasons)
    text = "; ".join(p for p in (str(x).strip() for x in parts) if p)
    if not text:
        return "N11 reported a failure without a reason"
    if _RE_NOT_FOUND.search(text):
        return MSG_PRODUCT_NOT_FOUND
    m = _RE_SELLER_CODE.search(text)
    if m:
        return MSG_SELLER_CODE.format(code=m.group(1).strip())
    if _RE_PENDING.search(text) and "durumunda" in text:
        return MSG_PENDING_APPROVAL
    if _RE_CATALOG_SUGGEST.search(text):
        return catalog_suggest_message(text)
    return f"N11 rejected the record: {text}"


def catalog_suggest_message(text: str) -> str:
    """Seed §8 "Failed to suggest product to the catalog", with N11's words and the fix."""
    said = "" if text.strip().lower().startswith(MSG_CATALOG_SUGGEST.lower()) else f" (N11: {text.strip()})"
    return f"{MSG_CATALOG_SUGGEST}{said}. {CATALOG_SUGGEST_FIX}"


def with_hint(message: str) -> str:
    """A message that names a seed §8 problem, with its fix appended when it is not there yet."""
    if _RE_CATALOG_SUGGEST.search(message or "") and CATALOG_SUGGEST_FIX not in message:
        return f"{message.rstrip('. ')}. {CATALOG_SUGGEST_FIX}"
    return message


def category_message(session: Session | None, category_id: int | None) -> str:
    name = None
    if session is not None and category_id is not None:
        node = session.get(CategoryNode, int(category_id))
        name = node.name if node is not None else None
    return MSG_CATEGORY.format(name=name or "?", id=category_id if category_id is not None else "?")


# Records --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PenaltyRow:
    id: int
    content_type: str
    object_id: int
    sku: str
    reason_type: str
    message: str
    retry_count: int
    next_retry_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    is_active: bool

    @property
    def exhausted(self) -> bool:
        return self.is_active and self.next_retry_at is None

    def as_json(self) -> dict[str, Any]:
        return {"sku": self.sku, "content_type": self.content_type, "reason_type": self.reason_type,
                "message": self.message, "retry_count": self.retry_count,
                "next_retry_at": self.next_retry_at.isoformat(sep=" ") if self.next_retry_at else None,
                "expires_at": self.expires_at.isoformat(sep=" ") if self.expires_at else None,
                "state": "exhausted" if self.exhausted else ("waiting" if self.is_active else "lifted")}


def _row(f: FailedIntegration) -> PenaltyRow:
    return PenaltyRow(f.id, f.content_type, f.object_id, f.object_key, f.reason_type, f.message, f.retry_count,
                      f.next_retry_at, f.expires_at, f.created_at, f.is_active)


def penalize(session: Session, content_type: str, object_id: int, object_key: str, reason_type: str,
             message: str, config: ChannelConfig, now: datetime) -> PenaltyRow:
    """Put a record in the penalty box (or extend its stay) with the rule read *now*."""
    if reason_type not in REASON_TYPES:
        raise ValueError(f"reason type must be one of {REASON_TYPES}, not {reason_type!r}")
    rule = config.penalty_rule(content_type)
    row = session.scalars(
        select(FailedIntegration).where(FailedIntegration.content_type == content_type,
                                        FailedIntegration.object_id == object_id,
                                        FailedIntegration.is_active.is_(True))
        .order_by(FailedIntegration.id.desc()).limit(1)).first()
    if row is None:
        row = FailedIntegration(content_type=content_type, object_id=object_id, object_key=object_key,
                                reason_type=reason_type, message=message, retry_count=0, is_active=True,
                                created_at=now, updated_at=now)
        session.add(row)
    else:
        row.retry_count = (row.retry_count or 0) + 1
        row.reason_type = reason_type
        row.message = message
        row.object_key = object_key
        row.updated_at = now
    row.expires_at = row.created_at + timedelta(seconds=rule.expiration_s)
    next_retry = now + timedelta(seconds=rule.retry_interval_s)
    if row.retry_count >= rule.max_retry_count or next_retry > row.expires_at:
        row.next_retry_at = None  # exhausted: the operator lifts it after fixing the cause
    else:
        row.next_retry_at = next_retry
    session.flush()
    return _row(row)


def clear(session: Session, content_type: str, object_ids: Iterable[int], now: datetime) -> int:
    """A record succeeded: its active penalty (if any) is lifted."""
    ids = list(object_ids)
    if not ids:
        return 0
    # the box rarely holds many of a type: read its active ids (at most one more than we clear) and
    # update only the ones among ours — a 100k push then skips 200 IN-list UPDATEs that find nothing
    active = set(session.scalars(select(FailedIntegration.object_id).where(
        FailedIntegration.content_type == content_type, FailedIntegration.is_active.is_(True)).limit(len(ids) + 1)))
    if len(active) <= len(ids):  # every active penalty of this type was read
        ids = [i for i in ids if i in active]
    n = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        res = session.execute(
            update(FailedIntegration)
            .where(FailedIntegration.content_type == content_type, FailedIntegration.object_id.in_(chunk),
                   FailedIntegration.is_active.is_(True))
            .values(is_active=False, updated_at=now))
        n += res.rowcount or 0
    return n


def blocked_clause(content_type: str, object_id_col: Any, now: datetime):
    """SQL condition: the object is in the box right now (waiting or exhausted)."""
    return exists().where(
        FailedIntegration.content_type == content_type,
        FailedIntegration.object_id == object_id_col,
        FailedIntegration.is_active.is_(True),
        or_(FailedIntegration.next_retry_at.is_(None), FailedIntegration.next_retry_at > now),
    )


def eligible_clause(content_type: str, object_id_col: Any, now: datetime):
    """SQL condition: the record may be sent now (filter *before* LIMIT so the box never blocks)."""
    return ~blocked_clause(content_type, object_id_col, now)


def eligible(session: Session, content_type: str, object_id: int, now: datetime) -> bool:
    return not session.scalar(select(blocked_clause(content_type, object_id, now)))


def list_penalties(session: Session, *, content_type: str | None = None, active_only: bool = True,
                   sku: str | None = None, limit: int | None = None) -> tuple[PenaltyRow, ...]:
    q = select(FailedIntegration)
    if active_only:
        q = q.where(FailedIntegration.is_active.is_(True))
    if content_type:
        q = q.where(FailedIntegration.content_type == content_type)
    if sku:
        q = q.where(FailedIntegration.object_key == sku)
    q = q.order_by(FailedIntegration.updated_at.desc(), FailedIntegration.id.desc())
    if limit:
        q = q.limit(limit)
    return tuple(_row(f) for f in session.scalars(q))


# CSV upload ------------------------------------------------------------------------------
ACTIONS = ("lift", "delete", "bump")


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int  # 1-based line number in the file (header = 1)
    message: str

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}" if self.row else self.message


@dataclass(frozen=True, slots=True)
class LiftReport:
    rows: int = 0
    lifted: int = 0
    deleted: int = 0
    bumped: int = 0
    problems: tuple[RowProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.problems:
            return f"{len(self.problems)} bad row(s); nothing changed"
        return (f"{self.rows} row(s): {self.lifted} penalty(ies) lifted, {self.deleted} failed integration(s) "
                f"deleted, {self.bumped} version date(s) bumped")


CSV_HELP = ("CSV with a header; column `sku` required (for orders: the N11 order number); optional `content_type` "
            "(product, productstock, productprice, order; empty = all product types, or the order when the value "
            "is a penalized order number) and `action` (lift = lift the penalty, delete = delete the failed "
            "integrations, bump = bump the version date to force an update; default lift; orders: lift = fetch "
            "again on the next Order Create, delete = forget the failure)")
ORDER = "order"


def lift_from_csv(db: Database, path: Path | str, *, default_action: str = "lift", now: datetime | None = None) -> LiftReport:
    """Apply a CSV upload (seed §8) atomically: any bad row → nothing changes, every bad row reported."""
    from .inputs import InputError, read_limited

    p = Path(path)
    try:
        raw = read_limited(p, door="penalty CSV")
    except InputError as exc:
        return LiftReport(problems=(RowProblem(0, exc.reason),))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return LiftReport(problems=(RowProblem(0, f"{p.name} is not UTF-8 text"),))
    return lift_from_text(db, text, default_action=default_action, now=now)


def lift_from_text(db: Database, text: str, *, default_action: str = "lift", now: datetime | None = None) -> LiftReport:
    from .flows.base import utcnow

    from .inputs import InputError

    now = now or utcnow()
    try:
        return _lift(db, text, default_action, now)
    except InputError as exc:  # the file cannot be read as a CSV within the input limits: nothing changes
        return LiftReport(problems=(RowProblem(exc.row or 0, exc.reason),))


def _lift(db: Database, text: str, default_action: str, now: datetime) -> LiftReport:
    from .inputs import csv_rows

    header, reader = csv_rows(text, ",", door="penalty CSV", source="")
    if header is None:
        return LiftReport(problems=(RowProblem(1, "the file is empty; " + CSV_HELP),))
    cols = [h.strip().lower() for h in header]
    if "sku" not in cols:
        return LiftReport(problems=(RowProblem(1, "no `sku` column; " + CSV_HELP),))
    i_sku = cols.index("sku")
    i_ct = cols.index("content_type") if "content_type" in cols else None
    i_act = cols.index("action") if "action" in cols else None
    wanted: list[tuple[int, str, str | None, str]] = []
    problems: list[RowProblem] = []
    for n, rec in reader:
        if not any(c.strip() for c in rec):
            continue
        sku = rec[i_sku].strip() if i_sku < len(rec) else ""
        ct = (rec[i_ct].strip() if i_ct is not None and i_ct < len(rec) else "") or None
        act = ((rec[i_act].strip().lower() if i_act is not None and i_act < len(rec) else "") or default_action)
        if not sku:
            problems.append(RowProblem(n, "sku is empty"))
            continue
        if ct is not None and ct not in CONTENT_TYPES + (ORDER,):
            problems.append(RowProblem(n, f"unknown content_type {ct!r} (use {', '.join(CONTENT_TYPES + (ORDER,))})"))
            continue
        if ct == ORDER and act == "bump":
            problems.append(RowProblem(n, "bump does not apply to orders (use lift or delete)"))
            continue
        if act not in ACTIONS:
            problems.append(RowProblem(n, f"unknown action {act!r} (use {', '.join(ACTIONS)})"))
            continue
        wanted.append((n, sku, ct, act))
    with db.session_factory.begin() as s:
        skus = {w[1] for w in wanted}
        ids: dict[str, int] = {}
        sku_list = list(skus)
        for start in range(0, len(sku_list), 500):
            for pid, sku in s.execute(select(Product.id, Product.sku).where(Product.sku.in_(sku_list[start:start + 500]))):
                ids[sku] = pid
        maybe_orders = [w[1] for w in wanted if w[2] == ORDER or (w[2] is None and w[1] not in ids)]
        order_keys: set[str] = set()
        for start in range(0, len(maybe_orders), 500):
            order_keys |= set(s.scalars(select(FailedIntegration.object_key).where(
                FailedIntegration.content_type == ORDER,
                FailedIntegration.object_key.in_(maybe_orders[start:start + 500]))))
        resolved: list[tuple[int, str, str | None, str]] = []
        for n, sku, ct, act in wanted:
            if ct == ORDER or (ct is None and sku not in ids and sku in order_keys):
                if sku not in order_keys:
                    problems.append(RowProblem(n, f"order {sku!r} has no failed integration"))
                elif act == "bump":
                    problems.append(RowProblem(n, "bump does not apply to orders (use lift or delete)"))
                resolved.append((n, sku, ORDER, act))
            elif sku not in ids:
                problems.append(RowProblem(n, f"unknown sku {sku!r} (not in the local catalog nor a penalized "
                                              "order number)"))
            else:
                resolved.append((n, sku, ct, act))
        wanted = resolved
        if problems:
            problems.sort(key=lambda p: p.row)
            s.rollback()
            return LiftReport(rows=len(wanted), problems=tuple(problems))
        lifted = deleted = bumped = 0
        forget: set[str] = set()
        for _n, sku, ct, act in wanted:
            if ct == ORDER:
                cond = and_(FailedIntegration.content_type == ORDER, FailedIntegration.object_key == sku)
                if act == "delete":
                    deleted += s.execute(delete(FailedIntegration).where(cond)).rowcount or 0
                    forget.add(sku)
                else:
                    lifted += s.execute(update(FailedIntegration).where(cond, FailedIntegration.is_active.is_(True))
                                        .values(is_active=False, updated_at=now)).rowcount or 0
                continue
            pid = ids[sku]
            cts = (ct,) if ct else CONTENT_TYPES
            cond = and_(FailedIntegration.object_id == pid, FailedIntegration.content_type.in_(cts))
            if act == "delete":
                deleted += s.execute(delete(FailedIntegration).where(cond)).rowcount or 0
                continue
            lifted += s.execute(update(FailedIntegration).where(cond, FailedIntegration.is_active.is_(True))
                                .values(is_active=False, updated_at=now)).rowcount or 0
            if act == "bump":
                bumped += _bump(s, pid, cts, now)
        if forget:  # deleted order failures are not fetched again
            from .orders.importer import PENDING_KEY
            from .storage.models import AppState

            row = s.get(AppState, PENDING_KEY)
            if row is not None and isinstance(row.value, dict):
                row.value = {k: v for k, v in row.value.items() if k not in forget}
        return LiftReport(rows=len(wanted), lifted=lifted, deleted=deleted, bumped=bumped)


def _bump(s: Session, pid: int, cts: Sequence[str], now: datetime) -> int:
    n = 0
    if "product" in cts:
        n += s.execute(update(Product).where(Product.id == pid)
                       .values(version_date=now, version=Product.version + 1)).rowcount or 0
    if "productprice" in cts:
        n += s.execute(update(Price).where(Price.product_id == pid)
                       .values(version_date=now, version=Price.version + 1)).rowcount or 0
    if "productstock" in cts:
        n += s.execute(update(Stock).where(Stock.product_id == pid)
                       .values(version_date=now, version=Stock.version + 1)).rowcount or 0
    return n


def load_penalties(db: Any, limit: int = 20_000) -> tuple[PenaltyRow, ...]:
    """The penalty box as the Penalty dialog lists it (the Qt-free job it runs)."""
    with db.session_factory() as s:
        return list_penalties(s, limit=limit)
