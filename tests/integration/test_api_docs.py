"""What docs/api.md and the README promise, against a real server: the steps of ``make run`` (upgrade, demo,
serve) give the OpenAPI document and the demo data; ``r2c keys create`` prints a working key once; the curl
lifecycle in docs/examples/levensloop.sh runs from submission to besluit.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT, run_r2c
from tests.integration.conftest import IN_CI
from tests.integration.test_serve import free_port, wait_until_answering

SCRIPT = ROOT / "docs" / "examples" / "levensloop.sh"


def serve(env: dict[str, str], port: int, cwd: Path) -> subprocess.Popen:
    exe = Path(sys.executable).with_name("r2c")
    return subprocess.Popen([str(exe), "serve", "--port", str(port), "--zonder-planner"], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture
def server(tmp_path):
    """``make run``'s steps in a fresh folder: db upgrade, demo, serve; yields (base URL, env, demo output)."""
    (tmp_path / "huisstijl").mkdir()  # empty: every gemeente gets the default huisstijl
    env = {**os.environ, "R2C_DATABASE_URL": f"sqlite:///{tmp_path / 'r2c.db'}",
           "R2C_DOCUMENTEN": str(tmp_path / "documenten"), "R2C_HUISSTIJL": str(tmp_path / "huisstijl")}
    assert run_r2c("db", "upgrade", env=env, cwd=tmp_path).returncode == 0
    demo = run_r2c("demo", env=env, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    port = free_port()
    process = serve(env, port, tmp_path)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(process, base)
        yield base, env, demo.stdout, tmp_path
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
    assert "Traceback" not in output, output


def test_make_run_serves_the_openapi_document_and_the_demo_data(server) -> None:
    base, _, demo, _ = server
    spec = httpx.get(f"{base}/api/v1/openapi.json", timeout=5)
    assert spec.status_code == 200 and spec.json()["openapi"].startswith("3.1")
    keys = dict(re.findall(r"^\s+(gouda|vught)\s+behandelaar\S*\s+\S+\s+(r2c_key_\S+)$", demo, re.MULTILINE))
    assert set(keys) == {"gouda", "vught"}, demo
    phases = set()
    for gemeente, key in keys.items():
        listed = httpx.get(f"{base}/api/v1/challenges", headers={"Authorization": f"Bearer {key}"}, timeout=5).json()
        assert listed["total"] >= 3 and {c["gemeente"] for c in listed["items"]} == {gemeente}
        phases |= {c["fase"] for c in listed["items"]}
    assert len(phases) >= 5
    status = re.search(r"(http://127\.0\.0\.1:8000)(/status/r2c_st_\S+)", demo)
    page = httpx.get(base + status.group(2), timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")


def test_keys_create_prints_the_key_once_and_revoke_closes_it(server) -> None:
    base, env, _, folder = server
    made = run_r2c("keys", "create", "--gemeente", "vught", "--rol", "lezer", env=env, cwd=folder)
    assert made.returncode == 0, made.stderr
    key = made.stdout.splitlines()[0]
    assert key.startswith("r2c_key_") and "hash" in made.stderr
    headers = {"Authorization": f"Bearer {key}"}
    assert httpx.get(f"{base}/api/v1/challenges", headers=headers, timeout=5).status_code == 200
    listed = run_r2c("keys", "list", "--gemeente", "vught", env=env, cwd=folder).stdout
    assert key not in listed and key[:16] in listed
    assert run_r2c("keys", "revoke", key[:16], env=env, cwd=folder).returncode == 0
    assert httpx.get(f"{base}/api/v1/challenges", headers=headers, timeout=5).status_code == 401
    wrong = run_r2c("keys", "create", "--gemeente", "atlantis", "--rol", "baas", env=env, cwd=folder)
    assert wrong.returncode == 1 and "atlantis" in wrong.stderr and "baas" in wrong.stderr
    assert "Traceback" not in wrong.stderr


def test_the_documented_curl_lifecycle_runs_from_submission_to_besluit(server) -> None:
    if not (shutil.which("curl") and shutil.which("jq")):
        if IN_CI:
            pytest.fail("CI=true: curl and jq are needed for the documented lifecycle (apt-get install curl jq)")
        pytest.skip("curl or jq missing (apt-get install curl jq); docs/examples/levensloop.sh needs both")
    base, env, _, folder = server
    keys = {}
    for name, roles in (("BEHANDELAAR", ("behandelaar", "teamleider")), ("COLLEGE", ("college",))):
        made = run_r2c("keys", "create", "--gemeente", "gouda", *[f"--rol={r}" for r in roles], env=env, cwd=folder)
        keys[name] = made.stdout.splitlines()[0]
    run = subprocess.run(["bash", str(SCRIPT)], cwd=folder, capture_output=True, text=True, timeout=120,
                         env={**env, "R2C": base, **keys})
    assert run.returncode == 0, run.stdout + run.stderr
    assert '"state":"overname.voorbereiden"' in run.stdout
    assert (folder / "besluit.pdf").read_bytes().startswith(b"%PDF")
