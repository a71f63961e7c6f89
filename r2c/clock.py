"""Clocks: time is passed in, never read ad hoc (style habit 4)."""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current time as an aware datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, in UTC. The only place in r2c that reads the wall clock."""

    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock:
    """A clock that stands still until moved; for tests and for replaying history.

    Attributes:
        current: the time it reports.
    """

    def __init__(self, current: datetime):
        if current.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime (with tzinfo)")
        self.current = current

    def now(self) -> datetime:
        return self.current

    def set(self, current: datetime) -> None:
        self.current = current


def today(clock: Clock) -> date:
    """The calendar date of ``clock`` in the Netherlands (Europe/Amsterdam)."""
    return local_date(clock.now())


def as_utc(moment: datetime | None) -> datetime | None:
    """``moment`` as an aware UTC datetime; a naive one (SQLite returns those) is taken to be UTC already."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


def local_date(moment: datetime) -> date:
    """The Dutch calendar date of ``moment``; a naive moment (as SQLite returns them) is taken to be UTC."""
    from zoneinfo import ZoneInfo

    return as_utc(moment).astimezone(ZoneInfo("Europe/Amsterdam")).date()
