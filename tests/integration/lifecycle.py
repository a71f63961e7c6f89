"""Gouda's lifecycle (its definition follows the VNG model) step by step through the service, for the tests that
need a challenge in each state: the steps with the data each needs, who may fire a step, and a new challenge after
the first n steps."""

from __future__ import annotations

from typing import Any

from r2c.engine.case import Actor
from r2c.service import ChallengeService
from tests.integration.helpers import all_vereisten, submit

STAFF_ROLES = ("behandelaar", "teamleider", "college")


def lifecycle(service: ChallengeService, gemeente: str = "gouda") -> list[tuple[str, dict[str, Any] | None]]:
    """The steps of a full lifecycle after the submission (an incomplete one), with the data each needs."""
    d = service.definition_in_force(gemeente)
    goed = {k: {"oordeel": "voldoet", "motivering": "Uit het plan blijkt dit."} for k in d.criteria}
    return [("aanvulling_vragen", None), ("aanvullen", {"vereisten": all_vereisten(service, gemeente)}),
            ("in_behandeling_nemen", None), ("beoordelen", {"beoordelingen": goed}), ("voorleggen", None),
            ("toekennen", None), ("overeenkomst_sluiten", {"budget": "12500.00", "startdatum": "2026-06-01"}),
            ("voortgang_melden", {"voortgang": "Het loopt."}), ("verantwoorden", {"verantwoording": "Verslag."})]


def role_for(service: ChallengeService, challenge_id: str, event: str, gemeente: str = "gouda") -> str:
    """The first staff role that may fire ``event`` on the challenge now."""
    for rol in STAFF_ROLES:
        if event in [a.event for a in service.allowed_events(challenge_id, actor=Actor("x", rol, gemeente))]:
            return rol
    raise AssertionError(f"niemand mag {event}")


def driven(service: ChallengeService, steps: int, gemeente: str = "gouda") -> str:
    """A new challenge after the first ``steps`` steps of the lifecycle."""
    c = submit(service, gemeente).challenge
    for event, data in lifecycle(service, gemeente)[:steps]:
        rol = role_for(service, c.id, event, gemeente)
        service.fire(c.id, event, actor=Actor(f"t.{rol}", rol, gemeente), data=data)
    return c.id
