"""Shared steps of the reports tests: a day of 2020 in Beijing, screenings through the service."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import time_machine

from conftest import World
from shouwang.screening.identify import Identifier
from shouwang.screening.services import record_screening

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = dt.date(2020, 3, 1)


def local(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    """An aware instant at a Beijing wall-clock time."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=BEIJING)


def screen(world: World, gate: Any, at: dt.datetime, temperature: str = "36.5") -> str:
    """One screening of 张三 at ``gate`` at ``at`` through the gate's service; its decision."""
    with time_machine.travel(at, tick=False):
        result = record_screening(
            Identifier(pass_number=world.pass_.number),
            checkpoint=gate,
            direction="in",
            temperature=temperature,
            mask=True,
            actor=world.gate_user,
        )
    return str(result.event.decision)
