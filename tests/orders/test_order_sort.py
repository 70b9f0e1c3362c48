"""The orders list sorts in SQL (what a click on an Orders tab header asks for): customer and city in Turkish
alphabetical order, money as numbers, statuses along the order's life, ties by id so pages never skip or
repeat an order — on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from n11_desktop.core.orders import status as st
from n11_desktop.core.orders.operations import load_more_orders, load_orders
from n11_desktop.core.orders.queries import OrderFilter, list_orders
from n11_desktop.core.storage.models import Order

pytestmark = pytest.mark.both_engines

#: customers in Turkish alphabetical order: c before ç, ı (I) before i (İ), ö after o, ş after s, ü after u
CUSTOMERS = ["Cem Kaya", "Ceren Öz", "Çağrı Demir", "Derya Sönmez", "Işık Tan", "İnce Aydın", "Oya Er",
             "Ömer Ak", "Selin Uz", "Şule Bal", "Umut Gök", "Ümit Yılmaz"]
CITIES = ["Adana", "Bursa", "Çorum", "Denizli", "Iğdır", "İstanbul", "İzmir", "Ordu", "Şırnak", "Uşak", "Ünye",
          "Zonguldak"]
TOTALS = ["9.90", "100.00", "25.50", "1250.00", "75.00", "10.00", "99.99", "300.00", "5.00", "1000.00", "42.00",
          "18.75"]
T0 = datetime(2026, 11, 1, 9, 0)


@pytest.fixture
def listed(db):
    """The customers twice (equal names tie), inserted out of order; {id: (customer, city, total, ordered_at)}."""
    out = {}
    order = [7, 2, 11, 0, 5, 9, 3, 10, 1, 8, 4, 6]
    with db.session_factory.begin() as s:
        for rnd in range(2):
            for n in order:
                k = rnd * 12 + n
                o = Order(n11_order_number=f"N{k:03d}", number=f"O-{k:03d}", status=st.WAITING,
                          customer_name=CUSTOMERS[n], shipping_address={"city": CITIES[(n + 5 * rnd) % 12]},
                          total_amount=Decimal(TOTALS[n]) + rnd, ordered_at=T0 + timedelta(hours=(n * 7 + rnd) % 24))
                s.add(o)
                s.flush()
                out[o.id] = (o.customer_name, CITIES[(n + 5 * rnd) % 12], o.total_amount, o.ordered_at)
    return out


def walk(db, order_by: str, page: int = 5) -> list[int]:
    """Every order, page by page the way the Orders tab scrolls through them."""
    total, first = load_orders(db, OrderFilter(), page, order_by)
    ids = [r.id for r in first]
    while len(ids) < total:
        more = load_more_orders(db, OrderFilter(), len(ids), page, order_by)
        assert more, "a page came back empty before the end"
        ids += [r.id for r in more]
    return ids


def test_customers_sort_in_turkish_order_across_pages_ties_by_id(db, listed):
    ids = walk(db, "customer")
    assert len(ids) == len(set(ids)) == len(listed)  # nothing skipped, nothing twice
    assert [listed[i][0] for i in ids] == [c for c in CUSTOMERS for _ in range(2)]
    for a, b in zip(ids[::2], ids[1::2]):
        assert a < b  # the same name: the earlier order first
    assert walk(db, "-customer") == ids[::-1]  # descending is the exact reverse, ties included


def test_city_total_and_date_sort(db, listed):
    cities = [listed[i][1] for i in walk(db, "city")]
    assert list(dict.fromkeys(cities)) == CITIES
    totals = [listed[i][2] for i in walk(db, "total", page=7)]
    assert totals == sorted(totals) and totals[0] == Decimal("5.00") and totals[-1] == Decimal("1251.00")
    assert [listed[i][2] for i in walk(db, "-total")] == totals[::-1]
    dates = [listed[i][3] for i in walk(db, "ordered_at")]
    assert dates == sorted(dates)
    newest_first = walk(db, "-ordered_at")
    assert [listed[i][3] for i in newest_first] == dates[::-1]
    with db.session_factory() as s:  # the default is newest first, as the Orders tab opens
        assert [r.id for r in list_orders(s, OrderFilter(), 0, 100)] == newest_first


def test_status_sorts_along_the_life_of_an_order_and_a_bad_key_is_refused(db, listed):
    ids = sorted(listed)
    with db.session_factory.begin() as s:
        for oid, status in zip(ids, [st.CANCELLED, st.SHIPPED, st.APPROVED, st.COMPLETED]):
            s.get(Order, oid).status = status
    with db.session_factory() as s:
        shown = [r.status for r in list_orders(s, OrderFilter(), 0, 100, "status")]
        searched = [r.customer for r in list_orders(s, OrderFilter(text="Ç"), 0, 100, "-customer")]
        with pytest.raises(ValueError, match="cannot sort by 'colour'"):
            list_orders(s, OrderFilter(), 0, 100, "colour")
    assert shown == [st.WAITING] * 20 + [st.APPROVED, st.SHIPPED, st.COMPLETED, st.CANCELLED]
    assert searched == ["Çağrı Demir"] * 2  # sorting and the search filter together


def test_orders_list_sorts_on_the_command_line_as_the_tab_does(db, listed, capsys):
    import json

    from n11_desktop.cli import main

    target = str(db.target())
    assert main(["--db", target, "orders", "list", "--json", "--sort", "customer"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["customer"] for r in rows] == [c for c in CUSTOMERS for _ in range(2)]  # Turkish order
    assert main(["--db", target, "orders", "list", "--json", "--sort=-total", "--limit", "3"]) == 0
    assert [r["total"] for r in map(json.loads, capsys.readouterr().out.splitlines())] == ["1251.00", "1250.00",
                                                                                           "1001.00"]
    assert main(["--db", target, "orders", "list", "--sort", "colour"]) == 1
    err = capsys.readouterr().err
    assert "cannot sort by 'colour'" in err and "customer" in err and "\n" == err[-1] and err.count("\n") == 1
