"""Installing r2c: ``make run`` installs only what running needs, and building r2c warns of nothing of its own."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT


def test_make_run_installs_no_dev_or_bench_extras_and_make_test_does() -> None:
    """Playwright, schemathesis and locust are for tests and benchmarks, not for a gemeente's server."""
    def installs(target: str) -> list[str]:
        done = subprocess.run(["make", "-n", "-B", target], cwd=ROOT, capture_output=True, text=True, check=True)
        return [line for line in done.stdout.splitlines() if "pip install" in line and "--upgrade pip" not in line]

    run = installs("run")
    assert run and all(re.search(r"pip install --quiet -e \.$", line) for line in run), run
    assert any("'.[dev,bench]'" in line for line in installs("test"))


@pytest.mark.slow
def test_building_the_package_warns_of_no_deprecation_and_names_the_licence_in_spdx(tmp_path: Path) -> None:
    source = tmp_path / "r2c"
    shutil.copytree(ROOT / "r2c", source / "r2c", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(tmp_path / "dist"),
                            str(source)], capture_output=True, text=True, timeout=300)
    output = built.stdout + built.stderr
    assert built.returncode == 0, output[-2000:]
    assert not re.search(r"deprecat", output, flags=re.IGNORECASE), output[-2000:]
    [wheel] = (tmp_path / "dist").glob("r2c-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        [metadata] = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        assert "License-Expression: EUPL-1.2" in archive.read(metadata).decode()
        assert any(n.endswith(".dist-info/licenses/LICENSE") for n in archive.namelist())
