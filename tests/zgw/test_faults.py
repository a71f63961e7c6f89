"""The zaaksysteem down, overloaded or refusing: r2c retries what may work later, gives up with the API's reason on a
refusal, and never blocks the challenge; nothing is lost or doubled (counted at the stand-in)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from time_machine import escape_hatch

from r2c.service import Actor
from r2c.store.queue import retry_failed
from tests.zgw.test_channel import Story, zaak_of

EXPECTED = {"zaken": 1, "rollen": 1, "statussen": 1, "enkelvoudiginformatieobjecten": 1, "zaakinformatieobjecten": 1}


def until_sent(linked, rounds: int = 12) -> None:
    for _ in range(rounds):
        linked.run()
        if all(d.status == "verzonden" for d in linked.deliveries()):
            return
        linked.traveller.shift(timedelta(hours=6))  # past the longest backoff
    raise AssertionError([(d.status, d.last_error) for d in linked.deliveries()])


@pytest.mark.parametrize("kind", ["500", "429", "down", "lost"])
def test_a_zaaksysteem_that_is_down_or_busy_gets_the_step_later_once(linked, kind) -> None:
    standin = linked.standin
    standin.fail(kind, 3)
    story = Story(linked, "2026-01-12")
    linked.run()
    [delivery] = linked.deliveries()
    if kind != "lost":  # a lost answer may still end the step at the next call (found by its kenmerk)
        assert delivery.status == "wachtend" and delivery.attempts == 1 and delivery.last_error
    until_sent(linked)
    assert {k: v for k, v in standin.created.items()} == EXPECTED
    assert zaak_of(standin, story)["identificatie"] == story.challenge.kenmerk
    assert standin.violations == []


def test_a_refusal_is_given_up_with_the_apis_reason_and_sent_after_a_fix(linked, caplog) -> None:
    standin = linked.standin
    standin.published.clear()  # the zaaktype is still a concept: Open Zaak refuses new zaken on it
    caplog.set_level(logging.WARNING, logger="r2c.planner")
    story = Story(linked, "2026-01-12")
    linked.run()
    [delivery] = linked.deliveries()
    assert delivery.status == "mislukt" and delivery.attempts == 1
    assert "zaaktype: Het ZaakType is nog niet gepubliceerd" in delivery.last_error
    assert any("nog niet gepubliceerd" in r.getMessage() for r in caplog.records)

    story.do("2026-01-19", "aanvulling_vragen")  # the challenge goes on without the zaaksysteem
    linked.run()
    later = linked.deliveries()[1]
    assert later.status == "wachtend" and "wacht op 1 eerdere stap" in later.last_error

    standin.published.add(standin.zaaktype)  # the beheerder publishes it, then puts the step back
    with linked.service.units.write() as connection:
        assert retry_failed(connection, channel="zgw", challenge_id=story.challenge.id,
                            now=linked.service.clock.now()) == 1
    until_sent(linked)
    assert standin.created["zaken"] == 1
    assert zaak_of(standin, story)["opschorting"]["indicatie"] is True
    assert linked.service.get(story.challenge.id, actor=Actor("b", "behandelaar", "gouda")).version == 2


@pytest.mark.parametrize("zgw_database_url", ["sqlite"], indirect=True)
def test_a_step_waiting_for_a_failed_one_uses_up_no_attempts_and_follows_it_after_the_fix(linked, caplog) -> None:
    standin = linked.standin
    standin.published.clear()
    caplog.set_level(logging.WARNING, logger="r2c.planner")
    story = Story(linked, "2026-01-12")
    linked.run()
    story.do("2026-01-19", "aanvulling_vragen")
    for _ in range(linked.settings.max_pogingen + 2):  # longer than the attempts a step may use
        linked.run()
        linked.traveller.shift(timedelta(hours=1))
    first, later = linked.deliveries()
    assert first.status == "mislukt" and first.attempts == 1
    assert later.status == "wachtend" and later.attempts == 0 and "wacht op 1 eerdere stap" in later.last_error
    assert standin.created.get("statussen", 0) == 0
    refused = [r.getMessage() for r in caplog.records if "mislukt (poging" in r.getMessage()]
    assert refused and all("via zgw" in m and "<ontvanger>" not in m for m in refused)

    standin.published.add(standin.zaaktype)
    with linked.service.units.write() as connection:
        assert retry_failed(connection, channel="zgw", challenge_id=story.challenge.id,
                            now=linked.service.clock.now()) == 1
    until_sent(linked)
    assert [d.attempts for d in linked.deliveries()] == [1, 1]  # opnieuw counts the put-back step afresh
    assert standin.created["zaken"] == 1 and standin.violations == []
    assert zaak_of(standin, story)["opschorting"]["indicatie"] is True


@pytest.mark.parametrize("zgw_database_url", ["sqlite"], indirect=True)
def test_r2c_zgw_status_shows_what_failed_and_why_and_opnieuw_puts_it_back(linked, tmp_path) -> None:
    from tests.conftest import run_r2c

    linked.standin.published.clear()
    story = Story(linked, "2026-01-12")
    linked.run()
    story.do("2026-01-19", "aanvulling_vragen")
    linked.run()
    Story(linked, "2026-01-19")  # a second challenge, not yet distributed over the channels: behind as well
    env = {"R2C_DATABASE_URL": linked.settings.database_url}
    shown = run_r2c("zgw", "status", "--gemeente", "gouda", env=env)
    assert shown.returncode == 1, shown.stderr
    lines = shown.stdout.splitlines()
    assert lines[0] == "zgw (gouda): 0 verzonden, 1 achter, 1 mislukt"
    assert lines[1].startswith("Nog niet verdeeld over de kanalen: 1 bericht(en)")
    assert "Nog niet verdeeld" not in run_r2c("zgw", "status", "--gemeente", "vught", env=env).stdout
    failed = lines[lines.index(next(x for x in lines if x.startswith("Mislukt"))) + 1]
    assert story.challenge.kenmerk in failed and "stap 1 (uitdaging.transitie)" in failed
    assert "zaaktype: Het ZaakType is nog niet gepubliceerd" in failed
    assert "wacht op 1 eerdere stap" in shown.stdout  # the second step, behind
    delivery_id = failed.split()[0]

    wrong = run_r2c("zgw", "opnieuw", "999", env=env)
    assert wrong.returncode == 1 and "geen mislukte zgw-stap 999" in wrong.stderr and "Traceback" not in wrong.stderr
    bare = run_r2c("zgw", "opnieuw", env=env)
    assert bare.returncode == 1 and "geef het id van een mislukte stap" in bare.stderr
    put_back = run_r2c("zgw", "opnieuw", delivery_id, env=env)
    assert put_back.returncode == 0 and "1 stap(pen) terug in de wachtrij" in put_back.stdout
    linked.standin.published.add(linked.standin.zaaktype)
    # the command ran outside the time travel: it put the step back at the real 'now'
    linked.traveller.move_to(datetime.fromtimestamp(escape_hatch.time.time(), tz=timezone.utc) + timedelta(minutes=1))
    until_sent(linked)  # (a step that waited for the failed one comes after its backoff)
    after = run_r2c("zgw", "status", env=env)
    assert after.returncode == 0 and after.stdout.endswith(" verzonden, 0 achter, 0 mislukt\n"), after.stdout
    assert linked.standin.created["zaken"] == 2
    nothing = run_r2c("zgw", "opnieuw", "--alles", env=env)
    assert nothing.returncode == 1 and "er zijn geen mislukte zgw-stappen" in nothing.stderr
