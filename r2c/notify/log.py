"""The log channel: every message as one line in the Python log (logger 'r2c.berichten'); never fails."""

from __future__ import annotations

import logging
from typing import Any

from r2c.notify.channels import Message

LOG = logging.getLogger("r2c.berichten")


class LogChannel:
    """Writes each message to the log, for development and as an audit of what was sent."""

    name = "log"

    def __init__(self, settings: Any = None):
        self.settings = settings

    def send(self, message: Message) -> None:
        LOG.info("%s %s -> %s: %s", message.key, message.channel, message.recipient, message.subject)
