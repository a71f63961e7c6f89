"""The year report's read model (``rapport_stap``, ``rapport_fase``, ``rapport_feit``): what one change adds to
it, derived from the history row and the challenge row as they are written, so r2c.store.writes keeps it in the
change's own transaction. r2c.store.reports aggregates it; the migration 0013 fills it from the history.

The rules, the same as the aggregates over the history they replace:

- a step is a history row of kind 'transitie' (with its event);
- a stay in a phase starts with the challenge's first history row or a row whose phase differs from the one it
  left, and ends with the next such row;
- the facts are the challenge's ``domein``, ``budget`` and criteria assessed 'voldoet_niet', as it holds them now.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

FAILED = "voldoet_niet"


def phase(state: str | None) -> str | None:
    """The phase of a state ('toetsing' of 'toetsing.beoordelen')."""
    return None if state is None else state.split(".", 1)[0]


def step(challenge: Mapping[str, Any], history: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``rapport_stap`` row of a history row, or None when it is no transition."""
    if history["kind"] != "transitie" or not history.get("event"):
        return None
    return {"challenge_id": history["challenge_id"], "seq": history["seq"], "gemeente": challenge["gemeente"],
            "event": history["event"], "at": history["at"]}


def stay(challenge: Mapping[str, Any], history: Mapping[str, Any]) -> dict[str, Any] | None:
    """The ``rapport_fase`` row the history row opens (closing the open one), or None when it stays in the phase."""
    to = phase(history["to_state"])
    if history["seq"] != 1 and (history.get("from_state") is None or phase(history["from_state"]) == to):
        return None
    return {"challenge_id": history["challenge_id"], "seq": history["seq"], "gemeente": challenge["gemeente"],
            "fase": to, "entered_at": history["at"], "left_at": None}


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _budget(value: Any) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        return None
    return float(amount) if amount.is_finite() else None


def facts(challenge: Mapping[str, Any]) -> dict[str, Any]:
    """The ``rapport_feit`` row of a challenge as it is after a change."""
    held = challenge.get("facts")
    held = held if isinstance(held, dict) else {}
    assessed = held.get("beoordelingen")
    failed = sorted(key for key, value in assessed.items()
                    if isinstance(value, dict) and value.get("oordeel") == FAILED) if isinstance(assessed, dict) else []
    return {"challenge_id": challenge["id"], "gemeente": challenge["gemeente"], "domein": _text(held.get("domein")),
            "budget": _budget(held.get("budget")), "afgewezen_op": "|" + "|".join(failed) + "|" if failed else None}
