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
                 category_ids: list[int] | None = None) -> None:
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
    for step in DEMO_STEPS:
        module_name, _, fn_name = step.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        getattr(module, fn_name)(db)
