"""Fixtures for the scheduler/worker tests: fake flows, a fake clock, services."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from n11_desktop.core.flows import base
from n11_desktop.core.flows.base import FlowOutcome, load_flow_modules


class FakeClock:
    def __init__(self, start: datetime) -> None:
        self._t = start
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._t

    def advance(self, **kw) -> None:
        with self._lock:
            self._t += timedelta(**kw)


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 27, 9, 0, 0))


@pytest.fixture
def fake_flows(monkeypatch):
    """Replace every real flow implementation with the ones a test registers."""
    load_flow_modules()
    impls: dict = {}
    monkeypatch.setattr(base, "_IMPLS", impls)
    return impls


def quick(total=1):
    def flow(ctx):
        ctx.progress(total, total)
        return FlowOutcome(total=total, succeeded=total)
    return flow


class Gate:
    """A fake flow that holds until released (checking for cancel between 'pages')."""

    def __init__(self, pages: int = 0) -> None:
        self.release = threading.Event()
        self.entered = threading.Event()
        self.calls = 0
        self.options: list[dict] = []
        self.pages = pages

    def __call__(self, ctx):
        self.calls += 1
        self.options.append(dict(ctx.options))
        self.entered.set()
        done = 0
        while not self.release.wait(0.005):
            ctx.check_stop()
            if self.pages:
                done = min(self.pages, done + 1)
                ctx.progress(done, self.pages)
        return FlowOutcome(total=1, succeeded=1)


def activate(db, flags=()):
    from n11_desktop.core.settings import ensure_channel

    with db.session_factory.begin() as s:
        ch = ensure_channel(s)
        conf = dict(ch.conf)
        conf["feature_flags"] = {**(conf.get("feature_flags") or {}), **{f: True for f in flags}}
        ch.conf = conf
        ch.is_active = True


def runs(db):
    from n11_desktop.core.storage.models import FlowRun

    with db.session_factory.begin() as s:
        return [(r.flow, r.trigger, r.state) for r in s.query(FlowRun).order_by(FlowRun.id)]


@pytest.fixture
def services(db, qapp):
    from n11_desktop.app import build_services

    svc = build_services(db)
    yield svc
    assert svc.shutdown(10_000)


@pytest.fixture
def make_host(services):
    from n11_desktop.workers.scheduler import SchedulerHost

    hosts = []

    def make(**kw):
        kw.setdefault("max_sleep_s", 5.0)
        host = SchedulerHost(services, **kw)
        hosts.append(host)
        return host

    yield make
    for h in hosts:
        assert h.shutdown(10_000)
