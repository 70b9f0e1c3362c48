"""Several stores (issue 16): the registry, ``n11-desktop stores …`` and ``--store NAME``."""

from __future__ import annotations

import json

import pytest

from n11_desktop.cli import main


@pytest.fixture
def registry(tmp_path, monkeypatch):
    path = tmp_path / "cfg" / "stores.json"
    monkeypatch.setenv("N11_DESKTOP_STORES", str(path))
    return path


def _stores(capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["stores", "list", "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_add_list_use_and_store_option_open_separate_databases(registry, capsys):
    assert main(["stores", "add", "shop-a"]) == 0
    assert main(["stores", "add", "shop-b"]) == 0
    out = capsys.readouterr().out
    assert "store shop-a added" in out and "(default)" in out
    listed = _stores(capsys)
    assert [(s["name"], s["default"], s["state"]) for s in listed] == [("shop-a", True, "ok"), ("shop-b", False, "ok")]
    assert (registry.parent / "stores" / "shop-a.db").exists()
    # each store has its own settings: a schedule changed in shop-b does not change shop-a
    assert main(["--store", "shop-b", "schedule", "set", "stock", "7m"]) == 0
    capsys.readouterr()
    assert main(["schedule", "list", "--json", "--store", "shop-b"]) == 0
    b = {json.loads(x)["slug"]: json.loads(x) for x in capsys.readouterr().out.splitlines()}
    assert main(["schedule", "list", "--json"]) == 0  # the default store: shop-a
    a = {json.loads(x)["slug"]: json.loads(x) for x in capsys.readouterr().out.splitlines()}
    assert b["stock"]["changed"] and not a["stock"]["changed"]
    assert main(["stores", "use", "shop-b"]) == 0
    capsys.readouterr()
    assert main(["schedule", "list", "--json"]) == 0
    now_default = {json.loads(x)["slug"]: json.loads(x) for x in capsys.readouterr().out.splitlines()}
    assert now_default["stock"]["changed"]


def test_bad_names_unknown_store_and_both_db_and_store_are_one_line(registry, tmp_path, capsys):
    assert main(["stores", "add", "../evil"]) == 1
    err = capsys.readouterr().err
    assert "not usable" in err and err.count("\n") == 1
    assert main(["stores", "add", "shop-a"]) == 0
    assert main(["stores", "add", "SHOP-A"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert main(["--store", "nope", "flow", "list"]) == 1
    err = capsys.readouterr().err
    assert "no store named nope" in err and "shop-a" in err
    assert main(["--store", "shop-a", "--db", str(tmp_path / "x.db"), "flow", "list"]) == 2
    assert "either --db or --store" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()
    assert main(["--demo", "--store", "shop-a", "flow", "list"]) == 2
    assert "leave out --store" in capsys.readouterr().err
    assert main(["stores", "remove", "nope"]) == 1


def test_rename_keeps_data_and_remove_deletes_only_when_asked(registry, capsys):
    assert main(["stores", "add", "shop-a"]) == 0
    assert main(["--store", "shop-a", "schedule", "set", "stock", "7m"]) == 0
    assert main(["stores", "rename", "shop-a", "magaza-ı"]) == 0  # Turkish letters are fine
    capsys.readouterr()
    assert main(["--store", "magaza-ı", "schedule", "list", "--json"]) == 0
    rows = {json.loads(x)["slug"]: json.loads(x) for x in capsys.readouterr().out.splitlines() if x.startswith("{")}
    assert rows["stock"]["changed"]
    db_file = registry.parent / "stores" / "shop-a.db"
    assert main(["stores", "remove", "magaza-ı"]) == 0
    assert "data is kept" in capsys.readouterr().out
    assert db_file.exists() and _stores(capsys) == []
    # adding the same name again refuses to silently adopt the old file
    assert main(["stores", "add", "shop-a"]) == 1
    assert "already exists but is no store" in capsys.readouterr().err
    assert main(["stores", "add", "shop-a", "--db", str(db_file)]) == 0
    assert main(["stores", "remove", "shop-a", "--delete-data"]) == 0
    assert not db_file.exists()


def test_remove_delete_data_refused_while_a_process_drives_the_store(registry, capsys):
    from n11_desktop.core.instance import InstanceLease
    from n11_desktop.core.storage.db import open_database

    assert main(["stores", "add", "shop-a"]) == 0
    db_file = registry.parent / "stores" / "shop-a.db"
    db = open_database(db_file)
    lease = InstanceLease(db, "run", pid=4242, host="server-1")
    assert lease.acquire()
    try:
        listed = _stores(capsys)
        who = f"{lease.user}@server-1" if lease.user else "server-1"  # the OS user, where there is one
        assert listed[0]["driven_by"] == f"run pid 4242 on {who}"
        assert main(["stores", "remove", "shop-a", "--delete-data"]) == 1
        assert "in use" in capsys.readouterr().err
        assert db_file.exists() and _stores(capsys)[0]["name"] == "shop-a"
    finally:
        lease.release()
        db.dispose()


def test_without_registry_the_legacy_database_is_the_default_store(tmp_path, monkeypatch, capsys):
    reg = tmp_path / "data" / "stores.json"
    monkeypatch.setenv("N11_DESKTOP_STORES", str(reg))
    assert _stores(capsys) == []  # no registry and no database yet: nothing listed
    from n11_desktop.core.storage.db import open_database

    open_database(tmp_path / "data" / "n11-desktop.db").dispose()
    listed = _stores(capsys)
    assert [(s["name"], s["default"]) for s in listed] == [("default", True)]
    assert main(["stores", "add", "shop-b"]) == 0
    doc = json.loads(reg.read_text(encoding="utf-8"))
    assert doc["default"] == "default" and doc["stores"]["default"]["db"] == "n11-desktop.db"


def test_copy_settings_and_mapping_never_copies_credentials(registry, tmp_path, capsys):
    from n11_desktop.core.settings import load_config
    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.storage.models import CategoryMapping

    assert main(["stores", "add", "shop-a", "--demo"]) == 0
    assert main(["stores", "add", "shop-b", "--copy-from", "shop-a"]) == 0
    out = capsys.readouterr().out
    assert "copied settings" in out and "mapping rows" in out
    a = open_database(registry.parent / "stores" / "shop-a.db")
    b = open_database(registry.parent / "stores" / "shop-b.db")
    try:
        with a.session_factory() as s:
            ca = load_config(s)
            na = s.query(CategoryMapping).count()
        with b.session_factory() as s:
            cb = load_config(s)
            nb = s.query(CategoryMapping).count()
        assert na > 0 and nb == na
        assert cb.conf.get("category_ids") == ca.conf.get("category_ids")
        assert ca.conf.get("app_key") == "demo-app-key" and not cb.conf.get("app_key")
        assert not cb.is_active
    finally:
        a.dispose()
        b.dispose()


def test_linked_catalog_source_is_imported_without_a_file_argument(registry, tmp_path, capsys):
    csv = tmp_path / "shared.csv"
    csv.write_text("sku,title,price,stock\nA-1,Tişört,10,5\n", encoding="utf-8")
    assert main(["stores", "add", "shop-a", "--catalog-source", str(csv)]) == 0
    assert main(["stores", "add", "shop-b"]) == 0
    assert main(["--store", "shop-b", "catalog", "import"]) == 2
    assert "no linked catalog source" in capsys.readouterr().err
    assert main(["stores", "link-catalog", "shop-b", str(csv)]) == 0
    for name in ("shop-a", "shop-b"):
        assert main(["--store", name, "catalog", "import"]) == 0
        assert main(["--store", name, "products", "list", "--json"]) == 0
        assert "A-1" in capsys.readouterr().out


def test_an_unreachable_database_server_is_one_line_and_changes_nothing(registry, capsys):
    assert main(["stores", "add", "shop-a"]) == 0
    before = registry.read_text(encoding="utf-8")
    capsys.readouterr()
    assert main(["stores", "add", "far", "--db", "postgresql+psycopg://n11:secret-pw@127.0.0.1:1/n11"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "127.0.0.1" in err and "secret-pw" not in err
    assert registry.read_text(encoding="utf-8") == before  # not registered


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_refusals_read_in_turkish_with_host_and_without_password(registry, tmp_path, capsys):
    import sqlite3

    from n11_desktop.core.storage import db as dbm

    url = f"postgresql+psycopg://u:gizli-parola@127.0.0.1:{_closed_port()}/x"
    assert main(["--lang", "tr", "--db", url, "settings", "show"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("n11-desktop: PostgreSQL veritabanı 127.0.0.1:") and " açılamıyor: " in err, err
    assert err.count("\n") == 1 and "gizli-parola" not in err and "cannot open" not in err
    assert main(["--lang", "tr", "stores", "add", "far", "--db", url]) == 2  # `stores add` tests the server first
    err = capsys.readouterr().err
    assert "PostgreSQL veritabanı 127.0.0.1:" in err and "gizli-parola" not in err

    other = tmp_path / "photos.sqlite"
    with sqlite3.connect(other) as con:
        con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)")
    con.close()
    assert main(["--lang", "tr", "--db", str(other), "settings", "show"]) == 2
    err = capsys.readouterr().err
    assert f"{other} başka bir uygulamanın veritabanı (tablolar: notes); n11-desktop yalnızca kendi" in err, err

    newer = tmp_path / "newer.db"
    d = dbm.open_database(newer)
    with d.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num='9999'")
    d.dispose()
    assert main(["--lang", "tr", "--db", str(newer), "settings", "show"]) == 2
    err = capsys.readouterr().err
    assert err == (f"n11-desktop: {newer} daha yeni bir n11-desktop tarafından yazılmış (şema 9999); "
                   "açmak için uygulamayı güncelleyin\n")
    assert main(["--db", str(newer), "settings", "show"]) == 2  # English stays the core's own line
    assert "was written by a newer n11-desktop (schema 9999)" in capsys.readouterr().err


def test_a_demo_store_meeting_a_fresh_sandbox_forgets_the_old_ones_side(registry, capsys):
    from sqlalchemy import func, select

    from n11_desktop.core.settings import load_config
    from n11_desktop.core.storage.db import open_database
    from n11_desktop.core.storage.models import Batch, IntegrationAction, Product
    from n11_desktop.core.stores import point_demo_at

    assert main(["stores", "add", "demo-a", "--demo"]) == 0
    db = open_database(registry.parent / "stores" / "demo-a.db")
    try:
        point_demo_at(db, "http://127.0.0.1:5001/ws/")  # its first sandbox
        with db.session_factory.begin() as s:
            products = s.scalar(select(func.count()).select_from(Product))
            pid = s.scalar(select(Product.id).limit(1))
            s.add(Batch(content_type="product", flow="product_create", state="ongoing", remote_task_id="270000001"))
            s.add(IntegrationAction(content_type="product", object_id=pid, object_key="X", state="success"))
        point_demo_at(db, "http://127.0.0.1:5001/ws/")  # the same sandbox: nothing forgotten
        with db.session_factory() as s:
            assert s.scalar(select(func.count()).select_from(Batch)) == 1
        point_demo_at(db, "http://127.0.0.1:5002/ws/")  # a fresh sandbox: an empty N11 account
        with db.session_factory() as s:
            assert s.scalar(select(func.count()).select_from(Batch)) == 0
            assert s.scalar(select(func.count()).select_from(IntegrationAction)) == 0
            assert s.scalar(select(func.count()).select_from(Product)) == products > 0  # the catalog stays
            assert load_config(s).base_url == "http://127.0.0.1:5002/ws/"
    finally:
        db.dispose()


def test_list_without_stores_prints_only_the_line_saying_so(registry, capsys):
    capsys.readouterr()
    assert main(["stores", "list"]) == 0  # no registry, no database: no empty table above the line
    out, err = capsys.readouterr()
    assert out == ""
    assert err.strip().startswith("n11-desktop stores: no registry yet (") and len(err.strip().splitlines()) == 1
    assert main(["stores", "add", "shop-a"]) == 0
    assert main(["stores", "remove", "shop-a"]) == 0
    capsys.readouterr()
    assert main(["stores", "list"]) == 0  # a registry with no store left in it
    out, err = capsys.readouterr()
    assert out == "no stores yet; `stores add NAME` adds one\n" and err == ""


@pytest.mark.postgresql
def test_stores_list_names_a_postgresql_store_without_its_schema_new_and_creates_nothing(registry, capsys, fresh_pg_url):
    from sqlalchemy import text

    from n11_desktop.core.storage.db import bare_engine

    assert main(["stores", "add", "shop-a"]) == 0
    reg = json.loads(registry.read_text(encoding="utf-8"))
    reg["stores"]["later"] = {"db": fresh_pg_url}  # written by hand: its schema is not created yet
    registry.write_text(json.dumps(reg), encoding="utf-8")
    listed = {s["name"]: s for s in _stores(capsys)}
    assert (listed["later"]["state"], listed["later"]["driven_by"]) == ("new", "")
    assert listed["shop-a"]["state"] == "ok"
    engine = bare_engine(fresh_pg_url.split("?")[0])
    try:
        with engine.connect() as conn:
            assert not conn.execute(text("SELECT 1 FROM pg_namespace WHERE nspname = :n"),
                                    {"n": fresh_pg_url.rsplit("%3D", 1)[1]}).scalar()
    finally:
        engine.dispose()
