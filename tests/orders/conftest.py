"""Fixtures for the order tests: a channel against the sandbox with the order settings of
seed §2, the local address tree and the default cargo mapping; ``ctl`` scripts the sandbox
through its ``/_sandbox/`` control API over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import requests


class Control:
    def __init__(self, sandbox):
        self.root = sandbox.url
        self.http = requests.Session()

    def post(self, path: str, body: dict | None = None) -> dict:
        r = self.http.post(self.root + "/_sandbox/" + path.lstrip("/"), json=body or {}, timeout=10)
        assert r.status_code == 200, r.text
        return r.json()

    def order(self, **kw) -> dict:
        """Create one order; return its package (REST shape)."""
        return self.post("orders", kw)["packages"][0]

    def status(self, package_id: int, *statuses: str) -> dict:
        out = {}
        for s in statuses:
            out = self.post(f"packages/{package_id}/status", {"status": s})
        return out

    def claim(self, order_number: str, line_id: int, **kw) -> dict:
        return self.post("claims", {"orderNumber": order_number, "lineId": line_id, **kw})

    def close(self):
        self.http.close()


@pytest.fixture
def ctl(sandbox):
    c = Control(sandbox)
    yield c
    c.close()


def set_conf(db, **values):
    from n11_desktop.core.settings import ensure_channel

    with db.session_factory.begin() as s:
        channel = ensure_channel(s)
        conf = dict(channel.conf)
        flags = dict(conf.get("feature_flags") or {})
        flags.update(values.pop("flags", {}))
        conf["feature_flags"] = flags
        conf.update(values)
        channel.conf = conf


@pytest.fixture
def orders_db(configured_db):
    from n11_desktop.core.orders.demo import seed_address_tree, seed_cargo_mapping

    seed_address_tree(configured_db)
    seed_cargo_mapping(configured_db)
    start = (datetime.now() - timedelta(days=3)).strftime("%d/%m/%Y")
    set_conf(configured_db, order_start_date=start, deny_reason_id=81, cancellation_reason_id=4,
             refund_reason_id=2, cancellation_map={"501": "7", "551": "4"}, cancellation_reason_type_id=65)
    return configured_db


def run(db, slug, **options):
    from n11_desktop.core.flows import run_flow

    return run_flow(slug, db, options=options)


def orders(db):
    """{n11 order number: (order, [items])} as plain tuples."""
    from sqlalchemy import select

    from n11_desktop.core.storage.models import Order, OrderItem

    out = {}
    with db.session_factory() as s:
        for o in s.scalars(select(Order)):
            items = sorted(s.scalars(select(OrderItem).where(OrderItem.order_id == o.id)), key=lambda i: i.id)
            out[o.n11_order_number] = (o, items)
    return out


def logs(db, flow=None):
    from sqlalchemy import select

    from n11_desktop.core.storage.models import LogEntry

    with db.session_factory() as s:
        q = select(LogEntry.level, LogEntry.message).order_by(LogEntry.id)
        if flow:
            q = q.where(LogEntry.flow == flow)
        return [f"{lvl}: {msg}" for lvl, msg in s.execute(q)]
