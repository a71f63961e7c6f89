"""The year report's read model (rapport_stap, rapport_fase, rapport_feit) is correct by construction: for random
lifecycles through the service (random events of every role on random days over 2025 and 2026, assignments,
documents, erasures of closed challenges), every figure on the read model equals the figure recomputed from the
history (tests/integration/report_oracle.py: the aggregates the report ran before), on SQLite and PostgreSQL;
the audit trail still verifies; and the migration's backfill from the history gives the same rows as the writes
kept."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import func, inspect, select

from r2c.clock import FixedClock
from r2c.engine.case import Actor
from r2c.errors import R2CError
from r2c.reports import figures
from r2c.service import ChallengeService, Initiatiefnemer
from r2c.service.privacy import erase
from r2c.store import Database
from r2c.store.audit import verify_database
from r2c.store.db import MIGRATIONS
from r2c.store.tables import ChallengeRow, RapportFaseRow, RapportFeitRow, RapportStapRow
from tests.integration import report_oracle

G = "vught"
ROLES = ("behandelaar", "teamleider", "college", "initiatiefnemer")
BEHEERDER = Actor("beheer@vught.example", "beheerder", G)


def data_for(event: str, rng: random.Random, criteria: list[str], vereisten: list[str]) -> dict | None:
    """Plausible gegevens for the model's events that ask for them."""
    if event == "beoordelen":
        return {"beoordelingen": {c: {"oordeel": "voldoet_niet" if rng.random() < 0.15 else "voldoet",
                                      "motivering": "Gezien."} for c in criteria}}
    if event == "voorleggen":
        return {"weigering_op_andere_feiten": False}
    if event in ("overeenkomst_sluiten", "subsidie_verlenen"):
        return {"budget": f"{rng.randrange(500, 90000)}.{rng.randrange(100):02d}", "startdatum": "2026-01-01"}
    if event == "toekennen_met_wijziging":
        return {"wijziging": "Kleiner."}
    if event == "zienswijze_ontvangen":
        return {"zienswijze": "Wij zien het anders."}
    if event == "verantwoorden":
        return {"verantwoording": "Gedaan."}
    if event == "advies_ontvangen":
        return {"advies": "Positief."}
    if event == "voortgang_melden":
        return {"voortgang": "Het loopt."}
    if event == "aanvullen":
        return {"vereisten": vereisten}
    return None


def lifecycles(service: ChallengeService, clock: FixedClock, rng: random.Random, n: int) -> None:
    """``n`` challenges, each walked by random allowed events on random later days, interleaved."""
    moment = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    clock.set(moment)
    open_ones: list[tuple[str, str, list[str], list[str]]] = []
    made, next_submission, every = 0, moment, timedelta(days=690 / n)
    while made < n or open_ones:
        moment += timedelta(hours=rng.randrange(1, 48))
        if moment.year > 2026:
            break
        clock.set(moment)
        if made < n and moment >= next_submission:
            next_submission += every
            definition = service.catalog.in_force(G, moment.date()).definition
            vereisten = list(definition.vereisten)
            fired = service.submit(gemeente=G, titel=f"Uitdaging {made}",
                                   data={"omschrijving": "Wij doen het.",
                                         "vereisten": vereisten if rng.random() < 0.7 else vereisten[:2]},
                                   initiatiefnemer=Initiatiefnemer(f"Persoon {made}", f"p{made}@example.nl"))
            open_ones.append((fired.challenge.id, fired.challenge.initiatiefnemer, list(definition.criteria),
                              vereisten))
            made += 1
            continue
        if not open_ones:
            continue
        challenge_id, initiator, criteria, vereisten = rng.choice(open_ones)
        if rng.random() < 0.05:
            service.assign(challenge_id, behandelaar="b@vught.example",
                           actor=Actor("tl@vught.example", "teamleider", G))
            continue
        options = []
        for rol in ROLES:
            actor = Actor(initiator if rol == "initiatiefnemer" else f"{rol}@vught.example", rol, G)
            # blocked_by may name a reason or gegevens the walk gives: try, and let the engine refuse
            options += [(actor, e.event) for e in service.allowed_events(challenge_id, actor=actor)]
        if not options or rng.random() < 0.03:
            open_ones.remove((challenge_id, initiator, criteria, vereisten))
            try:  # a closed one may be erased (AVG); an open one refuses, and stays as it is
                erase(service, challenge_id, actor=BEHEERDER, reason="Bewaartermijn voorbij.")
            except R2CError:
                pass
            continue
        onward = [o for o in options if o[1] not in ("intrekken", "afzien")]
        actor, event = rng.choice(onward if onward and rng.random() < 0.95 else options)
        try:
            service.fire(challenge_id, event, actor=actor, data=data_for(event, rng, criteria, vereisten),
                         reason="Zo besloten.")
        except R2CError:
            pass  # refused (a voorwaarde, gegevens the walk does not give): another event next time


def figures_of(service: ChallengeService, jaar: int, aggregates) -> dict:
    criteria: list[str] = []
    for loaded in service.catalog.versions(G):
        criteria += [c for c in loaded.definition.criteria if c not in criteria]
    with service.reading() as connection:
        return figures.year_figures(connection, catalog=service.catalog, gemeente=G, jaar=jaar,
                                    day=date(2026, 12, 31), criteria=criteria, aggregates=aggregates)


def read_model(database: Database) -> dict[str, list[tuple]]:
    out = {}
    with database.engine.connect() as connection:
        for table in (RapportStapRow.__table__, RapportFaseRow.__table__, RapportFeitRow.__table__):
            out[table.name] = sorted(tuple(row) for row in connection.execute(select(table)))
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_the_read_model_equals_the_history_for_random_lifecycles(database, catalog, seed) -> None:
    clock = FixedClock(datetime(2025, 1, 6, 8, 0, tzinfo=UTC))
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    lifecycles(service, clock, random.Random(seed), 40)
    clock.set(datetime(2026, 12, 31, 12, 0, tzinfo=UTC))
    for jaar in (2025, 2026):
        kept, recomputed = figures_of(service, jaar, figures.store), figures_of(service, jaar, report_oracle)
        assert kept == recomputed, jaar
    now = figures_of(service, 2026, figures.store)
    assert now["ontvangen"] > 0 and now["doorlooptijd"]["per_fase"] and sum(now["resultaten"].values()) > 0
    with database.engine.connect() as connection:  # the walk erased some closed challenges
        assert connection.execute(select(func.count()).where(ChallengeRow.erased_at.is_not(None))).scalar_one() > 0
    with database.read_sessions() as session:
        assert verify_database(session).ok  # erasures and the read model leave the audit trail intact

    written = read_model(database)
    assert any(row[5] is None for row in written["rapport_fase"])  # stays that last
    assert not any("Persoon" in str(row) or "example.nl" in str(row) for rows in written.values() for row in rows)
    with database.engine.begin() as connection:  # the backfill from the history gives what the writes kept
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = connection
        command.downgrade(config, "0013-1")
        assert "rapport_stap" not in inspect(connection).get_table_names()
    database.upgrade()
    assert read_model(database) == written
