"""Consistency checks of one resolved definition. Each returns (path, message) pairs; none raises."""

from __future__ import annotations

import string
from collections import defaultdict
from typing import NamedTuple

from r2c.definitions.graph import Graph, Path
from r2c.definitions.indiening import check_indiening
from r2c.definitions.schema import Definition
from r2c.definitions.voorwaarden import VOORWAARDEN, getal_tekst


class Finding(NamedTuple):
    """One problem in a resolved definition.

    Attributes:
        path: the value the problem is about.
        message: what is wrong, in Dutch.
        causes: other values that led to it (e.g. the ``eind: true`` that makes a transition's ``van`` wrong),
            tried in order for the line to report when ``path`` itself was inherited unchanged.
    """

    path: Path
    message: str
    causes: tuple[Path, ...] = ()


def check_definition(definition: Definition, graph: Graph) -> list[Finding]:
    """Every problem in ``definition``: references, the shape of the graph, terms."""
    problems: list[tuple] = list(graph.problems)
    problems += _references(definition)
    problems += _shape(definition, graph)
    problems += _terms(definition)
    problems += _archief(definition, graph)
    problems += _texts(definition, graph)
    problems += _bounds(definition)
    problems += check_indiening(definition, graph)
    problems += _partijen(definition)
    return [p if isinstance(p, Finding) else Finding(*p) for p in problems]


def _references(d: Definition) -> list[tuple[Path, str]]:
    out: list[tuple[Path, str]] = []

    def unknown(path: Path, kind: str, name: str, known) -> None:
        out.append((path, f"onbekende {kind} '{name}' (gedefinieerd: {', '.join(known) or 'geen'})"))

    for tid, t in d.transities.items():
        base = ("transities", tid)
        for i, rol in enumerate(t.rollen):
            if rol not in d.rollen:
                unknown(base + ("rollen", i), "rol", rol, d.rollen)
        for field in ("rollen", "van", "voorwaarden", "brieven"):
            names = getattr(t, field)
            for i, naam in enumerate(names):
                if naam in names[:i]:
                    out.append((base + (field, i), f"'{naam}' staat twee keer in '{field}' van transitie '{tid}'"))
        if not t.rollen:
            out.append((base + ("rollen",), "geen enkele rol mag deze stap zetten"))
        for i, naam in enumerate(t.voorwaarden):
            if naam not in VOORWAARDEN:
                unknown(base + ("voorwaarden", i), "voorwaarde", naam, VOORWAARDEN)
        for i, naam in enumerate(t.brieven):
            if naam in d.brieven and d.brieven[naam].aan not in d.rollen:
                unknown(("brieven", naam, "aan"), "rol", d.brieven[naam].aan, d.rollen)
            if naam not in d.brieven:
                unknown(base + ("brieven", i), "brief (template)", naam, d.brieven)
        for action, namen in t.termijnen.model_dump().items():
            for i, naam in enumerate(namen):
                if naam not in d.termijnen:
                    unknown(base + ("termijnen", action, i), "termijn", naam, d.termijnen)
                elif action == "verlengen" and d.termijnen[naam].verlenging is None:
                    out.append((("termijnen", naam),
                                f"termijn '{naam}' wordt verlengd door transitie '{tid}', maar zegt niet met "
                                "hoeveel (zet 'verlenging', bv. '6 weken', bij de termijn)"))
    return out


def _partijen(d: Definition) -> list[tuple[Path, str]]:
    """At least one kind of party may challenge; a ``reden`` only says why a kind may not."""
    out: list[tuple[Path, str]] = []
    kinds = d.toelating.partijen
    if kinds and not any(kind.toegelaten for kind in kinds.values()):
        out.append((("toelating", "partijen"), "geen enkele soort partij is toegelaten: niemand kan indienen"))
    for key, kind in kinds.items():
        if kind.toegelaten and kind.reden:
            out.append((("toelating", "partijen", key, "reden"),
                        f"'{key}' is toegelaten; een reden hoort alleen bij 'toegelaten: false'"))
    return out


def _bounds(d: Definition) -> list[tuple[Path, str]]:
    """A vereiste's ``minimum``/``maximum`` need a ``gegeven`` that some step asks as a getal or bedrag."""
    out: list[tuple[Path, str]] = []
    declared: dict[str, tuple[str, str]] = {}
    for tid, t in d.transities.items():
        for name, g in t.gegevens.items():
            if name not in declared or g.type in ("getal", "bedrag"):
                declared[name] = (g.type, tid)
    for key, v in d.vereisten.items():
        base = ("vereisten", key)
        if v.minimum is not None and v.maximum is not None and v.minimum > v.maximum:
            out.append((base + ("minimum",), f"minimum {getal_tekst(v.minimum)} is groter dan maximum "
                                             f"{getal_tekst(v.maximum)}: geen aantal haalt beide"))
        if v.gegeven is None:
            for bound in ("minimum", "maximum"):
                if getattr(v, bound) is not None:
                    out.append((base + (bound,), f"een {bound} zonder 'gegeven': noem het getal of bedrag dat "
                                                 "deze grens meet (bv. gegeven: aantal_handtekeningen)"))
        elif v.gegeven not in declared:
            out.append((base + ("gegeven",), f"onbekend gegeven '{v.gegeven}': geen stap vraagt het; zet het bij "
                                             "de 'gegevens' van een stap (type getal of bedrag)"))
        elif declared[v.gegeven][0] not in ("getal", "bedrag"):
            kind, tid = declared[v.gegeven]
            out.append((base + ("gegeven",), f"'{v.gegeven}' is een gegeven van type {kind} (bij transitie "
                                             f"'{tid}'); een grens vraagt type getal of bedrag"))
    return out


def _shape(d: Definition, g: Graph) -> list[tuple]:
    out: list[tuple] = []
    initial_phase = d.initieel.split(".")[0]
    if d.initieel not in g.states:
        reason = "ligt in een fase die uit staat" if initial_phase in d.fasen else "bestaat niet"
        out.append((("initieel",), f"beginstaat '{d.initieel}' {reason}"))
        return out
    outgoing: dict[str, list] = defaultdict(list)
    seen_pairs: dict[tuple[str, str], str] = {}
    for e in g.edges:
        outgoing[e.source].append(e)
        pair = (e.event, e.source)
        if pair in seen_pairs and not e.spec.voorwaarden:
            out.append((("transities", e.transition),
                        f"event '{e.event}' vanuit '{e.source}' staat ook in transitie '{seen_pairs[pair]}'; "
                        "zonder voorwaarden is niet te zeggen welke geldt"))
        seen_pairs.setdefault(pair, e.transition)
    blocked = False  # a mandatory phase switched off or a dead end: states behind it are unreached as a result
    for fase_key, fase in d.fasen.items():
        if not fase.actief and not fase.optioneel:
            blocked = True
            out.append((("fasen", fase_key, "actief"), f"fase '{fase_key}' is niet optioneel en kan niet uit"))
    finals = [s for s, staat in g.states.items() if staat.eind]
    if not finals:
        out.append((("fasen",), "er is geen eindstaat (eind: true)"))
    for name, staat in g.states.items():
        fase, key = name.split(".", 1)
        path = ("fasen", fase, "staten", key)
        if staat.eind:
            if staat.resultaat is None:
                out.append((path, f"eindstaat '{name}' heeft geen resultaat"))
            for e in outgoing[name]:
                out.append(Finding(("transities", e.transition, "van"),
                                   f"eindstaat '{name}' mag geen uitgaande transitie hebben ('{e.transition}')",
                                   (path + ("eind",),)))
        else:
            if staat.resultaat is not None:
                out.append((path + ("resultaat",), f"alleen een eindstaat heeft een resultaat ('{name}' is dat niet)"))
            if not any(e.dest is not None for e in outgoing[name]):
                blocked = True
                out.append((path, f"staat '{name}' is geen eindstaat maar er gaat geen transitie uit"))
    if g.problems or blocked:  # unreachable states would only be follow-on noise (fix these first)
        return out
    reached = {d.initieel}
    todo = [d.initieel]
    while todo:
        for e in outgoing[todo.pop()]:
            if e.dest is not None and e.dest not in reached:
                reached.add(e.dest)
                todo.append(e.dest)
    for root, behind in _unreached_groups(g, outgoing, reached):
        fase, key = root.split(".", 1)
        also = f" (daardoor ook niet: {', '.join(behind)})" if behind else ""
        out.append((("fasen", fase, "staten", key), f"staat '{root}' is vanuit '{d.initieel}' niet te bereiken{also}"))
    return out


def _unreached_groups(g: Graph, outgoing: dict[str, list], reached: set[str]) -> list[tuple[str, list[str]]]:
    """Unreached states as (first state, the unreached states only reachable through it): one message each."""
    unreached = [s for s in g.states if s not in reached]
    fed = {e.dest for s in unreached for e in outgoing[s] if e.dest is not None and e.dest != s}
    roots = [s for s in unreached if s not in fed] + [s for s in unreached if s in fed]
    covered: set[str] = set()
    groups = []
    for root in roots:
        if root in covered:
            continue
        covered.add(root)
        behind, todo = [], [root]
        while todo:
            for e in outgoing[todo.pop()]:
                if e.dest is not None and e.dest not in reached and e.dest not in covered:
                    covered.add(e.dest)
                    behind.append(e.dest)
                    todo.append(e.dest)
        groups.append((root, [s for s in g.states if s in behind]))
    return groups


def _terms(d: Definition) -> list[tuple]:
    from r2c.errors import TermijnError
    from r2c.termijnen import parse_duur, parse_herinnering

    out: list[tuple] = []
    for naam, termijn in d.termijnen.items():
        base = ("termijnen", naam)
        try:
            parse_duur(termijn.duur)
        except TermijnError as error:
            out.append((base + ("duur",), str(error)))
        for i, text in enumerate(termijn.herinneringen):
            try:
                parse_herinnering(text)
            except TermijnError as error:
                out.append((base + ("herinneringen", i), str(error)))
        if termijn.escalatie is not None:
            try:
                parse_herinnering(termijn.escalatie)
            except TermijnError as error:
                out.append((base + ("escalatie",), str(error)))
        if termijn.bij_verstrijken is not None:
            fired_by_system = any((t.event or key) == termijn.bij_verstrijken and "systeem" in t.rollen
                                  for key, t in d.transities.items())
            if not fired_by_system:
                out.append((base + ("bij_verstrijken",),
                            f"'{termijn.bij_verstrijken}' is geen event dat de rol 'systeem' mag vuren"))
        if termijn.verlenging is not None:
            try:
                parse_duur(termijn.verlenging)
            except TermijnError as error:
                out.append((base + ("verlenging",), str(error)))
        out += _term_options(d, naam)
    return out


def _term_options(d: Definition, naam: str) -> list[tuple]:
    """``start: volledig`` needs a step that resumes the term; ``verlenging_ten_hoogste`` a maximum and a step that
    asks the length; ``dwangsom`` an existing beslistermijn and the two weeks of Awb 4:17 lid 3."""
    from r2c.errors import TermijnError
    from r2c.termijnen import Duur, Unit, parse_duur

    termijn = d.termijnen[naam]
    base = ("termijnen", naam)
    out: list[tuple] = []
    acting = {action: [key for key, t in d.transities.items() if naam in getattr(t.termijnen, action)]
              for action in ("hervatten", "verlengen")}
    if termijn.start == "volledig" and not acting["hervatten"]:
        out.append((base + ("start",), f"termijn '{naam}' heeft 'start: volledig', maar geen transitie hervat hem: "
                    f"zet 'hervatten: [{naam}]' bij de stap die de aanvraag compleet maakt (bv. 'aanvullen'), of "
                    "laat 'start' weg (standaard 'gebeurtenis': stilstaan tijdens de aanvulling, Awb 4:15)"))
    if termijn.verlenging_ten_hoogste:
        if termijn.verlenging is None:
            out.append((base + ("verlenging_ten_hoogste",),
                        f"termijn '{naam}' heeft 'verlenging_ten_hoogste: true' maar geen 'verlenging': zet daar "
                        "het maximum, bv. 'verlenging: 6 weken'"))
        for key in acting["verlengen"]:
            gegeven = d.transities[key].gegevens.get("verlenging")
            if gegeven is None:
                out.append(Finding(("transities", key, "termijnen", "verlengen"),
                                   f"transitie '{key}' verlengt termijn '{naam}' met ten hoogste "
                                   f"{termijn.verlenging}: vraag de lengte bij deze stap met het gegeven "
                                   "'verlenging: {type: getal, verplicht: true}' (het aantal in de eenheid van het "
                                   "maximum)", (base + ("verlenging_ten_hoogste",),)))
            elif gegeven.type != "getal":
                out.append((("transities", key, "gegevens", "verlenging", "type"),
                            f"het gegeven 'verlenging' van transitie '{key}' is de lengte van de verdaging: type "
                            f"moet 'getal' zijn, niet '{gegeven.type}'"))
    if termijn.dwangsom is not None:
        path = base + ("dwangsom",)
        if termijn.dwangsom not in d.termijnen or termijn.dwangsom == naam:
            known = ", ".join(k for k in d.termijnen if k != naam) or "geen"
            out.append((path, f"'dwangsom' noemt de beslistermijn die eerst verstreken moet zijn; '{termijn.dwangsom}' "
                              f"is geen andere termijn van deze definitie (gedefinieerd: {known})"))
        try:
            wrong = parse_duur(termijn.duur) != Duur(2, Unit.WEKEN)
        except TermijnError:
            wrong = False  # reported at 'duur'
        if wrong:
            out.append((base + ("duur",), f"termijn '{naam}' is de termijn na een ingebrekestelling ('dwangsom'): "
                                          f"die is twee weken (Awb 4:17 lid 3), niet '{termijn.duur}'; zet "
                                          "'duur: 2 weken'"))
    return out


def _archief(d: Definition, g: Graph) -> list[tuple[Path, str]]:
    """Every result a challenge can end with has an archiefnominatie; 'vernietigen' has a bewaartermijn."""
    from r2c.errors import TermijnError
    from r2c.termijnen import parse_duur

    out: list[tuple[Path, str]] = []
    results = sorted({s.resultaat for s in g.states.values() if s.eind and s.resultaat})
    for resultaat in results:
        if resultaat not in d.archief:
            out.append((("archief",), f"geen archiefnominatie en bewaartermijn voor resultaat '{resultaat}'"))
    for resultaat, regel in d.archief.items():
        path = ("archief", resultaat, "bewaartermijn")
        if regel.archiefnominatie == "vernietigen" and regel.bewaartermijn is None:
            out.append((path, "bij 'vernietigen' hoort een bewaartermijn, bv. '5 jaar'"))
        elif regel.bewaartermijn is not None:
            try:
                parse_duur(regel.bewaartermijn)
            except TermijnError as error:
                out.append((path, str(error)))
    return out


_PLACEHOLDERS = {"uitleg": {"datum", "label"}, "uitleg_te_laat": {"datum", "label"}, "uitleg_opgeschort": {"label"},
                 "uitleg_verdaagd": {"datum", "label", "verlenging"}}
"""The {names} each text of a term may hold: its last day and its label."""


def _texts(d: Definition, g: Graph) -> list[tuple[Path, str]]:
    """The initiatiefnemer's texts on the status page: every phase and state they can be in says what it means,
    every term a transition starts says what runs until when, and a text names only what it can be given."""
    out: list[tuple[Path, str]] = []
    for fase_key in dict.fromkeys(name.split(".", 1)[0] for name in g.states):
        fase = d.fasen[fase_key]
        if not fase.omschrijving:
            out.append((("fasen", fase_key, "omschrijving"),
                        f"fase '{fase_key}' heeft geen omschrijving: de statuspagina zegt daarmee de initiatiefnemer "
                        "wat er in deze stap gebeurt (gewone woorden, B1)"))
        for key, staat in fase.staten.items():
            if not staat.omschrijving:
                what = "de uitkomst" if staat.eind else "wat deze staat betekent"
                out.append((("fasen", fase_key, "staten", key, "omschrijving"),
                            f"staat '{fase_key}.{key}' heeft geen omschrijving: de statuspagina zegt daarmee de "
                            f"initiatiefnemer {what} (gewone woorden, B1)"))
    started = dict.fromkeys(naam for e in g.edges for naam in d.transities[e.transition].termijnen.start)
    for naam in started:
        if naam in d.termijnen and not d.termijnen[naam].uitleg:
            out.append((("termijnen", naam, "uitleg"),
                        f"termijn '{naam}' heeft geen uitleg: de statuspagina zegt daarmee de initiatiefnemer wat "
                        "er loopt tot wanneer, met {datum} voor de laatste dag (bv. 'De gemeente beslist uiterlijk "
                        "op {datum}.')"))
    for naam, termijn in d.termijnen.items():
        for field, allowed in _PLACEHOLDERS.items():
            text = getattr(termijn, field)
            if text is not None:
                problem = _placeholder_problem(text, allowed)
                if problem:
                    out.append((("termijnen", naam, field), problem))
    for key, transitie in d.transities.items():
        if transitie.uitleg and "initiatiefnemer" not in transitie.rollen:
            out.append((("transities", key, "uitleg"),
                        f"transitie '{key}' heeft een uitleg voor de initiatiefnemer, maar de initiatiefnemer mag "
                        "deze stap niet zetten (rollen: " + ", ".join(transitie.rollen) + ")"))
    return out


def _placeholder_problem(text: str, allowed: set[str]) -> str | None:
    """Why ``text`` cannot be filled in with ``allowed`` names ({datum} at most once), or None."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        return f"de tekst heeft een losse accolade ({error}); schrijf {{datum}} of {{label}}"
    unknown = sorted(set(names) - allowed)
    if unknown:
        return (f"onbekende invulplek {{{unknown[0]}}} in de tekst (mogelijk: "
                + ", ".join(f"{{{n}}}" for n in sorted(allowed)) + ")")
    if names.count("datum") > 1:
        return "{datum} staat meer dan één keer in de tekst"
    return None
