"""The catalog: every loaded definition version, and which version applies on a date."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path

from r2c.definitions.loader import Loaded, default_paths, load_all
from r2c.errors import DefinitionError, R2CError


class UnknownWorkflow(R2CError):
    """No definition with that id, version, or in force on that date."""


class Catalog:
    """Definitions by id and version.

    A challenge stays on the version it started under: look it up with ``get(id, versie)``; a new challenge
    takes ``in_force(id, on)``, the latest version whose ``geldig_vanaf`` is on or before that date.
    """

    def __init__(self, items: Sequence[Loaded]):
        self._items = {item.definition.key: item for item in items}
        self._versions: dict[str, list[Loaded]] = {}
        for item in items:
            self._versions.setdefault(item.definition.id, []).append(item)
        for versions in self._versions.values():
            versions.sort(key=lambda i: i.definition.geldig_vanaf)

    def __len__(self) -> int:
        return len(self._items)

    def ids(self, *, soort: str | None = None) -> list[str]:
        """The ids of all workflows (optionally only 'model' or 'gemeente'), sorted."""
        return sorted(i for i, v in self._versions.items() if soort is None or v[0].definition.soort == soort)

    def versions(self, ident: str) -> list[Loaded]:
        """Every version of ``ident``, oldest first."""
        if ident not in self._versions:
            raise UnknownWorkflow(f"geen workflow '{ident}'; bekend: {', '.join(self.ids()) or 'geen'}")
        return list(self._versions[ident])

    def get(self, ident: str, versie: str | None = None) -> Loaded:
        """Version ``versie`` of ``ident``; without a version, the newest."""
        versions = self.versions(ident)
        if versie is None:
            return versions[-1]
        item = self._items.get(f"{ident}@{versie}")
        if item is None:
            known = ", ".join(v.definition.versie for v in versions)
            raise UnknownWorkflow(f"'{ident}' heeft geen versie '{versie}'; wel: {known}")
        return item

    def in_force(self, ident: str, on: date) -> Loaded:
        """The version of ``ident`` that applies to a challenge started on ``on``."""
        candidates = [v for v in self.versions(ident) if v.definition.geldig_vanaf <= on]
        if not candidates:
            first = self.versions(ident)[0].definition.geldig_vanaf
            raise UnknownWorkflow(f"'{ident}' heeft op {on} nog geen geldende versie (eerste: {first})")
        return candidates[-1]

    def __iter__(self):
        return iter(self._items.values())


def load_catalog(paths: Sequence[Path | str] | None = None, *,
                 base_paths: Sequence[Path | str] | None = None) -> Catalog:
    """Load and check definitions (default: $R2C_DEFINITIES or model_verordening/ and workflows/).

    Raises DefinitionError with every problem, each as file:line, when anything is wrong.
    """
    if paths is None:
        paths = default_paths()
    loaded, problems = load_all(paths, base_paths=base_paths if base_paths is not None else default_paths())
    if problems:
        raise DefinitionError(problems)
    return Catalog(loaded)
