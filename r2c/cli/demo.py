"""``r2c demo``: fill the configured database with demo challenges and keys (``make run`` runs it each time)."""

from __future__ import annotations

from typing import Annotated, Any

import typer


def register(app: typer.Typer) -> None:
    """Add the ``demo`` command to the root app."""
    app.command(name="demo")(demo)


def demo(url: Annotated[str, typer.Option(help="Waar de server draait (voor de getoonde adressen).")] =
         "http://127.0.0.1:8000") -> None:
    """Vul de database (R2C_DATABASE_URL) met demo-uitdagingen bij gouda en vught; niets als er al uitdagingen zijn."""
    from r2c.demo import seed, seed_accounts
    from r2c.service.accounts import Accounts
    from r2c.service.setup import open_service

    service, db = open_service()
    try:
        report = seed(service, keys=_key_store(db, service))
        logins = seed_accounts(Accounts(db.sessions, service.clock, roles=service.policy.key_roles(service.catalog)))
    finally:
        db.engine.dispose()
    for line in [*report.lines(base_url=url.rstrip("/")), *logins]:
        typer.echo(line)


def _key_store(db: Any, service: Any) -> Any:
    """The API key store when this version of r2c has one (``r2c.service.access.KeyStore``), else None."""
    try:
        from r2c.service.access import KeyStore
    except ModuleNotFoundError as missing:
        if missing.name != "r2c.service.access":
            raise
        return None
    return KeyStore(db.sessions, service.clock, roles=service.policy.key_roles(service.catalog))
