"""A real browser against a real server: Debian's chromium, driven by Playwright, on uvicorn over loopback HTTP.

Needs /usr/bin/chromium (``apt-get install chromium``; R2C_CHROMIUM names another binary) and the ``playwright``
package (the dev extras). Without them the browser tests skip and say so; with CI=true they must run and fail.

Close a page only once its last navigation has loaded (``expect_navigation`` around the click): chromium can drop a
``page.close()`` that races a navigation commit, and Playwright then waits for ever (microsoft/playwright#42068).
Closing the whole context does not have this problem.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path(os.environ.get("R2C_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() == "true"
LAUNCH_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def _unavailable(reason: str) -> None:
    if IN_CI:
        pytest.fail(f"CI=true maar de browsertests kunnen niet draaien: {reason}")
    pytest.skip(f"browsertests overgeslagen: {reason}")


@pytest.fixture(scope="session")
def browser():
    """A headless chromium for the whole session."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} ontbreekt; installeer chromium met `apt-get install chromium` "
                     "(of zet R2C_CHROMIUM op een ander chromium-programma)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("het pakket playwright ontbreekt; installeer de dev-extra's (`make install-dev`)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass(frozen=True)
class Site:
    """The running server: its base URL, the service behind it, and a status link made for the tests."""

    url: str
    service: object
    token: str
    challenge_id: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve(app) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; yields its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError(f"uvicorn startte niet op poort {port}")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def site(tmp_path, catalog) -> Iterator[Site]:
    """The status pages on a SQLite database, served by uvicorn in a thread; one incomplete challenge in it."""
    from fastapi import FastAPI

    from r2c.clock import FixedClock
    from r2c.exports.letters import Letters
    from r2c.notify.routing import Router
    from r2c.service import ChallengeService
    from r2c.settings import Settings
    from r2c.store import Database, DocumentStore
    from r2c.web import status_router
    from tests.integration.helpers import behandelaar, submit

    database = Database.connect(f"sqlite:///{tmp_path / 'r2c.db'}")
    database.upgrade()
    clock = FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions,
                               documents=DocumentStore(tmp_path / "documenten"))
    fired = submit(service, titel="Onderhoud groen en speeltuin 't Weiland, met een heel lange titel erbij")
    service.fire(fired.challenge.id, "aanvulling_vragen", actor=behandelaar())
    app = FastAPI()
    app.include_router(status_router(service, Letters(service, Router(Settings(huisstijl=ROOT / "huisstijl"),
                                                                      catalog))))
    try:
        with serve(app) as url:
            yield Site(url, service, fired.status_token, fired.challenge.id)
    finally:
        database.engine.dispose()
