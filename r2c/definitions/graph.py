"""The effective graph of a definition: its active states and the edges its transitions make.

A transition's ``van`` may name a phase: it then leaves from every state of that phase (the hierarchy of
phases and states). Phases switched off (``actief: false``) drop out with their states; a transition into an
inactive phase goes to ``anders_naar`` instead, or disappears when it has none.
"""

from __future__ import annotations

from dataclasses import dataclass

from r2c.definitions.schema import Definition, Staat, Transitie

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Edge:
    """One source state of one transition.

    Attributes:
        transition: the transition's key in ``transities``.
        event: the event that fires it.
        source: the state it leaves, 'fase.staat'.
        dest: the state it enters, or None when it stays (an internal transition).
        spec: the transition as defined.
    """

    transition: str
    event: str
    source: str
    dest: str | None
    spec: Transitie


@dataclass(frozen=True)
class Graph:
    """States and edges in effect for one definition.

    Attributes:
        states: 'fase.staat' -> its definition, in file order, active phases only.
        phase_of: 'fase.staat' -> 'fase'.
        edges: every edge, in file order.
        problems: (path, message) for names that do not resolve.
    """

    states: dict[str, Staat]
    phase_of: dict[str, str]
    edges: tuple[Edge, ...]
    problems: tuple[tuple[Path, str], ...]


def all_states(definition: Definition) -> dict[str, tuple[str, Staat]]:
    """Every state of every phase, active or not: 'fase.staat' -> (fase, staat)."""
    return {f"{f}.{s}": (f, staat) for f, fase in definition.fasen.items() for s, staat in fase.staten.items()}


def build_graph(definition: Definition) -> Graph:
    """The effective graph; names that resolve to nothing become problems, not exceptions."""
    known = all_states(definition)
    active = {name: staat for name, (fase, staat) in known.items() if definition.fasen[fase].actief}
    phase_of = {name: known[name][0] for name in active}
    problems: list[tuple[Path, str]] = []
    edges: list[Edge] = []

    def hint() -> str:
        return "bekende staten: " + ", ".join(known)

    for tid, spec in definition.transities.items():
        dest = spec.naar
        for key in ("naar", "anders_naar"):
            target = getattr(spec, key)
            if target is not None and target not in known:
                problems.append((("transities", tid, key), f"onbekende staat '{target}' ({hint()})"))
                dest = None if key == "naar" else dest
        if dest is not None and dest in known and dest not in active:
            alt = spec.anders_naar
            if alt is None or alt not in known:
                continue  # the phase it leads to does not exist for this gemeente
            if alt not in active:
                problems.append((("transities", tid, "anders_naar"),
                                 f"'{alt}' ligt ook in een fase die uit staat"))
                continue
            dest = alt
        if spec.naar is not None and spec.naar not in known:
            continue
        sources: list[str] = []
        for i, van in enumerate(spec.van):
            if van in known:
                sources.append(van)
            elif van in definition.fasen:
                sources.extend(f"{van}.{s}" for s in definition.fasen[van].staten)
            else:
                problems.append((("transities", tid, "van", i),
                                 f"onbekende staat of fase '{van}' ({hint()}; fasen: {', '.join(definition.fasen)})"))
        event = spec.event or tid
        edges.extend(Edge(tid, event, s, dest, spec) for s in dict.fromkeys(sources) if s in active)
    return Graph(active, phase_of, tuple(edges), tuple(problems))
