"""A configuration mistake is one Dutch line that names the setting and what to do, exit code 2, no traceback
(issue 18, item 1). Each case runs the real ``r2c`` command in a process of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_r2c


def one_line(result: subprocess.CompletedProcess) -> str:
    """The single error line of a refused command (and proof that there is nothing else)."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("fout:")]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def current_db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'r2c.db'}"
    assert run_r2c("db", "upgrade", env={"R2C_DATABASE_URL": url}).returncode == 0
    return url


@pytest.mark.parametrize(("env", "expected"), [
    ({"R2C_PLANNER_INTERVAL": "vaak"},
     "fout: R2C_PLANNER_INTERVAL=vaak is geen geheel getal; bv. R2C_PLANNER_INTERVAL=60 (seconden)"),
    ({"R2C_PLANNER_INTERVAL": "0"}, "fout: R2C_PLANNER_INTERVAL=0 is te klein (moet groter dan 0 zijn)"),
    ({"R2C_SMTP_TLS": "ja"}, "fout: R2C_SMTP_TLS=ja kan niet; kies uit 'geen', 'starttls', 'ssl'"),
    ({"R2C_KANALEN": "email"}, "fout: R2C_KANALEN is geen JSON-lijst; schrijf bv. R2C_KANALEN='[\"log\", \"email\"]'"),
    ({"R2C_DATABASE_URL": "mysql://r2c:geheim@localhost/r2c"},
     "fout: R2C_DATABASE_URL: database 'mysql' wordt niet ondersteund, alleen SQLite en PostgreSQL"),
    ({"R2C_DATABASE_URL": "r2c.db"}, "fout: R2C_DATABASE_URL is geen database-URL; schrijf bv. R2C_DATABASE_URL=sqlite"),
    ({"R2C_DATABASE_URL": "postgresql+psycopg2000://r2c@localhost/r2c"},
     "fout: R2C_DATABASE_URL: onbekend stuurprogramma 'psycopg2000' voor postgresql"),
    ({"R2C_DATABASE_URL": "postgresql+psycopg://r2c:geheim@127.0.0.1:9/r2c"},
     "fout: R2C_DATABASE_URL: database postgresql+psycopg://r2c:***@127.0.0.1:9/r2c is niet bereikbaar"),
    ({"R2C_HUISSTIJL": "/bestaat/niet"}, "fout: R2C_HUISSTIJL: de map /bestaat/niet bestaat niet"),
    ({"R2C_DOCUMENTEN": "/bestaat/niet/documenten"},
     "fout: R2C_DOCUMENTEN: de map /bestaat/niet/documenten bestaat niet en /bestaat/niet ook niet"),
    ({"R2C_LOG_FORMAT": "xml"}, "fout: R2C_LOG_FORMAT=xml kan niet; kies uit 'tekst', 'json'"),
    ({"R2C_METRICS_ADRESSEN": '["127.0.0.1", "kantoor"]'},
     "fout: R2C_METRICS_ADRESSEN=['127.0.0.1', 'kantoor'] is onbruikbaar: 'kantoor' is geen IP-adres of CIDR-reeks; "
     "bv. R2C_METRICS_ADRESSEN='[\"127.0.0.1\", \"::1\", \"10.0.0.0/8\"]'"),
], ids=["geen-getal", "nul", "keuze", "geen-json", "mysql", "geen-url", "stuurprogramma", "onbereikbaar",
        "huisstijl", "documenten", "logformaat", "metrics-adres"])
def test_a_wrong_setting_is_one_line_naming_it(env, expected, current_db) -> None:
    line = one_line(run_r2c("scheduler", "--eenmalig", env={"R2C_DATABASE_URL": current_db, **env}))
    assert line.startswith(expected), line
    assert "geheim" not in line  # a password in the URL is never shown


def test_an_unknown_channel_names_the_installed_ones(current_db) -> None:
    line = one_line(run_r2c("scheduler", "--eenmalig", env={"R2C_DATABASE_URL": current_db,
                                                             "R2C_KANALEN": '["log", "duif"]'}))
    assert line == "fout: R2C_KANALEN: onbekend kanaal duif; geïnstalleerd: email, log, webhook, zgw"


def test_a_schema_behind_says_to_upgrade(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'leeg.db'}"
    line = one_line(run_r2c("serve", "--port", "1", env={"R2C_DATABASE_URL": url}))
    assert line.startswith("fout: R2C_DATABASE_URL: database ") and line.endswith("voer eerst 'r2c db upgrade' uit")


def test_postgresql_without_its_driver_says_which_extra_to_install(current_db) -> None:
    """As on an install without r2c[postgres]: the import of psycopg fails."""
    code = ("import sys; sys.modules['psycopg'] = None; sys.argv = ['r2c', 'db', 'status']\n"
            "from r2c.cli import main; main()")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT),
                                 "R2C_DATABASE_URL": "postgresql+psycopg://r2c@127.0.0.1/r2c"})
    assert one_line(result) == ("fout: R2C_DATABASE_URL wijst naar PostgreSQL, maar het stuurprogramma psycopg is "
                                "niet geïnstalleerd: installeer r2c[postgres] (pip install 'r2c[postgres]')")


def test_the_default_folders_may_be_missing(tmp_path: Path, current_db) -> None:
    """Left at their defaults, ./huisstijl and ./documenten need not exist (documents are stored on demand)."""
    result = run_r2c("scheduler", "--eenmalig", cwd=tmp_path, env={"R2C_DATABASE_URL": current_db})
    assert result.returncode == 0, result.stderr
