"""Load definition files: read, resolve ``extends``, merge, validate, check. All problems at once.

``load_catalog(paths)`` returns a Catalog or raises DefinitionError listing every problem as file:line.
"""

from __future__ import annotations

import difflib
import os
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from r2c.bulk import collector_paused
from r2c.definitions.causes import Causes
from r2c.definitions.checks import check_definition
from r2c.definitions.graph import Graph, build_graph
from r2c.definitions.merge import Origins, merge, origins_of, plain
from r2c.definitions.schema import IDENTITY_KEYS, Definition
from r2c.definitions.yamlsource import LineDict, Source, read_source
from r2c.errors import Problem

ENV_PATHS = "R2C_DEFINITIES"
"""Environment variable with the folders (or files) to load, separated by ':'."""


@dataclass(frozen=True)
class Loaded:
    """One resolved and checked definition version.

    Attributes:
        definition: the validated definition.
        graph: its effective states and edges.
        origins: where each value came from (file and line), for messages and ``workflows show``.
        file: the file that defines this version.
        chain: the files it was built from, base first.
    """

    definition: Definition
    graph: Graph
    origins: Origins
    file: str
    chain: tuple[str, ...]


def default_paths() -> list[Path]:
    """Where definitions live: $R2C_DEFINITIES, else model_verordening/ and workflows/ here or in the repo."""
    env = os.environ.get(ENV_PATHS)
    if env:
        return [Path(p) for p in env.split(os.pathsep) if p]
    for root in (Path.cwd(), Path(__file__).resolve().parents[2]):
        found = [root / "model_verordening", root / "workflows"]
        if any(p.is_dir() for p in found):
            return [_short(p) for p in found if p.is_dir()]
    return []


def _short(path: Path) -> Path:
    """``path`` relative to the working directory when it lies below it: shorter messages."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def expand(paths: Iterable[Path | str]) -> list[Path]:
    """Files under ``paths`` (folders searched for *.yaml and *.yml), each once, in a stable order."""
    files: dict[Path, None] = {}
    for p in map(_short, map(Path, paths)):
        if p.is_dir():
            for f in sorted([*p.rglob("*.yaml"), *p.rglob("*.yml")]):
                files.setdefault(f, None)
        else:
            files.setdefault(p, None)
    return list(files)


def load_all(paths: Sequence[Path | str], *, base_paths: Sequence[Path | str] = ()) -> tuple[list[Loaded], list[Problem]]:
    """Every definition under ``paths`` (bases may also come from ``base_paths``), and every problem found."""
    main = expand(paths)
    known = {m.resolve() for m in main}
    extra = [f for f in expand(base_paths) if f.resolve() not in known]
    with collector_paused():
        sources = [read_source(f) for f in main + extra]
        return _Resolver(sources, report={str(f) for f in main}).run()


class _Resolver:
    def __init__(self, sources: list[Source], report: set[str]):
        self.sources = sources
        self.report = report
        self.main = set(report)
        self.problems: list[Problem] = []
        self.by_key: dict[str, Source] = {}
        self.resolved: dict[str, tuple[dict[str, Any], Origins, tuple[str, ...]] | None] = {}

    def run(self) -> tuple[list[Loaded], list[Problem]]:
        for s in self.sources:
            self.problems += s.problems
            if s.data is None:
                continue
            key = _key_of(s.data)
            if key is None:
                self.problems.append(Problem(s.file, s.data.line, "", "'id' en 'versie' zijn verplicht"))
                continue
            if key in self.by_key:
                first = self.by_key[key]
                self.problems.append(Problem(s.file, s.data.lines.get("versie", 1), "versie",
                                             f"'{key}' staat ook in {first.file}: elke versie mag één keer bestaan"))
                continue
            self.by_key[key] = s
        loaded = []
        for key, source in self.by_key.items():
            result = self._resolve(key, ())
            if result is None:
                if source.file in self.report:
                    self.report.update(self._base_files(source))
                continue
            if source.file in self.report:
                self.report.update(result[2])
            item = self._validate(source, *result)
            if item is not None:
                loaded.append(item)
        self._check_versions(loaded)
        problems = [p for p in self.problems if p.file in self.report or not self.report]
        loaded = [item for item in loaded if item.file in self.main] + [i for i in loaded if i.file not in self.main]
        return loaded, sorted(set(problems), key=lambda p: (p.file, p.line, p.key, p.message))

    def _resolve(self, key: str, stack: tuple[str, ...]):
        if key in self.resolved:
            return self.resolved[key]
        source = self.by_key[key]
        data = source.data
        assert data is not None
        parent = data.get("extends")
        if parent is None:
            result = plain(data), origins_of(source.file, data, data.line), (source.file,)
        else:
            line = data.lines.get("extends", 1)
            if not isinstance(parent, str) or "@" not in parent:
                self._add(source.file, line, "extends", f"'extends' moet 'id@versie' zijn, niet '{parent}'")
                result = None
            elif parent in stack or parent == key:
                cycle = " -> ".join([*stack, key, parent])
                self._add(source.file, line, "extends", f"kringverwijzing in extends: {cycle}")
                result = None
            elif parent not in self.by_key:
                known = ", ".join(sorted(self.by_key)) or "geen"
                self._add(source.file, line, "extends", f"basis '{parent}' niet gevonden (geladen: {known})")
                result = None
            else:
                data = self._without_empty_sections(source)
                base = self._resolve(parent, (*stack, key))
                if base is None:
                    if key not in stack:
                        self._add(source.file, line, "extends", f"basis '{parent}' heeft zelf fouten; zie daar")
                    result = None
                else:
                    tree, origins = merge(base[0], base[1], data, source.file, skip=IDENTITY_KEYS)
                    result = tree, origins, (*base[2], source.file)
        self.resolved[key] = result
        return result

    def _base_files(self, source: Source) -> set[str]:
        """The files ``source`` builds on, as far as they exist (to show their problems too)."""
        files, seen = set(), set()
        while source.data is not None and isinstance(source.data.get("extends"), str):
            parent = self.by_key.get(source.data["extends"])
            if parent is None or parent.file in seen:
                break
            seen.add(parent.file)
            files.add(parent.file)
            source = parent
        return files

    def _without_empty_sections(self, source: Source) -> LineDict:
        """The file's top level without empty keys, each reported: an empty section would wipe the base's."""
        data = source.data
        assert data is not None
        kept = LineDict({k: v for k, v in data.items() if v is not None})
        kept.line, kept.lines = data.line, data.lines
        for name in data.keys() - kept.keys():
            self._add(source.file, data.lines[name], name,
                      f"'{name}' is leeg: dat zou alles wissen wat de basis hier heeft; "
                      "laat de sleutel weg of noem alleen wat anders is")
        return kept

    def _validate(self, source: Source, tree: dict[str, Any], origins: Origins, chain: tuple[str, ...]):
        """Validate, then check the graph; with shape errors, check what remains so all problems show at once."""
        broken = False
        resolved = tree
        reported: list[tuple[Any, ...]] = []
        for _ in range(5):
            try:
                definition = Definition.model_validate(tree)
                break
            except ValidationError as error:
                broken = True
                errors = error.errors()
                for e in errors:
                    loc = tuple(e["loc"])
                    if e["type"] == "missing" and any(r[:len(loc)] == loc for r in reported):
                        continue  # missing only because a wrong value there was taken out after reporting it
                    self._at(origins, loc, _explain(e, Definition), source)
                locs = [tuple(e["loc"]) for e in errors]
                reported += locs
                tree = _without(tree, locs)
        else:
            return None
        graph = build_graph(definition)
        for path, message, causes in check_definition(definition, graph):
            self._at(origins, path, message, source, Causes(causes, resolved))
        return None if broken else Loaded(definition, graph, origins, source.file, chain)

    def _check_versions(self, loaded: list[Loaded]) -> None:
        by_id: dict[str, list[Loaded]] = {}
        for item in loaded:
            by_id.setdefault(item.definition.id, []).append(item)
        for items in by_id.values():
            dates: dict[Any, Loaded] = {}
            for item in sorted(items, key=lambda i: i.definition.versie):
                d = item.definition
                if d.geldig_vanaf in dates:
                    other = dates[d.geldig_vanaf].definition.versie
                    self._at(item.origins, ("geldig_vanaf",),
                             f"versie {other} geldt ook vanaf {d.geldig_vanaf}: elke versie heeft een eigen datum")
                dates[d.geldig_vanaf] = item
                versions = {i.definition.versie: i for i in items}
                for m_index, migratie in enumerate(d.migraties):
                    path = ("migraties", m_index)
                    old = versions.get(migratie.van_versie)
                    if old is None:
                        self._at(item.origins, path + ("van_versie",),
                                 f"versie '{migratie.van_versie}' van '{d.id}' bestaat niet")
                        continue
                    old_states = old.graph.states
                    for src, dst in migratie.staten.items():
                        if src not in old_states:
                            self._at(item.origins, path + ("staten", src),
                                     f"'{src}' is geen staat van versie {migratie.van_versie}")
                        if dst not in item.graph.states:
                            self._at(item.origins, path + ("staten", src),
                                     f"'{dst}' is geen staat van versie {d.versie}")
                    unmapped = [s for s, st in old_states.items() if not st.eind and s not in migratie.staten]
                    if unmapped:
                        self._at(item.origins, path + ("staten",),
                                 f"niet vertaald naar versie {d.versie}: {', '.join(unmapped)} "
                                 "(elke lopende staat heeft een doel nodig)")

    def _add(self, file: str, line: int, key: str, message: str) -> None:
        self.problems.append(Problem(file, line, key, message))

    def _at(self, origins: Origins, path: tuple[Any, ...], message: str, source: Source | None = None,
            causes: Causes | None = None) -> None:
        """Report at the value's file and line; an inherited value is reported in the inheriting file.

        There, at the line that caused the problem when it can be told (a value the check names as cause,
        or a transition this file changed or removed that touches the state concerned), else at the section.
        """
        node = origins.locate(path)
        key = ".".join(str(p) for p in path)
        if source is not None and source.data is not None and node.file != source.file:
            line = causes.line(origins, path, source.file) if causes else None
            if line is None:
                line = source.data.lines.get(path[0], 1) if path else 1
            self._add(source.file, line, key, f"{message} (geërfd uit {node.file}:{node.line})")
            return
        self._add(node.file, node.line, key, message)


def _without(tree: dict[str, Any], locs: list[tuple[Any, ...]]) -> dict[str, Any]:
    """A copy of ``tree`` without the values at ``locs`` (already reported), to check the rest."""
    import copy

    pruned = copy.deepcopy(tree)
    for loc in locs:
        node: Any = pruned
        for part in loc[:-1]:
            node = node.get(part) if isinstance(node, dict) else None
            if node is None:
                break
        if isinstance(node, dict) and loc:
            if loc[-1] in node:
                node.pop(loc[-1])
            elif len(loc) >= 2:  # a required key is missing: drop the item that lacks it
                parent: Any = pruned
                for part in loc[:-2]:
                    parent = parent.get(part) if isinstance(parent, dict) else None
                if isinstance(parent, dict):
                    parent.pop(loc[-2], None)
    return pruned


def _key_of(data: dict[str, Any]) -> str | None:
    ident, version = data.get("id"), data.get("versie")
    if ident is None or version is None:
        return None
    return f"{ident}@{version}"


_MESSAGES = {
    "missing": "verplicht veld ontbreekt",
    "string_type": "moet tekst zijn",
    "bool_type": "moet true of false zijn",
    "bool_parsing": "moet true of false zijn",
    "int_type": "moet een geheel getal zijn",
    "int_parsing": "moet een geheel getal zijn",
    "list_type": "moet een lijst zijn",
    "dict_type": "moet een mapping (sleutel: waarde) zijn",
    "model_type": "moet een mapping (sleutel: waarde) zijn",
    "model_attributes_type": "moet een mapping (sleutel: waarde) zijn",
    "date_type": "moet een datum zijn (JJJJ-MM-DD)",
    "date_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "date_from_datetime_parsing": "moet een datum zijn (JJJJ-MM-DD)",
    "string_pattern_mismatch": "heeft niet de juiste vorm",
}


def _explain(error: dict[str, Any], root: type[BaseModel]) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        allowed = _fields_at(root, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"; bedoelde u '{close[0]}'?" if close else (f"; toegestaan: {', '.join(allowed)}" if allowed else "")
        return f"onbekende sleutel '{loc[-1]}'{hint}"
    if kind == "literal_error":
        expected = str(error.get("ctx", {}).get("expected", "")).replace(" or ", " of ")
        return f"waarde '{error.get('input')}' is niet toegestaan; kies uit {expected}"
    if kind == "string_pattern_mismatch" and "[a-z]" in str(error.get("ctx", {}).get("pattern", "")):
        return f"'{error.get('input')}' is geen geldige naam: kleine letters, cijfers en _, beginnend met een letter"
    message = _MESSAGES.get(kind)
    if message is None:
        return error["msg"]
    if kind != "missing" and "input" in error and not isinstance(error["input"], (dict, list)):
        message += f" (nu: {error['input']!r})"
    return message


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The field names allowed at ``loc`` (for 'did you mean' hints); empty when unknown."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            field = current.model_fields.get(str(part))
            if field is None:
                return []
            current = field.annotation
        else:
            args = [a for a in typing.get_args(current) if a is not type(None)]
            origin = typing.get_origin(current)
            if origin is dict and len(args) == 2:
                current = args[1]
            elif origin is list and args:
                current = args[0]
            elif args:
                current = args[-1] if typing.get_origin(current) is typing.Annotated else args[0]
                continue
            else:
                return []
        while typing.get_origin(current) is typing.Annotated:
            current = typing.get_args(current)[0]
        args = [a for a in typing.get_args(current) if a is not type(None)]
        if typing.get_origin(current) in (typing.Union, types.UnionType) and len(args) == 1:
            current = args[0]
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []
