import os
import sqlite3
import stat
import sys
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from n11_desktop.core.storage import db as dbm
from n11_desktop.core.storage.models import Channel, FlowRun, Price, Product


def test_new_database_is_private_wal_and_has_foreign_keys(tmp_path):
    path = tmp_path / "sub" / "n11.db"
    database = dbm.open_database(path)
    try:
        assert path.exists()
        if sys.platform != "win32":
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
        with database.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert dbm.current_revision(database.engine) == dbm.head_revision()
    finally:
        database.dispose()


@pytest.mark.both_engines
def test_money_is_exact(db):
    with db.session_factory.begin() as s:
        p = Product(sku="A-1", product_code="A", title="Deneme ürünü uzun başlık")
        p.price = Price(price=Decimal("19.99"), list_price=Decimal("24.90"))
        s.add(p)
    with db.session_factory() as s:
        price = s.scalars(select(Price)).one()
        assert price.price == Decimal("19.99") and price.list_price == Decimal("24.90")
        raw = s.execute(text("select price from price")).scalar()
        assert raw == 1999


def test_database_from_older_version_upgrades_without_losing_data(tmp_path):
    path = tmp_path / "old.db"
    old = dbm.open_database(path, revision="0001")  # what the first release created
    with old.engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO channel (id, name, catalog_name, channel_type, is_active, schema_type, conf, created_at, updated_at)"
            " VALUES (1, 'N11', 'N11', 'sales_channel', 1, '{}', '{\"erp_code\": \"4000\"}', '2026-01-01', '2026-01-01')")
        conn.exec_driver_sql(
            "INSERT INTO flow_run (flow, trigger, state, started_at, total, processed, succeeded, failed, penalized, skipped)"
            " VALUES ('category_node', 'manual', 'done', '2026-01-01', 5, 5, 5, 0, 0, 0)")
    assert dbm.current_revision(old.engine) == "0001"
    old.dispose()

    new = dbm.open_database(path)
    try:
        assert dbm.current_revision(new.engine) == dbm.head_revision()
        with new.session_factory() as s:
            ch = s.get(Channel, 1)
            assert ch.conf == {"erp_code": "4000"} and ch.is_active
            assert s.scalars(select(FlowRun)).one().total == 5
            s.add(Product(sku="X", product_code="X"))  # new tables exist
            s.commit()
        # round trip: down to the first release and back up keeps the old data
        dbm.upgrade(new.engine, "head")
        from alembic import command

        command.downgrade(dbm.alembic_config(new.engine), "0001")
        assert dbm.current_revision(new.engine) == "0001"
        command.upgrade(dbm.alembic_config(new.engine), "head")
        with new.session_factory() as s:
            assert s.get(Channel, 1).conf == {"erp_code": "4000"}
    finally:
        new.dispose()


def test_corrupt_file_is_refused_with_one_line(tmp_path):
    path = tmp_path / "broken.db"
    path.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(dbm.DatabaseError) as err:
        dbm.open_database(path)
    assert "not an SQLite file" in str(err.value)
    assert "\n" not in str(err.value)


def test_damaged_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "damaged.db"
    d = dbm.open_database(path)
    d.dispose()
    with sqlite3.connect(path) as conn:  # fold the WAL back into the main file
        conn.execute("PRAGMA journal_mode=DELETE")
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # trash the first page after the header
    path.write_bytes(bytes(data))
    with pytest.raises(dbm.DatabaseError):
        dbm.open_database(path)


@pytest.mark.both_engines
def test_newer_schema_is_refused(db_target):
    path = db_target
    d = dbm.open_database(path)
    with d.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num='9999'")
    d.dispose()
    with pytest.raises(dbm.DatabaseError) as err:
        dbm.open_database(path)
    assert "newer" in str(err.value) and "\n" not in str(err.value)
    probe = dbm.bare_engine(path)  # refused, never downgraded
    try:
        assert dbm.current_revision(probe) == "9999"
    finally:
        probe.dispose()


@pytest.mark.both_engines
def test_foreign_keys_enforced(db):
    with pytest.raises(Exception):
        with db.session_factory.begin() as s:
            s.add(Price(product_id=999, price=Decimal("1"), list_price=Decimal("1")))
    # nothing half-written (read with a connection of its own)
    fresh = dbm.open_database(db.target())
    try:
        with fresh.engine.connect() as conn:
            assert conn.exec_driver_sql("select count(*) from price").scalar() == 0
    finally:
        fresh.dispose()


@pytest.mark.both_engines
def test_migrations_match_models(db):
    """Every model change comes with its Alembic revision (a database made by migrations == the models)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from n11_desktop.core.storage.models import Base

    from n11_desktop.core.storage.models import include_in_autogenerate

    with db.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_name": include_in_autogenerate})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_the_head_read_from_the_migration_scripts_is_alembics_head(tmp_path):
    """Opening a database at the head does without Alembic by reading the scripts' revision lines:
    what it reads must be Alembic's head, and a migration added later moves it by itself."""
    import shutil

    assert dbm.head_of_scripts() == dbm.head_revision()
    versions = tmp_path / "versions"
    shutil.copytree(dbm.MIGRATIONS_DIR / "versions", versions, ignore=shutil.ignore_patterns("__pycache__"))
    head = dbm.head_revision()
    (versions / "9001_next.py").write_text(f'"""next\n\nRevision ID: 9001\n"""\nrevision: str = "9001"\n'
                                           f'down_revision: str | None = "{head}"  # the previous head\n'
                                           "branch_labels = None\ndepends_on = None\n")
    assert dbm._parse_head(versions) == "9001"
    # anything but one plain chain leaves the decision to Alembic (None): a branch, a merge
    (versions / "9002_branch.py").write_text(f"revision = '9002'\ndown_revision = '{head}'\n")
    assert dbm._parse_head(versions) is None
    (versions / "9002_branch.py").write_text("revision = '9002'\ndown_revision = ('9001', '0001')\n")
    assert dbm._parse_head(versions) is None
    (versions / "9002_branch.py").write_text("revision = '9002'\ndown_revision = '9001'\nbranch_labels = ('x',)\n")
    assert dbm._parse_head(versions) is None
    (versions / "9002_branch.py").write_text("revision = make_id()\ndown_revision = '9001'\n")
    assert dbm._parse_head(versions) is None


@pytest.mark.both_engines
def test_a_database_at_the_head_opens_without_loading_alembic(db_target):
    """The everyday open (schema already current) costs no Alembic import (~12 MB of every
    process); an older database still goes through Alembic and is upgraded."""
    import subprocess

    probe = ("import sys; from n11_desktop.core.storage.db import db_target, open_database, current_revision;"
             "d = open_database(db_target(sys.argv[1])); loaded = 'alembic' in sys.modules;"
             "print(loaded, current_revision(d.engine)); d.dispose()")

    def open_in_new_process() -> list[str]:
        out = subprocess.run([sys.executable, "-c", probe, str(db_target)], capture_output=True, text=True,
                             timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout.split()

    from alembic import command

    old = dbm.open_database(db_target)  # (on PostgreSQL a reused schema may be at the head already)
    command.downgrade(dbm.alembic_config(old.engine), "0001")
    old.dispose()
    assert open_in_new_process() == ["True", dbm.head_revision()]  # upgraded by Alembic
    assert open_in_new_process() == ["False", dbm.head_revision()]  # at the head: no Alembic


@pytest.mark.both_engines
def test_a_read_session_reads_the_last_commit_while_a_writer_holds_the_lock(db):
    """Database.read_session takes no write lock: the records a push's result thread reads, and
    the payload build's reads, never wait for (or hold up) the sending thread's transactions."""
    from n11_desktop.core.storage.app_state import read_state, write_state

    with db.session_factory.begin() as s:
        write_state(s, "probe", "committed")
    with db.session_factory.begin() as writer:
        write_state(writer, "probe", "not yet")
        writer.flush()  # the writer holds the store's lock (SQLite: BEGIN IMMEDIATE) from here on
        with db.read_session() as r:  # would wait for the busy timeout and fail with the lock
            assert read_state(r, "probe") == "committed"
    with db.read_session() as r:
        assert read_state(r, "probe") == "not yet"


@pytest.mark.both_engines
def test_a_read_session_is_one_snapshot(db):
    from n11_desktop.core.storage.app_state import read_state, write_state

    with db.session_factory.begin() as s:
        write_state(s, "a", 1)
        write_state(s, "b", 1)
    with db.read_session() as r:
        assert read_state(r, "a") == 1
        with db.session_factory.begin() as s:
            write_state(s, "a", 2)
            write_state(s, "b", 2)
        assert read_state(r, "b") == 1  # as of the first read, not the commit in between
        r.expire_all()
        assert read_state(r, "a") == 1
    with db.read_session() as r:
        assert (read_state(r, "a"), read_state(r, "b")) == (2, 2)


@pytest.mark.both_engines
def test_nothing_can_be_written_in_a_read_session(db):
    from sqlalchemy.exc import DBAPIError

    from n11_desktop.core.storage.app_state import read_state, write_state

    with db.read_session() as r:
        write_state(r, "probe", "x")
        with pytest.raises(dbm.ReadOnlyError):
            r.flush()
        r.rollback()
    for sql in ("INSERT INTO app_state (key, value) VALUES ('probe', '\"x\"')",
                "DELETE FROM channel"):
        with db.read_session() as r:
            with pytest.raises(DBAPIError):
                r.execute(text(sql))
    with db.read_session() as r:  # a driver-level write on the session's own connection too
        cur = r.connection().connection.cursor()
        with pytest.raises(Exception, match="(?i)read.?only"):
            cur.execute("INSERT INTO app_state (key, value) VALUES ('probe', '\"x\"')")
        cur.close()
    # the connections the read sessions used write again as ever
    for _ in range(3):
        with db.session_factory.begin() as s:
            write_state(s, "probe", "written")
    with db.session_factory() as s:
        assert read_state(s, "probe") == "written"
