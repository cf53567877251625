"""The Shift Scheduling Benchmark of Curtois & Qu (University of Nottingham): reader, CP-SAT model, checker.

The instance files (``InstanceN.txt``) are read where they lie — in this project,
``../shared/benchmarks/shift-scheduling/`` — and never copied. Format and rules follow the
benchmark's own description (Curtois & Qu, "Computational results on new staff scheduling
benchmark instances", 2014; summarised in that folder's FORMAT.md):

- one Shift a day at most per employee; days off (``SECTION_DAYS_OFF``) are hard;
- per employee: max Shifts of each type, min/max total minutes, max/min consecutive working
  days, min consecutive days off, max working weekends (a weekend is worked when Saturday
  *or* Sunday is; day 0 is a Monday, so days 5/6, 12/13, … are weekends);
- forbidden successions: shift ``t`` on day ``d`` forbids each listed shift on day ``d+1``;
- the minimum run rules (work and days off) do not apply to runs touching the start or end of
  the horizon (the days beyond it are unknown) — as in the benchmark's own checker
  (``add_min_consecutive_constraints(..., OK_at_the_border=true)`` in PetterS/monolith);
- objective (minimised): unmet shift-on requests and granted shift-off requests at their
  weights, plus cover under/over staffing at the weight per person.

This module has a dedicated CP-SAT model rather than going through
:mod:`shouwang.roster.solver`: the benchmark's rules (per-type limits, successions, weekends,
soft cover) are not the sub-district's, and what matters is that the objective is exactly the
benchmark's, which :func:`curtois_objective` recomputes independently of the model.
:func:`solve_curtois`, where some cover is beyond the staff's limits (Instance 8), looks for a
roster leaving only that forced shortfall and has CP-SAT improve it among such rosters
(:mod:`shouwang.roster.deficit`); otherwise, or when none is found, it runs CP-SAT on the whole
model for part of the time, then column generation over whole rows
(:mod:`shouwang.roster.columns`: the bound, and on Instance 5 the roster), then the
large-neighbourhood search of :mod:`shouwang.roster.lns` (a few employees, or a few days,
re-planned at a time with the rest fixed), which finds better rosters on Instances 5–10.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ortools.sat.python import cp_model

from shouwang.roster.instance_json import RosterInputError

CurtoisRoster = Mapping[str, list[str | None]]
"""Employee id → one entry per day: the shift id worked, or None for a day off."""

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)


class CurtoisFormatError(RosterInputError):
    """An instance file that does not follow the format; names the file, line and what is wrong."""


@dataclass(frozen=True)
class CShift:
    """A shift type: ``id``, length in minutes, and the shift ids forbidden on the next day."""

    id: str
    minutes: int
    forbidden_next: tuple[str, ...] = ()


@dataclass(frozen=True)
class CStaff:
    """An employee's hard limits (minutes and counts over the whole horizon)."""

    id: str
    max_shifts: Mapping[str, int]
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive: int
    min_consecutive: int
    min_consecutive_off: int
    max_weekends: int


@dataclass(frozen=True)
class CRequest:
    """``staff`` asks to work (on-request) or not to work (off-request) ``shift`` on ``day``."""

    staff: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class CCover:
    """Wanted head-count of ``shift`` on ``day``; penalty per missing and per extra person."""

    day: int
    shift: str
    requirement: int
    under_weight: int
    over_weight: int


@dataclass(frozen=True)
class CurtoisInstance:
    """One benchmark instance. ``days`` from a Monday (day 0)."""

    name: str
    days: int
    shifts: tuple[CShift, ...]
    staff: tuple[CStaff, ...]
    days_off: Mapping[str, frozenset[int]]
    on_requests: tuple[CRequest, ...]
    off_requests: tuple[CRequest, ...]
    cover: tuple[CCover, ...]

    @property
    def weekends(self) -> list[tuple[int, int]]:
        """(Saturday, Sunday) day indexes of each weekend inside the horizon."""
        return [(d, d + 1) for d in range(5, self.days, 7) if d + 1 < self.days]


def _fail(path: str, line: int, detail: str) -> CurtoisFormatError:
    return CurtoisFormatError("roster_curtois_format", field=path, path=path, line=line, detail=detail)


def read_curtois(path: str | Path) -> CurtoisInstance:
    """Parse ``InstanceN.txt``; raises :class:`CurtoisFormatError` naming the line at fault."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise _fail(str(p), 0, f"cannot read the file ({exc.strerror})") from None
    return parse_curtois(text, name=p.stem, path=str(p))


def parse_curtois(text: str, *, name: str = "instance", path: str = "<text>") -> CurtoisInstance:
    """Parse the text of an instance (see :func:`read_curtois`)."""
    blocks: dict[str, list[tuple[int, str]]] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            if line not in SECTIONS:
                raise _fail(path, number, f"unknown section {line!r}; expected one of {', '.join(SECTIONS)}")
            current = line
            blocks[current] = []
            continue
        if current is None:
            raise _fail(path, number, "data before the first SECTION_ header")
        blocks[current].append((number, line))
    for section in SECTIONS:
        if section not in blocks:
            raise _fail(path, 0, f"the file has no {section} block")

    def fields(number: int, line: str, count: int | None, what: str) -> list[str]:
        parts = [f.strip() for f in line.split(",")]
        if count is not None and len(parts) != count:
            raise _fail(path, number, f"{what} needs {count} comma-separated fields, found {len(parts)}")
        return parts

    def integer(number: int, raw: str, what: str) -> int:
        try:
            return int(raw)
        except ValueError:
            raise _fail(path, number, f"{what} {raw!r} is not a whole number") from None

    horizon = blocks["SECTION_HORIZON"]
    if len(horizon) != 1:
        raise _fail(path, horizon[0][0] if horizon else 0, "SECTION_HORIZON holds exactly one number")
    days = integer(horizon[0][0], horizon[0][1], "the horizon")
    if days <= 0:
        raise _fail(path, horizon[0][0], "the horizon must be at least one day")

    shifts: list[CShift] = []
    for number, line in blocks["SECTION_SHIFTS"]:
        parts = [f.strip() for f in line.split(",")]
        if len(parts) not in (2, 3):
            raise _fail(path, number, "a shift row is: ShiftID, minutes, forbidden successors (| separated)")
        forbidden = tuple(f for f in (parts[2].split("|") if len(parts) == 3 else []) if f)
        shifts.append(CShift(parts[0], integer(number, parts[1], "shift length"), forbidden))
    ids = {s.id for s in shifts}
    for s, (number, _) in zip(shifts, blocks["SECTION_SHIFTS"], strict=True):
        for f in s.forbidden_next:
            if f not in ids:
                raise _fail(path, number, f"shift {s.id} forbids unknown shift {f!r}")

    def shift_id(number: int, raw: str) -> str:
        if raw not in ids:
            raise _fail(path, number, f"unknown shift {raw!r} (known: {', '.join(sorted(ids))})")
        return raw

    def day_index(number: int, raw: str) -> int:
        d = integer(number, raw, "day")
        if not 0 <= d < days:
            raise _fail(path, number, f"day {d} is outside the horizon 0..{days - 1}")
        return d

    staff: list[CStaff] = []
    for number, line in blocks["SECTION_STAFF"]:
        parts = fields(number, line, 8, "a staff row")
        limits: dict[str, int] = {}
        for pair in filter(None, parts[1].split("|")):
            key, _, value = pair.partition("=")
            limits[shift_id(number, key.strip())] = integer(number, value, f"max shifts of {key}")
        nums = [integer(number, v, "staff limit") for v in parts[2:]]
        staff.append(CStaff(parts[0], limits, *nums))
    staff_ids = {s.id for s in staff}

    def staff_id(number: int, raw: str) -> str:
        if raw not in staff_ids:
            raise _fail(path, number, f"unknown employee {raw!r}")
        return raw

    days_off: dict[str, frozenset[int]] = {}
    for number, line in blocks["SECTION_DAYS_OFF"]:
        parts = fields(number, line, None, "a days-off row")
        who = staff_id(number, parts[0])
        days_off[who] = days_off.get(who, frozenset()) | {day_index(number, v) for v in parts[1:] if v}

    def requests(section: str) -> tuple[CRequest, ...]:
        out = []
        for number, line in blocks[section]:
            parts = fields(number, line, 4, "a request row")
            out.append(
                CRequest(
                    staff_id(number, parts[0]),
                    day_index(number, parts[1]),
                    shift_id(number, parts[2]),
                    integer(number, parts[3], "weight"),
                )
            )
        return tuple(out)

    cover = []
    for number, line in blocks["SECTION_COVER"]:
        parts = fields(number, line, 5, "a cover row")
        cover.append(
            CCover(
                day_index(number, parts[0]),
                shift_id(number, parts[1]),
                integer(number, parts[2], "requirement"),
                integer(number, parts[3], "under weight"),
                integer(number, parts[4], "over weight"),
            )
        )
    return CurtoisInstance(
        name=name,
        days=days,
        shifts=tuple(shifts),
        staff=tuple(staff),
        days_off=days_off,
        on_requests=requests("SECTION_SHIFT_ON_REQUESTS"),
        off_requests=requests("SECTION_SHIFT_OFF_REQUESTS"),
        cover=tuple(cover),
    )


# -- the independent checker ---------------------------------------------------------------


def curtois_violations(instance: CurtoisInstance, roster: CurtoisRoster) -> list[str]:
    """Every hard rule ``roster`` breaks (plain loops, no solver); ``[]`` when it is valid."""
    out: list[str] = []
    lengths = {s.id: s.minutes for s in instance.shifts}
    forbidden = {s.id: set(s.forbidden_next) for s in instance.shifts}
    for e in instance.staff:
        row = roster.get(e.id)
        if row is None or len(row) != instance.days:
            out.append(f"{e.id}: needs one entry per day ({instance.days})")
            continue
        for d, t in enumerate(row):
            if t is not None and t not in lengths:
                out.append(f"{e.id} day {d}: unknown shift {t}")
        if any(t is not None and t not in lengths for t in row):
            continue
        for t in lengths:
            n = sum(1 for v in row if v == t)
            if n > e.max_shifts.get(t, instance.days):
                out.append(f"{e.id}: {n} x {t} > {e.max_shifts.get(t)}")
        minutes = sum(lengths[t] for t in row if t is not None)
        if not e.min_total_minutes <= minutes <= e.max_total_minutes:
            out.append(f"{e.id}: {minutes} min outside [{e.min_total_minutes}, {e.max_total_minutes}]")
        for d in sorted(instance.days_off.get(e.id, ())):
            if row[d] is not None:
                out.append(f"{e.id}: works on day off {d}")
        for d in range(instance.days - 1):
            a, b = row[d], row[d + 1]
            if a is not None and b is not None and b in forbidden[a]:
                out.append(f"{e.id}: {b} on day {d + 1} may not follow {a}")
        work = [t is not None for t in row]
        runs: list[tuple[bool, int, int]] = []  # (working, first day, length)
        start = 0
        for d in range(1, instance.days + 1):
            if d == instance.days or work[d] != work[start]:
                runs.append((work[start], start, d - start))
                start = d
        for working, first, length in runs:
            inner = first > 0 and first + length < instance.days
            if working and length > e.max_consecutive:
                out.append(f"{e.id}: {length} days in a row from day {first}")
            if working and inner and length < e.min_consecutive:
                out.append(f"{e.id}: only {length} days in a row from day {first}")
            if not working and inner and length < e.min_consecutive_off:
                out.append(f"{e.id}: only {length} days off from day {first}")
        weekends = sum(1 for sat, sun in instance.weekends if work[sat] or work[sun])
        if weekends > e.max_weekends:
            out.append(f"{e.id}: works {weekends} weekends > {e.max_weekends}")
    return out


def curtois_objective(instance: CurtoisInstance, roster: CurtoisRoster) -> int:
    """The benchmark's objective for ``roster`` (requests plus cover penalties), computed by loops.

    Independent of the CP-SAT model on purpose: tests compare the two. Raises ValueError when
    the roster breaks a hard rule (see :func:`curtois_violations`).
    """
    broken = curtois_violations(instance, roster)
    if broken:
        raise ValueError("; ".join(broken[:5]))
    total = 0
    for r in instance.on_requests:
        if roster[r.staff][r.day] != r.shift:
            total += r.weight
    for r in instance.off_requests:
        if roster[r.staff][r.day] == r.shift:
            total += r.weight
    for c in instance.cover:
        working = sum(1 for e in instance.staff if roster[e.id][c.day] == c.shift)
        if working < c.requirement:
            total += (c.requirement - working) * c.under_weight
        else:
            total += (working - c.requirement) * c.over_weight
    return total


# -- the CP-SAT model ----------------------------------------------------------------------


Status = Literal["optimal", "feasible", "infeasible", "unknown"]


@dataclass(frozen=True)
class CurtoisResult:
    """Outcome of :func:`solve_curtois`: status, objective and bound (benchmark points), gap %,
    wall seconds, and the roster (empty when none was found)."""

    status: Status
    objective: int | None
    best_bound: float | None
    gap_pct: float | None
    wall_s: float
    roster: dict[str, list[str | None]] = field(default_factory=dict)


class CurtoisModel:
    """CP-SAT model of one instance: ``x[e, d, t]`` = employee ``e`` works shift ``t`` on day ``d``."""

    def __init__(
        self,
        inst: CurtoisInstance,
        *,
        only: Sequence[int] | None = None,
        others: Mapping[tuple[int, int], int] | None = None,
        objective: bool = True,
        minutes_on_work_days: bool = False,
    ) -> None:
        """The whole instance, or (for large-neighbourhood search) only employees ``only``,
        the others' work being fixed and counted in ``others[(day, shift index)]``. With
        ``objective=False`` neither cover nor objective is modelled: only the employees' own
        rules, for the caller's objective (the pricing of :mod:`shouwang.roster.columns`).
        ``minutes_on_work_days`` counts each employee's minutes on the work-day variables (see
        :meth:`_staff_rules`), the encoding the tight rosters of :mod:`shouwang.roster.deficit`
        are searched in; the variables, and so the solution vector's layout, are the same."""
        self.instance = inst
        self.minutes_on_work_days = minutes_on_work_days
        m = self.m = cp_model.CpModel()
        days = inst.days
        self.members = list(range(len(inst.staff))) if only is None else sorted(only)
        self.others = others or {}
        self.x: dict[tuple[int, int, int], Any] = {}
        self.work: dict[tuple[int, int], Any] = {}
        for e in self.members:
            emp = inst.staff[e]
            off = inst.days_off.get(emp.id, frozenset())
            for d in range(days):
                cells = []
                for t, sh in enumerate(inst.shifts):
                    if d in off or emp.max_shifts.get(sh.id, days) <= 0:
                        continue
                    v = m.new_bool_var(f"x_{emp.id}_{d}_{sh.id}")
                    self.x[e, d, t] = v
                    cells.append(v)
                w = m.new_bool_var(f"w_{emp.id}_{d}")
                m.add(sum(cells) == w)  # one shift a day at most
                self.work[e, d] = w
            self._staff_rules(e)
        self._successions()
        self.constant = 0
        self.under: list[tuple[int, Any]] = []  # (day, shortfall variable) per cover row
        if objective:
            self._objective()

    def _staff_rules(self, e: int) -> None:
        inst, m = self.instance, self.m
        emp, days = inst.staff[e], inst.days
        work = [self.work[e, d] for d in range(days)]
        for t, sh in enumerate(inst.shifts):
            cells = [self.x[e, d, t] for d in range(days) if (e, d, t) in self.x]
            limit = emp.max_shifts.get(sh.id, days)
            if cells and limit < len(cells):
                m.add(sum(cells) <= limit)
        own = [(t, v) for (ee, _d, t), v in self.x.items() if ee == e]
        if not self.minutes_on_work_days:
            minutes = sum(inst.shifts[t].minutes * v for t, v in own)
        else:
            # The minutes counted on the work days, plus each longer type's excess on its cells:
            # the same sum (one shift a day), but CP-SAT's local search finds Instance 8's tight
            # roster far more often with it than with the cells' minutes alone (see
            # shouwang.roster.deficit).
            base = min((inst.shifts[t].minutes for t, _ in own), default=0)
            minutes = base * sum(work) + sum((inst.shifts[t].minutes - base) * v for t, v in own)
        m.add(minutes <= emp.max_total_minutes)
        m.add(minutes >= emp.min_total_minutes)
        mc = emp.max_consecutive
        for start in range(days - mc):
            m.add(sum(work[start : start + mc + 1]) <= mc)
        # Minimum runs, with runs touching the horizon's ends exempt (see the module docstring).
        for length in range(1, emp.min_consecutive):
            for first in range(1, days - length):
                # forbid: off, then `length` days on, then off
                m.add_bool_or(
                    [work[first - 1], *(~w for w in work[first : first + length]), work[first + length]]
                )
        for length in range(1, emp.min_consecutive_off):
            for first in range(1, days - length):
                # forbid: on, then `length` days off, then on
                m.add_bool_or([~work[first - 1], *work[first : first + length], ~work[first + length]])
        weekend_vars = []
        for sat, sun in inst.weekends:
            wk = m.new_bool_var(f"wk_{emp.id}_{sat}")
            m.add_implication(work[sat], wk)
            m.add_implication(work[sun], wk)
            m.add_bool_or([work[sat], work[sun]]).only_enforce_if(wk)
            weekend_vars.append(wk)
        if len(weekend_vars) > emp.max_weekends:
            m.add(sum(weekend_vars) <= emp.max_weekends)

    def _successions(self) -> None:
        inst, m = self.instance, self.m
        index = {s.id: t for t, s in enumerate(inst.shifts)}
        for t, sh in enumerate(inst.shifts):
            for nxt in sh.forbidden_next:
                u = index[nxt]
                for e in self.members:
                    for d in range(inst.days - 1):
                        a, b = self.x.get((e, d, t)), self.x.get((e, d + 1, u))
                        if a is not None and b is not None:
                            m.add_bool_or([~a, ~b])

    def _objective(self) -> None:
        inst, m = self.instance, self.m
        staff_index = {s.id: e for e, s in enumerate(inst.staff)}
        shift_index = {s.id: t for t, s in enumerate(inst.shifts)}
        terms: list[Any] = []
        members = set(self.members)
        for r in inst.on_requests:
            if staff_index[r.staff] not in members:
                continue
            v = self.x.get((staff_index[r.staff], r.day, shift_index[r.shift]))
            if v is None:
                self.constant += r.weight
            else:
                terms.append(r.weight * (1 - v))
        for r in inst.off_requests:
            if staff_index[r.staff] not in members:
                continue
            v = self.x.get((staff_index[r.staff], r.day, shift_index[r.shift]))
            if v is not None:
                terms.append(r.weight * v)
        for c in inst.cover:
            t = shift_index[c.shift]
            cells = [self.x[e, c.day, t] for e in self.members if (e, c.day, t) in self.x]
            fixed = self.others.get((c.day, t), 0)
            under = m.new_int_var(0, max(0, c.requirement - fixed), f"under_{c.day}_{c.shift}")
            over = m.new_int_var(0, len(cells) + fixed, f"over_{c.day}_{c.shift}")
            self.under.append((c.day, under))
            m.add(sum(cells) + fixed + under - over == c.requirement)
            terms.append(c.under_weight * under + c.over_weight * over)
        m.minimize(sum(terms) + self.constant)

    def roster(self, solver: cp_model.CpSolver) -> dict[str, list[str | None]]:
        return self.roster_of(list(solver.response_proto.solution))

    def roster_of(self, solution: Sequence[int]) -> dict[str, list[str | None]]:
        """The roster in a solution vector (values of every model variable, in proto order)."""
        return rows_to_roster(self.instance, self.rows_of(solution))

    def rows_of(self, solution: Sequence[int]) -> dict[int, tuple[int, ...]]:
        """Employee index → its row in ``solution``: the shift index worked each day, −1 off."""
        out = {e: [-1] * self.instance.days for e in self.members}
        for (e, d, t), v in self.x.items():
            if solution[v.index]:
                out[e][d] = t
        return {e: tuple(row) for e, row in out.items()}

    def solution_of(self, rows: Mapping[int, Sequence[int]]) -> list[int] | None:
        """The solution vector (every model variable, in proto order) of the roster ``rows``
        (as :meth:`rows_of` gives), or None when it breaks a rule of the model.

        CP-SAT fills the auxiliary variables (weekends, shortfalls) with the cells fixed.
        """
        fixed = cp_model.CpModel()
        fixed.proto.copy_from(self.m.proto)
        for (e, d, t), v in self.x.items():
            value = int(rows[e][d] == t)
            domain = fixed.proto.variables[v.index].domain
            domain.clear()
            domain.extend([value, value])
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 10.0
        if solver.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return list(solver.response_proto.solution)

    def cells(self) -> dict[tuple[int, int], list[int]]:
        """``(row, day)`` → proto indexes of that employee-day's variables (for :mod:`lns`);
        rows number ``self.members`` in order."""
        row = {e: r for r, e in enumerate(self.members)}
        out: dict[tuple[int, int], list[int]] = {}
        for (e, d, _t), v in self.x.items():
            out.setdefault((row[e], d), []).append(v.index)
        for (e, d), v in self.work.items():
            out.setdefault((row[e], d), []).append(v.index)
        return out

    def hot_days(self, solution: Sequence[int]) -> list[int]:
        """Days with a cover shortfall in ``solution``, once per missing person."""
        return [d for d, v in self.under for _ in range(solution[v.index])]


class _Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, progress: Callable[[float, float, float], None] | None, started: float) -> None:
        super().__init__()
        self.progress, self.started = progress, started
        self.objective, self.bound = math.inf, 0.0
        self.lock = threading.Lock()

    def on_solution_callback(self) -> None:
        with self.lock:
            self.objective = float(self.objective_value)
            self.bound = max(self.bound, float(self.best_objective_bound))
            if self.progress:
                self.progress(time.monotonic() - self.started, self.objective, self.bound)

    def on_bound(self, bound: float) -> None:
        with self.lock:
            self.bound = max(self.bound, float(bound))
            if self.progress:
                self.progress(time.monotonic() - self.started, self.objective, self.bound)

    def report(self, objective: float, bound: float) -> None:
        """A better roster found outside CP-SAT's own search (by the LNS)."""
        with self.lock:
            self.objective = min(self.objective, float(objective))
            self.bound = max(self.bound, float(bound))
            if self.progress:
                self.progress(time.monotonic() - self.started, self.objective, self.bound)


FIRST_SHARE = 0.4
"""Share of the time left (all of it, unless a tight start was looked for in vain) for the
first, plain CP-SAT solve; the rest goes to column generation and the LNS.

CP-SAT's own portfolio (its LP bound, local search and neighbourhoods) is strong early on and
the dedicated LNS is stronger later. At 60 s on the shared 2-core machine (load 6–11): a
tenth gave Instance 7 12.7 % above the best published value and Instance 8 81–96 %; a third
gave 2.8 % and 49 %; a half gave Instance 8 34 %. Single runs on a noisy machine, so only the
direction is trusted.
"""


TIGHT_SHARE = 0.75
"""Most of the time limit the local search for a tight roster may take, on an instance with
forced shortfall (:mod:`shouwang.roster.deficit`; only Instance 8 here); it stops as soon as it
finds one, and CP-SAT improves that roster for the rest of the time. Without one, the rest goes
to the usual steps, which on Instance 8 hardly ever come within 5 % of the best published value
(they stop at 13 or more short), so a long search for the tight start costs little: 30 s (the
share was 0.5) left it without one in about 4 runs of 10. From a tight start found late, 15 s
left at 60 s, the improvement still came below 1,373 within 10 s in 6 runs of 9 (see
:func:`shouwang.roster.deficit.improve_tight`)."""

TIGHT_TRY_SHARE = 0.375
"""Share of the time limit for one try of the tight search (two tries at most); a try that
finds nothing is followed by one with the next seed. The local search's time to a tight roster
depends much on the seed, even with the threads' own randomness: Instance 8, two workers, seeds
10–19, 45 s each, found one in 2.9, 6.2, 8.1, 10.9, 13.2, 13.9 and 26.6 s and none in 45 s with
three seeds; seed 3 found none in three runs (15, 40 and 45 s). Tries of 15 s (0.25, three
tries) left two whole solves of five without a tight start; tries of 22.5 s found one in 8
of 10 (seeds 0–9), in 9.4–33.6 s, and those 8 ended at 1,339–1,371, within 5 % of the best
published 1,308; the other two, 1,816 and 1,820. One try alone found one in 18 of 33 (seeds
20–27 and 50–74, two workers), so one solve in four or five missed on Instance 8; whole solves
at 60 s came within 5 % in 14 of 17 (measured 2026-12-02). With the minutes counted on the work
days (one try: 21 of 26 seeds, 2.8–15.9 s) and the LNS after CP-SAT in
:func:`shouwang.roster.deficit.improve_tight`, 11 of 11 quiet whole solves ended at
1,333–1,366; one run beside a test suite on the same two cores found no tight roster (2,762)."""


FULL_LP = "max_lp"
"""CP-SAT's worker with the full LP relaxation (``linearization_level`` 2) is the first solve's
worker on the whole problem when there are two workers or fewer (CP-SAT's default there is
``default_lp``, level 1, the rest of the workers running its neighbourhood searches).

At level 1 the LP leaves out the clauses that tie a worked weekend to its Saturday and Sunday,
so it cannot see that the staff's weekends fall short of the weekend cover: after 20 s on 2
workers the bound of Instance 6 was 201 with level 1 and 1,946 with level 2 (best published
1,950), Instance 7's 29 against 1,042, Instance 10's 10 against 4,622. The LP also guides the
search: the rosters found in those 20 s were 2,557 → 2,042 (Instance 6), 1,314 → 1,079 (7),
5,607 → 5,495 (10), 2,135 → 2,100 (8), 1,244 → 1,242 (5); only Instance 9 came out worse
(499 → 586), its larger LP being slower.
"""


COLUMNS_SHARE = 0.15
"""Share of the time limit for column generation after the first solve. It stops sooner once
converged, or after three rounds when their pace says it would not converge in time (see
:data:`shouwang.roster.columns.PACE_ROUNDS`): on Instances 8–10 it then took 9 s from the
large-neighbourhood search, which is what finds their rosters (Instance 9 came out at 542
once, 23 % above its best published value). See :mod:`shouwang.roster.columns` for the bounds.

``bench/roster.py`` at 60 s, six runs over the successive versions of this step (the last two
with the pace rule): 10/10, 9/10, 8/10, 8/10, 9/10, 9/10 within 5 % of the best published
values (before it: 8/10 and 9/10). Instance 5, which missed in every run before by one
uncovered shift (1,236–1,246 against 1,143), came out at 1,143–1,146; Instance 4 is proved
optimal in 26 s. Instance 8 remains a lottery (1,323 to 1,635; 1,413–1,414 in the last two).
"""

MASTER_SHARE = 0.1
"""Share of the time limit for the restricted master, run only when column generation
converged: on Instance 5 it finds 11 uncovered shifts (1,144) where the first solve had stopped
at 12 (1,235), in 1.8 s; on Instances 7 and 9 it found nothing better in 6 s. On a slower
machine (2026-12-02) it took 3.6–4.0 s to 1,144–1,145 and, at 3 s (a share of 0.05), stopped at
its hint (1,233)."""


def solve_curtois(
    instance: CurtoisInstance,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int | None = None,
    progress: Callable[[float, float, float], None] | None = None,
    deterministic: bool = False,
) -> CurtoisResult:
    """Minimise the benchmark objective within ``time_limit_s`` seconds (CP-SAT, then LNS).

    Where a shift type's cover is beyond the staff's limits (:mod:`shouwang.roster.deficit`;
    not in the deterministic mode), CP-SAT's local search first looks for a roster that leaves
    only that forced shortfall (at most :data:`TIGHT_SHARE` of the time); found, CP-SAT and
    then the large-neighbourhood search improve it among such rosters for the rest of the time
    (:func:`shouwang.roster.deficit.improve_tight`). Otherwise, a
    first CP-SAT solve of the whole model (:data:`FIRST_SHARE` of the time left, at least 2 s)
    gives a roster and a lower bound; column generation (:data:`COLUMNS_SHARE`, not in the
    deterministic mode, whose time is counted in CP-SAT's deterministic seconds) raises the
    bound and, when it converges, may give a better roster of the rows it priced
    (:data:`MASTER_SHARE`); the rest of the time goes to the large-neighbourhood search of
    :mod:`shouwang.roster.lns` (re-planning a few employees or a few days at a time), which is
    what brings Instances 5–10 near their published values. ``workers``/``seed``/
    ``deterministic`` as in :func:`shouwang.roster.solver.solve` (here the default is the
    faster, non-deterministic parallel search, as benchmarks are timed); ``workers`` is also the
    number of LNS steps run side by side. ``time_limit_s`` bounds the whole solve (wall
    seconds, or deterministic seconds with ``deterministic``). ``progress(elapsed_s, objective,
    bound)`` is called on every improvement. The result's objective is the checker's count
    (:func:`curtois_objective`) of its roster.
    """
    from shouwang.roster import deficit, lns
    from shouwang.roster.solver import worker_count

    started = time.monotonic()
    reporter = _Progress(progress, started)
    model = CurtoisModel(instance)
    threads = worker_count(workers)
    deficits = {} if deterministic else deficit.cover_deficits(instance)
    tight = _tight_start(model, deficits, time_limit_s, seed, threads, reporter) if deficits else None
    if tight is not None:
        solution, _objective, bound = deficit.improve_tight(
            instance,
            deficits,
            tight,
            time_limit_s=time_limit_s - (time.monotonic() - started),
            seed=seed,
            workers=threads,
            improved=reporter.report,
        )
        return _result(model, solution, bound, time.monotonic() - started, reporter)
    first = _first_solve(
        model,
        time_limit_s,
        started,
        seed=seed,
        workers=workers,
        deterministic=deterministic,
        reporter=reporter,
    )
    if isinstance(first, CurtoisResult):
        return first
    solution, objective, bound, spent = first
    if objective > bound + 1e-6:
        used = spent if deterministic else time.monotonic() - started

        def improved(value: float, _solution: list[int]) -> None:
            reporter.report(value, bound)

        found = lns.search(
            model.m,
            model.cells(),
            solution,
            objective,
            rows=len(model.members),
            days=instance.days,
            budget_s=time_limit_s - used,
            seed=seed,
            deterministic=deterministic,
            bound=math.ceil(bound - 1e-6),
            threads=threads,
            improved=improved,
            hot_days=model.hot_days,
        )
        solution = found.solution  # _result recounts its objective
    return _result(model, solution, bound, time.monotonic() - started, reporter)


def _result(
    model: CurtoisModel, solution: list[int], bound: float, wall: float, reporter: _Progress
) -> CurtoisResult:
    """The result for the roster in ``solution``, its objective recomputed by the checker: a
    roster taken early (a short limit) can carry both a shortfall and a surplus on one cover row
    in the model, which counts both; the benchmark counts the difference. Measured: Instance 8
    at 6 s, 9,746 in the model for a roster of 8,635. The progress hears of the recount."""
    from shouwang.roster.solver import gap_pct

    roster = model.roster_of(solution)
    objective = curtois_objective(model.instance, roster)
    reporter.report(objective, bound)
    done = objective <= bound + 1e-6
    return CurtoisResult(
        "optimal" if done else "feasible",
        objective,
        float(objective) if done else bound,
        gap_pct(objective, bound),
        wall,
        roster,
    )


_Start = tuple[list[int], int, float, float]
"""A roster to improve: solution vector, objective, proved lower bound, deterministic seconds
spent (0 outside the deterministic mode)."""


def _tight_start(
    model: CurtoisModel,
    deficits: Mapping[int, int],
    time_limit_s: float,
    seed: int,
    threads: int,
    reporter: _Progress,
) -> list[int] | None:
    """The first roster (a solution vector) when some cover cannot be met whatever the roster
    (:mod:`shouwang.roster.deficit`): one leaving no more short than that, or None when the
    local search found none in :data:`TIGHT_SHARE` of ``time_limit_s``. It searches in tries
    of :data:`TIGHT_TRY_SHARE` of the time, each with a new seed. The progress hears of it,
    with the deficits' cost as bound."""
    from shouwang.roster import deficit

    started = time.monotonic()
    rows = None
    for attempt in itertools.count():
        left = TIGHT_SHARE * time_limit_s - (time.monotonic() - started)
        if rows is not None or left < 1.0:
            break
        rows = deficit.tight_roster(
            model.instance,
            deficits,
            time_limit_s=min(left, TIGHT_TRY_SHARE * time_limit_s),
            seed=seed + attempt,
            workers=threads,
        )
    solution = model.solution_of(rows) if rows is not None else None
    if solution is None:
        return None
    objective = curtois_objective(model.instance, model.roster_of(solution))
    bound = float(deficit.deficit_bound(model.instance, deficits))
    reporter.report(objective, bound)
    return solution


def _first_solve(
    model: CurtoisModel,
    time_limit_s: float,
    started: float,
    *,
    seed: int,
    workers: int | None,
    deterministic: bool,
    reporter: _Progress,
) -> _Start | CurtoisResult:
    """CP-SAT on the whole model for :data:`FIRST_SHARE` of the time left (at least 2 s), then,
    short of a proof, column generation (:func:`_by_columns`); the CurtoisResult when it found
    no roster."""
    from shouwang.roster.solver import configure, worker_count

    solver = cp_model.CpSolver()
    left = time_limit_s if deterministic else time_limit_s - (time.monotonic() - started)
    first_s = min(left, max(2.0, left * FIRST_SHARE))
    if not deterministic:
        first_s = max(0.5, first_s)
    configure(solver, time_limit_s=first_s, seed=seed, workers=workers, deterministic=deterministic)
    if not deterministic and solver.parameters.num_workers <= 2:
        # The full LP (see FULL_LP) as the one worker on the whole problem.
        solver.parameters.subsolvers.append(FULL_LP)
    if deterministic:
        # One worker with the LP takes minutes to a first roster on Instances 8 and 10; without
        # it, about a deterministic second. The search does the improving.
        solver.parameters.linearization_level = 0
        solver.parameters.stop_after_first_solution = True
    solver.best_bound_callback = reporter.on_bound
    code = solver.solve(model.m, reporter)
    spent = float(solver.deterministic_time)
    if code == cp_model.UNKNOWN and not deterministic and time.monotonic() - started < time_limit_s - 0.5:
        # A loaded machine can leave the parallel search without a roster: take the quickest one.
        solver = cp_model.CpSolver()
        configure(
            solver,
            time_limit_s=time_limit_s - (time.monotonic() - started),
            seed=seed,
            workers=1,
            deterministic=False,
        )
        solver.parameters.linearization_level = 0
        solver.parameters.stop_after_first_solution = True
        code = solver.solve(model.m, reporter)
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        status: Status = "infeasible" if code == cp_model.INFEASIBLE else "unknown"
        return CurtoisResult(status, None, None, None, time.monotonic() - started)
    objective = round(solver.objective_value)
    bound = float(objective) if code == cp_model.OPTIMAL else float(solver.best_objective_bound)
    solution = list(solver.response_proto.solution)
    if code != cp_model.OPTIMAL and not deterministic:
        solution, objective, bound = _by_columns(
            model,
            solution,
            objective,
            bound,
            time_limit_s - (time.monotonic() - started),
            time_limit_s=time_limit_s,
            threads=worker_count(workers),
            seed=seed,
            reporter=reporter,
        )
    return solution, objective, bound, spent


def _by_columns(
    model: CurtoisModel,
    solution: list[int],
    objective: int,
    bound: float,
    left_s: float,
    *,
    time_limit_s: float,
    threads: int,
    seed: int,
    reporter: _Progress,
) -> tuple[list[int], int, float]:
    """Column generation (:mod:`shouwang.roster.columns`) from the roster ``solution``:
    :data:`COLUMNS_SHARE` of the time for the bound, then, if it converged,
    :data:`MASTER_SHARE` for the best roster of the rows seen. Returns the (possibly better)
    solution, its objective, and the (possibly higher) bound."""
    from shouwang.roster import columns

    budget = min(COLUMNS_SHARE * time_limit_s, left_s - 1.0)
    if budget < 1.0:
        return solution, objective, bound
    started = time.monotonic()
    rows = model.rows_of(solution)
    outcome = columns.generate(
        model.instance,
        {e: {row} for e, row in rows.items()},
        budget_s=budget,
        threads=threads,
        seed=seed,
        give_up=True,
    )
    bound = max(bound, outcome.bound)
    reporter.report(objective, bound)
    master_s = min(MASTER_SHARE * time_limit_s, left_s - (time.monotonic() - started) - 1.0)
    if not outcome.converged or objective <= bound + 1e-6 or master_s < 0.5:
        return solution, objective, bound
    found = columns.master(
        model.instance,
        outcome.pool,
        hint=rows,
        time_limit_s=master_s,
    )
    if found is not None and found[0] < objective:
        full = model.solution_of(found[1])
        if full is not None:
            solution, objective = full, found[0]
            reporter.report(objective, bound)
    return solution, objective, bound


def rows_to_roster(
    instance: CurtoisInstance, rows: Mapping[int, Sequence[int]]
) -> dict[str, list[str | None]]:
    """The roster (employee id → shift id, or None off, per day) of rows by employee index
    (per day the index of the Shift worked in ``instance.shifts``, or −1)."""
    return {
        instance.staff[e].id: [instance.shifts[t].id if t >= 0 else None for t in row]
        for e, row in rows.items()
    }


def best_known(folder: str | Path) -> dict[int, int]:
    """Instance number → lowest published objective, read from ``BEST_KNOWN.md`` in ``folder``.

    Reads the table rows ``| 1  | 14 | 1 | 8 | 607 | …`` (the fifth cell is the value); an
    absent file gives ``{}``.
    """
    path = Path(folder) / "BEST_KNOWN.md"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    out: dict[int, int] = {}
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 5 and cells[0].isdigit():
            value = cells[4].replace(",", "")
            if value.isdigit():
                out[int(cells[0])] = int(value)
    return out


def roster_to_text(instance: CurtoisInstance, roster: CurtoisRoster) -> str:
    """The benchmark's roster text: one line per employee, one tab-separated cell per day."""
    return "".join("\t".join(t or "" for t in roster[e.id]) + "\n" for e in instance.staff)
