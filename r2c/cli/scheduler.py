"""``r2c scheduler``: reminders, escalations, lapsed terms and outgoing messages."""

from __future__ import annotations

from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``scheduler`` command to the root app."""
    app.command(name="scheduler")(scheduler)


def scheduler(eenmalig: Annotated[bool, typer.Option("--eenmalig", help="Eén ronde en stoppen.")] = False) -> None:
    """Draai de planner: termijnen bewaken, berichten verdelen en versturen, en de geschiedenis verankeren."""
    from r2c import logs
    from r2c.clock import SystemClock
    from r2c.notify.channels import load_channels
    from r2c.notify.routing import Router
    from r2c.scheduler.anchor import anchor_job
    from r2c.scheduler.jobs import tick
    from r2c.scheduler.runner import run_blocking
    from r2c.service.setup import open_service
    from r2c.settings import load_settings

    settings = load_settings()
    logs.configure(settings.log_format)
    service, _ = open_service(settings=settings)
    if eenmalig:
        reports = tick(service, SystemClock(), load_channels(settings), Router(settings, service.catalog),
                       max_attempts=settings.max_pogingen, digest=True)
        anchor = anchor_job(settings)
        if anchor is not None:
            reports["anker"] = anchor.run(service, SystemClock())
        for name, report in reports.items():
            typer.echo(f"{name}: {report.summary()}")
        return
    typer.echo(f"planner draait elke {settings.planner_interval} s op {settings.database_url} (Ctrl-C stopt)")
    run_blocking(service, settings)
