"""Privacy (AVG): erase a closed challenge's personal data, and list what is past its bewaartermijn.

Erasure removes the parties' personal data, the reasons and data in the history (their salted hashes stay, so
the chain still verifies), personal text in the facts and the documents, and records the erasure itself as a
history row. The bewaartermijn per result is definition data (``archief``), counted from the day of closing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from r2c.clock import local_date, today
from r2c.definitions.schema import Definition
from r2c.engine.case import Actor
from r2c.errors import InvalidInput, ServiceError, UnknownGemeente
from r2c.service.challenges import ChallengeService
from r2c.service.views import RetentionDue
from r2c.store.audit import ERASURE_KIND
from r2c.store.challenges import closed_unerased, erase_personal_data
from r2c.termijnen import einddatum

ERASED = "[gewist]"


def erase(service: ChallengeService, challenge_id: str, *, actor: Actor, reason: str) -> int:
    """Erase the personal data of a closed challenge (role beheerder); returns the new version."""
    service.policy.check_erase(actor)
    if not (reason or "").strip():
        raise InvalidInput("geef een reden voor het wissen; die komt in de geschiedenis",
                           fields={"reden": "verplicht, maar leeg"})
    with service.units.write() as session:
        row, definition = service.load(session, challenge_id, actor, lock=True)
        if row.resultaat is None:
            raise ServiceError(f"uitdaging {row.id} loopt nog ({row.state}): wis persoonsgegevens pas na afsluiten")
        if row.erased_at is not None:
            raise ServiceError(f"de persoonsgegevens van uitdaging {row.id} zijn al gewist")
        orphans = erase_personal_data(session, row.id, now=service.clock.now())
        service.append(session, row, kind=ERASURE_KIND, event=None, transition=None, to_state=row.state,
                        actor=actor, artikel="AVG art. 17; Archiefwet 1995", payload={"reden": reason.strip()},
                        changes={"titel": f"Uitdaging {row.id[:8]}", "facts": _without_text(definition, row.facts),
                                 "erased_at": service.clock.now()})
        version = row.version + 1
    if service.documents is not None:
        for sha in orphans:
            service.documents.discard(sha)
    return version


def _without_text(definition: Definition, facts: dict[str, Any]) -> dict[str, Any]:
    """The facts with free text (which may name people) replaced; lists, flags and assessments' verdicts kept."""
    text_fields = {name for t in definition.transities.values() for name, g in t.gegevens.items()
                   if g.type == "tekst"}
    cleaned: dict[str, Any] = {}
    for key, value in facts.items():
        if key in text_fields and isinstance(value, str):
            cleaned[key] = ERASED
        elif isinstance(value, dict) and all(isinstance(v, dict) and "motivering" in v for v in value.values()):
            cleaned[key] = {k: {**v, "motivering": ERASED} for k, v in value.items()}
        else:
            cleaned[key] = value
    return cleaned


def retention_due(service: ChallengeService, *, on: date | None = None,
                  gemeente: str | None = None) -> list[RetentionDue]:
    """Closed, unerased challenges whose bewaartermijn ended before ``on`` (default today); a gemeente must be known."""
    if gemeente is not None and gemeente not in (known := service.catalog.ids(soort="gemeente")):
        raise UnknownGemeente(f"onbekende gemeente '{gemeente}'; bekend: {', '.join(known) or 'geen'}")
    on = on or today(service.clock)
    due: list[RetentionDue] = []
    with service.units.read() as session:
        for r in closed_unerased(session, gemeente=gemeente):
            regel = service.catalog.get(r.workflow, r.workflow_version).definition.archief.get(r.resultaat)
            if regel is None or regel.archiefnominatie != "vernietigen" or regel.bewaartermijn is None:
                continue
            closed_on = local_date(r.closed_at)
            end = einddatum(closed_on, regel.bewaartermijn, atw=False)
            if end < on:
                due.append(RetentionDue(r.id, r.gemeente, r.resultaat, closed_on, end, regel.archiefnominatie,
                                        regel.artikel))
    return due
