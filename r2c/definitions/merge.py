"""Merge a gemeente file over its base, remembering for every value which file and line it came from.

Rules (docs/workflows-reference.md, "Overerving", explains them for policy officers):
- a mapping in the file is merged key by key into the base's mapping;
- any other value (text, number, list) replaces the base's value;
- ``null`` removes an inherited key (e.g. ``transities: {overeenkomst_sluiten: null}``);
- a mapping tagged ``!vervang`` replaces the inherited mapping as a whole (e.g. a gemeente's own criteria).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from r2c.definitions.yamlsource import LineDict, LineList


@dataclass
class Origins:
    """A tree parallel to the data: where each value was written (file, line), and its children's origins.

    Attributes:
        file: the file the value was written in.
        line: its 1-based line.
        children: origins of the keys (mappings) or indexes (lists) below it.
        removed: keys this file removed with ``null``: key -> (line of the ``null``, the value it removed);
            for messages that name the line causing a problem in what is left.
    """

    file: str
    line: int
    children: dict[Any, Origins] = field(default_factory=dict)
    removed: dict[Any, tuple[int, Any]] = field(default_factory=dict)

    def locate(self, path: tuple[Any, ...]) -> Origins:
        """The deepest known origin along ``path`` (a missing key is reported at its parent)."""
        node = self
        for part in path:
            child = node.children.get(part)
            if child is None:
                break
            node = child
        return node


def origins_of(file: str, value: Any, line: int) -> Origins:
    """The origin tree of a value as read from ``file``."""
    node = Origins(file, line)
    if isinstance(value, LineDict):
        node.children = {k: origins_of(file, v, value.lines.get(k, value.line)) for k, v in value.items()}
    elif isinstance(value, LineList):
        node.children = {i: origins_of(file, v, value.lines[i]) for i, v in enumerate(value)}
    return node


def plain(value: Any) -> Any:
    """The value without line bookkeeping (plain dicts and lists)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def merge(base: dict[str, Any], base_origins: Origins, child: LineDict, file: str,
          skip: tuple[str, ...] = ()) -> tuple[dict[str, Any], Origins]:
    """``child`` (read from ``file``) merged over ``base``; keys in ``skip`` are taken from the child only.

    The base is not changed: only the mappings along changed paths are copied.
    """
    data = {k: v for k, v in base.items() if k not in skip}
    origins = Origins(file, child.line, {k: v for k, v in base_origins.children.items() if k not in skip})
    _merge_into(data, origins, child, file)
    return data, origins


def _merge_into(data: dict[str, Any], origins: Origins, child: LineDict, file: str) -> None:
    for key, value in child.items():
        line = child.lines.get(key, child.line)
        if value is None:
            if key in data:
                origins.removed[key] = (line, data[key])
            data.pop(key, None)
            origins.children.pop(key, None)
        elif isinstance(value, LineDict) and not value.replace and isinstance(data.get(key), dict):
            inner = dict(data[key])
            base_node = origins.children.get(key) or Origins(file, line)
            node = Origins(file, line, dict(base_node.children))
            _merge_into(inner, node, value, file)
            data[key] = inner
            origins.children[key] = node
        else:
            data[key] = _strip_nulls(plain(value))
            origins.children[key] = origins_of(file, value, line)


def _strip_nulls(value: Any) -> Any:
    """Inside a new mapping a ``null`` means 'not set', so the key is left out and its default applies."""
    if isinstance(value, dict):
        return {k: _strip_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nulls(v) for v in value]
    return value
