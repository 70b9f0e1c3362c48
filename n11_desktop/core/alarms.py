"""Alarms on flows (seed §7.3): create, set, view; fire once per episode and clear by themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from .storage.models import Alarm, AlarmEvent, FlowRun


@dataclass(frozen=True)
class AlarmKind:
    kind: str
    label: str
    params: tuple[tuple[str, str, int], ...]  # (name, label, default)
    uses_flow: bool
    describe: Callable[[dict[str, Any], str | None], str]


def _flow_label(flow: str | None) -> str:
    return flow or "any flow"


KINDS: dict[str, AlarmKind] = {
    k.kind: k
    for k in (
        AlarmKind("consecutive_failures", "Flow failed N times in a row", (("count", "Failures in a row", 3),), True,
                  lambda p, f: f"{_flow_label(f)} failed {p.get('count', 3)} times in a row"),
        AlarmKind("error_rate", "Error rate above X% over a window",
                  (("percent", "Error rate %", 50), ("window_min", "Window (minutes)", 60), ("min_runs", "At least runs", 3)),
                  True, lambda p, f: f"{_flow_label(f)} error rate ≥ {p.get('percent', 50)}% over {p.get('window_min', 60)} min"),
        AlarmKind("staleness", "No successful run for Y minutes", (("minutes", "Minutes", 30),), True,
                  lambda p, f: f"no successful {_flow_label(f)} run for {p.get('minutes', 30)} min"),
        AlarmKind("penalty_depth", "Penalty box above N", (("count", "Penalized records", 100),), False,
                  lambda p, f: f"penalty box above {p.get('count', 100)} records"),
        AlarmKind("queue_depth", "Send queue above N", (("count", "Waiting products", 1000),), False,
                  lambda p, f: f"more than {p.get('count', 1000)} products waiting to be sent"),
        AlarmKind("stock_difference", "Stock difference above N SKUs", (("count", "SKUs", 10),), False,
                  lambda p, f: f"more than {p.get('count', 10)} SKUs with a stock difference on N11"),
        AlarmKind("price_difference", "Price difference above N SKUs", (("count", "SKUs", 10),), False,
                  lambda p, f: f"more than {p.get('count', 10)} SKUs with a price difference on N11"),
        AlarmKind("cancellations_waiting", "Cancellations waiting for the ERP",
                  (("count", "Waiting cancellations", 0), ("hours", "Waiting longer than (hours)", 24)), False,
                  lambda p, f: f"more than {p.get('count', 0)} cancellation(s) waiting for the ERP longer than "
                               f"{p.get('hours', 24)} h"),
    )
}


class AlarmError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class AlarmRow:
    id: int
    name: str
    kind: str
    flow: str | None
    params: dict[str, Any]
    enabled: bool
    state: str
    condition: str
    last_fired: datetime | None


@dataclass(frozen=True, slots=True)
class AlarmEventRow:
    id: int
    alarm_id: int
    alarm_name: str
    fired_at: datetime
    cleared_at: datetime | None
    message: str


@dataclass(frozen=True, slots=True)
class Transition:
    alarm_id: int
    name: str
    fired: bool  # True = started firing; False = cleared
    message: str


def _validate(name: str, kind: str, flow: str | None, params: dict[str, Any]) -> dict[str, Any]:
    if not name or not name.strip():
        raise AlarmError("Name: give the alarm a name")
    spec = KINDS.get(kind)
    if spec is None:
        raise AlarmError(f"Kind: unknown alarm kind {kind!r}")
    if flow:
        from .flows.base import SPECS

        if flow not in SPECS:
            raise AlarmError(f"Flow: unknown flow {flow!r}")
    clean: dict[str, Any] = {}
    for pname, plabel, default in spec.params:
        value = params.get(pname, default)
        try:
            ivalue = int(value)
        except (TypeError, ValueError):
            raise AlarmError(f"{plabel}: {value!r} is not a whole number") from None
        if ivalue < (0 if pname in ("count",) else 1) or (pname == "percent" and ivalue > 100):
            raise AlarmError(f"{plabel}: {ivalue} is out of range")
        clean[pname] = ivalue
    return clean


def create_alarm(session: Session, *, name: str, kind: str, flow: str | None = None,
                 params: dict[str, Any] | None = None, enabled: bool = True) -> int:
    clean = _validate(name, kind, flow, params or {})
    alarm = Alarm(name=name.strip(), kind=kind, flow=flow or None, params=clean, enabled=enabled, state="ok")
    session.add(alarm)
    session.flush()
    return alarm.id


def update_alarm(session: Session, alarm_id: int, *, name: str, kind: str, flow: str | None,
                 params: dict[str, Any], enabled: bool) -> None:
    alarm = session.get(Alarm, alarm_id)
    if alarm is None:
        raise AlarmError(f"alarm {alarm_id} does not exist")
    clean = _validate(name, kind, flow, params)
    alarm.name, alarm.kind, alarm.flow, alarm.params, alarm.enabled = name.strip(), kind, flow or None, clean, enabled


def delete_alarm(session: Session, alarm_id: int) -> None:
    alarm = session.get(Alarm, alarm_id)
    if alarm is not None:
        session.delete(alarm)


def set_enabled(session: Session, alarm_id: int, enabled: bool, now: datetime) -> None:
    alarm = session.get(Alarm, alarm_id)
    if alarm is None:
        return
    alarm.enabled = enabled
    if not enabled and alarm.state == "firing":
        _clear(session, alarm, now)


def seed_default_alarms(session: Session) -> None:
    """Sensible alarms on a fresh profile (the operator can edit or disable them)."""
    if session.scalar(select(func.count()).select_from(Alarm)):
        return
    create_alarm(session, name="A flow keeps failing", kind="consecutive_failures", params={"count": 3})
    create_alarm(session, name="Stock not sent for 30 minutes", kind="staleness", flow="stock", params={"minutes": 30})
    create_alarm(session, name="Penalty box is filling up", kind="penalty_depth", params={"count": 100})
    create_alarm(session, name="N11 data is getting old", kind="staleness", flow="remote_sync",
                 params={"minutes": 30})  # two default N11 State Sync periods
    create_alarm(session, name="Cancellations wait for the ERP", kind="cancellations_waiting",
                 params={"count": 0, "hours": 24})


def list_alarms(session: Session) -> tuple[AlarmRow, ...]:
    last = dict(session.execute(select(AlarmEvent.alarm_id, func.max(AlarmEvent.fired_at)).group_by(AlarmEvent.alarm_id)).all())
    rows = []
    for a in session.scalars(select(Alarm).order_by(Alarm.id)):
        rows.append(AlarmRow(a.id, a.name, a.kind, a.flow, dict(a.params or {}), bool(a.enabled), a.state,
                             KINDS[a.kind].describe(a.params or {}, a.flow) if a.kind in KINDS else a.kind,
                             last.get(a.id)))
    return tuple(rows)


def alarm_history(session: Session, limit: int = 500) -> tuple[AlarmEventRow, ...]:
    q = (select(AlarmEvent, Alarm.name).join(Alarm, Alarm.id == AlarmEvent.alarm_id)
         .order_by(AlarmEvent.fired_at.desc(), AlarmEvent.id.desc()).limit(limit))
    return tuple(AlarmEventRow(e.id, e.alarm_id, name, e.fired_at, e.cleared_at, e.message)
                 for e, name in session.execute(q).all())


# ---------------------------------------------------------------------------- evaluation
def _finished_runs(session: Session, flow: str | None, limit: int | None = None, since: datetime | None = None):
    q = select(FlowRun.flow, FlowRun.state, FlowRun.started_at).where(FlowRun.state.in_(("done", "failed")))
    if flow:
        q = q.where(FlowRun.flow == flow)
    if since is not None:
        q = q.where(FlowRun.started_at >= since)
    q = q.order_by(FlowRun.started_at.desc(), FlowRun.id.desc())
    if limit:
        q = q.limit(limit)
    return session.execute(q).all()


def _condition(session: Session, alarm: Alarm, now: datetime, ctx: dict[str, Any]) -> str | None:
    """The firing message, or None when the condition does not hold."""
    p = alarm.params or {}
    kind = alarm.kind
    if kind == "consecutive_failures":
        n = int(p.get("count", 3))
        flows = [alarm.flow] if alarm.flow else [r[0] for r in session.execute(select(FlowRun.flow).distinct()).all()]
        bad = []
        for f in flows:
            runs = _finished_runs(session, f, limit=n)
            if len(runs) >= n and all(r.state == "failed" for r in runs):
                bad.append(f)
        return f"{', '.join(sorted(bad))} failed {n} times in a row" if bad else None
    if kind == "error_rate":
        since = now - timedelta(minutes=int(p.get("window_min", 60)))
        runs = _finished_runs(session, alarm.flow, since=since)
        if len(runs) < int(p.get("min_runs", 3)):
            return None
        failed = sum(1 for r in runs if r.state == "failed")
        rate = 100.0 * failed / len(runs)
        if rate >= float(p.get("percent", 50)):
            return f"{_flow_label(alarm.flow)}: {failed} of {len(runs)} runs failed ({rate:.0f}%) in the last {p.get('window_min', 60)} min"
        return None
    if kind == "staleness":
        enabled = ctx.get("flow_enabled")
        if alarm.flow and enabled is not None and not enabled(alarm.flow):
            return None  # a flow that is not supposed to run cannot be stale
        minutes = int(p.get("minutes", 30))
        q = select(func.max(FlowRun.started_at)).where(FlowRun.state == "done")
        if alarm.flow:
            q = q.where(FlowRun.flow == alarm.flow)
        last_ok = session.scalar(q)
        reference = last_ok or alarm.created_at
        if reference is not None and now - reference > timedelta(minutes=minutes):
            when = f"since {last_ok:%d/%m/%Y %H:%M}" if last_ok else "ever"
            return f"no successful {_flow_label(alarm.flow)} run {when} (limit {minutes} min)"
        return None
    if kind == "penalty_depth":
        n = session.scalar(text("SELECT COUNT(*) FROM failed_integration WHERE is_active = TRUE")) or 0
        return f"{n} records in the penalty box (limit {p.get('count', 100)})" if n > int(p.get("count", 100)) else None
    if kind == "cancellations_waiting":
        from .orders.cancellations import WAITING_ERP
        from .storage.models import Cancellation

        hours, limit = int(p.get("hours", 24)), int(p.get("count", 0))
        n = session.scalar(select(func.count()).select_from(Cancellation).where(
            Cancellation.state == WAITING_ERP, Cancellation.created_at <= now - timedelta(hours=hours))) or 0
        return (f"{n} cancellation(s) have waited more than {hours} h for their order to be marked ERP-reported "
                f"(limit {limit}; Orders tab → Cancellation waiting for ERP)") if n > limit else None
    if kind in ("queue_depth", "stock_difference", "price_difference"):
        if "kpis" not in ctx:
            from .metrics import compute_kpis, queue_depth

            ctx["kpis"] = compute_kpis(session, buffer_stock=ctx.get("buffer_stock", 0))
            ctx["queue"] = queue_depth(session)
        limit = int(p.get("count", 10))
        if kind == "queue_depth":
            n = ctx["queue"]
            return f"{n} products waiting to be sent (limit {limit})" if n > limit else None
        if "snapshot" not in ctx:
            from .remote_sync import format_age, snapshot_age

            age = snapshot_age(session, now)
            ctx["snapshot"] = ("N11 data never synced" if age.as_of is None else
                               f"N11 data {format_age(age.age_s or 0)} old"
                               + (", older than two sync periods" if age.stale else ""))
        if kind == "stock_difference":
            n = ctx["kpis"].skus_with_stock_difference
            return (f"{n} SKUs with a stock difference on N11 (limit {limit}; {ctx['snapshot']})"
                    if n > limit else None)
        n = ctx["kpis"].skus_with_price_difference
        return f"{n} SKUs with a price difference on N11 (limit {limit}; {ctx['snapshot']})" if n > limit else None
    return None


def _clear(session: Session, alarm: Alarm, now: datetime) -> None:
    alarm.state = "ok"
    open_event = session.scalars(select(AlarmEvent).where(AlarmEvent.alarm_id == alarm.id,
                                                          AlarmEvent.cleared_at.is_(None))).all()
    for e in open_event:
        e.cleared_at = now


def evaluate_alarms(session: Session, now: datetime, *, buffer_stock: int = 0,
                    flow_enabled: Callable[[str], bool] | None = None) -> tuple[Transition, ...]:
    """Check every enabled alarm; fire once per episode, clear when the condition clears.

    ``flow_enabled(slug)`` tells whether a flow is supposed to run (channel active, flag on);
    staleness alarms on a flow that is switched off stay quiet.
    """
    out: list[Transition] = []
    ctx: dict[str, Any] = {"buffer_stock": buffer_stock, "flow_enabled": flow_enabled}
    for alarm in session.scalars(select(Alarm).where(Alarm.enabled.is_(True)).order_by(Alarm.id)).all():
        message = _condition(session, alarm, now, ctx)
        if message and alarm.state != "firing":
            alarm.state = "firing"
            session.add(AlarmEvent(alarm_id=alarm.id, fired_at=now, message=message))
            out.append(Transition(alarm.id, alarm.name, True, message))
        elif not message and alarm.state == "firing":
            _clear(session, alarm, now)
            out.append(Transition(alarm.id, alarm.name, False, f"{alarm.name}: cleared"))
    return tuple(out)


def firing_count(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Alarm).where(Alarm.state == "firing",
                                                                            Alarm.enabled.is_(True))) or 0)


def flow_enabled_for(config: Any) -> Callable[[str], bool]:
    """``flow_enabled`` from a ChannelConfig: the channel is active and the flow's flag (if any) is on."""
    from .flows.base import SPECS

    def enabled(slug: str) -> bool:
        spec = SPECS.get(slug)
        if spec is None or not config.is_active:
            return False
        return spec.flag is None or config.flag(spec.flag)

    return enabled


# ---------------------------------------------------------------------------- operations (the Alarms tab's jobs)
def evaluate_now(db) -> tuple[tuple, int]:
    """Evaluate every alarm now: (the transitions, how many alarms fire)."""
    from .clock import utcnow
    from .settings import load_config

    with db.session_factory.begin() as s:
        cfg = load_config(s)
        t = evaluate_alarms(s, utcnow(), buffer_stock=cfg.buffer_stock, flow_enabled=flow_enabled_for(cfg))
        return tuple(t), firing_count(s)


def seed_defaults(db) -> None:
    with db.session_factory.begin() as s:
        seed_default_alarms(s)


def load_alarms(db) -> tuple[tuple[AlarmRow, ...], tuple[AlarmEventRow, ...]]:
    """(every alarm, the recent history)."""
    with db.session_factory() as s:
        return list_alarms(s), alarm_history(s)


def save_alarm(db, alarm_id: int | None, values: dict[str, Any]) -> int:
    """Create an alarm (``alarm_id`` None) or change one; returns its id."""
    with db.session_factory.begin() as s:
        if alarm_id is None:
            return create_alarm(s, **values)
        update_alarm(s, alarm_id, **values)
        return alarm_id


def switch_alarm(db, alarm_id: int, enabled: bool) -> None:
    from .clock import utcnow

    with db.session_factory.begin() as s:
        set_enabled(s, alarm_id, enabled, utcnow())


def remove_alarm(db, alarm_id: int) -> None:
    with db.session_factory.begin() as s:
        delete_alarm(s, alarm_id)
