"""One engine per database, a session factory, and schema upgrades on open.

Two engines sit behind the same models and Alembic migrations:

* **SQLite** (the embedded default, a file path): opened with WAL, foreign keys on,
  ``synchronous=NORMAL`` and a busy timeout; every transaction is ``BEGIN IMMEDIATE``, so
  transactions of all processes on the file run one after another.
* **PostgreSQL** (a URL ``postgresql+psycopg://user:password@host:port/dbname``, optionally
  ``?options=-csearch_path%3Dstore_x`` to keep one store in its own schema): every transaction
  first takes a transaction-scoped advisory lock of its schema (:data:`PG_LOCK_CLASS`), the
  PostgreSQL counterpart of ``BEGIN IMMEDIATE``: read-check-write sequences (the instance lease,
  a batch claim, "is this flow already running?") stay as serial as on SQLite, also between
  processes on different machines. ``lock_timeout`` plays the busy timeout.

Pure reads that need no such order (a task's records read before its results are applied, the
payload build's reads) can use :attr:`Database.read_session` instead: a snapshot that takes no
write lock (SQLite: a deferred ``BEGIN`` in WAL with ``PRAGMA query_only``; PostgreSQL:
``REPEATABLE READ READ ONLY`` without the schema's advisory lock), in which any write raises.

Either way the schema is created or upgraded by Alembic before anything else touches it, so a
database written by an older version opens without losing data, and one written by a newer
version is refused, never downgraded.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import threading
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from .collation import register as register_collations

SQLITE_HEADER = b"SQLite format 3\x00"
#: ``PRAGMA application_id`` stamped into every database file we create ("N11D")
APPLICATION_ID = int.from_bytes(b"N11D", "big")
#: tables that, without an application id, mark a file written by an older n11-desktop
_LEGACY_MARKERS = {"alembic_version", "channel"}
MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_S = 15


#: advisory lock class (first key) of the per-schema transaction lock on PostgreSQL ("N1")
PG_LOCK_CLASS = 0x4E31
PG_CONNECT_TIMEOUT_S = 10
#: engine execution option of :attr:`Database.read_session`'s connections (the engines' ``begin``
#: listeners open a read-only snapshot without the write lock for them)
READ_ONLY_OPTION = "n11_read_only"


class DatabaseError(Exception):
    """The database cannot be used (corrupt, not SQLite, unreadable, unreachable, newer schema)."""


@dataclass(frozen=True)
class Database:
    """An open database. ``path`` is the SQLite file, or None on PostgreSQL (see ``url``)."""

    path: Path | None
    engine: Engine
    session_factory: sessionmaker[Session]

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self.engine.dialect.name

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def url(self) -> str:
        """The database for people: the SQLite file, or the PostgreSQL URL without its password."""
        if self.path is not None:
            return str(self.path)
        return self.engine.url.render_as_string(hide_password=True)

    def target(self) -> str:
        """What :func:`open_database` needs to open this database again (another process): the
        file path, or the full URL — with its password, so hand it over privately (environment,
        pipe), never on a command line or in a log."""
        if self.path is not None:
            return str(self.path)
        return self.engine.url.render_as_string(hide_password=False)

    @cached_property
    def read_session(self) -> sessionmaker[Session]:
        """Sessions for pure reads, which never wait for (or hold up) a writer: each transaction is
        one snapshot without the write lock — on SQLite a deferred ``BEGIN`` (WAL readers see the
        last commit and block no one) with ``PRAGMA query_only``, on PostgreSQL ``REPEATABLE READ
        READ ONLY`` without the schema's advisory lock. A write in one raises (the session refuses
        to flush; the database refuses a statement) instead of taking the lock half way."""
        opts: dict = {READ_ONLY_OPTION: True}
        if not self.is_sqlite:
            opts.update(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        factory = sessionmaker(self.engine.execution_options(**opts), expire_on_commit=False)
        event.listen(factory, "before_flush", _refuse_flush)
        return factory

    def dispose(self) -> None:
        self.engine.dispose()


class ReadOnlyError(Exception):
    """Something tried to write in a :attr:`Database.read_session` (a programming error)."""


def _refuse_flush(session: Session, _flush_context, _instances) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlyError("a read-only session cannot write (use session_factory.begin() to write)")


_URL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def is_database_url(target: object) -> bool:
    """Whether ``target`` (a ``--db`` value) is a database URL rather than an SQLite file path."""
    return isinstance(target, str) and bool(_URL_RE.match(target))


def db_target(value: str | Path) -> Path | str:
    """A ``--db`` value as :func:`open_database` takes it: a URL stays a string, a path a Path."""
    if isinstance(value, Path):
        return value
    return value if is_database_url(value) else Path(value)


def check_file(path: Path) -> None:
    """Refuse, read only, what cannot be an n11-desktop SQLite file: a folder, another
    file format, another application's database. A missing file passes (it will be created)."""
    if path.is_dir():
        raise DatabaseError(f"{path} is a folder, not a database file")
    if not path.exists():
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseError(f"cannot read database file {path}: {exc.strerror or exc}") from None
    if head and head != SQLITE_HEADER:
        raise DatabaseError(f"{path} is not an n11-desktop database (not an SQLite file)")
    if head:
        _check_owner(path)


def _read_owner(path: Path, *, immutable: bool) -> tuple[int, set[str]]:
    uri = path.resolve().as_uri() + ("?mode=ro&immutable=1" if immutable else "?mode=ro")
    con = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S)
    try:
        app_id = con.execute("PRAGMA application_id").fetchone()[0]
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%'")}
        return app_id, tables
    finally:
        con.close()


def _check_owner(path: Path) -> None:
    """Refuse, without writing to it, an SQLite file that belongs to another application.

    Ours: our application id; or no application id and either no tables at all (a new file),
    our Alembic table plus our ``channel`` table (written before the id was stamped), or
    only tables of our schema (a first open that stopped half way).
    """
    # Without a -wal file nobody has it open in WAL mode: read it as immutable, so that not even the
    # -wal/-shm side files a read-only WAL reader leaves behind are created. A read that races a
    # writer (or a -wal present) is done again the ordinary read-only way.
    immutable = not Path(f"{path}-wal").exists()
    try:
        app_id, tables = _read_owner(path, immutable=immutable)
    except sqlite3.Error as exc:
        if not immutable:
            raise DatabaseError(f"{path} cannot be opened as a database: {exc}") from None
        try:
            app_id, tables = _read_owner(path, immutable=False)
        except sqlite3.Error as exc2:
            raise DatabaseError(f"{path} cannot be opened as a database: {exc2}") from None
    if app_id == APPLICATION_ID:
        return
    if app_id != 0:
        raise DatabaseError(f"{path} belongs to another application (SQLite application id {app_id:#x}); "
                            "n11-desktop opens only its own database files and left it untouched")
    if not tables or _LEGACY_MARKERS <= tables:
        return
    foreign = foreign_tables(tables)
    if foreign:
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise DatabaseError(f"{path} is the database of another application (tables {', '.join(foreign[:3])}{more}); "
                            "n11-desktop opens only its own database files and left it untouched")


def _create_private(path: Path) -> None:
    """Create an empty file readable by its owner only (0600 on POSIX)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        os.close(fd)
    try:
        os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
    except OSError:  # pragma: no cover - e.g. filesystems without modes
        pass


#: connection record flag: PRAGMA query_only is on (a read_session transaction)
_QUERY_ONLY = "n11_query_only"


def make_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no cover - trivial
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own transaction handling breaks SAVEPOINTs).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_S * 1000}")
        cur.close()
        register_collations(dbapi_conn)  # ORDER BY … COLLATE "TURKISH" (collation.py)

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        info = conn.connection.info
        if conn.get_execution_options().get(READ_ONLY_OPTION):
            # Database.read_session: a deferred BEGIN reads one snapshot (from its first read on)
            # and takes no write lock; query_only makes any write fail instead of taking it
            conn.exec_driver_sql("BEGIN")
            if not info.get(_QUERY_ONLY):
                conn.exec_driver_sql("PRAGMA query_only = ON")
                info[_QUERY_ONLY] = True
            return
        if info.get(_QUERY_ONLY):  # (checkin switches it off; this only if that failed)
            conn.exec_driver_sql("PRAGMA query_only = OFF")
            info[_QUERY_ONLY] = False
        # IMMEDIATE: take the write lock up front so two writers wait instead of deadlocking.
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_conn, record) -> None:
        if dbapi_conn is not None and record.info.get(_QUERY_ONLY):
            try:
                dbapi_conn.execute("PRAGMA query_only = OFF")
            except sqlite3.Error:  # a broken connection: the next writer's begin switches it off
                return
            record.info[_QUERY_ONLY] = False

    return engine


def marks(conn_or_dialect, n: int) -> str:
    """``n`` positional placeholders for a driver-level statement (``exec_driver_sql``):
    ``?, ?`` for sqlite3, ``%s, %s`` for psycopg."""
    dialect = getattr(conn_or_dialect, "dialect", conn_or_dialect)
    mark = "?" if dialect.paramstyle in ("qmark", "numeric") else "%s"
    return ", ".join([mark] * n)


def mark(conn_or_dialect) -> str:
    """One positional placeholder of the driver (see :func:`marks`)."""
    return marks(conn_or_dialect, 1)


_DATETIME_PROCS: dict[str, object] = {}


def datetime_param(conn_or_dialect, v):
    """A DateTime value as the driver takes it in a driver-level statement: on SQLite the text an
    ORM write of the schema's DateTime columns stores (one processor per dialect, made once)."""
    dialect = getattr(conn_or_dialect, "dialect", conn_or_dialect)
    try:
        proc = _DATETIME_PROCS[dialect.name]
    except KeyError:
        from sqlalchemy import DateTime

        proc = _DATETIME_PROCS[dialect.name] = DateTime().dialect_impl(dialect).bind_processor(dialect)
    return proc(v) if proc is not None and v is not None else v


def dialect_insert(conn_or_dialect):
    """``insert()`` with ``on_conflict_do_update`` for the engine (SQLite or PostgreSQL)."""
    dialect = getattr(conn_or_dialect, "dialect", conn_or_dialect)
    if dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def bare_engine(target: Path | str) -> Engine:
    """An engine on ``target`` (file or URL) with the engine's settings, without any check or
    migration (tools and tests that look at a database as it is)."""
    if is_database_url(target):
        from .postgres import make_pg_engine, parse_url

        return make_pg_engine(parse_url(str(target)))
    return make_engine(Path(target))


def alembic_config(engine: Engine | None = None):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        cfg.attributes["engine"] = engine
    return cfg


#: Alembic's ``context`` is one module-level proxy: two threads migrating at once (``run
#: --all-stores`` opening a store while another is added) would trample each other's
_MIGRATE_LOCK = threading.Lock()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with _MIGRATE_LOCK:
        command.upgrade(alembic_config(engine), revision)


def migrate(engine: Engine, what: str, revision: str = "head") -> None:
    """Refuse a newer schema (:func:`check_revision`), then upgrade to ``revision``.

    A database already at the head (the everyday open) is recognised with one plain query of
    its ``alembic_version`` against :func:`head_of_scripts`, without importing Alembic (~12 MB
    in every process); anything else — a new or older database, one of a newer version, a
    version table Alembic would find odd — goes through Alembic exactly as before.
    """
    if revision == "head":
        head = head_of_scripts()
        if head is not None and _stored_revisions(engine) == [head]:
            return
    check_revision(engine, what)
    upgrade(engine, revision)


def _stored_revisions(engine: Engine) -> list[str] | None:
    """The rows of the database's ``alembic_version`` table, None without that table (read as
    Alembic reads them: the table in the connection's default schema)."""
    from sqlalchemy import inspect

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return [r[0] for r in conn.exec_driver_sql("SELECT version_num FROM alembic_version")]


_REVISION_LINE = re.compile(r"""^(down_revision|revision|branch_labels|depends_on)\s*(?::[^=]*)?=\s*(.*?)\s*(?:#.*)?$""", re.M)
_QUOTED = re.compile(r"""^(?:'([^'\\]+)'|"([^"\\]+)")$""")
_head_lock = threading.Lock()
_head_cache: list[str | None] = []


def head_of_scripts() -> str | None:
    """The head revision read from the migration scripts' ``revision =`` and ``down_revision =``
    lines (cached; no Alembic import). None — so that callers ask Alembic — whenever the scripts
    are anything but one plain chain of literal revision ids: a missing or odd line, a merge, a
    branch. tests/core/test_storage.py checks it against Alembic's own head."""
    with _head_lock:
        if not _head_cache:
            _head_cache.append(_parse_head(MIGRATIONS_DIR / "versions"))
        return _head_cache[0]


def _parse_head(versions: Path) -> str | None:
    parents: dict[str, str | None] = {}
    try:
        # the files Alembic loads from a version folder: every *.py but __init__ and editor locks
        files = [p for p in versions.iterdir()
                 if p.suffix == ".py" and p.is_file() and not p.name.startswith((".#", "__init__"))]
        for f in files:
            found: dict[str, list[str]] = {}
            for m in _REVISION_LINE.finditer(f.read_text(encoding="utf-8")):
                found.setdefault(m.group(1), []).append(m.group(2))
            if len(found.get("revision", ())) != 1 or len(found.get("down_revision", ())) != 1:
                return None
            if any(v != "None" for v in found.get("branch_labels", []) + found.get("depends_on", [])):
                return None
            rev, down = _QUOTED.match(found["revision"][0]), found["down_revision"][0]
            down_m = _QUOTED.match(down)
            if rev is None or (down != "None" and down_m is None):
                return None
            rev_id = rev.group(1) or rev.group(2)
            if rev_id in parents:
                return None
            parents[rev_id] = None if down == "None" else (down_m.group(1) or down_m.group(2))
    except (OSError, UnicodeDecodeError):
        return None
    roots = [r for r, d in parents.items() if d is None]
    children = [d for d in parents.values() if d is not None]
    if len(roots) != 1 or len(set(children)) != len(children) or not set(children) <= set(parents):
        return None
    heads = set(parents) - set(children)
    return next(iter(heads)) if len(heads) == 1 else None


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def open_database(path: Path | str, *, revision: str = "head") -> Database:
    """Open (creating if needed) and upgrade the database at ``path``: an SQLite file path, or a
    ``postgresql+psycopg://`` URL (a ``str``; see :func:`db_target`).

    Raises :class:`DatabaseError` with a one-line reason when the database cannot be used.
    """
    if is_database_url(path):
        from .postgres import open_postgresql

        return open_postgresql(str(path), revision=revision)
    path = Path(path)
    check_file(path)
    _create_private(path)
    engine = make_engine(path)
    try:
        with engine.connect() as conn:
            result = conn.exec_driver_sql("PRAGMA quick_check").scalar()
            if result != "ok":
                raise DatabaseError(f"{path} is damaged (integrity check: {result})")
        migrate(engine, str(path), revision)
        with engine.connect() as conn:
            if conn.exec_driver_sql("PRAGMA application_id").scalar() != APPLICATION_ID:
                conn.exec_driver_sql(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.commit()
    except DatabaseError:
        engine.dispose()
        raise
    except (sqlite3.DatabaseError, Exception) as exc:  # noqa: BLE001 - one clear line for the operator
        engine.dispose()
        from sqlalchemy.exc import DatabaseError as SADatabaseError

        if isinstance(exc, (SADatabaseError, sqlite3.DatabaseError)):
            orig = getattr(exc, "orig", exc)
            raise DatabaseError(f"{path} cannot be opened as a database: {orig}") from None
        raise
    factory = sessionmaker(engine, expire_on_commit=False)
    return Database(path=path, engine=engine, session_factory=factory)


def check_revision(engine: Engine, what: str) -> None:
    """Refuse a database whose schema a newer n11-desktop migrated further (never downgrade it)."""
    stored = _stored_revisions(engine)
    if not stored or (len(stored) == 1 and stored[0] == head_of_scripts()):
        return  # a new database, or one at the head: no Alembic needed to know it is not newer
    cur = current_revision(engine)
    if cur is not None and cur not in _known_revisions():
        raise DatabaseError(f"{what} was written by a newer n11-desktop (schema {cur}); upgrade the app to open it")


def foreign_tables(tables: set[str]) -> list[str]:
    """The tables of ``tables`` that are not n11-desktop's (sorted)."""
    from .models import FTS_TABLE_PREFIX, Base

    return sorted(t for t in tables - set(Base.metadata.tables) - {"alembic_version"}
                  if not t.startswith(FTS_TABLE_PREFIX))


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {rev.revision for rev in script.walk_revisions()}
