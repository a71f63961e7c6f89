"""``r2c doctor``: check a configuration before going live; a checklist, exit code 1 when something is wrong.

Each check says what it looked at and what it found, in one Dutch line. A check that cannot run because an
earlier one failed (no settings, no database) is skipped, not failed twice.
"""

from __future__ import annotations

import os
import smtplib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import httpx
import typer

from r2c.errors import R2CError
from r2c.settings import Settings

Result = Literal["ok", "fout", "-"]


@dataclass(frozen=True)
class Check:
    """One line of the checklist.

    Attributes:
        result: 'ok', 'fout', or '-' (not applicable, or skipped because of an earlier failure).
        name: what was checked.
        detail: what was found, or what to do.
    """

    result: Result
    name: str
    detail: str

    def line(self) -> str:
        """The checklist line."""
        return f"{'[' + self.result + ']':7}{self.name}: {self.detail}"


def register(app: typer.Typer) -> None:
    """Add ``r2c doctor`` to the root app."""
    app.command("doctor")(doctor)


def doctor() -> None:
    """Controleer de instellingen, de database, de workflows, de documentenmap, de mailserver en de webhooks;
    exit 1 als er iets mis is."""
    checks = run_checks()
    for check in checks:
        typer.echo(check.line())
    wrong = sum(check.result == "fout" for check in checks)
    if wrong:
        typer.echo(f"{wrong} probleem/problemen: los ze op voordat r2c live gaat", err=True)
        raise typer.Exit(1)
    typer.echo("alles in orde")


def run_checks() -> list[Check]:
    """Every check, in order; later checks are skipped when what they need failed."""
    from r2c.settings import load_settings

    try:
        settings = load_settings()
    except R2CError as error:
        return [Check("fout", "instellingen", str(error)),
                Check("-", "overige controles", "overgeslagen: eerst de instellingen herstellen")]
    checks = [Check("ok", "instellingen", "alle R2C_-variabelen zijn geldig")]
    for name, check in (("database", _database), ("workflows", _definitions), ("documenten", _documents),
                        ("kanalen", _channels), ("e-mail", _smtp), ("webhooks", _webhooks)):
        checks.append(_guarded(name, check, settings))
    return checks


def _guarded(name: str, check: Callable[[Settings], Check], settings: Settings) -> Check:
    try:
        return check(settings)
    except R2CError as error:
        return Check("fout", name, str(error))


def _database(settings: Settings) -> Check:
    from sqlalchemy import make_url

    from r2c.store.db import Database

    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not os.path.exists(url.database):  # connecting would create an empty file
            return Check("fout", "database", f"het bestand {url.database} bestaat niet (R2C_DATABASE_URL): "
                                             "'r2c db upgrade' maakt het aan")
    database = Database.connect(settings.database_url)
    try:
        current, head = database.revisions()
    finally:
        database.engine.dispose()
    if current != head:
        state = "leeg" if current is None else f"op revisie {current}"
        return Check("fout", "database", f"{database.safe_url} is {state}, verwacht {head}: voer 'r2c db upgrade' uit")
    return Check("ok", "database", f"{database.safe_url} bereikbaar, schema op revisie {head}")


def _definitions(_settings: Settings) -> Check:
    from r2c.definitions import load_catalog

    try:
        catalog = load_catalog()
    except R2CError as error:
        problems = getattr(error, "problems", ())
        return Check("fout", "workflows", f"{len(problems) or 'een'} probleem/problemen; "
                                          "'r2c workflows validate' toont ze met bestand en regel")
    gemeenten = catalog.ids(soort="gemeente")
    return Check("ok", "workflows", f"{len(gemeenten)} gemeente(n) zonder problemen: {', '.join(gemeenten)}")


def _documents(settings: Settings) -> Check:
    folder = settings.documenten
    if not folder.exists():
        parent = folder.parent
        if os.access(parent, os.W_OK):
            return Check("ok", "documenten", f"{folder} bestaat nog niet; r2c maakt de map bij het eerste document")
        return Check("fout", "documenten", f"{folder} bestaat niet en in {parent} mag r2c geen map maken")
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".r2c-doctor-"):
            pass
    except OSError as error:
        return Check("fout", "documenten", f"{folder} is niet schrijfbaar: {error.strerror}")
    return Check("ok", "documenten", f"{folder} is schrijfbaar")


def _channels(settings: Settings) -> Check:
    from r2c.notify.channels import load_channels

    channels = load_channels(settings)
    for channel in channels.values():
        close = getattr(channel, "close", None)
        if close is not None:
            close()
    return Check("ok", "kanalen", ", ".join(channels) or "geen")


def _smtp(settings: Settings) -> Check:
    if "email" not in settings.kanalen:
        return Check("-", "e-mail", "het kanaal email staat niet aan (R2C_KANALEN)")
    from r2c.notify.email import EmailChannel

    try:
        return Check("ok", "e-mail", EmailChannel(settings, timeout=10).probe())
    except (smtplib.SMTPException, OSError) as error:
        reason = str(error).splitlines()[0] if str(error) else type(error).__name__
        return Check("fout", "e-mail", f"SMTP {settings.smtp_host}:{settings.smtp_port} (R2C_SMTP_HOST, "
                                       f"R2C_SMTP_PORT): {reason}")


def _webhooks(settings: Settings) -> Check:
    if "webhook" not in settings.kanalen or not settings.webhook_urls:
        return Check("-", "webhooks", "het kanaal webhook staat niet aan of er is geen R2C_WEBHOOK_URLS")
    failed = []
    for url in settings.webhook_urls:
        try:
            httpx.request("HEAD", url, timeout=10, follow_redirects=False)  # any answer: the receiver is there
        except httpx.HTTPError as error:
            failed.append(f"{url}: {type(error).__name__}")
    if failed:
        return Check("fout", "webhooks", "niet bereikbaar: " + "; ".join(failed))
    return Check("ok", "webhooks", f"{len(settings.webhook_urls)} adres(sen) bereikbaar")
