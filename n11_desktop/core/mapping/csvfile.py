"""The mapping CSV of DESIGN §9: ``kind,local,n11_id,category_id,custom_value`` rows of
category mappings, attribute rules, value maps, the operator's terms and attribute defaults.
Import writes the good rows through :mod:`.store` (each bad row is reported and changes
nothing); export writes every mapping in a deterministic order.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..inputs import (
    InputError,
    check_text,
    csv_rows,
    is_formula,
    neutralise_row,
    one_line,
    parse_id,
    read_limited,
    unneutralise,
)
from ..storage.models import AttributeRule, CategoryMapping, ValueMapping
from .store import (
    Change,
    MappingError,
    check_leaf,
    normalize_local_category,
    set_attribute_rule,
    set_category_mapping,
    set_value_mapping,
)

CSV_COLUMNS = ("kind", "local", "n11_id", "category_id", "custom_value")
REQUIRED_CSV_COLUMNS = ("kind", "local", "n11_id", "category_id")


class MappingFileError(InputError, MappingError):
    """A mapping file refused as a whole (not UTF-8, wrong header)."""

    def __init__(self, reason: str, *, source: str = "") -> None:
        InputError.__init__(self, "mapping file", reason, source)


@dataclass(frozen=True, slots=True)
class RowError:
    row: int  # file line number (header = 1)
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ImportReport:
    rows: int
    added: int
    updated: int
    unchanged: int
    errors: tuple[RowError, ...]

    @property
    def written(self) -> int:
        return self.added + self.updated

    def summary(self) -> str:
        return (f"{self.rows} rows: {self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
                f"{len(self.errors)} refused")


def _read_csv(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(row number, cells by column) of a mapping file; the whole file is refused (one line
    naming the row) when it cannot be read as a strict CSV within the input limits."""
    raw = read_limited(path, door="mapping file")
    try:
        content = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MappingFileError(f"not UTF-8 text (byte {exc.start}); save it as CSV UTF-8", source=str(path)) from None
    header_cells, records = csv_rows(content, ",", door="mapping file", source=Path(path).name)
    header = [h.strip().lower() for h in (header_cells or [])]
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in header]
    if missing:
        raise MappingFileError(f"missing column(s) {', '.join(missing)}; the header must be "
                               f"{','.join(REQUIRED_CSV_COLUMNS)}[,custom_value]", source=str(path))
    rows = []
    for n, rec in records:
        rows.append((n, {k: rec[i].strip() if i < len(rec) else "" for i, k in enumerate(header) if k}))
    return rows


def _name(column: str, value: str) -> str:
    """A name from the file: our own export's ``'=…`` escape undone; a live formula, control
    characters or an overlong name refused (a spreadsheet would run ``=HYPERLINK(…)``)."""
    escaped = unneutralise(value)
    if escaped != value:
        value = escaped  # written by our export: text, not a formula
    elif is_formula(value):
        raise _RowFail(column, f"starts with {value[0]!r}, which a spreadsheet runs as a formula; "
                               "names cannot start with = + - @, tab or CR")
    try:
        check_text(value, max_chars=500, allow_newlines=False)
    except ValueError as exc:
        raise _RowFail(column, str(exc)) from None
    return value


def _id(column: str, value: str) -> int:
    try:
        return parse_id(value)
    except ValueError as exc:
        raise _RowFail(column, f"{exc}") from None


def import_mapping_csv(session: Session, path: Path | str) -> ImportReport:
    """Write the good rows of a mapping file; each bad row is reported and changes nothing.

    Rows apply in file order (an ``attribute`` row can be followed by its ``value`` rows).
    Importing the same file twice changes nothing the second time.
    """
    rows = _read_csv(Path(path))
    added = updated = unchanged = 0
    errors: list[RowError] = []
    seen_category: dict[str, tuple[int, int]] = {}
    for n, rec in rows:
        kind = rec.get("kind", "").lower()
        local = rec.get("local", "")
        n11 = rec.get("n11_id", "")
        cat = rec.get("category_id", "")
        custom = rec.get("custom_value", "")
        if not any(rec.values()):
            continue
        try:
            if kind not in ("category", "attribute", "value", "term", "default"):
                raise _RowFail("kind", f"unknown kind {kind!r} (category, attribute, value, term or default)")
            if not local:
                raise _RowFail("local", "empty")
            local = _name("local", local)
            if custom:
                custom = _name("custom_value", custom)
            cid = _id("category_id", cat) if cat else 0
            nid: int | None = _id("n11_id", n11) if n11 else None
            if cid and kind in ("attribute", "value"):
                _col("category_id", check_leaf, session, cid)
            with session.begin_nested():
                if kind == "term":  # local word → N11's word (custom_value), for the category suggestions
                    from .suggest import operator_terms, set_operator_term

                    if not custom:
                        raise _RowFail("custom_value", "empty (N11's word for the local word)")
                    before = operator_terms(session).get(local)
                    msg = _col("custom_value", set_operator_term, session, local, custom)
                    change = Change("unchanged" if before == custom else "updated" if before else "added", msg)
                elif kind == "default":  # N11 attribute id (local) → value id (n11_id) or value name/free text
                    from .defaults import set_attribute_default

                    aid = _id("local", local)
                    if nid is None and not custom:
                        raise _RowFail("n11_id", "empty (the N11 value id, or fill custom_value)")
                    change = _col("n11_id", set_attribute_default, session, aid, value_id=nid,
                                  custom_value=custom or None, category_id=cid)
                elif kind == "category":
                    if nid is None:
                        raise _RowFail("n11_id", "empty (the N11 leaf category id)")
                    key = normalize_local_category(local)
                    if key in seen_category and seen_category[key][1] != nid:
                        raise _RowFail("n11_id", f"“{key}” is already mapped to {seen_category[key][1]} in row "
                                                 f"{seen_category[key][0]}; a local category maps to exactly one leaf")
                    change = _col("n11_id", set_category_mapping, session, key, nid, replace=True, source="import")
                    seen_category.setdefault(key, (n, nid))
                elif kind == "attribute":
                    if nid is None:
                        raise _RowFail("n11_id", "empty (the N11 attribute id)")
                    change = _col("n11_id", set_attribute_rule, session, local, nid, cid, source="import")
                else:
                    name, sep, value = local.partition("=")
                    if not sep or not name.strip() or not value.strip():
                        raise _RowFail("local", f"must be Name=Value (got {local!r})")
                    if nid is None and not custom:
                        raise _RowFail("n11_id", "empty (the N11 value id, or fill custom_value)")
                    change = _col("n11_id", set_value_mapping, session, name.strip(), value.strip(), value_id=nid,
                                  custom_value=custom or None, category_id=cid, source="import")
        except _RowFail as fail:
            errors.append(RowError(n, fail.column, fail.reason))
            continue
        except MappingError as exc:
            errors.append(RowError(n, "category_id" if "category" in str(exc).lower() and cat else "local", str(exc)))
            continue
        except (ValueError, OverflowError) as exc:  # a value the database cannot hold: this row only
            errors.append(RowError(n, "local", f"cannot be stored ({one_line(str(exc), 120)})"))
            continue
        if change.action == "added":
            added += 1
        elif change.action == "updated":
            updated += 1
        else:
            unchanged += 1
    if added or updated:  # each row is in the audit trail already; this names the import as one version
        from ..audit import record

        record(session, "mapping", "mapping import", f"file:{Path(path).name}",
               f"{added} added, {updated} updated, {unchanged} unchanged, {len(errors)} refused")
    return ImportReport(len(rows), added, updated, unchanged, tuple(errors))


class _RowFail(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column, self.reason = column, reason


def _col(column: str, fn, *args, **kw) -> Change:
    try:
        return fn(*args, **kw)
    except MappingError as exc:
        raise _RowFail(column, str(exc)) from None


def export_rows(session: Session) -> list[tuple[str, str, str, str, str]]:
    out: list[tuple[str, str, str, str, str]] = []
    for m in sorted(session.scalars(select(CategoryMapping)), key=lambda m: m.local_category):
        out.append(("category", m.local_category, str(m.category_id), "", ""))
    for r in sorted(session.scalars(select(AttributeRule)), key=lambda r: (r.local_attribute, r.category_id)):
        out.append(("attribute", r.local_attribute, str(r.attribute_id), str(r.category_id) if r.category_id else "", ""))
    for v in sorted(session.scalars(select(ValueMapping)),
                    key=lambda v: (v.local_attribute, v.local_value, v.category_id)):
        out.append(("value", f"{v.local_attribute}={v.local_value}", "" if v.value_id is None else str(v.value_id),
                    str(v.category_id) if v.category_id else "", v.custom_value or ""))
    from .defaults import attribute_defaults
    from .suggest import operator_terms

    for local, n11 in sorted(operator_terms(session).items()):
        out.append(("term", local, "", "", n11))
    for (cid, aid), d in sorted(attribute_defaults(session).items(), key=lambda kv: (kv[0][1], kv[0][0])):
        out.append(("default", str(aid), "" if d.value_id is None else str(d.value_id), str(cid) if cid else "",
                    "" if d.value_id is not None else (d.custom or d.name)))
    return out


def export_mapping_csv(session: Session, path: Path | str) -> int:
    """Write every mapping as the CSV of DESIGN §9 (deterministic order); returns rows written."""
    rows = export_rows(session)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    w.writerows(neutralise_row(r) for r in rows)  # a name like =HYPERLINK(…) stays text in Excel
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(buf.getvalue(), encoding="utf-8", newline="")
    tmp.replace(target)
    return len(rows)
