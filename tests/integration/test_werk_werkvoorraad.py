"""The werkvoorraad page (r2c.web.werkvoorraad) on a real service and database: tabs, search, the deadline light
as text by werkdagen (R2C_SIGNAAL_WERKDAGEN), on whom it waits, and the thresholds' arithmetic."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from r2c.engine.case import Actor
from r2c.settings import load_settings, signal_thresholds
from r2c.termijnen import is_werkdag
from r2c.web.pages import mount_static
from r2c.web.staff import Staff
from r2c.web.uitdaging import werk_routers
from r2c.web.werkvoorraad import light, werkdagen_tot
from tests.integration.helpers import submit

JANSEN = Staff("b.jansen", "B. Jansen", "b.jansen@gouda.nl", "gouda", ("behandelaar",), "behandelaar")


def client(service, person: Staff = JANSEN, **settings) -> TestClient:
    app = FastAPI()
    mount_static(app)
    for router in werk_routers(service, None, load_settings(**settings), staff=lambda: person):
        app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


def test_empty_werkvoorraad_says_so(service) -> None:
    page = client(service).get("/werkvoorraad")
    assert page.status_code == 200 and "Er zijn hier geen uitdagingen." in page.text


def test_tabs_search_and_the_light_as_text(service) -> None:
    tuin = submit(service, titel="Buurttuin").challenge
    submit(service, titel="Speeltuin")
    service.assign(tuin.id, behandelaar="b.jansen", actor=Actor("b.jansen", "behandelaar", "gouda"))
    web = client(service)
    alle = web.get("/werkvoorraad?tab=open").text
    assert "Buurttuin" in alle and "Speeltuin" in alle
    assert "Op tijd: 2" in alle and "<td class=\"utrecht-table__cell\">gemeente</td>" in alle  # the beslistermijn runs: the gemeente acts
    mijn = web.get("/werkvoorraad?tab=mijn").text
    assert "Buurttuin" in mijn and "Speeltuin" not in mijn
    vrij = web.get("/werkvoorraad?tab=niet_toegewezen").text
    assert "Speeltuin" in vrij and "Buurttuin" not in vrij
    gezocht = web.get("/werkvoorraad?tab=open&zoek=speel").text
    assert "Speeltuin" in gezocht and "Buurttuin" not in gezocht
    assert "Buurttuin" in web.get(f"/werkvoorraad?zoek={tuin.kenmerk}").text
    assert "Er zijn hier geen uitdagingen." in web.get("/werkvoorraad?tab=afgesloten").text


def test_the_light_turns_red_at_the_gemeente_s_threshold(service) -> None:
    submit(service, titel="Buurttuin")
    red = client(service, signaal_werkdagen="100,90;gouda=200,150").get("/werkvoorraad").text
    assert "Bijna verlopen: 1" in red and ">Bijna verlopen</span>" in red
    green = client(service, signaal_werkdagen="10,3;vught=200,150").get("/werkvoorraad").text
    assert "Bijna verlopen: 0" in green and ">Op tijd</span>" in green


def test_bad_query_parameters_are_no_500(service) -> None:
    submit(service)
    for query in ("tab=x", "pagina=-3", "pagina=abc", "zoek=%25_%5C", "pagina=99999999999"):
        assert client(service).get(f"/werkvoorraad?{query}").status_code == 200, query


@given(start=st.dates(date(2026, 1, 1), date(2027, 12, 1)), days=st.integers(0, 60),
       oranje=st.integers(0, 20), rood=st.integers(0, 20))
def test_the_light_follows_the_werkdagen_left(start, days, oranje, rood) -> None:
    oranje, rood = max(oranje, rood), min(oranje, rood)
    end = start + timedelta(days=days)
    left = sum(1 for n in range(1, days + 1) if is_werkdag(start + timedelta(days=n)))
    assert werkdagen_tot(start, end) == left
    expected = "rood" if left <= rood else "oranje" if left <= oranje else "groen"
    assert light(end, start, (oranje, rood)) == expected
    assert light(start - timedelta(days=1), start, (oranje, rood)) == "verstreken"


def test_thresholds_per_gemeente_and_their_errors() -> None:
    assert signal_thresholds("10,3", "gouda") == (10, 3)
    assert signal_thresholds("10,3;gouda=8,2", "gouda") == (8, 2)
    assert signal_thresholds("gouda=8,2;10,3", "vught") == (10, 3)
    for bad in ("tien", "3,10", "1,2,3"):
        with pytest.raises(ValueError):
            signal_thresholds(bad, "gouda")
