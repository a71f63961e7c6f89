"""The scheduler's jobs, driven day by day with the clock: reminders, escalation and lapse on the right day,
each queued once, and the outbox turned into deliveries that are sent once (and retried when a channel fails)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, text, update

from r2c.engine.case import Actor
from r2c.notify.channels import DeliveryError, Message
from r2c.notify.log import LogChannel
from r2c.notify.routing import Router
from r2c.scheduler.jobs import deliver, distribute, sweep_terms, tick
from r2c.settings import Settings
from r2c.store.tables import ChallengeRow, DeliveryRow, OutboxRow, TermRow
from tests.integration.helpers import behandelaar, submit


def morning(day: date) -> datetime:
    return datetime.combine(day, time(7), tzinfo=timezone.utc)  # 08:00 or 09:00 in Amsterdam


def outbox_topics(database, challenge_id: str) -> list[tuple[str, str]]:
    with database.read_sessions() as session:
        return [(r.topic, r.payload.get("termijn", {}).get("naam", "")) for r in session.execute(
            select(OutboxRow.__table__).where(OutboxRow.__table__.c.challenge_id == challenge_id)
            .order_by(OutboxRow.__table__.c.id))]


def test_reminder_and_lapse_fall_on_the_right_day_across_a_weekend_and_koningsdag(service, database, clock) -> None:
    """Aanvulling asked on Monday 13 April 2026: the hersteltermijn of 2 weken ends on Monday 27 April, which is
    Koningsdag, so on Tuesday 28 April (Atw art. 1). Its reminder '2 werkdagen voor' skips Koningsdag and the
    weekend: Thursday 23 April. The term lapses the day after its end: on Wednesday 29 April the system fires
    hersteltermijn_verstreken, not before."""
    clock.set(morning(date(2026, 4, 13)))
    c = submit(service).challenge
    service.fire(c.id, "aanvulling_vragen", actor=behandelaar())
    herstel = {t.name: t for t in service.terms(c.id, actor=behandelaar())}["hersteltermijn"]
    assert herstel.einddatum == date(2026, 4, 28)
    seen: dict[date, list[str]] = {}
    day = date(2026, 4, 13)
    while day <= date(2026, 5, 1):
        clock.set(morning(day))
        report = sweep_terms(service, clock)
        if report.queued or report.fired:
            seen[day] = [*(f"queued {report.queued}" for _ in [1] if report.queued), *report.fired]
        day += timedelta(days=1)
    reminder_days = [d for d, what in seen.items() if any(w.startswith("queued") for w in what)]
    fired_days = [d for d, what in seen.items() if any("hersteltermijn_verstreken" in w for w in what)]
    assert date(2026, 4, 23) in reminder_days
    assert fired_days == [date(2026, 4, 29)]
    state = service.get(c.id, actor=behandelaar()).state
    assert state == "ontvankelijkheid.niet_aangevuld"
    herinneringen = [t for t in outbox_topics(database, c.id) if t == ("termijn.herinnering", "hersteltermijn")]
    assert len(herinneringen) == 1


def test_a_sweep_run_twice_on_the_same_day_queues_nothing_more(service, database, clock) -> None:
    clock.set(morning(date(2026, 4, 13)))
    c = submit(service).challenge
    service.fire(c.id, "aanvulling_vragen", actor=behandelaar())
    clock.set(morning(date(2026, 4, 23)))
    first = sweep_terms(service, clock)
    again = sweep_terms(service, clock)
    assert first.queued >= 1 and (again.done, again.queued, again.fired) == (0, 0, [])


def test_an_aanvulling_on_the_last_day_stops_the_lapse(service, clock) -> None:
    clock.set(morning(date(2026, 4, 13)))
    c = submit(service).challenge
    service.fire(c.id, "aanvulling_vragen", actor=behandelaar())
    clock.set(morning(date(2026, 4, 28)))
    service.fire(c.id, "aanvullen", actor=Actor(c.initiatiefnemer, "initiatiefnemer", "gouda"),
                 data={"vereisten": ["contactgegevens"]})
    clock.set(morning(date(2026, 4, 29)))
    report = sweep_terms(service, clock)
    assert report.fired == [] and service.get(c.id, actor=behandelaar()).state == "indiening.ontvangen"


class Flaky:
    """A channel a host could register: fails ``failures`` times (temporarily), then accepts."""

    name = "flaky"

    def __init__(self, failures: int):
        self.failures = failures
        self.accepted: list[Message] = []

    def send(self, message: Message) -> None:
        if self.failures:
            self.failures -= 1
            raise DeliveryError("server weigert nu", temporary=True)
        self.accepted.append(message)


def test_the_lapse_of_the_bezwaartermijn_after_buiten_behandeling_closes_the_case(service, clock) -> None:
    """Buiten behandeling gesteld on Wednesday 29 April 2026 (Awb 4:5, a besluit): the case waits in the bezwaar
    phase. The 6 weken end on Wednesday 10 June; on Thursday 11 June the system fires bezwaartermijn_verstreken, which
    now closes the case buiten behandeling instead of being refused, and no term runs on the closed case."""
    clock.set(morning(date(2026, 4, 13)))
    c = submit(service).challenge
    service.fire(c.id, "aanvulling_vragen", actor=behandelaar())
    clock.set(morning(date(2026, 4, 29)))
    assert sweep_terms(service, clock).fired == [f"{c.id}: hersteltermijn_verstreken"]
    service.fire(c.id, "buiten_behandeling_stellen", actor=behandelaar(), reason="Begroting en draagvlak ontbreken.")
    assert service.get(c.id, actor=behandelaar()).state == "bezwaar.termijn"
    running = {t.name: t for t in service.terms(c.id, actor=behandelaar()) if t.status == "lopend"}
    assert list(running) == ["bezwaartermijn"] and running["bezwaartermijn"].einddatum == date(2026, 6, 10)
    clock.set(morning(date(2026, 6, 10)))
    assert sweep_terms(service, clock).fired == []
    clock.set(morning(date(2026, 6, 11)))
    report = sweep_terms(service, clock)
    assert (report.fired, report.refused) == ([f"{c.id}: bezwaartermijn_verstreken"], [])
    closed = service.get(c.id, actor=behandelaar())
    assert (closed.state, closed.resultaat) == ("afgesloten.buiten_behandeling", "buiten_behandeling")
    assert [t.name for t in service.terms(c.id, actor=behandelaar()) if t.status == "lopend"] == []


def test_outbox_becomes_deliveries_sent_once_and_retried_with_backoff(service, database, clock, catalog,
                                                                      tmp_path) -> None:
    settings = Settings(kanalen=["log"], huisstijl=tmp_path)
    router = Router(settings, catalog)
    c = submit(service).challenge
    assert distribute(service, clock, router).queued == 1
    assert distribute(service, clock, router).queued == 0, "an outbox row is distributed once"
    flaky = Flaky(failures=2)
    channels = {"log": flaky}
    first = deliver(service, clock, channels, router)
    assert (first.sent, first.retried) == (0, 1)
    assert deliver(service, clock, channels, router).done == 0, "not before its backoff"
    clock.set(clock.now() + timedelta(minutes=1))
    assert deliver(service, clock, channels, router).retried == 1
    clock.set(clock.now() + timedelta(minutes=2))
    assert deliver(service, clock, channels, router).sent == 1
    clock.set(clock.now() + timedelta(days=1))
    assert deliver(service, clock, channels, router).done == 0
    assert [m.key for m in flaky.accepted] == [f"{c.id}:1|log|log"]
    with database.read_sessions() as session:
        row = session.execute(select(DeliveryRow.__table__)).one()
    assert (row.status, row.attempts) == ("verzonden", 3)


def test_a_channel_that_keeps_failing_is_given_up_after_the_maximum(service, database, clock, catalog,
                                                                    tmp_path) -> None:
    router = Router(Settings(kanalen=["log"], huisstijl=tmp_path), catalog)
    submit(service)
    distribute(service, clock, router)
    channels = {"log": Flaky(failures=99)}
    for _ in range(3):
        deliver(service, clock, channels, router, max_attempts=3)
        clock.set(clock.now() + timedelta(hours=7))
    with database.read_sessions() as session:
        row = session.execute(select(DeliveryRow.__table__)).one()
    assert (row.status, row.attempts) == ("mislukt", 3) and "weigert" in row.last_error


def test_tick_with_the_log_channel_sends_what_a_change_queued(service, database, clock, catalog, tmp_path,
                                                             caplog) -> None:
    router = Router(Settings(kanalen=["log"], huisstijl=tmp_path), catalog)
    c = submit(service).challenge
    with caplog.at_level("INFO", logger="r2c.berichten"):
        reports = tick(service, clock, {"log": LogChannel()}, router)
    assert reports["bezorgen"].sent == 1
    assert any(c.id in r.message and "uitdaging.transitie" in r.message for r in caplog.records)
    with database.read_sessions() as session:
        assert session.execute(select(func.count()).select_from(OutboxRow.__table__)
                               .where(text("status = 'verdeeld'"))).scalar_one() == 1


def test_the_beslistermijn_escalates_to_the_teamleider_one_working_day_after_it_ends(service, database, clock,
                                                                                     catalog, tmp_path) -> None:
    """Submitted Monday 2 March 2026: 8 weken end on 27 April (Koningsdag), so on Tuesday 28 April; escalation
    '1 werkdag na' is Wednesday 29 April, sent to the teamleider of the gemeente's huisstijl."""
    (tmp_path / "gouda").mkdir()
    (tmp_path / "gouda" / "gemeente.yaml").write_text("teamleider: teamleider@gouda.example\n", encoding="utf-8")
    router = Router(Settings(kanalen=["email"], huisstijl=tmp_path), catalog)
    c = submit(service).challenge
    clock.set(morning(date(2026, 4, 28)))
    sweep_terms(service, clock)
    assert [t for t in outbox_topics(database, c.id) if t[0] == "termijn.escalatie"] == []
    clock.set(morning(date(2026, 4, 29)))
    sweep_terms(service, clock)
    assert [t for t in outbox_topics(database, c.id) if t[0] == "termijn.escalatie"] == [
        ("termijn.escalatie", "beslistermijn")]
    distribute(service, clock, router)
    with database.read_sessions() as session:
        rows = session.execute(select(DeliveryRow.__table__).where(
            DeliveryRow.__table__.c.template == "escalatie")).all()
    assert [(r.channel, r.recipient) for r in rows] == [("email", "teamleider@gouda.example")]
    assert rows[0].context["termijn"]["einddatum"] == "2026-04-28"


def _remove_version(database, challenge_id: str) -> object:
    """The challenge's workflow version is gone from the catalog (removed while its challenges still run)."""
    with database.sessions() as session, session.begin():
        table = ChallengeRow.__table__
        old = session.execute(select(table.c.workflow_version).where(table.c.id == challenge_id)).scalar_one()
        session.execute(update(table).where(table.c.id == challenge_id).values(workflow_version="2023.9"))
    return old


def _restore_version(database, challenge_id: str, old: object) -> None:
    with database.sessions() as session, session.begin():
        table = ChallengeRow.__table__
        session.execute(update(table).where(table.c.id == challenge_id).values(workflow_version=old))


def _garble_termijn(database, challenge_id: str, garbled: object) -> object:
    """The term's stored Termijn cannot be read (a hand edit, a bug in an older version)."""
    with database.sessions() as session, session.begin():
        table = TermRow.__table__
        old = session.execute(select(table.c.termijn).where(table.c.challenge_id == challenge_id)).scalar_one()
        session.execute(update(table).where(table.c.challenge_id == challenge_id).values(termijn=garbled))
    return old


def _restore_termijn(database, challenge_id: str, old: object) -> None:
    with database.sessions() as session, session.begin():
        table = TermRow.__table__
        session.execute(update(table).where(table.c.challenge_id == challenge_id).values(termijn=old))


BREAKAGES = {  # how the term is broken, how it is repaired, a word the log gives as the reason
    "workflowversie verwijderd": (_remove_version, _restore_version, "2023.9"),
    "termijn onleesbaar": (lambda db, c: _garble_termijn(db, c, {"duur": "?"}), _restore_termijn, "onbekende versie"),
    # not an R2CError: an unexpected failure is put off the same way (and logged with its traceback)
    "termijn geen object": (lambda db, c: _garble_termijn(db, c, ["kapot"]), _restore_termijn, "AttributeError"),
}


def terms_of(database) -> dict[str, tuple]:
    with database.read_sessions() as session:
        table = TermRow.__table__
        return {r.challenge_id: (r.processed_until, r.next_due) for r in session.execute(select(table))}


@pytest.mark.parametrize("breakage", list(BREAKAGES))
def test_a_term_that_cannot_be_handled_blocks_no_other_and_is_put_off_to_the_next_day(
        service, database, clock, caplog, breakage) -> None:
    """Three challenges submitted on Monday 2 March 2026; their beslistermijn's first reminder is due on 13 April.
    The first term in the planner's order cannot be handled: the other two are handled in the same sweep, the
    broken one is logged (challenge, term, why) and put off to the next day, so a second sweep that day finds
    nothing. Once repaired, it catches up the next day: the reminder of 13 April is queued then."""
    remove, restore, why = BREAKAGES[breakage]
    first, *others = [submit(service, titel=f"Uitdaging {i}").challenge.id for i in range(3)]
    old = remove(database, first)
    due = date(2026, 4, 13)
    clock.set(morning(due))
    with caplog.at_level("INFO", logger="r2c.planner"):
        report = sweep_terms(service, clock)
    assert (report.done, report.queued) == (3, 2)
    assert len(report.skipped) == 1 and report.skipped[0].startswith(f"{first}: beslistermijn: ")
    terms = terms_of(database)
    assert terms[first] == (None, due + timedelta(days=1)), "put off to the next day, nothing marked as done"
    assert all(terms[c][0] == due and terms[c][1] > due for c in others)
    assert [outbox_topics(database, c) for c in others] == [[("uitdaging.transitie", ""),
                                                             ("termijn.herinnering", "beslistermijn")]] * 2
    assert outbox_topics(database, first) == [("uitdaging.transitie", "")]
    logged = [r for r in caplog.records if r.levelname == "ERROR"]
    assert len(logged) == 1 and all(part in logged[0].getMessage() for part in (first, "beslistermijn", why))

    again = sweep_terms(service, clock)
    assert (again.done, again.queued, again.skipped) == (0, 0, []), "the broken term does not come back today"

    restore(database, first, old)
    clock.set(morning(due + timedelta(days=1)))
    late = sweep_terms(service, clock)
    assert (late.done, late.queued, late.skipped) == (1, 1, [])
    with database.read_sessions() as session:
        key = session.execute(select(OutboxRow.__table__.c.idempotency_key).where(
            OutboxRow.__table__.c.challenge_id == first, OutboxRow.__table__.c.topic == "termijn.herinnering")
        ).scalar_one()
    assert key.endswith(":2026-04-13"), "the reminder of the day it was due, caught up"


def test_a_challenge_whose_workflow_version_is_gone_stops_no_round_of_the_scheduler(service, database, clock,
                                                                                    catalog, tmp_path) -> None:
    """tick with the weekly digest, on the day a reminder is due, with one challenge's workflow version removed:
    the other challenge's reminder is queued, the digest lists both terms (the broken one under its name), and
    everything queued is distributed and sent in the same round."""
    router = Router(Settings(kanalen=["log"], huisstijl=tmp_path), catalog)
    broken, good = [submit(service, titel=f"Uitdaging {i}").challenge.id for i in range(2)]
    _remove_version(database, broken)
    clock.set(morning(date(2026, 4, 27)))  # a Monday, the day before the beslistermijn ends
    reports = tick(service, clock, {"log": LogChannel()}, router, digest=True)
    assert [s.split(":")[0] for s in reports["termijnen"].skipped] == [broken]
    assert reports["termijnen"].queued == 2, "the good term's reminders '10' and '2 werkdagen voor'"
    assert reports["overzicht"].queued == 1
    with database.read_sessions() as session:
        outbox = OutboxRow.__table__
        digest = session.execute(select(outbox.c.payload).where(outbox.c.topic == "overzicht.week")).scalar_one()
        statuses = set(session.execute(select(outbox.c.status)).scalars())
        deliveries = set(session.execute(select(DeliveryRow.__table__.c.status)).scalars())
    assert sorted((t["uitdaging"], t["label"]) for t in digest["termijnen"]) == sorted(
        [(broken, "beslistermijn"), (good, "Beslistermijn")])
    assert statuses == {"verdeeld"} and deliveries == {"verzonden"}


class Refusing:
    """A mail server that refuses the recipient, naming the address in its reply (as SMTP servers do)."""

    def send(self, message: Message) -> None:
        raise DeliveryError(f"RCPT TO {message.recipient}: 550 5.1.1 <{message.recipient}> onbekend", temporary=False)


def test_a_refused_mail_is_logged_without_the_recipients_address(service, clock, catalog, caplog) -> None:
    from tests.conftest import ROOT

    router = Router(Settings(kanalen=["email"], huisstijl=ROOT / "huisstijl"), catalog)
    submit(service)
    assert distribute(service, clock, router).queued >= 1
    caplog.set_level("WARNING", logger="r2c.planner")
    assert deliver(service, clock, {"email": Refusing()}, router).failed >= 1
    lines = [r.getMessage() for r in caplog.records if "mislukt (poging" in r.getMessage()]
    assert lines and all("<ontvanger>" in line and "@" not in line for line in lines), lines
