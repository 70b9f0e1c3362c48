"""Property-based tests (Hypothesis) for every door (issue 20).

Each test generates hostile inputs for one door and checks the invariants a user relies on:

* the command ends with exit 0, 1 or 2 — never a traceback or an "unexpected error" line;
* a refusal says what is wrong on stderr, in bounded lines without raw control characters;
* the database is unchanged, or changed only by the good rows;
* no input hangs: every example has a deadline far above its normal time (a hang detector,
  not a speed test) and each test a pytest timeout.

Doors go through the real CLI in process (``cli.main``), the web hook and N11's answers over
loopback HTTP. ``N11_FUZZ_EXAMPLES`` scales the number of examples (default keeps the whole
module near a minute on two cores). Shrunk failures are kept as ``@example`` cases here and as
files under ``corpus/`` (replayed by ``test_corpus_replays_cleanly``).
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from n11_desktop import cli
from n11_desktop.core.inputs import check_url, is_formula

from .conftest import count
from .test_bad_inputs import _changed, fingerprint, reading

pytestmark = [pytest.mark.resilience, pytest.mark.timeout(300)]

CORPUS = Path(__file__).with_name("corpus")
SCALE = float(os.environ.get("N11_FUZZ_EXAMPLES", "1"))


def fuzz(n: int):
    """Hypothesis settings for one door: ``n`` examples (scaled), a hang detector as deadline."""
    return settings(max_examples=max(1, int(n * SCALE)), deadline=timedelta(seconds=20), database=None,
                    derandomize=os.environ.get("N11_FUZZ_RANDOM") != "1",
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                           HealthCheck.data_too_large, HealthCheck.filter_too_much])


_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(argv))
    return code, out.getvalue(), err.getvalue()


def assert_clear(code: int, err: str, *, codes=(0, 1, 2)) -> None:
    """The invariants every door shares: a known exit code, no traceback, clear bounded lines."""
    assert code in codes, (code, err[-500:])
    assert "Traceback" not in err, err[-2000:]
    assert "unexpected error" not in err, err[-500:]
    if code != 0:
        assert err.strip(), "refused without saying why"
    for line in err.splitlines():
        assert len(line) <= 1000, f"a line of {len(line)} characters"
        assert not _RAW_CONTROL.search(line), f"raw control characters in {line[:200]!r}"


# ----------------------------------------------------------------------------- strategies
HOSTILE_TEXT = [
    "9" * 5000, "9" * 4000, "9" * 30, "-" + "9" * 25, "1e999999", "1E400", "NaN", "nan", "inf", "-0", "0x10",
    "=HYPERLINK(\"http://evil.example\",\"x\")", "+cmd|' /C calc'!A0", "@SUM(A1)", "-2+3", "\tx", "\rx",
    '"', '""', '"unterminated', 'a"b', "a\r\nb", "\n", "\x00", "x\x00y", "\x1b[31m", "\u2028", "\ufeff",
    "İıŞşĞğ", "ğüşiöç > ÇĞİÖŞÜ", "a\x85b", "\u2029", ",", ";", "\t", "A > B", " ", "", "1.234,50", "١٢٣", "²",
    "x" * 600, "http://[::1", "https://a.example:8O/", "https://a.example:99999/",
]
hostile_text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=20),
                         st.text(alphabet=st.characters(min_codepoint=0, max_codepoint=0x7f), max_size=12))
good_sku = st.from_regex(r"[A-Z]{1,3}-[0-9]{1,4}", fullmatch=True)
good_title = st.sampled_from(["Güzel ürün başlığı burada", "Pamuklu tişört erkek beyaz", "Çelik termos 500 ml"])
good_price = st.sampled_from(["10", "1.234,50", "99,90", "5"])
good_stock = st.sampled_from(["0", "3", "12"])


def cell(good):
    return st.one_of(good, good, hostile_text)


catalog_row = st.tuples(cell(good_sku), cell(good_title), cell(good_price), cell(good_stock))


# ----------------------------------------------------------------------------- both engines
#: the doors below write to the database: each runs on SQLite with all its examples and on PostgreSQL
#: with under a third as many (their own derandomized sequence): generating and parsing the hostile
#: inputs is the engine-free part, and each example costs a whole command line on the server
ON_SQLITE = pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
ON_POSTGRESQL = pytest.mark.parametrize("db_engine", [pytest.param("postgresql", marks=pytest.mark.postgresql)],
                                        indirect=True)
PG_SHARE = 0.3
#: the doors on a ``cli_db`` (catalog, settings, command-line values) only read or write through the
#: CLI, whose parsing is engine-free: their PostgreSQL twins keep the kept cases and a few more
PG_CLI_SHARE = 0.15


def examples(*cases: dict):
    """The same ``@example`` cases on a door's SQLite test and its PostgreSQL twin."""
    def apply(test):
        for case in reversed(cases):
            test = example(**case)(test)
        return test
    return apply


@pytest.fixture
def cli_db(db_target):
    """A fresh database the CLI has created, as ``--db`` takes it: an SQLite file, or a PostgreSQL URL."""
    assert run("--db", str(db_target), "settings", "show")[0] == 0
    return db_target


# ----------------------------------------------------------------------------- catalog files
def _skus(db) -> set[str]:
    with reading(db) as engine, engine.connect() as con:
        return {r[0] for r in con.execute(text("SELECT sku FROM product"))}


CSV_VALUES = dict(rows=st.lists(catalog_row, max_size=8), delimiter=st.sampled_from([",", ";", "\t"]))
CSV_VALUES_EXAMPLES = examples(
    dict(rows=[("Q-1", '"Başlık ama tırnak kapanmıyor', "10", "5"), ("Q-2", "Güzel ürün başlığı burada", "10", "5")],
         delimiter=","))


@ON_SQLITE
@fuzz(60)
@given(**CSV_VALUES)
@CSV_VALUES_EXAMPLES
def test_catalog_csv_values_only_good_rows_land(cli_db, tmp_path, rows, delimiter):
    """Well-formed CSV with hostile values: each bad row is one line naming it; exactly the good rows land."""
    _catalog_csv_values_case(cli_db, tmp_path, rows, delimiter)


@ON_POSTGRESQL
@fuzz(60 * PG_CLI_SHARE)
@given(**CSV_VALUES)
@CSV_VALUES_EXAMPLES
def test_catalog_csv_values_only_good_rows_land_on_postgresql(cli_db, tmp_path, rows, delimiter):
    _catalog_csv_values_case(cli_db, tmp_path, rows, delimiter)


def _catalog_csv_values_case(cli_db, tmp_path, rows, delimiter):
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")  # quotes a lone CR as a spreadsheet does
    w.writerow(["sku", "title", "price", "stock"])
    w.writerows(rows)
    f = tmp_path / "catalog.csv"
    f.write_text(buf.getvalue(), encoding="utf-8")
    before_db, before = fingerprint(cli_db), _skus(cli_db)
    code, out, err = run("--db", str(cli_db), "catalog", "import", str(f))
    assert_clear(code, err, codes=(0, 1))
    after = _skus(cli_db)
    if code == 1 and not re.search(r"^row \d+, column ", err, re.M):  # refused as a whole
        assert not _changed(before_db, fingerprint(cli_db)), err
        count("bad inputs: fuzzed catalog CSV (refused whole, unchanged)")
        return
    bad = {int(m) for m in re.findall(r"^row (\d+), column ", err, re.M)}
    assert (code == 0) == (not bad), err
    good = {r[0].strip() for n, r in enumerate(rows, start=2) if n not in bad and not all(
        not c or c.isspace() for c in r)}
    assert good <= after, (good - after, err)
    assert after - before <= good, (after - before - good, err)
    count("bad inputs: fuzzed catalog CSV (only good rows landed)")


CSV_BYTES = dict(data=st.one_of(st.binary(max_size=300),
                      st.lists(st.one_of(hostile_text, good_sku), max_size=30).map(
                          lambda parts: ("sku,title,price\n" + "".join(
                              p + ("," if i % 3 != 2 else "\n") for i, p in enumerate(parts))).encode("utf-8",
                                                                                               "surrogatepass")),
                      st.binary(max_size=40).map(lambda b: b"sku,title\nA-1," + b"x" * 4100 + b + b"\n")))
CSV_BYTES_EXAMPLES = examples(dict(data=b"sku,title\n" + b"A-1,ok\n" * 300 + b"A-2,bad\x00title\n"))


@ON_SQLITE
@fuzz(40)
@given(**CSV_BYTES)
@CSV_BYTES_EXAMPLES
def test_catalog_csv_structure_never_crashes(cli_db, tmp_path, data):
    """Hostile bytes and broken CSV structure: a clean refusal or an import, never a crash or a hang."""
    _catalog_csv_structure_case(cli_db, tmp_path, data)


@ON_POSTGRESQL
@fuzz(40 * PG_CLI_SHARE)
@given(**CSV_BYTES)
@CSV_BYTES_EXAMPLES
def test_catalog_csv_structure_never_crashes_on_postgresql(cli_db, tmp_path, data):
    _catalog_csv_structure_case(cli_db, tmp_path, data)


def _catalog_csv_structure_case(cli_db, tmp_path, data):
    f = tmp_path / "catalog.csv"
    f.write_bytes(data)
    before = fingerprint(cli_db)
    code, out, err = run("--db", str(cli_db), "catalog", "import", str(f))
    assert_clear(code, err, codes=(0, 1))
    if "catalog file" in err:
        assert not _changed(before, fingerprint(cli_db))
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        assert code == 1, "a NUL byte must never land in the catalog"
    count("bad inputs: fuzzed catalog bytes")


_SHEET_CELL = st.one_of(
    st.sampled_from(['<c r="{c}"><v>NaN</v></c>', '<c r="{c}"><v>1e999</v></c>', '<c r="{c}"><v>' + "9" * 5000
                     + "</v></c>", '<c r="{c}" t="s"><v>99</v></c>', '<c r="{c}" t="b"><v>x</v></c>',
                     '<c r="{c}" t="inlineStr"><is><t>=HYPERLINK("x")</t></is></c>', '<c r="{c}" s="0"/>',
                     '<c r="{c}" t="d"><v>not a date</v></c>', '<c r="{c}"><v>12</v></c>']),
    st.text(alphabet="0123456789.-eE", max_size=12).map(lambda t: '<c r="{c}"><v>' + t + "</v></c>"),
)


XLSX = dict(dimension=st.sampled_from(["A1:XFD1048576", "A1:C3", "A1", "ZZZ1:A0", "A1:XFD1", ""]),
            cells=st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D", "XFD"]),
                                     st.sampled_from([2, 3, 4, 50, 100000, 1048576]), _SHEET_CELL), max_size=4),
            cut=st.one_of(st.none(), st.floats(min_value=0.05, max_value=0.95)))
XLSX_EXAMPLES = examples(dict(dimension="A1:XFD1048576", cells=[("XFD", 1048576, '<c r="{c}" s="0"/>')], cut=None),
                         dict(dimension="A1:C3", cells=[("D", 4, '<c r="{c}"><v>NaN</v></c>')], cut=None))


@ON_SQLITE
@fuzz(40)
@given(**XLSX)
@XLSX_EXAMPLES
def test_catalog_xlsx_never_crashes_or_hangs(cli_db, tmp_path, dimension, cells, cut):
    _catalog_xlsx_case(cli_db, tmp_path, dimension, cells, cut)


@ON_POSTGRESQL
@fuzz(40 * PG_CLI_SHARE)
@given(**XLSX)
@XLSX_EXAMPLES
def test_catalog_xlsx_never_crashes_or_hangs_on_postgresql(cli_db, tmp_path, dimension, cells, cut):
    _catalog_xlsx_case(cli_db, tmp_path, dimension, cells, cut)


def _catalog_xlsx_case(cli_db, tmp_path, dimension, cells, cut):
    from .test_doors import GOOD_ROWS, xlsx_bytes

    by_row: dict[int, list[str]] = {}
    for col, row, tmpl in cells:
        by_row.setdefault(row, []).append(tmpl.format(c=f"{col}{row}"))
    extra = "".join(f'<row r="{r}">{"".join(cs)}</row>' for r, cs in sorted(by_row.items()))
    data = xlsx_bytes(GOOD_ROWS, dimension=dimension or None, extra_xml=extra)
    if cut is not None:
        data = data[: int(len(data) * cut)]
    f = tmp_path / "catalog.xlsx"
    f.write_bytes(data)
    before = fingerprint(cli_db)
    code, out, err = run("--db", str(cli_db), "catalog", "import", str(f))
    assert_clear(code, err, codes=(0, 1))
    if "catalog file" in err:
        assert not _changed(before, fingerprint(cli_db))
    count("bad inputs: fuzzed XLSX workbooks")


# ----------------------------------------------------------------------------- mapping files
MAPPING_ROWS = st.lists(st.tuples(st.sampled_from(["category", "attribute", "value", "planet", ""]),
                                  st.one_of(st.sampled_from(["Ev > Mutfak", "Malzeme", "Renk=Kırmızı"]), hostile_text),
                                  st.one_of(st.sampled_from(["1000002", "429", ""]), hostile_text,
                                            st.integers(min_value=-10**40, max_value=10**40).map(str)),
                                  st.one_of(st.just(""), hostile_text)), max_size=6)


@ON_SQLITE
@fuzz(40)
@given(rows=MAPPING_ROWS)
def test_mapping_rows_never_crash_and_keep_good_rows(db, tmp_path, rows):
    _mapping_rows_case(db, tmp_path, rows)


@ON_POSTGRESQL
@fuzz(40 * PG_SHARE)
@given(rows=MAPPING_ROWS)
def test_mapping_rows_never_crash_and_keep_good_rows_on_postgresql(db, tmp_path, rows):
    _mapping_rows_case(db, tmp_path, rows)


def _mapping_rows_case(db, tmp_path, rows):
    from ..flows.helpers import seed_catalog

    if not _mapping_seeded(db):
        seed_catalog(db, 1)
    db_path = db.target()  # the SQLite file, or the PostgreSQL URL
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["kind", "local", "n11_id", "category_id"])
    w.writerows(rows)
    f = tmp_path / "mapping.csv"
    f.write_text(buf.getvalue(), encoding="utf-8")
    before = fingerprint(db)
    code, out, err = run("--db", str(db_path), "mapping", "import", str(f))
    assert_clear(code, err, codes=(0, 1))
    with db.engine.connect() as con:
        names = [r[0] for r in con.execute(text("SELECT local_category FROM category_mapping UNION ALL "
                                                "SELECT local_attribute FROM attribute_rule UNION ALL "
                                                "SELECT local_attribute || '=' || local_value FROM value_mapping"))]
    assert not [n for n in names if is_formula(n)], names
    assert not [n for n in names if "\x00" in n or "\n" in n], names
    if code == 1 and not re.search(r"^row \d+, ", err, re.M):
        assert not _changed(before, fingerprint(db))
    count("bad inputs: fuzzed mapping files")


def _mapping_seeded(db) -> bool:
    from n11_desktop.core.storage.models import CategoryNode

    with db.session_factory() as s:
        return s.query(CategoryNode).count() > 0


# ----------------------------------------------------------------------------- penalty CSV, cargo map
PENALTY_ROWS = st.lists(st.tuples(cell(st.sampled_from(["SKU-0001", "SKU-0002"])),
                                  cell(st.sampled_from(["product", "productstock", ""])),
                                  cell(st.sampled_from(["lift", "delete", "bump", ""]))), max_size=5)
DOORS = st.sampled_from(["penalty", "cargo-map"])


@ON_SQLITE
@fuzz(30)
@given(rows=PENALTY_ROWS, door=DOORS)
def test_penalty_and_cargo_files_are_all_or_nothing(db, tmp_path, rows, door):
    _penalty_case(db, tmp_path, rows, door)


@ON_POSTGRESQL
@fuzz(30 * PG_SHARE)
@given(rows=PENALTY_ROWS, door=DOORS)
def test_penalty_and_cargo_files_are_all_or_nothing_on_postgresql(db, tmp_path, rows, door):
    _penalty_case(db, tmp_path, rows, door)


def _penalty_case(db, tmp_path, rows, door):
    from ..flows.helpers import seed_catalog

    if not _mapping_seeded(db):
        seed_catalog(db, 2)
    db_path = db.target()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if door == "penalty":
        w.writerow(["sku", "content_type", "action"])
        args = ("penalty", "lift")
    else:
        w.writerow(["id", "name", "code", "n11_shipment_company_id", "is_active"])
        rows = [(r[0][-2:] if r[0].startswith("SKU") else r[0], r[1], r[2], r[0], "1") for r in rows]
        args = ("orders", "cargo-map", "import")
    w.writerows(rows)
    f = tmp_path / "file.csv"
    f.write_text(buf.getvalue(), encoding="utf-8")
    before = fingerprint(db)
    code, out, err = run("--db", str(db_path), *args, str(f))
    assert_clear(code, err, codes=(0, 1))
    if code == 1:
        assert not _changed(before, fingerprint(db)), err
    count(f"bad inputs: fuzzed {door} files (all or nothing)")


# ----------------------------------------------------------------------------- settings files
json_scalar = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
                        st.floats(allow_nan=True, allow_infinity=True), hostile_text)
json_value = st.recursive(json_scalar, lambda kids: st.one_of(st.lists(kids, max_size=3),
                                                              st.dictionaries(hostile_text, kids, max_size=3)),
                          max_leaves=8)
SETTING_KEYS = ["base_url", "sales_url", "app_key", "erp_code", "buffer_stock", "category_ids", "order_start_date",
                "order_number_format", "feature_flags", "failed_integration", "cancellation_map", "deny_reason_id"]


SETTINGS_FILES = dict(conf=st.dictionaries(st.one_of(st.sampled_from(SETTING_KEYS), hostile_text), json_value,
                                           max_size=4),
                      raw_number=st.sampled_from([None, "9" * 5000, "1e400", "-" + "9" * 19, "NaN"]))
SETTINGS_EXAMPLES = examples(dict(conf={"base_url": "https://api.n11.com/\r\nws/"}, raw_number=None),
                             dict(conf={"buffer_stock": "@@N@@"}, raw_number="9" * 5000))


@ON_SQLITE
@fuzz(60)
@given(**SETTINGS_FILES)
@SETTINGS_EXAMPLES
def test_settings_files_never_crash_and_never_store_bad_values(cli_db, tmp_path, conf, raw_number):
    _settings_file_case(cli_db, tmp_path, conf, raw_number)


@ON_POSTGRESQL
@fuzz(60 * PG_CLI_SHARE)
@given(**SETTINGS_FILES)
@SETTINGS_EXAMPLES
def test_settings_files_never_crash_and_never_store_bad_values_on_postgresql(cli_db, tmp_path, conf, raw_number):
    _settings_file_case(cli_db, tmp_path, conf, raw_number)


def _settings_file_case(cli_db, tmp_path, conf, raw_number):
    text = json.dumps({"conf": conf}, allow_nan=True)
    if raw_number is not None:
        text = text.replace('"@@N@@"', raw_number)
    f = tmp_path / "settings.json"
    f.write_text(text, encoding="utf-8", errors="surrogatepass")
    before = fingerprint(cli_db)
    code, out, err = run("--db", str(cli_db), "settings", "import", str(f))
    assert_clear(code, err, codes=(0, 1))
    if code == 1:
        assert not _changed(before, fingerprint(cli_db)), err
    code, out, err = run("--db", str(cli_db), "settings", "show", "--json")
    assert code == 0, err
    stored = json.loads(out)["conf"]
    for key in ("base_url", "sales_url"):
        if stored.get(key):
            check_url(stored[key])
    for key, value in stored.items():
        if isinstance(value, str):
            assert not _RAW_CONTROL.search(value) and "\n" not in value, (key, value)
        if isinstance(value, int) and not isinstance(value, bool):
            assert abs(value) < 10**18, (key, value)
    code, out, err = run("--db", str(cli_db), "settings", "show")
    assert code == 0 and not _RAW_CONTROL.search(out), out
    count("bad inputs: fuzzed settings files")


# ----------------------------------------------------------------------------- command-line arguments
CLI_NUMBERS = dict(cmd=st.sampled_from([("products", "list", "--limit"), ("mapping", "suggest", "--limit"),
                                         ("orders", "list", "--limit"), ("products", "set-category", "SKU-1"),
                                         ("orders", "webhook", "--port"), ("orders", "webhook", "--oms-channel-id")]),
                   value=st.one_of(hostile_text, st.integers(min_value=-10**30, max_value=10**30).map(str)))
CLI_NUMBERS_EXAMPLES = examples(dict(cmd=("orders", "webhook", "--port"), value="99999"),
                                dict(cmd=("orders", "webhook", "--port"), value="8O"),
                                # NEL: a line break for str.splitlines
                                dict(cmd=("products", "list", "--limit"), value="0\x850"))


@ON_SQLITE
@fuzz(60)
@given(**CLI_NUMBERS)
@CLI_NUMBERS_EXAMPLES
def test_cli_numbers_never_crash(cli_db, monkeypatch, cmd, value):
    _cli_numbers_case(cli_db, monkeypatch, cmd, value)


@ON_POSTGRESQL
@fuzz(60 * PG_CLI_SHARE)
@given(**CLI_NUMBERS)
@CLI_NUMBERS_EXAMPLES
def test_cli_numbers_never_crash_on_postgresql(cli_db, monkeypatch, cmd, value):
    _cli_numbers_case(cli_db, monkeypatch, cmd, value)


def _cli_numbers_case(cli_db, monkeypatch, cmd, value):
    monkeypatch.delenv("N11_WEBHOOK_TOKEN", raising=False)  # a valid port then stops at "no token"
    before = fingerprint(cli_db)
    code, out, err = run("--db", str(cli_db), *cmd, value)
    assert_clear(code, err)
    if code == 2:
        assert len(err.strip().splitlines()) == 1, err
        assert "9" * 100 not in err, "a huge value echoed back"
    if cmd[1] != "set-category":
        assert not _changed(before, fingerprint(cli_db))
    count("bad inputs: fuzzed command-line numbers")


CLI_TEXTS = dict(cmd=st.sampled_from([("flow", "run", "{}"), ("products", "list", "--state", "{}"),
                                       ("products", "list", "--text", "{}"), ("orders", "list", "--status", "{}"),
                                       ("schedule", "set", "{}", "5m"), ("schedule", "set", "stock", "{}"),
                                       ("orders", "mark-reported", "{}"), ("products", "set-category", "{}", "1000002"),
                                       ("products", "clear-category", "{}")]),
                 value=hostile_text.filter(lambda v: not v.startswith("-")))
CLI_TEXTS_EXAMPLES = examples(dict(cmd=("schedule", "set", "stock", "{}"), value="9" * 5000),
                              dict(cmd=("products", "set-category", "{}", "1000002"), value="S\x1b[31m"))


@ON_SQLITE
@fuzz(60)
@given(**CLI_TEXTS)
@CLI_TEXTS_EXAMPLES
def test_cli_text_arguments_never_crash(cli_db, cmd, value):
    _cli_text_case(cli_db, cmd, value)


@ON_POSTGRESQL
@fuzz(60 * PG_CLI_SHARE)
@given(**CLI_TEXTS)
@CLI_TEXTS_EXAMPLES
def test_cli_text_arguments_never_crash_on_postgresql(cli_db, cmd, value):
    _cli_text_case(cli_db, cmd, value)


def _cli_text_case(cli_db, cmd, value):
    code, out, err = run("--db", str(cli_db), *(value if a == "{}" else a for a in cmd))
    assert_clear(code, err)
    count("bad inputs: fuzzed command-line texts")


# ----------------------------------------------------------------------------- --db files
@pytest.mark.sqlite_only(reason="SQLite files of other applications passed as --db")
@fuzz(30)
@given(kind=st.sampled_from(["tables", "app id", "garbage after header", "bytes"]),
       names=st.lists(st.from_regex(r"t_[a-z]{1,8}", fullmatch=True), min_size=1, max_size=3, unique=True),
       app_id=st.integers(min_value=1, max_value=2**31 - 1), junk=st.binary(min_size=1, max_size=200))
def test_foreign_database_files_are_refused_untouched(tmp_path_factory, kind, names, app_id, junk):
    d = tmp_path_factory.mktemp("foreign")
    f = d / "other.sqlite"
    if kind == "bytes":
        f.write_bytes(junk if junk[:1] != b"S" else b"x" + junk)
    elif kind == "garbage after header":
        f.write_bytes(b"SQLite format 3\x00" + junk * 30)
    else:
        con = sqlite3.connect(f)
        for n in names:
            con.execute(f'CREATE TABLE "{n}" (x)')
        if kind == "app id":
            con.execute(f"PRAGMA application_id = {app_id if app_id != 0x4E313144 else 1}")
        con.commit()
        con.close()
    data = f.read_bytes()
    code, out, err = run("--db", str(f), "settings", "show")
    assert_clear(code, err, codes=(2,))
    assert len(err.strip().splitlines()) == 1, err
    assert f.read_bytes() == data, "a foreign file was written to"
    assert sorted(p.name for p in d.iterdir()) == ["other.sqlite"]
    count("bad inputs: fuzzed --db files (refused untouched)")


# ----------------------------------------------------------------------------- web hook
TOKEN = "oms-webhook-token-123"
big_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**25, max_value=10**25), st.floats(), hostile_text),
    lambda kids: st.one_of(st.lists(kids, max_size=4), st.dictionaries(hostile_text, kids, max_size=4)),
    max_leaves=10)


def _split_shaped(line_ids, number, channel):
    return {"event": f"order.split_package_{channel}",
            "data": {"order_number": number, "packages": [{"order_line_ids": line_ids}]}}


@pytest.fixture(scope="module")
def hook():
    from n11_desktop.core.orders.webhook import WebhookServer

    server = WebhookServer(token=TOKEN, on_split=lambda req: True, oms_channel_id=3).start()
    yield server
    server.stop()


@fuzz(80)
@given(body=st.one_of(
    big_json.map(lambda v: json.dumps(v, allow_nan=True).encode()),
    st.builds(_split_shaped, st.lists(st.one_of(st.integers(min_value=-10**30, max_value=10**30), hostile_text,
                                                st.floats()), min_size=1, max_size=3),
              st.one_of(hostile_text, st.integers(min_value=0, max_value=10**25)),
              st.sampled_from(["3", "4", "9" * 40, "03"])).map(lambda v: json.dumps(v, allow_nan=True).encode()),
    st.sampled_from([b'{"event": "order.split_package_3", "data": {"order_number": "1", "packages": '
                     b'[{"order_line_ids": [' + b"9" * 5000 + b"]}]}}"]),
    st.binary(max_size=200)))
@example(body=b'{"event": "order.split_package_3", "data": {"order_number": "1", "packages": '
              b'[{"order_line_ids": [' + b"9" * 5000 + b"]}]}}")
def test_webhook_answers_every_body_with_200_or_4xx(hook, body):
    import requests

    r = requests.post(hook.url + "/flow-trigger/split_packages/split_packages", data=body, timeout=15,
                      headers={"Authorization": f"Token {TOKEN}", "Content-Type": "application/json"})
    assert r.status_code == 200 or 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    if r.status_code != 200:
        msg = r.json()["error"]
        assert msg and "\n" not in msg and len(msg) <= 1000, msg
    count("bad inputs: fuzzed web hook bodies")


# ----------------------------------------------------------------------------- N11 answers
@pytest.fixture(scope="module")
def hostile_n11():
    from .test_bad_inputs import _Hostile

    h = _Hostile()
    yield h
    h.stop()


n11_json = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**40, max_value=10**40), st.floats(), hostile_text,
              st.sampled_from(["COMPLETED", "IN_QUEUE", "SUCCESS", "FAIL"])),
    lambda kids: st.one_of(st.lists(kids, max_size=3), st.dictionaries(
        st.one_of(st.sampled_from(["id", "status", "skus", "content", "totalPages", "stockCode", "itemCode",
                                   "orderNumber", "lines", "totalAmount", "reasons", "last"]), hostile_text),
        kids, max_size=5)), max_leaves=12)


@fuzz(60)
@given(call=st.sampled_from(["task", "ack", "products", "packages"]),
       body=st.one_of(n11_json.map(lambda v: json.dumps(v, allow_nan=True).encode()),
                      st.sampled_from([b'{"id": ' + b"9" * 5000 + b', "status": "COMPLETED", "skus": []}',
                                       b'{"id": ' + b"9" * 4000 + b', "status": "IN_QUEUE"}',
                                       b'{"content": [{"id": 1, "orderNumber": "N1", "totalAmount": 1e999999}], '
                                       b'"totalPages": 1}']),
                      st.binary(max_size=100)))
def test_n11_answers_are_parsed_or_refused_with_one_line(hostile_n11, call, body):
    from datetime import datetime, timezone

    from n11_desktop.core.n11.client import N11Client
    from n11_desktop.core.n11.errors import N11Error

    hostile_n11.answer = (200, "application/json", body, {})
    client = N11Client(hostile_n11.base_url, "k", "secret-xyz", retries=0, timeout=(2, 2),
                       max_response_bytes=1024 * 1024)
    try:
        if call == "task":
            client.get_task_result(1)
        elif call == "ack":
            client.update_price_stock([{"stockCode": "A-1", "quantity": 1}])
        elif call == "products":
            list(client.query_products())
        else:
            end = datetime(2026, 11, 27, tzinfo=timezone.utc)
            list(client.iter_shipment_packages(end - timedelta(days=1), end))
    except N11Error as exc:
        msg = str(exc)
        assert msg.strip() and "\n" not in msg, msg
    finally:
        client.close()
    count("bad inputs: fuzzed N11 answers")


# ----------------------------------------------------------------------------- the corpus
def _corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "README.md")


@pytest.mark.parametrize("path", _corpus_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_replays_cleanly(cli_db, tmp_path, path):
    """Every kept hostile input (shrunk failures and the issue's cases) is refused or handled cleanly."""
    door = path.parent.name
    if door == "webhook":
        from n11_desktop.core.orders.webhook import WebhookServer
        import requests

        with WebhookServer(token=TOKEN, on_split=lambda req: True, oms_channel_id=3) as server:
            r = requests.post(server.url + "/flow-trigger/split_packages/split_packages", data=path.read_bytes(),
                              headers={"Authorization": f"Token {TOKEN}"}, timeout=15)
        assert r.status_code == 200 or 400 <= r.status_code < 500, r.text[:300]
        return
    target = tmp_path / path.name
    target.write_bytes(path.read_bytes())
    args = {"catalog": ("catalog", "import"), "mapping": ("mapping", "import"), "settings": ("settings", "import"),
            "penalty": ("penalty", "lift")}[door]
    before = fingerprint(cli_db)
    code, out, err = run("--db", str(cli_db), *args, str(target))
    assert_clear(code, err)
    expect = path.stem.split(".")[0].rsplit("-", 1)[-1]  # name-refused / name-ok
    if expect == "refused":
        assert code == 1, (code, err)
        assert not re.search(r"^row \d+, ", err, re.M) or door == "penalty"
        assert not _changed(before, fingerprint(cli_db)), err
