"""Pause or resume selling on N11 without deleting (product-update ``status``).

N11's product-update task takes ``status: Active | Suspended`` to start or stop selling a
product (API.md §6, §9; TradeXpress and 34Pazar notes): a paused product keeps its listing,
stock and price on N11 and sells again once resumed. This is the alternative to "Remove from
N11 catalog" (Product Delete, which sets the stock to 0) when the operator wants a pause.

Only products N11 holds as Active or Suspended can be updated (ledger state ``active``); the
others are skipped with the reason. The task is posted at once; N11 applies it within minutes
and the next product-query (State Sync) shows the new status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from sqlalchemy import select

from .storage.models import IntegrationAction, LogEntry, Product

__all__ = ["PAUSE", "RESUME", "SellingResult", "set_selling"]

PAUSE = "Suspended"
RESUME = "Active"


@dataclass
class SellingResult:
    status: str
    sent: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (sku, why)
    task_ids: list[int] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)  # reasons of REJECTed tasks

    @property
    def message(self) -> str:
        verb = "Pause" if self.status == PAUSE else "Resume"
        n = len(self.sent)
        text = (f"{verb} selling sent to N11 for {n} product{'s' if n != 1 else ''}"
                + (f" (task {', '.join(str(t) for t in self.task_ids)}); N11 applies it within minutes."
                   if self.task_ids else "."))
        if self.rejected:
            text += f" N11 rejected: {'; '.join(self.rejected)}."
        if self.skipped:
            text += f" {len(self.skipped)} skipped: " + "; ".join(f"{s} ({why})" for s, why in self.skipped[:5])
            if len(self.skipped) > 5:
                text += "; …"
        return text


def set_selling(db, status: str, *, product_ids: Sequence[int] = (), skus: Sequence[str] = (),
                client_factory: Callable[..., Any] | None = None) -> SellingResult:
    """Post product-update ``status`` (:data:`PAUSE` or :data:`RESUME`) for these products.

    Unknown SKUs and products N11 cannot update yet are skipped with the reason; N11 errors
    (connection, credentials) propagate as the client's typed errors."""
    if status not in (PAUSE, RESUME):
        raise ValueError(f"status must be {PAUSE} (pause) or {RESUME} (resume), got {status!r}")
    res = SellingResult(status)
    with db.session_factory() as s:
        q = select(Product.id, Product.sku, Product.vat_rate)
        rows = []
        if product_ids:
            rows += s.execute(q.where(Product.id.in_(list(product_ids)))).all()
        if skus:
            rows += s.execute(q.where(Product.sku.in_(list(skus)))).all()
            known = {r.sku for r in rows}
            res.skipped += [(sku, "unknown SKU") for sku in skus if sku not in known]
        ids = [r.id for r in rows]
        states = dict(s.execute(select(IntegrationAction.object_id, IntegrationAction.state).where(
            IntegrationAction.content_type == "product", IntegrationAction.object_id.in_(ids))).all()) if ids else {}
        from .settings import load_config

        conf = load_config(s).conf
    vat: dict[str, int] = {}
    for r in sorted(set(rows), key=lambda r: r.sku):
        state = states.get(r.id)
        if state != "active":
            res.skipped.append((r.sku, "not on N11 yet" if state is None else f"N11 state {state}; "
                                "only Active or Suspended products can be updated"))
        else:
            vat[r.sku] = int(r.vat_rate)
    if not vat:
        return res
    if client_factory is None:
        from .n11.client import client_from_config as client_factory
    with client_factory(conf) as client:
        acks = client.set_products_status(sorted(vat), status, vat, raise_on_reject=False)
    for ack in acks:
        if ack.rejected:
            res.rejected.append("; ".join(ack.reasons) or "no reason given")
        else:
            res.sent.extend(ack.stock_codes)
            if ack.task_id is not None:
                res.task_ids.append(ack.task_id)
    with db.session_factory.begin() as s:
        verb = "pause" if status == PAUSE else "resume"
        for sku in res.sent:
            s.add(LogEntry(level="INFO", object_type="product", object_key=sku,
                           message=f"{verb} selling sent to N11 (product-update status {status})"))
    return res
