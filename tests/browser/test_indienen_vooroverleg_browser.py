"""The intake form of a gemeente with a mandatory vooroverleg and kinds of party (tests/fixtures/vooroverleg), in a
real browser with JavaScript off: the radio group is required and its error stands next to it, the aanmelding goes
through; axe (WCAG 2.1 AA) on the form with its error and at 320 px no sideways scrolling."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from r2c.api import create_app
from r2c.clock import FixedClock
from r2c.definitions import load_catalog
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store import Database, DocumentStore
from tests.browser.axe import assert_accessible
from tests.browser.conftest import serve
from tests.browser.test_indienen_browser import fits
from tests.conftest import FIXTURES, MODEL_DIR, ROOT
from tests.integration.helpers import behandelaar


@pytest.fixture
def intake(tmp_path):
    catalog = load_catalog([MODEL_DIR, FIXTURES / "vooroverleg"], base_paths=[])
    database = Database.connect(f"sqlite:///{tmp_path / 'r2c.db'}")
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)),
                               read_session_factory=database.read_sessions,
                               documents=DocumentStore(tmp_path / "documenten"))
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'r2c.db'}", huisstijl=ROOT / "huisstijl",
                        documenten=tmp_path / "documenten")
    try:
        with serve(create_app(service, settings=settings)) as url:
            yield url, service
    finally:
        database.engine.dispose()


def test_a_resident_applies_for_the_vooroverleg_choosing_who_applies(browser, intake) -> None:
    url, service = intake
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(f"{url}/indienen/overlegstad")
    assert page.locator("h1").inner_text() == "Aanmelden voor het vooroverleg" and fits(page)
    page.fill("#titel", "Groen in de Kerkstraat")
    page.fill("#omschrijving", "Wij willen het groen in onze straat zelf onderhouden.")
    page.fill("#naam", "Fatima de Vries")
    page.fill("#email", "fatima@example.nl")
    page.get_by_role("button", name="Verder: controleer uw gegevens").click()
    assert "Verplicht: zeg wie de aanvraag indient" in page.locator("#partij-fout").inner_text() and fits(page)
    error_html = page.content()
    page.get_by_label("Een stichting").check()
    page.get_by_role("button", name="Verder: controleer uw gegevens").click()
    page.get_by_role("button", name="Een gesprek aanvragen").click()
    assert page.locator("h1").inner_text() == "Uw aanmelding is ontvangen" and fits(page)
    [challenge] = service.search(actor=behandelaar("overlegstad")).items
    assert challenge.state == "vooroverleg.gesprek" and challenge.facts["partij"] == "stichting"
    context.close()

    checker = browser.new_context(bypass_csp=True)
    check = checker.new_page()
    check.goto(f"{url}/indienen/overlegstad")
    assert_accessible(check, "het formulier")
    check.route(f"{url}/snapshot", lambda route, _request: route.fulfill(body=error_html, content_type="text/html"))
    check.goto(f"{url}/snapshot")
    assert_accessible(check, "het formulier met de fout bij de keuze")
    checker.close()
