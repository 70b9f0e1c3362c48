"""Orders on day one: a new profile imports N11's orders without hand work (Turkey's address
tree comes with it), only New / LATE_SHIPMENT packages become new work, older packages are
history, and a cancellation request for an order the app does not know waits."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from n11_desktop.core.storage.models import AddressMapping, CancellationRequest, LocalDistrict

from .conftest import logs, orders, run, set_conf


@pytest.fixture
def new_db(configured_db):
    """A fresh profile: no local address tree, only the default cargo mapping and the order settings."""
    from n11_desktop.core.orders.demo import seed_cargo_mapping

    seed_cargo_mapping(configured_db)
    set_conf(configured_db, order_start_date=(datetime.now() - timedelta(days=3)).strftime("%d/%m/%Y"),
             deny_reason_id=81, cancellation_reason_id=4, refund_reason_id=2, use_neighborhood=True)
    return configured_db


def test_new_profile_matches_n11_addresses_down_to_the_neighbourhood(new_db, ctl):
    pkgs = [ctl.order(plate=plate) for plate in (34, 6, 35, 1, 81)]
    out = run(new_db, "order_create")
    assert out.ok and out.penalized == 0, logs(new_db, "order_create")
    got = orders(new_db)
    assert set(got) == {p["orderNumber"] for p in pkgs}
    for p in pkgs:
        ship = got[p["orderNumber"]][0].shipping_address
        assert ship["local_city_id"] and ship["local_township_id"] and ship["local_district_id"]
    with new_db.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(AddressMapping)) == 0  # nothing left to map by hand
        assert s.scalar(select(func.count()).select_from(LocalDistrict)) > 70_000
    assert any("local address tree filled" in line for line in logs(new_db, "order_create"))


def test_packages_first_seen_past_new_are_history_not_new_work(new_db, ctl, tmp_path, capsys):
    from n11_desktop.cli import main

    new = ctl.order()
    shipped = ctl.order()
    ctl.status(shipped["id"], "Picking", "Shipped")
    delivered = ctl.order()
    ctl.status(delivered["id"], "Picking", "Shipped", "Delivered")
    out = run(new_db, "order_create")
    assert out.ok and "2 first seen past New recorded as history" in out.message
    assert set(orders(new_db)) == {new["orderNumber"]}
    # the ERP export holds only new work
    path = new_db.target()
    assert main(["--db", path, "orders", "export", str(tmp_path / "erp.csv")]) == 0
    assert shipped["orderNumber"] not in (tmp_path / "erp.csv").read_text(encoding="utf-8")
    # a later run does not turn them into orders either
    assert run(new_db, "order_create").ok and set(orders(new_db)) == {new["orderNumber"]}
    # an explicit "import history" brings them in, marked as history and not as work for the ERP
    capsys.readouterr()
    assert main(["--db", path, "orders", "import-history"]) == 0
    assert "history" in capsys.readouterr().out
    got = orders(new_db)
    assert set(got) == {new["orderNumber"], shipped["orderNumber"], delivered["orderNumber"]}
    assert got[shipped["orderNumber"]][0].raw.get("history") and got[shipped["orderNumber"]][0].erp_reported
    assert got[delivered["orderNumber"]][0].status == "delivered"
    assert not got[new["orderNumber"]][0].raw.get("history") and not got[new["orderNumber"]][0].erp_reported
    assert main(["--db", path, "orders", "list", "--json"]) == 0
    listed = {r["n11_order_number"]: r["history"] for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert listed == {new["orderNumber"]: False, shipped["orderNumber"]: True, delivered["orderNumber"]: True}


def test_claim_for_an_unknown_order_waits_instead_of_being_approved(new_db, ctl, sandbox, capsys):
    from n11_desktop.core.orders.queries import status_counts, waiting_claims

    shipped = ctl.order()
    ctl.status(shipped["id"], "Picking")  # first seen past New: history, not imported
    claim = ctl.claim(shipped["orderNumber"], shipped["lines"][0]["orderLineId"])
    assert run(new_db, "order_create").ok
    for _ in range(2):
        out = run(new_db, "cancellation_requests")
        assert out.ok and out.skipped == 1 and out.succeeded == 0
    assert sandbox.state.claims[claim["claimCancelId"]]["status"] == "REQUESTED"  # not approved blindly
    from n11_desktop.cli import main

    capsys.readouterr()
    assert main(["--db", new_db.target(), "orders", "claims", "--waiting", "--json"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["claim_id"] == str(claim["claimCancelId"]) and "not imported" in row["waiting"]
    warned = [m for m in logs(new_db, "cancellation_requests") if "not approved blindly" in m]
    assert len(warned) == 1 and "recorded as history" in warned[0]
    with new_db.session_factory() as s:
        assert waiting_claims(s) == ((str(claim["claimCancelId"]), shipped["orderNumber"], "VAZGECTIM / "
                                      "Siparişten vazgeçtim"),)
        assert status_counts(s)["claims_unknown_order"] == 1
    # once the order is imported (history), the request is decided like any other
    assert run(new_db, "order_create", history=True).ok
    assert run(new_db, "cancellation_requests").succeeded == 1
    assert sandbox.state.claims[claim["claimCancelId"]]["status"] == "COMPLETED"
    with new_db.session_factory() as s:
        assert s.scalar(select(CancellationRequest.decision)) == "approved"
