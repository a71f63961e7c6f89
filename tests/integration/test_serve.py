"""``r2c serve`` (what ``make run`` starts): the API answers and the scheduler runs inside the same process."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from r2c.clock import SystemClock
from r2c.service import ChallengeService
from r2c.store import Database
from r2c.store.tables import DeliveryRow
from tests.conftest import ROOT
from tests.integration.helpers import submit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition, what: str, seconds: float = 60) -> None:
    """Poll ``condition`` until true (waiting on a process this test started), or fail saying ``what``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.1)


def wait_until_answering(process: subprocess.Popen, base: str) -> None:
    """Wait for ``r2c serve`` (started by the test) to answer /api/v1/health; fail with its output if it died."""
    def answers() -> bool:
        assert process.poll() is None, process.stdout.read()
        try:
            return httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return False

    wait_for(answers, "the server answering /api/v1/health")


def children(pid: int) -> list[int]:
    """The process ids of ``pid``'s children (Linux /proc)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_health_and_readiness_and_its_planner_delivers_the_outbox(tmp_path: Path, catalog,
                                                                                 workers: int) -> None:
    """One process, or with ``--workers 2`` two worker processes answering and the planner once, in the main one."""
    url = f"sqlite:///{tmp_path / 'r2c.db'}"
    database = Database.connect(url)
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, SystemClock(), read_session_factory=database.read_sessions)
    challenge = submit(service).challenge
    port = free_port()
    (tmp_path / "huisstijl").mkdir()  # an empty huisstijl folder: every gemeente gets the defaults
    env = {**os.environ, "R2C_DATABASE_URL": url, "R2C_PLANNER_INTERVAL": "1", "R2C_KANALEN": '["log"]',
           "R2C_HUISSTIJL": str(tmp_path / "huisstijl")}
    exe = Path(sys.executable).with_name("r2c")
    server = subprocess.Popen([str(exe), "serve", "--port", str(port), "--workers", str(workers)], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base = f"http://127.0.0.1:{port}/api/v1"
        wait_until_answering(server, f"http://127.0.0.1:{port}")
        if workers > 1:  # uvicorn's worker processes (multiprocessing's resource tracker is no spawn_main)
            wait_for(lambda: sum("spawn_main" in Path(f"/proc/{c}/cmdline").read_text()
                                 for c in children(server.pid)) == workers, f"{workers} worker processes")
        ready = httpx.get(f"{base}/ready", timeout=5)
        assert ready.status_code == 200 and ready.json() == {"status": "gereed", "planner": True}
        assert httpx.get(f"{base}/openapi.json", timeout=5).json()["openapi"].startswith("3.1")

        def delivered() -> bool:  # the challenge's own message (the planner may add this week's digest)
            delivery = DeliveryRow.__table__
            with database.read_sessions() as session:
                rows = session.execute(select(delivery.c.status).where(
                    delivery.c.idempotency_key.startswith(f"{challenge.id}:1|"))).scalars().all()
            return rows == ["verzonden"]

        wait_for(delivered, f"the in-process planner delivering the outbox row of {challenge.id}")
    finally:
        server.send_signal(signal.SIGINT)
        output = server.communicate(timeout=30)[0]
        database.engine.dispose()
    assert server.returncode == 0, output
    assert "Traceback" not in output
    if workers > 1:
        assert f"met {workers} werkprocessen, de planner in het hoofdproces" in output


def test_serve_logs_json_lines_and_shows_its_planners_rounds_in_metrics(tmp_path: Path) -> None:
    """``R2C_LOG_FORMAT=json``: every line on stderr (uvicorn's too) is one JSON object; /metrics from the machine
    itself counts the requests and the in-process planner's rounds."""
    from prometheus_client.parser import text_string_to_metric_families

    url = f"sqlite:///{tmp_path / 'r2c.db'}"
    Database.connect(url).upgrade()
    port = free_port()
    env = {**os.environ, "R2C_DATABASE_URL": url, "R2C_PLANNER_INTERVAL": "1", "R2C_KANALEN": '["log"]',
           "R2C_LOG_FORMAT": "json"}
    log_file = tmp_path / "stderr.log"
    with log_file.open("w") as stderr:
        server = subprocess.Popen([str(Path(sys.executable).with_name("r2c")), "serve", "--port", str(port)],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            wait_until_answering(server, f"http://127.0.0.1:{port}")

            def ticks() -> float:
                text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5,
                                 headers={"X-Request-ID": "scrape-1"}).text
                return sum(s.value for f in text_string_to_metric_families(text) for s in f.samples
                           if s.name == "r2c_planner_tick_duration_seconds_count")

            wait_for(lambda: ticks() >= 1, "a round of the in-process planner in /metrics")
        finally:
            server.send_signal(signal.SIGINT)
            server.communicate(timeout=30)
    assert server.returncode == 0
    records = [json.loads(line) for line in log_file.read_text().splitlines()]  # each line is JSON
    assert any(r["logger"].startswith("uvicorn") for r in records)
    scrape = [r for r in records if r["logger"] == "r2c.http" and r.get("request_id") == "scrape-1"]
    assert scrape and scrape[0]["message"].startswith("GET /metrics 200")
    assert any(r["logger"] == "r2c.planner" for r in records)
