"""The werkvoorraad's SQL: the counts per deadline light over a gemeente's filtered list and one page of it,
sorted, in one statement whatever the page size (built once per shape of filter and order, the values bound).

Each challenge row keeps its next running term (``volgende_termijn``, ``volgende_einddatum``: the running term that
ends first, written with the terms by r2c.store.writes), so filters, sorting and the counts all read the challenge
table alone; on PostgreSQL the counts and the sorted ids read only the partial index of the open challenges
(``ix_challenge_open``, migration 0014), and the default order (by the last day) walks it and stops after one
page. The lights' thresholds come in as date boundaries (r2c.termijnen.grenzen): the database compares dates, the
werkdagen arithmetic stays in the core.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Integer, bindparam, case, func, select, true

from r2c.store.tables import ChallengeRow

CHALLENGE = ChallengeRow.__table__
SORTS = ("kenmerk", "titel", "fase", "behandelaar", "laatste_dag")
"""The columns the list sorts on."""

LAST_DAY = CHALLENGE.c.volgende_einddatum
"""The last day of the challenge's running term that ends first (None: no running term)."""
_ROW_COLUMNS = (CHALLENGE.c.id, CHALLENGE.c.kenmerk, CHALLENGE.c.titel, CHALLENGE.c.state, CHALLENGE.c.fase,
                CHALLENGE.c.behandelaar, CHALLENGE.c.workflow, CHALLENGE.c.workflow_version, CHALLENGE.c.version,
                CHALLENGE.c.resultaat, CHALLENGE.c.volgende_termijn, LAST_DAY.label("laatste_dag"))
_NAMES = tuple(c.name for c in _ROW_COLUMNS)
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


def _where(table: Any, f: Filter) -> list[Any]:
    """The filter's conditions on ``table`` (the challenge table or an alias of it), its values bound (``_values``)."""
    last_day = table.c.volgende_einddatum
    where: list[Any] = [table.c.gemeente == bindparam("b_gemeente")]
    if f.is_open is not None:
        where.append(table.c.resultaat.is_(None) if f.is_open else table.c.resultaat.is_not(None))
    if f.unassigned:
        where.append(table.c.behandelaar.is_(None))
    if f.behandelaar is not None:
        where.append(table.c.behandelaar == bindparam("b_behandelaar"))
    if f.fase is not None:
        where.append(table.c.fase == bindparam("b_fase"))
    if f.text:
        pattern = bindparam("b_tekst")
        where.append(table.c.titel.ilike(pattern, escape="\\") | table.c.kenmerk.ilike(pattern, escape="\\"))
    if f.last_day_until is not None:
        where.append(last_day <= bindparam("b_tot", type_=last_day.type))
    if f.overdue_on is not None:
        where.append(last_day < bindparam("b_verlopen", type_=last_day.type))
    return where


def _values(gemeente: str, f: Filter) -> dict[str, Any]:
    """The bound values of ``_where``."""
    values: dict[str, Any] = {"b_gemeente": gemeente, "b_behandelaar": f.behandelaar, "b_fase": f.fase,
                              "b_tot": f.last_day_until, "b_verlopen": f.overdue_on}
    if f.text:
        values["b_tekst"] = "%" + f.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return values


def _shape(f: Filter) -> Filter:
    """The filter with placeholders for its values: which conditions there are, not what they compare with."""
    here = date.min
    return Filter(is_open=f.is_open, unassigned=f.unassigned, behandelaar="" if f.behandelaar is not None else None,
                  fase="" if f.fase is not None else None, text="x" if f.text else None,
                  last_day_until=here if f.last_day_until is not None else None,
                  overdue_on=here if f.overdue_on is not None else None)


def _order(table: Any, sort: str, descending: bool, fase_order: Sequence[str]) -> list[Any]:
    """The list's order on ``table``: ``sort`` (one of SORTS; 'fase' in the order ``fase_order``), a challenge
    without a running term, or without a behandelaar when sorting on it, last either way; ties by the last day,
    then the kenmerk."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}")
    last_day = table.c.volgende_einddatum
    if sort == "fase" and fase_order:
        key: Any = case({f: i for i, f in enumerate(fase_order)}, value=table.c.fase, else_=len(fase_order))
    elif sort == "laatste_dag":
        key = last_day
    else:
        key = table.c[sort]
    first = key.desc() if descending else key.asc()
    order = [first.nulls_last() if sort in ("laatste_dag", "behandelaar") else first]
    if sort != "laatste_dag":
        order.append(last_day.asc().nulls_last())
    return order + [table.c.kenmerk, table.c.id]


@lru_cache(maxsize=512)
def _statement(shape: Filter, sort: str, descending: bool, fase_order: tuple[str, ...]) -> Any:
    """The statement of ``page`` for one shape of filter and one order, built once: building it (an alias, two
    subqueries and their column collections) cost a tenth of a page view's CPU."""
    counted = select(*_LIGHTS).select_from(CHALLENGE).where(*_where(CHALLENGE, shape)).subquery("tellingen")
    inner = CHALLENGE.alias("open")
    ids = (select(inner.c.id).where(*_where(inner, shape)).order_by(*_order(inner, sort, descending, fase_order))
           .limit(bindparam("b_limit", type_=Integer())).offset(bindparam("b_offset", type_=Integer()))
           .subquery("pagina"))
    rows = CHALLENGE.join(ids, ids.c.id == CHALLENGE.c.id)
    return (select(counted, *_ROW_COLUMNS).select_from(counted.outerjoin(rows, true()))
            .order_by(*_order(CHALLENGE, sort, descending, fase_order)))


def page(connection: Connection, *, gemeente: str, filter: Filter, vandaag: date, rood_voor: date,
         oranje_voor: date, sort: str = "laatste_dag", descending: bool = False, limit: int = 25, offset: int = 0,
         fase_order: Sequence[str] = ()) -> tuple[Counts, list[SimpleNamespace]]:
    """The counts of the filtered list, in all and per light (boundaries from r2c.termijnen.grenzen), and one page
    of it (id, kenmerk, titel, state, fase, behandelaar, workflow, workflow_version, version, resultaat,
    volgende_termijn, laatste_dag) in the order of ``_order``: one statement.

    The counts and the page's ids come from the index alone (it holds every column filtered and sorted on); only
    the page's rows are read from the table, by id, so sorting thousands on the titel reads no heap row of them."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}")
    statement = _statement(_shape(filter), sort, descending, tuple(fase_order) if sort == "fase" else ())
    found = connection.execute(statement, {**_values(gemeente, filter), "b_vandaag": vandaag, "b_rood": rood_voor,
                                           "b_oranje": oranje_voor, "b_limit": limit, "b_offset": offset}).all()
    tally = Counts(*found[0][:len(_LIGHTS)])
    return tally, [SimpleNamespace(**dict(zip(_NAMES, r[len(_LIGHTS):]))) for r in found if r.id is not None]
