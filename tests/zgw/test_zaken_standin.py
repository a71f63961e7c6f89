"""The stand-in refuses what Open Zaak refuses (docs/zgw.md, "De stand-in"), so the channel's tests mean something."""

from __future__ import annotations

import time

import httpx
import pytest

from r2c.clock import FixedClock
from r2c.zgw.client import ZgwClient, ZgwError, token
from r2c.zgw.config import ZgwGemeente
from tests.zgw.conftest import CLIENT_ID, SECRET


@pytest.fixture
def api(standin):
    base = standin.base
    gemeente = ZgwGemeente(zaken=f"{base}/zaken/api/v1", catalogi=f"{base}/catalogi/api/v1",
                           documenten=f"{base}/documenten/api/v1", besluiten=f"{base}/besluiten/api/v1",
                           catalogus=standin.catalogus, rsin="002220647", client_id=CLIENT_ID, secret=SECRET)
    client = ZgwClient(gemeente)
    yield client
    client.close()


def zaak_body(zaaktype: str, identificatie: str = "UD-2026-0001") -> dict:
    return {"identificatie": identificatie, "bronorganisatie": "002220647", "verantwoordelijkeOrganisatie": "002220647",
            "zaaktype": zaaktype, "startdatum": "2026-01-12"}


def refused(call) -> ZgwError:
    with pytest.raises(ZgwError) as caught:
        call()
    assert caught.value.temporary is False
    return caught.value


def test_the_token_is_checked(standin, api) -> None:
    url = f"{api.gemeente.zaken}/zaken"
    assert httpx.get(url).status_code == 403
    old = token(CLIENT_ID, SECRET, now=int(time.time()) - 3700)
    assert httpx.get(url, headers={"Authorization": f"Bearer {old}"}).status_code == 403
    wrong = token(CLIENT_ID, "een-ander-geheim-van-genoeg-lengte", now=int(time.time()))
    assert httpx.get(url, headers={"Authorization": f"Bearer {wrong}"}).status_code == 403
    other = token("iemand-anders", SECRET, now=int(time.time()))
    assert httpx.get(url, headers={"Authorization": f"Bearer {other}"}).status_code == 403
    assert api.get(url)["count"] == 0


def test_a_zaak_needs_content_crs_a_published_zaaktype_and_a_new_identificatie(standin, api) -> None:
    url = f"{api.gemeente.zaken}/zaken"
    headers = {k: v for k, v in api.headers().items() if k != "Content-Crs"}
    assert httpx.post(url, json=zaak_body(standin.zaaktype), headers=headers).status_code == 412
    error = refused(lambda: api.post(url, zaak_body(standin.concept_zaaktype)))
    assert error.status == 400 and "zaaktype: Het ZaakType is nog niet gepubliceerd" in str(error)
    api.post(url, zaak_body(standin.zaaktype))
    again = refused(lambda: api.post(url, zaak_body(standin.zaaktype)))
    assert "identificatie: Deze identificatie bestaat al" in str(again)
    assert standin.created["zaken"] == 1


def test_a_request_the_spec_refuses_is_refused(standin, api) -> None:
    error = refused(lambda: api.post(f"{api.gemeente.zaken}/zaken", {"bronorganisatie": "002220647"}))
    assert error.status == 400 and standin.violations and "zaken-API" in standin.violations[0]


def test_closing_needs_a_resultaat_first_and_documents_with_indicatie_gebruiksrecht(standin, api) -> None:
    g = api.gemeente
    zaak = api.post(f"{g.zaken}/zaken", zaak_body(standin.zaaktype))
    iot = standin.items("informatieobjecttypen")[0]["url"]
    eio = api.post(f"{g.documenten}/enkelvoudiginformatieobjecten", {
        "bronorganisatie": "002220647", "creatiedatum": "2026-01-12", "titel": "Plan", "auteur": "r2c", "taal": "dut",
        "informatieobjecttype": iot, "inhoud": "JVBERi0=", "bestandsnaam": "plan.pdf", "formaat": "application/pdf"})
    api.post(f"{g.zaken}/zaakinformatieobjecten", {"zaak": zaak["url"], "informatieobject": eio["url"]})
    eind = standin.items("statustypen", isEindstatus=True)[0]["url"]
    status = {"zaak": zaak["url"], "statustype": eind, "datumStatusGezet": "2026-03-02T09:00:00+00:00"}
    early = refused(lambda: api.post(f"{g.zaken}/statussen", status))
    assert "resultaat: De zaak heeft nog geen resultaat" in str(early)
    api.post(f"{g.zaken}/resultaten", {"zaak": zaak["url"], "resultaattype": standin.items("resultaattypen")[0]["url"]})
    assert "indicatieGebruiksrecht" in str(refused(lambda: api.post(f"{g.zaken}/statussen", status)))
    api.patch(eio["url"], {"indicatieGebruiksrecht": False})
    api.post(f"{g.zaken}/statussen", status)
    assert standin.items("zaken")[0]["einddatum"] == "2026-03-02"
    assert standin.violations == []


@pytest.mark.parametrize("kind, status", [("500", 500), ("429", 429), ("down", None)])
def test_the_fault_switch_answers_n_calls_then_recovers(standin, api, kind, status) -> None:
    standin.fail(kind, 2)
    url = f"{api.gemeente.zaken}/zaken"
    for _ in range(2):
        with pytest.raises(ZgwError) as caught:
            api.get(url)
        assert caught.value.temporary is True and caught.value.status == status
    assert api.get(url)["count"] == 0
