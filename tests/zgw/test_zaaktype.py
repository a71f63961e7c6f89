"""``r2c zgw zaaktype``: what it prints is valid for the Catalogi API and says what the definition says; with
``--publiceer`` it creates and publishes the zaaktype at the Catalogi stand-in, once."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from r2c.zgw.zaaktype import build_zaaktype
from tests.conftest import WORKFLOW_DIR, run_r2c
from tests.zgw.catalogi_standin import CatalogiStandIn
from tests.zgw.specs import check_request

AUTH = {"Authorization": "Bearer x"}
ISO = re.compile(r"^P\d+[DWMY]$")
PATHS = {"zaaktype": "zaaktypen", "statustypen": "statustypen", "resultaattypen": "resultaattypen",
         "roltypen": "roltypen", "besluittypen": "besluittypen", "informatieobjecttypen": "informatieobjecttypen",
         "eigenschappen": "eigenschappen", "zaaktypeinformatieobjecttypen": "zaaktype-informatieobjecttypen"}
SECRET = "geheim-voor-de-stand-in-met-genoeg-lengte"
RESULTATEN = ("uitgevoerd", "afgewezen", "ingetrokken", "buiten_behandeling")
SELECTIELIJST = "https://selectielijst.openzaak.nl/api/v1/resultaten/{}"
OMSCHRIJVING = "https://selectielijst.openzaak.nl/api/v1/resultaattypeomschrijvingen/{}"


def _filled(value: Any) -> Any:
    """``value`` with every placeholder as an example URL, as the Catalogi API would have given out."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return "http://localhost/catalogi/api/v1/x/" + re.sub(r"[^a-z0-9]+", "-", value.strip("{}"))
    if isinstance(value, dict):
        return {k: _filled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_filled(v) for v in value]
    return value


def _check_all(printed: dict[str, Any]) -> int:
    """Validate every body against the Catalogi request schemas; the number checked."""
    checked = 0
    for key, resource in PATHS.items():
        bodies = printed[key] if isinstance(printed[key], list) else [printed[key]]
        for body in bodies:
            check_request("catalogi", "POST", f"/catalogi/api/v1/{resource}", _filled(body), AUTH)
            checked += 1
    return checked


def _durations(printed: dict[str, Any]) -> list[str]:
    zaaktype = printed["zaaktype"]
    found = [zaaktype["doorlooptijd"], zaaktype["verlengingstermijn"]]
    found += [r.get("archiefactietermijn") for r in printed["resultaattypen"]]
    found += [b["reactietermijn"] for b in printed["besluittypen"]]
    return [d for d in found if d is not None]


def test_every_body_gouda_prints_is_a_valid_catalogi_request() -> None:
    result = run_r2c("zgw", "zaaktype", "gouda")
    assert result.returncode == 0, result.stderr
    printed = json.loads(result.stdout)
    assert _check_all(printed) > 20
    assert all(ISO.match(d) for d in _durations(printed)), _durations(printed)
    # no ZGW configuration: a placeholder per result, named in 'waarschuwingen' with the key to add; stdout and
    # stderr together stay one JSON document (as a script reads it with 2>&1)
    assert printed["resultaattypen"][0]["selectielijstklasse"] == "{selectielijstklasse:uitgevoerd}"
    assert "[gemeente.gouda.resultaten.uitgevoerd] ontbreekt" in printed["waarschuwingen"][0]
    assert result.stderr == ""
    assert printed["plaatshouders"]["{besluittype:besluit_afwijzing}"].startswith("besluittypen[")


@pytest.mark.parametrize("file", sorted(p.name for p in WORKFLOW_DIR.glob("*.yaml")))
def test_every_shipped_workflow_gives_valid_catalogi_requests(catalog, file: str) -> None:
    item = next(i for i in catalog if Path(i.file).name == file)
    printed = build_zaaktype(item).as_json()
    assert _check_all(printed) > 20
    assert all(ISO.match(d) for d in _durations(printed)), _durations(printed)
    volgnummers = [s["volgnummer"] for s in printed["statustypen"]]
    assert volgnummers == list(range(1, len(volgnummers) + 1))
    assert len(printed["resultaattypen"]) >= 1 and len(printed["roltypen"]) == 3


def test_gouda_zaaktype_follows_the_definition(catalog) -> None:
    printed = build_zaaktype(catalog.get("gouda", "2024.1"), einde=catalog.get("gouda", "2026.1")).as_json()
    zaaktype = printed["zaaktype"]
    # the beslistermijn (8 weken, Awb 4:13) with its one verdaging (8 weken, Awb 4:14) and opschorting (Awb 4:15)
    assert (zaaktype["doorlooptijd"], zaaktype["verlengingMogelijk"], zaaktype["verlengingstermijn"]) == \
        ("P8W", True, "P8W")
    assert zaaktype["opschortingEnAanhoudingMogelijk"] is True
    assert (zaaktype["beginGeldigheid"], zaaktype["eindeGeldigheid"]) == ("2024-01-01", "2026-06-30")
    # the main path in order, the phases beside it after the phase before them, one end status last
    assert [s["omschrijving"] for s in printed["statustypen"]] == [
        "Indiening", "Aanvulling", "Beoordeling", "Besluit", "Bezwaar", "Overname", "Uitvoering", "Evaluatie",
        "Afgesloten"]
    assert "Vooroverleg" not in json.dumps(printed["statustypen"])  # switched off in Gouda
    archief = {r["omschrijving"]: (r["archiefnominatie"], r["archiefactietermijn"]) for r in printed["resultaattypen"]}
    assert archief == {"Uitgevoerd": ("vernietigen", "P10Y"), "Afgewezen": ("vernietigen", "P5Y"),
                       "Ingetrokken": ("vernietigen", "P1Y"), "Buiten behandeling": ("vernietigen", "P1Y")}
    assert [r["omschrijvingGeneriek"] for r in printed["roltypen"]] == ["initiator", "behandelaar", "beslisser"]
    besluiten = {b["omschrijving"]: b["reactietermijn"] for b in printed["besluittypen"]}
    assert besluiten == {"Besluit buiten behandeling stellen": "P6W", "Besluit op uw uitdaging (toegekend)": "P6W",
                         "Besluit op uw uitdaging (afgewezen)": "P6W"}  # not the confirmation of a withdrawal
    assert len(printed["informatieobjecttypen"]) == len(catalog.get("gouda", "2024.1").definition.brieven) + 2
    assert [e["naam"] for e in printed["eigenschappen"]] == ["budget", "startdatum"]


def test_a_term_in_werkdagen_never_ends_early_in_the_zaaksysteem() -> None:
    from r2c.zgw.zaaktype import iso_duur

    assert [iso_duur(t) for t in ("10 werkdagen", "3 werkdagen", "6 weken", "1 jaar")] == \
        ["P14D", "P5D", "P6W", "P1Y"]


def _config(tmp_path: Path, api: CatalogiStandIn, *, resultaten: tuple[str, ...] = RESULTATEN,
            onbekend: str = "") -> Path:
    lines = ["[gemeente.gouda]", f'catalogi = "{api.url}"', f'catalogus = "{api.catalogus}"',
             'zaken = "http://127.0.0.1:9/zaken/api/v1"', 'documenten = "http://127.0.0.1:9/documenten/api/v1"',
             'besluiten = "http://127.0.0.1:9/besluiten/api/v1"', 'rsin = "002220647"', 'client_id = "r2c"',
             f'secret = "{SECRET}"']
    for resultaat in resultaten:
        klasse = SELECTIELIJST.format("onbekend" if resultaat == onbekend else resultaat)
        lines += [f"[gemeente.gouda.resultaten.{resultaat}]", f'selectielijstklasse = "{klasse}"',
                  f'resultaattypeomschrijving = "{OMSCHRIJVING.format(resultaat)}"']
    path = tmp_path / "zgw.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def standin():
    with CatalogiStandIn(client_id="r2c", secret=SECRET,
                         selectielijst=[SELECTIELIJST.format(r) for r in RESULTATEN]) as api:
        yield api


def test_publiceer_creates_and_publishes_once(tmp_path: Path, standin: CatalogiStandIn) -> None:
    env = {"R2C_ZGW_CONFIG": str(_config(tmp_path, standin))}
    first = run_r2c("zgw", "zaaktype", "gouda", "--versie", "2024.1", "--publiceer", env=env)
    assert first.returncode == 0, first.stderr
    assert "zaaktype r2c-gouda versie 2024.1 gepubliceerd" in first.stdout
    zaaktypen = list(standin.objects["zaaktypen"].values())
    assert len(zaaktypen) == 1 and zaaktypen[0]["concept"] is False
    assert all(not o["concept"] for kind in ("besluittypen", "informatieobjecttypen")
               for o in standin.objects[kind].values())
    statussen = sorted(standin.objects["statustypen"].values(), key=lambda s: s["volgnummer"])
    eind = [standin.shown("statustypen", s)["isEindstatus"] for s in statussen]
    assert eind == [False] * (len(statussen) - 1) + [True] and statussen[-1]["omschrijving"] == "Afgesloten"
    assert standin.created["resultaattypen"] == 4 and standin.created["roltypen"] == 3
    created = dict(standin.created)

    second = run_r2c("zgw", "zaaktype", "gouda", "--versie", "2024.1", "--publiceer", env=env)
    assert second.returncode == 0, second.stderr
    assert "staat al gepubliceerd" in second.stdout and "niets aangemaakt" in second.stdout
    assert dict(standin.created) == created

    # the next version: a new zaaktype with the same identificatie; the letters' types are reused
    third = run_r2c("zgw", "zaaktype", "gouda", "--versie", "2026.1", "--publiceer", env=env)
    assert third.returncode == 0, third.stderr
    assert standin.created["zaaktypen"] == 2
    assert "hergebruikt" in third.stdout
    titles = [o["omschrijving"] for o in standin.objects["informatieobjecttypen"].values()]
    assert len(titles) == len(set(titles))
    assert {z["identificatie"] for z in standin.objects["zaaktypen"].values()} == {"r2c-gouda"}


def test_a_refusal_of_the_catalogi_api_is_one_clear_line(tmp_path: Path, standin: CatalogiStandIn) -> None:
    env = {"R2C_ZGW_CONFIG": str(_config(tmp_path, standin, onbekend="afgewezen"))}
    result = run_r2c("zgw", "zaaktype", "gouda", "--publiceer", env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert "niet gepubliceerd" in lines[0] and "selectielijstklasse:" in lines[0] and "onbekend" in lines[0]
    assert not any(o["concept"] is False for o in standin.objects["zaaktypen"].values())
    # the next run, still refused, makes no second concept
    again = run_r2c("zgw", "zaaktype", "gouda", "--publiceer", env=env)
    assert again.returncode == 1 and "niet gepubliceerd" in again.stderr
    assert standin.created["zaaktypen"] == 1
    assert len(standin.objects["statustypen"]) > 0  # the statustypen came before the refused resultaattype

    # after the archivist's fix the run finishes that concept: only the parts it lacked, then published
    fixed = {"R2C_ZGW_CONFIG": str(_config(tmp_path, standin))}
    done = run_r2c("zgw", "zaaktype", "gouda", "--publiceer", env=fixed)
    assert done.returncode == 0, done.stderr
    assert "afgebroken poging is afgemaakt" in done.stdout
    assert "statustypen" not in done.stdout.splitlines()[1] and "resultaattypen" in done.stdout.splitlines()[1]
    assert standin.created["zaaktypen"] == 1
    [zaaktype] = standin.objects["zaaktypen"].values()
    assert zaaktype["concept"] is False
    exported = json.loads(run_r2c("zgw", "zaaktype", "gouda").stdout)
    for resource, key in (("statustypen", "volgnummer"), ("resultaattypen", "omschrijving"),
                          ("roltypen", "omschrijving")):
        made = [o[key] for o in standin.objects[resource].values() if o["zaaktype"] == zaaktype["url"]]
        assert sorted(made) == sorted(o[key] for o in exported[resource]), resource  # each once, none missing


def test_publiceer_without_the_archivists_choice_names_the_key_and_sends_nothing(
        tmp_path: Path, standin: CatalogiStandIn) -> None:
    env = {"R2C_ZGW_CONFIG": str(_config(tmp_path, standin, resultaten=("uitgevoerd", "afgewezen")))}
    result = run_r2c("zgw", "zaaktype", "gouda", "--publiceer", env=env)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "[gemeente.gouda.resultaten.ingetrokken] ontbreekt" in result.stderr
    assert standin.requests == []
    printed = run_r2c("zgw", "zaaktype", "gouda", env=env)  # printing only: the configured choices are used
    assert printed.returncode == 0
    klassen = [r["selectielijstklasse"] for r in json.loads(printed.stdout)["resultaattypen"]]
    assert klassen[:2] == [SELECTIELIJST.format("uitgevoerd"), SELECTIELIJST.format("afgewezen")]
    assert "{selectielijstklasse:ingetrokken}" in klassen
    assert "waarschuwing: R2C_ZGW_CONFIG: [gemeente.gouda.resultaten.ingetrokken] ontbreekt" in printed.stderr


def test_the_standin_refuses_a_wrong_token_and_an_early_publish(standin: CatalogiStandIn) -> None:
    from r2c.clock import FixedClock
    from r2c.zgw.client import ZgwClient, ZgwError
    from r2c.zgw.config import ZgwGemeente

    def client(secret: str) -> ZgwClient:
        return ZgwClient(ZgwGemeente(catalogi=standin.url, catalogus=standin.catalogus, zaken="http://x",
                                     documenten="http://x", besluiten="http://x", rsin="002220647",
                                     client_id="r2c", secret=secret))

    with pytest.raises(ZgwError, match="403 JWT ongeldig"):
        client("een ander geheim van voldoende lengte").get(f"{standin.url}/zaaktypen")
    stale = client(SECRET)
    stale.clock = FixedClock(datetime.now(timezone.utc) - timedelta(hours=2))
    with pytest.raises(ZgwError, match="403 JWT: iat ontbreekt of is ouder dan een uur"):
        stale.get(f"{standin.url}/zaaktypen")
    good = client(SECRET)
    printed = _filled(build_zaaktype_gouda()["zaaktype"])
    printed |= {"catalogus": standin.catalogus, "besluittypen": []}
    zaaktype = good.post(f"{standin.url}/zaaktypen", printed)
    good.post(f"{standin.url}/statustypen", {"omschrijving": "Indiening", "volgnummer": 1, "zaaktype": zaaktype["url"]})
    with pytest.raises(ZgwError, match="statustypen: minstens 2 nodig"):
        good.post(f"{zaaktype['url']}/publish", None)
    with pytest.raises(ZgwError, match="'volgnummer' is a required property"):
        good.post(f"{standin.url}/statustypen", {"omschrijving": "Besluit", "zaaktype": zaaktype["url"]})


def build_zaaktype_gouda() -> dict[str, Any]:
    from r2c.definitions.catalog import load_catalog

    return build_zaaktype(load_catalog().get("gouda")).as_json()


def test_bad_input_is_one_dutch_line_naming_what_is_known() -> None:
    unknown = run_r2c("zgw", "zaaktype", "goud")
    assert unknown.returncode == 1 and unknown.stderr.strip() == \
        "fout: geen gemeente 'goud'; bekend: amsterdam, geertruidenberg, gouda, middelburg, vught"
    versie = run_r2c("zgw", "zaaktype", "gouda", "--versie", "1999.1")
    assert versie.returncode == 1 and versie.stderr.strip() == \
        "fout: 'gouda' heeft geen versie '1999.1'; wel: 2024.1, 2026.1"
    no_config = run_r2c("zgw", "zaaktype", "gouda", "--publiceer")
    assert no_config.returncode == 2 and "geen [gemeente.gouda] ingesteld" in no_config.stderr
    folder = run_r2c("zgw", "zaaktype", "gouda", env={"R2C_ZGW_CONFIG": "."})
    assert folder.returncode == 2 and folder.stderr.strip() == \
        "fout: R2C_ZGW_CONFIG: . is een map; geef het TOML-bestand (zie docs/zgw.md) of laat R2C_ZGW_CONFIG weg"
