"""The default schema type (seed §2, DESIGN §5): ``{field: {key, label, required, data_type}}``."""

from __future__ import annotations

from typing import Any

# field id -> (label, required, data_type)
_BUILTIN: list[tuple[str, str, bool, str]] = [
    ("app_key", "App Key", True, "text"),
    ("app_secret", "App Secret", True, "text"),
    ("base_url", "Base Url", True, "url"),
    ("sales_url", "Sales Url", True, "url"),
    ("erp_code", "ERP Code", False, "text"),
    ("category_ids", "Category Ids", True, "list"),
    ("feature_flags", "Feature Flags", True, "json"),
    ("deny_reason_id", "Deny Reason Id", True, "integer"),
    ("cancellation_reason_id", "Cancellation Reason Id", True, "integer"),
    ("unsupplied_reason_id", "Unsupplied Reason Id", False, "integer"),
    ("unpacked_reason_id", "Unpacked Reason Id", False, "integer"),
    ("refund_reason_id", "Refund Reason Id", True, "integer"),
    ("cancellation_map", "Cancellation Map", False, "json"),
    ("cargo_company_id", "Cargo Company Id", False, "integer"),
    ("use_neighborhood", "Use Neighborhood", False, "bool"),
    ("failed_integration", "Failed Integration", True, "json"),
    ("send_shipping_info", "Send Shipping Info", False, "bool"),
    ("cancellation_reason_type_id", "Cancellation Reason Type Id", False, "integer"),
    ("attribute_set_strategy", "Attribute Set Strategy", True, "text"),
    ("exclude_cargo_company_ids", "Exclude Cargo Company Ids", False, "list"),
    ("order_start_date", "Order Start Date", False, "date"),
    ("get_discount_amount", "Get Discount Amount", False, "bool"),
    ("order_number_format", "Order Number Format", False, "text"),
    ("use_channel_id_in_address_mapping", "Use Channel ID In Address Mapping", False, "bool"),
    ("buffer_stock", "Buffer Stock", False, "integer"),
    ("oms_enabled", "OMS Enabled", False, "bool"),
]

BUILTIN_FIELDS: tuple[str, ...] = tuple(f for f, *_ in _BUILTIN)


def default_schema() -> dict[str, dict[str, Any]]:
    return {
        fid: {"key": fid, "label": label, "required": required, "data_type": dtype}
        for fid, label, required, dtype in _BUILTIN
    }
