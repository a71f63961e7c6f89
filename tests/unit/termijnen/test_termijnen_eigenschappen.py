"""Property tests: what must hold for every start date and duration, not only the examples."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from r2c.termijnen import Duur, Opschorting, Termijn, Unit, einddatum, is_werkdag

starts = st.dates(min_value=date(2023, 1, 1), max_value=date(2030, 12, 31))
duren = st.one_of(
    st.builds(Duur, st.integers(1, 120), st.just(Unit.DAGEN)),
    st.builds(Duur, st.integers(1, 60), st.just(Unit.WERKDAGEN)),
    st.builds(Duur, st.integers(1, 20), st.just(Unit.WEKEN)),
    st.builds(Duur, st.integers(1, 6), st.just(Unit.MAANDEN)),
    st.builds(Duur, st.integers(1, 2), st.just(Unit.JAREN)),
)
atw_duren = duren.filter(lambda d: d.valt_onder_atw)


@settings(max_examples=250, deadline=None)
@given(start=starts, duur=atw_duren)
def test_onder_de_atw_eindigt_een_termijn_nooit_op_een_vrije_dag(start: date, duur: Duur) -> None:
    end = einddatum(start, duur)
    assert is_werkdag(end)
    # Atw art. 2: a term of at least three days contains at least two working days
    if duur.minstens_drie_dagen:
        days = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
        assert sum(is_werkdag(d) for d in days) >= 2


@settings(max_examples=250, deadline=None)
@given(a=starts, b=starts, duur=duren, atw=st.booleans())
def test_einde_is_monotoon_in_de_start(a: date, b: date, duur: Duur, atw: bool) -> None:
    first, second = sorted((a, b))
    assert einddatum(first, duur, atw=atw) <= einddatum(second, duur, atw=atw)


@settings(max_examples=150, deadline=None)
@given(start=starts, weken=st.integers(1, 12), offset=st.integers(1, 50), k=st.integers(0, 40), atw=st.booleans())
def test_k_dagen_opschorten_verschuift_het_einde_minstens_k_dagen(
    start: date, weken: int, offset: int, k: int, atw: bool
) -> None:
    termijn = Termijn(start=start, duur=Duur(weken, Unit.WEKEN), atw=atw)
    before = termijn.bereken()
    van = start + timedelta(days=min(offset, (before.einddatum - start).days))
    after = termijn.opschorten(Opschorting(van=van, tot=van + timedelta(days=k))).bereken()
    # the term itself (before the Atw) runs exactly k days longer ...
    assert after.verschuivingen[0].naar == before.ruwe_einddatum + timedelta(days=k)
    # ... so the end lies at least k days after the unshifted end, and never earlier than before
    assert after.einddatum >= before.ruwe_einddatum + timedelta(days=k)
    assert after.einddatum >= before.einddatum
    if not atw:
        assert after.einddatum - before.einddatum == timedelta(days=k)


@settings(max_examples=100, deadline=None)
@given(start=starts, duur=duren, atw=st.booleans())
def test_snelle_en_uitgelegde_berekening_zijn_gelijk(start: date, duur: Duur, atw: bool) -> None:
    uitkomst = Termijn(start=start, duur=duur, atw=atw).bereken()
    assert uitkomst.einddatum == einddatum(start, duur, atw=atw)
    # every shift starts where the previous one ended
    current = uitkomst.ruwe_einddatum
    for shift in uitkomst.verschuivingen:
        assert shift.van == current and shift.naar > shift.van
        current = shift.naar
    assert current == uitkomst.einddatum
