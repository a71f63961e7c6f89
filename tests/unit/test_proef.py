"""``r2c workflows proef`` without the command: walks on the real engine and the shipped definitions, in memory."""

from __future__ import annotations

import json
from datetime import date

import pytest

from r2c.engine.workflow import Workflow
from r2c.service.proef import Proef, ProefError, begin, parse_stap

START = date(2026, 3, 2)
FULL = ["indienen", "in_behandeling_nemen", "beoordelen", "voorleggen", "toekennen", "overeenkomst_sluiten",
        "voortgang_melden", "verantwoorden", "verantwoording_beoordeeld", "teruggeven"]


def walk(catalog, *steps: str, gemeente: str = "gouda", op: date = START) -> list[dict]:
    loaded, day = begin(catalog, gemeente, versie=None, op=op, vandaag=date(2030, 1, 1))
    return Proef(Workflow(loaded), day).walk([parse_stap(s) for s in steps])


def terms(result: dict) -> dict[str, tuple[str, str | None]]:
    return {t["naam"]: (t["status"], t["einddatum"]) for t in result["termijnen"]}


def test_the_contract_walk_asks_for_completion_and_says_which_role_it_used(catalog) -> None:
    first, second = walk(catalog, "indienen", "aanvulling_vragen@behandelaar")
    assert (first["rol"], first["rol_standaard"]) == ("initiatiefnemer", True)
    assert "vereisten" not in first["gegevens"] and "aanvulling_vragen" in first["let_op"]
    assert (second["rol"], second["rol_standaard"]) == ("behandelaar", False)
    assert second["staat"]["code"] == "ontvankelijkheid.aanvulling_gevraagd"
    assert terms(second) == {"beslistermijn": ("opgeschort", None), "hersteltermijn": ("lopend", "2026-03-16")}
    assert [b["brief"] for b in second["brieven"]] == ["aanvullingsverzoek"]
    assert "hersteltermijn_verstreken" in second["mag_nu"]["systeem"]


def test_a_refused_step_gives_the_engines_reason_and_what_may_happen_now(catalog) -> None:
    (result,) = walk(catalog, "toekennen@initiatiefnemer")
    assert "'toekennen' kan niet in staat 'indiening.concept' door rol 'initiatiefnemer'" in result["geweigerd"]
    assert result["mag_nu"]["initiatiefnemer"] == ["indienen", "intrekken"]
    guarded = walk(catalog, "indienen:vereisten=contactgegevens", "in_behandeling_nemen", "beoordelen")
    assert len(guarded) == 2 and "de aanvraag mist nog" in guarded[1]["geweigerd"]
    assert guarded[1]["staat"]["code"] == "indiening.ontvangen"


def test_a_verdaging_after_the_term_lapsed_is_refused_with_the_awb_reason(catalog) -> None:
    results = walk(catalog, "indienen", "+60d", "verdagen@behandelaar")
    assert "is te laat" in results[-1]["geweigerd"] and "(Awb 4:14)" in results[-1]["geweigerd"]
    assert terms(results[-1]) == {"beslistermijn": ("lopend", "2026-04-28")}


def test_a_full_walk_of_gouda_ends_executed_with_no_running_term(catalog) -> None:
    results = walk(catalog, *FULL)
    assert all("geweigerd" not in r for r in results)
    assert results[0]["gegevens"]["vereisten"] == list(catalog.get("gouda", "2024.1").definition.vereisten)
    assert results[2]["gegevens"]["beoordelingen"]["steun"]["oordeel"] == "voldoet"
    last = results[-1]
    assert last["staat"]["code"] == "afgesloten.uitgevoerd" and last["staat"]["resultaat"] == "uitgevoerd"
    assert last["termijnen"] == [] and last["mag_nu"] == {}
    assert terms(results[0]) == {"beslistermijn": ("lopend", "2026-04-28")}  # 27 April is Koningsdag


def test_an_afwijzing_lapses_into_afgewezen_when_the_bezwaartermijn_passes(catalog) -> None:
    results = walk(catalog, "indienen", "in_behandeling_nemen", "beoordelen", "voorleggen", "afwijzen", "+42d",
                   "+1d")
    afwijzen, wait, lapse = results[4:]
    assert afwijzen["staat"]["code"] == "bezwaar.termijn"
    assert terms(afwijzen) == {"bezwaartermijn": ("lopend", "2026-04-13")}
    assert wait["staat"]["code"] == "bezwaar.termijn" and wait["gebeurd"] == []
    fired = [g for g in lapse["gebeurd"] if g["soort"] == "event"]
    assert fired == [{"dag": "2026-04-14", "soort": "event", "event": "bezwaartermijn_verstreken", "rol": "systeem",
                      "staat": "afgesloten.afgewezen"}]
    assert lapse["staat"]["code"] == "afgesloten.afgewezen" and lapse["termijnen"] == []


def test_intrekken_closes_and_stops_every_term(catalog) -> None:
    results = walk(catalog, "indienen", "aanvulling_vragen", "intrekken")
    assert results[-1]["staat"]["code"] == "afgesloten.ingetrokken"
    assert results[-1]["termijnen"] == [] and [b["brief"] for b in results[-1]["brieven"]] == ["intrekking"]


def test_passing_days_show_reminders_on_their_day_and_the_system_fires_the_lapse(catalog) -> None:
    results = walk(catalog, "indienen", "aanvulling_vragen", "+9d", "+1d", "+4d", "+1d")
    before, reminder, last_day, lapse = results[2:]
    assert before["gebeurd"] == [] and before["tot_en_met"] == "2026-03-11"
    assert reminder["gebeurd"] == [{"dag": "2026-03-12", "soort": "herinnering", "termijn": "hersteltermijn",
                                    "label": "Termijn om de aanvraag aan te vullen", "einddatum": "2026-03-16",
                                    "moment": "2 werkdagen voor", "aan": "initiatiefnemer"}]
    assert last_day["staat"]["code"] == "ontvankelijkheid.aanvulling_gevraagd"
    kinds = [(g["dag"], g["soort"]) for g in lapse["gebeurd"]]
    assert kinds == [("2026-03-17", "verlopen"), ("2026-03-17", "event")]
    assert lapse["gebeurd"][1]["event"] == "hersteltermijn_verstreken"
    assert lapse["staat"]["code"] == "ontvankelijkheid.niet_aangevuld"
    # the beslistermijn resumes with the suspended days (Awb 4:15), the buiten-behandelingtermijn starts
    assert terms(lapse) == {"beslistermijn": ("lopend", "2026-05-11"), "buiten_behandeling": ("lopend", "2026-04-14")}


def test_the_beslistermijn_escalates_the_working_day_after_its_end(catalog) -> None:
    results = walk(catalog, "indienen", "in_behandeling_nemen", "+60d")
    seen = [(g["dag"], g["soort"], g.get("aan")) for g in results[-1]["gebeurd"]]
    assert seen == [("2026-04-13", "herinnering", "behandelaar"), ("2026-04-23", "herinnering", "behandelaar"),
                    ("2026-04-28", "herinnering", "behandelaar"), ("2026-04-29", "escalatie", "teamleider"),
                    ("2026-04-29", "verlopen", None)]


def test_field_values_are_read_by_their_type(catalog) -> None:
    steps = ["indienen", "in_behandeling_nemen", "beoordelen:beoordelingen=steun:voldoet_niet",
             "voorleggen:weigering_op_andere_feiten=ja",
             "toekennen:afwijking_motivering=Het college weegt de steun anders.",
             "overeenkomst_sluiten:budget=12500.50,startdatum=2026-06-01", "voortgang_melden:voortgang=Het loopt."]
    results = walk(catalog, *steps)
    assert results[2]["gegevens"]["beoordelingen"]["steun"]["oordeel"] == "voldoet_niet"
    assert results[2]["gegevens"]["beoordelingen"]["kosten"]["oordeel"] == "voldoet"
    assert results[3]["gegevens"] == {"weigering_op_andere_feiten": True}
    assert results[5]["gegevens"] == {"budget": "12500.50", "startdatum": "2026-06-01"}
    assert results[6]["gegevens"] == {"voortgang": "Het loopt."}
    listed = walk(catalog, "indienen:vereisten=contactgegevens;taak")
    assert listed[0]["gegevens"]["vereisten"] == ["contactgegevens", "taak"]
    reden = walk(catalog, "indienen", "verdagen@behandelaar:reden=Advies duurt langer.")
    assert reden[1]["reden"] == "Advies duurt langer." and terms(reden[1])["beslistermijn"] == ("lopend", "2026-06-22")


@pytest.mark.parametrize(("steps", "message"), [
    (["indienen", "overeenkomst"], "onbekend event 'overeenkomst'; bestaande events: aanvullen,"),
    (["indienen@burger"], "onbekende rol 'burger'; rollen: initiatiefnemer, behandelaar, teamleider, college"),
    (["indienen:kleur=rood"],
     "onbekend gegeven 'kleur' bij 'indienen'; gegevens van deze stap: vereisten, omschrijving"),
    (["indienen", "in_behandeling_nemen", "beoordelen", "voorleggen:weigering_op_andere_feiten=misschien"],
     "weigering_op_andere_feiten='misschien' is geen ja of nee"),
    (["indienen", "in_behandeling_nemen", "beoordelen", "voorleggen", "toekennen",
      "overeenkomst_sluiten:startdatum=1 juni"], "startdatum='1 juni' is geen datum (JJJJ-MM-DD)"),
    (["indienen", "in_behandeling_nemen", "beoordelen", "voorleggen", "toekennen",
      "overeenkomst_sluiten:budget=veel"], "budget='veel' is geen bedrag"),
])
def test_bad_input_names_what_exists(catalog, steps, message) -> None:
    with pytest.raises(ProefError, match=message.replace("(", r"\(").replace(")", r"\)")):
        walk(catalog, *steps)


@pytest.mark.parametrize("text", ["in dienen", "indienen:budget", "+0d", "+3", "Indienen", "indienen@"])
def test_a_malformed_step_says_what_a_step_looks_like(text) -> None:
    with pytest.raises(ProefError, match=f"stap '{text.replace('+', '[+]')}'"):
        parse_stap(text)
    if text != "+0d":
        with pytest.raises(ProefError, match=r"een stap is event\[@rol\]"):
            parse_stap(text)


def test_the_first_day_and_the_version(catalog) -> None:
    with pytest.raises(ProefError, match="onbekende gemeente 'goud'; bekend: amsterdam, geertruidenberg, gouda"):
        begin(catalog, "goud", versie=None, op=None, vandaag=START)
    assert begin(catalog, "gouda", versie=None, op=None, vandaag=START)[0].definition.versie == "2024.1"
    loaded, day = begin(catalog, "gouda", versie="2026.1", op=None, vandaag=START)
    assert (loaded.definition.versie, day) == ("2026.1", date(2026, 7, 1))  # not in force yet: its first day
    loaded, day = begin(catalog, "gouda", versie=None, op=date(2026, 8, 3), vandaag=START)
    assert (loaded.definition.versie, day) == ("2026.1", date(2026, 8, 3))


def test_the_results_are_json(catalog) -> None:
    results = walk(catalog, "indienen", "aanvulling_vragen", "+20d", "aanvullen")
    assert json.loads(json.dumps(results)) == results
