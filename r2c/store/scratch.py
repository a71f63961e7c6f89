"""Throw-away PostgreSQL schemas, for tests and benchmarks (r2c's own, and a host's that embeds r2c).

A schema per run keeps runs apart on one shared database: the URL it yields sets ``search_path`` to the new
schema, so r2c's migrations and tables live there, and the schema is dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text


def postgres_problem(url: str) -> str | None:
    """None when the PostgreSQL server at ``url`` answers, else why not (one line)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed (pip install 'r2c[postgres]')"
    try:
        with psycopg.connect(url.replace("postgresql+psycopg", "postgresql"), connect_timeout=3):
            return None
    except Exception as error:  # noqa: BLE001 - any failure means: not reachable
        return f"{type(error).__name__}: {error}".strip()


@contextmanager
def scratch_schema(url: str, *, prefix: str = "r2c_scratch") -> Iterator[str]:
    """The URL of a new, empty schema on the server at ``url``; the schema is dropped on leaving."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{url}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
