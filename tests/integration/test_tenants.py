"""Gemeenten are tenants: nobody reads or changes another gemeente's challenges, and an initiatiefnemer sees only
their own. Another gemeente's challenge looks exactly like one that does not exist (NotFound, same message)."""

from __future__ import annotations

import uuid

import pytest

from r2c.engine.case import Actor
from r2c.errors import AccessDenied, EventNotAllowed, NotFound, UnknownGemeente
from r2c.service import READ_ONLY_ROLES, ChallengeService, Initiatiefnemer
from tests.integration.helpers import behandelaar, row_counts, submit

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def roles_of(service: ChallengeService, gemeente: str) -> list[str]:
    """Every role an actor of ``gemeente`` can have: the definition's own plus lezer and beheerder."""
    definition = service.catalog.in_force(gemeente, service.clock.now().date()).definition
    return sorted({*definition.rollen, *READ_ONLY_ROLES})


def files_on_disk(service: ChallengeService) -> list[str]:
    root = service.documents.root
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


def calls_on(service: ChallengeService, challenge_id: str, document_id: str, actor: Actor) -> dict:
    """Every call that names one challenge, as ``actor``."""
    return {
        "get": lambda: service.get(challenge_id, actor=actor),
        "fire": lambda: service.fire(challenge_id, "aanvulling_vragen", actor=actor),
        "fire_with_version": lambda: service.fire(challenge_id, "in_behandeling_nemen", actor=actor,
                                                  expected_version=1),
        "assign": lambda: service.assign(challenge_id, behandelaar=actor.id, actor=actor),
        "add_document": lambda: service.add_document(challenge_id, actor=actor, name="plan.pdf",
                                                     media_type="application/pdf", content=PDF),
        "timeline": lambda: service.timeline(challenge_id, actor=actor),
        "terms": lambda: service.terms(challenge_id, actor=actor),
        "allowed_events": lambda: service.allowed_events(challenge_id, actor=actor),
        "documents_of": lambda: service.documents_of(challenge_id, actor=actor),
        "document_content": lambda: service.document_content(challenge_id, document_id, actor=actor),
    }


def not_found_message(call, challenge_id: str) -> str:
    """The NotFound message of ``call`` with the challenge id taken out (the rest must not differ)."""
    with pytest.raises(NotFound) as info:
        call()
    message = str(info.value)
    assert challenge_id in message
    return message.replace(challenge_id, "<id>")


@pytest.mark.parametrize(("own", "other"), [("amsterdam", "gouda"), ("gouda", "amsterdam"),
                                            ("vught", "middelburg"), ("geertruidenberg", "vught")])
def test_no_role_of_one_gemeente_reads_or_changes_another_gemeentes_challenge(service, database, own,
                                                                            other) -> None:
    theirs = submit(service, other, titel="Hun buurthuis").challenge
    doc = service.add_document(theirs.id, actor=behandelaar(other), name="plan.pdf", media_type="application/pdf",
                               content=PDF)
    ours = submit(service, own, titel="Ons park").challenge
    before, disk = row_counts(database), files_on_disk(service)
    missing = str(uuid.uuid4())

    roles = roles_of(service, own)
    assert {"initiatiefnemer", "behandelaar", "teamleider", "college", "systeem", "lezer", "beheerder"} <= set(roles)
    for rol in roles:
        # The worst case: the same id as their initiatiefnemer (their party id) or as their behandelaar.
        ident = theirs.initiatiefnemer if rol == "initiatiefnemer" else "b.jansen"
        actor = Actor(ident, rol, own)
        on_theirs = calls_on(service, theirs.id, doc.id, actor)
        on_missing = calls_on(service, missing, doc.id, actor)
        for name, call in on_theirs.items():
            shown = not_found_message(call, theirs.id)
            assert shown == not_found_message(on_missing[name], missing), (rol, name)
            assert other not in shown, (rol, name)

    assert row_counts(database) == before
    assert files_on_disk(service) == disk
    assert service.get(theirs.id, actor=behandelaar(other)).version == theirs.version + 1  # only its document
    assert service.get(ours.id, actor=behandelaar(own)).version == ours.version


@pytest.mark.parametrize(("own", "other"), [("amsterdam", "gouda"), ("gouda", "amsterdam")])
def test_search_and_open_terms_of_one_gemeente_never_show_another_gemeentes(service, own, other) -> None:
    ours = {submit(service, own, titel=f"Ons {n}").challenge.id for n in range(2)}
    theirs = {submit(service, other, titel=f"Hun {n}").challenge.id for n in range(3)}

    for rol in roles_of(service, own):
        if rol == "initiatiefnemer":
            continue  # below: an initiatiefnemer sees only their own
        actor = Actor("b.jansen", rol, own)
        page = service.search(actor=actor)
        assert {c.id for c in page.items} == ours and page.total == len(ours), rol
        assert {c.gemeente for c in page.items} == {own}, rol
        terms = service.open_terms(actor=actor)
        assert {t.challenge_id for t in terms} == ours, rol
        assert not {t.challenge_id for t in service.open_terms(actor=actor, due_before=None)} & theirs, rol

    # Their initiatiefnemer's party id, used with our gemeente, finds nothing at all.
    their_party = service.get(sorted(theirs)[0], actor=behandelaar(other)).initiatiefnemer
    impostor = Actor(their_party, "initiatiefnemer", own)
    assert service.search(actor=impostor).total == 0
    assert service.open_terms(actor=impostor) == []


def test_an_initiatiefnemer_sees_only_their_own_challenge(service, database) -> None:
    mine = submit(service, titel="Mijn moestuin").challenge
    other = service.submit(gemeente="gouda", titel="Zijn speeltuin",
                           initiatiefnemer=Initiatiefnemer("Karel Bakker", "karel@example.nl")).challenge
    me = Actor(mine.initiatiefnemer, "initiatiefnemer", "gouda")
    assert mine.initiatiefnemer != other.initiatiefnemer

    assert service.get(mine.id, actor=me).titel == "Mijn moestuin"
    with pytest.raises(AccessDenied):  # the history names staff and their reasons: staff only
        service.timeline(mine.id, actor=me)
    missing = str(uuid.uuid4())
    before = row_counts(database)
    for name, call in calls_on(service, other.id, "geen-document", me).items():
        assert not_found_message(call, other.id) == not_found_message(
            calls_on(service, missing, "geen-document", me)[name], missing), name
    assert row_counts(database) == before

    page = service.search(actor=me)
    assert [c.id for c in page.items] == [mine.id] and page.total == 1
    assert {t.challenge_id for t in service.open_terms(actor=me)} == {mine.id}
    assert {c.id for c in service.search(actor=behandelaar()).items} == {mine.id, other.id}


def test_an_initiatiefnemer_cannot_fire_a_behandelaars_event(service, database) -> None:
    c = submit(service, complete=True).challenge
    me = Actor(c.initiatiefnemer, "initiatiefnemer", "gouda")
    before = row_counts(database)
    for event in ("in_behandeling_nemen", "aanvulling_vragen", "verdagen"):
        with pytest.raises(EventNotAllowed) as info:
            service.fire(c.id, event, actor=me, reason="Ik wil verder.")
        assert info.value.allowed == ["in_gebreke_stellen", "intrekken"], event
        assert info.value.state == "indiening.ontvangen"
        assert "intrekken" in str(info.value) and "'initiatiefnemer'" in str(info.value)
    with pytest.raises(AccessDenied):
        service.assign(c.id, behandelaar=me.id, actor=me)
    assert row_counts(database) == before
    assert [e.event for e in service.allowed_events(c.id, actor=me)] == ["in_gebreke_stellen", "intrekken"]
    assert service.get(c.id, actor=me).version == c.version


@pytest.mark.parametrize(("gemeente", "error", "words"), [
    (None, AccessDenied, "welke gemeente"),
    ("", AccessDenied, "welke gemeente"),
    ("atlantis", UnknownGemeente, "onbekende gemeente 'atlantis'"),
    ("Gouda", UnknownGemeente, "onbekende gemeente 'Gouda'"),
    ("vng-model-2024", UnknownGemeente, "onbekende gemeente 'vng-model-2024'"),
], ids=["none", "empty", "unknown", "wrong-case", "model-not-gemeente"])
def test_an_actor_without_a_known_gemeente_is_refused_everywhere(service, database, gemeente, error,
                                                                 words) -> None:
    c = submit(service).challenge
    doc = service.add_document(c.id, actor=behandelaar(), name="plan.pdf", media_type="application/pdf",
                               content=PDF)
    before = row_counts(database)
    for rol in ("behandelaar", "lezer", "beheerder", "initiatiefnemer"):
        actor = Actor(c.initiatiefnemer if rol == "initiatiefnemer" else "b.jansen", rol, gemeente)
        calls = calls_on(service, c.id, doc.id, actor)
        calls["search"] = lambda: service.search(actor=actor)
        calls["open_terms"] = lambda: service.open_terms(actor=actor)
        for name, call in calls.items():
            with pytest.raises(error) as info:
                call()
            assert words in str(info.value), (rol, name)
            assert c.id not in str(info.value), (rol, name)
    with pytest.raises((AccessDenied, UnknownGemeente)):
        service.submit(gemeente="gouda", titel="Via een ander", initiatiefnemer=Initiatiefnemer("Jan"),
                       actor=Actor("b.jansen", "behandelaar", gemeente))
    assert row_counts(database) == before
