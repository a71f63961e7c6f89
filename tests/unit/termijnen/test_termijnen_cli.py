"""The ``r2c termijn`` and ``r2c feestdagen`` commands, run as a user runs them (subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
R2C = ROOT / ".venv" / "bin" / "r2c"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    command = [str(R2C)] if R2C.exists() else [sys.executable, "-c", "from r2c.cli import main; main()"]
    return subprocess.run([*command, *args], capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_contractvoorbeeld_koningsdag() -> None:
    result = run("termijn", "2026-03-02", "8 weken")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2026-04-28"
    assert "Atw art. 1: 2026-04-27 is Koningsdag, dus 2026-04-28" in lines


def test_geen_atw_en_json() -> None:
    result = run("termijn", "2026-03-02", "P8W", "--geen-atw", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["einddatum"] == "2026-04-27"
    assert data["ruwe_einddatum"] == "2026-04-27"
    assert data["verschuivingen"] == []
    data = json.loads(run("termijn", "2026-03-02", "8 weken", "--json").stdout)
    assert data["einddatum"] == "2026-04-28"
    assert [v["grondslag"] for v in data["verschuivingen"]] == ["Atw art. 1"]


def test_feestdagen_2025() -> None:
    result = run("feestdagen", "2025")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line[:10] for line in lines] == [
        "2025-01-01", "2025-04-18", "2025-04-21", "2025-04-26", "2025-05-05", "2025-05-29", "2025-05-30",
        "2025-06-09", "2025-12-25", "2025-12-26",
    ]
    assert "Koningsdag" in lines[3] and "Atw art. 3 lid 1" in lines[3]
    assert "Atw art. 3 lid 3" in lines[6]


def test_feestdagen_jaar_zonder_besluit_waarschuwt() -> None:
    result = run("feestdagen", "2029")
    assert result.returncode == 0
    assert "2029" in result.stderr and "nog niet bekend" in result.stderr


@pytest.mark.parametrize(
    ("args", "melding"),
    [
        (("termijn", "2026-03-02", "8 lichtjaren"), "8 lichtjaren"),
        (("termijn", "2026-03-02", "0 dagen"), "0 dagen"),
        (("termijn", "2026-03-02", "-3 weken"), "-3 weken"),
        (("termijn", "2026-02-30", "8 weken"), "2026-02-30"),
        (("termijn", "morgen", "8 weken"), "morgen"),
        (("termijn", "1990-01-01", "8 weken"), "2014 t/m 2200"),
        (("feestdagen", "2301"), "2014 t/m 2200"),
        (("feestdagen", "twintig"), "twintig"),
    ],
)
def test_foute_invoer_geeft_melding_zonder_traceback(args: tuple[str, ...], melding: str) -> None:
    result = run(*args)
    assert result.returncode != 0
    assert result.stderr.startswith("fout: ")
    assert melding in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
