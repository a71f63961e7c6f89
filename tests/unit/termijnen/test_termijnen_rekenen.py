"""End dates over real calendars 2023-2030; expected dates checked by hand against a calendar (weekday noted)."""

from __future__ import annotations

from datetime import date

import pytest

from r2c.errors import TermijnError
from r2c.termijnen import bereken, einddatum, parse_duur

D = date.fromisoformat

# (event, duur, end with Atw, end without Atw (raw), why)
TABEL = [
    ("2026-03-02", "8 weken", "2026-04-28", "2026-04-27", "ma 27-04-2026 Koningsdag -> di"),
    ("2027-04-20", "1 week", "2027-04-28", "2027-04-27", "di 27-04-2027 Koningsdag -> wo"),
    ("2025-04-19", "1 week", "2025-04-28", "2025-04-26", "za 26-04-2025 Koningsdag (27e is zondag), zo -> ma"),
    ("2026-03-27", "1 week", "2026-04-07", "2026-04-03", "vr Goede Vrijdag, za, zo, ma tweede Paasdag -> di"),
    ("2026-03-30", "1 week", "2026-04-07", "2026-04-06", "ma tweede Paasdag -> di"),
    ("2029-03-23", "1 week", "2029-04-03", "2029-03-30", "Goede Vrijdag 2029, weekend, tweede Paasdag -> di"),
    ("2030-04-12", "10 dagen", "2030-04-23", "2030-04-22", "ma 22-04-2030 tweede Paasdag -> di"),
    ("2026-04-28", "1 week", "2026-05-06", "2026-05-05", "di 5 mei 2026 (geen lustrumjaar) -> wo"),
    ("2027-04-28", "1 week", "2027-05-10", "2027-05-05", "5 mei, Hemelvaart 6 mei, gelijkgesteld 7 mei, weekend -> ma"),
    ("2026-05-07", "1 week", "2026-05-18", "2026-05-14", "Hemelvaart, vrijdag gelijkgesteld, weekend -> ma"),
    ("2026-05-18", "1 week", "2026-05-26", "2026-05-25", "ma tweede Pinksterdag -> di"),
    ("2023-04-21", "1 week", "2023-05-01", "2023-04-28", "vr 28-04-2023 gelijkgesteld, weekend -> ma"),
    ("2023-05-12", "1 week", "2023-05-22", "2023-05-19", "vr 19-05-2023 gelijkgesteld -> ma"),
    ("2024-05-03", "1 week", "2024-05-13", "2024-05-10", "vr 10-05-2024 gelijkgesteld -> ma"),
    ("2024-12-20", "1 week", "2024-12-30", "2024-12-27", "vr 27-12-2024 gelijkgesteld -> ma"),
    ("2025-05-23", "1 week", "2025-06-02", "2025-05-30", "vr 30-05-2025 gelijkgesteld -> ma"),
    ("2025-12-26", "1 week", "2026-01-05", "2026-01-02", "vr 02-01-2026 gelijkgesteld -> ma"),
    ("2028-04-20", "1 week", "2028-05-01", "2028-04-27", "do Koningsdag, vr 28-04-2028 gelijkgesteld, weekend -> ma"),
    ("2028-05-19", "1 week", "2028-05-29", "2028-05-26", "vr 26-05-2028 gelijkgesteld -> ma"),
    # Atw art. 2
    ("2026-03-06", "3 dagen", "2026-03-10", "2026-03-09", "vr + 3 dagen: za zo ma bevat 1 werkdag -> di"),
    ("2026-12-24", "3 dagen", "2026-12-29", "2026-12-27", "Kerst vr, za, zo -> ma (art. 1), 1 werkdag -> di (art. 2)"),
    ("2024-12-24", "3 dagen", "2024-12-31", "2024-12-27", "Kerst wo do, vr gelijkgesteld, weekend -> ma, art. 2 -> di"),
    ("2029-12-21", "3 dagen", "2029-12-27", "2029-12-24", "za zo ma: 1 werkdag; Kerst di wo -> do (art. 2)"),
    ("2027-12-23", "3 dagen", "2027-12-27", "2027-12-26", "vr werkdag, za, zo -> ma: 2 werkdagen, geen art. 2"),
    # Atw art. 4 boundaries
    ("2026-03-07", "12 weken", "2026-06-01", "2026-05-30", "12 weken: Atw geldt, za -> ma"),
    ("2026-03-07", "13 weken", "2026-06-06", "2026-06-06", "13 weken: Atw geldt niet (art. 4), blijft za"),
    ("2026-03-01", "90 dagen", "2026-06-01", "2026-05-30", "90 dagen: Atw geldt, za -> ma"),
    ("2026-03-01", "91 dagen", "2026-05-31", "2026-05-31", "91 dagen: Atw geldt niet, blijft zo"),
    ("2025-12-07", "3 maanden", "2026-03-09", "2026-03-07", "3 maanden: Atw geldt, za -> ma"),
    ("2025-12-04", "4 maanden", "2026-04-04", "2026-04-04", "4 maanden: Atw geldt niet, blijft za"),
    ("2025-03-01", "1 jaar", "2026-03-01", "2026-03-01", "jaren: Atw geldt niet, blijft zo"),
    ("2025-03-01", "P1Y", "2026-03-01", "2026-03-01", "ISO 8601"),
    # months: same date or the last day of a shorter month
    ("2026-01-31", "1 maand", "2026-03-02", "2026-02-28", "31 jan + 1 maand = za 28 feb -> ma 2 maart"),
    ("2028-01-31", "P1M", "2028-02-29", "2028-02-29", "schrikkeljaar: di 29 feb"),
    # werkdagen skip weekends and feestdagen, with or without the Atw
    ("2026-04-01", "10 werkdagen", "2026-04-17", "2026-04-17", "Goede Vrijdag en tweede Paasdag tellen niet"),
    ("2026-04-24", "1 werkdag", "2026-04-28", "2026-04-28", "vr -> za zo ma(Koningsdag) overslaan -> di"),
    ("2026-03-16", "P6W", "2026-04-28", "2026-04-27", "bezwaartermijn eindigt op Koningsdag -> di"),
    ("2026-03-20", "P28D", "2026-04-17", "2026-04-17", "vr -> vr, werkdag"),
]


@pytest.mark.parametrize(("start", "duur", "met_atw", "zonder_atw", "waarom"), TABEL)
def test_einddatum_tabel(start: str, duur: str, met_atw: str, zonder_atw: str, waarom: str) -> None:
    assert einddatum(D(start), duur) == D(met_atw), waarom
    assert einddatum(D(start), duur, atw=False) == D(zonder_atw), waarom
    uitkomst = bereken(D(start), duur)
    assert uitkomst.einddatum == D(met_atw)
    assert uitkomst.ruwe_einddatum == D(zonder_atw) or parse_duur(duur).unit.value == "werkdagen"
    assert bereken(D(start), duur, atw=False).einddatum == D(zonder_atw)


def test_uitleg_koningsdag() -> None:
    uitkomst = bereken(D("2026-03-02"), "8 weken")
    assert [v.reden for v in uitkomst.verschuivingen] == ["Atw art. 1: 2026-04-27 is Koningsdag, dus 2026-04-28"]
    assert uitkomst.verschuivingen[0].grondslag == "Atw art. 1"
    assert uitkomst.uitleg[0].startswith("Gebeurtenis: 2026-03-02 (maandag); de termijn begint de dag erna, op 2026-03-03")
    assert "2026-04-27 (maandag)" in uitkomst.uitleg[1]
    assert uitkomst.uitleg[-1].startswith("Einddatum: 2026-04-28 (dinsdag)")
    assert uitkomst.waarschuwingen == ()


def test_uitleg_tweede_paasdag() -> None:
    uitkomst = bereken(D("2026-03-30"), "1 week")
    assert "Atw art. 1: 2026-04-06 is tweede Paasdag, dus 2026-04-07" in uitkomst.uitleg


def test_uitleg_keten_van_vrije_dagen() -> None:
    (shift,) = bereken(D("2026-05-07"), "1 week").verschuivingen
    assert shift.reden == (
        "Atw art. 1: 2026-05-14 is Hemelvaartsdag, 2026-05-15 is vrijdag na Hemelvaartsdag (gelijkgesteld met een "
        "feestdag, Atw art. 3 lid 3), 2026-05-16 is zaterdag en 2026-05-17 is zondag, dus 2026-05-18"
    )


def test_uitleg_artikel_2() -> None:
    art1, art2 = bereken(D("2026-12-24"), "3 dagen").verschuivingen
    assert (art1.grondslag, art1.van, art1.naar) == ("Atw art. 1", D("2026-12-27"), D("2026-12-28"))
    assert (art2.grondslag, art2.van, art2.naar) == ("Atw art. 2", D("2026-12-28"), D("2026-12-29"))
    assert "2026-12-25 t/m 2026-12-28" in art2.reden and "maar 1 dag" in art2.reden


def test_artikel_2_niet_voor_korte_termijnen() -> None:
    # 2 dagen from Friday ends on Sunday -> Monday (art. 1 only); art. 2 is for terms of at least three days
    uitkomst = bereken(D("2026-03-06"), "2 dagen")
    assert uitkomst.einddatum == D("2026-03-09")
    assert [v.grondslag for v in uitkomst.verschuivingen] == ["Atw art. 1"]


def test_atw_uit_en_artikel_4_staan_in_de_uitleg() -> None:
    assert bereken(D("2026-03-02"), "8 weken", atw=False).atw is False
    assert any("uitgezet" in line for line in bereken(D("2026-03-02"), "8 weken", atw=False).uitleg)
    uitkomst = bereken(D("2026-03-07"), "13 weken")
    assert uitkomst.atw is False and uitkomst.verschuivingen == ()
    assert any(line.startswith("Atw art. 4") and "12 weken" in line for line in uitkomst.uitleg)


def test_terugrekenen_verschuift_niet_naar_later() -> None:
    # Atw art. 1 lid 2: 2026-05-04 minus 1 week is Koningsdag 2026-04-27 and stays there
    uitkomst = bereken(D("2026-05-04"), "1 week", terug=True)
    assert uitkomst.einddatum == D("2026-04-27")
    assert any(line.startswith("Atw art. 1 lid 2") for line in uitkomst.uitleg)


def test_waarschuwing_na_laatste_besluit() -> None:
    uitkomst = bereken(D("2028-12-01"), "6 weken")
    assert uitkomst.einddatum == D("2029-01-12")  # vr 12 januari 2029
    assert len(uitkomst.waarschuwingen) == 1 and "2029" in uitkomst.waarschuwingen[0]


@pytest.mark.parametrize(
    ("start", "duur", "melding"),
    [
        ("2200-12-20", "4 weken", "2014 t/m 2200"),
        ("2013-12-31", "1 dag", "2014 t/m 2200"),
        ("2200-12-30", "5 werkdagen", "2014 t/m 2200"),
    ],
)
def test_buiten_bereik(start: str, duur: str, melding: str) -> None:
    with pytest.raises(TermijnError, match=melding):
        einddatum(D(start), duur)
    with pytest.raises(TermijnError, match=melding):
        bereken(D(start), duur)


def test_als_dict_heeft_de_afgesproken_sleutels() -> None:
    data = bereken(D("2026-03-02"), "8 weken").als_dict()
    assert data["einddatum"] == "2026-04-28"
    assert data["ruwe_einddatum"] == "2026-04-27"
    assert data["verschuivingen"][0]["grondslag"] == "Atw art. 1"
