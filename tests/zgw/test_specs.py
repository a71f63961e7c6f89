"""The validator the ZGW tests lean on refuses what the official documents refuse, and lets a valid request pass."""

from __future__ import annotations

import pytest

from tests.zgw.specs import SpecViolation, check_request

AUTH = {"Authorization": "Bearer x"}
ZAAKTYPE = "http://localhost/catalogi/api/v1/zaaktypen/3fa85f64-5717-4562-b3fc-2c963f66afa6"


def test_a_valid_statustype_passes_and_a_statustype_without_volgnummer_names_the_field() -> None:
    check_request("catalogi", "POST", "/catalogi/api/v1/statustypen",
                  {"omschrijving": "Ingediend", "volgnummer": 1, "zaaktype": ZAAKTYPE}, AUTH)
    with pytest.raises(SpecViolation, match="'volgnummer' is a required property"):
        check_request("catalogi", "POST", "/catalogi/api/v1/statustypen",
                      {"omschrijving": "Ingediend", "zaaktype": ZAAKTYPE}, AUTH)


def test_a_zaak_without_content_crs_is_refused() -> None:
    with pytest.raises(SpecViolation, match="Content-Crs"):
        check_request("zaken", "POST", "/zaken/api/v1/zaken", {"bronorganisatie": "002220647"}, AUTH)


def test_the_documents_with_a_remote_reference_load_without_network() -> None:
    check_request("documenten", "GET", "/documenten/api/v1/enkelvoudiginformatieobjecten", None, AUTH)
