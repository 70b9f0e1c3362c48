"""PostgreSQL as the second database engine (psycopg 3), beside the embedded SQLite file.

A database is addressed by a URL ``postgresql+psycopg://user:password@host:port/dbname``
(``postgresql://`` and ``postgres://`` are taken as psycopg too). A store may live in a schema
of its own: ``?options=-csearch_path%3Dstore_x``. Everything the app creates — its tables, the
``alembic_version`` row, the log's trigram indexes — goes into the first schema of the
``search_path`` (created on the first open when it does not exist), and every query resolves
its tables through the ``search_path``, so two stores in two schemas of one database never see
each other's rows and each is migrated on its own.

What SQLite does for safety, PostgreSQL does here:

* ``BEGIN IMMEDIATE`` (one writer at a time) -> every transaction starts with
  ``pg_advisory_xact_lock(PG_LOCK_CLASS, hashtext(current_schema()))``: transactions on one
  store run one after another, across processes and machines, and the lock goes with the
  transaction (a killed process's connection ends, and with it its lock).
* the busy timeout -> ``lock_timeout``; ``PRAGMA quick_check`` and the file checks -> nothing
  to do (the server owns its files); the application id -> a schema with tables of another
  application is refused, untouched.
* A host that cannot be reached, a wrong password or a missing database -> one line naming the
  host and the server's reason, never the password.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import sessionmaker

from .db import (
    BUSY_TIMEOUT_S,
    PG_CONNECT_TIMEOUT_S,
    PG_LOCK_CLASS,
    READ_ONLY_OPTION,
    Database,
    DatabaseError,
    foreign_tables,
    migrate,
)

#: how long a transaction waits for the store's lock (or a row lock) before it gives up. Longer
#: than SQLite's busy timeout: on a shared server several processes (the scheduler, each
#: operator's window, `run --all-stores`) queue for one store's lock, and a flow that waits is
#: better than one that fails and is retried a cycle later.
PG_LOCK_TIMEOUT_S = max(BUSY_TIMEOUT_S, 60)

_DRIVERS = {"postgresql", "postgres", "postgresql+psycopg", "postgresql+psycopg3"}
#: the lock every transaction takes first (see the module docstring)
TX_LOCK_SQL = f"SELECT pg_advisory_xact_lock({PG_LOCK_CLASS}, hashtext(coalesce(current_schema(), '')))"


def parse_url(url: str) -> URL:
    """The URL as SQLAlchemy takes it, with psycopg 3 as the driver; DatabaseError when it is not
    a PostgreSQL URL."""
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - whatever the parser says, one line
        raise DatabaseError(f"{redact(url)} is not a database URL "
                            "(expected postgresql+psycopg://user:password@host:port/dbname)") from None
    if parsed.drivername not in _DRIVERS:
        raise DatabaseError(f"{parsed.drivername}:// databases are not supported; use an SQLite file path "
                            "or postgresql+psycopg://user:password@host:port/dbname")
    if not parsed.database:
        raise DatabaseError(f"{redact(url)} names no database (postgresql+psycopg://user@host/DBNAME)")
    return parsed.set(drivername="postgresql+psycopg")


def redact(url: str) -> str:
    """``url`` with any password replaced by ``***`` (also for URLs SQLAlchemy cannot parse)."""
    return re.sub(r"(://[^:/@?#]*:)[^@/?#]*@", r"\1***@", url)


def where(url: URL) -> str:
    """``host:port/dbname`` for messages (the socket directory for a Unix-socket URL)."""
    host = url.host or url.query.get("host") or "localhost"
    if isinstance(host, tuple):
        host = ",".join(host)
    port = f":{url.port}" if url.port else ""
    return f"{host}{port}/{url.database}"


def _reason(exc: BaseException, password: str | None) -> str:
    """The server's reason of a failed connection in one line, e.g. ``password authentication
    failed for user "n11"`` or ``Connection refused``."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    msg = lines[0] if lines else type(orig).__name__
    # psycopg: 'connection failed: connection to server at "h" (1.2.3.4), port 5432 failed: FATAL:  ...'
    msg = re.sub(r"^connection failed:\s*", "", msg)
    msg = re.sub(r'^connection to server (at|on) .*? failed:\s*', "", msg)
    msg = re.sub(r"^(FATAL|ERROR):\s*", "", msg)
    if password:
        msg = msg.replace(password, "***")
    return msg or type(orig).__name__


def refuse_foreign_schema(what: str, tables: set[str]) -> None:
    """Refuse, in one line, a schema that holds another application's tables and not ours."""
    foreign = foreign_tables(tables)
    if foreign and "alembic_version" not in tables:
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise DatabaseError(f"{what} holds the tables of another application ({', '.join(foreign[:3])}{more}); "
                            "n11-desktop opens only its own schema and left it untouched "
                            "(choose another database or schema: ?options=-csearch_path%3Dname)")


def make_pg_engine(url: URL) -> Engine:
    engine = create_engine(
        url,
        pool_pre_ping=True,  # a server restart or a dropped connection is noticed, not raised
        connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "n11-desktop"},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
        with dbapi_conn.cursor() as cur:
            cur.execute(f"SET lock_timeout = '{PG_LOCK_TIMEOUT_S}s'")
            cur.execute("SET TIME ZONE 'UTC'")
        dbapi_conn.commit()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        # Database.read_session (REPEATABLE READ READ ONLY, set on its connections by SQLAlchemy):
        # one snapshot, no lock; anything else takes the store's lock
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            return
        # the PostgreSQL BEGIN IMMEDIATE: one transaction at a time per store (schema)
        conn.exec_driver_sql(TX_LOCK_SQL)

    return engine


def _ensure_schema(conn) -> tuple[str, bool]:
    """The schema the app works in (the first of the search_path), created when it is missing
    (then True)."""
    schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
    if schema:
        return schema, False
    path = conn.exec_driver_sql("SHOW search_path").scalar() or ""
    first = next((p.strip() for p in path.split(",") if p.strip() and p.strip() != '"$user"'), "")
    first = first[1:-1].replace('""', '"') if first.startswith('"') and first.endswith('"') else first
    if not first:
        raise DatabaseError("the search_path names no schema to create the tables in")
    quoted = '"' + first.replace('"', '""') + '"'
    conn.exec_driver_sql(f"CREATE SCHEMA IF NOT EXISTS {quoted}")
    conn.commit()
    return first, True


def open_postgresql(url: str, *, revision: str = "head") -> Database:
    """Open a PostgreSQL database (a schema of it), creating the tables or upgrading them."""
    parsed = parse_url(url)
    label = where(parsed)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise DatabaseError("PostgreSQL needs the psycopg package: pip install 'psycopg[binary]'") from None
    engine = make_pg_engine(parsed)
    try:
        try:
            with engine.connect() as conn:
                schema, created = _ensure_schema(conn)
                conn.commit()
            if created:  # the dialect met the connection without a schema: start afresh
                engine.dispose()
                engine = make_pg_engine(parsed)
        except DatabaseError:
            raise
        except Exception as exc:  # noqa: BLE001 - one clear line for the operator
            raise DatabaseError(f"cannot open PostgreSQL database {label}: {_reason(exc, parsed.password)}") from None
        with engine.connect() as conn:  # a server built without ICU has no Turkish collation
            from .collation import POSTGRES_COLLATION

            has_tr = conn.exec_driver_sql("SELECT 1 FROM pg_collation WHERE collname = %s",
                                          (POSTGRES_COLLATION,)).scalar()
        engine.dialect.n11_turkish_collation = POSTGRES_COLLATION if has_tr else None  # type: ignore[attr-defined]
        what = f"PostgreSQL database {label}" + (f" (schema {schema})" if schema != "public" else "")
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
        refuse_foreign_schema(what, tables)
        migrate(engine, what, revision)
    except DatabaseError:
        engine.dispose()
        raise
    except Exception as exc:  # noqa: BLE001
        engine.dispose()
        from sqlalchemy.exc import DBAPIError

        if isinstance(exc, DBAPIError):
            raise DatabaseError(f"cannot open PostgreSQL database {label}: {_reason(exc, parsed.password)}") from None
        raise
    factory = sessionmaker(engine, expire_on_commit=False)
    return Database(path=None, engine=engine, session_factory=factory)


def local_name(url: str) -> str:
    """A file-name-safe name for per-database files beside the app's own (UI state): host, port,
    database and schema options, no user or password."""
    parsed = parse_url(url)
    options = parsed.query.get("options") or ""
    if isinstance(options, tuple):
        options = " ".join(options)
    m = re.search(r"search_path\s*=\s*([^\s,]+)", options)
    parts = [parsed.host or "local", str(parsed.port or 5432), parsed.database or "", m.group(1) if m else ""]
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", "-".join(p for p in parts if p))


