"""The engine facade: one compiled Workflow per definition version, built once and shared."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from r2c.bulk import collector_paused
from r2c.clock import Clock, today
from r2c.definitions.catalog import Catalog
from r2c.engine.case import Actor, Case, Outcome
from r2c.engine.workflow import Workflow


class Engine:
    """Compiles each definition version into a Workflow on first use and keeps it.

    Attributes:
        catalog: the loaded definitions.
        clock: where ``fire`` takes its time from.
    """

    def __init__(self, catalog: Catalog, clock: Clock):
        self.catalog = catalog
        self.clock = clock
        self._workflows: dict[str, Workflow] = {}

    def workflow(self, ident: str, versie: str | None = None) -> Workflow:
        """The compiled workflow of ``ident`` at ``versie`` (default: newest)."""
        loaded = self.catalog.get(ident, versie)
        key = loaded.definition.key
        wf = self._workflows.get(key)
        if wf is None:
            wf = self._workflows[key] = Workflow(loaded)
        return wf

    def build_all(self) -> int:
        """Compile every version now (at start-up, so errors show early); returns how many."""
        with collector_paused():
            for loaded in self.catalog:
                self.workflow(loaded.definition.id, loaded.definition.versie)
        return len(self._workflows)

    def new_case(self, ident: str, *, on: date | None = None) -> Case:
        """A new challenge for ``ident`` on the version in force ``on`` (default: today by the clock)."""
        loaded = self.catalog.in_force(ident, on or today(self.clock))
        return self.workflow(ident, loaded.definition.versie).start()

    def fire(self, case: Case, event: str, *, actor: Actor, data: Mapping[str, Any] | None = None,
             reason: str | None = None) -> Outcome:
        """Fire ``event`` on ``case`` with the case's own definition version."""
        return self.workflow(case.workflow, case.versie).fire(
            case, event, actor=actor, clock=self.clock, data=data, reason=reason)

    def allowed_events(self, case: Case, rol: str) -> list[str]:
        """The events ``rol`` may fire now."""
        return self.workflow(case.workflow, case.versie).allowed_events(case, rol)

    def blocked_by(self, case: Case, event: str, rol: str, *, data: Mapping[str, Any] | None = None,
                   reason: str | None = None) -> list[str]:
        """Why ``event`` would be refused now for ``rol``; empty when it would pass."""
        return self.workflow(case.workflow, case.versie).blocked_by(case, event, rol, data=data, reason=reason)

    def migrate(self, case: Case, versie: str, *, actor: Actor, reason: str) -> Outcome:
        """Move a running case to ``versie`` through that version's recorded state mapping."""
        return self.workflow(case.workflow, versie).migrate_from(case, actor=actor, clock=self.clock, reason=reason)
