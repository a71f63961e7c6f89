"""Parsing durations and reminder offsets."""

from __future__ import annotations

import pytest

from r2c.errors import TermijnError
from r2c.termijnen import Duur, Herinnering, Unit, parse_duur, parse_herinnering


@pytest.mark.parametrize(
    ("text", "amount", "unit"),
    [
        ("8 weken", 8, Unit.WEKEN),
        ("1 week", 1, Unit.WEKEN),
        ("10 werkdagen", 10, Unit.WERKDAGEN),
        ("1 werkdag", 1, Unit.WERKDAGEN),
        ("1 maand", 1, Unit.MAANDEN),
        ("3 maanden", 3, Unit.MAANDEN),
        ("3 dagen", 3, Unit.DAGEN),
        ("1 dag", 1, Unit.DAGEN),
        ("1 jaar", 1, Unit.JAREN),
        ("2 jaren", 2, Unit.JAREN),
        ("  6  Weken ", 6, Unit.WEKEN),
        ("zes weken", 6, Unit.WEKEN),
        ("P8W", 8, Unit.WEKEN),
        ("P10D", 10, Unit.DAGEN),
        ("p1m", 1, Unit.MAANDEN),
        ("P1Y", 1, Unit.JAREN),
    ],
)
def test_parse_duur(text: str, amount: int, unit: Unit) -> None:
    assert parse_duur(text) == Duur(amount, unit)


@pytest.mark.parametrize(
    ("text", "melding"),
    [
        ("8 lichtjaren", "onbekende eenheid 'lichtjaren' in '8 lichtjaren'"),
        ("0 dagen", "'0 dagen'.*minstens 1"),
        ("-3 weken", "'-3 weken'.*minstens 1"),
        ("P0D", "'P0D'.*minstens 1"),
        ("48 uur", "'48 uur'.*uren"),
        ("PT48H", "'PT48H'"),
        ("P1Y2M", "'P1Y2M'"),
        ("", "geen termijn"),
        ("weken", "onbekende termijn 'weken'"),
        ("veel weken", "onbekend aantal 'veel'"),
    ],
)
def test_parse_duur_fout_herhaalt_invoer(text: str, melding: str) -> None:
    with pytest.raises(TermijnError, match=melding):
        parse_duur(text)


def test_duur_direct_met_nul_is_fout() -> None:
    with pytest.raises(TermijnError):
        Duur(0, Unit.DAGEN)


def test_str_en_iso() -> None:
    assert str(parse_duur("P1W")) == "1 week"
    assert str(parse_duur("2 werkdag")) == "2 werkdagen"
    assert parse_duur("8 weken").iso() == "P8W"


@pytest.mark.parametrize(
    ("text", "valt_onder_atw"),
    [("90 dagen", True), ("91 dagen", False), ("12 weken", True), ("13 weken", False), ("3 maanden", True),
     ("4 maanden", False), ("1 jaar", False)],
)
def test_valt_onder_atw_artikel_4(text: str, valt_onder_atw: bool) -> None:
    assert parse_duur(text).valt_onder_atw is valt_onder_atw


@pytest.mark.parametrize(
    ("text", "verwacht"),
    [
        ("10 werkdagen voor", Herinnering("voor", Duur(10, Unit.WERKDAGEN))),
        ("2 werkdagen voor", Herinnering("voor", Duur(2, Unit.WERKDAGEN))),
        ("op de dag", Herinnering("op")),
        ("Op de dag", Herinnering("op")),
        ("1 werkdag na", Herinnering("na", Duur(1, Unit.WERKDAGEN))),
        ("1 week voor", Herinnering("voor", Duur(1, Unit.WEKEN))),
    ],
)
def test_parse_herinnering(text: str, verwacht: Herinnering) -> None:
    assert parse_herinnering(text) == verwacht
    assert parse_herinnering(str(verwacht)) == verwacht


@pytest.mark.parametrize("text", ["10 werkdagen", "morgen", "2 lichtjaren voor", "0 dagen na", ""])
def test_parse_herinnering_fout(text: str) -> None:
    with pytest.raises(TermijnError):
        parse_herinnering(text)
