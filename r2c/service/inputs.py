"""Checking what callers hand the service."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from typing import Any

from r2c.service.views import Initiatiefnemer

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_text(name: str, value: Any, longest: int, *, required: bool = False) -> dict[str, str]:
    """{name: what is wrong} for a text that is missing (when required), not text, holds a NUL, or is too long."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {name: "verplicht, maar leeg"} if required else {}
    if not isinstance(value, str):
        return {name: "moet tekst zijn"}
    if "\x00" in value:
        return {name: "bevat een ongeldig teken (NUL, \\x00)"}
    if len(value) > longest:
        return {name: f"te lang: {len(value)} tekens, hoogstens {longest}"}
    return {}


def check_party(party: Initiatiefnemer) -> dict[str, str]:
    """{field: what is wrong} for the initiatiefnemer's name and contact details."""
    if not isinstance(party, Initiatiefnemer):
        return {"initiatiefnemer": "geef naam en contactgegevens van de initiatiefnemer"}
    problems = check_text("initiatiefnemer.naam", party.naam, 200, required=True)
    for name, longest in (("email", 254), ("telefoon", 40), ("organisatie", 200), ("adres", 400)):
        problems |= check_text(f"initiatiefnemer.{name}", getattr(party, name), longest)
    if party.email and "initiatiefnemer.email" not in problems and not _EMAIL.match(party.email.strip()):
        problems["initiatiefnemer.email"] = f"'{party.email}' is geen e-mailadres"
    return problems


def party_values(party: Initiatiefnemer) -> dict[str, Any]:
    """The personal data columns, stripped."""
    return {f.name: (v.strip() if isinstance(v := getattr(party, f.name), str) else v) for f in fields(party)}


def jsonable(value: Any) -> Any:
    """``value`` as it comes back from a JSON column (dates and amounts as text), so its hash is stable."""
    return json.loads(json.dumps(value, default=str))
