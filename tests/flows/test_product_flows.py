"""End to end: the product flows against the sandbox over real loopback HTTP."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from n11_desktop.core import penalty
from n11_desktop.core.catalog.repo import set_in_catalog, set_price, set_stock
from n11_desktop.core.n11.client import client_from_config
from n11_desktop.core.schedule_facts import recover_on_start
from n11_desktop.core.storage.models import (
    Batch,
    BatchItem,
    Channel,
    FailedIntegration,
    IntegrationAction,
    LogEntry,
    Product,
    utcnow,
)

from .helpers import create_tasks, drain, later, run, seed_catalog


@pytest.fixture
def n11(configured_db, sandbox):
    """Tasks and approvals advance only when the test says so."""
    sandbox.state.task_delay_ms = 10**8
    sandbox.state.approval_delay_ms = 10**8
    return configured_db


def _conf(db, **changes):
    with db.session_factory.begin() as s:
        ch = s.scalars(select(Channel)).first()
        conf = dict(ch.conf)
        conf.update(changes)
        ch.conf = conf


def _ledger(db, ct="product"):
    with db.session_factory() as s:
        return {ia.object_key: ia for ia in s.scalars(select(IntegrationAction).where(IntegrationAction.content_type == ct))}


def _penalties(db):
    with db.session_factory() as s:
        return {(f.content_type, f.object_key): f for f in s.scalars(select(FailedIntegration)
                                                                     .where(FailedIntegration.is_active.is_(True)))}


def _pid(db, sku):
    with db.session_factory() as s:
        return s.scalar(select(Product.id).where(Product.sku == sku))


def _logs(db, text):
    with db.session_factory() as s:
        return [(e.object_key, e.message) for e in s.scalars(select(LogEntry).where(LogEntry.message.contains(text)))]


@pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)
def test_create_approval_update_stock_price_delete(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 3)
    _conf(db, buffer_stock=2)
    res = run(db, "product_create")
    assert res.ok and res.succeeded == 3
    tasks = create_tasks(sandbox)
    assert len(tasks) == 1 and sorted(s["stockCode"] for s in tasks[0]["skus_in"]) == skus
    assert all(s["quantity"] == 8 for s in tasks[0]["skus_in"])  # stock 10 − Buffer Stock 2
    drain(db, sandbox)
    led = _ledger(db)
    assert {led[s].state for s in skus} == {"pending_approval"}
    assert set(sandbox.state.products) == set(skus)
    # nothing changed: a second create sends nothing
    assert run(db, "product_create").total == 0
    # approval on N11, then an update of one product
    sandbox.state.approve_products_now()
    assert run(db, "product_update").total == 0  # refreshes approval; nothing changed yet
    assert {_ledger(db)[s].state for s in skus} == {"active"}
    with db.session_factory.begin() as s:
        p = s.scalars(select(Product).where(Product.sku == skus[0])).one()
        p.description = "<p>Yeni açıklama</p>"
        p.version_date = utcnow()
    res = run(db, "product_update")
    assert res.succeeded == 1
    drain(db, sandbox)
    assert sandbox.state.products[skus[0]]["description"] == "<p>Yeni açıklama</p>"
    assert run(db, "product_update").total == 0
    # stock: minus Buffer Stock, never below 0
    p0, p1, p2 = (_pid(db, s) for s in skus)
    with db.session_factory.begin() as s:
        set_stock(s, p0, 7)
        set_stock(s, p1, 1)
    res = run(db, "stock")
    assert res.succeeded == 2
    drain(db, sandbox)
    assert sandbox.state.products[skus[0]]["quantity"] == 5
    assert sandbox.state.products[skus[1]]["quantity"] == 0
    assert _ledger(db, "productstock")[skus[0]].last_values == {"quantity": 5}
    assert run(db, "stock").total == 0
    # price: list and sale price together
    with db.session_factory.begin() as s:
        set_price(s, p2, Decimal("80.00"), Decimal("90.00"))
    assert run(db, "price").succeeded == 1
    sku_task = [t for t in sandbox.state.tasks.values() if t["type"] == "SKU_UPDATE"][-1]
    assert sku_task["skus_in"] == [{"stockCode": skus[2], "listPrice": 90.0, "salePrice": 80.0, "currencyType": "TL"}]
    drain(db, sandbox)
    assert sandbox.state.products[skus[2]]["salePrice"] == Decimal("80.00")
    assert sandbox.state.products[skus[2]]["listPrice"] == Decimal("90.00")
    # delete: removed from the catalog → stock 0 on N11
    with db.session_factory.begin() as s:
        set_in_catalog(s, [p2], False)
    assert run(db, "product_delete").succeeded == 1
    drain(db, sandbox)
    assert sandbox.state.products[skus[2]]["quantity"] == 0
    assert _ledger(db)[skus[2]].state == "removed"
    assert run(db, "product_delete").total == 0
    with db.session_factory() as s:
        assert {b.state for b in s.scalars(select(Batch))} == {"done"}


@pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)
def test_partial_task_failure_penalizes_only_the_failing_sku(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 3)
    with db.session_factory.begin() as s:
        s.scalars(select(Product).where(Product.sku == skus[1])).one().shipment_template = "Bilinmeyen"
    run(db, "product_create")
    res = drain(db, sandbox)
    assert res.succeeded == 2 and res.penalized == 1
    led = _ledger(db)
    assert led[skus[0]].state == "pending_approval" and led[skus[1]].state == "failed"
    pen = _penalties(db)
    assert list(pen) == [("product", skus[1])]
    assert pen[("product", skus[1])].reason_type == "remote"
    assert "shipmentTemplate" in pen[("product", skus[1])].message
    assert any(k == skus[1] for k, _m in _logs(db, "shipmentTemplate"))


def test_rejected_task_penalizes_its_records(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 2)
    _conf(db, integrator=" ")  # N11 rejects a task without an integrator name
    res = run(db, "product_create")
    assert res.penalized == 2
    pen = _penalties(db)
    assert set(pen) == {("product", s) for s in skus}
    assert "rejected the task" in pen[("product", skus[0])].message
    assert "integrator" in pen[("product", skus[0])].message
    with db.session_factory() as s:
        assert [b.state for b in s.scalars(select(Batch))] == ["fail"]
    # penalized: not sent again before the retry interval
    _conf(db, integrator="n11-desktop")
    assert run(db, "product_create").total == 0
    # after RETRY_INTERVAL (DEFAULT 28800 s) they go again
    res = run(db, "product_create", clock=later(28800 / 60 + 1))
    assert res.succeeded == 2


def test_sent_to_remote_expiry_penalizes(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 2)
    run(db, "product_create")
    res = run(db, "task_results")
    assert "still in N11's queue" in res.message
    res = run(db, "task_results", clock=later(6 * 60 + 5))  # EXPIRATION_HOUR 6
    assert res.penalized == 2
    pen = _penalties(db)
    assert "sent_to_remote" in pen[("product", skus[0])].message
    with db.session_factory() as s:
        assert [b.state for b in s.scalars(select(Batch))] == ["fail"]


def test_penalized_records_never_block_the_queue(n11, sandbox):
    db = n11
    bad = seed_catalog(db, 3, prefix="BAD", with_stock=False)
    good = seed_catalog(db, 2, prefix="GOOD")
    _conf(db, queue_page_size=2, queue_max_tasks=1)  # a page of 2 SKUs per run
    r1 = run(db, "product_create")
    assert r1.penalized == 2 and r1.succeeded == 0
    r2 = run(db, "product_create")
    assert r2.penalized == 1 and r2.succeeded == 1
    drain(db, sandbox)
    r3 = run(db, "product_create")
    assert r3.penalized == 0 and r3.succeeded == 1
    drain(db, sandbox)
    assert set(sandbox.state.products) == set(good)
    pen = _penalties(db)
    assert {k[1] for k in pen} == set(bad)
    assert {p.message for p in pen.values()} == {penalty.MSG_STOCK_NOT_FOUND}
    assert {p.reason_type for p in pen.values()} == {"channel_app"}


def test_price_missing_gets_the_seed_message(n11, sandbox):
    db = n11
    seed_catalog(db, 1, with_price=False)
    run(db, "product_create")
    assert [p.message for p in _penalties(db).values()] == [penalty.MSG_PRICE_NOT_FOUND]


class Crash(BaseException):
    """The process dies: raised after N11 accepted the post, before the acknowledgement is stored."""


def _crash_after_post(conf, **kw):
    client = client_from_config(conf, **kw)
    post = client.create_products

    def create(skus, **k):
        post(skus, **k)
        raise Crash()

    client.create_products = create
    return client


@pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)
def test_crash_between_send_and_ack_produces_no_duplicate(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 3)
    with pytest.raises(Crash):
        run(db, "product_create", client_factory=_crash_after_post)
    assert len(create_tasks(sandbox)) == 1
    with db.session_factory() as s:
        assert {i.state for i in s.scalars(select(BatchItem))} == {"sending"}
        assert {i.remote_task_id for i in s.scalars(select(BatchItem))} == {None}
    # restart while N11 still has the task in its queue: nothing is re-sent
    res = run(db, "product_create", clock=later(3))
    assert res.total == 0
    assert len(create_tasks(sandbox)) == 1
    # N11 processes it; product-query resolves the unacknowledged records
    sandbox.state.process_tasks_now()
    res = run(db, "task_results", clock=later(4))
    assert "resolved via product-query" in res.message
    assert {_ledger(db)[s].state for s in skus} == {"pending_approval"}
    assert run(db, "product_create", clock=later(5)).total == 0
    creates = create_tasks(sandbox)
    assert len(creates) == 1
    for sku in skus:
        assert sum(1 for t in creates for x in t["skus_in"] if x["stockCode"] == sku) == 1


def test_unacknowledged_records_that_never_arrive_are_penalized_after_expiry(n11, sandbox):
    db = n11
    seed_catalog(db, 1)

    def lost(conf, **kw):
        client = client_from_config(conf, **kw)

        def create(skus, **k):
            raise Crash()  # dies right after writing "sending", before the request is answered

        client.create_products = create
        return client

    with pytest.raises(Crash):
        run(db, "product_create", client_factory=lost)
    assert run(db, "task_results", clock=later(3)).penalized == 0
    res = run(db, "task_results", clock=later(6 * 60 + 5))
    assert res.penalized == 1
    assert "sent_to_remote" in list(_penalties(db).values())[0].message
    assert len(create_tasks(sandbox)) == 0


@pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)
def test_restart_polls_tasks_in_flight(n11, sandbox, tmp_path):
    from n11_desktop.core.storage.db import open_database

    db = n11
    seed_catalog(db, 2)
    run(db, "product_create")
    sandbox.state.process_tasks_now()
    db2 = open_database(db.target())  # a new process on the same file
    try:
        res = run(db2, "task_results")
        assert res.succeeded == 2
    finally:
        db2.dispose()
    assert len(create_tasks(sandbox)) == 1


def test_seller_code_fix_deletes_then_creates(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 1)
    sandbox.state.add_product(stockCode=skus[0], productMainId="ESKI-KOD")
    run(db, "product_create")
    drain(db, sandbox)
    pen = _penalties(db)[("product", skus[0])]
    assert pen.message == penalty.MSG_SELLER_CODE.format(code="ESKI-KOD")
    res = run(db, "send_delete_product_seller_code")
    assert res.succeeded == 1
    drain(db, sandbox)
    assert skus[0] not in sandbox.state.products
    assert _ledger(db)[skus[0]].state == "seller_code_deleted"
    res = run(db, "send_delete_product_seller_code")
    assert res.succeeded == 1
    drain(db, sandbox)
    assert sandbox.state.products[skus[0]]["productMainId"] == skus[0]
    assert _ledger(db)[skus[0]].state == "pending_approval"
    assert not _penalties(db)


def test_category_mismatch_message_names_n11_category(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 1)
    sandbox.state.add_product(stockCode=skus[0], productMainId=skus[0], categoryId=1000003)
    run(db, "product_create")
    drain(db, sandbox)
    msg = _penalties(db)[("product", skus[0])].message
    assert msg.startswith("The product is listed in the category ") and "with category ID 1000003." in msg


def test_already_created_and_pending_is_recorded_not_penalized(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 1)
    sandbox.state.add_product(stockCode=skus[0], productMainId=skus[0], categoryId=1000002,
                              status="InCatalogApproval")
    run(db, "product_create")
    drain(db, sandbox)
    assert not _penalties(db)
    assert _ledger(db)[skus[0]].state == "pending_approval"
    assert _logs(db, penalty.MSG_PENDING_APPROVAL)


def test_operator_selection_reports_records_not_in_queue(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 2)
    run(db, "product_create", options={"skus": [skus[0]]})
    assert len(create_tasks(sandbox)) == 1 and create_tasks(sandbox)[0]["skus_in"][0]["stockCode"] == skus[0]
    drain(db, sandbox)
    res = run(db, "product_create", options={"skus": [skus[0]]})
    assert res.total == 0 and res.skipped == 1
    assert _logs(db, penalty.MSG_NOT_IN_QUEUE)[0][0] == skus[0]


def test_cancel_leaves_nothing_half_written(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 3)
    _conf(db, queue_page_size=1)
    seen = []
    res = run(db, "product_create", on_progress=seen.append, should_stop=lambda: any(p.done for p in seen))
    assert res.state.value == "cancelled"
    assert len(create_tasks(sandbox)) == 1
    with db.session_factory() as s:
        states = sorted(i.state for i in s.scalars(select(BatchItem)))
    assert states == ["sent", "unsent", "unsent"]
    drain(db, sandbox)
    assert run(db, "product_create").succeeded == 2
    drain(db, sandbox)
    assert set(sandbox.state.products) == set(skus)
    assert seen[-1].total == 3 and seen[-1].done <= 3


@pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)
def test_one_batch_per_content_type_in_flight(n11, sandbox):
    db = n11
    seed_catalog(db, 1)
    run(db, "product_create")
    seed_catalog(db, 1, start=2)
    res = run(db, "product_create")
    assert res.total == 0 and "still in flight" in res.message
    drain(db, sandbox)
    assert run(db, "product_create").succeeded == 1


def test_wait_option_collects_results_in_the_same_run(configured_db, sandbox):
    db = configured_db
    seed_catalog(db, 2)
    res = run(db, "product_create", options={"wait_s": 20})
    assert "N11 processed it: 2 ok" in res.message
    with db.session_factory() as s:
        assert [b.state for b in s.scalars(select(Batch))] == ["done"]


def test_stock_for_a_product_gone_from_n11_is_penalized_product_not_found(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 2)
    run(db, "product_create")
    drain(db, sandbox)
    del sandbox.state.products[skus[0]]  # deleted on the N11 panel
    p0, p1 = _pid(db, skus[0]), _pid(db, skus[1])
    with db.session_factory.begin() as s:
        set_stock(s, p0, 3)
        set_stock(s, p1, 4)
    assert run(db, "stock").succeeded == 2
    res = drain(db, sandbox)
    assert res.succeeded == 1 and res.penalized == 1
    pen = _penalties(db)
    assert list(pen) == [("productstock", skus[0])]
    assert pen[("productstock", skus[0])].message == "Product not found"
    assert _ledger(db, "productstock")[skus[0]].state == "failed"
    assert sandbox.state.products[skus[1]]["quantity"] == 4


def test_price_zero_is_not_sent(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 1)
    run(db, "product_create")
    drain(db, sandbox)
    with db.session_factory.begin() as s:
        p = s.scalars(select(Product).where(Product.sku == skus[0])).one()
        p.price.price = Decimal("0")
        p.price.version_date = utcnow() + timedelta(seconds=1)
    res = run(db, "price")
    assert res.penalized == 1 and res.succeeded == 0
    assert "Price data not found" in _penalties(db)[("productprice", skus[0])].message


def test_product_back_in_the_catalog_gets_its_stock_again(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 1)
    run(db, "product_create")
    drain(db, sandbox)
    sandbox.state.approve_products_now()
    pid = _pid(db, skus[0])
    with db.session_factory.begin() as s:
        set_in_catalog(s, [pid], False)
    run(db, "product_delete")
    drain(db, sandbox)
    assert sandbox.state.products[skus[0]]["quantity"] == 0
    assert run(db, "stock").total == 0  # removed: no stock goes out
    with db.session_factory.begin() as s:
        set_in_catalog(s, [pid], True)
    assert run(db, "stock").succeeded == 1
    drain(db, sandbox)
    assert sandbox.state.products[skus[0]]["quantity"] == 10
    assert run(db, "product_update").succeeded == 1  # re-added products are updated (and active again)
    drain(db, sandbox)
    assert _ledger(db)[skus[0]].state == "active"


def test_many_pending_approvals_are_refreshed_in_one_listing_pass(n11, sandbox, monkeypatch):
    from n11_desktop.core.flows import products as flows_products

    monkeypatch.setattr(flows_products, "PENDING_REFRESH_ONE_BY_ONE", 1)
    db = n11
    skus = seed_catalog(db, 3)
    run(db, "product_create")
    drain(db, sandbox)  # task_results leaves large pending sets to product_update
    assert {_ledger(db)[s].state for s in skus} == {"pending_approval"}
    sandbox.state.approve_products_now()
    calls = len(sandbox.state.requests_log)
    run(db, "product_update")
    assert {_ledger(db)[s].state for s in skus} == {"active"}
    queries = [r for r in sandbox.state.requests_log[calls:] if r["path"] == "/ms/product-query"]
    assert len(queries) == 1  # one page of the listing, not one query per SKU


def test_start_trigger_recovers_a_crashed_send_at_once(n11, sandbox):
    from n11_desktop.core.batch_recovery import recover_in_flight

    db = n11
    skus = seed_catalog(db, 2)
    with pytest.raises(Crash):
        run(db, "product_create", client_factory=_crash_after_post)
    sandbox.state.process_tasks_now()
    assert recover_in_flight(db).resolved_unknown == 0  # just touched: maybe a live sender, left alone
    # the app restarted: the lease holder's start-up recovery takes the batch over without waiting
    recover_on_start(db)
    res = run(db, "task_results", trigger="start")
    assert "resolved via product-query" in res.message
    assert {_ledger(db)[s].state for s in skus} == {"pending_approval"}
    assert len(create_tasks(sandbox)) == 1


@pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)
def test_restart_right_after_a_kill_resumes_sending_only_for_the_lease_holder(n11, sandbox):
    from n11_desktop.core.instance import InstanceLease

    db = n11
    skus = seed_catalog(db, 3)
    with pytest.raises(Crash):  # first page (1 SKU) posted, the process dies; 2 SKUs never left
        run(db, "product_create", client_factory=_crash_after_post, options={"page_size": 1})
    sandbox.state.process_tasks_now()
    # a process without the lease (a manual `flow run` next to the scheduler) cannot know the sender
    # is dead: it waits STALE_AFTER_S (same clock, nothing sent)
    res = run(db, "product_create", options={"page_size": 1})
    assert res.total == 0 and "still in flight" in res.message
    assert len(create_tasks(sandbox)) == 1
    # the restart: the process that takes the lease recovers at once; the clock does not move
    lease = InstanceLease(db, "run")
    assert lease.acquire()
    try:
        recover_on_start(db)
        res = run(db, "product_create", options={"page_size": 1})
    finally:
        lease.release()
    assert res.ok and res.total == 2, res.message
    sandbox.state.process_tasks_now()
    drain(db, sandbox)
    created = [sku["stockCode"] for t in create_tasks(sandbox) for sku in t["skus_in"]]
    assert sorted(created) == skus  # each SKU in exactly one create task: nothing twice, nothing lost
    assert {_ledger(db)[s].state for s in skus} == {"pending_approval"}


def test_push_of_product_ids_sends_only_those(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 3)
    run(db, "product_create")
    drain(db, sandbox)
    ids = [_pid(db, s) for s in skus]
    with db.session_factory.begin() as s:
        for pid in ids:
            set_stock(s, pid, 9)
    res = run(db, "stock", trigger="push", options={"product_ids": (ids[1],)})
    assert res.succeeded == 1
    task = [t for t in sandbox.state.tasks.values() if t["type"] == "SKU_UPDATE"][-1]
    assert [x["stockCode"] for x in task["skus_in"]] == [skus[1]]
    assert not _logs(db, penalty.MSG_NOT_IN_QUEUE)


@pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)
def test_a_send_whose_batch_another_process_took_over_posts_nothing_more(n11, sandbox):
    """A live send next to a lease holder that starts up (its takeover cannot tell a live sender of
    another process from a dead one): the sender stops before its next page, so no SKU goes twice."""
    from n11_desktop.core.batch_recovery import take_over_abandoned
    from n11_desktop.core.storage.models import utcnow

    db = n11
    skus = seed_catalog(db, 3)

    def taken_over_after_first_post(conf, **kw):
        client = client_from_config(conf, **kw)
        post = client.create_products

        def create(batch, **k):
            out = post(batch, **k)
            take_over_abandoned(db, utcnow())  # the other process starts between our pages
            return out

        client.create_products = create
        return client

    res = run(db, "product_create", client_factory=taken_over_after_first_post, options={"page_size": 1})
    assert "taken over by another process" in res.message
    assert len(create_tasks(sandbox)) == 1
    for _ in range(3):
        sandbox.state.process_tasks_now()
        run(db, "task_results")
        run(db, "product_create", options={"page_size": 1})
    drain(db, sandbox)
    created = [sku["stockCode"] for t in create_tasks(sandbox) for sku in t["skus_in"]]
    assert sorted(created) == skus  # each SKU in exactly one create task
    assert {_ledger(db)[s].state for s in skus} == {"pending_approval"}


@pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)
def test_a_batch_taken_over_while_its_writer_still_adds_records_posts_nothing_more(n11, sandbox, monkeypatch):
    """The overlapped assembly: the takeover closes the batch while its writer thread is still to
    add a chunk; the writer adds nothing more, the send stops and says so (no error), and every
    SKU is later sent in exactly one create task."""
    import threading

    from n11_desktop.core import batches
    from n11_desktop.core.batch_recovery import take_over_abandoned
    from n11_desktop.core.storage.models import utcnow

    db = n11
    skus = seed_catalog(db, 3)  # page size 1: a first chunk of two pages, the third record by the writer
    taken = threading.Event()
    add_items = batches.add_items

    def add_after_the_takeover(*a, **k):
        assert taken.wait(30)
        return add_items(*a, **k)

    monkeypatch.setattr(batches, "add_items", add_after_the_takeover)

    from n11_desktop.core import results_child
    from n11_desktop.core.n11.client import N11Client

    post = N11Client.create_products

    def create(self, batch, **k):
        out = post(self, batch, **k)
        if not taken.is_set():
            take_over_abandoned(db, utcnow())  # the other process starts between our pages
            taken.set()
        return out

    monkeypatch.setattr(N11Client, "create_products", create)
    # the overlapped assembly goes with early results in a second process: forced on this small push
    monkeypatch.setenv(results_child.CHILD_MIN_ENV, "0")
    res = run(db, "product_create", options={"page_size": 1})
    assert "taken over by another process" in res.message and "Error" not in res.message, res.message
    assert len(create_tasks(sandbox)) == 1
    monkeypatch.setattr(batches, "add_items", add_items)
    monkeypatch.setattr(N11Client, "create_products", post)
    for _ in range(3):
        sandbox.state.process_tasks_now()
        run(db, "task_results")
        run(db, "product_create", options={"page_size": 1})
    drain(db, sandbox)
    created = [sku["stockCode"] for t in create_tasks(sandbox) for sku in t["skus_in"]]
    assert sorted(created) == skus  # each SKU in exactly one create task
    assert {_ledger(db)[s].state for s in skus} == {"pending_approval"}


@pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)
def test_lost_acknowledgements_are_looked_up_in_category_pages_and_absence_is_confirmed_per_sku(n11, sandbox):
    from n11_desktop.core.batch_recovery import lookup_remote
    from n11_desktop.sandbox import data

    leaf, other = data.leaf_ids()[:2]
    for i in range(30):
        sandbox.state.add_product(stockCode=f"IN-{i}", categoryId=leaf)
    sandbox.state.add_product(stockCode="MOVED", categoryId=other)  # N11 shows it in another category
    with n11.session_factory() as s:
        conf = s.scalars(select(Channel)).first().conf
    wanted = {f"IN-{i}": leaf for i in range(30)}
    wanted.update({"MOVED": leaf, "NEVER-ARRIVED": leaf, "NO-HINT": None})
    calls = len(sandbox.state.requests_log)
    with client_from_config(conf) as client:
        found = lookup_remote(client, wanted)
    paths = [r["path"] for r in sandbox.state.requests_log[calls:]]
    assert {k for k, v in found.items() if v is not None} == {f"IN-{i}" for i in range(30)} | {"MOVED"}
    assert found["NEVER-ARRIVED"] is None and found["NO-HINT"] is None
    # one category page for the 30, then one query each for the three not seen in it
    assert paths == ["/ms/product-query"] * 4


def test_product_without_description_is_held_back_with_a_clear_penalty(n11, sandbox):
    """N11 fails a product-create SKU without a description: Mapping Control stops it first."""
    db = n11
    skus = seed_catalog(db, 2)
    with db.session_factory.begin() as s:
        s.scalars(select(Product).where(Product.sku == skus[1])).one().description = "   "
    res = run(db, "product_create")
    assert res.succeeded == 1 and res.penalized == 1
    (task,) = create_tasks(sandbox)
    assert [sku["stockCode"] for sku in task["skus_in"]] == [skus[0]]  # never sent
    pen = _penalties(db)[("product", skus[1])]
    assert pen.reason_type == "mapping" and "Description is empty" in pen.message


def test_catalog_rejection_names_the_fix(n11, sandbox):
    """Seed §8: "Failed to suggest product to the catalog" → run Category Attributes, then Compare Attributes."""
    db = n11
    skus = seed_catalog(db, 1)
    with db.session_factory.begin() as s:
        p = s.scalars(select(Product).where(Product.sku == skus[0])).one()
        p.title = "Test ürünü REJECTME"  # the sandbox rejects it in catalog approval
    assert run(db, "product_create").succeeded == 1
    drain(db, sandbox)
    sandbox.state.approve_products_now()
    run(db, "product_update")
    led = _ledger(db)[skus[0]]
    assert led.state == "rejected"
    assert "katalog onay" in led.last_error and "then Compare Attributes" in led.last_error


def test_attribute_changes_are_not_sent_by_product_update_and_the_operator_is_told(n11, sandbox):
    """N11's product-update takes no attributes (docs/n11-protocol.md): the update goes out
    without them and the log says the change needs N11's seller panel."""
    from n11_desktop.core.flows.products import MSG_ATTRIBUTES_NOT_SENT

    db = n11
    skus = seed_catalog(db, 2)
    run(db, "product_create")
    drain(db, sandbox)
    sandbox.state.approve_products_now()
    assert run(db, "product_update").total == 0
    with db.session_factory.begin() as s:
        p = s.scalars(select(Product).where(Product.sku == skus[0])).one()
        p.attributes = {**p.attributes, "Renk": "Mavi"}
        p.description = "<p>Mavi</p>"
        p.version_date = utcnow()
    assert run(db, "product_update").succeeded == 1
    (task,) = [t for t in sandbox.state.tasks.values() if t["type"] == "PRODUCT_UPDATE"]
    assert task["status"] != "REJECT" and all("attributes" not in sku for sku in task["skus_in"])
    assert _logs(db, MSG_ATTRIBUTES_NOT_SENT) == [(skus[0], MSG_ATTRIBUTES_NOT_SENT)]
    drain(db, sandbox)
    assert sandbox.state.products[skus[0]]["description"] == "<p>Mavi</p>"  # the rest went through


def _crash_after_second_stock_post(conf, **kw):
    client = client_from_config(conf, **kw)
    post = client.update_price_stock
    calls = []

    def update(items, **k):
        acks = post(items, **k)
        calls.append(1)
        if len(calls) == 2:
            raise Crash()
        return acks

    client.update_price_stock = update
    return client


def test_a_lost_acknowledgement_is_not_expired_while_n11_still_reports_our_tasks_in_queue(n11, sandbox):
    """Stock of two SKUs in two tasks; the app dies right after the second post (no acknowledgement
    stored). Hours later N11 still has both tasks in its queue: the unacknowledged value is not
    judged lost (it would be sent again after its penalty, and N11 would then apply it twice); once
    N11 has worked through the queue it is found applied, and it was posted exactly once."""
    db = n11
    skus = seed_catalog(db, 2)
    run(db, "product_create")
    drain(db, sandbox)
    _conf(db, queue_page_size=1)
    p0, p1 = _pid(db, skus[0]), _pid(db, skus[1])
    with db.session_factory.begin() as s:
        set_stock(s, p0, 31)
        set_stock(s, p1, 32)
    with pytest.raises(Crash):
        run(db, "stock", client_factory=_crash_after_second_stock_post)
    recover_on_start(db)  # the restarted app takes the dead process's batch over
    run(db, "task_results", trigger="start", clock=later(7 * 60))  # past sent_to_remote expiry (6 h)
    with db.session_factory() as s:
        lost = s.scalars(select(BatchItem).where(BatchItem.object_key == skus[1],
                                                 BatchItem.payload["_meta"]["op"].as_string() == "price_stock")).one()
        assert lost.state == "unknown"  # N11 still reports a task of ours IN_QUEUE: no verdict yet
    assert ("productstock", skus[1]) not in _penalties(db)
    drain(db, sandbox, clock=later(8 * 60))
    with db.session_factory() as s:
        assert s.get(BatchItem, lost.id).state == "success"
    assert _ledger(db, "productstock")[skus[1]].state == "synced"
    for _ in range(2):  # later runs send nothing for it
        run(db, "stock", clock=later(24 * 60))
        drain(db, sandbox, clock=later(24 * 60))
    posted = [s["quantity"] for t in sandbox.state.tasks.values() if t["type"] == "SKU_UPDATE"
              for s in t["skus_in"] if s["stockCode"] == skus[1]]
    assert posted == [32]
    assert sandbox.state.products[skus[1]]["quantity"] == 32


def test_product_main_id_goes_out_only_when_changed_and_with_its_flag(n11, sandbox):
    """N11 applies productMainId only with deleteProductMainId: true (docs/n11-protocol.md)."""
    db = n11
    skus = seed_catalog(db, 2)
    run(db, "product_create")
    drain(db, sandbox)
    sandbox.state.approve_products_now()
    assert run(db, "product_update").total == 0
    with db.session_factory.begin() as s:
        a, b = (s.scalars(select(Product).where(Product.sku == sku)).one() for sku in skus)
        a.description, a.version_date = "<p>Yalnız açıklama</p>", utcnow()
        b.product_code, b.version_date = "YENI-GRUP", utcnow()
    assert run(db, "product_update").succeeded == 2
    (task,) = [t for t in sandbox.state.tasks.values() if t["type"] == "PRODUCT_UPDATE"]
    sent = {sku["stockCode"]: sku for sku in task["skus_in"]}
    assert "productMainId" not in sent[skus[0]] and "deleteProductMainId" not in sent[skus[0]]
    assert sent[skus[1]]["productMainId"] == "YENI-GRUP" and sent[skus[1]]["deleteProductMainId"] is True
    drain(db, sandbox)
    assert sandbox.state.products[skus[1]]["productMainId"] == "YENI-GRUP"
    assert sandbox.state.products[skus[0]]["productMainId"] == skus[0]
    assert _ledger(db)[skus[1]].last_values["productMainId"] == "YENI-GRUP"


@pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)
def test_a_send_of_several_tasks_applies_the_earlier_tasks_results_while_posting_the_later_ones(configured_db,
                                                                                                 sandbox):
    db = configured_db
    sandbox.state.task_delay_ms = 0  # N11 processes each task as it arrives
    sandbox.state.approval_delay_ms = 10**8
    skus = seed_catalog(db, 7)
    with db.session_factory.begin() as s:  # N11 fails this one (unknown shipment template)
        s.scalars(select(Product).where(Product.sku == skus[0])).one().shipment_template = "Bilinmeyen"
    res = run(db, "product_create", options={"page_size": 2})  # tasks of 2, 2, 2 and 1 SKUs
    assert "7 record(s) sent in 4 task(s)" in res.message
    assert "N11 already processed 3 of the tasks: 5 ok, 1 failed" in res.message, _logs(db, "not read yet")
    led = _ledger(db)
    assert led[skus[0]].state == "failed" and skus[6] not in led
    assert all(led[k].state == "pending_approval" and led[k].last_values.get("title") for k in skus[1:6])
    assert list(_penalties(db)) == [("product", skus[0])]
    # the last task is left to task_results, which applies it and finishes the batch
    res = run(db, "task_results")
    assert res.succeeded == 1 and "1 batch(es) finished" in res.message
    assert _ledger(db)[skus[6]].state == "pending_approval"
    log = list(sandbox.state.requests_log)
    assert sum(r["path"] == "/ms/product/tasks/product-create" for r in log) == 4  # each SKU posted once
    with db.session_factory() as s:
        assert [(b.state, b.succeeded, b.failed) for b in s.scalars(select(Batch))] == [("done", 6, 1)]


def test_tasks_still_in_n11s_queue_while_the_send_goes_on_are_left_to_task_results(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 7)
    res = run(db, "product_create", options={"page_size": 2})
    assert "already processed" not in res.message and not _ledger(db)
    log = list(sandbox.state.requests_log)
    assert sum(r["path"] == "/ms/product/tasks/product-create" for r in log) == 4
    # one look at the first task while the send went on: it was still queued, so N11 is slower
    # than the posts and the later tasks are left to task_results without a look
    assert sum(r["path"] == "/ms/product/task-details/page-query" for r in log) == 1
    sandbox.state.process_tasks_now()
    res = run(db, "task_results")
    assert res.succeeded == 7 and "1 batch(es) finished" in res.message
    assert sorted(_ledger(db)) == skus


@pytest.mark.both_engines
def test_a_task_whose_records_were_applied_meanwhile_is_applied_once(n11, sandbox, monkeypatch):
    """task_results next to a send: a success prepared outside the write transaction finds one of
    the task's records applied meanwhile (another poll); the task then goes the general way and
    leaves that record's ledger rows to whoever applied it."""
    from n11_desktop.core import batch_results

    db = n11
    skus = seed_catalog(db, 3)
    assert run(db, "product_create").ok
    sandbox.state.process_tasks_now()
    with db.session_factory() as s:
        first = s.scalars(select(BatchItem).order_by(BatchItem.id)).first()
        first_id, first_key = first.id, first.object_key
    prepare = batch_results._prepare_successes

    def meanwhile(*a, **k):
        ready = prepare(*a, **k)
        with db.session_factory.begin() as s:
            s.get(BatchItem, first_id).state = "success"
        return ready

    monkeypatch.setattr(batch_results, "_prepare_successes", meanwhile)
    res = run(db, "task_results")
    assert res.succeeded == 2 and res.failed == 0 and "1 batch(es) finished" in res.message
    led = _ledger(db)
    assert set(led) == set(skus) - {first_key} and {led[s].state for s in led} == {"pending_approval"}
    assert set(_ledger(db, "productstock")) == set(skus) - {first_key}
    with db.session_factory() as s:
        assert {st for (st,) in s.execute(select(BatchItem.state))} == {"success"}
