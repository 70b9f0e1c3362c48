"""Validation of channel settings (Qt-free). Every problem is a :class:`FieldError` naming its field."""

from __future__ import annotations

import copy
import math
import re
import string
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from .defaults import (
    ATTRIBUTE_SET_STRATEGY,
    CANCELLATION_REASON_TYPE_IDS,
    DENY_REASON_IDS,
    FAILED_INTEGRATION_RULE_KEYS,
    FAILED_INTEGRATION_TYPES,
    FEATURE_FLAGS,
    FLAG_PREREQUISITES,
    FLAG_PREREQUISITES_FILLED,
    SENT_TO_REMOTE,
    default_conf,
)
from ..inputs import MAX_INT_DIGITS, check_text, check_url
from .schema import INTEGER_LIST_FIELDS, INTEGER_RANGES, LABELS, _kind, base_type, default_schema

# id -> reason type ("cancel" | "refund") of the local cancellation reasons
Reasons = Mapping[int, str]

_DATE_RE = re.compile(r"^\d{2}/\d{2}/\d{4}$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ORDER_NUMBER_PLACEHOLDERS = ("orderNumber", "id")
MAX_TEXT_CHARS = 2000  #: a text setting (a URL, a key, a format) is one line of at most this many characters


@dataclass(frozen=True)
class FieldError:
    field: str  # field id in the schema type (or "schema_type", "is_active", "file", "cancellation_reasons")
    key: str  # conf key the value is stored under ("" when not a conf value)
    message: str  # one line naming the field and the reason

    def __str__(self) -> str:
        return self.message


class _Invalid(Exception):
    pass


# ------------------------------------------------------------------ type coercion
def _as_int(value: Any, what: str = "") -> int:
    if isinstance(value, bool):
        raise _Invalid(f"must be a whole number, not {_kind(value)}")
    if isinstance(value, int):
        if abs(value) >= 10**MAX_INT_DIGITS:
            raise _Invalid(f"{what}must have at most {MAX_INT_DIGITS} digits")
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        if abs(value) >= 10**MAX_INT_DIGITS:
            raise _Invalid(f"{what}must have at most {MAX_INT_DIGITS} digits")
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
        return int(value)
    shown = f" ({value!r})" if isinstance(value, (str, float)) else ""
    raise _Invalid(f"{what}must be a whole number, not {_kind(value)}{shown}")


def coerce(data_type: str, value: Any, *, int_items: bool = False) -> Any:
    """The stored form of ``value`` for ``data_type``; raises _Invalid with the reason."""
    base = base_type(data_type)
    if base == "text":
        if value is None:
            return ""
        if not isinstance(value, str):
            raise _Invalid(f"must be a text, not {_kind(value)}")
        value = value.strip()
        if not value:
            return ""
        try:  # one line, bounded: a CR/LF would break headers, logs and `settings show`
            check_text(value, max_chars=MAX_TEXT_CHARS, allow_newlines=False)
            if data_type == "url":
                check_url(value)
        except ValueError as exc:
            raise _Invalid(str(exc)) from None
        if data_type == "date":
            ok = bool(_DATE_RE.match(value))
            if ok:
                try:
                    datetime.strptime(value, "%d/%m/%Y")
                except ValueError:
                    ok = False
            if not ok:
                raise _Invalid(f"must be a date in dd/MM/yyyy like 30/07/2023, got {value!r}")
        elif data_type == "email":
            if not _EMAIL_RE.match(value):
                raise _Invalid(f"must be an e-mail address like name@example.com, got {value!r}")
        return value
    if base == "integer":
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return _as_int(value)
    if base == "bool":
        if value is None:
            return False
        if not isinstance(value, bool):
            raise _Invalid(f"must be true or false, not {_kind(value)}" + (f" ({value!r})" if isinstance(value, str) else ""))
        return value
    if base == "list":
        if value is None:
            return []
        if not isinstance(value, (list, tuple)):
            raise _Invalid(f"must be a list, not {_kind(value)}" + (f" ({value!r})" if isinstance(value, str) else ""))
        out = []
        for n, item in enumerate(value, 1):
            if int_items:
                try:
                    item = _as_int(item)
                except _Invalid:
                    raise _Invalid(f"item {n} ({item!r}) is not a whole-number id") from None
                if item <= 0:
                    raise _Invalid(f"item {n} ({item}) must be a positive id")
            elif isinstance(item, (list, tuple, dict)) or item is None:
                raise _Invalid(f"item {n} must be a single value, not {_kind(item)}")
            elif isinstance(item, str):
                item = item.strip()
                try:
                    check_text(item, max_chars=MAX_TEXT_CHARS, allow_newlines=False)
                except ValueError as exc:
                    raise _Invalid(f"item {n} {exc}") from None
                if not item:
                    raise _Invalid(f"item {n} is empty")
            out.append(item)
        if int_items and len(set(out)) != len(out):
            dup = sorted({x for x in out if out.count(x) > 1})
            raise _Invalid(f"lists {', '.join(map(str, dup))} more than once")
        return out
    if base == "json":
        if value is None:
            return {}
        if isinstance(value, str):
            raise _Invalid("must be a JSON object ({...}), not a text holding JSON")
        if not isinstance(value, Mapping):
            raise _Invalid(f"must be a JSON object ({{...}}), not {_kind(value)}")
        return copy.deepcopy(dict(value))
    raise _Invalid(f"has an unknown data type {data_type!r}")


# ------------------------------------------------------------------ built-in rules
def _check_feature_flags(value: dict) -> dict:
    unknown = sorted(k for k in value if k not in FEATURE_FLAGS)
    if unknown:
        raise _Invalid(f"unknown flag {', '.join(map(repr, unknown))} (known flags: {', '.join(FEATURE_FLAGS)})")
    bad = sorted(k for k, v in value.items() if not isinstance(v, bool))
    if bad:
        raise _Invalid(f"flag {bad[0]!r} must be true or false, got {value[bad[0]]!r}")
    flags = {name: bool(value.get(name, False)) for name in FEATURE_FLAGS}
    return flags


def _check_failed_integration(value: dict) -> dict:
    known = FAILED_INTEGRATION_TYPES + (SENT_TO_REMOTE,)
    unknown = sorted(k for k in value if k not in known)
    if unknown:
        raise _Invalid(f"unknown content type {', '.join(map(repr, unknown))} (known: {', '.join(known)})")
    if "DEFAULT" not in value:
        raise _Invalid("needs a DEFAULT rule")
    out: dict[str, Any] = {}
    for ctype in FAILED_INTEGRATION_TYPES:
        if ctype not in value:
            continue
        rule = value[ctype]
        if not isinstance(rule, Mapping):
            raise _Invalid(f"{ctype} must be an object with {', '.join(FAILED_INTEGRATION_RULE_KEYS)}")
        extra = sorted(set(rule) - set(FAILED_INTEGRATION_RULE_KEYS))
        if extra:
            raise _Invalid(f"{ctype} has unknown entry {', '.join(map(repr, extra))}")
        clean = {}
        for k in FAILED_INTEGRATION_RULE_KEYS:
            if k not in rule:
                raise _Invalid(f"{ctype} is missing {k}")
            try:
                n = _as_int(rule[k])
            except _Invalid as exc:
                raise _Invalid(f"{ctype}.{k} {exc}") from None
            low = 1 if k == "RETRY_INTERVAL" else 0
            if n < low:
                raise _Invalid(f"{ctype}.{k} must be {low} or more, got {n}")
            clean[k] = n
        out[ctype] = clean
    if SENT_TO_REMOTE in value:
        rule = value[SENT_TO_REMOTE]
        if not isinstance(rule, Mapping) or set(rule) != {"EXPIRATION_HOUR"}:
            raise _Invalid(f"{SENT_TO_REMOTE} must be an object with only EXPIRATION_HOUR")
        hours = rule["EXPIRATION_HOUR"]
        if isinstance(hours, bool) or not isinstance(hours, (int, float)) or not math.isfinite(hours) or hours <= 0:
            raise _Invalid(f"{SENT_TO_REMOTE}.EXPIRATION_HOUR must be a number of hours above 0, got {hours!r}")
        out[SENT_TO_REMOTE] = {"EXPIRATION_HOUR": hours}
    return out


def _check_reason(fid: str, value: int | None, reasons: Reasons | None, kind: str) -> None:
    if value is None or reasons is None:
        return
    if value not in reasons:
        raise _Invalid(f"there is no local cancellation reason with id {value}")
    if reasons[value] != kind:
        raise _Invalid(f"reason {value} is a {reasons[value]} reason; pick a {kind} reason")


def cancellation_map_key(key: Any) -> str:
    """An N11 cancellation reason as N11 sends it (an id such as ``501`` or a code such as
    ``VAZGECTIM``), as the text the map is keyed by; raises when it cannot be one."""
    if isinstance(key, bool) or not isinstance(key, (str, int)):
        raise _Invalid(f"key {key!r} is not an N11 reason id or code")
    text = str(key).strip()
    if not text:
        raise _Invalid("has an empty N11 reason (give the id or code as N11 sends it)")
    if len(text) > 64 or not text.isprintable():
        raise _Invalid(f"key {text[:64]!r} is not an N11 reason id or code (1-64 printable characters)")
    return text


def _map_order(key: str) -> tuple[int, int, str]:
    return (0, int(key), "") if key.isdigit() and len(key) < 19 else (1, 0, key.upper())


def _check_cancellation_map(value: dict, reasons: Reasons | None) -> dict:
    out: dict[str, str] = {}
    folded: dict[str, str] = {}
    for k, v in value.items():
        key = cancellation_map_key(k)
        if key.upper() in folded:
            raise _Invalid(f"N11 reason {key!r} is mapped twice (as {folded[key.upper()]!r} too)")
        folded[key.upper()] = key
        try:
            local = _as_int(v)
        except _Invalid:
            raise _Invalid(f"the value for N11 reason {key} ({v!r}) is not a local reason id") from None
        if reasons is not None and local not in reasons:
            raise _Invalid(f"N11 reason {key} maps to {local}, which is not a local cancellation reason")
        out[key] = str(local)
    return dict(sorted(out.items(), key=lambda kv: _map_order(kv[0])))


def _check_order_number_format(value: str) -> str:
    if not value:
        return value
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise _Invalid(f"has unbalanced braces ({exc})") from None
    names = [p[1] for p in parts if p[1] is not None]
    bad = [n for n in names if n not in ORDER_NUMBER_PLACEHOLDERS]
    if bad:
        raise _Invalid(f"unknown placeholder {{{bad[0]}}}; use {{orderNumber}} and {{id}}")
    if not names:
        raise _Invalid("must contain {orderNumber} or {id}, or be empty")
    return value


def _builtin_rules(fid: str, value: Any, reasons: Reasons | None) -> Any:
    if fid == "feature_flags":
        return _check_feature_flags(value)
    if fid == "failed_integration":
        return _check_failed_integration(value)
    if fid == "cancellation_map":
        return _check_cancellation_map(value, reasons)
    if fid == "deny_reason_id" and value is not None and value not in DENY_REASON_IDS:
        raise _Invalid(f"must be one of {', '.join(map(str, DENY_REASON_IDS))}, got {value}")
    if fid == "cancellation_reason_type_id" and value is not None and value not in CANCELLATION_REASON_TYPE_IDS:
        raise _Invalid(f"must be one of {', '.join(map(str, CANCELLATION_REASON_TYPE_IDS))}, got {value}")
    if fid in ("cancellation_reason_id", "unsupplied_reason_id", "unpacked_reason_id"):
        _check_reason(fid, value, reasons, "cancel")
    if fid == "refund_reason_id":
        _check_reason(fid, value, reasons, "refund")
    if fid == "cargo_company_id" and value is not None and value <= 0:
        raise _Invalid(f"must be a positive id, got {value}")
    if fid == "buffer_stock" and value is not None and value < 0:
        raise _Invalid(f"must not be negative (got {value}); leave it empty for none")
    if fid == "attribute_set_strategy" and value != ATTRIBUTE_SET_STRATEGY:
        raise _Invalid(f"is locked to {ATTRIBUTE_SET_STRATEGY} (should not be changed), got {value!r}")
    if fid == "order_number_format":
        return _check_order_number_format(value)
    if fid == "oms_webhook_token" and value and not re.fullmatch(r"[A-Za-z0-9_\-]{16,128}", value):
        raise _Invalid("must be 16-128 letters, digits, '-' or '_' (use Generate)")
    if fid == "oms_webhook_port" and value is not None and not 1024 <= value <= 65535:
        raise _Invalid(f"must be a port between 1024 and 65535, got {value}")
    if fid in INTEGER_RANGES:
        if value is None:  # empty = the default
            return default_conf()[fid]
        low, high = INTEGER_RANGES[fid]
        if value < low or (high is not None and value > high):
            span = f"between {low} and {high}" if high is not None else f"{low} or more"
            raise _Invalid(f"must be {span}, got {value}")
    return value


# ------------------------------------------------------------------ public API
def normalize(schema: Mapping[str, Mapping[str, Any]] | None, conf: Any, *,
              reasons: Reasons | None = None,
              cargo_companies: Mapping[int, str] | None = None) -> tuple[dict[str, Any], list[FieldError]]:
    """Check ``conf`` against ``schema`` and return the stored form plus every problem.

    Missing built-in values take the seed defaults; feature flags left out are false.
    Flags that are on must have their prerequisites (seed §9) valid.
    ``reasons`` (id -> "cancel"/"refund"), when given, checks reason ids against the local list;
    ``cargo_companies`` (id -> name), when given and not empty, checks Cargo Company Id likewise.
    """
    schema = schema or default_schema()
    errors: list[FieldError] = []
    if not isinstance(conf, Mapping):
        return {}, [FieldError("conf", "", f"Settings: conf must be a JSON object, not {_kind(conf)}")]
    by_key = {str(entry.get("key", fid)): fid for fid, entry in schema.items()}
    for k in conf:
        if str(k) not in by_key:
            errors.append(FieldError(str(k), str(k), f"Unknown setting {k!r}: it is not in the schema type "
                                                      "(add a custom field for it first)"))
    defaults = default_conf()
    out: dict[str, Any] = {}
    invalid: set[str] = set()
    for fid, entry in schema.items():
        key = str(entry.get("key", fid))
        label = LABELS.get(fid) or str(entry.get("label") or fid)
        raw = conf[key] if key in conf else copy.deepcopy(defaults.get(key))
        try:
            value = coerce(str(entry.get("data_type", "text")), raw, int_items=fid in INTEGER_LIST_FIELDS)
            if fid in LABELS:
                value = _builtin_rules(fid, value, reasons)
            if fid == "cargo_company_id" and value is not None and cargo_companies and value not in cargo_companies:
                known = ", ".join(f"{k} {v}" for k, v in sorted(cargo_companies.items())[:8])
                raise _Invalid(f"there is no local cargo company with id {value} (known: {known})")
        except _Invalid as exc:
            errors.append(FieldError(fid, key, f"{label}: {exc}"))
            invalid.add(fid)
            continue
        out[key] = value
    if "feature_flags" not in invalid and "feature_flags" in out:
        for flag, on in out["feature_flags"].items():
            if not on:
                continue
            missing = _missing_for_flag(out, flag, invalid, reasons)
            if missing:
                errors.append(FieldError("feature_flags", "feature_flags",
                                         f"Feature Flags: {flag} cannot be on: needs {', '.join(missing)}"))
    return out, errors


def validate(schema: Mapping[str, Mapping[str, Any]] | None, conf: Any, *,
             reasons: Reasons | None = None, cargo_companies: Mapping[int, str] | None = None) -> list[FieldError]:
    return normalize(schema, conf, reasons=reasons, cargo_companies=cargo_companies)[1]


def _missing_for_flag(conf: Mapping[str, Any], flag: str, invalid: set[str], reasons: Reasons | None) -> list[str]:
    missing = []
    filled = FLAG_PREREQUISITES_FILLED.get(flag, ())
    for fid in FLAG_PREREQUISITES.get(flag, ()):
        label = LABELS[fid]
        if fid in invalid:
            missing.append(f"a valid {label}")
        elif fid in filled and _is_empty(conf.get(fid)):
            missing.append(label)
    if flag == "get_orders" and "cargo_company_id" not in invalid and conf.get("exclude_cargo_company_ids") \
            and conf.get("cargo_company_id") is None:
        missing.append("Cargo Company Id (Exclude Cargo Company Ids is set)")
    return missing


def flag_prerequisites(conf: Mapping[str, Any], flag: str, *, reasons: Reasons | None = None) -> list[str]:
    """Human names of the settings that must be filled or fixed before ``flag`` may be on (seed §9)."""
    if flag not in FEATURE_FLAGS:
        return [f"a known flag (unknown flag {flag!r})"]
    schema = default_schema()
    invalid: set[str] = set()
    values: dict[str, Any] = {}
    for fid in set(FLAG_PREREQUISITES.get(flag, ())) | {"cargo_company_id", "exclude_cargo_company_ids"}:
        try:
            v = coerce(schema[fid]["data_type"], conf.get(fid), int_items=fid in INTEGER_LIST_FIELDS)
            values[fid] = _builtin_rules(fid, v, reasons)
        except _Invalid:
            invalid.add(fid)
    return _missing_for_flag(values, flag, invalid, reasons)


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def activation_errors(schema: Mapping[str, Mapping[str, Any]] | None, conf: Any, *,
                      reasons: Reasons | None = None, secret: str | None = None,
                      cargo_companies: Mapping[int, str] | None = None) -> list[FieldError]:
    """Everything :func:`validate` reports plus every required field left empty.

    ``secret``: the App Secret held by the keyring or its fallback (conf keeps it empty then).
    """
    schema = schema or default_schema()
    out, errors = normalize(schema, conf, reasons=reasons, cargo_companies=cargo_companies)
    bad = {e.field for e in errors}
    for fid, entry in schema.items():
        if not entry.get("required") or fid in bad:
            continue
        key = str(entry.get("key", fid))
        value = out.get(key)
        if fid == "app_secret" and _is_empty(value) and secret:
            continue
        if _is_empty(value):
            label = LABELS.get(fid) or str(entry.get("label") or fid)
            errors.append(FieldError(fid, key, f"{label}: is required"))
    return errors
