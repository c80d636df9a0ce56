"""Alembic environment: the URL comes from forumscraper's one config function.

``alembic upgrade head`` reads ``DATABASE_URL`` like a crawl does; code and tests may pass an
engine in ``config.attributes["engine"]`` instead.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from forumscraper.db.config import database_url
from forumscraper.db.engine import make_engine
from forumscraper.db.migrate import include_name
from forumscraper.db.models import Base
from forumscraper.db.queue import drop_queue_view, restore_queue_view

config = context.config
target_metadata = Base.metadata


def run_migrations_offline() -> None:
    """Emit SQL to stdout (``alembic upgrade head --sql``)."""
    context.configure(
        url=database_url().render_as_string(hide_password=False),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live database, in one transaction."""
    engine: Engine | None = config.attributes.get("engine")
    owned = engine is None
    if engine is None:
        engine = make_engine()
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                # SQLite changes a key by rebuilding the table (batch mode), which references
                # from other tables must survive: foreign keys are off while migrating (a
                # no-op inside a transaction, hence before it) and checked by the migrations
                # that rebuild (PRAGMA foreign_key_check).
                connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
                connection.commit()
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                include_name=include_name,
                # One transaction for the whole command on SQLite too (Alembic commits after
                # each revision there by default): a revision that fails undoes the revisions
                # the same command ran before it (see the BEGIN below).
                transactional_ddl=True,
            )
            try:
                with context.begin_transaction():
                    if sqlite:
                        # pysqlite opens a transaction before DML only: without this, each
                        # ALTER TABLE would commit on its own and a failing revision would leave
                        # the revisions before it applied.
                        connection.exec_driver_sql("BEGIN")
                    drop_queue_view(connection)  # a view over our tables, made by workers
                    context.run_migrations()
                    restore_queue_view(connection)
            finally:
                if sqlite:
                    connection.rollback()
                    connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                    connection.commit()
    finally:
        if owned:
            engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
