"""Benchmark of the year report (issue 17): ``build_report`` of one gemeente with 100,000 challenges, on SQLite
(a temporary file) and on PostgreSQL (a fresh schema, dropped afterwards; skipped with a note when the server does
not answer). Target: under 2 s per report (the year asked and the year before). Figures: docs/performance.md.

The data: ``R2C_BENCH_RAPPORT_CHALLENGES`` (default 100,000) challenges of vught submitted over 2025 and 2026, each
with its history (6 to 9 rows: indienen, sometimes aanvulling_vragen/aanvullen and verdagen, in behandeling,
voorleggen, a besluit or an intrekking, for some an overeenkomst) and its beslistermijn, bulk-inserted with core
INSERTs (not through the service; the hashes are placeholders, the report does not read them) into a database at
revision 0012, then brought to head: migration 0013 fills the report's read model from that history, the way an
existing installation gets it, and its time is reported (``backfill_s``). The same bench-data approach as
bench_store's search benchmark, with history added. A report is built
``R2C_BENCH_RAPPORT_REPEATS`` times (default 5); the median is reported. The machine is shared: medians only.
Run: ``.venv/bin/python -c "import bench.bench_rapport as b; b.main()"``.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from r2c.store.scratch import postgres_problem, scratch_schema

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("R2C_BENCH_POSTGRES_URL") or os.environ.get(
    "R2C_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
CHALLENGES = int(os.environ.get("R2C_BENCH_RAPPORT_CHALLENGES", "100000"))
REPEATS = int(os.environ.get("R2C_BENCH_RAPPORT_REPEATS", "5"))
TARGET_S = 2.0
GEMEENTE = "vught"
NOW = datetime(2026, 12, 28, 9, 0, tzinfo=timezone.utc)
HASH = "0" * 64


def paths(rng: random.Random) -> list[tuple[str, str, str, int]]:
    """One challenge's history as (event, from_state, to_state, days after the previous row)."""
    steps = [("indienen", "indiening.concept", "indiening.ontvangen", 0)]
    if rng.random() < 0.2:
        steps += [("aanvulling_vragen", "indiening.ontvangen", "ontvankelijkheid.aanvulling_gevraagd", 3),
                  ("aanvullen", "ontvankelijkheid.aanvulling_gevraagd", "indiening.ontvangen", rng.randrange(1, 14))]
    steps.append(("in_behandeling_nemen", "indiening.ontvangen", "toetsing.beoordelen", rng.randrange(1, 10)))
    if rng.random() < 0.1:
        steps.append(("verdagen", "toetsing.beoordelen", "toetsing.beoordelen", rng.randrange(10, 40)))
    if rng.random() < 0.1:
        return [*steps, ("intrekken", "toetsing.beoordelen", "afgesloten.ingetrokken", rng.randrange(1, 20))]
    steps.append(("voorleggen", "toetsing.beoordelen", "besluit.voorgelegd", rng.randrange(5, 40)))
    outcome = rng.random()
    if outcome < 0.3:
        return [*steps, ("afwijzen", "besluit.voorgelegd", "bezwaar.termijn", rng.randrange(1, 21))]
    steps.append(("toekennen", "besluit.voorgelegd", "overname.voorbereiden", rng.randrange(1, 21)))
    if rng.random() < 0.5:
        steps.append(("overeenkomst_sluiten", "overname.voorbereiden", "uitvoering.lopend", rng.randrange(5, 30)))
    return steps


def load(db, n: int) -> dict[str, Any]:
    """``n`` challenges of GEMEENTE with history and beslistermijn, bulk-inserted."""
    from r2c.store.tables import ChallengeRow, HistoryRow, TermRow

    rng = random.Random(2026)
    first = datetime(2025, 1, 1, 9, 0, tzinfo=timezone.utc)
    step = (datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc) - first) / n
    challenges, history, terms = [], [], []
    for i in range(n):
        cid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        moment = first + step * i
        rows = paths(rng)
        for seq, (event, src, dst, days) in enumerate(rows, start=1):
            moment += timedelta(days=days)
            history.append({"challenge_id": cid, "seq": seq, "kind": "transitie", "event": event,
                            "transition": event, "from_state": src, "to_state": dst, "actor_id": "bench",
                            "actor_rol": "behandelaar", "at": moment, "payload": None, "payload_hash": HASH,
                            "snapshot_hash": HASH, "prev_hash": HASH, "hash": HASH})
        started = (first + step * i).date()
        decided = next((r for r in rows if r[0] in ("afwijzen", "toekennen", "intrekken")), None)
        stopped = moment.date() if decided else None
        terms.append({"challenge_id": cid, "gemeente": GEMEENTE, "name": "beslistermijn",
                      "status": "gestopt" if stopped else "lopend", "termijn": {}, "started_on": started,
                      "einddatum": started + timedelta(weeks=8 + (8 if any(r[0] == "verdagen" for r in rows) else 0)),
                      "stopped_on": stopped})
        state = rows[-1][2]
        challenges.append({
            "id": cid, "gemeente": GEMEENTE, "kenmerk": f"UD-{i:06d}", "workflow": GEMEENTE, "workflow_version": "1",
            "state": state, "fase": state.split(".")[0], "resultaat": None, "titel": f"Uitdaging {i}",
            "behandelaar": None, "version": len(rows), "head_hash": HASH, "created_at": first + step * i,
            "updated_at": moment, "closed_at": None, "erased_at": None,
            "facts": {"budget": f"{rng.randrange(1000, 50000)}.00",
                      "beoordelingen": {"kosten": {"oordeel": rng.choice(["voldoet", "voldoet_niet"])}}}})
    t0 = time.perf_counter()
    with db.engine.begin() as connection:
        for table, rows in ((ChallengeRow.__table__, challenges), (HistoryRow.__table__, history),
                            (TermRow.__table__, terms)):
            for start in range(0, len(rows), 10_000):
                connection.execute(insert(table), rows[start:start + 10_000])
    loaded = time.perf_counter() - t0
    if db.is_postgresql:  # statistics and visibility map, as autovacuum would have them by now
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    return {"challenges": n, "history_rows": len(history), "insert_s": round(loaded, 1)}


@contextmanager
def sqlite_url(folder: str) -> Iterator[str]:
    """A SQLite file in ``folder``."""
    yield f"sqlite:///{folder}/r2c.db"


BEFORE_READ_MODEL = "0012"
"""The revision before the report's read model: the bench loads its history there and lets 0013 fill the model."""


@contextmanager
def database(kind: str) -> Iterator[Any]:
    """An empty database of ``kind`` at BEFORE_READ_MODEL, removed afterwards."""
    from r2c.store import Database

    with tempfile.TemporaryDirectory(prefix="r2c-bench-") as folder:
        if kind == "sqlite":
            url_context = sqlite_url(folder)
        else:
            url_context = scratch_schema(PG_URL, prefix="r2c_bench")
        with url_context as url:
            db = Database.connect(url)
            db.upgrade(BEFORE_READ_MODEL)
            try:
                yield db
            finally:
                db.engine.dispose()


def bench(kind: str) -> dict[str, Any]:
    """Load the data into a database of ``kind`` and time ``build_report`` over 2026 (and 2025)."""
    from r2c.clock import FixedClock
    from r2c.definitions import load_catalog
    from r2c.reports.figures import build_report
    from r2c.service import ChallengeService

    catalog = load_catalog([ROOT / "model_verordening", ROOT / "workflows"], base_paths=[])
    with database(kind) as db:
        data = load(db, CHALLENGES)
        t0 = time.perf_counter()
        db.upgrade()  # 0013: the read model from the history
        data["backfill_s"] = round(time.perf_counter() - t0, 1)
        if db.is_postgresql:
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        service = ChallengeService(db.sessions, catalog, FixedClock(NOW), read_session_factory=db.read_sessions)
        timings, report = [], None
        for _ in range(REPEATS):
            t0 = time.perf_counter()
            report = build_report(service, gemeente=GEMEENTE, jaar=2026)
            timings.append(time.perf_counter() - t0)
        median = statistics.median(timings)
        return {**data, "report_s_median": round(median, 3), "report_s_all": [round(t, 3) for t in timings],
                "target_s": TARGET_S, "ratio_to_target": round(median / TARGET_S, 2),
                "meets_target": median < TARGET_S, "ontvangen_2026": report.dit_jaar["ontvangen"],
                "ontvangen_2025": report.vorig_jaar["ontvangen"]}


def main() -> dict[str, Any]:
    """The report on SQLite, then on PostgreSQL (if it answers); prints a table, returns the figures."""
    results: dict[str, Any] = {"sqlite": bench("sqlite")}
    problem = postgres_problem(PG_URL)
    results["postgresql"] = bench("postgresql") if problem is None else {"skipped": problem}
    print(f"bench_rapport  (nproc={os.cpu_count()}; shared machine; {CHALLENGES} challenges, median of {REPEATS})")
    print(f"{'database':<12}{'history rows':>14}{'backfill':>10}{'report (median)':>18}{'target':>10}{'met':>6}")
    for kind, r in results.items():
        if "skipped" in r:
            print(f"{kind:<12} skipped ({r['skipped']})")
            continue
        print(f"{kind:<12}{r['history_rows']:>14}{r['backfill_s']:>8.1f} s{r['report_s_median']:>16.3f} s"
              f"{TARGET_S:>8.1f} s"
              f"{'yes' if r['meets_target'] else 'NO':>6}")
    return results


if __name__ == "__main__":
    main()
