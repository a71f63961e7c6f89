"""The SQL behind the year report (r2c.reports): aggregates over the report's read model (r2c.store.readmodel: the
steps, the stays in a phase and the counted facts of the challenges, kept by every change) and the terms of one
gemeente in one period. Counts, sums and percentiles only: no ids, names, reasons or payloads leave these
queries. Each function runs on the connection of a read transaction the caller opened (``service.reading()``).

A period is half-open, ``[start, end)`` in UTC moments for steps and stays and ``[first_day, last_day]`` in local
dates for terms. Percentiles are nearest-rank (the smallest value with at least p of all values at or below it): on
PostgreSQL in SQL with window functions (its ``percentile_disc`` computes the rank in floating point: 0.9 of 70
values gives rank 64, not 63), on SQLite over the one column of durations fetched.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, literal, or_, select

from r2c.store.tables import RapportFaseRow, RapportFeitRow, RapportStapRow, TermRow

STAP = RapportStapRow.__table__
FASE = RapportFaseRow.__table__
FEIT = RapportFeitRow.__table__
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


def _days(connection: Connection, start: Any, end: Any) -> Any:
    """The days (with fraction) from ``start`` to ``end``."""
    if connection.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 86400.0
    return func.julianday(end) - func.julianday(start)


def event_counts(connection: Connection, *, gemeente: str, start: datetime, end: datetime) -> dict[str, int]:
    """How often each event was fired in the period, over the gemeente's challenges."""
    query = (select(STAP.c.event, func.count())
             .where(STAP.c.gemeente == gemeente, STAP.c.at >= start, STAP.c.at < end)
             .group_by(STAP.c.event))
    return {event: count for event, count in connection.execute(query) if event}


def _with_event(gemeente: str, events: Collection[str], start: datetime, end: datetime) -> Any:
    """The ids of the gemeente's challenges with one of ``events`` in the period."""
    return (select(STAP.c.challenge_id)
            .where(STAP.c.gemeente == gemeente, STAP.c.event.in_(list(events)), STAP.c.at >= start,
                   STAP.c.at < end))


def _contains(column: Any, key: str) -> Any:
    """Whether a ``|a|b|`` list holds ``key``."""
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.like(f"%|{escaped}|%", escape="\\")


def failed_criteria(connection: Connection, *, gemeente: str, start: datetime, end: datetime,
                    events: Collection[str], criteria: Sequence[str]) -> dict[str, int]:
    """Per criterion: of the challenges with one of ``events`` (a refusal) in the period, how many have it assessed
    'voldoet_niet' (the assessment the challenge holds now)."""
    if not criteria or not events:
        return {}
    query = (select(*[func.count(case((_contains(FEIT.c.afgewezen_op, key), 1))) for key in criteria])
             .where(FEIT.c.challenge_id.in_(_with_event(gemeente, events, start, end))))
    row = connection.execute(query).one()
    return {key: int(count) for key, count in zip(criteria, row, strict=True)}


def by_domain(connection: Connection, *, gemeente: str, start: datetime, end: datetime,
              events: Collection[str]) -> dict[str, int]:
    """The challenges with one of ``events`` (a submission) in the period, counted by their 'domein';
    challenges without one are left out."""
    query = (select(FEIT.c.domein, func.count())
             .where(FEIT.c.challenge_id.in_(_with_event(gemeente, events, start, end)), FEIT.c.domein.is_not(None))
             .group_by(FEIT.c.domein))
    return {str(v): count for v, count in connection.execute(query)}


def _nearest_rank(ordered: list[float], tenths: int) -> float:
    """The nearest-rank percentile (``tenths`` / 10) of sorted values: rank ceil(p * n), in integers."""
    return ordered[max(1, -(-tenths * len(ordered) // 10)) - 1]


def _spread_of(connection: Connection, durations: Any) -> dict[str, Spread]:
    """Count, median and p90 per group of a subquery with columns ``grp`` and ``d``.

    On SQLite the durations (one column) are fetched and ranked here: its window sort costs three times the fetch
    (docs/performance.md, "Jaarrapport"); PostgreSQL ranks them in SQL.
    """
    if connection.dialect.name != "postgresql":
        groups: dict[str, list[float]] = {}
        for grp, d in connection.execute(select(durations.c.grp, durations.c.d)):
            if d is not None:
                groups.setdefault(grp, []).append(float(d))
        spreads = {}
        for grp, values in groups.items():
            values.sort()
            spreads[grp] = Spread(len(values), _nearest_rank(values, 5), _nearest_rank(values, 9))
        return spreads
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
    """Per phase: how long the stays in it that ended in the period lasted, in days."""
    stays = (select(FASE.c.fase.label("grp"), _days(connection, FASE.c.entered_at, FASE.c.left_at).label("d"))
             .where(FASE.c.gemeente == gemeente, FASE.c.left_at >= start, FASE.c.left_at < end)).subquery()
    return _spread_of(connection, stays)


def until_decision(connection: Connection, *, gemeente: str, start: datetime, end: datetime,
                   submitted: Collection[str], decided: Collection[str]) -> Spread:
    """From submission to decision, in days, for the challenges decided in the period (their first decision in
    it, from their first submission)."""
    decision = (select(STAP.c.challenge_id, func.min(STAP.c.at).label("at"))
                .where(STAP.c.gemeente == gemeente, STAP.c.event.in_(list(decided)), STAP.c.at >= start,
                       STAP.c.at < end)
                .group_by(STAP.c.challenge_id)).subquery()
    first = STAP.alias("first")
    durations = (select(literal("besluit").label("grp"),
                        _days(connection, func.min(first.c.at), decision.c.at).label("d"))
                 .select_from(decision.join(first, and_(first.c.challenge_id == decision.c.challenge_id,
                                                        first.c.event.in_(list(submitted)))))
                 .group_by(decision.c.challenge_id, decision.c.at)).subquery()
    return _spread_of(connection, durations).get("besluit", Spread(0, None, None))


def decision_terms(connection: Connection, *, gemeente: str, start: datetime, end: datetime, first_day: date,
                   last_day: date, decided: Collection[str], extending: Collection[str], term: str = "beslistermijn"
                   ) -> TermFigures:
    """The beslistermijn of the decisions of the period, and the terms that lapsed in it (see TermFigures)."""
    decisions = _with_event(gemeente, decided, start, end)
    extended = TERM.c.challenge_id.in_(select(STAP.c.challenge_id).where(
        STAP.c.gemeente == gemeente, STAP.c.event.in_(list(extending) or [""])))
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


def takeovers(connection: Connection, *, gemeente: str, start: datetime, end: datetime, events: Collection[str],
              running_phase: str = "uitvoering") -> Takeovers:
    """The tasks taken over in the period (one of ``events``) with their budget (the 'budget' the challenge
    holds), and the challenges in ``running_phase`` at the period's end (the stay that lasted past it)."""
    budget = func.coalesce(func.sum(FEIT.c.budget), 0)
    taken = select(func.count(), budget).where(FEIT.c.challenge_id.in_(_with_event(gemeente, events, start, end)))
    aantal, total = connection.execute(taken).one()
    running = (select(func.count(), budget)
               .select_from(FASE.join(FEIT, FEIT.c.challenge_id == FASE.c.challenge_id))
               .where(FASE.c.gemeente == gemeente, FASE.c.fase == running_phase, FASE.c.entered_at < end,
                      or_(FASE.c.left_at.is_(None), FASE.c.left_at >= end)))
    lopend, lopend_budget = connection.execute(running).one()
    return Takeovers(int(aantal), float(total or 0), int(lopend), float(lopend_budget or 0))


def gemeenten_with_challenges(connection: Connection) -> list[str]:
    """The gemeenten that hold at least one challenge, sorted."""
    return sorted(g for (g,) in connection.execute(select(FEIT.c.gemeente).distinct()))
