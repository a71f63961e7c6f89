"""The initiatiefnemer reacts in the evaluation from the status page (issue 15): the step is offered only while
the evaluation runs, the reaction is recorded for the behandelaar and the college, and the page shows it was sent."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from r2c.engine.case import Actor
from r2c.exports.letters import Letters
from r2c.notify.routing import Router
from r2c.settings import Settings
from r2c.web.bewoner import step_router
from r2c.web.status import status_router
from tests.conftest import ROOT
from tests.integration.helpers import behandelaar, submit
from tests.integration.lifecycle import lifecycle, role_for

STEP = "reageren_op_evaluatie"


def test_the_resident_reacts_in_the_evaluation_and_the_page_says_it_was_sent(service) -> None:
    fired = submit(service)
    c, token = fired.challenge, fired.status_token
    app = FastAPI()
    app.include_router(status_router(service, Letters(service, Router(Settings(huisstijl=ROOT / "huisstijl"),
                                                                       service.catalog))))
    app.include_router(step_router(service, limit="100/minute"))
    web = TestClient(app, raise_server_exceptions=False)
    assert f"/stap/{STEP}" not in web.get(f"/status/{token}").text  # not before the evaluation
    for event, data in lifecycle(service) + [("verantwoording_beoordeeld", None)]:
        rol = role_for(service, c.id, event)
        service.fire(c.id, event, actor=Actor(f"t.{rol}", rol, "gouda"), data=data)
    page = web.get(f"/status/{token}").text
    assert "Uw reactie op de evaluatie sturen" in page and f"/stap/{STEP}" in page
    form = web.get(f"/status/{token}/stap/{STEP}").text
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    empty = web.post(f"/status/{token}/stap/{STEP}", data=fields)
    assert empty.status_code == 422 and "reactie" in empty.text.lower()
    name = re.findall(r'<textarea[^>]*name="([^"]+)"', form)[0]  # the reactie, before any optional toelichting
    sent = web.post(f"/status/{token}/stap/{STEP}", data=fields | {name: "Het ging goed; de buurt hielp mee."},
                    follow_redirects=False)
    assert sent.status_code == 303, sent.text
    after = web.get(sent.headers["location"]).text
    assert "Verstuurd:</strong> Uw reactie op de evaluatie sturen" in after, re.findall(r"Verstuurd.{0,120}", after)
    seen = service.get(c.id, actor=behandelaar())
    assert seen.state == "evaluatie.beoordelen" and seen.facts["reactie"] == "Het ging goed; de buurt hielp mee."


def test_a_step_that_needs_a_reason_is_offered_and_its_form_asks_why(service) -> None:
    """afzien (the VNG model: not taking the task over after all) needs a motivering: the page offers it, the form
    asks why as a required field, and without an answer the error stands by that field."""
    fired = submit(service)
    c, token = fired.challenge, fired.status_token
    app = FastAPI()
    app.include_router(status_router(service, Letters(service, Router(Settings(huisstijl=ROOT / "huisstijl"),
                                                                       service.catalog))))
    app.include_router(step_router(service, limit="100/minute"))
    web = TestClient(app, raise_server_exceptions=False)
    for event, data in lifecycle(service):
        if service.get(c.id, actor=behandelaar()).state == "overname.voorbereiden":
            break
        rol = role_for(service, c.id, event)
        service.fire(c.id, event, actor=Actor(f"t.{rol}", rol, "gouda"), data=data)
    assert service.get(c.id, actor=behandelaar()).state == "overname.voorbereiden"
    page = web.get(f"/status/{token}").text
    assert "De taak toch niet overnemen" in page and "/stap/afzien" in page
    form = web.get(f"/status/{token}/stap/afzien").text
    assert "Waarom? Schrijf het kort op." in form and re.search(r'<textarea[^>]*name="reden"[^>]*required', form)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    empty = web.post(f"/status/{token}/stap/afzien", data=fields)
    assert empty.status_code == 422 and 'id="reden-fout"' in empty.text
    assert service.get(c.id, actor=behandelaar()).state == "overname.voorbereiden"
    sent = web.post(f"/status/{token}/stap/afzien", data=fields | {"reden": "Er zijn te weinig vrijwilligers."},
                    follow_redirects=False)
    assert sent.status_code == 303, sent.text
    assert service.get(c.id, actor=behandelaar()).state == "afgesloten.ingetrokken"
