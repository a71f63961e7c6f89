"""Texts: Jinja2 templates in Dutch (B1), StrictUndefined, a gemeente's own templates before r2c's.

E-mail templates are ``mail/<naam>.txt``: the first line is ``Onderwerp: ...``, then an empty line, then the
body. Letters are ``brief/<naam>.html`` (HTML; PDF through WeasyPrint), each extending ``brief/_basis.html``.
A template in ``huisstijl/<gemeente>/templates/`` replaces r2c's own of the same name (r2c/notify/huisstijl.py);
names starting with ``_`` are parts that other templates include (``mail/_bezwaaradres.txt`` is the one a
gemeente will most often replace).

What the templates expect (the keys r2c.notify.routing puts in a delivery's context):

- ``gemeente``: always the gemeente's Huisstijl (naam, afzender, ondertekening, ...); a ``gemeente`` key in the
  context (the weekly digest's payload carries the gemeente id) is replaced by it.
- ``uitdaging`` {id, kenmerk, titel, staat, fase}: texts show the kenmerk (UD-2026-0042), never the id; a
  delivery queued before kenmerken existed (migration 0005) has none and shows its id instead;
  ``ontvanger`` {naam, and optionally rol: 'initiatiefnemer',
  'behandelaar', 'teamleider' or 'team'}.
- letters: ``brief`` {naam, titel}; ``termijnen`` [{termijn, actie, einddatum}] (what the transition did to the
  terms); optionally ``reden`` (why: verdaging, afwijzing), ``wijziging`` (toekenning met wijziging) and
  ``ontbreekt`` [labels] (aanvullingsverzoek).
- ``vandaag``: the date of the letter (a date or 'JJJJ-MM-DD'), required by every ``brief/*.html``: the caller
  passes the day it sends the letter, which is the day of bekendmaking (Awb 3:41) from which the bezwaartermijn
  counts (Awb 6:8). E-mails do not need it.
- reminders and escalations: ``termijn`` {naam, label, einddatum, moment, soort, dag, grondslag}.
- the weekly digest: ``week`` ('2026-W17') and ``termijnen`` [{uitdaging, titel, termijn, label, einddatum,
  verlopen}].

Filters: ``datum`` ('dinsdag 28 april 2026'), ``week`` ('week 17 (20 tot en met 26 april 2026)') and ``einde``
(``termijnen | einde('hersteltermijn')``: the end date that transition gave that term; undefined when it gave
none, so ``is defined`` tests for it and using it regardless raises RenderError). Function ``heeft_brief(naam)``:
whether a letter template ``brief/<naam>.html`` exists, i.e. whether the e-mail carries the letter as PDF.
A missing value raises RenderError naming the template (StrictUndefined).
"""

from __future__ import annotations

import base64
import mimetypes
import re
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined, TemplateNotFound
from jinja2 import TemplateError, pass_environment
from jinja2.exceptions import FilterArgumentError

from r2c.errors import R2CError
from r2c.notify.huisstijl import Huisstijl

if TYPE_CHECKING:
    from weasyprint import Document

SUBJECT = "Onderwerp:"
PDF = "application/pdf"


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
    env.filters.update(datum=datum, week=_week, einde=_einde)
    env.globals["heeft_brief"] = _has_letter
    return env


def _autoescape(name: str | None) -> bool:
    return bool(name and name.endswith(".html"))


_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december")
_DAYS = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")


def _day(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise FilterArgumentError(f"'{value}' is geen datum (verwacht: JJJJ-MM-DD)") from None


def datum(value: Any) -> str:
    """A date as people write it: 'dinsdag 28 april 2026' (accepts a date or 'JJJJ-MM-DD')."""
    day = _day(value)
    return f"{_DAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _week(value: Any) -> str:
    """An ISO week as people say it: '2026-W17' -> 'week 17 (20 tot en met 26 april 2026)'."""
    found = re.fullmatch(r"(\d{4})-W(\d{1,2})", str(value))
    try:
        monday = date.fromisocalendar(int(found[1]), int(found[2]), 1) if found else None
    except ValueError:
        monday = None
    if monday is None:
        raise FilterArgumentError(f"'{value}' is geen week (verwacht: JJJJ-Www, bijvoorbeeld 2026-W17)")
    sunday = monday + timedelta(days=6)
    first = f"{monday.day}" if monday.month == sunday.month else f"{monday.day} {_MONTHS[monday.month - 1]}"
    if monday.year != sunday.year:
        first += f" {monday.year}"
    return f"week {int(found[2])} ({first} tot en met {sunday.day} {_MONTHS[sunday.month - 1]} {sunday.year})"


@pass_environment
def _einde(env: Environment, termijnen: Any, naam: str) -> Any:
    """The end date the transition gave term ``naam`` ('JJJJ-MM-DD'), or an undefined value when it gave none.

    Entries that stop or replace the term do not count: their date is no longer a deadline.
    """
    found = [t.get("einddatum") for t in termijnen or []
             if t.get("termijn") == naam and t.get("einddatum") and t.get("actie") not in ("stop", "vervangen")]
    if found:
        return found[-1]
    return env.undefined(hint=f"'termijnen' noemt geen einddatum voor de termijn '{naam}'")


@pass_environment
def _has_letter(env: Environment, naam: str) -> bool:
    """Whether ``brief/<naam>.html`` exists (so the e-mail carries the letter as PDF)."""
    try:
        env.get_template(f"brief/{naam}.html")
    except TemplateNotFound:
        return False
    return True


def has_template(huisstijl: Huisstijl, name: str) -> bool:
    """Whether a template of this name exists for the gemeente (its own or r2c's)."""
    try:
        environment(huisstijl).get_template(name)
    except TemplateNotFound:
        return False
    return True


def _with_kenmerk(context: dict[str, Any]) -> dict[str, Any]:
    """The context with ``uitdaging.kenmerk``: a delivery's context stored before migration 0005 has only the id."""
    uitdaging = context.get("uitdaging")
    if isinstance(uitdaging, dict) and "kenmerk" not in uitdaging and "id" in uitdaging:
        return {**context, "uitdaging": {**uitdaging, "kenmerk": uitdaging["id"]}}
    return context


def render(huisstijl: Huisstijl, name: str, context: dict[str, Any]) -> str:
    """The template ``name`` rendered with ``context`` and the gemeente's huisstijl as ``gemeente``."""
    try:
        return environment(huisstijl).get_template(name).render({**_with_kenmerk(context), "gemeente": huisstijl})
    except TemplateNotFound as error:
        missing = f"'{name}'" if error.name == name else f"'{error.name}' (gebruikt door '{name}')"
        raise RenderError(f"sjabloon {missing} bestaat niet (ook niet bij {huisstijl.gemeente})") from None
    except TemplateError as error:
        raise RenderError(f"sjabloon '{name}' voor {huisstijl.gemeente}: {error}") from None


def render_email(huisstijl: Huisstijl, name: str, context: dict[str, Any]) -> tuple[str, str]:
    """(subject, body) of the e-mail template ``mail/<name>.txt``."""
    text = render(huisstijl, f"mail/{name}.txt", context)
    first, _, body = text.partition("\n")
    if not first.startswith(SUBJECT):
        raise RenderError(f"sjabloon 'mail/{name}.txt' begint niet met '{SUBJECT} ...'")
    return first[len(SUBJECT):].strip(), body.lstrip("\n")


# -- letters -------------------------------------------------------------------------------------------------

def render_letter_html(huisstijl: Huisstijl, name: str, context: dict[str, Any]) -> str:
    """The letter ``brief/<name>.html`` as one HTML page that stands alone (the logo inside as a data: URL).

    The context needs ``vandaag`` (the date of the letter) besides the keys of the e-mail of the same name.
    """
    return render(huisstijl, f"brief/{name}.html", {**context, "logo_src": logo_src(huisstijl),
                                                    "terugweg_qr": _qr(context.get("terugweg"))})


def _qr(way_back: Any) -> str | None:
    """The QR code (an SVG data: URL) of the way back a letter gives (Router.way_back), or None."""
    if not isinstance(way_back, dict) or not way_back.get("qr"):
        return None
    import segno

    return segno.make(way_back["qr"], error="m").svg_data_uri(scale=4, border=2)


def render_letter_document(huisstijl: Huisstijl, name: str, context: dict[str, Any]) -> Document:
    """The letter laid out by WeasyPrint (pages, text boxes); ``write_pdf()`` makes the PDF.

    Relative URLs in a gemeente's own template resolve in its folder (``huisstijl/<gemeente>/``); a letter
    fetches nothing over the network (only ``data:`` and ``file:`` URLs).
    """
    import weasyprint

    html = render_letter_html(huisstijl, name, context)
    folder = huisstijl.templates.parent if huisstijl.templates else huisstijl.logo.parent if huisstijl.logo else None
    base = folder.resolve().as_uri() + "/" if folder else None
    fetcher = (weasyprint.URLFetcher(allowed_protocols={"data", "file"})
               if hasattr(weasyprint, "URLFetcher") else None)  # WeasyPrint < 68: its default fetcher
    try:
        return weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).render()
    except Exception as error:  # noqa: BLE001 - WeasyPrint raises many kinds; the delivery records the message
        raise RenderError(f"brief '{name}' voor {huisstijl.gemeente}: geen PDF te maken: {error}") from None


def render_letter_pdf(huisstijl: Huisstijl, name: str, context: dict[str, Any]) -> bytes:
    """The letter ``brief/<name>.html`` as a PDF (tagged, PDF/UA-1, for screen readers)."""
    return render_letter_document(huisstijl, name, context).write_pdf(pdf_variant="pdf/ua-1")


def letter_attachment(huisstijl: Huisstijl, name: str, context: dict[str, Any]) -> tuple[str, str, bytes] | None:
    """(file name, 'application/pdf', PDF) of letter ``name`` for an e-mail, or None when it has no template."""
    if not has_template(huisstijl, f"brief/{name}.html"):
        return None
    uitdaging = context.get("uitdaging")
    # the kenmerk the resident quotes; the id for a delivery queued before there were kenmerken
    ident = (uitdaging.get("kenmerk") or uitdaging.get("id")) if isinstance(uitdaging, dict) else None
    stem = f"{name}-{ident}" if ident else name
    return f"{re.sub(r'[^A-Za-z0-9._-]+', '-', stem)}.pdf", PDF, render_letter_pdf(huisstijl, name, context)


def logo_src(huisstijl: Huisstijl) -> str | None:
    """The gemeente's logo as a data: URL (a letter or page then fetches nothing else), or None."""
    if huisstijl.logo is None:
        return None
    media = mimetypes.guess_type(huisstijl.logo.name)[0] or "application/octet-stream"
    return f"data:{media};base64,{base64.b64encode(huisstijl.logo.read_bytes()).decode('ascii')}"

