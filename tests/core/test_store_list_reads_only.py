"""Listing stores (``stores list``, Store → Manage stores…) reads each database as it is: a
PostgreSQL schema that does not exist yet is not created, an older database is not migrated,
one a newer n11-desktop migrated is reported, and lease holders still show."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from n11_desktop.core.instance import InstanceLease
from n11_desktop.core.storage.db import bare_engine, head_revision, open_database
from n11_desktop.core.stores import Registry, open_store, store_rows


def _registry(tmp_path, **stores) -> Registry:
    reg = Registry.load(tmp_path / "stores.json")
    for name, db in stores.items():
        reg.add(name, db)
    reg.save()
    return reg


def _alembic_version(path) -> str:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        con.close()


def _hold_lease(db) -> None:
    assert InstanceLease(db, "run").acquire()


def test_an_older_sqlite_store_is_listed_with_its_lease_holder_and_not_migrated(tmp_path):
    path = tmp_path / "old.db"
    db = open_database(path, revision="0001")
    _hold_lease(db)
    db.dispose()
    reg = _registry(tmp_path, old=str(path))
    [row] = store_rows(reg)
    assert row.state == "ok" and row.holder is not None and row.holder[0] == "run"
    assert _alembic_version(path) == "0001" != head_revision()
    assert not (tmp_path / "old.db-wal").exists()


def test_an_sqlite_file_without_tables_is_new_and_stays_empty(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    reg = _registry(tmp_path, empty=str(path))
    [row] = store_rows(reg)
    assert (row.state, row.holder) == ("new", None)
    assert path.stat().st_size == 0


def test_an_sqlite_store_a_newer_version_migrated_is_reported_not_opened(tmp_path):
    path = tmp_path / "newer.db"
    open_database(path).dispose()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '9999_future'")
    con.commit()
    con.close()
    reg = _registry(tmp_path, newer=str(path))
    [row] = store_rows(reg)
    assert row.state == "unavailable" and "newer n11-desktop" in row.reason
    assert _alembic_version(path) == "9999_future"


@pytest.mark.postgresql
def test_a_postgresql_store_whose_schema_does_not_exist_is_listed_as_new_and_not_created(tmp_path, fresh_pg_url):
    schema = fresh_pg_url.rsplit("%3D", 1)[1]
    reg = _registry(tmp_path, later=fresh_pg_url)
    [row] = store_rows(reg)
    assert (row.state, row.holder) == ("new", None)
    engine = bare_engine(fresh_pg_url.split("?")[0])
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_namespace WHERE nspname = :n"), {"n": schema}).scalar() == 0
    finally:
        engine.dispose()


@pytest.mark.postgresql
def test_postgresql_stores_show_their_lease_holder_and_an_older_one_is_not_migrated(tmp_path, pg_urls):
    current_url, old_url = pg_urls(), pg_urls(fresh=True)  # the old one is created at 0001 below
    reg = _registry(tmp_path, current=current_url, old=old_url)
    db = open_store(reg.get("current"))
    _hold_lease(db)
    db.dispose()
    old = open_database(old_url, revision="0001")
    old.dispose()
    rows = {r.name: r for r in store_rows(reg)}
    assert rows["current"].state == "ok" and rows["current"].holder[0] == "run"
    assert (rows["old"].state, rows["old"].holder) == ("ok", None)
    engine = bare_engine(old_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0001"
    finally:
        engine.dispose()
