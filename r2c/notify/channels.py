"""Channels: how a message leaves r2c (e-mail, webhook, log, or a host's own), found as entry points.

A channel is any object with a ``name`` and a ``send(message)`` that raises DeliveryError when the message did
not get through (``temporary=True``: try again later). Register your own in your package's metadata:

    [project.entry-points."r2c.channels"]
    sms = "mijnpakket.sms:SmsChannel"

The class is called with the Settings; r2c's own three are registered the same way (pyproject.toml).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, Protocol

from r2c.errors import ConfigError, R2CError

ENTRY_POINT_GROUP = "r2c.channels"


class DeliveryError(R2CError):
    """A message did not get through.

    Attributes:
        temporary: True when trying again later may work (server down, refused for now).
        waiting: True when the message was not tried because it waits for another one (a channel that keeps a
            challenge's steps in order): tried again later without counting an attempt, so it never fails by
            waiting, however long the other one takes or stays failed.
    """

    def __init__(self, message: str, *, temporary: bool = True, waiting: bool = False):
        self.temporary = temporary or waiting
        self.waiting = waiting
        super().__init__(message)


@dataclass(frozen=True)
class Message:
    """One message to one recipient, ready to send.

    Attributes:
        key: the idempotency key; the same key is never delivered twice by r2c (sent as Message-ID / event id).
        channel: the channel's name.
        recipient: an e-mail address, a webhook URL, or a name for the log.
        gemeente: the gemeente it is sent for.
        subject: the subject line (e-mail) or event type (webhook).
        text: plain text body.
        html: HTML body, if any.
        event: the CloudEvent (NL GOV profile) for machine channels.
        attachments: (file name, media type, content) triples, e.g. a letter as PDF.
    """

    key: str
    channel: str
    recipient: str
    gemeente: str
    subject: str
    text: str
    html: str | None = None
    event: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[tuple[str, str, bytes], ...] = ()


class Channel(Protocol):
    """What a channel is: a name and a way to send."""

    name: str

    def send(self, message: Message) -> None: ...


def load_channels(settings: Any, *, only: list[str] | None = None) -> dict[str, Channel]:
    """The channels registered under ``r2c.channels`` that are switched on (``settings.kanalen``)."""
    wanted = only if only is not None else list(settings.kanalen)
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    missing = [name for name in wanted if name not in found]
    if missing:
        raise ConfigError(f"R2C_KANALEN: onbekend kanaal {', '.join(missing)}; geïnstalleerd: "
                          f"{', '.join(sorted(found)) or 'geen'}")
    return {name: found[name].load()(settings) for name in wanted}
