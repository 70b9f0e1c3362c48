"""Every door (issue 20): the hostile inputs an attacker or a new user tried, as regression cases.

Doors: command-line arguments, ``--db``, catalog files (CSV/XLSX), mapping files, the penalty
CSV, settings files, the OMS web hook, and what we export for a spreadsheet. Each case is
either refused with one line naming the problem (exit 1 or 2, database unchanged) or handled
correctly. The property-based side is in ``test_fuzz_doors.py``.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from n11_desktop import cli
from n11_desktop.core.inputs import is_formula
from n11_desktop.core.storage.db import APPLICATION_ID

from .conftest import count
from .test_bad_inputs import _changed, _one_clear_message, fingerprint, reading

pytestmark = pytest.mark.resilience

HUGE = "9" * 5000


def _refused(code: int, err: str) -> str | None:
    """None when (code, err) is a clear refusal: exit 1 or 2 and exactly one clear line."""
    if code not in (1, 2):
        return f"exit {code}"
    if (why := _one_clear_message(err)) is not None:
        return why
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    if len(lines) != 1:
        return f"{len(lines)} lines"
    if len(lines[0]) > 600:
        return f"a line of {len(lines[0])} characters"
    return None


# ----------------------------------------------------------------------------- command-line arguments
CLI_ARGS = [
    ("products list --limit HUGE", ["products", "list", "--limit", HUGE], "--limit"),
    ("products list --limit -1", ["products", "list", "--limit", "-1"], "--limit"),
    ("products set-category HUGE", ["products", "set-category", "SKU-1", HUGE], "CATEGORY_ID"),
    ("products set-category 1e5", ["products", "set-category", "SKU-1", "1e5"], "CATEGORY_ID"),
    ("mapping suggest --limit HUGE", ["mapping", "suggest", "--limit", HUGE], "--limit"),
    ("orders list --limit HUGE", ["orders", "list", "--limit", HUGE], "--limit"),
    ("orders webhook --port 99999", ["orders", "webhook", "--port", "99999"], "--port"),
    ("orders webhook --port 8O", ["orders", "webhook", "--port", "8O"], "--port"),
    ("orders webhook --oms-channel-id HUGE", ["orders", "webhook", "--oms-channel-id", HUGE], "--oms-channel-id"),
    ("run --workers 0", ["run", "--workers", "0"], "--workers"),
    ("run --stop-timeout nan", ["run", "--stop-timeout", "nan"], "--stop-timeout"),
    ("run --stop-timeout 1e999", ["run", "--stop-timeout", "1e999"], "--stop-timeout"),
    ("bench --size HUGE", ["bench", "--size", HUGE], "--size"),
    # in-process only (a shell cannot pass a NUL); PostgreSQL refuses it in any query
    ("products list --text with a NUL byte", ["products", "list", "--text", "a\x00b"], "NUL"),
    ("products set-category with a NUL in the SKU", ["products", "set-category", "S\x00", "1000002"], "NUL"),
]


@pytest.fixture
def new_db_target(db_engine, tmp_path, request):
    """What ``--db`` takes for a database that does not exist yet: a file in tmp_path, or on
    PostgreSQL a schema not created yet (see ``_created``)."""
    if db_engine == "postgresql":
        request.getfixturevalue("monkeypatch").setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
        return request.getfixturevalue("fresh_pg_url")
    return tmp_path / "test.db"


def _created(target) -> bool:
    """Whether the database at ``target`` exists: the SQLite file, or the URL's PostgreSQL schema."""
    from sqlalchemy import text

    from n11_desktop.core.storage.db import bare_engine, is_database_url

    if not is_database_url(target):
        return Path(target).exists()
    engine = bare_engine(str(target))
    try:
        with engine.connect() as con:  # current_schema() is NULL while its search_path schema is missing
            return con.execute(text("SELECT current_schema()")).scalar() is not None
    finally:
        engine.dispose()


@pytest.mark.parametrize("name,args,names", CLI_ARGS, ids=[c[0] for c in CLI_ARGS])
def test_bad_arguments_are_one_line_usage_errors(new_db_target, capsys, name, args, names):
    db_path = new_db_target
    code = cli.main(["--db", str(db_path), *args])
    out, err = capsys.readouterr()
    assert code == 2, (code, err)
    assert _refused(code, err) is None, err
    assert names in err
    assert HUGE not in err, "the whole 5000-digit value was echoed back"
    assert not _created(db_path), "a refused command line must not even create the database"
    count("bad inputs: command-line arguments (refused)")


def test_sandbox_port_out_of_range_is_a_usage_error(capsys):
    assert cli.main(["sandbox", "--port", "99999"]) == 2
    assert "--port" in capsys.readouterr().err


def test_settings_show_into_a_closed_pipe_is_quiet(db_target):
    """``settings show | head -1`` prints its line and no BrokenPipeError."""
    db_path = db_target  # an SQLite file, or a PostgreSQL URL
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    assert subprocess.run([sys.executable, "-m", "n11_desktop", "--db", str(db_path), "settings", "show"],
                          capture_output=True, env=env, timeout=120).returncode == 0
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader (`head`) has gone before we write a byte
    try:
        proc = subprocess.run([sys.executable, "-m", "n11_desktop", "--db", str(db_path), "settings", "show"],
                              stdout=write_end, stderr=subprocess.PIPE, env=env, timeout=120)
    finally:
        os.close(write_end)
    err = proc.stderr.decode()
    assert "BrokenPipe" not in err and "Traceback" not in err and "unexpected" not in err, err
    assert proc.returncode == 141, proc.returncode
    count("bad inputs: command-line arguments (refused)")


# ----------------------------------------------------------------------------- --db
def _other_app_db(path: Path, app_id: int = 0, wal: bool = False) -> bytes:
    con = sqlite3.connect(path)
    if wal:
        con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    con.execute("INSERT INTO notes (body) VALUES ('do not touch')")
    if app_id:
        con.execute(f"PRAGMA application_id = {app_id}")
    con.commit()
    con.close()
    return path.read_bytes()


@pytest.mark.sqlite_only(reason="an SQLite file of another application passed as --db")
@pytest.mark.parametrize("app_id,wal", [(0, False), (0x4D504246, False), (0, True)],
                         ids=["no application id", "another application id", "WAL mode"])
def test_db_of_another_application_is_refused_untouched(tmp_path, capsys, app_id, wal):
    other = tmp_path / "photos.sqlite"
    data = _other_app_db(other, app_id, wal)
    mode = other.stat().st_mode
    code = cli.main(["--db", str(other), "settings", "show"])
    err = capsys.readouterr().err
    assert code == 2
    assert _refused(code, err) is None, err
    assert "another application" in err and "photos.sqlite" in err
    assert other.read_bytes() == data, "the other application's file was written to"
    assert other.stat().st_mode == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["photos.sqlite"], "side files were created"
    count("bad inputs: --db files (refused untouched)")


@pytest.mark.sqlite_only(reason="SQLite's application_id pragma and empty or table-less SQLite files")
def test_new_empty_and_older_databases_open_and_get_our_application_id(tmp_path, capsys):
    new = tmp_path / "new.db"
    assert cli.main(["--db", str(new), "settings", "show"]) == 0
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert cli.main(["--db", str(empty), "settings", "show"]) == 0
    blank = tmp_path / "blank.db"
    sqlite3.connect(blank).execute("VACUUM")  # an SQLite file without tables
    assert cli.main(["--db", str(blank), "settings", "show"]) == 0
    # a file written before the id was stamped (our tables, application id 0) still opens
    older = tmp_path / "older.db"
    assert cli.main(["--db", str(older), "settings", "show"]) == 0
    con = sqlite3.connect(older)
    con.execute("PRAGMA application_id = 0")
    con.commit()
    con.close()
    assert cli.main(["--db", str(older), "settings", "show"]) == 0
    capsys.readouterr()
    for f in (new, empty, blank, older):
        con = sqlite3.connect(f)
        try:
            assert con.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID, f.name
        finally:
            con.close()


# ----------------------------------------------------------------------------- catalog files
CAT_HEADER = "sku,title,category,price,stock\n"


def _row(sku: str, title: str = "Güzel ürün başlığı burada", price: str = "10", stock: str = "5") -> str:
    return f"{sku},{title},A > B,{price},{stock}\n"


def xlsx_bytes(rows: list[list], *, dimension: str | None = None, extra_xml: str = "",
               patch=None) -> bytes:
    """A real .xlsx (openpyxl) whose first sheet's XML can be altered: another declared
    dimension, extra rows appended to sheetData, or any text patch."""
    import io
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = data.decode()
                if dimension:
                    import re

                    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{dimension}"/>', xml)
                xml = xml.replace("</sheetData>", extra_xml + "</sheetData>")
                if patch:
                    xml = patch(xml)
                data = xml.encode()
            dst.writestr(info, data)
    return out.getvalue()


def _query(db, sql: str) -> list[tuple]:
    """Rows of ``sql`` from the open Database, an SQLite file or a PostgreSQL URL, read-only."""
    from sqlalchemy import text

    with reading(db) as engine, engine.connect() as con:
        return [tuple(r) for r in con.execute(text(sql))]


def _products(db) -> dict[str, tuple]:
    return {r[0]: r[1:] for r in _query(db, "SELECT sku, title FROM product")}


GOOD_ROWS = [["sku", "title", "category", "price", "stock"],
             ["X-1", "Güzel ürün başlığı burada", "A > B", 10, 5],
             ["X-2", "Başka güzel ürün başlığı", "A > B", 12, 7]]

# (name, suffix, bytes, expected: "refused" | set of SKUs imported with exit 0)
CATALOG_CASES = [
    ("CSV with an unterminated quote", "csv",
     (CAT_HEADER + _row("Q-1") + 'Q-2,"Başlık ama tırnak kapanmıyor,A > B,10,5\n' + _row("Q-3") + _row("Q-4")).encode(),
     "refused"),
    ("CSV with a stray quote inside a cell", "csv",
     (CAT_HEADER + 'Q-5,"Başlık" ve devamı,A > B,10,5\n').encode(), "refused"),
    ("a NUL byte after the first 4 KB", "csv",
     (CAT_HEADER + "".join(_row(f"N-{i}") for i in range(120)) + _row("N-NUL", title="Başlık\x00gizli")).encode(),
     "refused"),
    ("a cell over the csv field limit", "csv",
     (CAT_HEADER + _row("F-1", title="x" * 200_000)).encode(), "refused"),
    ("a row of 600 columns", "csv", (CAT_HEADER + _row("C-1").rstrip("\n") + ",x" * 600 + "\n").encode(), "refused"),
    ("XLSX declaring A1:XFD1048576 with a stray empty cell far away", "xlsx",
     xlsx_bytes(GOOD_ROWS, dimension="A1:XFD1048576",
                extra_xml='<row r="1048576"><c r="XFD1048576" s="0"/></row>'), {"X-1", "X-2"}),
    ("XLSX with 20000 empty rows each styled in column XFD", "xlsx",
     xlsx_bytes(GOOD_ROWS, dimension="A1:XFD1048576",
                extra_xml="".join(f'<row r="{r}"><c r="XFD{r}" s="0"/></row>' for r in range(4, 20004))),
     {"X-1", "X-2"}),
    ("XLSX cut in half", "xlsx", None, "refused"),  # built in the test from a good workbook
    ("XLSX with a NaN number cell", "xlsx",
     xlsx_bytes(GOOD_ROWS, extra_xml='<row r="4"><c r="A4" t="inlineStr"><is><t>X-4</t></is></c>'
                                     '<c r="D4"><v>NaN</v></c></row>'), "refused"),
    ("XLSX whose sheet XML is cut short", "xlsx",
     xlsx_bytes(GOOD_ROWS, patch=lambda x: x[: x.index("</sheetData>") - 40]), "refused"),
]


@pytest.mark.parametrize("name,suffix,data,expected", CATALOG_CASES, ids=[c[0] for c in CATALOG_CASES])
def test_hostile_catalog_files(db_target, tmp_path, capsys, name, suffix, data, expected):
    db_path = db_target  # an SQLite file, or a PostgreSQL URL
    assert cli.main(["--db", str(db_path), "settings", "show"]) == 0
    capsys.readouterr()
    if data is None:
        whole = xlsx_bytes(GOOD_ROWS + [[f"T-{i}", "Uzun bir ürün başlığı " * 3, "A > B", 10, 1] for i in range(300)])
        data = whole[: len(whole) // 2]
    f = tmp_path / f"catalog.{suffix}"
    f.write_bytes(data)
    before = fingerprint(db_path)
    code = cli.main(["--db", str(db_path), "catalog", "import", str(f)])
    out, err = capsys.readouterr()
    if expected == "refused":
        assert _refused(code, err) is None, (code, err)
        assert "catalog." in err, err
        assert not _changed(before, fingerprint(db_path)), "a refused file changed the database"
    else:
        assert code == 0, err
        assert set(_products(db_path)) == expected
    count("bad inputs: catalog files (issue 20 cases)")


def test_a_bad_quote_names_its_row_and_never_merges_rows(db_target, tmp_path, capsys):
    db_path = db_target
    f = tmp_path / "catalog.csv"
    f.write_text(CAT_HEADER + _row("Q-1") + 'Q-2,"Başlık ama tırnak kapanmıyor,A > B,10,5\n' + _row("Q-3"),
                 encoding="utf-8")
    assert cli.main(["--db", str(db_path), "catalog", "import", str(f)]) == 1
    err = capsys.readouterr().err
    assert "row 3" in err and "never closed" in err, err
    assert _products(db_path) == {}


@pytest.mark.parametrize("column,value", [("price", HUGE), ("price", "9" * 30), ("stock", "9" * 4000),
                                          ("preparing_day", "9" * 4000), ("price", "1e999999")])
def test_numbers_with_thousands_of_digits_are_row_errors(db_target, tmp_path, capsys, column, value):
    db_path = db_target
    f = tmp_path / "catalog.csv"
    f.write_text(f"sku,title,{column}\nG-1,Güzel ürün başlığı burada,{'10' if column != 'preparing_day' else '1'}\n"
                 f"B-1,Güzel ürün başlığı burada,{value}\n", encoding="utf-8")
    code = cli.main(["--db", str(db_path), "catalog", "import", str(f)])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"row 3, column {column}:"), err
    assert len(lines[0]) < 300
    assert set(_products(db_path)) == {"G-1"}, "the good row must still be imported"


# ----------------------------------------------------------------------------- mapping files
def _mapping_rows(db) -> dict[str, list]:
    return {"category": sorted(r[0] for r in _query(db, "SELECT local_category FROM category_mapping")),
            "attribute": sorted(r[0] for r in _query(db, "SELECT local_attribute FROM attribute_rule"))}


def test_bad_mapping_rows_never_drop_the_good_rows(db, tmp_path, capsys):
    from ..flows.helpers import LEAF, seed_catalog

    seed_catalog(db, 1)
    db_path = db.target()  # the SQLite file, or the PostgreSQL URL
    f = tmp_path / "mapping.csv"
    f.write_text("kind,local,n11_id,category_id\n"
                 f"category,Ev > Mutfak,{LEAF},\n"
                 f'category,"=HYPERLINK(""http://evil.example/x"",""tıkla"")",{LEAF},\n'
                 f"attribute,Malzeme,{HUGE},\n"
                 f"attribute,Desen,429,{'9' * 4000}\n"
                 f"attribute,@SUM(A1),429,\n"
                 "attribute,Kumaş,429,\n", encoding="utf-8")
    code = cli.main(["--db", str(db_path), "mapping", "import", str(f)])
    out, err = capsys.readouterr()
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 4, err
    assert lines[0].startswith("row 3, local: starts with '='"), lines[0]
    assert lines[1].startswith("row 4, n11_id:") and "digits" in lines[1]
    assert lines[2].startswith("row 5, category_id:") and "digits" in lines[2]
    assert lines[3].startswith("row 6, local: starts with '@'")
    assert all(len(ln) < 300 for ln in lines)
    got = _mapping_rows(db)
    assert "Ev > Mutfak" in got["category"] and "Kumaş" in got["attribute"]
    assert not any(n.startswith(("=", "@")) for n in got["category"] + got["attribute"])
    count("bad inputs: mapping rows (refused, good rows kept)", 4)


def test_mapping_export_neutralises_formulas_and_round_trips(db, tmp_path, capsys):
    import csv

    from n11_desktop.core.mapping.store import set_attribute_rule, set_category_mapping

    from ..flows.helpers import LEAF, seed_catalog

    seed_catalog(db, 1)
    with db.session_factory.begin() as s:  # names that came in through the GUI or the catalog
        from n11_desktop.core.storage.models import AttributeRule

        s.query(AttributeRule).delete()
        set_category_mapping(s, "-İndirim > Outlet", LEAF)
        set_attribute_rule(s, "=HYPERLINK(\"http://evil.example\")", 429)
        set_attribute_rule(s, "+Ekstra", 429)
    db_path = db.target()
    out_file = tmp_path / "out.csv"
    assert cli.main(["--db", str(db_path), "mapping", "export", str(out_file)]) == 0
    with out_file.open(newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert not [c for c in cells if is_formula(c)], cells
    assert "'-İndirim > Outlet" in cells and "'=HYPERLINK(\"http://evil.example\")" in cells
    before = _mapping_rows(db)
    capsys.readouterr()
    assert cli.main(["--db", str(db_path), "mapping", "import", str(out_file)]) == 0, capsys.readouterr().err
    assert "0 added, 0 updated" in capsys.readouterr().out
    assert _mapping_rows(db) == before


# ----------------------------------------------------------------------------- settings files
SETTINGS_CASES = [
    ("Base Url http://[::1", {"base_url": "http://[::1"}, "Base Url"),
    ("Base Url with port 8O", {"base_url": "http://api.n11.com:8O/ws/"}, "Base Url"),
    ("Base Url with port 99999", {"base_url": "http://api.n11.com:99999/ws/"}, "Base Url"),
    ("Base Url with CR/LF inside", {"base_url": "https://api.n11.com/\r\nws/"}, "Base Url"),
    ("Base Url with a bare LF", {"base_url": "https://api.n11.com/ws/\nX-Evil: 1"}, "Base Url"),
    ("Sales Url with a password", {"sales_url": "https://u:p@www.n11.com/"}, "Sales Url"),
    ("order number format with a line break", {"order_number_format": "N11-{orderNumber}\r\n"
                                                                      "{orderNumber}"}, "Order Number Format"),
    ("buffer stock with 5000 digits", None, "digits"),
    ("buffer stock with 4000 digits", None, "digits"),
    ("buffer stock 1e400", None, "number"),
    ("buffer stock NaN", None, "NaN"),
    ("category id with 30 digits", {"category_ids": [int("9" * 30)]}, "digits"),
    ("retry interval with 30 digits", {"failed_integration": {"product": {"RETRY_INTERVAL": int("9" * 30)}}},
     "digits"),
    ("app key with a NUL", {"app_key": "key\x00evil"}, "App Key"),
]
_RAW = {"buffer stock with 5000 digits": '{"conf": {"buffer_stock": ' + "9" * 5000 + "}}",
        "buffer stock with 4000 digits": '{"conf": {"buffer_stock": ' + "9" * 4000 + "}}",
        "buffer stock 1e400": '{"conf": {"buffer_stock": 1e400}}',
        "buffer stock NaN": '{"conf": {"buffer_stock": NaN}}'}


@pytest.mark.parametrize("name,conf,names", SETTINGS_CASES, ids=[c[0] for c in SETTINGS_CASES])
def test_hostile_settings_are_one_line_and_change_nothing(db_target, tmp_path, capsys, name, conf, names):
    import json

    db_path = db_target  # an SQLite file, or a PostgreSQL URL
    assert cli.main(["--db", str(db_path), "settings", "show"]) == 0
    capsys.readouterr()
    f = tmp_path / "settings.json"
    f.write_text(_RAW[name] if conf is None else json.dumps({"conf": conf}), encoding="utf-8")
    before = fingerprint(db_path)
    code = cli.main(["--db", str(db_path), "settings", "import", str(f)])
    err = capsys.readouterr().err
    assert _refused(code, err) is None, (code, err)
    assert names in err, err
    assert not _changed(before, fingerprint(db_path))
    assert cli.main(["--db", str(db_path), "settings", "show"]) == 0
    out = capsys.readouterr().out
    assert "\r" not in out and "X-Evil" not in out
    count("bad inputs: settings values (issue 20 cases)")


# ----------------------------------------------------------------------------- web hook
WEBHOOK_TOKEN = "oms-webhook-token-123"


def _split_body(**data) -> dict:
    return {"event": "order.split_package_3",
            "data": {"order_number": "2026000000001",
                     "packages": [{"order_line_ids": [5120000001]}, {"order_line_ids": [5120000002]}], **data}}


WEBHOOK_CASES = [
    ("a line id of 5000 digits", ('{"event": "order.split_package_3", "data": {"order_number": "1", '
                                  '"packages": [{"order_line_ids": [' + HUGE + ']}]}}').encode()),
    ("a line id of 4000 digits", ('{"event": "order.split_package_3", "data": {"order_number": "1", '
                                  '"packages": [{"order_line_ids": [' + "9" * 4000 + ']}]}}').encode()),
    ("a line id text of 5000 digits", ('{"event": "order.split_package_3", "data": {"order_number": "1", '
                                       '"packages": [{"order_line_ids": ["' + HUGE + '"]}]}}').encode()),
    ("an order number of 5000 digits", ('{"event": "order.split_package_3", "data": {"order_number": ' + HUGE
                                        + ', "packages": [{"order_line_ids": [1]}]}}').encode()),
    ("a channel id of 5000 digits", ('{"event": "order.split_package_' + HUGE + '", "data": {"order_number": "1",'
                                     ' "packages": [{"order_line_ids": [1]}]}}').encode()),
    ("a superscript digit as a line id", '{"event": "order.split_package_3", "data": {"order_number": "1", '
                                         '"packages": [{"order_line_ids": ["²"]}]}}'.encode()),
    ("NaN as a line id", b'{"event": "order.split_package_3", "data": {"order_number": "1", '
                         b'"packages": [{"order_line_ids": [NaN]}]}}'),
    ("1e400 as a line id", b'{"event": "order.split_package_3", "data": {"order_number": "1", '
                           b'"packages": [{"order_line_ids": [1e400]}]}}'),
    ("an order number with a line break", b'{"event": "order.split_package_3", "data": {"order_number": "1\\r\\n2", '
                                          b'"packages": [{"order_line_ids": [1]}]}}'),
]


@pytest.fixture
def webhook():
    from n11_desktop.core.orders.webhook import WebhookServer

    calls = []
    server = WebhookServer(token=WEBHOOK_TOKEN, on_split=lambda req: calls.append(req) or True,
                           oms_channel_id=3).start()
    server.calls = calls
    yield server
    server.stop()


@pytest.mark.parametrize("name,body", WEBHOOK_CASES, ids=[c[0] for c in WEBHOOK_CASES])
def test_hostile_webhook_bodies_get_a_4xx_answer(webhook, name, body):
    import requests

    r = requests.post(webhook.url + "/flow-trigger/split_packages/split_packages", data=body, timeout=10,
                      headers={"Authorization": f"Token {WEBHOOK_TOKEN}", "Content-Type": "application/json"})
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:200])
    err = r.json()["error"]
    assert err and "\n" not in err and len(err) < 300, err
    assert not webhook.calls
    ok = requests.post(webhook.url + "/flow-trigger/split_packages/split_packages", json=_split_body(), timeout=10,
                       headers={"Authorization": f"Token {WEBHOOK_TOKEN}"})
    assert ok.status_code == 200 and len(webhook.calls) == 1
    count("bad inputs: web hook bodies (issue 20 cases)")


# ----------------------------------------------------------------------------- penalty CSV
PENALTY_CASES = [
    ("an unterminated quote", 'sku,action\nSKU-0001,lift\n"SKU-0002,lift\nSKU-0003,delete\n', "row 3"),
    ("a cell over the csv field limit", "sku,action\n" + "S" * 200_000 + ",lift\n", "row 2"),
    ("a NUL byte", "sku,action\nSKU-0001,lift\nSKU\x00-0002,lift\n", "row 3"),
    ("binary garbage", bytes(range(1, 256)).decode("latin-1") * 30, ""),
]


@pytest.mark.parametrize("name,text,where", PENALTY_CASES, ids=[c[0] for c in PENALTY_CASES])
def test_hostile_penalty_csv_changes_nothing(db, tmp_path, capsys, name, text, where):
    from ..flows.helpers import seed_catalog

    seed_catalog(db, 3)
    db_path = db.target()
    f = tmp_path / "lift.csv"
    f.write_text(text, encoding="utf-8")
    before = fingerprint(db)
    code = cli.main(["--db", str(db_path), "penalty", "lift", str(f)])
    out, err = capsys.readouterr()
    assert _refused(code, err) is None, (code, err)
    assert where in err, err
    assert not _changed(before, fingerprint(db))
    count("bad inputs: penalty CSV files (refused, nothing changed)")


# ----------------------------------------------------------------------------- files that never end
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
@pytest.mark.parametrize("args", [("catalog", "import"), ("mapping", "import"), ("settings", "import"),
                                  ("penalty", "lift"), ("orders", "cargo-map", "import")],
                         ids=lambda a: " ".join(a))
@pytest.mark.parametrize("kind", ["fifo", "/dev/zero"])
def test_a_pipe_or_device_is_refused_not_read_forever(db_target, tmp_path, capsys, args, kind):
    db_path = db_target
    suffix = ".xlsx" if kind == "/dev/zero" and args[0] == "catalog" else ".csv"
    f = tmp_path / f"input{suffix}"
    if kind == "fifo":
        os.mkfifo(f)
    else:
        f.symlink_to("/dev/zero")
    code = cli.main(["--db", str(db_path), *args, str(f)])
    err = capsys.readouterr().err
    assert _refused(code, err) is None, (code, err)
    assert "not a regular file" in err, err


# ----------------------------------------------------------------------------- the real process
CORPUS = Path(__file__).with_name("corpus")
PROCESS_CASES = [
    ("catalog", "import", "catalog/nan-cell-refused.xlsx"),
    ("catalog", "import", "catalog/unterminated-quote-refused.csv"),
    ("settings", "import", "settings/buffer-stock-5000-digits-refused.json"),
    ("mapping", "import", "mapping/id-5000-digits.csv"),
    ("products", "list", "--limit=" + HUGE),
]


@pytest.mark.parametrize("args", PROCESS_CASES, ids=lambda a: a[-1][:40])
def test_the_real_process_exits_1_or_2_with_one_clear_line(db_target, args):
    """Through ``python -m n11_desktop`` (what a user runs): exit code and stderr as promised."""
    args = [str(CORPUS / a) if "/" in a and not a.startswith("-") else a for a in args]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("N11_DESKTOP_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "n11_desktop", "--db", str(db_target), *args],
                          capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode in (1, 2), (proc.returncode, proc.stderr[-500:])
    assert "Traceback" not in proc.stderr and "unexpected error" not in proc.stderr, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert lines and all(len(ln) <= 1000 for ln in lines), proc.stderr[-500:]
    if args[0] != "mapping":  # a mapping file lists one line per bad row
        assert len(lines) == 1, proc.stderr
    count("bad inputs: through the real process")
