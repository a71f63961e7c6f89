"""The challenge service: r2c's public embedding API (no web server needed).

    from r2c.service import ChallengeService, Initiatiefnemer
    from r2c.store import Database

Everything a host needs is exported here; see docs/embedding.md.
"""

from r2c.engine.case import Actor
from r2c.engine.access import READ_ONLY_ROLES, Policy
from r2c.service.challenges import ChallengeService, Limits
from r2c.service.privacy import erase, retention_due
from r2c.service.werkvoorraad import Worklist, WorklistFilter, WorklistRow
from r2c.service.views import (
    AllowedEvent, Challenge, Document, Fired, HistoryEntry, Initiatiefnemer, Letter, Page, RetentionDue, SearchFilters,
    TermView, Upload,
)

__all__ = [
    "Actor", "AllowedEvent", "Challenge", "ChallengeService", "Document", "Fired", "HistoryEntry",
    "Initiatiefnemer", "Letter", "Limits", "Page", "Policy", "READ_ONLY_ROLES", "RetentionDue", "SearchFilters", "TermView", "Upload", "Worklist", "WorklistFilter", "WorklistRow", "erase",
    "retention_due",
]
