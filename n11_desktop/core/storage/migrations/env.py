"""Alembic environment: runs on the engine handed over by ``core.storage.db``."""

from alembic import context

from n11_desktop.core.storage.models import Base, include_in_autogenerate

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # e.g. `alembic` command line with sqlalchemy.url set
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
            include_name=include_in_autogenerate,  # the log's full-text index is SQL of its own (0005)
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
