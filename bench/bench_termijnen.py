"""Benchmark: one million end dates (mixed durations and starts, Atw on) on one core.

Run from the repository root: ``python -m bench.bench_termijnen``. Prints the total time and the cost per call
(median of several repeats) and returns the figures as a dict. ``R2C_BENCH_TERMIJNEN_CALLS`` changes the number of
calls (AANTAL).
"""

from __future__ import annotations

import os
import random
import statistics
import time
from datetime import date, timedelta

from r2c.termijnen import bereken, einddatum, laad_kalender, parse_duur

DUREN = ["8 weken", "6 weken", "4 weken", "2 weken", "3 dagen", "14 dagen", "90 dagen", "10 werkdagen",
         "2 werkdagen", "1 maand", "3 maanden", "13 weken", "1 jaar"]
AANTAL = int(os.environ.get("R2C_BENCH_TERMIJNEN_CALLS", "1000000"))
HERHALINGEN = 5


def _werk(n: int, seed: int = 2026) -> list[tuple[date, object]]:
    rng = random.Random(seed)
    first = date(2023, 1, 1)
    duren = [parse_duur(text) for text in DUREN]
    return [(first + timedelta(days=rng.randrange(8 * 365)), rng.choice(duren)) for _ in range(n)]


def main(aantal: int = AANTAL, herhalingen: int = HERHALINGEN) -> dict[str, float]:
    """Time ``aantal`` calls of einddatum() (Atw on), ``herhalingen`` times; print and return the figures."""
    kalender = laad_kalender()
    werk = _werk(aantal)
    totals = []
    for _ in range(herhalingen):
        begin = time.perf_counter()
        for start, duur in werk:
            einddatum(start, duur, kalender=kalender)
        totals.append(time.perf_counter() - begin)
    median = statistics.median(totals)
    # the explained variant (bereken, with derivation in Dutch) on a smaller sample
    sample = werk[: max(1, aantal // 20)]
    begin = time.perf_counter()
    for start, duur in sample:
        bereken(start, duur, kalender=kalender)
    uitleg_per_call = (time.perf_counter() - begin) / len(sample)
    figures = {
        "aantal": float(aantal),
        "herhalingen": float(herhalingen),
        "totaal_s_mediaan": median,
        "totaal_s_min": min(totals),
        "us_per_einddatum": median / aantal * 1e6,
        "us_per_bereken_met_uitleg": uitleg_per_call * 1e6,
    }
    print(f"termijnen: {aantal:,} einddatums (Atw aan, gemengde duren en starts), mediaan van {herhalingen}: "
          f"{median:.2f} s totaal, {figures['us_per_einddatum']:.2f} µs per einddatum")
    print(f"termijnen: bereken() met uitleg: {figures['us_per_bereken_met_uitleg']:.1f} µs per aanroep")
    return figures


if __name__ == "__main__":
    main()
