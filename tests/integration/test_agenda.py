"""The deadlines as an iCalendar feed, read back with the icalendar package: all-day events on the last day of each
running term, UIDs that stay put, one gemeente (or one behandelaar) only, suspended terms left out."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import typer
from icalendar import Calendar
from typer.testing import CliRunner

from r2c.cli.agenda import register
from r2c.engine.case import Actor
from r2c.errors import UnknownGemeente
from r2c.exports.agenda import calendar
from tests.integration.helpers import behandelaar, submit

JANSEN, DEKKER = "b.jansen@gouda.nl", "s.dekker@gouda.nl"


def morning(day: date) -> datetime:
    return datetime.combine(day, time(8), tzinfo=UTC)


def events(ics: bytes) -> dict[str, dict]:
    """The feed's events by summary: uid, start, end, stamp, sequence."""
    parsed = Calendar.from_ical(ics)
    assert parsed["version"] == "2.0" and parsed["prodid"]
    return {str(e["summary"]): {"uid": str(e["uid"]), "start": e.decoded("dtstart"), "end": e.decoded("dtend"),
                                "stamp": e.decoded("dtstamp"), "sequence": int(e.get("sequence", 0)),
                                "description": str(e["description"])}
            for e in parsed.walk("VEVENT")}


@pytest.fixture
def cases(service, clock):
    """Gouda, Monday 13 April 2026: 'Buurttuin' (Jansen) asked to complete (hersteltermijn runs to Tue 28 April,
    its beslistermijn is suspended), 'Speeltuin' (Dekker) and 'Moestuin' (nobody yet) each with a beslistermijn
    to Mon 8 June. Vught: 'Kinderboerderij' (Jansen, the same id as in Gouda)."""
    clock.set(morning(date(2026, 4, 13)))
    made = {titel: submit(service, gemeente, titel=titel).challenge
            for gemeente, titel in (("gouda", "Buurttuin"), ("gouda", "Speeltuin"), ("gouda", "Moestuin"),
                                    ("vught", "Kinderboerderij"))}
    for titel, who in (("Buurttuin", JANSEN), ("Speeltuin", DEKKER), ("Kinderboerderij", JANSEN)):
        c = made[titel]
        service.assign(c.id, behandelaar=who, actor=Actor("t.leider", "teamleider", c.gemeente))
    service.fire(made["Buurttuin"].id, "aanvulling_vragen", actor=behandelaar())
    return made


def test_each_running_term_is_an_all_day_event_on_its_last_day(service, clock, cases) -> None:
    found = events(calendar(service, clock, gemeente="gouda"))
    assert sorted(found) == ["Beslistermijn: Moestuin", "Beslistermijn: Speeltuin",
                             "Termijn om de aanvraag aan te vullen: Buurttuin"]
    herstel = found["Termijn om de aanvraag aan te vullen: Buurttuin"]
    assert (herstel["start"], herstel["end"]) == (date(2026, 4, 28), date(2026, 4, 29))
    assert type(herstel["start"]) is date, "an all-day event (VALUE=DATE), not a moment"
    beslis = found["Beslistermijn: Speeltuin"]
    assert (beslis["start"], beslis["end"]) == (date(2026, 6, 8), date(2026, 6, 9))
    assert all(e["stamp"] == clock.now() for e in found.values()), "DTSTAMP comes from the clock"
    assert f"(kenmerk {cases['Speeltuin'].kenmerk})" in beslis["description"]  # what people quote, not the UUID
    assert cases["Speeltuin"].id not in beslis["description"] and "Awb 4:13" in beslis["description"]
    assert "Koningsdag" in herstel["description"], "the derivation of the end date is in the description"
    assert "Fatima" not in str(found), "no initiatiefnemer in the calendar"


def test_uids_stay_the_same_across_runs_and_are_distinct(service, clock, cases) -> None:
    first = events(calendar(service, clock, gemeente="gouda"))
    clock.set(clock.now() + timedelta(days=3))
    second = events(calendar(service, clock, gemeente="gouda"))
    assert {k: v["uid"] for k, v in first.items()} == {k: v["uid"] for k, v in second.items()}
    assert len({v["uid"] for v in first.values()}) == 3
    assert all(v["stamp"] == clock.now() for v in second.values())


def test_a_suspended_term_is_left_out_until_it_runs_again_with_the_same_uid(service, clock, cases) -> None:
    buurttuin = cases["Buurttuin"]
    assert "Beslistermijn: Buurttuin" not in events(calendar(service, clock, gemeente="gouda"))
    clock.set(morning(date(2026, 4, 20)))
    service.fire(buurttuin.id, "aanvullen", actor=Actor(buurttuin.initiatiefnemer, "initiatiefnemer", "gouda"),
                 data={"vereisten": ["contactgegevens"]})
    resumed = events(calendar(service, clock, gemeente="gouda"))
    assert "Termijn om de aanvraag aan te vullen: Buurttuin" not in resumed, "a stopped term is gone"
    beslis = resumed["Beslistermijn: Buurttuin"]
    einddatum = {t.name: t for t in service.terms(buurttuin.id, actor=behandelaar())}["beslistermijn"].einddatum
    assert beslis["start"] == einddatum > date(2026, 6, 8), "the suspension moved the end date"
    assert beslis["sequence"] == 1, "a calendar that imported the file before takes the moved date"


def test_a_feed_holds_one_gemeente_only(service, clock, cases) -> None:
    gouda = calendar(service, clock, gemeente="gouda")
    vught = calendar(service, clock, gemeente="vught")
    assert cases["Kinderboerderij"].id.encode() not in gouda and b"Kinderboerderij" not in gouda
    assert list(events(vught)) == ["Beslistermijn: Kinderboerderij"]
    for titel in ("Buurttuin", "Speeltuin", "Moestuin"):
        assert cases[titel].id.encode() not in vught
    with pytest.raises(UnknownGemeente):
        calendar(service, clock, gemeente="atlantis")


def test_a_feed_per_behandelaar(service, clock, cases) -> None:
    jansen = events(calendar(service, clock, gemeente="gouda", behandelaar=JANSEN))
    assert list(jansen) == ["Termijn om de aanvraag aan te vullen: Buurttuin"]
    assert list(events(calendar(service, clock, gemeente="gouda", behandelaar=DEKKER))) == \
        ["Beslistermijn: Speeltuin"]
    assert events(calendar(service, clock, gemeente="gouda", behandelaar="niemand@gouda.nl")) == {}
    assert list(events(calendar(service, clock, gemeente="vught", behandelaar=JANSEN))) == \
        ["Beslistermijn: Kinderboerderij"]


def test_the_agenda_command_prints_the_feed(service, clock, cases, database_url, monkeypatch) -> None:
    app = typer.Typer()
    register(app)

    @app.callback()
    def root() -> None:  # keeps 'agenda' a subcommand, as under the r2c app
        pass

    monkeypatch.setenv("R2C_DATABASE_URL", database_url)
    runner = CliRunner()
    first = runner.invoke(app, ["agenda", "gouda"])
    assert first.exit_code == 0, first.output
    assert first.stdout_bytes.startswith(b"BEGIN:VCALENDAR\r\n") and first.stdout_bytes.endswith(b"END:VCALENDAR\r\n")
    again = runner.invoke(app, ["agenda", "gouda"])
    from_cli = {k: v["uid"] for k, v in events(first.stdout_bytes).items()}
    assert from_cli == {k: v["uid"] for k, v in events(again.stdout_bytes).items()}
    assert from_cli == {k: v["uid"] for k, v in events(calendar(service, clock, gemeente="gouda")).items()}
    mine = runner.invoke(app, ["agenda", "gouda", "--behandelaar", JANSEN])
    assert list(events(mine.stdout_bytes)) == ["Termijn om de aanvraag aan te vullen: Buurttuin"]
    unknown = runner.invoke(app, ["agenda", "atlantis"])
    assert isinstance(unknown.exception, UnknownGemeente) and "atlantis" in str(unknown.exception)


def test_a_behandelaar_with_a_line_break_still_gives_a_valid_feed(service, clock, cases) -> None:
    feed = calendar(service, clock, gemeente="gouda", behandelaar="b.jansen\n@gouda.nl")  # found by schemathesis
    assert Calendar.from_ical(feed).get("x-wr-calname") == "Termijnen uitdaagrecht gouda (b.jansen @gouda.nl)"
