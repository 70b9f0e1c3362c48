"""Defaults straight from the seed document (§2, §3, §9)."""

from __future__ import annotations

import copy
from typing import Any

# Seed §9: every flag, with its description and operating frequency. All false by default.
FEATURE_FLAGS: dict[str, dict[str, str]] = {
    "get_orders": {
        "description": 'Pulls orders with "New" and "LATE_SHIPMENT" statuses from N11; lines are created '
        '"waiting for approval" and become "approved" once approved on N11.',
        "schedule": 'Every 5 minutes for "New", every 8 hours for "LATE_SHIPMENT".',
    },
    "send_update_orders": {
        "description": "Sends updated orders to N11 with item-specific shipping company and tracking number; "
        "updates invoice and order status. The tracking number is only sent if Send Shipping Info is active.",
        "schedule": "Every 5 minutes.",
    },
    "split_packages": {
        "description": "Splits N11 orders into multiple packages on a request sent by the OMS web hook.",
        "schedule": "On the OMS web hook (outbound trigger).",
    },
    "send_delete_products": {
        "description": "Sets the stock of products removed from the catalog to 0 on N11.",
        "schedule": "Every 5 minutes.",
    },
    "send_products_inserted": {
        "description": "Sends products added to the catalog to N11 (create / update).",
        "schedule": "Every 5 minutes.",
    },
    "get_updated_order_items": {
        "description": 'Goes back 15 days to fetch "Completed" and "Shipped" orders from N11 and updates '
        "status and tracking number per item.",
        "schedule": "Every morning at 06:00.",
    },
    "get_cancellation_request": {
        "description": '"REQUESTED" cancellation requests of the last 24 hours: denied with Deny Reason Id if '
        "the order has an invoice, otherwise approved on N11.",
        "schedule": "Every 5 minutes.",
    },
    "get_cancel_orders": {
        "description": '"COMPLETED" cancellation requests of the last 24 hours: a refund if the line has an '
        "invoice, else a cancellation (at most 6 cancellation plan attempts).",
        "schedule": "Every 5 minutes.",
    },
    "send_updated_product_price": {
        "description": "Sends updated product prices to N11.",
        "schedule": "Every 5 minutes.",
    },
    "send_updated_product_stock": {
        "description": "Sends updated product stock levels to N11 (stock minus Buffer Stock).",
        "schedule": "Every minute.",
    },
    "handle_package_combinations": {
        "description": 'Reports package changes after an OMS split to N11 as "combine/separate".',
        "schedule": "Every 5 minutes.",
    },
    "send_cancel_order_items": {
        "description": "Sends partial cancellations made locally to N11 as partial cancellations.",
        "schedule": "Every 5 minutes.",
    },
    "send_invoice_link": {
        "description": "Sends the invoice link of invoiced orders to N11.",
        "schedule": "Every 5 minutes.",
    },
    "send_delete_product_seller_code": {
        "description": 'Fixes "listed with XXXX seller code" errors: deletes the product on N11 under the old '
        "seller code and creates it anew.",
        "schedule": "Every 5 minutes.",
    },
}

# Seed §3, exactly as the seed's example.
DEFAULT_FAILED_INTEGRATION: dict[str, Any] = {
    "order": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 3},
    "DEFAULT": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 2},
    "product": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 2},
    "productprice": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 2},
    "productstock": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 2},
    "sent_to_remote": {"EXPIRATION_HOUR": 6},
}

DEFAULT_BASE_URL = "https://api.n11.com/ws/"
DEFAULT_SALES_URL = "https://www.n11.com/"
DEFAULT_ORDER_NUMBER_FORMAT = "{orderNumber}-{id}"
DEFAULT_QUEUE_PAGE_SIZE = 1000  # N11's max SKUs per task
DEFAULT_QUEUE_MAX_TASKS = 100
DEFAULT_GUARD_PRICE_DROP_PCT = 50
DEFAULT_GUARD_STOCK_JUMP = 1000

# Local cancellation reasons seeded so the seed's example ids work (4 cancel, 2 refund, 7 for the map).
DEFAULT_CANCELLATION_REASONS: list[tuple[int, str, str]] = [
    (1, "Customer request", "cancel"),
    (2, "Refund: returned by customer", "refund"),
    (3, "Refund: damaged in transit", "refund"),
    (4, "Cancelled on the marketplace", "cancel"),
    (5, "Out of stock", "cancel"),
    (6, "Wrong price", "cancel"),
    (7, "Cancelled by the marketplace (N11 reason 501)", "cancel"),
]


def default_flags() -> dict[str, bool]:
    return {name: False for name in FEATURE_FLAGS}


def default_failed_integration() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_FAILED_INTEGRATION)


def default_conf() -> dict[str, Any]:
    """Values for a fresh channel (seed §2: pre-filled where the seed says so, empty otherwise)."""
    return {
        "app_key": "",
        "app_secret": "",
        "base_url": DEFAULT_BASE_URL,
        "sales_url": DEFAULT_SALES_URL,
        "erp_code": "",
        "category_ids": [],
        "feature_flags": default_flags(),
        "deny_reason_id": None,
        "cancellation_reason_id": None,
        "unsupplied_reason_id": None,
        "unpacked_reason_id": None,
        "refund_reason_id": None,
        "cancellation_map": {},
        "cargo_company_id": None,
        "use_neighborhood": False,
        "failed_integration": default_failed_integration(),
        "send_shipping_info": False,
        "cancellation_reason_type_id": None,
        "attribute_set_strategy": "CategoryNode",
        "exclude_cargo_company_ids": [],
        "order_start_date": "",
        "get_discount_amount": False,
        "order_number_format": "",
        "use_channel_id_in_address_mapping": False,
        "buffer_stock": None,
        "oms_enabled": False,
        "oms_webhook_token": "",
        "oms_webhook_port": 8765,
        # Sending (n11-desktop); the same defaults as core/products_send.py
        "queue_page_size": DEFAULT_QUEUE_PAGE_SIZE,
        "queue_max_tasks": DEFAULT_QUEUE_MAX_TASKS,
        "guard_price_drop_pct": DEFAULT_GUARD_PRICE_DROP_PCT,
        "guard_stock_jump": DEFAULT_GUARD_STOCK_JUMP,
    }


# Seed §2: allowed values of the N11-side reason ids.
DENY_REASON_IDS: dict[int, str] = {
    61: "Out of Stock Product",
    62: "Campaign Ended",
    63: "Product Delivered in Good Condition",
    64: "Product Damaged",
    81: "Product Not Accepted for Return Due to Legislation",
}
CANCELLATION_REASON_TYPE_IDS: dict[int, str] = {
    61: "Out of Stock",
    62: "Defective/Flawed/Damaged Product",
    63: "Incorrect Price",
    64: "Force Majeure",
    65: "Other",
}
ATTRIBUTE_SET_STRATEGY = "CategoryNode"
REASON_TYPES: tuple[str, ...] = ("cancel", "refund")

# Seed §3: the content types of the Failed Integration setting and what each value means.
FAILED_INTEGRATION_TYPES: tuple[str, ...] = ("order", "product", "productprice", "productstock", "DEFAULT")
FAILED_INTEGRATION_RULE_KEYS: tuple[str, ...] = ("RETRY_INTERVAL", "EXPIRATION_DATE", "MAX_RETRY_COUNT")
SENT_TO_REMOTE = "sent_to_remote"
FAILED_INTEGRATION_HELP: dict[str, str] = {
    "RETRY_INTERVAL": "Seconds to wait after an error before the record is tried again.",
    "EXPIRATION_DATE": "Seconds after the error until which the system keeps retrying.",
    "MAX_RETRY_COUNT": "The maximum number of retry attempts.",
    "EXPIRATION_HOUR": "sent_to_remote: hours N11 is given to return the result of a request once it was sent.",
    "DEFAULT": "DEFAULT applies to every content type without its own rule.",
    "changes": "A change applies to the next runs; records already in the penalty box keep their period.",
}

# Seed §9: settings that must be valid before a flag may be switched on (field ids).
# get_orders: every order setting of seed §2 must be valid and Order Start Date must be set;
# a Cargo Company Id is needed when cargo companies are excluded (their orders use it).
FLAG_PREREQUISITES: dict[str, tuple[str, ...]] = {
    "get_orders": ("cargo_company_id", "use_neighborhood", "send_shipping_info", "exclude_cargo_company_ids",
                   "order_start_date", "use_channel_id_in_address_mapping", "get_discount_amount",
                   "order_number_format", "oms_enabled"),
    "send_products_inserted": ("buffer_stock",),
    "send_updated_product_stock": ("buffer_stock",),
    "get_cancellation_request": ("deny_reason_id",),
    "get_cancel_orders": ("cancellation_reason_id", "cancellation_map", "refund_reason_id"),
    "send_cancel_order_items": ("cancellation_reason_type_id",),
    "split_packages": ("oms_webhook_token", "oms_webhook_port"),
}
# Of those, the ones that must also be filled in (the others only need to be valid; empty is allowed).
FLAG_PREREQUISITES_FILLED: dict[str, tuple[str, ...]] = {
    "get_orders": ("order_start_date",),
    "get_cancellation_request": ("deny_reason_id",),
    "get_cancel_orders": ("cancellation_reason_id", "refund_reason_id"),
    "send_cancel_order_items": ("cancellation_reason_type_id",),
    "split_packages": ("oms_webhook_token",),
}
