"""The werkomgeving's challenge page (r2c.web.uitdaging) on a real service and database: the event forms come from
the definition, a step goes through, a stale form writes nothing and says what changed, bad input is a Dutch
error next to its field (never a 500), a lezer sees no forms and another gemeente's challenge is a 404."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r2c.engine.case import Actor
from r2c.web.staff import Staff
from tests.integration.helpers import behandelaar, submit
from tests.integration.werk import JANSEN, werk_client



def client(service, person: Staff = JANSEN) -> TestClient:
    return werk_client(service, person)


def form_of(html: str, event: str) -> dict[str, str]:
    """The hidden fields (csrf, versie) of ``event``'s form on the page."""
    start = html.index(f'action="/uitdagingen/') if event == "" else html.index(f'/stap/{event}"')
    part = html[start:html.index("</form>", start)]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', part))


def test_the_page_shows_the_forms_of_the_events_and_a_step_goes_through(service) -> None:
    c = submit(service).challenge  # incomplete: aanvulling vragen is possible
    web = client(service)
    page = web.get(f"/uitdagingen/{c.id}")
    assert page.status_code == 200
    assert c.kenmerk in page.text and "Om aanvulling vragen" in page.text
    assert "Hoe berekend" in page.text  # the terms with their uitleg
    fields = form_of(page.text, "aanvulling_vragen")
    sent = web.post(f"/uitdagingen/{c.id}/stap/aanvulling_vragen",
                    data={**fields, "aanvulling_vragen-reden": "Het plan van aanpak ontbreekt."},
                    follow_redirects=False)
    assert sent.status_code == 303
    after = service.get(c.id, actor=behandelaar())
    assert after.state == "ontvankelijkheid.aanvulling_gevraagd"
    shown = web.get(f"/uitdagingen/{c.id}").text
    assert "Het plan van aanpak ontbreekt." in shown  # in the timeline
    assert "Aanvulling ontvangen" in shown  # the next form, with the vereisten as checkboxes
    assert 'type="checkbox"' in shown


def test_a_stale_form_writes_nothing_and_says_what_changed(service) -> None:
    c = submit(service).challenge
    web = client(service)
    fields = form_of(web.get(f"/uitdagingen/{c.id}").text, "aanvulling_vragen")
    service.assign(c.id, behandelaar="a.smit", actor=Actor("t.leider", "teamleider", "gouda"))  # in between
    before = service.get(c.id, actor=behandelaar())
    sent = web.post(f"/uitdagingen/{c.id}/stap/aanvulling_vragen",
                    data={**fields, "aanvulling_vragen-reden": "Kan ik dit nog doen?"})
    assert sent.status_code == 409
    assert "Iemand anders heeft dit intussen gewijzigd" in sent.text
    assert "a.smit" in sent.text  # what changed
    assert "Kan ik dit nog doen?" in sent.text  # the input is kept
    after = service.get(c.id, actor=behandelaar())
    assert (after.version, after.state) == (before.version, before.state)


def test_a_post_without_the_csrf_token_is_refused(service) -> None:
    c = submit(service).challenge
    web = client(service)
    web.get(f"/uitdagingen/{c.id}")
    sent = web.post(f"/uitdagingen/{c.id}/stap/aanvulling_vragen", data={"versie": str(c.version)})
    assert sent.status_code == 403
    assert service.get(c.id, actor=behandelaar()).state == c.state


def test_bad_vereisten_input_is_a_dutch_error_next_to_the_field(service) -> None:
    c = submit(service).challenge
    web = client(service)
    fields = form_of(web.get(f"/uitdagingen/{c.id}").text, "aanvulling_vragen")
    web.post(f"/uitdagingen/{c.id}/stap/aanvulling_vragen", data=fields)
    page = web.get(f"/uitdagingen/{c.id}")
    fields = form_of(page.text, "aanvullen")
    sent = web.post(f"/uitdagingen/{c.id}/stap/aanvullen", data=fields)  # vereisten is verplicht, none ticked
    assert sent.status_code == 422
    assert 'id="aanvullen-vereisten"' in sent.text and "Fout:" in sent.text
    assert "in het formulier" in sent.text  # the foutsamenvatting


@pytest.mark.parametrize("rol", ["lezer", "beheerder"])  # the read-only roles of the access policy
def test_a_lezer_sees_no_forms_and_cannot_post(service, rol) -> None:
    c = submit(service).challenge
    lezer = Staff("l.de.boer", "L. de Boer", "l@gouda.nl", "gouda", (rol,), rol)
    web = client(service, lezer)
    page = web.get(f"/uitdagingen/{c.id}")
    assert page.status_code == 200 and "/stap/" not in page.text and "/toewijzen" not in page.text
    assert "stappen zetten kan niet in uw rol" in page.text
    token = re.search(r'name="csrf" value="([^"]*)"', client(service).get(f"/uitdagingen/{c.id}").text)
    assert token is None or web.post(f"/uitdagingen/{c.id}/stap/aanvulling_vragen",
                                     data={"csrf": token.group(1), "versie": str(c.version)}).status_code in (403,)
    assert service.get(c.id, actor=behandelaar()).state == c.state


def test_another_gemeentes_challenge_is_a_404_page(service) -> None:
    c = submit(service).challenge
    elders = Staff("x", "X", "x@vught.nl", "vught", ("behandelaar",), "behandelaar")
    page = client(service, elders).get(f"/uitdagingen/{c.id}")
    assert page.status_code == 404 and "Deze uitdaging bestaat niet" in page.text
    assert c.titel not in page.text
    assert client(service).get("/uitdagingen/bestaat-niet").status_code == 404


def test_taking_a_challenge_on_assigns_it_to_yourself(service) -> None:
    c = submit(service).challenge
    web = client(service)
    page = web.get(f"/uitdagingen/{c.id}")
    sent = web.post(f"/uitdagingen/{c.id}/toewijzen", data=form_of(page.text, ""), follow_redirects=False)
    assert sent.status_code == 303
    assert service.get(c.id, actor=behandelaar()).behandelaar == "b.jansen"


FORM_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.dictionaries(st.sampled_from(["aanvullen-vereisten-plan_van_aanpak", "versie",
                                              "aanvulling_vragen-reden", "aanvullen-reden", "csrf", "x"]),
                             FORM_TEXT, max_size=5),
       event=st.sampled_from(["aanvulling_vragen", "aanvullen", "besluiten", "onbekend"]))
def test_generated_form_data_never_gives_a_500(service, extra, event) -> None:
    c = submit(service).challenge
    web = client(service)
    fields = form_of(web.get(f"/uitdagingen/{c.id}").text, "aanvulling_vragen")
    sent = web.post(f"/uitdagingen/{c.id}/stap/{event}", data={**fields, **extra}, follow_redirects=False)
    assert sent.status_code < 500, sent.text[:500]


def test_a_step_that_needs_a_motivering_has_its_form_and_asks_for_the_reden_next_to_it(service) -> None:
    c = submit(service).challenge
    web = client(service)
    page = web.get(f"/uitdagingen/{c.id}").text
    assert '/stap/verdagen"' in page  # blocked only by the motivering, which the form itself asks (Awb 3:46)
    fields = form_of(page, "verdagen")
    sent = web.post(f"/uitdagingen/{c.id}/stap/verdagen", data=fields)
    assert sent.status_code == 422
    assert 'id="verdagen-reden-fout"' in sent.text and "motivering" in sent.text
    assert service.get(c.id, actor=behandelaar()).version == c.version


def test_toekennen_met_wijziging_has_its_form_and_a_missing_wijziging_is_refused(service) -> None:
    from tests.integration.lifecycle import replay, states

    path = next(p for p in states(service) if [e for e, _ in p] and [e for e, _ in p][-1] == "voorleggen")
    c = service.get(replay(service, path), actor=behandelaar())
    college = Staff("c.raad", "C. Raad", "c@gouda.nl", "gouda", ("college",), "college")
    web = client(service, college)
    page = web.get(f"/uitdagingen/{c.id}").text
    assert '/stap/toekennen_met_wijziging"' in page  # the wijziging is asked in the form itself
    sent = web.post(f"/uitdagingen/{c.id}/stap/toekennen_met_wijziging", data=form_of(page, "toekennen_met_wijziging"))
    assert sent.status_code == 422 and "Fout:" in sent.text
    assert service.get(c.id, actor=behandelaar()).version == c.version
