"""Persistence: SQLModel tables, the database connection, Alembic migrations, the audit chain, documents."""

from r2c.store.db import Database, make_engine
from r2c.store.documents import DocumentStore

__all__ = ["Database", "DocumentStore", "make_engine"]
