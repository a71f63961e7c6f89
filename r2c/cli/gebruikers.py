"""``r2c gebruikers``: local accounts of ambtenaren for the werkomgeving (r2c keeps only an argon2 hash)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from r2c.errors import InvalidInput
from r2c.service.accounts import Accounts

gebruikers_app = typer.Typer(help="Accounts van ambtenaren: maken, tonen, blokkeren, wachtwoord.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``gebruikers`` group to the root app."""
    app.add_typer(gebruikers_app, name="gebruikers")


def _accounts() -> Accounts:
    from r2c.clock import SystemClock
    from r2c.definitions.catalog import load_catalog
    from r2c.engine.access import POLICY
    from r2c.settings import load_settings
    from r2c.store.db import Database

    settings = load_settings()
    database = Database.connect(settings.database_url)
    database.require_current()
    return Accounts(database.sessions, SystemClock(), roles=POLICY.key_roles(load_catalog()),
                    pogingen=settings.login_pogingen)


def _stdin_password() -> str:
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        typer.echo("fout: wachtwoord: er kwam geen wachtwoord binnen op stdin", err=True)
        raise typer.Exit(2)
    return password


def _refused(error: InvalidInput) -> typer.Exit:
    typer.echo(f"fout: {error}", err=True)
    return typer.Exit(2)


@gebruikers_app.command()
def maak(gemeente: Annotated[str, typer.Option(help="De gemeente waar deze persoon werkt.")],
         rol: Annotated[list[str], typer.Option(help="Rol: een rol uit de verordening (behandelaar, teamleider, "
                                                "college, ...), of lezer of beheerder; mag vaker.")],
         email: Annotated[str, typer.Option(help="Het e-mailadres: daarmee logt deze persoon in.")],
         naam: Annotated[str | None, typer.Option(help="De naam die de pagina's tonen.")] = None,
         wachtwoord_stdin: Annotated[bool, typer.Option("--wachtwoord-stdin", help="Lees het wachtwoord van stdin "
                                                        "(anders: een eenmalig wachtwoord).")] = False) -> None:
    """Maak een account; zonder --wachtwoord-stdin krijgt u een eenmalig wachtwoord dat bij de eerste keer
    inloggen moet worden veranderd."""
    password = _stdin_password() if wachtwoord_stdin else None
    try:
        account, issued = _accounts().create(gemeente=gemeente, rollen=rol, email=email, naam=naam, password=password)
    except InvalidInput as error:
        raise _refused(error) from None
    typer.echo(f"account {account.email} ({account.naam}), gemeente {account.gemeente}, rollen "
               f"{', '.join(account.rollen)}")
    if issued:
        typer.echo(f"eenmalig wachtwoord: {issued}")
        typer.echo("# geef het veilig door; bij de eerste keer inloggen kiest de gebruiker een eigen wachtwoord",
                   err=True)


@gebruikers_app.command("list")
def list_accounts(gemeente: Annotated[str | None, typer.Option(help="Alleen deze gemeente.")] = None) -> None:
    """Toon de accounts: e-mail, naam, gemeente, rollen, toestand (nooit een wachtwoord)."""
    for a in _accounts().list(gemeente=gemeente):
        state = "geblokkeerd" if a.blocked else "nieuw wachtwoord nodig" if a.must_change else "actief"
        typer.echo(f"{a.email}\t{a.naam}\t{a.gemeente}\t{','.join(a.rollen)}\t{state}")


@gebruikers_app.command()
def blokkeer(email: Annotated[str, typer.Argument(help="Het e-mailadres van het account.")]) -> None:
    """Blokkeer een account: het kan niet meer inloggen en zijn sessies stoppen nu."""
    account = _accounts().block(email)
    typer.echo(f"geblokkeerd: {account.email} ({account.gemeente})")


@gebruikers_app.command()
def wachtwoord(email: Annotated[str, typer.Argument(help="Het e-mailadres van het account.")],
               wachtwoord_stdin: Annotated[bool, typer.Option("--wachtwoord-stdin", help="Lees het wachtwoord van "
                                                              "stdin (anders: een eenmalig wachtwoord).")] = False
               ) -> None:
    """Geef een account een nieuw wachtwoord (en hef een vergrendeling op)."""
    password = _stdin_password() if wachtwoord_stdin else None
    try:
        issued = _accounts().set_password(email, password)
    except InvalidInput as error:
        raise _refused(error) from None
    typer.echo(f"nieuw wachtwoord voor {email.strip().lower()}")
    if issued:
        typer.echo(f"eenmalig wachtwoord: {issued}")
