"""Read YAML with the line of every key, and report syntax errors and duplicate keys as problems.

PyYAML's C parser does the scanning; only the construction of mappings is ours, to keep line numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from r2c.errors import Problem

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping read from YAML that remembers its own line and the line of each key (1-based).

    ``replace`` is set by the tag ``!vervang``: the mapping replaces the inherited one instead of merging.
    """

    line: int = 0
    lines: dict[Any, int]
    replace: bool = False


class LineList(list):
    """A sequence read from YAML that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    lines: list[int]


class _LineLoader(_Loader):  # type: ignore[misc, valid-type]
    duplicates: list[tuple[int, str]]

    def construct_line_map(self, node: yaml.MappingNode):
        data = LineDict()
        data.line = node.start_mark.line + 1
        data.lines = {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise yaml.constructor.ConstructorError(
                    None, None, "een sleutel moet een enkele waarde zijn", key_node.start_mark
                )
            if key in data:
                self.duplicates.append((key_node.start_mark.line + 1, str(key)))
            data[key] = self.construct_object(value_node, deep=True)
            data.lines[key] = key_node.start_mark.line + 1

    def construct_replacing_map(self, node: yaml.MappingNode):
        generator = self.construct_line_map(node)
        data = next(generator)
        data.replace = True
        yield data
        for _ in generator:
            pass

    def construct_line_seq(self, node: yaml.SequenceNode):
        data = LineList()
        data.line = node.start_mark.line + 1
        data.lines = [child.start_mark.line + 1 for child in node.value]
        yield data
        data.extend(self.construct_object(child, deep=True) for child in node.value)


_LineLoader.add_constructor("tag:yaml.org,2002:map", _LineLoader.construct_line_map)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _LineLoader.construct_line_seq)
_LineLoader.add_constructor("!vervang", _LineLoader.construct_replacing_map)


_YAML_DUTCH = {
    "mapping values are not allowed in this context":
        "hier mag geen 'sleutel: waarde' staan (zet tekst met een dubbele punt tussen aanhalingstekens)",
    "found character '\\t' that cannot start any token": "tabs zijn niet toegestaan; spring in met spaties",
    "could not find expected ':'": "':' verwacht na de sleutel",
    "found undefined alias": "onbekende verwijzing (*alias)",
    "did not find expected ',' or ']'": "',' of ']' verwacht: een lijst [..] is niet afgesloten",
    "did not find expected ',' or '}'": "',' of '}' verwacht: een mapping {..} is niet afgesloten",
    "did not find expected key": "sleutel verwacht: klopt de inspringing?",
}
"""PyYAML's most common messages in Dutch; others are shown as PyYAML gives them."""


@dataclass
class Source:
    """One definition file as read: its data with line numbers, or the problems that kept it from loading.

    Attributes:
        file: the path as given (used in every message).
        data: the top-level mapping, or None when the file could not be read as a mapping.
        problems: syntax errors, duplicate keys, a top level that is not a mapping.
    """

    file: str
    data: LineDict | None
    problems: list[Problem] = field(default_factory=list)


def read_source(path: Path | str, text: str | None = None) -> Source:
    """Read one YAML file (or ``text`` under that name); never raises for bad content."""
    name = str(path)
    if text is None:
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            return Source(name, None, [Problem(name, 0, "", f"bestand niet te lezen: {error}")])
    loader = _LineLoader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 0
        what = error.problem or error.context or "onleesbare YAML"
        what = _YAML_DUTCH.get(what, what)
        return Source(name, None, [Problem(name, line, "", f"geen geldige YAML: {what}")])
    except yaml.YAMLError as error:
        return Source(name, None, [Problem(name, 0, "", f"geen geldige YAML: {error}")])
    finally:
        loader.dispose()
    problems = [
        Problem(name, line, key, f"sleutel '{key}' staat twee keer in dezelfde mapping (dubbele id)")
        for line, key in loader.duplicates
    ]
    if not isinstance(data, LineDict):
        problems.append(Problem(name, 1, "", "het bestand moet een mapping zijn (sleutel: waarde) op het hoogste niveau"))
        return Source(name, None, problems)
    return Source(name, data, problems)
