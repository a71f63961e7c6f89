"""Back-ups (docs/beheer.md): a SQLite copy made while r2c writes, and pg_dump for PostgreSQL, restore to a database
whose history ``r2c audit verify`` passes with the same fingerprint; the documents come back with the folder."""

from __future__ import annotations

import shutil
import subprocess
import threading
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from r2c.clock import SystemClock
from r2c.service import ChallengeService
from r2c.store import Database
from r2c.store.documents import DocumentStore
from tests.conftest import run_r2c
from tests.integration.conftest import PG_URL
from tests.integration.helpers import behandelaar, submit


def fingerprint(url: str) -> str:
    """The digest ``r2c audit verify`` prints for the database at ``url`` (which must pass)."""
    result = run_r2c("audit", "verify", env={"R2C_DATABASE_URL": url})
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout.rsplit(": ", 1)[1].strip()


def filled(url: str, catalog, documents: Path) -> tuple[ChallengeService, Database, str]:
    database = Database.connect(url)
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, SystemClock(), read_session_factory=database.read_sessions,
                               documents=DocumentStore(documents))
    fired = submit(service, titel="Buurttuin")
    service.fire(fired.challenge.id, "aanvulling_vragen", actor=behandelaar(), reason="begroting ontbreekt")
    service.add_document(fired.challenge.id, actor=behandelaar(), name="begroting.pdf",
                         media_type="application/pdf", content=b"%PDF-1.7 begroting")
    return service, database, fired.challenge.id


def test_a_sqlite_backup_made_while_r2c_writes_restores_with_the_same_fingerprint(tmp_path, catalog) -> None:
    url = f"sqlite:///{tmp_path / 'r2c.db'}"
    service, database, challenge_id = filled(url, catalog, tmp_path / "documenten")
    stop = threading.Event()

    def keep_writing() -> None:
        while not stop.is_set():
            submit(service, titel="Nog een uitdaging")

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        made = run_r2c("db", "backup", str(tmp_path / "kopie.db"), env={"R2C_DATABASE_URL": url})
    finally:
        stop.set()
        writer.join()
    submit(service, titel="Na de back-up")
    assert made.returncode == 0, made.stderr
    printed = made.stdout.rsplit(": ", 1)[1].strip()
    shutil.copytree(tmp_path / "documenten", tmp_path / "herstel" / "documenten")  # after the database: see beheer.md

    restored = tmp_path / "herstel" / "r2c.db"
    shutil.copy(tmp_path / "kopie.db", restored)
    restored_url = f"sqlite:///{restored}"
    assert fingerprint(restored_url) == printed
    assert fingerprint(url) != printed  # the source went on; the copy holds the moment of the backup
    again = Database.connect(restored_url)
    back = ChallengeService(again.sessions, catalog, SystemClock(), read_session_factory=again.read_sessions,
                            documents=DocumentStore(tmp_path / "herstel" / "documenten"))
    [document] = back.documents_of(challenge_id, actor=behandelaar())
    assert back.document_content(challenge_id, document.id, actor=behandelaar())[1] == b"%PDF-1.7 begroting"
    again.engine.dispose()
    database.engine.dispose()


def test_backup_refuses_to_overwrite_and_points_postgresql_to_pg_dump(tmp_path, postgres_url) -> None:
    url = f"sqlite:///{tmp_path / 'r2c.db'}"
    assert run_r2c("db", "upgrade", env={"R2C_DATABASE_URL": url}).returncode == 0
    (tmp_path / "bestaat.db").write_bytes(b"")
    refused = run_r2c("db", "backup", str(tmp_path / "bestaat.db"), env={"R2C_DATABASE_URL": url})
    assert refused.returncode == 1 and "bestaat al" in refused.stderr
    assert run_r2c("db", "upgrade", env={"R2C_DATABASE_URL": postgres_url}).returncode == 0
    postgres = run_r2c("db", "backup", str(tmp_path / "pg.db"), env={"R2C_DATABASE_URL": postgres_url})
    assert postgres.returncode == 2 and "pg_dump" in postgres.stderr and "Traceback" not in postgres.stderr


@pytest.mark.slow
def test_a_pg_dump_restores_into_a_new_database_with_the_same_fingerprint(tmp_path, postgres_url, catalog) -> None:
    _, database, _ = filled(postgres_url, catalog, tmp_path / "documenten")
    before = fingerprint(postgres_url)
    schema = make_url(postgres_url).query["options"].split("=", 1)[1]
    server = make_url(PG_URL)
    libpq = ["-h", server.host or "127.0.0.1", "-p", str(server.port or 5432), "-U", server.username or "postgres"]
    dump = tmp_path / "r2c.dump"
    subprocess.run(["pg_dump", *libpq, "-Fc", "-n", schema, "-f", str(dump), server.database], check=True)
    name = f"r2c_herstel_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        subprocess.run(["pg_restore", *libpq, "-d", name, str(dump)], check=True)
        restored = postgres_url.replace(f"/{server.database}?", f"/{name}?")
        assert fingerprint(restored) == before
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
        database.engine.dispose()
