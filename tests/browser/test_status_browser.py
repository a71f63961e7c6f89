"""The status page in chromium: readable without JavaScript, no sideways scrolling at 320 px, the letter downloads.

Screenshots go to /tmp/r2c-status-*.png (look at them after a change of the layout).
"""

from __future__ import annotations

import re
from itertools import pairwise
from pathlib import Path

SHOTS = Path("/tmp")


def test_page_reads_without_javascript(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1024, "height": 900})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(f"{site.url}/status/{site.token}")
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("h1").all_inner_texts() == [
        "Onderhoud groen en speeltuin 't Weiland, met een heel lange titel erbij"]
    assert page.locator("h2").all_inner_texts() == [
        "Dit kunt u nu online doen", "Waar staat uw uitdaging nu?", "Wat gebeurt er nu?", "Wat moet u doen?", "Brieven", "Heeft u vragen?"]
    assert page.locator("main").count() == 1
    todo = page.locator("section", has=page.locator("h2", has_text="Wat moet u doen?")).inner_text()
    assert "Stuur de ontbrekende stukken uiterlijk op maandag 16 maart 2026." in todo
    assert "Begroting en gevraagd budget" in todo
    assert page.get_by_text("hier bent u nu").is_visible()
    assert page.locator("script").count() == 0
    assert all(url.startswith((site.url, "data:")) for url in requests), requests
    page.screenshot(path=str(SHOTS / "r2c-status-1024.png"), full_page=True)
    context.close()


def test_letter_link_downloads_the_pdf(browser, site, tmp_path):
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{site.url}/status/{site.token}")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("Verzoek om aanvulling")).click()
    download = info.value
    assert download.suggested_filename.endswith(".pdf")
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    context.close()


def test_no_sideways_scrolling_at_320_px_and_the_style_is_allowed(browser, site):
    # evaluate() needs JavaScript; the page itself has none.
    context = browser.new_context(viewport={"width": 320, "height": 800})
    page = context.new_page()
    blocked: list[str] = []
    page.on("console", lambda message: blocked.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{site.url}/status/{site.token}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert page.evaluate("document.body.scrollWidth") <= 320
    # The inline stylesheet applies (its CSP hash matches): main is limited in width and the current step is bold.
    assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") == "704px"
    assert page.evaluate("getComputedStyle(document.querySelector('[aria-current=step]')).fontWeight") == "700"
    levels = page.evaluate("[...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1])")
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in pairwise(levels)), levels  # no skipped heading levels
    assert blocked == []
    page.screenshot(path=str(SHOTS / "r2c-status-320.png"), full_page=True)
    context.close()


def test_unknown_link_shows_the_dutch_404(browser, site):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 700})
    page = context.new_page()
    response = page.goto(f"{site.url}/status/r2c_st_bestaatniet")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Deze link werkt niet"
    assert page.get_by_text("contact op met de gemeente").is_visible()
    page.screenshot(path=str(SHOTS / "r2c-status-404.png"), full_page=True)
    context.close()
