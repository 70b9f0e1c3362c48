"""Cancellation and refund decisions (seed §2 reason ids, §8, §9 get_cancel_orders)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..storage.models import CancellationReason

MAX_PLAN_ATTEMPTS = 6
WAITING_ERP = "waiting_erp"  # plan state: the order is not reported to the ERP yet; it waits, never abandoned
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


# N11's reasons for a buyer's cancellation as they arrive in ``cancelReasonType`` (codes) and the
# ids N11 documents for seller cancellations (61-65, also sent as reason ids). Shown in the
# Cancellation Map picker next to the reasons seen in claims so far.
N11_CANCEL_REASONS: tuple[tuple[str, str], ...] = (
    ("VAZGECTIM", "Buyer changed their mind (Siparişten vazgeçtim)"),
    ("61", "Out of stock (Stokta yok)"),
    ("62", "Defective product (Ürün kusurlu)"),
    ("63", "Wrong price (Hatalı fiyat)"),
    ("64", "Force majeure (Mücbir sebep)"),
    ("65", "Other (Diğer)"),
)
# raw claim fields that may carry the reason (code or id), in the order they are tried
CLAIM_REASON_FIELDS = ("cancelReasonType", "cancelReasonId", "cancelReasonTypeId", "reasonId")


def claim_reason_keys(reason_type: Any, raw: dict | None = None) -> list[str]:
    """The reason of a claim exactly as N11 sent it: its ``cancelReasonType`` and any reason id field."""
    keys: list[str] = []
    for value in [reason_type] + [(raw or {}).get(f) for f in CLAIM_REASON_FIELDS]:
        if value is None or isinstance(value, (dict, list, bool)):
            continue
        text = str(value).strip()
        if text and text not in keys:
            keys.append(text)
    return keys


def map_lookup(cmap: Any, keys: list[str]) -> tuple[str, int] | None:
    """(matched key, local reason id) from the Cancellation Map: exact text first, then ignoring case."""
    if not isinstance(cmap, dict) or not cmap:
        return None
    folded = {str(k).strip().upper(): v for k, v in cmap.items()}
    for key in keys:
        for value in (cmap.get(key), folded.get(key.upper())):
            mapped = _int(value)
            if mapped is not None:
                return key, mapped
    return None


class SeenReason(NamedTuple):
    """A cancellation reason seen in claims."""

    key: str  # as N11 sends it
    description: str
    claims: int  # how many claims gave it


def seen_claim_reasons(session: Session, limit: int = 200) -> list[SeenReason]:
    """Every reason seen in claims, the most frequent first."""
    from ..storage.models import CancellationRequest

    counts: dict[str, list] = {}
    for raw, reason in session.execute(select(CancellationRequest.raw, CancellationRequest.reason)
                                       .order_by(CancellationRequest.id.desc()).limit(5000)):
        raw = raw if isinstance(raw, dict) else {}
        keys = claim_reason_keys(raw.get("cancelReasonType"), raw)
        if not keys and reason:
            keys = [str(reason).split(" / ")[0].strip()]
        desc = str(raw.get("cancelReasonDescription") or "").strip()
        for key in keys[:1]:
            entry = counts.setdefault(key, [desc, 0])
            entry[1] += 1
            entry[0] = entry[0] or desc
    rows = sorted((SeenReason(k, d, n) for k, (d, n) in counts.items()), key=lambda r: (-r.claims, r.key))
    return rows[:limit]


def reason_picker(session: Session) -> list[tuple[str, str]]:
    """(key, label) for the Cancellation Map picker: reasons seen in claims, then N11's list."""
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for key, desc, n in seen_claim_reasons(session):
        out.append((key, f"{key} — {desc or 'seen in claims'} ({n} claim{'s' if n != 1 else ''})"))
        seen.add(key.upper())
    for key, label in N11_CANCEL_REASONS:
        if key.upper() not in seen:
            out.append((key, f"{key} — {label} (N11 list)"))
    return out


def cancel_reason(config, n11_reason: str | list[str] | None, package_status: str | None) -> ReasonChoice:
    """Cancellation Map (N11 reason, id or code as N11 sends it → local reason) first, then
    Unsupplied / Unpacked Reason Id for packages in those states, then Cancellation Reason Id."""
    keys = n11_reason if isinstance(n11_reason, list) else claim_reason_keys(n11_reason)
    hit = map_lookup(config.get("cancellation_map") or {}, keys)
    if hit is not None:
        return ReasonChoice(hit[1], f"Cancellation Map ({hit[0]} → {hit[1]})")
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
