"""Gouda's lifecycle (its definition follows the VNG model) step by step through the service, for the tests that
need a challenge in each state: the steps with the data each needs, who may fire a step, and a new challenge after
the first n steps."""

from __future__ import annotations

from typing import Any

from r2c.engine.case import Actor
from r2c.service import ChallengeService
from tests.integration.helpers import all_vereisten, submit

STAFF_ROLES = ("behandelaar", "teamleider", "college")
ALL_ROLES = (*STAFF_ROLES, "systeem")


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
    for rol in ALL_ROLES:
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


def branches(service: ChallengeService, gemeente: str = "gouda") -> list[list[tuple[str, dict[str, Any] | None]]]:
    """The lifecycle and its side paths (advies, kennismaking, zienswijze, refusal and bezwaar, the end of the
    uitvoering), so that every step open to staff shows up in some state."""
    d = service.definition_in_force(gemeente)
    main = lifecycle(service, gemeente)
    first = next(iter(d.criteria))
    fails = {k: {"oordeel": "voldoet", "motivering": "Uit het plan blijkt dit."} for k in d.criteria}
    fails[first] = {"oordeel": "voldoet_niet", "motivering": "Het plan is duurder dan nu."}
    to_beoordeling = main[:3]
    return [
        main,
        [*main, ("verantwoording_beoordeeld", None)],
        [*to_beoordeling, ("advies_vragen", None), ("advies_ontvangen", None)],
        [*to_beoordeling, ("kennismaking_plannen", None), ("kennismaking_gehouden", None)],
        [*to_beoordeling, ("beoordelen", {"beoordelingen": fails}), ("zienswijze_vragen", None),
         ("zienswijze_ontvangen", None), ("voorleggen", None), ("afwijzen", None), ("bezwaar_maken", None)],
    ]


def states(service: ChallengeService, gemeente: str = "gouda") -> list[list[tuple[str, dict[str, Any] | None]]]:
    """Every distinct prefix of the branches: the paths to each state the tests visit."""
    found: dict[tuple[str, ...], list[tuple[str, dict[str, Any] | None]]] = {}
    for path in branches(service, gemeente):
        for n in range(len(path) + 1):
            found.setdefault(tuple(e for e, _ in path[:n]), path[:n])
    return list(found.values())


def valid_data(service: ChallengeService, event: str, gemeente: str = "gouda") -> dict[str, Any]:
    """Valid data for every gegeven of ``event`` (all vereisten, every criterion 'voldoet', a date, an amount)."""
    definition = service.definition_in_force(gemeente)
    transitie = next((t for key, t in definition.transities.items() if (t.event or key) == event), None)
    examples = {"bedrag": "12500.00", "datum": "2026-06-01", "getal": 3, "ja_nee": True, "lijst": ["Eerste punt"]}
    data: dict[str, Any] = {}
    for name, spec in (transitie.gegevens.items() if transitie else ()):
        if spec.type == "vereisten":
            data[name] = list(definition.vereisten)
        elif spec.type == "beoordelingen":
            data[name] = {k: {"oordeel": "voldoet", "motivering": "Uit het plan blijkt dit."}
                          for k in definition.criteria}
        else:
            data[name] = examples.get(spec.type, "Een toelichting.")
    return data


def replay(service: ChallengeService, path: list[tuple[str, dict[str, Any] | None]], gemeente: str = "gouda") -> str:
    """A new challenge (an incomplete submission) after the steps of ``path``, each by a role that may fire it."""
    c = submit(service, gemeente).challenge
    for event, data in path:
        rol = role_for(service, c.id, event, gemeente)
        service.fire(c.id, event, actor=Actor(f"t.{rol}", rol, gemeente),
                     data=data if data is not None else valid_data(service, event, gemeente),
                     reason="Toelichting bij deze stap.")
    return c.id
