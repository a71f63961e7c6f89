"""The year report's aggregates recomputed from the history (the SQL r2c.store.reports ran before the read model),
for the tests that check the read model against it: aggregates over the history, the terms and the challenge rows of
one gemeente in one period. Counts, sums and percentiles only: no ids, names, reasons or payloads leave these
queries. Each function runs on the connection of a read transaction the caller opened (``service.reading()``).

A period is half-open, ``[start, end)`` in UTC moments for history rows and ``[first_day, last_day]`` in local dates
for terms. Percentiles are nearest-rank (the smallest value with at least p of all values at or below it), in SQL
with window functions, the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Numeric, and_, case, cast, exists, func, literal, or_, select

from r2c.store.tables import ChallengeRow, HistoryRow, TermRow

CHALLENGE = ChallengeRow.__table__
HISTORY = HistoryRow.__table__
TERM = TermRow.__table__


@dataclass(frozen=True)
class Spread:
    """How long something took, in days: how many, the median and the 90th percentile (nearest rank)."""

    aantal: int
    mediaan: float | None
    p90: float | None


@dataclass(frozen=True)
class TermFigures:
    """The beslistermijn of the decisions of a period.

    Attributes:
        besloten: decisions taken in the period that had a beslistermijn.
        binnen_termijn: of those, taken on or before the term's last day (the last day after opschorting and
            verdaging, as Awb 4:14 and 4:15 count it).
        na_verdaging: of ``binnen_termijn``, decisions whose term had been extended (verdaagd).
        verlopen: beslistermijnen whose last day fell in the period (before today) without a decision by then.
    """

    besloten: int
    binnen_termijn: int
    na_verdaging: int
    verlopen: int


@dataclass(frozen=True)
class Takeovers:
    """Tasks taken over: ``aantal`` in the period with their ``budget``; ``lopend`` at the period's end with theirs."""

    aantal: int
    budget: float
    lopend: int
    lopend_budget: float


def _phase(connection: Connection, state: Any) -> Any:
    """The phase of a state ('toetsing' of 'toetsing.beoordelen')."""
    if connection.dialect.name == "postgresql":
        return func.split_part(state, ".", 1)
    return func.substr(state, 1, func.instr(state, ".") - 1)


def _days(connection: Connection, start: Any, end: Any) -> Any:
    """The days (with fraction) from ``start`` to ``end``."""
    if connection.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)



def event_counts(connection: Connection, *, gemeente: str, start: datetime, end: datetime) -> dict[str, int]:
    """How often each event was fired in the period, over the gemeente's challenges (history rows of kind
    'transitie')."""
    query = (select(HISTORY.c.event, func.count())
             .select_from(HISTORY.join(CHALLENGE, HISTORY.c.challenge_id == CHALLENGE.c.id))
             .where(CHALLENGE.c.gemeente == gemeente, HISTORY.c.kind == "transitie",
                    HISTORY.c.at >= start, HISTORY.c.at < end)
             .group_by(HISTORY.c.event))
    return {event: count for event, count in connection.execute(query) if event}


def _with_event(gemeente: str, events: Collection[str], start: datetime, end: datetime) -> Any:
    """The ids of the gemeente's challenges with one of ``events`` in the period."""
    return (select(HISTORY.c.challenge_id)
            .select_from(HISTORY.join(CHALLENGE, HISTORY.c.challenge_id == CHALLENGE.c.id))
            .where(CHALLENGE.c.gemeente == gemeente, HISTORY.c.event.in_(list(events)),
                   HISTORY.c.at >= start, HISTORY.c.at < end))


def failed_criteria(connection: Connection, *, gemeente: str, start: datetime, end: datetime,
                    events: Collection[str], criteria: Sequence[str]) -> dict[str, int]:
    """Per criterion: of the challenges with one of ``events`` (a refusal) in the period, how many have it assessed
    'voldoet_niet' (the assessment the challenge holds now)."""
    if not criteria or not events:
        return {}
    oordeel = [CHALLENGE.c.facts[("beoordelingen", key, "oordeel")].as_string() for key in criteria]
    query = (select(*[func.count(case((o == "voldoet_niet", 1))) for o in oordeel])
             .where(CHALLENGE.c.id.in_(_with_event(gemeente, events, start, end))))
    row = connection.execute(query).one()
    return {key: int(count) for key, count in zip(criteria, row, strict=True)}


def by_domain(connection: Connection, *, gemeente: str, start: datetime, end: datetime, events: Collection[str],
              fact: str = "domein") -> dict[str, int]:
    """The challenges with one of ``events`` (a submission) in the period, counted by the value of ``fact`` (for
    instance 'domein'); challenges without it are left out."""
    value = CHALLENGE.c.facts[fact].as_string()
    query = (select(value, func.count())
             .where(CHALLENGE.c.id.in_(_with_event(gemeente, events, start, end)), value.is_not(None))
             .group_by(value))
    return {str(v): count for v, count in connection.execute(query)}


def _spread_of(connection: Connection, durations: Any) -> dict[str, Spread]:
    """Count, median and p90 per group of a subquery with columns ``grp`` and ``d``."""
    ranked = select(durations.c.grp, durations.c.d,
                    func.row_number().over(partition_by=durations.c.grp, order_by=durations.c.d).label("rn"),
                    func.count().over(partition_by=durations.c.grp).label("n")).subquery()
    query = (select(ranked.c.grp, func.max(ranked.c.n),
                    func.min(case((ranked.c.rn >= ranked.c.n * 0.5, ranked.c.d))),
                    func.min(case((ranked.c.rn >= ranked.c.n * 0.9, ranked.c.d))))
             .group_by(ranked.c.grp))
    return {grp: Spread(int(n), None if m is None else float(m), None if p is None else float(p))
            for grp, n, m, p in connection.execute(query)}


def phase_durations(connection: Connection, *, gemeente: str, start: datetime, end: datetime) -> dict[str, Spread]:
    """Per phase: how long the stays in it that ended in the period lasted, in days. A stay starts with the
    history row that enters the phase (or the first row) and ends with the next row that enters another."""
    entering = (select(HISTORY.c.challenge_id, HISTORY.c.at,
                       _phase(connection, HISTORY.c.to_state).label("grp"),
                       func.lead(HISTORY.c.at).over(partition_by=HISTORY.c.challenge_id,
                                                    order_by=HISTORY.c.seq).label("left_at"))
                .select_from(HISTORY.join(CHALLENGE, HISTORY.c.challenge_id == CHALLENGE.c.id))
                .where(CHALLENGE.c.gemeente == gemeente,
                       or_(HISTORY.c.seq == 1,
                           _phase(connection, HISTORY.c.from_state) != _phase(connection, HISTORY.c.to_state)))
                ).subquery()
    stays = (select(entering.c.grp, _days(connection, entering.c.at, entering.c.left_at).label("d"))
             .where(entering.c.left_at >= start, entering.c.left_at < end)).subquery()
    return _spread_of(connection, stays)


def until_decision(connection: Connection, *, gemeente: str, start: datetime, end: datetime,
                   submitted: Collection[str], decided: Collection[str]) -> Spread:
    """From submission to decision, in days, for the challenges decided in the period (their first decision in
    it, from their first submission)."""
    first_in = (select(HISTORY.c.challenge_id, func.min(HISTORY.c.at).label("at"))
                .select_from(HISTORY.join(CHALLENGE, HISTORY.c.challenge_id == CHALLENGE.c.id))
                .where(CHALLENGE.c.gemeente == gemeente, HISTORY.c.event.in_(list(submitted)))
                .group_by(HISTORY.c.challenge_id)).subquery()
    decision = (select(HISTORY.c.challenge_id, func.min(HISTORY.c.at).label("at"))
                .select_from(HISTORY.join(CHALLENGE, HISTORY.c.challenge_id == CHALLENGE.c.id))
                .where(CHALLENGE.c.gemeente == gemeente, HISTORY.c.event.in_(list(decided)),
                       HISTORY.c.at >= start, HISTORY.c.at < end)
                .group_by(HISTORY.c.challenge_id)).subquery()
    durations = (select(literal("besluit").label("grp"), _days(connection, first_in.c.at, decision.c.at).label("d"))
                 .select_from(decision.join(first_in, first_in.c.challenge_id == decision.c.challenge_id))
                 ).subquery()
    return _spread_of(connection, durations).get("besluit", Spread(0, None, None))


def decision_terms(connection: Connection, *, gemeente: str, start: datetime, end: datetime, first_day: date,
                   last_day: date, decided: Collection[str], extending: Collection[str], term: str = "beslistermijn"
                   ) -> TermFigures:
    """The beslistermijn of the decisions of the period, and the terms that lapsed in it (see TermFigures)."""
    decisions = _with_event(gemeente, decided, start, end)
    extended = exists(select(HISTORY.c.id).where(HISTORY.c.challenge_id == TERM.c.challenge_id,
                                                 HISTORY.c.event.in_(list(extending) or [""])))
    on_time = and_(TERM.c.einddatum.is_not(None), TERM.c.stopped_on <= TERM.c.einddatum)
    query = (select(func.count(), func.count(case((on_time, 1))), func.count(case((and_(on_time, extended), 1))))
             .where(TERM.c.gemeente == gemeente, TERM.c.name == term, TERM.c.challenge_id.in_(decisions),
                    TERM.c.stopped_on.is_not(None)))
    besloten, binnen, verdaagd = connection.execute(query).one()
    lapsed = (select(func.count())
              .where(TERM.c.gemeente == gemeente, TERM.c.name == term, TERM.c.einddatum >= first_day,
                     TERM.c.einddatum <= last_day,
                     or_(TERM.c.stopped_on.is_(None), TERM.c.stopped_on > TERM.c.einddatum)))
    return TermFigures(int(besloten), int(binnen), int(verdaagd), int(connection.execute(lapsed).scalar_one()))


def _budget() -> Any:
    return func.coalesce(func.sum(cast(CHALLENGE.c.facts["budget"].as_string(), Numeric(14, 2))), 0)


def takeovers(connection: Connection, *, gemeente: str, start: datetime, end: datetime, events: Collection[str],
              running_phase: str = "uitvoering") -> Takeovers:
    """The tasks taken over in the period (one of ``events``) with their budget (the 'budget' the challenge
    holds), and the challenges in ``running_phase`` at the period's end (their last history row before it)."""
    taken = (select(func.count(), _budget())
             .where(CHALLENGE.c.id.in_(_with_event(gemeente, events, start, end))))
    aantal, budget = connection.execute(taken).one()
    last = (select(HISTORY.c.challenge_id, func.max(HISTORY.c.seq).label("seq"))
            .select_from(HISTORY.join(CHALLENGE, HISTORY.c.challenge_id == CHALLENGE.c.id))
            .where(CHALLENGE.c.gemeente == gemeente, HISTORY.c.at < end)
            .group_by(HISTORY.c.challenge_id)).subquery()
    running = (select(func.count(), _budget())
               .select_from(last.join(HISTORY, and_(HISTORY.c.challenge_id == last.c.challenge_id,
                                                    HISTORY.c.seq == last.c.seq))
                            .join(CHALLENGE, CHALLENGE.c.id == last.c.challenge_id))
               .where(_phase(connection, HISTORY.c.to_state) == running_phase))
    lopend, lopend_budget = connection.execute(running).one()
    return Takeovers(int(aantal), float(budget or 0), int(lopend), float(lopend_budget or 0))


def gemeenten_with_challenges(connection: Connection) -> list[str]:
    """The gemeenten that hold at least one challenge, sorted."""
    return sorted(g for (g,) in connection.execute(select(CHALLENGE.c.gemeente).distinct()))
