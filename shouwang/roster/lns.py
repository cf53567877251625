"""Large-neighbourhood search (LNS) over a CP-SAT model laid out as rows × days.

Used by the Curtois benchmark model (:mod:`shouwang.roster.curtois`), and by the duty Roster
model of :mod:`shouwang.roster.solver` in its deterministic mode only (there a step copies and
presolves the whole group's model, and CP-SAT's own parallel neighbourhoods do better when
reproducibility is not asked for). The model's decision variables are grouped by *cell*
``(row, day)`` (a row is a staff member); a step frees the cells of a neighbourhood, fixes
every other cell's variables to the incumbent's values, re-optimises with CP-SAT for a second
or two (the incumbent given as a complete hint), and keeps the result when it is no worse
(equal moves are kept too: they walk along plateaus). Auxiliary variables (cover shortfalls,
weekends, fairness…) are never fixed: they follow the cells.

Neighbourhoods, chosen in turn: a few rows over the whole horizon (re-plan some people), a
window of consecutive days for everyone (re-plan a stretch), and more rows over a shorter
window. Windows are centred half of the time on a "hot" day (where the incumbent pays a
penalty, from ``hot_days``). Each kind keeps its own size, grown after a step CP-SAT closes
(proves the best for that neighbourhood) and shrunk after one it does not, so steps stay short.

``threads`` steps run side by side (one CP-SAT worker each; the solves release the GIL), on
the same incumbent with different neighbourhoods; the best of a batch is kept.

Determinism: the neighbourhoods and step seeds come from ``random.Random(seed)``, batches are
merged in a fixed order; with ``deterministic=True`` each step runs to a deterministic-time
limit and the search stops on the sum of deterministic time (the longest step of each batch),
so the same model, start and seed give the same result whatever the machine's load.
Otherwise the limits are wall-clock seconds.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

Cell = tuple[int, int]
"""``(row, day)``: one staff member on one day."""

Improved = Callable[[float, list[int]], None]
"""Called as ``improved(objective, solution)`` when a step finds a strictly better solution."""

HotDays = Callable[[Sequence[int]], list[int]]
"""``hot_days(solution)``: the days where ``solution`` pays a penalty (may repeat, to weigh)."""

STEP_PARAMS: dict[str, object] = {"linearization_level": 2}
"""CP-SAT settings for a step: the full LP relaxation closes small neighbourhoods much faster
(measured on Curtois Instance 8: 4 freed staff closed in 0.4 s instead of timing out at 5 s)."""


@dataclass
class LnsOutcome:
    """The best solution found (values of every model variable, in proto order) and its
    objective, with the number of steps run and of steps that improved the objective."""

    solution: list[int]
    objective: float
    steps: int = 0
    improvements: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=dict)
    """Neighbourhood kind → [steps, steps closed, steps that gave the kept improvement]."""
    used_s: float = 0.0
    """Time the search took: deterministic seconds when ``deterministic``, else wall seconds."""


@dataclass
class _Kind:
    name: str
    size: float  # rows (or days, for windows) to free, adapted as the search goes
    low: float
    high: float


@dataclass
class _Step:
    kind: _Kind
    code: Any
    objective: float
    solution: list[int] | None
    deterministic_s: float


def search(
    model: cp_model.CpModel,
    cells: Mapping[Cell, Sequence[int]],
    start: Sequence[int],
    start_objective: float,
    *,
    rows: int,
    days: int,
    budget_s: float,
    seed: int = 0,
    deterministic: bool = False,
    bound: float = -math.inf,
    step_s: float = 2.0,
    threads: int = 1,
    improved: Improved | None = None,
    hot_days: HotDays | None = None,
) -> LnsOutcome:
    """Improve ``start`` (a feasible solution of ``model``) for ``budget_s`` seconds.

    ``cells[(row, day)]``: proto indexes of the decision variables of that cell, ``rows`` ×
    ``days`` in all. ``budget_s`` is wall seconds, or deterministic seconds when
    ``deterministic``. The search stops early when the objective reaches ``bound`` (a proved
    lower bound). ``step_s`` caps one step. ``improved(objective, solution)`` is called on
    each improvement. ``model`` is not changed.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible neighbourhoods, not secrets
    best = list(start)
    best_obj = float(start_objective)
    outcome = LnsOutcome(best, best_obj)
    kinds = [
        _Kind("rows", size=min(rows, max(2.0, rows / 8)), low=1.0, high=float(rows)),
        _Kind("window", size=min(days, 4.0), low=1.0, high=float(days)),
        _Kind("rows_window", size=min(rows, max(3.0, rows / 4)), low=2.0, high=float(rows)),
    ]
    if rows <= 1:
        kinds = [k for k in kinds if k.name == "window"]
    if days <= 1:
        kinds = [k for k in kinds if k.name == "rows"]
    used = 0.0
    began = time.monotonic()
    turn = 0
    threads = max(1, threads)
    pool = ThreadPoolExecutor(threads) if threads > 1 else None
    try:
        while kinds:
            left = budget_s - (used if deterministic else time.monotonic() - began)
            if left < 0.05 or best_obj <= bound + 1e-9:
                break
            hot = hot_days(best) if hot_days is not None else []
            jobs = []
            for j in range(threads):
                kind = kinds[turn % len(kinds)]
                turn += 1
                # While there is a hot day, the first step of every batch works on one: a cover
                # shortfall costs far more than anything else (100 points a person on Curtois).
                free = _neighbourhood(kind, rng, rows, days, hot, cells, best, aim=j == 0)
                jobs.append((kind, free, rng.randrange(1 << 30)))
            limit = min(step_s, left)

            def run(
                job: tuple[_Kind, set[Cell], int], limit: float = limit, incumbent: list[int] = best
            ) -> _Step:
                kind, free, step_seed = job
                return _solve_step(model, cells, incumbent, free, step_seed, limit, deterministic, kind)

            steps = list(pool.map(run, jobs)) if pool is not None else [run(j) for j in jobs]
            used += max(s.deterministic_s for s in steps)
            outcome.steps += len(steps)
            chosen: _Step | None = None
            for step in steps:
                closed = step.code == cp_model.OPTIMAL
                tally = outcome.by_kind.setdefault(step.kind.name, [0, 0, 0])
                tally[0] += 1
                tally[1] += closed
                k = step.kind
                k.size = min(k.high, k.size * 1.15) if closed else max(k.low, k.size * 0.85)
                no_worse = step.solution is not None and step.objective <= best_obj + 1e-9
                if no_worse and (chosen is None or step.objective < chosen.objective - 1e-9):
                    chosen = step
            if chosen is not None and chosen.solution is not None:
                if chosen.objective < best_obj - 1e-9:
                    outcome.improvements += 1
                    outcome.by_kind[chosen.kind.name][2] += 1
                    best, best_obj = chosen.solution, chosen.objective
                    if improved:
                        improved(best_obj, best)
                else:
                    best = chosen.solution  # a sideways move: same value, elsewhere
    finally:
        if pool is not None:
            pool.shutdown()
    outcome.solution, outcome.objective = best, best_obj
    outcome.used_s = used if deterministic else time.monotonic() - began
    return outcome


def _solve_step(
    model: cp_model.CpModel,
    cells: Mapping[Cell, Sequence[int]],
    best: Sequence[int],
    free: set[Cell],
    seed: int,
    limit: float,
    deterministic: bool,
    kind: _Kind,
) -> _Step:
    """Re-optimise ``free`` with every other cell fixed to ``best``."""
    sub = cp_model.CpModel()
    sub.proto.copy_from(model.proto)
    for cell, indexes in cells.items():
        if cell in free:
            continue
        for i in indexes:
            domain = sub.proto.variables[i].domain
            domain.clear()
            domain.extend([best[i], best[i]])
    sub.proto.clear_solution_hint()
    sub.proto.solution_hint.vars.extend(range(len(best)))
    sub.proto.solution_hint.values.extend(best)
    solver = cp_model.CpSolver()
    p = solver.parameters
    p.random_seed = seed
    p.num_workers = 1
    for key, value in STEP_PARAMS.items():
        setattr(p, key, value)
    if deterministic:
        p.max_deterministic_time = limit
        # A safety net only: one deterministic second has taken up to seven wall seconds on
        # the shared 2-core machine, and a step cut by the wall clock would not reproduce.
        p.max_time_in_seconds = 20 * limit + 10
    else:
        p.max_time_in_seconds = limit
    code = solver.solve(sub)
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        solution = list(solver.response_proto.solution)
        return _Step(kind, code, float(solver.objective_value), solution, float(solver.deterministic_time))
    return _Step(kind, code, math.inf, None, float(solver.deterministic_time))


def _neighbourhood(
    kind: _Kind,
    rng: random.Random,
    rows: int,
    days: int,
    hot: Sequence[int],
    cells: Mapping[Cell, Sequence[int]],
    best: Sequence[int],
    *,
    aim: bool = False,
) -> set[Cell]:
    """The cells a step frees.

    With ``aim`` (else half of the time) a hot day ``d`` steers the choice: windows are placed
    over ``d``, and rows are drawn mostly from the people off on ``d`` (one of them must take
    the missing slot, and give up a day elsewhere).
    """
    size = max(1, round(kind.size))
    focus = rng.choice(hot) if hot and (aim or rng.random() < 0.5) else None
    if kind.name == "rows":
        chosen = _rows(rng, rows, size, focus, cells, best)
        return {(r, d) for r in chosen for d in range(days)}
    width = min(days, size) if kind.name == "window" else min(days, max(3, days // 2))
    if focus is not None:
        first = min(max(0, focus - rng.randrange(width)), days - width)
    else:
        first = rng.randrange(days - width + 1)
    window = range(first, first + width)
    if kind.name == "window":
        return {(r, d) for r in range(rows) for d in window}
    chosen = _rows(rng, rows, size, focus, cells, best)
    return {(r, d) for r in chosen for d in window}


def _rows(
    rng: random.Random,
    rows: int,
    size: int,
    focus: int | None,
    cells: Mapping[Cell, Sequence[int]],
    best: Sequence[int],
) -> list[int]:
    """``size`` distinct rows; with a ``focus`` day, two thirds of them off on that day."""
    size = min(rows, size)
    if focus is None:
        return rng.sample(range(rows), size)
    idle = [r for r in range(rows) if not any(best[i] for i in cells.get((r, focus), ()))]
    take = min(len(idle), max(1, (2 * size) // 3))
    chosen = rng.sample(idle, take)
    rest = [r for r in range(rows) if r not in set(chosen)]
    return chosen + rng.sample(rest, size - take)
