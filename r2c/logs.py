"""r2c's log lines: text or JSON (``R2C_LOG_FORMAT``), each with the request, gemeente and challenge it is about.

The context is kept in contextvars: the HTTP layer sets ``request_id`` per request, the service and the planner
set ``gemeente`` and ``challenge_id`` once they know which challenge they handle, and every record logged in that
context carries them. Standard library only, so every layer may use it.

Log lines never hold personal data: callers log ids, statuses and counts, never a name, address, e-mail, phone
or a recipient. SQLAlchemy's and httpx's loggers are kept at WARNING (``QUIET``).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import TextIO

FIELDS = ("request_id", "gemeente", "challenge_id")
"""The context fields a record carries when they are known."""

_CONTEXT: dict[str, ContextVar[str | None]] = {name: ContextVar(f"r2c_{name}", default=None) for name in FIELDS}
_SANE = re.compile(r"[A-Za-z0-9._:-]{1,128}")
QUIET = ("sqlalchemy", "httpx", "httpcore", "httpx2", "httpcore2")
"""Loggers kept at WARNING whatever the level: below it SQLAlchemy logs statement parameters and result rows, and
httpx (and its successor httpx2, which Starlette's TestClient prefers) every URL it calls (a webhook's URL may carry
a key, a status page's path its token)."""


def request_id(incoming: str | None = None) -> str:
    """The id of a request: ``incoming`` (an ``X-Request-ID`` header) when it is a sane token, else a new one."""
    if incoming is not None and _SANE.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


def current() -> dict[str, str]:
    """The context fields that are set here."""
    return {name: value for name, var in _CONTEXT.items() if (value := var.get()) is not None}


@contextmanager
def context(**values: str | None) -> Iterator[None]:
    """Log within ``values`` (``request_id``, ``gemeente``, ``challenge_id``); the previous ones come back after."""
    tokens = [(_CONTEXT[name], _CONTEXT[name].set(value)) for name, value in values.items() if value is not None]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def bind(**values: str | None) -> None:
    """Set context fields for the rest of the current context (a request, a thread's task), e.g. once the
    challenge a request is about is known."""
    for name, value in values.items():
        if value is not None:
            _CONTEXT[name].set(value)


class ContextFilter(logging.Filter):
    """Puts the context fields on every record (None when unknown), for both formats."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, var in _CONTEXT.items():
            if getattr(record, name, None) is None:
                setattr(record, name, var.get())
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the known context fields, and
    ``exception`` with the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": record.getMessage()}
        line.update({name: value for name in FIELDS if (value := getattr(record, name, None)) is not None})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``<time> <level> <logger> <message>``, then the known context fields as ``name=value``."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        known = " ".join(f"{name}={value}" for name in FIELDS if (value := getattr(record, name, None)) is not None)
        return f"{line} [{known}]" if known else line


def configure(log_format: str = "tekst", *, level: int | str = logging.INFO, stream: TextIO | None = None) -> None:
    """Send every logger's records to ``stream`` (stderr) as ``log_format`` (``tekst`` or ``json``) from ``level``;
    replaces the root logger's handlers, so calling it again changes the format."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
