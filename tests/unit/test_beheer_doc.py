"""docs/beheer.md lists every setting r2c reads, with its real default."""

from __future__ import annotations

from r2c.settings import Settings
from tests.conftest import ROOT
from tests.markdown import code, marked_tables


def test_the_settings_table_names_every_setting_with_its_default() -> None:
    rows = marked_tables((ROOT / "docs" / "beheer.md").read_text(encoding="utf-8"))["instellingen"]
    documented = {code(row["variabele"])[0]: row["standaard"] for row in rows}
    expected = {f"R2C_{name.upper()}": field.default for name, field in Settings.model_fields.items()}
    assert set(documented) == set(expected)
    for variable, default in expected.items():
        shown = documented[variable]
        if default in (None, ""):
            assert shown == "leeg", variable
        else:
            written = code(shown)[0]
            value = str(default) if not isinstance(default, list) else str(default).replace("'", '"')
            assert written == value or written == f"./{default}", (variable, written, value)
