"""The privacy statement per gemeente (issue 15 item 6): ``privacy`` in huisstijl/<gemeente>/gemeente.yaml.

The resident forms show it; here: what a beheerder may write there and the clear error for what they may not.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from r2c.errors import R2CError
from r2c.notify.huisstijl import PRIVACY_MAX, load_huisstijl, reload_huisstijlen
from tests.conftest import ROOT


def huisstijl_with(tmp_path: Path, yaml_text: str):
    (tmp_path / "vught").mkdir(exist_ok=True)
    (tmp_path / "vught" / "gemeente.yaml").write_text(yaml_text, encoding="utf-8")
    reload_huisstijlen()
    return load_huisstijl(tmp_path, "vught", default_naam="Gemeente Vught", default_afzender="r2c@vught.example")


def test_the_example_gemeente_links_to_its_statement() -> None:
    gouda = load_huisstijl(ROOT / "huisstijl", "gouda", default_naam="Gemeente Gouda",
                           default_afzender="r2c@gouda.example")
    assert gouda.privacy == "https://www.gouda.example/privacy" and gouda.privacy_link


def test_a_gemeente_without_one_has_none_and_r2c_invents_none(tmp_path) -> None:
    vught = load_huisstijl(tmp_path, "vught", default_naam="Gemeente Vught", default_afzender="r2c@vught.example")
    assert vught.privacy is None and not vught.privacy_link
    assert huisstijl_with(tmp_path, "privacy: '   '\n").privacy is None


def test_a_short_text_is_the_statement_itself(tmp_path) -> None:
    text = "Wij gebruiken uw naam en e-mailadres alleen voor uw uitdaging. Na de bewaartermijn wissen wij ze."
    vught = huisstijl_with(tmp_path, f"privacy: |\n  {text}\n")
    assert vught.privacy == text and not vught.privacy_link


@pytest.mark.parametrize("link", ["http://www.vught.example/privacy", "www.vught.example/privacy",
                                  "https://www.vught.example/privacy en meer"])
def test_a_link_that_is_not_a_plain_https_address_is_refused_naming_the_file(tmp_path, link: str) -> None:
    with pytest.raises(R2CError) as raised:
        huisstijl_with(tmp_path, f"privacy: {link}\n")
    message = str(raised.value)
    assert "vught/gemeente.yaml" in message and "https://" in message and link in message


def test_a_long_text_is_refused_with_its_length_and_what_to_do(tmp_path) -> None:
    with pytest.raises(R2CError) as raised:
        huisstijl_with(tmp_path, "privacy: " + "a" * (PRIVACY_MAX + 1) + "\n")
    message = str(raised.value)
    assert f"{PRIVACY_MAX + 1} tekens" in message and "link" in message and "gemeente.yaml" in message
    assert huisstijl_with(tmp_path, "privacy: " + "a" * PRIVACY_MAX + "\n").privacy == "a" * PRIVACY_MAX
