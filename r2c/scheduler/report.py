"""What a planner job did: ``Report``, shared by every job (r2c.scheduler.jobs, r2c.scheduler.digest)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Report:
    """What a job did.

    Attributes:
        done: how many items it handled (terms, outbox rows or deliveries), including those it put off.
        queued: outbox rows or deliveries it wrote.
        fired: events fired, as 'challenge_id: event'.
        refused: events the workflow refused (the challenge had moved on), as 'challenge_id: event: reason'.
        skipped: terms that could not be handled and were put off to the next day, as 'challenge_id: term: reason'.
        sent, retried, failed: delivery outcomes.
    """

    done: int = 0
    queued: int = 0
    fired: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    sent: int = 0
    retried: int = 0
    failed: int = 0

    def summary(self) -> str:
        """One Dutch line for a beheerder: what the job did, and whether anything was put off."""
        line = (f"{self.done} behandeld, {self.queued} in de wachtrij, {self.sent} verstuurd, "
                f"{self.retried} later opnieuw, {self.failed} mislukt, {len(self.fired)} event(s)")
        return line + (f", {len(self.skipped)} overgeslagen (zie het log)" if self.skipped else "")
