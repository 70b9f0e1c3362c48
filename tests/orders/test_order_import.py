"""order_create against the sandbox over the real protocol: creation, numbering, addresses,
cargo, discounts, OMS tracking, late shipments and every cause of duplicates."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from n11_desktop.core.storage.models import (
    AddressMapping,
    AppState,
    FailedIntegration,
    LocalTownship,
    Order,
    OrderItem,
    Package,
)

from .conftest import logs, orders, run, set_conf

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)


def counts(db):
    with db.session_factory() as s:
        return (s.scalar(select(func.count()).select_from(Order)),
                s.scalar(select(func.count()).select_from(OrderItem)))


def test_new_order_is_written_waiting_for_approval_then_approved_on_n11(orders_db, ctl):
    pkg = ctl.order(lines=[{"stockCode": "SKU-1", "quantity": 2, "price": "100"},
                           {"stockCode": "SKU-2", "quantity": 1, "price": "50"}], shipmentCompanyId=344)
    res = run(orders_db, "order_create")
    assert res.ok, res.message
    order, items = orders(orders_db)[pkg["orderNumber"]]
    assert order.number == f"{pkg['orderNumber']}-{pkg['id']}"  # default {orderNumber}-{id}
    assert [i.status for i in items] == ["waiting_approval", "waiting_approval"]
    assert order.cargo_company_id == 101  # Yurtiçi ↔ 344 from the cargo mapping
    assert order.shipping_address["city"] == pkg["shippingAddress"]["city"]
    assert order.shipping_address["local_township_id"] is not None
    assert order.total_amount == Decimal("250.00")
    # approved in the N11 panel → approved locally at the next run
    ctl.status(pkg["id"], "Picking")
    assert run(orders_db, "order_create").ok
    _, items = orders(orders_db)[pkg["orderNumber"]]
    assert [i.status for i in items] == ["approved", "approved"]


def test_order_number_format_from_settings(orders_db, ctl):
    set_conf(orders_db, order_number_format="N11-{orderNumber}-{id}")
    pkg = ctl.order()
    assert run(orders_db, "order_create").ok
    order, _ = orders(orders_db)[pkg["orderNumber"]]
    assert order.number == f"N11-{pkg['orderNumber']}-{pkg['id']}"


def test_bad_order_number_format_fails_the_run_with_a_clear_message(orders_db, ctl):
    set_conf(orders_db, order_number_format="N11-{orderNo}")
    ctl.order()
    res = run(orders_db, "order_create")
    assert not res.ok and "unknown placeholder {orderNo}" in res.message
    assert counts(orders_db) == (0, 0)


def test_missing_order_start_date_is_explained(orders_db, ctl):
    set_conf(orders_db, order_start_date="")
    res = run(orders_db, "order_create")
    assert not res.ok and "Order Start Date is not set" in res.message


def test_orders_before_order_start_date_are_not_imported(orders_db, ctl):
    import time

    old = ctl.order(created_ms=int((time.time() - 10 * 86400) * 1000))
    ctl.status(old["id"], "Picking")  # modified now, created before the start date
    new = ctl.order()
    assert run(orders_db, "order_create").ok
    assert set(orders(orders_db)) == {new["orderNumber"]}


def test_discounts_only_when_get_discount_amount_is_on(orders_db, ctl):
    lines = [{"stockCode": "SKU-D", "quantity": 2, "price": "100", "sellerDiscount": "10", "mallDiscount": "0"}]
    a = ctl.order(lines=lines)
    assert run(orders_db, "order_create").ok
    order, items = orders(orders_db)[a["orderNumber"]]
    assert items[0].discount == Decimal("0.00") and order.total_amount == Decimal("200.00")
    set_conf(orders_db, get_discount_amount=True)
    b = ctl.order(lines=lines)
    assert run(orders_db, "order_create").ok
    order, items = orders(orders_db)[b["orderNumber"]]
    assert items[0].discount == Decimal("20.00") and order.total_amount == Decimal("180.00")
    assert order.discount_amount == Decimal("20.00")


def test_oms_enabled_writes_campaign_number_as_tracking_number(orders_db, ctl):
    a, b = ctl.order(), ctl.order()
    set_conf(orders_db, oms_enabled=True)
    assert run(orders_db, "order_create").ok  # both New
    ctl.status(a["id"], "Picking", "Shipped")
    ctl.status(b["id"], "Picking", "Shipped")
    assert run(orders_db, "order_create").ok
    got = orders(orders_db)
    with orders_db.session_factory() as s:
        pa = s.scalar(select(Package).where(Package.n11_package_id == str(a["id"])))
        pb = s.scalar(select(Package).where(Package.n11_package_id == str(b["id"])))
    assert got[b["orderNumber"]][1][0].tracking_number == pb.campaign_number
    set_conf(orders_db, oms_enabled=False)
    with orders_db.session_factory.begin() as s:
        s.execute(delete(Order))
        s.execute(delete(AppState))
    assert run(orders_db, "order_create", history=True).ok  # past New now: only "import history" brings them
    got = orders(orders_db)
    assert got[a["orderNumber"]][1][0].tracking_number == pa.tracking_number  # cargoSenderNumber
    assert pa.tracking_number and pa.tracking_number != pa.campaign_number


def test_unmapped_township_gives_the_seed_message_and_is_written_after_mapping(orders_db, ctl):
    pkg = ctl.order(plate=6)
    town = pkg["shippingAddress"]["district"]
    with orders_db.session_factory.begin() as s:
        removed = s.scalar(select(LocalTownship).where(LocalTownship.city_id == 6, LocalTownship.name == town))
        removed_name = removed.name
        s.delete(removed)
    res = run(orders_db, "order_create")
    assert res.ok and res.penalized == 1
    assert pkg["orderNumber"] not in orders(orders_db)
    msg = next(line for line in logs(orders_db, "order_create") if "Address is not valid" in line)
    assert f"Address is not valid. channel: 1 code: {town} model: Township city id: 6, city name: Ankara." in msg
    from n11_desktop.core.orders.address import candidates_for, set_mapping, unmapped_addresses

    with orders_db.session_factory.begin() as s:
        (todo,) = unmapped_addresses(s)
        assert (todo.model, todo.code) == ("Township", town)
        s.add(LocalTownship(city_id=6, name=removed_name + " (yeni)"))
        s.flush()
        choice = next(c for c in candidates_for(s, todo, 1) if c.name == removed_name + " (yeni)")
        set_mapping(s, todo.id, choice.id)
    assert run(orders_db, "order_create").ok  # the failed order is fetched again by number
    order, _ = orders(orders_db)[pkg["orderNumber"]]
    assert order.shipping_address["local_township_id"] == choice.id
    with orders_db.session_factory() as s:
        assert not s.scalar(select(func.count()).select_from(FailedIntegration).where(FailedIntegration.is_active))


def test_channel_prefixed_address_keys(orders_db, ctl):
    set_conf(orders_db, use_channel_id_in_address_mapping=True)
    pkg = ctl.order(plate=35)
    town = pkg["shippingAddress"]["district"]
    with orders_db.session_factory.begin() as s:
        s.execute(delete(LocalTownship).where(LocalTownship.city_id == 35, LocalTownship.name == town))
    assert run(orders_db, "order_create").ok
    assert any(f"code: 1_{town} model: Township" in line for line in logs(orders_db, "order_create"))
    with orders_db.session_factory() as s:
        row = s.scalar(select(AddressMapping).where(AddressMapping.local_id.is_(None)))
    assert row.code == f"1_{town}" and row.parent_code == "1_İzmir"


def test_neighbourhood_only_used_when_use_neighborhood_is_on(orders_db, ctl):
    pkg = ctl.order(plate=34)
    assert run(orders_db, "order_create").ok
    order, _ = orders(orders_db)[pkg["orderNumber"]]
    assert order.shipping_address["local_district_id"] is None
    set_conf(orders_db, use_neighborhood=True)
    pkg2 = ctl.order(plate=34)
    assert run(orders_db, "order_create").ok  # the packaged neighbourhoods are added when they are needed
    order2, _ = orders(orders_db)[pkg2["orderNumber"]]
    assert order2.shipping_address["local_district_id"] is not None
    assert not any("model: District" in line for line in logs(orders_db, "order_create"))


def test_turkish_name_matching():
    from n11_desktop.core.orders.address import fold

    assert fold("İSTANBUL") == fold("istanbul") == fold("Istanbul")
    assert fold("ÇANKAYA") == fold("Çankaya") == "cankaya"
    assert fold("CAFERAĞA MAH.") == fold("Caferağa") == fold("caferaga mahallesi")
    assert fold("Iğdır") == fold("IĞDIR") == "igdir"
    assert fold("Kadıköy") != fold("Kartal")


def test_unmapped_cargo_is_not_written_and_log_says_why(orders_db, ctl):
    pkg = ctl.order(shipmentCompanyId=401)  # Ceva: no local company mapped
    res = run(orders_db, "order_create")
    assert res.ok and res.penalized == 1 and pkg["orderNumber"] not in orders(orders_db)
    assert any("no local cargo company is mapped to N11 shipment company 401" in line
               for line in logs(orders_db, "order_create"))
    set_conf(orders_db, cargo_company_id=104)  # Cargo Company Id wins
    assert run(orders_db, "order_create").ok
    assert orders(orders_db)[pkg["orderNumber"]][0].cargo_company_id == 104


def test_excluded_cargo_company_uses_cargo_company_id(orders_db, ctl):
    set_conf(orders_db, exclude_cargo_company_ids=[344])
    pkg = ctl.order(shipmentCompanyId=344)
    assert run(orders_db, "order_create").ok
    assert pkg["orderNumber"] not in orders(orders_db)
    assert any("in Exclude Cargo Company Ids" in line for line in logs(orders_db, "order_create"))
    set_conf(orders_db, cargo_company_id=106)
    assert run(orders_db, "order_create").ok
    assert orders(orders_db)[pkg["orderNumber"]][0].cargo_company_id == 106


def test_late_shipment_pass_marks_late_orders(orders_db, ctl):
    pkg = ctl.order()
    assert run(orders_db, "order_create").ok
    ctl.status(pkg["id"], "LATE_SHIPMENT")
    res = run(orders_db, "order_create", late=True)
    assert res.ok and "1 late orders" in res.message
    _, items = orders(orders_db)[pkg["orderNumber"]]
    assert all(i.n11_status == "LATE_SHIPMENT" and i.status == "waiting_approval" for i in items)


def test_late_order_never_seen_is_imported_by_the_late_pass(orders_db, ctl):
    import time

    pkg = ctl.order(created_ms=int((time.time() - 3600) * 1000))
    ctl.status(pkg["id"], "LATE_SHIPMENT")
    with orders_db.session_factory.begin() as s:  # the 5-minute pass already moved past it
        from datetime import datetime, timedelta, timezone

        future = (datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(hours=2)).isoformat()
        s.add(AppState(key="orders.cursor", value=future))
    assert run(orders_db, "order_create", late=True).ok
    assert pkg["orderNumber"] in orders(orders_db)


# ------------------------------------------------------------------ duplicates from every cause
def test_overlapping_windows_and_repeated_runs_never_duplicate(orders_db, ctl):
    for _ in range(5):
        ctl.order(n_lines=2)
    assert run(orders_db, "order_create").ok
    first = counts(orders_db)
    assert first == (5, 10)
    for _ in range(2):
        with orders_db.session_factory.begin() as s:  # forget the cursor: the whole window again
            s.execute(delete(AppState).where(AppState.key == "orders.cursor"))
        assert run(orders_db, "order_create").ok
    assert run(orders_db, "get_updated_orders").ok
    assert counts(orders_db) == first


def test_retries_under_faults_never_duplicate(orders_db, ctl):
    for _ in range(30):
        ctl.order()
    ctl.post("faults", {"rate": 0.3, "kinds": ["http_500", "http_503", "reset"]})
    for _ in range(4):
        run(orders_db, "order_create")
    ctl.post("faults", {"rate": 0})
    assert run(orders_db, "order_create").ok
    assert counts(orders_db)[0] == 30
    with orders_db.session_factory() as s:
        dup = s.execute(select(OrderItem.n11_line_id, func.count()).group_by(OrderItem.n11_line_id)
                        .having(func.count() > 1)).all()
    assert dup == []


def test_split_package_reappearing_with_new_package_ids_keeps_one_order(orders_db, ctl):
    pkg = ctl.order(n_lines=3)
    assert run(orders_db, "order_create").ok
    ctl.status(pkg["id"], "Picking")
    lines = [ln["orderLineId"] for ln in pkg["lines"]]
    # split on N11 (as another tool would do it): the package gets new ids, lines keep theirs
    ctl.http.post(ctl.root + "/rest/delivery/v1/splitCombinePackage",
                  json={"splitGroups": [{"orderLineIds": [lines[0]]}]},
                  headers={"appkey": "demo-app-key", "appsecret": "demo-app-secret"}, timeout=10).raise_for_status()
    for _ in range(2):
        with orders_db.session_factory.begin() as s:
            s.execute(delete(AppState).where(AppState.key == "orders.cursor"))
        assert run(orders_db, "order_create").ok
    got = orders(orders_db)
    assert list(got) == [pkg["orderNumber"]]
    order, items = got[pkg["orderNumber"]]
    assert sorted(int(i.n11_line_id) for i in items) == sorted(lines)
    assert all(i.status == "approved" for i in items)
    with orders_db.session_factory() as s:
        pkgs = {p.n11_package_id: p.status for p in s.scalars(select(Package).where(Package.order_id == order.id))}
    assert pkgs[str(pkg["id"])] == "Unpacked" and len(pkgs) == 3
    assert len({i.package_id for i in items}) == 2
    assert order.number == f"{pkg['orderNumber']}-{pkg['id']}"  # the number does not change


def test_a_crash_in_the_middle_of_an_import_loses_and_duplicates_nothing(orders_db, ctl, monkeypatch):
    ctl.post("orders", {"count": 150})
    from n11_desktop.core.orders import importer as imp

    # every package, on the general path and on the one for batches of new orders only, is prepared
    # (its addresses and cargo resolved) before its rows are built: the crash hits the 130th package
    original = imp.OrderImporter._prepare
    calls = {"n": 0}

    def crashing(self, s, pkg, create, cache):
        calls["n"] += 1
        if calls["n"] == 130:
            raise RuntimeError("power cut")
        return original(self, s, pkg, create, cache)

    monkeypatch.setattr(imp.OrderImporter, "_prepare", crashing)
    res = run(orders_db, "order_create")
    assert not res.ok and "power cut" in res.message
    assert counts(orders_db)[0] == 100  # the first batch committed, the second rolled back
    with orders_db.session_factory() as s:
        assert s.get(AppState, "orders.cursor") is None  # the cursor did not move
    monkeypatch.setattr(imp.OrderImporter, "_prepare", original)
    assert run(orders_db, "order_create").ok
    n_orders, n_items = counts(orders_db)
    assert n_orders == 150
    with orders_db.session_factory() as s:
        assert s.scalar(select(func.count(func.distinct(OrderItem.n11_line_id)))) == n_items


def test_every_page_request_of_an_import_is_in_the_log_in_order(orders_db, ctl):
    """The fetching threads hand their exchanges to the importing thread, which logs them between
    batches: each page request is logged once, in the order it was made, with N11's answer."""
    import re

    from n11_desktop.core.storage.models import LogEntry

    ctl.post("orders", {"count": 250})
    assert run(orders_db, "order_create").ok
    with orders_db.session_factory() as s:
        rows = s.execute(select(LogEntry.message, LogEntry.response).where(
            LogEntry.flow == "order_create", LogEntry.object_type == "n11_call",
            LogEntry.message.like("%shipmentPackages%")).order_by(LogEntry.id)).all()
    assert [re.search(r"[?&]page=(\d+)", m).group(1) for m, _ in rows] == ["0", "1", "2"]
    assert all(m.endswith("→ 200") and '"orderNumber"' in (body or "") for m, body in rows)


@pytest.mark.parametrize("where", ["package", "log write"])
def test_a_batch_that_rolls_back_still_leaves_every_page_request_in_the_log_once(orders_db, ctl, sandbox, monkeypatch,
                                                                                 where):
    """The pages' exchanges are written in the transaction of the batch that follows them; when that
    batch rolls back (a crash on its 130th package, or the writing of its log rows failing) they are not
    lost with it: the run's log still has each page request once, in the order it was made."""
    import re

    from n11_desktop.core.flows import orders as flows_orders
    from n11_desktop.core.orders import importer as imp
    from n11_desktop.core.storage.models import LogEntry

    ctl.post("orders", {"count": 250})
    calls = {"n": 0}
    if where == "package":
        original = imp.OrderImporter._prepare

        def crashing(self, s, pkg, create, cache):
            calls["n"] += 1
            if calls["n"] == 130:
                raise RuntimeError("power cut")
            return original(self, s, pkg, create, cache)

        monkeypatch.setattr(imp.OrderImporter, "_prepare", crashing)
    else:
        original_insert = flows_orders.insert_log_rows

        def failing(conn, rows):
            calls["n"] += 1
            if calls["n"] == 2:  # the second batch's log rows
                raise RuntimeError("power cut")
            return original_insert(conn, rows)

        monkeypatch.setattr(flows_orders, "insert_log_rows", failing)
    before = len(sandbox.state.requests_log)
    sandbox.latency_ms = 150  # a page's answer comes in after the batch before it is written: each batch
    try:  # writes its own page's exchange
        res = run(orders_db, "order_create")
    finally:
        sandbox.latency_ms = 0
    served = [r for r in sandbox.state.requests_log[before:] if "shipmentPackages" in r.get("path", "")]
    assert not res.ok and "power cut" in res.message
    assert counts(orders_db)[0] == 100
    with orders_db.session_factory() as s:
        rows = s.scalars(select(LogEntry.message).where(
            LogEntry.run_id == res.run_id, LogEntry.object_type == "n11_call",
            LogEntry.message.like("%shipmentPackages%")).order_by(LogEntry.id)).all()
    pages = [re.search(r"[?&]page=(\d+)", m).group(1) for m in rows]
    assert pages[:2] == ["0", "1"] and pages == [str(n) for n in range(len(served))]


def test_n11_failing_on_a_later_page_keeps_the_written_batches_and_resumes_without_duplicates(orders_db, ctl):
    """The next page is fetched while the previous batch is written (and requested while the page
    before it is parsed): N11 failing on page 3 fails the
    run only after the two pages before it are written, leaves no fetching thread behind, and the
    next run brings the rest without writing anything twice."""
    import threading

    ctl.post("orders", {"count": 250})
    ctl.post("faults/next", {"path": "/rest/delivery/v1/shipmentPackages", "query": "page=2&", "count": 50})
    res = run(orders_db, "order_create")
    assert not res.ok
    assert counts(orders_db)[0] == 200  # pages 1 and 2, each its own committed batch
    with orders_db.session_factory() as s:
        assert s.get(AppState, "orders.cursor") is None  # the window is not done: the cursor did not move
    assert not [t for t in threading.enumerate()
                if t.name == "order-page-prefetch" or t.name.startswith("n11-page-read-ahead")]
    for _ in range(60):  # N11 recovers: the rest of the injected failures are used up here
        r = ctl.http.get(ctl.root + "/rest/delivery/v1/shipmentPackages", params={"page": 2, "size": 100},
                         headers={"appkey": "demo-app-key", "appsecret": "demo-app-secret"}, timeout=10)
        if r.status_code == 200:
            break
    assert run(orders_db, "order_create").ok
    n_orders, n_items = counts(orders_db)
    assert n_orders == 250
    with orders_db.session_factory() as s:
        assert s.scalar(select(func.count(func.distinct(OrderItem.n11_line_id)))) == n_items


def test_stop_requested_mid_import_resumes_without_duplicates(orders_db, ctl):
    from n11_desktop.core.flows import run_flow

    ctl.post("orders", {"count": 120})
    seen = []
    res = run_flow("order_create", orders_db, should_stop=lambda: bool(seen),
                   on_progress=lambda p: seen.append(p.done))
    assert res.state.value == "cancelled"
    assert counts(orders_db)[0] == 100
    assert run(orders_db, "order_create").ok
    assert counts(orders_db)[0] == 120


def test_unmapped_neighbourhood_added_as_a_new_local_node(orders_db, ctl):
    from n11_desktop.core.orders.address import create_and_map, unmapped_addresses

    from n11_desktop.core.storage.models import LocalDistrict

    with orders_db.session_factory.begin() as s:  # the operator keeps a neighbourhood list of their own
        s.add(LocalDistrict(township_id=1, name="Kendi Mahallem"))
    set_conf(orders_db, use_neighborhood=True)
    pkg = ctl.order(plate=34)
    assert run(orders_db, "order_create").ok and pkg["orderNumber"] not in orders(orders_db)
    with orders_db.session_factory.begin() as s:
        (todo,) = unmapped_addresses(s)
        assert todo.model == "District"
        node = create_and_map(s, todo.id, 1)
    assert node.name == pkg["shippingAddress"]["neighborhood"]
    assert run(orders_db, "order_create").ok
    order, _ = orders(orders_db)[pkg["orderNumber"]]
    assert order.shipping_address["local_district_id"] == node.id


def test_order_number_format_and_status_rules():
    from n11_desktop.core.orders import status as st
    from n11_desktop.core.orders.numbering import OrderNumberFormatError, format_order_number, validate_format

    assert format_order_number("", "123", 9) == "123-9"
    assert format_order_number("N11-{orderNumber}-{id}", "123", 9) == "N11-123-9"
    assert format_order_number("{orderNumber}-{id}", "123", None) == "123"
    for bad in ("{id}", "N11-{orderNumber}-{foo}", "{orderNumber"):
        with pytest.raises(OrderNumberFormatError):
            validate_format(bad)
    assert st.advance(st.SHIPPED, st.APPROVED) == st.SHIPPED  # never backwards
    assert st.advance(st.APPROVED, st.SHIPPED) == st.SHIPPED
    assert st.advance(st.SHIPPED, st.CANCELLED) == st.CANCELLED
    assert st.advance(st.CANCELLED, st.WAITING) == st.CANCELLED
    assert st.advance(st.SUPERSEDED, st.APPROVED) == st.APPROVED
    assert st.order_status([st.CANCELLED, st.APPROVED, st.SUPERSEDED]) == st.APPROVED
    assert st.order_status([st.CANCELLED, st.REFUNDED]) == st.CANCELLED


def test_long_history_is_read_in_15_day_windows_with_a_cursor_per_window(orders_db, ctl, sandbox):
    import time

    set_conf(orders_db, order_start_date=(datetime.now() - timedelta(days=40)).strftime("%d/%m/%Y"))
    old = ctl.order(created_ms=int((time.time() - 35 * 86400) * 1000))
    new = ctl.order()
    before = len(sandbox.state.requests_log)
    assert run(orders_db, "order_create").ok
    assert {old["orderNumber"], new["orderNumber"]} <= set(orders(orders_db))
    package_calls = [r for r in sandbox.state.requests_log[before:] if "shipmentPackages" in r.get("path", "")]
    assert len(package_calls) >= 3  # 40 days = three windows of at most 15 days


def test_a_package_id_under_a_new_and_a_stored_order_in_one_batch_imports_each_order_once(orders_db, ctl):
    """New orders are written in bulk at a batch's end; a batch that links a package id new to it to a
    stored order too (N11 never should, a damaged page might) is written row by row instead, with the
    same result: every order and line once."""
    from n11_desktop.core.n11 import _parse
    from n11_desktop.core.orders.importer import OrderImporter
    from n11_desktop.core.settings import load_config

    stored = ctl.order()
    assert run(orders_db, "order_create").ok
    fresh = ctl.order(n_lines=2)
    clash = dict(stored, id=fresh["id"])  # the stored order's package, under the new package's id
    with orders_db.session_factory() as s:
        cfg = load_config(s)
    stats = OrderImporter(orders_db, cfg).import_packages(
        [_parse.shipment_package(fresh), _parse.shipment_package(clash)])
    assert stats.orders_created == 1 and stats.orders_updated == 1
    got = orders(orders_db)
    assert set(got) == {stored["orderNumber"], fresh["orderNumber"]}
    assert len(got[fresh["orderNumber"]][1]) == 2
    assert len(got[stored["orderNumber"]][1]) == len(stored["lines"])
    assert counts(orders_db) == (2, 2 + len(stored["lines"]))
    with orders_db.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Package)) == 2
