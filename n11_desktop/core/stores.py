"""Several N11 stores: a registry of named databases (no Qt).

A *store* is one N11 seller account driven by n11-desktop. Each store is its own database, so
its settings, catalog membership, mapping, flows, penalty box, logs and instance lease are its
own without a store column in any table: on SQLite its own file, on PostgreSQL its own database
or its own schema (a URL such as ``postgresql+psycopg://u@h/n11?options=-csearch_path%3Dshop_a``).

The registry is a small JSON file, ``stores.json`` in the user data directory (next to the
default database), or the file named by ``N11_DESKTOP_STORES`` (a server keeps it in e.g.
``/etc/n11-desktop/stores.json``)::

    {"version": 1, "default": "shop-a",
     "stores": {"shop-a": {"db": "stores/shop-a.db", "created": "2026-12-04T13:00:00Z"},
                "shop-b": {"db": "postgresql+psycopg://n11@db.example/n11?options=-csearch_path%3Dshop_b"}}}

``db`` is a URL (anything with ``://``) or a file path; a relative path is relative to the
folder of the registry file. Without a registry file there is one implicit store, ``default``,
the database ``n11-desktop.db`` of the user data directory, so a single operator sees no change.
Removing a store only forgets it: its data is deleted only when asked for explicitly, and never
while a process holds its instance lease.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable

from .inputs import InputError, one_line, shown

REGISTRY_ENV = "N11_DESKTOP_STORES"
REGISTRY_NAME = "stores.json"
LEGACY_STORE = "default"  #: the implicit store of an install without a registry
LEGACY_DB_NAME = "n11-desktop.db"
STORES_FOLDER = "stores"  #: new SQLite stores: <registry folder>/stores/<name>.db
MAX_NAME_CHARS = 64
MAX_REGISTRY_BYTES = 1024 * 1024
_NAME_RE = re.compile(r"^[^\W_][\w.-]*$")  # letters (Turkish too), digits, - _ . ; starts with a letter/digit
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


class StoreError(InputError):
    """A store operation refused (unknown name, bad name, in use …): one line for the operator."""

    def __init__(self, reason: str) -> None:
        ValueError.__init__(self, reason)
        self.door, self.source, self.row, self.column, self.reason = "stores", "", None, None, reason

    def __str__(self) -> str:
        return self.reason


@dataclass(frozen=True)
class Store:
    name: str
    db: str  # as written in the registry: a URL or a path (relative to the registry's folder)
    base: Path  # the registry's folder
    created: str = ""
    demo: bool = False  # a demo store: pointed at the built-in sandbox when opened
    catalog_source: str = ""  # a catalog file this store shares with others (linked, re-imported on demand)
    implicit: bool = False  # the legacy default database, not written in a registry file

    @property
    def is_url(self) -> bool:
        return "://" in self.db

    def target(self) -> Path | str:
        """What :func:`~.storage.db.open_database` takes: a URL string or a file path."""
        if self.is_url:
            return self.db
        p = Path(self.db).expanduser()
        return p if p.is_absolute() else self.base / p

    def location(self) -> str:
        """Where the data is, for lists and messages (a URL without its password)."""
        return redact_url(self.db) if self.is_url else str(self.target())

    def as_dict(self) -> dict:
        out: dict = {"db": self.db}
        if self.created:
            out["created"] = self.created
        if self.demo:
            out["demo"] = True
        if self.catalog_source:
            out["catalog_source"] = self.catalog_source
        return out


def redact_url(url: str) -> str:
    """``postgresql+psycopg://u:secret@h/db`` → ``postgresql+psycopg://u:***@h/db``."""
    return re.sub(r"(://[^/:@]*:)[^/@]*@", r"\1***@", url)


def registry_path() -> Path:
    env = os.environ.get(REGISTRY_ENV)
    if env:
        return Path(env).expanduser()
    from .paths import data_dir

    return data_dir() / REGISTRY_NAME


def check_name(name: str) -> str:
    name = str(name or "").strip()
    if not name:
        raise StoreError("a store needs a name")
    if len(name) > MAX_NAME_CHARS:
        raise StoreError(f"store name {shown(name)} is too long (at most {MAX_NAME_CHARS} characters)")
    if not _NAME_RE.match(name) or name.lower() in _RESERVED:
        raise StoreError(f"store name {shown(name)} is not usable: use letters, digits, '-', '_' and '.', "
                         "starting with a letter or digit (e.g. shop-a)")
    return name


@dataclass
class Registry:
    path: Path
    default: str | None = None
    stores: dict[str, Store] = field(default_factory=dict)
    exists: bool = False
    _legacy_missing: bool = False  # the implicit legacy store's file does not exist (not listed)

    # ------------------------------------------------------------------ reading
    @classmethod
    def load(cls, path: Path | None = None) -> "Registry":
        path = Path(path) if path is not None else registry_path()
        reg = cls(path=path)
        if not path.exists():
            legacy = path.parent / LEGACY_DB_NAME
            reg.stores[LEGACY_STORE] = Store(LEGACY_STORE, LEGACY_DB_NAME, path.parent, implicit=True)
            reg.default = LEGACY_STORE
            reg._legacy_missing = not legacy.exists()
            return reg
        try:
            if path.stat().st_size > MAX_REGISTRY_BYTES:
                raise StoreError(f"store registry {path} is larger than {MAX_REGISTRY_BYTES // 1024} KB")
            doc = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise StoreError(f"cannot read the store registry {path}: {exc.strerror or exc}") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise StoreError(f"the store registry {path} is not valid JSON ({one_line(str(exc), 120)}); "
                             "fix or remove it") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("stores", {}), dict):
            raise StoreError(f"the store registry {path} is not a store registry (expected an object with 'stores')")
        reg.exists = True
        for name, entry in (doc.get("stores") or {}).items():
            if not isinstance(entry, dict) or not isinstance(entry.get("db"), str) or not entry["db"]:
                raise StoreError(f"the store registry {path}: store {shown(name)} has no 'db'")
            reg.stores[str(name)] = Store(str(name), entry["db"], path.parent, created=str(entry.get("created") or ""),
                                          demo=bool(entry.get("demo")),
                                          catalog_source=str(entry.get("catalog_source") or ""))
        default = doc.get("default")
        reg.default = default if isinstance(default, str) and default in reg.stores else None
        return reg

    def names(self) -> list[str]:
        return sorted(self.stores, key=str.casefold)

    def listed(self) -> list[Store]:
        """The stores to show: the implicit legacy store only when its file exists."""
        return [self.stores[n] for n in self.names()
                if not (self.stores[n].implicit and self._legacy_missing)]

    def find(self, name: str) -> Store | None:
        if name in self.stores:
            return self.stores[name]
        folded = {n.casefold(): n for n in self.stores}
        real = folded.get(str(name).casefold())
        return self.stores[real] if real else None

    def get(self, name: str) -> Store:
        store = self.find(name)
        if store is None:
            known = ", ".join(s.name for s in self.listed()) or "none yet"
            raise StoreError(f"no store named {shown(name)} (known: {known}; `n11-desktop stores add NAME` adds one)")
        return store

    def default_store(self) -> Store | None:
        return self.stores.get(self.default) if self.default else None

    # ------------------------------------------------------------------ writing
    def save(self) -> None:
        # the implicit legacy store is written down when its file exists: it stays a store like the others
        self.stores = {n: (Store(s.name, s.db, s.base, s.created, s.demo, s.catalog_source) if s.implicit else s)
                       for n, s in self.stores.items() if not (s.implicit and self._legacy_missing)}
        if self.default not in self.stores:
            self.default = None
        self._legacy_missing = False
        doc = {"version": 1, "default": self.default,
               "stores": {s.name: s.as_dict() for s in sorted(self.stores.values(), key=lambda s: s.name.casefold())}}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".stores-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        self.exists = True

    def _new_entry_checks(self, name: str) -> str:
        name = check_name(name)
        other = self.find(name)
        if other is not None and not (other.implicit and self._legacy_missing):
            raise StoreError(f"a store named {shown(other.name)} already exists")
        if other is not None:  # the implicit legacy entry without a file: replaced
            del self.stores[other.name]
        return name

    def add(self, name: str, db: str | None = None, *, demo: bool = False, catalog_source: str = "") -> Store:
        """Register a store (does not create its database; see :func:`create_store`)."""
        name = self._new_entry_checks(name)
        if db is None:
            rel = Path(STORES_FOLDER) / f"{name}.db"
            if (self.path.parent / rel).exists():
                raise StoreError(f"{self.path.parent / rel} already exists but is no store; "
                                 f"register it with `n11-desktop stores add {name} --db {self.path.parent / rel}`")
            db = rel.as_posix()
        else:
            db = str(db).strip()
            if not db:
                raise StoreError("--db is empty")
            if "://" not in db:
                p = Path(db).expanduser()
                db = str(p if p.is_absolute() else p.resolve())
        if any(s.db == db for s in self.stores.values() if not (s.implicit and self._legacy_missing)):
            raise StoreError(f"store {next(s.name for s in self.stores.values() if s.db == db)} already uses "
                             f"{redact_url(db)}; two stores never share a database")
        created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        store = Store(name, db, self.path.parent, created=created, demo=demo, catalog_source=catalog_source)
        self.stores[name] = store
        if self.default is None or (self.default == LEGACY_STORE and self._legacy_missing):
            self.default = name
        return store

    def rename(self, old: str, new: str) -> Store:
        store = self.get(old)
        if store.name == new:
            return store
        if store.name.casefold() != str(new).casefold():
            new = self._new_entry_checks(new)
        else:
            new = check_name(new)
        del self.stores[store.name]
        renamed = Store(new, store.db, store.base, store.created, store.demo, store.catalog_source)
        self.stores[new] = renamed
        if self.default == store.name:
            self.default = new
        return renamed

    def forget(self, name: str) -> Store:
        store = self.get(name)
        del self.stores[store.name]
        if self.default == store.name:
            self.default = self.names()[0] if self.stores else None
        return store

    def set_default(self, name: str) -> Store:
        store = self.get(name)
        self.default = store.name
        return store

    def set_catalog_source(self, name: str, source: str) -> Store:
        store = self.get(name)
        updated = Store(store.name, store.db, store.base, store.created, store.demo, source)
        self.stores[store.name] = updated
        return updated


# ---------------------------------------------------------------------- resolving --store
def resolve(name: str | None, registry: Registry | None = None) -> Store:
    """The store ``--store NAME`` names, or without a name the default store."""
    reg = registry or Registry.load()
    if name:
        return reg.get(name)
    store = reg.default_store()
    if store is None:
        raise StoreError(f"no default store in {reg.path}; give --store NAME (`n11-desktop stores list`)")
    return store


def default_target(registry: Registry | None = None) -> Path | str:
    """What plain ``n11-desktop`` opens: the registry's default store, else the legacy database."""
    try:
        reg = registry or Registry.load()
    except StoreError:
        raise
    store = reg.default_store()
    if store is not None:
        return store.target()
    from .paths import default_db_path

    return default_db_path()


# ---------------------------------------------------------------------- operations on databases
def open_store(store: Store):
    from .storage.db import open_database

    return open_database(store.target())


def create_store(registry: Registry, name: str, db: str | None = None, *, demo: bool = False,
                 prepare: Callable[[Any], None] | None = None,
                 copy_from: str | None = None, copy_what: Iterable[str] = ("settings", "mapping"),
                 catalog_source: str = ""):
    """Register a store, create (migrate) its database, run ``prepare(db)`` (the demo profile of a
    demo store), copy from another store, and save the registry. The registry is written only when
    all of that worked; returns ``(store, CopyReport | None)``."""
    source = registry.get(copy_from) if copy_from else None
    old_default, old_stores = registry.default, dict(registry.stores)
    store = registry.add(name, db, demo=demo, catalog_source=catalog_source)
    target = store.target()
    created_file = isinstance(target, Path) and not target.exists()
    database = None
    report = None
    try:
        database = open_store(store)  # on PostgreSQL the search_path's schema is created when missing
        if prepare is not None:
            prepare(database)
        if source is not None:
            src_db = open_store(source)
            try:
                report = copy_between(src_db, database, copy_what)
            finally:
                src_db.dispose()
    except BaseException:
        if database is not None:
            database.dispose()
        registry.stores, registry.default = old_stores, old_default
        if created_file:
            _remove_sqlite_files(Path(target))
        raise
    database.dispose()
    registry.save()
    return store, report


def lease_holder(store: Store):
    """Who holds the instance lease of this store's database (stale or not), or None; read as the
    database is (see :func:`peek_lease`)."""
    return peek_lease(store)[1]


def peek_lease(store: Store):
    """``(state, holder)`` of a store's database, read as it is: nothing created, migrated or written.

    ``("missing", None)``: its SQLite file does not exist; ``("new", None)``: its file or
    PostgreSQL schema holds none of n11-desktop's tables yet (opening it creates them);
    ``("ok", holder)``: the lease holder (stale or not, or None), read from a database of this
    version or an older one. Raises DatabaseError (one line) for a database another application
    owns, one a newer n11-desktop migrated, or one that cannot be read."""
    from .instance import current_holder

    def read(engine):
        from sqlalchemy.orm import sessionmaker

        return current_holder(_Peek(sessionmaker(engine)))

    target = store.target()
    if store.is_url:
        found, holder = _look_at_pg(str(target), read)
        return ("ok", holder) if found.state == "ours" else ("new", None)
    if not target.exists():
        return "missing", None
    return _peek_sqlite(target, read)


@dataclass(frozen=True)
class _Peek:
    session_factory: Any  # what instance.current_holder reads through


def _peek_sqlite(path: Path, read):
    import sqlite3

    from sqlalchemy import create_engine, inspect
    from sqlalchemy.pool import NullPool

    from .storage.db import BUSY_TIMEOUT_S, DatabaseError, check_file, check_revision

    check_file(path)  # another application's file: refused, read only
    # read only; without a -wal file nobody has it open in WAL mode: immutable, no side files
    uri = path.resolve().as_uri() + ("?mode=ro&immutable=1" if not Path(f"{path}-wal").exists() else "?mode=ro")
    engine = create_engine("sqlite://", poolclass=NullPool,
                           creator=lambda: sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_S,
                                                           check_same_thread=False))
    try:
        try:
            with engine.connect() as conn:
                tables = set(inspect(conn).get_table_names())
            if "alembic_version" not in tables:
                return "new", None
            check_revision(engine, str(path))
            return "ok", read(engine)
        except DatabaseError:
            raise
        except Exception as exc:  # noqa: BLE001 - one clear line for the operator
            raise DatabaseError(f"{path} cannot be read: {one_line(str(getattr(exc, 'orig', exc)), 160)}") from None
    finally:
        engine.dispose()


def driven_elsewhere(db, now: float | None = None) -> bool:
    """Whether another live process holds this database's instance lease (it drives the store)."""
    from .instance import current_holder, this_host

    holder = current_holder(db)
    if holder is None or holder.is_stale(time.time() if now is None else now):
        return False
    return not (holder.pid == os.getpid() and holder.host == this_host())


def remove_store(registry: Registry, name: str, *, delete_data: bool = False, now: float | None = None,
                 refuse_if_driven: bool = False) -> Store:
    """Forget a store; with ``delete_data`` also delete its SQLite file (never a PostgreSQL
    database, never while a live process holds its lease). With ``refuse_if_driven`` (the app's
    Manage stores dialog) a store whose lease a live process holds — this one included — is not
    even forgotten."""
    store = registry.get(name)
    target = store.target()
    if refuse_if_driven and not delete_data and (store.is_url or Path(target).exists()):
        from .instance import refused_message

        holder = lease_holder(store)
        if holder is not None and not holder.is_stale(time.time() if now is None else now):
            raise StoreError(f"store {store.name} is in use: {refused_message(holder)}")
    if delete_data:
        if store.is_url:
            raise StoreError(f"store {store.name} lives on a database server ({store.location()}); "
                             "n11-desktop does not drop server databases: remove it without --delete-data "
                             "and drop the schema or database with the server's tools")
        if Path(target).exists():
            from .instance import refused_message

            holder = lease_holder(store)
            if holder is not None and not holder.is_stale(time.time() if now is None else now):
                raise StoreError(f"store {store.name} is in use: {refused_message(holder)}")
    registry.forget(store.name)
    registry.save()
    if delete_data and isinstance(target, Path):
        _remove_sqlite_files(target)
    return store


# ---------------------------------------------------------------------- named operations (Manage stores)
@dataclass(frozen=True)
class StoreRow:
    """One line of the app's Manage stores list."""

    name: str
    location: str  # a file path, or a URL without its password
    default: bool
    demo: bool
    state: str  # ok | new (no tables yet) | missing (no file yet) | unavailable
    reason: str = ""  # why it is unavailable (one line)
    holder: tuple[str, int, str] | None = None  # (role, pid, user@host) of a live lease holder


def store_rows(registry: Registry | None = None, now: float | None = None) -> list[StoreRow]:
    """Every listed store with its database (no password) and live lease holder, without creating
    or migrating anything (read off the GUI thread)."""
    reg = registry or Registry.load()
    now = time.time() if now is None else now
    rows = []
    for store in reg.listed():
        base = dict(name=store.name, location=store.location(), default=store.name == reg.default, demo=store.demo)
        try:
            state, holder = peek_lease(store)
        except Exception as exc:  # noqa: BLE001 - one broken store never hides the others
            rows.append(StoreRow(state="unavailable", reason=one_line(str(exc), 160), **base))
            continue
        live = None
        if holder is not None and not holder.is_stale(now):
            live = (holder.role, holder.pid, f"{holder.user}@{holder.host}" if holder.user else holder.host)
        rows.append(StoreRow(state=state, holder=live, **base))
    return rows


def add_store(name: str, db: str | None = None, *, copy_from: str | None = None, demo: bool = False,
              prepare: Callable[[Any], None] | None = None):
    """Add a store to the registry (the app's Manage stores → Add): its database is created and
    migrated, optionally filled from ``copy_from``; nothing is written when any of it fails.
    Returns ``(store, CopyReport | None)``."""
    db = (db or "").strip() or None
    _register_url_password(db or "")
    return create_store(Registry.load(), name, db, demo=demo, prepare=prepare, copy_from=copy_from or None)


def url_with_password(url: str, password: str = "") -> str:
    """``url`` with ``password`` put in (Manage stores → Add keeps the password out of sight in a
    field of its own); ``url`` as it is without a password or when it is not a URL. The password
    never reaches a log line from now on."""
    url = (url or "").strip()
    _register_url_password(url)
    if not password or "://" not in url:
        return url
    from .logsetup import register_secret

    register_secret(password)
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).set(password=password).render_as_string(hide_password=False)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy reads: opening it says why, in one line
        return url


def _register_url_password(url: str) -> None:
    if "://" not in url:
        return
    try:
        from sqlalchemy.engine import make_url

        password = make_url(url).password
    except Exception:  # noqa: BLE001
        return
    if password:
        from .logsetup import register_secret

        register_secret(str(password))


@dataclass(frozen=True)
class DatabaseCheck:
    """What Manage stores → Add → Test connection found at a database URL (nothing created or changed)."""

    where: str  # host:port/dbname
    server: str  # the server's version, e.g. "15.8"
    schema: str  # the schema the store's tables live in (the first of the URL's search_path)
    state: str  # new: no such schema yet | empty: no tables in it | ours: n11-desktop's tables


def check_database_url(url: str) -> DatabaseCheck:
    """Connect to a PostgreSQL URL and look at the schema a store there would use, creating and
    migrating nothing (run off the GUI thread: a connect may wait for its timeout). Raises
    DatabaseError with one line naming the host and the reason, never the password, when the
    database cannot be used for a store (unreachable, refused, a schema of another application,
    one a newer n11-desktop migrated)."""
    return _look_at_pg(url)[0]


def _look_at_pg(url: str, read: Callable[[Any], Any] | None = None) -> tuple[DatabaseCheck, Any]:
    """:func:`check_database_url`, and when the schema holds n11-desktop's tables what
    ``read(engine)`` returns (read before the engine is closed; else None)."""
    from sqlalchemy import inspect

    from .storage.db import DatabaseError, check_revision
    from .storage.postgres import _reason, make_pg_engine, parse_url, refuse_foreign_schema, where

    url = (url or "").strip()
    _register_url_password(url)
    parsed = parse_url(url)
    label = where(parsed)
    engine = make_pg_engine(parsed)
    try:
        try:
            with engine.connect() as conn:
                server = str(conn.exec_driver_sql("SHOW server_version").scalar() or "").split(" ")[0]
                schema = conn.exec_driver_sql("SELECT current_schema()").scalar()
                if not schema:
                    path = conn.exec_driver_sql("SHOW search_path").scalar() or ""
                    first = next((p.strip() for p in path.split(",") if p.strip() and p.strip() != '"$user"'), "")
                    if first.startswith('"') and first.endswith('"'):
                        first = first[1:-1].replace('""', '"')
                    if not first:
                        raise DatabaseError("the search_path names no schema to create the tables in")
                    return DatabaseCheck(label, server, first, "new"), None
                tables = set(inspect(conn).get_table_names())
        except DatabaseError:
            raise
        except Exception as exc:  # noqa: BLE001 - one clear line for the operator
            raise DatabaseError(f"cannot open PostgreSQL database {label}: {_reason(exc, parsed.password)}") from None
        what = f"PostgreSQL database {label}" + (f" (schema {schema})" if schema != "public" else "")
        refuse_foreign_schema(what, tables)
        if "alembic_version" in tables:
            check_revision(engine, what)
            try:
                found = read(engine) if read is not None else None
            except Exception as exc:  # noqa: BLE001 - one clear line for the operator
                raise DatabaseError(f"cannot read {what}: {_reason(exc, parsed.password)}") from None
            return DatabaseCheck(label, server, schema, "ours"), found
        return DatabaseCheck(label, server, schema, "empty"), None
    finally:
        engine.dispose()


def rename_store(old: str, new: str) -> Store:
    reg = Registry.load()
    store = reg.rename(old, str(new or "").strip())
    reg.save()
    return store


def forget_store(name: str) -> Store:
    """Remove a store from the registry, its data kept; refused while a process holds its lease."""
    return remove_store(Registry.load(), name, refuse_if_driven=True)


def use_store(name: str) -> Store:
    """Make ``name`` the store plain ``n11-desktop`` (and ``run`` without --store) opens."""
    reg = Registry.load()
    store = reg.set_default(name)
    reg.save()
    return store


def _remove_sqlite_files(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), path.with_name(path.stem + ".ui.ini")):
        try:
            p.unlink()
        except FileNotFoundError:
            pass


# ---------------------------------------------------------------------- demo stores
#: a demo store's base URL until a sandbox runs for it (:func:`point_demo_at`)
DEMO_PLACEHOLDER_URL = "http://127.0.0.1:9/ws/"


def prepare_demo_store(db, *, app_key: str, app_secret: str, base_url: str = DEMO_PLACEHOLDER_URL) -> None:
    """A demo store: the demo profile (catalog, mapping, the built-in sandbox's credentials).
    Its base URL is set to the running sandbox whenever it is opened (:func:`point_demo_at`)."""
    from .demo import DEMO_STEPS, prepare_demo

    # no sandbox runs now: its orders arrive through the order flows once the store runs
    steps = tuple(s for s in DEMO_STEPS if not s.endswith(":seed_demo_orders_setup")) + (
        "n11_desktop.core.stores:_seed_demo_order_setup",)
    prepare_demo(db, base_url=base_url, app_key=app_key, app_secret=app_secret, steps=steps)


def _seed_demo_order_setup(db) -> None:
    from .orders.demo import seed_address_tree, seed_cargo_mapping

    seed_address_tree(db)
    seed_cargo_mapping(db)


#: what a demo store knows of its previous sandbox: forgotten when it meets a fresh one
_DEMO_N11_STATE_KEYS = ("remote_sync.cursor", "remote_sync.last", "event.products_changed",
                        "products.approval_refresh_at", "fix_differences.runs", "fix_differences.pending",
                        "orders.cursor", "orders.late_pass_at")


def point_demo_at(db, base_url: str) -> None:
    """Point a demo store at the sandbox this process started (its port changes every start).

    A sandbox starts empty, like a new N11 account: when the demo store last talked to another
    one, what it knew of that one's side — batches in flight, the ledger of what N11 accepted,
    penalties, N11's snapshot and the sync cursors — is forgotten, so its catalog is sent again
    instead of waiting for tasks the new sandbox never heard of. Its catalog, mapping, settings
    and orders stay."""
    from sqlalchemy import delete

    from .settings import ensure_channel
    from .storage.models import AppState, Batch, BatchItem, FailedIntegration, IntegrationAction, RemoteProduct

    with db.session_factory.begin() as s:
        channel = ensure_channel(s)
        conf = dict(channel.conf or {})
        if conf.get("base_url") == base_url:
            return
        fresh = conf.get("base_url") not in (None, "", DEMO_PLACEHOLDER_URL)
        conf["base_url"] = base_url
        channel.conf = conf
        if fresh:
            for model in (BatchItem, Batch, IntegrationAction, FailedIntegration, RemoteProduct):
                s.execute(delete(model))
            s.execute(delete(AppState).where(AppState.key.in_(_DEMO_N11_STATE_KEYS)))


# ---------------------------------------------------------------------- sharing between stores
#: what "copy from store X" can copy
COPY_PARTS = ("settings", "mapping")
#: settings that belong to one N11 account and are never copied to another store
_ACCOUNT_KEYS = ("app_key", "app_secret", "oms_webhook_token")
#: N11's reference data the mapping refers to (the same for every store)
_REFERENCE_TABLES = ("category_node", "category_attribute", "attribute_value")


@dataclass(frozen=True)
class CopyReport:
    settings: bool = False
    reference_rows: int = 0
    mapping_rows: int = 0
    mapping_errors: tuple[str, ...] = ()

    def summary(self) -> str:
        parts = []
        if self.settings:
            parts.append("settings (without App Key, App Secret and web hook token; the store stays inactive)")
        if self.reference_rows:
            parts.append(f"{self.reference_rows} rows of N11's category tree")
        if self.mapping_rows or not self.settings:
            parts.append(f"{self.mapping_rows} mapping rows")
        out = "copied " + ", ".join(parts)
        if self.mapping_errors:
            out += f"; {len(self.mapping_errors)} mapping row(s) refused (first: {self.mapping_errors[0]})"
        return out


def copy_between(src, dst, what: Iterable[str] = COPY_PARTS) -> CopyReport:
    """Copy settings and/or mapping from database ``src`` to ``dst`` (the operator's "copy mapping /
    settings from store X"). Account credentials are never copied; nothing is deleted in ``dst``."""
    what = set(what)
    unknown = what - set(COPY_PARTS)
    if unknown:
        raise StoreError(f"cannot copy {', '.join(sorted(unknown))} (choose from {', '.join(COPY_PARTS)})")
    copied_settings = False
    ref_rows = 0
    map_rows = 0
    errors: tuple[str, ...] = ()
    if "settings" in what:
        from .settings.store import export_settings, import_settings

        with src.session_factory() as s:
            doc = json.loads(export_settings(s, include_secret=False))
        for key in _ACCOUNT_KEYS:
            doc["conf"].pop(key, None)
        doc.pop("is_active", None)
        with dst.session_factory.begin() as s:
            problems = import_settings(s, json.dumps(doc))
        if problems:
            raise StoreError("settings not copied: " + "; ".join(p.message for p in problems[:3]))
        copied_settings = True
    if "mapping" in what:
        ref_rows = _copy_reference(src, dst)
        from .mapping.csvfile import export_mapping_csv, import_mapping_csv

        with tempfile.TemporaryDirectory(prefix="n11-desktop-copy-") as tmp:
            path = Path(tmp) / "mapping.csv"
            with src.session_factory() as s:
                export_mapping_csv(s, path)
            with dst.session_factory.begin() as s:
                report = import_mapping_csv(s, path)
        map_rows = report.added + report.updated + report.unchanged
        errors = tuple(str(e) for e in report.errors)
    return CopyReport(copied_settings, ref_rows, map_rows, errors)


def copy_from_store(db, source: str, what: Iterable[str] = COPY_PARTS) -> CopyReport:
    """Copy settings and/or mapping of registry store ``source`` into the open database ``db``
    (the app's Store → Copy from …)."""
    store = Registry.load().get(source)
    src = open_store(store)
    try:
        return copy_between(src, db, what)
    finally:
        src.dispose()


def _copy_reference(src, dst) -> int:
    """N11's category tree, attributes and values, when ``dst`` has none yet (a mapping refers to them)."""
    from sqlalchemy import func, insert, select

    from .storage.models import Base

    copied = 0
    with dst.session_factory.begin() as d, src.session_factory() as s:
        for name in _REFERENCE_TABLES:
            table = Base.metadata.tables[name]
            if d.scalar(select(func.count()).select_from(table)):
                continue
            rows = [dict(r._mapping) for r in s.execute(select(table))]
            for i in range(0, len(rows), 1000):
                d.execute(insert(table), rows[i:i + 1000])
            copied += len(rows)
    return copied
