"""Reading a temperature as a gate worker types it (DESIGN.md §4).

``366`` → 36.6 °C; ``36,6`` → 36.6; full-width digits are fine; 93.2–108 is Fahrenheit and is
converted and labelled; a trailing ``℃``/``°C``/``°F`` is honoured. Stored as °C with one decimal
(half up). Readings below 35.0 or above 42.0 °C are *implausible*: a retest, never a decision.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from shouwang.core.errors import InvalidInput
from shouwang.screening.policy import DEFAULT_POLICY, Policy

_UNIT = re.compile(r"\s*(°\s*[cf]|℃|℉|[cf])\s*$", re.IGNORECASE)
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Reading:
    """A parsed reading: ``raw`` as typed, ``celsius`` to one decimal (None when none was taken)."""

    raw: str
    celsius: Decimal | None
    converted_from_f: bool = False
    plausible: bool = True

    @property
    def taken(self) -> bool:
        return self.celsius is not None


NO_READING = Reading(raw="", celsius=None)


def fahrenheit_to_celsius(value: Decimal) -> Decimal:
    """°F to °C, one decimal, half up: 98.6 °F → 37.0 °C."""
    return ((value - 32) * 5 / 9).quantize(_TENTH, rounding=ROUND_HALF_UP)


def parse_temperature(raw: str | float | int | Decimal | None, policy: Policy = DEFAULT_POLICY) -> Reading:
    """Parse what was typed. ``None`` or blank → :data:`NO_READING`.

    Raises :class:`InvalidInput` (``temperature_unreadable``) for text that is not a number.
    """
    if raw is None:
        return NO_READING
    typed = str(raw)
    text = unicodedata.normalize("NFKC", typed).strip().replace(",", ".").replace("，", ".")
    if not text:
        return NO_READING
    unit = ""
    match = _UNIT.search(text)
    if match:
        unit = "f" if "f" in match.group(1).lower() or "℉" in match.group(1) else "c"
        text = text[: match.start()].strip()
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("temperature_unreadable", field="temperature", raw=typed[:20]) from None
    if not value.is_finite() or abs(value) > 1000:
        raise InvalidInput("temperature_unreadable", field="temperature", raw=typed[:20])
    # A gun-reader's shortcut: three or four digits with no point means tenths (366, 986, 1004).
    if isinstance(raw, str) and re.fullmatch(r"\d{3,4}", text):
        value = value / 10
    is_f = unit == "f" or (unit == "" and policy.fahrenheit_min <= value <= policy.fahrenheit_max)
    celsius = fahrenheit_to_celsius(value) if is_f else value.quantize(_TENTH, rounding=ROUND_HALF_UP)
    plausible = policy.plausible_min_c <= celsius <= policy.plausible_max_c
    return Reading(raw=typed[:20], celsius=celsius, converted_from_f=is_f, plausible=plausible)
