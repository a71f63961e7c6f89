"""Awb terms: beslistermijn, opschorting, verdaging, buiten behandeling, dwangsom, bezwaartermijn, reminders."""

from __future__ import annotations

from datetime import date

import pytest

from r2c.errors import TermijnError
from r2c.termijnen import (
    Termijn,
    beslistermijn,
    bezwaartermijn,
    buiten_behandeling,
    dwangsom,
    herinneringsdata,
    opschorting_aanvulling,
    opschorting_uitstel,
    verdaging,
)

D = date.fromisoformat


def test_beslistermijn_standaard_acht_weken() -> None:
    termijn = beslistermijn(ontvangen=D("2026-03-02"))
    assert str(termijn.duur) == "8 weken" and "4:13" in termijn.grondslag
    assert termijn.einddatum() == D("2026-04-28")


def test_beslistermijn_uit_verordening() -> None:
    # 2026-03-02 + 12 weken = ma 2026-05-25, tweede Pinksterdag -> di 2026-05-26
    assert beslistermijn(ontvangen=D("2026-03-02"), verordening="12 weken").einddatum() == D("2026-05-26")
    # a verordening's own term may run without the Atw
    assert beslistermijn(ontvangen=D("2026-03-02"), verordening="12 weken", atw=False).einddatum() == D("2026-05-25")


def test_opschorting_aanvulling() -> None:
    # verzoek di 10 maart, aangevuld vr 20 maart: opgeschort 11 t/m 19 maart = 9 dagen; 27 april + 9 = wo 6 mei
    opschorting = opschorting_aanvulling(verzoek=D("2026-03-10"), aangevuld=D("2026-03-20"))
    assert (opschorting.van, opschorting.tot, opschorting.dagen) == (D("2026-03-11"), D("2026-03-20"), 9)
    termijn = beslistermijn(ontvangen=D("2026-03-02")).opschorten(opschorting)
    uitkomst = termijn.bereken()
    assert uitkomst.einddatum == D("2026-05-06")
    assert uitkomst.ruwe_einddatum == D("2026-04-27")
    assert uitkomst.verschuivingen[0].grondslag == "Awb 4:15 lid 1 onder a"
    assert "9 dagen" in uitkomst.verschuivingen[0].reden


def test_opschorting_hersteltermijn_ongebruikt() -> None:
    # hersteltermijn t/m 24 maart: opgeschort 11 t/m 24 maart = 14 dagen; 27 april + 14 = ma 11 mei
    opschorting = opschorting_aanvulling(verzoek=D("2026-03-10"), hersteltermijn_eind=D("2026-03-24"))
    assert opschorting.dagen == 14
    assert beslistermijn(ontvangen=D("2026-03-02")).opschorten(opschorting).einddatum() == D("2026-05-11")


def test_opschorting_uitstel_met_instemming() -> None:
    # 2 weken uitstel vanaf 1 april: 14 dagen; 27 april + 14 = ma 11 mei
    opschorting = opschorting_uitstel(van=D("2026-04-01"), duur="2 weken")
    assert (opschorting.tot, opschorting.dagen, opschorting.grondslag) == (D("2026-04-15"), 14, "Awb 4:15 lid 2 onder a")
    assert beslistermijn(ontvangen=D("2026-03-02")).opschorten(opschorting).einddatum() == D("2026-05-11")


def test_overlappende_opschortingen_tellen_een_keer() -> None:
    termijn = beslistermijn(ontvangen=D("2026-03-02"))
    a = opschorting_aanvulling(verzoek=D("2026-03-10"), aangevuld=D("2026-03-20"))  # 11..19
    b = opschorting_uitstel(van=D("2026-03-15"), duur="10 dagen")  # 15..24, new: 20..24 = 5
    assert termijn.opschorten(a).opschorten(b).einddatum() == D("2026-05-11")  # 27 april + 14


def test_opschorting_fouten() -> None:
    termijn = beslistermijn(ontvangen=D("2026-03-02"))
    with pytest.raises(TermijnError, match="te laat"):
        termijn.opschorten(opschorting_aanvulling(verzoek=D("2026-04-28"), aangevuld=D("2026-05-10")))
    with pytest.raises(TermijnError, match="vóór het verzoek"):
        opschorting_aanvulling(verzoek=D("2026-03-10"), aangevuld=D("2026-03-01"))
    with pytest.raises(TermijnError, match="niet ná de gebeurtenis"):
        termijn.opschorten(opschorting_uitstel(van=D("2026-03-01"), duur="1 week"))


def test_verdaging_een_keer_voor_afloop() -> None:
    termijn = beslistermijn(ontvangen=D("2026-03-02"))
    verdaagd = termijn.verlengen(verdaging(aangekondigd=D("2026-04-20"), duur="6 weken"))
    uitkomst = verdaagd.bereken()
    # 27 april + 6 weken = ma 8 juni 2026
    assert uitkomst.einddatum == D("2026-06-08")
    assert [v.grondslag for v in uitkomst.verschuivingen] == ["Awb 4:14"]
    # history is kept: the original term is unchanged
    assert termijn.verlengingen == () and len(verdaagd.verlengingen) == 1
    with pytest.raises(TermijnError, match="maar één keer"):
        verdaagd.verlengen(verdaging(aangekondigd=D("2026-05-01"), duur="1 week"))


def test_verdaging_op_laatste_dag_mag_daarna_niet() -> None:
    termijn = beslistermijn(ontvangen=D("2026-03-02"))  # einddatum di 28 april (Atw)
    assert termijn.verlengen(verdaging(aangekondigd=D("2026-04-28"), duur="2 weken")).einddatum() == D("2026-05-11")
    with pytest.raises(TermijnError, match="te laat.*2026-04-28"):
        termijn.verlengen(verdaging(aangekondigd=D("2026-04-29"), duur="2 weken"))


def test_opschorting_en_verdaging_samen_en_opnieuw_te_berekenen() -> None:
    termijn = (
        beslistermijn(ontvangen=D("2026-03-02"))
        .opschorten(opschorting_aanvulling(verzoek=D("2026-03-10"), aangevuld=D("2026-03-20")))
        .verlengen(verdaging(aangekondigd=D("2026-04-30"), duur="2 weken"))
    )
    # 27 april + 9 dagen = 6 mei; + 2 weken = wo 20 mei
    assert termijn.einddatum() == D("2026-05-20")
    assert Termijn.uit_dict(termijn.als_dict()) == termijn
    assert Termijn.uit_dict(termijn.als_dict()).bereken() == termijn.bereken()


def test_buiten_behandeling_vier_weken() -> None:
    assert buiten_behandeling(aangevuld=D("2026-03-20")).einddatum() == D("2026-04-17")
    # hersteltermijn ongebruikt verstreken op ma 30 maart: + 4 weken = ma 27 april (Koningsdag) -> di 28 april
    assert buiten_behandeling(hersteltermijn_eind=D("2026-03-30")).einddatum() == D("2026-04-28")


def test_bezwaartermijn_zes_weken() -> None:
    termijn = bezwaartermijn(bekendmaking=D("2026-03-16"))
    assert termijn.einddatum() == D("2026-04-28")
    assert bezwaartermijn(bekendmaking=D("2026-03-17")).einddatum() == D("2026-04-28")  # di, geen verschuiving


def test_dwangsom() -> None:
    # ingebrekestelling ontvangen vr 1 mei 2026; twee weken -> vr 15 mei (gelijkgesteld), weekend -> ma 18 mei;
    # de dwangsom loopt vanaf di 19 mei, ten hoogste 42 dagen: t/m ma 29 juni
    result = dwangsom(beslistermijn_eind=D("2026-04-28"), ingebrekestelling_ontvangen=D("2026-05-01"))
    assert result.wachttermijn.einddatum == D("2026-05-18")
    assert (result.eerste_dag, result.laatste_dag) == (D("2026-05-19"), D("2026-06-29"))
    assert result.bedrag_op(D("2026-05-18")) == 0
    assert result.bedrag_op(D("2026-05-19")) == 23
    assert result.bedrag_op(D("2026-06-02")) == 35
    assert result.bedrag_op(D("2026-06-16")) == 45
    assert result.bedrag_op(D("2026-06-30")) == 0
    assert result.verbeurd(tot_en_met=D("2026-06-01")) == 14 * 23
    assert result.verbeurd(tot_en_met=D("2026-06-02")) == 14 * 23 + 35
    assert result.maximum == 1442


def test_dwangsom_te_vroeg_in_gebreke_gesteld() -> None:
    with pytest.raises(TermijnError, match="te vroeg"):
        dwangsom(beslistermijn_eind=D("2026-04-28"), ingebrekestelling_ontvangen=D("2026-04-28"))


def test_herinneringen_en_escalatie() -> None:
    # einddatum di 28 april 2026; 27 april is Koningsdag
    moments = herinneringsdata(D("2026-04-28"), ["10 werkdagen voor", "2 werkdagen voor", "op de dag", "1 werkdag na"])
    assert [d for _, d in moments] == [D("2026-04-13"), D("2026-04-23"), D("2026-04-28"), D("2026-04-29")]
    termijn = Termijn(start=D("2026-03-02"), duur="8 weken", herinneringen=("2 werkdagen voor",),
                      escalatie="1 werkdag na")
    assert [d for _, d in termijn.herinneringsdata()] == [D("2026-04-23"), D("2026-04-29")]


def test_verlopen_met_meegegeven_datum() -> None:
    termijn = beslistermijn(ontvangen=D("2026-03-02"))
    assert not termijn.verlopen(vandaag=D("2026-04-28"))
    assert termijn.verlopen(vandaag=D("2026-04-29"))
