"""``r2c agenda GEMEENTE [--behandelaar ID]``: the open deadlines as an iCalendar file on stdout."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``agenda`` command to the root app."""
    app.command(name="agenda")(agenda)


def agenda(
    gemeente: Annotated[str, typer.Argument(help="De gemeente, bijvoorbeeld gouda.")],
    behandelaar: Annotated[str | None, typer.Option(
        "--behandelaar", help="Alleen de uitdagingen van deze behandelaar (zoals toegewezen).")] = None,
) -> None:
    """Schrijf de lopende termijnen als agenda (iCalendar, .ics) naar stdout: één hele dag per laatste dag."""
    from r2c.clock import SystemClock
    from r2c.exports.agenda import calendar
    from r2c.notify.huisstijl import load_huisstijl
    from r2c.service.setup import open_service
    from r2c.settings import load_settings

    settings, clock = load_settings(), SystemClock()
    service, db = open_service(settings=settings, clock=clock)
    try:
        naam = load_huisstijl(settings.huisstijl, gemeente, default_naam=gemeente,
                              default_afzender=settings.afzender).naam
        typer.echo(calendar(service, clock, gemeente=gemeente, behandelaar=behandelaar, naam=naam), nl=False)
    finally:
        db.engine.dispose()
