"""CLI commands for termijnen: ``r2c termijn START DUUR`` and ``r2c feestdagen JAAR``."""

from __future__ import annotations

import json
import re
from datetime import date

import typer

from r2c.errors import TermijnError

_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


def parse_datum(text: str) -> date:
    """Parse a date as 2026-03-02 (ISO) or 2-3-2026 (Dutch order); TermijnError otherwise."""
    clean = text.strip()
    try:
        match = _DUTCH_DATE.match(clean)
        if match:
            day, month, year = (int(part) for part in match.groups())
            return date(year, month, day)
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", clean):
            return date.fromisoformat(clean)
    except ValueError:
        raise TermijnError(f"ongeldige datum {text!r}: deze dag bestaat niet") from None
    raise TermijnError(f"ongeldige datum {text!r}; schrijf JJJJ-MM-DD, bijvoorbeeld 2026-03-02")


def parse_jaar(text: str) -> int:
    """Parse a year such as 2026; TermijnError otherwise."""
    if not re.fullmatch(r"\s*\d{1,4}\s*", text):
        raise TermijnError(f"ongeldig jaar {text!r}; schrijf een jaartal, bijvoorbeeld 2026")
    return int(text)


def register(app: typer.Typer) -> None:
    """Add ``r2c termijn`` and ``r2c feestdagen`` to the app."""

    # ignore_unknown_options: "-3 weken" reaches parse_duur (and a clear error) instead of click's option parser
    @app.command("termijn", context_settings={"ignore_unknown_options": True})
    def termijn_command(
        start: str = typer.Argument(..., help="De gebeurtenis waarna de termijn loopt (JJJJ-MM-DD)."),
        duur: str = typer.Argument(..., help="De duur, bijvoorbeeld '8 weken', '10 werkdagen' of 'P8W'."),
        geen_atw: bool = typer.Option(False, "--geen-atw", help="Reken zonder de Algemene termijnenwet."),
        terug: bool = typer.Option(False, "--terug", help="Reken terug vanaf de gebeurtenis (Atw art. 1 lid 2)."),
        als_json: bool = typer.Option(False, "--json", help="Schrijf het resultaat als JSON."),
    ) -> None:
        """Bereken de einddatum van een termijn (Awb, Algemene termijnenwet) met uitleg."""
        from r2c.termijnen import bereken

        uitkomst = bereken(parse_datum(start), duur, atw=not geen_atw, terug=terug)
        if als_json:
            typer.echo(json.dumps(uitkomst.als_dict(), ensure_ascii=False, indent=2))
            return
        typer.echo(uitkomst.einddatum.isoformat())
        for line in uitkomst.uitleg:
            typer.echo(line)
        for warning in uitkomst.waarschuwingen:
            typer.echo(warning)

    @app.command("feestdagen")
    def feestdagen_command(
        jaar: str = typer.Argument(..., help="Het jaar, bijvoorbeeld 2026."),
    ) -> None:
        """Toon de algemeen erkende feestdagen van een jaar volgens de Algemene termijnenwet (art. 3)."""
        from r2c.termijnen import feestdagen, laad_kalender

        year = parse_jaar(jaar)
        for feestdag in feestdagen(year):
            extra = f"; {feestdag.bron}" if feestdag.bron else ""
            typer.echo(f"{feestdag.datum.isoformat()}  {feestdag.naam}  ({feestdag.grondslag}{extra})")
        for warning in laad_kalender().waarschuwingen(year, year):
            typer.echo(warning, err=True)
