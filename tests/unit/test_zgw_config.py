"""R2C_ZGW_CONFIG: each gemeente's ZGW APIs read from TOML; every mistake named by file, key and what is allowed."""

from __future__ import annotations

import pytest

from r2c.errors import ConfigError
from r2c.zgw.config import load_zgw_config

GOOD = """
[gemeente.gouda]
zaken = "http://127.0.0.1:9/zaken/api/v1"
catalogi = "http://127.0.0.1:9/catalogi/api/v1"
documenten = "http://127.0.0.1:9/documenten/api/v1"
besluiten = "http://127.0.0.1:9/besluiten/api/v1"
catalogus = "http://127.0.0.1:9/catalogi/api/v1/catalogussen/1"
rsin = "002220647"
client_id = "r2c"
secret_env = "R2C_TEST_ZGW_SECRET"

[gemeente.gouda.resultaten.toegekend]
resultaattypeomschrijving = "https://selectielijst.openzaak.nl/api/v1/resultaattypeomschrijvingen/1"
selectielijstklasse = "https://selectielijst.openzaak.nl/api/v1/resultaten/1"
"""


def test_a_gemeente_reads_with_its_secret_from_the_environment(tmp_path, monkeypatch) -> None:
    path = tmp_path / "zgw.toml"
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("R2C_TEST_ZGW_SECRET", "geheim")
    gouda = load_zgw_config(path)["gouda"]
    assert gouda.rsin == "002220647" and gouda.client_secret() == "geheim"
    assert gouda.resultaten["toegekend"].selectielijstklasse.endswith("/resultaten/1")
    assert "geheim" not in repr(gouda)


def test_no_file_configured_means_no_link() -> None:
    assert load_zgw_config(None) == {}


@pytest.mark.parametrize(("change", "message"), [
    (('rsin = "002220647"', 'rsin = "12"'), "gemeente.gouda.rsin moet 9 cijfers zijn"),
    (('zaken = "http://127.0.0.1:9/zaken/api/v1"', 'zaken = "ftp://x"'), "gemeente.gouda.zaken moet een URL zijn"),
    (('client_id = "r2c"', 'client_id = "r2c"\nclientid = "x"'), "gemeente.gouda.clientid is geen bekende sleutel"),
    (('catalogus = "http://127.0.0.1:9/catalogi/api/v1/catalogussen/1"', ''), "gemeente.gouda.catalogus ontbreekt"),
    (('secret_env = "R2C_TEST_ZGW_SECRET"', ''), "gemeente.gouda heeft geen secret of secret_env"),
    (('[gemeente.gouda]', '[gemeente.gouda'), "is geen geldige TOML"),
])
def test_a_mistake_names_the_file_and_the_key(tmp_path, change, message) -> None:
    path = tmp_path / "zgw.toml"
    path.write_text(GOOD.replace(*change), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_zgw_config(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_a_missing_file_says_what_to_do(tmp_path) -> None:
    with pytest.raises(ConfigError, match="bestaat niet; maak het aan"):
        load_zgw_config(tmp_path / "geen.toml")


def test_an_empty_secret_variable_is_named(tmp_path, monkeypatch) -> None:
    path = tmp_path / "zgw.toml"
    path.write_text(GOOD, encoding="utf-8")
    monkeypatch.delenv("R2C_TEST_ZGW_SECRET", raising=False)
    with pytest.raises(ConfigError, match="R2C_TEST_ZGW_SECRET"):
        load_zgw_config(path)["gouda"].client_secret()
