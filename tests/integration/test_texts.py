"""r2c's texts: every template in r2c/notify/templates, rendered with a realistic context, against a golden file.

Golden files live in tests/golden/<gemeente>/<template path> (e-mails as .txt: 'Onderwerp: ...', an empty line,
the body; letters as .html). After an intended change of a text, regenerate them and read the diff:

    R2C_GOLDEN_UPDATE=1 .venv/bin/python -m pytest tests/integration/test_texts.py -q
    git diff tests/golden

Without R2C_GOLDEN_UPDATE the test compares and fails with a unified diff. PDFs are not compared byte for byte:
the test checks that they are PDFs, counts their pages and reads the text WeasyPrint laid out.

'vught' has no folder in huisstijl/ (r2c's own texts and defaults); 'gouda' has one (huisstijl/gouda: its own
name, logo, signature, ontvangstbevestiging and bezwaaradres).
"""

from __future__ import annotations

import copy
import difflib
import os
import re
import zlib
from pathlib import Path
from typing import Any

import pytest

from r2c.notify.huisstijl import Huisstijl, load_huisstijl
from r2c.notify.render import (RenderError, letter_attachment, render, render_email, render_letter_document,
                               render_letter_html, render_letter_pdf)

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "r2c" / "notify" / "templates"
GOLDEN = ROOT / "tests" / "golden"
HUISSTIJL = ROOT / "huisstijl"
UPDATE = os.environ.get("R2C_GOLDEN_UPDATE") == "1"

NAMES = {"vught": "Gemeente Vught", "gouda": "Gemeente Gouda"}


def huisstijl(gemeente: str) -> Huisstijl:
    return load_huisstijl(HUISSTIJL, gemeente, default_naam=NAMES[gemeente],
                          default_afzender=f"uitdaagrecht@{gemeente}.example")


# -- realistic contexts, as r2c.notify.routing builds them -------------------------------------------------

UITDAGING = {"id": "3f6c2a1e-8b4d-4c1f-9a2e-5d7b0c9e1f42", "kenmerk": "UD-2026-0042",
             "titel": "Onderhoud groen & speeltuin 't Weiland", "staat": "Ontvangen", "fase": "Indiening"}
INITIATIEFNEMER = {"naam": "Fatima el Amrani"}
VANDAAG = "2026-04-28"
TERUGWEG = {"url": "https://uitdaagrecht.example.nl/mijn-link/vught",
            "qr": "https://uitdaagrecht.example.nl/mijn-link/vught?kenmerk=UD-2026-0042"}


def letter(naam: str, titel: str, termijnen: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"uitdaging": UITDAGING, "ontvanger": INITIATIEFNEMER, "brief": {"naam": naam, "titel": titel},
            "termijnen": termijnen, "vandaag": VANDAAG, "terugweg": TERUGWEG, **extra}


def term(naam: str, label: str, einddatum: str, moment: str, soort: str, dag: str, grondslag: str) -> dict:
    return {"naam": naam, "label": label, "einddatum": einddatum, "moment": moment, "soort": soort, "dag": dag,
            "grondslag": grondslag}


CONTEXTS: dict[str, dict[str, Any]] = {
    "ontvangstbevestiging": letter("ontvangstbevestiging", "Ontvangstbevestiging",
                                   [{"termijn": "beslistermijn", "actie": "start", "einddatum": "2026-06-23"}]),
    "aanvullingsverzoek": letter("aanvullingsverzoek", "Verzoek om aanvulling",
                                 [{"termijn": "hersteltermijn", "actie": "start", "einddatum": "2026-05-12"},
                                  {"termijn": "beslistermijn", "actie": "opschorten", "einddatum": None}]),
    "verdagingsbericht": letter("verdagingsbericht", "Verdaging van de beslistermijn",
                                [{"termijn": "beslistermijn", "actie": "verlengen", "einddatum": "2026-08-18"}]),
    "besluit_toekenning": letter("besluit_toekenning", "Besluit op uw uitdaging (toegekend)",
                                 [{"termijn": "beslistermijn", "actie": "stop", "einddatum": "2026-06-23"}]),
    "besluit_afwijzing": letter("besluit_afwijzing", "Besluit op uw uitdaging (afgewezen)",
                                [{"termijn": "beslistermijn", "actie": "stop", "einddatum": "2026-06-23"},
                                 {"termijn": "bezwaartermijn", "actie": "start", "einddatum": "2026-06-09"}]),
    "buiten_behandeling": letter("buiten_behandeling", "Besluit buiten behandeling stellen",
                                 [{"termijn": "beslistermijn", "actie": "stop", "einddatum": None},
                                  {"termijn": "buiten_behandeling", "actie": "stop", "einddatum": "2026-05-26"},
                                  {"termijn": "bezwaartermijn", "actie": "start", "einddatum": "2026-06-09"}],
                                 ontbreekt=["Begroting en gevraagd budget", "Draagvlak in de buurt"],
                                 reden="Wij vroegen op 13 april om de begroting en het draagvlak. Die hebben wij "
                                       "niet gekregen."),
    "subsidiebeschikking": letter("subsidiebeschikking", "Subsidiebeschikking uitdaagrecht",
                                  [{"termijn": "uitvoeringsperiode", "actie": "start", "einddatum": "2027-04-28"}]),
    "brief": letter("intrekking", "Bevestiging van de intrekking",
                    [{"termijn": "beslistermijn", "actie": "stop", "einddatum": "2026-06-23"}]),
    "herinnering": {"uitdaging": UITDAGING, "ontvanger": {"naam": "behandelaar"},
                    "termijn": term("beslistermijn", "Beslistermijn", "2026-06-23", "10 werkdagen voor",
                                    "herinnering", "2026-06-09", "Awb 4:13")},
    "escalatie": {"uitdaging": {**UITDAGING, "staat": "Ligt bij het college", "fase": "Besluit"},
                  "ontvanger": {"naam": "teamleider"},
                  "termijn": term("beslistermijn", "Beslistermijn", "2026-06-23", "1 werkdag na", "escalatie",
                                  "2026-06-24", "Awb 4:13")},
    "statuslink": {"uitdaging": UITDAGING, "ontvanger": INITIATIEFNEMER, "opnieuw": False,
                   "statuslink": "https://uitdaagrecht.vught.example/status/r2c_st_voorbeeld"},
    "weekoverzicht": {"ontvanger": {"naam": "teamleider"}, "gemeente": "vught", "week": "2026-W17",
                      "termijnen": [
                          {"uitdaging": UITDAGING["id"], "kenmerk": UITDAGING["kenmerk"], "titel": UITDAGING["titel"],
                           "termijn": "beslistermijn",
                           "label": "Beslistermijn", "einddatum": "2026-04-24", "verlopen": True},
                          {"uitdaging": "b91d7c55-0e2f-4a8b-8c61-2f4e9d3a7b10", "titel": "Buurtbus Cromvoirt",
                           "termijn": "verantwoordingstermijn", "label": "Termijn voor de verantwoording",
                           "einddatum": "2026-04-30", "verlopen": False},
                          {"uitdaging": "c2a8e4f1-5b7d-4e39-a0c6-81f2d9b4e357", "titel": "Wijkschouw Vught-Noord",
                           "termijn": "hersteltermijn", "label": "Termijn om de aanvraag aan te vullen",
                           "einddatum": "2026-04-27", "verlopen": False}]},
}

# Other situations worth a golden file: (golden suffix, base context name, changes).
VARIANTS: dict[str, tuple[str, dict[str, Any]]] = {
    "met_onderdelen": ("aanvullingsverzoek", {"ontbreekt": ["Begroting en gevraagd budget",
                                                             "Draagvlak in de buurt"]}),
    "opgeschort": ("verdagingsbericht", {"termijnen": [{"termijn": "beslistermijn", "actie": "verlengen",
                                                         "einddatum": None}],
                                         "reden": "Wij willen de wijkraad om advies vragen over uw plan."}),
    # a toekenning met wijziging is partly a refusal: it starts a bezwaartermijn, so the letter names the last day
    "met_wijziging": ("besluit_toekenning", {"wijziging": "U voert het onderhoud uit van april tot en met "
                                                          "oktober. In de winter doet de gemeente het.",
                                             "termijnen": [{"termijn": "beslistermijn", "actie": "stop",
                                                            "einddatum": "2026-06-23"},
                                                           {"termijn": "bezwaartermijn", "actie": "start",
                                                            "einddatum": "2026-06-09"}]}),
    "met_reden": ("besluit_afwijzing", {"reden": "Het onderhoud van de speeltuin moet voldoen aan het "
                                                 "Warenwetbesluit attractie- en speeltoestellen. Uw plan zegt niet "
                                                 "wie de keuring doet."}),
    "initiatiefnemer": ("herinnering", {"ontvanger": INITIATIEFNEMER,
                                        "termijn": term("verantwoordingstermijn", "Termijn voor de verantwoording",
                                                        "2026-09-29", "5 werkdagen voor", "herinnering",
                                                        "2026-09-22", "Awb 4:76")}),
    "leeg": ("weekoverzicht", {"termijnen": []}),
    "opnieuw": ("statuslink", {"opnieuw": True}),
}

# What each gemeente renders: vught every r2c template, gouda what it overrides and a letter with its logo.
GOUDA = ["mail/ontvangstbevestiging.txt", "mail/besluit_afwijzing.txt", "brief/besluit_afwijzing.html"]


def templates() -> list[str]:
    """Every template r2c ships that is rendered on its own (names starting with '_' are parts of others)."""
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("*.*")
                  if p.is_file() and not p.name.startswith("_"))


def parts() -> list[str]:
    return sorted(str(p.relative_to(TEMPLATES)) for p in TEMPLATES.rglob("_*.*") if p.is_file())


def base_name(template: str) -> str:
    return template.split("/", 1)[1].rsplit(".", 1)[0]


def cases() -> list[tuple[str, str, str | None]]:
    """(gemeente, template, variant)."""
    out = [("vught", t, None) for t in templates()]
    out += [("gouda", t, None) for t in GOUDA]
    for variant, (name, _) in VARIANTS.items():
        out += [("vught", t, variant) for t in templates() if base_name(t) == name]
    return out


def context_for(template: str, variant: str | None = None) -> dict[str, Any]:
    context = copy.deepcopy(CONTEXTS[base_name(template)])
    if variant:
        context.update(copy.deepcopy(VARIANTS[variant][1]))
    return context


def rendered(gemeente: str, template: str, context: dict[str, Any]) -> str:
    name = base_name(template)
    if template.startswith("mail/"):
        subject, body = render_email(huisstijl(gemeente), name, context)
        return f"Onderwerp: {subject}\n\n{body}"
    return render_letter_html(huisstijl(gemeente), name, context)


def golden_path(gemeente: str, template: str, variant: str | None) -> Path:
    path = GOLDEN / gemeente / template
    return path.with_name(f"{path.stem}.{variant}{path.suffix}") if variant else path


def check_golden(path: Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    if not path.exists():
        pytest.fail(f"{path.relative_to(ROOT)} bestaat niet; maak het met R2C_GOLDEN_UPDATE=1 en lees het na")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(keepends=True), actual.splitlines(keepends=True),
                                            fromfile=f"{path.relative_to(ROOT)} (golden)", tofile="nu"))
        pytest.fail(f"tekst wijkt af van {path.relative_to(ROOT)} (bedoeld? draai met R2C_GOLDEN_UPDATE=1):\n{diff}",
                    pytrace=False)


# -- golden files ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("gemeente, template, variant", cases(),
                         ids=[f"{g}:{t}" + (f":{v}" if v else "") for g, t, v in cases()])
def test_text_matches_golden_file(gemeente: str, template: str, variant: str | None) -> None:
    check_golden(golden_path(gemeente, template, variant), rendered(gemeente, template, context_for(template, variant)))


def test_every_template_has_a_context_and_every_part_is_used() -> None:
    assert templates(), TEMPLATES
    assert {base_name(t) for t in templates()} <= set(CONTEXTS)
    sources = {t: (TEMPLATES / t).read_text(encoding="utf-8") for t in templates() + parts()}
    for part in parts():
        assert any(f'"{part}"' in text for name, text in sources.items() if name != part), f"{part} wordt niet gebruikt"


def test_no_stale_golden_files() -> None:
    expected = {golden_path(g, t, v) for g, t, v in cases()}
    stale = [str(p.relative_to(ROOT)) for p in GOLDEN.rglob("*.*") if p.is_file() and p not in expected]
    assert stale == [], "golden bestanden zonder test (verwijder ze):"


def test_every_mail_starts_with_a_subject_and_an_empty_line() -> None:
    for template in templates():
        if template.startswith("mail/"):
            text = render(huisstijl("vught"), template, context_for(template))
            first, second = text.split("\n")[:2]
            assert first.startswith("Onderwerp: ") and len(first) < 120 and second == "", template


# -- a missing value ---------------------------------------------------------------------------------------

# Context keys a template does not use: the weekly digest's gemeente id (the huisstijl replaces it), a letter's
# date in e-mails (an e-mail does not date itself), and the terms in the generic letter e-mail.
UNUSED = {"mail/brief.txt": {"termijnen"}}


@pytest.mark.parametrize("template", templates())
def test_a_missing_value_raises_render_error_naming_the_template(template: str) -> None:
    context = context_for(template)
    # terugweg is optional: a resident without an e-mail address cannot ask for a link, so the letter has none
    unused = {"gemeente", "terugweg"} | UNUSED.get(template, set()) | ({"vandaag"} if template.startswith("mail/") else set())
    for key in set(context) - unused:
        incomplete = {k: v for k, v in context.items() if k != key}
        with pytest.raises(RenderError, match=re.escape(template)):
            rendered("vught", template, incomplete)


def test_a_missing_term_end_date_is_named() -> None:
    context = context_for("mail/aanvullingsverzoek.txt") | {"termijnen": []}
    for template in ("mail/aanvullingsverzoek.txt", "brief/aanvullingsverzoek.html"):
        with pytest.raises(RenderError, match=re.escape(template) + ".*hersteltermijn"):
            rendered("vught", template, context)


def test_a_wrong_date_is_a_render_error() -> None:
    context = context_for("brief/besluit_afwijzing.html") | {"vandaag": "28-04-2026"}
    with pytest.raises(RenderError, match="brief/besluit_afwijzing.html.*28-04-2026"):
        render_letter_html(huisstijl("vught"), "besluit_afwijzing", context)


def test_a_missing_template_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="mail/bestaat_niet.txt"):
        render_email(huisstijl("vught"), "bestaat_niet", context_for("mail/brief.txt"))


# -- the week and date filters -----------------------------------------------------------------------------

@pytest.mark.parametrize("week, expected", [
    ("2026-W17", "week 17 (20 tot en met 26 april 2026)"),
    ("2026-W18", "week 18 (27 april tot en met 3 mei 2026)"),
    ("2026-W01", "week 1 (29 december 2025 tot en met 4 januari 2026)"),
])
def test_week_as_people_say_it(week: str, expected: str) -> None:
    context = context_for("mail/weekoverzicht.txt") | {"week": week}
    subject, body = render_email(huisstijl("vught"), "weekoverzicht", context)
    assert subject.endswith(expected) and expected in body


def test_a_wrong_week_is_a_render_error() -> None:
    with pytest.raises(RenderError, match="2026-17"):
        render_email(huisstijl("vught"), "weekoverzicht", context_for("mail/weekoverzicht.txt") | {"week": "2026-17"})


# -- escaping ----------------------------------------------------------------------------------------------

def test_letters_escape_what_people_typed_and_mails_do_not() -> None:
    context = context_for("brief/besluit_afwijzing.html", "met_reden")
    context["reden"] = "<script>alert(1)</script> & meer"
    html = render_letter_html(huisstijl("vught"), "besluit_afwijzing", context)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; meer" in html
    assert "Onderhoud groen &amp; speeltuin &#39;t Weiland" in html
    _, body = render_email(huisstijl("vught"), "besluit_afwijzing", context)
    assert "<script>alert(1)</script> & meer" in body  # plain text: nothing to escape


# -- PDF ---------------------------------------------------------------------------------------------------

def pdf_pages(pdf: bytes) -> int:
    """Page objects in the PDF, also inside compressed object streams."""
    chunks = [pdf]
    for found in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(found[1]))
        except zlib.error:
            pass  # an image or a font, not objects
    return sum(len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", chunk)) for chunk in chunks)


def laid_out_text(document: Any) -> str:
    """The text WeasyPrint put on the pages, in reading order, whitespace collapsed."""
    words: list[str] = []

    def walk(box: Any) -> None:
        if isinstance(getattr(box, "text", None), str):
            words.append(box.text)
        for child in getattr(box, "children", None) or ():
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(" ".join(words).split())


def images(document: Any) -> int:
    """How many images the laid-out letter shows (the logo, the QR code)."""
    def walk(box: Any) -> int:
        return (getattr(box, "replacement", None) is not None) + sum(walk(c) for c in getattr(box, "children", None) or ())
    return sum(walk(page._page_box) for page in document.pages)


LETTERS = [base_name(t) for t in templates() if t.startswith("brief/")]

EXPECTED_TEXT = {
    "ontvangstbevestiging": ["Wij hebben uw aanvraag goed ontvangen", "dinsdag 23 juni 2026"],
    "aanvullingsverzoek": ["uiterlijk op dinsdag 12 mei 2026", "Awb 4:5", "Awb 4:15"],
    "verdagingsbericht": ["Awb 4:14", "uiterlijk op dinsdag 18 augustus 2026"],
    "besluit_toekenning": ["toegekend", "binnen 6 weken", "Awb 6:7 en 6:8"],
    "besluit_afwijzing": ["afgewezen", "binnen 6 weken", "Awb 6:7 en 6:8", "uiterlijk op dinsdag 9 juni 2026",
                          "Stuur uw bezwaarschrift naar"],
    "buiten_behandeling": ["behandelen wij uw aanvraag niet", "Awb 4:5", "Draagvlak in de buurt", "binnen 6 weken",
                           "uiterlijk op dinsdag 9 juni 2026", "Stuur uw bezwaarschrift naar"],
}


def test_the_letters_are_the_six_of_the_model_at_least() -> None:
    assert set(EXPECTED_TEXT) <= set(LETTERS)


@pytest.mark.parametrize("gemeente", ["vught", "gouda"])
@pytest.mark.parametrize("name", LETTERS)
def test_letter_as_pdf(name: str, gemeente: str) -> None:
    context = context_for(f"brief/{name}.html")
    pdf = render_letter_pdf(huisstijl(gemeente), name, context)
    assert pdf.startswith(b"%PDF-1.") and pdf.rstrip().endswith(b"%%EOF")
    document = render_letter_document(huisstijl(gemeente), name, context)
    assert 1 <= len(document.pages) <= 2
    assert pdf_pages(pdf) == len(document.pages)
    text = laid_out_text(document)
    for expected in [context["brief"]["titel"], "Beste Fatima el Amrani", "dinsdag 28 april 2026",
                     UITDAGING["kenmerk"], UITDAGING["titel"], NAMES[gemeente], *EXPECTED_TEXT.get(name, [])]:
        assert expected in text, f"{expected!r} staat niet in de PDF van {name} ({gemeente}):\n{text}"
    assert UITDAGING["id"] not in text  # people quote the kenmerk; the UUID is for software
    assert f"pagina 1 van {len(document.pages)}" in text
    assert images(document) == (2 if gemeente == "gouda" else 1)  # gouda's logo; the QR code in every letter
    # the way back: the short address of 'stuur mij mijn link', never a status link (a letter may be forwarded)
    assert TERUGWEG["url"] in text and "Die link staat niet in deze brief" in text
    assert "/status/" not in text and "r2c_st_" not in pdf.decode("latin-1")


def test_a_letter_to_a_resident_without_e_mail_has_no_way_back_and_no_qr_code() -> None:
    context = {k: v for k, v in context_for("brief/ontvangstbevestiging.html").items() if k != "terugweg"}
    document = render_letter_document(huisstijl("vught"), "ontvangstbevestiging", context)
    assert images(document) == 0 and "Online zien hoe het gaat" not in laid_out_text(document)


def test_letter_attachment() -> None:
    context = context_for("brief/besluit_afwijzing.html")
    name, media_type, pdf = letter_attachment(huisstijl("gouda"), "besluit_afwijzing", context)
    assert (name, media_type) == (f"besluit_afwijzing-{UITDAGING['kenmerk']}.pdf", "application/pdf")
    assert pdf.startswith(b"%PDF-")
    assert letter_attachment(huisstijl("gouda"), "intrekking", context_for("mail/brief.txt")) is None


def test_a_letter_needs_its_date() -> None:
    context = context_for("brief/besluit_afwijzing.html")
    del context["vandaag"]
    with pytest.raises(RenderError, match="brief/besluit_afwijzing.html.*vandaag"):
        letter_attachment(huisstijl("vught"), "besluit_afwijzing", context)


# -- the gemeente's own folder -----------------------------------------------------------------------------

def test_gouda_has_its_own_huisstijl_and_vught_the_defaults() -> None:
    gouda, vught = huisstijl("gouda"), huisstijl("vught")
    assert gouda.naam == "Gemeente Gouda" and gouda.afzender.endswith("@gouda.example")
    assert all(a.endswith("@gouda.example") for a in (gouda.team, gouda.teamleider))
    assert gouda.logo is not None and gouda.logo.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert "namens dezen" in gouda.ondertekening
    assert gouda.templates == HUISSTIJL / "gouda" / "templates"
    assert (vught.naam, vught.logo, vught.templates, vught.ondertekening) == ("Gemeente Vught", None, None,
                                                                              "Gemeente Vught")


def test_gouda_override_is_used_for_gouda_and_not_for_vught() -> None:
    context = context_for("mail/ontvangstbevestiging.txt")
    gouda_subject, gouda_body = render_email(huisstijl("gouda"), "ontvangstbevestiging", context)
    vught_subject, vught_body = render_email(huisstijl("vught"), "ontvangstbevestiging", context)
    assert gouda_subject.startswith("Gemeente Gouda:") and "wijkregisseur" in gouda_body
    assert not vught_subject.startswith("Gemeente") and "wijkregisseur" not in vught_body
    # the bezwaaradres part: Gouda's in its letters and e-mails, r2c's elsewhere
    letter_context = context_for("brief/besluit_afwijzing.html")
    assert "Postbus 1234" in render_letter_html(huisstijl("gouda"), "besluit_afwijzing", letter_context)
    assert "Postbus 1234" not in render_letter_html(huisstijl("vught"), "besluit_afwijzing", letter_context)
    assert "Postbus 1234" in render_email(huisstijl("gouda"), "besluit_afwijzing", letter_context)[1]
    assert "Postbus 1234" not in render_email(huisstijl("vught"), "besluit_afwijzing", letter_context)[1]


def test_the_logo_is_inside_the_letter() -> None:
    html = render_letter_html(huisstijl("gouda"), "ontvangstbevestiging", context_for("brief/ontvangstbevestiging.html"))
    assert '<img src="data:image/png;base64,iVBORw0KGgo' in html
    vught = render_letter_html(huisstijl("vught"), "ontvangstbevestiging", context_for("brief/ontvangstbevestiging.html"))
    assert "data:image/png" not in vught and vught.count("<img") == 1  # no logo; only the QR code
