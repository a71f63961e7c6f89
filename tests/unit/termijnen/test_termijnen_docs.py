"""Every worked example in docs/termijnen.md must match the code."""

from __future__ import annotations

import doctest
import re
from datetime import date
from pathlib import Path

import pytest

from r2c.errors import TermijnError
from r2c.termijnen import bereken, feestdagen

DOC = Path(__file__).resolve().parents[3] / "docs" / "termijnen.md"
TERMIJN = re.compile(r'^r2c termijn (\S+) "([^"]+)"((?:\s+--[a-z-]+)*)\s+->\s+(\S+)\s*$')
FEESTDAG = re.compile(r"^r2c feestdagen (\d{4})\s+->\s+(\d{4}-\d{2}-\d{2}) (.+?)\s*$")


def _lines(pattern: re.Pattern[str]) -> list[re.Match[str]]:
    return [m for line in DOC.read_text(encoding="utf-8").splitlines() if (m := pattern.match(line.strip()))]


def test_doc_heeft_voorbeelden() -> None:
    assert len(_lines(TERMIJN)) >= 25
    assert len(_lines(FEESTDAG)) >= 5


@pytest.mark.parametrize("match", _lines(TERMIJN), ids=lambda m: m.group(0))
def test_termijnvoorbeeld(match: re.Match[str]) -> None:
    start, duur, flags, expected = match.groups()
    options = flags.split()
    assert set(options) <= {"--geen-atw", "--terug"}, options

    def run() -> date:
        return bereken(date.fromisoformat(start), duur, atw="--geen-atw" not in options,
                       terug="--terug" in options).einddatum

    if expected == "fout":
        with pytest.raises((TermijnError, ValueError)):
            run()
    else:
        assert run() == date.fromisoformat(expected)


@pytest.mark.parametrize("match", _lines(FEESTDAG), ids=lambda m: m.group(0))
def test_feestdagvoorbeeld(match: re.Match[str]) -> None:
    year, day, name = match.groups()
    assert (date.fromisoformat(day), name) in {(f.datum, f.naam) for f in feestdagen(int(year))}


def test_python_voorbeelden_in_doc() -> None:
    result = doctest.testfile(str(DOC), module_relative=False, optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted >= 15
    assert result.failed == 0
