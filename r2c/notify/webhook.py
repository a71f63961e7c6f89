"""The webhook channel: each message's CloudEvent POSTed to a URL, signed, in structured mode.

One request per delivery (r2c.notify.routing makes one delivery per URL in ``webhook_urls``)::

    POST <url>
    Content-Type: application/cloudevents+json; charset=utf-8
    Idempotency-Key: <the event id>
    X-R2C-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, key R2C_WEBHOOK_GEHEIM>

    {"data": {...}, "datacontenttype": "application/json", "id": "...", "source": "urn:nld:...", ...}

The body is the CloudEvent in the JSON event format (NL GOV profile for CloudEvents; keys sorted, attributes
without a value left out), the same bytes on every attempt. A receiver recomputes the HMAC over the raw body
before parsing it and compares in constant time (docs/notifications.md shows how); it discards an event whose
``source`` + ``id`` it has seen before (a resend after a crash carries the same id).

Answers: 2xx is delivered; 408, 429, 5xx, a timeout or no connection are tried again later (backoff in
r2c.scheduler.jobs); any other answer (a redirect, 400, 401, 404, 410 ...) is given up at once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import urlsplit

import httpx

from r2c import __version__
from r2c.errors import ConfigError
from r2c.notify.channels import DeliveryError, Message

SIGNATURE_HEADER = "X-R2C-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
TEMPORARY_STATUS = frozenset({408, 429})
MIN_SECRET_LENGTH = 16
_LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})


def body_of(event: dict[str, Any]) -> bytes:
    """The CloudEvent as the bytes that are sent and signed: JSON, UTF-8, keys sorted, no null attributes.

    The JSON event format lets an unset attribute be null, but some receivers (Open Notificaties' /cloudevents)
    refuse ``"subject": null``, so attributes without a value are left out.
    """
    attributes = {name: value for name, value in event.items() if value is not None or name == "data"}
    return json.dumps(attributes, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    """The signature header's value: ``sha256=`` and the hex HMAC-SHA256 of ``body`` with ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is the signature of ``body`` under ``secret`` (what a receiver checks)."""
    return header is not None and hmac.compare_digest(signature(secret, body), header.strip())


def check_url(url: str) -> str | None:
    """Why r2c will not post to ``url`` (None when it will): HTTPS only, plain HTTP to this machine only."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in _LOOPBACK:
        return None
    return f"webhook-adres {url!r}: gebruik https:// (http:// alleen naar localhost, om te testen)"


class WebhookChannel:
    """Posts CloudEvents to webhook URLs with httpx.

    Attributes:
        name: 'webhook'.
        secret: the HMAC key (R2C_WEBHOOK_GEHEIM).
        timeout: seconds to connect, and to wait for each read or write.
    """

    name = "webhook"

    def __init__(self, settings: Any, *, timeout: float = 10.0):
        secret = getattr(settings, "webhook_geheim", "") or ""
        if len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(f"R2C_WEBHOOK_GEHEIM: het kanaal webhook staat aan, maar het geheim is leeg of korter "
                              f"dan {MIN_SECRET_LENGTH} tekens; maak er een met: python -c \"import secrets; "
                              "print(secrets.token_hex(32))\"")
        problems = [p for p in (check_url(url) for url in getattr(settings, "webhook_urls", [])) if p]
        if problems:
            raise ConfigError("R2C_WEBHOOK_URLS: " + "; ".join(problems))
        self.secret = secret
        self.timeout = timeout
        self._client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False,
                                    headers={"User-Agent": f"r2c/{__version__} (uitdaagrecht)"})

    def send(self, message: Message) -> None:
        """POST the message's CloudEvent to its recipient; DeliveryError when it was not accepted."""
        if not message.event:
            raise DeliveryError(f"bericht {message.key} heeft geen CloudEvent", temporary=False)
        problem = check_url(message.recipient)
        if problem:
            raise DeliveryError(problem, temporary=False)
        body = body_of(message.event)
        headers = {"Content-Type": CONTENT_TYPE, SIGNATURE_HEADER: signature(self.secret, body),
                   IDEMPOTENCY_HEADER: str(message.event.get("id") or message.key)}
        try:
            response = self._client.post(message.recipient, content=body, headers=headers)
        except httpx.TimeoutException:
            raise DeliveryError(f"{message.recipient} antwoordde niet binnen {self.timeout:g} s", temporary=True) \
                from None
        except httpx.TransportError as error:
            raise DeliveryError(f"{message.recipient} is niet bereikbaar: {type(error).__name__}: {error}",
                                temporary=True) from None
        status = response.status_code
        if 200 <= status < 300:
            return
        temporary = status in TEMPORARY_STATUS or status >= 500
        detail = response.text[:200].strip() if response.content else ""
        raise DeliveryError(f"{message.recipient} antwoordde {status} {response.reason_phrase}"
                            + (f": {detail}" if detail else "")
                            + ("" if temporary else " (niet opnieuw geprobeerd)"), temporary=temporary)

    def close(self) -> None:
        """Close the connections kept open to the receivers."""
        self._client.close()
