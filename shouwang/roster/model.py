"""The roster problem as plain dataclasses: what the solver reads and what it returns.

No ORM and no request here (STYLE.md §7): the roster page, the CLI and the benchmarks build an
:class:`Instance`, hand it to :func:`shouwang.roster.solver.solve`, and get a :class:`Result`.

Units, everywhere: hours for durations a coordinator types (``hours``, ``max_hours_per_week``…);
local calendar dates (``datetime.date``) in the horizon's time zone for days; local wall-clock
``datetime.time`` for shift starts. A Shift that starts at 22:00 belongs to the day it starts on
(DESIGN.md §4: "every per-day figure uses the local calendar day").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal
from zoneinfo import ZoneInfo

Status = Literal["optimal", "feasible", "infeasible", "unknown"]


@dataclass(frozen=True)
class Horizon:
    """The days to roster: ``days`` local calendar days from ``start``, in time zone ``tz``.

    ``tz`` is an IANA name (default ``Asia/Shanghai``, the zone of the operation modelled).
    Day index 0 is ``start``; index ``i`` is ``start + i`` days.
    """

    start: dt.date
    days: int
    tz: str = "Asia/Shanghai"

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def date(self, day: int) -> dt.date:
        """The local date of day index ``day``."""
        return self.start + dt.timedelta(days=day)

    def index(self, date: dt.date) -> int | None:
        """Day index of a local ``date``, or None when it falls outside the horizon."""
        i = (date - self.start).days
        return i if 0 <= i < self.days else None

    @property
    def dates(self) -> list[dt.date]:
        return [self.date(i) for i in range(self.days)]

    def local(self, day: int, at: dt.time) -> dt.datetime:
        """The aware local datetime of wall-clock ``at`` on day index ``day`` (may be negative)."""
        return dt.datetime.combine(self.date(day), at, tzinfo=self.zone)


@dataclass(frozen=True)
class ShiftTemplate:
    """A duty stint repeated every day: starts at local ``start`` and lasts ``hours`` hours.

    Any length is allowed (4 h is the field's rule, DESIGN.md §4); a Shift may cross midnight
    (22:00 for 8 h ends at 06:00 the next day) and still belongs to the day it starts on.
    ``hours`` must be a whole number of minutes.
    """

    code: str
    start: dt.time
    hours: float

    @property
    def minutes(self) -> int:
        """Length in minutes (the solver's unit of time)."""
        return round(self.hours * 60)

    def label(self) -> str:
        """``06:00–10:00`` (end marked ``+1`` when it crosses midnight)."""
        begin = dt.datetime.combine(dt.date(2000, 1, 1), self.start)
        end = begin + dt.timedelta(minutes=self.minutes)
        days = (end.date() - begin.date()).days
        tail = f" +{days}" if days else ""
        return f"{begin:%H:%M}–{end:%H:%M}{tail}"


@dataclass(frozen=True)
class CheckpointNeed:
    """How many Staff a Checkpoint needs on each Shift of each day, and whether a lead must be there.

    ``staff_needed`` maps a shift code to either one number (every day the same) or a sequence
    with one number per horizon day; a missing shift code or 0 means the Checkpoint is closed
    then (no one is rostered there). ``lead_shifts`` lists the shift codes in which at least one
    of the Staff at this Checkpoint must be a team lead (the sub-district asks for it, §4).
    """

    code: str
    name: str
    staff_needed: Mapping[str, int | Sequence[int]]
    lead_shifts: frozenset[str] = frozenset()

    def needed(self, shift: str, day: int) -> int:
        """People needed on ``shift`` (code) on day index ``day``; 0 when closed."""
        value = self.staff_needed.get(shift, 0)
        if isinstance(value, int):
            return value
        return value[day] if 0 <= day < len(value) else 0


@dataclass(frozen=True)
class TimeRange:
    """An aware ``[start, end)`` interval, e.g. a time a staff member is away for other duties."""

    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Request:
    """A staff member's wish for a day, with its ``weight`` (points charged when not granted).

    ``work=True``: they ask to work (on ``shift``, at ``checkpoint`` when given; any Shift of
    the day when ``shift`` is None). ``work=False``: they ask *not* to work it (a whole day off
    when ``shift`` is None). Weights are relative: 1 is a mild preference, 10 a strong request.
    """

    date: dt.date
    work: bool
    shift: str | None = None
    checkpoint: str | None = None
    weight: int = 1


@dataclass(frozen=True)
class StaffMember:
    """One of the Staff: a deployed cadre or volunteer who can stand at Checkpoints.

    ``team`` groups Staff into a Team (the soft rule keeps one Team on a Checkpoint per day);
    ``is_lead`` marks a team lead. ``checkpoints`` lists the Checkpoint codes they may stand at
    (empty: any). ``unavailable_dates`` are whole local days away; ``unavailable_times`` are
    aware intervals away (other duties). ``max_hours_per_week`` caps any 7 consecutive horizon
    days; ``min_total_hours``/``max_total_hours`` bound the whole horizon (hours, None: no bound).
    """

    id: str
    name: str
    team: str = ""
    is_lead: bool = False
    checkpoints: frozenset[str] = frozenset()
    unavailable_dates: frozenset[dt.date] = frozenset()
    unavailable_times: tuple[TimeRange, ...] = ()
    max_hours_per_week: float | None = None
    min_total_hours: float | None = None
    max_total_hours: float | None = None
    requests: tuple[Request, ...] = ()

    def may_stand_at(self, checkpoint: str) -> bool:
        return not self.checkpoints or checkpoint in self.checkpoints


@dataclass(frozen=True)
class Rules:
    """Hard rules for every staff member (DESIGN.md §4 defaults; configurable per sub-district).

    ``min_rest_hours``: hours between the end of one Shift and the start of the next one of the
    same person. ``max_shifts_per_day``: Shifts starting on one local day. ``max_consecutive_days``:
    working days in a row within the horizon. ``min_days_off``: days with no Shift over the
    horizon. None switches a rule off.
    """

    min_rest_hours: float = 8.0
    max_shifts_per_day: int | None = 1
    max_consecutive_days: int | None = 6
    min_days_off: int | None = None


@dataclass(frozen=True)
class Weights:
    """Points of the objective (lower is better), each per unit named.

    ``fairness``: per hour a person's total lies outside the fair band (their share of the
    demand, rounded to whole Shifts). ``request``: multiplies each request's own weight.
    ``team_mix``: per extra Team on one Checkpoint in one day (the aim: one Team per Checkpoint-day).
    ``isolated_day``: per working day with a day off on both sides. ``empty_slot``: per missing
    person in a slot, with soft coverage only; it dwarfs the others so the solver staffs every
    slot it can. ``change``: per Shift of :attr:`Instance.previous` not kept as it was (same
    person, day, Shift and Checkpoint); the lightest weight, so a re-solve moves as few Shifts as
    it can without giving up any other goal's point for fewer than that many moves.
    """

    fairness: int = 2
    request: int = 1
    team_mix: int = 3
    isolated_day: int = 4
    empty_slot: int = 1000
    change: int = 1


@dataclass(frozen=True)
class Lock:
    """A cell fixed by the coordinator: ``staff`` on ``date``'s ``shift`` at ``checkpoint``.

    ``assigned=True``: must be rostered there (at any Checkpoint when ``checkpoint`` is None).
    ``assigned=False``: must not be (nowhere on that Shift when ``checkpoint`` is None).
    """

    staff: str
    date: dt.date
    shift: str
    checkpoint: str | None = None
    assigned: bool = True


@dataclass(frozen=True)
class Instance:
    """Everything the solver needs to roster one sub-district (or any group of Checkpoints).

    ``previous``: the Roster being re-solved, or the part of it that may change (locked cells
    are ``locks``). The solver keeps as much of it as the other goals allow (each Shift not kept
    costs ``weights.change``) and starts its search from it, so that moving one person and
    re-solving does not reshuffle everybody's calendar. Empty for a first solve.
    """

    horizon: Horizon
    shifts: tuple[ShiftTemplate, ...]
    checkpoints: tuple[CheckpointNeed, ...]
    staff: tuple[StaffMember, ...]
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)
    locks: tuple[Lock, ...] = ()
    name: str = ""
    previous: tuple[Assignment, ...] = ()

    def shift(self, code: str) -> ShiftTemplate:
        for s in self.shifts:
            if s.code == code:
                return s
        raise KeyError(code)

    def checkpoint(self, code: str) -> CheckpointNeed:
        for c in self.checkpoints:
            if c.code == code:
                return c
        raise KeyError(code)


@dataclass(frozen=True)
class Assignment:
    """One cell of the Roster: ``staff`` (id) stands ``shift`` (code) at ``checkpoint`` on ``date``."""

    staff: str
    date: dt.date
    shift: str
    checkpoint: str


@dataclass(frozen=True)
class EmptySlot:
    """``missing`` of the ``needed`` places at ``checkpoint`` on ``date``'s ``shift`` stay empty.

    ``lead=True`` means the slot is staffed but its team lead is missing.
    """

    checkpoint: str
    date: dt.date
    shift: str
    needed: int
    missing: int
    lead: bool = False


@dataclass(frozen=True)
class Explanation:
    """A reason in a coordinator's words: a stable ``code`` of ``ROSTER_MESSAGES`` and its params.

    Params may hold dates, :class:`ShiftTemplate` spans or lists; :meth:`text` renders them for
    ``lang`` (``zh-hans`` or ``en``).
    """

    code: str
    params: Mapping[str, object] = field(default_factory=dict)

    def text(self, lang: str = "zh-hans") -> str:
        from shouwang.roster.messages import render

        return render(self.code, lang, self.params)


@dataclass(frozen=True)
class Result:
    """What a solve returns.

    ``status``: ``optimal`` (proved best), ``feasible`` (a Roster, maybe not the best),
    ``infeasible`` (no Roster meets the hard rules; see ``explanations``), ``unknown`` (time ran
    out before any Roster was found). ``objective``/``best_bound`` are points (lower is better);
    ``gap_pct`` is ``100·(objective−bound)/objective`` (0 when both are 0); ``wall_s`` seconds.
    ``hours`` maps staff id to rostered hours.
    """

    status: Status
    objective: float | None = None
    best_bound: float | None = None
    gap_pct: float | None = None
    wall_s: float = 0.0
    assignments: tuple[Assignment, ...] = ()
    empty_slots: tuple[EmptySlot, ...] = ()
    explanations: tuple[Explanation, ...] = ()
    hours: Mapping[str, float] = field(default_factory=dict)
    objective_terms: Mapping[str, int] = field(default_factory=dict)

    @property
    def has_roster(self) -> bool:
        return self.status in ("optimal", "feasible")
