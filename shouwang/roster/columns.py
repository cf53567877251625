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
  (requests minus the duals of the shifts it works), at duals smoothed towards the best
  bound's (:data:`SMOOTHING`). Every row found on the way with a negative reduced cost joins
  the master; when none has, the LP value is the bound of the whole problem.
- Every round proves the Lagrangian bound at its duals, Σ dual × requirement + Σ per employee
  the least (request cost − Σ duals of its shifts), as each employee works exactly one row
  (Lübbecke & Desrosiers, "Selected topics in column generation", Operations Research 53(6),
  2005, §2.1); at convergence it is the LP value.
- **Restricted master** (SCIP): the best roster of one known row per employee.

Measured on the shared 2-core machine, from the first roster CP-SAT finds (LP bound, rounds,
seconds; best published value from ``BEST_KNOWN.md``; CP-SAT's own bound after 60 s):
Instance 5: 1,140.6, 22 rounds, 2.9 s (best 1,143; 747–1,063); Instance 6: 1,949, 24, 2.7 s
(1,950); Instance 7: 1,054.1, 26, 5.9 s (1,056; 1,047); Instance 9: 405.7, 19, 8.6 s (439;
181–406); Instance 10: 4,631, 18, 8.5 s (4,631: the published roster is optimal); Instance 8:
1,296.6, 30–32 rounds, 17 s (1,308; 1,250–1,266). The restricted master turned Instance 5's
1,235 into 1,144 in 1.8 s; on Instances 7, 8 and 9 it found nothing better than the roster
it started from (20 s on Instance 8's 1,611 rows, with SCIP or CP-SAT): those need real
branching (branch-and-price), which this module does not do.

Why Instance 8 is the hard one (measured 2026-12-01): its night-shift cover asks for 86 and its
staff may work 74, so every roster leaves at least 12 shifts uncovered (100 points each). With
the master LP made to leave at least 13 uncovered, column generation converged at 1,390.5 (52
rounds): every roster with 13 or more uncovered costs at least 1,391, above 1,373 (5 % over the
best published 1,308). Only rosters with exactly the forced 12 can meet that mark, and they are
rare: asked only for one (Σ shortfall ≤ 12, every night shift an employee may work worked),
CP-SAT found none in 120 s on 2 workers or 60 s on 8; dives of this LP (fix the row it weighs
most, price again; cover weights as they are or ten times higher) ended at 1,405 and at 1,508
(14 uncovered) after 150–165 s; and from a 13-uncovered roster of the LNS, CP-SAT
proves in 0.6 s that no roster with 12 differs from it only within 16 consecutive days.
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

from shouwang.roster.curtois import CurtoisInstance, CurtoisModel, curtois_objective, rows_to_roster

Row = tuple[int, ...]
"""One employee's roster: per day, the index of the Shift worked (in ``instance.shifts``), or −1."""

Pool = dict[int, set[Row]]
"""Employee index → the rows known for that employee."""

SCALE = 100_000
"""Reduced costs are scaled by this to CP-SAT's integer coefficients; the rounding (at most
half a unit a day) is taken off the pricing bound, so the lower bound stays proved."""

SMOOTHING = 0.5
"""Dual smoothing (Wentges, 1997; Pessoa et al., "In-out separation and column generation
stabilization by dual price smoothing", 2013): the pricing duals are this share of the best
bound's duals plus the rest of the LP's, which damps the duals' swings from round to round
and so the tail of many rounds that each add little."""

PACE_ROUNDS = 25
"""Rounds column generation is expected to need: with smoothing, Instances 5–10 converged in
18–34 rounds (Instance 5 in 22–24 rounds, 2.9 s; 7 in 26, 5.9 s; 9 in 19–21, 8.6–9.6 s; 10 in
18–19, 8.5 s; 8 in 30–33, 17 s, on a quiet 2-core machine). Over the first three rounds the
processor pace per pricing thread was 0.08 s a round on Instance 5, 0.12 on 7, 0.29 on 9, 0.34
on 8 and 0.36 on 10: at 60 s (a 9 s budget) Instances 8–10 give up, as they should (their
rosters come from the large-neighbourhood search), and 5–7 go on to converge.

On a slower machine (2026-12-02, quiet, the work-day minutes in the pricing) the paces were
0.20 (Instance 5, converged in 23 rounds, 6.4 s), 0.26 (6, 23 rounds), 0.42 (7, not converged in
12 s), 0.75 (8), 0.63 (9) and 0.91 (10): 35 rounds gave up on Instance 5 in about one start of
two (its pace at 0.257 with the cells' minutes), and with it on the rosters of 11 uncovered
shifts that only its restricted master finds, so the whole solve missed by one shift (1,237–1,248
against 1,143). 25 rounds, about what Instances 5 and 6 take, keeps them and still gives up on
8–10."""


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
    smoothing: float = SMOOTHING,
    give_up: bool = False,
) -> ColumnOutcome:
    """Column generation from ``pool`` (at least one valid row per employee, e.g. a roster's)
    for at most ``budget_s`` wall seconds, pricing ``threads`` employees side by side, with
    the duals smoothed towards the best bound's by ``smoothing`` (0 turns it off). With
    ``give_up``, it stops after three rounds whose pace says :data:`PACE_ROUNDS` rounds would
    not fit in ``budget_s`` (the time is better spent elsewhere). The pace is counted in
    processor seconds per pricing thread, not wall seconds: on a loaded machine the wall pace of
    Instance 5 tripled (0.09 → 0.33 s a round with two busy processes beside it), which gave up
    on the column generation that converges there in 24 rounds, and on the restricted master
    that finds its 11-uncovered rosters.

    Raises ValueError when an employee has no row in ``pool`` (the master would be infeasible).
    """
    started, cpu_started = time.monotonic(), time.process_time()
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
    wanted: dict[tuple[int, int], int] = {}
    dual_range: dict[tuple[int, int], tuple[float, float]] = {}
    for c in instance.cover:
        wanted[c.day, shifts[c.shift]] = c.requirement
        # The shortfall and excess columns keep a cover row's dual in [−over, under weight].
        dual_range[c.day, shifts[c.shift]] = (-c.over_weight, c.under_weight)
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
    # The work-day minutes price faster (processor pace over the first three rounds on Instances
    # 5, 8 and 9: 0.257 → 0.202, 0.963 → 0.747, 0.888 → 0.634 s).
    pricing = {e: CurtoisModel(instance, only=[e], objective=False, minutes_on_work_days=True) for e in staff}
    bound, value, converged, rounds = -math.inf, math.inf, False, 0
    best_lagrangian, centre = -math.inf, dict[tuple[int, int], float]()
    alpha = 0.0  # the first round prices at the LP's own duals
    pool_executor = ThreadPoolExecutor(max(1, threads))
    try:
        while time.monotonic() - started < budget_s:
            if lp.Solve() != pywraplp.Solver.OPTIMAL:
                break  # GLOP gave up (numerics): keep what was proved so far
            value = objective.Value()
            lp_duals = {key: c.dual_value() for key, c in cover.items()}
            # Read before the round's rows are added: GLOP's duals go stale with the model.
            each = [c.dual_value() for c in convexity]
            duals = {
                key: min(high, max(low, alpha * centre.get(key, pi) + (1 - alpha) * pi))
                for key, pi in lp_duals.items()
                for low, high in (dual_range[key],)
            }
            left = budget_s - (time.monotonic() - started)

            def price(e: int, duals: dict[tuple[int, int], float] = duals, left: float = left) -> _Priced:
                return _price(pricing[e], e, requests, duals, min(PRICING_STEP_S, left), seed)

            priced = list(pool_executor.map(price, staff))
            rounds += 1
            # The Lagrangian bound at these duals: each employee works one row, and the cover
            # rows' shortfall and excess cost nothing more while the duals stay in range.
            lagrangian = sum(duals[key] * wanted[key] for key in duals) + sum(p.low for p in priced)
            bound = max(bound, math.ceil(lagrangian - 1e-3))
            if lagrangian > best_lagrangian:
                best_lagrangian, centre = lagrangian, duals
            added = 0
            for e, p in enumerate(priced):
                for row in p.rows:
                    reduced = requests.cost(e, row) - sum(
                        lp_duals.get((d, t), 0.0) for d, t in enumerate(row)
                    )
                    if reduced - each[e] < -1e-6:
                        added += add(e, row)
            if added == 0 and alpha == 0.0 and all(p.proved for p in priced):
                converged = True
                break
            # Processor seconds a round, per pricing thread: the same on a loaded machine as on
            # a quiet one, so an instance takes the same path whatever else the machine runs.
            pace = (time.process_time() - cpu_started) / rounds / max(1, threads)
            if give_up and rounds >= 3 and pace * PACE_ROUNDS > budget_s:
                break
            # No new row at the smoothed duals ("mispricing"): price at the LP's next round.
            alpha = smoothing if added else 0.0
    finally:
        pool_executor.shutdown()
    out: Pool = {}
    for e, row in columns:
        out.setdefault(e, set()).add(row)
    return ColumnOutcome(bound, value, converged, rounds, out, time.monotonic() - started)


@dataclass(frozen=True)
class _Priced:
    rows: tuple[Row, ...]  # the rows CP-SAT found on its way, the least reduced cost last
    low: float  # a proved lower bound on the least request cost − Σ duals
    proved: bool  # the last row is the least (CP-SAT proved it optimal)


class _Collect(cp_model.CpSolverSolutionCallback):
    """Every improving row a pricing solve finds: all with a negative reduced cost may join,
    which takes fewer rounds than one row per employee per round."""

    def __init__(self, model: CurtoisModel) -> None:
        super().__init__()
        self.cells = [(d, t, v) for (_e, d, t), v in model.x.items()]
        self.days = model.instance.days
        self.rows: list[Row] = []

    def on_solution_callback(self) -> None:
        row = [-1] * self.days
        for d, t, v in self.cells:
            if self.boolean_value(v):
                row[d] = t
        self.rows.append(tuple(row))


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
    solver.parameters.linearization_level = 2  # 16 ms a pricing on Instance 8, 21 ms at level 1
    found = _Collect(model)
    code = solver.solve(model.m, found)
    # The request cost is Σ on-requests + Σ (off − on) over the cells worked.
    constant = sum(requests.on[e].values())
    rounding = 0.5 * model.instance.days
    low = (float(solver.best_objective_bound) - rounding) / SCALE + constant
    return _Priced(tuple(found.rows), low, code == cp_model.OPTIMAL)


def master(
    instance: CurtoisInstance,
    pool: Mapping[int, set[Row]],
    *,
    hint: Mapping[int, Row],
    time_limit_s: float,
) -> tuple[int, dict[int, Row]] | None:
    """The best roster of one row from ``pool`` per employee found in ``time_limit_s`` wall
    seconds (its benchmark objective and rows), starting from ``hint``; None if none was found
    (or OR-Tools was built without SCIP).

    A MIP over the pool (SCIP, bundled with OR-Tools): on Instance 5's 488 rows it proved the
    pool's best, 1,144, in 1.8 s, where CP-SAT on 2 workers took 4.2 s with one seed and
    stopped at 1,170 after 3 s with another.
    """
    solver = pywraplp.Solver.CreateSolver("SCIP")
    if solver is None:
        return None
    solver.SetTimeLimit(max(1, round(time_limit_s * 1000)))
    requests = _Requests(instance)
    shifts = {s.id: t for t, s in enumerate(instance.shifts)}
    objective = solver.Objective()
    objective.SetMinimization()
    chosen: dict[tuple[int, Row], Any] = {}
    for e, rows in pool.items():
        one = solver.Constraint(1, 1)
        for row in rows:
            v = chosen[e, row] = solver.BoolVar("")
            one.SetCoefficient(v, 1)
            objective.SetCoefficient(v, requests.cost(e, row))
    for c in instance.cover:
        t = shifts[c.shift]
        cover = solver.Constraint(c.requirement, c.requirement)
        under, over = solver.IntVar(0, c.requirement, ""), solver.IntVar(0, len(chosen), "")
        cover.SetCoefficient(under, 1)
        cover.SetCoefficient(over, -1)
        objective.SetCoefficient(under, c.under_weight)
        objective.SetCoefficient(over, c.over_weight)
        for (_e, row), v in chosen.items():
            if row[c.day] == t:
                cover.SetCoefficient(v, 1)
    solver.SetHint(list(chosen.values()), [float(hint.get(e) == row) for e, row in chosen])
    if solver.Solve() not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    picked = {e: row for (e, row), v in chosen.items() if v.solution_value() > 0.5}
    return curtois_objective(instance, rows_to_roster(instance, picked)), picked
