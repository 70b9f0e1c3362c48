"""Reading a merchant's catalog file (CSV or XLSX) into a header and raw rows.

Turkish merchants' files come from Excel with a Turkish locale: ``;`` separators, Windows-1254
(cp1254) text without a BOM, UTF-8 with a BOM, or "Unicode text" (UTF-16, tab separated).
This module only decodes and splits; :mod:`.values` turns cells into typed values.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from dataclasses import dataclass
from functools import partial
from operator import methodcaller
from itertools import chain, islice
from pathlib import Path
from typing import Any, Callable, Iterator

from ..inputs import (
    MAX_COLUMNS,
    MAX_FIELD_CHARS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    InputError,
    check_file,
    csv_rows,
    read_limited,
)

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}

#: joins the cells of a clean CSV record kept as one text (a unit separator: a control character,
#: so no clean cell holds it); ``str.isspace`` counts it as space, so such a text is blank exactly
#: when every cell is
RECORD_SEP = "\x1f"
#: a record holding one of these (or a cell holding RECORD_SEP) is not clean: values.CONTROL_ANY
#: without RECORD_SEP, which is counted apart
_UNCLEAN = re.compile(r"[\x00-\x1e\x7f-\x9f\u2028\u2029]")
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


#: an .xlsx unpacks to at most this many bytes (a zip bomb is refused before parsing)
MAX_XLSX_UNPACKED = 1024 * 1024 * 1024


class CatalogFileError(InputError):
    """The file as a whole cannot be imported (unreadable, wrong format, bad header, damaged row)."""

    def __init__(self, reason: str, *, source: str = "", row: int | None = None, column: str | None = None):
        super().__init__("catalog file", reason, source, row, column)


@dataclass(frozen=True, slots=True)
class RawTable:
    header: tuple[str, ...]
    rows: Iterator[tuple[int, tuple[Any, ...]]]  # (row number as the merchant sees it, cells)
    encoding: str = ""
    delimiter: str = ""
    #: CSV: the whole file split once and checked as ``rows`` checks it (raising the same error for a
    #: damaged row), at the C splitter's pace: (data rows that are not blank, the records after the
    #: header in order, the first being row ``header row + 1``), each record kept compactly — a record
    #: whose cells hold no control character at all (nearly all) as the text of its cells joined by
    #: :data:`RECORD_SEP` (blank: empty or only spaces), any other as the tuple of its cells, a blank one
    #: as None; ``rows`` is unused
    records: Callable[[], tuple[int, int, list[str | tuple[str, ...] | None]]] | None = None


def read_table(path: Path) -> RawTable:
    path = Path(path)
    if not path.exists():
        raise CatalogFileError("no such file", source=str(path))
    if path.is_dir():
        raise CatalogFileError("is a folder, not a catalog file", source=str(path))
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path)
    if suffix == ".xls":
        raise CatalogFileError("old Excel .xls files are not supported; "
                               "save it as .xlsx or as CSV (UTF-8) and import that", source=path.name)
    if suffix in CSV_SUFFIXES or not suffix:
        return _read_csv(path)
    raise CatalogFileError(f"unsupported file type '{suffix}'; use CSV or XLSX", source=path.name)


# --------------------------------------------------------------------------- CSV
def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). UTF-8 (with or without BOM), UTF-16 with BOM, else cp1254."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8"), "utf-8-sig"
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise CatalogFileError(f"the file says it is UTF-16 but byte {exc.start} is not valid UTF-16") from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Turkish Excel "CSV (virgülle ayrılmış)" writes Windows-1254; it decodes every byte but 0x81, 0x8D,
    # 0x8E, 0x8F, 0x90, 0x9D, 0x9E.
    try:
        return data.decode("cp1254"), "cp1254"
    except UnicodeDecodeError as exc:
        raise CatalogFileError(
            f"cannot read the text of the file (byte {exc.start} is neither UTF-8 nor Windows-1254 "
            "Turkish); save it as CSV UTF-8 and import again"
        ) from None


def sniff_delimiter(first_line: str) -> str:
    """The separator used in the header line: the most frequent of tab, ``;`` and ``,`` outside quotes."""
    counts = {"\t": 0, ";": 0, ",": 0}
    quoted = False
    for ch in first_line:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(counts, key=lambda c: (counts[c], c == ","))
    return best if counts[best] else ","


def _read_bytes(path: Path, *, only_check: bool = False) -> bytes:
    try:
        if only_check:
            check_file(path, door="catalog file", max_bytes=MAX_FILE_BYTES)
            return b""
        return read_limited(path, door="catalog file", max_bytes=MAX_FILE_BYTES)
    except InputError as exc:
        raise CatalogFileError(exc.reason + (" (split the file)" if "KB" in exc.reason else ""),
                               source=path.name) from None


_C0_BYTES = bytes(range(0x20)) + b"\x7f"
_UTF8_C1 = re.compile(rb"\xc2[\x80-\x9f]")  # U+0080-U+009F in UTF-8


def _only_breaks(data: bytes, encoding: str, text: str, breaks: str) -> bool:
    """Whether the file holds no character of values.CONTROL_ANY but those in ``breaks`` (each a
    control character of ASCII): for UTF-8 and Windows-1254 looked for in the bytes (C speed, a tenth
    of a search of the text), else in the text."""
    if encoding in ("utf-8", "utf-8-sig", "cp1254"):
        # an ASCII control character is its own byte in both (and no byte of another character)
        if len(data.translate(None, _C0_BYTES.translate(None, breaks.encode()))) != len(data):
            return False
        if encoding == "cp1254":  # its bytes 0x80-0x9f are letters and signs (or refused): no C1, no U+2028/9
            return True
        return (b"\xc2" not in data or not _UTF8_C1.search(data)) \
            and (b"\xe2" not in data or (b"\xe2\x80\xa8" not in data and b"\xe2\x80\xa9" not in data))
    others = "".join(re.escape(chr(c)) for c in range(0x20) if chr(c) not in breaks)
    return re.search(f"[{others}\x7f-\x9f\u2028\u2029]", text) is None


def _lines(text: str, piece: int = 1 << 20) -> Iterator[str]:
    """The lines of ``text`` exactly as ``io.StringIO(text, newline="")`` gives them (ending in ``\\n``,
    ``\\r\\n`` or ``\\r``), read through pieces of about 1 MB cut after a ``\\n``: a StringIO holds its
    text at 4 bytes a character, 100 MB for a 100k-row catalog read in one."""
    def pieces() -> Iterator[str]:
        start, end = 0, len(text)
        while start < end:
            cut = text.find("\n", start + piece)
            cut = end if cut < 0 else cut + 1
            yield text[start:cut]
            start = cut

    return chain.from_iterable(map(partial(io.StringIO, newline=""), pieces()))


def _split_lines(text: str, delimiter: str, piece: int = 1 << 20) -> list[str]:
    """The lines of a text (``str.splitlines``), each with its delimiters replaced by :data:`RECORD_SEP`,
    made from pieces of about 1 MB cut after a ``\\n`` (not one more copy of the whole text)."""
    out: list[str] = []
    start, end = 0, len(text)
    while start < end:
        cut = text.find("\n", start + piece)
        cut = end if cut < 0 else cut + 1
        out += text[start:cut].replace(delimiter, RECORD_SEP).splitlines()
        start = cut
    return out


def _read_csv(path: Path) -> RawTable:
    data = _read_bytes(path)
    utf16 = data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE)
    if b"\x00" in data[:4096] and not utf16:
        raise CatalogFileError("is not a text (CSV) file", source=path.name)
    try:
        text, encoding = decode_bytes(data)
    except CatalogFileError as exc:
        exc.source = exc.source or path.name
        raise
    eol = text.find("\n")
    first_line = (text if eol < 0 else text[:eol]).rstrip("\r")
    skipped = 0
    if first_line.lower().startswith("sep=") and len(first_line) == 5:  # Excel's "sep=;" hint line
        delimiter = first_line[4]
        text = "" if eol < 0 else text[eol + 1:]
        skipped = 1
    else:
        delimiter = sniff_delimiter(first_line)
    # the control characters the text may hold at all: line breaks, and the delimiter if it is one (tab);
    # a file without any other (nearly every file) needs no search of each record for them
    breaks = "\n\r" + (delimiter if _UNCLEAN.match(delimiter) or delimiter == RECORD_SEP else "")
    only_breaks = _only_breaks(data, encoding, text, breaks)
    del data

    def split() -> tuple[list[str] | None, Iterator[tuple[int, tuple[str, ...]]]]:
        return csv_rows(text, delimiter, door="catalog file", source=path.name, first_row=1 + skipped,
                        error=lambda reason, row, column: CatalogFileError(reason, source=path.name, row=row,
                                                                           column=column))

    # the C splitter straight over the text (its header read here, its records by records()); anything
    # it stops at is left to the careful split, which raises the error naming the row
    csv.field_size_limit(MAX_FIELD_CHARS)
    reader: Iterator[list[str]] | None = None
    header: list[str] | None = None
    if "\x00" not in text:  # (a NUL byte: the careful split names its row and column)
        reader = csv.reader(_lines(text), delimiter=delimiter, strict=True)
        try:
            header = next(reader, None)
        except csv.Error:
            reader = None
        else:
            if header is not None and len(header) > MAX_COLUMNS:
                reader = None
    if reader is None:
        header = split()[0]
    if header is None:
        raise CatalogFileError("is empty", source=path.name)

    def rows() -> Iterator[tuple[int, tuple[str, ...]]]:
        yield from split()[1]

    def records() -> tuple[int, int, list[str | tuple[str, ...] | None]]:
        first = 2 + skipped  # the row number of the first record after the header
        if reader is not None and only_breaks and '"' not in text and (delimiter.isprintable() or delimiter == "\t"):
            # no quoted cell and no control character but line breaks (and a tab delimiter): each line is a
            # record and its cells are the line split at the delimiter, exactly as the C splitter splits it
            # (str.splitlines breaks lines at more characters, none of which the file holds)
            lines = _split_lines(text, delimiter)
            # (a line shorter than MAX_COLUMNS cannot hold MAX_COLUMNS separators: counted only if longer)
            if lines and len(lines) - 1 <= MAX_ROWS and (longest := max(map(len, lines))) <= MAX_FIELD_CHARS \
                    and (longest < MAX_COLUMNS or max(map(methodcaller("count", RECORD_SEP), lines)) < MAX_COLUMNS):
                del lines[0]  # the header
                return len(lines) - lines.count("") - sum(map(str.isspace, lines)), first, lines
            del lines  # a limit the careful split words
        if reader is not None:
            out: list[str | tuple[str, ...] | None] = []
            append = out.append
            sep = RECORD_SEP
            unclean = _UNCLEAN.search
            data = 0
            try:
                if only_breaks:  # a cell can hold a control character only if it is quoted: a line break or tab
                    b1, b2, b3 = (breaks + breaks[-1])[:3]
                    for rec in reader:
                        if len(rec) > MAX_COLUMNS or len(out) >= MAX_ROWS:
                            break
                        j = sep.join(rec)
                        if not j or j.isspace():
                            append(None)
                            continue
                        data += 1
                        append(tuple(rec) if b1 in j or b2 in j or b3 in j else j)
                    else:
                        return data, first, out
                else:
                    for rec in reader:
                        if len(rec) > MAX_COLUMNS or len(out) >= MAX_ROWS:
                            break
                        j = sep.join(rec)
                        if not j or j.isspace():
                            append(None)
                            continue
                        data += 1
                        append(tuple(rec) if unclean(j) or j.count(sep) != len(rec) - 1 else j)
                    else:
                        return data, first, out
            except csv.Error:
                pass
            del out
        # something is wrong with the file: the careful split raises the error naming the row
        out = []
        data = 0
        for _n, cells in split()[1]:
            if any(c.strip() for c in cells):
                data += 1
                out.append(cells)
            else:
                out.append(None)
        return data, first, out

    return RawTable(tuple(header), rows(), encoding, delimiter, records=records)


# --------------------------------------------------------------------------- XLSX
def _read_xlsx(path: Path) -> RawTable:
    """The first worksheet, as stored: its declared dimension (``A1:XFD1048576``) is not trusted,
    missing rows cost nothing, cells right of the header are dropped, and a damaged sheet or
    cell is an error naming the row."""
    import zipfile

    from openpyxl import load_workbook

    _read_bytes(path, only_check=True)  # a regular file within the size limit
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
        if unpacked > MAX_XLSX_UNPACKED:
            raise CatalogFileError(f"unpacks to {unpacked // (1024 * 1024)} MB; at most "
                                   f"{MAX_XLSX_UNPACKED // (1024 * 1024)} MB", source=path.name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = load_workbook(path, read_only=True, data_only=True)
    except CatalogFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - any damage in the zip or its XML: one clear line
        raise CatalogFileError(f"is not a readable .xlsx workbook ({type(exc).__name__}: {exc})",
                               source=path.name) from None
    try:
        ws = wb.worksheets[0] if wb.worksheets else None
        if ws is None:
            raise CatalogFileError("has no worksheet", source=path.name)
        if hasattr(ws, "reset_dimensions"):
            ws.reset_dimensions()  # the declared size may be a million rows by 16384 columns
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            header = next(ws.iter_rows(max_row=1, values_only=True), None)
    except CatalogFileError:
        wb.close()
        raise
    except Exception as exc:  # noqa: BLE001
        wb.close()
        raise CatalogFileError(f"the first row cannot be read ({type(exc).__name__}: {exc})",
                               source=path.name, row=1) from None
    if header is None:
        wb.close()
        raise CatalogFileError("the first worksheet is empty", source=path.name)
    header = tuple("" if h is None else str(h) for h in header)
    while header and header[-1] == "":
        header = header[:-1]
    if len(header) > MAX_COLUMNS:
        wb.close()
        raise CatalogFileError(f"has {len(header)} columns; at most {MAX_COLUMNS}", source=path.name, row=1)
    width = len(header)
    # the data rows, cut at the header's width: a row with one styled cell in column XFD would
    # otherwise be padded to 16384 cells (and a sheet of such rows take minutes)
    it = ws.iter_rows(min_row=2, max_col=max(width, 1), values_only=True)

    def rows() -> Iterator[tuple[int, tuple[Any, ...]]]:
        n = 1
        data_rows = 0
        try:
            while True:
                batch: list[tuple[Any, ...]] = []
                damage: Exception | None = None
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        for rec in islice(it, 2000):
                            batch.append(rec)
                except Exception as exc:  # noqa: BLE001 - a damaged sheet (cut short, a NaN number, …)
                    damage = exc
                for rec in batch:
                    n += 1
                    if not rec or rec.count(None) == len(rec):
                        continue  # a row missing from the sheet, or empty
                    rec = tuple(rec[:width])
                    for i, cell in enumerate(rec):
                        if type(cell) is str and (len(cell) > MAX_FIELD_CHARS or "\x00" in cell):
                            raise CatalogFileError(f"is {len(cell)} characters long; at most {MAX_FIELD_CHARS}"
                                                   if len(cell) > MAX_FIELD_CHARS else "contains a NUL byte",
                                                   source=path.name, row=n, column=header[i] or str(i + 1))
                    if all(c is None or c == "" for c in rec):
                        continue  # an empty (maybe only formatted) row: the sheet's size is not trusted
                    data_rows += 1
                    if data_rows > MAX_ROWS:
                        raise CatalogFileError(f"more than {MAX_ROWS} rows; split the file", source=path.name, row=n)
                    yield n, rec
                if damage is not None:
                    raise CatalogFileError(f"the worksheet cannot be read from this row on, it is damaged "
                                           f"({type(damage).__name__}: {damage})", source=path.name, row=n + 1)
                if not batch:
                    return
        finally:
            wb.close()

    return RawTable(header, rows(), "xlsx", "")
