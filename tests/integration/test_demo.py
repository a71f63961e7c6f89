"""The demo data of ``make run``: challenges in many phases across two gemeenten, seeded once, on any date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from r2c.clock import FixedClock
from r2c.demo import SCENARIOS, seed
from r2c.engine.case import Actor
from r2c.service import ChallengeService
from r2c.store.challenges import CHALLENGE
from r2c.store import Database
from tests.conftest import run_r2c
from tests.integration.helpers import row_counts


@pytest.fixture(params=[datetime(2026, 9, 14, 7, 0, tzinfo=UTC),   # gouda 2026.1 in force
                        datetime(2026, 1, 5, 8, 0, tzinfo=UTC)],   # gouda 2024.1 still in force
                ids=["2026-09-14", "2026-01-05"])
def clock(request):
    """Days on both sides of gouda's new version: every demo step must be allowed on either."""
    return FixedClock(request.param)


def everything(service: ChallengeService) -> list:
    """Every challenge of every gemeente, as a reader of that gemeente sees it."""
    return [c for g in service.catalog.ids(soort="gemeente")
            for c in service.search(actor=Actor("test-lezer", "lezer", g), limit=500).items]


def test_seeding_yields_challenges_in_many_phases_across_two_gemeenten(service) -> None:
    report = seed(service)
    stored = everything(service)
    assert report.seeded and len(stored) == len(report.challenges) == len(SCENARIOS) >= 6
    gemeenten = {c.gemeente for c in stored}
    assert gemeenten == {c.gemeente for c in report.challenges} and len(gemeenten) == 2
    assert len({c.fase for c in stored}) >= 5
    states = {c.state for c in stored}
    assert {"indiening.ontvangen", "ontvankelijkheid.aanvulling_gevraagd", "toetsing.beoordelen",
            "besluit.voorgelegd", "uitvoering.lopend", "afgesloten.ingetrokken"} <= states
    assert states & {"bezwaar.termijn", "afgesloten.afgewezen"}
    assert {(c.id, c.state) for c in stored} == {(c.id, c.state) for c in report.challenges}
    in_toetsing = next(c for c in stored if c.state == "toetsing.beoordelen")
    assessed = in_toetsing.facts.get("beoordelingen") or {}
    assert 0 < len(assessed) < len(service.catalog.get(in_toetsing.workflow, in_toetsing.workflow_version)
                                   .definition.criteria)  # criteria partly assessed: the beoordeling goes on


def test_a_second_seed_adds_nothing_and_says_so(service, database) -> None:
    first = seed(service)
    counts = row_counts(database)
    again = seed(service)
    assert not again.seeded and again.challenges == () and again.existing == len(first.challenges)
    assert row_counts(database) == counts
    assert "al" in again.lines()[0] and str(len(first.challenges)) in again.lines()[0]


@dataclass(frozen=True)
class _WithToken:
    challenge: object
    outcome: object
    status_token: str | None


class _Keys:
    """A key issuer that records what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, tuple[str, ...], str]] = []

    def create(self, *, gemeente: str, rollen: list[str], naam: str) -> SimpleNamespace:
        self.asked.append((gemeente, tuple(rollen), naam))
        return SimpleNamespace(secret=f"geheim-{len(self.asked)}")


def test_the_report_lists_keys_and_status_pages_when_given(service, monkeypatch) -> None:
    submit = service.submit
    tokens = iter(f"token{i}" for i in range(100))

    def with_token(**kwargs):
        fired = submit(**kwargs)
        return _WithToken(fired.challenge, fired.outcome, next(tokens))

    monkeypatch.setattr(service, "submit", with_token)
    keys = _Keys()
    report = seed(service, keys=keys)
    gemeenten = {c.gemeente for c in report.challenges}
    assert {g for g, rollen, _ in keys.asked if set(rollen) == {"behandelaar", "teamleider"}} == gemeenten
    assert [rollen for _, rollen, _ in keys.asked].count(("lezer",)) == 1
    assert [k.secret for k in report.keys] == [f"geheim-{i}" for i in range(1, len(keys.asked) + 1)]
    text = "\n".join(report.lines(base_url="http://127.0.0.1:8000"))
    assert all(k.secret in text for k in report.keys)
    assert 'curl -H "Authorization: Bearer <sleutel>" http://127.0.0.1:8000/api/v1/challenges' in text
    assert len(report.status_paths) == len(report.challenges)
    assert all(f"http://127.0.0.1:8000{path}" in text for path in report.status_paths)
    assert all(path.startswith("/status/token") for path in report.status_paths)


def test_without_a_key_issuer_no_keys_are_made_and_the_report_says_so(service) -> None:
    report = seed(service)
    assert report.keys == () and not report.keys_requested
    assert any("Geen API-sleutels" in line for line in report.lines())


def cli() -> typer.Typer:
    from r2c.cli.demo import register

    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:  # keeps 'demo' a subcommand, as under the r2c app
        pass

    return app


def test_the_demo_command_seeds_a_fresh_database_once_and_prints_the_status_pages(sqlite_url, monkeypatch) -> None:
    database = Database.connect(sqlite_url)
    database.upgrade()
    monkeypatch.setenv("R2C_DATABASE_URL", sqlite_url)
    runner = CliRunner()
    first = runner.invoke(cli(), ["demo"])
    assert first.exit_code == 0, first.output
    with database.read_sessions() as session:
        created = session.execute(select(func.count()).select_from(CHALLENGE)).scalar_one()
    assert created == len(SCENARIOS)
    assert all(s.titel in first.output for s in SCENARIOS)
    status_lines = [line for line in first.output.splitlines() if "http://127.0.0.1:8000/status/" in line]
    if status_lines:  # the service issues status links: one per challenge
        assert len(status_lines) == created
    else:
        assert "Geen statuslinks" in first.output
    again = runner.invoke(cli(), ["demo"])
    assert again.exit_code == 0, again.output
    assert "geen demogegevens toegevoegd" in again.output and "/status/" not in again.output
    database.engine.dispose()


def test_the_demo_command_on_a_database_behind_is_a_message_not_a_traceback(tmp_path) -> None:
    result = run_r2c("demo", env={"R2C_DATABASE_URL": f"sqlite:///{tmp_path / 'leeg.db'}"})
    assert result.returncode == 2  # a configuration error (issue 18): the schema is behind
    assert "r2c db upgrade" in result.stderr and "Traceback" not in result.stderr + result.stdout
