"""Open data on the uitdaagrecht (CC0): per gemeente and year a few counts and the doorlooptijd, without personal
data and without small counts that could point at someone (under 5 shown as "<5"), as CSV and JSON; and the
national overview that combines many gemeenten's files. Schema: docs/rapportage.md.
"""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from r2c.errors import ConfigError
from r2c.reports.figures import Report

SCHEMA_VERSIE = 1
"""The version of the open data files; ``samenvoegen`` reads the versions in ``LEESBAAR``."""
LEESBAAR = (1,)
LICENTIE = "CC0-1.0"
LICENTIE_URL = "https://creativecommons.org/publicdomain/zero/1.0/deed.nl"
KLEIN = 5
"""Counts under this are shown as '<5'; a doorlooptijd or share over fewer decisions is left out (null)."""
ONDER = f"<{KLEIN}"

COUNTS = ("ontvangen", "toegekend", "toegekend_met_wijziging", "afgewezen", "ingetrokken", "buiten_behandeling",
          "besloten", "binnen_termijn", "bezwaren", "overgenomen")
FIELDS = ("schema_versie", "jaar", "gemeente", *COUNTS, "aandeel_binnen_termijn", "doorlooptijd_mediaan_dagen",
          "doorlooptijd_p90_dagen")
"""The columns of the CSV, and the keys of each gemeente in the JSON, in this order."""


def _small(count: int) -> int | str:
    return ONDER if 0 < count < KLEIN else count


def record(report: Report) -> dict[str, Any]:
    """One gemeente's open data of the report's year."""
    now = report.dit_jaar
    term, until = now["beslistermijn"], now["doorlooptijd"]["tot_besluit"]
    counts = {"ontvangen": now["ontvangen"], **now["resultaten"], "besloten": term["besloten"],
              "binnen_termijn": term["binnen_termijn"], "bezwaren": now["bezwaren"]["ingediend"],
              "overgenomen": now["overname"]["overgenomen"]}
    enough = term["besloten"] >= KLEIN
    return {"schema_versie": SCHEMA_VERSIE, "jaar": report.jaar, "gemeente": report.gemeente,
            **{key: _small(counts[key]) for key in COUNTS},
            "aandeel_binnen_termijn": term["aandeel_binnen_termijn"] if enough else None,
            "doorlooptijd_mediaan_dagen": until["mediaan_dagen"] if until["aantal"] >= KLEIN else None,
            "doorlooptijd_p90_dagen": until["p90_dagen"] if until["aantal"] >= KLEIN else None}


def to_json(jaar: int, records: Sequence[dict[str, Any]]) -> str:
    """The open data file (JSON) of ``jaar``."""
    document = {"schema_versie": SCHEMA_VERSIE, "soort": "r2c-opendata", "licentie": LICENTIE,
                "licentie_url": LICENTIE_URL, "jaar": jaar, "klein": f"aantallen onder {KLEIN} staan als '{ONDER}'",
                "gemeenten": list(records)}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def to_csv(records: Sequence[dict[str, Any]]) -> str:
    """The open data file (CSV, one row per gemeente; empty cell: left out)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for item in records:
        writer.writerow({k: "" if item[k] is None else item[k] for k in FIELDS})
    return out.getvalue()


def _version_problem(path: Path, found: Any) -> ConfigError:
    readable = ", ".join(str(v) for v in LEESBAAR)
    return ConfigError(f"{path}: schema_versie {found!r}; r2c leest open data van schema_versie {readable}")


def _value(text: str) -> Any:
    if text == "":
        return None
    if text == ONDER:
        return text
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def read_file(path: Path) -> list[dict[str, Any]]:
    """The gemeente records of one open data file (.json or .csv); a wrong file or schema version: ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: niet te lezen ({error.__class__.__name__})") from None
    if path.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        if not rows or "schema_versie" not in rows[0]:
            raise ConfigError(f"{path}: geen open data van r2c (kolom schema_versie ontbreekt)")
        for number, row in enumerate(rows, start=2):
            if _value(row["schema_versie"]) not in LEESBAAR:
                raise ConfigError(f"{path}, regel {number}: schema_versie {row['schema_versie']!r}; r2c leest "
                                  f"open data van schema_versie {', '.join(str(v) for v in LEESBAAR)}")
        return [{k: _value(v or "") for k, v in row.items()} for row in rows]
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(f"{path}, regel {error.lineno}: geen geldige JSON ({error.msg})") from None
    if not isinstance(document, dict) or document.get("soort") != "r2c-opendata":
        raise ConfigError(f"{path}: geen open data van r2c (soort is niet 'r2c-opendata')")
    if document.get("schema_versie") not in LEESBAAR:
        raise _version_problem(path, document.get("schema_versie"))
    return list(document.get("gemeenten") or [])


def _total(values: list[Any]) -> dict[str, int]:
    exact = sum(v for v in values if isinstance(v, int))
    small = sum(1 for v in values if v == ONDER)
    return {"totaal": exact, "gemeenten_met_minder_dan_5": small}


def combine(paths: Sequence[Path]) -> dict[str, Any]:
    """The national overview of many gemeenten's open data files: per year how many gemeenten received
    challenges, the totals of the counts (exact ones; a '<5' counted apart), and the median over gemeenten of
    their median doorlooptijd. A gemeente and year in two files: ConfigError."""
    seen: dict[tuple[Any, Any], Path] = {}
    by_year: dict[int, list[dict[str, Any]]] = {}
    for path in paths:
        for item in read_file(path):
            key = (item.get("gemeente"), item.get("jaar"))
            if key in seen:
                raise ConfigError(f"{path}: gemeente {key[0]} in {key[1]} staat ook in {seen[key]}")
            seen[key] = path
            by_year.setdefault(int(item["jaar"]), []).append(item)
    years = []
    for jaar, items in sorted(by_year.items()):
        medians = [i["doorlooptijd_mediaan_dagen"] for i in items
                   if isinstance(i.get("doorlooptijd_mediaan_dagen"), (int, float))]
        years.append({
            "jaar": jaar,
            "gemeenten": len(items),
            "gemeenten_met_uitdagingen": sum(1 for i in items if i.get("ontvangen") not in (0, None)),
            **{key: _total([i.get(key) for i in items]) for key in COUNTS},
            "doorlooptijd_mediaan_dagen_mediaan_over_gemeenten": (round(statistics.median(medians), 1)
                                                                   if medians else None),
        })
    return {"schema_versie": SCHEMA_VERSIE, "soort": "r2c-opendata-landelijk", "licentie": LICENTIE,
            "licentie_url": LICENTIE_URL, "bronnen": [str(p) for p in paths], "jaren": years}
