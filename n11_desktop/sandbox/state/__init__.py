"""In-memory state of the N11 sandbox: remote products, product tasks, orders (shipment
packages with lines), cancel claims, return claims, product questions, faults, request log.

:class:`SandboxState` composes one state per resource, each in its own module:
:mod:`.faults`, :mod:`.tasks`, :mod:`.products`, :mod:`.orders` (and :mod:`.soap_orders`,
their SOAP view), :mod:`.claims` and :mod:`.demo`; :mod:`.common` holds N11's constants and
small helpers, :mod:`.clock` N11's clock. One re-entrant lock (``SandboxState.lock``) guards everything: the resources change each other
(a task changes products, a claim changes order lines), so they share it.

Time-driven transitions (delayed task processing, catalog approval) are applied lazily by
:meth:`SandboxState.tick`, which every request and every public method calls first. A task
accepted with no delay is processed after its acknowledgement, by the server's task worker or
by whoever takes the lock next (see :mod:`.tasks`).

Deterministic catalog-rejection triggers (documented in ``sandbox --help``): a product
created with ``REJECTME`` in its title or description ends ``CatalogRejected`` instead of
``Active``.
"""

from __future__ import annotations

import random
import time

from .claims import ClaimsState
from .clock import TR_TZ, fmt_ms, now_ms
from .common import (
    ALL_FAULT_KINDS,
    APPROVAL_INT,
    BANNED_WORDS,
    CANCEL_REASONS,
    CLAIM_CANCEL_DENY_REASONS,
    COLLECTION_CARRIERS,
    EXTRA_FAULT_KINDS,
    FAULT_KINDS,
    MAX_PRICE,
    MAX_SKUS_PER_TASK,
    PICKUP_TYPES,
    REJECT_TRIGGER,
    REST_PACKAGE_STATUSES,
    REST_TO_SOAP_ITEM,
    RETURN_DENY_REASONS,
    RETURN_PENDING_REASONS,
    SALE_INT,
    SELLER_ID,
    SOAP_FILTER_TO_ITEM,
    UPDATE_FORBIDDEN,
    VAT_RATES,
    _PRODUCT_WORDS,
    _copy_tree,
    dec,
    money,
    num,
)
from .demo import DemoState
from .faults import FaultsState
from .orders import OrdersState
from .products import ProductsState
from .soap_orders import SoapOrdersState
from .tasks import StateLock, TasksState

__all__ = [
    "SandboxState",
    "now_ms",
    "fmt_ms",
    "dec",
    "money",
    "num",
    "TR_TZ",
    "ALL_FAULT_KINDS",
    "APPROVAL_INT",
    "BANNED_WORDS",
    "CANCEL_REASONS",
    "CLAIM_CANCEL_DENY_REASONS",
    "COLLECTION_CARRIERS",
    "EXTRA_FAULT_KINDS",
    "FAULT_KINDS",
    "MAX_PRICE",
    "MAX_SKUS_PER_TASK",
    "PICKUP_TYPES",
    "REJECT_TRIGGER",
    "REST_PACKAGE_STATUSES",
    "REST_TO_SOAP_ITEM",
    "RETURN_DENY_REASONS",
    "RETURN_PENDING_REASONS",
    "SALE_INT",
    "SELLER_ID",
    "SOAP_FILTER_TO_ITEM",
    "UPDATE_FORBIDDEN",
    "VAT_RATES",
    "_copy_tree",
]


class SandboxState(
    FaultsState, TasksState, ProductsState, OrdersState, SoapOrdersState, ClaimsState, DemoState
):
    """The whole sandbox: every resource's state, one lock, the request log and product questions."""

    def __init__(self, *, seed: int = 0, task_delay_ms: int = 1500,
                 approval_delay_ms: int | None = None, fault_rate: float = 0.0,
                 latency_ms: int = 0, app_key: str = "", app_secret: str = "",
                 fault_kinds: list[str] | None = None, fault_timeout_s: float = 5.0) -> None:
        self._init_tasks()
        self.lock = StateLock(self._settle)
        self.seed = seed
        self.app_key = app_key
        self.app_secret = app_secret
        self.task_delay_ms = task_delay_ms
        self.approval_delay_ms = task_delay_ms if approval_delay_ms is None else approval_delay_ms
        self.latency_ms = latency_ms
        self._configure_faults(fault_rate, fault_kinds, fault_timeout_s)
        self.reset()

    # ------------------------------------------------------------------ housekeeping

    def reset(self) -> None:
        """Back to the state right after start: every resource empty, ids and random streams
        restarted from the seed, faults as configured at start."""
        with self.lock:
            self.requests_log: list[dict] = []
            self.questions: dict[int, dict] = {}
            self._last_question_list = 0.0
            self.validate_soap = True  # requests of WSDL-described services must be schema-valid
            # one random stream for generated orders and the demo scenario (their draws interleave)
            self.rng = random.Random(f"state:{self.seed}")
            self._reset_faults()
            self._reset_tasks()
            self._reset_products()
            self._reset_orders()
            self._reset_claims()
            self._reset_demo()
            self._seed_questions()

    def _seed_questions(self) -> None:
        for i, (subj, q) in enumerate([
                ("Ürün Hakkında", "Bu ürünün garantisi var mı?"),
                ("Kargo", "Bugün sipariş versem ne zaman kargoya verilir?"),
                ("Beden", "M beden 1.75 boy için uygun mu?")]):
            qid = 600_000_001 + i
            self.questions[qid] = dict(id=qid, productId=741_700_001 + i,
                                       productTitle=_PRODUCT_WORDS[i], questionSubject=subj,
                                       question=q, answer="", fullName="Ayşe Y.",
                                       email="a***@example.com", productStatus="Active",
                                       status="OPEN", questionDate=fmt_ms(now_ms(), "%Y-%m-%d"),
                                       answeredDate=None)

    def log_request(self, method: str, path: str, body_size: int) -> None:
        with self.lock.plain:  # before N11's latency: never waits for task processing
            self.requests_log.append({"method": method, "path": path, "body_size": body_size,
                                      "time": time.time()})
            if len(self.requests_log) > 20000:
                del self.requests_log[:10000]

    def tick(self) -> None:
        """Apply every time-driven transition that is due."""
        with self.lock:
            mono = time.monotonic()
            # what is due waits in two heaps: a request no longer walks 100k products
            if self._queue and self._queue[0][0] <= mono:
                self._run_due_tasks(mono)
            if self._parked or (self._approvals and self._approvals.first() <= mono):
                self._approve_due(mono)

    def summary(self) -> dict:
        with self.lock:
            self.tick()
            by_status: dict[str, int] = {}
            for pk in self.packages.values():
                by_status[pk["shipmentPackageStatus"]] = by_status.get(pk["shipmentPackageStatus"], 0) + 1
            return {"products": len(self._products), "tasks": len(self._tasks),
                    "tasksInQueue": sum(1 for t in self._tasks.values() if t["status"] == "IN_QUEUE"),
                    "orders": len(self.orders), "packages": len(self.packages),
                    "packagesByStatus": by_status, "claims": len(self.claims),
                    "returns": len(self.returns), "requests": len(self.requests_log),
                    "faultRate": self.fault_rate, "faultKinds": list(self.fault_kinds)}

