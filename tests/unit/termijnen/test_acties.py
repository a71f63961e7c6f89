"""Term actions (r2c.termijnen.acties): what start, stop, opschorten, hervatten and verlengen do to a term."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from r2c.errors import TermijnError
from r2c.termijnen import (
    Duur, Opschorting, Termijn, TermState, Unit, apply, hervatten, is_werkdag, opschorten, start, stop, verlengen,
    vervangen,
)

# ma 2 februari 2026 + 8 weken = ma 30 maart 2026 (a working day, no Atw shift)
BESLIS = Termijn(start=date(2026, 2, 2), duur=Duur(8, Unit.WEKEN), atw=True, naam="beslistermijn",
                 grondslag="verordening art. 5")


def running() -> TermState:
    return start(BESLIS).state


def test_start_runs_the_term_to_its_end_date() -> None:
    gevolg = start(BESLIS)
    assert gevolg.actie == "start"
    assert gevolg.state == TermState(termijn=BESLIS, status="lopend", einddatum=date(2026, 3, 30))
    assert "2026-03-30" in gevolg.toelichting and "verordening art. 5" in gevolg.toelichting
    assert "Atw" in gevolg.toelichting


def test_start_of_a_term_that_ends_on_a_holiday_ends_on_the_next_working_day_atw() -> None:
    # ma 30 maart + 4 weken = ma 27 april 2026, Koningsdag (Atw art. 3): di 28 april
    termijn = Termijn(start=date(2026, 3, 30), duur=Duur(4, Unit.WEKEN), atw=True, naam="t")
    assert start(termijn).state.einddatum == date(2026, 4, 28)


def test_vervangen_ends_the_old_run_on_the_day() -> None:
    gevolg = vervangen(running(), on=date(2026, 2, 10))
    assert (gevolg.actie, gevolg.state.status, gevolg.state.stopped_on) == ("vervangen", "vervangen", date(2026, 2, 10))


def test_stop_on_a_suspended_term_stops_it_and_keeps_its_history() -> None:
    suspended = opschorten(running(), on=date(2026, 2, 10), event="vraag_aanvulling")
    assert suspended is not None
    gevolg = stop(suspended.state, on=date(2026, 2, 12))
    assert gevolg is not None
    assert gevolg.state.status == "gestopt"
    assert gevolg.state.stopped_on == date(2026, 2, 12)
    assert gevolg.state.einddatum is None
    assert gevolg.state.termijn is suspended.state.termijn


def test_opschorten_then_hervatten_adds_the_suspended_days_awb_4_15() -> None:
    suspended = opschorten(running(), on=date(2026, 2, 10), event="vraag_aanvulling")
    assert suspended is not None
    # Awb 4:15 lid 1: suspended from the day after the request
    assert suspended.state.status == "opgeschort"
    assert suspended.state.suspended_from == date(2026, 2, 11)
    assert suspended.state.einddatum is None
    assert suspended.state.suspension_basis == "Awb 4:15 (vraag_aanvulling)"
    assert "Awb 4:15" in suspended.toelichting

    resumed = hervatten(suspended.state, on=date(2026, 2, 20), event="aangevuld")
    assert resumed is not None
    # 11 up to 20 februari: 9 days suspended; 30 maart + 9 = wo 8 april 2026
    assert resumed.state.status == "lopend"
    assert resumed.state.einddatum == date(2026, 4, 8)
    assert (resumed.state.suspended_from, resumed.state.suspension_basis) == (None, None)
    assert resumed.state.termijn.als_dict()["opschortingen"] == [
        {"van": "2026-02-11", "tot": "2026-02-20", "grondslag": "Awb 4:15",
         "omschrijving": "opgeschort bij Awb 4:15 (vraag_aanvulling), hervat bij 'aangevuld'"}]
    assert "9 opgeschorte" in resumed.toelichting


def test_opschorten_cites_the_transitions_own_article() -> None:
    suspended = opschorten(running(), on=date(2026, 2, 10), artikel="verordening art. 7", event="e")
    assert suspended is not None and suspended.state.suspension_basis == "verordening art. 7 (e)"


def test_hervatten_on_the_day_of_opschorten_suspends_nothing() -> None:
    suspended = opschorten(running(), on=date(2026, 2, 10), event="e")
    assert suspended is not None
    resumed = hervatten(suspended.state, on=date(2026, 2, 10), event="e")
    assert resumed is not None
    assert resumed.state.status == "lopend"
    assert resumed.state.einddatum == date(2026, 3, 30)
    assert resumed.state.termijn.opschortingen == ()


def test_verlengen_a_running_term_moves_its_end_date_awb_4_14() -> None:
    gevolg = verlengen(running(), on=date(2026, 3, 1), duur="4 weken", event="verdagen")
    assert gevolg is not None
    # 30 maart + 4 weken = ma 27 april, Koningsdag: di 28 april (Atw)
    assert gevolg.state.einddatum == date(2026, 4, 28)
    assert gevolg.state.termijn.als_dict()["verlengingen"] == [
        {"aangekondigd": "2026-03-01", "duur": "4 weken", "grondslag": "Awb 4:14", "omschrijving": "verdaging (verdagen)"}]
    assert "Awb 4:14" in gevolg.toelichting


def test_verlengen_a_suspended_term_counts_when_it_resumes() -> None:
    suspended = opschorten(running(), on=date(2026, 2, 10), event="e")
    assert suspended is not None
    extended = verlengen(suspended.state, on=date(2026, 2, 12), duur="2 weken", artikel="verordening art. 8", event="v")
    assert extended is not None
    assert extended.state.status == "opgeschort" and extended.state.einddatum is None
    assert extended.state.termijn.verlengingen[0].grondslag == "verordening art. 8"
    resumed = hervatten(extended.state, on=date(2026, 2, 20), event="e")
    assert resumed is not None
    # 30 maart + 9 suspended days + 2 weken = wo 22 april 2026
    assert resumed.state.einddatum == date(2026, 4, 22)


def test_verlengen_twice_too_late_or_without_duur_is_an_error() -> None:
    once = verlengen(running(), on=date(2026, 3, 1), duur="4 weken")
    assert once is not None
    with pytest.raises(TermijnError, match="maar één keer"):
        verlengen(once.state, on=date(2026, 3, 2), duur="4 weken")
    with pytest.raises(TermijnError, match="te laat"):
        verlengen(running(), on=date(2026, 3, 31), duur="4 weken")
    with pytest.raises(TermijnError, match="zegt niet met hoeveel"):
        verlengen(running(), on=date(2026, 3, 1), duur=None)


def test_actions_that_do_not_apply_are_no_ops() -> None:
    suspended = opschorten(running(), on=date(2026, 2, 10))
    assert suspended is not None
    assert opschorten(suspended.state, on=date(2026, 2, 11)) is None
    assert hervatten(running(), on=date(2026, 2, 11)) is None
    stopped = stop(running(), on=date(2026, 2, 11))
    assert stopped is not None
    assert stop(stopped.state, on=date(2026, 2, 12)) is None
    assert verlengen(stopped.state, on=date(2026, 2, 12), duur="4 weken") is None


def test_apply_dispatches_and_rejects_unknown_actions() -> None:
    gevolg = apply(running(), "opschorten", on=date(2026, 2, 10), event="e")
    assert gevolg is not None and gevolg.actie == "opschorten"
    verlengd = apply(running(), "verlengen", on=date(2026, 3, 1), verlenging="4 weken")
    assert verlengd is not None and verlengd.state.einddatum == date(2026, 4, 28)
    with pytest.raises(TermijnError, match="onbekende termijnactie"):
        apply(running(), "start", on=date(2026, 2, 10))


starts = st.dates(min_value=date(2023, 1, 1), max_value=date(2030, 12, 31))
calendar_duren = st.one_of(st.builds(Duur, st.integers(2, 120), st.just(Unit.DAGEN)),
                           st.builds(Duur, st.integers(1, 20), st.just(Unit.WEKEN)))


@settings(max_examples=200, deadline=None)
@given(begin=starts, duur=calendar_duren, offset=st.integers(0, 400), k=st.integers(0, 90))
def test_opschorten_and_hervatten_after_k_days_shifts_the_end_by_the_suspended_days(
        begin: date, duur: Duur, offset: int, k: int) -> None:
    # without the Atw, a calendar-day term moves by exactly the suspended days: the day after the request up to
    # (not including) the day it resumes, k - 1 days for k >= 1
    first = start(Termijn(start=begin, duur=duur, atw=False, naam="t")).state
    assert first.einddatum is not None
    on = begin + timedelta(days=offset % (first.einddatum - begin).days)
    suspended = opschorten(first, on=on)
    assert suspended is not None
    resumed = hervatten(suspended.state, on=on + timedelta(days=k))
    assert resumed is not None
    assert resumed.state.einddatum == first.einddatum + timedelta(days=max(k - 1, 0))


@settings(max_examples=150, deadline=None)
@given(begin=starts, weeks=st.integers(1, 12), offset=st.integers(0, 400), k=st.integers(0, 90))
def test_with_the_atw_hervatten_never_ends_earlier_and_equals_the_termijn_arithmetic(
        begin: date, weeks: int, offset: int, k: int) -> None:
    termijn = Termijn(start=begin, duur=Duur(weeks, Unit.WEKEN), atw=True, naam="t")  # at most 12 weeks: Atw art. 4
    first = start(termijn).state
    assert first.einddatum is not None
    on = begin + timedelta(days=offset % (first.einddatum - begin).days)
    suspended = opschorten(first, on=on)
    assert suspended is not None
    resumed = hervatten(suspended.state, on=on + timedelta(days=k))
    assert resumed is not None and resumed.state.einddatum is not None
    assert resumed.state.einddatum >= first.einddatum
    assert is_werkdag(resumed.state.einddatum)
    expected = termijn if k == 0 else termijn.opschorten(
        Opschorting(on + timedelta(days=1), on + timedelta(days=k)))
    assert resumed.state.einddatum == expected.einddatum()
