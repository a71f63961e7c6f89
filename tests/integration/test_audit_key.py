"""The keyed history chain and the anchor, on both databases (issue 18, item 6).

The insider of these tests has the code and write access to the database but not the key: they change a row and
recompute every hash with r2c's own public functions (``row_hash``, ``genesis``, a ``Keyring`` of their own), as
a person who read docs/audit.md could. Also key rotation, rows from before keying, the anchor file the planner
writes, and ``r2c audit verify`` with a key and ``--anker`` on a SQLite file.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete, update

from r2c.errors import ConfigError
from r2c.scheduler.anchor import AnchorJob
from r2c.service import ChallengeService
from r2c.settings import Settings
from r2c.store import Database, DocumentStore
from r2c.store.anchor import Anchor, AnchorError
from r2c.store.audit import (
    DOWNGRADE, NO_KEYS, Keyring, Report, genesis, key_id, keyed_row_hash, row_hash, verify_database,
)
from r2c.store.audit_keys import load_keyring
from tests.conftest import run_r2c
from tests.integration.helpers import behandelaar, submit
from tests.integration.test_audit import CHALLENGE, CHANGED, HISTORY, four_records, history_rows

OLD = "oude-sleutel-" + "7" * 40
NEW = "nieuwe-sleutel-" + "3" * 40
CROOK = "sleutel-van-de-vervalser-" + "9" * 32


def keyed(service: ChallengeService, *secrets: str) -> ChallengeService:
    """The same service, hashing with the keyring of ``secrets`` (the last current)."""
    return ChallengeService(service.units.sessions, service.engine, service.clock,
                            read_session_factory=service.units.read_sessions, documents=service.documents,
                            keyring=Keyring.of(secrets))


def verify(database: Database, *secrets: str, anchor: Anchor | None = None) -> Report:
    with database.read_sessions() as session:
        return verify_database(session, keyring=Keyring.of(secrets), anchor=anchor)


def messages(report: Report) -> list[str]:
    return [str(f) for f in report.findings]


def later(service: ChallengeService, hours: int = 1) -> None:
    service.clock.set(service.clock.now() + timedelta(hours=hours))


def rewrite(database: Database, challenge_id: str, *, how: str, actor_id: str = "iemand.anders") -> None:
    """The insider: change who did step 2 and recompute the whole chain and the challenge's head, without the key.

    how: 'keep' leaves the key ids (and uses the public plain hash), 'strip' removes them (a chain as if written
    before keying), 'own' hashes with a keyring of the insider's own.
    """
    crook = Keyring.of([CROOK])
    prev = genesis(challenge_id)
    with database.engine.begin() as connection:
        for row in history_rows(database, challenge_id):
            fields = {**row, "prev_hash": prev, "actor_id": actor_id if row["seq"] == 2 else row["actor_id"]}
            if how == "strip":
                fields["key_id"] = None
            if how == "own":
                fields["key_id"] = crook.current
                fields["hash"] = crook.hash_of(fields)
            else:
                fields["hash"] = row_hash(fields)
            connection.execute(update(HISTORY).where(HISTORY.c.id == row["id"]).values(
                actor_id=fields["actor_id"], prev_hash=prev, hash=fields["hash"], key_id=fields["key_id"]))
            prev = fields["hash"]
        connection.execute(update(CHALLENGE).where(CHALLENGE.c.id == challenge_id).values(head_hash=prev))


# -- keyed rows ----------------------------------------------------------------------------------------------


def test_without_a_key_rows_are_hashed_as_before(service, database) -> None:
    challenge_id = four_records(service)
    rows = history_rows(database, challenge_id)
    assert [r["key_id"] for r in rows] == [None] * 4
    assert all(r["hash"] == row_hash(r) for r in rows)
    assert service.keyring is NO_KEYS and verify(database).ok


def test_keyed_rows_record_their_key_id_and_verify_only_with_the_key(service, database) -> None:
    challenge_id = four_records(keyed(service, NEW))
    rows = history_rows(database, challenge_id)
    assert {r["key_id"] for r in rows} == {key_id(NEW)} and len(key_id(NEW)) == 8
    assert all(r["hash"] == keyed_row_hash(r, NEW.encode()) != row_hash(r) for r in rows)
    report = verify(database, NEW)
    assert report.ok and report.keyed == 4, messages(report)
    without = verify(database)
    assert [(f.challenge_id, f.seq) for f in without.findings] == [(challenge_id, 1)]
    assert without.findings[0].message == (
        f"vastgelegd met sleutel {key_id(NEW)}, die niet is ingesteld: 4 record(s) vanaf hier niet te controleren; "
        "zet die sleutel in R2C_AUDIT_SLEUTELBESTAND")
    assert NEW not in " ".join(messages(without))


@pytest.mark.parametrize("how", ["keep", "strip", "own"])
def test_an_insider_who_recomputes_every_hash_without_the_key_is_found(service, database, how) -> None:
    """The test of issue 18, item 6: every hash recomputed with r2c's public functions, still not in order."""
    writer = keyed(service, NEW)
    other = four_records(writer)  # the database was keyed before the challenge the insider rewrites
    later(service)
    challenge_id = four_records(writer)
    fingerprint = verify(database, NEW).digest
    rewrite(database, challenge_id, how=how)
    rows = history_rows(database, challenge_id)
    assert rows[1]["actor_id"] == "iemand.anders"
    assert all(r["prev_hash"] == (rows[i - 1]["hash"] if i else genesis(challenge_id)) for i, r in enumerate(rows))
    # even a verifier without the key sees it: keyed rows under an unknown key, or keyless ones after keying began
    assert challenge_id in {f.challenge_id for f in verify(database).findings}
    report = verify(database, NEW)
    assert not report.ok and report.digest != fingerprint
    assert {f.challenge_id for f in report.findings} == {challenge_id} and other != challenge_id
    if how == "keep":
        assert [(f.seq, f.message) for f in report.findings] == [(seq, CHANGED) for seq in (1, 2, 3, 4)]
    elif how == "strip":
        assert [(f.seq, f.message) for f in report.findings] == [
            (1, f"{DOWNGRADE} (4 record(s) zonder sleutel vanaf hier)")]
    else:
        assert [f.seq for f in report.findings] == [1]
        assert report.findings[0].message.startswith(f"vastgelegd met sleutel {key_id(CROOK)}, die niet is ingesteld")


def test_a_keyless_row_after_a_keyed_row_is_a_downgrade(service, database) -> None:
    """r2c run without its key after keying (or an insider's keyless row appended): named, not accepted."""
    challenge_id = submit(keyed(service, NEW)).challenge.id
    b = behandelaar()
    service.assign(challenge_id, behandelaar=b.id, actor=b)  # the keyless service
    report = verify(database, NEW)
    assert [(f.challenge_id, f.seq, f.message) for f in report.findings] == [(challenge_id, 2, DOWNGRADE)]


def test_rows_from_before_keying_stay_verifiable(service, database) -> None:
    legacy = four_records(service)
    later(service)
    writer = keyed(service, NEW)
    b = behandelaar()
    writer.assign(legacy, behandelaar=b.id, actor=b)
    fresh = four_records(writer)
    assert [r["key_id"] for r in history_rows(database, legacy)] == [None] * 4 + [key_id(NEW)]
    report = verify(database, NEW)
    assert report.ok and (report.records, report.keyed) == (9, 5), messages(report)


def test_rotation_keeps_old_rows_verifiable_with_the_old_key_kept(service, database) -> None:
    first = four_records(keyed(service, OLD))
    later(service)
    rotated = keyed(service, OLD, NEW)
    assert rotated.keyring.current == key_id(NEW)
    b = behandelaar()
    rotated.assign(first, behandelaar=b.id, actor=b)
    second = four_records(rotated)
    assert [r["key_id"] for r in history_rows(database, first)] == [key_id(OLD)] * 4 + [key_id(NEW)]
    assert {r["key_id"] for r in history_rows(database, second)} == {key_id(NEW)}
    assert verify(database, OLD, NEW).ok
    without_old = verify(database, NEW)
    assert [(f.challenge_id, f.seq) for f in without_old.findings] == [(first, 1)]
    assert without_old.findings[0].message.startswith(f"vastgelegd met sleutel {key_id(OLD)}, die niet is ingesteld: "
                                                      "4 record(s)")


# -- the key from the settings -------------------------------------------------------------------------------


def test_the_key_file_holds_old_keys_and_the_current_one_last(tmp_path) -> None:
    path = tmp_path / "sleutels"
    path.write_text(f"# vervangen op 2026-12-01\n{OLD}\n\n{NEW}\n", encoding="utf-8")
    keyring = load_keyring(Settings(audit_sleutelbestand=path))
    assert keyring.current == key_id(NEW) and set(keyring.secrets) == {key_id(OLD), key_id(NEW)}
    assert load_keyring(Settings(audit_sleutel=f" {NEW}\n")).current == key_id(NEW)
    assert load_keyring(Settings()) is NO_KEYS
    assert NEW not in repr(keyring) and NEW not in repr(Settings(audit_sleutel=NEW))


@pytest.mark.parametrize(("settings", "message"), [
    ({"audit_sleutel": "kort-geheim"}, "R2C_AUDIT_SLEUTEL is te kort: minstens 32 tekens; maak er een met"),
    ({"audit_sleutel": NEW, "audit_sleutelbestand": "x"}, "R2C_AUDIT_SLEUTEL en R2C_AUDIT_SLEUTELBESTAND zijn allebei"),
    ({"audit_sleutelbestand": "ontbreekt"}, "R2C_AUDIT_SLEUTELBESTAND: het bestand "),
    ({"audit_sleutelbestand": "leeg"}, "R2C_AUDIT_SLEUTELBESTAND: het bestand "),
    ({"audit_sleutelbestand": "kort"}, "R2C_AUDIT_SLEUTELBESTAND: de sleutel op regel 2 van "),
], ids=["short", "both", "missing file", "empty file", "short line"])
def test_an_unusable_key_is_a_config_error_that_shows_no_secret(tmp_path, settings, message) -> None:
    (tmp_path / "leeg").write_text("# nog geen sleutel\n", encoding="utf-8")
    (tmp_path / "kort").write_text(f"{OLD}\nkort-geheim\n", encoding="utf-8")
    if "audit_sleutelbestand" in settings:
        settings = {**settings, "audit_sleutelbestand": tmp_path / settings["audit_sleutelbestand"]}
    with pytest.raises(ConfigError) as error:
        load_keyring(Settings(**settings))
    assert str(error.value).startswith(message)
    assert "kort-geheim" not in str(error.value) and OLD not in str(error.value) and NEW not in str(error.value)


# -- the anchor ------------------------------------------------------------------------------------------------


def anchor_lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_job_appends_a_line_only_when_heads_changed(service, database, tmp_path) -> None:
    path = tmp_path / "anker.jsonl"
    writer, job = keyed(service, NEW), AnchorJob(path)
    first, second = four_records(writer), submit(writer, "vught").challenge.id
    assert job.run(writer, service.clock).queued == 1
    assert job.run(writer, service.clock).queued == 0, "nothing changed: no line"
    line = anchor_lines(path)[0]
    assert line["koppen"] == {first: [4, history_rows(database, first)[-1]["hash"]],
                              second: [1, history_rows(database, second)[-1]["hash"]]}
    assert (line["uitdagingen"], line["records"], line["sleutel"]) == (2, 5, key_id(NEW))
    assert line["vingerafdruk"] == verify(database, NEW).digest and line["tijd"] == "2026-03-02T08:00:00+00:00"
    b = behandelaar("vught")
    writer.assign(second, behandelaar=b.id, actor=b)
    assert AnchorJob(path).run(writer, service.clock).queued == 1, "a new job (restart) reads the file"
    lines = anchor_lines(path)
    assert len(lines) == 2 and list(lines[1]["koppen"]) == [second] and lines[1]["records"] == 6
    anchor = Anchor.read(path)
    report = verify(database, NEW, anchor=anchor)
    assert report.ok, messages(report)
    assert anchor.last["vingerafdruk"] == report.digest


def test_verify_with_the_anchor_passes_after_more_legitimate_events(service, database, tmp_path) -> None:
    path = tmp_path / "anker.jsonl"
    challenge_id = submit(service).challenge.id
    AnchorJob(path).run(service, service.clock)
    b = behandelaar()
    service.assign(challenge_id, behandelaar=b.id, actor=b)
    four_records(service)
    report = verify(database, anchor=Anchor.read(path))
    assert report.ok, messages(report)
    assert report.digest != Anchor.read(path).last["vingerafdruk"]


@pytest.mark.parametrize("keys", [(), (NEW,)], ids=["without key", "with key"])
def test_verify_with_the_anchor_finds_a_rewrite_that_recomputes_everything(service, database, tmp_path,
                                                                           keys) -> None:
    """Without a key the chain itself cannot see this; the anchor outside the database does."""
    path = tmp_path / "anker.jsonl"
    writer = keyed(service, *keys)
    challenge_id, intact = four_records(writer), four_records(writer)
    job = AnchorJob(path)
    job.run(writer, service.clock)
    later(service)
    b = behandelaar()
    writer.assign(challenge_id, behandelaar=b.id, actor=b)
    job.run(writer, service.clock)
    rewrite(database, challenge_id, how="strip")  # every key removed: no keyed row is left in this chain
    anchor = Anchor.read(path)
    report = verify(database, *keys, anchor=anchor)
    expected = (f"{challenge_id}#5: past niet bij het anker (regel 2 van anker.jsonl, 2026-03-02T09:00:00+00:00): de "
                "geschiedenis tot hier is herschreven")
    assert expected in messages(report)
    assert intact not in {f.challenge_id for f in report.findings}


def test_the_anchor_names_a_challenge_that_is_gone_and_a_chain_that_was_cut(service, database, tmp_path) -> None:
    path = tmp_path / "anker.jsonl"
    removed, cut, emptied = four_records(service), four_records(service), four_records(service)
    AnchorJob(path).run(service, service.clock)
    with database.engine.begin() as connection:
        connection.execute(delete(CHALLENGE).where(CHALLENGE.c.id == removed))  # its history goes with it
        connection.execute(delete(HISTORY).where(HISTORY.c.challenge_id == cut, HISTORY.c.seq == 4))
        connection.execute(delete(HISTORY).where(HISTORY.c.challenge_id == emptied))
    report = verify(database, anchor=Anchor.read(path))
    where = "regel 1 van anker.jsonl, 2026-03-02T08:00:00+00:00"
    assert (f"{removed}: staat in het anker ({where}) maar niet meer in de database: de uitdaging is met haar "
            "geschiedenis verwijderd") in messages(report)
    assert f"{cut}#4: staat in het anker ({where}) maar ontbreekt: de geschiedenis is ingekort" in messages(report)
    assert f"{emptied}#4: staat in het anker ({where}) maar ontbreekt: de geschiedenis is ingekort" in messages(report)


def test_stripping_every_key_in_the_database_is_found_by_the_anchor(service, database, tmp_path) -> None:
    """Keyless everywhere looks like a database that was never keyed; the anchor remembers it was."""
    path = tmp_path / "anker.jsonl"
    writer = keyed(service, NEW)
    job = AnchorJob(path)
    anchored = four_records(writer)
    job.run(writer, service.clock)
    later(service)
    fresh = four_records(writer)  # after the last anchor line
    for challenge_id in (anchored, fresh):
        rewrite(database, challenge_id, how="strip", actor_id="b.jansen")
    assert verify(database, NEW).ok, "no keyed row left: the chain alone cannot tell"
    report = verify(database, NEW, anchor=Anchor.read(path))
    assert (anchored, 4) in [(f.challenge_id, f.seq) for f in report.findings]
    assert (f"{fresh}#1: zonder sleutel vastgelegd na regel 1 van anker.jsonl, vanaf waar r2c met een sleutel werkte: "
            "de hashes zijn zonder de sleutel opnieuw berekend, of r2c draaide zonder sleutel") in messages(report)


@pytest.mark.parametrize(("text", "message"), [
    ("", "is leeg"),
    ('{"versie": 1}\n', "regel 1 van anker"),
    ('{"versie":1,"tijd":"t","sleutel":null,"koppen":{}}\nniet-json\n', "regel 2 van anker"),
], ids=["empty", "no heads", "not json"])
def test_a_damaged_anchor_file_is_an_error_naming_the_line(tmp_path, text, message) -> None:
    path = tmp_path / "anker.jsonl"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnchorError, match=message):
        Anchor.read(path)


# -- r2c audit verify with a key and --anker, r2c scheduler ----------------------------------------------------


@pytest.fixture
def keyed_file(sqlite_url, catalog, clock, tmp_path):
    """A migrated SQLite file with two keyed challenges and an anchor; (url, path, service, anchor path)."""
    database = Database.connect(sqlite_url)
    database.upgrade()
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions,
                               documents=DocumentStore(tmp_path / "documenten"), keyring=Keyring.of([NEW]))
    four_records(service)
    submit(service, "vught")
    anchor = tmp_path / "anker.jsonl"
    AnchorJob(anchor).run(service, clock)
    yield sqlite_url, database, service, anchor
    database.engine.dispose()


def no_secret(result) -> bool:
    return all(secret not in result.stdout + result.stderr for secret in (OLD, NEW, CROOK))


def test_cli_verify_with_the_key_and_the_anchor_in_order(keyed_file) -> None:
    url, database, service, anchor = keyed_file
    digest = verify(database, NEW).digest
    result = run_r2c("audit", "verify", "--anker", str(anchor), env={"R2C_DATABASE_URL": url, "R2C_AUDIT_SLEUTEL": NEW})
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"2 uitdaging(en), 5 record(s) gecontroleerd (5 met sleutel): in orde. Vingerafdruk (bewaar die elders): "
        f"{digest}",
        f"Anker {anchor}: 2 uitdaging(en) uit 1 regel(s) in orde; laatste regel 1 van 2026-03-02T08:00:00+00:00, "
        "vingerafdruk gelijk aan die regel"]
    assert no_secret(result)


def test_cli_verify_without_the_key_reports_keyed_rows_as_unverifiable(keyed_file) -> None:
    url, *_ = keyed_file
    result = run_r2c("audit", "verify", env={"R2C_DATABASE_URL": url})
    assert result.returncode == 1
    assert all("die niet is ingesteld" in line for line in result.stdout.splitlines())
    assert len(result.stdout.splitlines()) == 2 and "2 afwijking(en) gevonden" in result.stderr
    assert "Traceback" not in result.stderr and no_secret(result)


def test_cli_verify_with_the_anchor_names_the_rewritten_challenge(keyed_file) -> None:
    url, database, service, anchor = keyed_file
    challenge_id = four_records(service)  # after the anchor
    AnchorJob(anchor).run(service, service.clock)
    rewrite(database, challenge_id, how="keep")
    result = run_r2c("audit", "verify", "--anker", str(anchor), env={"R2C_DATABASE_URL": url, "R2C_AUDIT_SLEUTEL": NEW})
    assert result.returncode == 1
    assert (f"{challenge_id}#4: past niet bij het anker (regel 2 van anker.jsonl, 2026-03-02T08:00:00+00:00): de "
            "geschiedenis tot hier is herschreven") in result.stdout.splitlines()
    assert f"{challenge_id}#2: {CHANGED}" in result.stdout.splitlines()
    assert no_secret(result)


def test_cli_refuses_a_short_key_an_anchor_with_a_gemeente_and_a_missing_anchor(keyed_file, tmp_path) -> None:
    url, _, _, anchor = keyed_file
    short = run_r2c("audit", "verify", env={"R2C_DATABASE_URL": url, "R2C_AUDIT_SLEUTEL": "kort-geheim"})
    assert short.returncode == 2 and short.stderr.startswith("fout: R2C_AUDIT_SLEUTEL is te kort")
    assert "kort-geheim" not in short.stdout + short.stderr
    both = run_r2c("audit", "verify", "--anker", str(anchor), "--gemeente", "gouda", env={"R2C_DATABASE_URL": url})
    assert both.returncode == 2 and "het anker geldt voor de hele database" in both.stderr
    missing = run_r2c("audit", "verify", "--anker", str(tmp_path / "weg.jsonl"),
                      env={"R2C_DATABASE_URL": url, "R2C_AUDIT_SLEUTEL": NEW})
    assert missing.returncode == 1 and missing.stderr.strip() == f"fout: anker {tmp_path / 'weg.jsonl'} bestaat niet"


def test_cli_scheduler_once_appends_to_the_anchor(keyed_file, tmp_path) -> None:
    url, database, service, _ = keyed_file
    anchor = tmp_path / "planner.jsonl"
    env = {"R2C_DATABASE_URL": url, "R2C_AUDIT_SLEUTEL": NEW, "R2C_AUDIT_ANKER": str(anchor),
           "R2C_DOCUMENTEN": str(tmp_path / "documenten")}
    result = run_r2c("scheduler", "--eenmalig", env=env)
    assert result.returncode == 0, result.stderr
    assert "anker: 2 behandeld, 1 in de wachtrij" in result.stdout and no_secret(result)
    [line] = anchor_lines(anchor)
    assert (line["sleutel"], line["records"], line["vingerafdruk"]) == (key_id(NEW), 5, verify(database, NEW).digest)
    again = run_r2c("audit", "verify", "--anker", str(anchor), env=env)
    assert again.returncode == 0, again.stdout + again.stderr


def test_cli_verify_the_sqlite_file_with_plain_sql_tampering_and_the_key(keyed_file) -> None:
    url, _, _, anchor = keyed_file
    path = Path(url.removeprefix("sqlite:///"))
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("UPDATE history SET key_id = NULL WHERE seq = 1")
    result = run_r2c("audit", "verify", "--anker", str(anchor), env={"R2C_DATABASE_URL": url, "R2C_AUDIT_SLEUTEL": NEW})
    assert result.returncode == 1
    assert any(line.endswith(f"#1: {CHANGED}") for line in result.stdout.splitlines())
