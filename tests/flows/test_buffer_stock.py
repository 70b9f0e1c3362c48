"""Changing Buffer Stock resends the stock of every SKU on sale (N11 would keep the old quantities)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from n11_desktop.core.catalog.repo import set_in_catalog
from n11_desktop.core.settings import save_settings
from n11_desktop.core.storage.models import Product

from .helpers import drain, run, seed_catalog

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)


@pytest.fixture
def n11(configured_db, sandbox):
    sandbox.state.task_delay_ms = 10**8
    sandbox.state.approval_delay_ms = 10**8
    return configured_db


def save(db, **conf):
    with db.session_factory.begin() as s:
        return save_settings(s, {"category_ids": [1001770], "deny_reason_id": 81, "cancellation_reason_id": 4,
                                 "refund_reason_id": 2, **conf})


def test_buffer_stock_change_resends_every_sku_on_sale(n11, sandbox):
    db = n11
    skus = seed_catalog(db, 4)
    assert save(db, buffer_stock=1) == []
    assert run(db, "product_create").succeeded == 4
    drain(db, sandbox)
    sandbox.state.approve_products_now()
    assert run(db, "product_update").total == 0
    run(db, "stock")
    drain(db, sandbox)
    assert run(db, "stock").total == 0  # N11 has every quantity: nothing to send
    assert {sandbox.state.products[s]["quantity"] for s in skus} == {9}
    with db.session_factory.begin() as s:  # one product leaves the catalog: not on sale, not resent
        gone = s.scalar(select(Product.id).where(Product.sku == skus[3]))
        set_in_catalog(s, [gone], False)
    assert save(db, buffer_stock=4) == []
    res = run(db, "stock")
    assert res.ok and res.succeeded == 3, res.message
    drain(db, sandbox)
    assert [sandbox.state.products[s]["quantity"] for s in skus[:3]] == [6, 6, 6]
    assert run(db, "stock").total == 0
    # saving other settings (same buffer) queues nothing
    assert save(db, buffer_stock=4, erp_code="4000") == []
    assert run(db, "stock").total == 0
