"""The service on both databases: what a behandelaar and an initiatiefnemer see after each step."""

from __future__ import annotations

from datetime import date

import pytest

from r2c.engine.case import Actor
from r2c.service import SearchFilters
from tests.integration.helpers import behandelaar, row_counts, submit


def test_submit_registers_the_challenge_with_history_terms_letter_and_outbox(service, database) -> None:
    fired = submit(service)
    c = fired.challenge
    assert (c.gemeente, c.state, c.version, c.resultaat) == ("gouda", "indiening.ontvangen", 1, None)
    assert c.state_label and c.fase_label
    timeline = service.timeline(c.id, actor=behandelaar())
    assert [(h.seq, h.event, h.from_state, h.to_state) for h in timeline] == [
        (1, "indienen", "indiening.concept", "indiening.ontvangen")]
    assert timeline[0].actor_id == c.initiatiefnemer and timeline[0].actor_rol == "initiatiefnemer"
    assert timeline[0].data == {"omschrijving": "Wij onderhouden het park zelf."}
    terms = service.terms(c.id, actor=behandelaar())
    assert [(t.name, t.status, t.started_on) for t in terms] == [("beslistermijn", "lopend", date(2026, 3, 2))]
    assert terms[0].einddatum is not None and terms[0].uitleg[-1].startswith("Einddatum")
    counts = row_counts(database)
    assert counts["letter"] == 1 and counts["outbox"] == 1 and counts["personal_data"] == 1


def test_the_history_never_holds_the_initiatiefnemers_name(service, database) -> None:
    fired = submit(service)
    with database.read_sessions() as session:
        from sqlalchemy import text

        dump = " ".join(str(r) for r in session.execute(text("SELECT * FROM history")))
    assert "Fatima" not in dump and "fatima@example.nl" not in dump
    assert fired.challenge.initiatiefnemer in dump


def test_aanvulling_suspends_the_beslistermijn_and_completion_resumes_it_later(service, clock) -> None:
    from datetime import datetime, timezone

    c = submit(service).challenge
    b = behandelaar()
    before = {t.name: t for t in service.terms(c.id, actor=b)}["beslistermijn"].einddatum
    service.fire(c.id, "aanvulling_vragen", actor=b, expected_version=1)
    suspended = {t.name: t for t in service.terms(c.id, actor=b)}
    assert suspended["beslistermijn"].status == "opgeschort" and suspended["beslistermijn"].einddatum is None
    assert suspended["hersteltermijn"].status == "lopend"
    clock.set(datetime(2026, 3, 12, 9, 0, tzinfo=timezone.utc))  # ten days later the aanvulling arrives
    fired = service.fire(c.id, "aanvullen", actor=Actor(c.initiatiefnemer, "initiatiefnemer", "gouda"),
                         data={"vereisten": ["contactgegevens"]})
    assert fired.challenge.state == "indiening.ontvangen"
    after = {t.name: t for t in service.terms(c.id, actor=b)}
    assert after["hersteltermijn"].status == "gestopt"
    assert after["beslistermijn"].status == "lopend"
    # 8 weeks from 2 March end on 27 April (Koningsdag, so 28 April); suspended 3 up to 12 March: 9 days more
    assert before == date(2026, 4, 28)
    assert after["beslistermijn"].einddatum == date(2026, 5, 6)
    assert any("Awb 4:15" in line and "(9 dagen" in line for line in after["beslistermijn"].uitleg)


def test_search_filters_by_phase_state_and_deadline(service) -> None:
    b = behandelaar()
    first = submit(service, titel="Eerste").challenge
    second = submit(service, titel="Tweede").challenge
    service.fire(second.id, "aanvulling_vragen", actor=b)
    page = service.search(actor=b, filters=SearchFilters(fase="ontvankelijkheid"))
    assert [c.id for c in page.items] == [second.id] and page.total == 1
    page = service.search(actor=b, filters=SearchFilters(open=True), limit=1)
    assert page.total == 2 and len(page.items) == 1
    hersteltermijn_end = {t.name: t for t in service.terms(second.id, actor=b)}["hersteltermijn"].einddatum
    due = service.search(actor=b, filters=SearchFilters(deadline_before=hersteltermijn_end))
    assert [c.id for c in due.items] == [second.id]
    assert service.search(actor=b, filters=SearchFilters(overdue_on=hersteltermijn_end)).total == 0
    assert first.id in {c.id for c in service.search(actor=b).items}


def test_a_running_challenge_moves_to_a_new_version_only_by_an_explicit_recorded_migration(service, clock) -> None:
    from datetime import datetime, timezone

    from r2c.errors import MigrationError
    from r2c.store.audit import verify_database

    c = submit(service).challenge  # 2 March 2026: gouda 2024.1 is in force
    assert c.workflow_version == "2024.1"
    teamleider = Actor("t.de.boer", "teamleider", "gouda")
    clock.set(datetime(2026, 7, 1, 8, tzinfo=timezone.utc))  # gouda 2026.1 applies from 1 July 2026
    assert service.get(c.id, actor=teamleider).workflow_version == "2024.1", "a new version changes nothing by itself"
    with pytest.raises(MigrationError, match="reden"):
        service.migrate(c.id, versie="2026.1", actor=teamleider, reason=" ")
    moved = service.migrate(c.id, versie="2026.1", actor=teamleider, reason="Nieuwe verordening per 1 juli",
                            expected_version=1).challenge
    assert (moved.workflow_version, moved.state, moved.version) == ("2026.1", "indiening.ontvangen", 2)
    entry = service.timeline(c.id, actor=teamleider)[-1]
    assert (entry.kind, entry.reason, dict(entry.data)) == (
        "migratie", "Nieuwe verordening per 1 juli", {"van_versie": "2024.1", "naar_versie": "2026.1"})
    assert service.get(c.id, actor=teamleider).workflow_version == "2026.1"
    with service.reading() as connection:
        assert verify_database(connection).ok


def test_open_terms_by_a_day_are_the_running_terms_ending_on_or_before_it(service, clock) -> None:
    """``due_before`` is inclusive; a suspended term has no end date, so it only shows without a day."""
    from datetime import datetime, timezone

    b = behandelaar()
    early = submit(service).challenge  # Monday 2 March: beslistermijn to 28 April (27 April is Koningsdag)
    paused = submit(service).challenge
    service.fire(paused.id, "aanvulling_vragen", actor=b)  # beslistermijn suspended, hersteltermijn 2 weeks
    clock.set(datetime(2026, 3, 9, 8, 0, tzinfo=timezone.utc))
    late = submit(service).challenge  # Monday 9 March: beslistermijn to 4 May

    def listed(actor: Actor = b, **kwargs) -> list[tuple[str, str, str, date | None]]:
        return [(t.challenge_id, t.name, t.status, t.einddatum) for t in service.open_terms(actor=actor, **kwargs)]

    herstel = (paused.id, "hersteltermijn", "lopend", date(2026, 3, 16))
    first = (early.id, "beslistermijn", "lopend", date(2026, 4, 28))
    last = (late.id, "beslistermijn", "lopend", date(2026, 5, 4))
    suspended = (paused.id, "beslistermijn", "opgeschort", None)
    assert listed() == [herstel, first, last, suspended]  # soonest end first, suspended at the end
    assert listed(due_before=date(2026, 3, 15)) == []
    assert listed(due_before=date(2026, 3, 16)) == [herstel]  # the end day itself counts
    assert listed(due_before=date(2026, 4, 27)) == [herstel]
    assert listed(due_before=date(2026, 4, 28)) == [herstel, first]
    assert listed(due_before=date(2099, 1, 1)) == [herstel, first, last]  # never the suspended one
    mine = Actor(early.initiatiefnemer, "initiatiefnemer", "gouda")
    assert listed(mine, due_before=date(2099, 1, 1)) == [first]

    clock.set(datetime(2026, 3, 12, 8, 0, tzinfo=timezone.utc))  # the aanvulling arrives: the term runs again
    service.fire(paused.id, "aanvullen", actor=Actor(paused.initiatiefnemer, "initiatiefnemer", "gouda"),
                 data={"vereisten": ["contactgegevens"]})
    resumed = (paused.id, "beslistermijn", "lopend", date(2026, 5, 6))  # 28 April + 9 suspended days (Awb 4:15)
    assert listed(due_before=date(2026, 5, 6)) == [first, last, resumed]
    assert listed(due_before=date(2026, 5, 5)) == [first, last]


def test_the_history_is_for_staff_only_not_for_the_initiatiefnemer(service) -> None:
    """The timeline names staff, their reasons and data; the initiatiefnemer reads their challenge through get."""
    from r2c.errors import AccessDenied

    c = submit(service).challenge
    resident = Actor(c.initiatiefnemer, "initiatiefnemer", "gouda")
    with pytest.raises(AccessDenied, match="alleen voor medewerkers"):
        service.timeline(c.id, actor=resident)
    assert service.get(c.id, actor=resident).id == c.id
    assert [e.event for e in service.timeline(c.id, actor=behandelaar())] == ["indienen"]
