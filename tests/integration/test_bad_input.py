"""Bad input: each is refused with its own error from r2c.errors, a message a person can read, and nothing written
(no row in any table, no file on disk, the challenge's version unchanged)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r2c.engine.case import Actor
from r2c.errors import (
    AccessDenied, Conflict, EventNotAllowed, GuardFailed, InvalidEventData, InvalidInput, NotFound, R2CError,
    UnknownEvent, UnknownGemeente,
)
from r2c.service import Initiatiefnemer
from tests.integration.helpers import behandelaar, row_counts, submit

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FATIMA = Initiatiefnemer("Fatima de Vries", "fatima@example.nl")

# What must never show in a message meant for a person: a traceback, an object's repr, SQL, driver internals.
LEAKS = re.compile(r"Traceback|File \"|object at 0x|<r2c\.|<sqlalchemy|Row\(|ChallengeRow|HistoryRow|\[SQL:|"
                   r"\[parameters:|psycopg|sqlite3|sqlalchemy\.")


def files_on_disk(service) -> list[str]:
    root = service.documents.root
    return sorted(str(p) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def refused(service, database, error: type[R2CError], call: Callable[[], object], *,
            challenge_id: str | None = None) -> R2CError:
    """Run ``call``, expect ``error``, and prove that nothing was written anywhere."""
    before, disk = row_counts(database), files_on_disk(service)
    version = service.get(challenge_id, actor=behandelaar()) if challenge_id else None
    with pytest.raises(error) as info:
        call()
    assert row_counts(database) == before
    assert files_on_disk(service) == disk
    if version is not None:
        after = service.get(challenge_id, actor=behandelaar())
        assert (after.version, after.state, after.facts) == (version.version, version.state, version.facts)
    message = str(info.value)
    assert message.strip(), "an error without a message"
    assert not LEAKS.search(message), message
    return info.value


# -- which challenge, which event --------------------------------------------------------------------------------


def test_an_unknown_challenge_id_is_not_found_for_every_call(service, database) -> None:
    c = submit(service).challenge  # one that exists, so the database is not empty
    b = behandelaar()
    for missing in (str(uuid.uuid4()), "", "x" * 100, "'; DROP TABLE challenge; --"):
        for call in (lambda: service.get(missing, actor=b),
                     lambda: service.fire(missing, "aanvulling_vragen", actor=b),
                     lambda: service.assign(missing, behandelaar="b.jansen", actor=b),
                     lambda: service.add_document(missing, actor=b, name="plan.pdf", media_type="application/pdf",
                                                  content=PDF),
                     lambda: service.timeline(missing, actor=b),
                     lambda: service.terms(missing, actor=b),
                     lambda: service.allowed_events(missing, actor=b),
                     lambda: service.documents_of(missing, actor=b)):
            error = refused(service, database, NotFound, call, challenge_id=c.id)
            assert f"'{missing}'" in str(error) and "gouda" in str(error)
    error = refused(service, database, NotFound, lambda: service.document_content(c.id, "geen-document", actor=b),
                    challenge_id=c.id)
    assert "geen-document" in str(error)


def test_an_unknown_event_lists_the_events_that_exist(service, database) -> None:
    c = submit(service).challenge
    error = refused(service, database, UnknownEvent,
                    lambda: service.fire(c.id, "goedkeuren", actor=behandelaar()), challenge_id=c.id)
    message = str(error)
    assert "'goedkeuren'" in message and "gouda@2024.1" in message
    existing = service.engine.workflow(c.workflow, c.workflow_version).events()
    assert {"aanvulling_vragen", "in_behandeling_nemen", "toekennen", "kennismaking_plannen"} <= set(existing)
    assert message.endswith(", ".join(existing))


def test_an_event_not_allowed_now_names_the_state_and_the_allowed_events(service, database) -> None:
    c = submit(service).challenge
    b = behandelaar()
    error = refused(service, database, EventNotAllowed,
                    lambda: service.fire(c.id, "toekennen", actor=b), challenge_id=c.id)
    assert not isinstance(error, GuardFailed)
    assert error.state == "indiening.ontvangen"
    assert error.allowed == ["aanvulling_vragen", "in_behandeling_nemen", "verdagen", "in_gebreke_stellen"]
    assert error.allowed == [e.event for e in service.allowed_events(c.id, actor=b)]
    assert all(event in str(error) for event in error.allowed)
    # A role that exists but has no event here: the list is empty and the message says so.
    error = refused(service, database, EventNotAllowed,
                    lambda: service.fire(c.id, "aanvulling_vragen", actor=Actor("l.de.boer", "lezer", "gouda")),
                    challenge_id=c.id)
    assert error.allowed == [] and "geen" in str(error)


def test_a_failed_condition_gives_its_reasons(service, database) -> None:
    c = submit(service).challenge  # without the required elements
    b = behandelaar()
    error = refused(service, database, GuardFailed,
                    lambda: service.fire(c.id, "in_behandeling_nemen", actor=b), challenge_id=c.id)
    assert len(error.reasons) == 1 and error.reasons[0].startswith("de aanvraag mist nog:")
    assert "Begroting en gevraagd budget" in error.reasons[0]
    assert error.allowed == ["aanvulling_vragen", "in_behandeling_nemen", "verdagen", "in_gebreke_stellen"]
    error = refused(service, database, GuardFailed,
                    lambda: service.fire(c.id, "verdagen", actor=b), challenge_id=c.id)
    assert error.reasons == ["geef een motivering (reden) bij deze stap (Awb 3:46)"]
    assert [a.blocked_by for a in service.allowed_events(c.id, actor=b) if a.event == "verdagen"] == [
        tuple(error.reasons)]


def test_a_stale_expected_version_is_a_conflict_that_names_the_change_since(service, database, clock) -> None:
    c = submit(service).challenge
    service.fire(c.id, "aanvulling_vragen", actor=behandelaar(ident="a.smit"), expected_version=c.version)
    b = behandelaar()
    for call in (lambda: service.fire(c.id, "aanvullen", actor=b, data={"vereisten": ["plan"]},
                                      expected_version=c.version),
                 lambda: service.assign(c.id, behandelaar="b.jansen", actor=b, expected_version=c.version),
                 lambda: service.add_document(c.id, actor=b, name="plan.pdf", media_type="application/pdf",
                                              content=PDF, expected_version=c.version)):
        error = refused(service, database, Conflict, call, challenge_id=c.id)
        assert (error.expected, error.current, error.state) == (1, 2, "ontvankelijkheid.aanvulling_gevraagd")
        assert error.changes == ["versie 2: aanvulling_vragen door behandelaar a.smit op 2026-03-02 08:00, daarna "
                                 "in 'ontvankelijkheid.aanvulling_gevraagd'"]
        assert "sinds versie 1" in str(error) and error.changes[0] in str(error)
    # The right version goes through.
    assert service.fire(c.id, "aanvullen", actor=b, data={"vereisten": ["plan"]},
                        expected_version=2).challenge.version == 3


# -- who --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rol", ["burgemeester", "bestuurscommissie", "Behandelaar", ""])
def test_an_unknown_role_is_refused(service, database, rol) -> None:
    """bestuurscommissie exists in Amsterdam's definition, not in Gouda's."""
    c = submit(service).challenge
    actor = Actor("x.de.wit", rol, "gouda")
    for call in (lambda: service.fire(c.id, "aanvulling_vragen", actor=actor),
                 lambda: service.get(c.id, actor=actor),
                 lambda: service.search(actor=actor),
                 lambda: service.submit(gemeente="gouda", titel="Buurttuin", initiatiefnemer=FATIMA, actor=actor)):
        error = refused(service, database, AccessDenied, call, challenge_id=c.id)
        assert f"rol '{rol}' bestaat niet bij gouda" in str(error)
        assert "behandelaar, beheerder, college, initiatiefnemer, lezer, systeem, teamleider" in str(error)


@pytest.mark.parametrize("ident", ["", "   ", "x" * 201])
def test_an_actor_without_a_usable_id_is_refused(service, database, ident) -> None:
    c = submit(service).challenge
    error = refused(service, database, AccessDenied,
                    lambda: service.fire(c.id, "aanvulling_vragen", actor=Actor(ident, "behandelaar", "gouda")),
                    challenge_id=c.id)
    assert "geldige id" in str(error)


def test_submit_to_an_unknown_gemeente_is_refused(service, database) -> None:
    c = submit(service).challenge
    for gemeente in ("atlantis", "vng-model-2024"):
        error = refused(service, database, UnknownGemeente,
                        lambda: service.submit(gemeente=gemeente, titel="Buurttuin", initiatiefnemer=FATIMA),
                        challenge_id=c.id)
        assert f"'{gemeente}'" in str(error)
        assert "amsterdam, geertruidenberg, gouda, middelburg, vught" in str(error)


# -- what -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("titel", "party", "fields"), [
    ("Buurttuin", Initiatiefnemer(""), {"initiatiefnemer.naam"}),
    ("Buurttuin", Initiatiefnemer("   ", "fatima@example.nl"), {"initiatiefnemer.naam"}),
    ("Buurttuin", Initiatiefnemer("Fatima", "fatima-at-example.nl"), {"initiatiefnemer.email"}),
    ("Buurttuin", Initiatiefnemer("Fatima", "fatima@example"), {"initiatiefnemer.email"}),
    ("Buurttuin", Initiatiefnemer("Fatima", telefoon="0" * 41), {"initiatiefnemer.telefoon"}),
    ("Buurttuin", Initiatiefnemer(123), {"initiatiefnemer.naam"}),  # type: ignore[arg-type]
    ("x" * 201, FATIMA, {"titel"}),
    ("", FATIMA, {"titel"}),
    (None, FATIMA, {"titel"}),
    ("Buurttuin", "Fatima de Vries", {"initiatiefnemer"}),
    ("x" * 201, Initiatiefnemer("", "geen adres"), {"titel", "initiatiefnemer.naam", "initiatiefnemer.email"}),
], ids=["naam-empty", "naam-blank", "email-no-at", "email-no-domain", "telefoon-too-long", "naam-not-text",
        "titel-too-long", "titel-empty", "titel-none", "party-not-initiatiefnemer", "all-at-once"])
def test_an_incomplete_submission_names_every_field_that_is_wrong(service, database, titel, party, fields) -> None:
    c = submit(service).challenge
    error = refused(service, database, InvalidInput,
                    lambda: service.submit(gemeente="gouda", titel=titel, initiatiefnemer=party),
                    challenge_id=c.id)
    assert set(error.fields) == fields
    assert all(name in str(error) for name in fields)
    assert all(error.fields[name] for name in fields)


def test_the_limits_of_a_submission_are_inclusive(service) -> None:
    fired = service.submit(gemeente="gouda", titel="x" * 200, initiatiefnemer=Initiatiefnemer("n" * 200),
                           reason="r" * service.limits.reason_length)
    assert fired.challenge.titel == "x" * 200


@pytest.mark.parametrize(("event", "data", "fields"), [
    ("indienen", {"omschrijving": 5}, {"omschrijving": "moet tekst zijn"}),
    ("indienen", {"vereisten": "plan"}, {"vereisten": "moet een lijst van namen zijn"}),
    ("indienen", {"vereisten": ["plan", "toverstaf"]}, {"vereisten": "onbekende onderdelen: toverstaf"}),
    ("indienen", {"kleur": "groen"}, {"kleur": "onbekend gegeven bij deze stap"}),
    ("indienen", {"omschrijving": "x" * 20_001}, {"omschrijving": "te lang: 20001 tekens, hoogstens 20000"}),
    ("indienen", {"omschrijving": None, "kleur": 1}, {"omschrijving": "moet tekst zijn",
                                                      "kleur": "onbekend gegeven"}),
], ids=["wrong-type", "list-expected", "unknown-element", "unknown-field", "too-long", "two-at-once"])
def test_event_data_that_does_not_match_the_definition_is_refused_on_submit(service, database, event, data,
                                                                            fields) -> None:
    c = submit(service).challenge
    error = refused(service, database, InvalidEventData,
                    lambda: service.submit(gemeente="gouda", titel="Buurttuin", initiatiefnemer=FATIMA,
                                           data=data, event=event),
                    challenge_id=c.id)
    assert set(error.fields) == set(fields)
    for name, words in fields.items():
        assert words in error.fields[name], (name, error.fields[name])
        assert name in str(error)


def test_event_data_that_does_not_match_the_definition_is_refused_on_fire(service, database) -> None:
    c = submit(service).challenge
    b = behandelaar()
    service.fire(c.id, "aanvulling_vragen", actor=b)
    cases = [({}, {"vereisten": "verplicht, maar niet meegegeven"}),
             ({"vereisten": ["plan"], "opmerking": "ok"}, {"opmerking": "onbekend gegeven bij deze stap "
                                                                        "(verwacht: vereisten)"}),
             ({"vereisten": [1, 2]}, {"vereisten": "moet een lijst van namen zijn"})]
    for data, fields in cases:
        error = refused(service, database, InvalidEventData,
                        lambda: service.fire(c.id, "aanvullen", actor=b, data=data), challenge_id=c.id)
        assert error.fields == fields


@pytest.mark.parametrize("data", [["vereisten"], "vereisten", 42], ids=["list", "text", "number"])
def test_event_data_that_is_not_a_mapping_is_invalid_event_data(service, database, data) -> None:
    c = submit(service).challenge
    error = refused(service, database, InvalidEventData,
                    lambda: service.fire(c.id, "verdagen", actor=behandelaar(), reason="Drukte.", data=data),
                    challenge_id=c.id)
    assert error.fields


def test_a_reason_longer_than_the_limit_is_refused(service, database) -> None:
    c = submit(service).challenge
    longest = service.limits.reason_length
    too_long = "r" * (longest + 1)
    for call in (lambda: service.fire(c.id, "verdagen", actor=behandelaar(), reason=too_long),
                 lambda: service.submit(gemeente="gouda", titel="Buurttuin", initiatiefnemer=FATIMA,
                                        reason=too_long)):
        error = refused(service, database, InvalidInput, call, challenge_id=c.id)
        assert error.fields == {"reden": f"te lang: {longest + 1} tekens, hoogstens {longest}"}
    error = refused(service, database, InvalidInput,
                    lambda: service.fire(c.id, "verdagen", actor=behandelaar(), reason=12), challenge_id=c.id)
    assert error.fields == {"reden": "moet tekst zijn"}
    assert service.fire(c.id, "verdagen", actor=behandelaar(), reason="r" * longest).challenge.version == 2


@pytest.mark.parametrize(("name", "media_type", "content", "fields"), [
    ("plan.pdf", "application/pdf", b"x" * (20 * 1024 * 1024 + 1), {"inhoud": "te groot: 20971521 bytes"}),
    ("plan.exe", "application/x-msdownload", PDF, {"media_type": "'application/x-msdownload' wordt niet"}),
    ("plan.html", "text/html", b"<script>", {"media_type": "wel: application/pdf"}),
    ("plan.pdf", "application/pdf", b"", {"inhoud": "leeg bestand"}),
    ("", "application/pdf", PDF, {"naam": "verplicht"}),
    ("n" * 256, "application/pdf", PDF, {"naam": "te lang"}),
    ("", "text/html", b"", {"naam": "verplicht", "media_type": "text/html", "inhoud": "leeg"}),
], ids=["too-large", "refused-type", "html", "empty", "no-name", "name-too-long", "all-at-once"])
def test_a_document_that_is_not_accepted_is_neither_stored_nor_recorded(service, database, name, media_type,
                                                                        content, fields) -> None:
    c = submit(service).challenge
    error = refused(service, database, InvalidInput,
                    lambda: service.add_document(c.id, actor=behandelaar(), name=name, media_type=media_type,
                                                 content=content), challenge_id=c.id)
    assert set(error.fields) == set(fields)
    for key, words in fields.items():
        assert words in error.fields[key], (key, error.fields[key])
    assert service.documents_of(c.id, actor=behandelaar()) == []
    assert files_on_disk(service) == []


def test_a_document_of_exactly_the_largest_size_is_accepted(service) -> None:
    c = submit(service).challenge
    doc = service.add_document(c.id, actor=behandelaar(), name="scan.png", media_type="image/png",
                               content=b"\x89PNG" + b"\0" * (service.limits.document_size - 4))
    assert doc.size == service.limits.document_size


@pytest.mark.parametrize("where", ["titel", "naam", "reden"])
def test_text_with_a_nul_character_is_invalid_input_on_every_database(service, database, where) -> None:
    c = submit(service).challenge
    text = "Buurt\x00tuin"
    error = refused(service, database, InvalidInput,
                    lambda: service.submit(gemeente="gouda", titel=text if where == "titel" else "Buurttuin",
                                           initiatiefnemer=Initiatiefnemer(text if where == "naam" else "Fatima"),
                                           reason=text if where == "reden" else None),
                    challenge_id=c.id)
    assert error.fields


def test_a_challenge_id_with_a_nul_character_is_not_found(service, database) -> None:
    c = submit(service).challenge
    refused(service, database, NotFound, lambda: service.get("ab\x00cd", actor=behandelaar()), challenge_id=c.id)


def test_no_refusal_message_carries_a_traceback_or_an_object_repr(service, database) -> None:
    """Every refusal above goes through ``refused``; this one gathers a few more and reads them as a person would."""
    c = submit(service).challenge
    b = behandelaar()
    errors = []
    for call in (lambda: service.search(actor=b, limit=0),
                 lambda: service.search(actor=b, offset=-1),
                 lambda: service.assign(c.id, behandelaar="x" * 201, actor=Actor("t", "teamleider", "gouda")),
                 lambda: service.assign(c.id, behandelaar="iemand.anders", actor=b),
                 lambda: service.assign(c.id, behandelaar="l", actor=Actor("l", "lezer", "gouda"))):
        with pytest.raises(R2CError) as info:
            call()
        errors.append(info.value)
    assert [type(e) for e in errors] == [InvalidInput, InvalidInput, InvalidInput, AccessDenied, AccessDenied]
    for error in errors:
        assert not LEAKS.search(str(error)) and "\n" not in str(error), str(error)
    assert service.get(c.id, actor=b).version == c.version


# -- control characters: a one-line field stays one line (a mail's subject, a letter's heading) ------------------

ONE_LINE = st.sampled_from(["\r", "\n", "\r\n", "\t", "\x00", "\x1b", "\x7f", "\x85", "\u2028", "\u2029"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=st.sampled_from(["titel", "naam", "email", "organisatie"]), bad=ONE_LINE,
       before=st.text(alphabet="abc ", min_size=1, max_size=5))
def test_a_control_character_in_a_one_line_field_is_refused_with_its_name_and_place(service, database, where,
                                                                                      bad, before) -> None:
    value = f"X{before}{bad}Bcc: iemand@example.nl"
    party = {"naam": "Fatima", "email": "fatima@example.nl"}
    if where in party or where == "organisatie":
        party[where] = value
    error = refused(service, database, InvalidInput,
                    lambda: service.submit(gemeente="gouda", titel=value if where == "titel" else "Buurttuin",
                                           initiatiefnemer=Initiatiefnemer(**party)))
    field = where if where == "titel" else f"initiatiefnemer.{where}"
    assert field in error.fields
    assert f"op positie {len(before) + 2}" in error.fields[field]
    assert "niet mag" in error.fields[field]


def test_a_multi_line_text_keeps_its_line_breaks_but_not_other_control_characters(service) -> None:
    c = submit(service).challenge
    fired = service.fire(c.id, "aanvulling_vragen", actor=behandelaar(), reason="De begroting ontbreekt.\r\nEn het plan.")
    assert fired.challenge.state == "ontvankelijkheid.aanvulling_gevraagd"
    party = Initiatiefnemer("Fatima", adres="Markt 1\n2801 JG Gouda")
    assert service.submit(gemeente="gouda", titel="Buurttuin", initiatiefnemer=party).challenge.titel == "Buurttuin"
    with pytest.raises(InvalidInput) as info:
        service.submit(gemeente="gouda", titel="Buurttuin", initiatiefnemer=Initiatiefnemer("Fatima"),
                       reason="Zie bijlage\x1b[31m")
    assert "stuurteken U+001B" in info.value.fields["reden"]
