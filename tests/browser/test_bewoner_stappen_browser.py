"""The resident's whole journey in a real browser with JavaScript off (issue 15), on SQLite and PostgreSQL: submit
through the form, get the link by e-mail (a real SMTP server, aiosmtpd), follow it, complete the request (tick
what is now included, upload), give a zienswijze, withdraw after a confirmation; the status page shows what was
sent. axe (WCAG 2.1 AA) on every step form, errors included; a link of one challenge never acts on another; no
sideways scrolling at 320 px."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from r2c.api import create_app
from r2c.clock import FixedClock
from r2c.notify.channels import load_channels
from r2c.notify.routing import Router
from r2c.scheduler.jobs import tick
from r2c.service import ChallengeService, Initiatiefnemer
from r2c.store import Database, DocumentStore
from tests.browser.axe import assert_accessible
from tests.browser.conftest import serve
from tests.browser.test_indienen_browser import PDF, fits, intake  # noqa: F401 (the served app)
from tests.integration.conftest import postgres_schema_url
from tests.integration.helpers import behandelaar
from tests.integration.test_email import MailServer, huisstijl, mail_server, mail_settings  # noqa: F401


@pytest.fixture(params=["sqlite", "postgresql"])
def mailed(request, tmp_path, catalog, mail_server: MailServer, huisstijl) -> Iterator[tuple]:  # noqa: F811
    """The served app on each database kind, its mail going to the aiosmtpd server, and the planner's tick."""
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'r2c.db'}"])
    else:
        urls = postgres_schema_url()
    url = next(urls)
    database = Database.connect(url)
    database.upgrade()
    clock = FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions,
                               documents=DocumentStore(tmp_path / "documenten"))
    settings = mail_settings(mail_server, huisstijl, database_url=url, documenten=tmp_path / "documenten")
    channels = load_channels(settings)
    router = Router(settings, catalog)
    try:
        with serve(create_app(service, settings=settings)) as served:
            yield served, service, lambda: tick(service, clock, channels, router)
    finally:
        channels["email"].close()
        database.engine.dispose()
        for _ in urls:  # the PostgreSQL schema is dropped when its generator ends
            pass


def submitted(page, url: str) -> str:
    page.goto(f"{url}/indienen/gouda")
    page.fill("#titel", "Wij onderhouden het groen")
    page.check("#vereiste-plan")
    page.fill("#naam", "Fatima de Vries")
    page.fill("#email", "fatima@example.nl")
    page.get_by_role("button", name="Verder: controleer uw gegevens").click()
    page.get_by_role("button", name="Aanvraag indienen").click()
    return page.get_by_role("link", name="Naar uw pagina over deze aanvraag").get_attribute("href")


def check_axe(browser, url: str, where: str) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(url)
    assert_accessible(page, where)
    context.close()


def test_the_link_comes_by_mail_and_the_resident_completes_gives_a_zienswijze_and_withdraws(
        browser, mailed, mail_server, tmp_path) -> None:  # noqa: F811
    url, service, run_planner = mailed
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 800})
    page = context.new_page()
    submitted(page, url)
    [challenge] = service.search(actor=behandelaar()).items
    run_planner()
    link_mail = next(m for m in mail_server.messages if m["Subject"] == f"Uw link voor aanvraag {challenge.kenmerk}")
    assert link_mail["To"].endswith("fatima@example.nl")
    token = re.search(r"/status/(r2c_st_[A-Za-z0-9_-]+)", link_mail.get_body(("plain",)).get_content()).group(1)
    link = f"{url}/status/{token}"  # the mail names the public address; the test server runs on its own port
    service.fire(challenge.id, "aanvulling_vragen", actor=behandelaar(), reason="De begroting ontbreekt.")

    page.goto(link)
    page.get_by_role("link", name="Stukken sturen").click()
    assert fits(page)
    check_axe(browser, page.url, "het formulier om aan te vullen")
    for box in page.locator("input[name=vereisten]").all():
        box.check()
    document = tmp_path / "begroting.pdf"
    document.write_bytes(PDF)
    page.set_input_files("#documenten", str(document))
    page.get_by_role("button", name="Stukken sturen").click()
    assert "Verstuurd: Stukken sturen" in page.locator("body").inner_text()
    assert "begroting.pdf" in page.locator("#gestuurd + ul").inner_text()
    assert service.get(challenge.id, actor=behandelaar()).state == "indiening.ontvangen"

    service.fire(challenge.id, "in_behandeling_nemen", actor=behandelaar())
    service.fire(challenge.id, "zienswijze_vragen", actor=behandelaar())
    page.goto(link)
    page.get_by_role("link", name="Uw mening geven").click()
    zienswijze_form = page.url
    page.fill("#zienswijze", "Wij kunnen ook in de winter maaien.")
    page.get_by_role("button", name="Uw mening geven").click()
    assert service.get(challenge.id, actor=behandelaar()).state == "toetsing.beoordelen"
    assert service.get(challenge.id, actor=behandelaar()).facts["zienswijze"] == "Wij kunnen ook in de winter maaien."

    page.goto(zienswijze_form)  # the step is no longer possible: said so, nothing written
    assert "kan nu niet meer" in page.locator("h1").inner_text()

    page.goto(link)
    page.get_by_role("link", name="Aanvraag intrekken").click()
    assert "niet ongedaan maken" in page.locator("main").inner_text()
    check_axe(browser, page.url, "de bevestiging van intrekken")
    page.get_by_role("button", name="Aanvraag intrekken").click()
    assert service.get(challenge.id, actor=behandelaar()).state == "afgesloten.ingetrokken"
    context.close()


def test_a_link_never_acts_on_another_challenge_and_errors_stand_by_their_fields(browser, intake) -> None:  # noqa: F811
    url, service = intake
    mine = service.submit(gemeente="gouda", titel="Mijn plan", initiatiefnemer=Initiatiefnemer("A"))
    other = service.submit(gemeente="gouda", titel="Ander plan", initiatiefnemer=Initiatiefnemer("B"))
    service.fire(other.challenge.id, "aanvulling_vragen", actor=behandelaar())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    # my link has no aanvullen step (not asked): the other challenge's step is not reachable through it
    page.goto(f"{url}/status/{mine.status_token}/stap/aanvullen")
    assert "kan nu niet meer" in page.locator("h1").inner_text()
    assert service.get(other.challenge.id, actor=behandelaar()).state == "ontvankelijkheid.aanvulling_gevraagd"

    page.goto(f"{url}/status/{other.status_token}/stap/aanvullen")
    page.set_input_files("#documenten", files=[{"name": "virus.exe", "mimeType": "application/x-msdownload",
                                                 "buffer": b"MZ\x90\x00"}])
    page.get_by_role("button", name="Stukken sturen").click()
    assert page.locator("#documenten-fout").is_visible() and "niet aangenomen" in page.locator("#documenten-fout").inner_text()
    error_html = page.content()
    context.close()
    checker = browser.new_context(bypass_csp=True)
    check = checker.new_page()
    check.route(f"{url}/snapshot", lambda route, _request: route.fulfill(body=error_html, content_type="text/html"))
    check.goto(f"{url}/snapshot")
    assert_accessible(check, "aanvullen met een fout")
    checker.close()
