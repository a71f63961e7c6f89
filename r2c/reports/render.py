"""The year report as HTML, PDF (WeasyPrint, tagged PDF/UA-1), CSV and JSON, with SVG charts (pygal).

Each chart is an image with a title and a description (its ``alt``) and the table of its figures beside it, so it
reads without seeing it. The HTML and the PDF are one template (``templates/rapport.html``); the web page renders
the same template (r2c.web.rapport).
"""

from __future__ import annotations

import base64
import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pygal
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from pygal.style import Style

from r2c.reports.figures import RESULTATEN, Report

FORMATS = ("html", "pdf", "csv", "json")

_STYLE = Style(background="white", plot_background="white", foreground="#1a1a1a", foreground_strong="#1a1a1a",
               foreground_subtle="#555555", colors=("#1f4e8c", "#b35900", "#2d7a3e", "#8c1f4e", "#555555"),
               font_family="sans-serif", title_font_size=18, label_font_size=14, major_label_font_size=14,
               legend_font_size=14, value_font_size=14)


@dataclass(frozen=True)
class Chart:
    """A chart: its title, what it shows in words (the image's alt), the SVG and its data table.

    Attributes:
        titel, beschrijving: what a reader sees above it and what a screen reader says.
        svg: the SVG document.
        kolommen: the table's column headings; regels: its rows (label, then one value per column).
    """

    titel: str
    beschrijving: str
    svg: str
    kolommen: tuple[str, ...]
    regels: tuple[tuple[Any, ...], ...]

    @property
    def src(self) -> str:
        """The SVG as a data: URL for an ``img`` (no inline style or script in the page itself)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg.encode("utf-8")).decode("ascii")


def number(value: Any) -> str:
    """A figure as people in the Netherlands write it: '12', '12,5', '18.500,00'; nothing known: 'onbekend'."""
    if value is None:
        return "onbekend"
    if isinstance(value, float):
        text = f"{value:,.2f}" if value >= 1000 or value != round(value, 1) else f"{value:.1f}"
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return str(value)


def _bar(titel: str, labels: list[str], series: dict[str, list[float | None]]) -> str:
    chart = pygal.Bar(style=_STYLE, width=720, height=360, js=[], disable_xml_declaration=True,
                      legend_at_bottom=True, print_values=False, show_y_guides=True)
    chart.title = titel
    chart.x_labels = labels
    for name, values in series.items():
        chart.add(name, values)
    return chart.render(is_unicode=True)


def charts(report: Report) -> list[Chart]:
    """The three charts: results, doorlooptijd per phase and decisions within the beslistermijn."""
    now, before = report.dit_jaar, report.vorig_jaar
    jaar, vorig = str(report.jaar), str(report.jaar - 1)
    names = list(RESULTATEN)
    labels = [report.label(f"resultaten.{n}") for n in names]
    results = Chart(
        "Wat kwam er uit de uitdagingen?",
        f"Staafdiagram van de uitkomsten in {jaar} en {vorig}: "
        + "; ".join(f"{lab}: {now['resultaten'][n]} ({before['resultaten'][n]} in {vorig})"
                    for lab, n in zip(labels, names, strict=True)) + ".",
        _bar("Uitkomsten per jaar", labels, {jaar: [now["resultaten"][n] for n in names],
                                             vorig: [before["resultaten"][n] for n in names]}),
        ("Uitkomst", jaar, vorig),
        tuple((lab, now["resultaten"][n], before["resultaten"][n]) for lab, n in zip(labels, names, strict=True)))
    fasen = list(now["doorlooptijd"]["per_fase"])
    per_fase = now["doorlooptijd"]["per_fase"]
    fase_labels = [report.fasen.get(f, f) for f in fasen]
    duration = Chart(
        "Hoe lang duurt elke fase?",
        f"Staafdiagram van het aantal dagen per fase in {jaar}, de mediaan en de tijd waarbinnen 9 van de 10 "
        "klaar waren: " + ("; ".join(f"{lab}: {number(per_fase[f]['mediaan_dagen'])} en "
                                     f"{number(per_fase[f]['p90_dagen'])} dagen"
                                     for lab, f in zip(fase_labels, fasen, strict=True)) or "geen gegevens") + ".",
        _bar("Dagen per fase", fase_labels, {"mediaan": [per_fase[f]["mediaan_dagen"] for f in fasen],
                                             "9 van de 10 binnen": [per_fase[f]["p90_dagen"] for f in fasen]}),
        ("Fase", "Aantal", "Mediaan (dagen)", "9 van de 10 binnen (dagen)"),
        tuple((lab, per_fase[f]["aantal"], per_fase[f]["mediaan_dagen"], per_fase[f]["p90_dagen"])
              for lab, f in zip(fase_labels, fasen, strict=True)))
    term, term_before = now["beslistermijn"], before["beslistermijn"]
    late = term["besloten"] - term["binnen_termijn"]
    late_before = term_before["besloten"] - term_before["binnen_termijn"]
    within = Chart(
        "Besliste de gemeente op tijd?",
        f"Staafdiagram van de besluiten op tijd en te laat: in {jaar} {term['binnen_termijn']} op tijd en {late} te "
        f"laat; in {vorig} {term_before['binnen_termijn']} op tijd en {late_before} te laat.",
        _bar("Besluiten binnen de beslistermijn", ["Op tijd", "Te laat"],
             {jaar: [term["binnen_termijn"], late], vorig: [term_before["binnen_termijn"], late_before]}),
        ("Besluit", jaar, vorig),
        (("Op tijd", term["binnen_termijn"], term_before["binnen_termijn"]), ("Te laat", late, late_before)))
    return [results, duration, within]


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The report's Jinja2 environment (templates in r2c/reports/templates)."""
    env = Environment(loader=PackageLoader("r2c.reports", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["getal"] = number
    return env


def report_html(report: Report, *, standalone: bool = True) -> str:
    """The report as one HTML document; ``standalone``: with its own style sheet inline (a file, the PDF), else
    with the werkomgeving's style sheets (a page under a strict CSP)."""
    return environment().get_template("rapport.html").render(
        r=report, rows=report.rows(), charts=charts(report), standalone=standalone)


def report_pdf(report: Report) -> bytes:
    """The report as a tagged PDF (PDF/UA-1), the same document as the HTML."""
    from weasyprint import HTML

    return HTML(string=report_html(report)).write_pdf(pdf_variant="pdf/ua-1")


def report_csv(report: Report) -> str:
    """Every figure as CSV: sleutel, omschrijving, this year, the year before."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["sleutel", "omschrijving", str(report.jaar), str(report.jaar - 1)])
    for key, label, now, before in report.rows():
        writer.writerow([key, label, "" if now is None else now, "" if before is None else before])
    return out.getvalue()


def report_json(report: Report) -> str:
    """The report as JSON text (docs/rapportage.md)."""
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


def render(report: Report, formaat: str) -> bytes:
    """The report in ``formaat`` (one of FORMATS) as bytes."""
    if formaat == "pdf":
        return report_pdf(report)
    text = {"html": report_html, "csv": report_csv, "json": report_json}[formaat](report)
    return text.encode("utf-8")
