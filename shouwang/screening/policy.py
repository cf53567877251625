"""The field rules of DESIGN.md §4 as one value, overridable per sub-district."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Policy:
    """Screening rules. Temperatures in °C.

    ``fever_c``: 37.3 °C is the Chinese national screening threshold (a reading ≥ it is a
    fever). ``plausible_min_c``/``plausible_max_c``: readings outside ask for a retest, never a
    decision (IR guns on cold skin read low). ``fahrenheit_min``/``fahrenheit_max``: a typed value
    in this range is °F. ``retest_window_s``: how long a ``retest`` answer waits for its
    retest. ``duplicate_window_s``: the same pass at the same gate and direction within this is
    one record. ``referral_hold_s``: after a fever referral the person is sent back to the
    health station at every gate of the community for this long (until the health station's own
    clearance exists). ``backdate_days``: how old an ``occurred_at`` an offline device may still
    send.

    Home quarantine (DESIGN.md §4): ``quarantine_days`` calendar days with the arrival date as
    day 1. Follow-ups: a morning one due from ``followup_am_from_h`` and overdue at
    ``followup_am_until_h``, an afternoon one likewise (local hours, 0–24).

    Retention (DESIGN.md §4, applied by ``shouwang purge``): screenings are deleted
    ``retention_screening_days`` after their local day and visits, deliveries and invitations
    ``retention_visitor_days`` after theirs: 28 days, two 14-day incubation periods. Quarantine
    records go ``retention_quarantine_days`` after the plan ended; DESIGN.md says "after their
    legal period" without a figure, so 180 days is a placeholder a sub-district must set to what
    its health authority requires. Counts per gate, hour and decision are kept (``DailyCount``).

    Daily report (日报): ``daily_report_due`` is the local wall-clock time ("HH:MM") on the
    report's own day by which it should be submitted; later is "late", none by then "missing".
    DESIGN.md §4 gives no figure: 20:00 is the end of the afternoon follow-up window
    (``followup_pm_until_h``), the last of the day's work the report counts.
    """

    fever_c: Decimal = Decimal("37.3")
    plausible_min_c: Decimal = Decimal("35.0")
    plausible_max_c: Decimal = Decimal("42.0")
    fahrenheit_min: Decimal = Decimal("93.2")
    fahrenheit_max: Decimal = Decimal("108")
    temperature_on_exit: bool = False
    mask_required_in: bool = True
    mask_required_out: bool = False
    retest_window_s: int = 30 * 60
    duplicate_window_s: int = 10
    referral_hold_s: int = 4 * 3600
    backdate_days: int = 7
    quarantine_days: int = 14
    followup_am_from_h: int = 8
    followup_am_until_h: int = 12
    followup_pm_from_h: int = 14
    followup_pm_until_h: int = 20
    daily_report_due: str = "20:00"
    retention_screening_days: int = 28
    retention_visitor_days: int = 28
    retention_quarantine_days: int = 180

    @classmethod
    def from_overrides(cls, overrides: dict[str, Any] | None) -> Policy:
        """Defaults with a sub-district's overrides applied; unknown keys are ignored."""
        if not overrides:
            return DEFAULT_POLICY
        fields = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for name, value in overrides.items():
            if name in fields:
                default = getattr(DEFAULT_POLICY, name)
                values[name] = Decimal(str(value)) if isinstance(default, Decimal) else type(default)(value)
        return dataclasses.replace(DEFAULT_POLICY, **values)


DEFAULT_POLICY = Policy()
