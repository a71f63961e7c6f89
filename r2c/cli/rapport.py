"""``r2c rapport GEMEENTE --jaar J``: the year report (participatieparagraaf); ``r2c opendata --jaar J``: open data
(CC0); ``r2c opendata samenvoegen FILE...``: many gemeenten's open data as one national overview."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from r2c.errors import ConfigError, UnknownGemeente

opendata_app = typer.Typer(help="Open data over het uitdaagrecht (CC0), per gemeente en landelijk.",
                           invoke_without_command=True, no_args_is_help=False)


def register(app: typer.Typer) -> None:
    """Add the ``rapport`` and ``opendata`` commands to the root app."""
    app.command(name="rapport")(rapport)
    app.add_typer(opendata_app, name="opendata")


def _write(data: bytes, uit: Path | None) -> None:
    if uit is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        uit.write_bytes(data)
    except OSError as error:
        raise ConfigError(f"--uit {uit}: niet te schrijven ({error.strerror or error.__class__.__name__})") from None


def _report(service, gemeente: str, jaar: int, settings):
    from r2c.notify.huisstijl import load_huisstijl
    from r2c.reports.figures import build_report

    try:
        naam = load_huisstijl(settings.huisstijl, gemeente, default_naam=gemeente.capitalize(),
                              default_afzender=settings.afzender).naam
        return build_report(service, gemeente=gemeente, jaar=jaar, naam=naam)
    except UnknownGemeente as error:
        raise ConfigError(str(error)) from None


def rapport(
    gemeente: Annotated[str, typer.Argument(help="De gemeente, bijvoorbeeld gouda.")],
    jaar: Annotated[int, typer.Option("--jaar", help="Het jaar van het rapport, bijvoorbeeld 2026.")],
    formaat: Annotated[str, typer.Option("--formaat", help="html, pdf, csv of json.")] = "html",
    uit: Annotated[Path | None, typer.Option("--uit", help="Schrijf naar dit bestand (anders naar stdout).")] = None,
) -> None:
    """Maak het jaarrapport (participatieparagraaf) van een gemeente: cijfers, grafieken en het jaar ervoor."""
    from r2c.reports.render import FORMATS, render
    from r2c.service.setup import open_service
    from r2c.settings import load_settings

    if formaat not in FORMATS:
        raise ConfigError(f"--formaat {formaat}: kies uit {', '.join(FORMATS)}")
    settings = load_settings()
    service, db = open_service(settings=settings)
    try:
        report = _report(service, gemeente, jaar, settings)
    finally:
        db.engine.dispose()
    _write(render(report, formaat), uit)
    if report.leeg:
        typer.echo(f"let op: in {jaar} is er bij {gemeente} niets gebeurd; het rapport is leeg", err=True)


@opendata_app.callback()
def opendata(
    ctx: typer.Context,
    jaar: Annotated[int | None, typer.Option("--jaar", help="Het jaar, bijvoorbeeld 2026.")] = None,
    gemeente: Annotated[str | None, typer.Option("--gemeente", help="Alleen deze gemeente.")] = None,
    uit: Annotated[Path, typer.Option("--uit", help="De map voor de bestanden.")] = Path("."),
) -> None:
    """Schrijf open data (CSV en JSON, CC0) zonder persoonsgegevens; aantallen onder 5 staan als '<5'."""
    if ctx.invoked_subcommand is not None:
        return
    if jaar is None:
        raise ConfigError("--jaar ontbreekt: voor welk jaar? (bijvoorbeeld --jaar 2026)")
    from r2c.reports.figures import known_gemeenten
    from r2c.reports.opendata import record, to_csv, to_json
    from r2c.service.setup import open_service
    from r2c.settings import load_settings

    settings = load_settings()
    service, db = open_service(settings=settings)
    try:
        gemeenten = [gemeente] if gemeente else known_gemeenten(service.catalog)
        records = [record(_report(service, g, jaar, settings)) for g in gemeenten]
    finally:
        db.engine.dispose()
    if not uit.is_dir():
        raise ConfigError(f"--uit {uit}: geen map")
    stem = f"uitdaagrecht-{gemeente}-{jaar}" if gemeente else f"uitdaagrecht-{jaar}"
    _write(to_csv(records).encode("utf-8"), uit / f"{stem}.csv")
    _write(to_json(jaar, records).encode("utf-8"), uit / f"{stem}.json")
    typer.echo(f"geschreven: {uit / stem}.csv en {uit / stem}.json ({len(records)} gemeente(n))")


@opendata_app.command(name="samenvoegen")
def samenvoegen(
    bestanden: Annotated[list[Path], typer.Argument(help="Open-databestanden van gemeenten (.json of .csv).")],
    uit: Annotated[Path | None, typer.Option("--uit", help="Schrijf naar dit bestand (anders naar stdout).")] = None,
) -> None:
    """Voeg de open data van veel gemeenten samen tot een landelijk overzicht (JSON)."""
    from r2c.reports.opendata import combine

    overview = combine(bestanden)
    _write((json.dumps(overview, ensure_ascii=False, indent=2) + "\n").encode("utf-8"), uit)
