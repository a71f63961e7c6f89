"""Planning a transition's term actions (start, stop, opschorten, hervatten, verlengen) as writes to the term rows.

What each action does to a term (Awb 4:14, 4:15, Atw) is r2c.termijnen.acties'; this module only maps the term
rows (one row per term run, with the full Termijn history in ``termijn``) to term states and the results back to
rows. It reads and writes nothing itself: r2c.store.writes writes the plan together with the rest of the change.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from r2c.definitions.schema import Definition
from r2c.engine.case import TermChanged
from r2c.store.writes import MUTABLE
from r2c.termijnen import Gevolg, Termijn, TermState, apply, ingebrekestelling, next_due, start, vervangen


def _state(term: dict[str, Any]) -> TermState:
    return TermState(termijn=Termijn.uit_dict(term["termijn"]), status=term["status"], einddatum=term["einddatum"],
                     suspended_from=term["suspended_from"], suspension_basis=term["suspension_basis"],
                     stopped_on=term["stopped_on"])


@dataclass
class TermPlan:
    """What a change does to the term rows.

    Attributes:
        inserts: new term rows.
        updates: term row id -> its MUTABLE columns after the change.
        summaries: one line per action for the outbox message (term, action, new end date).
        volgende: the challenge's running term that ends first after the change (name, last day; (None, None)
            when none runs), for the challenge row's ``volgende_termijn`` and ``volgende_einddatum``; None when the
            change touches no term, so the row keeps what it has.
    """

    inserts: list[dict[str, Any]] = field(default_factory=list)
    updates: dict[int, dict[str, Any]] = field(default_factory=dict)
    summaries: list[dict[str, Any]] = field(default_factory=list)
    volgende: tuple[str | None, date | None] | None = None


def first_running(running: list[dict[str, Any]], plan: TermPlan) -> tuple[str | None, date | None]:
    """The running term that ends first once ``plan`` is written over the term rows ``running``: the earliest
    last day, then the oldest row (new rows come after the existing ones, in their order)."""
    after = [(t["einddatum"], 0, t["id"], t["name"]) for old in running
             for t in [{**old, **plan.updates.get(old["id"], {})}] if t["status"] == "lopend" and t["einddatum"]]
    after += [(t["einddatum"], 1, i, t["name"]) for i, t in enumerate(plan.inserts)
              if t["status"] == "lopend" and t["einddatum"]]
    if not after:
        return None, None
    einddatum, _, _, name = min(after)
    return name, einddatum


def new_termijn(definition: Definition, name: str, on: date) -> Termijn:
    """The term ``name`` of ``definition`` counted from the event on ``on``."""
    spec = definition.termijnen[name]
    return Termijn(start=on, duur=spec.duur, atw=spec.atw, naam=name, grondslag=spec.artikel or "",
                   herinneringen=tuple(spec.herinneringen), escalatie=spec.escalatie)


def plan_term_changes(*, running: list[dict[str, Any]], challenge_id: str, gemeente: str, definition: Definition,
                      changes: list[TermChanged], on: date, artikel: str | None, event: str,
                      closing: bool = False) -> TermPlan:
    """The term writes for ``changes`` on the challenge whose open term rows are ``running``
    (``r2c.store.challenges.open_term_rows``).

    ``closing``: the transition closes the challenge, so every term that ran before it stops first (no reminders
    about a closed challenge); terms the closing transition itself starts (a bezwaartermijn) do run.
    """
    plan = TermPlan()
    if not changes and not closing:
        return plan
    by_name = {term["name"]: dict(term) for term in running}

    def record(term: dict[str, Any], old: TermState, gevolg: Gevolg) -> None:
        new = gevolg.state
        term.update(status=new.status, einddatum=new.einddatum, suspended_from=new.suspended_from,
                    suspension_basis=new.suspension_basis, stopped_on=new.stopped_on)
        if new.termijn is not old.termijn:  # an unchanged history keeps its stored dict as it is
            term["termijn"] = new.termijn.als_dict()
        term["next_due"] = next_due(term["termijn"], term["status"], term["einddatum"], term["processed_until"])
        plan.updates[term["id"]] = {name: term[name] for name in MUTABLE}
        end = term["einddatum"]
        plan.summaries.append({"termijn": term["name"], "actie": gevolg.actie,
                               "einddatum": end.isoformat() if end else None})

    def act(term: dict[str, Any], action: str, chosen: str | None = None) -> Gevolg | None:
        old = _state(term)
        verlenging = (chosen or definition.termijnen[term["name"]].verlenging) if action == "verlengen" else None
        gevolg = apply(old, action, on=on, artikel=artikel, event=event, verlenging=verlenging)
        if gevolg is not None:
            record(term, old, gevolg)
            if action == "verlengen":
                plan.summaries[-1]["verlenging"] = str(gevolg.state.termijn.verlengingen[-1].duur)
        return gevolg

    def begin(name: str, termijn: Termijn) -> None:
        started = start(termijn).state
        end, stored = started.einddatum, started.termijn.als_dict()
        plan.inserts.append({"challenge_id": challenge_id, "gemeente": gemeente, "name": name, "status": "lopend",
                             "termijn": stored, "started_on": on, "einddatum": end,
                             "next_due": next_due(stored, "lopend", end, None)})
        plan.summaries.append({"termijn": name, "actie": "start", "einddatum": end.isoformat() if end else None})

    if closing:
        for term in by_name.values():
            act(term, "stop")
        by_name.clear()
    for action in changes:
        name = action.termijn
        term = by_name.get(name)
        if action.action == "start":
            spec = definition.termijnen[name]
            if spec.dwangsom is not None:
                beslis = by_name.get(spec.dwangsom)
                ingebrekestelling(_state(beslis) if beslis else None, on=on, naam=spec.dwangsom,
                                  al_sinds=Termijn.uit_dict(term["termijn"]).start if term is not None else None)
            if term is not None:
                old = _state(term)
                record(term, old, vervangen(old, on=on))
            begin(name, new_termijn(definition, name, on))
            by_name.pop(name, None)  # the new run is not in ``running``; acting on it again in one step is a no-op
        elif term is None:
            continue  # stopping or resuming a term that does not run is a no-op (e.g. already lapsed)
        elif action.action == "hervatten" and definition.termijnen[name].start == "volledig":
            # 'start: volledig': counted from the complete request, so the step that completes it starts it anew
            # (running or suspended); a verdaging already announced stays with it (Awb 4:14)
            old = _state(term)
            record(term, old, vervangen(old, on=on))
            fresh = new_termijn(definition, name, on)
            begin(name, replace(fresh, verlengingen=old.termijn.verlengingen,
                                grondslag=f"{fresh.grondslag}; telt opnieuw vanaf het volledige verzoek "
                                          f"('{event}' op {on.isoformat()})".lstrip("; ")))
            del by_name[name]
        elif (gevolg := act(term, action.action, action.duur)) is not None and gevolg.state.status == "gestopt":
            del by_name[name]
    plan.volgende = first_running(running, plan)
    return plan

