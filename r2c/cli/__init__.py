"""The ``r2c`` command. Each capability registers its own commands; errors become messages, not tracebacks."""

from __future__ import annotations

import sys

import typer

from r2c.errors import ConfigError, R2CError

app = typer.Typer(
    name="r2c",
    help="r2c: uitdaagrecht (Right to Challenge) volgens de verordening van elke gemeente.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    from r2c.cli import (
        agenda, demo, doctor, gebruikers, keys, rapport, scheduler, serve, storage, termijnen, workflows, zgw,
        zgw_status,
    )

    workflows.register(app)
    termijnen.register(app)
    storage.register(app)
    scheduler.register(app)
    serve.register(app)
    agenda.register(app)
    demo.register(app)
    keys.register(app)
    gebruikers.register(app)
    doctor.register(app)
    rapport.register(app)
    zgw.register(app)
    zgw_status.register(app)  # last: joins the zgw group when another module made it


def main() -> None:
    """Entry point of the console script: run the app; a ConfigError becomes one line and exit code 2 (as usage
    errors, which typer reports itself), any other R2CError a message and exit code 1."""
    _register()
    try:
        app()
    except ConfigError as error:
        typer.echo(f"fout: {error}", err=True)
        sys.exit(2)
    except R2CError as error:
        typer.echo(f"fout: {error}", err=True)
        sys.exit(1)
