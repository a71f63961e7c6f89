"""The e-mail channel against a real SMTP server on loopback (aiosmtpd), driven by the scheduler's jobs.

The server records every message it accepts; it can refuse for a while ('451'), refuse a recipient for good
('550'), be stopped and started again on the same port, speak STARTTLS or implicit TLS with AUTH. Time moves only
with the FixedClock: a retry is due when the clock has passed its backoff, never after a sleep.
"""

from __future__ import annotations

import email
import hashlib
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from email.policy import default
from email.utils import parseaddr
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import select

from r2c.notify.channels import DeliveryError, Message, load_channels
from r2c.notify.email import EmailChannel, message_id
from r2c.notify.routing import Router
from r2c.scheduler.jobs import deliver, distribute, tick
from r2c.settings import Settings
from r2c.store.tables import DeliveryRow
from tests.integration.helpers import submit

DELIVERY = DeliveryRow.__table__
AFZENDER = "uitdaagrecht@gouda.nl"
TEAM = "uitdaagrecht-team@gouda.nl"
TEAMLEIDER = "teamleider-wijken@gouda.nl"
INITIATIEFNEMER = "fatima@example.nl"


# -- an SMTP server that records what it accepts -------------------------------------------------------------

class Recorder:
    """The aiosmtpd handler: keeps every accepted message; refuses as told.

    Attributes:
        messages: the accepted messages, parsed, in order of acceptance.
        envelopes: (MAIL FROM, RCPT TOs) of each accepted message.
        data_replies: replies to give to DATA instead of accepting, one per message, first to last.
        rcpt_reply: the reply to every RCPT TO instead of accepting (None: accept).
    """

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.data_replies: list[str] = []
        self.rcpt_reply: str | None = None
        self.refused = 0
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # aiosmtpd's name
        if self.rcpt_reply:
            self.refused += 1
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's name
        with self._lock:
            if self.data_replies:
                self.refused += 1
                return self.data_replies.pop(0)
            self.messages.append(email.message_from_bytes(envelope.content, policy=default))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 2.0.0 OK: queued"

    def message_ids(self) -> list[str]:
        return [m["Message-ID"] for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MailServer:
    """An aiosmtpd server on 127.0.0.1 that can be stopped and started again on the same port.

    Attributes:
        port: its port.
        recorder: the handler, kept across restarts.
        options: keyword arguments for the Controller (TLS, authentication).
    """

    def __init__(self, **options) -> None:
        self.port = free_port()
        self.recorder = Recorder()
        self.options = options
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages


@pytest.fixture
def mail_server() -> Iterator[MailServer]:
    server = MailServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def huisstijl(tmp_path) -> Path:
    """A huisstijl folder in which gouda has its own sender, team and teamleider."""
    root = tmp_path / "huisstijl"
    (root / "gouda").mkdir(parents=True)
    (root / "gouda" / "gemeente.yaml").write_text(
        f"naam: Gemeente Gouda\nafzender: {AFZENDER}\nteam: {TEAM}\nteamleider: {TEAMLEIDER}\n", encoding="utf-8")
    return root


def mail_settings(server: MailServer, huisstijl: Path, **extra) -> Settings:
    return Settings(kanalen=["email"], smtp_host="127.0.0.1", smtp_port=server.port, huisstijl=huisstijl, **extra)


@pytest.fixture
def channel(mail_server, huisstijl, clock) -> Iterator[EmailChannel]:
    channel = EmailChannel(mail_settings(mail_server, huisstijl), timeout=10, clock=clock)
    yield channel
    channel.close()


def deliveries(database) -> list:
    with database.read_sessions() as session:
        return session.execute(select(DELIVERY).order_by(DELIVERY.c.id)).all()


def sha256_id(key: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()}@r2c>"


# -- a challenge's ontvangstbevestiging ------------------------------------------------------------------------

def test_the_ontvangstbevestiging_arrives_with_the_right_from_to_subject_and_message_id(
        service, database, clock, catalog, mail_server, huisstijl) -> None:
    """Through the channel as r2c loads it (entry point 'email'), in one tick after the submission."""
    settings = mail_settings(mail_server, huisstijl)
    router = Router(settings, catalog)
    channels = load_channels(settings)
    try:
        challenge = submit(service, titel="Moestuin aan de Goudse Hout").challenge
        reports = tick(service, clock, channels, router)
        assert (reports["verdelen"].queued, reports["bezorgen"].sent) == (1, 1)
        assert tick(service, clock, channels, router)["bezorgen"].done == 0, "sent once, not again"
    finally:
        channels["email"].close()

    [row] = deliveries(database)
    assert (row.channel, row.recipient, row.status, row.attempts) == ("email", INITIATIEFNEMER, "verzonden", 1)
    assert row.idempotency_key.startswith(f"{challenge.id}:1|email|")
    [mail] = mail_server.messages
    assert parseaddr(mail["From"]) == ("Gemeente Gouda", AFZENDER)
    assert parseaddr(mail["To"])[1] == INITIATIEFNEMER
    assert "Moestuin aan de Goudse Hout" in mail["Subject"]
    assert mail["Message-ID"] == sha256_id(row.idempotency_key) == message_id(row.idempotency_key)
    assert mail["X-R2C-Sleutel"] == row.idempotency_key
    assert mail["Auto-Submitted"] == "auto-generated" and mail["Date"] is not None
    assert mail_server.recorder.envelopes == [(AFZENDER, [INITIATIEFNEMER])]
    # the ontvangstbevestiging letter itself comes along as PDF, beside a plain text body
    assert mail.get_content_type() == "multipart/mixed"
    assert mail.get_body(("plain",)).get_content().strip(), "a plain text body"
    [letter] = list(mail.iter_attachments())
    assert letter.get_content_type() == "application/pdf" and letter.get_content().startswith(b"%PDF")
    assert letter.get_filename() == f"ontvangstbevestiging-{challenge.kenmerk}.pdf"
    body = mail.get_body(("plain",)).get_content()
    assert challenge.kenmerk == "UD-2026-0001" and "Het kenmerk is UD-2026-0001." in body  # not the UUID
    assert challenge.id not in body


def test_a_gemeente_without_its_own_sender_mails_from_the_default_afzender(service, database, clock, catalog,
                                                                          mail_server, tmp_path) -> None:
    """No huisstijl folder for the gemeente: From is ``settings.afzender``, without a display name."""
    settings = mail_settings(mail_server, tmp_path / "leeg", afzender="r2c@voorbeeld.nl")
    channel = EmailChannel(settings, clock=clock)
    try:
        submit(service, titel="Speeltuin")
        tick(service, clock, {"email": channel}, Router(settings, catalog))
    finally:
        channel.close()
    [mail] = mail_server.messages
    assert parseaddr(mail["From"]) == ("", "r2c@voorbeeld.nl")
    assert mail_server.recorder.envelopes[0][0] == "r2c@voorbeeld.nl"


# -- refused for a while, down, refused for good ----------------------------------------------------------------

def test_a_server_that_refuses_for_a_while_gets_the_message_once_after_retries_with_backoff(
        service, database, clock, catalog, mail_server, huisstijl, channel) -> None:
    router = Router(mail_settings(mail_server, huisstijl), catalog)
    channels = {"email": channel}
    mail_server.recorder.data_replies = ["451 4.3.0 Tijdelijk niet beschikbaar"] * 3
    submit(service, titel="Buurtbus")
    distribute(service, clock, router)

    assert deliver(service, clock, channels, router).retried == 1  # attempt 1: 451
    assert deliver(service, clock, channels, router).done == 0, "not before its backoff of 1 minute"
    clock.set(clock.now() + timedelta(seconds=59))
    assert deliver(service, clock, channels, router).done == 0
    clock.set(clock.now() + timedelta(seconds=1))
    assert deliver(service, clock, channels, router).retried == 1  # attempt 2: 451, next in 2 minutes
    clock.set(clock.now() + timedelta(minutes=2))
    assert deliver(service, clock, channels, router).retried == 1  # attempt 3: 451, next in 4 minutes
    [row] = deliveries(database)
    assert (row.status, row.attempts) == ("wachtend", 3) and "451" in row.last_error
    assert row.next_attempt_at == clock.now() + timedelta(minutes=4)
    clock.set(clock.now() + timedelta(minutes=4))
    assert deliver(service, clock, channels, router).sent == 1  # attempt 4: accepted
    clock.set(clock.now() + timedelta(days=2))
    assert deliver(service, clock, channels, router).done == 0

    [row] = deliveries(database)
    assert (row.status, row.attempts, row.last_error, row.sent_at) == ("verzonden", 4, None, clock.now() -
                                                                       timedelta(days=2))
    assert mail_server.recorder.refused == 3
    assert mail_server.recorder.message_ids() == [message_id(row.idempotency_key)], "exactly one copy"


def test_a_server_that_is_down_gets_the_message_once_when_it_is_back_on_the_same_port(
        service, database, clock, catalog, mail_server, huisstijl, channel) -> None:
    """The channel holds a connection from the first message; the server goes away (the kept connection with it),
    refuses connections for two attempts, comes back; the second message arrives once, the first is not resent."""
    router = Router(mail_settings(mail_server, huisstijl), catalog)
    channels = {"email": channel}
    first = submit(service, titel="Eerste").challenge
    assert tick(service, clock, channels, router)["bezorgen"].sent == 1

    mail_server.stop()
    second = submit(service, titel="Tweede").challenge
    distribute(service, clock, router)
    assert deliver(service, clock, channels, router).retried == 1
    clock.set(clock.now() + timedelta(minutes=1))
    assert deliver(service, clock, channels, router).retried == 1
    rows = {r.idempotency_key.split(":")[0]: r for r in deliveries(database)}
    assert (rows[second.id].status, rows[second.id].attempts) == ("wachtend", 2)
    assert "127.0.0.1" in rows[second.id].last_error and "Connection" in rows[second.id].last_error

    mail_server.start()
    clock.set(clock.now() + timedelta(minutes=1))
    assert deliver(service, clock, channels, router).done == 0, "its backoff is 2 minutes now"
    clock.set(clock.now() + timedelta(minutes=1))
    assert deliver(service, clock, channels, router).sent == 1
    clock.set(clock.now() + timedelta(hours=7))
    assert deliver(service, clock, channels, router).done == 0

    rows = {r.idempotency_key.split(":")[0]: r for r in deliveries(database)}
    assert {k: (r.status, r.attempts) for k, r in rows.items()} == {first.id: ("verzonden", 1),
                                                                  second.id: ("verzonden", 3)}
    assert sorted(mail_server.recorder.message_ids()) == sorted(message_id(r.idempotency_key) for r in rows.values())
    assert ["Eerste" in m["Subject"] for m in mail_server.messages] == [True, False]


def test_a_kept_connection_the_server_dropped_is_replaced_without_losing_an_attempt(
        service, database, clock, catalog, mail_server, huisstijl, channel) -> None:
    """The server restarts between two messages: the second goes at its first attempt, over a new connection."""
    router = Router(mail_settings(mail_server, huisstijl), catalog)
    channels = {"email": channel}
    submit(service, titel="Eerste")
    assert tick(service, clock, channels, router)["bezorgen"].sent == 1
    mail_server.stop()
    mail_server.start()
    submit(service, titel="Tweede")
    assert tick(service, clock, channels, router)["bezorgen"].sent == 1
    assert [(r.status, r.attempts) for r in deliveries(database)] == [("verzonden", 1), ("verzonden", 1)]
    assert len(mail_server.messages) == 2


def test_a_550_refusal_is_given_up_at_once(service, database, clock, catalog, mail_server, huisstijl,
                                           channel) -> None:
    router = Router(mail_settings(mail_server, huisstijl), catalog)
    channels = {"email": channel}
    mail_server.recorder.rcpt_reply = f"550 5.1.1 <{INITIATIEFNEMER}>: onbekende ontvanger"
    submit(service, titel="Buurtkamer")
    report = tick(service, clock, channels, router)["bezorgen"]
    assert (report.sent, report.retried, report.failed) == (0, 0, 1)
    [row] = deliveries(database)
    assert (row.status, row.attempts) == ("mislukt", 1)
    assert "550" in row.last_error and "onbekende ontvanger" in row.last_error
    clock.set(clock.now() + timedelta(days=3))
    assert deliver(service, clock, channels, router).done == 0
    assert mail_server.messages == []

    # the connection stays usable after the refusal (RSET): the next message goes out on it
    mail_server.recorder.rcpt_reply = None
    submit(service, titel="Buurtkamer 2")
    assert tick(service, clock, channels, router)["bezorgen"].sent == 1
    assert len(mail_server.messages) == 1


def test_a_552_to_rcpt_is_temporary_as_rfc_5321_asks(mail_server, huisstijl, channel) -> None:
    mail_server.recorder.rcpt_reply = "552 5.2.2 Mailbox vol"
    with pytest.raises(DeliveryError) as refused:
        channel.send(Message("k", "email", INITIATIEFNEMER, "gouda", "Onderwerp", "Tekst"))
    assert refused.value.temporary and "552" in str(refused.value)


def test_a_server_that_never_answers_is_a_temporary_failure_after_the_timeout(
        service, database, clock, catalog, huisstijl) -> None:
    """A socket that accepts connections but says nothing: the greeting times out."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        settings = Settings(kanalen=["email"], smtp_host="127.0.0.1", smtp_port=port, huisstijl=huisstijl)
        channel = EmailChannel(settings, timeout=0.3, clock=clock)
        router = Router(settings, catalog)
        submit(service)
        report = tick(service, clock, {"email": channel}, router)["bezorgen"]
    assert (report.retried, report.failed) == (1, 0)
    [row] = deliveries(database)
    assert row.status == "wachtend" and "timed out" in row.last_error.lower()


# -- the message itself -----------------------------------------------------------------------------------------

def test_html_alternative_and_attachments_and_a_message_id_that_depends_only_on_the_key(huisstijl, clock) -> None:
    settings = Settings(kanalen=["email"], huisstijl=huisstijl)
    channel = EmailChannel(settings, clock=clock)
    message = Message("c1:3|email|fatima@example.nl", "email", INITIATIEFNEMER, "gouda", "Besluit: Buurttuin",
                      "Beste Fatima,\n\nZie de bijlage. Met vriendelijke groet,\nGemeente Gouda\n",
                      html="<p>Beste Fatima,</p><p>Zie de bijlage.</p>",
                      attachments=(("besluit.pdf", "application/pdf", b"%PDF-1.7 besluit"),
                                   ("bijlage.txt", "text/plain", b"regel")))
    mail = email.message_from_bytes(channel.compose(message).as_bytes(), policy=default)
    assert mail.get_content_type() == "multipart/mixed"
    assert mail.get_body(("plain",)).get_content().startswith("Beste Fatima,")
    assert "Zie de bijlage" in mail.get_body(("html",)).get_content()
    assert [(a.get_filename(), a.get_content_type(), a.get_content()) for a in mail.iter_attachments()] == [
        ("besluit.pdf", "application/pdf", b"%PDF-1.7 besluit"), ("bijlage.txt", "text/plain", "regel")]
    again = EmailChannel(settings).compose(message)
    other = channel.compose(Message("c1:4|email|fatima@example.nl", "email", INITIATIEFNEMER, "gouda", "x", "y"))
    assert mail["Message-ID"] == again["Message-ID"] == sha256_id(message.key) != other["Message-ID"]


def test_non_ascii_text_travels_intact(mail_server, huisstijl, channel) -> None:
    text = "Beste Zoë,\n\nUw uitdaging “Café de Koöperatie” is ontvangen – €0 kosten.\n"
    channel.send(Message("k-ü", "email", INITIATIEFNEMER, "gouda", "Ontvangen: “Café de Koöperatie”", text))
    [mail] = mail_server.messages
    assert mail["Subject"] == "Ontvangen: “Café de Koöperatie”"
    assert mail.get_content().replace("\r\n", "\n") == text  # CRLF on the wire
    assert mail["X-R2C-Sleutel"] == "k-ü"


def test_a_malformed_address_is_refused_for_good_without_contacting_the_server(mail_server, huisstijl,
                                                                               channel) -> None:
    with pytest.raises(DeliveryError) as refused:
        channel.send(Message("k", "email", "geen adres", "gouda", "Onderwerp", "Tekst"))
    assert not refused.value.temporary and mail_server.messages == []


# -- TLS and authentication -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> Path:
    """A self-signed certificate for 127.0.0.1 (openssl), as cert.pem and key.pem in one folder."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is nodig om een testcertificaat te maken")
    folder = tmp_path_factory.mktemp("tls")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem")], check=True, capture_output=True, timeout=60)
    return folder


def server_context(certificate: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certificate / "cert.pem", certificate / "key.pem")
    return context


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"r2c", b"geheim")
    return AuthResult(success=ok, handled=False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # see auth_require_tls below
@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_tls_modes_with_authentication(certificate, huisstijl, clock, mode) -> None:
    context = server_context(certificate)
    # aiosmtpd does not count implicit TLS as TLS for AUTH (it only knows STARTTLS), hence auth_require_tls=False
    options = ({"tls_context": context, "require_starttls": True} if mode == "starttls"
               else {"ssl_context": context, "auth_require_tls": False})
    server = MailServer(authenticator=authenticator, auth_required=True, **options)
    server.start()
    trusted = ssl.create_default_context(cafile=str(certificate / "cert.pem"))
    try:
        good = mail_settings(server, huisstijl, smtp_tls=mode, smtp_gebruiker="r2c", smtp_wachtwoord="geheim")
        with EmailChannel(good, tls_context=trusted, clock=clock) as channel:
            channel.send(Message("tls-1", "email", INITIATIEFNEMER, "gouda", "Versleuteld", "Tekst"))
            channel.send(Message("tls-2", "email", INITIATIEFNEMER, "gouda", "Versleuteld", "Tekst"))
        assert server.recorder.message_ids() == [message_id("tls-1"), message_id("tls-2")]

        wrong = mail_settings(server, huisstijl, smtp_tls=mode, smtp_gebruiker="r2c", smtp_wachtwoord="fout")
        with EmailChannel(wrong, tls_context=trusted, clock=clock) as channel, \
                pytest.raises(DeliveryError) as refused:
            channel.send(Message("tls-3", "email", INITIATIEFNEMER, "gouda", "Versleuteld", "Tekst"))
        assert refused.value.temporary and "535" in str(refused.value), "AUTH refused: the configuration, retry"

        untrusted = mail_settings(server, huisstijl, smtp_tls=mode, smtp_gebruiker="r2c", smtp_wachtwoord="geheim")
        with EmailChannel(untrusted, clock=clock) as channel, pytest.raises(DeliveryError) as refused:
            channel.send(Message("tls-4", "email", INITIATIEFNEMER, "gouda", "Versleuteld", "Tekst"))
        assert refused.value.temporary and "CERTIFICATE_VERIFY_FAILED" in str(refused.value)
        assert len(server.messages) == 2
    finally:
        server.stop()


def test_without_tls_a_server_that_requires_starttls_refuses_and_it_is_temporary(certificate, huisstijl,
                                                                                 clock) -> None:
    server = MailServer(tls_context=server_context(certificate), require_starttls=True)
    server.start()
    try:
        with EmailChannel(mail_settings(server, huisstijl), clock=clock) as channel, \
                pytest.raises(DeliveryError) as refused:
            channel.send(Message("plain", "email", INITIATIEFNEMER, "gouda", "Onderwerp", "Tekst"))
        assert refused.value.temporary and "530" in str(refused.value)
        assert server.messages == []
    finally:
        server.stop()


# -- one gemeente's broken huisstijl -------------------------------------------------------------------------------

def broken_gouda(tmp_path) -> Path:
    """A huisstijl folder whose gouda/gemeente.yaml has a typo ('afzendr'): load_huisstijl refuses it."""
    root = tmp_path / "kapot"
    (root / "gouda").mkdir(parents=True)
    (root / "gouda" / "gemeente.yaml").write_text("naam: Gemeente Gouda\nafzendr: uitdaagrecht@gouda.nl\n",
                                                  encoding="utf-8")
    return root


def test_a_broken_huisstijl_of_one_gemeente_does_not_stop_distributing_the_others(
        service, database, clock, catalog, mail_server, tmp_path) -> None:
    settings = mail_settings(mail_server, broken_gouda(tmp_path))
    router = Router(settings, catalog)
    submit(service, "gouda", titel="In Gouda")
    submit(service, "vught", titel="In Vught")
    with EmailChannel(settings, clock=clock) as channel:
        tick(service, clock, {"email": channel}, router)
    assert ["In Vught" in m["Subject"] for m in mail_server.messages] == [True]


def test_a_huisstijl_broken_after_distribution_does_not_stop_delivering_the_others(
        service, database, clock, catalog, mail_server, huisstijl, tmp_path) -> None:
    from r2c.notify.huisstijl import reload_huisstijlen

    good = Router(mail_settings(mail_server, huisstijl), catalog)
    submit(service, "gouda", titel="In Gouda")
    submit(service, "vught", titel="In Vught")
    assert distribute(service, clock, good).queued == 2
    (huisstijl / "gouda" / "gemeente.yaml").write_text("afzendr: typfout\n", encoding="utf-8")
    reload_huisstijlen()  # as a restart of the scheduler would
    settings = mail_settings(mail_server, huisstijl)
    with EmailChannel(settings, clock=clock) as channel:
        deliver(service, clock, {"email": channel}, Router(settings, catalog))
    assert ["In Vught" in m["Subject"] for m in mail_server.messages] == [True]
    gouda = next(r for r in deliveries(database) if r.recipient == INITIATIEFNEMER and r.gemeente == "gouda")
    assert gouda.status == "wachtend" and "gemeente.yaml" in gouda.last_error


def test_a_letter_rendered_again_later_is_the_same_pdf(huisstijl, monkeypatch) -> None:
    """A message sent again (the window of test_exactly_once.py) is the same message, letter included.

    Older fontTools stamped embedded font subsets with the wall clock (unless SOURCE_DATE_EPOCH was set); with
    the versions installed now (fontTools 4.68, WeasyPrint 70) the PDF no longer depends on the time.
    """
    import time_machine

    from r2c.notify.huisstijl import load_huisstijl
    from r2c.notify.render import letter_attachment

    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    gouda = load_huisstijl(huisstijl, "gouda", default_naam="gouda", default_afzender="r2c@voorbeeld.nl")
    context = {"uitdaging": {"id": "c1", "titel": "Buurttuin", "staat": "Ontvangen", "fase": "Indiening"},
               "ontvanger": {"naam": "Fatima de Vries"}, "termijnen": [], "vandaag": "2026-03-02",
               "brief": {"naam": "ontvangstbevestiging", "titel": "Ontvangstbevestiging"}}
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc), tick=False):
        first = letter_attachment(gouda, "ontvangstbevestiging", context)
    with time_machine.travel(datetime(2026, 3, 2, 9, 5, tzinfo=timezone.utc), tick=False):
        again = letter_attachment(gouda, "ontvangstbevestiging", context)
    assert first is not None and first[2].startswith(b"%PDF")
    assert first == again
