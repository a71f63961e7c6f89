"""``r2c workflows ...``: validate, list, show, diagram, schema and proef (try out) of workflow definitions."""

from __future__ import annotations

import json
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from r2c.definitions.catalog import load_catalog
from r2c.definitions.lint import check_warnings
from r2c.definitions.loader import Loaded, default_paths, expand, load_all
from r2c.definitions.merge import Origins
from r2c.termijnen import euro

workflows = typer.Typer(help="Workflowbestanden: controleren, tonen, tekenen, uitproberen.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``workflows`` group to the root app."""
    app.add_typer(workflows, name="workflows")


@workflows.command()
def validate(paths: Annotated[Optional[list[Path]], typer.Argument(help="Bestanden of mappen.")] = None,
             streng: Annotated[bool, typer.Option(
                 "--streng", help="Een waarschuwing in de genoemde bestanden telt als probleem (exit 1).")] = False,
             ) -> None:
    """Controleer workflowbestanden: elk probleem als bestand:regel: melding, daarna de waarschuwingen; exit 1 bij
    een probleem (met --streng ook bij een waarschuwing)."""
    targets = paths or default_paths()
    if not targets:
        raise typer.BadParameter("geen workflowbestanden gevonden; geef een pad of zet R2C_DEFINITIES")
    missing = [str(p) for p in targets if not p.exists()]
    if missing:
        typer.echo(f"fout: bestaat niet: {', '.join(missing)}", err=True)
        raise typer.Exit(1)
    loaded, problems = load_all(targets, base_paths=default_paths())
    named = {str(f) for f in expand(targets)}
    bases = {f for item in loaded if item.file in named for f in item.chain} - named
    found = check_warnings(loaded)
    own = [w for w in found if w.file in named]
    in_base = [w for w in found if w.file in bases]
    for p in problems:
        typer.echo(f"{p.file}:{p.line}:{_key(p.key)} {p.message}")
    for w in own:
        typer.echo(f"{w.file}:{w.line}: waarschuwing:{_key(w.key)} {w.message}")
    also = f", {len(own)} waarschuwing(en)" if own else ""
    failed = bool(problems) or (streng and bool(own))
    if problems:
        typer.echo(f"{len(problems)} probleem/problemen gevonden{also}", err=True)
    elif failed:
        typer.echo(f"{len(own)} waarschuwing(en); met --streng telt elke waarschuwing als probleem", err=True)
    else:
        checked = sum(1 for item in loaded if item.file in named)
        typer.echo(f"ok: {checked} definitie(s) zonder problemen{also}", err=True)
    if in_base:
        files = ", ".join(sorted({w.file for w in in_base}))
        typer.echo(f"en {len(in_base)} waarschuwing(en) in de basis ({files}): die horen bij dat bestand en tellen "
                   "hier niet mee", err=True)
    if failed:
        raise typer.Exit(1)


def _key(key: str) -> str:
    return f" [{key}]" if key else ""


@workflows.command("list")
def list_() -> None:
    """Toon alle workflows met hun versies."""
    catalog = load_catalog()
    for ident in catalog.ids():
        for item in catalog.versions(ident):
            d = item.definition
            basis = f"  (op {d.extends})" if d.extends else ""
            typer.echo(f"{d.id}\t{d.versie}\tgeldig vanaf {d.geldig_vanaf}\t{d.soort}\t{d.naam}{basis}")


@workflows.command()
def show(gemeente: str, versie: Annotated[Optional[str], typer.Option(help="Standaard: de nieuwste.")] = None,
         as_json: Annotated[bool, typer.Option("--json", help="Als JSON, elke waarde met haar bron.")] = False) -> None:
    """Toon de volledige definitie van een gemeente, met bij elke waarde waar die vandaan komt."""
    item = load_catalog().get(gemeente, versie)
    data = item.definition.model_dump(mode="json")
    own_file = item.file
    if as_json:
        typer.echo(json.dumps(_annotated(data, item.origins, own_file, item.chain), indent=2, ensure_ascii=False))
        return
    d = item.definition
    typer.echo(f"# {d.naam}, versie {d.versie}, geldig vanaf {d.geldig_vanaf}")
    typer.echo(f"# opgebouwd uit: {' -> '.join(item.chain)}")
    typer.echo("# [gemeente] = eigen bestand, [model] = geërfd van het model, [eerdere versie] = geërfd van een"
               " eerdere versie van deze gemeente, [standaard] = standaardwaarde")
    for line in _lines(data, item.origins, own_file, item.chain, 0):
        typer.echo(line)


def _source(node: Origins | None, own_file: str, chain: tuple[str, ...]) -> str:
    if node is None:
        return "[standaard]"
    kind = "gemeente" if node.file == own_file else ("model" if node.file == chain[0] else "eerdere versie")
    return f"[{kind} {node.file}:{node.line}]"


def _lines(value: Any, origins: Origins | None, own_file: str, chain: tuple[str, ...], depth: int) -> list[str]:
    pad = "  " * depth
    out: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            node = origins.children.get(key) if origins else None
            if isinstance(inner, dict) and inner:
                out.append(f"{pad}{key}:")
                out += _lines(inner, node, own_file, chain, depth + 1)
            else:
                shown = json.dumps(inner, ensure_ascii=False)
                out.append(f"{pad}{key}: {shown}    # {_source(node, own_file, chain)}")
    return out


def _annotated(value: Any, origins: Origins | None, own_file: str, chain: tuple[str, ...]) -> Any:
    if isinstance(value, dict) and value:
        return {k: _annotated(v, origins.children.get(k) if origins else None, own_file, chain) for k, v in value.items()}
    return {"waarde": value, "bron": _source(origins, own_file, chain).strip("[]")}


class Format(str, Enum):
    mermaid = "mermaid"
    svg = "svg"


@workflows.command()
def diagram(gemeente: str, format: Annotated[Format, typer.Option("--format")] = Format.mermaid,
            versie: Annotated[Optional[str], typer.Option()] = None) -> None:
    """Teken de workflow van een gemeente als Mermaid of SVG (naar stdout)."""
    from r2c.definitions.diagram import mermaid, svg

    item: Loaded = load_catalog().get(gemeente, versie)
    typer.echo(mermaid(item) if format is Format.mermaid else svg(item), nl=False)


@workflows.command()
def schema(soort: Annotated[str, typer.Option(help="'model' (alles verplicht) of 'gemeente' (alleen afwijkingen).")] = "model") -> None:
    """Het JSON Schema van een workflowbestand, voor editors."""
    from r2c.definitions.schema import Definition

    if soort not in ("model", "gemeente"):
        raise typer.BadParameter("kies 'model' of 'gemeente'", param_hint="--soort")
    result = Definition.model_json_schema()
    if soort == "gemeente":
        result = _optional(result)
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    result["title"] = f"r2c workflowbestand ({soort})"
    typer.echo(json.dumps(result, indent=2, ensure_ascii=False))


def _optional(node: Any) -> Any:
    """The schema with nothing required: a gemeente file states only what differs from its base."""
    if isinstance(node, dict):
        return {k: _optional(v) for k, v in node.items() if k != "required"}
    if isinstance(node, list):
        return [_optional(v) for v in node]
    return node


@workflows.command()
def proef(gemeente: Annotated[str, typer.Argument(help="De gemeente, bv. gouda.")],
          stappen: Annotated[Optional[list[str]], typer.Argument(
              help="Stappen: event\\[@rol]\\[:veld=waarde,...] of +Nd (N dagen later). Een lijst schrijft u met ; "
                   "(vereisten=contactgegevens;taak), een oordeel als criterium:oordeel; reden=... geeft de reden.",
              show_default=False)] = None,
          versie: Annotated[Optional[str], typer.Option(
              help="Standaard: de versie die geldt op de dag van --op.")] = None,
          op: Annotated[Optional[str], typer.Option(
              "--op", help="Dag van de eerste stap (JJJJ-MM-DD). Standaard vandaag, of de geldig_vanaf van --versie "
                           "als die later is.")] = None,
          as_json: Annotated[bool, typer.Option(
              "--json", help="Als één JSON-document: een lijst van stappen.")] = False,
          ) -> None:
    """Probeer een procedure uit, zonder database: na elke stap de staat, de termijnen, de brieven en wat elke rol
    nu mag. Zonder gegevens vult r2c in wat aan elke voorwaarde voldoet. Exit 1 bij een geweigerde stap of foute
    invoer."""
    from r2c.clock import SystemClock, today
    from r2c.engine.workflow import Workflow
    from r2c.service.proef import STAP_VORM, Proef, ProefError, begin, parse_stap

    if not stappen:
        typer.echo(f"fout: geef minstens één stap; een stap is {STAP_VORM}", err=True)
        raise typer.Exit(1)
    try:
        first = date.fromisoformat(op) if op is not None else None
    except ValueError:
        typer.echo(f"fout: --op '{op}' is geen datum (JJJJ-MM-DD)", err=True)
        raise typer.Exit(1) from None
    try:
        parsed = [parse_stap(stap) for stap in stappen]
        loaded, day = begin(load_catalog(), gemeente, versie=versie, op=first, vandaag=today(SystemClock()))
        walk = Proef(Workflow(loaded), day)
        results = walk.walk(parsed)
    except ProefError as error:
        typer.echo(f"fout: {error}", err=True)
        raise typer.Exit(1) from None
    refused = "geweigerd" in results[-1]
    if as_json:
        typer.echo(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        d = loaded.definition
        typer.echo(f"{d.naam}, versie {d.versie}; eerste stap op {day.isoformat()}")
        for number, result in enumerate(results, 1):
            for line in _proef_lines(number, result):
                typer.echo(line)
    if refused:
        raise typer.Exit(1)


def _proef_lines(number: int, r: dict[str, Any]) -> list[str]:
    """One step of ``proef`` as text."""
    if "event" in r:
        wie = "standaardrol: de eerste rol van de stap" if r["rol_standaard"] else "opgegeven rol"
        lines = [f"{number}. {r['event']} door {r['rol']} ({wie}) op {r['dag']}"]
        if r["gegevens"]:
            lines.append(f"   gegevens: {', '.join(f'{k}={_shown(v)}' for k, v in r['gegevens'].items())}")
        if r.get("partij"):
            lines.append(f"   partij: {r['partij']}")
        if "let_op" in r:
            lines.append(f"   let op: {r['let_op']}")
    else:
        lines = [f"{number}. {r['stap']}: {r['van']} tot en met {r['tot_en_met']}"]
        for item in r["gebeurd"]:
            if item["soort"] == "event":
                tail = f"geweigerd: {item['geweigerd']}" if "geweigerd" in item else f"-> {item['staat']}"
                lines.append(f"   {item['dag']} het systeem vuurt {item['event']}: {tail}")
            elif item["soort"] == "verlopen":
                lines.append(f"   {item['dag']} {item['termijn']} verstreken (laatste dag {item['einddatum']})")
            else:
                lines.append(f"   {item['dag']} {item['soort']} {item['termijn']} ({item['moment']}, laatste dag "
                             f"{item['einddatum']}) aan {item['aan']}")
    if "geweigerd" in r:
        lines.append(f"   geweigerd: {r['geweigerd']}")
    staat = r["staat"]
    lines.append(f"   staat: {staat['code']} ({staat['fase']}: {staat['label']})")
    for term in r["termijnen"]:
        if term["status"] == "opgeschort":
            lines.append(f"   termijn {term['naam']} opgeschort vanaf {term['opgeschort_vanaf']} "
                         "(loopt na hervatten door)")
        else:
            lines.append(f"   termijn {term['naam']} loopt, laatste dag {term['einddatum']}")
        if "dwangsom" in term:
            owed = term["dwangsom"]
            lines.append(f"   dwangsom verbeurd tot en met {owed['tot_en_met']}: {euro(owed['verbeurd'])} van ten "
                         f"hoogste {euro(owed['maximum'])} ({owed['uitleg'][2].rstrip('.')})")
    for brief in r.get("brieven", []):
        lines.append(f"   brief {brief['brief']} ({brief['titel']}) aan {brief['aan']}")
    for rol, events in r["mag_nu"].items():
        lines.append(f"   {rol} mag nu: {', '.join(events)}")
    if not r["mag_nu"]:
        lines.append("   niemand mag nu nog iets: de uitdaging is afgesloten")
    return lines


def _shown(value: Any) -> str:
    if isinstance(value, dict):
        return ";".join(f"{k}:{v.get('oordeel')}" for k, v in value.items())
    if isinstance(value, list):
        return ";".join(value)
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)
