"""The werkomgeving's pages in a real browser: axe finds no violation on the empty and full werkvoorraad, the
filtered one with its bulk form, a filter error, and on the challenge page with its event forms, with and without
errors; nothing scrolls sideways at 320 px."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from fastapi import FastAPI

from r2c.clock import FixedClock
from r2c.definitions import load_catalog
from r2c.service import ChallengeService
from r2c.settings import load_settings
from r2c.store import Database, DocumentStore
from r2c.web.pages import mount_static
from r2c.web.staff import Staff
from r2c.web.uitdaging import werk_routers
from tests.browser.axe import assert_accessible
from tests.browser.conftest import serve
from tests.conftest import MODEL_DIR, WORKFLOW_DIR
from tests.integration.helpers import submit

JANSEN = Staff("b.jansen", "B. Jansen", "b.jansen@gouda.nl", "gouda", ("behandelaar",), "behandelaar")


@pytest.fixture
def site(tmp_path):
    db = Database.connect(f"sqlite:///{tmp_path / 'r2c.db'}")
    db.upgrade()
    service = ChallengeService(db.sessions, load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[]),
                               FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)),
                               read_session_factory=db.read_sessions, documents=DocumentStore(tmp_path / "d"))
    app = FastAPI()
    mount_static(app)
    for router in werk_routers(service, None, load_settings(), staff=lambda: JANSEN):
        app.include_router(router)
    with serve(app) as url:
        yield url, service
    db.engine.dispose()


def test_werk_pages_pass_axe_and_fit_320_px(browser, site):
    url, service = site
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{url}/werkvoorraad")
    assert_accessible(page, "de lege werkvoorraad")
    c = submit(service).challenge
    page.goto(f"{url}/werkvoorraad")
    assert_accessible(page, "de werkvoorraad")
    page.goto(f"{url}/uitdagingen/{c.id}")
    assert_accessible(page, "de uitdaging")
    page.locator('form[action$="/stap/aanvulling_vragen"] button[type=submit]').click()  # keyboard-reachable button
    page.wait_for_url(f"{url}/uitdagingen/{c.id}")
    page.locator('form[action$="/stap/aanvullen"] button[type=submit]').click()  # no vereisten: errors
    assert page.locator(".utrecht-form-field-error-message").count() >= 1
    assert_accessible(page, "het formulier met fouten")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    context.close()


TEAMLEIDER = Staff("t.bakker", "T. Bakker", "t.bakker@gouda.nl", "gouda", ("teamleider",), "teamleider")


@pytest.fixture
def team_site(tmp_path):
    db = Database.connect(f"sqlite:///{tmp_path / 'r2c.db'}")
    db.upgrade()
    service = ChallengeService(db.sessions, load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[]),
                               FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)),
                               read_session_factory=db.read_sessions, documents=DocumentStore(tmp_path / "d"))
    app = FastAPI()
    mount_static(app)
    for router in werk_routers(service, None, load_settings(), staff=lambda: TEAMLEIDER):
        app.include_router(router)
    with serve(app) as url:
        yield url, service
    db.engine.dispose()


def test_filtered_list_bulk_form_and_filter_error_pass_axe_at_320_px(browser, team_site):
    url, service = team_site
    tuin, plein = submit(service, titel="Buurttuin").challenge, submit(service, titel="Speelplein").challenge
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{url}/werkvoorraad")
    page.select_option("#behandelaar", "niemand")  # the filter form, as a person fills it in
    page.fill("#zoek", "tuin")
    page.locator('#filters button[type=submit]').click()
    page.wait_for_url("**zoek=tuin**")
    assert page.locator("tbody tr").count() == 1
    assert_accessible(page, "de gefilterde werkvoorraad met het formulier om toe te wijzen")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.check(f'input[value="{tuin.id}:{tuin.version}"]')
    page.select_option("#toewijzen_aan", "t.bakker")
    page.locator('#bulk button[type=submit]').click()
    page.wait_for_selector("#toegewezen")
    assert f"1 toegewezen: {tuin.kenmerk}" in page.inner_text("#toegewezen")
    assert service.get(tuin.id, actor=TEAMLEIDER.actor()).behandelaar == "t.bakker"
    assert_accessible(page, "de samenvatting van het toewijzen")
    page.goto(f"{url}/werkvoorraad?termijn_voor=31-02-2026&fase=onzin")
    assert page.locator("#termijn_voor-fout").count() == 1 and page.locator("#fase-fout").count() == 1
    assert_accessible(page, "de werkvoorraad met een fout in de filters")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert service.get(plein.id, actor=TEAMLEIDER.actor()).behandelaar is None
    context.close()


# The line boxes a cell's content takes: one distinct top per line (a word broken over lines gives more than one).
LINES = """cell => { const range = document.createRange(); range.selectNodeContents(cell);
  return new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top))).size; }"""


def test_tables_keep_whole_words_and_scroll_in_a_named_focusable_region_at_320_px(browser, site):
    url, service = site
    challenges = [submit(service, titel=f"Onderhoud groen en speeltuin in wijk {n}, met een lange titel").challenge
                  for n in range(3)]
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    for where, path, cell, name in [
            ("de werkvoorraad", "/werkvoorraad", f'td:has(> a:text-is("{challenges[0].kenmerk}"))',
             "Werkvoorraad, tabel"),
            ("de uitdaging", f"/uitdagingen/{challenges[0].id}", "tbody td:nth-child(3)", "Termijnen, tabel")]:
        page.goto(f"{url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), f"{where}: schuift opzij"
        assert page.locator(cell).first.evaluate(LINES) == 1, f"{where}: {page.locator(cell).first.inner_text()} breekt"
        region = page.get_by_role("region", name=name)
        assert region.evaluate("e => e.classList.contains('r2c-tabel') && e.tabIndex === 0"), where
        region.focus()
        assert region.evaluate("e => getComputedStyle(e).outlineStyle") != "none", f"{where}: geen zichtbare focus"
        assert_accessible(page, f"{where} op 320 px")
    page.goto(f"{url}/werkvoorraad")
    assert page.locator(".r2c-tabel").evaluate("e => e.scrollWidth > e.clientWidth"), "de tabel schuift niet zelf"
    context.close()
