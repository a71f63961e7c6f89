"""The year report page (r2c.web.rapport) for staff: a teamleider, lezer or beheerder of the gemeente sees the
same report as the CLI's HTML, passing axe (WCAG 2.1 AA); a behandelaar gets a 403 page, another gemeente a 404.
The login is not built here: the router takes the dependency that yields the Actor, as the login will give it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from r2c.clock import FixedClock
from r2c.engine.case import Actor
from r2c.reports.figures import build_report
from r2c.reports.render import report_html
from r2c.service import ChallengeService
from r2c.store import Database
from r2c.web.pages import mount_static
from r2c.web.rapport import rapport_router
from tests.browser.axe import assert_accessible
from tests.browser.conftest import serve
from tests.integration.test_rapport import G, at, build


@pytest.fixture(scope="module")
def service(tmp_path_factory, catalog) -> ChallengeService:
    database = Database.connect(f"sqlite:///{tmp_path_factory.mktemp('rapport') / 'r2c.db'}")
    database.upgrade()
    clock = FixedClock(at("2025-01-06"))
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    build(service, clock)
    return service


def logged_in(rol: str, gemeente: str = G) -> Callable[[], Actor]:
    def staff() -> Actor:
        return Actor(f"{rol}@{gemeente}.example", rol, gemeente)
    return staff


def app_for(service: ChallengeService, rol: str, gemeente: str = G) -> FastAPI:
    app = FastAPI()
    mount_static(app)
    app.include_router(rapport_router(service, staff_dependency=logged_in(rol, gemeente)))
    return app


@pytest.mark.parametrize("rol", ["teamleider", "lezer", "beheerder"])
def test_staff_who_may_see_the_report_get_the_clis_html(service, rol) -> None:
    page = TestClient(app_for(service, rol)).get(f"/rapport/{G}/2026")
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    cli = report_html(build_report(service, gemeente=G, jaar=2026))
    table = cli[cli.index("<h2>Alle cijfers</h2>"):cli.index("</main>")]
    assert table in page.text


def test_the_logins_staff_works_too_acting_in_their_current_role(service) -> None:
    from r2c.web.staff import Staff

    def staff(rol: str) -> Callable[[], Staff]:
        return lambda: Staff("p1", "P. de Wit", "p@vught.example", G, ("behandelaar", "teamleider"), rol)

    for rol, status in (("teamleider", 200), ("behandelaar", 403)):
        app = FastAPI()
        app.include_router(rapport_router(service, staff_dependency=staff(rol)))
        assert TestClient(app).get(f"/rapport/{G}/2026").status_code == status


def test_a_behandelaar_is_refused_and_another_gemeente_is_not_found(service) -> None:
    refused = TestClient(app_for(service, "behandelaar")).get(f"/rapport/{G}/2026")
    assert refused.status_code == 403 and "Geen toegang" in refused.text and "Alle cijfers" not in refused.text
    other = TestClient(app_for(service, "teamleider", "gouda")).get(f"/rapport/{G}/2026")
    assert other.status_code == 404 and "Alle cijfers" not in other.text
    future = TestClient(app_for(service, "teamleider")).get(f"/rapport/{G}/2099")
    assert future.status_code == 404 and "toekomst" in future.text


def test_the_report_page_passes_axe(browser, service) -> None:
    with serve(app_for(service, "lezer")) as url:
        context = browser.new_context(bypass_csp=True)
        page = context.new_page()
        page.goto(f"{url}/rapport/{G}/2026")
        assert page.locator("h1").inner_text().startswith("Uitdaagrecht in 2026")
        assert page.locator("img[alt^='Staafdiagram']").count() == 3
        assert_accessible(page, "het jaarrapport")
        context.close()
