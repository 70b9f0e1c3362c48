"""The shared input boundary (core/inputs.py): bounded numbers, URLs, formula escaping, one-line errors."""

from __future__ import annotations

import argparse
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from n11_desktop.core.inputs import (
    FORMULA_PREFIXES,
    InputError,
    bounded_int,
    check_url,
    csv_rows,
    load_json,
    neutralise,
    parse_decimal,
    parse_int,
    unneutralise,
)

FAST = settings(max_examples=200, deadline=None, database=None, derandomize=True)


@FAST
@given(st.text(max_size=40) | st.integers(min_value=-10**40, max_value=10**40).map(str))
def test_parse_int_accepts_exactly_short_ascii_whole_numbers(text):
    digits = text.strip().lstrip("+-")
    ok = text.strip()[:1] in "+-0123456789" and digits.isascii() and digits.isdigit() and len(digits) <= 18 \
        and text.strip().count("+") + text.strip().count("-") <= 1 and text.strip()[1:2] not in ("+", "-")
    try:
        n = parse_int(text)
    except ValueError as exc:
        assert not ok, text
        assert "\n" not in str(exc) and len(str(exc)) < 200
    else:
        assert ok and n == int(text)


def test_parse_int_never_converts_a_huge_number():
    with pytest.raises(ValueError, match="at most 18 digits"):
        parse_int("9" * 5000)
    with pytest.raises(ValueError, match="at most 18 digits"):
        parse_int(10**4000)
    with pytest.raises(ValueError, match="whole number"):
        parse_int("²")
    with pytest.raises(ValueError, match="at most 65535"):
        parse_int("99999", hi=65535)


@pytest.mark.parametrize("text", ["NaN", "inf", "-Infinity", "1e999999", "9" * 40, "1" * 5000, "abc", ""])
def test_parse_decimal_refuses_what_is_not_a_bounded_finite_number(text):
    with pytest.raises(ValueError):
        parse_decimal(text)


def test_bounded_int_is_a_one_line_argparse_error():
    conv = bounded_int(0, 65535)
    assert conv("8765") == 8765
    for bad in ("99999", "8O", "9" * 5000, "-1", ""):
        with pytest.raises(argparse.ArgumentTypeError) as info:
            conv(bad)
        assert len(str(info.value)) < 120


@pytest.mark.parametrize("url", ["http://[::1", "http://a.example:8O/", "http://a.example:99999/",
                                 "https://a.example/\r\nws/", "https://a.example/ ws", "ftp://a.example/",
                                 "https://u:p@a.example/", "https://", "https://a.example:0/"])
def test_check_url_refuses(url):
    with pytest.raises(ValueError):
        check_url(url)


def test_check_url_accepts_real_base_urls():
    for url in ("https://api.n11.com/ws/", "http://127.0.0.1:8011/ws/", "http://[::1]:8011/ws/"):
        assert check_url(url) == url


@FAST
@given(st.text(max_size=20))
def test_neutralise_round_trips_and_never_leaves_a_formula(value):
    out = neutralise(value)
    assert not out.startswith(FORMULA_PREFIXES) or re.fullmatch(r"[+-][0-9]+(?:[.,][0-9]+)?", out)
    assert unneutralise(out) == value


def test_numbers_are_not_neutralised():
    assert neutralise(-5) == -5 and neutralise("-5.00") == "-5.00" and neutralise("+90") == "+90"
    assert neutralise("=1+1") == "'=1+1" and neutralise("-2+3") == "'-2+3" and neutralise("@SUM(A1)") == "'@SUM(A1)"


def test_input_error_is_one_line_naming_door_row_and_column():
    e = InputError("catalog file", "contains a NUL byte\r\nX", "cat.csv", 7, "title")
    assert str(e) == "catalog file: cat.csv: row 7, column title: contains a NUL byte\\r\\nX"
    assert isinstance(e, ValueError)


def test_csv_rows_is_strict_and_names_the_row():
    header, rows = csv_rows('a,b\n1,2\n3,"open\n4,5\n', door="test", source="t.csv")
    assert header == ["a", "b"]
    got = []
    with pytest.raises(InputError) as info:
        for n, rec in rows:
            got.append((n, rec))
    assert got == [(2, ("1", "2"))]
    assert info.value.row == 3 and "never closed" in info.value.reason


@pytest.mark.parametrize("text", ['{"a": ' + "9" * 5000 + "}", '{"a": 1e400}', '{"a": NaN}', "[" * 100_000])
def test_load_json_bounds_numbers_and_nesting(text):
    with pytest.raises(InputError):
        load_json(text, door="test")
