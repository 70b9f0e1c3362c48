"""The fast paths of a 100k push behave exactly like the plain ones they replaced.

Driver-level inserts store the same text as SQLAlchemy Core inserts; the GC pause restores the
collector; multi-page sends and multi-task polls (which overlap N11's round trip with our own
work) still write every record as about-to-send before its request and store results per task.
"""

from __future__ import annotations

import pytest

import copy
import gc
import json
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Text, cast, insert, select

from n11_desktop.core import batch_results, batches, ledger
from n11_desktop.core.n11.client import client_from_config
from n11_desktop.core.settings import load_config
from n11_desktop.core.storage.db import open_database
from n11_desktop.core.storage.models import Batch, BatchItem, utcnow
from n11_desktop.sandbox.state import _copy_tree

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)


def _rows(target, sql):
    """Rows of ``sql`` as the driver returns them, from an SQLite file or a PostgreSQL URL."""
    from n11_desktop.core.storage.db import bare_engine

    engine = bare_engine(target)
    try:
        with engine.connect() as con:
            return [tuple(r) for r in con.exec_driver_sql(sql)]
    finally:
        engine.dispose()


def test_gc_pause_nests_and_restores_the_previous_state():
    was = gc.isenabled()
    try:
        gc.enable()
        with batches.gc_paused():
            assert not gc.isenabled()
            with batches.gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()  # the inner pause does not switch it back on
        assert gc.isenabled()
        gc.disable()
        with batches.gc_paused():
            pass
        assert not gc.isenabled()  # an application that turned it off keeps it off
    finally:
        (gc.enable if was else gc.disable)()


def test_an_in_process_sandbox_request_does_not_end_the_apps_gc_pause():
    """N11's simulator pauses the collector while it answers a request; inside the app's own
    interpreter a request that began before a 100k push's pause and ends during it must not switch
    the collector back on in the middle of the push (it did while the two kept separate counts)."""
    from n11_desktop.sandbox import server

    was = gc.isenabled()
    try:
        gc.enable()
        request = server.gc_paused(bulk=False)  # what the sandbox holds around each request
        request.__enter__()
        with batches.gc_paused():  # the push starts while the request is being answered
            request.__exit__(None, None, None)
            assert not gc.isenabled()  # still the push's pause
        assert gc.isenabled()
    finally:
        (gc.enable if was else gc.disable)()


def test_batch_items_are_stored_exactly_as_a_core_insert_would(db_target, other_db_target):
    items = [batches.SendItem(i, f"S{i}", {"stockCode": f"S{i}", "quantity": i, "title": "Çanta ğüşö", "n": None,
                                           "attributes": [{"id": 1, "valueId": 2}]},
                              datetime(2026, 1, 1, 1, 1, 1, i) if i % 2 else None,
                              {"stock_vd": "2026-01-01T00:00:00"} if i % 3 else {}) for i in range(1, 8)]
    now = datetime(2026, 1, 1)
    fast = open_database(db_target)  # two databases of the test's engine
    bid = batches.create_batch(fast, "product", "product_create", "create", items[:3], now, finalize=False)
    batches.add_items(fast, bid, "create", items[3:], now)
    core = open_database(other_db_target)
    cid = batches.create_batch(core, "product", "product_create", "create", [], now, finalize=False)
    with core.session_factory.begin() as s:
        s.execute(insert(BatchItem), batches._item_rows(cid, "create", items))
    with fast.session_factory() as s:
        assert s.get(Batch, bid).total == 7
    fast.dispose()
    core.dispose()
    sql = "SELECT * FROM batch_item ORDER BY id"
    fast_rows, core_rows = _rows(db_target, sql), _rows(other_db_target, sql)
    # the payload's text differs by design (its start is the SKU as it goes out: batches._encoded_text);
    # its value, and every other column, is what a Core insert stores
    payload = [c.name for c in BatchItem.__table__.columns].index("payload")
    decoded = [[json.loads(v) if isinstance(v, str) and i == payload else v for i, v in enumerate(r)]
               for r in fast_rows]
    assert decoded == [[json.loads(v) if isinstance(v, str) and i == payload else v for i, v in enumerate(r)]
                       for r in core_rows]
    assert all(isinstance(r[payload], dict) or r[payload].startswith('{"stockCode":') for r in fast_rows)


def test_ledger_bulk_upsert_fast_path_stores_what_the_core_path_stores(db_target, other_db_target, monkeypatch):
    now = datetime(2026, 1, 2, 3, 4, 5, 6)
    rows = [dict(content_type="product", object_id=i, object_key=f"S{i}", state="active", last_error=None,
                 last_sent_at=now, updated_at=now, last_values={"a": i, "n": None, "p": str(Decimal("1.50"))},
                 version_date=None if i % 2 else now, remote_id=None, remote_status="Active") for i in range(6)]
    merge = [dict(r, last_values={"b": 1, "a": None}, state="synced") for r in rows]

    def run(path):
        db = open_database(path)
        with db.session_factory.begin() as s:
            ledger.bulk_upsert(s, rows[:3])
        with db.session_factory.begin() as s:
            ledger.bulk_upsert(s, merge, merge_values=True)
        with db.session_factory.begin() as s:
            ledger.bulk_upsert(s, rows[4:])
        db.dispose()
        return _rows(path, "SELECT * FROM integration_action ORDER BY id")

    fast = run(db_target)  # two databases of the test's engine
    monkeypatch.setattr(ledger, "_FAST_REQUIRED", frozenset({"no such column"}))
    assert run(other_db_target) == fast


def test_sandbox_task_copy_matches_deepcopy_and_is_independent():
    skus = [{"stockCode": "A", "attributes": [{"id": 1, "customValue": None}], "salePrice": 1.5, "n": None,
             "images": [{"url": "https://x/1.jpg", "order": 1}], "d": Decimal("2.00"), "t": (1, [2])}]
    out = _copy_tree(skus)
    assert out == copy.deepcopy(skus)
    out[0]["attributes"][0]["id"] = 9
    out[0]["t"][1].append(3)
    assert skus[0]["attributes"][0]["id"] == 1 and skus[0]["t"] == (1, [2])


def test_multi_page_send_writes_each_page_before_its_request_and_polls_every_task(configured_db, sandbox):
    db = configured_db
    now = utcnow()
    items = [batches.SendItem(i, f"MP{i}", {"stockCode": f"MP{i}", "quantity": i}) for i in range(1, 6)]
    bid = batches.create_batch(db, "productstock", "stock", "price_stock", items, now)
    seen_states: list[list[str]] = []
    original = batches._post

    def spy(client, op, skus):  # what the database says the moment each request leaves
        with db.session_factory() as s:
            seen_states.append([st for (st,) in s.execute(
                select(BatchItem.state).where(BatchItem.batch_id == bid).order_by(BatchItem.id))])
        return original(client, op, skus)

    with db.session_factory() as s:
        config = load_config(s)
    client = client_from_config(config.conf)
    batches._post = spy
    try:
        summary = batches.send_batch(db, bid, client, config, page_size=2, clock=utcnow)
    finally:
        batches._post = original
    try:
        assert summary.tasks == 3 and summary.sent == 5
        assert seen_states == [["sending", "sending", "pending", "pending", "pending"],
                               ["sent", "sent", "sending", "sending", "pending"],
                               ["sent", "sent", "sent", "sent", "sending"]]
        with db.session_factory() as s:
            tids = [t for (t,) in s.execute(select(BatchItem.remote_task_id).where(BatchItem.batch_id == bid)
                                            .order_by(BatchItem.id))]
        assert tids[0] == tids[1] and tids[2] == tids[3] and len(set(tids)) == 3
        sandbox.state.process_tasks_now()
        polled = batch_results.poll(db, client, config, clock=utcnow)
    finally:
        client.close()
    assert polled.succeeded + polled.failed == 5 and polled.batches_finished == 1
    with db.session_factory() as s:
        states = {st for (st,) in s.execute(select(BatchItem.state).where(BatchItem.batch_id == bid))}
        assert states <= {"success", "fail"}
        assert s.get(Batch, bid).state in ("done", "fail")


def test_create_records_encoded_straight_from_the_mapper_store_what_the_plain_path_stores(db):
    """A push's create records are encoded from the Mapper's own payload (Decimal prices, no
    JSON-ready copy); each stored record is the same text the plain path stores, prices, None-valued
    attribute keys, odd titles and barcodes included."""
    from sqlalchemy import update

    from n11_desktop.bench.products import _setup
    from n11_desktop.core import products_send as ps
    from n11_desktop.core.storage.models import Price, Product

    now = datetime(2026, 1, 1)
    _setup(db, 40, sent=False, t0=now)
    with db.session_factory.begin() as s:
        s.execute(update(Price).where(Price.product_id == 2).values(price=Decimal("98765432109.99"),
                                                                    list_price=Decimal("98765432109.99")))
        s.execute(update(Price).where(Price.product_id == 3).values(price=Decimal("0.01"), list_price=Decimal("0.10")))
        s.execute(update(Product).where(Product.id == 4).values(
            title='Tırnak " ve \\ ters\tsekme \u2028 😀 </script> uzun', barcode=" 8690000000001 ",
            images=[" https://cdn.example.com/a.jpg ", ""]))
        s.execute(update(Product).where(Product.id == 5).values(attributes={"Renk": None, "Boyut": "  "}, brand=None))
    ids = list(range(1, 41))
    meta = {"stock_vd": "2026-01-01T00:00:00", "price_vd": None}
    stored = {}
    for encoded, content_type in ((True, "product"), (False, "product_plain")):
        with db.session_factory() as s:
            built = ps.build_payloads(s, ids, buffer_stock=1, encoded=encoded)
        built = [b for b in built if b.payload is not None]
        assert {2, 3, 4} <= {b.product_id for b in built}
        assert all(b.text is not None for b in built) if encoded else all(b.text is None for b in built)
        items = [batches.SendItem(b.product_id, b.sku, b.payload, now, meta, b.text) for b in built]
        bid = batches.create_batch(db, content_type, "product_create", "create", items, now)
        with db.session_factory() as s:
            stored[encoded] = s.execute(
                select(BatchItem.object_id, BatchItem.object_key, cast(BatchItem.payload, Text), BatchItem.version_date)
                .where(BatchItem.batch_id == bid).order_by(BatchItem.id)).all()
    assert stored[True] == stored[False]
    assert len(stored[True]) >= 38 and '"salePrice":98765432109.99' in stored[True][1][2]


@pytest.mark.parametrize("payload", [
    {"stockCode": "S1", "salePrice": 10.5, "listPrice": Decimal("12.00")},  # a float price
    {"stockCode": "S1", "salePrice": 10},  # an int price
    {"stockCode": "S1", "salePrice": Decimal("NaN")},
    {"stockCode": "S1", "attributes": [{"id": 1, "x": {"deep": 1}}]},
    {"stockCode": "S1", "quantity": Decimal("3")},  # a Decimal elsewhere: the plain path makes it a float
    {"stockCode": "S2"},  # another stock code
    {"stockCode": " "},
    {"stockCode": "S1", "_meta": {}},
])
def test_payloads_outside_the_mappers_shape_take_the_plain_path(db, payload):
    from n11_desktop.core import products_send as ps

    sku = payload["stockCode"] if payload["stockCode"] != "S2" else "S1"
    assert ps._create_text(sku, payload) is None
