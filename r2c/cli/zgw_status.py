"""``r2c zgw status`` and ``r2c zgw opnieuw``: what the zgw channel still has to send, what failed and why, and
putting a failed step back after the cause is fixed (docs/zgw.md, "Fouten en r2c zgw status").

The commands join the ``zgw`` group when another module made it (``r2c zgw zaaktype``), else make it.
"""

from __future__ import annotations

from typing import Annotated

import typer

from r2c.errors import InvalidInput

CHANNEL = "zgw"


def register(app: typer.Typer) -> None:
    """Add ``status`` and ``opnieuw`` to the ``zgw`` group of the root app (made here when it is not there)."""
    group = next((g.typer_instance for g in app.registered_groups if g.name == "zgw"), None)
    if group is None:
        group = typer.Typer(help="De koppeling met het zaaksysteem (ZGW API's).", no_args_is_help=True)
        app.add_typer(group, name="zgw")
    group.command("status")(status)
    group.command("opnieuw")(opnieuw)


def _units():
    from r2c.store.db import Database
    from r2c.store.unit import UnitOfWork

    database = Database.connect()
    database.require_current()
    return UnitOfWork(database.sessions, database.read_sessions)


def _line(row) -> str:
    step = row.outbox_key.rsplit(":", 1)[-1] if row.outbox_key else "?"
    when = f"{row.next_attempt_at:%Y-%m-%d %H:%M}" if row.next_attempt_at else "-"
    reason = row.last_error.splitlines()[0][:300] if row.last_error else ""
    return (f"  {row.id}\t{row.gemeente}\t{row.kenmerk or row.challenge_id or '-'}\tstap {step} ({row.topic})\t"
            f"{row.attempts} poging(en)\tvolgende {when}\t{reason}")


def status(gemeente: Annotated[str | None, typer.Option(help="Alleen deze gemeente.")] = None) -> None:
    """Wat nog naar het zaaksysteem moet (achter), wat mislukt is en waarom. Exitcode 1 als er iets mislukt is."""
    from r2c.store import queue

    with _units().read() as connection:
        counts = queue.channel_counts(connection, channel=CHANNEL, gemeente=gemeente)
        behind = queue.channel_deliveries(connection, channel=CHANNEL, statuses=("wachtend",), gemeente=gemeente)
        failed = queue.channel_deliveries(connection, channel=CHANNEL, statuses=("mislukt",), gemeente=gemeente)
        undistributed = queue.undistributed(connection, gemeente=gemeente)
    where = f" ({gemeente})" if gemeente else ""
    typer.echo(f"zgw{where}: {counts.get('verzonden', 0)} verzonden, {counts.get('wachtend', 0)} achter, "
               f"{counts.get('mislukt', 0)} mislukt")
    if undistributed:
        typer.echo(f"Nog niet verdeeld over de kanalen: {undistributed} bericht(en); de planner maakt er in zijn "
                   "volgende ronde stappen van (draait hij? r2c doctor)")
    if behind:
        typer.echo("Achter (wordt opnieuw geprobeerd):")
        for row in behind:
            typer.echo(_line(row))
    if failed:
        typer.echo("Mislukt (niet opnieuw geprobeerd; los de oorzaak op en zet terug met r2c zgw opnieuw ID):")
        for row in failed:
            typer.echo(_line(row))
        raise typer.Exit(1)


def opnieuw(bezorging: Annotated[int | None, typer.Argument(help="Het id van de mislukte stap (r2c zgw status).")]
            = None,
            alles: Annotated[bool, typer.Option("--alles", help="Alle mislukte stappen.")] = False) -> None:
    """Zet een mislukte stap (of met --alles alle) terug in de wachtrij; de planner stuurt hem bij de volgende ronde."""
    from r2c.clock import SystemClock
    from r2c.store import queue

    if bezorging is None and not alles:
        raise InvalidInput("geef het id van een mislukte stap (zie r2c zgw status), of --alles",
                           fields={"bezorging": "ontbreekt"})
    with _units().write() as connection:
        count = queue.retry_failed(connection, channel=CHANNEL, delivery_id=bezorging, now=SystemClock().now())
    if count == 0:
        raise InvalidInput(f"geen mislukte zgw-stap {bezorging}; r2c zgw status toont de mislukte stappen"
                           if bezorging is not None else "er zijn geen mislukte zgw-stappen",
                           fields={"bezorging": "geen mislukte stap"})
    typer.echo(f"{count} stap(pen) terug in de wachtrij; de planner stuurt ze bij de volgende ronde")
