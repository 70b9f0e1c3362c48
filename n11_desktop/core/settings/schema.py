"""The schema type (seed §2, DESIGN §5): ``{field: {key, label, required, data_type}}``.

The built-in fields come from seed §2 and are locked; users may add their own fields (the
seed's example: ``"store_code": {"key": "StoreCode", "label": "Mağaza Kodu", ...}``), whose
values are stored in the conf under their ``key``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

# Base data types of the seed plus refinements (a refinement is stored like its base type).
BASE_DATA_TYPES: tuple[str, ...] = ("list", "text", "integer", "bool", "json")
REFINEMENTS: dict[str, str] = {"url": "text", "date": "text", "email": "text"}
DATA_TYPES: tuple[str, ...] = BASE_DATA_TYPES + tuple(REFINEMENTS)
SCHEMA_ENTRY_KEYS: tuple[str, ...] = ("key", "label", "required", "data_type")

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
    # the split_packages flag's OMS web hook (seed §9 "a web hook is created"): n11-desktop serves it
    ("oms_webhook_token", "OMS Web Hook Token", False, "text"),
    ("oms_webhook_port", "OMS Web Hook Port", False, "integer"),
    # ---- "Sending (n11-desktop)": not in seed §2; how n11-desktop pages product sends and guards them
    ("queue_page_size", "Queue Page Size", False, "integer"),
    ("queue_max_tasks", "Queue Max Tasks", False, "integer"),
    ("guard_price_drop_pct", "Guard: Price Drop %", False, "integer"),
    ("guard_stock_jump", "Guard: Stock Jump", False, "integer"),
]

BUILTIN_FIELDS: tuple[str, ...] = tuple(f for f, *_ in _BUILTIN)
# The built-in fields n11-desktop adds after the seed's §2 fields, shown as their own group.
SENDING_GROUP = "Sending (n11-desktop)"
SENDING_FIELDS: tuple[str, ...] = ("queue_page_size", "queue_max_tasks", "guard_price_drop_pct", "guard_stock_jump")
SEED_FIELDS: tuple[str, ...] = tuple(f for f in BUILTIN_FIELDS if f not in SENDING_FIELDS)
# field id -> (lowest, highest or None) for the Sending fields; empty means the default
INTEGER_RANGES: dict[str, tuple[int, int | None]] = {
    "queue_page_size": (1, 1000),
    "queue_max_tasks": (1, 1000),
    "guard_price_drop_pct": (1, 100),
    "guard_stock_jump": (1, None),
}
LABELS: dict[str, str] = {f: label for f, label, *_ in _BUILTIN}

# Built-in list fields whose items are integer ids.
INTEGER_LIST_FIELDS: frozenset[str] = frozenset({"category_ids", "exclude_cargo_company_ids"})
# Fields whose value "should not be changed" (seed §2).
LOCKED_FIELDS: frozenset[str] = frozenset({"attribute_set_strategy"})
SECRET_FIELDS: frozenset[str] = frozenset({"app_secret"})
# Fields operators added as custom fields before they became built in (the split_packages web hook):
# such a stored entry is taken over by the built-in field without complaint.
FORMER_USER_FIELDS: frozenset[str] = frozenset({"oms_webhook_token", "oms_webhook_port"})

# Short help shown next to built-in fields (seed §2 wording, shortened).
HELP: dict[str, str] = {
    "app_key": "Obtained from N11.",
    "app_secret": "Obtained from N11. Kept in the system keyring when available.",
    "base_url": "API URL for N11.",
    "sales_url": "N11 site URL.",
    "erp_code": "Sales channel code for N11 in the ERP (e.g. 4000).",
    "category_ids": "Main N11 category ids used by this channel.",
    "deny_reason_id": "Used when a cancellation request is denied (order has an invoice).",
    "cancellation_reason_id": "Local cancel reason written for orders cancelled on N11.",
    "unsupplied_reason_id": "Local cancel reason for \"Unsupplied\" packages.",
    "unpacked_reason_id": "Local cancel reason for \"Unpacked\" packages.",
    "refund_reason_id": "Local refund reason for invoiced cancelled lines.",
    "cancellation_map": ("N11 reason, as N11 sends it (an id such as 501 or a code such as VAZGECTIM) → local "
                         "reason id; empty = Cancellation Reason Id for all."),
    "cargo_company_id": "Local cargo company for incoming orders; empty = the cargo company mapping.",
    "use_neighborhood": "Use the neighborhood of shipping and billing addresses.",
    "send_shipping_info": "On: the brand manages shipping (tracking numbers are sent). Off: N11 does.",
    "cancellation_reason_type_id": "Sent with partial cancellations (needed by send_cancel_order_items).",
    "attribute_set_strategy": "Should not be changed.",
    "exclude_cargo_company_ids": "N11 cargo companies to ignore; their orders use Cargo Company Id.",
    "order_start_date": "Start date of the order integration (dd/MM/yyyy).",
    "get_discount_amount": "Use the discount information of orders.",
    "order_number_format": "Placeholders {orderNumber} and {id}; empty = {orderNumber}-{id}.",
    "use_channel_id_in_address_mapping": "Prefix address mapping with the channel id.",
    "buffer_stock": "Deducted from stock sent to N11; empty = none.",
    "oms_enabled": "Write the OMS package tracking number from N11's campaignNumber.",
    "oms_webhook_token": ("split_packages: the token the OMS sends (Authorization: Token …) to the split-package "
                          "web hook. Generate one and give it to the OMS."),
    "oms_webhook_port": "split_packages: the loopback port the web hook listens on (default 8765).",
    "queue_page_size": "SKUs per N11 task (1–1000; N11 accepts at most 1000). Default 1000.",
    "queue_max_tasks": "At most this many tasks (pages) per product run (1–1000). Default 100.",
    "guard_price_drop_pct": "Send preview warns when a price drops by more than this percent (1–100). Default 50.",
    "guard_stock_jump": "Send preview warns when stock rises by more than this many units over what N11 last got "
                        "(1 or more). Default 1000.",
}

_KEY_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,99}$")


@dataclass(frozen=True)
class SchemaError:
    field: str
    message: str


def base_type(data_type: str) -> str:
    return REFINEMENTS.get(data_type, data_type)


def default_schema() -> dict[str, dict[str, Any]]:
    return {
        fid: {"key": fid, "label": label, "required": required, "data_type": dtype}
        for fid, label, required, dtype in _BUILTIN
    }


def is_builtin(field_id: str) -> bool:
    return field_id in LABELS


def user_fields(schema: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    return {fid: dict(entry) for fid, entry in schema.items() if not is_builtin(fid)}


def merge_schema(schema_in: Any) -> tuple[dict[str, dict[str, Any]], list[SchemaError]]:
    """Check a schema type and return it completed with every built-in field.

    Built-in entries may be left out (they are added) or repeated unchanged; the seed's own
    example writes ``base_url`` as ``text``, which is accepted for the ``url`` refinement.
    User fields need a key, a label, a boolean ``required`` and a known data type; keys must be unique.
    """
    errors: list[SchemaError] = []
    result = default_schema()
    if schema_in is None:
        return result, errors
    if not isinstance(schema_in, Mapping):
        return result, [SchemaError("schema_type", f"Schema Type: must be a JSON object, not {_kind(schema_in)}")]
    builtin = default_schema()
    used_keys = {e["key"]: fid for fid, e in builtin.items()}
    for fid, entry in schema_in.items():
        fid = str(fid)
        where = f"Schema Type field '{fid}'"
        if not isinstance(entry, Mapping):
            errors.append(SchemaError(fid, f"{where}: must be an object with key, label, required, data_type"))
            continue
        if fid in builtin and fid in FORMER_USER_FIELDS and entry.get("key", fid) == fid:
            continue  # a custom field of older versions that is built in now: the built-in one takes over
        if fid in builtin:
            want = builtin[fid]
            for k in SCHEMA_ENTRY_KEYS:
                if k not in entry:
                    continue
                got = entry[k]
                ok = got == want[k]
                if k == "data_type" and not ok:
                    ok = got == base_type(want[k])
                if k == "required" and not isinstance(got, bool):
                    ok = False
                if not ok:
                    errors.append(SchemaError(
                        fid, f"{where}: built-in fields cannot be changed ({k} must stay {want[k]!r}, got {got!r})"))
            extra = sorted(set(entry) - set(SCHEMA_ENTRY_KEYS))
            if extra:
                errors.append(SchemaError(fid, f"{where}: unknown entry {', '.join(map(repr, extra))}"))
            continue
        if not _KEY_RE.match(fid):
            errors.append(SchemaError(fid, f"{where}: the field name must start with a letter and use letters, "
                                           "digits, _ . - only"))
            continue
        problems = []
        missing = [k for k in SCHEMA_ENTRY_KEYS if k not in entry]
        if missing:
            problems.append(f"missing {', '.join(missing)}")
        extra = sorted(set(entry) - set(SCHEMA_ENTRY_KEYS))
        if extra:
            problems.append(f"unknown entry {', '.join(map(repr, extra))}")
        key = entry.get("key")
        if "key" in entry and (not isinstance(key, str) or not _KEY_RE.match(key)):
            problems.append(f"key {key!r} must start with a letter and use letters, digits, _ . - only")
        label = entry.get("label")
        if "label" in entry and (not isinstance(label, str) or not label.strip()):
            problems.append("label must be a non-empty text")
        if "required" in entry and not isinstance(entry.get("required"), bool):
            problems.append(f"required must be true or false, got {entry.get('required')!r}")
        dtype = entry.get("data_type")
        if "data_type" in entry and dtype not in DATA_TYPES:
            problems.append(f"data_type {dtype!r} is not one of {', '.join(DATA_TYPES)}")
        if isinstance(key, str) and key in used_keys:
            problems.append(f"key {key!r} is already used by field '{used_keys[key]}'")
        if problems:
            errors.append(SchemaError(fid, f"{where}: " + "; ".join(problems)))
            continue
        used_keys[key] = fid
        result[fid] = {"key": key, "label": label.strip(), "required": entry["required"], "data_type": dtype}
    return result, errors


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return "empty" if value is None else type(value).__name__
