"""The werkvoorraad's deadline light in werkdagen (r2c.termijnen.signaal): the date boundaries skip weekends and
Atw feestdagen (Goede Vrijdag included, Atw art. 3 lid 2), and agree with counting the werkdagen left."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from r2c.termijnen import grenzen, signaal, werkdagen_tot


def test_boundaries_skip_the_weekend_and_tweede_paasdag() -> None:
    g = grenzen(date(2026, 4, 2), 10, 3)  # Thursday; Goede Vrijdag 3 and Tweede Paasdag 6 April are free (Atw)
    # werkdagen after it: Tue 7, Wed 8, Thu 9 (three: still rood), Fri 10 (four: oranje)
    assert g.rood_voor == date(2026, 4, 10)
    assert [signaal(date(2026, 4, d), g) for d in (1, 2, 6, 9, 10)] == ["verstreken", "rood", "rood", "rood", "oranje"]
    assert werkdagen_tot(date(2026, 4, 2), date(2026, 4, 9)) == 3


def test_rood_zero_is_only_today_and_the_free_days_after_it() -> None:
    g = grenzen(date(2026, 3, 6), 0, 0)  # a Friday
    assert [signaal(date(2026, 3, d), g) for d in (6, 7, 8, 9)] == ["rood", "rood", "rood", "groen"]


def test_thresholds_out_of_order_are_refused() -> None:
    with pytest.raises(ValueError, match="rood"):
        grenzen(date(2026, 3, 2), 2, 5)


@given(today=st.dates(date(2026, 1, 1), date(2027, 12, 1)), days=st.integers(-20, 60),
       oranje=st.integers(0, 15), rood=st.integers(0, 15))
def test_the_boundaries_agree_with_the_werkdagen_left(today, days, oranje, rood) -> None:
    oranje, rood = max(oranje, rood), min(oranje, rood)
    end = today + timedelta(days=days)
    left = werkdagen_tot(today, end)
    expected = ("verstreken" if end < today else "rood" if left <= rood else "oranje" if left <= oranje
                else "groen")
    assert signaal(end, grenzen(today, oranje, rood)) == expected
