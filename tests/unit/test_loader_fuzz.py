"""Fuzzing the loader: any generated definition loads, or raises DefinitionError; nothing else escapes."""

from __future__ import annotations

import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from r2c.definitions import load_catalog
from r2c.errors import DefinitionError
from tests.conftest import MODEL_DIR

MODEL = yaml.safe_load((MODEL_DIR / "vng-model-2024.yaml").read_text(encoding="utf-8"))
STATES = [f"{f}.{s}" for f, fase in MODEL["fasen"].items() for s in fase["staten"]]

names = st.sampled_from(["toetsing", "besluit.voorgelegd", "nergens", "afgesloten.uitgevoerd", "", "x.y.z"] + STATES)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=12), names,
                    st.lists(names, max_size=3))
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(min_size=1, max_size=8), inner, max_size=3)), max_leaves=8)


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for key, value in node.items():
            yield prefix + (key,)
            yield from _paths(value, prefix + (key,))


ALL_PATHS = list(_paths(MODEL))


@st.composite
def mutated_gemeente(draw):
    """A gemeente file with random overrides of real keys, random new keys, and random values."""
    doc = {"soort": "gemeente", "id": "fuzz", "naam": "Fuzz", "versie": "1", "geldig_vanaf": "2025-01-01",
           "extends": "vng-model-2024@2024.1", "bron": {"titel": "fuzz"}}
    for _ in range(draw(st.integers(1, 6))):
        path = draw(st.sampled_from(ALL_PATHS))
        if draw(st.booleans()):
            path = path[:-1] + (draw(st.text(min_size=1, max_size=6)),)
        node = doc
        for part in path[:-1]:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node[path[-1]] = draw(values)
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_gemeente())
def test_loader_loads_or_raises_its_own_error(doc) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.yaml"
        path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        try:
            catalog = load_catalog([path], base_paths=[MODEL_DIR])
        except DefinitionError as error:
            assert error.problems
            assert all(p.file and p.message for p in error.problems)
        else:
            assert catalog.get("fuzz").definition.id == "fuzz"


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_loader_survives_arbitrary_bytes(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rommel.yaml"
        path.write_bytes(raw)
        try:
            load_catalog([path], base_paths=[])
        except DefinitionError as error:
            assert all(p.file == str(path) for p in error.problems)
