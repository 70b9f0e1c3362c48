import pytest
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


@pytest.mark.both_engines
def test_text_filter_uses_the_full_text_index_and_follows_every_change(db):
    """Substring search (any case, message or object key) from the FTS5 index; new, edited and
    purged rows are found or gone at once; texts shorter than the index's 3 characters still work."""
    fill(db, 120)
    with db.session_factory() as s:
        from sqlalchemy import text

        if db.is_sqlite:
            plan = " ".join(str(r) for r in s.execute(
                text("EXPLAIN QUERY PLAN SELECT rowid FROM log_entry_fts WHERE log_entry_fts MATCH '\"sage 11\"'")))
            assert "VIRTUAL TABLE INDEX" in plan
        elif s.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).scalar():
            # PostgreSQL with pg_trgm: its GIN index serves ILIKE '%…%' (migration 0005)
            s.execute(text("SET LOCAL enable_seqscan = off"))
            plan = " ".join(str(r) for r in s.execute(
                text("EXPLAIN SELECT id FROM log_entry WHERE message ILIKE '%%sage 11%%'")))
            assert "ix_log_entry_message_trgm" in plan
            s.rollback()
        keys = [r.object_key for r in mon.query_logs(s, mon.LogFilter(text="MESSAGE 11"), limit=1000)]
        assert keys == ["SKU-119", "SKU-118", "SKU-117", "SKU-116", "SKU-115", "SKU-114", "SKU-113", "SKU-112",
                        "SKU-111", "SKU-110", "SKU-11"]  # newest first, case folded like LIKE
        page = mon.query_logs(s, mon.LogFilter(text="message 11"), limit=4)
        rest = mon.query_logs(s, mon.LogFilter(text="message 11"), before_id=page[-1].id, limit=100)
        assert [r.object_key for r in page + rest] == keys  # keyset paging over the index
        assert mon.count_logs(s, mon.LogFilter(text="message 11")) == (11, False)
        assert mon.count_logs(s, mon.LogFilter(text="message 11", level="ERROR")) == (1, False)  # only 110
        assert [r.object_key for r in mon.query_logs(s, mon.LogFilter(text="SKU-57"))] == ["SKU-57"]
        assert mon.count_logs(s, mon.LogFilter(text="e 3"))[0] == 11  # 3, 30-39
        assert mon.count_logs(s, mon.LogFilter(text="11"))[0] == 11  # shorter than a trigram: still found
        assert mon.count_logs(s, mon.LogFilter(text='say "hi"')) == (0, False)  # quotes are plain text
    with db.session_factory.begin() as s:
        s.add(LogEntry(flow="stock", level="INFO", object_key="NEW-1", message="brand new line"))
        s.query(LogEntry).filter(LogEntry.object_key == "SKU-100").update({"message": "edited text"})
    with db.session_factory.begin() as s:
        assert mon.prune_logs(s, NOW + timedelta(days=30, minutes=-60)) == 60  # the oldest 60 go
    with db.session_factory() as s:
        assert [r.object_key for r in mon.query_logs(s, mon.LogFilter(text="brand new"))] == ["NEW-1"]
        assert [r.object_key for r in mon.query_logs(s, mon.LogFilter(text="edited"))] == ["SKU-100"]
        assert mon.count_logs(s, mon.LogFilter(text="message 10")) == (9, False)  # 10 purged, 100 edited
        assert mon.count_logs(s, mon.LogFilter(text="message 11")) == (10, False)  # 11 purged


def test_a_minimum_level_pages_newest_first_across_levels(db):
    """INFO and up: the rows of both levels interleave by id, page after page, none lost or repeated."""
    fill(db, 250)  # every 10th row an ERROR, the rest INFO
    with db.session_factory() as s:
        everything = [r.id for r in mon.query_logs(s, mon.LogFilter(), limit=1000)]
        seen, before = [], None
        while True:
            page = mon.query_logs(s, mon.LogFilter(level="INFO"), before_id=before, limit=40)
            if not page:
                break
            seen += [r.id for r in page]
            before = page[-1].id
        assert seen == everything
        stock_warn = mon.query_logs(s, mon.LogFilter(flow="stock", level="WARNING"), limit=1000)
        assert stock_warn == ()  # stock rows are the odd ones; errors are every 10th (even): none
        price_errors = mon.query_logs(s, mon.LogFilter(flow="price", level="WARNING"), limit=1000)
        assert [r.object_key for r in price_errors][:3] == ["SKU-240", "SKU-230", "SKU-220"]
        assert mon.count_logs(s, mon.LogFilter(flow="price", level="WARNING")) == (25, False)
