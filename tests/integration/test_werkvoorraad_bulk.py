"""A teamleider assigns ticked challenges in bulk from the werkvoorraad (SQLite and PostgreSQL): one transaction
per challenge with the version the page showed, a summary of what was and was not assigned; another gemeente's
challenge and a stale version are reported, not written; a behandelaar and a lezer get no form and a 403."""

from __future__ import annotations

import re

import pytest

from r2c.engine.case import Actor
from r2c.service.accounts import Accounts
from tests.integration.helpers import submit
from tests.integration.werkvoorraad_scenario import JANSEN, LEZER, TEAMLEIDER, client, scenario

TEAM = Actor("t.bakker", "teamleider", "gouda")


@pytest.fixture
def made(service, clock):
    accounts = Accounts(service.units.sessions, clock, roles=service.policy.key_roles(service.catalog))
    accounts.create(gemeente="gouda", rollen=["behandelaar"], email="p.devries@gouda.nl", naam="P. de Vries",
                    id="p.devries", password="een lang en goed wachtwoord 42")
    accounts.create(gemeente="gouda", rollen=["lezer"], email="l.smit@gouda.nl", naam="L. Smit", id="l.smit",
                    password="een lang en goed wachtwoord 42")
    return scenario(service, clock)


def token(page: str) -> str:
    """The CSRF token of the page's own forms (the header's logout form carries the session's)."""
    return re.findall(r'name="csrf" value="([^"]+)"', page)[-1]


def test_a_teamleider_assigns_in_bulk_and_sees_what_was_not_assigned(service, made) -> None:
    web = client(service, TEAMLEIDER)
    page = web.get("/werkvoorraad?behandelaar=niemand").text
    assert 'action="/werkvoorraad/toewijzen?behandelaar=niemand"' in page
    assert '<option value="p.devries">P. de Vries</option>' in page and "L. Smit</option>" not in page
    rood, oranje, verlopen = made["Rode tuin"], made["Oranje plein"], made["Verlopen park"]
    assert f'value="{rood.id}:{rood.version}"' in page
    elders = submit(service, "vught", titel="Vughts plein").challenge
    service.assign(verlopen.id, behandelaar="b.jansen", actor=TEAM)  # someone was quicker: the page is stale
    answer = web.post("/werkvoorraad/toewijzen?behandelaar=niemand", data={
        "csrf": token(page), "toewijzen_aan": "p.devries",
        "uitdaging": [f"{rood.id}:{rood.version}", f"{oranje.id}:{oranje.version}",
                      f"{elders.id}:{elders.version}", f"{verlopen.id}:{verlopen.version}", "geen-versie"]})
    assert answer.status_code == 409, re.findall(r'Fout:</strong>[^<]*|role=.alert.>.{0,200}', answer.text)
    text = answer.text
    assert "Toewijzen aan P. de Vries" in text and f"2 toegewezen: {rood.kenmerk}, {oranje.kenmerk}." in text
    assert "3 niet toegewezen" in text
    assert f"{elders.id}: deze uitdaging is niet gevonden bij uw gemeente." in text
    assert f"{verlopen.kenmerk}: iemand anders heeft deze uitdaging intussen gewijzigd." in text
    assert "geen-versie: dit is geen uitdaging uit de lijst." in text
    assert service.get(rood.id, actor=TEAM).behandelaar == "p.devries"
    assert service.get(oranje.id, actor=TEAM).behandelaar == "p.devries"
    assert service.get(verlopen.id, actor=TEAM).behandelaar == "b.jansen"
    assert service.get(elders.id, actor=Actor("t", "teamleider", "vught")).behandelaar is None
    # the list it returns to is the same view, now without the two assigned
    assert "Rode tuin" not in text.split("<tbody")[1] and "Wacht bank" in text.split("<tbody")[1]


def test_all_assigned_is_a_200_with_the_summary(service, made) -> None:
    web = client(service, TEAMLEIDER)
    page = web.get("/werkvoorraad").text
    wacht = made["Wacht bank"]
    answer = web.post("/werkvoorraad/toewijzen", data={"csrf": token(page), "toewijzen_aan": "t.bakker",
                                                       "uitdaging": [f"{wacht.id}:{wacht.version}"]})
    assert answer.status_code == 200 and f"1 toegewezen: {wacht.kenmerk}." in answer.text
    assert "niet toegewezen:" not in answer.text


def test_bulk_form_errors_are_beside_their_field(service, made) -> None:
    web = client(service, TEAMLEIDER)
    csrf = token(web.get("/werkvoorraad").text)
    nothing = web.post("/werkvoorraad/toewijzen", data={"csrf": csrf, "toewijzen_aan": "p.devries"})
    assert nothing.status_code == 422 and "Vink een of meer uitdagingen aan." in nothing.text
    rood = made["Rode tuin"]
    nobody = web.post("/werkvoorraad/toewijzen", data={"csrf": csrf, "toewijzen_aan": "l.smit",
                                                      "uitdaging": f"{rood.id}:{rood.version}"})
    assert nobody.status_code == 422
    assert 'id="toewijzen_aan-fout"><strong>Fout:</strong> Kies aan wie u de uitdagingen toewijst.' in nobody.text
    assert service.get(rood.id, actor=TEAM).behandelaar is None
    forged = web.post("/werkvoorraad/toewijzen", data={"csrf": "x" * 40, "toewijzen_aan": "p.devries",
                                                      "uitdaging": f"{rood.id}:{rood.version}"})
    assert forged.status_code == 403 and "Het formulier is verlopen" in forged.text
    assert service.get(rood.id, actor=TEAM).behandelaar is None


@pytest.mark.parametrize("person", [JANSEN, LEZER], ids=["behandelaar", "lezer"])
def test_behandelaar_and_lezer_see_no_bulk_form_and_are_refused(service, made, person) -> None:
    web = client(service, person)
    page = web.get("/werkvoorraad").text
    assert "Rode tuin" in page and "/werkvoorraad/toewijzen" not in page and 'name="uitdaging"' not in page
    rood = made["Rode tuin"]
    answer = web.post("/werkvoorraad/toewijzen", data={"csrf": web.cookies["r2c_csrf"], "toewijzen_aan": person.id,
                                                      "uitdaging": f"{rood.id}:{rood.version}"})
    assert answer.status_code == 403 and "Alleen een teamleider wijst uitdagingen toe." in answer.text
    assert service.get(rood.id, actor=TEAM).behandelaar is None
