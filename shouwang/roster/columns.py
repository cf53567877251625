"""Column generation for the Curtois benchmark: a proved lower bound, and rosters made of whole rows.

Every rule of the benchmark but cover belongs to one employee, so a roster is one *row* per
employee (the shift worked each day, or off) and cover is the only thing that ties rows
together. That is the set-partitioning ("Dantzig–Wolfe") view the best published methods on
these instances use (the branch-and-price of Curtois & Qu's results table):

- **Master LP** (GLOP): each employee takes a convex combination of known rows; cover rows
  count the people on each shift with a shortfall and an excess variable at the cover
  weights. Its duals price a day's shift for everyone.
- **Pricing** (CP-SAT, one small model per employee, :class:`~shouwang.roster.curtois.CurtoisModel`
  with only that employee and no objective of its own): the row of least reduced cost
  (requests minus the duals of the shifts it works). Rows with a negative reduced cost join
  the master; when none has, the LP value is the bound of the whole problem.
- Stopped early, the bound is still the Lagrangian one, LP + Σ min(0, least reduced cost per
  employee) (Lübbecke & Desrosiers, "Selected topics in column generation", Operations
  Research 53(6), 2005, §2.1), as each employee takes exactly one row.
- **Restricted master** (CP-SAT): the best roster of one known row per employee.

Measured on the shared 2-core machine, after a 12–24 s CP-SAT solve of the whole model (the
LP bounds are printed with the best published values, ``BEST_KNOWN.md``): Instance 5
converged in 5 s at 1,140.6 (best 1,143; the CP-SAT bound was 786) and the restricted master
then found 1,149 in 10 s where the run had stopped at 1,241; Instance 6 converged in 4 s at
1,949 and the master proved 1,950 optimal; Instance 7 in 9 s at 1,054.1 (best 1,056; bound
1,047 before); Instance 10 in 10 s at 4,631 (best 4,631); Instance 9 in 14 s at 405.7 (best
439; bound 181 before). Instance 8, with 30 staff on four shift types, had not converged
after 25 s.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from shouwang.roster.curtois import CurtoisInstance, CurtoisModel

Row = tuple[int, ...]
"""One employee's roster: per day, the index of the Shift worked (in ``instance.shifts``), or −1."""

Pool = dict[int, set[Row]]
"""Employee index → the rows known for that employee."""

SCALE = 100_000
"""Reduced costs are scaled by this to CP-SAT's integer coefficients; the rounding (at most
half a unit a day) is taken off the pricing bound, so the lower bound stays proved."""

PRICING_STEP_S = 2.0
"""Cap on one pricing solve (measured: 5–40 ms each on Instances 5–10)."""


@dataclass
class ColumnOutcome:
    """What :func:`generate` found: the proved lower ``bound`` on the benchmark objective (an
    integer, ``-inf`` before a full round of pricing), the master LP's value, whether it
    converged (no row with a negative reduced cost is left, so ``bound`` is the LP bound), the
    rounds of pricing run, the rows known afterwards, and the wall seconds taken."""

    bound: float
    lp_value: float
    converged: bool
    rounds: int
    pool: Pool
    used_s: float


class _Requests:
    """Per employee, ``(day, shift index) → weight`` of on-requests and of off-requests."""

    def __init__(self, instance: CurtoisInstance) -> None:
        staff = {s.id: e for e, s in enumerate(instance.staff)}
        shifts = {s.id: t for t, s in enumerate(instance.shifts)}
        self.on: list[dict[tuple[int, int], int]] = [{} for _ in instance.staff]
        self.off: list[dict[tuple[int, int], int]] = [{} for _ in instance.staff]
        for requests, into in ((instance.on_requests, self.on), (instance.off_requests, self.off)):
            for r in requests:
                cell = into[staff[r.staff]]
                key = (r.day, shifts[r.shift])
                cell[key] = cell.get(key, 0) + r.weight

    def cost(self, e: int, row: Row) -> int:
        """The request penalty of ``row`` for employee ``e`` (benchmark points)."""
        unmet = sum(w for (d, t), w in self.on[e].items() if row[d] != t)
        return unmet + sum(w for (d, t), w in self.off[e].items() if row[d] == t)


def generate(
    instance: CurtoisInstance,
    pool: Mapping[int, set[Row]],
    *,
    budget_s: float,
    threads: int = 1,
    seed: int = 0,
) -> ColumnOutcome:
    """Column generation from ``pool`` (at least one valid row per employee, e.g. a roster's)
    for at most ``budget_s`` wall seconds, pricing ``threads`` employees side by side.

    Raises ValueError when an employee has no row in ``pool`` (the master would be infeasible).
    """
    started = time.monotonic()
    staff = range(len(instance.staff))
    missing = [instance.staff[e].id for e in staff if not pool.get(e)]
    if missing:
        raise ValueError(f"column generation needs a row for every employee; none for {missing}")
    requests = _Requests(instance)
    shifts = {s.id: t for t, s in enumerate(instance.shifts)}
    lp = pywraplp.Solver.CreateSolver("GLOP")
    objective = lp.Objective()
    objective.SetMinimization()
    convexity = [lp.Constraint(1, 1) for _ in staff]
    cover: dict[tuple[int, int], Any] = {}
    for c in instance.cover:
        row = lp.Constraint(c.requirement, c.requirement)
        under, over = lp.NumVar(0, lp.infinity(), ""), lp.NumVar(0, lp.infinity(), "")
        row.SetCoefficient(under, 1)
        row.SetCoefficient(over, -1)
        objective.SetCoefficient(under, c.under_weight)
        objective.SetCoefficient(over, c.over_weight)
        cover[c.day, shifts[c.shift]] = row
    columns: dict[tuple[int, Row], Any] = {}

    def add(e: int, row: Row) -> bool:
        if (e, row) in columns:
            return False
        v = columns[e, row] = lp.NumVar(0, lp.infinity(), "")
        convexity[e].SetCoefficient(v, 1)
        objective.SetCoefficient(v, requests.cost(e, row))
        for d, t in enumerate(row):
            if (d, t) in cover:
                cover[d, t].SetCoefficient(v, 1)
        return True

    for e, rows in pool.items():
        for row in rows:
            add(e, row)
    pricing = {e: CurtoisModel(instance, only=[e], objective=False) for e in staff}
    bound, value, converged, rounds = -math.inf, math.inf, False, 0
    pool_executor = ThreadPoolExecutor(max(1, threads))
    try:
        while time.monotonic() - started < budget_s:
            if lp.Solve() != pywraplp.Solver.OPTIMAL:
                break  # GLOP gave up (numerics): keep what was proved so far
            value = objective.Value()
            duals = {key: c.dual_value() for key, c in cover.items()}
            # Read before the round's rows are added: GLOP's duals go stale with the model.
            each = [c.dual_value() for c in convexity]
            left = budget_s - (time.monotonic() - started)

            def price(e: int, duals: dict[tuple[int, int], float] = duals, left: float = left) -> _Priced:
                return _price(pricing[e], e, requests, duals, min(PRICING_STEP_S, left), seed)

            priced = list(pool_executor.map(price, staff))
            rounds += 1
            slack = sum(min(0.0, p.low - each[e]) for e, p in enumerate(priced))
            bound = max(bound, math.ceil(value + slack - 1e-3))
            added = 0
            for e, p in enumerate(priced):
                if p.row is None:
                    continue
                reduced = requests.cost(e, p.row) - sum(duals.get((d, t), 0.0) for d, t in enumerate(p.row))
                if reduced - each[e] < -1e-6:
                    added += add(e, p.row)
            if added == 0 and all(p.proved for p in priced):
                converged = True
                break
    finally:
        pool_executor.shutdown()
    out: Pool = {}
    for e, row in columns:
        out.setdefault(e, set()).add(row)
    return ColumnOutcome(bound, value, converged, rounds, out, time.monotonic() - started)


@dataclass(frozen=True)
class _Priced:
    row: Row | None  # the row of least reduced cost found, None if none in time
    low: float  # a proved lower bound on the least request cost − Σ duals
    proved: bool  # ``row`` is the least (CP-SAT proved it optimal)


def _price(
    model: CurtoisModel,
    e: int,
    requests: _Requests,
    duals: Mapping[tuple[int, int], float],
    limit_s: float,
    seed: int,
) -> _Priced:
    """Employee ``e``'s row of least ``request cost − Σ duals`` within ``limit_s`` seconds."""
    terms = []
    for (_e, d, t), v in model.x.items():
        weight = requests.off[e].get((d, t), 0) - requests.on[e].get((d, t), 0) - duals.get((d, t), 0.0)
        terms.append(round(weight * SCALE) * v)
    model.m.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.05, limit_s)
    code = solver.solve(model.m)
    # The request cost is Σ on-requests + Σ (off − on) over the cells worked.
    constant = sum(requests.on[e].values())
    rounding = 0.5 * model.instance.days
    low = (float(solver.best_objective_bound) - rounding) / SCALE + constant
    if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return _Priced(None, low, False)
    row = model.rows_of(list(solver.response_proto.solution))[e]
    return _Priced(row, low, code == cp_model.OPTIMAL)


def master(
    instance: CurtoisInstance,
    pool: Mapping[int, set[Row]],
    *,
    hint: Mapping[int, Row],
    time_limit_s: float,
    workers: int,
    seed: int = 0,
) -> tuple[int, dict[int, Row]] | None:
    """The best roster of one row from ``pool`` per employee found in ``time_limit_s`` wall
    seconds (its benchmark objective and rows), starting from ``hint``; None if none was found."""
    requests = _Requests(instance)
    shifts = {s.id: t for t, s in enumerate(instance.shifts)}
    m = cp_model.CpModel()
    chosen: dict[tuple[int, Row], Any] = {}
    terms: list[Any] = []
    for e, rows in pool.items():
        for row in rows:
            v = chosen[e, row] = m.new_bool_var(f"row_{e}_{len(chosen)}")
            terms.append(requests.cost(e, row) * v)
            m.add_hint(v, hint.get(e) == row)
        m.add_exactly_one(chosen[e, row] for row in rows)
    for c in instance.cover:
        t = shifts[c.shift]
        on = [v for (_e, row), v in chosen.items() if row[c.day] == t]
        under = m.new_int_var(0, c.requirement, "")
        over = m.new_int_var(0, len(on), "")
        m.add(sum(on) + under - over == c.requirement)
        terms.append(c.under_weight * under + c.over_weight * over)
    m.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = time_limit_s
    if solver.solve(m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    picked = {e: row for (e, row), v in chosen.items() if solver.value(v)}
    return round(solver.objective_value), picked
