"""Opt-in: the zgw channel against a real Open Zaak. Set R2C_ZGW_LIVE_URL (the Open Zaak base URL, for the record)
and R2C_ZGW_LIVE_CONFIG (an R2C_ZGW_CONFIG file for gemeente gouda, its secret in the environment it names); the
zaaktype 'gouda' must be published there (docs/zgw.md, "Koppelen met Open Zaak"). Leaves its zaak behind."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

LIVE_URL = os.environ.get("R2C_ZGW_LIVE_URL")
LIVE_CONFIG = os.environ.get("R2C_ZGW_LIVE_CONFIG")

pytestmark = pytest.mark.skipif(
    not (LIVE_URL and LIVE_CONFIG),
    reason="geen echte Open Zaak: zet R2C_ZGW_LIVE_URL en R2C_ZGW_LIVE_CONFIG (een R2C_ZGW_CONFIG-bestand voor gouda) "
           "om deze test te draaien")


def test_a_challenge_and_its_status_change_reach_a_real_open_zaak(tmp_path, catalog) -> None:
    from r2c.clock import SystemClock
    from r2c.notify.routing import Router
    from r2c.scheduler.jobs import tick
    from r2c.service import Actor, ChallengeService, Initiatiefnemer
    from r2c.settings import Settings
    from r2c.store import Database, DocumentStore
    from r2c.store.unit import UnitOfWork
    from r2c.zgw.channel import ZgwChannel

    url = f"sqlite:///{tmp_path / 'r2c.db'}"
    database = Database.connect(url)
    database.upgrade()
    settings = Settings(kanalen=["zgw"], zgw_config=Path(LIVE_CONFIG), database_url=url,
                        documenten=tmp_path / "documenten")
    service = ChallengeService(database.sessions, catalog, SystemClock(), read_session_factory=database.read_sessions,
                               documents=DocumentStore(settings.documenten))
    channel = ZgwChannel(settings, units=UnitOfWork(database.sessions, database.read_sessions), catalog=catalog)
    router = Router(settings, catalog)
    fired = service.submit(gemeente="gouda", titel="r2c live-test", initiatiefnemer=Initiatiefnemer("A. Test"))
    service.fire(fired.challenge.id, "aanvulling_vragen", actor=Actor("b.test", "behandelaar", "gouda"),
                 reason="live-test")
    reports = tick(service, SystemClock(), {"zgw": channel}, router)
    assert reports["bezorgen"].failed == 0 and reports["bezorgen"].retried == 0, reports
    cfg = channel.config["gouda"]
    [zaak] = channel.client("gouda").get(f"{cfg.zaken}/zaken", {"identificatie": fired.challenge.kenmerk,
                                                                 "bronorganisatie": cfg.rsin})["results"]
    assert zaak["opschorting"]["indicatie"] is True and zaak["status"]
