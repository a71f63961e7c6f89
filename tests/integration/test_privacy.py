"""Privacy (AVG) on both databases: erasing a closed challenge's personal data, and which challenges are past
their bewaartermijn (``archief`` in the definition, counted from the day of closing). Also ``r2c privacy``.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import func, select, text

from r2c.engine.case import Actor
from r2c.errors import AccessDenied, InvalidInput, NotFound, ServiceError, UnknownGemeente
from r2c.service import ChallengeService, Initiatiefnemer, RetentionDue, erase, retention_due
from r2c.service.privacy import ERASED
from r2c.store import Database, DocumentStore
from r2c.store.audit import ERASURE_KIND, verify_database
from r2c.store.tables import METADATA, ChallengeRow, HistoryRow, PartyRow, PersonalDataRow
from r2c.termijnen import einddatum
from tests.conftest import ROOT, run_r2c
from tests.integration.helpers import all_vereisten, behandelaar, row_counts, submit

CHALLENGE = ChallengeRow.__table__
HISTORY = HistoryRow.__table__
PARTY = PartyRow.__table__
PERSONAL = PersonalDataRow.__table__
GRONDSLAG = "Selectielijst gemeenten en intergemeentelijke organen 2020"

PERSONAL_TEXT = ("Fatima de Vries", "fatima@example.nl", "0612345678", "Buurtvereniging Oost",
                 "Buurttuin van Fatima", "plan-van-fatima.pdf", "Mevrouw De Vries belde", "verslag van Fatima",
                 "Fatima deed het goed", "Fatima vertelt hoe het loopt", "Fatima legt verantwoording af")


def beheerder(gemeente: str = "gouda") -> Actor:
    return Actor("beheer-1", "beheerder", gemeente)


def initiatiefnemer_of(challenge) -> Actor:
    return Actor(challenge.initiatiefnemer, "initiatiefnemer", challenge.gemeente)


def withdrawn(service: ChallengeService, gemeente: str = "gouda", *, titel: str = "Buurttuin") -> str:
    """A challenge submitted and withdrawn at once (resultaat ingetrokken, bewaartermijn 1 jaar)."""
    c = submit(service, gemeente, titel=titel).challenge
    service.fire(c.id, "intrekken", actor=initiatiefnemer_of(c), reason="Wij stoppen ermee")
    return c.id


def fire_as_allowed(service: ChallengeService, challenge, event: str, data=None, reason=None):
    """Fire ``event`` as the first role of the definition that may fire it now."""
    definition = service.catalog.get(challenge.workflow, challenge.workflow_version).definition
    for rol in definition.rollen:
        actor = initiatiefnemer_of(challenge) if rol == "initiatiefnemer" else Actor(f"{rol}-1", rol,
                                                                                    challenge.gemeente)
        if rol != "systeem" and event in {a.event for a in service.allowed_events(challenge.id, actor=actor)}:
            return service.fire(challenge.id, event, actor=actor, data=data, reason=reason).challenge
    raise AssertionError(f"nobody may fire {event} in {challenge.state}")


def carried_out(service: ChallengeService, documents: dict[str, bytes]) -> str:
    """A gouda challenge with personal text everywhere, taken to 'uitgevoerd', with ``documents`` added."""
    c = service.submit(gemeente="gouda", titel="Buurttuin van Fatima", initiatiefnemer=Initiatiefnemer(
        "Fatima de Vries", "fatima@example.nl", "0612345678", "Buurtvereniging Oost", "Parklaan 1, Gouda"),
        data={"omschrijving": "Mevrouw De Vries belde", "vereisten": all_vereisten(service, "gouda")}).challenge
    for name, content in documents.items():
        service.add_document(c.id, actor=initiatiefnemer_of(c), name=name, media_type="application/pdf",
                             content=content)
    definition = service.catalog.get(c.workflow, c.workflow_version).definition
    beoordelingen = {k: {"oordeel": "voldoet", "motivering": "Fatima deed het goed"} for k in definition.criteria}
    c = fire_as_allowed(service, c, "in_behandeling_nemen")
    c = fire_as_allowed(service, c, "kennismaking_plannen")
    c = fire_as_allowed(service, c, "kennismaking_gehouden", {"verslag": "verslag van Fatima"})
    c = fire_as_allowed(service, c, "beoordelen", {"beoordelingen": beoordelingen})
    for event, data in (("voorleggen", None), ("toekennen", None),
                        ("overeenkomst_sluiten", {"budget": "12500.00", "startdatum": "2026-06-01"}),
                        ("voortgang_melden", {"voortgang": "Fatima vertelt hoe het loopt"}),
                        ("verantwoorden", {"verantwoording": "Fatima legt verantwoording af"}),
                        ("verantwoording_beoordeeld", None), ("teruggeven", None)):
        c = fire_as_allowed(service, c, event, data, reason=f"{event}: gesproken met Fatima de Vries")
    assert c.state == "afgesloten.uitgevoerd"
    return c.id


def snapshot(database: Database) -> dict[str, list[tuple]]:
    """Every row of every table, to show that a refused call changed nothing."""
    with database.read_sessions() as session:
        return {name: sorted((tuple(str(v) for v in r) for r in session.execute(select(table))))
                for name, table in METADATA.tables.items()}


def dump(database: Database) -> str:
    """All text in the database."""
    return " ".join(" ".join(map(str, rows)) for rows in snapshot(database).values())


def file_of(service: ChallengeService, content: bytes):
    sha = hashlib.sha256(content).hexdigest()
    return service.documents.root / sha[:2] / sha


# -- erasure ---------------------------------------------------------------------------------------------


def test_erasure_removes_every_piece_of_personal_data_and_keeps_a_verifiable_timeline(service, database) -> None:
    own, shared = b"%PDF plan van Fatima", b"%PDF standaardformulier"
    challenge_id = carried_out(service, {"plan-van-fatima.pdf": own, "formulier.pdf": shared})
    other = service.submit(gemeente="gouda", titel="Speeltuin", initiatiefnemer=Initiatiefnemer("Jan Bakker"),
                           data={"omschrijving": "Een speeltuin."}).challenge
    service.add_document(other.id, actor=initiatiefnemer_of(other), name="formulier.pdf",
                         media_type="application/pdf", content=shared)
    lezer = Actor("lezer-1", "lezer", "gouda")
    before = service.timeline(challenge_id, actor=lezer)
    assert all(not h.erased for h in before) and any(h.reason for h in before)
    assert "Fatima de Vries" in dump(database)
    counts = row_counts(database)

    version = erase(service, challenge_id, actor=beheerder(), reason="bewaartermijn verstreken (zaak 2026-17)")

    # one record added, the challenge's party keeps only its pseudonymous id
    assert version == len(before) + 1
    assert row_counts(database) == {**counts, "history": counts["history"] + 1, "outbox": counts["outbox"] + 1,
                                    "personal_data": counts["personal_data"] - 1, "document": counts["document"] - 2}
    with database.read_sessions() as session:
        parties = select(PARTY.c.id).where(PARTY.c.challenge_id == challenge_id)
        assert session.execute(select(func.count()).select_from(PERSONAL)
                               .where(PERSONAL.c.party_id.in_(parties))).scalar_one() == 0
        payloads = session.execute(select(HISTORY.c.seq, HISTORY.c.payload, HISTORY.c.payload_salt).where(
            HISTORY.c.challenge_id == challenge_id).order_by(HISTORY.c.seq)).all()
    assert [(seq, payload, salt) for seq, payload, salt in payloads[:-1]] == [
        (h.seq, None, None) for h in before]
    assert payloads[-1].payload == {"reden": "bewaartermijn verstreken (zaak 2026-17)"}

    # the timeline stays readable: same steps, who and when, with the reasons and data marked erased
    after = service.timeline(challenge_id, actor=lezer)
    assert [(h.seq, h.kind, h.event, h.from_state, h.to_state, h.actor_id, h.actor_rol, h.at, h.artikel)
            for h in after[:-1]] == [
        (h.seq, h.kind, h.event, h.from_state, h.to_state, h.actor_id, h.actor_rol, h.at, h.artikel) for h in before]
    assert all(h.erased and h.reason is None and h.data is None for h in after[:-1])
    last = after[-1]
    assert (last.seq, last.kind, last.actor_id, last.actor_rol, last.erased) == (
        len(before) + 1, ERASURE_KIND, "beheer-1", "beheerder", False)
    assert last.reason == "bewaartermijn verstreken (zaak 2026-17)"
    assert last.from_state == last.to_state == "afgesloten.uitgevoerd"
    assert [h.kind for h in after].count(ERASURE_KIND) == 1

    # title and free text gone, the rest of the facts kept
    challenge = service.get(challenge_id, actor=lezer)
    assert challenge.titel == f"Uitdaging {challenge_id[:8]}"
    assert (challenge.state, challenge.resultaat, challenge.version) == ("afgesloten.uitgevoerd", "uitgevoerd",
                                                                          version)
    facts = dict(challenge.facts)
    for name in ("omschrijving", "verslag", "voortgang", "verantwoording"):
        assert facts[name] == ERASED, name
    assert {v["oordeel"] for v in facts["beoordelingen"].values()} == {"voldoet"}
    assert {v["motivering"] for v in facts["beoordelingen"].values()} == {ERASED}
    assert facts["vereisten"] == all_vereisten(service, "gouda")

    # documents: rows gone; the file only when no other document has the same content
    assert service.documents_of(challenge_id, actor=lezer) == []
    assert not file_of(service, own).exists()
    assert file_of(service, shared).exists()
    kept = service.documents_of(other.id, actor=lezer)[0]
    assert service.document_content(other.id, kept.id, actor=lezer)[1] == shared

    # nothing personal left anywhere; the other challenge untouched; the trail verifies
    everything = dump(database)
    assert [t for t in PERSONAL_TEXT if t in everything] == []
    assert "Fatima" not in everything and "Parklaan" not in everything
    assert "Jan Bakker" in everything and "Een speeltuin." in everything
    assert service.get(other.id, actor=lezer).titel == "Speeltuin"
    with database.read_sessions() as session:
        assert session.execute(select(func.count()).select_from(PERSONAL)).scalar_one() == 1  # the other's
        report = verify_database(session)
    assert report.ok, [str(f) for f in report.findings]


def test_erasure_of_a_withdrawn_challenge_verifies(service, database) -> None:
    challenge_id = withdrawn(service)
    assert erase(service, challenge_id, actor=beheerder(), reason="bewaartermijn verstreken") == 3
    with database.read_sessions() as session:
        assert verify_database(session).ok
        erased_at = session.execute(select(CHALLENGE.c.erased_at).where(CHALLENGE.c.id == challenge_id)).scalar()
    assert erased_at is not None


@pytest.mark.parametrize("case", ["open", "behandelaar", "lezer", "twice", "empty reason", "no reason",
                                  "other gemeente", "unknown id"])
def test_a_refused_erasure_says_why_and_changes_nothing(service, database, case) -> None:
    challenge_id = submit(service).challenge.id if case == "open" else withdrawn(service)
    actor, reason = beheerder(), "bewaartermijn verstreken"
    expected: tuple[type[Exception], str]
    if case == "open":
        expected = ServiceError, f"uitdaging {challenge_id} loopt nog (indiening.ontvangen): wis persoonsgegevens pas"
    elif case in ("behandelaar", "lezer"):
        actor = behandelaar() if case == "behandelaar" else Actor("lezer-1", "lezer", "gouda")
        expected = AccessDenied, "alleen een beheerder wist persoonsgegevens"
    elif case == "twice":
        erase(service, challenge_id, actor=actor, reason=reason)
        expected = ServiceError, f"de persoonsgegevens van uitdaging {challenge_id} zijn al gewist"
    elif case in ("empty reason", "no reason"):
        reason = "   " if case == "empty reason" else None
        expected = InvalidInput, "geef een reden voor het wissen"
    elif case == "other gemeente":
        actor = beheerder("vught")
        expected = NotFound, f"geen uitdaging '{challenge_id}' bij gemeente vught"
    else:
        challenge_id = "00000000-0000-0000-0000-000000000000"
        expected = NotFound, "geen uitdaging '00000000-0000-0000-0000-000000000000' bij gemeente gouda"
    before = snapshot(database)
    with pytest.raises(expected[0]) as refused:
        erase(service, challenge_id, actor=actor, reason=reason)
    assert str(refused.value).startswith(expected[1])
    assert snapshot(database) == before


def test_an_empty_reason_names_the_field(service) -> None:
    challenge_id = withdrawn(service)
    with pytest.raises(InvalidInput) as refused:
        erase(service, challenge_id, actor=beheerder(), reason="")
    assert refused.value.fields == {"reden": "verplicht, maar leeg"}


# -- retention -------------------------------------------------------------------------------------------


def due(service, **kwargs) -> list[str]:
    return [item.challenge_id for item in retention_due(service, **kwargs)]


def test_a_withdrawn_challenge_is_due_the_day_after_its_year_of_retention(service, clock) -> None:
    challenge_id = withdrawn(service)  # closed Monday 2 March 2026 (the standing clock)
    assert einddatum(date(2026, 3, 2), "1 jaar", atw=False) == date(2027, 3, 2)
    assert due(service, on=date(2026, 3, 2)) == []
    assert due(service, on=date(2027, 3, 2)) == []
    assert retention_due(service, on=date(2027, 3, 3)) == [RetentionDue(
        challenge_id, "gouda", "ingetrokken", date(2026, 3, 2), date(2027, 3, 2), "vernietigen", GRONDSLAG)]
    clock.set(datetime(2027, 3, 2, 22, 59, tzinfo=timezone.utc))  # 23:59 on 2 March in Amsterdam
    assert due(service) == []
    clock.set(datetime(2027, 3, 2, 23, 0, tzinfo=timezone.utc))  # midnight: 3 March in Amsterdam
    assert due(service) == [challenge_id]


def test_the_closing_day_is_the_dutch_calendar_day(service, clock) -> None:
    clock.set(datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc))  # 00:30 on 2 March in Amsterdam
    challenge_id = withdrawn(service)
    [item] = retention_due(service, on=date(2027, 3, 3))
    assert (item.challenge_id, item.closed_on, item.due_on) == (challenge_id, date(2026, 3, 2), date(2027, 3, 2))


def test_open_challenges_are_never_due_and_uitgevoerd_is_kept_ten_years(service) -> None:
    withdrawn_id = withdrawn(service)
    submit(service)  # still open
    carried_out_id = carried_out(service, {})  # uitgevoerd: 10 jaar, also closed on 2 March 2026
    assert due(service, on=date(2027, 3, 3)) == [withdrawn_id]
    assert due(service, on=date(2036, 3, 2)) == [withdrawn_id]
    assert set(due(service, on=date(2036, 3, 3))) == {withdrawn_id, carried_out_id}
    item = {i.challenge_id: i for i in retention_due(service, on=date(2036, 3, 3))}[carried_out_id]
    assert (item.resultaat, item.due_on) == ("uitgevoerd", date(2036, 3, 2))


def test_erased_challenges_are_no_longer_due(service) -> None:
    first, second = withdrawn(service), withdrawn(service)
    assert sorted(due(service, on=date(2027, 3, 3))) == sorted([first, second])
    erase(service, first, actor=beheerder(), reason="bewaartermijn verstreken")
    assert due(service, on=date(2027, 3, 3)) == [second]


def test_retention_is_listed_per_gemeente(service, clock) -> None:
    gouda = withdrawn(service, "gouda")
    clock.set(datetime(2026, 3, 9, 8, tzinfo=timezone.utc))
    vught = withdrawn(service, "vught")
    assert due(service, on=date(2027, 3, 3), gemeente="vught") == []
    assert due(service, on=date(2027, 3, 10), gemeente="vught") == [vught]
    assert due(service, on=date(2027, 3, 10), gemeente="gouda") == [gouda]
    assert due(service, on=date(2027, 3, 10), gemeente="amsterdam") == []
    assert due(service, on=date(2027, 3, 10)) == [gouda, vught]  # oldest closing first


def test_retention_of_an_unknown_gemeente_is_an_error_not_an_empty_list(service) -> None:
    withdrawn(service, "gouda")
    known = ", ".join(service.catalog.ids(soort="gemeente"))
    with pytest.raises(UnknownGemeente) as raised:
        retention_due(service, on=date(2027, 3, 10), gemeente="Gouda")
    assert str(raised.value) == f"onbekende gemeente 'Gouda'; bekend: {known}"


# -- r2c privacy -----------------------------------------------------------------------------------------


@pytest.fixture
def cli(sqlite_url, catalog, clock, tmp_path):
    """A migrated SQLite file with a service on it, and the environment for the r2c command."""
    database = Database.connect(sqlite_url)
    database.upgrade()
    documents = tmp_path / "documenten"
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions,
                               documents=DocumentStore(documents))
    env = {"R2C_DATABASE_URL": sqlite_url, "R2C_DOCUMENTEN": str(documents)}
    yield service, database, env
    database.engine.dispose()


def r2c(env, *args):
    result = run_r2c(*args, cwd=ROOT, env=env)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def test_cli_due_lists_erase_erases_and_the_trail_still_verifies(cli) -> None:
    service, database, env = cli
    challenge_id = withdrawn(service)
    open_id = submit(service).challenge.id

    not_yet = r2c(env, "privacy", "due", "--datum", "2027-03-02")
    assert not_yet.returncode == 0 and not_yet.stdout == ""
    assert "0 uitdaging(en) voorbij de bewaartermijn" in not_yet.stderr

    listed = r2c(env, "privacy", "due", "--datum", "2027-03-03")
    assert listed.returncode == 0, listed.stderr
    [line] = listed.stdout.splitlines()
    assert line.split("\t")[0] == challenge_id
    assert line.split("\t")[1:] == ["gouda", "ingetrokken", "afgesloten 2026-03-02",
                                    "bewaren tot en met 2027-03-02", "vernietigen"]
    assert open_id not in listed.stdout
    assert r2c(env, "privacy", "due", "--datum", "2027-03-03", "--gemeente", "vught").stdout == ""

    wiped = r2c(env, "privacy", "wis", challenge_id, "--reden", "bewaartermijn verstreken")
    assert wiped.returncode == 0, wiped.stderr
    assert wiped.stdout.strip() == f"{challenge_id}: persoonsgegevens gewist (versie 3)"
    timeline = service.timeline(challenge_id, actor=beheerder())
    assert timeline[-1].kind == ERASURE_KIND and timeline[-1].actor_rol == "beheerder"
    assert timeline[-1].actor_id.startswith("cli:")
    with database.read_sessions() as session:
        party = session.execute(select(PARTY.c.id).where(PARTY.c.challenge_id == challenge_id)).scalar_one()
        assert session.execute(select(PERSONAL).where(PERSONAL.c.party_id == party)).all() == []
        assert session.execute(select(CHALLENGE.c.titel).where(CHALLENGE.c.id == challenge_id)).scalar_one() == (
            f"Uitdaging {challenge_id[:8]}")

    verified = r2c(env, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "2 uitdaging(en), 4 record(s) gecontroleerd: in orde." in verified.stdout
    assert r2c(env, "privacy", "due", "--datum", "2027-03-03").stdout == ""

    again = r2c(env, "privacy", "wis", challenge_id)
    assert again.returncode == 1
    assert again.stderr.strip() == f"fout: de persoonsgegevens van uitdaging {challenge_id} zijn al gewist"


def test_cli_refuses_an_unknown_challenge_or_an_open_one_in_dutch(cli) -> None:
    service, database, env = cli
    open_id = submit(service).challenge.id
    before = snapshot(database)
    unknown = r2c(env, "privacy", "wis", "bestaat-niet")
    assert unknown.returncode == 1 and unknown.stdout == ""
    assert unknown.stderr.strip() == "fout: geen uitdaging 'bestaat-niet'"
    running = r2c(env, "privacy", "wis", open_id)
    assert running.returncode == 1
    assert running.stderr.startswith(f"fout: uitdaging {open_id} loopt nog")
    assert snapshot(database) == before


def test_cli_due_refuses_an_unknown_gemeente_and_names_the_known_ones(cli) -> None:
    service, _, env = cli
    withdrawn(service, "gouda")
    known = service.catalog.ids(soort="gemeente")
    assert "gouda" in known
    result = r2c(env, "privacy", "due", "--datum", "2027-03-10", "--gemeente", "goud")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == f"fout: onbekende gemeente 'goud'; bekend: {', '.join(known)}"
    empty = r2c(env, "privacy", "due", "--datum", "2027-03-10", "--gemeente", "amsterdam")
    assert empty.returncode == 0 and empty.stdout == "", empty.stderr
    assert "0 uitdaging(en) voorbij de bewaartermijn" in empty.stderr


def test_cli_due_refuses_a_bad_date(cli) -> None:
    _, _, env = cli
    result = r2c(env, "privacy", "due", "--datum", "3 maart")
    assert result.returncode == 2
    assert "'3 maart' is geen datum (JJJJ-MM-DD)" in result.stderr


def test_erased_payloads_are_sql_null(service, database) -> None:
    challenge_id = withdrawn(service)
    erase(service, challenge_id, actor=beheerder(), reason="bewaartermijn verstreken")
    with database.read_sessions() as session:
        erased = session.execute(text("SELECT seq FROM history WHERE challenge_id = :c AND payload IS NULL "
                                      "ORDER BY seq"), {"c": challenge_id}).scalars().all()
    assert erased == [1, 2]


def test_erasure_revokes_the_initiatiefnemers_status_link(service) -> None:
    fired = submit(service)
    assert service.status_actor(fired.status_token) is not None
    service.fire(fired.challenge.id, "intrekken", actor=Actor(fired.challenge.initiatiefnemer, "initiatiefnemer",
                                                             "gouda"))
    erase(service, fired.challenge.id, actor=beheerder(), reason="bewaartermijn verstreken")
    assert service.status_actor(fired.status_token) is None
