"""Settings from the environment (prefix ``R2C_``), for the adapters; the core takes its inputs as arguments."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where r2c keeps its data.

    Attributes:
        database_url: SQLAlchemy URL; SQLite ``./r2c.db`` by default, ``postgresql+psycopg://...`` at scale.
        documenten: the directory that holds uploaded documents (the database keeps metadata and checksums).
    """

    model_config = SettingsConfigDict(env_prefix="R2C_", extra="ignore")

    database_url: str = "sqlite:///./r2c.db"
    documenten: Path = Path("./documenten")
