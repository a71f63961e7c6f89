"""Atw art. 3: the feestdagen per year, checked by hand against a calendar for 2023-2030."""

from __future__ import annotations

from datetime import date

import pytest

from r2c.errors import TermijnError
from r2c.termijnen import feestdagen, is_werkdag, laad_kalender

# Easter (Western): 2023-04-09, 2024-03-31, 2025-04-20, 2026-04-05, 2027-03-28, 2028-04-16, 2029-04-01, 2030-04-21.
# Goede Vrijdag = Easter - 2, tweede Paasdag = +1, Hemelvaartsdag = +39, tweede Pinksterdag = +50.
VERWACHT = {
    2023: ["01-01", "04-07", "04-10", "04-27", "04-28*", "05-05", "05-18", "05-19*", "05-29", "12-25", "12-26"],
    2024: ["01-01", "03-29", "04-01", "04-27", "05-05", "05-09", "05-10*", "05-20", "12-25", "12-26", "12-27*"],
    # 27 April 2025 is a Sunday, so Koningsdag is on Saturday 26 April.
    2025: ["01-01", "04-18", "04-21", "04-26", "05-05", "05-29", "05-30*", "06-09", "12-25", "12-26"],
    2026: ["01-01", "01-02*", "04-03", "04-06", "04-27", "05-05", "05-14", "05-15*", "05-25", "12-25", "12-26"],
    2027: ["01-01", "03-26", "03-29", "04-27", "05-05", "05-06", "05-07*", "05-17", "12-25", "12-26"],
    2028: ["01-01", "04-14", "04-17", "04-27", "04-28*", "05-05", "05-25", "05-26*", "06-05", "12-25", "12-26"],
    # no besluit yet for 2029 and 2030: only the days of the law itself
    2029: ["01-01", "03-30", "04-02", "04-27", "05-05", "05-10", "05-21", "12-25", "12-26"],
    2030: ["01-01", "04-19", "04-22", "04-27", "05-05", "05-30", "06-10", "12-25", "12-26"],
}


@pytest.mark.parametrize("jaar", sorted(VERWACHT))
def test_feestdagen_per_jaar(jaar: int) -> None:
    days = feestdagen(jaar)
    assert [f"{f.datum:%m-%d}" + ("*" if f.grondslag == "Atw art. 3 lid 3" else "") for f in days] == VERWACHT[jaar]


def test_namen_en_grondslag_2026() -> None:
    by_date = {f.datum: f for f in feestdagen(2026)}
    assert by_date[date(2026, 4, 3)].naam == "Goede Vrijdag"
    assert by_date[date(2026, 4, 3)].grondslag == "Atw art. 3 lid 2"
    assert by_date[date(2026, 4, 6)].naam == "tweede Paasdag"
    assert by_date[date(2026, 4, 27)].naam == "Koningsdag"
    assert by_date[date(2026, 5, 5)].grondslag == "Atw art. 3 lid 1"
    assert "2 januari 2026" in by_date[date(2026, 1, 2)].bron


def test_koningsdag_op_zondag_schuift_naar_zaterdag() -> None:
    kal = laad_kalender()
    assert kal.feestdag(date(2025, 4, 26)).naam == "Koningsdag"
    assert kal.feestdag(date(2025, 4, 27)) is None
    assert kal.reden_vrij(date(2025, 4, 27)) == "zondag"


def test_5_mei_elk_jaar_ook_buiten_lustrumjaren() -> None:
    for jaar in range(2023, 2031):
        assert not is_werkdag(date(jaar, 5, 5)), jaar


def test_lokale_sluitingsdagen_zijn_werkdagen() -> None:
    # carnavalsmaandag 2026 (16 februari) and Oudejaarsdag are not Atw feestdagen
    assert is_werkdag(date(2026, 2, 16))
    assert is_werkdag(date(2026, 12, 31))
    assert is_werkdag(date(2026, 4, 28))


def test_waarschuwing_voor_jaren_zonder_besluit() -> None:
    kal = laad_kalender()
    assert kal.waarschuwingen(2026, 2028) == ()
    (warning,) = kal.waarschuwingen(2028, 2030)
    assert "2029 t/m 2030" in warning and "nog niet bekend" in warning
    (earlier,) = kal.waarschuwingen(2020, 2020)
    assert "2020" in earlier and "niet in de gegevens" in earlier


@pytest.mark.parametrize("jaar", [2013, 2201, 1900])
def test_jaar_buiten_bereik_is_fout_met_bereik(jaar: int) -> None:
    with pytest.raises(TermijnError, match=rf"{jaar}.*2014 t/m 2200"):
        feestdagen(jaar)


def test_eigen_feestdagenbestand_via_pad_en_omgevingsvariabele(tmp_path, monkeypatch) -> None:
    from importlib import resources

    text = resources.files("r2c.termijnen").joinpath("data/feestdagen.yaml").read_text(encoding="utf-8")
    text += (
        "  - jaren: [2029]\n"
        "    besluit: Besluit gelijkstelling van 11 mei 2029 (test)\n"
        "    grondslag: Atw art. 3 lid 3\n"
        "    dagen:\n"
        "      - {datum: 2029-05-11, naam: vrijdag na Hemelvaartsdag}\n"
    )
    path = tmp_path / "feestdagen.yaml"
    path.write_text(text, encoding="utf-8")
    eigen = laad_kalender(path)
    assert date(2029, 5, 11) in {f.datum for f in eigen.feestdagen(2029)}
    assert eigen.waarschuwingen(2029, 2029) == ()
    monkeypatch.setenv("R2C_FEESTDAGEN", str(path))
    assert date(2029, 5, 11) in {f.datum for f in feestdagen(2029)}
    monkeypatch.delenv("R2C_FEESTDAGEN")
    assert date(2029, 5, 11) not in {f.datum for f in feestdagen(2029)}


def test_kapot_feestdagenbestand_noemt_bestand_en_sleutel(tmp_path) -> None:
    path = tmp_path / "kapot.yaml"
    path.write_text("jaren: {van: 2014, tot_en_met: 2200}\nregels:\n  - naam: X\n    datum: '13-45'\n")
    with pytest.raises(TermijnError, match=r"kapot.yaml: \[regels\[0\]\.datum\]"):
        laad_kalender(path)
    with pytest.raises(TermijnError, match="niet te lezen"):
        laad_kalender(tmp_path / "bestaat-niet.yaml")
