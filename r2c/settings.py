"""Settings from the environment (prefix ``R2C_``), for the adapters; the core takes its inputs as arguments."""

from __future__ import annotations

import ipaddress
import string
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

from r2c.errors import ConfigError


KENMERK_FORMAAT = "UD-{jaar}-{nummer:04d}"
"""The default kenmerk: UD-2026-0042 (uitdaging, year, number within the gemeente and year)."""
_KENMERK_VELDEN = ("jaar", "nummer", "gemeente")


def check_kenmerk_formaat(formaat: str) -> None:
    """ValueError (in Dutch) unless ``formaat`` is a format string with only {jaar}, {nummer} and {gemeente}, and
    with {jaar} and {nummer}: without both, two challenges of one gemeente could get the same kenmerk."""
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(formaat) if name is not None]
    except ValueError as error:
        raise ValueError(f"geen geldig formaat ({error})") from None
    unknown = [name for name in fields if name not in _KENMERK_VELDEN]
    if unknown:
        raise ValueError(f"ongeldig: onbekend veld {{{unknown[0]}}}; "
                         "gebruik alleen {jaar}, {nummer} en {gemeente}")
    missing = [name for name in ("jaar", "nummer") if name not in fields]
    if missing:
        raise ValueError(f"ongeldig: {{{missing[0]}}} ontbreekt; "
                         "zonder {jaar} en {nummer} is een kenmerk niet uniek")
    try:
        formaat.format(jaar=2026, nummer=42, gemeente="gemeente")
    except (ValueError, TypeError) as error:
        raise ValueError(f"geen geldig formaat ({error})") from None
    if len(formaat.format(jaar=2026, nummer=999_999, gemeente="g" * 64)) > 120:
        raise ValueError("te lang: een kenmerk heeft hoogstens 120 tekens")


class Settings(BaseSettings):
    """Where r2c keeps its data.

    Attributes:
        database_url: SQLAlchemy URL; SQLite ``./r2c.db`` by default, ``postgresql+psycopg://...`` at scale.
        database_pool: the database connections a process keeps open: about as many as requests it answers at
            once (r2c.store.db; up to 10 more at a peak).
        documenten: the directory that holds uploaded documents (the database keeps metadata and checksums).
        huisstijl: the directory with one folder per gemeente: gemeente.yaml (name, addresses, signature, logo)
            and templates that replace r2c's own.
        kanalen: the channels messages go out on (entry points 'r2c.channels'): log, email, webhook, ...
        smtp_host, smtp_port, smtp_tls, smtp_gebruiker, smtp_wachtwoord: the mail server.
        afzender: the From address when the gemeente sets none.
        webhook_urls: where webhooks go (JSON list in the environment); webhook_geheim: the HMAC key.
        bron: the CloudEvents 'source' of r2c's events (NL GOV profile: a URN).
        planner_interval: seconds between two ticks of the scheduler.
        max_pogingen: attempts before a message is given up (status 'mislukt').
        publieke_url: where residents reach r2c (status links are made with it).
        publieke_limiet: rate limit per client address for anonymous calls and status pages ('60/minute').
        inzend_limiet: rate limit per client address for anonymous submissions ('10/hour').
        cors_origins: web origins that may call the API from a browser (JSON list); none by default.
        log_format: ``tekst`` (one readable line per record) or ``json`` (one JSON object per line), r2c.logs.
        metrics_adressen: the client addresses (IP addresses and CIDR ranges, JSON list) that may read ``/metrics``.
        metrics_sleutel: a bearer token that opens ``/metrics`` from any address; none by default.
        audit_sleutel: the secret that keys the history's hash chain (HMAC-SHA256); none: the plain chain.
        audit_sleutelbestand: a file with one secret per line, the last one current, the others kept to verify
            rows hashed before a rotation; instead of audit_sleutel (r2c.store.audit_keys).
        audit_anker: the append-only file the planner writes the heads of every chain to (r2c.store.anchor).
        login_pogingen: wrong passwords in a row before a local account is locked.
        login_blokkade: minutes a locked account stays locked.
        sessie_inactief: minutes without a request after which a login session has expired.
        sessie_maximaal: minutes after the login at which a session has expired, however busy.
        oidc_issuer: the OpenID Connect provider (its discovery document is under /.well-known); none: only local
            accounts.
        oidc_client_id, oidc_client_secret: r2c's client at that provider.
        oidc_naam: the provider's name on the login page ('Inloggen met <naam>').
        oidc_scopes: the scopes asked for (space separated, with openid).
        oidc_claim_gemeente, oidc_claim_rollen: the id token's claims that carry the gemeente and the roles.
        zgw_config: the TOML file with each gemeente's ZGW APIs and credentials (r2c.zgw.config, docs/zgw.md);
            none: no zaaksysteem link.
        kenmerk_formaat: how a kenmerk reads (a Python format string with {jaar}, {nummer} and optionally
            {gemeente}); one format for every gemeente, the numbers count per gemeente and year (r2c.store.kenmerk).
    """

    model_config = SettingsConfigDict(env_prefix="R2C_", extra="ignore")

    database_url: str = "sqlite:///./r2c.db"
    database_pool: int = Field(20, ge=1, le=500)
    documenten: Path = Path("./documenten")
    huisstijl: Path = Path("./huisstijl")
    kanalen: list[str] = ["log"]
    smtp_host: str = "localhost"
    smtp_port: int = Field(25, ge=1, le=65535)
    smtp_tls: Literal["geen", "starttls", "ssl"] = "geen"
    smtp_gebruiker: str | None = None
    smtp_wachtwoord: str | None = None
    afzender: str = "uitdaagrecht@gemeente.invalid"
    webhook_urls: list[str] = []
    webhook_geheim: str = ""
    bron: str = "urn:nld:r2c"
    planner_interval: int = Field(60, gt=0)
    max_pogingen: int = Field(10, gt=0)
    publieke_url: str = "http://127.0.0.1:8000"
    publieke_limiet: str = "60/minute"
    inzend_limiet: str = "10/hour"
    cors_origins: list[str] = []
    log_format: Literal["tekst", "json"] = "tekst"
    metrics_adressen: list[str] = ["127.0.0.1", "::1"]
    metrics_sleutel: str | None = None
    audit_sleutel: str | None = Field(None, repr=False)
    audit_sleutelbestand: Path | None = None
    audit_anker: Path | None = None
    kenmerk_formaat: str = KENMERK_FORMAAT
    login_pogingen: int = Field(5, gt=0)
    login_blokkade: int = Field(15, gt=0)
    sessie_inactief: int = Field(30, gt=0)
    sessie_maximaal: int = Field(600, gt=0)
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = Field(None, repr=False)
    oidc_naam: str = "de organisatie"
    oidc_scopes: str = "openid email profile"
    oidc_claim_gemeente: str = "gemeente"
    oidc_claim_rollen: str = "rollen"
    signaal_werkdagen: str = "10,3"
    zgw_config: Path | None = None

    @field_validator("signaal_werkdagen")
    @classmethod
    def _signaal(cls, value: str) -> str:
        signal_thresholds(value, "")
        return value

    @field_validator("metrics_adressen")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for address in value:
            try:
                ipaddress.ip_network(address, strict=False)
            except ValueError:
                raise ValueError(f"onbruikbaar: '{address}' is geen IP-adres of CIDR-reeks") from None
        return value

    @field_validator("kenmerk_formaat")
    @classmethod
    def _kenmerk(cls, value: str) -> str:
        check_kenmerk_formaat(value)
        return value


EXAMPLES: dict[str, str] = {
    "database_url": "sqlite:///./r2c.db of postgresql+psycopg://gebruiker@host/database",
    "kanalen": '\'["log", "email"]\'',
    "webhook_urls": '\'["https://zaaksysteem.example/hook"]\'',
    "cors_origins": '\'["https://werkplek.gemeente.example"]\'',
    "planner_interval": "60 (seconden)",
    "database_pool": "20",
    "max_pogingen": "10",
    "smtp_port": "25 of 587",
    "publieke_limiet": "60/minute",
    "inzend_limiet": "10/hour",
    "log_format": "json",
    "metrics_adressen": '\'["127.0.0.1", "::1", "10.0.0.0/8"]\'',
    "metrics_sleutel": "$(openssl rand -hex 32)",
    "audit_sleutelbestand": "/etc/r2c/audit-sleutels (een geheim per regel, het laatste is het huidige)",
    "audit_anker": "/var/log/r2c/anker.jsonl",
    "kenmerk_formaat": "'UD-{jaar}-{nummer:04d}' of '{gemeente}/{jaar}/{nummer}'",
    "login_pogingen": "5",
    "login_blokkade": "15 (minuten)",
    "sessie_inactief": "30 (minuten)",
    "sessie_maximaal": "600 (minuten)",
    "oidc_issuer": "https://login.gemeente.example/realms/r2c",
    "oidc_client_id": "r2c",
    "oidc_naam": "'Gemeente Gouda'",
    "oidc_scopes": "'openid email profile'",
    "oidc_claim_gemeente": "gemeente",
    "oidc_claim_rollen": "rollen of groups",
    "signaal_werkdagen": "'10,3' of '10,3;gouda=8,2' (oranje en rood bij zoveel werkdagen over)",
}
"""A good value per setting, for the message about a wrong one."""

_SECRET = ("wachtwoord", "geheim", "sleutel")
_KIND = {"int_parsing": "geen geheel getal", "int_from_float": "geen geheel getal",
         "bool_parsing": "geen true of false", "greater_than": "te klein", "greater_than_equal": "te klein", "less_than_equal": "te groot",
         "json_invalid": "geen geldige JSON", "list_type": "geen lijst", "path_type": "geen pad"}


def signal_thresholds(text: str, gemeente: str) -> tuple[int, int]:
    """The werkvoorraad's deadline light for ``gemeente`` from R2C_SIGNAAL_WERKDAGEN: (oranje, rood) in werkdagen
    left; '10,3' for all, '10,3;gouda=8,2' with a gemeente's own (ValueError in Dutch when unreadable)."""
    chosen: tuple[int, int] | None = None
    for part in (p.strip() for p in text.split(";") if p.strip()):
        name, _, numbers = part.rpartition("=")
        try:
            oranje, rood = (int(n) for n in numbers.split(","))
        except ValueError:
            raise ValueError(f"'{part}' is geen 'oranje,rood' (twee gehele getallen, bv. 10,3)") from None
        if not 0 <= rood <= oranje:
            raise ValueError(f"'{part}': rood (nu {rood}) moet tussen 0 en oranje (nu {oranje}) liggen")
        if name.strip() == gemeente or (not name.strip() and chosen is None):
            chosen = (oranje, rood)
    return chosen or (10, 3)


def load_settings(**values: Any) -> Settings:
    """The settings from the environment (and ``values``); a wrong ``R2C_*`` value is a ConfigError in one Dutch
    line that names the variable, what is wrong and a good value, never pydantic's report."""
    try:
        settings = Settings(**values)
    except ValidationError as error:
        raise ConfigError("; ".join(_explain(e) for e in error.errors())) from None
    except SettingsError as error:  # a list setting that is not JSON
        name = str(error).split('"')[1] if '"' in str(error) else "?"
        raise ConfigError(f"{_variable(name)} is geen JSON-lijst; schrijf bv. {_variable(name)}="
                          f"{EXAMPLES.get(name, '[...]')}") from None
    check_folders(settings)
    return settings


def check_folders(settings: Settings) -> None:
    """A huisstijl or documents folder that was set (not left at its default) must be usable; the anchor file's
    folder must exist."""
    if "huisstijl" in settings.model_fields_set and not settings.huisstijl.is_dir():
        raise ConfigError(f"R2C_HUISSTIJL: de map {settings.huisstijl} bestaat niet; maak haar aan (met per gemeente "
                          "een map met gemeente.yaml) of laat R2C_HUISSTIJL weg")
    documenten = settings.documenten
    if "documenten" in settings.model_fields_set and not documenten.is_dir():
        if documenten.exists():
            raise ConfigError(f"R2C_DOCUMENTEN: {documenten} is een bestand, geen map; kies een map voor de documenten")
        if not documenten.parent.is_dir():
            raise ConfigError(f"R2C_DOCUMENTEN: de map {documenten} bestaat niet en {documenten.parent} ook niet; "
                              "maak de map aan of kies een andere")
    anker = settings.audit_anker
    if anker is not None and not anker.parent.is_dir():
        raise ConfigError(f"R2C_AUDIT_ANKER: de map {anker.parent} bestaat niet; maak haar aan (buiten het bereik van "
                          "wie de database beheert) of kies een ander bestand")


def _variable(field: str) -> str:
    return f"R2C_{field.upper()}"


def _explain(error: Any) -> str:
    field = str(error["loc"][0]) if error.get("loc") else "?"
    shown = "" if any(word in field for word in _SECRET) else f"={error.get('input')!s}"
    kind = error["type"]
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", ", ")
        return f"{_variable(field)}{shown} kan niet; kies uit {expected}"
    limit = {k: v for k, v in (error.get("ctx") or {}).items() if k in ("gt", "ge", "le")}
    what = (str(error["ctx"]["error"]) if kind == "value_error" and error.get("ctx") else
            _KIND.get(kind, f"klopt niet ({kind})"))
    if limit:
        bound = {"gt": "groter dan", "ge": "minstens", "le": "hoogstens"}
        what += " (" + ", ".join(f"moet {bound[k]} {v} zijn" for k, v in limit.items()) + ")"
    example = f"; bv. {_variable(field)}={EXAMPLES[field]}" if field in EXAMPLES else ""
    return f"{_variable(field)}{shown} is {what}{example}"
