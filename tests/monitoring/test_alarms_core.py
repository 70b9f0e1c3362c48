from datetime import datetime, timedelta

import pytest

from n11_desktop.core import alarms
from n11_desktop.core.storage.models import AlarmEvent, FailedIntegration, FlowRun

pytestmark = pytest.mark.both_engines  # SQLite and PostgreSQL (tests/conftest.py)

NOW = datetime(2026, 11, 27, 12, 0)


def run(s, flow, state, minutes_ago):
    s.add(FlowRun(flow=flow, trigger="schedule", state=state, started_at=NOW - timedelta(minutes=minutes_ago),
                  ended_at=NOW - timedelta(minutes=minutes_ago)))


def test_consecutive_failures_fire_once_then_clear(db):
    with db.session_factory.begin() as s:
        aid = alarms.create_alarm(s, name="stock keeps failing", kind="consecutive_failures", flow="stock",
                                  params={"count": 3})
        for m in (30, 20, 10):
            run(s, "stock", "failed", m)
    with db.session_factory.begin() as s:
        t = alarms.evaluate_alarms(s, NOW)
        assert [(x.alarm_id, x.fired) for x in t] == [(aid, True)]
        assert "stock failed 3 times in a row" in t[0].message
    with db.session_factory.begin() as s:  # still failing: no second event (no spam)
        assert alarms.evaluate_alarms(s, NOW + timedelta(minutes=1)) == ()
        run(s, "stock", "done", 0)
    with db.session_factory.begin() as s:
        t = alarms.evaluate_alarms(s, NOW + timedelta(minutes=2))
        assert [(x.alarm_id, x.fired) for x in t] == [(aid, False)]
    with db.session_factory() as s:
        hist = alarms.alarm_history(s)
        assert len(hist) == 1 and hist[0].cleared_at is not None
        assert alarms.list_alarms(s)[0].state == "ok"


def test_error_rate_staleness_and_penalty(db):
    with db.session_factory.begin() as s:
        er = alarms.create_alarm(s, name="orders error rate", kind="error_rate", flow="order_create",
                                 params={"percent": 50, "window_min": 60, "min_runs": 3})
        st = alarms.create_alarm(s, name="price stale", kind="staleness", flow="price", params={"minutes": 30})
        pd = alarms.create_alarm(s, name="penalties", kind="penalty_depth", params={"count": 2})
        for m, state in ((50, "failed"), (40, "done"), (30, "failed")):
            run(s, "order_create", state, m)
        run(s, "price", "done", 45)
        for i in range(3):
            s.add(FailedIntegration(content_type="product", object_id=i, object_key=f"S{i}", reason_type="remote",
                                    message="Product not found"))
    with db.session_factory.begin() as s:
        fired = {t.alarm_id for t in alarms.evaluate_alarms(s, NOW) if t.fired}
    assert fired == {er, st, pd}
    with db.session_factory() as s:
        assert alarms.firing_count(s) == 3
        assert s.query(AlarmEvent).count() == 3


@pytest.mark.parametrize("kwargs, message", [
    (dict(name="", kind="staleness"), "Name"),
    (dict(name="x", kind="nope"), "Kind"),
    (dict(name="x", kind="staleness", flow="not_a_flow"), "Flow"),
    (dict(name="x", kind="staleness", params={"minutes": "soon"}), "not a whole number"),
    (dict(name="x", kind="error_rate", params={"percent": 150}), "out of range"),
    (dict(name="x", kind="penalty_depth", params={"count": -1}), "out of range"),
])
def test_bad_alarm_definitions_are_refused(db, kwargs, message):
    with pytest.raises(alarms.AlarmError) as err:
        with db.session_factory.begin() as s:
            alarms.create_alarm(s, **kwargs)
    assert message in str(err.value)
    with db.session_factory() as s:
        assert alarms.list_alarms(s) == ()


def test_disabling_a_firing_alarm_clears_it(db):
    with db.session_factory.begin() as s:
        aid = alarms.create_alarm(s, name="p", kind="penalty_depth", params={"count": 0})
        s.add(FailedIntegration(content_type="product", object_id=1, object_key="S", reason_type="remote", message="x"))
    with db.session_factory.begin() as s:
        assert alarms.evaluate_alarms(s, NOW)[0].fired
        alarms.set_enabled(s, aid, False, NOW)
    with db.session_factory() as s:
        assert alarms.list_alarms(s)[0].state == "ok" and alarms.alarm_history(s)[0].cleared_at == NOW


def test_staleness_quiet_while_flow_switched_off(db):
    from n11_desktop.core.settings import load_config

    with db.session_factory.begin() as s:
        alarms.create_alarm(s, name="stock stale", kind="staleness", flow="stock", params={"minutes": 1})
    later = datetime.utcnow() + timedelta(hours=1)
    with db.session_factory.begin() as s:  # channel inactive, flag off: nothing is stale
        cfg = load_config(s)
        assert alarms.evaluate_alarms(s, later, flow_enabled=alarms.flow_enabled_for(cfg)) == ()


def test_difference_alarms_say_how_old_the_n11_data_is(db):
    from tests.monitoring.crafted import build_crafted

    build_crafted(db)  # N11 data fetched at NOW, one price and one stock difference
    with db.session_factory.begin() as s:
        alarms.create_alarm(s, name="prices", kind="price_difference", params={"count": 0})
        alarms.create_alarm(s, name="stock", kind="stock_difference", params={"count": 0})
    with db.session_factory.begin() as s:
        t = alarms.evaluate_alarms(s, NOW + timedelta(minutes=10))
    assert sorted(x.message for x in t) == [
        "1 SKUs with a price difference on N11 (limit 0; N11 data 10 min old)",
        "1 SKUs with a stock difference on N11 (limit 0; N11 data 10 min old)"]
    with db.session_factory.begin() as s:
        alarms.create_alarm(s, name="prices again", kind="price_difference", params={"count": 0})
    with db.session_factory.begin() as s:
        t = alarms.evaluate_alarms(s, NOW + timedelta(hours=2))
    assert [x.message for x in t] == [
        "1 SKUs with a price difference on N11 (limit 0; N11 data 2.0 h old, older than two sync periods)"]
