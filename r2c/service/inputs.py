"""Checking what callers hand the service."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import fields
from typing import Any

from r2c.service.views import Initiatiefnemer

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


CONTROL_NAMES = {"\x00": "NUL, \\x00", "\r": "regelovergang, \\r", "\n": "nieuwe regel, \\n", "\t": "tab, \\t",
                 "\u2028": "regelscheiding, U+2028", "\u2029": "alineascheiding, U+2029"}
"""How the message names the control characters people meet most; others by their code point."""

MULTILINE_ALLOWED = frozenset("\n\r\t")


def _bad_character(value: str, *, one_line: bool) -> tuple[int, str] | None:
    """The first character that a text may not hold (position from 1, its name): any control character (Unicode
    category Cc) or line/paragraph separator; in a text of several lines, newline, carriage return and tab are
    allowed."""
    for position, char in enumerate(value, start=1):
        if not one_line and char in MULTILINE_ALLOWED:
            continue
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            return position, CONTROL_NAMES.get(char, f"stuurteken U+{ord(char):04X}")
    return None


def check_text(name: str, value: Any, longest: int, *, required: bool = False, one_line: bool = False
               ) -> dict[str, str]:
    """{name: what is wrong} for a text that is missing (when required), not text, holds a control character
    (in a ``one_line`` text also a line break or tab: it would break a mail's subject line or a letter's
    heading), or is too long."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {name: "verplicht, maar leeg"} if required else {}
    if not isinstance(value, str):
        return {name: "moet tekst zijn"}
    bad = _bad_character(value, one_line=one_line)
    if bad is not None:
        position, char_name = bad
        where = "; schrijf het op één regel" if one_line and char_name in (CONTROL_NAMES["\r"], CONTROL_NAMES["\n"]) else ""
        return {name: f"bevat een teken dat hier niet mag ({char_name}) op positie {position}{where}"}
    if len(value) > longest:
        return {name: f"te lang: {len(value)} tekens, hoogstens {longest}"}
    return {}


def check_party(party: Initiatiefnemer) -> dict[str, str]:
    """{field: what is wrong} for the initiatiefnemer's name and contact details."""
    if not isinstance(party, Initiatiefnemer):
        return {"initiatiefnemer": "geef naam en contactgegevens van de initiatiefnemer"}
    problems = check_text("initiatiefnemer.naam", party.naam, 200, required=True, one_line=True)
    for name, longest, one_line in (("email", 254, True), ("telefoon", 40, True), ("organisatie", 200, True),
                                    ("adres", 400, False)):
        problems |= check_text(f"initiatiefnemer.{name}", getattr(party, name), longest, one_line=one_line)
    if party.email and "initiatiefnemer.email" not in problems and not _EMAIL.match(party.email.strip()):
        problems["initiatiefnemer.email"] = f"'{party.email}' is geen e-mailadres"
    return problems


def party_values(party: Initiatiefnemer) -> dict[str, Any]:
    """The personal data columns, stripped."""
    return {f.name: (v.strip() if isinstance(v := getattr(party, f.name), str) else v) for f in fields(party)}


def jsonable(value: Any) -> Any:
    """``value`` as it comes back from a JSON column (dates and amounts as text), so its hash is stable."""
    return json.loads(json.dumps(value, default=str))
