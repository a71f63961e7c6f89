"""The weekly digest: one per ISO week and gemeente however often the scheduler runs, listing what ends within
7 days and what is overdue, for that gemeente only, and routed to its teamleider and team address."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from r2c.notify.huisstijl import load_huisstijl
from r2c.notify.render import has_template
from r2c.notify.routing import Router
from r2c.scheduler.digest import iso_week, weekly_digest
from r2c.scheduler.jobs import build_message, distribute
from r2c.settings import Settings
from r2c.store.tables import DeliveryRow, OutboxRow
from tests.integration.helpers import behandelaar, submit

OUTBOX, DELIVERY = OutboxRow.__table__, DeliveryRow.__table__


def morning(day: date) -> datetime:
    return datetime.combine(day, time(7), tzinfo=UTC)  # 09:00 in Amsterdam in summer time


def digests(database) -> list:
    with database.read_sessions() as session:
        return session.execute(select(OUTBOX).where(OUTBOX.c.topic == "overzicht.week")
                               .order_by(OUTBOX.c.id)).all()


@pytest.fixture
def cases(service, clock):
    """Challenges in gouda and vught whose terms end around Monday 27 April 2026 (Koningsdag, week 18).

    gouda: 'Speeltuin' submitted Mon 23 Feb (beslistermijn ended Mon 20 Apr: overdue); 'Buurttuin' submitted
    and asked to complete on Mon 13 Apr (hersteltermijn ends Tue 28 Apr; its beslistermijn is suspended);
    'Moestuin' submitted Mon 9 Mar (beslistermijn ends Mon 4 May: 7 days ahead, the last day listed);
    'Hondenveld' submitted Tue 10 Mar (ends Tue 5 May, Bevrijdingsdag, so Wed 6 May: not yet listed).
    vught: 'Kinderboerderij' submitted Mon 9 Mar.
    """
    made = {}
    for day, gemeente, titel in ((date(2026, 2, 23), "gouda", "Speeltuin"), (date(2026, 3, 9), "gouda", "Moestuin"),
                                 (date(2026, 3, 10), "gouda", "Hondenveld"),
                                 (date(2026, 3, 9), "vught", "Kinderboerderij"),
                                 (date(2026, 4, 13), "gouda", "Buurttuin")):
        clock.set(morning(day))
        made[titel] = submit(service, gemeente, titel=titel).challenge
    service.fire(made["Buurttuin"].id, "aanvulling_vragen", actor=behandelaar())
    return made


def ends(service, challenge, name: str) -> tuple[date | None, str, str]:
    term = {t.name: t for t in service.terms(challenge.id, actor=behandelaar(challenge.gemeente))}[name]
    return term.einddatum, term.label, term.status


def test_one_digest_per_week_and_gemeente_however_often_it_runs(service, database, clock, cases) -> None:
    queued = {}
    for moment in (morning(date(2026, 4, 27)), morning(date(2026, 4, 27)) + timedelta(hours=3),
                   morning(date(2026, 4, 28)), morning(date(2026, 5, 1)),
                   datetime(2026, 5, 3, 21, 59, tzinfo=UTC),  # Sunday 23:59 in Amsterdam: still week 18
                   datetime(2026, 5, 3, 22, 0, tzinfo=UTC),  # Monday 00:00 in Amsterdam: week 19
                   morning(date(2026, 5, 4)), morning(date(2026, 5, 6))):
        clock.set(moment)
        queued[moment.isoformat()] = weekly_digest(service, clock).queued
    assert list(queued.values()) == [2, 0, 0, 0, 0, 2, 0, 0]
    assert [(r.gemeente, r.idempotency_key, r.challenge_id) for r in digests(database)] == [
        ("gouda", "overzicht:gouda:2026-W18", None), ("vught", "overzicht:vught:2026-W18", None),
        ("gouda", "overzicht:gouda:2026-W19", None), ("vught", "overzicht:vught:2026-W19", None)]


def test_a_scheduler_that_was_down_on_monday_catches_up_on_its_first_run_that_week(service, database, clock,
                                                                                  cases) -> None:
    clock.set(morning(date(2026, 4, 29)))  # Wednesday, week 18
    assert weekly_digest(service, clock).queued == 2
    assert weekly_digest(service, clock).queued == 0
    assert {r.payload["week"] for r in digests(database)} == {"2026-W18"}


def test_the_digest_lists_what_ends_within_7_days_and_what_is_overdue_for_its_gemeente_only(service, database,
                                                                                          clock, cases) -> None:
    speeltuin, buurttuin, moestuin, hondenveld = (cases[t] for t in ("Speeltuin", "Buurttuin", "Moestuin",
                                                                      "Hondenveld"))
    assert ends(service, speeltuin, "beslistermijn")[0] == date(2026, 4, 20)
    assert ends(service, buurttuin, "hersteltermijn")[0] == date(2026, 4, 28)
    assert ends(service, buurttuin, "beslistermijn")[2] == "opgeschort"
    assert ends(service, moestuin, "beslistermijn")[0] == date(2026, 5, 4)
    assert ends(service, hondenveld, "beslistermijn")[0] == date(2026, 5, 6)
    clock.set(morning(date(2026, 4, 27)))
    weekly_digest(service, clock)
    by_gemeente = {r.gemeente: r.payload for r in digests(database)}

    def entry(challenge, name: str, verlopen: bool) -> dict:
        einddatum, label, _ = ends(service, challenge, name)
        return {"uitdaging": challenge.id, "kenmerk": challenge.kenmerk, "titel": challenge.titel, "termijn": name,
                "label": label, "einddatum": einddatum.isoformat(), "verlopen": verlopen}

    assert by_gemeente["gouda"] == {"gemeente": "gouda", "week": "2026-W18", "termijnen": [
        entry(speeltuin, "beslistermijn", True), entry(buurttuin, "hersteltermijn", False),
        entry(moestuin, "beslistermijn", False)]}
    vught = by_gemeente["vught"]
    assert [t["uitdaging"] for t in vught["termijnen"]] == [cases["Kinderboerderij"].id]
    assert set(by_gemeente) == {"gouda", "vught"}, "a gemeente without running terms gets no digest"


def test_the_week_is_the_iso_week_of_the_dutch_date() -> None:
    assert iso_week(date(2026, 4, 20)) == "2026-W17"
    assert iso_week(date(2027, 1, 1)) == "2026-W53"
    assert iso_week(date(2024, 12, 30)) == "2025-W01"


def huisstijl_dir(tmp_path):
    folder = tmp_path / "huisstijl" / "gouda"
    folder.mkdir(parents=True)
    (folder / "gemeente.yaml").write_text(
        "naam: Gemeente Gouda\nafzender: uitdaagrecht@gouda.nl\nteam: uitdaagrecht-team@gouda.nl\n"
        "teamleider: teamleider-wijken@gouda.nl\n", encoding="utf-8")
    return tmp_path / "huisstijl"


def test_the_digest_is_mailed_to_the_teamleider_and_the_team(service, database, clock, catalog, tmp_path,
                                                            cases) -> None:
    router = Router(Settings(kanalen=["email"], huisstijl=huisstijl_dir(tmp_path)), catalog)
    clock.set(morning(date(2026, 4, 27)))
    weekly_digest(service, clock)
    distribute(service, clock, router)
    with database.read_sessions() as session:
        rows = session.execute(select(DELIVERY, OUTBOX.c.topic).join(OUTBOX, OUTBOX.c.id == DELIVERY.c.outbox_id)
                               .where(OUTBOX.c.topic == "overzicht.week").order_by(DELIVERY.c.recipient)).all()
    assert [(r.channel, r.recipient, r.template, r.gemeente) for r in rows] == [
        ("email", "teamleider-wijken@gouda.nl", "weekoverzicht", "gouda"),
        ("email", "uitdaagrecht-team@gouda.nl", "weekoverzicht", "gouda")], \
        "vught has no huisstijl addresses, so its digest is mailed to nobody"
    for row in rows:
        assert row.idempotency_key == f"overzicht:gouda:2026-W18|email|{row.recipient}"
        assert row.context["week"] == "2026-W18" and len(row.context["termijnen"]) == 3
    assert {r.context["ontvanger"]["naam"] for r in rows} == {"teamleider", "team"}


def test_the_digest_mail_shows_the_terms(service, database, clock, catalog, tmp_path, cases) -> None:
    settings = Settings(kanalen=["email"], huisstijl=huisstijl_dir(tmp_path))
    if not has_template(load_huisstijl(settings.huisstijl, "gouda", default_naam="Gouda",
                                       default_afzender=settings.afzender), "mail/weekoverzicht.txt"):
        pytest.skip("mail/weekoverzicht.txt is er nog niet")
    router = Router(settings, catalog)
    clock.set(morning(date(2026, 4, 27)))
    weekly_digest(service, clock)
    distribute(service, clock, router)
    with database.read_sessions() as session:
        row = session.execute(select(DELIVERY).where(DELIVERY.c.recipient == "teamleider-wijken@gouda.nl")).one()
    text = build_message(row, router, on=date(2026, 4, 27)).text
    for titel in ("Speeltuin", "Buurttuin", "Moestuin"):
        assert titel in text
    assert "Hondenveld" not in text and "Kinderboerderij" not in text


def test_the_digests_cloudevent_carries_no_free_text(service, database, clock, catalog, tmp_path, cases) -> None:
    router = Router(Settings(kanalen=["webhook"], webhook_urls=["https://zaaksysteem.example/hook"],
                             huisstijl=tmp_path), catalog)
    clock.set(morning(date(2026, 4, 27)))
    weekly_digest(service, clock)
    outbox = next(r for r in digests(database) if r.gemeente == "gouda")
    event = router.cloudevent(outbox)
    assert event["type"] == "nl.r2c.overzicht.week" and event["id"] == "overzicht:gouda:2026-W18"
    assert all("titel" not in t for t in event["data"]["termijnen"])


def test_the_schedulers_round_writes_the_weekly_digest(service, database, clock, tmp_path, cases) -> None:
    from r2c.scheduler.runner import make_tick

    clock.set(morning(date(2026, 4, 27)))
    make_tick(service, Settings(kanalen=["log"], huisstijl=tmp_path), clock)()
    assert {r.idempotency_key for r in digests(database)} == {"overzicht:gouda:2026-W18", "overzicht:vught:2026-W18"}
