"""A host application (a zaaksysteem) uses r2c inside its own transaction: r2c's rows and the host's commit or roll
back together, and an r2c refusal undoes only r2c's savepoint. docs/embedding.md runs as it is written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.orm import Session

from r2c.errors import Conflict, EventNotAllowed, InvalidEventData, NotFound
from r2c.service import Initiatiefnemer
from r2c.store.tables import METADATA
from tests.conftest import MODEL_DIR, ROOT, WORKFLOW_DIR
from tests.integration.helpers import behandelaar, row_counts, submit

DOC = ROOT / "docs" / "embedding.md"
KAREL = Initiatiefnemer("Karel Bakker", "karel@example.nl")


@pytest.fixture
def host_zaak(database) -> Iterator[Table]:
    """The host's own table, in the same database as r2c's."""
    metadata = MetaData()
    table = Table("host_zaak", metadata, Column("id", Integer, primary_key=True),
                  Column("zaaknummer", String(40), nullable=False), Column("uitdaging", String(36)))
    metadata.create_all(database.engine)
    yield table
    metadata.drop_all(database.engine)


def host_rows(database, table: Table) -> list[tuple[str, str | None]]:
    with database.engine.connect() as connection:
        return [tuple(r) for r in connection.execute(select(table.c.zaaknummer, table.c.uitdaging)
                                                     .order_by(table.c.id))]


def r2c_rows(database) -> dict[str, int]:
    """r2c's row counts without the host's table."""
    return {name: count for name, count in row_counts(database).items() if name != "host_zaak"}


def r2c_rows_in(session: Session) -> dict[str, int]:
    """r2c's row counts as the host's own (uncommitted) transaction sees them."""
    return {name: session.execute(select(func.count()).select_from(table)).scalar_one()
            for name, table in METADATA.tables.items()}


def absent(service, challenge_id: str) -> bool:
    try:
        service.get(challenge_id, actor=behandelaar())
    except NotFound:
        return True
    return False


# -- with a Session ---------------------------------------------------------------------------------------------


def test_host_rollback_leaves_neither_r2cs_rows_nor_the_hosts(service, database, host_zaak) -> None:
    before = r2c_rows(database)
    with Session(database.engine) as session:
        r2c = service.joined(session)
        challenge = r2c.submit(gemeente="gouda", titel="Speeltuin", initiatiefnemer=KAREL).challenge
        session.execute(insert(host_zaak).values(zaaknummer="Z-1", uitdaging=challenge.id))
        # Inside the host's transaction r2c's writes are there; outside it they are not (yet).
        assert r2c.get(challenge.id, actor=behandelaar()).version == 1
        assert [h.event for h in r2c.timeline(challenge.id, actor=behandelaar())] == ["indienen"]
        assert absent(service, challenge.id)
        session.rollback()
    assert r2c_rows(database) == before
    assert host_rows(database, host_zaak) == []
    assert absent(service, challenge.id)


def test_host_commit_keeps_both(service, database, host_zaak) -> None:
    before = r2c_rows(database)
    with Session(database.engine) as session:
        r2c = service.joined(session)
        challenge = r2c.submit(gemeente="gouda", titel="Speeltuin", initiatiefnemer=KAREL).challenge
        fired = r2c.fire(challenge.id, "aanvulling_vragen", actor=behandelaar(), expected_version=1)
        session.execute(insert(host_zaak).values(zaaknummer="Z-1", uitdaging=challenge.id))
        session.commit()
    assert host_rows(database, host_zaak) == [("Z-1", challenge.id)]
    stored = service.get(challenge.id, actor=behandelaar())
    assert (stored.state, stored.version) == (fired.challenge.state, 2)
    assert [h.event for h in service.timeline(challenge.id, actor=behandelaar())] == ["indienen", "aanvulling_vragen"]
    after = r2c_rows(database)
    assert (after["challenge"], after["history"], after["outbox"]) == (
        before["challenge"] + 1, before["history"] + 2, before["outbox"] + 2)


def test_a_session_that_ends_without_commit_keeps_nothing(service, database, host_zaak) -> None:
    before = r2c_rows(database)
    with Session(database.engine) as session:
        challenge = service.joined(session).submit(gemeente="gouda", titel="Speeltuin",
                                                   initiatiefnemer=KAREL).challenge
        session.execute(insert(host_zaak).values(zaaknummer="Z-1", uitdaging=challenge.id))
    assert r2c_rows(database) == before and host_rows(database, host_zaak) == []


def test_an_exception_out_of_the_hosts_transaction_block_rolls_back_both(service, database, host_zaak) -> None:
    before = r2c_rows(database)
    with pytest.raises(RuntimeError, match="zaaksysteem"):
        with Session(database.engine) as session, session.begin():
            challenge = service.joined(session).submit(gemeente="gouda", titel="Speeltuin",
                                                       initiatiefnemer=KAREL).challenge
            session.execute(insert(host_zaak).values(zaaknummer="Z-1", uitdaging=challenge.id))
            raise RuntimeError("het zaaksysteem kan de zaak niet aanmaken")
    assert r2c_rows(database) == before and host_rows(database, host_zaak) == []


@pytest.mark.parametrize("refusal", ["event_not_allowed", "conflict", "invalid_event_data"])
def test_an_r2c_error_rolls_back_only_r2cs_savepoint(service, database, host_zaak, refusal) -> None:
    existing = submit(service).challenge
    with Session(database.engine) as session:
        r2c = service.joined(session)
        session.execute(insert(host_zaak).values(zaaknummer="Z-1", uitdaging=existing.id))
        mine = r2c.submit(gemeente="gouda", titel="Speeltuin", initiatiefnemer=KAREL).challenge
        during = r2c_rows_in(session)
        error, call = {
            "event_not_allowed": (EventNotAllowed, lambda: r2c.fire(existing.id, "toekennen", actor=behandelaar())),
            "conflict": (Conflict, lambda: r2c.fire(existing.id, "aanvulling_vragen", actor=behandelaar(),
                                                    expected_version=0)),
            "invalid_event_data": (InvalidEventData, lambda: r2c.fire(existing.id, "verdagen", actor=behandelaar(),
                                                                      reason="Drukte.", data={"kleur": "groen"})),
        }[refusal]
        with pytest.raises(error):
            call()
        # r2c's earlier work in this transaction and the host's row are untouched; the host goes on.
        assert r2c_rows_in(session) == during
        assert r2c.get(mine.id, actor=behandelaar()).version == 1
        session.execute(insert(host_zaak).values(zaaknummer="Z-2", uitdaging=mine.id))
        r2c.fire(existing.id, "aanvulling_vragen", actor=behandelaar(), expected_version=1)
        session.commit()
    assert host_rows(database, host_zaak) == [("Z-1", existing.id), ("Z-2", mine.id)]
    assert service.get(mine.id, actor=behandelaar()).version == 1
    assert [h.event for h in service.timeline(existing.id, actor=behandelaar())] == ["indienen", "aanvulling_vragen"]


# -- with a Connection ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["commit", "rollback"])
def test_a_joined_connection_commits_or_rolls_back_with_the_host(service, database, host_zaak, ending) -> None:
    before = r2c_rows(database)
    with database.engine.connect() as connection:
        connection.begin()
        connection.execute(insert(host_zaak).values(zaaknummer="Z-1"))
        r2c = service.joined(connection)
        challenge = r2c.submit(gemeente="gouda", titel="Speeltuin", initiatiefnemer=KAREL).challenge
        r2c.fire(challenge.id, "aanvulling_vragen", actor=behandelaar(), expected_version=1)
        assert r2c.get(challenge.id, actor=behandelaar()).version == 2
        assert absent(service, challenge.id)
        getattr(connection, ending)()
    if ending == "commit":
        assert host_rows(database, host_zaak) == [("Z-1", None)]
        assert service.get(challenge.id, actor=behandelaar()).version == 2
        assert r2c_rows(database)["history"] == before["history"] + 2
    else:
        assert host_rows(database, host_zaak) == []
        assert r2c_rows(database) == before
        assert absent(service, challenge.id)


def test_an_r2c_error_on_a_joined_connection_keeps_the_hosts_row(service, database, host_zaak) -> None:
    existing = submit(service).challenge
    with database.engine.connect() as connection:
        connection.begin()
        connection.execute(insert(host_zaak).values(zaaknummer="Z-1", uitdaging=existing.id))
        r2c = service.joined(connection)
        mine = r2c.submit(gemeente="gouda", titel="Speeltuin", initiatiefnemer=KAREL).challenge
        with pytest.raises(EventNotAllowed) as info:
            r2c.fire(existing.id, "toekennen", actor=behandelaar())
        assert info.value.allowed == ["aanvulling_vragen", "in_behandeling_nemen", "verdagen",
                                     "in_gebreke_stellen"]
        connection.execute(insert(host_zaak).values(zaaknummer="Z-2", uitdaging=mine.id))
        connection.commit()
    assert host_rows(database, host_zaak) == [("Z-1", existing.id), ("Z-2", mine.id)]
    assert service.get(mine.id, actor=behandelaar()).version == 1
    assert service.get(existing.id, actor=behandelaar()).version == existing.version


# -- the documentation ------------------------------------------------------------------------------------------


def python_blocks(markdown: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", markdown, re.S | re.M)


def test_the_embedding_documentation_runs_as_written(database_url, tmp_path) -> None:
    """Every ```python block of docs/embedding.md, in order, as one script, in an empty directory."""
    blocks = python_blocks(DOC.read_text(encoding="utf-8"))
    script = "\n\n".join(blocks)
    for must in ("Database.connect", "db.upgrade()", "ChallengeService(", "expected_version", ".timeline(",
                 ".search(", "service.joined(session)", "service.joined(connection)", "except Conflict"):
        assert must in script, f"docs/embedding.md no longer shows {must}"
    (tmp_path / "embedding_doc.py").write_text(script, encoding="utf-8")
    env = {**os.environ, "R2C_DATABASE_URL": database_url,
           "R2C_DEFINITIES": os.pathsep.join([str(MODEL_DIR), str(WORKFLOW_DIR)]),
           "R2C_DOCUMENTEN": str(tmp_path / "documenten"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "embedding_doc.py"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "['amsterdam', 'geertruidenberg', 'gouda', 'middelburg', 'vught']"
    assert "['aanvullingsverzoek']" in lines
    assert any(line.startswith("geen uitdaging ") and line.endswith("bij gemeente amsterdam") for line in lines)
    assert "['initiatiefnemer.email', 'initiatiefnemer.naam', 'titel']" in lines
    if database_url.startswith("sqlite"):
        assert (tmp_path / "r2c.db").is_file()
    assert any((tmp_path / "documenten").rglob("*")), "the documented upload did not reach R2C_DOCUMENTEN"
