"""``r2c serve``: the HTTP server with the scheduler (what ``make run`` starts); with ``--workers N`` several
processes answer requests and the scheduler runs once, in the main process."""

from __future__ import annotations

import gc
import os
from typing import Annotated

import typer

PLANNER_IN_MAIN = "R2C_INTERN_PLANNER_IN_HOOFDPROCES"
"""Set by ``r2c serve --workers N`` for its worker processes: the planner runs in the main process."""


def register(app: typer.Typer) -> None:
    """Add the ``serve`` command to the root app."""
    app.command(name="serve")(serve)


def serve(host: Annotated[str, typer.Option(help="Adres om op te luisteren.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Poort.")] = 8000,
          planner: Annotated[bool, typer.Option("--planner/--zonder-planner",
                                                help="De planner in dit proces draaien.")] = True,
          workers: Annotated[int, typer.Option(
              "--workers", min=1, max=64,
              help="Aantal werkprocessen dat verzoeken beantwoordt (standaard 1; bijvoorbeeld het aantal cores). "
                   "Met meer dan 1 draait de planner in het hoofdproces.")] = 1) -> None:
    """Start de server (API) op http://HOST:PORT, met de planner in hetzelfde proces."""
    import uvicorn

    from r2c import logs
    from r2c.settings import load_settings

    settings = load_settings()
    logs.configure(settings.log_format)
    # uvicorn's records go to r2c's handler (its own config would bypass R2C_LOG_FORMAT); its access line logs the
    # raw path, which may hold a status link's token: r2c.api.metrics logs one with the route template instead
    options = {"host": host, "port": port, "log_level": "info", "log_config": None, "access_log": False}
    if workers == 1:
        typer.echo(f"r2c op http://{host}:{port}{'' if planner else ' (zonder planner)'}; stoppen met Ctrl-C")
        uvicorn.run(_app(settings, planner=planner), **options)
        return
    # several processes: each builds its own app (worker_app); the planner runs once, in this process, whose
    # main thread uvicorn uses to watch the workers
    running = None
    if planner:
        from r2c.scheduler.runner import start_background
        from r2c.service.setup import open_service

        running = start_background(open_service(settings=settings)[0], settings)
    typer.echo(f"r2c op http://{host}:{port} met {workers} werkprocessen"
               f"{', de planner in het hoofdproces' if planner else ' (zonder planner)'}; stoppen met Ctrl-C")
    os.environ[PLANNER_IN_MAIN] = "1" if planner else ""  # the workers' /ready says where the planner is
    try:
        uvicorn.run("r2c.cli.serve:worker_app", factory=True, workers=workers, **options)
    finally:
        if running is not None:
            running.shutdown(wait=False)


def worker_app():
    """The app one of ``r2c serve --workers N``'s processes serves: the same settings, without the planner."""
    from r2c import logs
    from r2c.settings import load_settings

    settings = load_settings()
    logs.configure(settings.log_format)
    return _app(settings, planner=False, planner_elsewhere=bool(os.environ.get(PLANNER_IN_MAIN)))


def _app(settings, *, planner: bool, planner_elsewhere: bool = False):
    """r2c's app on ``settings``, every workflow compiled before the first request."""
    from r2c.api import create_app
    from r2c.service.setup import open_service

    service, _ = open_service(settings=settings)
    service.engine.build_all()
    gc.freeze()  # definitions and machines live as long as the process: keep them out of the collector's way
    return create_app(service, settings=settings, scheduler=planner, planner_elsewhere=planner_elsewhere)
