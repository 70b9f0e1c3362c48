"""Cancellation Map (seed §2) keyed by the reason exactly as N11 sends it: the value goes
through the settings validation (as the Channel Settings form and `settings import` save it),
then a claim from the sandbox carrying that reason decides the local reason."""

from __future__ import annotations

from sqlalchemy import select

from n11_desktop.core.orders import actions
from n11_desktop.core.orders.cancellations import cancel_reason, reason_picker
from n11_desktop.core.settings import load_config, save_settings
from n11_desktop.core.storage.models import Cancellation

from .conftest import orders, run


def save_map(db, cmap):
    with db.session_factory.begin() as s:
        return save_settings(s, {"cancellation_map": cmap, "category_ids": [1001770]})


def test_ids_and_codes_are_accepted_as_text(orders_db):
    assert save_map(orders_db, {"501": "7", "551": 4, " vazgectim ": "7"}) == []
    with orders_db.session_factory() as s:
        cfg = load_config(s)
    assert cfg.get("cancellation_map") == {"501": "7", "551": "4", "vazgectim": "7"}
    # the flow's lookup reads what validation stored: id as text, code ignoring case
    assert cancel_reason(cfg, "501", None).reason_id == 7
    assert cancel_reason(cfg, "551", None).reason_id == 4
    assert cancel_reason(cfg, "VAZGECTIM", None).reason_id == 7
    assert cancel_reason(cfg, "999", None).source == "Cancellation Reason Id"
    # bad keys are refused with the field named, nothing stored
    errors = save_map(orders_db, {"": "7"})
    assert errors and "Cancellation Map" in errors[0].message
    with orders_db.session_factory() as s:
        assert load_config(s).get("cancellation_map") == {"501": "7", "551": "4", "vazgectim": "7"}


def _claim_completed(orders_db, ctl, reason_type):
    pkg = ctl.order()
    assert run(orders_db, "order_create").ok
    order, _ = orders(orders_db)[pkg["orderNumber"]]
    actions.mark_reported(orders_db, [order.n11_order_number])
    claim = ctl.claim(pkg["orderNumber"], pkg["lines"][0]["orderLineId"], reasonType=reason_type)
    ctl.post("claims", {"complete": claim["claimCancelId"]})
    out = run(orders_db, "cancel_refund_orders")
    assert out.ok, out.message
    with orders_db.session_factory() as s:
        return s.scalar(select(Cancellation).where(Cancellation.order_id == order.id))


def test_seed_example_end_to_end(orders_db, ctl):
    assert save_map(orders_db, {"501": "7", "551": "4"}) == []
    plan = _claim_completed(orders_db, ctl, "501")
    assert (plan.reason_id, plan.state) == (7, "done")
    plan = _claim_completed(orders_db, ctl, "551")
    assert plan.reason_id == 4
    # a reason not in the map falls back to Cancellation Reason Id (4 in these settings)
    assert save_map(orders_db, {"501": "7", "VAZGECTIM": "5"}) == []
    plan = _claim_completed(orders_db, ctl, "VAZGECTIM")
    assert plan.reason_id == 5


def test_picker_lists_reasons_seen_in_claims_and_n11s_list(orders_db, ctl):
    _claim_completed(orders_db, ctl, "501")
    with orders_db.session_factory() as s:
        picks = reason_picker(s)
    keys = [k for k, _ in picks]
    assert keys[0] == "501" and "1 claim" in picks[0][1]
    assert "VAZGECTIM" in keys and "61" in keys
