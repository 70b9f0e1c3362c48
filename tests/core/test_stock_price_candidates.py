"""The stock and price flows find exactly the records changed since N11 last accepted them,
whatever wrote the stock, price or ledger rows: after every kind of write (edits, the send
flows' ledger upserts, a forced resend, deleted rows, products N11 loses or gets again) the
candidate lists equal the rule computed here from the rows themselves. A guard for any faster
way of listing them (issue 18: delta detection)."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import delete, insert, select, update

from n11_desktop.core import ledger
from n11_desktop.core import products_send as ps
from n11_desktop.core.storage.models import CatalogItem, IntegrationAction, Price, Product, Stock

T0 = datetime(2026, 1, 1, 12, 0, 0)
NOW = T0 + timedelta(days=30)
KINDS = (("productstock", Stock, ps.stock_candidates), ("productprice", Price, ps.price_candidates))


def _expected(s, ct: str, version_table) -> set[int]:
    """The rule itself: a created product in the catalog whose stock (price) row is newer than the
    ledger row of that content type, or that has no such ledger row, or one without a date."""
    created = set(s.scalars(select(IntegrationAction.object_id).where(
        IntegrationAction.content_type == "product",
        IntegrationAction.state.in_(("pending_approval", "active", "removed")))))
    listed = set(s.scalars(select(CatalogItem.product_id).where(CatalogItem.removed_at.is_(None))))
    led = dict(s.execute(select(IntegrationAction.object_id, IntegrationAction.version_date).where(
        IntegrationAction.content_type == ct)).all())
    out = set()
    for pid, vd in s.execute(select(version_table.product_id, version_table.version_date)):
        if pid in created and pid in listed and (pid not in led or led[pid] is None or vd > led[pid]):
            out.add(pid)
    return out


def _check(db) -> None:
    with db.session_factory() as s:
        for ct, table, candidates in KINDS:
            got = [c[0] for c in candidates(s, NOW, limit=None)]
            assert got == sorted(_expected(s, ct, table)), ct


def _seed(db, n: int) -> None:
    with db.session_factory.begin() as s:
        s.execute(insert(Product), [dict(id=i, sku=f"CM-{i:03d}", product_code=f"CM-{i:03d}", title=f"Ürün {i}",
                                         version_date=T0, created_at=T0)
                                    for i in range(1, n + 1)])
        s.execute(insert(CatalogItem), [dict(product_id=i, added_at=T0) for i in range(1, n + 1)])
        s.execute(insert(Stock), [dict(product_id=i, quantity=i, version_date=T0) for i in range(1, n + 1)])
        s.execute(insert(Price), [dict(product_id=i, price=Decimal(10 + i), list_price=Decimal(99), version_date=T0)
                                  for i in range(1, n + 1)])


def _ledger_row(ct: str, pid: int, vd: datetime | None, state: str = "synced") -> dict:
    return dict(content_type=ct, object_id=pid, object_key=f"CM-{pid:03d}", state=state, version_date=vd,
                last_values={}, updated_at=T0)


def test_a_changed_stock_or_price_is_found_after_every_kind_of_write(db):
    n = 40
    _seed(db, n)
    _check(db)  # nothing sent yet: nothing created on N11, no candidate
    with db.session_factory.begin() as s:  # N11 got every product, its stock and its price (the push's upsert)
        ledger.bulk_upsert(s, [_ledger_row("product", i, T0, "active") for i in range(1, n + 1)])
        ledger.bulk_upsert(s, [_ledger_row(ct, i, T0) for ct, _t, _c in KINDS for i in range(1, n + 1)
                               if i % 7])
    _check(db)  # every 7th has no stock or price ledger row: those count as changed
    with db.session_factory.begin() as s:
        ledger.bulk_upsert(s, [_ledger_row(ct, i, T0) for ct, _t, _c in KINDS for i in range(7, n + 1, 7)])
    _check(db)  # now nothing
    rnd = random.Random(18)
    for _step in range(200):
        with db.session_factory() as s:
            pid = rnd.choice(sorted(s.scalars(select(Product.id))))
        ct, table, _c = rnd.choice(KINDS)
        when = T0 + timedelta(minutes=rnd.randint(-5, 60))
        op = rnd.randrange(12)
        with db.session_factory.begin() as s:
            if op == 0:  # an edit of the quantity or price: a newer version
                s.execute(update(table).where(table.product_id == pid).values(version_date=when))
            elif op == 1:  # the ORM's own flush of a loaded row
                row = s.get(table, pid)
                if row is not None:
                    row.version_date = when
            elif op == 2:  # N11 accepted a version (the send flows' fast upsert)
                ledger.bulk_upsert(s, [_ledger_row(ct, pid, when)])
            elif op == 3:  # a forced resend (flows.products._force): the ledger forgets the version
                s.execute(update(IntegrationAction).where(IntegrationAction.content_type == ct,
                                                          IntegrationAction.object_id == pid).values(version_date=None))
            elif op == 4:  # the ledger row goes away
                s.execute(delete(IntegrationAction).where(IntegrationAction.content_type == ct,
                                                          IntegrationAction.object_id == pid))
            elif op == 5:  # the stock or price row goes away, and comes back
                s.execute(delete(table).where(table.product_id == pid))
                if rnd.random() < 0.7:
                    s.flush()
                    vals = dict(product_id=pid, version_date=when)
                    vals.update(quantity=3) if table is Stock else vals.update(price=Decimal(5), list_price=Decimal(9))
                    s.execute(insert(table), [vals])
            elif op == 6:  # the ORM's own insert or update of a ledger row
                row = ledger.get(s, ct, pid)
                if row is None:
                    s.add(IntegrationAction(**_ledger_row(ct, pid, when)))
                else:
                    row.version_date = when
            elif op == 7:  # a driver-level write, as the catalog import's fast path makes
                s.connection().exec_driver_sql(
                    f"UPDATE {table.__tablename__} SET version_date = version_date WHERE product_id = {pid}")
            elif op == 9:  # N11 loses the product (seller code deleted, a failed create), or gets it again
                s.execute(update(IntegrationAction).where(IntegrationAction.content_type == "product",
                                                          IntegrationAction.object_id == pid)
                          .values(state=rnd.choice(("active", "removed", "pending_approval", "failed",
                                                    "seller_code_deleted"))))
            elif op == 10:  # the product's ledger row goes, or comes back through the push's upsert
                if rnd.random() < 0.5:
                    s.execute(delete(IntegrationAction).where(IntegrationAction.content_type == "product",
                                                              IntegrationAction.object_id == pid))
                else:
                    ledger.bulk_upsert(s, [_ledger_row("product", pid, when, rnd.choice(("active", "pending")))])
            elif op == 11:  # the product leaves the catalog or comes back
                s.execute(update(CatalogItem).where(CatalogItem.product_id == pid)
                          .values(removed_at=NOW - timedelta(days=1) if rnd.random() < 0.5 else None))
            else:  # the product is deleted: its stock and price go with it (cascade), its ledger rows stay
                if rnd.random() < 0.2:
                    s.execute(delete(Product).where(Product.id == pid))
        _check(db)
