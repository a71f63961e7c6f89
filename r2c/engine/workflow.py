"""A workflow: one definition version compiled into one ``transitions`` machine, shared by every case.

The machine holds no case: each ``fire`` hands it a short-lived run object carrying the case's state, so a
single machine serves all challenges on that version. Firing touches no database; it returns an Outcome.

Phases are hierarchical states of the machine (transitions' ``HierarchicalMachine``): each phase is a parent
state whose children are its states, named 'fase.staat' with '.' as the separator. A transition whose ``van``
names a whole phase leaves from that parent state; the loader has already resolved which edges exist
(switched-off phases, ``anders_naar``), so the machine and the graph agree edge for edge.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from transitions.extensions.nesting import HierarchicalMachine, NestedState

from r2c.clock import Clock
from r2c.definitions.graph import Edge
from r2c.definitions.loader import Loaded
from r2c.definitions.schema import Definition, Gegeven
from r2c.definitions.voorwaarden import VOORWAARDEN
from r2c.engine.case import (
    Actor, Case, CaseClosed, DomainEvent, LetterRequested, Migrated, Outcome, StateChanged, TermChanged,
)
from r2c.engine.data import check_data, chosen_extension, merge_facts
from r2c.errors import EventNotAllowed, GuardFailed, InvalidEventData, MigrationError, UnknownEvent

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class _Staat(NestedState):
    """A state of the machine: a phase, or a state within a phase ('fase.staat')."""

    separator = "."


class _Machine(HierarchicalMachine):
    state_cls = _Staat


class _Run:
    """What one firing needs while the machine decides; the machine's 'model' for a single event."""

    __slots__ = ("state", "actor", "facts", "reason", "failures", "edge")

    def __init__(self, state: str, actor: Actor, facts: Mapping[str, Any], reason: str | None):
        self.state = state
        self.actor = actor
        self.facts = facts
        self.reason = reason
        self.failures: list[str] = []
        self.edge: Edge | None = None


class Workflow:
    """The compiled form of one definition version.

    Attributes:
        loaded: the definition with its graph and origins.
        definition: shortcut to ``loaded.definition``.
        machine: the shared ``transitions`` hierarchical machine (phases with their states as children).
    """

    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.definition: Definition = loaded.definition
        graph = loaded.graph
        self._states = graph.states
        self._phase_of = graph.phase_of
        self._edges: dict[tuple[str, str], list[Edge]] = defaultdict(list)
        self._events: set[str] = set()
        self._by_state_role: dict[tuple[str, str], list[str]] = defaultdict(list)
        for edge in graph.edges:
            self._edges[(edge.event, edge.source)].append(edge)
            self._events.add(edge.event)
            for rol in edge.spec.rollen:
                events = self._by_state_role[(edge.source, rol)]
                if edge.event not in events:
                    events.append(edge.event)
        phases: dict[str, list[str]] = defaultdict(list)
        for name in self._states:
            phases[self._phase_of[name]].append(name.split(".", 1)[1])
        self.machine = _Machine(
            model=None,
            states=[{"name": fase, "children": staten} for fase, staten in phases.items()],
            transitions=self._transitions(graph.edges),
            initial=self.definition.initieel,
            auto_transitions=False,
            send_event=True,
            ignore_invalid_triggers=False,
        )
        # The nested machine keeps its scope on a stack while it processes an event: one event at a time per
        # machine, so that threads firing on cases of the same version do not share that stack.
        self._firing = threading.Lock()

    def _transitions(self, edges: tuple[Edge, ...]) -> list[dict[str, Any]]:
        """The machine's transitions: one per edge, or one from the parent state where ``van`` names a phase.

        A phase-wide transition stays per state when another transition with the same event leaves from a
        state of that phase: the nested machine tries a child's transitions before its parent's, and the
        definition's file order must decide which of them is tried first.
        """
        sources_of: dict[tuple[str, str], set[str]] = defaultdict(set)
        for edge in edges:
            sources_of[(edge.event, self._phase_of[edge.source])].add(edge.transition)
        made: set[tuple[str, str]] = set()
        out = []
        for edge in edges:
            phase = self._phase_of[edge.source]
            whole = phase in edge.spec.van and sources_of[(edge.event, phase)] == {edge.transition}
            source = phase if whole else edge.source
            if (edge.transition, source) not in made:
                made.add((edge.transition, source))
                out.append(self._transition(edge, source))
        return out

    def _transition(self, edge: Edge, source: str) -> dict[str, Any]:
        """The machine's transition for one edge (leaving ``source``): the role and voorwaarden are its condition."""
        definition = self.definition
        guards = [VOORWAARDEN[name] for name in edge.spec.voorwaarden]
        roles = frozenset(edge.spec.rollen)

        def allowed(event_data) -> bool:
            run: _Run = event_data.model
            if run.actor.rol not in roles:
                return False
            failures = [msg for g in guards if (msg := g.check(definition, run.facts, run.reason))]
            run.failures.extend(failures)
            return not failures

        dest = edge.dest

        def record(event_data) -> None:
            run: _Run = event_data.model
            run.edge = edge
            if dest is not None:
                run.state = dest

        # An internal transition (dest None) whose after-callback sets the run's state: r2c's states have no
        # enter, exit or final callbacks (what a step does is read from its edge), so the nested machine's walk
        # over the scopes it leaves and enters would have nothing to do; it was two thirds of its cost per event.
        # The walk that finds the transition (child before parent) and the conditions stay the machine's own.
        return {"trigger": edge.event, "source": source, "dest": None,
                "conditions": [allowed], "after": [record]}

    # -- questions -------------------------------------------------------------------------------------------

    @property
    def key(self) -> str:
        """'id@versie' of the definition."""
        return self.definition.key

    def start(self) -> Case:
        """A new challenge in the initial state (before it is submitted)."""
        return Case(self.definition.id, self.definition.versie, self.definition.initieel)

    def phase_of(self, state: str) -> str:
        """The phase a state belongs to."""
        return self._phase_of[state]

    def is_final(self, state: str) -> bool:
        """Whether ``state`` ends the challenge."""
        return self._states[state].eind

    def events(self) -> list[str]:
        """Every event of this workflow, sorted."""
        return sorted(self._events)

    def allowed_events(self, case: Case, rol: str) -> list[str]:
        """The events ``rol`` may fire in the case's current state (voorwaarden not yet evaluated)."""
        self._own(case)
        return list(self._by_state_role.get((case.state, rol), ()))

    def blocked_by(self, case: Case, event: str, rol: str, *, data: Mapping[str, Any] | None = None,
                   reason: str | None = None) -> list[str]:
        """Why ``event`` would be refused now for ``rol`` (empty when it would pass)."""
        self._own(case)
        candidates = [e for e in self._edges.get((event, case.state), ()) if rol in e.spec.rollen]
        if not candidates:
            return [f"'{event}' is nu niet mogelijk voor rol '{rol}'"]
        facts = merge_facts(case.facts, self._fields(candidates)[0], data or {})
        reasons: list[str] = []
        for edge in candidates:
            failed = [m for n in edge.spec.voorwaarden if (m := VOORWAARDEN[n].check(self.definition, facts, reason))]
            if not failed:
                return []
            reasons.extend(failed)
        return reasons

    # -- firing ----------------------------------------------------------------------------------------------

    def fire(self, case: Case, event: str, *, actor: Actor, clock: Clock, data: Mapping[str, Any] | None = None,
             reason: str | None = None) -> Outcome:
        """Fire ``event`` on ``case`` as ``actor``: the new case and its domain events, or an EngineError."""
        self._own(case)
        data = data or _EMPTY
        if event not in self._events:
            raise UnknownEvent(f"onbekend event '{event}' in workflow {self.key}; "
                               f"bestaande events: {', '.join(self.events())}")
        candidates = [e for e in self._edges.get((event, case.state), ()) if actor.rol in e.spec.rollen]
        if not candidates:
            allowed = self.allowed_events(case, actor.rol)
            raise EventNotAllowed(
                f"'{event}' kan niet in staat '{case.state}' door rol '{actor.rol}'; "
                f"nu mogelijk voor deze rol: {', '.join(allowed) or 'geen'}",
                state=case.state, allowed=allowed)
        fields, required = self._fields(candidates)
        problems = check_data(self.definition, fields, required, data)
        if problems:
            detail = "; ".join(f"{k}: {v}" for k, v in problems.items())
            raise InvalidEventData(f"gegevens bij '{event}' kloppen niet: {detail}", fields=problems)
        facts = merge_facts(case.facts, fields, data)
        run = _Run(case.state, actor, facts, reason)
        with self._firing:
            passed = self.machine.trigger_event(run, event)
        if not passed:
            allowed = self.allowed_events(case, actor.rol)
            reasons = list(dict.fromkeys(run.failures))
            raise GuardFailed(
                f"'{event}' kan nog niet in staat '{case.state}': {'; '.join(reasons)}",
                state=case.state, allowed=allowed, reasons=reasons)
        edge = run.edge
        assert edge is not None
        return self._outcome(case, edge, run.state, facts, actor, clock.now(), data, reason)

    def _fields(self, candidates: list[Edge]) -> tuple[dict[str, Gegeven], set[str]]:
        fields: dict[str, Gegeven] = {}
        for edge in candidates:
            fields.update(edge.spec.gegevens)
        required = set.intersection(*({k for k, g in e.spec.gegevens.items() if g.verplicht} for e in candidates))
        return fields, required

    def _outcome(self, case: Case, edge: Edge, dest: str, facts: dict[str, Any], actor: Actor, at: datetime,
                 data: Mapping[str, Any], reason: str | None) -> Outcome:
        spec = edge.spec
        facts.update(spec.zet)
        staat = self._states[dest]
        new_case = Case(case.workflow, case.versie, dest, MappingProxyType(facts), staat.resultaat)
        events: list[DomainEvent] = [
            StateChanged(edge.event, edge.transition, case.state, dest, actor, at, reason,
                         MappingProxyType(dict(data)), spec.artikel)
        ]
        events += [TermChanged(action, name, at, chosen_extension(self.definition, name, data)
                               if action == "verlengen" else None) for action, name in spec.termijnen.all()]
        events += [LetterRequested(name, self.definition.brieven[name].aan, at) for name in spec.brieven]
        if staat.eind:
            events.append(CaseClosed(staat.resultaat or "", at))
        return Outcome(new_case, tuple(events))

    # -- versions --------------------------------------------------------------------------------------------

    def migrate_from(self, case: Case, *, actor: Actor, clock: Clock, reason: str) -> Outcome:
        """Move a running ``case`` of an older version onto this version, by this version's explicit mapping."""
        d = self.definition
        if case.workflow != d.id:
            raise MigrationError(f"zaak hoort bij '{case.workflow}', niet bij '{d.id}'")
        if case.resultaat is not None:
            raise MigrationError("een afgesloten uitdaging wordt niet gemigreerd")
        if not (reason or "").strip():
            raise MigrationError("geef een reden voor de migratie; die komt in de geschiedenis")
        migratie = next((m for m in d.migraties if m.van_versie == case.versie), None)
        if migratie is None:
            known = ", ".join(m.van_versie for m in d.migraties) or "geen"
            raise MigrationError(f"versie {d.versie} heeft geen migratie vanaf versie {case.versie} "
                                 f"(wel vanaf: {known})")
        dest = migratie.staten.get(case.state)
        if dest is None:
            raise MigrationError(f"de migratie naar {d.versie} zegt niet waar staat '{case.state}' heen gaat")
        new_case = Case(case.workflow, d.versie, dest, case.facts, None)
        return Outcome(new_case, (Migrated(case.versie, d.versie, case.state, dest, actor, clock.now(), reason),))

    def _own(self, case: Case) -> None:
        if case.workflow != self.definition.id or case.versie != self.definition.versie:
            raise MigrationError(
                f"zaak staat op {case.workflow}@{case.versie}, deze workflow is {self.key}; "
                "een lopende zaak blijft op haar versie tenzij ze expliciet wordt gemigreerd")
