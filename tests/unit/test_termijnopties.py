"""The term options of a definition, walked in memory (``r2c workflows proef``) on the real engine and term plan.

- ``start: volledig``: the beslistermijn counts from the complete request, versus the Awb 4:15 suspension;
- ``verlenging_ten_hoogste``: the behandelaar chooses the length of the verdaging, at most the maximum, once;
- ``dwangsom``: the two weeks after an ingebrekestelling (Awb 4:17) and the dwangsom owed after them.

The fixture gemeenten are tests/fixtures/termijnopties/termijnstad.yaml (12 weeks from the complete request,
verdaging ten hoogste 6 weken) and termijnstad-awb.yaml (the same 12 weeks, suspended during the aanvulling).
"""

from __future__ import annotations

import functools
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from r2c.clock import FixedClock
from r2c.definitions import load_catalog
from r2c.engine.case import Actor, Case, TermChanged
from r2c.engine.workflow import Workflow
from r2c.errors import TermijnError
from r2c.service.proef import Proef, begin, parse_stap
from r2c.service.terms import plan_term_changes
from r2c.termijnen import Termijn, beslistermijn, is_werkdag, opschorting_aanvulling
from tests.conftest import FIXTURES, MODEL_DIR, WORKFLOW_DIR

OPTIES = FIXTURES / "termijnopties"
INCOMPLETE = "indienen:vereisten=contactgegevens"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog([MODEL_DIR, WORKFLOW_DIR, OPTIES], base_paths=[])


def walk(catalog, gemeente: str, *steps: str, op: date) -> list[dict]:
    loaded, day = begin(catalog, gemeente, versie=None, op=op, vandaag=date(2030, 1, 1))
    return Proef(Workflow(loaded), day).walk([parse_stap(s) for s in steps])


def term(result: dict, name: str) -> dict:
    [found] = [t for t in result["termijnen"] if t["naam"] == name]
    return found


# -- start: volledig --------------------------------------------------------------------------------------

def test_counted_from_the_complete_request_versus_suspended_during_the_aanvulling(catalog) -> None:
    # Received Monday 9 February 2026, incomplete; asked the same day; completed Thursday 19 February.
    steps = (INCOMPLETE, "aanvulling_vragen", "+10d", "aanvullen")
    volledig = walk(catalog, "termijnstad", *steps, op=date(2026, 2, 9))
    awb = walk(catalog, "termijnstad-awb", *steps, op=date(2026, 2, 9))
    assert all("geweigerd" not in r for r in volledig + awb)
    # Before the aanvulling both count from receipt: 12 weeks from 9 February is Monday 4 May.
    assert term(volledig[0], "beslistermijn")["einddatum"] == term(awb[0], "beslistermijn")["einddatum"] == "2026-05-04"
    # From zero on 19 February: Hemelvaartsdag 14 May, the gelijkgestelde Friday 15 May, the weekend: Monday 18 May.
    assert term(volledig[-1], "beslistermijn")["einddatum"] == "2026-05-18"
    # Awb 4:15: suspended 10 up to 19 February, 9 days: Monday 4 May + 9 days = Wednesday 13 May.
    assert term(awb[-1], "beslistermijn")["einddatum"] == "2026-05-13"


def test_without_an_aanvulling_the_complete_request_is_the_one_received(catalog) -> None:
    # 12 weeks from Monday 2 March 2026 end on tweede Pinksterdag (25 May): Tuesday 26 May, both ways.
    for gemeente in ("termijnstad", "termijnstad-awb"):
        [result] = walk(catalog, gemeente, "indienen", op=date(2026, 3, 2))
        assert term(result, "beslistermijn")["einddatum"] == "2026-05-26"


def test_the_restart_is_explained_in_the_derivation(catalog) -> None:
    definition = catalog.get("termijnstad").definition
    running = plan(definition, [TermChanged("start", "beslistermijn", None)], [], date(2026, 2, 9)).inserts
    suspended = plan(definition, [TermChanged("opschorten", "beslistermijn", None)], rows(running), date(2026, 2, 9))
    resumed = plan(definition, [TermChanged("hervatten", "beslistermijn", None)],
                   rows(running, suspended.updates), date(2026, 2, 19))
    assert [u["status"] for u in resumed.updates.values()] == ["vervangen"]
    [fresh] = resumed.inserts
    assert fresh["started_on"] == date(2026, 2, 19) and fresh["einddatum"] == date(2026, 5, 18)
    uitleg = Termijn.uit_dict(fresh["termijn"]).bereken().uitleg
    assert "telt opnieuw vanaf het volledige verzoek ('aanvullen' op 2026-02-19)" in uitleg[0]


def test_start_on_a_stopped_term_begins_a_new_run_from_zero(catalog) -> None:
    definition = catalog.get("termijnstad-awb").definition
    first = plan(definition, [TermChanged("start", "beslistermijn", None)], [], date(2026, 3, 2)).inserts
    stopped = plan(definition, [TermChanged("stop", "beslistermijn", None)], rows(first), date(2026, 3, 10))
    assert [u["status"] for u in stopped.updates.values()] == ["gestopt"]
    # A stopped run is not open: the next start sees no run and counts 12 weeks from its own day.
    again = plan(definition, [TermChanged("start", "beslistermijn", None)], [], date(2026, 3, 16))
    assert again.updates == {} and again.inserts[0]["einddatum"] == date(2026, 6, 8)
    # A running (or suspended) one is replaced that day.
    replaced = plan(definition, [TermChanged("start", "beslistermijn", None)], rows(first), date(2026, 3, 16))
    assert [u["status"] for u in replaced.updates.values()] == ["vervangen"]
    assert replaced.inserts[0]["einddatum"] == date(2026, 6, 8)


@settings(max_examples=200, deadline=None)
@given(ontvangen=st.dates(date(2024, 1, 1), date(2027, 12, 31)), wacht=st.integers(0, 20),
       aanvullen=st.integers(1, 40))
def test_from_the_complete_request_never_ends_earlier_than_suspended(ontvangen, wacht, aanvullen) -> None:
    verzoek = ontvangen + timedelta(days=wacht)
    aangevuld = verzoek + timedelta(days=aanvullen)
    awb = beslistermijn(ontvangen=ontvangen, verordening="12 weken").opschorten(
        opschorting_aanvulling(verzoek=verzoek, aangevuld=aangevuld)).einddatum()
    volledig = Termijn(start=aangevuld, duur="12 weken").einddatum()
    # Before the Atw, counting from the complete request ends later by the days from receipt to the request, plus
    # the day of completion (it counts again under Awb 4:15, but starts the new count the day after it). The Atw
    # may then move either end to the next working day (at most five days: Christmas with a gelijkgestelde dag).
    raw_awb = ontvangen + timedelta(weeks=12, days=max(0, aanvullen - 1))
    raw_volledig = aangevuld + timedelta(weeks=12)
    assert raw_volledig - raw_awb == timedelta(days=wacht + 1)
    slack = timedelta(days=5)
    assert raw_awb <= awb <= raw_awb + slack and raw_volledig <= volledig <= raw_volledig + slack
    assert awb <= volledig
    assert is_werkdag(awb) and is_werkdag(volledig)  # 12 weeks is under the Atw (art. 4: at most 12 weeks)


@settings(max_examples=100, deadline=None)
@given(ontvangen=st.dates(date(2025, 1, 1), date(2027, 12, 31)), aanvullen=st.integers(1, 40))
def test_the_term_plan_restarts_exactly_as_the_arithmetic_says(ontvangen, aanvullen) -> None:
    definition = termijnstad()
    aangevuld = ontvangen + timedelta(days=aanvullen)
    first = plan(definition, [TermChanged("start", "beslistermijn", None)], [], ontvangen).inserts
    suspended = plan(definition, [TermChanged("opschorten", "beslistermijn", None)], rows(first), ontvangen)
    resumed = plan(definition, [TermChanged("hervatten", "beslistermijn", None)], rows(first, suspended.updates),
                   aangevuld)
    assert resumed.inserts[0]["einddatum"] == Termijn(start=aangevuld, duur="12 weken").einddatum()


@functools.cache
def termijnstad():
    return load_catalog([MODEL_DIR, OPTIES], base_paths=[]).get("termijnstad").definition


def plan(definition, changes, running, on):
    return plan_term_changes(running=running, challenge_id="c", gemeente=definition.id, definition=definition,
                             changes=changes, on=on, artikel=None, event="aanvullen")


def rows(inserts, updates=None):
    out = []
    for number, row in enumerate(inserts, start=1):
        full = {"id": number, "suspended_from": None, "suspension_basis": None, "stopped_on": None,
                "processed_until": None, **row}
        full.update((updates or {}).get(number, {}))
        out.append(full)
    return out


# -- verdaging ten hoogste ----------------------------------------------------------------------------------

def test_the_behandelaar_chooses_the_length_up_to_the_maximum(catalog) -> None:
    # 12 weeks from 2 March 2026: Monday 25 May before the Atw; + 4 weeks = Monday 22 June.
    *_, verdaagd = walk(catalog, "termijnstad", "indienen", "verdagen:verlenging=4", op=date(2026, 3, 2))
    assert "geweigerd" not in verdaagd
    assert term(verdaagd, "beslistermijn")["einddatum"] == "2026-06-22"
    assert [b["brief"] for b in verdaagd["brieven"]] == ["verdagingsbericht"]
    *_, most = walk(catalog, "termijnstad", "indienen", "verdagen:verlenging=6", op=date(2026, 3, 2))
    assert term(most, "beslistermijn")["einddatum"] == "2026-07-06"


@pytest.mark.parametrize("given, wrong", [
    ("7", "7 weken is meer dan het maximum van 6 weken"),
    ("0", "0 weken kan niet"),
    ("-2", "-2 weken kan niet"),
    ("2.5", "'2.5' is geen heel aantal weken"),
])
def test_a_length_above_the_maximum_or_not_positive_is_refused_naming_the_maximum(catalog, given, wrong) -> None:
    *_, refused = walk(catalog, "termijnstad", "indienen", f"verdagen:verlenging={given}", op=date(2026, 3, 2))
    assert wrong in refused["geweigerd"]
    assert "geef 1 tot en met 6 weken: de verordening staat ten hoogste 6 weken toe" in refused["geweigerd"]
    assert term(refused, "beslistermijn")["einddatum"] == "2026-05-26"  # nothing changed


def test_a_second_verdaging_is_refused(catalog) -> None:
    *_, second = walk(catalog, "termijnstad", "indienen", "verdagen:verlenging=2", "verdagen:verlenging=2",
                      op=date(2026, 3, 2))
    assert "de beslistermijn is al eens verdaagd; deze procedure staat dat één keer toe" in second["geweigerd"]
    assert term(second, "beslistermijn")["einddatum"] == "2026-06-08"


def test_the_chosen_length_is_in_the_outbox_summary_for_the_letter(catalog) -> None:
    definition = catalog.get("termijnstad").definition
    workflow = Workflow(catalog.get("termijnstad"))
    case = Case("termijnstad", "1", "indiening.ontvangen")
    outcome = workflow.fire(case, "verdagen", actor=Actor("b", "behandelaar"), data={"verlenging": 3},
                            reason="Advies van de wijkraad.",
                            clock=FixedClock(datetime(2026, 3, 10, 9, tzinfo=timezone.utc)))
    [change] = outcome.of(TermChanged)
    assert (change.action, change.duur) == ("verlengen", "3 weken")
    first = plan(definition, [TermChanged("start", "beslistermijn", None)], [], date(2026, 3, 2)).inserts
    extended = plan(definition, [change], rows(first), date(2026, 3, 10))
    assert extended.summaries == [{"termijn": "beslistermijn", "actie": "verlengen", "einddatum": "2026-06-15",
                                   "verlenging": "3 weken"}]


def test_without_ten_hoogste_the_length_is_the_definitions(catalog) -> None:
    *_, verdaagd = walk(catalog, "termijnstad-awb", "indienen", "verdagen", op=date(2026, 3, 2))
    # the model's 'verlenging: 8 weken': Monday 25 May + 8 weeks = Monday 20 July
    assert term(verdaagd, "beslistermijn")["einddatum"] == "2026-07-20"


# -- niet tijdig beslissen: ingebrekestelling and dwangsom ---------------------------------------------------

LAPSED = ("indienen", "in_behandeling_nemen", "+60d")  # the beslistermijn of 2 March 2026 ends Tuesday 28 April


def test_in_gebreke_stellen_before_the_beslistermijn_lapsed_is_refused(catalog) -> None:
    # 12 weeks from Monday 2 February 2026 end on Koningsdag (27 April): Tuesday 28 April
    *_, refused = walk(catalog, "termijnstad-awb", "indienen", "in_gebreke_stellen@initiatiefnemer",
                       op=date(2026, 2, 2))
    assert ("is te vroeg: de beslistermijn loopt tot en met 2026-04-28; in gebreke stellen kan pas daarna "
            "(Awb 4:17 lid 3)") in refused["geweigerd"]
    # While the request is being completed the model offers no ingebrekestelling; the term plan refuses it too.
    *_, suspended = walk(catalog, "termijnstad-awb", INCOMPLETE, "aanvulling_vragen", "+5d",
                         "in_gebreke_stellen@initiatiefnemer", op=date(2026, 2, 2))
    assert "'in_gebreke_stellen' kan niet in staat 'ontvankelijkheid.aanvulling_gevraagd'" in suspended["geweigerd"]
    definition = catalog.get("termijnstad-awb").definition
    first = plan(definition, [TermChanged("start", "beslistermijn", None)], [], date(2026, 2, 2)).inserts
    stil = plan(definition, [TermChanged("opschorten", "beslistermijn", None)], rows(first), date(2026, 2, 2))
    with pytest.raises(TermijnError, match=r"staat stil sinds 2026-02-03 \(Awb 4:15\); de gemeente is dus niet te"):
        plan(definition, [TermChanged("start", "ingebrekestelling", None)], rows(first, stil.updates),
             date(2026, 6, 1))
    with pytest.raises(TermijnError, match="de beslistermijn loopt niet \\(meer\\)"):
        plan(definition, [TermChanged("start", "ingebrekestelling", None)], [], date(2026, 6, 1))


def test_the_ingebrekestelling_starts_two_weeks_and_warns_the_teamleider_at_once(catalog) -> None:
    # Received Friday 1 May 2026: two weeks end on Friday 15 May, a gelijkgestelde dag, so Monday 18 May.
    *_, fired = walk(catalog, "vught", *LAPSED, "in_gebreke_stellen@initiatiefnemer", op=date(2026, 3, 2))
    assert fired["dag"] == "2026-05-01" and "geweigerd" not in fired
    assert term(fired, "ingebrekestelling")["einddatum"] == "2026-05-18"
    assert {(b["brief"], b["aan"]) for b in fired["brieven"]} == {("ingebrekestelling", "initiatiefnemer"),
                                                                  ("ingebrekestelling_melding", "teamleider")}
    assert term(fired, "ingebrekestelling")["dwangsom"]["verbeurd"] == 0


def test_the_dwangsom_accrues_per_day_by_the_shipped_amounts(catalog) -> None:
    *_, later = walk(catalog, "vught", *LAPSED, "in_gebreke_stellen@initiatiefnemer", "+32d", op=date(2026, 3, 2))
    owed = term(later, "ingebrekestelling")["dwangsom"]
    # From Tuesday 19 May up to and including Tuesday 2 June: 14 days at 23 euros, 1 at 35.
    assert (owed["tot_en_met"], owed["verbeurd"], owed["maximum"]) == ("2026-06-02", 357, 1442)
    assert "Per dag (Awb 4:17 lid 2): 14 × € 23 = € 322; 1 × € 35 = € 35." in owed["uitleg"]
    *_, capped = walk(catalog, "vught", *LAPSED, "in_gebreke_stellen@initiatiefnemer", "+100d", op=date(2026, 3, 2))
    owed = term(capped, "ingebrekestelling")["dwangsom"]
    assert owed["verbeurd"] == 1442
    assert "Verbeurd tot en met 2026-06-29: € 1.442 (ten hoogste € 1.442)." in owed["uitleg"]


def test_a_second_ingebrekestelling_is_refused_and_the_besluit_stops_it(catalog) -> None:
    *_, twice = walk(catalog, "vught", *LAPSED, "in_gebreke_stellen@initiatiefnemer", "+2d",
                     "in_gebreke_stellen@behandelaar", op=date(2026, 3, 2))
    assert "de gemeente is al op 2026-05-01 in gebreke gesteld" in twice["geweigerd"]
    *_, besluit = walk(catalog, "vught", *LAPSED, "in_gebreke_stellen@initiatiefnemer", "+20d", "beoordelen",
                       "voorleggen", "toekennen", op=date(2026, 3, 2))
    assert "geweigerd" not in besluit and besluit["staat"]["code"] == "overname.voorbereiden"
    assert [t["naam"] for t in besluit["termijnen"]] == []


def test_a_verdaging_before_the_request_is_complete_stays_with_the_new_count(catalog) -> None:
    # Verdaagd by 3 weeks while suspended; completed Thursday 19 February: Thursday 14 May + 3 weeks = 4 June.
    *_, done = walk(catalog, "termijnstad", INCOMPLETE, "aanvulling_vragen", "verdagen:verlenging=3", "+10d",
                    "aanvullen", op=date(2026, 2, 9))
    assert "geweigerd" not in done and term(done, "beslistermijn")["einddatum"] == "2026-06-04"


def test_after_an_unused_hersteltermijn_the_later_aanvulling_counts_from_zero_again(catalog) -> None:
    # The hersteltermijn of 9 February ends 23 February; the system resumes (restarts) the term on 24 February.
    # Completed on Thursday 5 March: 12 weeks to Thursday 28 May.
    *_, done = walk(catalog, "termijnstad", INCOMPLETE, "aanvulling_vragen", "+24d", "aanvullen",
                    op=date(2026, 2, 9))
    assert done["dag"] == "2026-03-05" and term(done, "beslistermijn")["einddatum"] == "2026-05-28"
