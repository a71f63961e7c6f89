"""The resident's whole journey in a real browser with JavaScript off (issue 15): submit through the form, follow
the link, complete the request (tick what is now included, upload), give a zienswijze, withdraw after a
confirmation; the status page shows what was sent. axe (WCAG 2.1 AA) on every step form, errors included; a link
of one challenge never acts on another; no sideways scrolling at 320 px."""

from __future__ import annotations

from r2c.service import Initiatiefnemer
from tests.browser.axe import assert_accessible
from tests.browser.test_indienen_browser import PDF, fits, intake  # noqa: F401 (the served app)
from tests.integration.helpers import behandelaar


def submitted(page, url: str) -> str:
    page.goto(f"{url}/indienen/gouda")
    page.fill("#titel", "Wij onderhouden het groen")
    page.check("#vereiste-plan")
    page.fill("#naam", "Fatima de Vries")
    page.fill("#email", "fatima@example.nl")
    page.get_by_role("button", name="Verder: controleer uw gegevens").click()
    page.get_by_role("button", name="Aanvraag indienen").click()
    return page.get_by_role("link", name="Naar uw pagina over deze aanvraag").get_attribute("href")


def check_axe(browser, url: str, where: str) -> None:
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto(url)
    assert_accessible(page, where)
    context.close()


def test_complete_give_a_zienswijze_and_withdraw_from_the_status_page(browser, intake, tmp_path) -> None:  # noqa: F811
    url, service = intake
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 800})
    page = context.new_page()
    link = submitted(page, url)
    [challenge] = service.search(actor=behandelaar()).items
    service.fire(challenge.id, "aanvulling_vragen", actor=behandelaar(), reason="De begroting ontbreekt.")

    page.goto(link)
    page.get_by_role("link", name="Stukken sturen").click()
    assert fits(page)
    check_axe(browser, page.url, "het formulier om aan te vullen")
    for box in page.locator("input[name=vereisten]").all():
        box.check()
    document = tmp_path / "begroting.pdf"
    document.write_bytes(PDF)
    page.set_input_files("#documenten", str(document))
    page.get_by_role("button", name="Stukken sturen").click()
    assert "Verstuurd: Stukken sturen" in page.locator("body").inner_text()
    assert "begroting.pdf" in page.locator("#gestuurd + ul").inner_text()
    assert service.get(challenge.id, actor=behandelaar()).state == "indiening.ontvangen"

    service.fire(challenge.id, "in_behandeling_nemen", actor=behandelaar())
    service.fire(challenge.id, "zienswijze_vragen", actor=behandelaar())
    page.goto(link)
    page.get_by_role("link", name="Uw mening geven").click()
    zienswijze_form = page.url
    page.fill("#zienswijze", "Wij kunnen ook in de winter maaien.")
    page.get_by_role("button", name="Uw mening geven").click()
    assert service.get(challenge.id, actor=behandelaar()).state == "toetsing.beoordelen"
    assert service.get(challenge.id, actor=behandelaar()).facts["zienswijze"] == "Wij kunnen ook in de winter maaien."

    page.goto(zienswijze_form)  # the step is no longer possible: said so, nothing written
    assert "kan nu niet meer" in page.locator("h1").inner_text()

    page.goto(link)
    page.get_by_role("link", name="Aanvraag intrekken").click()
    assert "niet ongedaan maken" in page.locator("main").inner_text()
    check_axe(browser, page.url, "de bevestiging van intrekken")
    page.get_by_role("button", name="Aanvraag intrekken").click()
    assert service.get(challenge.id, actor=behandelaar()).state == "afgesloten.ingetrokken"
    context.close()


def test_a_link_never_acts_on_another_challenge_and_errors_stand_by_their_fields(browser, intake) -> None:  # noqa: F811
    url, service = intake
    mine = service.submit(gemeente="gouda", titel="Mijn plan", initiatiefnemer=Initiatiefnemer("A"))
    other = service.submit(gemeente="gouda", titel="Ander plan", initiatiefnemer=Initiatiefnemer("B"))
    service.fire(other.challenge.id, "aanvulling_vragen", actor=behandelaar())
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    # my link has no aanvullen step (not asked): the other challenge's step is not reachable through it
    page.goto(f"{url}/status/{mine.status_token}/stap/aanvullen")
    assert "kan nu niet meer" in page.locator("h1").inner_text()
    assert service.get(other.challenge.id, actor=behandelaar()).state == "ontvankelijkheid.aanvulling_gevraagd"

    page.goto(f"{url}/status/{other.status_token}/stap/aanvullen")
    page.set_input_files("#documenten", files=[{"name": "virus.exe", "mimeType": "application/x-msdownload",
                                                 "buffer": b"MZ\x90\x00"}])
    page.get_by_role("button", name="Stukken sturen").click()
    assert page.locator("#documenten-fout").is_visible() and "niet aangenomen" in page.locator("#documenten-fout").inner_text()
    error_html = page.content()
    context.close()
    checker = browser.new_context(bypass_csp=True)
    check = checker.new_page()
    check.route(f"{url}/snapshot", lambda route, _request: route.fulfill(body=error_html, content_type="text/html"))
    check.goto(f"{url}/snapshot")
    assert_accessible(check, "aanvullen met een fout")
    checker.close()
