"""The input boundary shared by every door (Qt-free).

A *door* is a place where outside data enters the app: catalog files, mapping files, the
penalty CSV, settings files, command-line arguments, the OMS web hook and N11's answers.
Each door checks its input here against the same limits (bytes, rows, columns, field
length, digits) and refuses bad input with one :class:`InputError` that carries the door,
the file, row and column and the reason, and renders as one line a user can act on.

Also here: bounded number parsing (a 5000-digit "number" is refused by its length before
any conversion, so it never reaches ``int()``, SQLite or JSON), URL checks for settings, and
the formula-injection rules for spreadsheets (OWASP "CSV injection"): exports neutralise
cells that start with ``= + - @``, tab or CR; imports refuse them where a name is expected.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit

# ------------------------------------------------------------------------------------ limits
MAX_FILE_BYTES = 256 * 1024 * 1024  #: a catalog/mapping/penalty/settings file
MAX_SETTINGS_BYTES = 4 * 1024 * 1024  #: a settings file (JSON)
MAX_ROWS = 1_000_000  #: data rows in one file
MAX_COLUMNS = 512  #: columns in one file
MAX_FIELD_CHARS = 128 * 1024  #: characters in one cell (= Python's csv field limit; descriptions are far below)
MAX_INT_DIGITS = 18  #: digits of a whole number (fits SQLite's signed 64-bit INTEGER)
MAX_DECIMAL_DIGITS = 30  #: digits of a decimal number (price: 15 before and after the point)
MAX_ID = 2**63 - 1  #: largest id SQLite stores
MAX_URL_CHARS = 2048

#: characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection)
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")  # C0, DEL, C1 (NEL is a line break), LS, PS
_INT_RE = re.compile(r"[+-]?[0-9]+")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")


# ------------------------------------------------------------------------------------ the error
def shown(value: Any, limit: int = 60) -> str:
    """``value`` as one short line for a message: control characters escaped, long text cut."""
    text = value if isinstance(value, str) else repr(value)
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10**30:
            return "a number of more than 30 digits"
        text = str(value)
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text)} characters)"
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def one_line(text: str, limit: int = 400) -> str:
    """``text`` with control characters escaped and cut to ``limit`` characters."""
    text = _CONTROL.sub(lambda m: repr(m.group())[1:-1], str(text))
    return text if len(text) <= limit else text[:limit - 1] + "…"


@dataclass(eq=False)
class InputError(ValueError):
    """Bad outside input at a door. ``str()`` is one line: ``door: source: row R, column C: reason``."""

    door: str
    reason: str
    source: str = ""
    row: int | None = None
    column: str | None = None

    def __post_init__(self) -> None:
        super().__init__(self.reason)

    def where(self) -> str:
        parts = []
        if self.source:
            parts.append(self.source)
        loc = []
        if self.row is not None:
            loc.append(f"row {self.row}")
        if self.column:
            loc.append(f"column {self.column}")
        if loc:
            parts.append(", ".join(loc))
        return ": ".join(parts)

    def __str__(self) -> str:
        parts = [p for p in (self.door, self.where(), self.reason) if p]
        return one_line(": ".join(parts))


# ------------------------------------------------------------------------------------ numbers
def parse_int(value: Any, *, lo: int | None = None, hi: int | None = None,
              max_digits: int = MAX_INT_DIGITS) -> int:
    """A whole number (ASCII digits) from text or a number, bounded by digits and range;
    ``ValueError`` with a one-line reason otherwise. Never converts a huge digit string."""
    if isinstance(value, bool):
        raise ValueError("must be a whole number, not true/false")
    if isinstance(value, int):
        n = value
        if abs(n) >= 10**max_digits:
            raise ValueError(f"must have at most {max_digits} digits (got {shown(n)})")
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise ValueError(f"must be a whole number, not {shown(value)}")
        if abs(value) >= 10**max_digits:
            raise ValueError(f"must have at most {max_digits} digits")
        n = int(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise ValueError("is empty (a whole number is needed)")
        if not _INT_RE.fullmatch(text):
            raise ValueError(f"must be a whole number, not '{shown(text)}'")
        digits = len(text.lstrip("+-"))
        if digits > max_digits:
            raise ValueError(f"must have at most {max_digits} digits (got {digits} digits)")
        n = int(text)
    else:
        raise ValueError(f"must be a whole number, not {type(value).__name__}")
    if lo is not None and n < lo:
        raise ValueError(f"must be at least {lo} (got {shown(n)})")
    if hi is not None and n > hi:
        raise ValueError(f"must be at most {hi} (got {shown(n)})")
    return n


def parse_id(value: Any) -> int:
    """A positive database/N11 id (1 … 2**63-1)."""
    return parse_int(value, lo=1, hi=MAX_ID)


def parse_decimal(value: Any, *, max_digits: int = MAX_DECIMAL_DIGITS) -> Decimal:
    """A finite decimal with at most ``max_digits`` digits (no NaN, no infinity, no 1e999999)."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"must be a number, not {value!r}")
        value = repr(value)
    if isinstance(value, int):
        value = str(value) if value.bit_length() < max_digits * 4 + 4 else "9" * (max_digits + 1)
    if not isinstance(value, (str, Decimal)):
        raise ValueError(f"must be a number, not {type(value).__name__}")
    if isinstance(value, str):
        value = value.strip()
        if len(value) > max_digits + 8:
            raise ValueError(f"must have at most {max_digits} digits (got {len(value)} characters)")
        try:
            value = Decimal(value)
        except InvalidOperation:
            raise ValueError(f"must be a number, not '{shown(value)}'") from None
    if not value.is_finite():
        raise ValueError(f"must be a number, not {value}")
    sign, digits, exp = value.as_tuple()
    if len(digits) > max_digits or abs(exp) > max_digits:
        raise ValueError(f"must have at most {max_digits} digits")
    return value


def bounded_int(lo: int, hi: int):
    """An ``argparse`` ``type=`` converter: whole number in [lo, hi], one short error line."""
    import argparse

    def convert(text: str) -> int:
        try:
            return parse_int(text, lo=lo, hi=hi)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    convert.__name__ = f"whole number {lo}..{hi}"
    return convert


def bounded_float(lo: float, hi: float):
    """An ``argparse`` ``type=`` converter: finite number in [lo, hi]."""
    import argparse

    def convert(text: str) -> float:
        try:
            d = parse_decimal(text, max_digits=20)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None
        x = float(d)
        if not lo <= x <= hi:
            raise argparse.ArgumentTypeError(f"'{shown(text, 30)}' must be between {lo:g} and {hi:g}")
        return x

    convert.__name__ = f"number {lo:g}..{hi:g}"
    return convert


# ------------------------------------------------------------------------------------ text
def check_text(value: str, *, max_chars: int = MAX_FIELD_CHARS, allow_newlines: bool = True) -> str:
    """``ValueError`` for NUL bytes, other control characters (newlines if not allowed) or overlong text."""
    if len(value) > max_chars:
        raise ValueError(f"is {len(value)} characters long (at most {max_chars})")
    if "\x00" in value:
        raise ValueError("contains a NUL byte (the file is binary or damaged)")
    bad = re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]" if allow_newlines
                    else r"[\x01-\x1f\x7f-\x9f\u2028\u2029]", value)
    if bad:
        raise ValueError(f"contains the control character {repr(bad.group())[1:-1]}")
    return value


def check_url(value: str, *, schemes: tuple[str, ...] = ("http", "https")) -> str:
    """An http(s) URL with a host and a valid port, no whitespace or control characters."""
    if len(value) > MAX_URL_CHARS:
        raise ValueError(f"is {len(value)} characters long (at most {MAX_URL_CHARS})")
    if re.search(r"[\x00-\x20\x7f-\x9f\u2028\u2029]", value):
        raise ValueError(f"must not contain spaces or control characters (line breaks), got {shown(value)!r}")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError for ":8O" or ":99999"
        host = parts.hostname
    except ValueError as exc:
        raise ValueError(f"is not a valid URL ({exc}), got {shown(value)!r}") from None
    if parts.scheme not in schemes or not parts.netloc or not host:
        raise ValueError(f"must be an http(s) URL like https://api.n11.com/ws/, got {shown(value)!r}")
    if port == 0:
        raise ValueError(f"port must be 1..65535, got {shown(value)!r}")
    if parts.username or parts.password:
        raise ValueError("must not contain a user name or password")
    return value


# ------------------------------------------------------------------------------------ JSON
class _BadJsonNumber(Exception):
    pass


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise _BadJsonNumber(f"a number has {len(text.lstrip('-'))} digits; at most {MAX_INT_DIGITS}")
    return int(text)


def _json_float(text: str) -> float:
    if len(text) > 40:
        raise _BadJsonNumber(f"a number is {len(text)} characters long; at most 40")
    x = float(text)
    if not math.isfinite(x):
        raise _BadJsonNumber(f"the number {text} is too large")
    return x


def _json_constant(name: str) -> float:
    raise _BadJsonNumber(f"{name} is not a number JSON allows")


def load_json(text: str | bytes, *, door: str, source: str = "") -> Any:
    """``json.loads`` that bounds numbers (at most :data:`MAX_INT_DIGITS` digits, finite, no
    NaN/Infinity) and nesting. Bad numbers and too-deep nesting raise :class:`InputError`;
    malformed JSON raises ``json.JSONDecodeError`` as usual (the caller words its position)."""
    import json

    try:
        return json.loads(text, parse_int=_json_int, parse_float=_json_float, parse_constant=_json_constant)
    except _BadJsonNumber as exc:
        raise InputError(door, str(exc), source) from None
    except RecursionError:
        raise InputError(door, "JSON nested too deeply", source) from None


# ------------------------------------------------------------------------------------ files
def check_file(path, *, door: str, max_bytes: int = MAX_FILE_BYTES) -> None:
    """:class:`InputError` unless ``path`` is a regular file of at most ``max_bytes``."""
    import stat
    from pathlib import Path

    p = Path(path)
    try:
        st_ = p.stat()
    except FileNotFoundError:
        raise InputError(door, "cannot read: no such file", str(p)) from None
    except OSError as exc:
        raise InputError(door, f"cannot read: {exc.strerror or exc}", str(p)) from None
    except ValueError as exc:  # e.g. a NUL byte in the path
        raise InputError(door, f"is not a usable file name ({exc})", shown(str(p))) from None
    if stat.S_ISDIR(st_.st_mode):
        raise InputError(door, "is a folder, not a file", str(p))
    if not stat.S_ISREG(st_.st_mode):  # /dev/zero or a pipe would never end
        raise InputError(door, "is not a regular file", str(p))
    if st_.st_size > max_bytes:
        raise InputError(door, f"is {st_.st_size // 1024} KB; at most {max_bytes // 1024} KB", p.name)


def read_limited(path, *, door: str, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a file given to a door, or :class:`InputError` (missing, a folder, a device,
    too big, unreadable)."""
    from pathlib import Path

    p = Path(path)
    check_file(p, door=door, max_bytes=max_bytes)
    try:
        with p.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(door, f"cannot read: {exc.strerror or exc}", str(p)) from None
    if len(data) > max_bytes:  # it grew while we read it
        raise InputError(door, f"is over {max_bytes // 1024} KB", p.name)
    return data


def csv_rows(text: str, delimiter: str = ",", *, door: str, source: str, first_row: int = 1,
             error: Callable[[str, int, str | None], Exception] | None = None,
             ) -> tuple[list[str] | None, Iterator[tuple[int, tuple[str, ...]]]]:
    """Strictly split CSV ``text`` into (header, rows).

    A quote never closed, a stray quote, a NUL byte, a cell over :data:`MAX_FIELD_CHARS`, more
    than :data:`MAX_COLUMNS` columns or :data:`MAX_ROWS` rows raise :class:`InputError` (a
    :class:`CatalogFileError` for the catalog door) naming ``source`` and the row. Row numbers
    count records as a spreadsheet shows them (the header is ``first_row``)."""
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    has_nul = "\x00" in text
    state: dict[str, Any] = {"n": first_row - 1}

    def fail(reason: str, column: str | None = None) -> InputError:
        row = state["n"] + 1
        if error is not None:
            return error(reason, row, column)
        return InputError(door, reason, source, row, column)

    def take() -> tuple[str, ...] | None:
        try:
            rec = next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            msg = str(exc)
            if "unexpected end of data" in msg:
                msg = 'a quoted cell is never closed (a " is missing), so the rows after it would run into it'
            elif "field larger than field limit" in msg:
                msg = f"a cell is longer than {MAX_FIELD_CHARS} characters"
            elif "expected after" in msg:
                msg = "text follows a closing quote inside a cell; quote the whole cell and double inner quotes"
            raise fail(f"the CSV cannot be read: {msg}") from None
        state["n"] += 1
        if len(rec) > MAX_COLUMNS:
            state["n"] -= 1
            raise fail(f"has {len(rec)} columns; at most {MAX_COLUMNS}")
        if has_nul:
            for i, cell in enumerate(rec):
                if "\x00" in cell:
                    state["n"] -= 1
                    names = state.get("header") or ()
                    name = names[i].strip() if i < len(names) and names[i].strip() else str(i + 1)
                    raise fail("contains a NUL byte (the file is binary or damaged)", column=name)
        return tuple(rec)

    header = state["header"] = take()

    def rows() -> Iterator[tuple[int, tuple[str, ...]]]:
        while True:
            rec = take()
            if rec is None:
                return
            if state["n"] - first_row > MAX_ROWS:
                state["n"] -= 1
                raise fail(f"more than {MAX_ROWS} rows; split the file")
            yield state["n"], rec

    return (None if header is None else list(header)), rows()



# ------------------------------------------------------------------------------------ formulas
def is_formula(value: Any) -> bool:
    """Text a spreadsheet would run: starts with = + - @, tab or CR (a plain signed number does not count)."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(value)


def _needs_quote(value: str) -> bool:
    # a formula prefix after any leading quotes ("=x", and "'=x" so that unneutralise(neutralise(v)) == v);
    # a plain signed number ("-5.00" as a discount) is no formula and stays a number for the ERP
    rest = value.lstrip("'")
    return rest.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(rest)


def neutralise(value: Any) -> Any:
    """A cell safe for a spreadsheet: text starting with a formula prefix gets a leading ``'``.

    Numbers stay numbers (``-5`` and ``"-5.00"``). :func:`unneutralise` undoes it on import.
    """
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def neutralise_row(row) -> list:
    return [neutralise(v) for v in row]


def unneutralise(value: str) -> str:
    """Undo :func:`neutralise` (a ``'`` before a formula prefix) for a file we exported."""
    if value.startswith("'") and _needs_quote(value):
        return value[1:]
    return value


def neutralise_dict(row: dict) -> dict:
    return {k: neutralise(v) for k, v in row.items()}
