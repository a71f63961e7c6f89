"""``r2c keys``: API keys for staff and systems (create shows the secret once; r2c keeps only its hash)."""

from __future__ import annotations

from typing import Annotated

import typer

from r2c.engine.access import POLICY
from r2c.service.access import KeyStore

keys_app = typer.Typer(help="API-sleutels: maken, tonen, intrekken.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``keys`` group to the root app."""
    app.add_typer(keys_app, name="keys")


def _store() -> KeyStore:
    from r2c.clock import SystemClock
    from r2c.definitions.catalog import load_catalog
    from r2c.store.db import Database

    database = Database.connect()
    database.require_current()
    return KeyStore(database.sessions, SystemClock(), roles=POLICY.key_roles(load_catalog()))


@keys_app.command()
def create(gemeente: Annotated[str, typer.Option(help="De gemeente waarvoor de sleutel werkt.")],
           rol: Annotated[list[str], typer.Option(help="Rol: een rol uit de verordening van de gemeente (behandelaar, teamleider, college, ...), "
                                                    "of lezer of beheerder; mag vaker.")],
           naam: Annotated[str | None, typer.Option(help="Wie of wat de sleutel gebruikt (komt in de historie).")]
           = None) -> None:
    """Maak een sleutel; de sleutel zelf staat op de eerste regel en wordt nooit meer getoond."""
    issued = _store().create(gemeente=gemeente, rollen=rol, naam=naam or f"sleutel-{'-'.join(rol)}")
    key = issued.key
    typer.echo(issued.secret)
    typer.echo(f"# id {key.id}, gemeente {key.gemeente}, rollen {', '.join(key.rollen)}, naam {key.naam}", err=True)
    typer.echo("# bewaar de sleutel nu: r2c bewaart alleen een hash en kan hem niet opnieuw tonen", err=True)


@keys_app.command("list")
def list_keys(gemeente: Annotated[str | None, typer.Option(help="Alleen deze gemeente.")] = None) -> None:
    """Toon de sleutels (nooit de sleutel zelf): id, begin, gemeente, rollen, naam, ingetrokken."""
    for key in _store().list(gemeente=gemeente):
        state = f"ingetrokken {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "actief"
        typer.echo(f"{key.id}\t{key.prefix}…\t{key.gemeente}\t{','.join(key.rollen)}\t{key.naam}\t{state}")


@keys_app.command()
def revoke(sleutel: Annotated[str, typer.Argument(help="Id of begin (prefix) van de sleutel.")]) -> None:
    """Trek een sleutel in: vanaf nu opent hij niets meer."""
    key = _store().revoke(sleutel)
    typer.echo(f"ingetrokken: {key.id} ({key.prefix}…, {key.gemeente}, {key.naam})")
