"""Per gemeente: where its ZGW APIs are and how r2c logs in (``R2C_ZGW_CONFIG``, a TOML file).

    [gemeente.gouda]
    zaken = "https://zaken.gouda.example/zaken/api/v1"
    catalogi = "https://zaken.gouda.example/catalogi/api/v1"
    documenten = "https://zaken.gouda.example/documenten/api/v1"
    besluiten = "https://zaken.gouda.example/besluiten/api/v1"
    catalogus = "https://zaken.gouda.example/catalogi/api/v1/catalogussen/<uuid>"
    rsin = "002220647"
    client_id = "r2c"
    secret_env = "R2C_ZGW_GOUDA_SECRET"     # or: secret = "..." (keep the file private then)

    [gemeente.gouda.resultaten.toegekend]   # per closing result of the workflow: the archivist's choice
    resultaattypeomschrijving = "https://selectielijst.openzaak.nl/api/v1/resultaattypeomschrijvingen/<uuid>"
    selectielijstklasse = "https://selectielijst.openzaak.nl/api/v1/resultaten/<uuid>"

A mistake is a ConfigError in one Dutch line that names the file, the key and what is allowed.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from r2c.errors import ConfigError

VARIABLE = "R2C_ZGW_CONFIG"


class Resultaat(BaseModel):
    """The Selectielijst choices for one closing result (URLs of the national Selectielijst API)."""

    model_config = ConfigDict(extra="forbid")

    resultaattypeomschrijving: str = Field(pattern=r"^https?://")
    selectielijstklasse: str = Field(pattern=r"^https?://")


class ZgwGemeente(BaseModel):
    """One gemeente's ZGW APIs, credentials and archive choices."""

    model_config = ConfigDict(extra="forbid")

    zaken: str = Field(pattern=r"^https?://")
    catalogi: str = Field(pattern=r"^https?://")
    documenten: str = Field(pattern=r"^https?://")
    besluiten: str = Field(pattern=r"^https?://")
    catalogus: str = Field(pattern=r"^https?://")
    rsin: str = Field(pattern=r"^[0-9]{9}$")
    client_id: str = Field(min_length=1)
    secret: str | None = Field(None, repr=False)
    secret_env: str | None = None
    resultaten: dict[str, Resultaat] = {}

    def client_secret(self) -> str:
        """The JWT secret: ``secret``, or the environment variable ``secret_env`` names."""
        if self.secret:
            return self.secret
        value = os.environ.get(self.secret_env or "", "")
        if not value:
            raise ConfigError(f"{VARIABLE}: de omgevingsvariabele {self.secret_env} (secret_env) is leeg; zet het "
                              "geheim van de ZGW-client daarin")
        return value


def load_zgw_config(path: Path | None) -> dict[str, ZgwGemeente]:
    """The ZGW configuration per gemeente from ``path``; none configured (``path`` None): an empty dict."""
    if path is None:
        return {}
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{VARIABLE}: het bestand {path} bestaat niet; maak het aan (zie docs/zgw.md) of laat "
                          f"{VARIABLE} weg") from None
    except IsADirectoryError:
        raise ConfigError(f"{VARIABLE}: {path} is een map; geef het TOML-bestand (zie docs/zgw.md) of laat {VARIABLE} "
                          "weg") from None
    except OSError as error:
        raise ConfigError(f"{VARIABLE}: {path} is niet te lezen ({error.strerror or type(error).__name__})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{VARIABLE}: {path} is geen geldige TOML: {error}") from None
    unknown = sorted(set(raw) - {"gemeente"})
    if unknown:
        raise ConfigError(f"{VARIABLE}: {path}: onbekende sectie {', '.join(unknown)}; alleen [gemeente.<naam>]")
    found: dict[str, ZgwGemeente] = {}
    for name, values in (raw.get("gemeente") or {}).items():
        found[name] = _gemeente(path, name, values)
    return found


def _gemeente(path: Path, name: str, values: Any) -> ZgwGemeente:
    try:
        gemeente = ZgwGemeente.model_validate(values)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        what = {"missing": "ontbreekt", "extra_forbidden": "is geen bekende sleutel",
                "string_pattern_mismatch": _pattern_hint(where)}.get(first["type"], first["msg"])
        raise ConfigError(f"{VARIABLE}: {path}: gemeente.{name}.{where} {what}") from None
    if not gemeente.secret and not gemeente.secret_env:
        raise ConfigError(f"{VARIABLE}: {path}: gemeente.{name} heeft geen secret of secret_env; geef het geheim "
                          "van de ZGW-client (bij voorkeur secret_env met de naam van een omgevingsvariabele)")
    return gemeente


def _pattern_hint(where: str) -> str:
    if where == "rsin":
        return "moet 9 cijfers zijn (het RSIN van de gemeente)"
    return "moet een URL zijn (https://...)"
