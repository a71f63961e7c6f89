"""A whole challenge through the werkomgeving's pages only, in chromium (issue 14): the behandelaar logs in, the
challenge comes in, the behandelaar asks for aanvulling, the resident completes it from the status page, the
behandelaar assesses every criterion and puts it before the college, the college (its own login) grants it and
signs the overeenkomst, the execution is accounted for, the evaluation ends it: afgesloten, uitgevoerd.

Once on SQLite with the mouse, once on PostgreSQL with the keyboard only (Tab, arrows, Space, Enter: every field
and button reached in tab order, nothing clicked). axe runs on the pages on the way.

``R2C_SCHERMAFBEELDINGEN=1`` writes the screenshots to docs/img (docs/werkomgeving.md shows them); otherwise they
go to the test's own folder.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from r2c.api import create_app
from r2c.clock import FixedClock
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store import Database, DocumentStore
from tests.browser.axe import assert_accessible
from tests.browser.conftest import serve
from tests.conftest import ROOT
from tests.integration.conftest import postgres_schema_url
from tests.integration.helpers import behandelaar

WACHTWOORD = "Een-lang-demo-wachtwoord-42"
BEHANDELAAR, COLLEGE = "b.jansen@gouda.example", "wethouder@gouda.example"
MOST_TABS = 400


@pytest.fixture(params=[("sqlite", "muis"), ("postgresql", "toetsenbord")], ids=["sqlite-muis", "postgresql-toetsenbord"])
def werk(request, tmp_path, catalog) -> Iterator[tuple[str, ChallengeService, str]]:
    kind, hands = request.param
    urls: Iterator[str] = iter([f"sqlite:///{tmp_path / 'r2c.db'}"]) if kind == "sqlite" else postgres_schema_url()
    url = next(urls)
    database = Database.connect(url)
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=UTC)),
                               read_session_factory=database.read_sessions,
                               documents=DocumentStore(tmp_path / "documenten"))
    settings = Settings(database_url=url, huisstijl=ROOT / "huisstijl", documenten=tmp_path / "documenten")
    app = create_app(service, settings=settings)
    app.state.login.accounts.create(gemeente="gouda", rollen=["behandelaar"], email=BEHANDELAAR, naam="B. Jansen",
                                    password=WACHTWOORD)
    app.state.login.accounts.create(gemeente="gouda", rollen=["college"], email=COLLEGE, naam="A. de Wethouder",
                                    password=WACHTWOORD)
    try:
        with serve(app) as served:
            yield served, service, hands
    finally:
        database.engine.dispose()
        for _ in urls:  # ends the generator: the PostgreSQL schema is dropped
            pass


class Hands:
    """Fill and press as a person does: with the mouse (Playwright's fill, check, click) or with the keyboard only
    (Tab to the element, then type, Space or Enter; an element Tab never reaches fails the test)."""

    def __init__(self, page, keyboard: bool):
        self.page, self.keyboard = page, keyboard

    def _is_focused(self, locator) -> bool:
        return locator.evaluate("e => e === document.activeElement")

    def reach(self, locator) -> None:
        for _ in range(MOST_TABS):
            if self._is_focused(locator):
                return
            self.page.keyboard.press("Tab")
        pytest.fail(f"met Tab niet te bereiken: {locator}")

    def fill(self, locator, text: str) -> None:
        if not self.keyboard:
            locator.fill(text)
            return
        self.reach(locator)
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(text)

    def date(self, locator, iso: str) -> None:
        """A date field; by keyboard in the order chromium shows it here: month, day, year (headless chromium
        keeps the en-US order whatever the page's language)."""
        if not self.keyboard:
            locator.fill(iso)
            return
        self.reach(locator)
        year, month, day = iso.split("-")
        self.page.keyboard.type(f"{month}{day}{year}")
        assert locator.input_value() == iso, locator.input_value()

    def check(self, locator) -> None:
        if not self.keyboard:
            locator.check()
            return
        self.reach(locator)
        if not locator.is_checked():
            self.page.keyboard.press("Space")
        assert locator.is_checked()

    def choose(self, radio) -> None:
        """Select one radio button; by keyboard: Tab into its group, arrows to it (arrows select as they move)."""
        if not self.keyboard:
            radio.check()
            return
        name = radio.get_attribute("name")
        for _ in range(MOST_TABS):
            if self.page.evaluate("n => document.activeElement && document.activeElement.name === n", name):
                break
            self.page.keyboard.press("Tab")
        for _ in range(10):
            if self._is_focused(radio):
                break
            self.page.keyboard.press("ArrowDown")
        self.page.keyboard.press("Space")
        assert radio.is_checked()

    def press(self, locator) -> None:
        """Follow a link or send a form (every press here loads a page)."""
        if not self.keyboard:
            with self.page.expect_navigation():
                locator.click()
            return
        self.reach(locator)
        with self.page.expect_navigation():
            self.page.keyboard.press("Enter")

    def start(self) -> None:
        """Focus from the top of the page, as after a page load."""
        if self.keyboard:
            self.page.evaluate("document.activeElement && document.activeElement.blur()")


def log_in(page, hands: Hands, url: str, email: str) -> None:
    page.goto(f"{url}/")
    hands.start()
    hands.fill(page.locator("#email"), email)
    hands.fill(page.locator("#wachtwoord"), WACHTWOORD)
    hands.press(page.get_by_role("button", name="Inloggen"))
    page.wait_for_url(re.compile(r".*/werkvoorraad.*"))


def log_out(page, hands: Hands) -> None:
    hands.start()
    hands.press(page.get_by_role("button", name="Uitloggen"))
    page.wait_for_url(re.compile(r".*/inloggen.*"))


def step(page, hands: Hands, event: str, *, reden: str | None = None) -> None:
    """Fill the event's form on the challenge page as a behandelaar would (every criterion 'voldoet' with a
    motivering, every vereiste ticked, a text in every text field) and send it."""
    form = page.locator(f'form[action$="/stap/{event}"]')
    assert form.count() == 1, f"geen formulier voor {event} op {page.url}"
    hands.start()
    for box in form.locator("input[type=checkbox]").all():
        hands.check(box)
    for radio in form.locator('input[type=radio][value="voldoet"]').all():
        hands.choose(radio)
    for field in form.locator("textarea, input[type=text], input:not([type])").all():
        name, mode = field.get_attribute("name") or "", field.get_attribute("inputmode")
        text = ("12500,00" if mode == "decimal" else "25" if mode == "numeric" else
                reden if name.endswith("-reden") and reden else "Dat blijkt uit het plan en het gesprek.")
        hands.fill(field, text)
    for field in form.locator("input[type=date]").all():
        hands.date(field, "2026-04-01")
    before = page.url
    hands.press(form.locator("button[type=submit]"))
    page.wait_for_load_state()
    assert page.url.split("#")[0] == before.split("#")[0], f"{event}: {page.locator('main').inner_text()[:1500]}"
    errors = page.locator(".utrecht-form-field-error-message").all_inner_texts()
    assert not errors, f"{event}: {errors}"


def test_a_challenge_from_submission_to_afgesloten_through_the_pages_only(browser, werk, tmp_path) -> None:
    url, service, mode = werk
    shots = ROOT / "docs" / "img" if os.environ.get("R2C_SCHERMAFBEELDINGEN") == "1" else tmp_path
    shots.mkdir(exist_ok=True)
    keyboard = mode == "toetsenbord"
    context = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    hands = Hands(page, keyboard)

    # the resident submits without the begroting (the intake form; the behandelaar sees it come in)
    page.goto(f"{url}/indienen/gouda")
    hands.start()
    hands.fill(page.locator("#titel"), "Wij onderhouden het groen in Oost")
    hands.check(page.locator("#vereiste-plan"))
    hands.fill(page.locator("#naam"), "Fatima de Vries")
    hands.fill(page.locator("#email"), "fatima@example.nl")
    hands.press(page.get_by_role("button", name="Verder: controleer uw gegevens"))
    hands.start()
    hands.press(page.get_by_role("button", name="Aanvraag indienen"))
    status_link = page.get_by_role("link", name="Naar uw pagina over deze aanvraag").get_attribute("href")
    kenmerk = page.locator("main strong").first.inner_text()

    log_in(page, hands, url, BEHANDELAAR)
    assert kenmerk in page.locator("main").inner_text()
    assert_accessible(page, "de werkvoorraad")
    page.screenshot(path=str(shots / "werkvoorraad.png"))
    hands.start()
    hands.press(page.get_by_role("link", name=re.compile(re.escape(kenmerk))))
    page.wait_for_url(re.compile(r".*/uitdagingen/.*"))
    challenge_page = page.url.split("?")[0]
    page.screenshot(path=str(shots / "uitdaging.png"), full_page=True)

    step(page, hands, "aanvulling_vragen", reden="De begroting en de andere stukken ontbreken nog.")
    assert "Aanvulling gevraagd" in page.locator("main").inner_text()

    # the resident completes the request from the status page (the resident's own pages are tested on their own)
    resident = context.new_page()
    resident.goto(status_link if status_link.startswith("http") else f"{url}{status_link}")
    resident.get_by_role("link", name="Stukken sturen").click()
    for box in resident.locator("input[name=vereisten]").all():
        box.check()
    with resident.expect_navigation():  # closing while the next page commits can hang chromium (playwright#42068)
        resident.get_by_role("button", name="Stukken sturen").click()
    assert "Verstuurd" in resident.locator("main").inner_text()
    resident.close()

    page.goto(challenge_page)
    step(page, hands, "in_behandeling_nemen")
    step(page, hands, "beoordelen")
    assert_accessible(page, "de uitdaging na de beoordeling")
    page.screenshot(path=str(shots / "beoordeeld.png"))
    step(page, hands, "voorleggen")
    assert "Ligt bij het college" in page.locator("main").inner_text()
    log_out(page, hands)

    log_in(page, hands, url, COLLEGE)
    page.goto(challenge_page)
    step(page, hands, "toekennen", reden="Het plan is beter voor de buurt en past binnen het budget.")
    step(page, hands, "overeenkomst_sluiten")
    log_out(page, hands)

    # the resident accounts for the execution from the status page
    resident = context.new_page()
    resident.goto(status_link if status_link.startswith("http") else f"{url}{status_link}")
    with resident.expect_navigation():  # the step's own page, before its fields are looked for
        resident.locator('a[href$="/stap/verantwoorden"]').click()
    assert resident.locator("main form textarea").count() > 0, resident.locator("main").inner_text()
    for field in resident.locator("main form textarea").all():
        field.fill("Wij maaiden elke twee weken; de buurt hielp mee.")
    with resident.expect_navigation():
        resident.locator("main form button[type=submit]").last.click()
    assert "Verstuurd" in resident.locator("main").inner_text()
    resident.close()

    log_in(page, hands, url, BEHANDELAAR)
    page.goto(challenge_page)
    step(page, hands, "verantwoording_beoordeeld")
    log_out(page, hands)

    log_in(page, hands, url, COLLEGE)
    page.goto(challenge_page)
    step(page, hands, "teruggeven", reden="De taak is uitgevoerd zoals afgesproken.")
    text = page.locator("main").inner_text()
    assert "Uitgevoerd" in text
    # the timeline says who did what, by name, in Dutch time and labels
    assert "Om aanvulling vragen, nu Aanvulling: Aanvulling gevraagd; door B. Jansen (behandelaar)" in text
    assert "door u (college)" in text and "door de initiatiefnemer" in text
    page.screenshot(path=str(shots / "afgesloten.png"), full_page=True)
    context.close()

    [done] = service.search(actor=behandelaar()).items
    assert done.state == "afgesloten.uitgevoerd" and done.kenmerk == kenmerk
