"""Channel settings core (seed §2, §3, §9; DESIGN §5): defaults, schema, validation, save,
activation, export/import and the secret store. No Qt."""

from __future__ import annotations

import json

import pytest

from n11_desktop.core.logsetup import redact
from n11_desktop.core.settings import (
    FEATURE_FLAGS,
    activate,
    deactivate,
    default_conf,
    default_schema,
    export_settings,
    flag_prerequisites,
    import_settings,
    load_config,
    load_settings,
    save_settings,
    validate,
)
from n11_desktop.core.settings import secrets
from n11_desktop.core.storage.models import SecretValue

SEED_FI = {
    "order": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 3},
    "DEFAULT": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 2},
    "product": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 2},
    "productprice": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 2},
    "productstock": {"RETRY_INTERVAL": 28800, "EXPIRATION_DATE": 57601, "MAX_RETRY_COUNT": 2},
    "sent_to_remote": {"EXPIRATION_HOUR": 6},
}

READY = {  # the seed's examples: enough to activate
    "app_key": "key-123",
    "app_secret": "s3cret-value",
    "category_ids": [1001770, 1002032, 1001873],
    "deny_reason_id": 81,
    "cancellation_reason_id": 4,
    "refund_reason_id": 2,
}


@pytest.fixture(autouse=True)
def _db_secret_store(monkeypatch):
    monkeypatch.setenv(secrets.ENV, "none")  # never touch a real keyring


def _snapshot(db) -> str:
    with db.session_factory.begin() as s:
        return export_settings(s, include_secret=True)


def _save(db, conf, schema=None, **kw):
    with db.session_factory() as s:
        s.begin()
        errors = save_settings(s, conf, schema, **kw)
        (s.rollback if errors else s.commit)()
    return errors


def _import(db, text):
    with db.session_factory() as s:
        s.begin()
        errors = import_settings(s, text)
        (s.rollback if errors else s.commit)()
    return errors


def _activate(db):
    with db.session_factory() as s:
        s.begin()
        errors = activate(s)
        (s.rollback if errors else s.commit)()
    return errors


# ------------------------------------------------------------------ defaults
def test_defaults_follow_the_seed(db):
    schema, conf = default_schema(), default_conf()
    assert conf["base_url"] == "https://api.n11.com/ws/"
    assert conf["sales_url"] == "https://www.n11.com/"
    assert conf["failed_integration"] == SEED_FI
    assert conf["attribute_set_strategy"] == "CategoryNode"
    assert conf["order_number_format"] == ""
    assert conf["feature_flags"] == {f: False for f in FEATURE_FLAGS} and len(FEATURE_FLAGS) == 14
    required = {f for f, e in schema.items() if e["required"]}
    assert required == {"app_key", "app_secret", "base_url", "sales_url", "category_ids", "feature_flags",
                        "deny_reason_id", "cancellation_reason_id", "refund_reason_id", "failed_integration",
                        "attribute_set_strategy"}
    assert [e["label"] for e in schema.values()].count("Get Discount Amount") == 1
    assert [e["label"] for e in schema.values()].count("Order Number Format") == 1
    with db.session_factory.begin() as s:
        snap = load_settings(s)
        assert not snap.is_active
        assert (snap.name, snap.catalog_name, snap.channel_type) == ("N11", "N11", "sales_channel")
        assert {r.id: r.reason_type for r in snap.reasons}[4] == "cancel"
        assert {r.id: r.reason_type for r in snap.reasons}[2] == "refund"
        assert load_config(s).order_number_format == "{orderNumber}-{id}"
    assert validate(schema, conf) == []


# ------------------------------------------------------------------ activation
def test_activation_refused_then_accepted(db):
    errors = _activate(db)
    assert {e.field for e in errors} == {"app_key", "app_secret", "category_ids", "deny_reason_id",
                                         "cancellation_reason_id", "refund_reason_id"}
    assert all(e.message.endswith("is required") for e in errors)
    assert "App Secret: is required" in [e.message for e in errors]
    assert _save(db, READY) == []
    assert _activate(db) == []
    with db.session_factory.begin() as s:
        cfg = load_config(s)
        assert cfg.is_active and cfg.app_secret == "s3cret-value" and cfg.category_ids == (1001770, 1002032, 1001873)
    # while active, a save must still pass activation
    before = _snapshot(db)
    errors = _save(db, {"app_key": ""})
    assert [e.message for e in errors] == ["App Key: is required"]
    assert _snapshot(db) == before
    with db.session_factory.begin() as s:
        deactivate(s)
    with db.session_factory.begin() as s:
        assert not load_config(s).is_active


def test_flag_prerequisites_name_missing_settings(db):
    conf = default_conf()
    assert flag_prerequisites(conf, "get_orders") == ["Order Start Date"]
    assert flag_prerequisites(conf, "get_cancellation_request") == ["Deny Reason Id"]
    assert flag_prerequisites(conf, "get_cancel_orders") == ["Cancellation Reason Id", "Refund Reason Id"]
    assert flag_prerequisites(conf, "send_cancel_order_items") == ["Cancellation Reason Type Id"]
    assert flag_prerequisites(conf, "send_products_inserted") == []  # empty Buffer Stock means none
    assert flag_prerequisites(dict(conf, buffer_stock=-1), "send_updated_product_stock") == ["a valid Buffer Stock"]
    assert flag_prerequisites(dict(conf, order_start_date="30/07/2023", exclude_cargo_company_ids=[132]),
                              "get_orders") == ["Cargo Company Id (Exclude Cargo Company Ids is set)"]
    assert flag_prerequisites(dict(conf, cancellation_map={"501": "x"}, cancellation_reason_id=4, refund_reason_id=2),
                              "get_cancel_orders") == ["a valid Cancellation Map"]
    assert flag_prerequisites(conf, "send_invoice_link") == []
    # saving a flag on without its prerequisites is refused and says what is missing
    before = _snapshot(db)
    errors = _save(db, {"feature_flags": {"get_cancellation_request": True}})
    assert [e.message for e in errors] == ["Feature Flags: get_cancellation_request cannot be on: needs Deny Reason Id"]
    assert _snapshot(db) == before
    assert _save(db, {"deny_reason_id": 61, "feature_flags": {"get_cancellation_request": True}}) == []
    with db.session_factory.begin() as s:
        flags = load_config(s).flags
        assert flags["get_cancellation_request"] and not flags["get_orders"] and len(flags) == 14


# ------------------------------------------------------------------ schema type
def test_seed_example_schema_and_custom_fields(db):
    seed_example = {
        "store_code": {"key": "StoreCode", "label": "Mağaza Kodu", "required": True, "data_type": "text"},
        "base_url": {"key": "base_url", "label": "Base Url", "required": True, "data_type": "text"},
    }
    assert _save(db, {"StoreCode": "M-42"}, seed_example) == []
    with db.session_factory.begin() as s:
        snap = load_settings(s)
        assert snap.schema["store_code"] == seed_example["store_code"]
        assert snap.schema["base_url"]["data_type"] == "url"  # built-in kept
        assert set(default_schema()) < set(snap.schema)
        assert load_config(s).get("StoreCode") == "M-42"
    # edit the user field, then remove it
    edited = {"store_code": {"key": "StoreCode", "label": "Store code", "required": False, "data_type": "text"},
              "erp_count": {"key": "ErpCount", "label": "ERP count", "required": False, "data_type": "integer"}}
    assert _save(db, {"ErpCount": 5}, edited) == []
    with db.session_factory.begin() as s:
        snap = load_settings(s)
        assert snap.schema["store_code"]["label"] == "Store code" and snap.conf["ErpCount"] == 5
        assert snap.conf["StoreCode"] == "M-42"
    assert _save(db, {}, {}) == []
    with db.session_factory.begin() as s:
        snap = load_settings(s)
        assert "store_code" not in snap.schema and "StoreCode" not in snap.conf


# ------------------------------------------------------------------ export / import
def test_export_import_round_trip_keeps_every_value(db, other_db_target):
    schema = {"store_code": {"key": "StoreCode", "label": "Mağaza Kodu", "required": True, "data_type": "text"},
              "go_live": {"key": "GoLive", "label": "Go live", "required": False, "data_type": "date"},
              "contact": {"key": "Contact", "label": "Contact", "required": False, "data_type": "email"},
              "extra": {"key": "Extra", "label": "Extra", "required": False, "data_type": "json"},
              "tags": {"key": "Tags", "label": "Tags", "required": False, "data_type": "list"}}
    conf = dict(READY, StoreCode="M-1", GoLive="01/12/2026", Contact="ops@example.com", Extra={"a": [1, 2]},
                Tags=["x", "y"], erp_code="4000", cancellation_map={"501": "7", "551": "4"}, cargo_company_id=104,
                use_neighborhood=True, send_shipping_info=True, cancellation_reason_type_id=65,
                exclude_cargo_company_ids=[132, 159], order_start_date="30/07/2023", get_discount_amount=True,
                order_number_format="N11-{orderNumber}-{id}", use_channel_id_in_address_mapping=True, buffer_stock=3,
                oms_enabled=True, unsupplied_reason_id=4, unpacked_reason_id=5,
                oms_webhook_token="hook-token-0123456789abcdef", oms_webhook_port=8766,
                feature_flags={f: True for f in FEATURE_FLAGS},
                failed_integration=dict(SEED_FI, order={"RETRY_INTERVAL": 3600, "EXPIRATION_DATE": 7200,
                                                        "MAX_RETRY_COUNT": 5}))
    assert _save(db, conf, schema) == []
    assert _activate(db) == []
    with db.session_factory.begin() as s:
        text = export_settings(s)
        with_secret = export_settings(s, include_secret=True)
    assert "s3cret-value" not in text and "app_secret\"" not in text.split('"schema_type"')[0]
    assert "hook-token-0123456789abcdef" not in text  # the web hook token is a secret too
    assert json.loads(with_secret)["conf"]["app_secret"] == "s3cret-value"
    assert text == export_settings_again(db)  # deterministic
    # into a fresh database: every value comes back
    from n11_desktop.core.storage.db import open_database

    other = open_database(other_db_target)  # of the same engine as db
    try:
        assert _import(other, with_secret) == []
        assert _snapshot(other) == with_secret
        with other.session_factory.begin() as s:
            cfg = load_config(s)
            assert cfg.is_active and cfg.app_secret == "s3cret-value" and cfg.get("Tags") == ["x", "y"]
            assert cfg.penalty_rule("order").retry_interval_s == 3600
    finally:
        other.dispose()
    # importing the export without the secret keeps the stored secret
    assert _import(db, text) == []
    assert _snapshot(db) == with_secret


def export_settings_again(db) -> str:
    with db.session_factory.begin() as s:
        return export_settings(s)


# ------------------------------------------------------------------ secrets
def test_secret_goes_to_the_fallback_store_never_conf_nor_logs(db):
    assert not secrets.keyring_available()
    assert _save(db, READY) == []
    with db.session_factory.begin() as s:
        from n11_desktop.core.settings import ensure_channel

        assert ensure_channel(s).conf["app_secret"] == ""
        assert s.get(SecretValue, "app_secret").value == "s3cret-value"
        snap = load_settings(s)
        assert snap.secret_location == "database" and snap.conf["app_secret"] == "s3cret-value"
    assert redact("auth s3cret-value here") == "auth *** here"


def test_secret_written_straight_into_conf_moves_to_the_store(db):
    from n11_desktop.core.settings import ensure_channel

    with db.session_factory.begin() as s:
        ch = ensure_channel(s)
        ch.conf = dict(ch.conf, app_secret="direct-secret")
    assert _save(db, {"erp_code": "1"}) == []
    with db.session_factory.begin() as s:
        assert ensure_channel(s).conf["app_secret"] == ""
        assert load_config(s).app_secret == "direct-secret"


def test_keyring_backend_used_when_available(db, monkeypatch):
    store: dict[tuple[str, str], str] = {}

    class FakeKeyring:
        priority = 1

        def get_password(self, service, user):
            return store.get((service, user))

        def set_password(self, service, user, value):
            store[(service, user)] = value

        def delete_password(self, service, user):
            store.pop((service, user), None)

    monkeypatch.setenv(secrets.ENV, "auto")
    monkeypatch.setattr(secrets, "_backend", lambda: FakeKeyring())
    assert _save(db, READY) == []
    with db.session_factory.begin() as s:
        assert s.get(SecretValue, "app_secret") is None
        assert load_config(s).app_secret == "s3cret-value"
        assert load_settings(s).secret_location == "keyring"
    assert list(store.values()) == ["s3cret-value"]


def test_values_outside_the_schema_written_by_the_app_are_kept(db):
    from n11_desktop.core.settings import ensure_channel

    with db.session_factory.begin() as s:
        ch = ensure_channel(s)
        ch.conf = dict(ch.conf, app_written_cursor=500)  # (queue_page_size is a built-in field now)
    assert _save(db, {"erp_code": "4000"}) == []
    with db.session_factory.begin() as s:
        assert load_config(s).get("app_written_cursor") == 500
        assert "app_written_cursor" not in export_settings(s)
    # an operator's file may not bring keys the schema does not know
    errors = _import(db, json.dumps({"conf": {"app_written_cursor": 5}}))
    assert [e.field for e in errors] == ["app_written_cursor"] and "schema type" in errors[0].message


def test_nothing_runs_while_inactive(db):
    from n11_desktop.core.flows import all_specs, implementation, run_flow

    slug = next((sp.slug for sp in all_specs() if implementation(sp.slug) is not None), None)
    assert slug is not None, "no flow is implemented"
    result = run_flow(slug, db, require_active=True)
    assert not result.ok and "inactive" in result.message


def test_cargo_company_id_must_be_a_local_cargo_company_once_they_exist(db):
    from n11_desktop.core.storage.models import CargoCompany

    assert _save(db, {"cargo_company_id": 104}) == []  # no cargo companies set up yet: any id
    with db.session_factory.begin() as s:
        s.add(CargoCompany(id=1, name="Yurtiçi Kargo", code="YK", is_active=True))
    before = _snapshot(db)
    errors = _save(db, {"cargo_company_id": 999})
    assert [e.message for e in errors] == [
        "Cargo Company Id: there is no local cargo company with id 999 (known: 1 Yurtiçi Kargo)"]
    assert _snapshot(db) == before
    assert _save(db, {"cargo_company_id": 1}) == []
    with db.session_factory.begin() as s:
        assert load_settings(s).cargo_companies == ((1, "Yurtiçi Kargo"),)


def test_a_former_custom_web_hook_token_field_is_taken_over_by_the_built_in_one(db):
    """Older profiles carried the split-package token as a custom field; it keeps working."""
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.core.orders.webhook import webhook_settings

    with db.session_factory.begin() as s:
        ch = ensure_channel(s)
        ch.schema_type = {**(ch.schema_type or {}), "oms_webhook_token": {
            "key": "oms_webhook_token", "label": "OMS token", "required": False, "data_type": "text"}}
        ch.conf = {**ch.conf, "oms_webhook_token": "old-style-token-123456",
                   "feature_flags": {**ch.conf.get("feature_flags", {}), "split_packages": True}}
    with db.session_factory.begin() as s:
        assert save_settings(s, {"erp_code": "4000"}) == []
        ws = webhook_settings(load_config(s))
    assert ws is not None and ws.token == "old-style-token-123456" and ws.port == 8765
