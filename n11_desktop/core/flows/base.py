"""Flow registry and runner: every flow is plain Python ``run(ctx) -> FlowOutcome``.

The CLI (``flow run SLUG``), the GUI workers and the tests all call :func:`run_flow`, so
they run exactly the same code. A run is a ``flow_run`` row with counts and ``log_entry``
rows; N11 exchanges are logged with the App Secret redacted by the client.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ..clock import utcnow
from ..domain import FlowProgress, FlowResult, RunState
from ..logrows import insert_log_rows, log_row
from ..settings import ChannelConfig, load_config
from ..storage.db import Database
from ..storage.models import FlowRun

if TYPE_CHECKING:
    from ..n11.client import N11Client

log = logging.getLogger(__name__)

MAX_LOGGED_BODY = 64_000
_CLIENT_LOG_LIMIT = MAX_LOGGED_BODY - 100  # room for the client's "[cut for the log: …]" note


@dataclass(frozen=True)
class Schedule:
    """When a flow is due (DESIGN §6). Interpreted by ``core.schedule``."""

    interval_s: int | None = None  # every N seconds
    daily_at: str | None = None  # "HH:MM" local time
    after: str | None = None  # runs after this flow succeeded
    on_activation: bool = False  # runs when the channel is activated / Category Ids change
    webhook: bool = False  # triggered by the OMS web hook
    extra_interval_s: int | None = None  # a second cadence (order_create's 8-hourly LATE_SHIPMENT pass)
    after_event: str | None = None  # runs after this app_state event (e.g. task results changed products)


    def describe(self) -> str:
        parts: list[str] = []
        if self.interval_s:
            parts.append(_human_interval(self.interval_s))
        if self.extra_interval_s:
            parts.append(_human_interval(self.extra_interval_s) + " (late shipments)")
        if self.daily_at:
            parts.append(f"daily {self.daily_at}")
        if self.after:
            parts.append(f"after {self.after}")
        if self.after_event:
            parts.append(EVENT_NAMES.get(self.after_event, f"after {self.after_event}"))
        if self.on_activation:
            parts.append("on activation")
        if self.webhook:
            parts.append("on the OMS web hook")
        return ", ".join(parts) or "manual"


EVENT_NAMES = {"event.products_changed": "after task results change products"}


def _human_interval(seconds: int) -> str:
    if seconds % 3600 == 0:
        h = seconds // 3600
        return "every hour" if h == 1 else f"every {h} h"
    if seconds % 60 == 0:
        m = seconds // 60
        return "every minute" if m == 1 else f"every {m} min"
    return f"every {seconds} s"


@dataclass(frozen=True)
class FlowSpec:
    slug: str
    name: str  # the seed's name (Monitoring → Log screen)
    flag: str | None  # feature flag that enables it; None = always (when the channel is active)
    content_type: str | None  # batch / penalty content type
    schedule: Schedule
    description: str


_SPECS: tuple[FlowSpec, ...] = (
    FlowSpec("category_node", "Category Node", None, None, Schedule(daily_at="03:00", on_activation=True),
             "Pulls the full category tree of the main categories entered in the channel settings."),
    FlowSpec("category_attributes", "Category Attribute and Values", None, None, Schedule(after="category_node"),
             "Pulls the attributes and values of the N11 leaf categories in use."),
    FlowSpec("create_default_attributes", "Create Default Attributes", None, None,
             Schedule(after="category_attributes"),
             "Prepares predefined fields (remote_id, title, ...) for use during product mapping."),
    FlowSpec("compare_attributes", "Compare Attributes", None, None, Schedule(daily_at="04:00"),
             "Updates category attribute values from N11 and reports what changed."),
    FlowSpec("product_create", "Product Create", "send_products_inserted", "product", Schedule(interval_s=300),
             "Sends products entered in the catalog to N11."),
    FlowSpec("product_update", "Product Update", "send_products_inserted", "product", Schedule(interval_s=300),
             "Sends updated products to N11."),
    FlowSpec("product_delete", "Product Delete", "send_delete_products", "product", Schedule(interval_s=300),
             "Sets stock 0 on N11 for products removed from the catalog."),
    FlowSpec("send_delete_product_seller_code", "Send Delete Product Seller Code", "send_delete_product_seller_code",
             "product", Schedule(interval_s=300),
             "Deletes a product listed under another seller code on N11 and creates it anew."),
    FlowSpec("stock", "Stock", "send_updated_product_stock", "productstock", Schedule(interval_s=60),
             "Sends updated stock (minus Buffer Stock) to N11."),
    FlowSpec("price", "Price", "send_updated_product_price", "productprice", Schedule(interval_s=300),
             "Sends updated list and sale prices to N11."),
    FlowSpec("task_results", "Task Results", None, None, Schedule(interval_s=60),
             "Polls N11 product tasks until processed and records per-SKU results."),
    FlowSpec("order_create", "Order Create", "get_orders", "order", Schedule(interval_s=300, extra_interval_s=28800),
             "Imports new orders (and late shipments every 8 hours) from N11."),
    FlowSpec("order_update", "Order Update", "send_update_orders", "order", Schedule(interval_s=300),
             "Sends order status, invoice and tracking number updates to N11."),
    FlowSpec("send_invoice_link", "Send Invoice Link", "send_invoice_link", "order", Schedule(interval_s=300),
             "Sends the invoice link of invoiced orders to N11."),
    FlowSpec("get_updated_orders", "Get Updated Orders", "get_updated_order_items", "order",
             Schedule(daily_at="06:00"),
             "Updates order status and tracking from N11's Shipped/Completed orders of the last 15 days."),
    FlowSpec("cancellation_requests", "Cancellation Requests", "get_cancellation_request", "order",
             Schedule(interval_s=300), "Approves or denies N11 cancellation requests of the last 24 hours."),
    FlowSpec("cancel_refund_orders", "Cancel/Refund Orders", "get_cancel_orders", "order", Schedule(interval_s=300),
             "Writes cancellations and refunds completed on N11 in the last 24 hours."),
    FlowSpec("send_cancel_order_items", "Send Cancel Order Items", "send_cancel_order_items", "order",
             Schedule(interval_s=300), "Sends partial cancellations made locally to N11."),
    FlowSpec("split_packages", "Split Packages", "split_packages", "order", Schedule(webhook=True),
             "Sends package split requests from the OMS to N11."),
    FlowSpec("handle_package_combinations", "Handle Package Combinations", "handle_package_combinations", "order",
             Schedule(interval_s=300), "Reports package combine/separate changes to N11."),
    FlowSpec("reference_data", "Reference Data", None, None, Schedule(daily_at="02:00", on_activation=True),
             "Pulls N11 cities, districts, neighbourhoods and shipment companies."),
    FlowSpec("remote_sync", "N11 State Sync", None, "remote",
             Schedule(interval_s=900, on_activation=True, after_event="event.products_changed"),
             "Reads every product of the store from N11 (product-query) into the snapshot that KPIs, "
             "reports and alarms use; removes what N11 no longer has. Resumes where it stopped."),
    FlowSpec("fix_differences", "Fix Differences", None, "remote_fix", Schedule(after="remote_sync"),
             "Finds SKUs whose price or stock on N11 differs from ours and resends them through the "
             "Price and Stock flows (the seed's \"(FIXED)\" KPIs); records what it fixed."),
)

SPECS: Mapping[str, FlowSpec] = {s.slug: s for s in _SPECS}

# Modules that register flow implementations. A module that does not exist yet is skipped.
FLOW_MODULES: tuple[str, ...] = (
    "n11_desktop.core.flows.category",
    "n11_desktop.core.flows.reference",
    "n11_desktop.core.flows.products",
    "n11_desktop.core.flows.orders",
    "n11_desktop.core.flows.cancellations",
    "n11_desktop.core.flows.packages",
    "n11_desktop.core.flows.remote",
)

FlowFn = Callable[["FlowContext"], "FlowOutcome"]
_IMPLS: dict[str, FlowFn] = {}


def register(slug: str) -> Callable[[FlowFn], FlowFn]:
    if slug not in SPECS:
        raise KeyError(f"unknown flow slug {slug!r}")

    def deco(fn: FlowFn) -> FlowFn:
        _IMPLS[slug] = fn
        return fn

    return deco


def load_flow_modules() -> None:
    for name in FLOW_MODULES:
        importlib.import_module(name)


def implementation(slug: str) -> FlowFn | None:
    load_flow_modules()
    return _IMPLS.get(slug)


def all_specs() -> tuple[FlowSpec, ...]:
    return _SPECS


class FlowNotAvailable(Exception):
    pass


class FlowCancelled(Exception):
    """Raised by ``ctx.check_stop()`` when a cancel was requested; the run ends as cancelled."""


@dataclass
class FlowOutcome:
    total: int = 0
    succeeded: int = 0
    failed: int = 0
    penalized: int = 0
    skipped: int = 0
    message: str = ""
    failed_as_whole: bool = False  # e.g. authentication failure: the run is "failed", exit 1


@dataclass
class FlowContext:
    """Everything a flow needs. Built by :func:`run_flow`; flows never build their own."""

    slug: str
    db: Database
    config: ChannelConfig
    run_id: int
    trigger: str
    clock: Callable[[], datetime] = utcnow
    should_stop: Callable[[], bool] = lambda: False
    on_progress: Callable[[FlowProgress], None] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
    client_factory: Callable[..., N11Client] | None = None
    _client: N11Client | None = None
    _started_mono: float = field(default_factory=time.monotonic)

    @property
    def session_factory(self):
        return self.db.session_factory

    def client(self) -> N11Client:
        """The N11 client for this run (one per run/thread), logging every exchange."""
        if self._client is None:
            self._client = self.new_client()
        return self._client

    def new_client(self) -> N11Client:
        """Another client like :meth:`client`'s, for a helper thread of this run (its own HTTP
        session; the caller closes it)."""
        factory = self.client_factory
        if factory is None:
            from ..n11.client import client_from_config

            factory = client_from_config
        client = factory(self.config.conf, on_exchange=self._log_exchange)
        # the log keeps MAX_LOGGED_BODY characters of a body: the client cuts (and redacts)
        # only that much of a 1000-SKU post instead of half a megabyte (its cut note included)
        limit = getattr(client, "log_body_limit", None)
        if limit is None or limit > _CLIENT_LOG_LIMIT:
            with contextlib.suppress(AttributeError):
                client.log_body_limit = _CLIENT_LOG_LIMIT
        return client

    def check_stop(self) -> None:
        if self.should_stop():
            raise FlowCancelled()

    def progress(self, done: int, total: int, message: str = "") -> None:
        eta = None
        if done and total and done < total:
            elapsed = time.monotonic() - self._started_mono
            eta = elapsed / done * (total - done)
        if self.on_progress is not None:
            self.on_progress(FlowProgress(self.slug, self.run_id, done, total, eta, message))

    def log(self, message: str, *, level: str = "INFO", object_type: str | None = None,
            object_key: str | None = None, request: str | None = None, response: str | None = None) -> None:
        write_log(self.db, message, level=level, flow=self.slug, run_id=self.run_id, object_type=object_type,
                  object_key=object_key, request=request, response=response)

    def _log_exchange(self, exchange: Any) -> None:
        with self.db.engine.begin() as conn:
            insert_log_rows(conn, [self.exchange_log_row(exchange)])

    def exchange_log_row(self, exchange: Any) -> tuple:
        """The log row (:func:`..logrows.log_row`) of one N11 exchange, as :meth:`_log_exchange`
        writes it; the sending thread of a push writes it with the acknowledgement it carried."""
        status = getattr(exchange, "status", None)
        err = getattr(exchange, "error", None)
        level = "ERROR" if err or (status is not None and status >= 400) else "DEBUG"
        msg = f"{exchange.method} {exchange.url} → {status if status is not None else err}"
        req = _clip(getattr(exchange, "request_body", None))
        resp = _clip(getattr(exchange, "response_body", None))
        return log_row(msg, level=level, flow=self.slug, run_id=self.run_id, object_type="n11_call", request=req,
                       response=resp, created_at=utcnow())


def _clip(text: Any) -> str | None:
    if text is None:
        return None
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    text = str(text)
    if len(text) > MAX_LOGGED_BODY:
        return text[:MAX_LOGGED_BODY] + f"\n… ({len(text) - MAX_LOGGED_BODY} more characters)"
    return text


def write_log(db: Database, message: str, *, level: str = "INFO", flow: str | None = None,
              run_id: int | None = None, object_type: str | None = None, object_key: str | None = None,
              request: str | None = None, response: str | None = None) -> None:
    row = log_row(message, level=level, flow=flow, run_id=run_id, object_type=object_type, object_key=object_key,
                  request=request, response=response, created_at=utcnow())
    with db.engine.begin() as conn:  # one driver-level INSERT: no ORM session or object per line
        insert_log_rows(conn, [row])


def run_flow(slug: str, db: Database, *, trigger: str = "manual", clock: Callable[[], datetime] = utcnow,
             should_stop: Callable[[], bool] = lambda: False,
             on_progress: Callable[[FlowProgress], None] | None = None,
             options: Mapping[str, Any] | None = None, client_factory: Callable[..., Any] | None = None,
             require_active: bool = False) -> FlowResult:
    """Run one flow to completion and record it. Never raises for flow failures."""
    spec = SPECS.get(slug)
    if spec is None:
        raise FlowNotAvailable(f"unknown flow {slug!r}; see `n11-desktop flow list`")
    impl = implementation(slug)
    if impl is None:
        raise FlowNotAvailable(f"flow {slug!r} ({spec.name}) is not implemented yet")
    started = clock()
    with db.session_factory.begin() as s:
        config = load_config(s)
        run = FlowRun(flow=slug, trigger=trigger, state=RunState.RUNNING.value, started_at=started)
        s.add(run)
        s.flush()
        run_id = run.id
    ctx = FlowContext(slug=slug, db=db, config=config, run_id=run_id, trigger=trigger, clock=clock,
                      should_stop=should_stop, on_progress=on_progress, options=dict(options or {}),
                      client_factory=client_factory)
    outcome = FlowOutcome()
    state = RunState.DONE
    try:
        if require_active and not config.is_active:
            outcome.message = "channel is inactive; nothing runs until it is activated"
            outcome.failed_as_whole = True
        else:
            outcome = impl(ctx) or FlowOutcome()
        if outcome.failed_as_whole:
            state = RunState.FAILED
    except FlowCancelled:
        state = RunState.CANCELLED
        outcome.message = outcome.message or "cancelled at a safe point"
    except Exception as exc:  # noqa: BLE001 - a run records its failure instead of crashing the app
        state = RunState.FAILED
        outcome.message = _error_line(exc)
        ctx.log(f"{spec.name} failed: {outcome.message}", level="ERROR",
                response=None if _is_n11_error(exc) else _clip(traceback.format_exc()))
        log.warning("flow %s failed: %s", slug, outcome.message)
    ended = clock()
    with db.session_factory.begin() as s:
        run = s.get(FlowRun, run_id)
        run.state = state.value
        run.ended_at = ended
        run.total = outcome.total
        run.processed = outcome.succeeded + outcome.failed + outcome.penalized + outcome.skipped
        run.succeeded = outcome.succeeded
        run.failed = outcome.failed
        run.penalized = outcome.penalized
        run.skipped = outcome.skipped
        run.message = outcome.message
    ctx.log(f"{spec.name}: {state.value} — {_summary(outcome)}", level="INFO" if state is RunState.DONE else "ERROR")
    client = ctx._client
    if client is not None and hasattr(client, "close"):
        client.close()
    return FlowResult(flow=slug, run_id=run_id, state=state, trigger=trigger, started_at=started, ended_at=ended,
                      total=outcome.total, succeeded=outcome.succeeded, failed=outcome.failed,
                      penalized=outcome.penalized, skipped=outcome.skipped, message=outcome.message)


def _is_n11_error(exc: BaseException) -> bool:
    from ..n11.errors import N11Error

    return isinstance(exc, N11Error)


def _error_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if _is_n11_error(exc):
        return text or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _summary(o: FlowOutcome) -> str:
    parts = [f"{o.total} total", f"{o.succeeded} ok"]
    if o.failed:
        parts.append(f"{o.failed} failed")
    if o.penalized:
        parts.append(f"{o.penalized} penalized")
    if o.skipped:
        parts.append(f"{o.skipped} skipped")
    if o.message:
        parts.append(o.message)
    return ", ".join(parts)
