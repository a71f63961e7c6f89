"""The zgw channel against the Zaken stand-in: a challenge from submission to afgesloten becomes one zaak with its
statuses, term dates, documents, besluit and resultaat, every request valid by the official specs."""

from __future__ import annotations

import logging
from datetime import date, datetime, timezone

from r2c.service import Actor, Initiatiefnemer, Upload

G = "gouda"


def at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T08:00:00+00:00").astimezone(timezone.utc)


class Story:
    def __init__(self, linked, day: str, *, organisatie: str | None = "Buurtvereniging Oost"):
        self.linked = linked
        linked.traveller.move_to(at(day))
        definition = linked.service.catalog.in_force(G, at(day).date()).definition
        self.criteria, self.vereisten = list(definition.criteria), list(definition.vereisten)
        self.challenge = linked.service.submit(
            gemeente=G, titel="Buurttuin", data={"omschrijving": "Wij doen het zelf.", "vereisten": self.vereisten[:2]},
            initiatiefnemer=Initiatiefnemer("F. de Vries", "fatima@example.nl", "0612345678", organisatie)).challenge

    def do(self, day: str, event: str, rol: str = "behandelaar", data: dict | None = None,
           reason: str | None = "Zo besloten.", documents=()) -> Story:
        self.linked.traveller.move_to(at(day))
        ident = self.challenge.initiatiefnemer if rol == "initiatiefnemer" else f"{rol}.jansen"
        self.challenge = self.linked.service.fire(self.challenge.id, event, actor=Actor(ident, rol, G), data=data,
                                                  reason=reason, documents=documents).challenge
        return self

    def beslistermijn(self) -> str:
        terms = self.linked.service.terms(self.challenge.id, actor=Actor("b", "behandelaar", G))
        return next(t for t in terms if t.name == "beslistermijn").einddatum.isoformat()


def zaak_of(standin, story):
    [zaak] = standin.items("zaken", identificatie=story.challenge.kenmerk)
    return zaak


def test_a_challenge_from_submission_to_afgesloten_is_one_zaak_kept_current(linked, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="r2c")
    standin = linked.standin
    story = Story(linked, "2026-01-12")
    linked.run()
    zaak = zaak_of(standin, story)
    assert zaak["bronorganisatie"] == zaak["verantwoordelijkeOrganisatie"] == "002220647"
    assert zaak["zaaktype"] == standin.zaaktype and zaak["startdatum"] == "2026-01-12"
    assert zaak["kenmerken"] == [{"kenmerk": story.challenge.id, "bron": "r2c"}]
    assert zaak["uiterlijkeEinddatumAfdoening"] == story.beslistermijn()  # r2c's date (Atw), not a calendar sum
    [initiator] = standin.items("rollen", zaak=zaak["url"])
    assert initiator["betrokkeneType"] == "niet_natuurlijk_persoon"
    assert initiator["betrokkeneIdentificatie"] == {"statutaireNaam": "Buurtvereniging Oost"}
    assert initiator["contactpersoonRol"]["naam"] == "F. de Vries"

    story.do("2026-01-19", "aanvulling_vragen")
    linked.run()
    assert zaak_of(standin, story)["opschorting"] == {"indicatie": True, "reden": "aanvulling_vragen in r2c"}

    story.do("2026-01-26", "aanvullen", "initiatiefnemer", data={"vereisten": story.vereisten},
             documents=[Upload("begroting.pdf", "application/pdf", b"%PDF-1.4 begroting")])
    linked.run()
    zaak = zaak_of(standin, story)
    assert zaak["opschorting"]["indicatie"] is False
    assert zaak["uiterlijkeEinddatumAfdoening"] == story.beslistermijn()  # moved by the days it stood still

    story.do("2026-01-27", "in_behandeling_nemen")
    story.challenge = linked.service.assign(story.challenge.id, behandelaar="b.jansen",
                                            actor=Actor("t.de.boer", "teamleider", G))
    before = story.beslistermijn()
    story.do("2026-02-02", "verdagen", "teamleider", reason="Advies van de wijkraad nodig.")
    linked.run()
    zaak = zaak_of(standin, story)
    assert story.beslistermijn() > before and zaak["uiterlijkeEinddatumAfdoening"] == story.beslistermijn()
    added = (date.fromisoformat(story.beslistermijn()) - date.fromisoformat(before)).days
    assert zaak["verlenging"] == {"reden": "verdagen in r2c", "duur": f"P{added}D"}

    oordelen = {c: {"oordeel": "voldoet_niet" if c == "kosten" else "voldoet", "motivering": "Gezien het plan."}
                for c in story.criteria}
    story.do("2026-02-03", "beoordelen", data={"beoordelingen": oordelen})
    story.do("2026-02-04", "zienswijze_vragen")
    story.do("2026-02-10", "zienswijze_ontvangen", "initiatiefnemer", data={"zienswijze": "Wij zien het anders."})
    story.do("2026-02-23", "voorleggen", "teamleider", {"weigering_op_andere_feiten": False})
    story.do("2026-03-02", "afwijzen", "college", reason="Te duur.")
    linked.run()
    [besluit] = standin.items("besluiten", zaak=zaak["url"])
    bezwaar = next(t for t in linked.service.terms(story.challenge.id, actor=Actor("b", "behandelaar", G))
                   if t.name == "bezwaartermijn")
    assert besluit["uiterlijkeReactiedatum"] == bezwaar.einddatum.isoformat()
    assert besluit["datum"] == "2026-03-02"
    [link] = standin.items("besluitinformatieobjecten", besluit=besluit["url"])
    [letter] = [e for e in standin.items("enkelvoudiginformatieobjecten") if e["url"] == link["informatieobject"]]
    assert letter["bestandsnaam"] == "besluit_afwijzing.pdf"

    linked.traveller.move_to(at(bezwaar.einddatum.isoformat()).replace(hour=23))
    linked.traveller.shift(60 * 60 * 24)
    linked.run()  # the planner fires bezwaartermijn_verstreken: afgesloten.afgewezen
    linked.run()
    assert linked.service.get(story.challenge.id, actor=Actor("b", "behandelaar", G)).state == "afgesloten.afgewezen"

    assert standin.violations == [] and standin.refusals == []
    zaak = zaak_of(standin, story)
    statustypen = {s["url"]: s["omschrijving"] for s in standin.items("statustypen")}
    statuses = [statustypen[s["statustype"]] for s in standin.items("statussen", zaak=zaak["url"])]
    assert statuses == ["indiening", "ontvankelijkheid", "indiening", "toetsing", "besluit", "bezwaar", "afgesloten"]
    [resultaat] = standin.items("resultaten", zaak=zaak["url"])
    assert {r["url"]: r["omschrijving"] for r in standin.items("resultaattypen")}[resultaat["resultaattype"]] \
        == "afgewezen"
    assert zaak["einddatum"] is not None
    documents = {e["url"]: e for e in standin.items("enkelvoudiginformatieobjecten")}
    linked_docs = [documents[z["informatieobject"]] for z in standin.items("zaakinformatieobjecten", zaak=zaak["url"])]
    names = [d["bestandsnaam"] for d in linked_docs]
    assert {"ontvangstbevestiging.pdf", "aanvullingsverzoek.pdf", "begroting.pdf", "verdagingsbericht.pdf",
            "besluit_afwijzing.pdf"} <= set(names)
    assert all(d["indicatieGebruiksrecht"] is False for d in linked_docs)
    behandelaars = standin.items("rollen", zaak=zaak["url"], betrokkeneType="medewerker")
    assert [r["betrokkeneIdentificatie"]["identificatie"] for r in behandelaars] == ["b.jansen"]
    assert all(d.status == "verzonden" for d in linked.deliveries())
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "zaak " + story.challenge.kenmerk + " geregistreerd" in logged
    assert not any(personal in logged for personal in ("de Vries", "fatima@example.nl", "0612345678",
                                                       "Buurtvereniging", "Buurttuin"))


def test_a_step_sent_again_adds_nothing(linked) -> None:
    standin = linked.standin
    story = Story(linked, "2026-01-12", organisatie=None)
    linked.run()
    before = sum(standin.created.values())
    from sqlalchemy import update

    from r2c.store.queue import DELIVERY

    with linked.database.engine.begin() as connection:  # as if the worker died after the API took it
        connection.execute(update(DELIVERY).values(status="wachtend"))
    linked.run()
    assert sum(standin.created.values()) == before
    [rol] = standin.items("rollen", zaak=zaak_of(standin, story)["url"])
    assert rol["betrokkeneType"] == "natuurlijk_persoon"
    assert rol["betrokkeneIdentificatie"] == {"geslachtsnaam": "de Vries", "voorletters": "F."}


def test_the_channel_is_an_entry_point_and_needs_a_configured_gemeente(tmp_path) -> None:
    import tomllib
    from pathlib import Path

    import pytest

    from r2c.errors import ConfigError
    from r2c.settings import Settings
    from r2c.zgw.channel import ZgwChannel

    project = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["entry-points"]["r2c.channels"]["zgw"] == "r2c.zgw.channel:ZgwChannel"
    with pytest.raises(ConfigError, match="het kanaal zgw staat aan, maar R2C_ZGW_CONFIG noemt geen gemeente"):
        ZgwChannel(Settings(kanalen=["zgw"], database_url=f"sqlite:///{tmp_path / 'r2c.db'}"))


def test_the_configuration_in_docs_zgw_md_loads(tmp_path) -> None:
    import re
    from pathlib import Path

    from r2c.zgw.config import load_zgw_config

    text = (Path(__file__).resolve().parents[2] / "docs" / "zgw.md").read_text(encoding="utf-8")
    section = text.split("## Koppelen met Open Zaak", 1)[1].split("\n## ", 1)[0]
    [block] = re.findall(r"```toml\n(.*?)```", section, flags=re.S)
    path = tmp_path / "zgw.toml"
    path.write_text("\n".join(line.strip() for line in block.splitlines()), encoding="utf-8")
    assert load_zgw_config(path)["gouda"].rsin == "002220647"


def test_documents_sent_with_the_submission_come_first_and_the_zaak_still_gets_its_first_status(linked) -> None:
    standin = linked.standin
    linked.traveller.move_to(at("2026-01-12"))
    challenge = linked.service.submit(
        gemeente=G, titel="Speeltuin", data={"omschrijving": "Wij doen het zelf."},
        initiatiefnemer=Initiatiefnemer("A. Bakker", "a@example.nl"),
        documents=[Upload("plan.pdf", "application/pdf", b"%PDF-1.4 plan")]).challenge
    linked.run()
    [zaak] = standin.items("zaken", identificatie=challenge.kenmerk)
    statustypen = {s["url"]: s["omschrijving"] for s in standin.items("statustypen")}
    assert [statustypen[s["statustype"]] for s in standin.items("statussen", zaak=zaak["url"])] == ["indiening"]
    terms = linked.service.terms(challenge.id, actor=Actor("b", "behandelaar", G))
    beslis = next(t for t in terms if t.name == "beslistermijn")
    assert zaak["uiterlijkeEinddatumAfdoening"] == beslis.einddatum.isoformat()
    documents = {e["url"]: e["bestandsnaam"] for e in standin.items("enkelvoudiginformatieobjecten")}
    assert sorted(documents[z["informatieobject"]] for z in standin.items("zaakinformatieobjecten", zaak=zaak["url"])) \
        == ["ontvangstbevestiging.pdf", "plan.pdf"]
    assert standin.violations == [] and standin.refusals == []


def test_the_channel_finds_the_types_r2c_zgw_zaaktype_exports(linked) -> None:
    """Against the zaaktype as the export makes it (statustypen along the main path only, names from the
    definition's labels and titels): the lifecycle still ends closed, with its besluit and resultaat."""
    from r2c.zgw.zaaktype import build_zaaktype

    standin = linked.standin
    loaded = linked.service.catalog.in_force(G, at("2026-01-12").date())
    standin.seed_export(build_zaaktype(loaded))
    story = Story(linked, "2026-01-12")
    story.do("2026-01-19", "aanvulling_vragen")
    story.do("2026-01-26", "aanvullen", "initiatiefnemer", data={"vereisten": story.vereisten},
             documents=[Upload("begroting.pdf", "application/pdf", b"%PDF-1.4 begroting")])
    story.do("2026-01-27", "in_behandeling_nemen")
    oordelen = {c: {"oordeel": "voldoet_niet" if c == "kosten" else "voldoet", "motivering": "Gezien het plan."}
                for c in story.criteria}
    story.do("2026-02-03", "beoordelen", data={"beoordelingen": oordelen})
    story.do("2026-02-04", "zienswijze_vragen")
    story.do("2026-02-10", "zienswijze_ontvangen", "initiatiefnemer", data={"zienswijze": "Wij zien het anders."})
    story.do("2026-02-23", "voorleggen", "teamleider", {"weigering_op_andere_feiten": False})
    story.do("2026-03-02", "intrekken", "initiatiefnemer", reason=None)
    linked.run()
    assert standin.violations == [] and standin.refusals == []
    assert all(d.status == "verzonden" for d in linked.deliveries()), [d.last_error for d in linked.deliveries()]
    zaak = zaak_of(standin, story)
    eind = max(standin.items("statustypen"), key=lambda s: s["volgnummer"])
    statuses = standin.items("statussen", zaak=zaak["url"])
    assert statuses[-1]["statustype"] == eind["url"] and zaak["einddatum"] == "2026-03-02"
    [resultaat] = standin.items("resultaten", zaak=zaak["url"])
    [resultaattype] = [r for r in standin.items("resultaattypen") if r["url"] == resultaat["resultaattype"]]
    assert resultaattype["omschrijving"] == loaded.definition.fasen["afgesloten"].staten["ingetrokken"].label[:30]
    documents = {e["url"]: e for e in standin.items("enkelvoudiginformatieobjecten")}
    iots = {i["url"]: i["omschrijving"] for i in standin.items("informatieobjecttypen")}
    linked_docs = [documents[z["informatieobject"]] for z in standin.items("zaakinformatieobjecten", zaak=zaak["url"])]
    kinds = {d["bestandsnaam"]: iots[d["informatieobjecttype"]] for d in linked_docs}
    assert kinds["begroting.pdf"] == "Bijlage bij een uitdaging"
    assert kinds["aanvullingsverzoek.pdf"] == loaded.definition.brieven["aanvullingsverzoek"].titel[:80]


def test_a_challenge_goes_to_the_zaaktype_of_its_own_workflow_version(linked) -> None:
    standin = linked.standin
    loaded = linked.service.catalog.in_force(G, at("2026-01-12").date())
    standin.seed_export(build_zaaktype_of(loaded))
    newer = standin.publish_zaaktype(f"r2c-{loaded.definition.id}", "2099-01-01")
    story = Story(linked, "2026-01-12")
    linked.run()
    zaak = zaak_of(standin, story)
    assert zaak["zaaktype"] == standin.zaaktype != newer
    [chosen] = standin.items("zaaktypen", url=standin.zaaktype)
    assert chosen["versiedatum"] == loaded.definition.geldig_vanaf.isoformat()


def build_zaaktype_of(loaded):
    from r2c.zgw.zaaktype import build_zaaktype

    return build_zaaktype(loaded)
