"""Through the service: the besluit follows the beoordeling (issue 13, item 6), on both databases."""

from __future__ import annotations

import pytest

from r2c.engine.case import Actor
from r2c.errors import GuardFailed
from tests.integration.helpers import submit

GEMEENTE = "gouda"


def fire(service, challenge, event: str, data=None, reason=None):
    definition = service.catalog.in_force(GEMEENTE, service.clock.now().date()).definition
    rol = definition.transities[event].rollen[0]
    return service.fire(challenge.id, event, actor=Actor(f"{rol}-1", rol, GEMEENTE), data=data, reason=reason,
                        expected_version=challenge.version).challenge


def voorgelegd(service, **oordelen: str):
    """A challenge before the college, every criterion 'voldoet' except those given."""
    challenge = submit(service, GEMEENTE, complete=True).challenge
    criteria = service.catalog.in_force(GEMEENTE, service.clock.now().date()).definition.criteria
    beoordelingen = {k: {"oordeel": oordelen.get(k, "voldoet"), "motivering": f"Getoetst: {k}."} for k in criteria}
    challenge = fire(service, challenge, "in_behandeling_nemen")
    challenge = fire(service, challenge, "beoordelen", {"beoordelingen": beoordelingen})
    return fire(service, challenge, "voorleggen"), criteria


def test_granting_after_every_criterion_meets(service) -> None:
    challenge, _ = voorgelegd(service)
    assert fire(service, challenge, "toekennen").fase == "overname"


def test_granting_is_refused_with_a_failing_criterion_and_the_message_names_it(service) -> None:
    challenge, criteria = voorgelegd(service, steun="voldoet_niet")
    with pytest.raises(GuardFailed) as refused:
        fire(service, challenge, "toekennen")
    assert criteria["steun"].label in str(refused.value) and "afwijking_motivering" in str(refused.value)
    assert service.get(challenge.id, actor=Actor("college-1", "college", GEMEENTE)).state == "besluit.voorgelegd"


def test_granting_with_a_motivated_departure_puts_the_departure_in_the_timeline(service) -> None:
    challenge, _ = voorgelegd(service, steun="voldoet_niet")
    motivering = "Het college weegt de steun in de buurt zwaarder dan de toets."
    granted = fire(service, challenge, "toekennen", {"afwijking_motivering": motivering})
    assert granted.fase == "overname"
    last = service.timeline(challenge.id, actor=Actor("college-1", "college", GEMEENTE))[-1]
    assert last.event == "toekennen" and last.data == {"afwijking_motivering": motivering}


def test_refusing_needs_a_criterion_that_fails(service) -> None:
    challenge, criteria = voorgelegd(service)
    with pytest.raises(GuardFailed) as refused:
        fire(service, challenge, "afwijzen", reason="Te duur.")
    assert "voldoet de aanvraag aan elk criterium" in str(refused.value)
    assert criteria["steun"].label in str(refused.value)
    failing, _ = voorgelegd(service, steun="voldoet_niet")
    refusal = fire(service, failing, "afwijzen", reason="Te weinig steun.")
    assert refusal.state in ("bezwaar.termijn", "afgesloten.afgewezen")
