"""The engine: machines built from definitions, voorwaarden as conditions, domain events. No I/O.

Core package: imports no web, database or scheduler framework.
"""

from r2c.engine.case import (
    Actor, Case, CaseClosed, DomainEvent, LetterRequested, Migrated, Outcome, StateChanged, TermChanged,
)
from r2c.engine.registry import Engine
from r2c.engine.workflow import Workflow

__all__ = [
    "Actor", "Case", "CaseClosed", "DomainEvent", "Engine", "LetterRequested", "Migrated", "Outcome",
    "StateChanged", "TermChanged", "Workflow",
]
