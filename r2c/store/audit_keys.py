"""The audit keys from the settings: ``R2C_AUDIT_SLEUTEL`` (one secret) or ``R2C_AUDIT_SLEUTELBESTAND`` (a file).

The file holds one secret per line; empty lines and lines starting with ``#`` are skipped. The last secret is the
current key (new history rows are hashed with it); the lines above it are older keys, kept so that rows hashed
with them still verify. A key's id is derived from its secret (``r2c.store.audit.key_id``), so an id can never
point at the wrong secret. Every message names the setting or the line, never a secret.
"""

from __future__ import annotations

from r2c.errors import ConfigError
from r2c.settings import Settings
from r2c.store.audit import NO_KEYS, Keyring

MIN_LENGTH = 32
"""The shortest secret r2c accepts (characters): an HMAC key is only as strong as it is hard to guess."""

MAKE_ONE = "maak er een met: python -c 'import secrets; print(secrets.token_hex(32))'"


def load_keyring(settings: Settings) -> Keyring:
    """The keyring of the settings; the keyless one when neither is set; a ConfigError when a key is unusable."""
    if settings.audit_sleutel is not None and settings.audit_sleutelbestand is not None:
        raise ConfigError("R2C_AUDIT_SLEUTEL en R2C_AUDIT_SLEUTELBESTAND zijn allebei gezet; kies er een (met het "
                          "bestand kunt u ook oude sleutels bewaren)")
    if settings.audit_sleutel is not None:
        secret = settings.audit_sleutel.strip()
        if len(secret) < MIN_LENGTH:
            raise ConfigError(f"R2C_AUDIT_SLEUTEL is te kort: minstens {MIN_LENGTH} tekens; {MAKE_ONE}")
        return Keyring.of([secret])
    path = settings.audit_sleutelbestand
    if path is None:
        return NO_KEYS
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"R2C_AUDIT_SLEUTELBESTAND: het bestand {path} bestaat niet") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"R2C_AUDIT_SLEUTELBESTAND: het bestand {path} is niet te lezen "
                          f"({type(error).__name__})") from None
    secrets: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if len(line) < MIN_LENGTH:
            raise ConfigError(f"R2C_AUDIT_SLEUTELBESTAND: de sleutel op regel {number} van {path} is te kort: "
                              f"minstens {MIN_LENGTH} tekens; {MAKE_ONE}")
        secrets.append(line)
    if not secrets:
        raise ConfigError(f"R2C_AUDIT_SLEUTELBESTAND: het bestand {path} bevat geen sleutel; zet er een per regel "
                          f"in, de laatste is de huidige; {MAKE_ONE}")
    return Keyring.of(secrets)
