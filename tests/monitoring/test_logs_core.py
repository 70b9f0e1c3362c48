from datetime import datetime, timedelta

from n11_desktop.core import monitoring as mon
from n11_desktop.core.storage.models import FlowRun, LogEntry

NOW = datetime(2026, 11, 27, 12, 0)


def fill(db, n=250):
    with db.session_factory.begin() as s:
        r = FlowRun(flow="stock", trigger="manual", state="done", started_at=NOW)
        s.add(r)
        s.flush()
        for i in range(n):
            s.add(LogEntry(run_id=r.id, flow="stock" if i % 2 else "price", level="ERROR" if i % 10 == 0 else "INFO",
                           object_key=f"SKU-{i}", message=f"message {i}", created_at=NOW - timedelta(minutes=n - i),
                           request="<appSecret>***</appSecret>" if i % 50 == 0 else None))
        return r.id


def test_keyset_paging_and_filters(db):
    fill(db)
    with db.session_factory() as s:
        first = mon.query_logs(s, mon.LogFilter(), limit=100)
        second = mon.query_logs(s, mon.LogFilter(), before_id=first[-1].id, limit=100)
        assert len(first) == 100 and len(second) == 100 and first[-1].id > second[0].id
        errors = mon.query_logs(s, mon.LogFilter(level="ERROR"), limit=1000)
        assert len(errors) == 25 and all(r.level == "ERROR" for r in errors)
        assert [r.object_key for r in mon.query_logs(s, mon.LogFilter(object_key="SKU-7"))] == ["SKU-7"]
        assert mon.count_logs(s, mon.LogFilter(flow="stock")) == (125, False)
        assert mon.count_logs(s, mon.LogFilter(), cap=100) == (100, True)
        assert len(mon.query_logs(s, mon.LogFilter(text="message 1"), limit=1000)) == 1 + 10 + 100  # 1, 1x, 1xx
        detail = mon.log_detail(s, first[0].id)
        assert detail is not None and detail.message.startswith("message")


def test_export_and_prune(db, tmp_path):
    fill(db, 100)
    out = tmp_path / "logs.csv"
    with db.session_factory() as s:
        assert mon.export_logs_csv(s, mon.LogFilter(level="ERROR"), out) == 10
    assert out.read_text(encoding="utf-8-sig").splitlines()[0].startswith("id,created_at,flow")
    with db.session_factory.begin() as s:
        mon.set_retention_days(s, 1)
        removed = mon.prune_logs(s, NOW + timedelta(days=1) - timedelta(minutes=50))
    assert removed == 50
    with db.session_factory() as s:
        assert mon.count_logs(s, mon.LogFilter())[0] == 50
        assert mon.retention_days(s) == 1
