"""Reading a temperature as a gate worker types it (DESIGN.md §4).

``366`` → 36.6 °C; ``36,6`` → 36.6; full-width digits are fine; 93.2–108 is Fahrenheit and is
converted and labelled (``986`` → 98.6 °F, ``102`` → 102 °F); a trailing ``℃``/``°C``/``°F``/``度``
is honoured; exponents and signs are not numbers a gun shows. Stored as °C with one decimal
(half up). Readings below 35.0 or above 42.0 °C are *implausible*: a retest, never a decision.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shouwang.core.errors import InvalidInput
from shouwang.screening.policy import DEFAULT_POLICY, Policy

_UNIT = re.compile(r"\s*(°\s*[cf]|℃|℉|[cf]|度)\s*$", re.IGNORECASE)
_NUMBER = re.compile(r"\d{1,4}(\.\d{1,3})?")
# Three or four typed digits read as tenths of a degree when that lands in a body's range.
_TENTHS_C_MIN, _TENTHS_C_MAX = Decimal("30"), Decimal("45")
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
    if not _NUMBER.fullmatch(text):
        raise InvalidInput("temperature_unreadable", field="temperature", raw=typed[:20])
    value = Decimal(text)  # at most four digits before the point: always finite and small
    is_f = unit == "f" or (unit == "" and policy.fahrenheit_min <= value <= policy.fahrenheit_max)
    if isinstance(raw, str) and unit != "f" and re.fullmatch(r"\d{3,4}", text):
        # A gun-reader's shortcut: digits with no point are tenths (366 → 36.6, 986 → 98.6 °F),
        # unless they only make sense whole (100 → 100 °F, 102 → 102 °F).
        tenths = value / 10
        whole_fahrenheit = is_f and not _TENTHS_C_MIN <= tenths <= _TENTHS_C_MAX
        if not whole_fahrenheit:
            value = tenths
            is_f = unit == "" and policy.fahrenheit_min <= value <= policy.fahrenheit_max
    celsius = fahrenheit_to_celsius(value) if is_f else value.quantize(_TENTH, rounding=ROUND_HALF_UP)
    plausible = policy.plausible_min_c <= celsius <= policy.plausible_max_c
    return Reading(raw=typed[:20], celsius=celsius, converted_from_f=is_f, plausible=plausible)
