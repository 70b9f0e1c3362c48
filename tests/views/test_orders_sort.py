"""Sorting the Orders tab by a click on a column header: done in SQL over every order (the table pages
200 at a time), Turkish alphabetical order for names, again for descending, and kept through refreshes."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from PySide6.QtCore import QPoint, Qt

from n11_desktop.app import build_services
from n11_desktop.core.orders import status as st
from n11_desktop.core.storage.models import Order
from n11_desktop.views import orders_model
from n11_desktop.views.orders_tab import OrdersTab

#: in Turkish alphabetical order (Çağrı after Cem and Ceren, Işık before İnce, Ö after O, Ş after S, Ü after U);
#: by code point Çağrı, İnce, Ömer, Şule and Ümit would all come after Zeynep
CUSTOMERS = ["Cem Kaya", "Ceren Öz", "Çağrı Demir", "Derya Sönmez", "Işık Tan", "İnce Aydın", "Oya Er", "Ömer Ak",
             "Selin Uz", "Şule Bal", "Umut Gök", "Ümit Yılmaz", "Zeynep Kurt"]
N = 260  # more than one page of the table (orders_model.PAGE = 200)
CUSTOMER, ORDERED, LINES, TOTAL = 3, 2, 5, 6


@pytest.fixture
def many(db):
    """{id: (customer, total, ordered_at)} of N orders: the names come round again and again (ties)."""
    t0 = datetime(2026, 11, 1, 9, 0)
    with db.session_factory.begin() as s:
        orders = [Order(n11_order_number=f"N{k:04d}", number=f"O-{k:04d}", status=st.WAITING,
                        customer_name=CUSTOMERS[(k * 7) % len(CUSTOMERS)], shipping_address={"city": "İzmir"},
                        total_amount=Decimal((k * 37) % 1000) + Decimal("0.90"),
                        ordered_at=t0 + timedelta(minutes=(k * 113) % N)) for k in range(N)]
        s.add_all(orders)
        s.flush()
        return {o.id: (o.customer_name, o.total_amount, o.ordered_at) for o in orders}


@pytest.fixture
def tab(qtbot, db, many):
    services = build_services(db)
    w = OrdersTab(services)
    qtbot.addWidget(w)
    w.resize(1500, 850)
    w.show()
    settle(qtbot, w, services)
    yield w
    w.shutdown()
    assert services.shutdown(5000)


def settle(qtbot, w, services=None):
    services = services or w.services
    qtbot.waitUntil(lambda: w.is_ready() and services.runner.pending == 0, timeout=15_000)


def click_header(qtbot, w, column: int) -> None:
    hh = w.table.horizontalHeader()
    x = hh.sectionViewportPosition(column) + hh.sectionSize(column) // 2
    qtbot.mouseClick(hh.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, hh.height() // 2))
    settle(qtbot, w)


def scroll_all(qtbot, w) -> list[int]:
    """Scroll to the bottom until every order is loaded; the ids shown, top to bottom."""
    settle(qtbot, w)
    while w.model.canFetchMore():
        shown = w.model.rowCount()
        w.table.scrollToBottom()
        qtbot.waitUntil(lambda: w.model.rowCount() > shown and not w.model.loading, timeout=15_000)
    ids = [w.model.index(r, 0).data(Qt.ItemDataRole.UserRole) for r in range(w.model.rowCount())]
    assert len(ids) == len(set(ids)) == N  # every order once: paging after the sort skipped and repeated none
    return ids


def indicator(w) -> tuple[int, Qt.SortOrder]:
    hh = w.table.horizontalHeader()
    return hh.sortIndicatorSection(), hh.sortIndicatorOrder()


def shown_customers(w) -> list[str]:
    return [w.model.index(r, CUSTOMER).data() for r in range(w.model.rowCount())]


def test_customer_header_sorts_every_page_in_turkish_order_and_again_descending(qtbot, tab, many):
    w = tab
    assert indicator(w) == (ORDERED, Qt.SortOrder.DescendingOrder)  # newest first, as before
    assert w.model.rowCount() == orders_model.PAGE and "Showing 200 of 260" in w.count_label.text()

    click_header(qtbot, w, CUSTOMER)
    assert indicator(w) == (CUSTOMER, Qt.SortOrder.AscendingOrder)
    ids = scroll_all(qtbot, w)
    names = shown_customers(w)
    assert list(dict.fromkeys(names)) == CUSTOMERS  # whole runs of each name, in Turkish order
    assert names == sorted(names, key=CUSTOMERS.index)
    for a, b in zip(ids, ids[1:]):
        if many[a][0] == many[b][0]:
            assert a < b  # equal names: a stable order (by id)

    click_header(qtbot, w, CUSTOMER)
    assert indicator(w) == (CUSTOMER, Qt.SortOrder.DescendingOrder)
    assert w.model.rowCount() == orders_model.PAGE  # from the first page again, not the loaded rows reversed
    assert shown_customers(w)[0] == "Zeynep Kurt"
    assert scroll_all(qtbot, w) == ids[::-1]


def test_total_and_date_headers_sort_all_orders(qtbot, tab, many):
    w = tab
    click_header(qtbot, w, TOTAL)
    assert indicator(w) == (TOTAL, Qt.SortOrder.AscendingOrder)
    totals = [many[i][1] for i in scroll_all(qtbot, w)]
    assert totals == sorted(totals) and totals[0] == Decimal("0.90") and totals[-1] == Decimal("999.90")
    click_header(qtbot, w, TOTAL)
    assert [many[i][1] for i in scroll_all(qtbot, w)] == totals[::-1]

    click_header(qtbot, w, ORDERED)
    assert indicator(w) == (ORDERED, Qt.SortOrder.AscendingOrder)
    dates = [many[i][2] for i in scroll_all(qtbot, w)]
    assert dates == sorted(dates)
    click_header(qtbot, w, ORDERED)
    assert indicator(w) == (ORDERED, Qt.SortOrder.DescendingOrder)
    assert [many[i][2] for i in scroll_all(qtbot, w)] == dates[::-1]


def test_the_sort_survives_filters_and_reloads_and_lines_is_not_sortable(qtbot, tab, many):
    w = tab
    click_header(qtbot, w, CUSTOMER)
    click_header(qtbot, w, CUSTOMER)  # Z … C
    assert shown_customers(w)[0] == "Zeynep Kurt"

    w.search.setText("Ç")  # a filter change
    qtbot.waitUntil(lambda: w.model.rowCount() == N // len(CUSTOMERS), timeout=10_000)
    settle(qtbot, w)
    assert set(shown_customers(w)) == {"Çağrı Demir"}
    w.search.setText("")
    qtbot.waitUntil(lambda: w.model.rowCount() == orders_model.PAGE, timeout=10_000)
    settle(qtbot, w)
    assert shown_customers(w)[0] == "Zeynep Kurt" and indicator(w) == (CUSTOMER, Qt.SortOrder.DescendingOrder)

    w._reload_timer.start()  # the reload after a flow finishes
    qtbot.waitUntil(lambda: not w._reload_timer.isActive(), timeout=10_000)
    settle(qtbot, w)
    assert shown_customers(w)[0] == "Zeynep Kurt" and indicator(w) == (CUSTOMER, Qt.SortOrder.DescendingOrder)
    w.refresh_btn.click()
    settle(qtbot, w)
    assert shown_customers(w)[-1] != "Cem Kaya" and shown_customers(w)[0] == "Zeynep Kurt"
    assert scroll_all(qtbot, w)  # still every order once
    assert shown_customers(w)[-1] == "Cem Kaya"

    # the line count is worked out per page, so its header does not sort: the indicator stays put
    click_header(qtbot, w, LINES)
    assert indicator(w) == (CUSTOMER, Qt.SortOrder.DescendingOrder)
    assert w.model.order_by == "-customer" and shown_customers(w)[0] == "Zeynep Kurt"


def test_the_sort_is_remembered_at_the_next_start_and_a_bad_stored_value_is_ignored(qtbot, tab, db, many):
    from PySide6.QtCore import QSettings

    click_header(qtbot, tab, CUSTOMER)
    click_header(qtbot, tab, CUSTOMER)  # Z … C
    ui_path = tab.services.ui_settings_path

    def reopen() -> OrdersTab:
        services = build_services(db)
        w = OrdersTab(services)
        qtbot.addWidget(w)
        w.show()
        settle(qtbot, w, services)
        return w

    again = reopen()  # the next start of the app on this store
    try:
        assert indicator(again) == (CUSTOMER, Qt.SortOrder.DescendingOrder)
        assert shown_customers(again)[0] == "Zeynep Kurt"
    finally:
        again.shutdown()
        assert again.services.shutdown(5000)

    s = QSettings(str(ui_path), QSettings.Format.IniFormat)
    s.setValue("orders/sort", "colour; DROP TABLE orders")  # edited by hand
    s.sync()
    third = reopen()
    try:
        assert indicator(third) == (ORDERED, Qt.SortOrder.DescendingOrder)  # newest first, as on a first start
        assert third.model.rowCount() == orders_model.PAGE
    finally:
        third.shutdown()
        assert third.services.shutdown(5000)
