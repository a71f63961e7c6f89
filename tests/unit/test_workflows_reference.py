"""docs/workflows-reference.md agrees with the code: its tables are checked against the schema, the voorwaarden,
the model, the broken fixtures and the CLI, and the links into the workflow docs resolve.

Adding an optional field to a schema model needs one row in that model's table (marked
``<!-- sleutels: Model -->``); the type and default columns are compared with what ``describe`` says of it.
"""

from __future__ import annotations

import inspect
import re
import types
import typing
from datetime import date
from pathlib import Path

import pytest
from pydantic import BaseModel, BeforeValidator
from pydantic_core import PydanticUndefined

from r2c.cli.workflows import workflows as workflows_app
from r2c.definitions import load_all, schema
from r2c.definitions.lint import check_warnings
from r2c.definitions.voorwaarden import VOORWAARDEN
from tests.conftest import FIXTURES, MODEL_DIR, ROOT
from tests.markdown import anchors, code, links, marked_tables, plain

DOC = ROOT / "docs" / "workflows-reference.md"
TABLES = marked_tables(DOC.read_text(encoding="utf-8"))


def _public_models() -> dict[str, type[BaseModel]]:
    return {name: cls for name, cls in vars(schema).items() if not name.startswith("_")
            and inspect.isclass(cls) and issubclass(cls, BaseModel) and cls.__module__ == schema.__name__}


def _herkomst() -> type[BaseModel]:
    """The base whose fields (artikel, geverifieerd, opmerking) several models share: the table 'herkomst'."""
    [base] = {b for cls in _public_models().values() for b in cls.__mro__[1:]
              if b.__module__ == schema.__name__ and b.model_fields}
    return base


HERKOMST = _herkomst()


def models() -> dict[str, type[BaseModel]]:
    """Every model of the definition format, and the herkomst base: each needs a table of its own."""
    return {**_public_models(), "herkomst": HERKOMST}


def own_fields(cls: type[BaseModel]) -> dict:
    """The fields a model's table lists: the herkomst fields are in their own table."""
    inherited = HERKOMST.model_fields if cls is not HERKOMST and issubclass(cls, HERKOMST) else {}
    return {k: f for k, f in cls.model_fields.items() if k not in inherited}


def type_name(annotation, metadata=()) -> str:
    """A field's type in the words of the reference ('tekst', 'lijst van tekst', 'naam → Termijn', ...)."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Annotated:
        inner, *extra = args
        pattern = [getattr(m, "pattern", None) for e in extra for m in getattr(e, "metadata", [])]
        return "naam" if inner is str and "^[a-z][a-z0-9_]*$" in pattern else type_name(inner)
    if origin in (typing.Union, types.UnionType):
        kinds = [a for a in args if a is not type(None)]
        return " of ".join(type_name(a) for a in kinds)
    if origin is typing.Literal:
        return " / ".join(str(a) for a in args)
    if origin is list:
        item = type_name(args[0])
        if any(isinstance(m, BeforeValidator) for m in metadata):
            return f"{item} of lijst van {item}"
        return f"lijst van {item}"
    if origin is dict:
        return f"{type_name(args[0])} → {type_name(args[1])}"
    simple = {str: "tekst", bool: "ja/nee", int: "getal", float: "getal", date: "datum", typing.Any: "waarde"}
    if annotation in simple:
        return simple[annotation]
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return annotation.__name__
    raise AssertionError(f"no word for type {annotation!r}: add one to type_name in {__file__}")


def default_name(field) -> str:
    """A field's default in the words of the reference: 'verplicht', 'leeg', true, [], {}, or the value."""
    if field.is_required():
        return "verplicht"
    if field.default_factory is not None:
        value = field.default_factory()
        return "[]" if isinstance(value, list) else "{}"
    value = field.default
    assert value is not PydanticUndefined
    if value is None:
        return "leeg"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe(field) -> tuple[str, str]:
    return type_name(field.annotation, field.metadata), default_name(field)


def table(mark: str) -> list[dict[str, str]]:
    assert mark in TABLES, f"{DOC.name} has no table marked <!-- {mark} -->"
    return TABLES[mark]


def test_every_model_of_the_format_has_a_table() -> None:
    documented = {mark.removeprefix("sleutels: ") for mark in TABLES if mark.startswith("sleutels: ")}
    assert documented == set(models()), "tables marked <!-- sleutels: Model --> vs the models in schema.py"


@pytest.mark.parametrize("name", sorted(models()))
def test_a_table_lists_exactly_the_fields_of_its_model(name: str) -> None:
    rows = [plain(row["sleutel"]) for row in table(f"sleutels: {name}")]
    fields = list(own_fields(models()[name]))
    assert len(rows) == len(set(rows)), f"a key listed twice in the table of {name}"
    assert not set(fields) - set(rows), f"fields of {name} missing in {DOC.name}: {set(fields) - set(rows)}"
    assert not set(rows) - set(fields), f"keys in the table of {name} that {name} lacks: {set(rows) - set(fields)}"


@pytest.mark.parametrize("name", sorted(models()))
def test_a_row_gives_the_type_and_default_of_its_field(name: str) -> None:
    fields = own_fields(models()[name])
    wrong = []
    for row in table(f"sleutels: {name}"):
        key = plain(row["sleutel"])
        if key in fields:
            doc = (plain(row["type"]), plain(row["standaard"]))
            if doc != describe(fields[key]):
                wrong.append(f"{key}: the table says {doc}, {name} has {describe(fields[key])}")
    assert not wrong, "\n".join(wrong)


def test_the_keys_that_never_inherit_are_marked_so() -> None:
    marked = {plain(row["sleutel"]) for row in table("sleutels: Definition") if plain(row["erft mee"]) == "nee"}
    assert marked == set(schema.IDENTITY_KEYS)


def test_type_names_cover_optional_strings_as_the_lead_adds_them() -> None:
    class Probe(BaseModel):
        uitleg: str | None = None

    assert describe(Probe.model_fields["uitleg"]) == ("tekst", "leeg")


def test_the_voorwaarden_table_is_the_registry() -> None:
    rows = {plain(row["naam"]): row for row in table("voorwaarden")}
    assert list(rows) == list(VOORWAARDEN), "voorwaarden in the table vs r2c/definitions/voorwaarden.py"
    for naam, v in VOORWAARDEN.items():
        assert plain(rows[naam]["wat moet kloppen"]) == v.omschrijving, naam
        assert plain(rows[naam]["artikel"]) == v.artikel, naam


@pytest.fixture(scope="module")
def model():
    [item] = [i for i in load_all([MODEL_DIR])[0] if i.definition.soort == "model"]
    return item.definition


def test_the_voorwaarden_table_names_the_model_steps_that_use_each(model) -> None:
    for row in table("voorwaarden"):
        naam = plain(row["naam"])
        users = [key for key, t in model.transities.items() if naam in t.voorwaarden]
        assert sorted(code(row["in het model bij"])) == sorted(users), naam


def test_the_model_tables_list_its_roles_and_phases(model) -> None:
    assert [plain(row["rol"]) for row in table("model: rollen")] == list(model.rollen)
    phases = [(plain(r["fase"]), code(r["staten"]), plain(r["optioneel"])) for r in table("model: fasen")]
    assert phases == [(k, list(f.staten), "ja" if f.optioneel else "nee") for k, f in model.fasen.items()]


def _cases(mark: str) -> list[tuple[str, str]]:
    """(message shown, fixture linked) of each row of the table marked ``mark``."""
    cases = []
    for row in table(mark):
        [message] = code(row["melding"])
        [target] = re.findall(r"\]\(([^)]+)\)", row["testbestand"])
        cases.append((message, target))
    return cases


def _fixture(target: str, folder: str) -> Path:
    path = (DOC.parent / target).resolve()
    assert path.is_relative_to(FIXTURES / folder) and path.exists(), target
    return path


def _assert_gives(shown: str, given: list[str], target: str) -> None:
    """One of ``given`` is ``shown``, where '…' in ``shown`` stands for any text."""
    first, *rest = shown.split("…")
    assert any(text.startswith(first) and _in_order(rest, text, len(first)) for text in given), (
        f"{target} does not give {shown!r}; it gives:\n" + "\n".join(given))


@pytest.mark.parametrize(("shown", "target"), _cases("meldingen"), ids=lambda v: v[:60])
def test_a_message_in_the_table_is_what_its_fixture_gives(shown: str, target: str) -> None:
    _, problems = load_all([_fixture(target, "broken")], base_paths=[MODEL_DIR])
    _assert_gives(shown, [(f"[{p.key}] " if p.key else "") + p.message for p in problems], target)


@pytest.mark.parametrize(("shown", "target"), _cases("waarschuwingen"), ids=lambda v: v[:60])
def test_a_warning_in_the_table_is_what_its_fixture_gives(shown: str, target: str) -> None:
    path = _fixture(target, "warnings")
    loaded, problems = load_all([path], base_paths=[MODEL_DIR])
    assert problems == []
    own = str(path.relative_to(ROOT))
    _assert_gives(shown, [f"[{w.key}] {w.message}" for w in check_warnings(loaded) if w.file == own], target)


def _in_order(parts: list[str], text: str, at: int) -> bool:
    if not parts:
        return at == len(text)
    *middle, last = parts
    for part in middle:
        found = text.find(part, at)
        if found < 0:
            return False
        at = found + len(part)
    return text.endswith(last) and len(text) - len(last) >= at


def test_the_commands_table_names_every_workflows_command() -> None:
    names = {c.name or c.callback.__name__ for c in workflows_app.registered_commands}
    shown = {m for row in table("opdrachten") for m in re.findall(r"r2c workflows (\w+)", row["opdracht"])}
    assert shown == names


DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
WORKFLOW_DOCS = {ROOT / "docs" / "workflows.md", DOC}


@pytest.mark.parametrize("source", DOCS, ids=lambda p: p.name)
def test_links_into_and_out_of_the_workflow_docs_resolve(source: Path) -> None:
    broken = []
    for target in links(source):
        file, _, anchor = target.partition("#")
        path = (source.parent / file).resolve() if file else source
        if source not in WORKFLOW_DOCS and path not in WORKFLOW_DOCS:
            continue
        if not path.exists():
            broken.append(target)
        elif anchor and path.suffix == ".md" and anchor not in anchors(path):
            broken.append(target)
    assert not broken, f"links in {source.name} that do not resolve: {broken}"
