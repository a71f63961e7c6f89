"""The status link reaches the resident by e-mail (a real SMTP server, aiosmtpd): at submission through the intake
form, and on request ("stuur mij mijn link"); after the one message is delivered, the database holds no usable
token (only its hash); the request page answers the same whether or not the address and kenmerk match."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from r2c.api import create_app
from r2c.notify.channels import load_channels
from r2c.notify.routing import Router
from r2c.scheduler.jobs import tick
from tests.integration.test_email import MailServer, huisstijl, mail_server, mail_settings  # noqa: F401
from tests.integration.test_indienen import FORM, hidden, review

LINK = re.compile(r"http://127\.0\.0\.1:8000/status/(r2c_st_[A-Za-z0-9_-]+)")


@pytest.fixture
def site(service, database, clock, catalog, mail_server: MailServer, huisstijl, tmp_path):  # noqa: F811
    settings = mail_settings(mail_server, huisstijl, database_url=f"sqlite:///{tmp_path / 'unused.db'}",
                             documenten=tmp_path / "documenten")
    client = TestClient(create_app(service, settings=settings), base_url="http://testserver")
    channels = load_channels(settings)
    router = Router(settings, catalog)
    try:
        yield client, lambda: tick(service, clock, channels, router)
    finally:
        channels["email"].close()


def everything_stored(database) -> str:
    """Every value of every table, as one text (to search for a token)."""
    parts = []
    with database.read_sessions() as session:
        for table in inspect(session.get_bind()).get_table_names():
            parts += [repr(tuple(row)) for row in session.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(parts)


def submit_by_form(client) -> str:
    fields = hidden(review(client)) | {"stap": "indienen"}
    done = client.post("/indienen/gouda", data=fields)
    assert done.status_code == 200, done.text
    return re.search(r"<strong>(UD-\d{4}-\d{4})</strong>", done.text).group(1)


def test_the_link_arrives_by_mail_and_no_usable_token_stays_at_rest(site, database, mail_server) -> None:
    client, run_planner = site
    kenmerk = submit_by_form(client)
    token = None
    stored_before = everything_stored(database)
    assert "r2c_st_" in stored_before  # until it is delivered, the one message carries it
    run_planner()
    mails = {m["Subject"]: m for m in mail_server.messages}
    link_mail = mails[f"Uw link voor aanvraag {kenmerk}"]
    assert link_mail["To"].endswith(FORM["email"])
    token = LINK.search(link_mail.get_body(("plain",)).get_content()).group(1)
    assert client.get(f"/status/{token}").status_code == 200
    assert token not in everything_stored(database) and "r2c_st_" not in everything_stored(database)
    assert not any("r2c_st_" in m.as_string() for m in mail_server.messages if m is not link_mail), \
        "the link is in its own message only (never in the letter's mail or its PDF)"


def test_asking_for_a_new_link_mails_only_the_matching_address_and_revokes_the_old_one(site, database,
                                                                                     mail_server) -> None:
    client, run_planner = site
    kenmerk = submit_by_form(client)
    run_planner()
    old = LINK.search(next(m for m in mail_server.messages if m["Subject"].startswith("Uw link"))
                      .get_body(("plain",)).get_content()).group(1)
    page = client.get("/mijn-link/gouda")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)

    answers = []
    for email, asked in ((FORM["email"], kenmerk), ("iemand.anders@example.nl", kenmerk), (FORM["email"], "UD-1999-0001")):
        response = client.post("/mijn-link/gouda", data={"csrf": token, "email": email, "kenmerk": asked})
        assert response.status_code == 200
        answers.append(re.sub(r'value="[^"]*"', "", response.text))
    assert answers[0] == answers[1] == answers[2], "the page does not tell whether it matched"

    before = len(mail_server.messages)
    run_planner()
    new_mails = mail_server.messages[before:]
    assert [m["Subject"] for m in new_mails] == [f"Uw nieuwe link voor aanvraag {kenmerk}"]
    assert new_mails[0]["To"].endswith(FORM["email"])
    new = LINK.search(new_mails[0].get_body(("plain",)).get_content()).group(1)
    assert client.get(f"/status/{new}").status_code == 200
    assert client.get(f"/status/{old}").status_code == 404
    assert "r2c_st_" not in everything_stored(database)


def test_the_link_form_refuses_bad_input_next_to_its_fields(site) -> None:
    client, _ = site
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/mijn-link/gouda").text).group(1)
    response = client.post("/mijn-link/gouda", data={"csrf": token, "email": "geen-adres", "kenmerk": ""})
    assert response.status_code == 422
    assert 'id="email-fout"' in response.text and 'id="kenmerk-fout"' in response.text
    assert 'value="geen-adres"' in response.text


def test_the_letter_leads_back_by_the_short_address_and_its_qr_code_without_a_token(site, mail_server) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    client, run_planner = site
    kenmerk = submit_by_form(client)
    run_planner()
    letter_mail = next(m for m in mail_server.messages if m.get_content_maintype() == "multipart"
                       and any(p.get_content_type() == "application/pdf" for p in m.iter_attachments()))
    pdf = next(p for p in letter_mail.iter_attachments() if p.get_content_type() == "application/pdf").get_content()
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    assert "http://127.0.0.1:8000/mijn-link/gouda" in text and kenmerk in text
    assert "/status/" not in text and b"r2c_st_" not in pdf
    # the QR code carries the same address with the kenmerk, which the form then fills in (it is no secret)
    page = client.get(f"/mijn-link/gouda?kenmerk={kenmerk}")
    assert page.status_code == 200 and f'value="{kenmerk}"' in page.text
    assert 'value="&lt;script' not in client.get("/mijn-link/gouda?kenmerk=<script>").text  # not echoed
