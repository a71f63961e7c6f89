"""Settings from the environment (prefix ``R2C_``), for the adapters; the core takes its inputs as arguments."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Where r2c keeps its data.

    Attributes:
        database_url: SQLAlchemy URL; SQLite ``./r2c.db`` by default, ``postgresql+psycopg://...`` at scale.
        documenten: the directory that holds uploaded documents (the database keeps metadata and checksums).
        huisstijl: the directory with one folder per gemeente: gemeente.yaml (name, addresses, signature, logo)
            and templates that replace r2c's own.
        kanalen: the channels messages go out on (entry points 'r2c.channels'): log, email, webhook, ...
        smtp_host, smtp_port, smtp_tls, smtp_gebruiker, smtp_wachtwoord: the mail server.
        afzender: the From address when the gemeente sets none.
        webhook_urls: where webhooks go (JSON list in the environment); webhook_geheim: the HMAC key.
        bron: the CloudEvents 'source' of r2c's events (NL GOV profile: a URN).
        planner_interval: seconds between two ticks of the scheduler.
        max_pogingen: attempts before a message is given up (status 'mislukt').
        publieke_url: where residents reach r2c (status links are made with it).
        publieke_limiet: rate limit per client address for anonymous calls and status pages ('60/minute').
        inzend_limiet: rate limit per client address for anonymous submissions ('10/hour').
        cors_origins: web origins that may call the API from a browser (JSON list); none by default.
    """

    model_config = SettingsConfigDict(env_prefix="R2C_", extra="ignore")

    database_url: str = "sqlite:///./r2c.db"
    documenten: Path = Path("./documenten")
    huisstijl: Path = Path("./huisstijl")
    kanalen: list[str] = ["log"]
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_tls: Literal["geen", "starttls", "ssl"] = "geen"
    smtp_gebruiker: str | None = None
    smtp_wachtwoord: str | None = None
    afzender: str = "uitdaagrecht@gemeente.invalid"
    webhook_urls: list[str] = []
    webhook_geheim: str = ""
    bron: str = "urn:nld:r2c"
    planner_interval: int = 60
    max_pogingen: int = 10
    publieke_url: str = "http://127.0.0.1:8000"
    publieke_limiet: str = "60/minute"
    inzend_limiet: str = "10/hour"
    cors_origins: list[str] = []
