"""PostgreSQL as the second engine: opening by URL, clear refusals, one schema per store."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import select

from n11_desktop.core.storage import db as dbm
from n11_desktop.core.storage.models import AppState, Channel

pytestmark = pytest.mark.postgresql


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "n11_desktop", *args], capture_output=True, text=True, timeout=120)


def test_two_stores_in_two_schemas_of_one_database_are_separate(pg_server, pg_url):
    other_url = pg_url.replace("search_path%3D", "search_path%3Dother_")
    a = dbm.open_database(pg_url)
    b = dbm.open_database(other_url)
    try:
        with a.session_factory.begin() as s:
            s.add(AppState(key="who", value={"store": "a"}))
        with b.session_factory() as s:
            assert s.get(AppState, "who") is None  # b sees its own tables only
        for d in (a, b):  # each schema has its own alembic_version at head
            assert dbm.current_revision(d.engine) == dbm.head_revision()
        with a.engine.connect() as conn:
            schemas = {r[0] for r in conn.exec_driver_sql(
                "SELECT table_schema FROM information_schema.tables WHERE table_name = 'alembic_version'")}
        assert {pg_url.rsplit("%3D", 1)[1], other_url.rsplit("%3D", 1)[1]} <= schemas
        assert "public" not in schemas
    finally:
        a.dispose()
        b.dispose()
        pg_server.execute(f'DROP SCHEMA IF EXISTS "{other_url.rsplit("%3D", 1)[1]}" CASCADE')


def test_older_schema_upgrades_without_losing_data(fresh_pg_url):
    pg_url = fresh_pg_url
    old = dbm.open_database(pg_url, revision="0001")
    with old.session_factory.begin() as s:
        s.add(Channel(id=1, is_active=True, conf={"erp_code": "4000"}))
    assert dbm.current_revision(old.engine) == "0001"
    old.dispose()
    new = dbm.open_database(pg_url)
    try:
        assert dbm.current_revision(new.engine) == dbm.head_revision()
        with new.session_factory() as s:
            ch = s.get(Channel, 1)
            assert ch.conf == {"erp_code": "4000"} and ch.is_active
        from alembic import command  # down to the first release and back up keeps the data

        command.downgrade(dbm.alembic_config(new.engine), "0001")
        command.upgrade(dbm.alembic_config(new.engine), "head")
        with new.session_factory() as s:
            assert s.scalars(select(Channel)).one().conf == {"erp_code": "4000"}
    finally:
        new.dispose()


def test_schema_of_another_application_is_refused_untouched(pg_server, fresh_pg_url):
    pg_url = fresh_pg_url
    schema = pg_url.rsplit("%3D", 1)[1]
    pg_server.execute(f'CREATE SCHEMA "{schema}"; CREATE TABLE "{schema}".invoices (id int)')
    with pytest.raises(dbm.DatabaseError) as err:
        dbm.open_database(pg_url)
    assert "another application" in str(err.value) and "invoices" in str(err.value)
    from n11_desktop.core.stores import check_database_url  # Manage stores → Test connection says the same

    with pytest.raises(dbm.DatabaseError) as err:
        check_database_url(pg_url)
    assert "another application" in str(err.value) and "invoices" in str(err.value)
    from n11_desktop import i18n
    from n11_desktop.i18n.core_texts import core_message

    i18n.use_language("tr")  # what Manage stores and the store switch show a Turkish operator
    try:
        turkish = core_message(str(err.value))
    finally:
        i18n.use_language("en")
    assert turkish.startswith(f"PostgreSQL veritabanı 127.0.0.1:{pg_server.port}/") and f"(şema {schema})" in turkish
    assert "başka bir uygulamanın tablolarını içeriyor (invoices); n11-desktop yalnızca kendi şemasını açar" in turkish
    engine = dbm.bare_engine(pg_url)
    try:
        with engine.connect() as conn:
            tables = {r[0] for r in conn.exec_driver_sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
        assert tables == {"invoices"}
    finally:
        engine.dispose()


def test_bad_urls_give_one_line_naming_host_and_reason_without_password(pg_server):
    if not getattr(pg_server, "role_made", False):
        pg_server.create_role("right-secret")
        pg_server.role_made = True
    cases = [
        (pg_server.url(user="n11_pw", password="wrong-secret"), f"127.0.0.1:{pg_server.port}",
         "password authentication failed"),
        (pg_server.url("no_such_db"), "no_such_db", 'database "no_such_db" does not exist'),
        ("postgresql+psycopg://n11:topsecret@127.0.0.1:1/shop", "127.0.0.1:1/shop", "refused"),
    ]
    for url, host, reason in cases:
        res = _cli("--db", url, "settings", "show")
        assert res.returncode == 2, res.stderr
        line = res.stderr.strip()
        assert "\n" not in line and "Traceback" not in line
        assert host in line and reason in line, line
        assert "secret" not in line
    res = _cli("--lang", "tr", "--db", cases[0][0], "settings", "show")  # the server's reason stays its own
    line = res.stderr.strip()
    assert res.returncode == 2 and f"PostgreSQL veritabanı 127.0.0.1:{pg_server.port}/" in line, line
    assert "açılamıyor: password authentication failed" in line and "secret" not in line
    res = _cli("--db", "mysql://u:topsecret@h/x", "settings", "show")
    assert res.returncode == 2 and "not supported" in res.stderr and "topsecret" not in res.stderr


def test_bench_runs_the_storage_scenarios_on_postgresql_beside_sqlite(pg_server, tmp_path):
    import json
    import os

    out = tmp_path / "bench.json"
    env = dict(os.environ, N11_BENCH_PG_URL=pg_server.url())
    names = ["pg_catalog_import", "pg_batch_create", "pg_log_search"]
    res = subprocess.run([sys.executable, "-m", "n11_desktop", "bench", "--size", "300", "--json", str(out), *names],
                         capture_output=True, text=True, timeout=180, env=env)
    assert res.returncode == 0, res.stdout + res.stderr[-2000:]
    rows = {r["scenario"]: r for r in json.loads(out.read_text(encoding="utf-8"))["results"]}
    assert set(rows) == set(names)
    for r in rows.values():  # PostgreSQL time beside the SQLite baseline, as a ratio
        assert "error" not in r and r["time_s"] > 0 and r["baseline_s"] > 0 and "SQLite" in r["baseline"], r
    with __import__("psycopg").connect(host="127.0.0.1", port=pg_server.port, user="postgres",
                                       dbname="postgres") as conn:  # the bench cleaned up its schemas
        assert not conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'n11_bench_%%'").fetchall()
