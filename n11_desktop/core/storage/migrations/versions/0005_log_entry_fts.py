"""log_entry_fts: a full-text (trigram) index of log messages and object keys for the Log screen's text filter

The Log screen filters by substring; with a million log rows a ``LIKE '%text%'`` scan reads every
row. FTS5's trigram tokenizer indexes every 3-character piece, so a substring of 3 or more
characters is found from the index (case-insensitive, like ``LIKE``). The index is an
external-content table over ``log_entry`` kept in step by triggers (insert, delete, update), so
every writer — the app's logging, housekeeping's purge, a cascade from ``flow_run`` — keeps it
right without knowing about it.

A later migration that rebuilds ``log_entry`` with ``batch_alter_table`` (table copy) drops these
triggers with the old table: such a migration must re-create them (see ``TRIGGERS``) and
``INSERT INTO log_entry_fts(log_entry_fts) VALUES('rebuild')``.

On PostgreSQL the same filter is ``ILIKE '%text%'`` on the two columns, served by GIN trigram
indexes (``pg_trgm``) when the server has that extension (``ix_log_entry_message_trgm``,
``ix_log_entry_object_key_trgm``), else a plain scan: ``core.monitoring`` picks the query by
the engine, not by the index, so both work.

Revision ID: 0005
Revises: 0004
"""
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TRIGGERS = (
    """CREATE TRIGGER log_entry_fts_ai AFTER INSERT ON log_entry BEGIN
         INSERT INTO log_entry_fts(rowid, message, object_key) VALUES (new.id, new.message, new.object_key);
       END""",
    """CREATE TRIGGER log_entry_fts_ad AFTER DELETE ON log_entry BEGIN
         INSERT INTO log_entry_fts(log_entry_fts, rowid, message, object_key)
         VALUES ('delete', old.id, old.message, old.object_key);
       END""",
    """CREATE TRIGGER log_entry_fts_au AFTER UPDATE OF message, object_key ON log_entry BEGIN
         INSERT INTO log_entry_fts(log_entry_fts, rowid, message, object_key)
         VALUES ('delete', old.id, old.message, old.object_key);
         INSERT INTO log_entry_fts(rowid, message, object_key) VALUES (new.id, new.message, new.object_key);
       END""",
)


#: the PostgreSQL trigram indexes (pg_trgm), when the extension can be had
PG_INDEXES = (("ix_log_entry_message_trgm", "message"), ("ix_log_entry_object_key_trgm", "object_key"))


def _trgm_schema(conn) -> str | None:
    """The schema of the pg_trgm extension, installing it (into ``public`` if it can, so that
    stores in other schemas share it) when it is missing; None when the server has no pg_trgm or
    this role may not install it."""
    schema = conn.exec_driver_sql("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                  "WHERE extname = 'pg_trgm'").scalar()
    if schema:
        return schema
    for ddl in ("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public", "CREATE EXTENSION IF NOT EXISTS pg_trgm"):
        sp = conn.begin_nested()
        try:
            conn.exec_driver_sql(ddl)
            sp.commit()
            break
        except Exception:  # noqa: BLE001 - no extension, or no right to create it: plain ILIKE
            sp.rollback()
    return conn.exec_driver_sql("SELECT extnamespace::regnamespace::text FROM pg_extension "
                                "WHERE extname = 'pg_trgm'").scalar()


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "postgresql":
        schema = _trgm_schema(conn)
        if schema:
            for name, col in PG_INDEXES:
                op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON log_entry USING gin ({col} {schema}.gin_trgm_ops)")
        return
    op.execute("CREATE VIRTUAL TABLE log_entry_fts USING fts5(message, object_key, content='log_entry', "
               "content_rowid='id', tokenize='trigram')")
    for ddl in TRIGGERS:
        op.execute(ddl)
    op.execute("INSERT INTO log_entry_fts(log_entry_fts) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _col in PG_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
        return
    for name in ("log_entry_fts_ai", "log_entry_fts_ad", "log_entry_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS log_entry_fts")
