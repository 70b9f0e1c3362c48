from datetime import datetime, timedelta

from n11_desktop.core.housekeeping import Housekeeping
from n11_desktop.core.storage.models import Alarm, AlarmEvent, FailedIntegration, KpiSnapshot, LogEntry

NOW = datetime(2026, 11, 27, 12, 0)


def test_headless_housekeeping_fires_alarms_snapshots_and_prunes(db):
    with db.session_factory.begin() as s:
        for i in range(150):  # above the default "penalty box is filling up" alarm (100)
            s.add(FailedIntegration(content_type="product", object_id=i, object_key=f"S{i}", reason_type="remote",
                                    message="Product not found"))
        s.add(LogEntry(flow="stock", message="old", created_at=NOW - timedelta(days=60)))
    fired = []
    hk = Housekeeping(db, on_alarm=fired.append)
    hk.tick(NOW)
    hk.tick(NOW + timedelta(seconds=10))  # not due again: no second snapshot, no repeated alarm
    with db.session_factory() as s:
        names = {a.name for a in s.query(Alarm)}  # the default alarms were seeded
        assert {"A flow keeps failing", "Penalty box is filling up", "N11 data is getting old"} <= names
        assert [e.message for e in s.query(AlarmEvent)] == ["150 records in the penalty box (limit 100)"]
        assert s.query(KpiSnapshot).count() == 1
        assert s.query(LogEntry).filter(LogEntry.message == "old").count() == 0
    assert [t.fired for t in fired] == [True]
    hk.tick(NOW + timedelta(minutes=16))
    with db.session_factory() as s:
        assert s.query(KpiSnapshot).count() == 2
