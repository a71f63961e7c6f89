"""A mandatory vooroverleg and who may challenge, through the service and the API on a real database: the
submission starts the vooroverleg (its own letter, history and status page), the request proper follows after the
behandelaar records the vooroverleg; the kind of party is required, refused or flagged as the definition says."""

from __future__ import annotations

import pytest

from r2c.errors import InvalidInput
from r2c.service import Initiatiefnemer
from tests.conftest import FIXTURES, MODEL_DIR, WORKFLOW_DIR
from tests.integration.apiclient import Api, make_api, status_headers
from tests.integration.helpers import behandelaar, row_counts
from tests.integration.werk import werk_client

VOOROVERLEG = FIXTURES / "vooroverleg"
PERSON = Initiatiefnemer("Fatima de Vries", "fatima@example.nl")


@pytest.fixture(scope="module")
def catalog():
    from r2c.definitions import load_catalog

    return load_catalog([MODEL_DIR, WORKFLOW_DIR, VOOROVERLEG], base_paths=[])


@pytest.fixture
def api(service, database, tmp_path) -> Api:
    return make_api(service, database, tmp_path)


def aanmelden(service, gemeente: str = "overlegstad", partij: str | None = "ingezetene"):
    return service.submit(gemeente=gemeente, titel="Groen in de Kerkstraat", initiatiefnemer=PERSON, partij=partij,
                          data={"omschrijving": "Wij willen het groen in onze straat zelf onderhouden."})


def test_a_submission_starts_the_mandatory_vooroverleg_with_its_own_letter(service) -> None:
    fired = aanmelden(service)
    challenge = fired.challenge
    assert challenge.state == "vooroverleg.gesprek"
    assert challenge.facts["partij"] == "ingezetene"
    b = behandelaar("overlegstad")
    assert [e.event for e in service.timeline(challenge.id, actor=b)] == ["vooroverleg_aanvragen"]
    assert [(t.template, t.titel) for t in service.letters_of(challenge.id, actor=b)] == [
        ("aanmelding_vooroverleg", "Ontvangstbevestiging van uw aanmelding voor het vooroverleg")]
    assert not [t for t in service.terms(challenge.id, actor=b) if t.name == "beslistermijn"]  # not yet running


def test_the_request_proper_is_submitted_only_after_the_behandelaar_records_the_vooroverleg(service) -> None:
    from r2c.errors import EventNotAllowed

    fired = aanmelden(service)
    b = behandelaar("overlegstad")
    resident = service.status_actor(fired.status_token)[1]
    with pytest.raises(EventNotAllowed):
        service.fire(fired.challenge.id, "indienen", actor=resident, data={"omschrijving": "Ons plan."})
    held = service.fire(fired.challenge.id, "vooroverleg_gehouden", actor=b,
                        data={"verslag": "Goed gesprek; plan kan worden ingediend."})
    assert held.challenge.state == "vooroverleg.gehouden"
    assert "indienen" in [a.event for a in service.allowed_events(fired.challenge.id, actor=resident)]
    submitted = service.fire(fired.challenge.id, "indienen", actor=resident,
                             data={"omschrijving": "Ons plan voor het groen.", "vereisten": ["plan"]})
    assert submitted.challenge.state == "indiening.ontvangen"
    assert [t.name for t in service.terms(fired.challenge.id, actor=b) if t.status == "lopend"] == ["beslistermijn"]
    assert [t.template for t in service.letters_of(fired.challenge.id, actor=b)] == [
        "aanmelding_vooroverleg", "ontvangstbevestiging"]


def test_indienen_cannot_be_the_first_event_where_the_vooroverleg_is_mandatory(service, database) -> None:
    before = row_counts(database)
    with pytest.raises(InvalidInput) as refused:
        service.submit(gemeente="overlegstad", titel="Groen", initiatiefnemer=PERSON, partij="ingezetene",
                       event="indienen")
    assert "dat doet: vooroverleg_aanvragen" in str(refused.value)
    assert row_counts(database) == before


@pytest.mark.parametrize(("partij", "message"), [
    (None, "verplicht: zeg wie de aanvraag indient ('ingezetene' (Ik woon in de gemeente)"),
    ("gemeenteraad", "onbekende soort partij 'gemeenteraad'; mogelijk: 'ingezetene'"),
    ("onderneming", "Een bedrijf kan de gemeente niet uitdagen."),
])
def test_a_missing_unknown_or_excluded_kind_of_party_is_refused_and_nothing_is_written(service, database, partij,
                                                                                        message) -> None:
    before = row_counts(database)
    with pytest.raises(InvalidInput) as refused:
        aanmelden(service, partij=partij)
    assert message in refused.value.fields["partij"]
    assert "kan zo niet worden ingediend" in str(refused.value)
    assert row_counts(database) == before


def test_an_excluded_kind_is_flagged_for_the_behandelaar_where_the_definition_says_so(service) -> None:
    fired = service.submit(gemeente="toelatingdorp", titel="Schoonmaak", initiatiefnemer=PERSON, partij="onderneming",
                           data={"omschrijving": "Wij maken het plein schoon."})
    assert fired.challenge.state == "indiening.ontvangen"
    seen = service.get(fired.challenge.id, actor=behandelaar("toelatingdorp"))
    assert seen.facts["partij"] == "onderneming"
    assert seen.facts["partij_niet_toegelaten"].startswith("Een bedrijf mag alleen uitdagen")
    assert "(art. 2 lid 1, testbestand)" in seen.facts["partij_niet_toegelaten"]


def test_a_gemeente_without_kinds_does_not_take_one(service) -> None:
    with pytest.raises(InvalidInput) as refused:
        service.submit(gemeente="gouda", titel="Groen", initiatiefnemer=PERSON, partij="ingezetene")
    assert "vraagt niet wie er indient" in refused.value.fields["partij"]


def test_the_api_submission_on_a_mandatory_vooroverleg_and_its_refusal_of_a_kind(api) -> None:
    body = {"gemeente": "overlegstad", "titel": "Groen in de Kerkstraat", "partij": "vereniging",
            "initiatiefnemer": {"naam": "Fatima de Vries", "email": "fatima@example.nl"},
            "data": {"omschrijving": "Wij willen het groen zelf onderhouden."}}
    made = api.client.post("/api/v1/challenges", json=body)
    assert made.status_code == 201, made.text
    challenge = made.json()["challenge"]
    assert challenge["state"] == "vooroverleg.gesprek" and challenge["facts"]["partij"] == "vereniging"
    events = api.client.get(f"/api/v1/challenges/{challenge['id']}/events", headers=status_headers(made.json()))
    assert "indienen" not in [e["event"] for e in events.json()]
    staff = api.key("behandelaar", "overlegstad")
    held = api.fire(challenge, "vooroverleg_gehouden", staff, data={"verslag": "Gesprek gehouden."})
    assert held.status_code == 200, held.text
    registered = api.fire(challenge, "indienen", staff, data={"omschrijving": "Het plan, na het gesprek."})
    assert registered.status_code == 200 and registered.json()["state"] == "indiening.ontvangen"
    refused = api.client.post("/api/v1/challenges", json={**body, "partij": "onderneming"})
    assert refused.status_code == 422
    [param] = refused.json()["invalidParams"]
    assert param["name"] == "body.partij"
    assert param["reason"].startswith("Een bedrijf kan de gemeente niet uitdagen. Dat kunnen alleen inwoners")


def test_the_openapi_document_describes_the_kind_of_party(api) -> None:
    schema = api.client.get("/api/v1/openapi.json").json()
    partij = schema["components"]["schemas"]["SubmitIn"]["properties"]["partij"]
    assert "toelating.partijen" in partij["description"]


def test_the_werkomgeving_shows_who_submitted_and_the_flag(service) -> None:
    from html import unescape

    from r2c.web.staff import Staff

    fired = service.submit(gemeente="toelatingdorp", titel="Schoonmaak", initiatiefnemer=PERSON, partij="onderneming",
                           data={"omschrijving": "Wij maken het plein schoon."})
    person = Staff("b.jansen", "B. Jansen", "b@toelatingdorp.nl", "toelatingdorp", ("behandelaar",), "behandelaar")
    html = unescape(werk_client(service, person).get(f"/uitdagingen/{fired.challenge.id}").text)
    assert "<dt>Wie dient in</dt><dd>Een bedrijf" in html
    assert "Let op: mag niet uitdagen.</strong> Een bedrijf mag alleen uitdagen" in html


def test_registering_by_post_asks_who_submits_where_the_definition_lists_kinds(service) -> None:
    import re

    from r2c.web.staff import Staff

    person = Staff("b.jansen", "B. Jansen", "b@toelatingdorp.nl", "toelatingdorp", ("behandelaar",), "behandelaar")
    web = werk_client(service, person)
    page = web.get("/registreren")
    assert "Wie dient in" in page.text and 'name="partij"' in page.text
    token = re.search(r'name="csrf" value="([^"]*)"', page.text[page.text.index('action="/registreren"'):]).group(1)
    form = {"csrf": token, "titel": "Schoonmaak", "ontvangen_op": "2026-02-16", "naam": "Henk Bos",
            "omschrijving": "Wij maken het plein schoon."}
    missing = web.post("/registreren", data=form)
    assert missing.status_code == 422 and "zeg wie de aanvraag indient" in missing.text
    assert service.search(actor=behandelaar("toelatingdorp")).total == 0
    done = web.post("/registreren", data=form | {"partij": "onderneming"}, follow_redirects=False)
    assert done.status_code == 303, done.text[:1500]
    [c] = service.search(actor=behandelaar("toelatingdorp")).items
    assert c.facts["partij"] == "onderneming"
