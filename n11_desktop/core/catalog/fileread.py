"""Reading a merchant's catalog file (CSV or XLSX) into a header and raw rows.

Turkish merchants' files come from Excel with a Turkish locale: ``;`` separators, Windows-1254
(cp1254) text without a BOM, UTF-8 with a BOM, or "Unicode text" (UTF-16, tab separated).
This module only decodes and splits; :mod:`.values` turns cells into typed values.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

CSV_SUFFIXES = {".csv", ".txt", ".tsv"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


class CatalogFileError(Exception):
    """The file as a whole cannot be imported (unreadable, wrong format, bad header)."""


@dataclass(frozen=True, slots=True)
class RawTable:
    header: tuple[str, ...]
    rows: Iterator[tuple[int, tuple[Any, ...]]]  # (row number as the merchant sees it, cells)
    encoding: str = ""
    delimiter: str = ""


def read_table(path: Path) -> RawTable:
    path = Path(path)
    if not path.exists():
        raise CatalogFileError(f"{path}: no such file")
    if path.is_dir():
        raise CatalogFileError(f"{path} is a folder, not a catalog file")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path)
    if suffix == ".xls":
        raise CatalogFileError(f"{path.name}: old Excel .xls files are not supported; "
                               "save it as .xlsx or as CSV (UTF-8) and import that")
    if suffix in CSV_SUFFIXES or not suffix:
        return _read_csv(path)
    raise CatalogFileError(f"{path.name}: unsupported file type '{suffix}'; use CSV or XLSX")


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


def _read_csv(path: Path) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CatalogFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    if b"\x00" in data[:4096] and not (data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE)):
        raise CatalogFileError(f"{path.name} is not a text (CSV) file")
    text, encoding = decode_bytes(data)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    skipped = 0
    if first_line.lower().startswith("sep=") and len(first_line) == 5:  # Excel's "sep=;" hint line
        delimiter = first_line[4]
        text = text.split("\n", 1)[1] if "\n" in text else ""
        skipped = 1
    else:
        delimiter = sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise CatalogFileError(f"{path.name} is empty") from None
    except csv.Error as exc:
        raise CatalogFileError(f"{path.name}: the header line cannot be read: {exc}") from None

    def rows() -> Iterator[tuple[int, tuple[Any, ...]]]:
        n = 1 + skipped
        while True:
            try:
                rec = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                raise CatalogFileError(f"row {n + 1}: the CSV cannot be read past this row: {exc}") from None
            n += 1
            yield n, tuple(rec)

    return RawTable(tuple(header), rows(), encoding, delimiter)


# --------------------------------------------------------------------------- XLSX
def _read_xlsx(path: Path) -> RawTable:
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CatalogFileError(f"{path.name} is not a readable .xlsx workbook ({type(exc).__name__}: {exc})") from None
    ws = wb.worksheets[0] if wb.worksheets else None
    if ws is None:
        wb.close()
        raise CatalogFileError(f"{path.name} has no worksheet")
    it = ws.iter_rows(values_only=True)
    try:
        header = next(it)
    except StopIteration:
        wb.close()
        raise CatalogFileError(f"{path.name}: the first worksheet is empty") from None
    header = tuple("" if h is None else str(h) for h in header)
    while header and header[-1] == "":
        header = header[:-1]

    def rows() -> Iterator[tuple[int, tuple[Any, ...]]]:
        try:
            for n, rec in enumerate(it, start=2):
                yield n, tuple(rec)
        finally:
            wb.close()

    return RawTable(header, rows(), "xlsx", "")
