"""The e-mail channel: a Message over SMTP with the standard library (smtplib, email.message.EmailMessage).

Settings: ``smtp_host``, ``smtp_port``, ``smtp_tls`` (``geen``, ``starttls`` or ``ssl``), ``smtp_gebruiker`` and
``smtp_wachtwoord`` (AUTH only when both are set), ``afzender``; a gemeente's own ``afzender`` in its huisstijl
(r2c/notify/huisstijl.py) goes before it.

Each message carries ``Message-ID: <sha256(key)@r2c>`` and ``X-R2C-Sleutel: <key>``: a message sent twice (a
worker that died after the server accepted it, before it could record that) has the same Message-ID both times,
so a receiving system can discard the copy.

What goes wrong, and what the scheduler then does (``DeliveryError.temporary``):

- no connection, a timeout, a dropped connection, a 4xx reply: temporary, try again later;
- a 5xx reply to the message itself (MAIL FROM, RCPT TO, DATA; e.g. 550 unknown recipient): permanent, given
  up at once. A 552 to RCPT TO counts as 452, as RFC 5321 (section 4.5.3.1.10) asks;
- a refusal of the session (greeting, EHLO, STARTTLS, AUTH), and 530 (authentication or STARTTLS required, RFC
  4954 and 3207) at any step, even though 5xx: temporary. It is about the server or r2c's configuration, not
  this message, and giving up would lose every queued message with it.

One SMTP connection is kept open and reused; a connection the server has closed meanwhile is noticed at MAIL
FROM, before anything of the message is sent, and replaced once within the same ``send``.
"""

from __future__ import annotations

import hashlib
import smtplib
import ssl
import threading
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime, parseaddr
from typing import Any

from r2c.clock import Clock, SystemClock
from r2c.errors import R2CError
from r2c.notify.channels import DeliveryError, Message
from r2c.notify.huisstijl import load_huisstijl

KEY_HEADER = "X-R2C-Sleutel"
DEFAULT_TIMEOUT = 30.0


class _Policy(EmailPolicy):
    """email.policy.SMTP, except that the Message-ID stays on one line: folded (it is 82 characters with its
    name) it reads back with a leading space, and a receiver comparing Message-IDs would miss the copy."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() == "message-id":
            return f"{name}: {str(value).strip()}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "message-id":
            return self.fold(name, value).encode("ascii")
        return super().fold_binary(name, value)


SMTP = _Policy(linesep="\r\n")
SMTPUTF8 = SMTP.clone(utf8=True)


def message_id(key: str) -> str:
    """The Message-ID of the message with idempotency key ``key``: the same for every resend of it."""
    return f"<{hashlib.sha256(key.encode('utf-8')).hexdigest()}@r2c>"


class EmailChannel:
    """Sends messages over SMTP.

    Attributes:
        name: 'email'.
        settings: the r2c Settings (mail server, TLS mode, credentials, default sender, huisstijl folder).
        timeout: seconds to wait for the server at each step (connect, every reply).
        tls_context: the SSL context for ``starttls`` and ``ssl`` (default: the system's trusted CAs).
        clock: gives the Date header.
    """

    name = "email"

    def __init__(self, settings: Any, *, timeout: float = DEFAULT_TIMEOUT, tls_context: ssl.SSLContext | None = None,
                 clock: Clock | None = None):
        self.settings = settings
        self.timeout = timeout
        self.tls_context = tls_context
        self.clock = clock or SystemClock()
        self._smtp: smtplib.SMTP | None = None
        self._lock = threading.Lock()

    # -- composing ----------------------------------------------------------------------------------------------

    def sender(self, gemeente: str) -> Address:
        """The From of ``gemeente``'s messages: its huisstijl's afzender (else ``settings.afzender``), with its name
        when the huisstijl gives one."""
        try:
            huisstijl = load_huisstijl(self.settings.huisstijl, gemeente, default_naam=gemeente,
                                       default_afzender=self.settings.afzender)
        except R2CError as error:  # a broken gemeente.yaml: fixed, the message can go
            raise DeliveryError(str(error), temporary=True) from None
        naam = huisstijl.naam if huisstijl.naam != gemeente else ""
        return _address(huisstijl.afzender, naam)

    def compose(self, message: Message) -> EmailMessage:
        """The e-mail for ``message``: plain text, an HTML alternative if given, then the attachments."""
        sender, recipient = self.sender(message.gemeente), _address(message.recipient)
        unicode = not (sender.addr_spec.isascii() and recipient.addr_spec.isascii())
        mail = EmailMessage(policy=SMTPUTF8 if unicode else SMTP)  # SMTPUTF8 (RFC 6531) only when needed
        mail["From"] = sender
        mail["To"] = recipient
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(self.clock.now())
        mail["Message-ID"] = message_id(message.key)
        mail[KEY_HEADER] = message.key
        mail["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to r2c
        mail["Content-Language"] = "nl"
        mail.set_content(message.text, subtype="plain", charset="utf-8", cte="quoted-printable")
        if message.html:
            mail.add_alternative(message.html, subtype="html", charset="utf-8", cte="quoted-printable")
        for filename, media_type, content in message.attachments:
            maintype, _, subtype = media_type.partition("/")
            mail.add_attachment(content, maintype=maintype or "application", subtype=subtype or "octet-stream",
                                filename=filename)
        return mail

    # -- sending ------------------------------------------------------------------------------------------------

    def send(self, message: Message) -> None:
        """Send ``message``; DeliveryError when the server did not take it (``temporary``: try again later)."""
        mail = self.compose(message)
        sender, recipient = mail["From"].addresses[0].addr_spec, mail["To"].addresses[0].addr_spec
        data = mail.as_bytes()
        with self._lock:
            try:
                self._transmit(sender, recipient, data, utf8=mail.policy is SMTPUTF8)
            except DeliveryError as error:
                if error.temporary:
                    self._drop()  # the session may be in any state: start the next message on a fresh one
                raise

    def close(self) -> None:
        """Say goodbye to the server (QUIT) and forget the connection."""
        with self._lock:
            self._drop(quit=True)

    def __enter__(self) -> EmailChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _transmit(self, sender: str, recipient: str, data: bytes, *, utf8: bool) -> None:
        where = self._where()
        try:
            smtp, code, reply = self._mail_from(sender, utf8)
            if code != 250:
                _refused(smtp, "MAIL FROM", code, reply)
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                _refused(smtp, f"RCPT TO {recipient}", code, reply, temporary=code == 552 or _temporary(code))
            code, reply = smtp.data(data)
            if code != 250:
                _refused(smtp, "DATA", code, reply)
        except smtplib.SMTPResponseException as error:  # data() refusing DATA itself, or a session refusal
            temporary = not isinstance(error, smtplib.SMTPDataError) or _temporary(error.smtp_code)
            raise DeliveryError(f"{where}: {error.smtp_code} {_text(error.smtp_error)}", temporary=temporary) from None
        except smtplib.SMTPNotSupportedError as error:
            raise DeliveryError(f"{where}: {error}", temporary=True) from None
        except (smtplib.SMTPException, OSError) as error:  # refused, timed out, dropped; ssl.SSLError is an OSError
            raise DeliveryError(f"{where}: {type(error).__name__}: {error}".rstrip(": "), temporary=True) from None

    def _mail_from(self, sender: str, utf8: bool) -> tuple[smtplib.SMTP, int, bytes]:
        """MAIL FROM on the kept connection, or on a new one when the server has closed the kept one meanwhile."""
        if self._smtp is not None:
            try:
                code, reply = self._smtp.mail(sender, self._options(self._smtp, utf8))
                if code != 421:  # 421: the server is closing this session (idle too long, restarting)
                    return self._smtp, code, reply
            except (smtplib.SMTPServerDisconnected, OSError):
                pass  # nothing of this message was sent: try once on a fresh connection
            self._drop()
        self._smtp = self._open()
        code, reply = self._smtp.mail(sender, self._options(self._smtp, utf8))
        return self._smtp, code, reply

    def probe(self) -> str:
        """Connect, greet, start TLS and log in as a delivery would, then quit (``r2c doctor``); what was reached.
        A failure raises smtplib.SMTPException or OSError."""
        smtp = self._open()
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()
        tls = {"geen": "zonder TLS", "starttls": "met STARTTLS", "ssl": "met TLS"}[self.settings.smtp_tls]
        login = ", ingelogd" if self.settings.smtp_gebruiker and self.settings.smtp_wachtwoord else ""
        return f"{self._where()} antwoordt ({tls}{login})"

    def _options(self, smtp: smtplib.SMTP, utf8: bool) -> list[str]:
        if not utf8:
            return []
        if not smtp.has_extn("smtputf8"):
            raise DeliveryError(f"{self._where()}: een adres met tekens buiten ASCII, maar de server kent geen "
                                "SMTPUTF8", temporary=False)
        return ["SMTPUTF8", "BODY=8BITMIME"]

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        context = self.tls_context or ssl.create_default_context()
        if s.smtp_tls == "ssl":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(s.smtp_host, s.smtp_port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if s.smtp_tls == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if s.smtp_gebruiker and s.smtp_wachtwoord:
                smtp.login(s.smtp_gebruiker, s.smtp_wachtwoord)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _drop(self, *, quit: bool = False) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            if quit:
                smtp.quit()
        except (smtplib.SMTPException, OSError):
            pass
        finally:
            smtp.close()

    def _where(self) -> str:
        return f"SMTP {self.settings.smtp_host}:{self.settings.smtp_port}"


def _address(address: str, naam: str = "") -> Address:
    """An Address from 'iemand@example.nl' (or 'Naam <iemand@example.nl>'); a malformed one is refused for good."""
    parsed_naam, addr_spec = parseaddr(address)
    username, at, domain = addr_spec.rpartition("@")
    if not (at and username and domain) or "@" in username or any(c.isspace() for c in addr_spec):
        raise DeliveryError(f"ongeldig e-mailadres '{address}'", temporary=False)
    return Address(display_name=naam or parsed_naam, username=username, domain=domain)


def _temporary(code: int) -> bool:
    """Whether a refusal of the message with reply ``code`` may go better later: all but 5xx, and 530."""
    return not 500 <= code < 600 or code == 530


def _refused(smtp: smtplib.SMTP, command: str, code: int, reply: bytes, *, temporary: bool | None = None) -> None:
    """Raise the DeliveryError for a refused command (after RSET, so the connection can be used again)."""
    try:
        smtp.rset()
    except (smtplib.SMTPException, OSError):
        pass
    raise DeliveryError(f"SMTP weigert {command}: {code} {_text(reply)}",
                        temporary=_temporary(code) if temporary is None else temporary)


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
