"""axe (WCAG 2.1 AA) in a real browser on every event form of gouda's lifecycle and its side paths (its definition
follows the VNG model; tests/integration/lifecycle.py): the challenge page in each state as each role that acts there, and each of its forms sent with an error
(a reden that is too long) so the error stands next to the field; the upload form with an error; /registreren empty
and with errors. Nothing scrolls sideways at 320 px."""

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
from tests.integration.lifecycle import driven, replay, states

PEOPLE = {rol: Staff(f"p.{rol}", f"P. {rol.capitalize()}", f"{rol}@gouda.nl", "gouda", (rol,), rol)
          for rol in ("behandelaar", "teamleider", "college")}


@pytest.fixture
def site(tmp_path):
    db = Database.connect(f"sqlite:///{tmp_path / 'r2c.db'}")
    db.upgrade()
    service = ChallengeService(db.sessions, load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[]),
                               FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)),
                               read_session_factory=db.read_sessions, documents=DocumentStore(tmp_path / "d"))
    who = {"now": PEOPLE["behandelaar"]}
    app = FastAPI()
    mount_static(app)
    for router in werk_routers(service, None, load_settings(), staff=lambda: who["now"]):
        app.include_router(router)
    with serve(app) as url:
        yield url, service, who
    db.engine.dispose()


def fits(page, where: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), f"{where}: schuift opzij"


def test_every_event_form_of_the_lifecycle_passes_axe_shown_and_with_errors(browser, site):
    url, service, who = site
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    checked: set[str] = set()
    for path in states(service):
        probe = replay(service, path)
        roles = [rol for rol in PEOPLE
                 if any(not a.blocked_by and a.event not in checked
                        for a in service.allowed_events(probe, actor=PEOPLE[rol].actor(), with_reason=True))]
        done = "/".join(e for e, _ in path) or "indienen"
        for rol in roles:
            who["now"] = PEOPLE[rol]
            challenge_id = replay(service, path)
            page.goto(f"{url}/uitdagingen/{challenge_id}")
            assert_accessible(page, f"de uitdaging na {done}, als {rol}")
            fits(page, f"de uitdaging na {done}")
            actions = page.eval_on_selector_all('form[action*="/stap/"]', "fs => fs.map(f => f.getAttribute('action'))")
            for action in actions:
                event = action.rsplit("/", 1)[1]
                if event in checked:
                    continue
                page.goto(f"{url}/uitdagingen/{challenge_id}")
                form = page.locator(f'form[action="{action}"]')
                form.locator(f'textarea[name="{event}-reden"]').fill("x" * (service.limits.reason_length + 1))
                form.locator("button[type=submit]").click()
                page.wait_for_load_state()
                assert page.locator(f'#{event}-reden-fout').count() == 1, f"{event}: geen fout bij de reden"
                assert_accessible(page, f"het formulier {event} met een fout")
                fits(page, f"het formulier {event} met een fout")
                checked.add(event)
    assert {"aanvulling_vragen", "verdagen", "beoordelen", "advies_ontvangen", "kennismaking_gehouden",
            "zienswijze_ontvangen", "voorleggen", "terug_naar_toetsing", "toekennen", "afwijzen", "bezwaar_gegrond",
            "overeenkomst_sluiten", "verantwoorden", "verlengen", "teruggeven", "toekennen_met_wijziging"} <= checked, checked
    context.close()


def test_upload_and_registreren_with_errors_pass_axe_at_320_px(browser, site):
    url, service, who = site
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    challenge_id = driven(service, 0)
    page.goto(f"{url}/uitdagingen/{challenge_id}")
    page.locator('form[action$="/documenten"] button[type=submit]').click()  # no file chosen
    page.wait_for_load_state()
    assert page.locator("#document-fout").count() == 1
    assert_accessible(page, "het uploadformulier met een fout")
    fits(page, "het uploadformulier met een fout")
    page.goto(f"{url}/registreren")
    assert_accessible(page, "registreren, leeg")
    fits(page, "registreren, leeg")
    page.fill("#ontvangen_op", "2099-01-01")
    page.locator('form[action="/registreren"] button[type=submit]').click()
    page.wait_for_load_state()
    assert page.locator("#naam-fout").count() == 1 and page.locator("#ontvangen_op-fout").count() == 1
    assert_accessible(page, "registreren met fouten")
    fits(page, "registreren met fouten")
    context.close()
