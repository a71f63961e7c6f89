"""The werkvoorraad's SQL: the counts per deadline light over a gemeente's filtered list (one statement) and one
page of it, sorted (its ids in order, then their rows: two statements), whatever the page size.

Each challenge row keeps its next running term (``volgende_termijn``, ``volgende_einddatum``: the running term that
ends first, written with the terms by r2c.store.writes), so filters, sorting and the counts all read the challenge
table alone; on PostgreSQL the counts and the sorted ids read only the partial index of the open challenges
(``ix_challenge_open``, migration 0014), and the default order (by the last day) walks it and stops after one page. The lights' thresholds
come in as date boundaries (r2c.termijnen.grenzen): the database compares dates, the werkdagen arithmetic stays in
the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, bindparam, case, func, select

from r2c.store.tables import ChallengeRow

CHALLENGE = ChallengeRow.__table__
SORTS = ("kenmerk", "titel", "fase", "behandelaar", "laatste_dag")
"""The columns the list sorts on."""

LAST_DAY = CHALLENGE.c.volgende_einddatum
"""The last day of the challenge's running term that ends first (None: no running term)."""
_ROWS = select(CHALLENGE.c.id, CHALLENGE.c.kenmerk, CHALLENGE.c.titel, CHALLENGE.c.state, CHALLENGE.c.fase,
               CHALLENGE.c.behandelaar, CHALLENGE.c.workflow, CHALLENGE.c.workflow_version, CHALLENGE.c.version,
               CHALLENGE.c.resultaat, CHALLENGE.c.volgende_termijn, LAST_DAY.label("laatste_dag")).where(
    CHALLENGE.c.id.in_(bindparam("b_ids", expanding=True)))
_TODAY, _RED, _ORANGE = (bindparam(name, type_=LAST_DAY.type) for name in ("b_vandaag", "b_rood", "b_oranje"))
_LIGHTS = (
    func.count(),
    func.count(case((LAST_DAY >= _ORANGE, 1))),
    func.count(case(((LAST_DAY >= _RED) & (LAST_DAY < _ORANGE), 1))),
    func.count(case(((LAST_DAY >= _TODAY) & (LAST_DAY < _RED), 1))),
    func.count(case((LAST_DAY < _TODAY, 1))),
    func.count(case((LAST_DAY.is_(None), 1))),
)
"""The count of all and per light (Counts' order), as aggregates; built once, the boundaries bound per call."""


@dataclass(frozen=True)
class Filter:
    """Which of a gemeente's challenges the list holds; None: do not filter on this.

    Attributes:
        is_open: True: not closed; False: closed.
        behandelaar: assigned to this id; unassigned: no behandelaar.
        fase: in this phase.
        text: a piece of the titel or the kenmerk (case-insensitive).
        last_day_until: the next running term's last day is on or before this day.
        overdue_on: the next running term's last day is before this day (verlopen).
    """

    is_open: bool | None = True
    behandelaar: str | None = None
    unassigned: bool = False
    fase: str | None = None
    text: str | None = None
    last_day_until: date | None = None
    overdue_on: date | None = None


@dataclass(frozen=True)
class Counts:
    """How many challenges the filtered list holds in all, and per light (``LICHTEN``) and without a term."""

    total: int
    groen: int
    oranje: int
    rood: int
    verstreken: int
    zonder: int


def _where(gemeente: str, f: Filter) -> list[Any]:
    where: list[Any] = [CHALLENGE.c.gemeente == gemeente]
    if f.is_open is not None:
        where.append(CHALLENGE.c.resultaat.is_(None) if f.is_open else CHALLENGE.c.resultaat.is_not(None))
    if f.unassigned:
        where.append(CHALLENGE.c.behandelaar.is_(None))
    if f.behandelaar is not None:
        where.append(CHALLENGE.c.behandelaar == f.behandelaar)
    if f.fase is not None:
        where.append(CHALLENGE.c.fase == f.fase)
    if f.text:
        pattern = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(CHALLENGE.c.titel.ilike(pattern, escape="\\") | CHALLENGE.c.kenmerk.ilike(pattern, escape="\\"))
    if f.last_day_until is not None:
        where.append(LAST_DAY <= f.last_day_until)
    if f.overdue_on is not None:
        where.append(LAST_DAY < f.overdue_on)
    return where


def counts(connection: Connection, *, gemeente: str, filter: Filter, vandaag: date, rood_voor: date,
           oranje_voor: date) -> Counts:
    """The number of challenges the filter holds, in all and per light (boundaries from r2c.termijnen.grenzen)."""
    found = connection.execute(select(*_LIGHTS).select_from(CHALLENGE).where(*_where(gemeente, filter)),
                               {"b_vandaag": vandaag, "b_rood": rood_voor, "b_oranje": oranje_voor}).one()
    return Counts(*found)


def page(connection: Connection, *, gemeente: str, filter: Filter, sort: str = "laatste_dag",
         descending: bool = False, limit: int = 25, offset: int = 0,
         fase_order: Sequence[str] = ()) -> list[SimpleNamespace]:
    """One page of the filtered list (id, kenmerk, titel, state, fase, behandelaar, workflow, workflow_version,
    version, resultaat, volgende_termijn, laatste_dag), sorted on ``sort`` (one of SORTS; 'fase' in the order
    ``fase_order``); a challenge without a running term, or without a behandelaar when sorting on it, comes last
    either way; ties by the last day, then the kenmerk."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}")
    if sort == "fase" and fase_order:
        key: Any = case({f: i for i, f in enumerate(fase_order)}, value=CHALLENGE.c.fase, else_=len(fase_order))
    elif sort == "fase":
        key = CHALLENGE.c.fase
    elif sort == "laatste_dag":
        key = LAST_DAY
    else:
        key = CHALLENGE.c[sort]
    first = key.desc() if descending else key.asc()
    order = [first.nulls_last() if sort in ("laatste_dag", "behandelaar") else first]
    if sort != "laatste_dag":
        order.append(LAST_DAY.asc().nulls_last())
    order += [CHALLENGE.c.kenmerk, CHALLENGE.c.id]
    # the page's ids in order from the index alone (it holds every column filtered and sorted on), then their 25
    # rows by id: sorting on the titel reads no heap row of the thousands it sorts
    ids = connection.execute(select(CHALLENGE.c.id).where(*_where(gemeente, filter))
                             .order_by(*order).limit(limit).offset(offset)).scalars().all()
    if not ids:
        return []
    found = {r.id: r for r in connection.execute(_ROWS, {"b_ids": ids})}
    return [SimpleNamespace(**found[i]._mapping) for i in ids if i in found]
