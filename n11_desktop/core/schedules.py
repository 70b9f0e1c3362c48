"""Flow schedules the operator can change (seed §9: "frequencies can be modified").

Each flow keeps its DESIGN §6 default (``FlowSpec.schedule``); an operator's change replaces its
timer — an interval (``every``) or a daily time (``daily_at``, Europe/Istanbul, N11's zone,
whatever the PC's zone) — and keeps the rest (after X, on activation, the web hook, the
late-shipment pass). Changes live in ``app_state['schedule.overrides']``, so the GUI scheduler,
``n11-desktop run`` and ``n11-desktop schedule`` read the same thing. Out of bounds (under one
minute, over seven days, a time that is not HH:MM) is refused with the field named.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Mapping

from .flows.base import SPECS, Schedule, all_specs
from .storage.app_state import read_dict, write_state

KEY = "schedule.overrides"
MIN_INTERVAL_S = 60
MAX_INTERVAL_S = 7 * 24 * 3600
N11_TIMEZONE = "Europe/Istanbul"


class ScheduleError(ValueError):
    """A schedule change that cannot be saved (the message names the field)."""


_UNITS = {"s": 1, "sec": 1, "second": 1, "seconds": 1, "m": 60, "min": 60, "minute": 60, "minutes": 60,
          "h": 3600, "hour": 3600, "hours": 3600, "d": 86400, "day": 86400, "days": 86400}


def parse_interval(text: Any) -> int:
    """'90s', '5m', '15 min', '2h', '1d' or plain seconds → seconds (bounds checked)."""
    raw = str(text).strip().lower()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]*)", raw)
    if m is None or (m.group(2) and m.group(2) not in _UNITS):
        raise ScheduleError(f"interval: {text!r} is not a duration (examples: 90s, 5m, 2h, 1d)")
    seconds = float(m.group(1)) * _UNITS.get(m.group(2) or "s", 1)
    if seconds < MIN_INTERVAL_S:
        raise ScheduleError(f"interval: {text!r} is under the minimum of 1 minute")
    if seconds > MAX_INTERVAL_S:
        raise ScheduleError(f"interval: {text!r} is over the maximum of 7 days")
    if seconds != int(seconds):
        raise ScheduleError(f"interval: {text!r} must be a whole number of seconds")
    return int(seconds)


def parse_daily(text: Any) -> str:
    raw = str(text).strip()
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", raw)
    if m is None or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ScheduleError(f"daily time: {text!r} is not a time HH:MM between 00:00 and 23:59 (Europe/Istanbul)")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def n11_tz():
    """Europe/Istanbul (zoneinfo; the ``tzdata`` package supplies it on Windows)."""
    from zoneinfo import ZoneInfo

    return ZoneInfo(N11_TIMEZONE)


def _spec(slug: str):
    spec = SPECS.get(slug)
    if spec is None:
        raise ScheduleError(f"flow: unknown flow {slug!r}; see `n11-desktop schedule list`")
    if spec.schedule.webhook:
        raise ScheduleError(f"flow: {slug} runs on the OMS web hook, it has no timer to change")
    return spec


def apply_override(default: Schedule, override: Mapping[str, Any] | None) -> Schedule:
    if not override:
        return default
    if override.get("interval_s"):
        return replace(default, interval_s=int(override["interval_s"]), daily_at=None)
    if override.get("daily_at"):
        return replace(default, daily_at=str(override["daily_at"]), interval_s=None)
    return default


def read_overrides(session) -> dict[str, dict[str, Any]]:
    value = read_dict(session, KEY)
    out = {}
    for slug, ov in value.items():  # a hand-edited or older value is checked, never trusted
        if slug not in SPECS or not isinstance(ov, dict):
            continue
        try:
            if ov.get("interval_s"):
                out[slug] = {"interval_s": parse_interval(ov["interval_s"])}
            elif ov.get("daily_at"):
                out[slug] = {"daily_at": parse_daily(ov["daily_at"])}
        except ScheduleError:
            continue
    return out


def effective_schedule(session, slug: str) -> Schedule:
    return apply_override(SPECS[slug].schedule, read_overrides(session).get(slug))


def _write(session, overrides: dict[str, dict[str, Any]]) -> None:
    before = read_overrides(session)
    write_state(session, KEY, overrides)
    _audit(session, before, overrides)


def _audit(session, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    """One audit row per flow whose schedule changed (core.audit, area "schedules")."""
    from .audit import record

    for slug in sorted(set(before) | set(after)):
        if before.get(slug) == after.get(slug) or slug not in SPECS:
            continue
        default = SPECS[slug].schedule
        old = describe(apply_override(default, before.get(slug)))
        new = describe(apply_override(default, after.get(slug)))
        record(session, "schedules", "schedule reset" if slug not in after else "schedule set", f"schedule:{slug}",
               f"{slug}: {old} → {new}")


def set_schedule(session, slug: str, *, every: Any = None, daily_at: Any = None) -> Schedule:
    """Change one flow's timer: ``every`` (interval) or ``daily_at`` (HH:MM Europe/Istanbul)."""
    _spec(slug)
    if (every is None) == (daily_at is None):
        raise ScheduleError("schedule: give either an interval or a daily time")
    ov = read_overrides(session)
    ov[slug] = {"interval_s": parse_interval(every)} if every is not None else {"daily_at": parse_daily(daily_at)}
    _write(session, ov)
    return apply_override(SPECS[slug].schedule, ov[slug])


def reset_schedule(session, slug: str | None = None) -> int:
    """Back to the default (one flow, or every flow with ``slug`` None). Returns how many changed."""
    ov = read_overrides(session)
    if slug is None:
        n = len(ov)
        ov = {}
    else:
        if slug not in SPECS:
            raise ScheduleError(f"flow: unknown flow {slug!r}; see `n11-desktop schedule list`")
        n = 1 if ov.pop(slug, None) is not None else 0
    _write(session, ov)
    return n


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    slug: str
    name: str
    default: str
    current: str
    changed: bool
    interval_s: int | None
    daily_at: str | None
    changeable: bool

    def as_dict(self) -> dict[str, Any]:
        return {"slug": self.slug, "name": self.name, "default": self.default, "current": self.current,
                "changed": self.changed, "interval_s": self.interval_s, "daily_at": self.daily_at,
                "changeable": self.changeable}


def schedule_rows(session) -> tuple[ScheduleRow, ...]:
    ov = read_overrides(session)
    rows = []
    for spec in all_specs():
        cur = apply_override(spec.schedule, ov.get(spec.slug))
        rows.append(ScheduleRow(spec.slug, spec.name, describe(spec.schedule), describe(cur), spec.slug in ov,
                                cur.interval_s, cur.daily_at, not spec.schedule.webhook))
    return tuple(rows)


def describe(sch: Schedule) -> str:
    text = sch.describe()
    if sch.daily_at:
        text = text.replace(f"daily {sch.daily_at}", f"daily {sch.daily_at} (Istanbul)")
    return text


# ------------------------------------------------------------------ settings files
def export_overrides(session) -> dict[str, dict[str, Any]]:
    """The operator's schedule changes as a settings file writes them (``{}`` when none)."""
    return {slug: dict(ov) for slug, ov in sorted(read_overrides(session).items())}


def parse_file_overrides(value: Any) -> tuple[dict[str, dict[str, Any] | None], list[str]]:
    """A settings file's ``schedules`` object → ({slug: override, or None to reset}, problems).

    Each entry is ``{"interval_s": N}``, ``{"every": "5m"}``, ``{"daily_at": "HH:MM"}`` or
    ``null`` (back to the default); every value goes through the same checks as
    ``n11-desktop schedule set``."""
    if not isinstance(value, dict):
        return {}, [f"Schedules (schedules): must be a JSON object of flow → schedule, not {type(value).__name__}"]
    out: dict[str, dict[str, Any] | None] = {}
    problems: list[str] = []
    for slug, ov in value.items():
        where = f"Schedules (schedules.{slug})"
        try:
            _spec(str(slug))
            if ov is None:
                out[slug] = None
                continue
            if not isinstance(ov, dict) or len(ov) != 1 or next(iter(ov)) not in ("interval_s", "every", "daily_at"):
                raise ScheduleError("schedule: give one of interval_s, every or daily_at (or null for the default)")
            (kind, raw), = ov.items()
            if isinstance(raw, bool) or not isinstance(raw, (int, str)):
                raise ScheduleError(f"{kind}: {raw!r} is not a duration or a time")
            if isinstance(raw, str) and len(raw) > 32:
                raise ScheduleError(f"{kind}: the value is too long")
            if kind == "daily_at":
                out[slug] = {"daily_at": parse_daily(raw)}
            else:
                out[slug] = {"interval_s": parse_interval(raw)}
        except ScheduleError as exc:
            problems.append(f"{where}: {exc}")
    return out, problems


def apply_file_overrides(session, changes: Mapping[str, dict[str, Any] | None]) -> None:
    """Write what :func:`parse_file_overrides` accepted (flows left out keep their schedule)."""
    ov = read_overrides(session)
    for slug, change in changes.items():
        if change is None:
            ov.pop(slug, None)
        else:
            ov[slug] = change
    _write(session, ov)


# ---------------------------------------------------------------------------- operations (the schedule dialog's jobs)
def load_schedule_row(db, slug: str) -> ScheduleRow:
    with db.session_factory() as s:
        return next(r for r in schedule_rows(s) if r.slug == slug)


def change_schedule(db, slug: str, *, every: Any = None, daily_at: Any = None) -> str:
    """Set one flow's timer; returns "slug: every 15 min" (what it is now)."""
    with db.session_factory.begin() as s:
        return f"{slug}: {describe(set_schedule(s, slug, every=every, daily_at=daily_at))}"


def restore_schedule(db, slug: str) -> None:
    """Back to the flow's default timer."""
    with db.session_factory.begin() as s:
        reset_schedule(s, slug)
