"""``r2c db``, ``r2c audit`` and ``r2c privacy``: the database schema, the audit trail, personal data."""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path
from typing import Annotated, Optional

import typer
from sqlalchemy import select

from r2c.engine.case import Actor
from r2c.errors import NotFound, UnknownGemeente
from r2c.store.db import Database

db_app = typer.Typer(help="De database: schema bijwerken en controleren.", no_args_is_help=True)
audit_app = typer.Typer(help="De geschiedenis: controleren dat niemand er ongezien iets aan veranderde.",
                        no_args_is_help=True)
privacy_app = typer.Typer(help="Persoonsgegevens (AVG): wissen en bewaartermijnen.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``db``, ``audit`` and ``privacy`` groups to the root app."""
    app.add_typer(db_app, name="db")
    app.add_typer(audit_app, name="audit")
    app.add_typer(privacy_app, name="privacy")


@db_app.command()
def upgrade() -> None:
    """Breng de database (R2C_DATABASE_URL, standaard ./r2c.db) naar het schema van deze versie."""
    database = Database.connect()
    before, head = database.revisions()
    database.upgrade()
    typer.echo(f"{database.safe_url}: revisie {before or 'leeg'} -> {head}")


@db_app.command()
def status() -> None:
    """Toon de revisie van de database en die van deze versie van r2c; exit 1 als ze verschillen."""
    database = Database.connect()
    current, head = database.revisions()
    typer.echo(f"{database.safe_url}: revisie {current or 'leeg'}, verwacht {head}")
    if current != head:
        typer.echo("voer 'r2c db upgrade' uit", err=True)
        raise typer.Exit(1)


@db_app.command()
def backup(bestand: Annotated[Path, typer.Argument(help="Het nieuwe bestand voor de back-up.")]) -> None:
    """Maak een back-up van de SQLite-database terwijl r2c draait; toont de vingerafdruk van de geschiedenis erin."""
    from r2c.store.audit import verify_database

    database = Database.connect()
    database.require_current()
    database.backup(bestand)
    copy = Database.connect(f"sqlite:///{bestand.resolve()}")
    try:
        with copy.read_sessions() as session:
            report = verify_database(session)
    finally:
        copy.engine.dispose()
    typer.echo(f"back-up in {bestand}: {report.challenges} uitdaging(en), {report.records} record(s). "
               f"Vingerafdruk van de geschiedenis: {report.digest}")
    if not report.ok:
        typer.echo(f"de geschiedenis in de back-up heeft {len(report.findings)} afwijking(en): "
                   "'r2c audit verify' toont ze", err=True)
        raise typer.Exit(1)


@audit_app.command()
def verify(gemeente: Annotated[Optional[str], typer.Option(
        help="Alleen deze gemeente; een onbekende gemeente is een fout.")] = None,
        anker: Annotated[Optional[Path], typer.Option(
            help="Vergelijk ook met dit ankerbestand (R2C_AUDIT_ANKER, of uw kopie ervan); de hele database.")]
        = None) -> None:
    """Controleer de hashketen van elke uitdaging; elke afwijking op een regel, exit 1 als er een is."""
    from r2c.settings import load_settings
    from r2c.store.anchor import Anchor
    from r2c.store.audit import verify_database
    from r2c.store.audit_keys import load_keyring

    if anker is not None and gemeente is not None:
        raise typer.BadParameter("het anker geldt voor de hele database: gebruik --anker zonder --gemeente")
    settings = load_settings()
    keyring = load_keyring(settings)
    anchor = Anchor.read(anker) if anker is not None else None
    database = Database.connect(settings.database_url)
    database.require_current()
    with database.read_sessions() as session:
        report = verify_database(session, gemeente=gemeente, keyring=keyring, anchor=anchor)
    if gemeente is not None and not report.challenges:
        _require_known(gemeente)
    for finding in report.findings:
        typer.echo(str(finding))
    summary = f"{report.challenges} uitdaging(en), {report.records} record(s) gecontroleerd"
    if report.keyed:
        summary += f" ({report.keyed} met sleutel)"
    if not report.ok:
        typer.echo(f"{summary}: {len(report.findings)} afwijking(en) gevonden", err=True)
        raise typer.Exit(1)
    typer.echo(f"{summary}: in orde. Vingerafdruk (bewaar die elders): {report.digest}")
    if anchor is not None:
        last = anchor.last
        since = ("vingerafdruk gelijk aan die regel" if last["vingerafdruk"] == report.digest else
                 f"sindsdien {report.records - last['records']} record(s) bijgekomen")
        typer.echo(f"Anker {anker}: {len(anchor.heads)} uitdaging(en) uit {anchor.lines} regel(s) in orde; laatste "
                   f"regel {anchor.lines} van {last['tijd']}, {since}")


def _require_known(gemeente: str) -> None:
    """UnknownGemeente when ``gemeente`` has no definition: a typing error must not pass for a clean check.

    Only asked when the database holds no challenge of that gemeente, so verifying never depends on the definitions
    and the history of a gemeente whose definition was removed can still be checked.
    """
    from r2c.definitions.catalog import load_catalog

    known = load_catalog().ids(soort="gemeente")
    if gemeente not in known:
        raise UnknownGemeente(f"onbekende gemeente '{gemeente}': geen definitie en geen uitdagingen in de database; "
                              f"bekend: {', '.join(known) or 'geen'}")


def _admin_for(service, challenge_id: str) -> Actor:
    """The CLI acts as beheerder of the challenge's own gemeente (whoever runs it can reach the database)."""
    from r2c.store.challenges import CHALLENGE

    with service.reading() as session:
        gemeente = session.execute(select(CHALLENGE.c.gemeente).where(CHALLENGE.c.id == challenge_id)).scalar()
    if gemeente is None:
        raise NotFound(f"geen uitdaging '{challenge_id}'")
    return Actor(f"cli:{getpass.getuser()}", "beheerder", gemeente)


@privacy_app.command()
def wis(challenge_id: Annotated[str, typer.Argument(help="De uitdaging.")],
        reden: Annotated[str, typer.Option(help="Waarom; komt in de geschiedenis.")] =
        "bewaartermijn verstreken") -> None:
    """Wis de persoonsgegevens van een afgesloten uitdaging; de geschiedenis blijft controleerbaar."""
    from r2c.service.privacy import erase
    from r2c.service.setup import open_service

    service, _ = open_service()
    version = erase(service, challenge_id, actor=_admin_for(service, challenge_id), reason=reden)
    typer.echo(f"{challenge_id}: persoonsgegevens gewist (versie {version})")


@privacy_app.command()
def due(datum: Annotated[Optional[str], typer.Option(help="Peildatum JJJJ-MM-DD (standaard vandaag).")] = None,
        gemeente: Annotated[Optional[str], typer.Option(help="Alleen deze gemeente.")] = None) -> None:
    """Noem de afgesloten uitdagingen waarvan de bewaartermijn voorbij is, een per regel."""
    from r2c.service.privacy import retention_due
    from r2c.service.setup import open_service

    try:
        on = date.fromisoformat(datum) if datum else None
    except ValueError:
        raise typer.BadParameter(f"'{datum}' is geen datum (JJJJ-MM-DD)") from None
    service, _ = open_service()
    items = retention_due(service, on=on, gemeente=gemeente)
    for item in items:
        typer.echo(f"{item.challenge_id}\t{item.gemeente}\t{item.resultaat}\tafgesloten {item.closed_on}\t"
                   f"bewaren tot en met {item.due_on}\t{item.archiefnominatie}")
    typer.echo(f"{len(items)} uitdaging(en) voorbij de bewaartermijn", err=True)
