"""``r2c serve``: the HTTP server with the scheduler in the same process (what ``make run`` starts)."""

from __future__ import annotations

import gc
from typing import Annotated

import typer


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the root app."""
    app.command(name="serve")(serve)


def serve(host: Annotated[str, typer.Option(help="Adres om op te luisteren.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Poort.")] = 8000,
          planner: Annotated[bool, typer.Option("--planner/--zonder-planner",
                                                help="De planner in dit proces draaien.")] = True) -> None:
    """Start de server (API) op http://HOST:PORT, met de planner in hetzelfde proces."""
    import uvicorn

    from r2c import logs
    from r2c.api import create_app
    from r2c.service.setup import open_service
    from r2c.settings import load_settings

    settings = load_settings()
    logs.configure(settings.log_format)
    service, _ = open_service(settings=settings)
    service.engine.build_all()  # every workflow compiled before the first request
    gc.freeze()  # definitions and machines live as long as the process: keep them out of the collector's way
    typer.echo(f"r2c op http://{host}:{port}{'' if planner else ' (zonder planner)'}; stoppen met Ctrl-C")
    # uvicorn's records go to r2c's handler (its own config would bypass R2C_LOG_FORMAT); its access line logs the
    # raw path, which may hold a status link's token: r2c.api.metrics logs one with the route template instead
    uvicorn.run(create_app(service, settings=settings, scheduler=planner), host=host, port=port, log_level="info",
                log_config=None, access_log=False)
