"""The challenge page's documents, letters and contact data (r2c.web.dossier, r2c.web.uitdaging) on a real service
and database: an upload goes through the service's checks and is refused next to its field with the reason, a
download is an attachment of the same gemeente only, a letter shows as HTML without scripts and downloads as a PDF,
and the contact data are for staff who act, not for a lezer."""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from r2c.exports.letters import Letters
from r2c.notify.routing import Router
from r2c.settings import Settings
from r2c.web.pages import mount_static
from r2c.web.staff import Staff
from r2c.web.uitdaging import werk_routers
from tests.conftest import ROOT
from tests.integration.helpers import behandelaar, submit

JANSEN = Staff("b.jansen", "B. Jansen", "b.jansen@gouda.nl", "gouda", ("behandelaar",), "behandelaar")
LEZER = Staff("l.de.boer", "L. de Boer", "l@gouda.nl", "gouda", ("lezer",), "lezer")
ELDERS = Staff("x", "X", "x@vught.nl", "vught", ("behandelaar",), "behandelaar")


def client(service, person: Staff = JANSEN) -> TestClient:
    app = FastAPI()
    mount_static(app)
    letters = Letters(service, Router(Settings(huisstijl=ROOT / "huisstijl"), service.catalog))
    for router in werk_routers(service, letters, None, staff=lambda: person):
        app.include_router(router)
    return TestClient(app, raise_server_exceptions=False)


def upload_form(html: str) -> dict[str, str]:
    start = html.index('action="/uitdagingen/', html.index('id="documenten"'))
    part = html[start:html.index("</form>", start)]
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', part))


def test_an_upload_is_stored_listed_and_downloaded_as_an_attachment(service) -> None:
    c = submit(service).challenge
    web = client(service)
    fields = upload_form(web.get(f"/uitdagingen/{c.id}").text)
    sent = web.post(f"/uitdagingen/{c.id}/documenten", data={**fields, "document-naam": "Begroting 2026"},
                    files={"document": ("begroting.pdf", b"%PDF-1.4 begroting", "application/pdf")},
                    follow_redirects=False)
    assert sent.status_code == 303
    page = web.get(f"/uitdagingen/{c.id}").text
    link = re.search(rf'href="(/uitdagingen/{c.id}/documenten/[^"]+)">Begroting 2026.pdf</a>', page)
    assert link, page[page.index('id="documenten"'):][:800]
    got = web.get(link.group(1))
    assert got.status_code == 200 and got.content == b"%PDF-1.4 begroting"
    assert got.headers["content-type"] == "application/pdf"
    assert got.headers["content-disposition"] == 'attachment; filename="Begroting_2026.pdf"'
    assert client(service, ELDERS).get(link.group(1)).status_code == 404  # another gemeente: not there
    assert web.get(f"/uitdagingen/{c.id}/documenten/bestaat-niet").status_code == 404


def test_a_refused_upload_says_why_next_to_the_field_and_keeps_the_name(service) -> None:
    c = submit(service).challenge
    web = client(service)
    fields = upload_form(web.get(f"/uitdagingen/{c.id}").text)
    wrong_type = web.post(f"/uitdagingen/{c.id}/documenten", data={**fields, "document-naam": "Mijn script"},
                          files={"document": ("x.exe", b"MZ...", "application/x-msdownload")})
    assert wrong_type.status_code == 422
    assert 'id="document-fout"' in wrong_type.text and "Dit soort bestand kan niet" in wrong_type.text
    assert 'value="Mijn script"' in wrong_type.text  # input kept
    service.limits = type(service.limits)(document_size=10)
    too_big = web.post(f"/uitdagingen/{c.id}/documenten", data=fields,
                       files={"document": ("groot.pdf", b"%PDF" + b"x" * 20, "application/pdf")})
    assert too_big.status_code == 422 and "te groot" in too_big.text
    empty = web.post(f"/uitdagingen/{c.id}/documenten", data=fields)
    assert empty.status_code == 422 and "Kies een bestand." in empty.text
    assert service.documents_of(c.id, actor=behandelaar()) == []


def test_a_lezer_gets_no_upload_form_and_cannot_upload(service) -> None:
    c = submit(service).challenge
    web = client(service, LEZER)
    page = web.get(f"/uitdagingen/{c.id}").text
    assert "Document toevoegen" not in page
    token = re.search(r'name="csrf" value="([^"]*)"', page)
    data = {"csrf": token.group(1) if token else "", "versie": str(c.version)}
    sent = web.post(f"/uitdagingen/{c.id}/documenten", data=data,
                    files={"document": ("a.pdf", b"%PDF-1.4", "application/pdf")})
    assert sent.status_code == 403
    assert service.documents_of(c.id, actor=behandelaar()) == []


def test_letters_show_as_html_without_scripts_and_download_as_pdf(service) -> None:
    c = submit(service, titel="<script>alert(1)</script> Buurttuin").challenge
    web = client(service)
    page = web.get(f"/uitdagingen/{c.id}").text
    preview = re.search(rf'href="(/uitdagingen/{c.id}/brieven/\d+)">bekijken', page)
    assert preview, "geen brief op de pagina"
    html = web.get(preview.group(1))
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)</script>" not in html.text and "&lt;script&gt;" in html.text  # escaped
    assert "script-src" not in html.headers["content-security-policy"]  # default-src 'none': no script at all
    assert "sandbox" in html.headers["content-security-policy"]
    pdf = web.get(preview.group(1) + "/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].startswith('attachment; filename="ontvangstbevestiging-')
    assert client(service, ELDERS).get(preview.group(1)).status_code == 404
    assert web.get(f"/uitdagingen/{c.id}/brieven/999999").status_code == 404
    assert web.get(f"/uitdagingen/{c.id}/brieven/abc").status_code == 404


def test_contact_data_are_for_staff_who_act_never_for_a_lezer_nor_in_the_log(service, caplog) -> None:
    c = submit(service).challenge
    caplog.set_level(logging.DEBUG)
    page = client(service).get(f"/uitdagingen/{c.id}").text
    assert "Fatima de Vries" in page and "fatima@example.nl" in page and "0612345678" in page
    assert "Buurtvereniging Oost" in page
    lezer = client(service, LEZER).get(f"/uitdagingen/{c.id}").text
    assert "fatima@example.nl" not in lezer and "niet zichtbaar in uw rol" in lezer
    assert "fatima@example.nl" not in caplog.text and "0612345678" not in caplog.text


def test_after_erasure_the_page_says_the_personal_data_are_gone(service) -> None:
    from r2c.store.challenges import erase_personal_data

    c = submit(service).challenge
    with service.units.write() as session:
        erase_personal_data(session, c.id, now=service.clock.now())
    page = client(service).get(f"/uitdagingen/{c.id}")
    assert page.status_code == 200
    assert "De persoonsgegevens zijn gewist." in page.text and "Fatima de Vries" not in page.text
