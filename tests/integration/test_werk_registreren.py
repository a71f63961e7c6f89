"""``/registreren`` (r2c.web.registreren) on a real service and database: a challenge that came by post becomes a
challenge whose terms count from its ontvangstdatum, with its documents and contact data; a future date, a missing
name, a bad e-mail address or a refused file is a Dutch error next to its field with the input kept, and nothing
is written; only a role that may submit sees the form."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient

from r2c.service import SearchFilters
from r2c.web.staff import Staff
from tests.integration.helpers import behandelaar, row_counts, submit
from tests.integration.werk import JANSEN, werk_client

LEIDER = Staff("t.leider", "T. Leider", "t@gouda.nl", "gouda", ("teamleider",), "teamleider")


def client(service, person: Staff = JANSEN) -> TestClient:
    return werk_client(service, person)


def csrf_of(web: TestClient) -> str:
    page = web.get("/registreren")
    assert page.status_code == 200
    form = page.text[page.text.index('action="/registreren"'):]
    return re.search(r'name="csrf" value="([^"]*)"', form).group(1)


def filled(web: TestClient, **changes: str) -> dict[str, object]:
    data: dict[str, object] = {"csrf": csrf_of(web), "titel": "Speeltuin De Klomp", "ontvangen_op": "2026-02-16",
                               "omschrijving": "Wij beheren de speeltuin zelf.", "naam": "Henk Bos",
                               "organisatie": "Stichting De Klomp", "adres": "Kerkstraat 1\n2800 AA Gouda",
                               "vereisten": ["plan"]}
    return data | changes


def test_a_challenge_by_post_is_registered_with_its_received_date_documents_and_contact(service) -> None:
    web = client(service)
    sent = web.post("/registreren", data=filled(web),
                    files=[("documenten", ("brief.pdf", b"%PDF-1.4 brief", "application/pdf"))],
                    follow_redirects=False)
    assert sent.status_code == 303, sent.text[:2000]
    challenge_id = sent.headers["location"].rsplit("/", 1)[1]
    c = service.get(challenge_id, actor=behandelaar())
    assert c.titel == "Speeltuin De Klomp" and c.state == "indiening.ontvangen"
    beslis = next(t for t in service.terms(challenge_id, actor=behandelaar()) if t.name == "beslistermijn")
    assert beslis.started_on == date(2026, 2, 16)  # the ontvangstdatum, not the day of registering (2 March)
    today_one = submit(service).challenge
    beslis_today = next(t for t in service.terms(today_one.id, actor=behandelaar()) if t.name == "beslistermijn")
    assert beslis.einddatum < beslis_today.einddatum
    assert [d.name for d in service.documents_of(challenge_id, actor=behandelaar())] == ["brief.pdf"]
    contact = service.contact_of(challenge_id, actor=behandelaar())
    assert (contact.naam, contact.email, contact.organisatie) == ("Henk Bos", None, "Stichting De Klomp")
    page = web.get(sent.headers["location"]).text
    assert "Henk Bos" in page and "brief.pdf" in page
    history = service.timeline(challenge_id, actor=behandelaar())
    assert history[-1].actor_id == "b.jansen"


def test_bad_input_is_shown_next_to_each_field_with_the_input_kept_and_nothing_written(service, database) -> None:
    web = client(service)
    before = row_counts(database)
    tomorrow = (date(2026, 3, 2) + timedelta(days=1)).isoformat()
    sent = web.post("/registreren", data=filled(web, ontvangen_op=tomorrow, naam="", email="geen-adres",
                                                titel="Twee\nregels"),
                    files=[("documenten", ("virus.exe", b"MZ", "application/x-msdownload"))])
    assert sent.status_code == 422
    for field, text in (("ontvangen_op", "toekomst"), ("naam", "verplicht"), ("email", "geen e-mailadres"),
                        ("titel", "één regel"), ("documenten", "Dit soort bestand kan niet")):
        match = re.search(rf'id="{field}-fout"><strong>Fout:</strong> ([^<]*)<', sent.text)
        assert match and text in match.group(1), (field, match and match.group(1))
    assert "Wij beheren de speeltuin zelf." in sent.text and 'value="geen-adres"' in sent.text  # input kept
    assert 'value="plan" checked' in sent.text
    assert "in het formulier" in sent.text
    assert row_counts(database) == before
    assert service.search(actor=behandelaar(), filters=SearchFilters()).total == 0


def test_a_date_that_is_not_a_date_and_a_missing_csrf_are_refused(service) -> None:
    web = client(service)
    sent = web.post("/registreren", data=filled(web, ontvangen_op="16 februari"))
    assert sent.status_code == 422 and "2026-03-31" in sent.text
    no_token = web.post("/registreren", data={**filled(web), "csrf": ""})
    assert no_token.status_code == 403 and "verlopen" in no_token.text
    assert service.search(actor=behandelaar(), filters=SearchFilters()).total == 0


def test_a_role_that_may_not_submit_sees_why_and_cannot_post(service) -> None:
    web = client(service, LEIDER)
    page = web.get("/registreren")
    assert page.status_code == 200 and "Registreren kan in de rol behandelaar" in page.text
    assert 'action="/registreren"' not in page.text
    token = re.search(r'name="csrf" value="([^"]*)"', page.text)
    sent = web.post("/registreren", data={"csrf": token.group(1) if token else "", "titel": "x", "naam": "y"})
    assert sent.status_code == 403
    assert service.search(actor=behandelaar(), filters=SearchFilters()).total == 0
    assert 'href="/registreren"' in client(service).get("/werkvoorraad").text


def test_the_service_refuses_a_received_date_in_the_future_or_more_than_a_year_back(service) -> None:
    from r2c.errors import InvalidInput
    from r2c.service import Initiatiefnemer

    for day, text in ((date(2026, 3, 3), "toekomst"), (date(2025, 2, 1), "jaar terug")):
        try:
            service.submit(gemeente="gouda", titel="Per post", initiatiefnemer=Initiatiefnemer("H. Bos"),
                           actor=behandelaar(), received_on=day)
        except InvalidInput as refused:
            assert text in refused.fields["ontvangen_op"]
        else:
            raise AssertionError(f"{day} aangenomen")
    assert service.search(actor=behandelaar(), filters=SearchFilters()).total == 0


def test_a_version_from_the_future_is_a_conflict_that_names_no_changes(service) -> None:
    from r2c.errors import Conflict

    c = submit(service).challenge
    for version in (c.version + 5, 10 ** 30, -3):
        try:
            service.assign(c.id, behandelaar="b.jansen", actor=behandelaar(), expected_version=version)
        except Conflict as conflict:
            assert conflict.changes == []
        else:
            raise AssertionError(f"versie {version} aangenomen")
