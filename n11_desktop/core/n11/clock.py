"""N11's clock, in one place: every date the client sends or reads goes through here.

N11 documents its REST dates (``shipmentPackages`` ``startDate``/``endDate``,
``lastModifiedDate``, ``packageHistories[].createdDate``) as epoch milliseconds "GMT+3"
(API.md §6, §9), and its SOAP/task text dates (``dd/MM/yyyy``, ``dd-MM-yyyy HH:mm:ss``) as
Turkish wall-clock time. Turkey has kept UTC+3 all year since 2016, so:

- an epoch value is an instant; it is read as an aware datetime in Turkish time;
- an aware datetime is converted to Turkish time before its date is written (22:30 UTC on
  31 January is 1 February in Istanbul, and that is the day N11 means);
- a naive datetime is taken as Turkish wall-clock time (N11's zone, not this machine's), so the
  result never depends on where the app runs.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

__all__ = ["TURKEY", "to_turkey", "to_epoch_ms", "from_epoch_ms", "turkey_day_text"]

#: N11's zone: GMT+3 all year
TURKEY = timezone(timedelta(hours=3), "TRT")
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS = timedelta(milliseconds=1)


def to_turkey(value: datetime | date) -> datetime:
    """``value`` as an aware datetime in Turkish time (a ``date`` is its midnight in Turkey;
    a naive datetime is Turkish wall-clock time)."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
            return value.replace(tzinfo=TURKEY)
        return value.astimezone(TURKEY)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=TURKEY)
    raise TypeError(f"expected a date or datetime, got {type(value).__name__}")


def to_epoch_ms(value: datetime | date) -> int:
    """Epoch milliseconds of ``value`` (exact integer arithmetic, no float rounding)."""
    return (to_turkey(value) - _EPOCH) // _MS


def from_epoch_ms(ms: int) -> datetime:
    """Aware datetime in Turkish time for N11's epoch milliseconds."""
    return _EPOCH.astimezone(TURKEY) + timedelta(milliseconds=int(ms))


def turkey_day_text(value: datetime | date) -> str:
    """``dd/MM/yyyy`` of the Turkish calendar day of ``value`` (SOAP search periods)."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    return to_turkey(value).strftime("%d/%m/%Y")
