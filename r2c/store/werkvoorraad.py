"""The werkvoorraad's SQL: one page of a gemeente's challenges with each one's next running term (its last day
and name), and the counts per deadline light over the whole filtered list, in a fixed number of statements
whatever the page size: the page's ids in order with the counts of the whole list as window aggregates (one),
their rows (one) and their running terms (one); a page past the end counts apart (one more). The counts and the ids read only indexes on PostgreSQL (``ix_challenge_open``, ``ix_term_running``:
partial indexes of the open challenges and the running terms, migration 0011).

The next running term is a derived table (per challenge the earliest last day of a running term of the gemeente),
joined once, so filters, sorting and the counts all read the same column. The lights' thresholds come in as date
boundaries (r2c.termijnen.grenzen): the database compares dates, the werkdagen arithmetic stays in the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from datetime import date
from typing import Any

from sqlalchemy import Connection, Row, bindparam, case, func, literal_column, select

from r2c.store.tables import ChallengeRow, TermRow

CHALLENGE = ChallengeRow.__table__
TERM = TermRow.__table__
SORTS = ("kenmerk", "titel", "fase", "behandelaar", "laatste_dag")
"""The columns the list sorts on."""

NEXT = (select(TERM.c.challenge_id, func.min(TERM.c.einddatum).label("laatste_dag"))
        .where(TERM.c.gemeente == bindparam("b_gemeente"), TERM.c.status == literal_column("'lopend'"),
               TERM.c.einddatum.is_not(None))
        .group_by(TERM.c.challenge_id).subquery("volgende"))
# 'lopend' written out, not bound: SQLite uses the partial index ix_term_running only when the query says its
# condition literally
"""Per challenge of the gemeente: the last day of its running term that ends first."""
LAST_DAY = NEXT.c.laatste_dag
_FROM = CHALLENGE.outerjoin(NEXT, NEXT.c.challenge_id == CHALLENGE.c.id)
_COLUMNS = (CHALLENGE.c.id, CHALLENGE.c.kenmerk, CHALLENGE.c.titel, CHALLENGE.c.state, CHALLENGE.c.fase,
            CHALLENGE.c.behandelaar, CHALLENGE.c.workflow, CHALLENGE.c.workflow_version, CHALLENGE.c.version,
            CHALLENGE.c.resultaat)
_ROWS = select(*_COLUMNS).where(CHALLENGE.c.id.in_(bindparam("b_ids", expanding=True)))
_RUNNING = (select(TERM.c.challenge_id, TERM.c.name, TERM.c.einddatum)
            .where(TERM.c.challenge_id.in_(bindparam("b_ids", expanding=True)), TERM.c.status == "lopend",
                   TERM.c.einddatum.is_not(None))
            .order_by(TERM.c.challenge_id, TERM.c.einddatum, TERM.c.id))


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


def _lights(vandaag: date, rood_voor: date, oranje_voor: date) -> list[Any]:
    """The count of all and per light (Counts' order), as aggregates."""
    return [
        func.count(),
        func.count(case((LAST_DAY >= oranje_voor, 1))),
        func.count(case(((LAST_DAY >= rood_voor) & (LAST_DAY < oranje_voor), 1))),
        func.count(case(((LAST_DAY >= vandaag) & (LAST_DAY < rood_voor), 1))),
        func.count(case((LAST_DAY < vandaag, 1))),
        func.count(case((LAST_DAY.is_(None), 1))),
    ]


def counts(connection: Connection, *, gemeente: str, filter: Filter, vandaag: date, rood_voor: date,
           oranje_voor: date) -> Counts:
    """The number of challenges the filter holds, in all and per light (boundaries from r2c.termijnen.grenzen)."""
    found = connection.execute(select(*_lights(vandaag, rood_voor, oranje_voor)).select_from(_FROM)
                               .where(*_where(gemeente, filter)), {"b_gemeente": gemeente}).one()
    return Counts(*found)


def page(connection: Connection, *, gemeente: str, filter: Filter, sort: str = "laatste_dag",
         descending: bool = False, limit: int = 25, offset: int = 0, fase_order: Sequence[str] = (),
         lights: tuple[date, date, date] | None = None) -> tuple[Counts | None, list[SimpleNamespace]]:
    """One page of the filtered list (id, kenmerk, titel, state, fase, behandelaar, workflow, workflow_version,
    version, resultaat, laatste_dag), sorted on ``sort`` (one of SORTS; 'fase' in the order ``fase_order``);
    a challenge without a running term, or without a behandelaar when sorting on it, comes last either way.

    With ``lights`` (vandaag, rood_voor, oranje_voor) the same statement counts the whole list per light (window
    aggregates over the filtered rows, before the page is cut): the Counts, or None when the page is empty (ask
    ``counts`` then)."""
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
    order = [key.is_(None)] if sort in ("laatste_dag", "behandelaar") else []
    order += [key.desc() if descending else key.asc()]
    if sort != "laatste_dag":
        order += [LAST_DAY.is_(None), LAST_DAY]
    order += [CHALLENGE.c.kenmerk, CHALLENGE.c.id]
    windows = [a.over() for a in _lights(*lights)] if lights is not None else []
    ids = connection.execute(
        select(CHALLENGE.c.id, LAST_DAY, *windows).select_from(_FROM).where(*_where(gemeente, filter))
        .order_by(*order).limit(limit).offset(offset), {"b_gemeente": gemeente}).all()
    # the sort reads the open-challenge and running-term indexes only; the page's 25 rows come after, by id
    if not ids:
        return None, []
    counted = Counts(*ids[0][2:]) if lights is not None else None
    found = {r.id: r for r in connection.execute(_ROWS, {"b_ids": [r.id for r in ids]})}
    return counted, [SimpleNamespace(**found[r.id]._mapping, laatste_dag=r.laatste_dag) for r in ids
                     if r.id in found]


def next_terms(connection: Connection, challenge_ids: Sequence[str]) -> dict[str, Row]:
    """Per challenge id: its running term that ends first (challenge_id, name, einddatum)."""
    if not challenge_ids:
        return {}
    first: dict[str, Row] = {}
    for r in connection.execute(_RUNNING, {"b_ids": list(challenge_ids)}):
        first.setdefault(r.challenge_id, r)
    return first
