"""The duty Roster solver: an :class:`~shouwang.roster.model.Instance` in, a Result out (OR-Tools CP-SAT).

Decision variables: ``x[s, d, k, c]`` = staff member ``s`` stands Shift ``k`` of day ``d`` at
Checkpoint ``c`` (only where ``c`` is open, ``s`` may stand there and is available); for people
interchangeable at the gates (:func:`pools`), ``y[s, d, k]`` = ``s`` works that Shift, and a
count per Checkpoint for the pool, seated after the solve (:meth:`RosterModel.read`). Hard rules
(DESIGN.md §4, issue 6): coverage (each open slot gets exactly the people it needs, unless soft
coverage is asked for), nobody in two places at once, availability, rest between Shifts, max
Shifts per day, max hours in any 7 days, min/max total hours, max consecutive working days, min
days off, locks, a team lead where asked. Soft, weighted by :class:`~shouwang.roster.model.Weights`:
fair hours, requests, one Team per Checkpoint per day, no isolated working days, and on a
re-solve the Shifts moved from the previous Roster (:attr:`~shouwang.roster.model.Instance.previous`).

Time: each Shift occurrence is placed on an absolute minute axis from local midnight of the first
day (through the horizon's zone, so a DST jump changes real rest time as it should). "Nobody in
two places at once" and "rest" together say that two occurrences of one person must be at least
``min_rest_hours`` apart; on the intervals ``[start, end + rest)`` that is an interval graph, so
one at-most-one constraint per interval start point (its maximal cliques) states it exactly.

Search: each independent group (:func:`components`) is searched in two phases: CP-SAT's
neighbourhood searches on every worker from the greedy Roster (:func:`_search_only`), then the
default portfolio from the best Roster found, which proves the optimum (on these models finding
the optimal Roster takes most of the time; proving it, about a second). Groups not proved optimal
get the time the others left, in rounds (:func:`solve`).

Determinism: CP-SAT's default parallel search races its workers (LP search, local search,
large-neighbourhood search) against the wall clock, so two runs cut by the time limit may return
different Rosters of similar value, even with the same ``random_seed``. ``deterministic=True``
gives the same Roster for the same Instance and seed whatever the machine's load: a first Roster
from the greedy hint (or one CP-SAT worker), then the large-neighbourhood search of
:mod:`shouwang.roster.lns`, each step one worker stopped by deterministic time, the whole search
stopped by the sum (``time_limit_s`` deterministic seconds; one took one to three wall seconds
on this shared 2-core machine) (:func:`_solve_reproducibly`). It proves less: the only bound it
knows is presolve's. On the demo sub-district it reaches the optimum (0) in about 9 wall
seconds, where one CP-SAT worker alone stayed at 62. CP-SAT's own
deterministic parallel mode, ``interleave_search``, was tried: no better here, and with hints
OR-Tools 9.15 can abort the whole process in it ("Check failed: heuristics.fixed_search !=
nullptr"), as it can after ``repair_hint`` — so neither is used. The default is therefore
``deterministic=False`` with ``random_seed`` set; ``shouwang roster solve --deterministic``
asks for the reproducible mode.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import math
import os
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import reduce
from typing import Any

from ortools.sat.python import cp_model

from shouwang.roster.model import (
    Assignment,
    EmptySlot,
    Explanation,
    Instance,
    Lock,
    Result,
    StaffMember,
    Status,
)

Progress = Callable[[float, float, float], None]
"""Called as ``progress(elapsed_s, objective, best_bound)`` when a better Roster or bound is found."""

LinearLike = Any
"""A CP-SAT linear expression, variable or int (the stubs' union types do not mix with ints well)."""


@dataclass(frozen=True)
class Occurrence:
    """Shift ``k`` on day index ``day``: ``[start, end)`` minutes from local midnight of day 0."""

    day: int
    k: int
    start: int
    end: int


class Grid:
    """The Instance laid out for solving and for the pre-checks in :mod:`explain`.

    ``occ[d][k]``: the :class:`Occurrence` of Shift ``k`` on day ``d``. ``need[c][d][k]``: people
    needed. ``avail[s]``: the set of ``(d, k)`` staff member ``s`` can stand (not away, not kept
    off by a lock). ``can[s][c]``: may ``s`` stand at Checkpoint ``c``; ``staff_at[c]``: who may.
    """

    def __init__(self, instance: Instance) -> None:
        self.instance = inst = instance
        hz = inst.horizon
        self.days = hz.days
        self.shift_index = {s.code: k for k, s in enumerate(inst.shifts)}
        self.cp_index = {c.code: i for i, c in enumerate(inst.checkpoints)}
        self.staff_index = {s.id: i for i, s in enumerate(inst.staff)}
        origin = hz.local(0, dt.time(0))
        self.origin = origin

        def minutes(at: dt.datetime) -> int:
            return int((at - origin).total_seconds() // 60)

        self.minutes = minutes
        self.occ: list[list[Occurrence]] = []
        for d in range(hz.days):
            row = []
            for k, s in enumerate(inst.shifts):
                start = minutes(hz.local(d, s.start))
                row.append(Occurrence(d, k, start, start + s.minutes))
            self.occ.append(row)
        self.need = [
            [[c.needed(s.code, d) for s in inst.shifts] for d in range(hz.days)] for c in inst.checkpoints
        ]
        self.lead_needed = [
            [
                [c.needed(s.code, d) > 0 and s.code in c.lead_shifts for s in inst.shifts]
                for d in range(hz.days)
            ]
            for c in inst.checkpoints
        ]
        off_locks: dict[int, set[tuple[int, int]]] = defaultdict(set)
        for lock in inst.locks:
            if lock.assigned or lock.checkpoint is not None:
                continue
            si, di, ki = (
                self.staff_index.get(lock.staff),
                hz.index(lock.date),
                self.shift_index.get(lock.shift),
            )
            if si is not None and di is not None and ki is not None:
                off_locks[si].add((di, ki))
        self.avail: list[set[tuple[int, int]]] = []
        self.away: list[set[tuple[int, int]]] = []
        for si, member in enumerate(inst.staff):
            away = self._away(member)
            self.away.append(away)
            self.avail.append(
                {(d, k) for d in range(hz.days) for k in range(len(inst.shifts))} - away - off_locks[si]
            )
        self.can = [[m.may_stand_at(c.code) for c in inst.checkpoints] for m in inst.staff]
        self.staff_at = [
            [s for s in range(len(inst.staff)) if self.can[s][c]] for c in range(len(inst.checkpoints))
        ]
        self.rest = round(inst.rules.min_rest_hours * 60)

    def _away(self, member: StaffMember) -> set[tuple[int, int]]:
        """``(d, k)`` occurrences overlapping one of ``member``'s unavailable days or times."""
        hz = self.instance.horizon
        spans: list[tuple[int, int]] = []
        for date in member.unavailable_dates:
            start = self.minutes(dt.datetime.combine(date, dt.time(0), tzinfo=hz.zone))
            end = self.minutes(dt.datetime.combine(date + dt.timedelta(days=1), dt.time(0), tzinfo=hz.zone))
            spans.append((start, end))
        for rng in member.unavailable_times:
            spans.append((self.minutes(rng.start), self.minutes(rng.end)))
        away = set()
        for row in self.occ:
            for o in row:
                if any(o.start < end and start < o.end for start, end in spans):
                    away.add((o.day, o.k))
        return away

    def open_slots(self) -> Iterable[tuple[int, int, int, int]]:
        """``(c, d, k, need)`` for every slot with need > 0."""
        for c, per_day in enumerate(self.need):
            for d, per_shift in enumerate(per_day):
                for k, n in enumerate(per_shift):
                    if n > 0:
                        yield c, d, k, n

    def eligible(self, s: int, c: int, d: int, k: int) -> bool:
        """May staff ``s`` stand at Checkpoint ``c`` on Shift ``k`` of day ``d``?"""
        return self.can[s][c] and (d, k) in self.avail[s] and self.need[c][d][k] > 0

    def cliques(self, rest: int) -> list[list[tuple[int, int]]]:
        """Maximal sets of occurrences no one may stand two of (overlap, or less than ``rest`` apart).

        On the intervals ``[start, end + rest)`` this is an interval graph: its maximal cliques
        are the sets of intervals containing a start point ``p``, for the ``p`` where no other
        interval starts before the first of them ends.
        """
        items = sorted((o.start, o.end + rest, (o.day, o.k)) for row in self.occ for o in row)
        starts = sorted({start for start, _, _ in items})
        result: list[list[tuple[int, int]]] = []
        for i, p in enumerate(starts):
            members = [(end, key) for start, end, key in items if start <= p < end]
            first_end = min(end for end, _ in members)
            if i + 1 < len(starts) and starts[i + 1] < first_end:
                continue  # the set at the next start point contains this one
            if len(members) > 1:
                result.append(sorted(key for _, key in members))
        return result

    def fair_unit(self) -> int:
        """Greatest common divisor of the Shift lengths, in minutes (hours only move in these steps)."""
        return reduce(math.gcd, (s.minutes for s in self.instance.shifts), 0) or 60


@dataclass
class _Terms:
    """Objective terms (name → list of (coefficient, var)) and what they mean for the Result."""

    parts: dict[str, list[tuple[int, LinearLike]]] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, coef: int, var: LinearLike) -> None:
        if coef:
            self.parts[name].append((coef, var))


def pools(instance: Instance, grid: Grid) -> list[list[int]]:
    """Staff interchangeable at the gates, in pools of two or more (staff indexes, ascending).

    A pool is the people of one Team with the same lead flag and the same Checkpoints they may
    stand at, none of them with a request naming a Checkpoint or a lock keeping them off one.
    Which of them stands at which of those Checkpoints changes no rule and no cost, so the model
    decides only who works which Shift and how many of each pool stand at each Checkpoint
    (:class:`RosterModel`), and :meth:`RosterModel.read` seats them. A lock putting a pooled
    person at a Checkpoint (the product locks every cell already worked) holds a place in that
    count, and the seating gives it to them; two such locks on one Shift leave the person out
    of the pools (the per-person model finds it cannot hold). On the synthetic district
    of ``bench/roster.py`` this cuts a community's model from about 18,000 variables to 7,150,
    and with them the Rosters that differ only by who of a pool stands where.
    """
    named: set[int] = set()
    held: dict[tuple[str, dt.date, str], set[str]] = defaultdict(set)
    for lock in instance.locks:
        if lock.checkpoint and lock.staff in grid.staff_index:
            held[lock.staff, lock.date, lock.shift].add(lock.checkpoint)
            if not lock.assigned:
                named.add(grid.staff_index[lock.staff])
    named |= {grid.staff_index[staff] for (staff, _, _), gates in held.items() if len(gates) > 1}
    named |= {s for s, member in enumerate(instance.staff) if any(r.checkpoint for r in member.requests)}
    groups: dict[tuple[str, bool, tuple[bool, ...]], list[int]] = defaultdict(list)
    for s, member in enumerate(instance.staff):
        if s not in named:
            groups[member.team, member.is_lead, tuple(grid.can[s])].append(s)
    return [members for members in groups.values() if len(members) > 1]


class RosterModel:
    """The CP-SAT model of an Instance. ``guarded=True`` builds the explain variant.

    People standing alone have a variable ``x[s, d, k, c]`` per Checkpoint; people of a
    :func:`pools` pool have only ``y[s, d, k]`` (works Shift ``k`` of day ``d``), and the
    pool has a count per Checkpoint ``n[pool, d, k]``, seated by :meth:`read`. The two forms
    have the same Rosters' costs and the same optimum; ``pool=False`` (and the explain variant,
    which names people's rules) builds the per-person form throughout.

    In the guarded variant coverage is soft and every per-person rule family and every lock is
    enforced only under an assumption literal (``self.guards``), so CP-SAT can name a small set
    of rules that cannot hold together (``CpSolver.sufficient_assumptions_for_infeasibility``).
    """

    def __init__(
        self, instance: Instance, *, soft_coverage: bool = False, guarded: bool = False, pool: bool = True
    ) -> None:
        self.instance = inst = instance
        self.grid = g = Grid(instance)
        self.soft = soft_coverage or guarded
        self.guarded = guarded
        self.m = m = cp_model.CpModel()
        self.first: cp_model.CpSolver | None = None  # the hinted Roster, once completed
        self.terms = _Terms()
        self.guards: dict[int, Explanation] = {}  # literal index → the rule it switches on
        rules, weights = inst.rules, inst.weights
        n_staff, n_shift, days = len(inst.staff), len(inst.shifts), g.days
        cps = range(len(inst.checkpoints))

        # x[s, d, k, c] for each person standing alone; n[pool, d, k, c] for the pools (below).
        self.x: dict[tuple[int, int, int, int], Any] = {}
        # (c, d, k) → (a staff index standing for the team and lead flag, the count there, is it a literal)
        by_slot: dict[tuple[int, int, int], list[tuple[int, Any, bool]]] = defaultdict(list)
        self.y: dict[tuple[int, int, int], Any] = {}
        self.pools = pools(inst, g) if pool and not guarded else []
        self.pool_of = {s: p for p, members in enumerate(self.pools) for s in members}
        for s in range(n_staff):
            for d, k in sorted(g.avail[s]):
                if s in self.pool_of:
                    if any(g.eligible(s, c, d, k) for c in cps):
                        self.y[s, d, k] = m.new_bool_var(f"y_{s}_{d}_{k}")
                    continue
                cands = []
                for c in cps:
                    if g.eligible(s, c, d, k):
                        v = m.new_bool_var(f"x_{s}_{d}_{k}_{c}")
                        self.x[s, d, k, c] = v
                        by_slot[c, d, k].append((s, v, True))
                        cands.append(v)
                if len(cands) == 1:
                    self.y[s, d, k] = cands[0]
                elif cands:
                    yv = m.new_bool_var(f"y_{s}_{d}_{k}")
                    m.add(sum(cands) == yv)
                    self.y[s, d, k] = yv
        # (pool, d, k) → [(c, count there)]: how many of the pool's people on that Shift stand where.
        self.n: dict[tuple[int, int, int], list[tuple[int, Any]]] = {}
        for p, members in enumerate(self.pools):
            rep = members[0]
            for d in range(days):
                for k in range(n_shift):
                    ys = [self.y[s, d, k] for s in members if (s, d, k) in self.y]
                    if not ys:
                        continue
                    gates = [c for c in cps if g.can[rep][c] and g.need[c][d][k] > 0]
                    if len(gates) == 1:
                        count = ys[0] if len(ys) == 1 else sum(ys)
                        self.n[p, d, k] = [(gates[0], count)]
                        by_slot[gates[0], d, k].append((rep, count, len(ys) == 1))
                        continue
                    counts = []
                    for c in gates:
                        nv = m.new_int_var(0, min(len(ys), g.need[c][d][k]), f"n_{p}_{d}_{k}_{c}")
                        counts.append((c, nv))
                        by_slot[c, d, k].append((rep, nv, False))
                    m.add(sum(nv for _, nv in counts) == sum(ys))
                    self.n[p, d, k] = counts

        # Coverage and leads.
        self.empty: dict[tuple[int, int, int], Any] = {}
        self.lead_missing: dict[tuple[int, int, int], Any] = {}
        for c, d, k, n in g.open_slots():
            staffed = [v for _, v, _ in by_slot.get((c, d, k), [])]
            if self.soft:
                e = m.new_int_var(0, n, f"empty_{c}_{d}_{k}")
                m.add(sum(staffed) + e == n)
                self.empty[c, d, k] = e
                self.terms.add("empty", weights.empty_slot, e)
            else:
                m.add(sum(staffed) == n)
            if g.lead_needed[c][d][k]:
                leads = [v for s, v, _ in by_slot.get((c, d, k), []) if inst.staff[s].is_lead]
                if self.soft:
                    lm = m.new_bool_var(f"nolead_{c}_{d}_{k}")
                    m.add(sum(leads) + lm >= 1)
                    self.lead_missing[c, d, k] = lm
                    self.terms.add("empty", weights.empty_slot, lm)
                else:
                    m.add(sum(leads) >= 1)

        # Working days w[s, d]; with one Shift a day at most, w is simply the sum of the day's y.
        one_a_day = rules.max_shifts_per_day == 1 and not guarded
        self.w: dict[tuple[int, int], Any] = {}
        for s in range(n_staff):
            for d in range(days):
                ys = [self.y[s, d, k] for k in range(n_shift) if (s, d, k) in self.y]
                if not ys:
                    continue
                if len(ys) == 1:
                    self.w[s, d] = ys[0]
                    continue
                wv = m.new_bool_var(f"w_{s}_{d}")
                if one_a_day:
                    m.add(sum(ys) == wv)
                else:
                    for yv in ys:
                        m.add_implication(yv, wv)
                    m.add_bool_or(ys).only_enforce_if(wv)
                self.w[s, d] = wv

        # Per-person rules.
        lengths = [sh.minutes for sh in inst.shifts]
        overlap = g.cliques(0) if guarded and g.rest > 0 else []
        rest_cliques = g.cliques(g.rest)
        self.hours: dict[int, Any] = {}
        for s, member in enumerate(inst.staff):
            label = member.name or member.id
            mine = [(d, k) for d in range(days) for k in range(n_shift) if (s, d, k) in self.y]
            if not mine:
                self.hours[s] = 0
                if member.min_total_hours:
                    gd = self._guard("roster_rule_min_total", staff=label, hours=member.min_total_hours)
                    self._add(m.add_bool_or([]), gd)
                continue
            for clique in overlap:
                vs = [self.y[s, d, k] for d, k in clique if (s, d, k) in self.y]
                if len(vs) > 1:
                    m.add_at_most_one(vs)
            rest_guard = self._guard("roster_rule_rest", staff=label, hours=rules.min_rest_hours)
            for clique in rest_cliques:
                vs = [self.y[s, d, k] for d, k in clique if (s, d, k) in self.y]
                if len(vs) > 1:
                    self._add(m.add(sum(vs) <= 1), rest_guard)
            if rules.max_shifts_per_day is not None and rules.max_shifts_per_day < n_shift:
                gd = self._guard("roster_rule_per_day", staff=label, count=rules.max_shifts_per_day)
                for d in range(days):
                    ys = [self.y[s, d, k] for k in range(n_shift) if (s, d, k) in self.y]
                    if len(ys) > rules.max_shifts_per_day:
                        self._add(m.add(sum(ys) <= rules.max_shifts_per_day), gd)
            total = sum(lengths[k] * self.y[s, d, k] for d, k in mine)
            self.hours[s] = total
            if member.max_hours_per_week is not None:
                cap = round(member.max_hours_per_week * 60)
                gd = self._guard("roster_rule_week", staff=label, hours=member.max_hours_per_week)
                for start in range(max(1, days - 6)):
                    window = [(d, k) for d, k in mine if start <= d < start + 7]
                    if sum(lengths[k] for _, k in window) > cap:
                        self._add(m.add(sum(lengths[k] * self.y[s, d, k] for d, k in window) <= cap), gd)
            if member.max_total_hours is not None:
                gd = self._guard("roster_rule_max_total", staff=label, hours=member.max_total_hours)
                self._add(m.add(total <= round(member.max_total_hours * 60)), gd)
            if member.min_total_hours is not None and member.min_total_hours > 0:
                gd = self._guard("roster_rule_min_total", staff=label, hours=member.min_total_hours)
                self._add(m.add(total >= round(member.min_total_hours * 60)), gd)
            wd = [self.w.get((s, d), 0) for d in range(days)]
            if rules.max_consecutive_days is not None and rules.max_consecutive_days < days:
                mc = rules.max_consecutive_days
                gd = self._guard("roster_rule_consecutive", staff=label, days=mc)
                for start in range(days - mc):
                    run = [wd[d] for d in range(start, start + mc + 1) if not isinstance(wd[d], int)]
                    if len(run) > mc:
                        self._add(m.add(sum(run) <= mc), gd)
            if rules.min_days_off:
                gd = self._guard("roster_rule_days_off", staff=label, days=rules.min_days_off)
                working = [v for v in wd if not isinstance(v, int)]
                if len(working) > days - rules.min_days_off:
                    self._add(m.add(sum(working) <= days - rules.min_days_off), gd)

        self._locks()
        self._objective(by_slot)

    # -- building blocks -------------------------------------------------------------------

    def _guard(self, code: str, **params: object) -> list[Any]:
        """An assumption literal for one rule (guarded variant); ``[]`` otherwise."""
        if not self.guarded:
            return []
        lit = self.m.new_bool_var(code)
        self.guards[lit.index] = Explanation(code, params)
        return [lit]

    @staticmethod
    def _add(ct: Any, guard: list[Any]) -> None:
        if guard:
            ct.only_enforce_if(guard)

    def _locks(self) -> None:
        inst, g, m = self.instance, self.grid, self.m
        self.held: dict[
            tuple[int, int, int], int
        ] = {}  # (s, d, k) → the Checkpoint a pooled person is locked at
        places: dict[tuple[int, int, int, int], int] = defaultdict(int)
        for lock in inst.locks:
            s = g.staff_index.get(lock.staff)
            d = inst.horizon.index(lock.date)
            k = g.shift_index.get(lock.shift)
            if s is None or d is None or k is None:
                continue
            if not lock.assigned:
                if lock.checkpoint is not None:
                    c = g.cp_index.get(lock.checkpoint)
                    v = self.x.get((s, d, k, c)) if c is not None else None
                    if v is not None:
                        m.add(v == 0)
                continue  # "off anywhere" locks are already out of the staff member's availability.
            gd = self._guard("roster_rule_lock_on", **lock_params(inst, lock))
            if lock.checkpoint is None:
                target = self.y.get((s, d, k))
            else:
                c = g.cp_index.get(lock.checkpoint)
                target = self.x.get((s, d, k, c)) if c is not None else None
                if s in self.pool_of and c is not None and g.eligible(s, c, d, k):
                    target = self.y[s, d, k]
                    if (s, d, k) not in self.held:  # the same lock twice holds one place
                        self.held[s, d, k] = c
                        places[self.pool_of[s], d, k, c] += 1
            if target is None:
                self._add(m.add_bool_or([]), gd)  # cannot hold; explain.precheck names why
            else:
                self._add(m.add(target == 1), gd)
        for (p, d, k, c), count in places.items():
            m.add(dict(self.n[p, d, k])[c] >= count)

    def _objective(self, by_slot: dict[tuple[int, int, int], list[tuple[int, Any, bool]]]) -> None:
        inst, g, m, w = self.instance, self.grid, self.m, self.instance.weights
        days = g.days
        # Fairness: hours outside each person's fair band, in steps of the Shift-length gcd.
        unit = g.fair_unit()
        demand = sum(n * inst.shifts[k].minutes for _, _, k, n in g.open_slots())
        capacity = [sum(inst.shifts[k].minutes for _, k in g.avail[s]) for s in range(len(inst.staff))]
        total_cap = sum(capacity)
        coef = max(1, round(w.fairness * unit / 60)) if w.fairness else 0
        self.bands: dict[int, tuple[int, int]] = {}
        if coef and total_cap and demand:
            for s, member in enumerate(inst.staff):
                hours = self.hours[s]
                if isinstance(hours, int):
                    continue
                share = demand * capacity[s] / total_cap
                lo, hi = math.floor(share / unit) * unit, math.ceil(share / unit) * unit
                if member.max_total_hours is not None:
                    top = round(member.max_total_hours * 60)
                    lo, hi = min(lo, top), min(hi, top)
                if member.min_total_hours is not None:
                    bottom = round(member.min_total_hours * 60)
                    lo, hi = max(lo, bottom), max(hi, bottom)
                self.bands[s] = (lo, hi)
                top_units = sum(inst.shifts[k].minutes for _, k in g.avail[s]) // unit + 1
                over = m.new_int_var(0, top_units, f"over_{s}")
                under = m.new_int_var(0, top_units, f"under_{s}")
                m.add(hours - unit * over <= hi)
                m.add(hours + unit * under >= lo)
                self.terms.add("fairness", coef, over)
                self.terms.add("fairness", coef, under)
        # Requests.
        if w.request:
            for s, member in enumerate(inst.staff):
                for req in member.requests:
                    self._request(s, req.date, req.shift, req.checkpoint, req.work, req.weight * w.request)
        # One Team per Checkpoint per day: ``present[t, c, d]`` when anyone of Team t stands at
        # c on day d; each Team beyond the first there costs ``team_mix``. (Counting stints by
        # people outside a "holding" Team instead was tried: same zero, but the search did worse.)
        teams = sorted({m_.team for m_ in inst.staff if m_.team})
        if w.team_mix and len(teams) > 1:
            by_team: dict[tuple[int, int, str], list[tuple[Any, bool]]] = defaultdict(list)
            for (c, d, _k), staffed in by_slot.items():
                for s, count, literal in staffed:
                    team = inst.staff[s].team
                    if team:
                        by_team[c, d, team].append((count, literal))
            for c in range(len(inst.checkpoints)):
                for d in range(days):
                    present = []
                    for team in teams:
                        cells = by_team.get((c, d, team))
                        if not cells:
                            continue
                        p = m.new_bool_var(f"team_{team}_{c}_{d}")
                        for count, literal in cells:
                            if literal:
                                m.add_implication(count, p)
                            else:
                                m.add(count == 0).only_enforce_if(~p)
                        present.append(p)
                    if len(present) > 1:
                        mix = m.new_int_var(0, len(present) - 1, f"mix_{c}_{d}")
                        m.add(sum(present) - 1 <= mix)
                        self.terms.add("team_mix", w.team_mix, mix)
        # Isolated working days (a day on with a day off either side, inside the horizon).
        if w.isolated_day:
            for s in range(len(inst.staff)):
                for d in range(1, days - 1):
                    here = self.w.get((s, d))
                    if here is None:
                        continue
                    iso = m.new_bool_var(f"iso_{s}_{d}")
                    m.add(here - self.w.get((s, d - 1), 0) - self.w.get((s, d + 1), 0) <= iso)
                    self.terms.add("isolated", w.isolated_day, iso)
        self._changes()
        objective = [coef * v for parts in self.terms.parts.values() for coef, v in parts]
        if objective:
            m.minimize(sum(objective))

    def previous_cells(self) -> set[tuple[int, int, int, int]]:
        """``(s, d, k, c)`` of :attr:`Instance.previous` within this model (others are dropped)."""
        g, hz = self.grid, self.instance.horizon
        cells = set()
        for a in self.instance.previous:
            s, d = g.staff_index.get(a.staff), hz.index(a.date)
            k, c = g.shift_index.get(a.shift), g.cp_index.get(a.checkpoint)
            if s is not None and d is not None and k is not None and c is not None:
                cells.add((s, d, k, c))
        return cells

    def _changes(self) -> None:
        """The ``changes`` term: ``weights.change`` per Shift of the previous Roster not kept.

        A person standing alone keeps a Shift when their ``x`` is 1. A pool only counts heads per
        Checkpoint, and :meth:`_seat` seats its people at their previous Checkpoint first (after
        the locked ones), so of the ``Q`` pool members who stood at Checkpoint ``c`` on a Shift,
        ``min(those of Q still working it, places at c not held by a lock of someone else)`` are
        kept; ``kept`` is that minimum (the objective pushes it up to it). A Shift that cannot be
        kept (the person is away now, or the gate closed) costs the same, as a constant: it is a
        change all the same, and the term then counts exactly the Shifts that moved.
        """
        weight = self.instance.weights.change
        previous = self.previous_cells()
        if not weight or not previous:
            return
        m = self.m
        by_pool: dict[tuple[int, int, int, int], list[int]] = defaultdict(list)
        lost = 0
        for s, d, k, c in sorted(previous):
            if s in self.pool_of:
                by_pool[self.pool_of[s], d, k, c].append(s)
            elif (s, d, k, c) in self.x:
                self.terms.add("changes", weight, 1 - self.x[s, d, k, c])
            else:
                lost += 1
        held_by: dict[tuple[int, int, int, int], list[int]] = defaultdict(list)
        for (s, d, k), c in self.held.items():
            held_by[self.pool_of[s], d, k, c].append(s)
        for (p, d, k, c), members in by_pool.items():
            # One locked at another Checkpoint on this Shift works it, but not here.
            ys = [
                self.y[s, d, k] for s in members if (s, d, k) in self.y and self.held.get((s, d, k), c) == c
            ]
            count = dict(self.n.get((p, d, k), [])).get(c)
            others_held = sum(1 for s in held_by.get((p, d, k, c), []) if s not in members)
            if not ys or count is None:
                lost += len(members)
                continue
            kept = m.new_int_var(0, len(ys), f"kept_{p}_{d}_{k}_{c}")
            m.add(kept <= sum(ys))
            m.add(kept <= count - others_held)
            lost += len(members) - len(ys)
            self.terms.add("changes", weight, len(ys) - kept)
        if lost:
            self.terms.add("changes", weight, lost)

    def _request(
        self, s: int, date: dt.date, shift: str | None, checkpoint: str | None, work: bool, weight: int
    ) -> None:
        g, m = self.grid, self.m
        d = self.instance.horizon.index(date)
        if d is None or weight <= 0:
            return
        ks = [g.shift_index[shift]] if shift is not None and shift in g.shift_index else []
        if shift is None:
            ks = list(range(len(self.instance.shifts)))
        if checkpoint is None:
            cells = [self.y[s, d, k] for k in ks if (s, d, k) in self.y]
        else:
            c = g.cp_index.get(checkpoint)
            cells = [] if c is None else [self.x[s, d, k, c] for k in ks if (s, d, k, c) in self.x]
        if work:
            if not cells:
                return  # cannot be granted whatever the Roster (away, or no such cell): not scored
            granted = m.new_bool_var(f"req_on_{s}_{d}")
            m.add_bool_or(cells).only_enforce_if(granted)
            self.terms.add("requests", weight, 1 - granted)
        elif cells:
            refused = m.new_bool_var(f"req_off_{s}_{d}")
            for v in cells:
                m.add_implication(v, refused)
            self.terms.add("requests", weight, refused)

    def cells(self) -> dict[tuple[int, int], list[int]]:
        """``(staff index, day)`` → proto indexes of that person-day's ``x``, ``y`` and ``w``
        (the cells :mod:`shouwang.roster.lns` frees and fixes; other variables follow them)."""
        out: dict[tuple[int, int], set[int]] = defaultdict(set)
        for (s, d, _k, _c), v in self.x.items():
            out[s, d].add(v.index)
        for (s, d, _k), v in self.y.items():
            out[s, d].add(v.index)
        for (s, d), v in self.w.items():
            out[s, d].add(v.index)
        return {cell: sorted(indexes) for cell, indexes in out.items()}

    # -- a first Roster to start from ------------------------------------------------------

    def add_hint(
        self, *, time_limit_s: float, seed: int = 0, cells: Iterable[Assignment] | None = None
    ) -> bool:
        """Hint CP-SAT with ``cells`` (or :meth:`greedy`), completed to every variable if it can be.

        The completion is a tiny solve with the hinted cells fixed (one worker, deterministic),
        run to its optimum: the free variables are the costs (team presence, requests, fairness)
        and, for pools, the counts per Checkpoint, so it is quick; the first completion it finds
        costs far more (on the first four communities of the synthetic district, pooled: 124,
        113, 97, 109 points, against 94, 71, 67, 67 at its optimum). A complete feasible hint
        becomes CP-SAT's first solution, and stays in ``self.first`` as a Roster to fall back on
        if the main search ends before its presolve does. Returns whether it was.
        """
        values = self.greedy() if cells is None else self.hint_from(cells)
        for var, value in values.items():
            self.m.add_hint(var, value)
        probe = _probe_solver(time_limit_s, seed)
        probe.parameters.fix_variables_to_their_hinted_value = True
        if probe.solve(self.m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # Not valid as it stands: leave it as a partial guide for the search. (Not
            # ``repair_hint``: with OR-Tools 9.15 a model once solved with it can abort the process
            # on a later solve, "Check failed: heuristics.fixed_search != nullptr".)
            return False
        self.hint_solution(probe.response_proto.solution)
        self.first = probe
        return True

    def hint_solution(self, values: Sequence[int]) -> None:
        """Replace the hint with a complete solution: ``values[i]`` for proto variable ``i``."""
        self.m.clear_hints()  # type: ignore[no-untyped-call]
        for i, value in enumerate(values):
            self.m.add_hint(self.m.get_int_var_from_proto_index(i), value)

    def hint_from(self, cells: Iterable[Assignment]) -> dict[Any, int]:
        """Hint values for ``x``, ``y`` and ``w`` that put exactly ``cells`` on the Roster."""
        g, hz = self.grid, self.instance.horizon
        chosen = set()
        for a in cells:
            s, d, k, c = (
                g.staff_index.get(a.staff),
                hz.index(a.date),
                g.shift_index.get(a.shift),
                g.cp_index.get(a.checkpoint),
            )
            if s is not None and d is not None and k is not None and c is not None:
                chosen.add((s, d, k, c))
        return self._hint(chosen)

    def _hint(self, chosen: set[tuple[int, int, int, int]]) -> dict[Any, int]:
        hint: dict[Any, int] = {v: int(key in chosen) for key, v in self.x.items()}
        on_shift = {(s, d, k) for s, d, k, _ in chosen}
        for (s, d, k), v in self.y.items():
            hint.setdefault(v, int((s, d, k) in on_shift))
        placed: dict[tuple[int, int, int, int], int] = defaultdict(int)
        for s, d, k, c in chosen:
            if s in self.pool_of:
                placed[self.pool_of[s], d, k, c] += 1
        for (p, d, k), counts in self.n.items():
            for c, count in counts:
                if isinstance(count, cp_model.IntVar):  # a sum of y needs none; a lone y has one
                    hint.setdefault(count, placed[p, d, k, c])
        days_on = {(s, d) for s, d, _, _ in chosen}
        for (s, d), v in self.w.items():
            hint.setdefault(v, int((s, d) in days_on))
        return hint

    def greedy(self) -> dict[Any, int]:
        """A quick day-by-day Roster, as a CP-SAT hint (values for ``x``, ``y`` and ``w``).

        Each day: Checkpoints go to the Team with most room left among its people (and leads)
        still free that day, one Team per Checkpoint; requests to work a given Shift are granted
        first where that breaks no hard rule; then each slot needing a lead takes one; then
        every slot, in time order, takes the eligible people who break no hard rule so far and
        score best on: own Team, hours behind their fair share (never beyond it), requests,
        carrying on a run rather than starting one that must stop tomorrow (no isolated days).
        It may leave slots short; CP-SAT completes and improves it. Deterministic. On the
        synthetic district it starts each community at about 75 points where the optimum is
        about 10 (the order of these passes took it from about 170).
        """
        inst, g = self.instance, self.grid
        rules = inst.rules
        days, n_shift = g.days, len(inst.shifts)
        n_staff = len(inst.staff)
        lengths = [sh.minutes for sh in inst.shifts]
        demand = sum(n * lengths[k] for _, _, k, n in g.open_slots())
        capacity = [sum(lengths[k] for _, k in g.avail[s]) for s in range(n_staff)]
        total_cap = sum(capacity) or 1
        share = [demand * capacity[s] / total_cap for s in range(n_staff)]
        unit = g.fair_unit()
        top = [math.ceil(share[s] / unit) * unit for s in range(n_staff)]  # the fair band's top
        booked: list[list[Occurrence]] = [[] for _ in range(n_staff)]
        minutes = [0] * n_staff
        worked: list[set[int]] = [set() for _ in range(n_staff)]
        per_day: dict[tuple[int, int], int] = defaultdict(int)
        wishes: dict[tuple[int, int], list[tuple[int | None, int | None, bool, int]]] = defaultdict(list)
        for s, member in enumerate(inst.staff):
            for req in member.requests:
                d = inst.horizon.index(req.date)
                if d is not None:
                    k = g.shift_index.get(req.shift) if req.shift is not None else None
                    c = g.cp_index.get(req.checkpoint) if req.checkpoint is not None else None
                    wishes[s, d].append((k, c, req.work, req.weight))
        chosen: set[tuple[int, int, int, int]] = set()
        for lock in inst.locks:
            si, di, ki = (
                g.staff_index.get(lock.staff),
                inst.horizon.index(lock.date),
                g.shift_index.get(lock.shift),
            )
            ci = g.cp_index.get(lock.checkpoint) if lock.checkpoint else None
            if lock.assigned and si is not None and di is not None and ki is not None and ci is not None:
                chosen.add((si, di, ki, ci))

        def fits(s: int, o: Occurrence) -> bool:
            if any(b.start < o.end + g.rest and o.start < b.end + g.rest for b in booked[s]):
                return False
            if rules.max_shifts_per_day is not None and per_day[s, o.day] >= rules.max_shifts_per_day:
                return False
            member = inst.staff[s]
            length = o.end - o.start
            if member.max_total_hours is not None and minutes[s] + length > member.max_total_hours * 60:
                return False
            if member.max_hours_per_week is not None:
                for j in range(max(0, o.day - 6), o.day + 1):
                    window = sum(b.end - b.start for b in booked[s] if j <= b.day < j + 7)
                    if window + length > member.max_hours_per_week * 60:
                        return False
            if o.day not in worked[s]:
                if rules.min_days_off and len(worked[s]) + 1 > days - rules.min_days_off:
                    return False
                if rules.max_consecutive_days is not None:
                    run, back = 1, o.day - 1
                    while back in worked[s]:
                        run, back = run + 1, back - 1
                    ahead = o.day + 1
                    while ahead in worked[s]:
                        run, ahead = run + 1, ahead + 1
                    if run > rules.max_consecutive_days:
                        return False
            return True

        def book(s: int, d: int, k: int, c: int) -> None:
            o = g.occ[d][k]
            booked[s].append(o)
            minutes[s] += o.end - o.start
            worked[s].add(d)
            per_day[s, d] += 1
            chosen.add((s, d, k, c))

        def score(
            s: int, *, c: int, k: int, d: int, owner: dict[int, str], leads_wanted: bool, lead_pass: bool
        ) -> tuple[float, int]:
            """Lower is better: own Team, behind on hours, wishes granted, runs continued."""
            value = 0.0
            if inst.staff[s].team != owner.get(c, inst.staff[s].team):
                value += 100
            value += 40 * (minutes[s] - share[s] * (d + 1) / days) / max(60.0, lengths[k])
            if minutes[s] + lengths[k] > top[s]:
                value += 60  # beyond a fair share
            for wk, wc, work, weight in wishes[s, d]:
                if (wk is None or wk == k) and (wc is None or wc == c):
                    value += -25 * weight if work else 40 * weight
            if d - 1 in worked[s]:
                # Carry on a run: a run of one day would become an isolated day.
                value -= 80 if d - 2 not in worked[s] else 15
            elif d + 1 < days and (
                not any((d + 1, kk) in g.avail[s] for kk in range(n_shift))
                or any(wk is None and not work for wk, _, work, _ in wishes[s, d + 1])
            ):
                value += 60  # a run started today would have to stop tomorrow: an isolated day
            if per_day[s, d]:
                value += 30
            if not lead_pass and leads_wanted and inst.staff[s].is_lead:
                value += 8  # keep leads for the slots that need one
            return value, s

        chosen = {(s, d, k, c) for s, d, k, c in chosen if g.eligible(s, c, d, k)}
        for s, d, k, c in sorted(chosen):
            book(s, d, k, c)
        # A re-solve: every Shift of the previous Roster that still breaks no rule stays, leads
        # first so a slot needing one keeps a place for one; the days below fill the rest.
        for s, d, k, c in sorted(
            self.previous_cells() - chosen, key=lambda cell: (not inst.staff[cell[0]].is_lead, cell)
        ):
            have = [t for t in range(n_staff) if (t, d, k, c) in chosen]
            lead_missing = g.lead_needed[c][d][k] and not any(inst.staff[t].is_lead for t in have)
            room = g.need[c][d][k] - len(have) - (1 if lead_missing and not inst.staff[s].is_lead else 0)
            if g.eligible(s, c, d, k) and room > 0 and fits(s, g.occ[d][k]):
                book(s, d, k, c)
        teams = sorted({m_.team for m_ in inst.staff})
        for d in range(days):
            # Give each open Checkpoint of the day to one Team, largest need first: the Team with
            # the most room left among its people still free to work today (and its leads, where
            # the Checkpoint needs one).
            def free_today(s: int, day: int) -> bool:
                if any(wk is None and not work for wk, _, work, _ in wishes[s, day]):
                    return False
                return any((day, k) in g.avail[s] and fits(s, g.occ[day][k]) for k in range(n_shift))

            per_person = min(rules.max_shifts_per_day or n_shift, 2)
            free = dict.fromkeys(teams, 0)
            free_leads = dict.fromkeys(teams, 0)
            for s in range(n_staff):
                if free_today(s, d):
                    free[inst.staff[s].team] += per_person
                    free_leads[inst.staff[s].team] += per_person * inst.staff[s].is_lead
            load = dict.fromkeys(teams, 0)
            lead_load = dict.fromkeys(teams, 0)
            owner: dict[int, str] = {}
            needs = sorted(
                ((sum(g.need[c][d]), c) for c in range(len(inst.checkpoints)) if sum(g.need[c][d]) > 0),
                key=lambda nc: (-nc[0], nc[1]),
            )
            for n, c in needs:
                able = [
                    t for t in teams if any(g.can[s][c] for s in range(n_staff) if inst.staff[s].team == t)
                ]
                if not able:
                    continue
                leads_here = sum(g.lead_needed[c][d])

                def headroom(
                    t: str,
                    *,
                    n: int,
                    leads_here: int,
                    free: dict[str, int],
                    load: dict[str, int],
                    free_leads: dict[str, int],
                    lead_load: dict[str, int],
                ) -> tuple[bool, int, str]:
                    return free_leads[t] - lead_load[t] >= leads_here, free[t] - load[t] - n, t

                best = max(
                    able,
                    key=functools.partial(
                        headroom,
                        n=n,
                        leads_here=leads_here,
                        free=free,
                        load=load,
                        free_leads=free_leads,
                        lead_load=lead_load,
                    ),
                )
                owner[c] = best
                load[best] += n
                lead_load[best] += leads_here
            order = sorted(range(n_shift), key=lambda k: g.occ[d][k].start)
            slots = [(k, c) for k in order for c in range(len(inst.checkpoints)) if g.need[c][d][k] > 0]
            leads_wanted = any(g.lead_needed[c][d][k] for k, c in slots)

            # Requests to work a given Shift first (the heaviest first), at a Checkpoint of the
            # person's own Team, keeping a place for a lead where one is still needed.
            wanted = sorted(
                (
                    (weight, s, wk, wc)
                    for s in range(n_staff)
                    for wk, wc, work, weight in wishes[s, d]
                    if work and wk is not None
                ),
                key=lambda item: (-item[0], item[1]),
            )
            for _, s, k, wc in wanted:
                for c in [wc] if wc is not None else range(len(inst.checkpoints)):
                    if not g.eligible(s, c, d, k) or owner.get(c, inst.staff[s].team) != inst.staff[s].team:
                        continue
                    have = [t for t in range(n_staff) if (t, d, k, c) in chosen]
                    lead_missing = g.lead_needed[c][d][k] and not any(inst.staff[t].is_lead for t in have)
                    places_left = (
                        g.need[c][d][k] - len(have) - (1 if lead_missing and not inst.staff[s].is_lead else 0)
                    )
                    if places_left > 0 and fits(s, g.occ[d][k]):
                        book(s, d, k, c)
                        break
            # Then a lead for every slot that needs one, then everyone else, in time order.
            for lead_pass in (True, False):
                for k, c in slots:
                    o, n = g.occ[d][k], g.need[c][d][k]
                    have = [s for s in range(n_staff) if (s, d, k, c) in chosen]
                    if lead_pass:
                        lead_there = any(inst.staff[s].is_lead for s in have)
                        if not g.lead_needed[c][d][k] or lead_there or len(have) >= n:
                            continue
                        n = len(have) + 1
                    pool = [
                        s
                        for s in range(n_staff)
                        if g.eligible(s, c, d, k)
                        and (s, d, k, c) not in chosen
                        and (inst.staff[s].is_lead or not lead_pass)
                        and fits(s, o)
                    ]
                    pool.sort(
                        key=functools.partial(
                            score, c=c, k=k, d=d, owner=owner, leads_wanted=leads_wanted, lead_pass=lead_pass
                        )
                    )
                    for s in pool[: max(0, n - len(have))]:
                        book(s, d, k, c)
        return self._hint(chosen)

    # -- reading a solution ----------------------------------------------------------------

    def read(self, solver: cp_model.CpSolver) -> tuple[tuple[Assignment, ...], tuple[EmptySlot, ...]]:
        """The Roster and its empty slots from ``solver``'s best solution."""
        inst, hz = self.instance, self.instance.horizon
        seated = [key for key, v in self.x.items() if solver.value(v)] + self._seat(solver)
        cells = [
            Assignment(inst.staff[s].id, hz.date(d), inst.shifts[k].code, inst.checkpoints[c].code)
            for s, d, k, c in seated
        ]
        cells.sort(
            key=lambda a: (a.date, self.grid.shift_index[a.shift], self.grid.cp_index[a.checkpoint], a.staff)
        )
        empty = []
        for (c, d, k), e in self.empty.items():
            missing = solver.value(e)
            if missing:
                n = self.grid.need[c][d][k]
                empty.append(EmptySlot(inst.checkpoints[c].code, hz.date(d), inst.shifts[k].code, n, missing))
        for (c, d, k), lm in self.lead_missing.items():
            if solver.value(lm) and not (
                self.empty.get((c, d, k)) is not None and solver.value(self.empty[c, d, k])
            ):
                n = self.grid.need[c][d][k]
                empty.append(
                    EmptySlot(inst.checkpoints[c].code, hz.date(d), inst.shifts[k].code, n, 0, lead=True)
                )
        empty.sort(key=lambda e: (e.date, self.grid.shift_index[e.shift], self.grid.cp_index[e.checkpoint]))
        return tuple(cells), tuple(empty)

    def _seat(self, solver: cp_model.CpSolver) -> list[tuple[int, int, int, int]]:
        """``(s, d, k, c)`` for the pooled people on ``solver``'s Roster: who of a pool stands where.

        The model only counts a pool's people per Checkpoint; here, Shift by Shift in time order,
        the locked people take their places, then each person back on a Shift they had in the
        previous Roster (:attr:`Instance.previous`) goes to the Checkpoint they stood at then, then
        each other person to the Checkpoint they last stood at, while its count has room; the
        others fill what is left, in staff order. Deterministic. The ``changes`` term of
        :meth:`_changes` counts exactly what this keeps.
        """
        before = {(s, d, k): c for s, d, k, c in self.previous_cells() if s in self.pool_of}
        last: dict[int, int] = {}
        seated: list[tuple[int, int, int, int]] = []
        order = sorted(self.n, key=lambda pdk: (self.grid.occ[pdk[1]][pdk[2]].start, pdk[0]))
        for p, d, k in order:
            working = [s for s in self.pools[p] if (s, d, k) in self.y and solver.value(self.y[s, d, k])]
            room = {c: int(solver.value(count)) for c, count in self.n[p, d, k]}
            here, waiting = {}, []
            for s in working:
                c = self.held.get((s, d, k))
                if c is not None:  # locked there; the count holds its place
                    room[c] -= 1
                    here[s] = c
            for s in working:
                c = before.get((s, d, k))
                if s not in here and c is not None and room.get(c, 0) > 0:
                    room[c] -= 1
                    here[s] = c
            for s in working:
                if s in here:
                    continue
                c = last.get(s)
                if c is not None and room.get(c, 0) > 0:
                    room[c] -= 1
                    here[s] = c
                else:
                    waiting.append(s)
            free = [c for c, left in room.items() for _ in range(left)]
            if len(free) != len(waiting):  # the model's pool sum forbids this
                raise RuntimeError(f"pool {p}, day {d}, Shift {k}: {len(waiting)} people, {len(free)} places")
            here.update(zip(waiting, free, strict=True))
            last.update(here)
            seated.extend((s, d, k, c) for s, c in here.items())
        return seated

    def term_values(self, solver: cp_model.CpSolver) -> dict[str, int]:
        return {
            name: sum(coef * int(solver.value(v)) for coef, v in parts)
            for name, parts in self.terms.parts.items()
        }


def _probe_solver(time_limit_s: float, seed: int) -> cp_model.CpSolver:
    """One worker, one seed, a deterministic-time limit: the same answer on a busy machine."""
    probe = cp_model.CpSolver()
    probe.parameters.num_workers = 1
    probe.parameters.random_seed = seed
    probe.parameters.max_deterministic_time = time_limit_s
    probe.parameters.max_time_in_seconds = 2 * time_limit_s + 1
    return probe


def lock_params(instance: Instance, lock: Lock) -> dict[str, object]:
    """Words for a lock in an explanation: who, which Shift, when, and where (if a Checkpoint)."""
    from shouwang.roster.messages import At

    who = next((m.name or m.id for m in instance.staff if m.id == lock.staff), lock.staff)
    try:
        shift: object = instance.shift(lock.shift)
    except KeyError:
        shift = lock.shift
    where = ""
    if lock.checkpoint is not None:
        try:
            where = instance.checkpoint(lock.checkpoint).name
        except KeyError:
            where = lock.checkpoint
    return {"staff": who, "date": lock.date, "shift": shift, "at": At(where), "checkpoint": where}


class _Reporter(cp_model.CpSolverSolutionCallback):
    """Passes each improving solution and bound to ``progress``, summed over every group.

    ``start_part(i)`` says which group the running solve is for; the other groups count with
    their best figures so far (a group not reached yet counts as 0 with a bound of 0).
    """

    def __init__(self, progress: Progress | None, started: float, parts: int = 1) -> None:
        super().__init__()
        self.progress = progress
        self.started = started
        self.objectives = [0.0] * parts
        self.bounds = [0.0] * parts
        self.part = 0
        self.objective = math.inf
        self.bound = 0.0
        self.improved_at = started
        self.lock = threading.Lock()

    def _report(self) -> None:
        if self.progress:
            others = sum(self.objectives) - self.objectives[self.part]
            other_bounds = sum(self.bounds) - self.bounds[self.part]
            self.progress(
                time.monotonic() - self.started,
                others + min(self.objective, self.objectives[self.part] or math.inf),
                other_bounds + max(self.bound, self.bounds[self.part]),
            )

    def start_part(self, part: int) -> None:
        with self.lock:
            self.part = part
            self.objective = math.inf
            self.bound = 0.0

    def on_solution_callback(self) -> None:
        with self.lock:
            self.improved_at = time.monotonic()
            self.objective = float(self.objective_value)
            self.bound = max(self.bound, float(self.best_objective_bound))
            self._report()

    def on_bound(self, bound: float) -> None:
        with self.lock:
            self.bound = max(self.bound, float(bound))
            self._report()

    def finish_part(self, objective: float, bound: float) -> None:
        """The running group's best figures so far (after each of its solves)."""
        with self.lock:
            self.objectives[self.part] = objective
            self.bounds[self.part] = bound


_STATUS: dict[Any, Status] = {
    cp_model.OPTIMAL: "optimal",
    cp_model.FEASIBLE: "feasible",
    cp_model.INFEASIBLE: "infeasible",
    cp_model.UNKNOWN: "unknown",
}


def worker_count(workers: int | None) -> int:
    """``workers`` if given, else one per core up to 8 (CP-SAT workers, or LNS steps side by side)."""
    return workers if workers is not None else max(1, min(8, os.cpu_count() or 1))


def configure(
    solver: cp_model.CpSolver,
    *,
    time_limit_s: float,
    seed: int,
    workers: int | None,
    deterministic: bool,
) -> None:
    """CP-SAT parameters shared by every model here (see the module docstring on determinism)."""
    p = solver.parameters
    p.random_seed = seed
    if deterministic:
        # One worker is deterministic by itself. (Not ``interleave_search``: with hints it can
        # abort the process in OR-Tools 9.15, "Check failed: heuristics.fixed_search != nullptr",
        # and on these models it did no better than one worker.)
        p.num_workers = 1
        p.max_deterministic_time = time_limit_s
        # A safety net only: reached when deterministic time runs much slower than wall time.
        p.max_time_in_seconds = 4 * time_limit_s + 10
    else:
        p.num_workers = worker_count(workers)
        p.max_time_in_seconds = time_limit_s


def gap_pct(objective: float | None, bound: float | None) -> float | None:
    """``100·(objective − bound)/|objective|``; 0 when both are 0; None without a Roster."""
    if objective is None or bound is None:
        return None
    if abs(objective) < 1e-9:
        return 0.0 if abs(bound) < 1e-9 else 100.0
    return max(0.0, 100.0 * (objective - bound) / abs(objective))


def components(instance: Instance) -> list[Instance]:
    """Split ``instance`` into independent groups: Staff and the Checkpoints they can stand at.

    Two Staff are in one group when some chain of "may stand at an open Checkpoint" links them.
    Nothing couples two groups (Teams, leads, locks and fairness all live inside one), so each
    is solved on its own; the fair band of hours is then the share among people who could
    replace each other, which is what a coordinator means by fair. Checkpoints that are never
    open and Staff who can stand nowhere are left out (they get no Shift).
    """
    g = Grid(instance)
    n_staff, n_cp = len(instance.staff), len(instance.checkpoints)
    parent = list(range(n_staff + n_cp))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    linked_cp = [False] * n_cp
    linked_staff = [False] * n_staff
    for c, d, k, _ in g.open_slots():
        for s in g.staff_at[c]:
            if (d, k) in g.avail[s]:
                parent[find(s)] = find(n_staff + c)
                linked_cp[c] = linked_staff[s] = True
    groups: dict[int, tuple[list[int], list[int]]] = {}
    for s in range(n_staff):
        if linked_staff[s]:
            groups.setdefault(find(s), ([], []))[0].append(s)
    for c in range(n_cp):
        if linked_cp[c]:
            groups.setdefault(find(n_staff + c), ([], []))[1].append(c)
    parts = []
    for staff_idx, cp_idx in sorted(groups.values(), key=lambda sc: min(sc[1]) if sc[1] else 0):
        ids = {instance.staff[s].id for s in staff_idx}
        parts.append(
            replace(
                instance,
                staff=tuple(instance.staff[s] for s in staff_idx),
                checkpoints=tuple(instance.checkpoints[c] for c in cp_idx),
                locks=tuple(lock for lock in instance.locks if lock.staff in ids),
                previous=tuple(a for a in instance.previous if a.staff in ids),
            )
        )
    return parts


def _orphan_slots(instance: Instance, parts: Sequence[Instance]) -> list[EmptySlot]:
    """Open slots at Checkpoints nobody may stand at: empty whatever the solver does."""
    covered = {c.code for p in parts for c in p.checkpoints}
    g = Grid(instance)
    return [
        EmptySlot(instance.checkpoints[c].code, instance.horizon.date(d), instance.shifts[k].code, n, n)
        for c, d, k, n in g.open_slots()
        if instance.checkpoints[c].code not in covered
    ]


@dataclass
class _Outcome:
    status: Status
    objective: float = 0.0
    bound: float = 0.0
    assignments: tuple[Assignment, ...] = ()
    empty: tuple[EmptySlot, ...] = ()
    terms: dict[str, int] = field(default_factory=dict)


RESOLVE_MIN_S = 1.5
"""A group is solved again only with at least this many seconds (model, hint and presolve take
about 1 s of them for 30 staff over 28 days)."""

RESOLVE_ROUNDS = 20
"""At most this many rounds of solving again (each round visits every group not yet proved
optimal); a safety net, as deterministic time can run much slower than the wall clock."""


def _better(old: _Outcome, new: _Outcome) -> _Outcome:
    """The better Roster of two solves of one group, with the higher of their lower bounds."""
    if old.status not in ("optimal", "feasible"):
        return new
    if new.status not in ("optimal", "feasible"):
        return old
    best = new if new.objective < old.objective else old
    bound = max(old.bound, new.bound)
    status: Status = "optimal" if best.objective <= bound + 1e-9 else "feasible"
    return replace(best, status=status, bound=min(bound, best.objective))


def _solve_part(
    part: Instance,
    *,
    budget: float,
    seed: int,
    workers: int | None,
    soft_coverage: bool,
    deterministic: bool,
    reporter: _Reporter,
    start: Sequence[Assignment] | None = None,
) -> tuple[_Outcome, float]:
    """Solve one independent group; returns its outcome and the time it used (deterministic or wall).

    ``start``: a Roster of this group to start from (an earlier solve's best); otherwise the
    search starts from :meth:`RosterModel.greedy`.
    """
    begun = time.monotonic()
    model = RosterModel(part, soft_coverage=soft_coverage)
    model.add_hint(time_limit_s=max(0.2, budget / 20), seed=seed, cells=start)
    if not deterministic:  # the wall clock counts building the model and the hint too
        budget = max(0.2, budget - (time.monotonic() - begun))
    if deterministic and any(model.terms.parts.values()):
        return _solve_reproducibly(model, budget=budget, seed=seed)
    searched: cp_model.CpSolver | None = None
    used_first = 0.0
    two_phase = (
        not deterministic
        and (workers is None or workers > 1)
        and model.first is not None
        and budget >= TWO_PHASE_MIN_S
        and any(model.terms.parts.values())
    )
    if two_phase:
        searching = time.monotonic()
        searched, found = _search_only(
            model, budget=budget * SEARCH_SHARE, seed=seed, workers=workers, reporter=reporter
        )
        if found == cp_model.OPTIMAL:
            return _read_outcome(model, searched, "optimal"), time.monotonic() - begun
        if found == cp_model.FEASIBLE:
            model.hint_solution(searched.response_proto.solution)
        else:
            searched = None
        used_first = time.monotonic() - searching  # ``budget`` is net of the model and hint already
    solver = cp_model.CpSolver()
    configure(
        solver,
        time_limit_s=max(0.2, budget - used_first),
        seed=seed,
        workers=workers,
        deterministic=deterministic,
    )
    incumbent = searched or model.first
    if incumbent is not None and model.terms.parts.get("changes"):
        terms = model.term_values(incumbent)
        if terms["changes"] and not any(v for name, v in terms.items() if name != "changes"):
            solver.parameters.subsolvers.extend(PROOF_SUBSOLVERS)
    solver.best_bound_callback = reporter.on_bound
    code = solver.solve(model.m, reporter)
    used = float(solver.deterministic_time) if deterministic else time.monotonic() - begun
    status = _STATUS.get(code)
    if status is None:
        raise RuntimeError(f"CP-SAT rejected the roster model: {solver.status_name(code)}")
    fallback = searched or model.first
    if status == "unknown" and fallback is not None:
        # Time ran out before this search found anything (its presolve, say): the search before
        # it, or the completed hint, is still a Roster, with the first search's bound; every
        # objective term is ≥ 0, so 0 is a valid bound otherwise.
        bound = 0.0 if searched is None else max(0.0, float(searched.best_objective_bound))
        return _read_outcome(model, fallback, "feasible", bound=bound), used
    if status not in ("optimal", "feasible"):
        return _Outcome(status), used
    outcome = _read_outcome(model, solver, status)
    if searched is not None and status == "feasible":
        # The proof search started from the first search's Roster, so it is never worse; its
        # bound is the one to keep (the first search only knows presolve's).
        outcome.bound = max(outcome.bound, float(searched.best_objective_bound))
    return outcome, used


def _solve_reproducibly(model: RosterModel, *, budget: float, seed: int) -> tuple[_Outcome, float]:
    """The deterministic mode: the same Roster for the same model and seed, on any machine.

    A first Roster (the completed greedy hint, else one CP-SAT worker's first solution), then
    the large-neighbourhood search of :mod:`shouwang.roster.lns` (one worker per step,
    deterministic time) over cells ``(staff member, day)``, stopping at the bound presolve
    proves. ``budget`` and the time returned are deterministic seconds. On the demo
    sub-district this reaches the optimum (0) within 5 deterministic seconds, where one CP-SAT
    worker alone stayed at 62.
    """
    from shouwang.roster import lns

    spent = 0.0
    first = model.first
    bound = 0.0
    if first is None:
        first = _probe_solver(budget, seed)
        first.parameters.stop_after_first_solution = True
        code = first.solve(model.m)
        spent = float(first.deterministic_time)
        status = _STATUS.get(code)
        if status is None:
            raise RuntimeError(f"CP-SAT rejected the roster model: {first.status_name(code)}")
        if status == "optimal":
            return _read_outcome(model, first, "optimal"), spent
        if status != "feasible":
            return _Outcome(status), spent
        bound = max(0.0, float(first.best_objective_bound))
    found = lns.search(
        model.m,
        model.cells(),
        list(first.response_proto.solution),
        float(first.objective_value),
        rows=len(model.instance.staff),
        days=model.grid.days,
        budget_s=max(0.0, budget - spent),
        seed=seed,
        deterministic=True,
        bound=math.ceil(bound - 1e-6),
        step_s=REPRODUCIBLE_STEP_S,
    )
    spent += found.used_s
    # A solver holding exactly the Roster found, to read it like any other solve.
    held = _probe_solver(1.0, seed)
    held.parameters.fix_variables_to_their_hinted_value = True
    model.hint_solution(found.solution)
    if held.solve(model.m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError("the neighbourhood search returned a Roster the model refuses")
    status = "optimal" if found.objective <= bound + 1e-9 else "feasible"
    return _read_outcome(model, held, status, bound=min(bound, found.objective)), spent


REPRODUCIBLE_STEP_S = 0.5
"""Deterministic seconds one step of the reproducible search may take."""


PROOF_SUBSOLVERS = ("core", "max_lp")
"""The proof phase's CP-SAT workers on a re-solve whose best Roster so far costs only moved
Shifts (every other goal at 0): proving the fewest moves is a count of literals to bound, which
core-based search does far better than the LP (demo Roster re-solved after 3, 6 and 10 hand
moves, 30 s, 2 workers: proved optimal in 2.9, 3.9 and 10.8 s, against 7.6 s and two unproved at
30 s with the default portfolio). Where other goals still cost points the LP bound is the one
that proves (synthetic district re-solved after 10 moves, per community at 6 s: core alone proved
4 of 10, the default 9 of 10), so the default stays there."""

SEARCH_SHARE = 0.7
"""Share of a group's time for the first, search-only phase (:func:`_search_only`)."""

TWO_PHASE_MIN_S = 3.0
"""Below this many seconds a group gets one solve with the default portfolio: the proof phase
needs about a second for presolve alone, which a split of less would not leave it."""


STALL_S = 1.0
"""The search-only phase stops after this many seconds without a better Roster, counted from its
first Roster (the hint, once presolve is done). A quarter of the phase's time was used before:
with the pooled model that waited up to 6 s on a group's optimum before the proof could start.
Synthetic district (60 s, 2 workers, seeds 0-2): 46-47 s with that rule; 27.5-38.0 s with 1.5 s
from the phase's start; 33.2-40.2 s with 1.5 s and 29.1-37.7 s with 1.0 s from the first Roster.
All proved optimal."""


def _search_only(
    model: RosterModel, *, budget: float, seed: int, workers: int | None, reporter: _Reporter
) -> tuple[cp_model.CpSolver, Any]:
    """Improve ``model``'s complete hint with CP-SAT's neighbourhood searches only, on every worker.

    On the roster models the time to a proved optimum is mostly spent finding the optimal
    Roster; the proof then takes about a second. CP-SAT's default portfolio gives one of two
    workers to the tree search that proves, and the other to the searches that find. This
    phase gives both to finding (``use_lns_only``), and stops once ``budget`` seconds are
    spent or no better Roster has come for :data:`STALL_S`, leaving the rest of the group's time
    to the default portfolio (the proof), started from the best Roster found. Returns the solver
    and its status code. Measured on the synthetic district of ``bench/roster.py`` (pooled
    model, 60 s, 3 seeds): proved optimal in 46-48 s, against 47-57 s with the default
    portfolio alone; with the stall rule of :data:`STALL_S`, 29-38 s.
    """
    solver = cp_model.CpSolver()
    configure(solver, time_limit_s=budget, seed=seed, workers=workers, deterministic=False)
    solver.parameters.use_lns_only = True
    done = threading.Event()
    # The stall clock starts at the first Roster (the hint, once presolve is done): on a loaded
    # machine presolve alone can take longer than STALL_S.
    reporter.improved_at = math.inf

    def watch() -> None:
        while not done.wait(0.1):
            if time.monotonic() - reporter.improved_at > STALL_S:
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        code = solver.solve(model.m, reporter)
    finally:
        done.set()
        watcher.join()
    return solver, code


def _read_outcome(
    model: RosterModel, solver: cp_model.CpSolver, status: Status, bound: float | None = None
) -> _Outcome:
    """The Roster, objective, bound and terms of ``solver``'s best solution of ``model``."""
    assignments, empty = model.read(solver)
    objective = float(solver.objective_value)
    if bound is None:
        bound = objective if status == "optimal" else max(0.0, float(solver.best_objective_bound))
    return _Outcome(status, objective, bound, assignments, empty, model.term_values(solver))


def solve(
    instance: Instance,
    *,
    time_limit_s: float,
    seed: int = 0,
    workers: int | None = None,
    soft_coverage: bool = False,
    progress: Progress | None = None,
    deterministic: bool = False,
    explain: bool = True,
) -> Result:
    """Roster ``instance`` within ``time_limit_s`` seconds (a limit, not a target).

    ``seed`` is CP-SAT's random seed; ``workers`` its number of search workers (default: the
    CPU count, at most 8); ``deterministic`` is explained in the module docstring. The
    Instance is cut into independent groups (:func:`components`), solved one after the other;
    each gets a share of the time in proportion to its size, and time one group leaves unused
    goes to the next. Time left after the last group goes, in rounds, to the groups not yet
    proved optimal (largest gap first), each solved again from its best Roster with seed
    ``seed + round``; the best Roster and the highest bound of its solves are kept. ``soft_coverage`` lets slots stay empty (each missing person costs
    ``weights.empty_slot``) and lists them in ``Result.empty_slots``. ``progress(elapsed_s,
    objective, bound)`` is called from the solver's threads on every improvement; with several
    groups the figures cover the groups solved so far. When no Roster exists,
    ``Result.explanations`` says why in a coordinator's words (``explain=False`` skips that,
    as the explainer itself does).
    """
    from shouwang.roster import explain as explainer

    started = time.monotonic()
    if explain and not soft_coverage:
        reasons = explainer.precheck(instance)
        if reasons:
            return Result("infeasible", wall_s=time.monotonic() - started, explanations=tuple(reasons))
    parts = components(instance)
    orphans = _orphan_slots(instance, parts)
    if orphans and not soft_coverage:
        return Result("infeasible", wall_s=time.monotonic() - started)
    sizes = [max(1, len(p.staff) * p.horizon.days * len(p.shifts) * len(p.checkpoints)) for p in parts]
    reporter = _Reporter(progress, started, len(parts))
    outcomes: list[_Outcome] = []
    remaining_time = float(time_limit_s)

    def run(i: int, budget: float, round_: int, start: Sequence[Assignment] | None) -> _Outcome:
        nonlocal remaining_time
        reporter.start_part(i)
        outcome, used = _solve_part(
            parts[i],
            budget=budget,
            seed=seed + round_,
            workers=workers,
            soft_coverage=soft_coverage,
            deterministic=deterministic,
            reporter=reporter,
            start=start,
        )
        remaining_time -= used
        return outcome

    for i in range(len(parts)):
        if not deterministic:  # the wall clock: pre-checks and model building count too
            remaining_time = time_limit_s - (time.monotonic() - started)
        budget = max(0.5, remaining_time * sizes[i] / sum(sizes[i:]))
        outcome = run(i, budget, 0, None)
        outcomes.append(outcome)
        reporter.finish_part(outcome.objective, outcome.bound)
        if outcome.status == "infeasible":
            break
    # Time the first round left (groups proved optimal early) goes back to the groups not proved
    # optimal, largest gap first, each solve starting from that group's best Roster with another
    # seed: one stuck search is cut short instead of eating the others' time, and a restart from
    # a good Roster often proves what the first run could not (measured on the synthetic district).
    for round_ in range(1, RESOLVE_ROUNDS + 1):
        if not deterministic:
            remaining_time = time_limit_s - (time.monotonic() - started)
        todo = [i for i, o in enumerate(outcomes) if o.status in ("feasible", "unknown")]
        if any(o.status == "infeasible" for o in outcomes) or not todo or remaining_time < RESOLVE_MIN_S:
            break
        todo.sort(key=lambda i: (outcomes[i].status != "unknown", outcomes[i].bound - outcomes[i].objective))
        for n, i in enumerate(todo):
            if not deterministic:
                remaining_time = time_limit_s - (time.monotonic() - started)
            if remaining_time < RESOLVE_MIN_S:
                break
            share = remaining_time * sizes[i] / sum(sizes[j] for j in todo[n:])
            old = outcomes[i]
            outcome = run(
                i, max(RESOLVE_MIN_S, share), round_, old.assignments if old.status == "feasible" else None
            )
            outcomes[i] = _better(old, outcome)
            reporter.finish_part(outcomes[i].objective, outcomes[i].bound)
    wall = time.monotonic() - started
    failed = next((o for o in outcomes if o.status == "infeasible"), None)
    failed = failed or next((o for o in outcomes if o.status == "unknown"), None)
    if failed is not None and failed.status == "infeasible":
        reasons = []
        if explain:
            part = parts[outcomes.index(failed)]
            reasons = explainer.explain_infeasible(
                part,
                time_limit_s=max(2.0, time_limit_s - wall),
                seed=seed,
                workers=workers,
                soft_coverage=soft_coverage,
            )
        return Result("infeasible", wall_s=time.monotonic() - started, explanations=tuple(reasons))
    if failed is not None:
        return Result(
            "unknown",
            wall_s=wall,
            explanations=(Explanation("roster_timeout", {"seconds": round(time_limit_s)}),),
        )
    status: Status = "optimal" if all(o.status == "optimal" for o in outcomes) else "feasible"
    orphan_cost = instance.weights.empty_slot * sum(e.missing for e in orphans)
    objective = sum(o.objective for o in outcomes) + orphan_cost
    bound = objective if status == "optimal" else sum(o.bound for o in outcomes) + orphan_cost
    key = {code: i for i, code in enumerate(s.code for s in instance.shifts)}
    cp_key = {code: i for i, code in enumerate(c.code for c in instance.checkpoints)}
    assignments = tuple(
        sorted(
            (a for o in outcomes for a in o.assignments),
            key=lambda a: (a.date, key[a.shift], cp_key[a.checkpoint], a.staff),
        )
    )
    empty = tuple(
        sorted(
            [*orphans, *(e for o in outcomes for e in o.empty)],
            key=lambda e: (e.date, key[e.shift], cp_key[e.checkpoint]),
        )
    )
    terms: dict[str, int] = defaultdict(int)
    for o in outcomes:
        for name, value in o.terms.items():
            terms[name] += value
    if orphan_cost:
        terms["empty"] += orphan_cost
    explanations: tuple[Explanation, ...] = ()
    if empty:
        explanations = (Explanation("roster_no_full_cover"), *explainer.describe_empty(instance, empty))
    return Result(
        status,
        objective=objective,
        best_bound=bound,
        gap_pct=gap_pct(objective, bound),
        wall_s=wall,
        assignments=assignments,
        empty_slots=empty,
        explanations=explanations,
        hours=staff_hours(instance, assignments),
        objective_terms=dict(terms),
    )


def staff_hours(instance: Instance, assignments: Sequence[Assignment]) -> dict[str, float]:
    """Rostered hours per staff id (every staff member present, 0 when off throughout)."""
    minutes = {m.id: 0 for m in instance.staff}
    for a in assignments:
        minutes[a.staff] += instance.shift(a.shift).minutes
    return {k: v / 60 for k, v in minutes.items()}


def violations(instance: Instance, assignments: Sequence[Assignment]) -> list[str]:
    """Every hard rule a Roster breaks, as short English lines; ``[]`` for a valid Roster.

    Independent of the CP-SAT model (plain loops over the cells), so tests can check the
    solver against it. Coverage is checked as "at most the need" plus "exactly the need".
    """
    g = Grid(instance)
    hz, rules = instance.horizon, instance.rules
    out: list[str] = []
    count: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    mine: dict[int, list[Occurrence]] = defaultdict(list)
    for a in assignments:
        s, d = g.staff_index.get(a.staff), hz.index(a.date)
        k, c = g.shift_index.get(a.shift), g.cp_index.get(a.checkpoint)
        if s is None or d is None or k is None or c is None:
            out.append(f"unknown cell {a}")
            continue
        if (d, k) in g.away[s]:
            out.append(f"{a.staff} is away {a.date} {a.shift}")
        if not g.can[s][c]:
            out.append(f"{a.staff} may not stand at {a.checkpoint}")
        count[c, d, k].append(s)
        mine[s].append(g.occ[d][k])
    for (c, d, k), people in count.items():
        if len(people) > g.need[c][d][k]:
            out.append(
                f"{instance.checkpoints[c].code} {hz.date(d)} {instance.shifts[k].code}: {len(people)} > need"
            )
    for c, d, k, n in g.open_slots():
        people = count.get((c, d, k), [])
        if len(people) < n:
            out.append(
                f"{instance.checkpoints[c].code} {hz.date(d)} {instance.shifts[k].code}: {len(people)} < {n}"
            )
        if g.lead_needed[c][d][k] and people and not any(instance.staff[s].is_lead for s in people):
            out.append(f"{instance.checkpoints[c].code} {hz.date(d)} {instance.shifts[k].code}: no lead")
    for s, member in enumerate(instance.staff):
        occs = sorted(mine.get(s, []), key=lambda o: o.start)
        for before, after in itertools.pairwise(occs):
            if after.start < before.end:
                out.append(f"{member.id} stands two places at once on {hz.date(after.day)}")
            elif after.start < before.end + g.rest:
                out.append(
                    f"{member.id} rests less than {rules.min_rest_hours} h before {hz.date(after.day)}"
                )
        per_day: dict[int, int] = defaultdict(int)
        for o in occs:
            per_day[o.day] += 1
        if rules.max_shifts_per_day is not None and any(
            v > rules.max_shifts_per_day for v in per_day.values()
        ):
            out.append(f"{member.id} stands more than {rules.max_shifts_per_day} shifts a day")
        total = sum(o.end - o.start for o in occs)
        if member.max_total_hours is not None and total > member.max_total_hours * 60:
            out.append(f"{member.id} works {total / 60} h > max")
        if member.min_total_hours is not None and total < member.min_total_hours * 60:
            out.append(f"{member.id} works {total / 60} h < min")
        if member.max_hours_per_week is not None:
            for start in range(max(1, g.days - 6)):
                week = sum(o.end - o.start for o in occs if start <= o.day < start + 7)
                if week > member.max_hours_per_week * 60:
                    out.append(f"{member.id} works {week / 60} h in the 7 days from {hz.date(start)}")
        days_on = sorted(per_day)
        if rules.max_consecutive_days is not None:
            run = 0
            for d in range(g.days):
                run = run + 1 if d in per_day else 0
                if run > rules.max_consecutive_days:
                    out.append(f"{member.id} works more than {rules.max_consecutive_days} days in a row")
                    break
        if rules.min_days_off is not None and g.days - len(days_on) < rules.min_days_off:
            out.append(f"{member.id} has fewer than {rules.min_days_off} days off")
    for lock in instance.locks:
        hit = [
            a
            for a in assignments
            if a.staff == lock.staff
            and a.date == lock.date
            and a.shift == lock.shift
            and (lock.checkpoint is None or a.checkpoint == lock.checkpoint)
        ]
        if lock.assigned and not hit:
            out.append(f"lock broken: {lock}")
        if not lock.assigned and hit:
            out.append(f"lock broken: {lock}")
    return out
