"""What r2c sends to the Zaken, Documenten and Besluiten APIs: request bodies built from a challenge, no I/O.

The channel (r2c.zgw.channel) reads the challenge and calls the APIs; this module only maps. docs/zgw.md has the
tables (state -> statustype, result -> resultaattype, term -> date fields).
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from typing import Any

# the beslistermijn's end date is the zaak's uiterlijkeEinddatumAfdoening (Awb 4:13; the zaaktype's doorlooptijd),
# the bezwaartermijn's a besluit's uiterlijkeReactiedatum (Awb 6:7): the terms the zaaktype is made of
from r2c.zgw.zaaktype import BESLISTERMIJN, BEZWAARTERMIJN

KENMERK_BRON = "r2c"
DOCUMENT_SOORT = "bijlage"
"""The informatieobjecttype (r2c.zgw.zaaktype.DOCUMENTEN) of a document added to a challenge."""


def zaak_body(*, kenmerk: str, challenge_id: str, titel: str, rsin: str, zaaktype: str, startdatum: date,
              registratiedatum: date, uiterlijke_einddatum: str | None) -> dict[str, Any]:
    """A new Zaak: identificatie = r2c's kenmerk, the RSIN as bron- and verantwoordelijke organisatie, r2c's id as
    a kenmerk, and the end date r2c computed for the beslistermijn (never a calendar sum)."""
    body: dict[str, Any] = {
        "identificatie": kenmerk, "bronorganisatie": rsin, "verantwoordelijkeOrganisatie": rsin,
        "zaaktype": zaaktype, "omschrijving": titel[:80], "startdatum": startdatum.isoformat(),
        "registratiedatum": registratiedatum.isoformat(), "vertrouwelijkheidaanduiding": "zaakvertrouwelijk",
        "kenmerken": [{"kenmerk": challenge_id, "bron": KENMERK_BRON}]}
    if uiterlijke_einddatum:
        body["uiterlijkeEinddatumAfdoening"] = uiterlijke_einddatum
    return body


def _name_parts(naam: str) -> dict[str, str]:
    """A name as the Zaken API's geslachtsnaam and voorletters ('A. de Vries': 'de Vries' and 'A.')."""
    words = naam.split()
    initials = [w for w in words if re.fullmatch(r"(?:[A-Z]\.)+", w)]
    rest = [w for w in words if w not in initials] or words
    out = {"geslachtsnaam": " ".join(rest)[:200]}
    if initials:
        out["voorletters"] = "".join(initials)[:20]
    return out


def initiator_body(*, zaak: str, roltype: str, party: Any) -> dict[str, Any]:
    """The Rol initiator: a niet-natuurlijk persoon when the initiatiefnemer is an organisation, else a natuurlijk
    persoon; the contact person as ``contactpersoonRol``."""
    contact = {"naam": party.naam[:200]}
    if party.email:
        contact["emailadres"] = party.email
    if party.telefoon:
        contact["telefoonnummer"] = party.telefoon[:20]
    body: dict[str, Any] = {"zaak": zaak, "roltype": roltype, "roltoelichting": "initiatiefnemer",
                            "contactpersoonRol": contact}
    if party.organisatie:
        body.update(betrokkeneType="niet_natuurlijk_persoon",
                    betrokkeneIdentificatie={"statutaireNaam": party.organisatie[:500]})
    else:
        body.update(betrokkeneType="natuurlijk_persoon", betrokkeneIdentificatie=_name_parts(party.naam))
    return body


def behandelaar_body(*, zaak: str, roltype: str, behandelaar: str) -> dict[str, Any]:
    """The Rol behandelaar: a medewerker identified by r2c's actor id."""
    return {"zaak": zaak, "roltype": roltype, "roltoelichting": "behandelaar", "betrokkeneType": "medewerker",
            "betrokkeneIdentificatie": {"identificatie": behandelaar[:24], "achternaam": behandelaar[:200]}}


def status_body(*, zaak: str, statustype: str, moment: datetime, toelichting: str) -> dict[str, Any]:
    """A Status at the moment r2c's step happened (so a late delivery does not reorder the statuses)."""
    return {"zaak": zaak, "statustype": statustype, "datumStatusGezet": moment.isoformat(),
            "statustoelichting": toelichting[:1000]}


def resultaat_body(*, zaak: str, resultaattype: str, toelichting: str) -> dict[str, Any]:
    return {"zaak": zaak, "resultaattype": resultaattype, "toelichting": toelichting[:1000]}


def document_body(*, identificatie: str, rsin: str, informatieobjecttype: str, titel: str, bestandsnaam: str,
                  formaat: str, inhoud: bytes, creatiedatum: date, beschrijving: str = "") -> dict[str, Any]:
    """An EnkelvoudigInformatieObject with its content; ``indicatieGebruiksrecht`` false (no rights of use are
    given), which Open Zaak needs set before the zaak is closed."""
    return {"identificatie": identificatie[:40], "bronorganisatie": rsin, "creatiedatum": creatiedatum.isoformat(),
            "titel": titel[:200], "auteur": "r2c (uitdaagrecht)", "taal": "dut", "status": "definitief",
            "formaat": formaat, "bestandsnaam": bestandsnaam[:255], "bestandsomvang": len(inhoud),
            "inhoud": base64.b64encode(inhoud).decode("ascii"), "indicatieGebruiksrecht": False,
            "informatieobjecttype": informatieobjecttype, "vertrouwelijkheidaanduiding": "zaakvertrouwelijk",
            "beschrijving": beschrijving[:1000]}


def zaakinformatieobject_body(*, zaak: str, informatieobject: str, titel: str) -> dict[str, Any]:
    return {"zaak": zaak, "informatieobject": informatieobject, "titel": titel[:200]}


def besluit_body(*, identificatie: str, rsin: str, besluittype: str, zaak: str, datum: date, toelichting: str,
                 uiterlijke_reactiedatum: str | None) -> dict[str, Any]:
    """The Besluit of a besluit letter; ``uiterlijkeReactiedatum`` is the end of the bezwaartermijn r2c computed."""
    body = {"identificatie": identificatie[:50], "verantwoordelijkeOrganisatie": rsin, "besluittype": besluittype,
            "zaak": zaak, "datum": datum.isoformat(), "ingangsdatum": datum.isoformat(),
            "toelichting": toelichting[:1000]}
    if uiterlijke_reactiedatum:
        body["uiterlijkeReactiedatum"] = uiterlijke_reactiedatum
    return body


def term_patch(summaries: list[dict[str, Any]], *, zaak: dict[str, Any], reden: str) -> dict[str, Any]:
    """The PATCH of the zaak for what a step did to the beslistermijn, with the dates r2c computed:

    - opschorten: ``opschorting.indicatie`` true;
    - hervatten: ``opschorting.indicatie`` false and the moved ``uiterlijkeEinddatumAfdoening``;
    - verlengen: ``verlenging`` (``duur`` the total extension, days) and the new ``uiterlijkeEinddatumAfdoening``.

    Empty when the step did not touch the beslistermijn.
    """
    patch: dict[str, Any] = {}
    for line in summaries:
        if line.get("termijn") != BESLISTERMIJN:
            continue
        actie, end = line.get("actie"), line.get("einddatum")
        if actie == "opschorten":
            patch["opschorting"] = {"indicatie": True, "reden": reden[:200] or "opgeschort"}
        elif actie == "hervatten":
            patch["opschorting"] = {"indicatie": False, "reden": ""}
            if end:
                patch["uiterlijkeEinddatumAfdoening"] = end
        elif actie == "verlengen" and end:
            earlier = (zaak.get("verlenging") or {}).get("duur")
            current = zaak.get("uiterlijkeEinddatumAfdoening")
            extra = (date.fromisoformat(end) - date.fromisoformat(current)).days if current else 0
            days = _days(earlier) + max(extra, 0)
            patch["verlenging"] = {"reden": reden[:200] or "verdaagd", "duur": f"P{days}D"}
            patch["uiterlijkeEinddatumAfdoening"] = end
        elif actie == "start" and end:
            patch["uiterlijkeEinddatumAfdoening"] = end
    return patch


def _days(duur: str | None) -> int:
    """The days of an ISO 8601 duration as r2c sends it (``P56D``); 0 when there is none."""
    found = re.fullmatch(r"P(\d+)D", duur or "")
    return int(found.group(1)) if found else 0


def end_of(summaries: list[dict[str, Any]], name: str) -> str | None:
    """The end date a step gave the term ``name`` (started or moved), or None."""
    for line in summaries:
        if line.get("termijn") == name and line.get("einddatum"):
            return line["einddatum"]
    return None


def pick(items: list[dict[str, Any]], *names: str | None) -> dict[str, Any] | None:
    """The catalogue item whose ``omschrijving`` is one of ``names`` (case and spaces ignored; a name may be cut off
    where the Catalogi API cuts it: 30 characters for a resultaattype, 80 for the rest), or None."""
    wanted = {re.sub(r"[\s_]+", " ", cut).strip().lower() for n in names if n for cut in (n, n[:30], n[:80])}
    for item in items:
        if re.sub(r"[\s_]+", " ", str(item.get("omschrijving") or "")).strip().lower() in wanted:
            return item
    return None
