"""Cancellation and refund decisions (seed §2 reason ids, §8, §9 get_cancel_orders)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..storage.models import CancellationReason

MAX_PLAN_ATTEMPTS = 6
UNREPORTED_ERP = "Unreported order of ERP cannot be canceled"
UNREPORTED_FIX = ("the order has not been reported to the ERP yet; mark it ERP-reported (Orders tab or "
                  "`n11-desktop orders mark-reported NUMBER`) or export it for the ERP, then it is retried")


class ReasonNotConfigured(Exception):
    pass


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class ReasonChoice:
    reason_id: int
    source: str  # which setting decided it, for the log


def refund_reason(config) -> ReasonChoice:
    rid = _int(config.get("refund_reason_id"))
    if rid is None:
        raise ReasonNotConfigured("Refund Reason Id is not set (Channel Settings); refunds cannot be written")
    return ReasonChoice(rid, "Refund Reason Id")


def cancel_reason(config, n11_reason: str | None, package_status: str | None) -> ReasonChoice:
    """Cancellation Map (N11 reason → local reason) first, then Unsupplied / Unpacked Reason Id
    for packages in those states, then Cancellation Reason Id."""
    cmap = config.get("cancellation_map") or {}
    if n11_reason is not None and isinstance(cmap, dict):
        mapped = _int(cmap.get(str(n11_reason).strip()))
        if mapped is not None:
            return ReasonChoice(mapped, f"Cancellation Map ({n11_reason} → {mapped})")
    pst = (package_status or "").strip().lower()
    if pst == "unsupplied" and _int(config.get("unsupplied_reason_id")) is not None:
        return ReasonChoice(_int(config.get("unsupplied_reason_id")), "Unsupplied Reason Id")
    if pst == "unpacked" and _int(config.get("unpacked_reason_id")) is not None:
        return ReasonChoice(_int(config.get("unpacked_reason_id")), "Unpacked Reason Id")
    rid = _int(config.get("cancellation_reason_id"))
    if rid is None:
        raise ReasonNotConfigured("Cancellation Reason Id is not set (Channel Settings); cancellations cannot "
                                  "be written")
    return ReasonChoice(rid, "Cancellation Reason Id")


def check_reason(session: Session, choice: ReasonChoice, kind: str) -> str | None:
    """A message when the chosen local reason does not exist / is inactive / has the wrong type."""
    row = session.get(CancellationReason, choice.reason_id)
    if row is None:
        return f"{choice.source}: cancellation reason {choice.reason_id} does not exist locally"
    if not row.is_active:
        return f"{choice.source}: cancellation reason {choice.reason_id} ({row.name}) is inactive"
    if row.reason_type != kind:
        return (f"{choice.source}: reason {choice.reason_id} ({row.name}) is a {row.reason_type} reason, "
                f"a {kind} reason is needed")
    return None


def active_reasons(session: Session, kind: str) -> list[tuple[int, str]]:
    return [(r.id, r.name) for r in session.scalars(
        select(CancellationReason).where(CancellationReason.reason_type == kind,
                                         CancellationReason.is_active.is_(True)).order_by(CancellationReason.id))]
