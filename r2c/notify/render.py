"""Texts: Jinja2 templates in Dutch (B1), StrictUndefined, a gemeente's own templates before r2c's.

E-mail templates are ``mail/<naam>.txt``: the first line is ``Onderwerp: ...``, then an empty line, then the
body. Letters are ``brief/<naam>.html`` (HTML; PDF through WeasyPrint). A template in
``huisstijl/<gemeente>/templates/`` replaces r2c's own of the same name (r2c/notify/huisstijl.py).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, TemplateNotFound
from jinja2 import TemplateError

from r2c.errors import R2CError
from r2c.notify.huisstijl import Huisstijl

SUBJECT = "Onderwerp:"


class RenderError(R2CError):
    """A template is missing, broken, or asks for a value the context does not have."""


def environment(huisstijl: Huisstijl) -> Environment:
    """The Jinja2 environment for one gemeente: its own templates first, then r2c's."""
    return _environment(huisstijl.templates)


@lru_cache(maxsize=256)
def _environment(own: Path | None) -> Environment:
    loaders = ([FileSystemLoader(str(own))] if own else []) + [PackageLoader("r2c.notify", "templates")]
    env = Environment(loader=ChoiceLoader(loaders), undefined=StrictUndefined, autoescape=_autoescape,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["datum"] = _datum
    return env


def _autoescape(name: str | None) -> bool:
    return bool(name and name.endswith(".html"))


_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")
_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _datum(value: Any) -> str:
    """A date as people write it: 'dinsdag 28 april 2026' (accepts a date or 'JJJJ-MM-DD')."""
    from datetime import date

    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def has_template(huisstijl: Huisstijl, name: str) -> bool:
    """Whether a template of this name exists for the gemeente (its own or r2c's)."""
    try:
        environment(huisstijl).get_template(name)
    except TemplateNotFound:
        return False
    return True


def render(huisstijl: Huisstijl, name: str, context: dict[str, Any]) -> str:
    """The template ``name`` rendered with ``context`` and the gemeente's huisstijl as ``gemeente``."""
    try:
        return environment(huisstijl).get_template(name).render(gemeente=huisstijl, **context)
    except TemplateNotFound:
        raise RenderError(f"sjabloon '{name}' bestaat niet (ook niet bij {huisstijl.gemeente})") from None
    except TemplateError as error:
        raise RenderError(f"sjabloon '{name}' voor {huisstijl.gemeente}: {error}") from None


def render_email(huisstijl: Huisstijl, name: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of the e-mail template ``mail/<name>.txt``."""
    text = render(huisstijl, f"mail/{name}.txt", context)
    first, _, body = text.partition("\n")
    if not first.startswith(SUBJECT):
        raise RenderError(f"sjabloon 'mail/{name}.txt' begint niet met '{SUBJECT} ...'")
    return first[len(SUBJECT):].strip(), body.lstrip("\n")
