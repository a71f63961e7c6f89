"""``r2c gebruikers`` as a beheerder uses it, and the demo logins of ``make run`` (``r2c demo``)."""

from __future__ import annotations

import pytest
import typer
from typer.testing import CliRunner

from r2c.cli import demo, gebruikers
from r2c.clock import SystemClock
from r2c.definitions import load_catalog
from r2c.engine.access import POLICY
from r2c.service.accounts import Accounts, LoginFailed
from r2c.store import Database
from tests.conftest import run_r2c

GOOD = "paars-fietsrek-onder-de-brug"


@pytest.fixture
def cli(sqlite_url, monkeypatch):
    database = Database.connect(sqlite_url)
    database.upgrade()
    monkeypatch.setenv("R2C_DATABASE_URL", sqlite_url)
    app = typer.Typer()
    gebruikers.register(app)
    demo.register(app)
    runner = CliRunner()
    yield lambda *args, stdin=None: runner.invoke(app, list(args), input=stdin)
    database.engine.dispose()


@pytest.fixture
def accounts(sqlite_url) -> Accounts:
    database = Database.connect(sqlite_url)
    return Accounts(database.sessions, SystemClock(), roles=POLICY.key_roles(load_catalog()))


def test_a_new_account_gets_a_one_time_password_that_must_be_changed(cli, accounts) -> None:
    made = cli("gebruikers", "maak", "--gemeente", "gouda", "--rol", "behandelaar", "--rol", "teamleider",
               "--email", "B.Jansen@gouda.example", "--naam", "B. Jansen")
    assert made.exit_code == 0, made.output
    issued = made.output.split("eenmalig wachtwoord: ")[1].split()[0]
    account = accounts.verify("b.jansen@gouda.example", issued)
    assert account.must_change and account.rollen == ("behandelaar", "teamleider") and account.naam == "B. Jansen"
    listed = cli("gebruikers", "list", "--gemeente", "gouda").output
    assert "b.jansen@gouda.example\tB. Jansen\tgouda\tbehandelaar,teamleider\tnieuw wachtwoord nodig" in listed
    assert cli("gebruikers", "list", "--gemeente", "vught").output == ""


def test_a_password_from_stdin_is_checked_and_set(cli, accounts) -> None:
    short = cli("gebruikers", "maak", "--gemeente", "gouda", "--rol", "lezer", "--email", "l@gouda.example",
                "--wachtwoord-stdin", stdin="kort\n")
    assert short.exit_code == 2 and "minstens 12 tekens" in short.output
    made = cli("gebruikers", "maak", "--gemeente", "gouda", "--rol", "lezer", "--email", "l@gouda.example",
               "--wachtwoord-stdin", stdin=f"{GOOD}\n")
    assert made.exit_code == 0 and GOOD not in made.output and "eenmalig" not in made.output
    assert not accounts.verify("l@gouda.example", GOOD).must_change
    changed = cli("gebruikers", "wachtwoord", "l@gouda.example", "--wachtwoord-stdin", stdin="ander-lang-wachtwoord\n")
    assert changed.exit_code == 0
    assert accounts.verify("l@gouda.example", "ander-lang-wachtwoord").email == "l@gouda.example"
    reset = cli("gebruikers", "wachtwoord", "l@gouda.example")
    assert accounts.verify("l@gouda.example", reset.output.split("eenmalig wachtwoord: ")[1].split()[0]).must_change


def test_unknown_gemeente_and_role_name_the_known_ones_with_exit_2(cli) -> None:
    wrong = cli("gebruikers", "maak", "--gemeente", "atlantis", "--rol", "koning", "--email", "a@b.example")
    assert wrong.exit_code == 2
    assert "onbekende gemeente 'atlantis'; bekend: " in wrong.output and "gouda" in wrong.output
    assert "onbekende rol 'koning'" in wrong.output and "behandelaar" in wrong.output
    role = cli("gebruikers", "maak", "--gemeente", "vught", "--rol", "wethouder", "--email", "a@b.example")
    assert role.exit_code == 2 and "kies uit" in role.output and "Traceback" not in role.output


def test_a_blocked_account_cannot_log_in(cli, accounts, sqlite_url) -> None:
    cli("gebruikers", "maak", "--gemeente", "gouda", "--rol", "lezer", "--email", "l@gouda.example",
        "--wachtwoord-stdin", stdin=f"{GOOD}\n")
    assert cli("gebruikers", "blokkeer", "l@gouda.example").exit_code == 0
    with pytest.raises(LoginFailed):
        accounts.verify("l@gouda.example", GOOD)
    assert "geblokkeerd" in cli("gebruikers", "list").output
    missing = run_r2c("gebruikers", "blokkeer", "niemand@gouda.example", env={"R2C_DATABASE_URL": sqlite_url})
    assert missing.returncode == 1 and "geen account met e-mailadres 'niemand@gouda.example'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_the_demo_prints_logins_that_work_for_both_gemeenten(cli, accounts) -> None:
    first = cli("demo")
    assert first.exit_code == 0, first.output
    logins = [line.split() for line in first.output.split("Inloggen in de werkomgeving")[1].splitlines()[1:]]
    assert {(g, r) for g, r, *_ in logins} == {(g, r) for g in ("gouda", "vught")
                                              for r in ("behandelaar", "teamleider", "college", "lezer")}
    for gemeente, rol, email, password in logins:
        account = accounts.verify(email, password)
        assert (account.gemeente, account.rollen, account.must_change) == (gemeente, (rol,), False)
    assert accounts.verify("b.jansen@gouda.example", "demo-gouda-behandelaar-2026").id == "b.jansen@gouda.example"
    again = cli("demo")
    assert again.exit_code == 0 and "demo-gouda-lezer-2026" in again.output
    assert len(accounts.list()) == 8
