"""A gemeente's own name, addresses, signature and logo (``huisstijl/<gemeente>/gemeente.yaml``), with defaults.

    naam: Gemeente Gouda
    afzender: uitdaagrecht@gouda.nl        # From of every e-mail
    team: uitdaagrecht-team@gouda.nl       # behandelaars, when a challenge has no behandelaar with an address
    teamleider: teamleider-wijken@gouda.nl # escalations and the weekly digest
    ondertekening: |
      Het college van burgemeester en wethouders van Gouda
    logo: logo.png                         # next to gemeente.yaml
    privacy: https://www.gouda.nl/privacy  # the privacy statement: an https link, or a short text (B1)

Templates in ``huisstijl/<gemeente>/templates/`` replace r2c's own of the same name (r2c/notify/render.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from r2c.errors import R2CError


class _Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    naam: str | None = None
    afzender: str | None = None
    team: str | None = None
    teamleider: str | None = None
    ondertekening: str | None = None
    logo: str | None = None
    privacy: str | None = None


PRIVACY_MAX = 1000  # characters: a short statement on the form; a longer one belongs on the gemeente's website


@dataclass(frozen=True)
class Huisstijl:
    """What a gemeente says about itself in its messages.

    Attributes:
        gemeente: the gemeente id.
        naam: its name as written in letters ('Gemeente Gouda').
        afzender: the From address.
        team: the behandelaars' shared address (None: reminders go only to a behandelaar with an address).
        teamleider: where escalations and the weekly digest go.
        ondertekening: the signature under letters.
        logo: the logo file, if any.
        templates: the folder with the gemeente's own templates, if any.
        privacy: the privacy statement the resident forms show: an https link (``privacy_link``) or a short
            text; None when the gemeente gave none (the form then says so plainly, it invents no statement).
    """

    gemeente: str
    naam: str
    afzender: str
    team: str | None
    teamleider: str | None
    ondertekening: str
    logo: Path | None
    templates: Path | None
    privacy: str | None = None

    @property
    def privacy_link(self) -> bool:
        """Whether ``privacy`` is a link to the gemeente's statement (else it is the statement's text)."""
        return self.privacy is not None and self.privacy.startswith("https://")


def load_huisstijl(root: Path, gemeente: str, *, default_naam: str, default_afzender: str) -> Huisstijl:
    """The huisstijl of ``gemeente`` under ``root`` (defaults where the folder or a key is missing)."""
    return _load(Path(root).resolve(), gemeente, default_naam, default_afzender)


def reload_huisstijlen() -> None:
    """Forget the huisstijlen read so far (they are cached per folder): the next read takes the files as they are,
    as after a restart."""
    _load.cache_clear()


@lru_cache(maxsize=256)
def _load(root: Path, gemeente: str, default_naam: str, default_afzender: str) -> Huisstijl:
    folder = root / gemeente
    path = folder / "gemeente.yaml"
    profile = _Profile()
    if path.exists():
        try:
            profile = _Profile.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        except (yaml.YAMLError, ValidationError) as error:
            raise R2CError(f"{path}: huisstijl klopt niet: {error}") from None
    logo = folder / profile.logo if profile.logo else None
    if logo is not None and not logo.exists():
        raise R2CError(f"{path}: logo '{profile.logo}' bestaat niet in {folder}")
    templates = folder / "templates"
    return Huisstijl(gemeente, profile.naam or default_naam, profile.afzender or default_afzender, profile.team,
                     profile.teamleider, profile.ondertekening or f"{profile.naam or default_naam}",
                     logo, templates if templates.is_dir() else None, _privacy(path, profile.privacy))


def _privacy(path: Path, value: str | None) -> str | None:
    """The privacy statement as given, checked: an https link without spaces, or a text of at most PRIVACY_MAX."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.startswith(("http://", "https://", "www.")):
        if not value.startswith("https://") or any(c.isspace() for c in value):
            raise R2CError(f"{path}: privacy '{value}' is geen geldige link: gebruik een https://-adres zonder spaties")
        return value
    if len(value) > PRIVACY_MAX:
        raise R2CError(f"{path}: privacy is {len(value)} tekens lang, ten hoogste {PRIVACY_MAX}: "
                       "zet een lange verklaring op de website van de gemeente en geef hier de link")
    return value
