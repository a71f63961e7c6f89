"""Submission as a contract of the definition: which events submit, the mandatory vooroverleg, who may challenge.

``submitting_events`` is what the service fires on a new challenge; ``check_indiening`` is the loader's check that
the submission can leave the initial state and that every state it reaches can still reach a closed state;
``party_facts`` applies ``toelating.partijen`` to what a submission says of the party.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from r2c.definitions.graph import Edge, Graph, Path, build_graph
from r2c.definitions.schema import Definition

DEFAULT_EVENT = "indienen"
PARTY_FACT = "partij"
FLAG_FACT = "partij_niet_toegelaten"
"""The facts a submission records: the kind of party, and (when the definition flags it) that it may not challenge."""


def mandatory_phase(definition: Definition) -> str | None:
    """The phase every submission starts in (``verplicht: true``), if any."""
    return next((key for key, fase in definition.fasen.items() if fase.verplicht and fase.actief), None)


def _initial_edges(definition: Definition, graph: Graph) -> list[Edge]:
    return [e for e in graph.edges if e.source == definition.initieel and "initiatiefnemer" in e.spec.rollen
            and e.dest is not None and e.dest != definition.initieel]


def submitting_events(definition: Definition, graph: Graph | None = None) -> list[str]:
    """The events that submit a new challenge, the first one the default: the definition's ``indiening``, else
    the initiatiefnemer's step from the initial state into the mandatory phase, else 'indienen'."""
    if definition.indiening:
        return list(definition.indiening)
    phase = mandatory_phase(definition)
    if phase is not None:
        graph = graph or build_graph(definition)
        found = [e.event for e in _initial_edges(definition, graph) if graph.phase_of.get(e.dest or "") == phase]
        if found:
            return list(dict.fromkeys(found))
    return [DEFAULT_EVENT]


def check_indiening(definition: Definition, graph: Graph) -> list[tuple[Path, str] | tuple[Path, str, tuple]]:
    """Problems with the submission: an event that cannot submit from the initial state, a way around the
    mandatory vooroverleg, and states after the submission that can never reach a closed state."""
    d = definition
    out: list[Any] = []
    if d.initieel not in graph.states or graph.problems:
        return out  # reported elsewhere; these checks would only repeat it
    verplicht = [key for key, fase in d.fasen.items() if fase.verplicht]
    for key in verplicht[1:]:
        out.append((("fasen", key, "verplicht"), f"alleen één fase kan verplicht zijn (ook: '{verplicht[0]}')"))
    for key in verplicht:
        if not d.fasen[key].actief:
            out.append((("fasen", key, "verplicht"), f"fase '{key}' is verplicht en kan dus niet uit (actief: false)"))
    phase = mandatory_phase(d)
    events = submitting_events(d, graph)
    named = d.indiening is not None
    by_event: dict[str, list[Edge]] = defaultdict(list)
    for e in graph.edges:
        by_event[e.event].append(e)
    known = {t.event or key for key, t in d.transities.items()}
    leaving = _initial_edges(d, graph)
    if phase is not None and not named and events == [DEFAULT_EVENT] and not any(
            graph.phase_of.get(e.dest or "") == phase for e in leaving):
        out.append((("fasen", phase, "verplicht"),
                    f"fase '{phase}' is verplicht, maar geen stap van de initiatiefnemer gaat vanuit de beginstaat "
                    f"'{d.initieel}' naar deze fase (bv. vooroverleg_aanvragen met naar: {phase}.<staat>)"))
        return out
    for i, event in enumerate(events):
        where: Path = ("indiening", i) if named else ("initieel",)
        if event not in known:
            out.append((where, f"indienend event '{event}' bestaat niet (events: {', '.join(sorted(known))})"))
            continue
        edges = [e for e in by_event[event] if e in leaving]
        if not edges:
            from_initial = [e for e in by_event[event] if e.source == d.initieel]
            why = ("de rol 'initiatiefnemer' mag het niet" if from_initial and not any(
                "initiatiefnemer" in e.spec.rollen for e in from_initial) else
                   "het vertrekt niet uit de beginstaat" if not from_initial else "het blijft in de beginstaat")
            transitie = by_event[event][0].transition if by_event[event] else event
            path = where if named else ("transities", transitie, "van")
            out.append((path, f"de indiening ('{event}') kan de beginstaat '{d.initieel}' niet verlaten: {why}; "
                              "iedere nieuwe uitdaging zou worden geweigerd"))
            continue
        if phase is not None:
            for e in edges:
                if graph.phase_of.get(e.dest or "") != phase:
                    out.append((("indiening", i) if named else ("transities", e.transition, "naar"),
                                f"de indiening ('{event}') gaat naar '{e.dest}', om het verplichte vooroverleg "
                                f"(fase '{phase}') heen"))
    if phase is not None:
        for e in leaving:
            if (e.event not in events and graph.phase_of.get(e.dest or "") != phase
                    and not graph.states[e.dest or ""].eind):  # withdrawing before the vooroverleg is no way round
                out.append((("transities", e.transition, "van"),
                            f"transitie '{e.transition}' gaat vanuit de beginstaat '{d.initieel}' naar '{e.dest}', "
                            f"om het verplichte vooroverleg (fase '{phase}') heen; laat '{e.transition}' pas na het "
                            "vooroverleg beginnen (bv. van: de staat waarin het vooroverleg is gehouden)",
                            (("fasen", phase, "verplicht"),)))
    sources = {e.source for e in graph.edges if e.dest is not None}
    blocked = any(not staat.eind and name not in sources for name, staat in graph.states.items()) or any(
        not fase.actief and not fase.optioneel for fase in d.fasen.values())
    if out or blocked:  # a dead end or a mandatory phase switched off is reported already: the rest would be noise
        return out
    out += _dead_ends(d, graph, [e for e in leaving if e.event in events])
    return out


def _dead_ends(d: Definition, graph: Graph, starts: list[Edge]) -> list[tuple[Path, str]]:
    """States the submission can reach from which no closed state can be reached (a loop without a way out)."""
    outgoing: dict[str, list[str]] = defaultdict(list)
    incoming: dict[str, list[str]] = defaultdict(list)
    for e in graph.edges:
        if e.dest is not None:
            outgoing[e.source].append(e.dest)
            incoming[e.dest].append(e.source)
    reached = {e.dest for e in starts if e.dest is not None}
    todo = list(reached)
    while todo:
        for nxt in outgoing[todo.pop()]:
            if nxt not in reached:
                reached.add(nxt)
                todo.append(nxt)
    closing = {s for s, staat in graph.states.items() if staat.eind}
    todo = list(closing)
    while todo:
        for prev in incoming[todo.pop()]:
            if prev not in closing:
                closing.add(prev)
                todo.append(prev)
    out: list[tuple[Path, str]] = []
    for state in graph.states:
        if state in reached and state not in closing:
            fase, key = state.split(".", 1)
            out.append((("fasen", fase, "staten", key),
                        f"staat '{state}' volgt op de indiening, maar vanuit daar is geen eindstaat te bereiken: "
                        "een uitdaging die hier komt, kan nooit worden afgesloten"))
    return out


def party_facts(definition: Definition, partij: str | None) -> tuple[dict[str, Any], dict[str, str]]:
    """What a submission's kind of party records (facts), and {'partij': what is wrong} when it is refused:
    missing while the definition lists kinds, unknown, or not admitted with ``niet_toegelaten: weigeren``."""
    toelating = definition.toelating
    kinds = toelating.partijen
    partij = partij.strip() if isinstance(partij, str) else partij
    if not kinds:
        if partij:
            return {}, {"partij": "deze gemeente vraagt niet wie er indient; laat 'partij' weg"}
        return {}, {}
    choices = ", ".join(f"'{key}' ({kind.label})" for key, kind in kinds.items())
    if not partij:
        return {}, {"partij": f"verplicht: zeg wie de aanvraag indient ({choices})"}
    kind = kinds.get(partij)
    if kind is None:
        return {}, {"partij": f"onbekende soort partij '{partij}'; mogelijk: {choices}"}
    if kind.toegelaten:
        return {PARTY_FACT: partij}, {}
    reason = kind.reden or f"'{kind.label}' mag bij deze gemeente geen uitdaging indienen"
    if toelating.artikel:
        reason += f" ({toelating.artikel})"
    if toelating.niet_toegelaten == "weigeren":
        return {}, {"partij": reason}
    return {PARTY_FACT: partij, FLAG_FACT: reason}, {}
