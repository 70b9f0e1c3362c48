"""Bad settings input (DESIGN §5, §11): each gets a clear message naming its field, and the
stored settings stay exactly as they were."""

from __future__ import annotations

import json

import pytest

from n11_desktop.core.settings import export_settings, import_settings, save_settings
from n11_desktop.core.settings import secrets

GOOD = {
    "app_key": "key-123",
    "app_secret": "s3cret-value",
    "category_ids": [1001770],
    "deny_reason_id": 81,
    "cancellation_reason_id": 4,
    "refund_reason_id": 2,
}
CUSTOM = {"store_code": {"key": "StoreCode", "label": "Mağaza Kodu", "required": True, "data_type": "text"}}

# (what is wrong, conf given, words the message must contain)
BAD_CONF = [
    ("bad url", {"base_url": "api.n11.com/ws"}, ["Base Url", "http(s) URL"]),
    ("url is a number", {"sales_url": 5}, ["Sales Url", "must be a text"]),
    ("ftp url", {"base_url": "ftp://api.n11.com/"}, ["Base Url", "URL"]),
    ("app key is a list", {"app_key": ["a"]}, ["App Key", "must be a text"]),
    ("app secret is a number", {"app_secret": 1234}, ["App Secret", "must be a text"]),
    ("category ids not a list", {"category_ids": "1001770"}, ["Category Ids", "must be a list"]),
    ("category id not a number", {"category_ids": [1001770, "abc"]}, ["Category Ids", "item 2", "'abc'"]),
    ("category id negative", {"category_ids": [-4]}, ["Category Ids", "positive"]),
    ("category id twice", {"category_ids": [5, 5]}, ["Category Ids", "more than once"]),
    ("flags not an object", {"feature_flags": ["get_orders"]}, ["Feature Flags", "JSON object"]),
    ("flags as JSON text", {"feature_flags": '{"get_orders": false}'}, ["Feature Flags", "not a text"]),
    ("unknown flag", {"feature_flags": {"get_everything": True}}, ["Feature Flags", "unknown flag 'get_everything'"]),
    ("flag not bool", {"feature_flags": {"send_invoice_link": "yes"}}, ["Feature Flags", "send_invoice_link",
                                                                        "true or false"]),
    ("flag without prerequisite", {"feature_flags": {"send_cancel_order_items": True}},
     ["Feature Flags", "send_cancel_order_items", "Cancellation Reason Type Id"]),
    ("get_orders without start date", {"feature_flags": {"get_orders": True}}, ["get_orders", "Order Start Date"]),
    ("deny reason not allowed", {"deny_reason_id": 70}, ["Deny Reason Id", "61, 62, 63, 64, 81"]),
    ("deny reason wrong type", {"deny_reason_id": "eighty"}, ["Deny Reason Id", "whole number"]),
    ("deny reason bool", {"deny_reason_id": True}, ["Deny Reason Id", "whole number"]),
    ("reason type out of range", {"cancellation_reason_type_id": 66}, ["Cancellation Reason Type Id", "61, 62"]),
    ("unknown local reason", {"cancellation_reason_id": 99}, ["Cancellation Reason Id", "no local cancellation reason"]),
    ("refund reason is a cancel reason", {"refund_reason_id": 4}, ["Refund Reason Id", "pick a refund reason"]),
    ("cancel reason is a refund reason", {"unsupplied_reason_id": 2}, ["Unsupplied Reason Id", "cancel reason"]),
    ("web hook token too short", {"oms_webhook_token": "abc"}, ["OMS Web Hook Token", "16-128"]),
    ("web hook token with spaces", {"oms_webhook_token": "a b c d e f g h i j k"}, ["OMS Web Hook Token"]),
    ("web hook port too low", {"oms_webhook_port": 80}, ["OMS Web Hook Port", "1024 and 65535"]),
    ("split_packages without a token", {"feature_flags": {"split_packages": True}},
     ["split_packages", "OMS Web Hook Token"]),
    ("map key empty", {"cancellation_map": {" ": "7"}}, ["Cancellation Map", "empty N11 reason"]),
    ("map key too long", {"cancellation_map": {"X" * 65: "7"}}, ["Cancellation Map", "1-64 printable"]),
    ("map key twice", {"cancellation_map": {"vazgectim": "7", "VAZGECTIM": "4"}}, ["Cancellation Map", "twice"]),
    ("map value unknown", {"cancellation_map": {"501": "77"}}, ["Cancellation Map", "501", "77"]),
    ("map not an object", {"cancellation_map": [["501", "7"]]}, ["Cancellation Map", "JSON object"]),
    ("cargo company negative", {"cargo_company_id": -1}, ["Cargo Company Id", "positive"]),
    ("cargo company float", {"cargo_company_id": 1.5}, ["Cargo Company Id", "whole number"]),
    ("exclude ids text", {"exclude_cargo_company_ids": "132,159"}, ["Exclude Cargo Company Ids", "list"]),
    ("neighborhood as text", {"use_neighborhood": "true"}, ["Use Neighborhood", "true or false"]),
    ("shipping info as number", {"send_shipping_info": 1}, ["Send Shipping Info", "true or false"]),
    ("fi unknown type", {"failed_integration": {"DEFAULT": {"RETRY_INTERVAL": 1, "EXPIRATION_DATE": 1,
                                                            "MAX_RETRY_COUNT": 1}, "prodcut": {}}},
     ["Failed Integration", "unknown content type 'prodcut'"]),
    ("fi without DEFAULT", {"failed_integration": {"order": {"RETRY_INTERVAL": 1, "EXPIRATION_DATE": 1,
                                                             "MAX_RETRY_COUNT": 1}}}, ["Failed Integration", "DEFAULT"]),
    ("fi negative", {"failed_integration": {"DEFAULT": {"RETRY_INTERVAL": 10, "EXPIRATION_DATE": -5,
                                                        "MAX_RETRY_COUNT": 1}}},
     ["Failed Integration", "DEFAULT.EXPIRATION_DATE", "0 or more"]),
    ("fi missing key", {"failed_integration": {"DEFAULT": {"RETRY_INTERVAL": 10, "EXPIRATION_DATE": 5}}},
     ["Failed Integration", "missing MAX_RETRY_COUNT"]),
    ("fi text value", {"failed_integration": {"DEFAULT": {"RETRY_INTERVAL": "8h", "EXPIRATION_DATE": 5,
                                                          "MAX_RETRY_COUNT": 1}}}, ["Failed Integration", "RETRY_INTERVAL"]),
    ("fi hours zero", {"failed_integration": {"DEFAULT": {"RETRY_INTERVAL": 1, "EXPIRATION_DATE": 1, "MAX_RETRY_COUNT": 1},
                                              "sent_to_remote": {"EXPIRATION_HOUR": 0}}},
     ["Failed Integration", "EXPIRATION_HOUR"]),
    ("strategy changed", {"attribute_set_strategy": "Brand"}, ["Attribute Set Strategy", "CategoryNode"]),
    ("date iso", {"order_start_date": "2023-07-30"}, ["Order Start Date", "dd/MM/yyyy"]),
    ("date impossible", {"order_start_date": "31/02/2023"}, ["Order Start Date", "dd/MM/yyyy"]),
    ("date us order", {"order_start_date": "07/30/2023"}, ["Order Start Date", "dd/MM/yyyy"]),
    ("discount as text", {"get_discount_amount": "Passive"}, ["Get Discount Amount", "true or false"]),
    ("order number placeholder", {"order_number_format": "N11-{order}"}, ["Order Number Format", "{order}"]),
    ("order number braces", {"order_number_format": "N11-{orderNumber"}, ["Order Number Format", "braces"]),
    ("buffer stock negative", {"buffer_stock": -3}, ["Buffer Stock", "negative"]),
    ("buffer stock text", {"buffer_stock": "three"}, ["Buffer Stock", "whole number"]),
    ("oms as null list", {"oms_enabled": []}, ["OMS Enabled", "true or false"]),
    ("unknown setting", {"StoreKode": "x"}, ["'StoreKode'", "schema type"]),
    ("custom field wrong type", {"StoreCode": 12}, ["Mağaza Kodu", "must be a text"]),
    ("missing required while active", {"category_ids": []}, ["Category Ids", "required"]),
    ("missing required custom while active", {"StoreCode": ""}, ["Mağaza Kodu", "required"]),
]

# (what is wrong, file text, words the message must contain)
BAD_FILES = [
    ("not json", "{conf: }", ["Settings file", "not valid JSON", "line 1"]),
    ("json list", "[1, 2]", ["Settings file", "JSON object"]),
    ("no conf", '{"is_active": false}', ["Settings file", "conf"]),
    ("conf is a list", '{"conf": []}', ["conf must be a JSON object"]),
    ("unknown top-level", '{"conf": {}, "active": true}', ["Settings file", "'active'"]),
    ("is_active text", '{"conf": {}, "is_active": "yes"}', ["is_active", "true or false"]),
    ("activate incomplete", '{"conf": {"app_key": ""}, "is_active": true}', ["App Key", "required"]),
    ("schema changes built-in", '{"conf": {}, "schema_type": {"base_url": {"key": "url", "label": "Base Url", '
                                '"required": true, "data_type": "text"}}}', ["base_url", "built-in", "key"]),
    ("schema bad data type", '{"conf": {}, "schema_type": {"x": {"key": "X", "label": "X", "required": false, '
                             '"data_type": "float"}}}', ["'x'", "data_type 'float'"]),
    ("schema duplicate key", '{"conf": {}, "schema_type": {"x": {"key": "app_key", "label": "X", '
                             '"required": false, "data_type": "text"}}}', ["'x'", "already used"]),
    ("schema required text", '{"conf": {}, "schema_type": {"x": {"key": "X", "label": "X", "required": "yes", '
                             '"data_type": "text"}}}', ["'x'", "required must be true or false"]),
    ("schema missing label", '{"conf": {}, "schema_type": {"x": {"key": "X", "required": false, '
                             '"data_type": "text"}}}', ["'x'", "missing label"]),
    ("schema not object", '{"conf": {}, "schema_type": [1]}', ["Schema Type", "JSON object"]),
]


@pytest.fixture
def active_db(db, monkeypatch):
    monkeypatch.setenv(secrets.ENV, "none")
    with db.session_factory.begin() as s:
        assert save_settings(s, dict(GOOD, StoreCode="M-1"), CUSTOM) == []
        from n11_desktop.core.settings import activate

        assert activate(s) == []
    return db


def _state(db) -> str:
    with db.session_factory.begin() as s:
        return export_settings(s, include_secret=True)


def _check(errors, words) -> None:
    assert errors, "invalid input was accepted"
    text = " | ".join(e.message for e in errors)
    for w in words:
        assert w in text, f"{w!r} not in {text!r}"


@pytest.mark.parametrize("what,conf,words", BAD_CONF, ids=[c[0] for c in BAD_CONF])
def test_invalid_conf_is_refused_by_save(active_db, what, conf, words):
    before = _state(active_db)
    with active_db.session_factory() as s:
        s.begin()
        errors = save_settings(s, conf)
        s.rollback()
    _check(errors, words)
    assert _state(active_db) == before


@pytest.mark.parametrize("what,conf,words", BAD_CONF, ids=[c[0] for c in BAD_CONF])
def test_invalid_conf_is_refused_by_import(active_db, what, conf, words):
    before = _state(active_db)
    with active_db.session_factory() as s:
        s.begin()
        errors = import_settings(s, json.dumps({"conf": conf}))
        s.rollback()
    _check(errors, words)
    assert _state(active_db) == before


@pytest.mark.parametrize("what,text,words", BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_invalid_file_is_refused(active_db, what, text, words):
    before = _state(active_db)
    with active_db.session_factory() as s:
        s.begin()
        errors = import_settings(s, text)
        s.rollback()
    _check(errors, words)
    assert _state(active_db) == before


def test_every_problem_is_listed_at_once(active_db):
    with active_db.session_factory() as s:
        s.begin()
        errors = import_settings(s, json.dumps({"conf": {"buffer_stock": -1, "order_start_date": "2023",
                                                         "base_url": "nope", "feature_flags": {"x": True}}}))
        s.rollback()
    assert {e.field for e in errors} == {"buffer_stock", "order_start_date", "base_url", "feature_flags"}
