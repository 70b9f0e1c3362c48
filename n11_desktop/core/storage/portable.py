"""SQL pieces that read the same on SQLite and PostgreSQL where the two engines differ."""

from __future__ import annotations

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class _Sorted(FunctionElement):
    inherit_cache = True
    name = "sorted"
    descending = False


class asc_sqlite_nulls(_Sorted):  # noqa: N801 - reads like SQL
    """``col ASC`` with NULLs first, as SQLite sorts them (PostgreSQL: ``NULLS FIRST`` said)."""

    inherit_cache = True


class desc_sqlite_nulls(_Sorted):  # noqa: N801
    """``col DESC`` with NULLs last, as SQLite sorts them (PostgreSQL: ``NULLS LAST`` said)."""

    inherit_cache = True
    descending = True


@compiles(_Sorted)
def _plain(element, compiler, **kw) -> str:
    return f"{compiler.process(element.clauses, **kw)} {'DESC' if element.descending else 'ASC'}"


@compiles(_Sorted, "postgresql")
def _pg(element, compiler, **kw) -> str:
    order = "DESC NULLS LAST" if element.descending else "ASC NULLS FIRST"
    return f"{compiler.process(element.clauses, **kw)} {order}"


def sort_key(order_by: str, keys) -> tuple[str, bool]:
    """``"-price"`` → ``("price", True)``: the key of a list's ``order_by`` and whether it is descending
    ("" = ``keys[0]``); a key not in ``keys`` is refused with a one-line message."""
    key = order_by.lstrip("-+") or keys[0]
    if key not in keys:
        raise ValueError(f"cannot sort by {key!r}; use one of {', '.join(keys)}")
    return key, order_by.startswith("-")


def sorted_by(col, tiebreak, descending: bool) -> tuple:
    """ORDER BY terms for a paged list: ``col`` (NULLs where SQLite puts them, on PostgreSQL too), then the
    unique ``tiebreak`` (the id) the same way, so pages never skip or repeat a row of equal ``col``."""
    if descending:
        return desc_sqlite_nulls(col), tiebreak.desc()
    return asc_sqlite_nulls(col), tiebreak.asc()


class _AsciiCaseLike(FunctionElement):
    inherit_cache = True
    name = "ascii_case_like"


def like_any_case(col, pattern: str) -> _AsciiCaseLike:
    """``col LIKE pattern ESCAPE '\\'`` with ASCII letters in any case, as SQLite's LIKE matches:
    ``ILIKE`` on PostgreSQL (its LIKE is case-sensitive)."""
    from sqlalchemy import literal

    return _AsciiCaseLike(col, literal(pattern))


@compiles(_AsciiCaseLike)
def _like_plain(element, compiler, **kw) -> str:
    col, pattern = list(element.clauses)
    return f"{compiler.process(col, **kw)} LIKE {compiler.process(pattern, **kw)} ESCAPE '\\'"


@compiles(_AsciiCaseLike, "postgresql")
def _like_pg(element, compiler, **kw) -> str:
    col, pattern = list(element.clauses)
    return f"{compiler.process(col, **kw)} ILIKE {compiler.process(pattern, **kw)} ESCAPE '\\'"


def search_text(text: str | None) -> str | None:
    """A search box's text as a query can bind it on both engines: NUL characters removed, so a
    pasted invisible NUL is ignored alike on SQLite and PostgreSQL (which refuses NUL in a text
    parameter; the doors never store one)."""
    return text.replace("\x00", "") if text and "\x00" in text else text
