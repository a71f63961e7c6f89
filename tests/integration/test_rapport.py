"""The year report and open data (r2c.reports): a known set of challenges across 2025 and 2026, built through the
service with a clock that moves day by day, and every figure checked; the HTML, PDF, CSV and JSON agree; no
personal data of the initiatiefnemers in any output; bad input gives one Dutch line."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader

from r2c.clock import FixedClock
from r2c.engine.case import Actor
from r2c.errors import ConfigError, UnknownGemeente
from r2c.reports.figures import build_report
from r2c.reports.opendata import combine, record, to_csv, to_json
from r2c.reports.render import number, render
from r2c.service import ChallengeService, Initiatiefnemer
from r2c.store import Database
from tests.conftest import run_r2c

G = "vught"
NAMES = ("Fatima el Amrani", "Kees Verhoeven", "Anouk de Boer", "Joost Hendriks", "Sanne Bakermans",
         "Ruud Verstappen")
EMAILS = tuple(n.lower().replace(" ", ".") + "@example.nl" for n in NAMES)


def at(day: str) -> datetime:
    """08:00 UTC on ``day`` (09:00 or 10:00 in Vught): whole days between steps."""
    return datetime.fromisoformat(day).replace(hour=8, tzinfo=UTC)


class Story:
    """One challenge, moved along by dated steps."""

    def __init__(self, service: ChallengeService, clock: FixedClock, day: str, n: int, *, complete: bool = True):
        self.service, self.clock, self.n = service, clock, n
        clock.set(at(day))
        definition = service.catalog.in_force(G, date.fromisoformat(day)).definition
        self.criteria, self.vereisten = list(definition.criteria), list(definition.vereisten)
        vereisten = list(definition.vereisten) if complete else list(definition.vereisten)[:2]
        fired = service.submit(gemeente=G, titel=f"Uitdaging {n}", data={"omschrijving": "Wij doen het zelf.",
                                                                        "vereisten": vereisten},
                               initiatiefnemer=Initiatiefnemer(NAMES[n], EMAILS[n], "0612345678",
                                                               f"Stichting {NAMES[n]}", "Dorpsstraat 1, Vught"))
        self.challenge = fired.challenge

    def do(self, day: str, event: str, rol: str = "behandelaar", data: dict | None = None,
           reason: str | None = "Zo besloten.") -> Story:
        self.clock.set(at(day))
        ident = self.challenge.initiatiefnemer if rol == "initiatiefnemer" else f"{rol}@vught.example"
        self.challenge = self.service.fire(self.challenge.id, event, actor=Actor(ident, rol, G), data=data,
                                           reason=reason).challenge
        return self

    def assess(self, day: str, *, failing: tuple[str, ...] = ()) -> Story:
        oordelen = {c: {"oordeel": "voldoet_niet" if c in failing else "voldoet", "motivering": "Gezien het plan."}
                    for c in self.criteria}
        return self.do(day, "beoordelen", data={"beoordelingen": oordelen})

    def to_college(self, day: str) -> Story:
        return self.do(day, "voorleggen", "teamleider", {"weigering_op_andere_feiten": False})


def build(service: ChallengeService, clock: FixedClock) -> None:
    """2025: one granted and taken over (A), one withdrawn (B). 2026: one refused on 'kosten' with a bezwaar (C),
    one granted with a change after verdaging and taken over (D), one whose term lapses undecided (E), one
    granted too late (F); A is evaluated and continued."""
    a = Story(service, clock, "2025-03-03", 0)
    a.do("2025-03-10", "in_behandeling_nemen").assess("2025-03-17").to_college("2025-04-07")
    a.do("2025-04-14", "toekennen", "college").do("2025-05-01", "overeenkomst_sluiten", "college",
                                                 {"budget": "10000.00", "startdatum": "2025-05-01"})
    Story(service, clock, "2025-06-02", 1).do("2025-06-10", "intrekken", "initiatiefnemer")

    c = Story(service, clock, "2026-01-12", 2, complete=False)
    c.do("2026-01-19", "aanvulling_vragen")
    c.do("2026-01-26", "aanvullen", data={"vereisten": c.vereisten})
    c.do("2026-01-27", "in_behandeling_nemen").assess("2026-02-02", failing=("kosten",))
    c.do("2026-02-03", "zienswijze_vragen").do("2026-02-10", "zienswijze_ontvangen", "initiatiefnemer",
                                               {"zienswijze": "Wij zien het anders."})
    c.to_college("2026-02-23").do("2026-03-02", "afwijzen", "college")
    c.do("2026-03-09", "bezwaar_maken", "initiatiefnemer").do("2026-04-06", "bezwaar_ongegrond", "college")

    d = Story(service, clock, "2026-02-02", 3)
    d.do("2026-02-09", "in_behandeling_nemen").do("2026-03-23", "verdagen", "teamleider")
    d.assess("2026-03-30").to_college("2026-04-13")
    d.do("2026-04-20", "toekennen_met_wijziging", "college", {"wijziging": "Alleen het park, niet het plein."})
    d.do("2026-05-04", "subsidie_verlenen", "college", {"budget": "5000.00", "startdatum": "2026-05-04"})

    Story(service, clock, "2026-03-02", 4).do("2026-03-03", "in_behandeling_nemen")

    f = Story(service, clock, "2026-04-06", 5)
    f.do("2026-04-07", "in_behandeling_nemen").assess("2026-04-08").to_college("2026-06-22")
    f.do("2026-07-06", "toekennen", "college")

    a.do("2026-05-11", "verantwoorden", "initiatiefnemer", {"verantwoording": "Alles gedaan."})
    a.do("2026-05-18", "verantwoording_beoordeeld").do("2026-06-01", "voortzetten", "college")
    clock.set(at("2026-12-01"))


@pytest.fixture
def stories(database, catalog):
    clock = FixedClock(at("2025-01-06"))
    service = ChallengeService(database.sessions, catalog, clock, read_session_factory=database.read_sessions)
    build(service, clock)
    return service


def test_every_figure_of_the_known_set(stories) -> None:
    report = build_report(stories, gemeente=G, jaar=2026)
    now, before = report.dit_jaar, report.vorig_jaar
    assert report.to_json()["ontvangen"] == now["ontvangen"] == 4
    assert now["resultaten"] == {"toegekend": 1, "toegekend_met_wijziging": 1, "afgewezen": 1, "ingetrokken": 0,
                                 "buiten_behandeling": 0}
    assert now["afgewezen_op_criterium"] == {"kosten": 1}
    assert now["per_domein"] == {}
    # C: 12 Jan -> 2 Mar, D: 2 Feb -> 20 Apr, F: 6 Apr -> 6 Jul; nearest rank of 3: the 2nd and the 3rd
    assert now["doorlooptijd"]["tot_besluit"] == {"aantal": 3, "mediaan_dagen": 77.0, "p90_dagen": 91.0}
    phases = now["doorlooptijd"]["per_fase"]
    assert phases["besluit"] == {"aantal": 3, "mediaan_dagen": 7.0, "p90_dagen": 14.0}
    assert phases["ontvankelijkheid"] == {"aantal": 1, "mediaan_dagen": 7.0, "p90_dagen": 7.0}
    assert phases["bezwaar"] == {"aantal": 1, "mediaan_dagen": 35.0, "p90_dagen": 35.0}
    assert phases["evaluatie"] == {"aantal": 1, "mediaan_dagen": 14.0, "p90_dagen": 14.0}
    assert phases["uitvoering"]["aantal"] == 1  # A's first period, 1 May 2025 to 18 May 2026
    assert phases["uitvoering"]["mediaan_dagen"] == (date(2026, 5, 18) - date(2025, 5, 1)).days
    # C within (its term stood still a week), D within only after verdaging, F too late; E and F lapsed
    assert now["beslistermijn"] == {"besloten": 3, "binnen_termijn": 2, "aandeel_binnen_termijn": 66.7,
                                    "na_verdaging": 1, "verlopen": 2}
    assert (now["opschortingen"], now["verdagingen"]) == (1, 1)
    assert now["bezwaren"] == {"ingediend": 1, "gegrond": 0, "ongegrond": 1}
    assert now["overname"] == {"overgenomen": 1, "budget": 5000.0, "lopend": 2, "lopend_budget": 15000.0}
    assert now["evaluaties"] == {"voortgezet": 1, "verlengd": 0, "teruggegeven": 0}

    assert before["ontvangen"] == 2
    assert before["resultaten"]["toegekend"] == 1 and before["resultaten"]["ingetrokken"] == 1
    assert before["beslistermijn"]["besloten"] == before["beslistermijn"]["binnen_termijn"] == 1
    assert before["overname"] == {"overgenomen": 1, "budget": 10000.0, "lopend": 1, "lopend_budget": 10000.0}
    assert build_report(stories, gemeente="gouda", jaar=2026).dit_jaar["ontvangen"] == 0  # per gemeente


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_html_pdf_csv_and_json_agree_and_hold_no_personal_data(stories) -> None:
    report = build_report(stories, gemeente=G, jaar=2026)
    out = {f: render(report, f) for f in ("html", "pdf", "csv", "json")}
    html, pdf = out["html"].decode(), " ".join(pdf_text(out["pdf"]).split())
    document = json.loads(out["json"])
    rows = list(csv.DictReader(io.StringIO(out["csv"].decode())))
    assert len(rows) == len(report.rows()) > 40
    flat = dict(_flatten(document["dit_jaar"]))
    flat_before = dict(_flatten(document["vorig_jaar"]))
    for row in rows:
        key = row["sleutel"]
        assert row["2026"] == ("" if flat.get(key) is None else str(flat[key])), key
        assert row["2025"] == ("" if flat_before.get(key) is None else str(flat_before[key])), key
        shown = f'<tr id="{key}"><th scope="row">{row["omschrijving"]}</th><td class="getal">' \
                f'{number(flat.get(key))}</td><td class="getal">{number(flat_before.get(key))}</td></tr>'
        assert shown in html, key
        assert f"{row['omschrijving']} {number(flat.get(key))} {number(flat_before.get(key))}" in pdf, key
    assert html.count("<img ") == 3 and html.count('alt="Staafdiagram') == 3
    for data in out.values():
        text = pdf_text(data) if data.startswith(b"%PDF") else data.decode()
        for secret in (*NAMES, *EMAILS, "0612345678", "Dorpsstraat"):
            assert secret not in text


def _flatten(value, prefix=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, value


def test_open_data_hides_small_counts_and_combines(stories, tmp_path) -> None:
    item = record(build_report(stories, gemeente=G, jaar=2026))
    assert item["ontvangen"] == "<5" and item["afgewezen"] == "<5" and item["buiten_behandeling"] == 0
    assert item["doorlooptijd_mediaan_dagen"] is None  # 3 decisions: too few to show
    for secret in (*NAMES, *EMAILS):
        assert secret not in to_json(2026, [item]) and secret not in to_csv([item])
    other = dict(item, gemeente="gouda", ontvangen=12, afgewezen=7, doorlooptijd_mediaan_dagen=40.0)
    (tmp_path / "a.json").write_text(to_json(2026, [item]), encoding="utf-8")
    (tmp_path / "b.csv").write_text(to_csv([other]), encoding="utf-8")
    year = combine([tmp_path / "a.json", tmp_path / "b.csv"])["jaren"][0]
    assert year["gemeenten"] == year["gemeenten_met_uitdagingen"] == 2
    assert year["ontvangen"] == {"totaal": 12, "gemeenten_met_minder_dan_5": 1}
    assert year["doorlooptijd_mediaan_dagen_mediaan_over_gemeenten"] == 40.0
    (tmp_path / "c.json").write_text(to_json(2026, [item]).replace('"schema_versie": 1', '"schema_versie": 7'))
    with pytest.raises(ConfigError, match=r"c.json: schema_versie 7; r2c leest open data van schema_versie 1"):
        combine([tmp_path / "c.json"])
    with pytest.raises(ConfigError, match="staat ook in"):
        combine([tmp_path / "a.json", tmp_path / "a.json"])


def test_an_empty_year_says_so_and_the_future_and_unknown_gemeenten_are_refused(stories) -> None:
    empty = build_report(stories, gemeente=G, jaar=2024)
    assert empty.leeg and "niets gebeurd" in render(empty, "html").decode()
    assert not build_report(stories, gemeente=G, jaar=2026).leeg
    with pytest.raises(ConfigError, match="2027 ligt in de toekomst"):
        build_report(stories, gemeente=G, jaar=2027)  # the clock stands in 2026
    with pytest.raises(UnknownGemeente, match="bekend: amsterdam, geertruidenberg, gouda"):
        build_report(stories, gemeente="atlantis", jaar=2026)


@pytest.fixture
def demo_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'r2c.db'}"
    assert run_r2c("db", "upgrade", env={"R2C_DATABASE_URL": url}).returncode == 0
    return url


def test_cli_bad_input_is_one_dutch_line_with_exit_2(demo_db, tmp_path) -> None:
    env = {"R2C_DATABASE_URL": demo_db}
    for args, message in [(("rapport", "atlantis", "--jaar", "2026"), "onbekende gemeente 'atlantis'; bekend: "),
                          (("rapport", "gouda", "--jaar", "9999"), "ligt in de toekomst"),
                          (("rapport", "gouda", "--jaar", "2026", "--formaat", "docx"), "kies uit html, pdf"),
                          (("opendata",), "--jaar ontbreekt")]:
        done = run_r2c(*args, env=env)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
    bad = tmp_path / "oud.json"
    bad.write_text(json.dumps({"soort": "r2c-opendata", "schema_versie": 0, "gemeenten": []}))
    done = run_r2c("opendata", "samenvoegen", str(bad), env=env)
    assert done.returncode == 2 and "schema_versie 0; r2c leest open data van schema_versie 1" in done.stderr


def test_the_demo_reports_as_many_received_as_the_api_lists(demo_db, tmp_path) -> None:
    from fastapi.testclient import TestClient

    from r2c.api import create_app
    from r2c.service.access import KeyStore
    from r2c.service.setup import open_service
    from r2c.settings import Settings

    env = {"R2C_DATABASE_URL": demo_db}
    assert run_r2c("demo", env=env).returncode == 0
    done = run_r2c("rapport", "gouda", "--jaar", str(date.today().year), "--formaat", "json", env=env)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    service, db = open_service(settings=Settings(database_url=demo_db))
    try:
        key = KeyStore(db.sessions, service.clock, roles=service.policy.key_roles(service.catalog)).create(
            gemeente="gouda", rollen=["lezer"], naam="test")
        client = TestClient(create_app(service=service))
        listed = client.get("/api/v1/challenges?limit=500", headers={"Authorization": f"Bearer {key.secret}"})
        assert listed.status_code == 200
    finally:
        db.engine.dispose()
    assert report["ontvangen"] == len(listed.json()["items"]) > 0
    assert report["dit_jaar"]["resultaten"]["toegekend"] >= 1
    html = run_r2c("rapport", "gouda", "--jaar", str(date.today().year), env=env).stdout
    assert html.count("data:image/svg+xml;base64,") == 3


def test_opendata_command_writes_csv_and_json(demo_db, tmp_path) -> None:
    env = {"R2C_DATABASE_URL": demo_db}
    assert run_r2c("demo", env=env).returncode == 0
    jaar = str(date.today().year)
    done = run_r2c("opendata", "--jaar", jaar, "--gemeente", "gouda", "--uit", str(tmp_path), env=env)
    assert done.returncode == 0, done.stderr
    document = json.loads((tmp_path / f"uitdaagrecht-gouda-{jaar}.json").read_text())
    assert document["licentie"] == "CC0-1.0" and document["schema_versie"] == 1
    assert document["gemeenten"][0]["ontvangen"] == "<5"  # the demo has 4 at gouda
    text = (tmp_path / f"uitdaagrecht-gouda-{jaar}.csv").read_text() + json.dumps(document)
    assert "Fatima" not in text and "@example.nl" not in text
    merged = run_r2c("opendata", "samenvoegen", str(tmp_path / f"uitdaagrecht-gouda-{jaar}.csv"), env=env)
    assert merged.returncode == 0 and json.loads(merged.stdout)["jaren"][0]["gemeenten_met_uitdagingen"] == 1


def test_a_beslistermijn_lapses_the_day_after_its_last_day(stories) -> None:
    # E was submitted on Monday 2 March 2026: eight weeks end on Monday 27 April (Koningsdag moves it to 28 April)
    end = next(t.einddatum for c in stories.search(actor=Actor("l", "lezer", G), limit=50).items
               if c.titel == "Uitdaging 4" for t in stories.terms(c.id, actor=Actor("l", "lezer", G))
               if t.name == "beslistermijn")
    stories.clock.set(at(end.isoformat()))
    assert build_report(stories, gemeente=G, jaar=2026).dit_jaar["beslistermijn"]["verlopen"] == 0
    stories.clock.set(at((end + timedelta(days=1)).isoformat()))
    assert build_report(stories, gemeente=G, jaar=2026).dit_jaar["beslistermijn"]["verlopen"] == 1
