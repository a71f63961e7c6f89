"""The HTTP layer: ``create_app(service)``, a FastAPI app a host can mount. Thin: every rule is in the service.

So far it serves the health and readiness checks and, in its lifespan, runs the scheduler in the server process
(``r2c serve``, ``make run``); the resources of issue 6 come on top.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from sqlalchemy import text

from r2c.service.challenges import ChallengeService
from r2c.settings import Settings

BASE = "/api/v1"


def create_app(service: ChallengeService, *, settings: Settings | None = None, scheduler: bool = False) -> FastAPI:
    """The app on ``service``; with ``scheduler`` the planner runs in this process while the app runs."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        running = None
        if scheduler:
            from r2c.scheduler.runner import start_background

            running = start_background(service, settings)
        try:
            yield
        finally:
            if running is not None:
                running.shutdown(wait=False)

    app = FastAPI(title="r2c", summary="Uitdaagrecht (Right to Challenge) volgens de verordening van elke gemeente",
                  version="1", openapi_url=f"{BASE}/openapi.json", docs_url=f"{BASE}/docs", redoc_url=None,
                  lifespan=lifespan)

    @app.get(f"{BASE}/health", tags=["beheer"], summary="Draait de server?")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(f"{BASE}/ready", tags=["beheer"], summary="Kan de server werken: is de database bereikbaar?")
    def ready():
        try:
            with service._read() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # noqa: BLE001 - any failure means: not ready
            return JSONResponse(status_code=503, media_type="application/problem+json", content={
                "type": "about:blank", "title": "Niet gereed", "status": 503,
                "detail": f"de database is niet bereikbaar: {type(error).__name__}"})
        return {"status": "gereed", "planner": scheduler}

    return app
