"""The engine's view of a challenge, and the domain events that firing an event produces.

Nothing here touches a database: a store (later) writes Case and events in one transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal, Mapping

from r2c.errors import R2CError

CASE_FORMAT = 1
"""Version of the snapshot format of ``Case.to_dict``; raise it (and add a reader) when the shape changes."""


@dataclass(frozen=True)
class Actor:
    """Who fires an event, in which role, for which gemeente.

    Attributes:
        id: the person's or system's identifier (as the host knows it); an initiatiefnemer's is their party id.
        rol: the role they act in: initiatiefnemer, behandelaar, teamleider, college, systeem, ...
        gemeente: the gemeente they act for; the service scopes everything to it (the engine ignores it).
    """

    id: str
    rol: str
    gemeente: str | None = None


@dataclass(frozen=True)
class Case:
    """A challenge as the engine sees it: which workflow version, where it stands, what has been recorded.

    Attributes:
        workflow: the definition id (a gemeente or a model).
        versie: the definition version the challenge started under; it stays on it unless migrated.
        state: the current state, 'fase.staat'.
        facts: what the events so far recorded (vereisten present, beoordelingen, flags such as 'verdaagd').
        resultaat: set once the challenge reaches a final state.
    """

    workflow: str
    versie: str
    state: str
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    resultaat: str | None = None

    @property
    def fase(self) -> str:
        """The phase of the current state."""
        return self.state.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready snapshot, with the format version so a store can read old snapshots later."""
        return {"formaat": CASE_FORMAT, "workflow": self.workflow, "versie": self.versie, "state": self.state,
                "facts": json.loads(json.dumps(dict(self.facts))), "resultaat": self.resultaat}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Case:
        """The case a ``to_dict`` snapshot describes; an unknown format is an error, never a guess."""
        if data.get("formaat") != CASE_FORMAT:
            raise R2CError(f"onbekend formaat van een zaak-snapshot: {data.get('formaat')!r} (verwacht {CASE_FORMAT})")
        return cls(data["workflow"], data["versie"], data["state"], MappingProxyType(dict(data["facts"])),
                   data.get("resultaat"))


@dataclass(frozen=True)
class StateChanged:
    """An event was fired: the challenge went from ``source`` to ``dest`` (equal for a step inside a state)."""

    event: str
    transition: str
    source: str
    dest: str
    actor: Actor
    at: datetime
    reason: str | None
    data: Mapping[str, Any]
    artikel: str | None


TermAction = Literal["start", "stop", "opschorten", "hervatten", "verlengen"]


@dataclass(frozen=True)
class TermChanged:
    """A named term must be started, stopped, suspended, resumed or extended (its arithmetic: r2c.termijnen)."""

    action: TermAction
    termijn: str
    at: datetime
    duur: str | None = None
    """For 'verlengen' of a term with ``verlenging_ten_hoogste``: the length the behandelaar chose, e.g. '4 weken'."""


@dataclass(frozen=True)
class LetterRequested:
    """A letter must be produced from the template ``template`` for ``aan``."""

    template: str
    aan: str
    at: datetime


@dataclass(frozen=True)
class CaseClosed:
    """The challenge reached a final state with this result."""

    resultaat: str
    at: datetime


@dataclass(frozen=True)
class Migrated:
    """A running challenge was moved to another version of its definition, by an explicit mapping."""

    from_versie: str
    to_versie: str
    source: str
    dest: str
    actor: Actor
    at: datetime
    reason: str


DomainEvent = StateChanged | TermChanged | LetterRequested | CaseClosed | Migrated


@dataclass(frozen=True)
class Outcome:
    """What firing an event changed: the new case and the domain events, in the order they happened.

    Attributes:
        case: the challenge after the event.
        events: StateChanged first, then term changes, letters, and CaseClosed when it ended.
    """

    case: Case
    events: tuple[DomainEvent, ...]

    def of(self, kind: type) -> list:
        """The events of one kind, e.g. ``outcome.of(TermChanged)``."""
        return [e for e in self.events if isinstance(e, kind)]
