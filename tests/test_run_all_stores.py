"""``n11-desktop run --all-stores`` (issue 16): one process drives every store, each under its own
lease; a store that cannot run never stops the others."""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

from n11_desktop.cli import main


@pytest.fixture
def registry(tmp_path, monkeypatch):
    path = tmp_path / "stores.json"
    monkeypatch.setenv("N11_DESKTOP_STORES", str(path))
    return path


@pytest.fixture
def sandboxes():
    from n11_desktop.sandbox.server import SandboxServer

    started = []

    def make():
        server = SandboxServer(port=0, task_delay_ms=50, approval_delay_ms=50)
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def _configure(db_file, base_url: str, *, secret: str = "demo-app-secret") -> None:
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.core.storage.db import open_database

    db = open_database(db_file)
    try:
        with db.session_factory.begin() as s:
            channel = ensure_channel(s)
            conf = dict(channel.conf)
            conf.update(base_url=base_url, app_key="demo-app-key", app_secret=secret, category_ids=[1001770])
            channel.conf = conf
            channel.is_active = True
    finally:
        db.dispose()


def _runs(db_file) -> dict[str, str]:
    from sqlalchemy import select

    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.storage.models import FlowRun

    db = open_database(db_file)
    try:
        with db.session_factory() as s:
            return {slug: state for slug, state in s.execute(select(FlowRun.flow, FlowRun.state))}
    finally:
        db.dispose()


def _holder(db_file):
    from n11_desktop.core.instance import current_holder
    from n11_desktop.core.storage.db import open_database

    db = open_database(db_file)
    try:
        return current_holder(db)
    finally:
        db.dispose()


@contextlib.contextmanager
def _all_stores_running():
    """`run --all-stores` on a thread of this test, the stores' states collected in order; stopped
    and joined on the way out, which must end with exit code 0."""
    from n11_desktop.core.allstores import AllStoresRunner
    from n11_desktop.core.stores import Registry

    states: list[tuple[str, str]] = []
    multi = AllStoresRunner(lambda: Registry.load().listed(), retry_s=0.2, max_workers=1, stop_timeout_s=10,
                            on_store=lambda r: states.append((r.name, r.state)))
    result: list[int] = []
    t = threading.Thread(target=lambda: result.append(multi.run()), name="all-stores-test")
    t.start()
    try:
        yield multi, states
    finally:
        multi.request_stop()
        t.join(30)
    assert not t.is_alive() and result == [0]


def _wait_while(condition, deadline: float) -> None:
    while condition() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_every_store_runs_once_and_broken_ones_are_reported_per_store(registry, sandboxes, capsys):
    from n11_desktop.core.instance import InstanceLease
    from n11_desktop.core.storage.db import open_database

    for name in ("good-1", "good-2", "bad-creds", "busy"):
        assert main(["stores", "add", name]) == 0
    folder = registry.parent / "stores"
    _configure(folder / "good-1.db", sandboxes().base_url)
    _configure(folder / "good-2.db", sandboxes().base_url)
    _configure(folder / "bad-creds.db", sandboxes().base_url, secret="wrong-secret")
    _configure(folder / "busy.db", sandboxes().base_url)
    broken = registry.parent / "broken.db"
    broken.write_bytes(b"this is not a database" * 100)
    assert main(["stores", "add", "aaa-broken", "--db", str(broken)]) == 2  # refused at add …
    import json

    doc = json.loads(registry.read_text(encoding="utf-8"))  # … so it is written in by hand (a disk went bad)
    doc["stores"]["aaa-broken"] = {"db": str(broken)}
    registry.write_text(json.dumps(doc), encoding="utf-8")
    other = open_database(folder / "busy.db")
    lease = InstanceLease(other, "run", pid=4242, host="server-2")
    assert lease.acquire()
    capsys.readouterr()
    try:
        code = main(["run", "--all-stores", "--once", "--workers", "2"])
    finally:
        lease.release()
        other.dispose()
    out, err = capsys.readouterr()
    assert code == 1  # not every store ran
    assert any(line.startswith("n11-desktop run: store aaa-broken: unavailable") for line in err.splitlines()), err
    assert "store busy: refused" in err and "pid 4242 on server-2" in err
    assert "store good-1: done" in err and "store good-2: done" in err
    summary = [line for line in err.splitlines() if "store bad-creds: done" in line]
    assert summary and "0 failed" not in summary[-1]  # its flows failed; the others still ran
    assert "[good-1] finished" in out and "[good-2] finished" in out
    for name in ("good-1", "good-2"):
        runs = _runs(folder / f"{name}.db")
        assert runs.get("reference_data") == "done" and "failed" not in runs.values(), (name, runs)
        assert _holder(folder / f"{name}.db") is None  # its lease was released on exit
    assert "failed" in _runs(folder / "bad-creds.db").values()
    assert _runs(folder / "busy.db") == {}  # never touched: another process drives it


def test_a_store_that_cannot_open_is_retried_and_a_new_store_is_picked_up(registry, sandboxes):
    from n11_desktop.core.stores import Registry

    assert main(["stores", "add", "steady"]) == 0
    folder = registry.parent / "stores"
    _configure(folder / "steady.db", sandboxes().base_url)
    late = registry.parent / "late.db"
    late.write_bytes(b"garbage" * 100)
    reg = Registry.load()
    reg.stores["late"] = type(reg.stores["steady"])("late", str(late), registry.parent)
    reg.save()
    with _all_stores_running() as (multi, states):
        deadline = time.monotonic() + 30
        _wait_while(lambda: not {("late", "unavailable"), ("steady", "running")} <= set(states), deadline)
        assert ("late", "unavailable") in states and ("steady", "running") in states
        late.unlink()  # the operator fixes it: a fresh database there
        _configure(late, sandboxes().base_url)
        assert main(["stores", "add", "newcomer"]) == 0  # added while the server runs
        _configure(folder / "newcomer.db", sandboxes().base_url)
        _wait_while(lambda: not {("late", "running"), ("newcomer", "running")} <= set(states), deadline)
        assert {("late", "running"), ("newcomer", "running")} <= set(states), states
        assert multi.runs["steady"].attempts == 1  # the steady store kept running all along
        _wait_while(lambda: _holder(late) is None, deadline)
        holder = _holder(late)
        assert holder is not None and holder.role == "run"  # each store under its own lease
    assert {multi.runs[n].state for n in ("steady", "late", "newcomer")} == {"stopped"}
    for db_file in (folder / "steady.db", late, folder / "newcomer.db"):
        assert _holder(db_file) is None


def test_all_stores_refuses_db_store_and_an_empty_registry(registry, tmp_path, capsys):
    assert main(["--db", str(tmp_path / "x.db"), "run", "--all-stores", "--once"]) == 2
    assert "leave out --db" in capsys.readouterr().err
    assert main(["run", "--all-stores", "--once"]) == 1
    assert "no stores" in capsys.readouterr().err


@pytest.mark.slow
def test_an_agency_of_20_demo_stores_runs_headless(registry, capsys):
    """Twenty demo stores, each against its own built-in sandbox, one cycle in one process."""
    from n11_desktop.bench.stores import make_demo_stores

    make_demo_stores(registry, 20)
    capsys.readouterr()
    assert main(["run", "--all-stores", "--once", "--workers", "1"]) == 0
    out, err = capsys.readouterr()
    for i in range(1, 21):
        assert f"store demo-{i:02d}: done" in err
        assert f"[demo-{i:02d}] finished product_create: done" in out


@pytest.mark.postgresql
def test_stores_as_postgresql_schemas_beside_an_sqlite_store(registry, sandboxes, pg_server, capsys):
    """Two stores in two schemas of one PostgreSQL database and one SQLite store, driven by one
    ``run --all-stores``: each under its own lease, in its own schema."""
    import os

    from n11_desktop.core.storage.db import open_database

    urls = {}
    for name in ("pg-a", "pg-b"):
        schema = f"st{os.getpid()}_{name.replace('-', '_')}"
        urls[name] = pg_server.url(schema=schema)
        assert main(["stores", "add", name, "--db", urls[name]]) == 0
    assert main(["stores", "add", "file-c"]) == 0
    try:
        for name, url in urls.items():
            _configure(url, sandboxes().base_url)
        _configure(registry.parent / "stores" / "file-c.db", sandboxes().base_url)
        capsys.readouterr()
        assert main(["run", "--all-stores", "--once", "--workers", "2"]) == 0
        out, err = capsys.readouterr()
        for name in ("pg-a", "pg-b", "file-c"):
            assert f"store {name}: done" in err and f"[{name}] finished reference_data: done" in out
        for url in urls.values():
            assert _runs(url).get("reference_data") == "done" and _holder(url) is None
        db = open_database(urls["pg-a"])  # the schemas are separate stores: pg-a sees only its own runs
        try:
            from sqlalchemy import func, select

            from n11_desktop.core.storage.models import FlowRun

            with db.session_factory() as s:
                n = s.scalar(select(func.count()).select_from(FlowRun))
            assert n == len(out.split("[pg-a] finished")) - 1
        finally:
            db.dispose()
        listed = {}
        assert main(["stores", "list", "--json"]) == 0
        import json

        for line in capsys.readouterr().out.splitlines():
            row = json.loads(line)
            listed[row["name"]] = row
        assert listed["pg-a"]["state"] == "ok" and listed["pg-a"]["db"].startswith("postgresql+psycopg://")
    finally:
        for name in urls:
            pg_server.execute(f'DROP SCHEMA IF EXISTS "st{os.getpid()}_{name.replace("-", "_")}" CASCADE')


def test_a_demo_store_another_process_drives_is_left_alone(registry, capsys):
    """`run --all-stores` never starts a sandbox for, or repoints, a demo store someone else drives."""
    from n11_desktop.core.allstores import AllStoresRunner
    from n11_desktop.core.instance import InstanceLease
    from n11_desktop.core.settings import load_config
    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.stores import Registry, point_demo_at

    assert main(["stores", "add", "demo-1", "--demo"]) == 0
    db = open_database(registry.parent / "stores" / "demo-1.db")
    point_demo_at(db, "http://127.0.0.1:5999/ws/")
    lease = InstanceLease(db, "gui", pid=4242, host="ofis-1")
    assert lease.acquire()
    prepared = []
    try:
        multi = AllStoresRunner(lambda: Registry.load().listed(), once=True,
                                prepare=lambda store, d: prepared.append(store.name))
        assert multi.run() == 1
        assert multi.runs["demo-1"].state == "refused" and prepared == []
        with db.session_factory() as s:
            assert load_config(s).base_url == "http://127.0.0.1:5999/ws/"
    finally:
        lease.release()
        db.dispose()


def test_a_store_removed_from_the_registry_stops_and_comes_back_when_added_again(registry, sandboxes):
    """`stores remove` (or Store → Manage stores…) while `run --all-stores` drives the store: its
    scheduler stops at a safe point and releases the lease; the other store runs on undisturbed."""
    for name in ("stays", "goes"):
        assert main(["stores", "add", name]) == 0
    folder = registry.parent / "stores"
    for name in ("stays", "goes"):
        _configure(folder / f"{name}.db", sandboxes().base_url)
    with _all_stores_running() as (multi, states):
        deadline = time.monotonic() + 30
        _wait_while(lambda: _holder(folder / "goes.db") is None, deadline)
        assert _holder(folder / "goes.db").role == "run"
        assert main(["stores", "remove", "goes"]) == 0  # the data stays
        _wait_while(lambda: ("goes", "removed") not in states, deadline)
        assert ("goes", "removed") in states
        assert _holder(folder / "goes.db") is None  # its lease released
        _wait_while(lambda: multi.runs["goes"].db is not None, deadline)
        assert multi.runs["goes"].db is None  # its database closed
        assert multi.runs["stays"].state == "running" and multi.runs["stays"].attempts == 1
        assert _holder(folder / "stays.db").role == "run"
        states.clear()
        assert main(["stores", "add", "goes", "--db", str(folder / "goes.db")]) == 0  # put back
        _wait_while(lambda: ("goes", "running") not in states, deadline)
        assert ("goes", "running") in states
    assert {multi.runs[n].state for n in ("stays", "goes")} == {"stopped"}
    for name in ("stays", "goes"):
        assert _holder(folder / f"{name}.db") is None


def test_a_store_renamed_while_it_runs_goes_on_under_its_new_name(registry, sandboxes):
    """Renaming is leaving the registry under the old name and joining under the new one: the old
    runner stops first, then the same database runs under the new name (never two runners on it)."""
    assert main(["stores", "add", "old-name"]) == 0
    db_file = registry.parent / "stores" / "old-name.db"
    _configure(db_file, sandboxes().base_url)
    with _all_stores_running() as (multi, states):
        deadline = time.monotonic() + 30
        _wait_while(lambda: ("old-name", "running") not in states, deadline)
        assert main(["stores", "rename", "old-name", "new-name"]) == 0
        _wait_while(lambda: ("new-name", "running") not in states, deadline)
        assert ("new-name", "running") in states
        assert states.index(("old-name", "removed")) < states.index(("new-name", "running"))
        assert not any(name == "new-name" and state == "refused" for name, state in states)
        _wait_while(lambda: _holder(db_file) is None, deadline)
        assert _holder(db_file).role == "run"
    assert multi.runs["old-name"].state == "removed" and multi.runs["new-name"].state == "stopped"
    assert _holder(db_file) is None


def test_the_stores_databases_keep_a_small_page_cache_and_a_finished_store_is_closed(registry, sandboxes):
    """Twenty stores in one process (issue 18): each store's SQLite connections keep
    STORE_CACHE_KIB of page cache instead of SQLite's 2 MB, and with --once a store whose
    cycle is over has its database closed while the others still run."""
    from n11_desktop.core.allstores import STORE_CACHE_KIB, AllStoresRunner
    from n11_desktop.core.stores import Registry

    for name in ("one", "two"):
        assert main(["stores", "add", name]) == 0
        _configure(registry.parent / "stores" / f"{name}.db", sandboxes().base_url)
    with _all_stores_running() as (multi, states):
        deadline = time.monotonic() + 30
        _wait_while(lambda: ("two", "running") not in states, deadline)
        db = multi.runs["two"].db
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == -STORE_CACHE_KIB
    multi = AllStoresRunner(lambda: Registry.load().listed(), once=True, max_workers=1, stop_timeout_s=10)
    assert multi.run() == 0
    assert {r.state for r in multi.runs.values()} == {"done"}
    assert all(r.db is None for r in multi.runs.values())
    assert all(_runs(registry.parent / "stores" / f"{name}.db") for name in ("one", "two"))
