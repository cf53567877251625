"""A staff member's Shifts as an iCalendar feed (RFC 5545) a phone calendar subscribes to.

One VEVENT per Shift: ``UID`` stable per Shift (``shift-<pk>@shouwang``, so a re-fetched feed
updates events instead of duplicating them; a Shift moved to someone else disappears from the
old feed), ``DTSTART``/``DTEND`` in local time with ``TZID`` of the gate's community
(Asia/Shanghai) and a ``VTIMEZONE``, ``SUMMARY`` "值守 <gate>", ``LOCATION`` the gate and its
community. Served later by a view behind a signed link (:mod:`shouwang.roster.links`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone
from icalendar import Calendar, Event

from shouwang.core.models import Staff
from shouwang.roster.models import Shift

PRODID = "-//Shouwang 守望//duty roster//ZH"
UID_DOMAIN = "shouwang"


def shift_uid(shift: Shift) -> str:
    """The event's UID: stable for the life of the Shift row."""
    return f"shift-{shift.pk}@{UID_DOMAIN}"


def ics_for(staff: Staff, shifts: Iterable[Shift], *, now: dt.datetime | None = None) -> bytes:
    """The iCalendar bytes of ``shifts`` (their ``checkpoint``, ``community`` and ``template``
    loaded) for ``staff``. ``now`` stamps ``DTSTAMP`` (default: the clock)."""
    stamp = (now or timezone.now()).astimezone(dt.UTC)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"值守班次 {staff.display_name}")
    zones = set()
    for shift in shifts:
        zone = shift.community.tz
        zones.add(zone.key)
        gate = shift.checkpoint
        event = Event()
        event.add("uid", shift_uid(shift))
        event.add("dtstamp", stamp)
        event.add("dtstart", shift.starts_at.astimezone(zone))
        event.add("dtend", shift.ends_at.astimezone(zone))
        event.add("summary", f"值守 {gate.name}")
        event.add("location", f"{gate.name}（{shift.community.name}）")
        lines = [f"班次 shift: {shift.template.label()}", f"卡口 gate: {gate.name} ({gate.code})"]
        if gate.notes:
            lines.append(gate.notes)
        event.add("description", "\n".join(lines))
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        event.add("last-modified", shift.updated_at.astimezone(dt.UTC))
        cal.add_component(event)
    if len(zones) == 1:
        cal.add("x-wr-timezone", next(iter(zones)))
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data
