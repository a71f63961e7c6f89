"""The werkvoorraad's filters, sorting, pages and counts per light on a real database (SQLite and PostgreSQL):
the counts are over the whole filtered list, the view is in the URL, and a bad filter is a Dutch error beside it."""

from __future__ import annotations

import re

import pytest

from r2c.web import werkvoorraad
from tests.integration.werkvoorraad_scenario import TEAMLEIDER, client, scenario, shown

BY_LAST_DAY = ["Verlopen park", "Wacht bank", "Rode tuin", "Oranje plein", "Groen veld"]


@pytest.fixture
def made(service, clock):
    return scenario(service, clock)


def test_counts_per_light_cover_the_whole_list_not_only_the_page(service, made, monkeypatch) -> None:
    monkeypatch.setattr(werkvoorraad, "PAGE_SIZE", 2)
    web = client(service)
    first = web.get("/werkvoorraad").text
    assert shown(first) == BY_LAST_DAY[:2]
    assert "5 uitdagingen" in first and "pagina 1 van 3" in first
    for text in ("Op tijd: 1", "Let op: 1", "Bijna verlopen: 1", "Verstreken: 2"):
        assert text in first, text
    last = web.get("/werkvoorraad?pagina=3").text
    assert shown(last) == ["Groen veld"] and "Verstreken: 2" in last and "Vorige pagina" in last
    past = web.get("/werkvoorraad?pagina=9").text  # past the end: nothing shown, still counted
    assert shown(past) == [] and "5 uitdagingen" in past and "Verstreken: 2" in past


def test_each_row_shows_its_next_term_its_last_day_light_and_who_acts(service, made) -> None:
    page = client(service).get("/werkvoorraad").text
    row = page[page.index("Wacht bank"):].split("</tr>")[0]
    assert "16-02-2026" in row and ">Verstreken</span>" in row and ">initiatiefnemer<" in row
    row = page[page.index("Rode tuin"):].split("</tr>")[0]
    assert "03-03-2026" in row and ">Bijna verlopen</span>" in row and ">gemeente<" in row


def test_default_sort_is_the_last_day_ascending_and_every_column_sorts_both_ways(service, made) -> None:
    web = client(service)
    assert shown(web.get("/werkvoorraad").text) == BY_LAST_DAY
    assert shown(web.get("/werkvoorraad?sorteer=laatste_dag&richting=af").text) == BY_LAST_DAY[::-1]
    by_title = sorted(BY_LAST_DAY)
    assert shown(web.get("/werkvoorraad?sorteer=titel").text) == by_title
    assert shown(web.get("/werkvoorraad?sorteer=titel&richting=af").text) == by_title[::-1]
    kenmerken = [made[t].kenmerk for t in made]  # submitted in the order of SUBMITTED
    assert shown(web.get("/werkvoorraad?sorteer=kenmerk").text) == [t for _, t in sorted(zip(kenmerken, made))]
    # the one without a behandelaar comes last both ways; then the last day decides
    assert shown(web.get("/werkvoorraad?sorteer=behandelaar").text)[0] == "Groen veld"
    assert shown(web.get("/werkvoorraad?sorteer=behandelaar&richting=af").text)[0] == "Groen veld"
    # fase in the order of the procedure: indiening before ontvankelijkheid
    assert shown(web.get("/werkvoorraad?sorteer=fase").text)[-1] == "Wacht bank"
    assert shown(web.get("/werkvoorraad?sorteer=fase&richting=af").text)[0] == "Wacht bank"


def test_the_sorted_column_says_so_and_its_link_turns_the_order(service, made) -> None:
    page = client(service).get("/werkvoorraad?sorteer=titel").text
    assert 'aria-sort="ascending"' in page and "sorteer=titel&amp;richting=af" in page


def test_filters_fase_behandelaar_niemand_termijn_voor_and_verlopen(service, made) -> None:
    web = client(service)
    assert shown(web.get("/werkvoorraad?fase=ontvankelijkheid").text) == ["Wacht bank"]
    assert shown(web.get("/werkvoorraad?behandelaar=b.jansen").text) == ["Groen veld"]
    assert shown(web.get("/werkvoorraad?behandelaar=niemand").text) == BY_LAST_DAY[:4]
    assert shown(web.get("/werkvoorraad?termijn_voor=2026-03-05").text) == BY_LAST_DAY[:3]
    assert shown(web.get("/werkvoorraad?termijn_voor=05-03-2026").text) == BY_LAST_DAY[:3]
    verlopen = web.get("/werkvoorraad?verlopen=ja").text
    assert shown(verlopen) == BY_LAST_DAY[:2]
    assert "2 uitdagingen" in verlopen and "Verstreken: 2" in verlopen and "Op tijd: 0" in verlopen
    both = web.get("/werkvoorraad?verlopen=ja&zoek=bank&behandelaar=niemand").text
    assert shown(both) == ["Wacht bank"]
    assert shown(web.get("/werkvoorraad?tab=mijn&verlopen=ja").text) == []


def test_the_view_is_in_the_url_so_tabs_and_pages_keep_the_filters(service, made, monkeypatch) -> None:
    monkeypatch.setattr(werkvoorraad, "PAGE_SIZE", 1)
    page = client(service).get("/werkvoorraad?behandelaar=niemand&sorteer=titel").text
    assert 'href="/werkvoorraad?tab=niet_toegewezen&amp;behandelaar=niemand&amp;sorteer=titel"' in page
    assert 'href="/werkvoorraad?behandelaar=niemand&amp;sorteer=titel&amp;pagina=2"' in page
    assert re.search(r'<option value="niemand" selected>', page)


def test_bad_filter_values_are_dutch_errors_beside_their_filter_and_no_500(service, made) -> None:
    page = client(service).get("/werkvoorraad?fase=onzin&termijn_voor=31-02-2026&verlopen=misschien"
                               "&sorteer=prijs&richting=zijwaarts")
    assert page.status_code == 422
    for field, text in (("fase", "Kies een fase uit de lijst."), ("termijn_voor", "Schrijf de datum als jjjj-mm-dd"),
                        ("verlopen", "Verlopen is aangevinkt"), ("sorteer", "Sorteer op kenmerk"),
                        ("richting", "Kies oplopend of aflopend.")):
        assert re.search(rf'id="{field}-fout"><strong>Fout:</strong> {re.escape(text)}', page.text), field
    assert 'value="31-02-2026"' in page.text  # the input is kept
    assert shown(page.text) == BY_LAST_DAY  # the list without the unreadable filters
    nul = client(service).get("/werkvoorraad?behandelaar=b.jan%00sen&zoek=park%00")
    assert nul.status_code == 422 and "Kies een behandelaar uit de lijst." in nul.text
    assert "Zoek met gewone letters en cijfers." in nul.text
    for query in ("behandelaar=%00", "zoek=" + "x" * 5000, "termijn_voor=9999-99-99", "pagina=1e9", "fase=%27"):
        assert client(service).get(f"/werkvoorraad?{query}").status_code in (200, 422), query


def test_the_afgesloten_tab_shows_no_open_work(service, made) -> None:
    page = client(service, TEAMLEIDER).get("/werkvoorraad?tab=afgesloten").text
    assert "Er zijn hier geen uitdagingen." in page and "0 uitdagingen" in page


def test_a_page_costs_the_same_statements_whatever_its_size(service, database, made, monkeypatch) -> None:
    from sqlalchemy import event

    counted: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        counted.append(statement)

    web = client(service)
    web.get("/werkvoorraad")  # warm: definitions, compiled statements
    sizes = {}
    event.listen(database.engine, "before_cursor_execute", count)
    try:
        for size in (1, 5):
            monkeypatch.setattr(werkvoorraad, "PAGE_SIZE", size)
            counted.clear()
            assert len(shown(web.get("/werkvoorraad").text)) == size
            sizes[size] = len(counted)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert 0 < sizes[1] == sizes[5] <= 8, sizes
