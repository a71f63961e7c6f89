"""``r2c doctor`` against real parts: a SQLite file, an SMTP server (aiosmtpd) and an HTTP receiver on loopback."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest

from tests.conftest import FIXTURES, MODEL_DIR, run_r2c
from tests.integration.test_email import MailServer, free_port, mail_server  # noqa: F401 (the SMTP fixture)


@pytest.fixture
def receiver() -> Iterator[str]:
    """A webhook receiver: any HTTP answer means it is there."""
    class Quiet(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
            self.send_response(405)
            self.end_headers()

        def log_message(self, *_args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


@pytest.fixture
def live(tmp_path, mail_server: MailServer, receiver) -> dict[str, str]:
    """The environment of a gemeente about to go live: migrated database, mail, webhook."""
    url = f"sqlite:///{tmp_path / 'r2c.db'}"
    assert run_r2c("db", "upgrade", env={"R2C_DATABASE_URL": url}).returncode == 0
    (tmp_path / "huisstijl").mkdir()
    return {"R2C_DATABASE_URL": url, "R2C_DOCUMENTEN": str(tmp_path / "documenten"),
            "R2C_HUISSTIJL": str(tmp_path / "huisstijl"), "R2C_KANALEN": '["log", "email", "webhook"]',
            "R2C_SMTP_HOST": "127.0.0.1", "R2C_SMTP_PORT": str(mail_server.port),
            "R2C_WEBHOOK_URLS": f'["{receiver}"]', "R2C_WEBHOOK_GEHEIM": "g" * 40}


def lines(result) -> dict[str, tuple[str, str]]:
    """name -> (result, detail) of each checklist line."""
    out = {}
    for line in result.stdout.splitlines():
        if line.startswith("["):
            mark, rest = line.split("]", 1)
            name, _, detail = rest.strip().partition(": ")
            out[name] = (mark.strip("["), detail)
    return out


def test_a_good_configuration_passes_every_check(live) -> None:
    result = run_r2c("doctor", env=live)
    assert result.returncode == 0, result.stdout + result.stderr
    checks = lines(result)
    assert {name: mark for name, (mark, _) in checks.items()} == {
        "instellingen": "ok", "database": "ok", "workflows": "ok", "documenten": "ok", "kanalen": "ok",
        "e-mail": "ok", "webhooks": "ok"}
    assert "schema op revisie" in checks["database"][1]
    assert checks["e-mail"][1].startswith("SMTP 127.0.0.1:")
    assert result.stdout.rstrip().endswith("alles in orde")


def test_each_problem_is_its_own_line_and_the_exit_code_is_1(live, tmp_path) -> None:
    empty = tmp_path / "leeg.db"
    empty.touch()
    env = {**live, "R2C_DATABASE_URL": f"sqlite:///{empty}", "R2C_SMTP_PORT": str(free_port()),
           "R2C_WEBHOOK_URLS": f'["http://127.0.0.1:{free_port()}/hook"]',
           "R2C_DEFINITIES": f"{MODEL_DIR}:{FIXTURES / 'broken' / 'tikfout.yaml'}"}
    result = run_r2c("doctor", env=env)
    assert result.returncode == 1
    checks = lines(result)
    mark, detail = checks["database"]
    assert mark == "fout" and detail.startswith(f"sqlite:///{empty} is leeg, verwacht ")
    assert detail.endswith(": voer 'r2c db upgrade' uit")
    assert checks["workflows"][0] == "fout" and "r2c workflows validate" in checks["workflows"][1]
    assert checks["e-mail"][0] == "fout" and "R2C_SMTP_PORT" in checks["e-mail"][1]
    assert checks["webhooks"][0] == "fout" and "niet bereikbaar" in checks["webhooks"][1]
    assert checks["documenten"][0] == "ok" and checks["kanalen"][0] == "ok"
    assert "4 probleem/problemen" in result.stderr and "Traceback" not in result.stdout + result.stderr


def test_wrong_settings_are_reported_and_the_rest_is_skipped(live) -> None:
    result = run_r2c("doctor", env={**live, "R2C_PLANNER_INTERVAL": "vaak", "R2C_WEBHOOK_GEHEIM": "kort"})
    assert result.returncode == 1
    checks = lines(result)
    assert checks["instellingen"] == ("fout", "R2C_PLANNER_INTERVAL=vaak is geen geheel getal; "
                                              "bv. R2C_PLANNER_INTERVAL=60 (seconden)")
    assert checks["overige controles"][0] == "-"


def test_a_channel_that_cannot_start_is_a_failed_check_without_its_secret(live) -> None:
    result = run_r2c("doctor", env={**live, "R2C_WEBHOOK_GEHEIM": "kortgeheim"})
    assert result.returncode == 1
    mark, detail = lines(result)["kanalen"]
    assert mark == "fout" and detail.startswith("R2C_WEBHOOK_GEHEIM:") and "kortgeheim" not in result.stdout
