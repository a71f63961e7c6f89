"""``r2c zgw zaaktype GEMEENTE``: a workflow version as the Catalogi API's request bodies (JSON), and with
``--publiceer`` created and published in the gemeente's Catalogi API (docs/zgw.md)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from r2c.errors import ConfigError

zgw = typer.Typer(help="De koppeling met het zaaksysteem (ZGW API's).", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``zgw`` group to the root app."""
    app.add_typer(zgw, name="zgw")


@zgw.command()
def zaaktype(gemeente: Annotated[str, typer.Argument(help="De gemeente, bv. gouda.")],
             versie: Annotated[Optional[str], typer.Option(help="Standaard: de nieuwste.")] = None,
             publiceer: Annotated[bool, typer.Option(
                 "--publiceer", help="Maak het zaaktype aan in de Catalogi-API van de gemeente (R2C_ZGW_CONFIG) en "
                                     "publiceer het; een versie die er al is, blijft zoals ze is.")] = False,
             ) -> None:
    """Het zaaktype van een workflowversie als JSON: de verzoeken aan de Catalogi-API, met plaatshouders voor de
    URL's. Zonder keuze van de archivaris voor een resultaat (R2C_ZGW_CONFIG) een plaatshouder, in 'waarschuwingen'
    genoemd (en op stderr als de gemeente wel is ingesteld); met --publiceer is dat een fout."""
    from r2c.definitions.catalog import load_catalog
    from r2c.settings import load_settings
    from r2c.zgw.config import VARIABLE, load_zgw_config
    from r2c.zgw.zaaktype import build_zaaktype

    catalog = load_catalog()
    known = catalog.ids(soort="gemeente")
    if gemeente not in known:
        typer.echo(f"fout: geen gemeente '{gemeente}'; bekend: {', '.join(known)}", err=True)
        raise typer.Exit(1)
    versions = catalog.versions(gemeente)
    item = catalog.get(gemeente, versie)
    later = [v for v in versions if v.definition.geldig_vanaf > item.definition.geldig_vanaf]
    config = load_zgw_config(load_settings().zgw_config)
    settings = config.get(gemeente)
    if publiceer and settings is None:
        raise ConfigError(f"{VARIABLE}: geen [gemeente.{gemeente}] ingesteld; zonder Catalogi-API kan r2c niet "
                          "publiceren (zie docs/zgw.md)")
    bodies = build_zaaktype(item, gemeente=settings, einde=later[0] if later else None, strict=publiceer)
    if not publiceer:
        for warning in bodies.waarschuwingen if settings is not None else ():
            typer.echo(f"waarschuwing: {warning}", err=True)
        typer.echo(bodies.dumps())
        return
    from r2c.zgw.catalogi import publish
    from r2c.zgw.client import ZgwClient

    client = ZgwClient(settings)
    try:
        done = publish(bodies, client=client)
    finally:
        client.close()
    name = f"zaaktype {bodies.zaaktype['identificatie']} versie {item.definition.versie}"
    if done.bestond:
        typer.echo(f"{name} staat al gepubliceerd in de catalogus: {done.zaaktype}; niets aangemaakt")
        return
    made = ", ".join(f"{n} {resource}" for resource, n in done.aangemaakt.items()) or "niets"
    typer.echo(f"{name} gepubliceerd: {done.zaaktype}"
               + (" (het concept van een afgebroken poging is afgemaakt)" if done.afgemaakt else ""))
    typer.echo(f"aangemaakt: {made}" + (f"; hergebruikt: {len(done.hergebruikt)}" if done.hergebruikt else ""))



