"""Warnings: what loads and runs, but a reviewer should look at before a definition goes live.

Errors (``checks.py``) keep a definition from loading; warnings never do. The catalog, the engine and the
service never see them: only ``r2c workflows validate`` prints them (``file:line: waarschuwing: [key] ...``)
and, with ``--streng``, fails on them.

Each warning belongs to one file: the one that wrote the value, or left it out. What a gemeente inherits
unchanged from its base is the base's warning, reported once at the base and not again in every gemeente.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from r2c.definitions.graph import Path
from r2c.definitions.loader import Loaded
from r2c.errors import Problem


def check_warnings(loaded: Sequence[Loaded]) -> list[Problem]:
    """Every warning in ``loaded``, each once, at the file and line that caused it, in file and line order."""
    by_key = {item.definition.key: item for item in loaded}
    cache: dict[str, set[tuple[Path, str]]] = {}

    def findings(item: Loaded) -> set[tuple[Path, str]]:
        if item.definition.key not in cache:
            cache[item.definition.key] = set(_findings(item))
        return cache[item.definition.key]

    found: list[Problem] = []
    for item in loaded:
        base = by_key.get(item.definition.extends or "")
        inherited = findings(base) if base is not None else set()
        found += [_at(item, path, message) for path, message in findings(item) - inherited]
        found += _unverified(item)
    return sorted(set(found), key=lambda p: (p.file, p.line, p.key, p.message))


def _findings(item: Loaded) -> list[tuple[Path, str]]:
    """The warnings of one resolved definition, by path: steps without an article, terms without reminders."""
    d, g = item.definition, item.graph
    out: list[tuple[Path, str]] = []
    for tid in dict.fromkeys(e.transition for e in g.edges):
        if not d.transities[tid].artikel:
            out.append((("transities", tid, "artikel"),
                        f"transitie '{tid}' noemt geen artikel: zet bij 'artikel' waarop de stap rust (bv. 'Awb 4:5' "
                        "of 'art. 10 lid 1'); kon u dat niet nalezen, zet er dan 'geverifieerd: false' bij"))
    started = dict.fromkeys(naam for e in g.edges for naam in d.transities[e.transition].termijnen.start)
    for naam in started:
        termijn = d.termijnen.get(naam)
        if termijn is None or termijn.herinneringen or termijn.rubriek == "initiatiefnemer_mag":
            continue
        wie = "de initiatiefnemer" if termijn.rubriek == "initiatiefnemer" else "de gemeente"
        out.append((("termijnen", naam, "herinneringen"),
                    f"termijn '{naam}' heeft geen herinneringen, maar {wie} moet erin iets doen: "
                    f"zet bv. 'herinneringen: [2 werkdagen voor]' (zij gaan naar de {termijn.herinneren})"))
    return out


def _at(item: Loaded, path: Path, message: str) -> Problem:
    """The warning at the value's line in ``item``'s file; inherited but caused here: at the section, noted."""
    node = item.origins.locate(path)
    key = ".".join(str(p) for p in path)
    if node.file == item.file:
        return Problem(item.file, node.line, key, message)
    section = item.origins.children.get(path[0])
    line = section.line if section is not None and section.file == item.file else item.origins.line
    return Problem(item.file, line, key, f"{message} (geërfd uit {node.file}:{node.line})")


def _unverified(item: Loaded) -> list[Problem]:
    """One warning for the values this file itself marks ``geverifieerd: false``, at the first of them."""
    marked = sorted(_marked_false(item.definition.model_dump(), item.origins, (), item.file))
    if not marked:
        return []
    line, path = marked[0]
    n = len(marked)
    count = "1 waarde is" if n == 1 else f"{n} waarden zijn"
    return [Problem(item.file, line, ".".join(str(p) for p in path),
                    f"{count} niet tegen de brontekst gecontroleerd (geverifieerd: false)")]


def _marked_false(value: Any, origins: Any, path: Path, file: str) -> list[tuple[int, Path]]:
    """(line, path) of every ``geverifieerd: false`` below ``value`` that was written in ``file``."""
    if origins is None:
        return []  # a default: nobody wrote it
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    out: list[tuple[int, Path]] = []
    for key, inner in items:
        node = origins.children.get(key)
        if key == "geverifieerd" and inner is False and node is not None and node.file == file:
            out.append((node.line, (*path, key)))
        else:
            out += _marked_false(inner, node, (*path, key), file)
    return out
