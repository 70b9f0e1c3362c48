"""Reading and checking a catalog file's rows (CSV or XLSX): the columns, each row's cells parsed and
validated on their own (a bad row is reported, never half-imported), each sku once per file. No
database here: :mod:`.importer` plans and writes what these rows say."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

from . import values as V
from .fileread import CatalogFileError, read_table

N11_MIN_TITLE = 15  # product-create refuses shorter titles
N11_MAX_QUANTITY = 999_999
WARNINGS_CAP = 2_000
TITLE_MAX = 500


def _max(n: int, limit: int, what: str) -> int:
    if n > limit:
        raise ValueError(f"'{n}' is too large; {what} {limit}")
    return n


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
    "preparing_day": lambda c: _max(V.integer(c, minimum=0), 365, "at most"),
    "shipment_template": V.text,
    "active": V.boolean,
}
OTHER_COLUMNS: dict[str, Callable[[Any], Any]] = {
    "sku": V.code,
    "price": V.money,
    "list_price": V.money,
    "currency": V.currency,
    "stock": lambda c: _max(V.integer(c, minimum=0), N11_MAX_QUANTITY, "N11 accepts at most"),
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


def _column_specs(cols: list[tuple[int, str, str | None]]) -> list[tuple[int, str, int, Any, int | None, str]]:
    """Per column: (index, key, kind, parser, max length, label in messages)."""
    specs = []
    for i, key, attr in cols:
        if attr is not None:
            specs.append((i, attr, _ATTR, V.text, None, ATTR_PREFIX + attr))
        elif key == "sku":
            specs.append((i, key, _SKU, V.code, _MAXLEN["sku"], key))
        elif key in PRODUCT_COLUMNS:
            specs.append((i, key, _PRODUCT, PRODUCT_COLUMNS[key], _MAXLEN.get(key), key))
        else:
            specs.append((i, key, _OTHER, OTHER_COLUMNS[key], None, key))
    return specs


def _parse_row(n: int, cells: tuple[Any, ...], specs: list[tuple[int, str, int, Any, int | None, str]],
               errors: list[RowError], warnings: list[RowError] | None = None) -> Row | None:
    row = Row(n, "")
    bad = False
    ncells = len(cells)
    text = V.text
    str_ = str
    control = V.TEXT_CONTROL.search
    for i, key, kind, parser, limit, label in specs:
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


def good_rows(rows, specs, errors: list[RowError], warnings: list[RowError] | None, first_row: dict[str, int]):
    """(data rows read so far, the row parsed — None when it is bad or a repeated sku) per data row."""
    read = 0
    for n, cells in rows:
        if _all_blank(cells):
            continue
        read += 1
        row = _parse_row(n, cells, specs, errors, warnings)
        if row is not None:
            prev = first_row.get(row.sku)
            if prev is not None:
                errors.append(RowError(n, "sku", f"'{row.sku}' already appears in row {prev}; each sku once per file"))
                row = None
            else:
                first_row[row.sku] = n
        yield read, row


def checked_rows(path: Path):
    """(table, data rows in the file, the rows to import): the whole file is split and checked
    first — a damaged row anywhere refuses the file before anything is written — and then read
    again from its text in chunks, so 100k parsed rows are never held at once."""
    table = read_table(path)
    specs = _specs_of(table)
    if table.again is None:  # XLSX: its rows are read once, kept as cells
        raw = [(n, cells) for n, cells in table.rows if not _all_blank(cells)]
        return specs, len(raw), iter(raw)
    if table.count is not None:
        # its reader (and the copy of the text it splits) is not needed: the rows are split again
        getattr(table.rows, "close", lambda: None)()
        total = table.count()
    else:
        total = sum(1 for _n, cells in table.rows if not _all_blank(cells))
    return specs, total, table.again()
