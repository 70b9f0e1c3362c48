"""What the schedule needs from the database (worker thread / headless loop only; :mod:`.schedule`
itself is pure): the facts a :class:`~.schedule.Planner` is fed (:func:`read_inputs`), a run's
options as the flow reads them (:func:`resolve_options`), and the recovery after a crash
(:func:`recover_on_start`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

from .flows.base import all_specs, utcnow
from .schedule import (EXTRA_STATE_KEYS, EXTRA_TRIGGER, PARTIAL_TRIGGERS, FlowHistory, RunRequest, ScheduleInputs,
                       _latest)

ACTIVATION_KEY = "scheduler.activation"
INTERRUPTED_MESSAGE = "interrupted: the app stopped while this run was going; batches in flight are polled again"


def read_inputs(db, now: datetime | None = None) -> ScheduleInputs:
    """Read the schedule's facts from the database (worker thread / headless loop only).

    Also notices an activation or a Category Ids change (stored in ``app_state``) so that
    ``on_activation`` flows run once after it.
    """
    from sqlalchemy import case, func, select

    from .flows.base import implementation
    from .settings import load_config
    from .storage.models import AppState, FlowRun

    now = now or utcnow()
    with db.session_factory.begin() as s:
        cfg = load_config(s)
        fingerprint = [bool(cfg.is_active), sorted(cfg.category_ids)]
        st = s.get(AppState, ACTIVATION_KEY)
        activated_at = None
        if st is None or not isinstance(st.value, dict) or st.value.get("fingerprint") != fingerprint:
            prev = st.value.get("fingerprint") if st is not None and isinstance(st.value, dict) else None
            # became active or Category Ids changed (the very first look is not a change:
            # flows that never ran are due anyway)
            at = now.isoformat() if cfg.is_active and prev is not None else None
            value = {"fingerprint": fingerprint, "at": at}
            if st is None:
                s.add(AppState(key=ACTIVATION_KEY, value=value))
            else:
                st.value = value
            if at is not None:
                activated_at = now
        elif st.value.get("at"):
            try:
                activated_at = datetime.fromisoformat(st.value["at"])
            except (TypeError, ValueError):
                activated_at = None

        partial = FlowRun.trigger.in_(tuple(PARTIAL_TRIGGERS))
        rows = s.execute(
            select(
                FlowRun.flow,
                func.max(case((~partial, FlowRun.started_at))),
                func.max(case((FlowRun.trigger == EXTRA_TRIGGER, FlowRun.started_at))),
                func.max(case((FlowRun.state == "done", FlowRun.ended_at))),
                func.max(FlowRun.id),
            ).group_by(FlowRun.flow)
        ).all()
        last_ids = [r[4] for r in rows]
        latest = {r.id: r for r in s.scalars(select(FlowRun).where(FlowRun.id.in_(last_ids)))} if last_ids else {}
        history = {}
        for flow, last_start, last_extra, last_ok, last_id in rows:
            r = latest.get(last_id)
            history[flow] = FlowHistory(
                last_start=last_start, last_extra_start=last_extra, last_ok_end=last_ok,
                last_end=r.ended_at if r else None, last_state=r.state if r else None,
                last_trigger=r.trigger if r else None, last_total=r.total if r else 0,
                last_succeeded=r.succeeded if r else 0, last_failed=r.failed if r else 0,
                last_penalized=r.penalized if r else 0, last_message=(r.message or "") if r else "")
        for slug, key in EXTRA_STATE_KEYS.items():
            row = s.get(AppState, key)
            at = _parse_dt(row.value) if row is not None else None
            if at is not None:
                h = history.get(slug) or FlowHistory()
                history[slug] = replace(h, last_extra_start=_latest(h.last_extra_start, at))
        events: dict[str, datetime] = {}
        for key in {sp.schedule.after_event for sp in all_specs() if sp.schedule.after_event}:
            row = s.get(AppState, key)
            value = row.value.get("at") if row is not None and isinstance(row.value, dict) else None
            at = _parse_dt(value)
            if at is not None:
                events[key] = at
        from .schedules import read_overrides

        overrides = read_overrides(s)
        flags = dict(cfg.flags)
        active = bool(cfg.is_active)
    available = frozenset(spec.slug for spec in all_specs() if implementation(spec.slug) is not None)
    return ScheduleInputs(is_active=active, flags=MappingProxyType(flags), history=MappingProxyType(history),
                          activated_at=activated_at, available=available, events=MappingProxyType(events),
                          overrides=MappingProxyType(overrides))


def _parse_dt(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        return None
    if dt.tzinfo is not None:
        dt = dt.astimezone(timezone.utc).replace(tzinfo=None)
    return dt


def resolve_options(db, req: RunRequest) -> dict[str, Any]:
    """Options as the flow reads them: a push's ``product_ids`` also become ``skus`` (worker thread)."""
    options = dict(req.options)
    ids = options.get("product_ids")
    if ids and not options.get("skus"):
        from sqlalchemy import select

        from .storage.models import Product

        skus: list[str] = []
        id_list = list(ids)
        with db.session_factory() as s:
            for i in range(0, len(id_list), 500):
                skus.extend(s.scalars(select(Product.sku).where(Product.id.in_(id_list[i:i + 500]))))
        options["skus"] = tuple(sorted(skus))
    return options


def recover_on_start(db, now: datetime | None = None) -> int:
    """After a crash or a forced kill: close runs left "running" (state failed, "interrupted")
    and take over the batches left in flight (``core.batch_recovery.take_over_abandoned``).

    Only the instance-lease holder calls this, right after taking the lease and before it starts
    any flow (``core.runner``, ``workers.scheduler``): no sender of this process runs yet, so every
    batch in flight belongs to a previous process and is released at once instead of after
    ``batch_recovery.STALE_AFTER_S``. Returns the number of runs closed. The released batches are
    resolved by polling: the caller queues ``task_results`` (trigger "start"), whose run calls
    ``core.batch_recovery.recover_in_flight`` with its N11 client (it needs HTTP, so it never runs here);
    a send of the content type does the same in its settle step.
    """
    from sqlalchemy import update

    from .batch_recovery import take_over_abandoned
    from .storage.models import FlowRun

    now = now or utcnow()
    with db.session_factory.begin() as s:
        n = s.execute(update(FlowRun).where(FlowRun.state == "running")
                      .values(state="failed", ended_at=now, message=INTERRUPTED_MESSAGE)).rowcount or 0
    take_over_abandoned(db, now)
    return int(n)
