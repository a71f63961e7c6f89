"""Run every benchmark: each ``bench/bench_*.py`` module's ``main()`` in turn (``make bench``).

Prints each module's own table, then writes every result, with where and when it was measured, to
bench/results/latest.json (git-ignored). Figures and their meaning: docs/performance.md.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"


def modules() -> list[str]:
    """The benchmark modules, 'bench.bench_*', in name order."""
    return [f"bench.{p.stem}" for p in sorted(HERE.glob("bench_*.py"))]


def main() -> int:
    """Run them all; exit code 1 when one of them fails (the others still run)."""
    results: dict[str, Any] = {}
    failed = []
    for name in modules():
        print(f"== {name} " + "=" * max(0, 70 - len(name)), flush=True)
        started = time.perf_counter()
        try:
            result = importlib.import_module(name).main()
        except Exception:  # a broken benchmark must not hide the others' figures
            traceback.print_exc()
            failed.append(name)
            results[name] = {"error": traceback.format_exc(limit=3)}
            continue
        results[name] = result
        print(f"({name}: {time.perf_counter() - started:.1f} s)\n", flush=True)
    report = {
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": "python -m bench",
        "machine": {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "results": results,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, default=str, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results written to {RESULTS.relative_to(HERE.parent)}")
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
