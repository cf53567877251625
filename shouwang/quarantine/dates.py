"""The quarantine calendar: pure date arithmetic in the community's local time zone.

DESIGN.md §4 (after the 2020 Beijing notices, 自返京之日起居家观察14天): the arrival date is
day 1, counted in local time; the person is free from the start of day ``days + 1``. An arrival
at 00:30 local belongs to that local date, not the UTC one before it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass


@dataclass(frozen=True)
class Span:
    """``first_day`` (day 1) to ``last_day`` (inclusive), free from ``free_from``; local dates."""

    first_day: dt.date
    last_day: dt.date

    @property
    def free_from(self) -> dt.date:
        return self.last_day + dt.timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def day_number(self, day: dt.date) -> int:
        """1 on the arrival date, 14 on the last day of a 14-day plan."""
        return (day - self.first_day).days + 1


def quarantine_span(arrived_at: dt.datetime, tz: zoneinfo.ZoneInfo, days: int = 14) -> Span:
    """The span of a ``days``-day quarantine for an arrival at the aware instant ``arrived_at``.

    Raises ``ValueError`` for a naive instant (its local date would be a guess) or ``days < 1``.
    """
    if arrived_at.tzinfo is None or arrived_at.utcoffset() is None:
        raise ValueError("arrived_at must be timezone-aware")
    if days < 1:
        raise ValueError("days must be at least 1")
    first = arrived_at.astimezone(tz).date()
    return Span(first, first + dt.timedelta(days=days - 1))


def start_of_day(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """The aware instant local ``day`` begins (00:00 local)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)
