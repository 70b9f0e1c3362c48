"""Secrets (DESIGN §11): after a full demo run and flows against a sandbox with a distinctive
App Secret, the secret is in no log file, log row, run row, export or screenshot; the Channel
Settings form masks it; the web hook refuses requests without its token; the database file is
readable by its owner only."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from n11_desktop import cli
from n11_desktop.core.flows import run_flow

from ..flows.helpers import seed_catalog
from .conftest import count, set_conf

pytestmark = pytest.mark.resilience

SECRET = "Zq9-distinctive-S3cr3t-4711"


def _leaks(root: Path, secret: str) -> list[str]:
    """Every file under ``root`` containing the secret (as UTF-8, UTF-16 or base64-free raw bytes)."""
    needles = [secret.encode("utf-8"), secret.encode("utf-16-le")]
    found = []
    for p in sorted(root.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if any(n in data for n in needles):
                found.append(str(p.relative_to(root)))
            count("secrets: files checked (logs, exports, screenshots)")
    return found


def _db_leaks(db, secret: str) -> list[str]:
    """Rows of the log and run history mentioning the secret (``db``: the open Database, SQLite or
    PostgreSQL, or an SQLite file)."""
    from sqlalchemy import text

    from n11_desktop.core.storage.db import Database

    found = []
    for table, cols in (("log_entry", ("message", "request", "response", "object_key")),
                        ("flow_run", ("message",))):
        sql = f"SELECT id, {', '.join(cols)} FROM {table}"
        if isinstance(db, Database):
            with db.engine.connect() as con:
                rows = [tuple(r) for r in con.execute(text(sql))]
        else:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
            try:
                rows = con.execute(sql).fetchall()
            finally:
                con.close()
        for row in rows:
            count("secrets: log/run rows checked")
            if any(secret in (v or "") for v in row[1:]):
                found.append(f"{table} {row[0]}")
    return found


def _exports(db_path: Path, out: Path, capsys) -> None:
    """Everything a user can export or print: settings, products, orders, penalties, logs (with raw bodies)."""
    from n11_desktop.core.monitoring import LogFilter, export_logs_csv
    from n11_desktop.core.storage.db import open_database

    out.mkdir(parents=True, exist_ok=True)
    for name, argv in (("settings.json", ["settings", "export", str(out / "settings.json")]),
                       ("settings-show.txt", ["settings", "show"]),
                       ("settings-show.json", ["settings", "show", "--json"]),
                       ("products.jsonl", ["products", "list", "--json"]),
                       ("penalties.jsonl", ["penalty", "list", "--json"]),
                       ("orders.csv", ["orders", "export", str(out / "orders.csv")]),
                       ("flows.jsonl", ["flow", "list", "--json"])):
        code = cli.main(["--db", str(db_path), *argv])
        o, e = capsys.readouterr()
        (out / f"{name}.stdout").write_text(o + e, encoding="utf-8")
        assert code in (0, 1), (argv, e)
    db = open_database(db_path)
    try:
        with db.session_factory() as s:
            export_logs_csv(s, LogFilter(), out / "logs-with-raw.csv", include_raw=True)
    finally:
        db.dispose()


def _mode_0600(path: Path) -> None:
    mode = stat.S_IMODE(path.stat().st_mode)
    assert mode & 0o077 == 0, f"{path.name} is mode {oct(mode)}; only its owner may read it"


@pytest.mark.timeout(300)
def test_demo_run_with_screenshots_leaks_no_secret(tmp_path, capsys):
    """``n11-desktop --demo --screenshot DIR`` (the in-process sandbox, demo flows, every tab rendered)."""
    from n11_desktop.sandbox.server import DEMO_APP_SECRET

    db_path = tmp_path / "demo.db"
    shots = tmp_path / "shots"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    proc = subprocess.run([sys.executable, "-m", "n11_desktop", "--db", str(db_path), "--demo", "--screenshot",
                           str(shots)], capture_output=True, text=True, timeout=240, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert list(shots.glob("*.png")), "no screenshots written"
    assert DEMO_APP_SECRET not in proc.stdout + proc.stderr
    _exports(db_path, tmp_path / "exports", capsys)
    assert not _leaks(tmp_path / "shots", DEMO_APP_SECRET)
    assert not _leaks(tmp_path / "exports", DEMO_APP_SECRET)
    logs = tmp_path / "logs"  # the demo profile's log directory, next to its database
    assert list(logs.glob("*.log")), "the demo run wrote no log file"
    assert not _leaks(logs, DEMO_APP_SECRET)
    assert not _db_leaks(db_path, DEMO_APP_SECRET)
    if sys.platform != "win32":
        _mode_0600(db_path)
        count("secrets: database file mode 0600 (demo profile)")


def test_flows_against_a_distinctive_secret_leak_nothing(db, tmp_path, capsys):
    from n11_desktop.core.logsetup import setup_logging
    from n11_desktop.core.orders.demo import seed_address_tree, seed_cargo_mapping
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.sandbox.server import DEMO_APP_KEY, SandboxServer

    db_path = db.target()  # the SQLite file, or the PostgreSQL URL
    logs = tmp_path / "logs"
    level = logging.getLogger("n11_desktop").level
    setup_logging(logs)
    server = SandboxServer(port=0, app_secret=SECRET, task_delay_ms=20, approval_delay_ms=20).start()
    try:
        with db.session_factory.begin() as s:
            ch = ensure_channel(s)
            conf = dict(ch.conf)
            conf.update(base_url=server.base_url, app_key=DEMO_APP_KEY, app_secret=SECRET)
            ch.conf = conf
            ch.is_active = True
        seed_address_tree(db)
        seed_cargo_mapping(db)
        set_conf(db, order_start_date="01/11/2026", flags={"send_products_inserted": True, "get_orders": True})
        seed_catalog(db, 5)
        for _ in range(3):
            server.state.create_order()
        for slug in ("reference_data", "product_create", "task_results", "order_create", "stock", "price"):
            server.state.process_tasks_now()
            run_flow(slug, db, trigger="manual")
            count("secrets: flow runs against the distinctive secret")
        # a failing authentication (N11 changed the secret): the error path logs the exchange too
        server.state.app_secret = "rotated-on-n11-side"
        res = run_flow("order_create", db, trigger="manual")
        assert not res.ok
        server.state.set_faults(rate=1.0, kinds=["http_500", "malformed", "wrong_content_type"])
        run_flow("reference_data", db, trigger="manual")
        server.state.set_faults(rate=0.0)
    finally:
        server.stop()
        setup_logging(None)
        logging.getLogger("n11_desktop").setLevel(level)
    _exports(db_path, tmp_path / "exports", capsys)
    assert not _leaks(tmp_path / "exports", SECRET)
    assert (logs / "n11-desktop.log").exists()
    assert not _leaks(logs, SECRET)
    assert not _db_leaks(db, SECRET)
    exported = json.loads((tmp_path / "exports" / "settings.json").read_text(encoding="utf-8"))
    assert not exported["conf"].get("app_secret"), "settings export must leave the App Secret out"
    if db.is_sqlite and sys.platform != "win32":  # a file's mode; PostgreSQL's data are the server's
        db_path = Path(db_path)
        _mode_0600(db_path)
        for extra in (db_path.with_name(db_path.name + "-wal"), db_path.with_name(db_path.name + "-shm")):
            if extra.exists():
                _mode_0600(extra)
        count("secrets: database file mode 0600 (configured profile)")


def test_settings_form_masks_the_secret(qtbot, db):
    from n11_desktop.app import build_services
    from n11_desktop.core.settings import ensure_channel
    from n11_desktop.views.forms import SecretEditor
    from n11_desktop.views.main_window import MainWindow

    with db.session_factory.begin() as s:
        ch = ensure_channel(s)
        ch.conf = {**ch.conf, "app_key": "k", "app_secret": SECRET, "base_url": "http://127.0.0.1:9/ws/"}
    services = build_services(db)
    w = MainWindow(services)
    qtbot.addWidget(w)
    tab = w.show_tab("channel_settings")
    qtbot.waitUntil(lambda: getattr(tab, "is_ready", lambda: True)(), timeout=10_000)
    editors = tab.findChildren(SecretEditor)
    assert editors, "no secret editor on the Channel Settings tab"
    secret_editor = tab.editors["app_secret"]
    qtbot.waitUntil(lambda: secret_editor.edit.text() == SECRET, timeout=10_000)
    assert secret_editor.is_masked()
    assert SECRET not in secret_editor.edit.displayText()  # what is painted: bullets
    count("secrets: App Secret field masked (Password echo mode)")
    w.close()


def test_webhook_needs_its_token():
    from n11_desktop.core.orders.webhook import WebhookServer

    calls = []
    with WebhookServer(token="oms-token-abcdef", on_split=lambda r: calls.append(r) or True) as server:
        assert server.host == "127.0.0.1"
        body = {"event": "order.split_package_3", "data": {"order_number": "1", "packages": [{"order_line_ids": [1]}]}}
        url = server.url + "/flow-trigger/split_packages/split_packages"
        assert requests.post(url, json=body, timeout=10).status_code == 401
        assert requests.post(url, json=body, headers={"Authorization": "Token nope-nope-nope"},
                             timeout=10).status_code == 403
        assert requests.post(url, json=body, headers={"Authorization": "Token oms-token-abcdef"},
                             timeout=10).status_code == 200
    assert len(calls) == 1
    count("secrets: web hook refused without / with a wrong token", 2)
