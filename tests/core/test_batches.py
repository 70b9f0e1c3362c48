"""Batch state machine: written before sending, one in flight per content type, recovery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from n11_desktop.core import batch_recovery, batches
from n11_desktop.core.n11.client import client_from_config
from n11_desktop.core.settings import load_config
from n11_desktop.core.storage.models import Batch, BatchItem, utcnow

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)


def _items(n, prefix="S"):
    return [batches.SendItem(i, f"{prefix}{i}", {"stockCode": f"{prefix}{i}", "quantity": i}) for i in range(1, n + 1)]


def test_batch_is_committed_before_sending_and_one_per_content_type(db):
    now = utcnow()
    bid = batches.create_batch(db, "productstock", "stock", "price_stock", _items(3), now)
    with db.session_factory() as s:
        b = s.get(Batch, bid)
        assert b.state == "commit" and b.total == 3
        assert {i.state for i in s.scalars(select(BatchItem))} == {"pending"}
    with pytest.raises(batches.BatchInFlight):
        batches.create_batch(db, "productstock", "stock", "price_stock", _items(1), now)
    # another content type is independent
    batches.create_batch(db, "productprice", "price", "price_stock", _items(1), now)
    with pytest.raises(ValueError):
        batches.create_batch(db, "x", "stock", "explode", _items(1), now)


def test_recovery_releases_unposted_records_and_marks_unacknowledged_ones_unknown(configured_db, sandbox):
    db = configured_db
    t0 = utcnow()
    bid = batches.create_batch(db, "productstock", "stock", "price_stock", _items(3), t0)
    with db.session_factory.begin() as s:
        first = s.scalars(select(BatchItem).order_by(BatchItem.id)).first()
        first.state = "sending"  # its post left; the process died before the acknowledgement
        s.get(Batch, bid).sent_at = t0
        s.get(Batch, bid).updated_at = t0
    with db.session_factory() as s:
        config = load_config(s)
    client = client_from_config(config.conf)
    try:
        # a live sender (recently touched batch) is left alone
        batch_recovery.recover_in_flight(db, client, config, clock=lambda: t0 + timedelta(seconds=10))
        with db.session_factory() as s:
            assert s.get(Batch, bid).state == "commit"
        summary = batch_recovery.recover_in_flight(db, client, config, clock=lambda: t0 + timedelta(minutes=5))
    finally:
        client.close()
    with db.session_factory() as s:
        items = s.scalars(select(BatchItem).order_by(BatchItem.id)).all()
        # S1 was resolved by asking N11 (it does not exist there); S2, S3 were never posted
        assert [i.state for i in items] == ["fail", "unsent", "unsent"]
        assert items[0].message == "Product not found"
        assert s.get(Batch, bid).state in ("done", "fail")
    assert summary.penalized == 1  # S1 does not exist on N11: "Product not found"
