"""Alembic environment of r2c: runs on the connection ``r2c db upgrade`` hands it, or on R2C_DATABASE_URL."""

from __future__ import annotations

from alembic import context

from r2c.store.tables import METADATA


def run() -> None:
    """Run the migrations online (r2c never emits offline SQL scripts)."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        from r2c.store.db import Database

        with Database.connect().engine.begin() as connection:
            _migrate(connection)
    else:
        _migrate(connection)


def _migrate(connection) -> None:
    context.configure(connection=connection, target_metadata=METADATA, render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run()
