"""N11 state flows: ``remote_sync`` (the product-query snapshot) and ``fix_differences``
(the seed §7.1 "(FIXED)" KPIs: a separate task that fixes price/stock differences).

``remote_sync`` pages N11's product-query into ``remote_product`` (``core.remote_sync``): its own
content type (``remote``), so sends never wait for it; interrupted, it resumes.

``fix_differences`` runs after each complete sync. For every SKU on sale whose N11 price or
quantity differs from what we would send now, it either queues a resend through the normal
``price`` / ``stock`` flows (the ledger forgets the version N11 accepted, so the next run of
that flow sends the SKU again; penalty box and in-flight rules apply there as for any send), or
records why not (flag off, penalized, being sent, a local change waiting for its flow, N11
accepted a value after the snapshot was read, a price guardrail, resent too often). The next run
counts what the previous runs resent as *fixed* (N11 now agrees) or *still different*. Each
run's figures are kept in ``app_state['fix_differences.runs']`` (the Dashboard shows them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select, text, update

from .. import batches, penalty
from ..remote_sync import snapshot_age, sync_snapshot
from ..storage.app_state import read_state, write_state
from ..storage.models import IntegrationAction
from .base import FlowContext, FlowOutcome, register

RUNS_KEY = "fix_differences.runs"
PENDING_KEY = "fix_differences.pending"
KEEP_RUNS = 100
MAX_ATTEMPTS = 3
LOGGED_SKUS = 500
CONTENT_TYPES = {"price": "productprice", "stock": "productstock"}
FLAGS = {"price": "send_updated_product_price", "stock": "send_updated_product_stock"}


# ----------------------------------------------------------------------------- remote_sync
@register("remote_sync")
def remote_sync(ctx: FlowContext) -> FlowOutcome:
    out = FlowOutcome()
    client = ctx.client()
    state: dict[str, Any] = {"page": None}

    def on_page(done: int, total: int | None) -> None:
        state["page"] = done
        ctx.progress(done, total or 0, "pages of N11's product list")

    try:
        res = sync_snapshot(ctx.db, client, clock=ctx.clock, should_stop=ctx.should_stop, on_page=on_page,
                            fresh=bool(ctx.options.get("fresh")))
    except Exception as exc:  # noqa: BLE001 - the previous snapshot stays; the next run resumes
        from .base import _error_line

        page = state["page"]
        at = "the first page read" if page is None else f"page {page + 1}"
        out.failed_as_whole = True
        out.message = (f"stopped at {at}: {_error_line(exc)}; the previous snapshot stays in use and the "
                       "next run resumes there")
        ctx.log(out.message, level="ERROR")
        return out
    out.total = out.succeeded = res.products
    resumed = f" (resumed at page {res.resumed_at_page + 1})" if res.resumed_at_page else ""
    if not res.complete:
        out.message = f"{res.pages} page(s), {res.products} product(s) read{resumed}; stopped, the next run resumes"
        ctx.check_stop()
        return out
    out.message = (f"{res.pages} page(s), {res.products} product(s) read{resumed}; "
                   f"{res.removed} no longer on N11 removed")
    try:  # the KPIs of this snapshot, for the Dashboard's history
        from ..metrics import take_snapshot

        with ctx.session_factory.begin() as s:
            take_snapshot(s, ctx.clock(), buffer_stock=ctx.config.buffer_stock)
    except Exception as exc:  # noqa: BLE001 - monitoring never fails the sync
        ctx.log(f"KPI snapshot failed: {exc}", level="WARNING")
    return out


# ----------------------------------------------------------------------------- fix_differences
@dataclass
class FixRecord:
    run_id: int
    at: str
    snapshot_as_of: str | None
    found: int = 0
    resent: int = 0
    fixed: int = 0
    still_different: int = 0
    explained: int = 0
    by_kind: dict[str, dict[str, int]] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": self.run_id, "at": self.at, "snapshot_as_of": self.snapshot_as_of, "found": self.found,
                "resent": self.resent, "fixed": self.fixed, "still_different": self.still_different,
                "explained": self.explained, "by_kind": self.by_kind, "reasons": self.reasons}


_DIFF_SQL = """
SELECT p.id, p.sku, pr.price, pr.list_price, st.quantity, rp.sale_price, rp.list_price, rp.quantity, rp.fetched_at
FROM product p
JOIN remote_product rp ON rp.stock_code = p.sku
JOIN catalog_item ci ON ci.product_id = p.id AND ci.removed_at IS NULL
LEFT JOIN price pr ON pr.product_id = p.id
LEFT JOIN stock st ON st.product_id = p.id
WHERE rp.status = 'Active' AND rp.sale_status IN ('On_Sale', 'Out_Of_Stock')
"""


def _money(v: Any) -> Decimal | None:
    from ..storage.models import Money

    return Money().process_result_value(v, None)


def find_differences(session, buffer_stock: int) -> dict[str, dict[str, tuple[int, Any, Any, datetime]]]:
    """{"price": {sku: (product id, ours, N11's, fetched_at)}, "stock": {...}}: the KPIs' rule
    (``core.metrics`` PRICE_DIFF / STOCK_DIFF) over SKUs active on N11 — on sale, or out of stock
    there while we would send a quantity (N11 shows 0, ours is 7: a stock difference to fix too)."""
    out: dict[str, dict[str, tuple[int, Any, Any, datetime]]] = {"price": {}, "stock": {}}
    buf = max(0, int(buffer_stock or 0))
    for pid, sku, price, lp, qty, n_price, n_lp, n_qty, fetched in session.execute(text(_DIFF_SQL)):
        if isinstance(fetched, str):
            fetched = datetime.fromisoformat(fetched)
        if price != n_price or lp != n_lp:
            out["price"][sku] = (pid, (_money(price), _money(lp)), (_money(n_price), _money(n_lp)), fetched)
        ours = max(int(qty or 0) - buf, 0)
        if n_qty != ours:
            out["stock"][sku] = (pid, ours, n_qty, fetched)
    return out


def _fmt(kind: str, v: Any) -> str:
    if kind == "price":
        sale, lst = v
        return f"{sale} / list {lst}"
    return str(v)


@register("fix_differences")
def fix_differences(ctx: FlowContext) -> FlowOutcome:
    out = FlowOutcome()
    now = ctx.clock()
    flags = ctx.config.flags
    with ctx.session_factory() as s:
        age = snapshot_age(s, now)
        if age.as_of is None:
            out.message = "no N11 snapshot yet: N11 State Sync has not completed a pass"
            return out
        diffs = find_differences(s, ctx.config.buffer_stock)
        pending: dict[str, dict[str, int]] = read_state(s, PENDING_KEY, {"price": {}, "stock": {}})
        ids = sorted({v[0] for d in diffs.values() for v in d.values()})
        ledger_rows: dict[tuple[str, int], IntegrationAction] = {}
        for start in range(0, len(ids), 900):
            for row in s.scalars(select(IntegrationAction).where(
                    IntegrationAction.content_type.in_(tuple(CONTENT_TYPES.values())),
                    IntegrationAction.object_id.in_(ids[start:start + 900]))):
                ledger_rows[(row.content_type, row.object_id)] = row
        blocked: dict[str, set[int]] = {}
        in_flight: dict[str, set[int]] = {}
        waiting: dict[str, set[int]] = {}
        for kind, ct in CONTENT_TYPES.items():
            blocked[kind] = _ids_where(s, ids, penalty.blocked_clause, ct, now)
            in_flight[kind] = _ids_where(s, ids, lambda ct_, col, _now: batches.in_flight_clause(ct_, col), ct, now)
            waiting[kind] = _changed_since_sent(s, ids, kind)
        ledger_info = {k: (r.updated_at, r.last_error) for k, r in ledger_rows.items()}
        penalty_msgs = _penalty_messages(s, ids)
    rec = FixRecord(run_id=ctx.run_id, at=now.isoformat(), snapshot_as_of=age.as_of.isoformat())
    resend: dict[str, list[int]] = {"price": [], "stock": []}
    new_pending: dict[str, dict[str, int]] = {"price": {}, "stock": {}}
    logged = 0
    for kind in ("price", "stock"):
        ct = CONTENT_TYPES[kind]
        k = {"found": len(diffs[kind]), "resent": 0, "fixed": 0, "still_different": 0, "explained": 0}
        before = pending.get(kind) or {}
        for sku in before:
            if sku in diffs[kind]:
                k["still_different"] += 1
            else:
                k["fixed"] += 1
        for sku, (pid, ours, theirs, fetched) in sorted(diffs[kind].items()):
            why = None
            attempts = int(before.get(sku, 0))
            upd = ledger_info.get((ct, pid), (None, None))[0]
            if not flags.get(FLAGS[kind], False):
                why = f"flag {FLAGS[kind]} is off"
            elif pid in blocked[kind]:
                why = f"penalized: {penalty_msgs.get((ct, pid)) or 'in the penalty box'}"
            elif pid in in_flight[kind]:
                why = "being sent to N11 right now"
            elif pid in waiting[kind]:
                why = f"a local change waits for the {kind} flow"
            elif upd is not None and fetched is not None and upd >= fetched:
                why = "N11 accepted a value after the snapshot was read; the next sync shows it"
            elif kind == "price" and _guard(ours, theirs, ctx.config):
                why = _guard(ours, theirs, ctx.config)
            elif attempts >= MAX_ATTEMPTS:
                why = f"resent {attempts} times, N11 still shows {_fmt(kind, theirs)}; check the product on N11"
            if why is None:
                resend[kind].append(pid)
                new_pending[kind][sku] = attempts + 1
                k["resent"] += 1
                msg = f"{kind} differs (ours {_fmt(kind, ours)}, N11 {_fmt(kind, theirs)}): resent by the {kind} flow"
                level = "INFO"
            else:
                k["explained"] += 1
                if attempts:
                    new_pending[kind][sku] = attempts
                reason = _reason_key(why)
                rec.reasons[reason] = rec.reasons.get(reason, 0) + 1
                msg = f"{kind} differs (ours {_fmt(kind, ours)}, N11 {_fmt(kind, theirs)}), not resent: {why}"
                level = "WARNING"
            if logged < LOGGED_SKUS:
                ctx.log(msg, level=level, object_type="product", object_key=sku)
                logged += 1
        rec.by_kind[kind] = k
        for name in ("found", "resent", "fixed", "still_different", "explained"):
            setattr(rec, name, getattr(rec, name) + k[name])
    with ctx.session_factory.begin() as s:
        for kind, pids in resend.items():
            ct = CONTENT_TYPES[kind]
            for start in range(0, len(pids), 900):
                # the ledger forgets which version N11 accepted: the next price/stock run sends it
                s.execute(update(IntegrationAction).where(IntegrationAction.content_type == ct,
                                                          IntegrationAction.object_id.in_(pids[start:start + 900]))
                          .values(version_date=None))
        write_state(s, PENDING_KEY, new_pending)
        runs = list(read_state(s, RUNS_KEY, []))[-(KEEP_RUNS - 1):]
        runs.append(rec.as_dict())
        write_state(s, RUNS_KEY, runs)
    out.total = rec.found
    out.succeeded = rec.resent
    out.skipped = rec.explained
    out.message = (f"found {rec.found} (price {rec.by_kind['price']['found']}, stock {rec.by_kind['stock']['found']}), "
                   f"resent {rec.resent}, fixed since the last run {rec.fixed}, still different {rec.still_different}, "
                   f"explained {rec.explained}")
    return out


def _reason_key(why: str) -> str:
    """The reason without the SKU's own figures (the run record counts SKUs per reason)."""
    if why.startswith(("penalized", "guardrail")):
        return why.split(":")[0]
    if why.startswith("resent "):
        return f"resent {MAX_ATTEMPTS} times, N11 keeps another value"
    return why.split(";")[0]


def _ids_where(s, ids: list[int], clause_fn, ct: str, now: datetime) -> set[int]:
    from ..storage.models import Product

    out: set[int] = set()
    for start in range(0, len(ids), 900):
        part = ids[start:start + 900]
        out.update(s.scalars(select(Product.id).where(Product.id.in_(part), clause_fn(ct, Product.id, now))))
    return out


def _changed_since_sent(s, ids: list[int], kind: str) -> set[int]:
    """Products whose local price/stock changed after N11 last accepted it (the normal flow sends them)."""
    from sqlalchemy import and_, or_
    from sqlalchemy.orm import aliased

    from ..storage.models import Price, Stock

    model = Price if kind == "price" else Stock
    ia = aliased(IntegrationAction)
    out: set[int] = set()
    for start in range(0, len(ids), 900):
        part = ids[start:start + 900]
        q = (select(model.product_id).outerjoin(ia, and_(ia.object_id == model.product_id,
                                                         ia.content_type == CONTENT_TYPES[kind]))
             .where(model.product_id.in_(part),
                    or_(ia.id.is_(None), ia.version_date.is_(None), model.version_date > ia.version_date)))
        out.update(s.scalars(q))
    return out


def _penalty_messages(s, ids: list[int]) -> dict[tuple[str, int], str]:
    from ..storage.models import FailedIntegration

    out: dict[tuple[str, int], str] = {}
    for start in range(0, len(ids), 900):
        for ct, oid, msg in s.execute(select(FailedIntegration.content_type, FailedIntegration.object_id,
                                             FailedIntegration.message).where(
                FailedIntegration.is_active.is_(True), FailedIntegration.object_id.in_(ids[start:start + 900]))):
            out[(ct, oid)] = msg
    return out


def _guard(ours: Any, theirs: Any, config: Any) -> str | None:
    """The send preview's price guardrail: never push a price of 0 or a large drop unattended."""
    sale, _lst = ours
    if sale is None or sale <= 0:
        return f"guardrail: our price is {sale}"
    n_sale = theirs[0]
    from ..products_send import DEFAULT_PRICE_DROP_PCT

    try:
        drop_pct = float(config.get("guard_price_drop_pct", DEFAULT_PRICE_DROP_PCT))
    except (TypeError, ValueError):
        drop_pct = float(DEFAULT_PRICE_DROP_PCT)
    if n_sale is not None and n_sale > 0:
        drop = (n_sale - sale) / n_sale * 100
        if drop > Decimal(str(drop_pct)):
            return (f"guardrail: our price {sale} is {drop:.0f}% below N11's {n_sale} (threshold {drop_pct:g}%); "
                    "send it from Monitoring → Reports after checking")
    return None


def fix_runs(session, limit: int = 20) -> list[dict[str, Any]]:
    """The last fix_differences runs, newest first (Dashboard, ``kpis``)."""
    return list(reversed(list(read_state(session, RUNS_KEY, []))[-limit:]))
