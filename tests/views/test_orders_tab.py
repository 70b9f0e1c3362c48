"""The Orders tab as an operator uses it: paged list with filters, detail, actions through the flows,
Address Mapping — against the sandbox over the real protocol."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, select

from n11_desktop.app import build_services
from n11_desktop.core.flows import run_flow
from n11_desktop.core.orders.demo import seed_address_tree, seed_cargo_mapping
from n11_desktop.core.storage.models import LocalTownship, Order, OrderItem
from n11_desktop.views import orders_model
from n11_desktop.views.orders_dialogs import AddressMappingDialog, ShipDialog
from n11_desktop.views.orders_tab import OrdersTab

from ..orders.conftest import Control, set_conf


@pytest.fixture
def ctl(sandbox):
    c = Control(sandbox)
    yield c
    c.close()


@pytest.fixture
def odb(configured_db):
    seed_address_tree(configured_db)
    seed_cargo_mapping(configured_db)
    set_conf(configured_db, order_start_date=(datetime.now() - timedelta(days=2)).strftime("%d/%m/%Y"),
             cancellation_reason_type_id=65)
    return configured_db


def make(qtbot, db):
    services = build_services(db)
    w = OrdersTab(services)
    qtbot.addWidget(w)
    w.resize(1400, 850)
    w.show()
    settle(qtbot, w, services)
    return w, services


def settle(qtbot, w, services):
    qtbot.waitUntil(lambda: w.is_ready() and services.runner.pending == 0, timeout=15_000)


def close(w, services):
    w.shutdown()
    assert services.shutdown(5000)


def item_status(db, order_number):
    with db.session_factory() as s:
        o = s.scalar(select(Order).where(Order.n11_order_number == order_number))
        return [i.status for i in s.scalars(select(OrderItem).where(OrderItem.order_id == o.id).order_by(OrderItem.id))]


def test_model_passes_qt_model_tester(qtbot, qtmodeltester, odb, ctl, monkeypatch):
    ctl.post("orders", {"count": 25})
    assert run_flow("order_create", odb).ok
    monkeypatch.setattr(orders_model, "PAGE", 10)
    services = build_services(odb)
    model = orders_model.OrdersModel(services)
    with qtbot.waitSignal(model.loaded, timeout=10_000):
        model.reload()
    assert model.rowCount() == 10 and model.total == 25 and model.canFetchMore()
    qtmodeltester.check(model)  # (may start a fetch of its own)
    for _ in range(10):
        qtbot.waitUntil(lambda: not model.loading, timeout=10_000)
        if not model.canFetchMore():
            break
        with qtbot.waitSignal(model.loaded, timeout=10_000):
            model.fetchMore()
    assert model.rowCount() == 25 and not model.canFetchMore()
    assert services.shutdown(5000)


def test_list_filters_detail_and_actions(qtbot, odb, ctl, sandbox):
    pkgs = [ctl.order(n_lines=2) for _ in range(4)]
    assert run_flow("order_create", odb).ok
    ctl.status(pkgs[1]["id"], "Picking", "Shipped")
    assert run_flow("order_create", odb).ok
    w, services = make(qtbot, odb)
    assert w.model.rowCount() == 4 and "4 orders" in w.count_label.text()
    assert w.detail is not None  # the first order is shown at once
    # filter by status
    w.status_filter.setCurrentIndex(w.status_filter.findData("shipped"))
    settle(qtbot, w, services)
    assert [r.n11_order_number for r in w.model.rows] == [pkgs[1]["orderNumber"]]
    w.status_filter.setCurrentIndex(w.status_filter.findData("waiting_approval"))
    settle(qtbot, w, services)
    assert w.model.rowCount() == 3
    # search + detail
    w.status_filter.setCurrentIndex(0)
    w.search.setText(pkgs[0]["orderNumber"])
    qtbot.waitUntil(lambda: w.model.rowCount() == 1, timeout=10_000)
    w.table.selectRow(0)
    settle(qtbot, w, services)
    qtbot.waitUntil(lambda: w.detail is not None and w.detail.row.n11_order_number == pkgs[0]["orderNumber"])
    assert w.lines.rowCount() == 2 and w.packages.rowCount() == 1
    assert "Shipping address" in w.addresses.text()
    assert pkgs[0]["orderNumber"] in w.raw.toPlainText()
    assert w.approve_btn.isEnabled()
    # approve → order_update on N11
    w.approve()
    qtbot.waitUntil(lambda: sandbox.state.packages[pkgs[0]["id"]]["shipmentPackageStatus"] == "Picking",
                    timeout=15_000)
    qtbot.waitUntil(lambda: w.detail is not None and {i.status for i in w.detail.items} == {"approved"}
                    and "sending" not in w.lines.item(0, 4).text(), timeout=15_000)
    # ship with a tracking number (the dialog is patched the way an operator fills it)
    ShipDialog_ask = ShipDialog.ask
    try:
        ShipDialog.ask = classmethod(lambda cls, parent, count: "YK-42")
        w.ship()
        qtbot.waitUntil(lambda: sandbox.state.packages[pkgs[0]["id"]]["shipmentPackageStatus"] == "Shipped",
                        timeout=15_000)
    finally:
        ShipDialog.ask = ShipDialog_ask
    qtbot.waitUntil(lambda: not w._pending_flows and "Order Update: done" in w.message.text(), timeout=15_000)
    # bad input is refused with a message and changes nothing
    w.attach_invoice("http://not-https/invoice.pdf")
    qtbot.waitUntil(lambda: "https://" in w.message.text(), timeout=10_000)
    w.attach_invoice("https://erp.example.com/inv/9.pdf")
    qtbot.waitUntil(lambda: any(i["orderNumber"] == pkgs[0]["orderNumber"] for i in sandbox.state.invoices),
                    timeout=15_000)
    w.mark_reported()
    qtbot.waitUntil(lambda: w.detail is not None and w.detail.row.erp_reported, timeout=10_000)
    settle(qtbot, w, services)
    close(w, services)


def test_partial_cancel_from_the_tab(qtbot, odb, ctl, sandbox):
    pkg = ctl.order(lines=[{"stockCode": "SKU-C", "quantity": 3, "price": "20"}])
    assert run_flow("order_create", odb).ok
    w, services = make(qtbot, odb)
    qtbot.waitUntil(lambda: w.detail is not None)
    item_id = w.detail.items[0].id
    w.cancel_lines({item_id: 2})
    qtbot.waitUntil(lambda: any(p["shipmentPackageStatus"] == "UnSupplied"
                                for p in sandbox.state.packages.values()), timeout=15_000)
    qtbot.waitUntil(lambda: w.detail is not None and len(w.detail.cancellations) == 1
                    and w.detail.cancellations[0].state == "sent", timeout=15_000)
    assert "Cancellations (1)" in w.tabs.tabText(3)
    settle(qtbot, w, services)
    close(w, services)


def test_unmapped_address_banner_and_mapping_dialog(qtbot, odb, ctl):
    pkg = ctl.order(plate=6)
    town = pkg["shippingAddress"]["district"]
    with odb.session_factory.begin() as s:
        s.execute(delete(LocalTownship).where(LocalTownship.city_id == 6, LocalTownship.name == town))
        s.add(LocalTownship(city_id=6, name=f"{town} Yeni"))
    assert run_flow("order_create", odb).ok
    w, services = make(qtbot, odb)
    assert w.banner.isVisible() and "could not be written" in w.banner.text()
    assert "Address is not valid" in w.banner.text() and "(1)" in w.mapping_btn.text()
    dlg = AddressMappingDialog(services, w)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.table.rowCount() == 1 and dlg.choice.count() > 0, timeout=10_000)
    assert dlg.table.item(0, 0).text() == "Township" and dlg.table.item(0, 1).text() == town
    dlg.choice.setCurrentIndex(dlg.choice.findText(f"{town} Yeni"))
    dlg.save()
    qtbot.waitUntil(lambda: dlg.saved == 1 and dlg.table.rowCount() == 0, timeout=10_000)
    settle(qtbot, w, services)
    assert run_flow("order_create", odb).ok
    w.reload()
    qtbot.waitUntil(lambda: w.model.rowCount() == 1 and not w.banner.isVisible(), timeout=10_000)
    settle(qtbot, w, services)
    close(w, services)


def test_web_hook_runs_with_the_tab_when_configured(qtbot, odb):
    import requests

    from n11_desktop.core.settings import save_settings

    with odb.session_factory.begin() as s:  # the flag's own settings, saved as the Channel Settings form does
        errors = save_settings(s, {"category_ids": [1001770], "deny_reason_id": 81, "cancellation_reason_id": 4,
                                   "refund_reason_id": 2, "oms_webhook_token": "tab-token-1234567890",
                                   "feature_flags": {"split_packages": True}})
    assert errors == []
    set_conf(odb, oms_webhook_port=0)  # any free port for the test
    w, services = make(qtbot, odb)
    qtbot.waitUntil(lambda: w.webhook is not None, timeout=10_000)
    assert w.webhook.host == "127.0.0.1"
    r = requests.post(w.webhook.url + "/flow-trigger/x/split_packages", json={}, timeout=5)
    assert r.status_code == 401
    close(w, services)
    assert w.webhook is None


def test_cargo_mapping_dialog_fixes_an_unmapped_cargo_company(qtbot, odb, ctl):
    from n11_desktop.views.orders_dialogs import CargoMappingDialog

    pkg = ctl.order(shipmentCompanyId=401)  # Ceva: not mapped
    assert run_flow("order_create", odb).ok
    w, services = make(qtbot, odb)
    assert "no local cargo company is mapped to N11 shipment company 401" in w.banner.text()
    dlg = CargoMappingDialog(services, w)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.loaded, timeout=10_000)
    assert dlg.table.rowCount() == 6
    dlg._add_row(None)
    n = dlg.table.rowCount() - 1
    assert dlg.table.item(n, 0).text() == "107"
    dlg.save()  # empty name: refused, nothing saved
    qtbot.waitUntil(lambda: "Not saved" in dlg.status.text(), timeout=10_000)
    dlg.table.item(n, 1).setText("Ceva Lojistik")
    combo = dlg.table.cellWidget(n, 3)
    combo.setCurrentIndex(combo.findData(401))
    dlg.save()
    qtbot.waitUntil(lambda: dlg.saved == 1, timeout=10_000)
    settle(qtbot, w, services)
    assert run_flow("order_create", odb).ok
    with odb.session_factory() as s:
        assert s.scalar(select(Order.cargo_company_id).where(Order.n11_order_number == pkg["orderNumber"])) == 107
    close(w, services)


def test_export_csv_for_the_erp(qtbot, odb, ctl, tmp_path):
    for _ in range(2):
        ctl.order(n_lines=2)
    assert run_flow("order_create", odb).ok
    w, services = make(qtbot, odb)
    target = tmp_path / "erp.csv"
    w.export_csv(str(target))
    qtbot.waitUntil(lambda: "Exported 4 order lines" in w.message.text(), timeout=10_000)
    assert target.read_text(encoding="utf-8").count("\n") == 5
    close(w, services)


def test_address_mapping_dialog_adds_a_new_local_node(qtbot, odb, ctl):
    from n11_desktop.core.storage.models import LocalDistrict

    with odb.session_factory.begin() as s:  # the operator keeps a neighbourhood list of their own
        s.add(LocalDistrict(township_id=1, name="Kendi Mahallem"))
    set_conf(odb, use_neighborhood=True)
    pkg = ctl.order(plate=34)
    assert run_flow("order_create", odb).ok
    services = build_services(odb)
    dlg = AddressMappingDialog(services)
    qtbot.addWidget(dlg)
    qtbot.waitUntil(lambda: dlg.table.rowCount() == 1, timeout=10_000)
    assert dlg.table.item(0, 0).text() == "District"
    dlg.create_node()
    qtbot.waitUntil(lambda: dlg.saved == 1 and dlg.table.rowCount() == 0, timeout=10_000)
    assert pkg["shippingAddress"]["neighborhood"] in dlg.status.text()
    qtbot.waitUntil(lambda: services.runner.pending == 0, timeout=10_000)
    assert services.shutdown(5000)


def test_mark_erp_reported_for_a_selection_and_from_csv(qtbot, odb, ctl, tmp_path):
    from PySide6.QtCore import QItemSelectionModel

    pkgs = [ctl.order() for _ in range(4)]
    assert run_flow("order_create", odb).ok
    w, services = make(qtbot, odb)
    sel = w.table.selectionModel()
    for n in (0, 1):
        sel.select(w.model.index(n, 0), QItemSelectionModel.SelectionFlag.Select
                   | QItemSelectionModel.SelectionFlag.Rows)
    chosen = {w.model.rows[0].n11_order_number, w.model.rows[1].n11_order_number}
    w.mark_reported()
    qtbot.waitUntil(lambda: "2 order(s) marked" in w.message.text(), timeout=10_000)
    settle(qtbot, w, services)
    with odb.session_factory() as s:
        assert set(s.scalars(select(Order.n11_order_number).where(Order.erp_reported.is_(True)))) == chosen
    rest = [p["orderNumber"] for p in pkgs if p["orderNumber"] not in chosen]
    csv_file = tmp_path / "erp.csv"
    csv_file.write_text("order_number\n" + "\n".join(rest) + "\n", encoding="utf-8")
    qtbot.waitUntil(lambda: not w._pending_flows, timeout=15_000)
    w.message.setText("")
    w.mark_reported_from_csv(str(csv_file))
    # marked, then the cancellation flow it starts has finished (its result is the last message)
    qtbot.waitUntil(lambda: "Cancel/Refund Orders" in w.message.text() and not w._pending_flows, timeout=15_000)
    with odb.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(Order).where(Order.erp_reported.is_(False))) == 0
    settle(qtbot, w, services)
    w.mark_reported_from_csv(str(tmp_path / "nope.csv"))
    qtbot.waitUntil(lambda: "Not done" in w.message.text() and "file not found" in w.message.text(),
                    timeout=10_000)
    assert w.status_filter.findData("waiting_erp") >= 0
    settle(qtbot, w, services)
    close(w, services)


def test_pickup_point_order_shows_the_point_and_the_customer(qtbot, odb, ctl, sandbox):
    """N11 pick-up-point delivery: shipping address is the point, the buyer is the billing address."""
    (pkg,) = sandbox.state.create_order(delivery_address_type="EASYPOINT")
    assert run_flow("order_create", odb).ok
    with odb.session_factory() as s:
        order = s.scalar(select(Order).where(Order.n11_order_number == pkg["orderNumber"]))
        assert order.customer_name == pkg["customerfullName"]
        assert order.shipping_address["pickup_point"] is True
        assert order.shipping_address["full_name"].startswith("EasyPoint")
        assert order.billing_address["full_name"] == pkg["customerfullName"]
        from n11_desktop.core.orders.queries import export_rows

        assert {r["delivery"] for r in export_rows(s)} == {"pickup:EASYPOINT"}  # the ERP sees it too
    w, services = make(qtbot, odb)
    qtbot.waitUntil(lambda: w.detail is not None, timeout=10_000)
    text = w.addresses.text()
    assert "pick-up point (EASYPOINT)" in text and "Customer (billing address)" in text
    assert pkg["customerfullName"] in text
    close(w, services)


def test_micro_export_order_asks_for_invoice_number_and_time(qtbot, odb, ctl, sandbox):
    from n11_desktop.views.orders_dialogs import MicroInvoiceDialog

    (pkg,) = sandbox.state.create_order(micro=True)
    assert run_flow("order_create", odb).ok
    w, services = make(qtbot, odb)
    qtbot.waitUntil(lambda: w.detail is not None and w.detail.micro, timeout=10_000)
    # the link alone is refused with the reason, and nothing is sent
    w.attach_invoice("https://erp.example.com/inv/m1.pdf")
    qtbot.waitUntil(lambda: "micro-export" in w.message.text(), timeout=10_000)
    assert not sandbox.state.invoices
    # the dialog asks for the three values (patched the way an operator fills it)
    asked = MicroInvoiceDialog.ask
    try:
        MicroInvoiceDialog.ask = classmethod(
            lambda cls, parent, current="": ("https://erp.example.com/inv/m1.pdf", "MKR2026000000001", "31/01/2026 23:30"))
        w.attach_invoice()
    finally:
        MicroInvoiceDialog.ask = asked
    qtbot.waitUntil(lambda: any(i["orderNumber"] == pkg["orderNumber"] for i in sandbox.state.invoices),
                    timeout=15_000)
    sent = sandbox.state.invoices[-1]
    assert sent["invoiceNumber"] == "MKR2026000000001" and sent["invoiceDateTime"] == "31/01/2026 23:30:00"
    qtbot.waitUntil(lambda: not w._pending_flows, timeout=15_000)
    settle(qtbot, w, services)
    close(w, services)


def test_history_and_waiting_claims_are_shown_and_history_can_be_imported(qtbot, odb, ctl, sandbox):
    ctl.order()
    old = ctl.order()
    ctl.status(old["id"], "Picking", "Shipped")
    ctl.claim(old["orderNumber"], old["lines"][0]["orderLineId"])
    assert run_flow("order_create", odb).ok
    assert run_flow("cancellation_requests", odb).ok
    w, services = make(qtbot, odb)
    assert w.model.rowCount() == 1
    assert w.history_btn.isVisible() and "(1)" in w.history_btn.text()
    assert "1 cancellation request(s) wait" in w.banner.text() and old["orderNumber"] in w.banner.text()
    w.history_btn.click()
    qtbot.waitUntil(lambda: w.model.rowCount() == 2 and not w._pending_flows, timeout=15_000)
    settle(qtbot, w, services)
    qtbot.waitUntil(lambda: not w.history_btn.isVisible(), timeout=10_000)
    with odb.session_factory() as s:
        imported = s.scalar(select(Order).where(Order.n11_order_number == old["orderNumber"]))
        assert imported.raw.get("history") and imported.erp_reported
    row = next(n for n, r in enumerate(w.model.rows) if r.n11_order_number == old["orderNumber"])
    assert w.model.index(row, 1).data().endswith("· history")
    close(w, services)


def test_pickup_request_for_a_carrier_that_collects(qtbot, odb, ctl, sandbox):
    from n11_desktop.views.orders_dialogs import CollectionDialog

    from n11_desktop.core.storage.models import CargoCompany

    with odb.session_factory.begin() as s:  # the ERP's Horoz entry, mapped to N11's Horoz Lojistik
        s.add(CargoCompany(id=190, name="Horoz Lojistik", code="HOROZ", n11_shipment_company_id=441, is_active=True))
    horoz = ctl.order(shipmentCompanyId=441, n_lines=1)
    assert run_flow("order_create", odb).ok
    w, services = make(qtbot, odb)
    qtbot.waitUntil(lambda: w.detail is not None, timeout=10_000)
    assert not w.pickup_btn.isEnabled()  # nothing approved yet
    w.approve()
    qtbot.waitUntil(lambda: sandbox.state.packages[horoz["id"]]["shipmentPackageStatus"] == "Picking",
                    timeout=15_000)
    qtbot.waitUntil(lambda: w.detail is not None and w.pickup_btn.isEnabled() and not w._pending_flows,
                    timeout=15_000)
    asked = CollectionDialog.ask
    try:
        CollectionDialog.ask = classmethod(lambda cls, parent: (2, "3.5"))
        w.request_pickup()
    finally:
        CollectionDialog.ask = asked
    qtbot.waitUntil(lambda: "Pick-up requested from Horoz" in w.message.text(), timeout=10_000)
    (req,) = sandbox.state.collection_requests
    assert req["id"] == horoz["id"] and req["shipmentCompany"] == "HLZ" and req["boxQuantity"] == 2
    settle(qtbot, w, services)
    close(w, services)
