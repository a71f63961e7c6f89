"""Shared fixtures: the repository's own definition files, a clock that stands still, the r2c command."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODEL_DIR = ROOT / "model_verordening"
WORKFLOW_DIR = ROOT / "workflows"
FIXTURES = ROOT / "tests" / "fixtures"


@pytest.fixture(scope="session")
def catalog():
    """Every shipped definition, loaded once."""
    from r2c.definitions import load_catalog

    return load_catalog([MODEL_DIR, WORKFLOW_DIR], base_paths=[])


@pytest.fixture
def clock():
    """A clock standing at Monday 2 March 2026, 09:00 in Amsterdam."""
    from r2c.clock import FixedClock

    return FixedClock(datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc))


def run_r2c(*args: str, cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the installed ``r2c`` command as a user would, capturing its output."""
    exe = Path(sys.executable).with_name("r2c")
    command = [str(exe)] if exe.exists() else [sys.executable, "-c", "from r2c.cli import main; main()"]
    return subprocess.run([*command, *args], cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})
