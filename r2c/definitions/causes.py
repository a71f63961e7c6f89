"""Which line of a gemeente file caused a problem found in a value it inherited unchanged.

A check finds, say, that the model's state 'uitvoering.verantwoording' has no way out; the model's line is
not what the author of the gemeente file must change. The cause is in their file: a transition removed with
``null``, a state made final, a phase removed. This module finds that line from the origins of the merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from r2c.definitions.merge import Origins


@dataclass(frozen=True)
class Causes:
    """What may have caused a problem in an inherited value.

    Attributes:
        paths: values the check names as causes (e.g. the ``eind`` of a state), tried first.
        tree: the resolved definition as merged, before validation (to read the transitions' van and naar).
    """

    paths: tuple[tuple[Any, ...], ...]
    tree: dict[str, Any]

    def line(self, origins: Origins, path: tuple[Any, ...], file: str) -> int | None:
        """The line in ``file`` that caused the problem at ``path``, or None when it cannot be told."""
        for cause in self.paths:
            node: Origins | None = origins
            for part in cause:
                node = node.children.get(part) if node is not None else None
            if node is not None and node.file == file:
                return node.line
        if len(path) >= 4 and path[0] == "fasen" and path[2] == "staten":
            names = {f"{path[1]}.{path[3]}", str(path[1])}
            return self._transition_touching(origins, file, names)
        if len(path) >= 2 and path[0] == "transities":
            return self._state_removed_for(origins, file, self._transitions().get(path[1]))
        return None

    def _transition_touching(self, origins: Origins, file: str, names: set[str]) -> int | None:
        """The first transition this file removed or changed whose van/naar names a state or phase in ``names``."""
        node = origins.children.get("transities")
        if node is None or node.file != file:
            return None
        for line, value in node.removed.values():
            if _names_in(value) & names:
                return line
        current = self._transitions()
        for tid, child in node.children.items():
            if child.file == file and _names_in(current.get(tid)) & names:
                return child.line
        return None

    def _transitions(self) -> dict[Any, Any]:
        """The resolved tree's transitions; empty when that part is not a mapping (already reported)."""
        found = self.tree.get("transities") if isinstance(self.tree, dict) else None
        return found if isinstance(found, dict) else {}

    @staticmethod
    def _state_removed_for(origins: Origins, file: str, transition: Any) -> int | None:
        """The line where this file removed a phase or state the transition names."""
        names = _names_in(transition)
        fasen = origins.children.get("fasen")
        if fasen is None or fasen.file != file:
            return None
        for fase, (line, _) in fasen.removed.items():
            if fase in names or any(n.startswith(f"{fase}.") for n in names):
                return line
        for fase, child in fasen.children.items():
            staten = child.children.get("staten")
            if child.file == file and staten is not None and staten.file == file:
                for staat, (line, _) in staten.removed.items():
                    if f"{fase}.{staat}" in names:
                        return line
        return None


def _names_in(transition: Any) -> set[str]:
    """The state and phase names a transition's van, naar and anders_naar mention."""
    if not isinstance(transition, dict):
        return set()
    names: set[str] = set()
    for key in ("van", "naar", "anders_naar"):
        value = transition.get(key)
        names.update(v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str))
    return names
