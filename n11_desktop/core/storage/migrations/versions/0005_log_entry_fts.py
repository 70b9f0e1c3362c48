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


def upgrade() -> None:
    op.execute("CREATE VIRTUAL TABLE log_entry_fts USING fts5(message, object_key, content='log_entry', "
               "content_rowid='id', tokenize='trigram')")
    for ddl in TRIGGERS:
        op.execute(ddl)
    op.execute("INSERT INTO log_entry_fts(log_entry_fts) VALUES ('rebuild')")


def downgrade() -> None:
    for name in ("log_entry_fts_ai", "log_entry_fts_ad", "log_entry_fts_au"):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS log_entry_fts")
