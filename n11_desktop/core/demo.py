"""Demo profile: a channel configured against the built-in sandbox (no Qt, no sandbox import).

Later parts add to ``prepare_demo`` through ``DEMO_STEPS`` (catalog, mappings, first flows);
each step is ``fn(db) -> None`` and runs in order. A step module that does not exist yet is skipped.
"""

from __future__ import annotations

import importlib
import logging

from .settings import ensure_channel
from .storage.db import Database

log = logging.getLogger(__name__)

# Top-level N11 categories used by the demo (ids from N11's real tree).
DEMO_CATEGORY_IDS = [1001770, 1001873, 1001935]  # Ayakkabı & Çanta, Erkek Giyim & Aksesuar, Kadın Giyim & Aksesuar

DEMO_STEPS: tuple[str, ...] = (
    "n11_desktop.core.catalog.demo:seed_demo_catalog",
    "n11_desktop.core.mapping.demo:seed_demo_mappings",
    "n11_desktop.core.orders.demo:seed_demo_orders_setup",
)


def prepare_demo(db: Database, *, base_url: str, app_key: str, app_secret: str,
                 category_ids: list[int] | None = None, steps: tuple[str, ...] | None = None) -> None:
    with db.session_factory.begin() as s:
        channel = ensure_channel(s)
        conf = dict(channel.conf or {})
        conf.update({
            "base_url": base_url,
            "app_key": app_key,
            "app_secret": app_secret,
            "category_ids": list(category_ids or DEMO_CATEGORY_IDS),
            "deny_reason_id": 81,
            "cancellation_reason_id": 4,
            "refund_reason_id": 2,
            "cancellation_map": {"501": "7", "551": "4"},
            "cancellation_reason_type_id": 65,
            "order_start_date": "01/11/2026",
            "buffer_stock": 0,
        })
        flags = dict(conf.get("feature_flags") or {})
        for name in flags:
            flags[name] = name not in ("split_packages", "handle_package_combinations",
                                       "send_delete_product_seller_code")
        conf["feature_flags"] = flags
        channel.conf = conf
        channel.is_active = True
    for step in DEMO_STEPS if steps is None else steps:
        module_name, _, fn_name = step.partition(":")
        getattr(importlib.import_module(module_name), fn_name)(db)


def warm_up_demo(db: Database) -> None:
    """Send the demo catalog to the sandbox and read N11's view back, so every screen has data.

    The scheduler does the same on its first pass in the running app; screenshot mode has no
    scheduler, so it calls this instead.
    """
    from datetime import datetime, timezone

    from .flows import run_flow
    from .metrics import take_snapshot
    from .n11.client import client_from_config
    from .reconcile import reconcile_remote
    from .settings import load_config

    for slug in ("product_create", "task_results", "stock", "price", "task_results"):
        run_flow(slug, db, trigger="startup", options={"wait_s": 8})
    with db.session_factory() as s:
        cfg = load_config(s)
    import time

    from sqlalchemy import func, select

    from .storage.models import RemoteProduct

    client = client_from_config(cfg.conf)
    try:  # read N11's view back until its catalog approval is through (a few seconds in the sandbox)
        deadline = time.monotonic() + 15
        while True:
            reconcile_remote(db, client, datetime.now(timezone.utc).replace(tzinfo=None))
            with db.session_factory() as s:
                waiting = s.scalar(select(func.count()).select_from(RemoteProduct)
                                   .where(RemoteProduct.status == "InCatalogApproval"))
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    finally:
        client.close()
    run_flow("product_update", db, trigger="startup")  # records N11's approvals in the ledger
    with db.session_factory.begin() as s:
        take_snapshot(s, datetime.now(timezone.utc).replace(tzinfo=None), buffer_stock=cfg.buffer_stock)


#: In the demo every timed flow runs this many times more often (5 min → 30 s), so orders arrive
#: and sends go out while the operator watches. Daily flows keep their time of day.
DEMO_SPEED = 10


def demo_specs():
    """The flow specs with the demo's faster cadence (the real app keeps DESIGN §6's schedules)."""
    from dataclasses import replace

    from .flows.base import all_specs

    out = []
    for spec in all_specs():
        sch = spec.schedule
        if sch.interval_s or sch.extra_interval_s:
            sch = replace(sch, interval_s=max(10, sch.interval_s // DEMO_SPEED) if sch.interval_s else None,
                          extra_interval_s=max(60, sch.extra_interval_s // DEMO_SPEED) if sch.extra_interval_s else None)
            spec = replace(spec, schedule=sch)
        out.append(spec)
    return tuple(out)
