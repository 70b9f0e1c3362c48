"""When each flow is due (DESIGN §6): pure functions of settings, last runs and *now*.

No Qt, no threads, no real time: every function takes ``now`` (naive UTC, like the
``flow_run`` columns) and, for daily schedules, the local time zone. The GUI scheduler
(``workers/scheduler.py``) and the headless runner (``core/runner.py``) both drive a
:class:`Planner`, so they make the same decisions:

* on start every due flow runs at once (a flow that never ran is due);
* missed runs coalesce: after a sleep or a long pause a flow runs once, not once per tick;
* a flow never overlaps itself, flows of one content type never run at once, and at most
  ``capacity`` flows run together;
* "after X" flows run when X succeeded after their own last start;
* order_create's second cadence (8-hourly LATE_SHIPMENT pass) is a run with
  ``options={"late_shipment": True}`` and trigger ``late_shipment``;
* stock/price changes made in the app are debounced into one ``push`` run with
  ``options={"product_ids": (...)}``; a full run of the same flow absorbs pending pushes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, time as dtime, timedelta, timezone, tzinfo
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Sequence

from .flows.base import FlowSpec, all_specs

log = logging.getLogger(__name__)

#: Triggers of runs that do not count as a full run of the main cadence.
PUSH_TRIGGER = "push"
EXTRA_TRIGGER = "late_shipment"
PARTIAL_TRIGGERS = frozenset({PUSH_TRIGGER, EXTRA_TRIGGER})

#: Flows whose flags enable ``task_results`` (it polls the tasks they send).
PRODUCT_FLAGS = ("send_products_inserted", "send_delete_products", "send_delete_product_seller_code",
                 "send_updated_product_stock", "send_updated_product_price")

#: Flows whose flags enable ``fix_differences`` (it resends through them).
FIX_FLAGS = ("send_updated_product_stock", "send_updated_product_price")

#: An event-driven run (``Schedule.after_event``) waits at least this long after the flow's last start.
EVENT_MIN_GAP = timedelta(minutes=1)

#: Flows fed by debounced in-app edits (event name → slug).
PUSH_FLOWS = {"stock_changed": "stock", "price_changed": "price"}

#: Among flows due at the same moment, these go first (stale stock is what merchants fear most).
PRIORITY = ("task_results", "stock", "price", "order_create", "order_update")

DUE_ALWAYS = datetime(1970, 1, 1)  # "due since forever": a flow that never ran


# --------------------------------------------------------------------------- inputs
@dataclass(frozen=True, slots=True)
class FlowHistory:
    """What the database says about past runs of one flow."""

    last_start: datetime | None = None  # last full run (any trigger except push/late_shipment)
    last_extra_start: datetime | None = None  # last late_shipment run
    last_ok_end: datetime | None = None  # end of the last successful run (for "after" chains)
    last_end: datetime | None = None  # the latest run of any trigger, for display
    last_state: str | None = None
    last_trigger: str | None = None
    last_total: int = 0
    last_succeeded: int = 0
    last_failed: int = 0
    last_penalized: int = 0
    last_message: str = ""


@dataclass(frozen=True, slots=True)
class ScheduleInputs:
    is_active: bool
    flags: Mapping[str, bool] = field(default_factory=dict)
    history: Mapping[str, FlowHistory] = field(default_factory=dict)
    activated_at: datetime | None = None  # channel activated / Category Ids changed
    available: frozenset[str] | None = None  # implemented flows; None = all
    events: Mapping[str, datetime] = field(default_factory=dict)  # app_state events (Schedule.after_event)
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # operator's timers (core.schedules)

    def schedule_of(self, spec: FlowSpec):
        """The flow's schedule with the operator's change applied (``core.schedules``)."""
        ov = self.overrides.get(spec.slug)
        if not ov:
            return spec.schedule
        from .schedules import apply_override

        return apply_override(spec.schedule, ov)

    def hist(self, slug: str) -> FlowHistory:
        return self.history.get(slug) or FlowHistory()


@dataclass(frozen=True, slots=True)
class RunRequest:
    """One run to start. ``options`` is read-only; sequences in it are tuples."""

    slug: str
    trigger: str
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def kind(self) -> str:
        if self.trigger == PUSH_TRIGGER:
            return "push"
        if self.trigger == EXTRA_TRIGGER:
            return "extra"
        return "main"


def make_request(slug: str, trigger: str, options: Mapping[str, Any] | None = None) -> RunRequest:
    opts = {k: (tuple(v) if isinstance(v, (list, set, frozenset)) else v) for k, v in dict(options or {}).items()}
    return RunRequest(slug, trigger, MappingProxyType(opts))


# --------------------------------------------------------------------------- time helpers
def default_tz() -> tzinfo:
    """Daily times are N11's: Europe/Istanbul, whatever the PC's zone (DESIGN §6)."""
    from .schedules import n11_tz

    return n11_tz()


def _to_local(utc_naive: datetime, tz: tzinfo | None) -> datetime:
    aware = utc_naive.replace(tzinfo=timezone.utc)
    return aware.astimezone(tz if tz is not None else default_tz())


def _from_local(local_naive: datetime, tz: tzinfo | None) -> datetime:
    aware = local_naive.replace(tzinfo=tz if tz is not None else default_tz())
    return aware.astimezone(timezone.utc).replace(tzinfo=None)


def parse_hhmm(text: str) -> dtime:
    hh, _, mm = text.partition(":")
    return dtime(int(hh), int(mm or 0))


def next_daily(after: datetime, hhmm: str, tz: tzinfo | None) -> datetime:
    """First HH:MM local time strictly after ``after`` (naive UTC in, naive UTC out)."""
    at = parse_hhmm(hhmm)
    local = _to_local(after, tz).replace(tzinfo=None)
    candidate = datetime.combine(local.date(), at)
    if candidate <= local:
        candidate += timedelta(days=1)
    result = _from_local(candidate, tz)
    if result <= after:  # DST edge: the wall-clock time maps before ``after``
        result = _from_local(candidate + timedelta(days=1), tz)
    return result


# --------------------------------------------------------------------------- pure rules
def is_enabled(spec: FlowSpec, inputs: ScheduleInputs) -> bool:
    """A flow runs on its schedule only while the channel is active and its flag is on."""
    if not inputs.is_active:
        return False
    if inputs.available is not None and spec.slug not in inputs.available:
        return False
    if spec.slug == "task_results":
        return any(inputs.flags.get(f, False) for f in PRODUCT_FLAGS)
    if spec.slug == "fix_differences":
        return any(inputs.flags.get(f, False) for f in FIX_FLAGS)
    if spec.flag is None:
        return True
    return bool(inputs.flags.get(spec.flag, False))


def due_at(spec: FlowSpec, inputs: ScheduleInputs, tz: tzinfo | None = None) -> datetime | None:
    """When the main cadence of ``spec`` is (or was) due; None = not on a timer right now.

    A value in the past means "due now" (missed runs coalesce into one); :data:`DUE_ALWAYS`
    means the flow never ran.
    """
    sch = inputs.schedule_of(spec)
    h = inputs.hist(spec.slug)
    last = h.last_start
    times: list[datetime] = []
    if sch.interval_s:
        times.append(DUE_ALWAYS if last is None else last + timedelta(seconds=sch.interval_s))
    if sch.daily_at:
        times.append(DUE_ALWAYS if last is None else next_daily(last, sch.daily_at, tz))
    if sch.after:
        before = inputs.hist(sch.after).last_ok_end
        if before is not None and (last is None or last < before):
            times.append(before)
    if sch.after_event:
        ev = inputs.events.get(sch.after_event)
        if ev is not None and (last is None or last < ev):
            times.append(ev if last is None else max(ev, last + EVENT_MIN_GAP))
    if sch.on_activation and inputs.activated_at is not None:
        if last is None or last < inputs.activated_at:
            times.append(inputs.activated_at)
    return min(times) if times else None


def extra_due_at(spec: FlowSpec, inputs: ScheduleInputs) -> datetime | None:
    """When the second cadence (order_create's LATE_SHIPMENT pass) is due."""
    if not spec.schedule.extra_interval_s:
        return None
    last = inputs.hist(spec.slug).last_extra_start
    return DUE_ALWAYS if last is None else last + timedelta(seconds=spec.schedule.extra_interval_s)


#: Options of the second-cadence run (order_create reads ``late``: force the LATE_SHIPMENT pass).
EXTRA_OPTIONS = {"late": True, "late_shipment": True}
#: app_state keys where a flow records its own second-cadence pass (order_create also runs the
#: LATE_SHIPMENT pass by itself when 8 h passed); read as the last extra start so it is not doubled.
EXTRA_STATE_KEYS = {"order_create": "orders.late_pass_at"}


def request_for(spec: FlowSpec, kind: str, trigger: str = "schedule") -> RunRequest:
    if kind == "extra":
        return make_request(spec.slug, EXTRA_TRIGGER, EXTRA_OPTIONS)
    return make_request(spec.slug, trigger)


def due_requests(specs: Iterable[FlowSpec], inputs: ScheduleInputs, now: datetime,
                 tz: tzinfo | None = None) -> list[RunRequest]:
    """Every enabled flow due at ``now``, oldest due first, then by :data:`PRIORITY`."""
    found: list[tuple[datetime, int, int, RunRequest]] = []
    for order, spec in enumerate(specs):
        if not is_enabled(spec, inputs):
            continue
        prio = PRIORITY.index(spec.slug) if spec.slug in PRIORITY else len(PRIORITY)
        at = due_at(spec, inputs, tz)
        if at is not None and at <= now:
            found.append((at, prio, order, request_for(spec, "main")))
        extra = extra_due_at(spec, inputs)
        if extra is not None and extra <= now:
            found.append((extra, prio, order, request_for(spec, "extra")))
    found.sort(key=lambda t: (t[1], t[0], t[2]))
    return [t[3] for t in found]


def next_wake(specs: Iterable[FlowSpec], inputs: ScheduleInputs, now: datetime,
              tz: tzinfo | None = None) -> datetime | None:
    """The earliest future moment a timer-driven flow becomes due (None: nothing scheduled)."""
    best: datetime | None = None
    for spec in specs:
        if not is_enabled(spec, inputs):
            continue
        for at in (due_at(spec, inputs, tz), extra_due_at(spec, inputs)):
            if at is not None and at > now and (best is None or at < best):
                best = at
    return best


# --------------------------------------------------------------------------- planner
@dataclass
class _Push:
    ids: set[int]
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class FlowStatus:
    """One row of the flow list (frozen: crosses threads)."""

    slug: str
    name: str
    flag: str | None
    flag_on: bool
    enabled: bool
    available: bool
    schedule: str
    content_type: str | None
    running: bool
    queued: bool
    next_due: datetime | None  # naive UTC; <= now means due now
    history: FlowHistory


class Planner:
    """The scheduler's state machine: which runs to start now. No threads, no I/O.

    Feed it database facts with :meth:`update_inputs`, explicit requests with
    :meth:`request` / :meth:`push`, ask :meth:`take_starts` what to start, and report
    :meth:`finished`. Times are naive UTC from the caller's clock.
    """

    def __init__(self, specs: Sequence[FlowSpec] | None = None, *, capacity: int = 3,
                 tz: tzinfo | None = None, debounce_s: float = 3.0, push_max_wait_s: float = 15.0) -> None:
        self.specs: tuple[FlowSpec, ...] = tuple(specs if specs is not None else all_specs())
        self._by_slug = {s.slug: s for s in self.specs}
        self.capacity = max(1, capacity)
        self.tz = tz
        self.debounce = timedelta(seconds=debounce_s)
        self.push_max_wait = timedelta(seconds=push_max_wait_s)
        self.paused = False
        self.inputs: ScheduleInputs | None = None
        self.running: dict[str, RunRequest] = {}
        self.queued: dict[str, RunRequest] = {}
        self._push: dict[str, _Push] = {}
        self._mem_start: dict[tuple[str, str], datetime] = {}
        self._mem_ok_end: dict[str, datetime] = {}

    # ---------------------------------------------------------------- feeding
    def update_inputs(self, inputs: ScheduleInputs) -> None:
        self.inputs = inputs

    def spec(self, slug: str) -> FlowSpec:
        return self._by_slug[slug]

    def request(self, slug: str, trigger: str = "manual", options: Mapping[str, Any] | None = None) -> RunRequest:
        """Queue an explicit run (manual, webhook, recovery). One queued run per flow."""
        if slug not in self._by_slug:
            raise KeyError(f"unknown flow {slug!r}")
        req = make_request(slug, trigger, options)
        self.queued.setdefault(slug, req)
        return self.queued[slug]

    def push(self, slug: str, product_ids: Iterable[int], now: datetime) -> None:
        """Record in-app changes for a debounced ``push`` run of ``slug`` (stock/price)."""
        ids = {int(i) for i in product_ids}
        if not ids:
            return
        p = self._push.get(slug)
        if p is None:
            self._push[slug] = _Push(ids, now, now)
        else:
            p.ids |= ids
            p.last = now

    def pending_push(self, slug: str) -> frozenset[int]:
        p = self._push.get(slug)
        return frozenset(p.ids) if p else frozenset()

    # ---------------------------------------------------------------- effective inputs
    def effective_inputs(self) -> ScheduleInputs:
        base = self.inputs or ScheduleInputs(is_active=False)
        if not self._mem_start and not self._mem_ok_end:
            return base
        hist = dict(base.history)
        for slug in {k[0] for k in self._mem_start} | set(self._mem_ok_end):
            h = hist.get(slug) or FlowHistory()
            ms = self._mem_start.get((slug, "main"))
            me = self._mem_start.get((slug, "extra"))
            ok = self._mem_ok_end.get(slug)
            h = replace(h, last_start=_latest(h.last_start, ms), last_extra_start=_latest(h.last_extra_start, me),
                        last_ok_end=_latest(h.last_ok_end, ok))
            hist[slug] = h
        return replace(base, history=MappingProxyType(hist))

    # ---------------------------------------------------------------- decisions
    def _push_ready(self, slug: str, now: datetime) -> bool:
        p = self._push.get(slug)
        return p is not None and (now - p.last >= self.debounce or now - p.first >= self.push_max_wait)

    def candidates(self, now: datetime, scheduled: bool = True) -> list[RunRequest]:
        """What would start now if threads and exclusions allowed, in order.

        ``scheduled=False``: explicit requests only (the scheduler is not started or paused).
        """
        inputs = self.effective_inputs()
        out: list[RunRequest] = list(self.queued.values())
        if self.paused or not scheduled:
            return out
        for slug in list(self._push):
            spec = self._by_slug.get(slug)
            if spec is None or not is_enabled(spec, inputs):
                self._push.pop(slug, None)  # flag off / inactive: the scheduled run will catch up later
                continue
            if self._push_ready(slug, now):
                ids = tuple(sorted(self._push[slug].ids))
                out.append(make_request(slug, PUSH_TRIGGER, {"product_ids": ids}))
        out.extend(due_requests(self.specs, inputs, now, self.tz))
        return out

    def take_starts(self, now: datetime, free_slots: int | None = None, scheduled: bool = True) -> list[RunRequest]:
        """Pick the runs to start now and mark them running."""
        slots = self.capacity - len(self.running)
        if free_slots is not None:
            slots = min(slots, free_slots)
        busy_types = {self._by_slug[s].content_type for s in self.running} - {None}
        starts: list[RunRequest] = []
        for req in self.candidates(now, scheduled):
            if slots <= 0:
                break
            spec = self._by_slug[req.slug]
            if req.slug in self.running:
                continue
            if spec.content_type is not None and spec.content_type in busy_types:
                continue
            starts.append(req)
            self._mark_started(req, now)
            slots -= 1
            if spec.content_type is not None:
                busy_types.add(spec.content_type)
        return starts

    def _mark_started(self, req: RunRequest, now: datetime) -> None:
        self.running[req.slug] = req
        if self.queued.get(req.slug) is req:
            del self.queued[req.slug]
        if req.kind == "push":
            self._push.pop(req.slug, None)
        else:
            self._mem_start[(req.slug, req.kind)] = now
            if req.kind == "main" and "product_ids" not in req.options and "skus" not in req.options:
                self._push.pop(req.slug, None)  # a full run sends every pending change too

    def finished(self, slug: str, state: str, ended: datetime) -> None:
        self.running.pop(slug, None)
        if state == "done":
            self._mem_ok_end[slug] = _latest(self._mem_ok_end.get(slug), ended)

    def forget(self, slug: str) -> None:
        """A started run could not run at all (e.g. not implemented): free its slot."""
        self.running.pop(slug, None)

    def wake_at(self, now: datetime) -> datetime | None:
        """When to look again (None: only on an event). Past due-but-blocked runs wait for a finish."""
        best = None if self.paused else next_wake(self.specs, self.effective_inputs(), now, self.tz)
        if not self.paused:
            for p in self._push.values():
                at = min(p.last + self.debounce, p.first + self.push_max_wait)
                if at > now and (best is None or at < best):
                    best = at
        return best

    def state_text(self) -> str:
        if self.inputs is not None and not self.inputs.is_active:
            return "inactive channel"
        return "paused" if self.paused else "running"

    def statuses(self, now: datetime) -> tuple[FlowStatus, ...]:
        inputs = self.effective_inputs()
        rows = []
        for spec in self.specs:
            enabled = is_enabled(spec, inputs)
            nxt = None
            if enabled and not self.paused:
                cands = [t for t in (due_at(spec, inputs, self.tz), extra_due_at(spec, inputs)) if t is not None]
                nxt = min(cands) if cands else None
                if nxt is not None and nxt < now:
                    nxt = now
            flag_on = True if spec.flag is None else bool(inputs.flags.get(spec.flag, False))
            rows.append(FlowStatus(
                slug=spec.slug, name=spec.name, flag=spec.flag, flag_on=flag_on, enabled=enabled,
                available=inputs.available is None or spec.slug in inputs.available,
                schedule=_describe(inputs.schedule_of(spec)), content_type=spec.content_type,
                running=spec.slug in self.running, queued=spec.slug in self.queued, next_due=nxt,
                history=inputs.hist(spec.slug)))
        return tuple(rows)


def _describe(sch) -> str:
    from .schedules import describe

    return describe(sch)


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)
