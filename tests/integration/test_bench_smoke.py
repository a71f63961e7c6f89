"""Every benchmark still runs: each bench/bench_*.py module, at a tiny size, to the end of its ``main()``.

``make bench`` is not part of ``make test``, and a benchmark the code has moved away from (bench_api once called a
removed ``ChallengeOut.of``) would otherwise only show up at the next measurement. The modules come from
``bench/__main__.py``'s ``modules()``, so a new bench_*.py is run here too (give it size knobs, as below, or it runs
at full size and hits the timeout).

Each module runs in a process of its own (``main()`` called from ``python -c``), so its gc pauses, threads and
servers stay out of this one; the result dict comes back as JSON in a file. Only the shape of the figures is
checked (they exist and are positive numbers, the exactly-once run was exactly once), never a speed: the machine
is shared and noisy. Running one module does not write bench/results/latest.json; only ``python -m bench`` does.

PostgreSQL: each bench skips its PostgreSQL part when the server does not answer (``R2C_BENCH_POSTGRES_URL``, else
``R2C_TEST_POSTGRES_URL``) and records ``{"skipped": reason}``. With CI=true that fails the test; elsewhere the test
checks the rest and then skips with the reason.
"""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.__main__ import modules
from tests.conftest import ROOT
from tests.integration.conftest import IN_CI

pytestmark = pytest.mark.slow

# Tiny sizes (the defaults, which docs/performance.md quotes, are in the bench modules)
SMALL = {
    "R2C_BENCH_TERMIJNEN_CALLS": "2000",
    "R2C_BENCH_WORKFLOWS_FILES": "5",
    "R2C_BENCH_WORKFLOWS_SAMPLES": "20",
    "R2C_BENCH_STORE_SAMPLES": "40",
    "R2C_BENCH_STORE_CHALLENGES": "600",
    "R2C_BENCH_NOTIFY_TERMS": "2000",
    "R2C_BENCH_NOTIFY_MESSAGES": "20",
    "R2C_BENCH_NOTIFY_LETTERS": "2",
    "R2C_BENCH_NOTIFY_EXACTLY_ONCE": "20",
    "R2C_BENCH_API_USERS": "1",
    "R2C_BENCH_API_SECONDS": "1",
    "R2C_BENCH_API_WARMUP_SECONDS": "0.5",
    "R2C_BENCH_API_PARTS_SAMPLES": "10",
    "R2C_BENCH_RAPPORT_CHALLENGES": "500",
    "R2C_BENCH_RAPPORT_REPEATS": "1",
    "R2C_BENCH_WERKVOORRAAD_CHALLENGES": "300",
    "R2C_BENCH_WERKVOORRAAD_OPEN": "40",
    "R2C_BENCH_WERKVOORRAAD_USERS": "2",
    "R2C_BENCH_WERKVOORRAAD_SECONDS": "1",
    "R2C_BENCH_WERKVOORRAAD_WARMUP_SECONDS": "0.2",
    "R2C_BENCH_ZGW_CHALLENGES": "5",
}
TIMEOUT_S = 180  # per module; all of them together take well under a minute on 2 cores
RUN = """import importlib, json, pathlib, sys
result = importlib.import_module(sys.argv[1]).main()
pathlib.Path(sys.argv[2]).write_text(json.dumps(result, default=str), encoding="utf-8")
"""


def _run(module: str, out: Path) -> dict[str, Any]:
    """``module.main()`` in a process of its own (and its own process group, so its servers die with it)."""
    env = {**os.environ, **SMALL, "PYTHONPATH": str(ROOT)}
    with subprocess.Popen([sys.executable, "-c", RUN, module, str(out)], cwd=ROOT, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True) as process:
        try:
            stdout, stderr = process.communicate(timeout=TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate()
            pytest.fail(f"{module} did not finish within {TIMEOUT_S} s at the smoke sizes (a new size knob "
                        f"missing from SMALL?)\n--- stdout (end) ---\n{stdout[-2000:]}\n--- stderr ---\n"
                        f"{stderr[-4000:]}")
    if process.returncode != 0:
        pytest.fail(f"{module} failed (exit code {process.returncode})\n--- stdout (end) ---\n{stdout[-2000:]}\n"
                    f"--- stderr ---\n{stderr[-6000:]}")
    return json.loads(out.read_text(encoding="utf-8"))


def _positive(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0 and math.isfinite(value)


def _skipped(result: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """(where, why) of every part the bench skipped (``{"skipped": reason}``), at any depth."""
    if isinstance(result, dict):
        if "skipped" in result:
            yield path or "all of it", str(result["skipped"])
        for key, value in result.items():
            yield from _skipped(value, f"{path}.{key}" if path else str(key))


def _ran(result: dict[str, Any], kinds: tuple[str, ...] = ("sqlite", "postgresql")) -> list[dict[str, Any]]:
    """The database parts that ran (the skipped ones are reported apart)."""
    return [result[kind] for kind in kinds if "skipped" not in result[kind]]


def check_termijnen(r: dict[str, Any]) -> None:
    assert r["aantal"] == int(SMALL["R2C_BENCH_TERMIJNEN_CALLS"])
    assert _positive(r["totaal_s_mediaan"]) and _positive(r["us_per_einddatum"])
    assert _positive(r["us_per_bereken_met_uitleg"])


def check_workflows(r: dict[str, Any]) -> None:
    load = r["load_400"]
    assert load["files"] == int(SMALL["R2C_BENCH_WORKFLOWS_FILES"]) and load["workflows_built"] == load["files"] + 1
    assert _positive(load["total_s"]) and _positive(load["gc_paused"]["total_s"])
    assert r["fire_r2c"]["samples"] == int(SMALL["R2C_BENCH_WORKFLOWS_SAMPLES"])
    assert _positive(r["fire_r2c"]["median_us"])
    assert set(r["fire_r2c"]["by_event_us"]) >= {"indienen", "toekennen", "teruggeven"}
    for key in ("ratio_r2c_to_transitions", "ratio_r2c_to_statemachine", "ratio_r2c_to_bare_nested"):
        assert _positive(r[key]), key
    assert _positive(r["hierarchy"]["ratio_nested_same_edges"])


def check_store(r: dict[str, Any]) -> None:
    for part in _ran(r):
        fire, search = part["fire"], part["search"]
        assert _positive(fire["ratio"]) and _positive(fire["fire_us"]) and _positive(fire["minimal_us"])
        assert fire["breakdown"]["statements_per_event"] > 0 and fire["profile"]
        assert [t["threads"] for t in part["throughput"]] == [1, 8]
        assert all(_positive(t["events_per_s"]) for t in part["throughput"])
        assert search["challenges"] == int(SMALL["R2C_BENCH_STORE_CHALLENGES"]) and search["queries"] > 0
        assert _positive(search["median_ms"]) and _positive(search["gemeente_only_median_ms"])


def check_notify(r: dict[str, Any]) -> None:
    if "skipped" in r:
        return
    for day in r["sweep"]["by_day"].values():
        assert _positive(day["claim_ms"]) and _positive(day["count_ms"])
    runs = r["throughput"]["runs"]
    assert [run["workers"] for run in runs] == [1, 2] and all(_positive(run["messages_per_s"]) for run in runs)
    assert _positive(r["throughput"]["letters"]["messages_per_s"])
    assert r["exactly_once"]["exactly_once"], r["exactly_once"]


def check_api(r: dict[str, Any]) -> None:
    for part in _ran(r):
        assert {p["endpoint"] for p in part["phases"]} == {"bare", "status", "fire"}
        for p in part["phases"]:
            assert p["requests"] > 0 and p["failures"] == 0, p
            assert _positive(p["rps"]) and _positive(p["p50_ms"]) and _positive(p["server_cpu_ms_per_request"]), p
        for q in part["ratios"]:
            assert _positive(q["rps_ratio"]) and _positive(q["p50_ratio"]) and _positive(q["cpu_ratio"]), q
        assert part["parts"] and all(_positive(p["wall_ms"]) for p in part["parts"].values())
    assert r["reference"] and all(_positive(p["wall_ms"]) for p in r["reference"].values())


def check_werkvoorraad(r: dict[str, Any]) -> None:
    for part in _ran(r):
        assert part["challenges"] == int(SMALL["R2C_BENCH_WERKVOORRAAD_CHALLENGES"]) and part["users"] == 2
        assert [run["workers"] for run in part["runs"]] == [1, 2]
        for run in part["runs"]:
            assert [p["endpoint"] for p in run["phases"]] == ["api", "werkvoorraad", "gefilterd"]
            for p in run["phases"]:
                assert p["requests"] > 0 and p["failures"] == 0, p
                assert _positive(p["p50_ms"]) and _positive(p["p99_ms"]) and _positive(p["p50_ratio_to_api"]), p
                counted = p["statements_per_request"]
                assert _positive(counted) if run["workers"] == 1 else counted is None, p
                assert _positive(p["server_cpu_ms_per_request"]), p


def check_zgw(r: dict[str, Any]) -> None:
    assert r["challenges"] == int(SMALL["R2C_BENCH_ZGW_CHALLENGES"]) and r["steps"] == 4 * r["challenges"]
    assert r["created"]["zaken"] == r["challenges"] and r["calls"] > r["steps"]
    assert _positive(r["calls_per_s"]) and _positive(r["ms_per_call"]) and 0 < r["share_in_r2c"] < 1


CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "bench.bench_termijnen": check_termijnen,
    "bench.bench_workflows": check_workflows,
    "bench.bench_store": check_store,
    "bench.bench_notify": check_notify,
    "bench.bench_api": check_api,
    "bench.bench_werkvoorraad": check_werkvoorraad,
    "bench.bench_zgw": check_zgw,
}


@pytest.mark.parametrize("module", modules())
def test_benchmark_runs_at_a_tiny_size(module, tmp_path):
    result = _run(module, tmp_path / "result.json")
    assert isinstance(result, dict) and result, f"{module}.main() returned {result!r}, not its figures"
    CHECKS.get(module, lambda r: None)(result)
    skipped = list(_skipped(result))
    if skipped:
        why = "; ".join(f"{where}: {reason}" for where, reason in skipped)
        if IN_CI:
            pytest.fail(f"CI=true but {module} skipped its PostgreSQL part ({why})")
        pytest.skip(f"{module} ran, but skipped its PostgreSQL part ({why}); start the server or set "
                    "R2C_BENCH_POSTGRES_URL or R2C_TEST_POSTGRES_URL (with CI=true it is required)")
