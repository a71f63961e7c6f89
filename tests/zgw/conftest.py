"""Fixtures of the zgw channel's tests: a database of each kind, the Zaken stand-in, a service and a planner round
that feed the zgw channel, all on a clock moved with time-machine (the stand-in checks the token's iat)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
import time_machine

from tests.integration.conftest import postgres_schema_url
from tests.zgw.zaken_standin import ZakenStandin

SECRET = "geheim-van-de-zgw-client-voor-tests"
CLIENT_ID = "r2c-test"
START = datetime(2026, 1, 12, 8, 0, tzinfo=timezone.utc)


@pytest.fixture(params=["sqlite", "postgresql"])
def zgw_database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'r2c.db'}"
    else:
        yield from postgres_schema_url()


@pytest.fixture
def standin() -> Iterator[ZakenStandin]:
    with ZakenStandin(secret=SECRET, client_id=CLIENT_ID) as server:
        yield server


def write_config(path: Path, standin: ZakenStandin, gemeente: str = "gouda") -> Path:
    base = standin.base
    path.write_text(f"""
[gemeente.{gemeente}]
zaken = "{base}/zaken/api/v1"
catalogi = "{base}/catalogi/api/v1"
documenten = "{base}/documenten/api/v1"
besluiten = "{base}/besluiten/api/v1"
catalogus = "{standin.catalogus}"
rsin = "002220647"
client_id = "{CLIENT_ID}"
secret = "{SECRET}"
""", encoding="utf-8")
    return path


@dataclass
class Linked:
    """r2c with the zgw channel on, against the stand-in: ``run()`` is one planner round."""

    service: Any
    channel: Any
    router: Any
    standin: ZakenStandin
    traveller: Any
    settings: Any
    database: Any

    def run(self, rounds: int = 1) -> dict[str, Any]:
        from r2c.clock import SystemClock
        from r2c.scheduler.jobs import tick

        reports: dict[str, Any] = {}
        for _ in range(rounds):
            reports = tick(self.service, SystemClock(), {"zgw": self.channel}, self.router,
                           max_attempts=self.settings.max_pogingen)
        return reports

    def deliveries(self) -> list[Any]:
        from sqlalchemy import select

        from r2c.store.queue import DELIVERY

        with self.database.engine.connect() as connection:
            return connection.execute(select(DELIVERY).where(DELIVERY.c.channel == "zgw")
                                      .order_by(DELIVERY.c.id)).all()


@pytest.fixture
def linked(zgw_database_url, catalog, standin, tmp_path) -> Iterator[Linked]:
    from r2c.clock import SystemClock
    from r2c.notify.routing import Router
    from r2c.service import ChallengeService
    from r2c.settings import Settings
    from r2c.store import Database, DocumentStore
    from r2c.store.unit import UnitOfWork
    from r2c.zgw.channel import ZgwChannel

    with time_machine.travel(START, tick=False) as traveller:
        database = Database.connect(zgw_database_url)
        database.upgrade()
        settings = Settings(kanalen=["zgw"], zgw_config=write_config(tmp_path / "zgw.toml", standin),
                            database_url=zgw_database_url, documenten=tmp_path / "documenten")
        service = ChallengeService(database.sessions, catalog, SystemClock(),
                                   read_session_factory=database.read_sessions,
                                   documents=DocumentStore(settings.documenten))
        channel = ZgwChannel(settings, units=UnitOfWork(database.sessions, database.read_sessions), catalog=catalog)
        yield Linked(service, channel, Router(settings, catalog), standin, traveller, settings, database)
        channel.close()
        database.engine.dispose()
