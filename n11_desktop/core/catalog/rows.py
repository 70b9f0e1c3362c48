"""Reading and checking a catalog file's rows (CSV or XLSX): the columns, each row's cells parsed and
validated on their own (a bad row is reported, never half-imported), each sku once per file. No
database here: :mod:`.importer` plans and writes what these rows say."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from . import values as V
from .fileread import RECORD_SEP, CatalogFileError, read_table

N11_MIN_TITLE = 15  # product-create refuses shorter titles
N11_MAX_QUANTITY = 999_999
WARNINGS_CAP = 2_000
TITLE_MAX = 500


def _max(n: int, limit: int, what: str) -> int:
    if n > limit:
        raise ValueError(f"'{n}' is too large; {what} {limit}")
    return n


# The clean-row parser's own code for the common cell of some parsers (``s``: the stripped cell,
# ``{c}``: the cell, ``{f}``: the parser, or its clean-text variant for codes): the same value as the
# parser for the cells it takes, the parser itself (or NotPlain, for the careful parser) for the rest.
_BOOL_FAST = {**{w: True for w in V._TRUE}, **{w: False for w in V._FALSE}}  # boolean() of a lower-case word
_INLINE_ENV = {"BOOL": _BOOL_FAST, "VAT": V._VAT_FAST, "MONEY": V._MONEY_FAST.fullmatch, "D": Decimal,
               "MAXN": V.MAX_NUMBER, "MAXC": V.MAX_NUMBER_CHARS, "URLS": V._HTTPS_LIST.fullmatch,
               "URLS_ASCII": V._HTTPS_LIST_ASCII.fullmatch}
_INLINE: dict[Any, tuple[str, ...]] = {
    V.code: ('v = {f}(s) if "e" in s or "E" in s else s',),  # code_checked looks at nothing else
    V.boolean: ("v = BOOL.get(s)", "if v is None:", "    v = {f}({c})"),
    V.vat_rate: ("v = VAT.get(s)", "if v is None:", "    v = {f}({c})"),
    V.currency: ('v = "TL" if s == "TL" else {f}({c})',),
    V.images: ("if URLS_ASCII(s) or URLS(s):",  # a clean "url|url" list; a repeated url: the careful parser words it
               "    v = s.split('|')",
               "    if len(v) > 1 and (v[0] == v[1] if len(v) == 2 else len(set(v)) != len(v)):",
               "        raise NotPlain",
               # its JSON text as json.dumps writes it: in a clean row, an ASCII url list has nothing to escape
               # but a quote or a backslash
               "    if s.isascii() and '\"' not in s and '\\\\' not in s:",
               "        images_json = '[\"' + s.replace('|', '\", \"') + '\"]'",
               "else:",
               "    v = {f}({c})"),
    V.money: ("m = MONEY(s) if len({c}) <= MAXC else None",  # money(): 1234 / 1234,5 / 1234.50 / 1.234,50
              "if m is None:",
              "    v = {f}({c})",
              "else:",
              "    i, fr, ti, tfr = m.groups()",
              "    if i is None:",
              "        i, fr = ti.replace('.', ''), tfr",
              "    v = D(i + ('.00' if fr is None else '.' + fr if len(fr) == 2 else '.' + fr + '0'))",
              "    if len(i) > 15 and v >= MAXN:",  # (MAX_NUMBER has 16 digits)
              "        raise NotPlain"),
}


def _bounded_count(limit: int, what: str) -> Callable[[Any], int]:
    """A whole number 0..limit: ``V.integer`` (minimum 0) then :func:`_max`, with the plain-digits
    text cell (nearly every one) taken without the calls in between — the same value or error."""
    max_chars = V.MAX_NUMBER_CHARS

    def parse(cell: Any) -> int:
        if type(cell) is str and len(cell) <= max_chars:
            s = cell.strip()
            if s.isdigit() and s.isascii() and int(s) <= limit:
                return int(s)
        return _max(V.integer(cell, minimum=0), limit, what)

    _INLINE[parse] = ("if s.isdigit() and s.isascii() and len({c}) <= MAXC:",  # the plain-digits text, inline
                      "    v = int(s)",
                      f"    if v > {int(limit)}:",
                      "        raise NotPlain",
                      "else:",
                      "    v = {f}({c})")
    return parse


# column → parser; product fields are written to the product table
PRODUCT_COLUMNS: dict[str, Callable[[Any], Any]] = {
    "product_code": V.code,
    "title": V.text,
    "description": V.text,
    "category": V.category_path,
    "brand": V.text,
    "barcode": V.code,
    "vat_rate": V.vat_rate,
    "images": V.images,
    "preparing_day": _bounded_count(365, "at most"),
    "shipment_template": V.text,
    "active": V.boolean,
}
OTHER_COLUMNS: dict[str, Callable[[Any], Any]] = {
    "sku": V.code,
    "price": V.money,
    "list_price": V.money,
    "currency": V.currency,
    "stock": _bounded_count(N11_MAX_QUANTITY, "N11 accepts at most"),
    "in_catalog": V.boolean,
}
COLUMNS: tuple[str, ...] = ("sku", *PRODUCT_COLUMNS, "price", "list_price", "currency", "stock", "in_catalog")
ATTR_PREFIX = "attr:"
_MAXLEN = {"sku": 255, "product_code": 255, "title": TITLE_MAX, "brand": 200, "barcode": 100,
           "category": 500, "shipment_template": 200}


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # as the merchant sees it in Excel: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" if self.row else "file"
        return f"{where}, column {self.column}: {self.message}" if self.column else f"{where}: {self.message}"


@dataclass(slots=True)
class Row:
    row: int
    sku: str
    product: dict[str, Any] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)
    price: Decimal | None = None
    list_price: Decimal | None = None
    currency: str | None = None
    stock: int | None = None
    in_catalog: bool | None = None
    #: the JSON text of ``product["images"]`` when the clean-row parser made it on the way (else None)
    images_json: str | None = None


def _parse_header(header: tuple[str, ...]) -> tuple[list[tuple[int, str, str | None]], list[RowError]]:
    """Return [(index, column key, attribute name or None)] and header errors."""
    cols: list[tuple[int, str, str | None]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(header):
        name = (raw or "").replace("\ufeff", "").strip()
        if not name:
            continue
        attr = None
        if name.lower().startswith(ATTR_PREFIX):
            attr = name[len(ATTR_PREFIX):].strip()
            if not attr:
                errors.append(RowError(1, name, "attribute column without a name; write it as attr:<Name>"))
                continue
            key = ATTR_PREFIX + attr
        else:
            key = name.lower()
            if key not in PRODUCT_COLUMNS and key not in OTHER_COLUMNS:
                errors.append(RowError(1, name, "unknown column; expected " + ", ".join(COLUMNS)
                                       + " or attr:<Name>"))
                continue
        if key.lower() in seen:
            errors.append(RowError(1, name, f"the column appears twice (columns {seen[key.lower()] + 1} and {i + 1})"))
            continue
        seen[key.lower()] = i
        cols.append((i, key, attr))
    if "sku" not in seen:
        errors.append(RowError(1, "sku", "the required column 'sku' is missing from the header"))
    return cols, errors


_SKU, _PRODUCT, _OTHER, _ATTR = range(4)


#: parsers whose check of a text cell is only its control characters (a clean row has none; see _parse_row)
_CLEAN = {V.code: V.code_checked, V.text: None, V.category_path: V.category_path_checked}


def _column_specs(cols: list[tuple[int, str, str | None]]
                  ) -> list[tuple[int, str, int, Any, int | None, str, Any]]:
    """Per column: (index, key, kind, parser, max length, label in messages, clean-text parser), where
    the clean-text parser (None: the text itself) takes the stripped text of a cell of a row without
    control characters, and is ``False`` for the parsers that have no such shortcut."""
    specs = []
    for i, key, attr in cols:
        if attr is not None:
            spec = (i, attr, _ATTR, V.text, None, ATTR_PREFIX + attr)
        elif key == "sku":
            spec = (i, key, _SKU, V.code, _MAXLEN["sku"], key)
        elif key in PRODUCT_COLUMNS:
            spec = (i, key, _PRODUCT, PRODUCT_COLUMNS[key], _MAXLEN.get(key), key)
        else:
            spec = (i, key, _OTHER, OTHER_COLUMNS[key], None, key)
        specs.append(spec + (_CLEAN.get(spec[3], False),))
    return specs


def _parse_row(n: int, cells: tuple[Any, ...], specs: list[tuple[int, str, int, Any, int | None, str, Any]],
               errors: list[RowError], warnings: list[RowError] | None = None) -> Row | None:
    """One data row → :class:`Row`, or None with its errors added (every cell checked on its own,
    whatever it holds; the common clean CSV row goes through :func:`_clean_row_parser` first)."""
    row = Row(n, "")
    bad = False
    ncells = len(cells)
    text = V.text
    str_ = str
    control = V.TEXT_CONTROL.search
    for i, key, kind, parser, limit, label, _fast in specs:
        cell = cells[i] if i < ncells else None
        if type(cell) is str_:  # CSV: every cell; the fast path for blanks and plain text
            stripped = cell.strip()
            if not stripped:
                cell = None
        elif cell is not None and V.is_blank(cell):
            cell = None
        if cell is None:
            if kind == _SKU:
                errors.append(RowError(n, "sku", "sku is required"))
                bad = True
            continue
        try:
            value = stripped if parser is text and type(cell) is str_ else parser(cell)
            if type(value) is str_ and control(value):
                raise ValueError("contains a control character (the file is damaged or not text)")
            if limit and len(value) > limit:
                raise ValueError(f"is {len(value)} characters long; at most {limit} allowed")
        except (ValueError, ArithmeticError) as exc:
            errors.append(RowError(n, label, str(exc)))
            bad = True
            continue
        if kind == _PRODUCT:
            row.product[key] = value
        elif kind == _ATTR:
            row.attrs[key] = value
        elif kind == _SKU:
            row.sku = value
        else:
            setattr(row, key, value)
    if row.price is not None and row.price <= 0:
        errors.append(RowError(n, "price", "the price must be above 0"))
        bad = True
    if row.price is not None and row.list_price is not None and row.list_price < row.price:
        errors.append(RowError(n, "list_price", f"list price {row.list_price} is below the sale price {row.price}"))
        bad = True
    if row.list_price is not None and row.price is None:
        errors.append(RowError(n, "price", "a list_price needs a price in the same row"))
        bad = True
    if "title" in row.product and not row.product["title"]:
        del row.product["title"]
    title = row.product.get("title")
    if not bad and title and len(title) < N11_MIN_TITLE and warnings is not None and len(warnings) < WARNINGS_CAP:
        warnings.append(RowError(n, "title", f"is {len(title)} characters; N11 needs at least {N11_MIN_TITLE} "
                                 "to create the product"))
    return None if bad else row


class _NotPlain(Exception):
    """The clean-row parser met something only the careful parser may judge."""


def _clean_row_parser(specs: list[tuple[int, str, int, Any, int | None, str, Any]]):
    """A parser made for this file's columns, for a CSV row whose text holds no control character or
    line break at all: straight-line code per column (no per-cell dispatch), the control-character
    checks skipped (they could only pass). It returns the same :class:`Row` as :func:`_parse_row`
    for a good row and raises on anything else — a blank sku, a value the parsers refuse, a text over
    its length, a price check failing — and the caller then lets :func:`_parse_row` find and word
    the errors, so messages and results never depend on which path ran."""
    env: dict[str, Any] = {"Row": Row, "NotPlain": _NotPlain, **_INLINE_ENV}
    width = max(spec[0] for spec in specs) + 1
    lines = ["def parse(n, cells):", "    p = {}", "    a = {}",
             "    price = list_price = currency = stock = in_catalog = images_json = None",
             # every cell a local at once (the caller gives at least `width` cells)
             f"    {', '.join(f'c{i}' for i in range(width))}, = cells if len(cells) == {width} else cells[:{width}]"]
    for k, (i, key, kind, parser, limit, _label, fast) in enumerate(specs):
        env[f"k{k}"] = key
        lines.append(f"    s = c{i}.strip()")
        if kind == _SKU:
            lines.append("    if not s:")
            lines.append("        raise NotPlain")
            body = "    "
        else:
            lines.append("    if s:")
            body = "        "
        inline = _INLINE.get(parser)
        value = "v"
        if fast is None:  # the text itself
            value = "s"
        elif inline is not None:  # the parser's common case written out; anything else goes to the parser
            env[f"f{k}"] = fast if fast is not False else parser
            for line in inline:
                lines.append(body + line.replace("{f}", f"f{k}").replace("{c}", f"c{i}"))
        elif fast is not False:  # the parser's work after strip and the control check
            env[f"f{k}"] = fast
            lines.append(f"{body}v = f{k}(s)")
        else:
            env[f"f{k}"] = parser
            lines.append(f"{body}v = f{k}(c{i})")
        if limit:
            lines.append(f"{body}if len({value}) > {int(limit)}:")
            lines.append(f"{body}    raise NotPlain")
        if kind == _SKU:
            lines.append(f"{body}sku = {value}")
        elif kind == _PRODUCT:
            lines.append(f"{body}p[{key!r}] = {value}")  # a product column's name (a constant)
        elif kind == _ATTR:
            lines.append(f"{body}a[k{k}] = {value}")
        else:
            assert key in ("price", "list_price", "currency", "stock", "in_catalog"), key
            lines.append(f"{body}{key} = {value}")
    lines.append("    if price is not None and (price <= 0 or (list_price is not None and list_price < price)):")
    lines.append("        raise NotPlain")
    lines.append("    if list_price is not None and price is None:")
    lines.append("        raise NotPlain")
    lines.append("    return Row(n, sku, p, a, price, list_price, currency, stock, in_catalog, images_json)")
    exec(compile("\n".join(lines), "<catalog row parser>", "exec"), env)  # noqa: S102 - from column specs only
    return env["parse"], width


def _all_blank(cells: tuple[Any, ...]) -> bool:
    try:  # CSV: every cell is text
        return not "".join(cells).strip()
    except TypeError:
        return all(V.is_blank(c) for c in cells)


def _specs_of(table):
    cols, header_errors = _parse_header(table.header)
    if header_errors:
        raise CatalogFileError("; ".join(str(e) for e in header_errors))
    return _column_specs(cols)


class _Records:
    """A CSV's records as ``RawTable.records`` keeps them: ``first`` is the row number of ``records[0]``."""

    __slots__ = ("first", "records")

    def __init__(self, first: int, records: list) -> None:
        self.first, self.records = first, records


def good_rows(rows, specs, errors: list[RowError], warnings: list[RowError] | None, first_row: dict[str, int],
              chunk_rows: int):
    """The good rows in chunks of ``chunk_rows`` (the last one shorter): (data rows read so far, the
    chunk); bad rows and repeated skus are left out with their errors added. ``rows``: (row number,
    cells) per row, or a CSV's :class:`_Records` (each let go once parsed)."""
    search_control = V.CONTROL_ANY.search
    plain, width = _clean_row_parser(specs)
    sep = RECORD_SEP
    cap = WARNINGS_CAP if warnings is not None else 0
    short_title = N11_MIN_TITLE

    def short(n: int, row: Row) -> None:
        title = row.product.get("title")
        if title and len(title) < short_title and len(warnings) < cap:
            warnings.append(RowError(n, "title", f"is {len(title)} characters; N11 needs at least "
                                     f"{N11_MIN_TITLE} to create the product"))

    def parsed(n: int, cells: tuple[Any, ...]) -> Row | None | bool:
        """A row of cells (not a clean CSV record): the row, None when it is bad, False when blank."""
        try:  # CSV: every cell is text
            joined = "".join(cells)
        except TypeError:
            joined = None
        if joined is None:
            if all(V.is_blank(c) for c in cells):
                return False
        elif not joined or joined.isspace():
            return False
        # one search of the whole row's text: most rows hold no control character at all
        if joined is not None and len(cells) >= width and not search_control(joined):
            try:
                row = plain(n, cells)
            except Exception:  # noqa: BLE001 - whatever it is, the careful parser below words it
                pass
            else:
                if cap:
                    short(n, row)
                return row
        return _parse_row(n, cells, specs, errors, warnings)

    read = 0
    chunk: list[Row] = []
    if not isinstance(rows, _Records):
        for n, cells in rows:
            row = parsed(n, cells)
            if row is False:
                continue
            read += 1
            if row is not None:
                prev = first_row.get(row.sku)
                if prev is not None:
                    errors.append(RowError(n, "sku", f"'{row.sku}' already appears in row {prev}; each sku once per file"))
                else:
                    first_row[row.sku] = n
                    chunk.append(row)
                    if len(chunk) >= chunk_rows:
                        yield read, chunk
                        chunk = []
        if chunk:
            yield read, chunk
        return

    # a CSV's records, the same steps written out for the clean record (nearly every one)
    first, records = rows.first, rows.records
    for k, rec in enumerate(records):
        if rec is None:
            continue
        records[k] = None
        n = first + k
        if type(rec) is not str:
            row = parsed(n, rec)
            if row is False:
                continue
        elif not rec or rec.isspace():
            continue
        else:  # a clean record (RawTable.records): no control character
            cells = rec.split(sep)
            row = None
            if len(cells) >= width:
                try:
                    row = plain(n, cells)
                except Exception:  # noqa: BLE001 - whatever it is, the careful parser below words it
                    row = None
                else:
                    if cap:  # short(n, row), written out
                        title = row.product.get("title")
                        if title and len(title) < short_title and len(warnings) < cap:
                            warnings.append(RowError(n, "title", f"is {len(title)} characters; N11 needs at least "
                                                     f"{N11_MIN_TITLE} to create the product"))
            if row is None:
                row = _parse_row(n, tuple(cells), specs, errors, warnings)
        read += 1
        if row is not None:
            sku = row.sku
            prev = first_row.get(sku)
            if prev is not None:
                errors.append(RowError(n, "sku", f"'{sku}' already appears in row {prev}; each sku once per file"))
            else:
                first_row[sku] = n
                chunk.append(row)
                if len(chunk) >= chunk_rows:
                    yield read, chunk
                    chunk = []
    if chunk:
        yield read, chunk


def checked_rows(path: Path):
    """(column specs, data rows in the file, the rows to import): the whole file is split and checked
    first — a damaged row anywhere refuses the file before anything is written. A CSV is split once:
    its records are kept compactly (see ``RawTable.records``, the file's text let go) and each
    parsed when its chunk comes, so 100k parsed rows are never held at once."""
    table = read_table(path)
    specs = _specs_of(table)
    if table.records is None:  # XLSX: its rows are read once, kept as cells
        raw = [(n, cells) for n, cells in table.rows if not _all_blank(cells)]
        return specs, len(raw), iter(raw)
    # its reader (and the copy of the text it splits) is not needed: the records are split apart
    getattr(table.rows, "close", lambda: None)()
    total, first, records = table.records()
    del table
    return specs, total, _Records(first, records)
