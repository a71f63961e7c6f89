"""Event data: check it against what the definition asks (``gegevens``) and merge it into the case facts."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from r2c.definitions.schema import Definition, Gegeven
from r2c.definitions.voorwaarden import OORDELEN
from r2c.errors import InvalidEventData
from r2c.termijnen import Duur, parse_duur


def check_data(definition: Definition, fields: Mapping[str, Gegeven], required: set[str],
               data: Mapping[str, Any]) -> dict[str, str]:
    """Field -> what is wrong with it (Dutch), for every field that is wrong; empty when all is well."""
    if not isinstance(data, Mapping):
        return {"gegevens": f"moeten velden met hun waarde zijn (bv. {{\"vereisten\": [...]}}), "
                            f"geen {_KIND_NAMES.get(type(data), 'losse waarde')}"}
    problems: dict[str, str] = {}
    for name in sorted(required - set(data)):
        problems[name] = "verplicht, maar niet meegegeven"
    for name, value in data.items():
        spec = fields.get(name)
        if spec is None:
            known = ", ".join(sorted(fields)) or "geen"
            problems[name] = f"onbekend gegeven bij deze stap (verwacht: {known})"
            continue
        problem = _check_value(definition, spec, value) or _nul_in(value)
        if problem:
            problems[name] = problem
    return problems


_KIND_NAMES = {list: "lijst", tuple: "lijst", str: "tekst", int: "getal", float: "getal", bool: "ja/nee"}


def _nul_in(value: Any) -> str | None:
    """A NUL character anywhere in the value: no database stores it and no person means it."""
    if isinstance(value, str):
        return "bevat een ongeldig teken (NUL, \\x00)" if "\x00" in value else None
    if isinstance(value, Mapping):
        return next((p for v in (*value.keys(), *value.values()) if (p := _nul_in(v))), None)
    if isinstance(value, (list, tuple)):
        return next((p for v in value if (p := _nul_in(v))), None)
    return None


def _check_value(definition: Definition, spec: Gegeven, value: Any) -> str | None:
    kind = spec.type
    if kind == "tekst":
        if not isinstance(value, str):
            return "moet tekst zijn"
        if len(value) > spec.max_lengte:
            return f"te lang: {len(value)} tekens, hoogstens {spec.max_lengte}"
    elif kind == "ja_nee":
        if not isinstance(value, bool):
            return "moet ja (true) of nee (false) zijn"
    elif kind == "datum":
        if isinstance(value, date):
            return None
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return f"moet een datum zijn (JJJJ-MM-DD), niet '{value}'"
    elif kind == "bedrag":
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            return f"moet een bedrag zijn, niet '{value}'"
        if isinstance(value, bool) or not amount.is_finite() or amount < 0:
            return f"moet een bedrag van 0 of meer zijn, niet '{value}'"
    elif kind == "getal":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return "moet een getal zijn"
    elif kind in ("lijst", "vereisten"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return "moet een lijst van namen zijn"
        unknown = [v for v in value if v not in definition.vereisten]
        if kind == "vereisten" and unknown:
            return f"onbekende onderdelen: {', '.join(unknown)} (bekend: {', '.join(definition.vereisten)})"
    elif kind == "beoordelingen":
        return _check_beoordelingen(definition, value, spec.max_lengte)
    return None


def _check_beoordelingen(definition: Definition, value: Any, max_len: int) -> str | None:
    if not isinstance(value, Mapping):
        return "moet per criterium een oordeel en motivering geven"
    for key, item in value.items():
        if key not in definition.criteria:
            return f"onbekend criterium '{key}' (bekend: {', '.join(definition.criteria)})"
        if not isinstance(item, Mapping) or item.get("oordeel") not in OORDELEN:
            return f"criterium '{key}': oordeel moet een van {', '.join(OORDELEN)} zijn"
        motivering = item.get("motivering", "")
        if not isinstance(motivering, str) or len(motivering) > max_len:
            return f"criterium '{key}': motivering moet tekst zijn van hoogstens {max_len} tekens"
        extra = set(item) - {"oordeel", "motivering"}
        if extra:
            return f"criterium '{key}': onbekende velden {', '.join(sorted(extra))}"
    return None


def merge_facts(facts: Mapping[str, Any], fields: Mapping[str, Gegeven], data: Mapping[str, Any]) -> dict[str, Any]:
    """The facts with ``data`` recorded: lists are added to, beoordelingen per criterion, the rest replaced."""
    merged = dict(facts)
    for name, value in data.items():
        kind = fields[name].type if name in fields else None
        if kind in ("lijst", "vereisten") and isinstance(merged.get(name), list):
            merged[name] = list(dict.fromkeys([*merged[name], *value]))
        elif kind == "beoordelingen" and isinstance(merged.get(name), Mapping):
            merged[name] = {**merged[name], **{k: dict(v) for k, v in value.items()}}
        elif isinstance(value, date):
            merged[name] = value.isoformat()
        else:
            merged[name] = value
    return merged


VERLENGING = "verlenging"
"""The gegeven with the length of a verdaging, for a term with ``verlenging_ten_hoogste`` (in its unit)."""


def chosen_extension(definition: Definition, term: str, data: Mapping[str, Any]) -> str | None:
    """The length the behandelaar chose for extending ``term`` (e.g. '4 weken'), or None when the definition fixes
    it; InvalidEventData when it is missing, not a whole number, not positive or above the maximum (Awb 4:14)."""
    spec = definition.termijnen[term]
    if not spec.verlenging_ten_hoogste or spec.verlenging is None:
        return None
    maximum = parse_duur(spec.verlenging)
    unit = maximum.unit.value
    value = data.get(VERLENGING)
    hint = f"geef 1 tot en met {maximum.amount} {unit}: de verordening staat ten hoogste {maximum} toe"
    artikel = f" ({spec.artikel}, Awb 4:14)" if spec.artikel and "4:14" not in spec.artikel else " (Awb 4:14)"
    if value is None:
        problem = f"geef de lengte van de verdaging van de {spec.label.lower()} in {unit}; {hint}{artikel}"
    elif isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value:
        problem = f"'{value}' is geen heel aantal {unit}; {hint}{artikel}"
    elif value < 1:
        problem = f"{int(value)} {unit} kan niet; {hint}{artikel}"
    elif value > maximum.amount:
        problem = f"{int(value)} {unit} is meer dan het maximum van {maximum}; {hint}{artikel}"
    else:
        return str(Duur(int(value), maximum.unit))
    raise InvalidEventData(f"gegevens kloppen niet: {VERLENGING}: {problem}", fields={VERLENGING: problem})
