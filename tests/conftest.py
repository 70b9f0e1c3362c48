"""Shared fixtures. Qt runs offscreen; a test fails if it leaves Python threads running.

Database tests under tests/core, flows, orders, resilience, monitoring and day run on both
engines: each test that takes the database (``db``, ``db_target`` or a fixture built on them)
runs once on an SQLite file and once on a PostgreSQL schema of the suite's own server
(``pg_server``). Elsewhere a test opts in with ``@pytest.mark.both_engines``; a test about
something only SQLite has (the file itself, pragmas) is ``@pytest.mark.sqlite_only(reason=…)``.
"""

from __future__ import annotations

import os
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
# The app runs flows in child processes; tests register fake flows in this process, so the
# scheduler built by app.build_services runs them on its worker threads here
# (tests/workers/test_flow_process.py covers the process mode with real flows, and
# tests/workers/test_gui_process_mode.py drives the flows panel, status bar and Mapper in it).
os.environ.setdefault("N11_DESKTOP_FLOW_ISOLATION", "thread")
# English unless a test asks for Turkish (whatever the locale or saved preference of this machine).
os.environ.setdefault("N11_DESKTOP_LANG", "en")

import itertools  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

ENGINES = ("sqlite", "postgresql")
_schemas = itertools.count(1)


#: test directories whose database tests all run on both engines (issue 16: every storage, flow and
#: resilience test that touches the database); elsewhere the ``both_engines`` marker opts in
BOTH_ENGINE_DIRS = ("core", "flows", "orders", "resilience", "monitoring", "day")
_TESTS = Path(__file__).parent


def _on_both_engines(metafunc) -> bool:
    if metafunc.definition.get_closest_marker("both_engines"):
        return True
    if metafunc.definition.get_closest_marker("sqlite_only"):
        return False
    parts = Path(str(metafunc.definition.path)).relative_to(_TESTS).parts
    return len(parts) > 1 and parts[0] in BOTH_ENGINE_DIRS


def pytest_generate_tests(metafunc):
    """A test that takes the database (``db``, ``db_target``, ``configured_db`` … all through
    ``db_engine``) runs once on SQLite and once on PostgreSQL when it lives under tests/core,
    flows, orders, resilience, monitoring or day, or elsewhere when marked ``both_engines``:
    its ``db`` / ``db_target`` is a file in tmp_path or a fresh schema on the test server.
    A test about something only SQLite has (its file, pragmas) is marked ``sqlite_only`` with
    the reason; a test that parametrizes ``db_engine`` itself keeps its own choice."""
    if ("db_engine" in metafunc.fixturenames and _on_both_engines(metafunc)
            and "db_engine" not in _own_params(metafunc)):
        metafunc.parametrize("db_engine", [pytest.param("sqlite"),
                                           pytest.param("postgresql", marks=pytest.mark.postgresql)],
                             indirect=True)


def _own_params(metafunc) -> set[str]:
    names: set[str] = set()
    for mark in metafunc.definition.iter_markers("parametrize"):
        args = mark.args[0] if mark.args else mark.kwargs.get("argnames", "")
        names.update(a.strip() for a in (args.split(",") if isinstance(args, str) else args))
    return names


@pytest.fixture(scope="session")
def pg_server():
    """A PostgreSQL server of its own for this test session (started once, stopped at the end):
    the machine's server programs in a temporary directory (n11_desktop.core.storage.pg_local).
    No server programs: the PostgreSQL tests skip, except in CI (CI=true), where they fail."""
    from n11_desktop.core.storage.pg_local import LocalPostgres, LocalPostgresError

    try:
        server = LocalPostgres().start()
    except LocalPostgresError as exc:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must test PostgreSQL too, but no server could be started: {exc}")
        pytest.skip(f"no PostgreSQL server for the tests: {exc}")
    yield server
    server.stop()


#: emptied schemas at the head revision, ready for the next test (migrating a schema costs more
#: than emptying one)
_free_schemas: list[str] = []


@pytest.fixture
def pg_url(pg_server):
    """The URL of an empty schema (a store) on the test server: a new one, or one a previous test
    left at the head revision with only n11-desktop's tables, emptied (TRUNCATE … RESTART IDENTITY)."""
    name = _free_schemas.pop() if _free_schemas else f"t{os.getpid()}_{next(_schemas)}"
    yield pg_server.url(schema=name)
    _recycle_schema(pg_server, name)


@pytest.fixture
def fresh_pg_url(pg_server):
    """The URL of a schema that does not exist yet (``pg_url`` may hand out an emptied one)."""
    name = f"t{os.getpid()}_{next(_schemas)}"
    yield pg_server.url(schema=name)
    _recycle_schema(pg_server, name)


@pytest.fixture
def pg_urls(pg_server):
    """``pg_urls()`` → the URL of one more empty schema (as ``pg_url``), for tests with several stores;
    ``pg_urls(fresh=True)``: of a schema that does not exist yet (as ``fresh_pg_url``), for a store
    that must be created at an older revision (an emptied one is already at the head)."""
    names: list[str] = []

    def one(*, fresh: bool = False) -> str:
        names.append(_free_schemas.pop() if _free_schemas and not fresh else f"t{os.getpid()}_{next(_schemas)}")
        return pg_server.url(schema=names[-1])

    yield one
    for name in names:
        _recycle_schema(pg_server, name)


_HEAD: list[str] = []  # the head revision, read once (alembic parses its scripts each time)


def _recycle_schema(server, name: str) -> None:
    """Empty schema ``name`` for the next test, or drop it when it is not n11-desktop's at the head.
    Only the tables a test wrote to are truncated (TRUNCATE costs per table, a few ms each) and
    every used sequence restarts, so ids begin at 1 again as in a new schema."""
    import psycopg

    from n11_desktop.core.storage.db import head_revision
    from n11_desktop.core.storage.models import Base

    if not _HEAD:
        _HEAD.append(head_revision())
    with psycopg.connect(host="127.0.0.1", port=server.port, user="postgres", dbname="postgres",
                         autocommit=True) as conn:
        conn.execute("SET lock_timeout = '10s'")
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", (name,))}
        if tables == set(Base.metadata.tables) | {"alembic_version"}:
            try:
                version = conn.execute(f'SELECT version_num FROM "{name}".alembic_version').fetchall()
                if version == [(_HEAD[0],)]:
                    qualified = {t: f'"{name}"."{t}"' for t in sorted(tables - {"alembic_version"})}
                    used = [r[0] for r in conn.execute(" UNION ALL ".join(
                        f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM {q})" for t, q in qualified.items()))]
                    if used:
                        conn.execute(f"TRUNCATE {', '.join(qualified[t] for t in used)} CASCADE")
                    conn.execute("SELECT setval(format('%%I.%%I', schemaname, sequencename)::regclass, 1, false) "
                                 "FROM pg_sequences WHERE schemaname = %s AND last_value IS NOT NULL", (name,))
                    _free_schemas.append(name)
                    return
            except psycopg.Error:
                pass
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def db_engine(request):
    """``sqlite`` (default; ``N11_DESKTOP_TEST_ENGINE=postgresql`` runs every test that takes ``db``
    on PostgreSQL instead, except ``sqlite_only`` ones) or, for the tests on both engines
    (pytest_generate_tests), each in turn."""
    if request.node.get_closest_marker("sqlite_only"):
        return "sqlite"
    return getattr(request, "param", os.environ.get("N11_DESKTOP_TEST_ENGINE", "sqlite"))


@pytest.fixture
def db_target(db_engine, tmp_path, request):
    """What ``open_database`` / ``--db`` takes for a fresh database of the test's engine."""
    if db_engine == "postgresql":
        # per-database files that live beside an SQLite file (the window's .ui.ini) go to the user
        # data directory for a URL: keep this test's out of the real one
        request.getfixturevalue("monkeypatch").setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
        return request.getfixturevalue("pg_url")
    return tmp_path / "test.db"


@pytest.fixture
def other_db_target(db_engine, tmp_path, request):
    """A second fresh database of the test's engine (a copy's target, the other side of an export):
    another SQLite file in tmp_path, or on PostgreSQL another empty schema of the test server."""
    if db_engine == "postgresql":
        request.getfixturevalue("monkeypatch").setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
        return request.getfixturevalue("pg_urls")()
    return tmp_path / "other.db"


@pytest.fixture
def db(db_target):
    """A fresh, migrated database (SQLite in tmp_path; on PostgreSQL a schema of its own)."""
    from n11_desktop.core.storage.db import open_database

    database = open_database(db_target)
    yield database
    database.dispose()


@pytest.fixture
def sandbox():
    """A running N11 sandbox on a free loopback port (fast tasks for tests)."""
    from n11_desktop.sandbox.server import SandboxServer

    server = SandboxServer(port=0, task_delay_ms=50, approval_delay_ms=50)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def configured_db(db, sandbox):
    """A database whose channel points at the sandbox with the demo credentials, active, no flags on."""
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.sandbox.server import DEMO_APP_KEY, DEMO_APP_SECRET

    with db.session_factory.begin() as s:
        channel = ensure_channel(s)
        conf = dict(channel.conf)
        conf.update(base_url=sandbox.base_url, app_key=DEMO_APP_KEY, app_secret=DEMO_APP_SECRET)
        channel.conf = conf
        channel.is_active = True
    return db


@pytest.fixture(autouse=True)
def _no_leaked_threads():
    before = {t.ident for t in threading.enumerate()}
    yield
    leaked = []
    for t in threading.enumerate():
        if t.ident in before or t is threading.current_thread() or t.daemon:
            continue
        t.join(timeout=5)
        if t.is_alive():
            leaked.append(t.name)
    assert not leaked, f"test leaked running threads: {leaked}"


@pytest.fixture(autouse=True)
def _collect_on_the_main_thread():
    """Once a GUI test installed the GUI's collector (``n11_desktop.workers.gc_timer``), nothing in
    this worker collects on its own any more: what came due is collected here, on the main thread."""
    yield
    import gc

    if not gc.isenabled():
        from n11_desktop.gcpause import collect_due

        collect_due()


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "qtbot" in getattr(item, "fixturenames", ()) or "qapp" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.gui)


@pytest.fixture(autouse=True)
def _no_leaked_qt_workers():
    """Fail a test that leaves a flow worker thread running or a scheduler timer active (napari-style)."""
    yield
    import sys

    if "PySide6.QtWidgets" not in sys.modules or "n11_desktop.workers.flow_worker" not in sys.modules:
        return
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is None:
        return
    from n11_desktop.workers.flow_worker import WorkerHost

    leaked = WorkerHost.running_hosts()
    for host in leaked:  # stop them so one leak does not break the following tests
        host.shutdown(5000)
    timers = []
    try:
        from n11_desktop.workers.scheduler import SchedulerHost
    except ImportError:  # pragma: no cover
        SchedulerHost = None
    if SchedulerHost is not None:
        for sched in list(SchedulerHost._live):
            try:
                active = [t.objectName() or "timer" for t in sched.findChildren(QTimer) if t.isActive()]
            except RuntimeError:  # already deleted
                continue
            if active:
                timers.extend(active)
                sched.shutdown(5000)
    assert not leaked, f"test left {len(leaked)} flow worker thread(s) running (call shutdown())"
    assert not timers, f"test left scheduler timer(s) active: {timers} (call shutdown())"
