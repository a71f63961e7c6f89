"""The audit trail on both databases: an intact history verifies, and every change made behind r2c's back (plain
SQL on the tables, as someone with database access could do) is found and named by challenge and record.

Also ``r2c audit verify`` as a beheerder runs it, on a SQLite file.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import delete, insert, null, select, update

from r2c.engine.case import Actor
from r2c.service import ChallengeService, erase
from r2c.store import Database, DocumentStore
from r2c.store.audit import Report, genesis, new_salt, payload_hash, row_hash, verify_database
from r2c.store.tables import ChallengeRow, HistoryRow
from tests.conftest import MODEL_DIR, WORKFLOW_DIR, run_r2c
from tests.integration.helpers import behandelaar, submit

CHALLENGE = ChallengeRow.__table__
HISTORY = HistoryRow.__table__
CHANGED = "inhoud klopt niet met de hash: dit record is gewijzigd"


def four_records(service: ChallengeService, gemeente: str = "gouda") -> str:
    """A challenge with four history rows: indienen, toewijzing, aanvulling_vragen (with a reason), intrekken."""
    c = submit(service, gemeente).challenge
    b = behandelaar(gemeente)
    service.assign(c.id, behandelaar=b.id, actor=b)
    service.fire(c.id, "aanvulling_vragen", actor=b, reason="Graag de begroting van mevrouw De Vries")
    service.fire(c.id, "intrekken", actor=Actor(c.initiatiefnemer, "initiatiefnemer", gemeente),
                 reason="Wij stoppen ermee")
    return c.id


def verify(database: Database, gemeente: str | None = None) -> Report:
    with database.read_sessions() as session:
        return verify_database(session, gemeente=gemeente)


def tamper(database: Database, statement, **params) -> None:
    """Change the tables directly, outside r2c (as a person with database access would)."""
    with database.engine.begin() as connection:
        result = connection.execute(statement, params) if params else connection.execute(statement)
        if not statement.is_insert:  # an INSERT's rowcount is not reported by every driver
            assert result.rowcount == 1, "the tampering statement must hit exactly one row"


def where(challenge_id: str, seq: int):
    return (HISTORY.c.challenge_id == challenge_id) & (HISTORY.c.seq == seq)


def history_rows(database: Database, challenge_id: str) -> list[dict]:
    with database.read_sessions() as session:
        return [dict(r._mapping) for r in session.execute(
            select(HISTORY).where(HISTORY.c.challenge_id == challenge_id).order_by(HISTORY.c.seq))]


def located(report: Report) -> list[tuple[str, int | None]]:
    return [(f.challenge_id, f.seq) for f in report.findings]


def forged_row(challenge_id: str, seq: int, prev_hash: str, **fields) -> dict:
    """A history row a forger who knows the hashing scheme would write: every hash computed correctly."""
    salt = new_salt()
    payload = {"reden": "verzonnen", "gegevens": {}}
    record = {"challenge_id": challenge_id, "seq": seq, "kind": "transitie", "event": "toekennen",
              "transition": "toekennen", "from_state": "afgesloten.ingetrokken", "to_state": "afgesloten.ingetrokken",
              "actor_id": "vervalser", "actor_rol": "college", "at": datetime(2026, 3, 3, 8, tzinfo=timezone.utc),
              "artikel": None, "payload_hash": payload_hash(payload, salt), "snapshot_hash": "0" * 64,
              "prev_hash": prev_hash, **fields}
    record["hash"] = row_hash(record)
    return {**record, "payload": payload, "payload_salt": salt}


# -- an intact trail ---------------------------------------------------------------------------------------


def test_an_intact_trail_verifies_and_its_fingerprint_is_stable(service, database) -> None:
    four_records(service)
    submit(service, "vught")
    report = verify(database)
    assert report.ok and report.findings == []
    assert (report.challenges, report.records) == (2, 5)
    assert len(report.digest) == 64
    again = verify(database)
    assert again.ok and again.digest == report.digest


def test_the_fingerprint_changes_with_every_new_record(service, database) -> None:
    c = submit(service).challenge
    before = verify(database).digest
    b = behandelaar()
    service.assign(c.id, behandelaar=b.id, actor=b)
    after = verify(database)
    assert after.ok and after.digest != before


def test_an_erased_challenge_still_verifies(service, database) -> None:
    challenge_id = four_records(service)
    erase(service, challenge_id, actor=Actor("beheer-1", "beheerder", "gouda"), reason="bewaartermijn verstreken")
    report = verify(database)
    assert report.ok, [str(f) for f in report.findings]
    assert report.records == 5


# -- tampering, each found and named ---------------------------------------------------------------------


@pytest.mark.parametrize(("column", "seq", "value"), [
    ("actor_id", 2, "iemand.anders"),
    ("to_state", 3, "besluit.toegekend"),
    ("at", 2, None),  # moved one hour, filled in below
    ("artikel", 1, "Awb 1:1"),
    ("kind", 2, "persoonsgegevens_gewist"),
], ids=["actor_id", "to_state", "at", "artikel", "kind"])
def test_a_changed_field_of_a_history_row_is_found(service, database, column, seq, value) -> None:
    challenge_id, intact = four_records(service), four_records(service)
    if column == "at":
        value = history_rows(database, challenge_id)[seq - 1]["at"] + timedelta(hours=1)
    tamper(database, update(HISTORY).where(where(challenge_id, seq)).values({column: value}))
    report = verify(database)
    assert located(report) == [(challenge_id, seq)]
    assert report.findings[0].message == CHANGED
    assert str(report.findings[0]) == f"{challenge_id}#{seq}: {CHANGED}"
    assert intact not in {f.challenge_id for f in report.findings}


def test_a_changed_reason_is_found(service, database) -> None:
    challenge_id = four_records(service)
    tamper(database, update(HISTORY).where(where(challenge_id, 3)).values(
        payload={"reden": "Alles is in orde", "gegevens": {}}))
    report = verify(database)
    assert located(report) == [(challenge_id, 3)]
    assert report.findings[0].message == "reden of gegevens kloppen niet met de hash: gewijzigd"


def test_changed_event_data_is_found(service, database) -> None:
    challenge_id = four_records(service)
    tamper(database, update(HISTORY).where(where(challenge_id, 1)).values(
        payload={"reden": None, "gegevens": {"omschrijving": "Iets heel anders."}}))
    assert located(verify(database)) == [(challenge_id, 1)]


def test_a_deleted_middle_row_is_found(service, database) -> None:
    challenge_id = four_records(service)
    tamper(database, delete(HISTORY).where(where(challenge_id, 2)))
    report = verify(database)
    assert located(report) == [(challenge_id, 3), (challenge_id, 3)]
    messages = [f.message for f in report.findings]
    assert messages[0].startswith("volgnummer 3 waar 2 verwacht werd")
    assert messages[1].startswith("verwijst niet naar het record ervoor")


def test_a_deleted_last_row_is_found_although_the_chain_before_it_is_intact(service, database) -> None:
    challenge_id = four_records(service)
    tamper(database, delete(HISTORY).where(where(challenge_id, 4)))
    report = verify(database)
    assert {f.challenge_id for f in report.findings} == {challenge_id}
    assert all(f.seq is None for f in report.findings)
    messages = [f.message for f in report.findings]
    assert "versie 4, maar de geschiedenis eindigt bij 3: een record is verwijderd of toegevoegd" in messages
    assert "de laatste hash van de uitdaging past niet bij het laatste record" in messages
    assert any(m.startswith("staat 'afgesloten.ingetrokken' volgt niet uit de geschiedenis") for m in messages)


def test_all_rows_of_a_challenge_deleted_is_found(service, database) -> None:
    challenge_id = four_records(service)
    with database.engine.begin() as connection:
        connection.execute(delete(HISTORY).where(HISTORY.c.challenge_id == challenge_id))
    report = verify(database)
    assert located(report) == [(challenge_id, None)]
    assert report.findings[0].message == "uitdaging zonder geschiedenis: de records zijn verwijderd"


def test_a_forged_row_appended_with_correct_hashes_is_found(service, database) -> None:
    challenge_id = four_records(service)
    head = history_rows(database, challenge_id)[-1]
    # the forger even commits to the challenge row as it stands
    tamper(database, insert(HISTORY).values(forged_row(challenge_id, 5, head["hash"],
                                                       snapshot_hash=head["snapshot_hash"])))
    report = verify(database)
    assert located(report) == [(challenge_id, None), (challenge_id, None)]
    assert "versie 4, maar de geschiedenis eindigt bij 5: een record is verwijderd of toegevoegd" in [
        f.message for f in report.findings]


def test_a_forged_row_inserted_in_the_middle_is_found(service, database) -> None:
    challenge_id = four_records(service)
    rows = history_rows(database, challenge_id)
    with database.engine.begin() as connection:  # make room at seq 3 (in two steps: seq is unique)
        for shift in (100, -99):
            connection.execute(update(HISTORY).where(HISTORY.c.challenge_id == challenge_id, HISTORY.c.seq >= 3)
                               .values(seq=HISTORY.c.seq + shift))
        connection.execute(insert(HISTORY).values(forged_row(challenge_id, 3, rows[1]["hash"],
                                                             from_state=rows[1]["to_state"],
                                                             to_state=rows[1]["to_state"])))
    report = verify(database)
    assert (challenge_id, 4) in located(report) and (challenge_id, 5) in located(report)
    assert (challenge_id, 3) not in located(report), "the forged row itself is internally consistent"
    assert {f.challenge_id for f in report.findings} == {challenge_id}


@pytest.mark.parametrize("empty", ["SQL NULL", "JSON null"])
def test_a_payload_set_to_null_without_an_erasure_record_is_found(service, database, empty) -> None:
    challenge_id = four_records(service)
    tamper(database, update(HISTORY).where(where(challenge_id, 3)).values(
        payload=null() if empty == "SQL NULL" else None, payload_salt=None))
    report = verify(database)
    assert located(report) == [(challenge_id, 3)]
    assert report.findings[0].message == ("reden en gegevens ontbreken zonder vastgelegde wissing van "
                                          "persoonsgegevens")


def test_a_payload_set_to_null_keeping_its_salt_is_found(service, database) -> None:
    challenge_id = four_records(service)
    tamper(database, update(HISTORY).where(where(challenge_id, 3)).values(payload=None))
    assert located(verify(database)) == [(challenge_id, 3)]


def test_a_changed_challenge_state_is_found(service, database) -> None:
    challenge_id = four_records(service)
    tamper(database, update(CHALLENGE).where(CHALLENGE.c.id == challenge_id).values(state="afgesloten.uitgevoerd"))
    report = verify(database)
    assert located(report) == [(challenge_id, None)]
    assert report.findings[0].message == ("staat 'afgesloten.uitgevoerd' volgt niet uit de geschiedenis "
                                          "('afgesloten.ingetrokken')")


@pytest.mark.parametrize("column", ["resultaat", "closed_at"])
def test_a_cleared_result_or_closing_moment_of_the_challenge_is_found(service, database, column) -> None:
    challenge_id = four_records(service)
    tamper(database, update(CHALLENGE).where(CHALLENGE.c.id == challenge_id).values({column: None}))
    assert located(verify(database)) == [(challenge_id, None)]


def test_a_changed_challenge_version_is_found(service, database) -> None:
    challenge_id = four_records(service)
    tamper(database, update(CHALLENGE).where(CHALLENGE.c.id == challenge_id).values(version=3))
    assert located(verify(database)) == [(challenge_id, None)]


def test_tampering_shows_up_for_its_own_gemeente_only(service, database) -> None:
    gouda, vught = four_records(service, "gouda"), four_records(service, "vught")
    tamper(database, update(HISTORY).where(where(gouda, 2)).values(actor_id="iemand.anders"))
    in_gouda = verify(database, "gouda")
    assert located(in_gouda) == [(gouda, 2)] and (in_gouda.challenges, in_gouda.records) == (1, 4)
    in_vught = verify(database, "vught")
    assert in_vught.ok and (in_vught.challenges, in_vught.records) == (1, 4)
    assert located(verify(database)) == [(gouda, 2)]
    assert vught not in {f.challenge_id for f in in_gouda.findings}


def test_text_written_into_an_erased_record_afterwards_is_found(service, database) -> None:
    challenge_id = four_records(service)
    erase(service, challenge_id, actor=Actor("beheer-1", "beheerder", "gouda"), reason="bewaartermijn verstreken")
    tamper(database, update(HISTORY).where(where(challenge_id, 3)).values(
        payload={"reden": "De initiatiefnemer gaf toe te frauderen", "gegevens": {}}))
    assert service.timeline(challenge_id, actor=behandelaar())[2].reason == "De initiatiefnemer gaf toe te frauderen"
    assert located(verify(database)) == [(challenge_id, 3)]


# -- what the chain cannot see; why the fingerprint is kept elsewhere ------------------------------------


def test_a_whole_challenge_deleted_passes_the_chain_but_changes_the_fingerprint(service, database) -> None:
    kept, removed = four_records(service), four_records(service)
    fingerprint = verify(database).digest
    tamper(database, delete(CHALLENGE).where(CHALLENGE.c.id == removed))  # history goes with it (cascade)
    report = verify(database)
    assert report.ok and (report.challenges, report.records) == (1, 4)
    assert report.digest != fingerprint
    assert history_rows(database, removed) == [] and len(history_rows(database, kept)) == 4


def test_a_consistent_rewrite_of_a_whole_chain_passes_but_changes_the_fingerprint(service, database) -> None:
    challenge_id = four_records(service)
    fingerprint = verify(database).digest
    rows = history_rows(database, challenge_id)
    prev = genesis(challenge_id)
    with database.engine.begin() as connection:  # the forger recomputes every hash and the challenge head
        for row in rows:
            fields = {**row, "actor_id": "iemand.anders", "prev_hash": prev}
            fields["hash"] = row_hash(fields)
            connection.execute(update(HISTORY).where(HISTORY.c.id == row["id"]).values(
                actor_id=fields["actor_id"], prev_hash=prev, hash=fields["hash"]))
            prev = fields["hash"]
        connection.execute(update(CHALLENGE).where(CHALLENGE.c.id == challenge_id).values(head_hash=prev))
    report = verify(database)
    assert report.ok
    assert report.digest != fingerprint


# -- the clock's time zone -------------------------------------------------------------------------------


def test_a_clock_in_dutch_time_gives_a_trail_that_verifies_on_sqlite(sqlite_url, catalog, tmp_path) -> None:
    from zoneinfo import ZoneInfo

    from r2c.clock import FixedClock

    database = Database.connect(sqlite_url)
    database.upgrade()
    try:
        clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam")))  # = 08:00 UTC
        service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions,
                                   documents=DocumentStore(tmp_path / "documenten"))
        c = submit(service).challenge
        assert verify(database).ok
        assert c.created_at == datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)
    finally:
        database.engine.dispose()


# -- r2c audit verify --------------------------------------------------------------------------------------


@pytest.fixture
def sqlite_file(sqlite_url, catalog, clock, tmp_path):
    """A migrated SQLite file with one gouda and one vught challenge; (url, path, service, database)."""
    database = Database.connect(sqlite_url)
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions,
                               documents=DocumentStore(tmp_path / "documenten"))
    yield sqlite_url, Path(sqlite_url.removeprefix("sqlite:///")), service, database
    database.engine.dispose()


def sql(path: Path, statement: str, *params) -> None:
    """One plain SQL statement on the SQLite file, with the sqlite3 module (no r2c, no SQLAlchemy)."""
    with closing(sqlite3.connect(path)) as connection, connection:
        assert connection.execute(statement, params).rowcount == 1


def test_cli_verify_prints_the_summary_and_fingerprint_when_intact(sqlite_file) -> None:
    url, _, service, database = sqlite_file
    four_records(service, "gouda")
    submit(service, "vught")
    digest = verify(database).digest
    result = run_r2c("audit", "verify", env={"R2C_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        f"2 uitdaging(en), 5 record(s) gecontroleerd: in orde. Vingerafdruk (bewaar die elders): {digest}")
    again = run_r2c("audit", "verify", env={"R2C_DATABASE_URL": url})
    assert again.stdout == result.stdout


def test_cli_verify_prints_one_line_per_finding_after_a_row_is_altered(sqlite_file) -> None:
    url, path, service, database = sqlite_file
    gouda = four_records(service, "gouda")
    submit(service, "vught")
    sql(path, "UPDATE history SET actor_id = 'iemand.anders' WHERE challenge_id = ? AND seq = 2", gouda)
    result = run_r2c("audit", "verify", env={"R2C_DATABASE_URL": url})
    assert result.returncode == 1
    assert result.stdout.splitlines() == [f"{gouda}#2: {CHANGED}"]
    assert "5 record(s) gecontroleerd: 1 afwijking(en) gevonden" in result.stderr
    assert "Traceback" not in result.stderr

    own = run_r2c("audit", "verify", "--gemeente", "gouda", env={"R2C_DATABASE_URL": url})
    assert own.returncode == 1 and own.stdout.splitlines() == [f"{gouda}#2: {CHANGED}"]
    other = run_r2c("audit", "verify", "--gemeente", "vught", env={"R2C_DATABASE_URL": url})
    assert other.returncode == 0, other.stdout + other.stderr
    assert other.stdout.startswith("1 uitdaging(en), 1 record(s) gecontroleerd: in orde.")


def test_cli_verify_prints_every_finding_of_several_tamperings(sqlite_file) -> None:
    url, path, service, database = sqlite_file
    first, second = four_records(service), four_records(service)
    sql(path, "DELETE FROM history WHERE challenge_id = ? AND seq = 4", first)
    sql(path, "UPDATE challenge SET state = 'afgesloten.uitgevoerd' WHERE id = ?", second)
    expected = [str(f) for f in verify(database).findings]
    result = run_r2c("audit", "verify", env={"R2C_DATABASE_URL": url})
    assert result.returncode == 1
    assert result.stdout.splitlines() == expected and len(expected) == 4
    assert f"{len(expected)} afwijking(en) gevonden" in result.stderr


def test_cli_verify_on_an_unmigrated_database_says_to_upgrade(sqlite_url) -> None:
    result = run_r2c("audit", "verify", env={"R2C_DATABASE_URL": sqlite_url})
    assert result.returncode == 2  # a configuration error (issue 18)
    assert "r2c db upgrade" in result.stderr
    assert result.stderr.startswith("fout: ")
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_cli_verify_refuses_an_unknown_gemeente_and_names_the_known_ones(sqlite_file, catalog) -> None:
    url, _, service, _ = sqlite_file
    four_records(service, "gouda")
    known = catalog.ids(soort="gemeente")
    assert "gouda" in known and "amsterdam" in known
    result = run_r2c("audit", "verify", "--gemeente", "goud", env={"R2C_DATABASE_URL": url})
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == ("fout: onbekende gemeente 'goud': geen definitie en geen uitdagingen in de "
                                     f"database; bekend: {', '.join(known)}")


def test_cli_verify_of_a_known_gemeente_without_challenges_is_in_order(sqlite_file) -> None:
    url, _, service, _ = sqlite_file
    four_records(service, "gouda")
    result = run_r2c("audit", "verify", "--gemeente", "amsterdam", env={"R2C_DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("0 uitdaging(en), 0 record(s) gecontroleerd: in orde.")


def test_cli_verify_checks_a_gemeente_whose_definition_is_gone_by_its_challenges(sqlite_file) -> None:
    """The trail outlives the definition: with only vught defined, gouda's history is still verified."""
    url, path, service, _ = sqlite_file
    gouda = four_records(service, "gouda")
    env = {"R2C_DATABASE_URL": url,
           "R2C_DEFINITIES": os.pathsep.join([str(MODEL_DIR), str(WORKFLOW_DIR / "vught.yaml")])}
    intact = run_r2c("audit", "verify", "--gemeente", "gouda", env=env)
    assert intact.returncode == 0, intact.stderr
    assert intact.stdout.startswith("1 uitdaging(en), 4 record(s) gecontroleerd: in orde.")
    sql(path, "UPDATE history SET actor_id = 'iemand.anders' WHERE challenge_id = ? AND seq = 2", gouda)
    altered = run_r2c("audit", "verify", "--gemeente", "gouda", env=env)
    assert altered.returncode == 1 and altered.stdout.splitlines() == [f"{gouda}#2: {CHANGED}"]
    unknown = run_r2c("audit", "verify", "--gemeente", "amsterdam", env=env)
    assert unknown.returncode == 1
    assert unknown.stderr.strip().endswith("bekend: vught") and "Traceback" not in unknown.stderr
