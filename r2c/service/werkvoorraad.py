"""The werkvoorraad as a use case: one page of a gemeente's challenges for its staff, each with its next running
term, that term's deadline light and on whom it waits, and the counts per light over the whole filtered list.

The SQL is r2c.store.werkvoorraad's (one statement per page: the counts and the page); the lights' werkdagen
arithmetic is r2c.termijnen's (``grenzen``, ``signaal``); what a term waits on is the definition's (``rubriek`` of
the termijn).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from r2c.clock import today
from r2c.engine.case import Actor
from r2c.errors import AccessDenied, InvalidInput
from r2c.store import werkvoorraad as store
from r2c.store.werkvoorraad import SORTS, Filter
from r2c.termijnen import LICHTEN, grenzen, signaal

WorklistFilter = Filter
"""Which challenges the list holds (r2c.store.werkvoorraad.Filter)."""


@dataclass(frozen=True)
class WorklistRow:
    """One row of the werkvoorraad.

    Attributes:
        id, kenmerk, titel, state, fase, behandelaar, version: the challenge's (pass ``version`` to ``assign``).
        state_label, fase_label: their Dutch labels.
        term, term_label: the next running term's name and label (None without one).
        laatste_dag: its last day; licht: its light (LICHTEN); wacht_op: 'gemeente' or 'initiatiefnemer'.
    """

    id: str
    kenmerk: str
    titel: str
    state: str
    fase: str
    state_label: str
    fase_label: str
    behandelaar: str | None
    version: int
    term: str | None
    term_label: str | None
    laatste_dag: date | None
    licht: str | None
    wacht_op: str | None


@dataclass(frozen=True)
class Worklist:
    """One page of the werkvoorraad with its totals.

    Attributes:
        rows: the page.
        total: how many challenges the filtered list holds.
        lichten: per light (LICHTEN) how many of the whole filtered list have it; 'zonder': no running term.
        limit, offset: the page.
    """

    rows: list[WorklistRow]
    total: int
    lichten: dict[str, int]
    limit: int
    offset: int


def worklist(service: Any, *, actor: Actor, filter: Filter, drempels: tuple[int, int], sort: str = "laatste_dag",
             descending: bool = False, limit: int = 25, offset: int = 0) -> Worklist:
    """One page of the actor's gemeente's werkvoorraad (staff only), with the lights for thresholds ``drempels``
    (oranje, rood: werkdagen left) on today."""
    gemeente = service.gemeente_of(actor)
    if service.policy.is_initiatiefnemer(actor):
        raise AccessDenied("de werkvoorraad is alleen voor medewerkers van de gemeente")
    if sort not in SORTS:
        raise InvalidInput(f"sorteren kan op {', '.join(SORTS)}", fields={"sorteer": f"een van {', '.join(SORTS)}"})
    if not 1 <= limit <= 500 or offset < 0:
        raise InvalidInput("limit moet tussen 1 en 500 liggen en offset 0 of meer zijn",
                           fields={"limit": "1 tot en met 500", "offset": "0 of meer"})
    g = grenzen(today(service.clock), *drempels)
    definition = service.definition_in_force(gemeente)
    with service.units.read() as connection:
        counted, found = store.page(connection, gemeente=gemeente, filter=filter, vandaag=g.vandaag,
                                    rood_voor=g.rood_voor, oranje_voor=g.oranje_voor, sort=sort,
                                    descending=descending, limit=limit, offset=offset,
                                    fase_order=list(definition.fasen))
    rows = []
    for r in found:
        d = service.catalog.get(r.workflow, r.workflow_version).definition
        fase, staat = r.state.split(".", 1)
        name = r.volgende_termijn
        spec = d.termijnen.get(name) if name is not None else None
        rows.append(WorklistRow(
            r.id, r.kenmerk, r.titel, r.state, r.fase, d.fasen[fase].staten[staat].label, d.fasen[fase].label,
            r.behandelaar, r.version, name, (spec.label if spec else name) if name else None, r.laatste_dag,
            signaal(r.laatste_dag, g) if r.laatste_dag else None,
            None if name is None else "initiatiefnemer" if spec is not None and spec.rubriek == "initiatiefnemer"
            else "gemeente"))
    lichten = {light: getattr(counted, light) for light in LICHTEN} | {"zonder": counted.zonder}
    return Worklist(rows, counted.total, lichten, limit, offset)
