"""Turkish alphabetical order in the database (issue 15): c ç … g ğ h ı i … o ö … s ş … u ü, İ/I as i/ı.

SQLite gets a ``TURKISH`` collation on every connection (``register``, called from db.py's connect event);
PostgreSQL has ICU's ``tr-TR-x-icu``. Queries sort text columns with ``turkish(column)``, which
compiles to the right ``COLLATE`` for the dialect (and leaves other dialects alone).
"""

from __future__ import annotations

from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Boolean, String

from ..formats import tr_compare

NAME = "TURKISH"
POSTGRES_COLLATION = "tr-TR-x-icu"


def register(dbapi_conn) -> None:
    """Add the TURKISH collation to a sqlite3 connection."""
    dbapi_conn.create_collation(NAME, tr_compare)


class turkish(FunctionElement):  # noqa: N801 - reads like a SQL function
    """``column COLLATE "TURKISH"`` (SQLite) / ``COLLATE "tr-TR-x-icu"`` (PostgreSQL)."""

    inherit_cache = True
    type = String()
    name = "turkish"


@compiles(turkish)
def _plain(element, compiler, **kw) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(turkish, "sqlite")
def _sqlite(element, compiler, **kw) -> str:
    return f'{compiler.process(element.clauses, **kw)} COLLATE "{NAME}"'


def pg_collation(dialect) -> str | None:
    """The Turkish collation of this PostgreSQL server: ICU's, or None on a server built without
    ICU (then the database's own order; ``core/storage/postgres.py`` looks once per engine)."""
    return getattr(dialect, "n11_turkish_collation", POSTGRES_COLLATION)


@compiles(turkish, "postgresql")
def _postgresql(element, compiler, **kw) -> str:
    name = pg_collation(compiler.dialect)
    sql = compiler.process(element.clauses, **kw)
    return f'{sql} COLLATE "{name}"' if name else sql


#: the four i's are one letter in a search, as in formats.search_fold: "ince", "İNCE" and "INCE" (typed on an
#: English keyboard) all find "İnce"; "ılık" and "ILIK" find "ılık"
_TR_FOLD = dict.fromkeys("iIİı", "iIİı")


def text_glob(text: str) -> str:
    """A case-insensitive GLOB pattern for ``text`` that knows Turkish letters.

    SQLite's LIKE folds ASCII only, so "çanta" would not find "Çanta" and "siyah" not "SİYAH".
    GLOB with a character class per letter does, in C, with no Python callback per row.
    """
    out = ["*"]
    for ch in text:
        if ch in "*?[":
            out.append(f"[{ch}]")
            continue
        variants = _TR_FOLD.get(ch) or "".join(dict.fromkeys(c for c in ch + ch.lower() + ch.upper() if len(c) == 1))
        out.append(ch if len(variants) == 1 else f"[{variants}]")  # "]" alone is literal outside a class
    out.append("*")
    return "".join(out)


class _FoldedContains(FunctionElement):
    inherit_cache = True
    type = Boolean()
    name = "folded_contains"


def folded_contains(column, text: str) -> _FoldedContains:
    """``column`` contains ``text`` case-insensitively with Turkish letters folded: GLOB with a character
    class per letter on SQLite (``text_glob``), ILIKE elsewhere."""
    like = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return _FoldedContains(column, text_glob(text), like)


@compiles(_FoldedContains)
def _contains_plain(element, compiler, **kw) -> str:
    col, _glob, like = list(element.clauses)
    return f"{compiler.process(col, **kw)} ILIKE {compiler.process(like, **kw)}"


@compiles(_FoldedContains, "postgresql")
def _contains_postgresql(element, compiler, **kw) -> str:
    """lower() under ICU's Turkish rules (whatever the database's locale), then the four i's as one."""
    col, _glob, like = list(element.clauses)

    name = pg_collation(compiler.dialect)

    def fold(sql: str) -> str:
        collated = f'({sql}) COLLATE "{name}"' if name else f"({sql})"
        return f"translate(lower({collated}), 'ı', 'i')"

    return f"{fold(compiler.process(col, **kw))} LIKE {fold(compiler.process(like, **kw))}"


@compiles(_FoldedContains, "sqlite")
def _contains_sqlite(element, compiler, **kw) -> str:
    col, glob, _like = list(element.clauses)
    return f"{compiler.process(col, **kw)} GLOB {compiler.process(glob, **kw)}"
