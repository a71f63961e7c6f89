"""The deadlines as a calendar (iCalendar, RFC 5545): one all-day event per running term on its last day.

A feed covers one gemeente, or one behandelaar in it (``challenge.behandelaar``). Only running terms are in it:
a suspended term has no end date until it runs again (Awb 4:15), a stopped or replaced one has none to keep.
A term's UID stays the same while the term runs; when its end date moves (resumed after a suspension, extended
by verdaging) its SEQUENCE goes up, so a calendar that imported the file earlier takes the new date.

No alarms: r2c already reminds whoever must act at the moments the verordening sets (the term's
``herinneringen``), and many calendar programs drop alarms from subscribed feeds anyway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from icalendar import Calendar, Event

from r2c.clock import Clock, as_utc
from r2c.engine.case import Actor
from r2c.service.challenges import ChallengeService
from r2c.service.views import term_view
from r2c.store.terms import running_terms

PRODID = "-//r2c//uitdaagrecht termijnen//NL"
AGENDA_ACTOR = "r2c:agenda"


@dataclass(frozen=True)
class Deadline:
    """A running term's last day, as the calendar shows it.

    Attributes:
        uid: the event's UID, the same for as long as the term runs.
        sequence: how often its end date moved (resumptions and extensions).
        challenge_id, kenmerk, titel, behandelaar: the challenge (its kenmerk is what people quote).
        termijn, label: the term's name and Dutch label.
        einddatum: the last day on which the act is in time.
        grondslag: where the term comes from (Awb 4:13, the verordening's article).
        uitleg: the derivation of the end date, in Dutch.
    """

    uid: str
    sequence: int
    challenge_id: str
    kenmerk: str
    titel: str
    behandelaar: str | None
    termijn: str
    label: str
    einddatum: date
    grondslag: str
    uitleg: tuple[str, ...]


def open_deadlines(service: ChallengeService, *, gemeente: str, behandelaar: str | None = None) -> list[Deadline]:
    """The running terms of ``gemeente`` (of one behandelaar's challenges), soonest end first."""
    service.gemeente_of(Actor(AGENDA_ACTOR, "lezer", gemeente))  # an unknown gemeente is an error, not a blank
    with service.units.read() as connection:
        rows = running_terms(connection, gemeente=gemeente, behandelaar=behandelaar)
    out = []
    for row in rows:
        view = term_view(row, service.catalog.get(row.workflow, row.workflow_version).definition)
        stored = row.termijn or {}
        out.append(Deadline(
            uid=f"termijn-{row.id}-{row.challenge_id}@r2c", sequence=len(stored.get("opschortingen") or [])
            + len(stored.get("verlengingen") or []), challenge_id=row.challenge_id, kenmerk=row.kenmerk,
            titel=row.titel,
            behandelaar=row.behandelaar, termijn=row.name, label=view.label, einddatum=row.einddatum,
            grondslag=stored.get("grondslag") or "", uitleg=view.uitleg))
    return out


def calendar(service: ChallengeService, clock: Clock, *, gemeente: str, behandelaar: str | None = None,
             naam: str | None = None) -> bytes:
    """The iCalendar feed (.ics, UTF-8, CRLF) of the open deadlines of ``gemeente`` (its ``naam``, e.g. from its
    huisstijl, in the title) or of one behandelaar."""
    deadlines = open_deadlines(service, gemeente=gemeente, behandelaar=behandelaar)
    title = " ".join((f"Termijnen uitdaagrecht {naam or gemeente}" + (f" ({behandelaar})" if behandelaar else ""))
                     .split())  # one line: a calendar name cannot hold line breaks
    stamp = as_utc(clock.now()).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", title)
    cal.add("x-wr-calname", title)
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", "PT1H")
    for deadline in deadlines:
        event = Event()
        event.add("uid", deadline.uid)
        event.add("dtstamp", stamp)
        event.add("sequence", deadline.sequence)
        event.add("dtstart", deadline.einddatum)
        event.add("dtend", deadline.einddatum + timedelta(days=1))
        event.add("summary", f"{deadline.label}: {deadline.titel}")
        event.add("description", "\n".join((
            f"Uitdaging: {deadline.titel} (kenmerk {deadline.kenmerk})",
            f"{deadline.label} ({deadline.grondslag or deadline.termijn}): dit is de laatste dag om op tijd te zijn.",
            f"Behandelaar: {deadline.behandelaar or 'nog niet toegewezen'}", "", *deadline.uitleg)))
        event.add("categories", ["Uitdaagrecht", deadline.label])
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
