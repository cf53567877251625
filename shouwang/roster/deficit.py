"""Forced cover shortfall on the Curtois benchmark, and a search for rosters that leave no more.

When the staff's own limits cannot reach a shift type's cover, whatever the roster, part of
that cover stays short: the type's *deficit* is its total requirement over the horizon less
the most the staff may work of it (:func:`cover_deficits`). A roster can leave no fewer short,
and a roster that leaves exactly the deficits short has a rigid shape: every employee works
the most they may of each short type, no day has one more of it than required, and every other
cover requirement is met in full.

Instance 8 is the benchmark's one such case (measured 2026-12-02; Instances 1–12): its night
cover asks for 86 shifts and its staff may work 74 (16 people up to 4, four up to 2, two up to
1), so every roster leaves at least 12 nights uncovered at 100 points each. The best published
roster (1,308) leaves exactly those 12. The whole-model search hardly ever gets there: it and
the large-neighbourhood search stop at 13 or more (1,413–1,642 in 60 s over the last sessions),
and 13 uncovered cost at least 1,391 (column generation's bound with 13 forced; see
:mod:`shouwang.roster.columns`), above 1,373, 5 % over the best published value.

Written as constraints (:func:`tight_roster`), that shape is what CP-SAT's local search
(feasibility jump, ``use_ls_only``) can find a roster for, where its whole-model search with the
same constraints found none in 60 s, and where the local search asked only for "at most 12
short in all" (the shape not spelt out) found none in 40 s on three seeds. It is a random
search, and a seed either finds one early or not for a long time: one worker, seeds 10–17,
40 s each, found one with 4 of them (in 11.1, 15.4, 20.0 and 39.9 s); two workers found one
within 30 s in 8 of 13 runs (in 10.6–17.8 s when timed). The solve therefore tries twice, with
two seeds (see :data:`shouwang.roster.curtois.TIGHT_TRY_SHARE`).

What makes the search hard is the weekends with the days off in blocks: with Instance 8's
weekend limits left out, or its minimum days off in a row, the local search found a tight
roster in under a second on every seed tried (four each); with either in, 15 s is often not
enough. The staff may work 67 weekends in all, and the cover asks for 73 unless nights go short
on Saturdays and Sundays, so a tight roster must also put at least six of its twelve missing
nights on the right weekend days. Helping it by fixing which weekends each person has off
(taken from a roster found without the minimum days off), by asking for whole weekends, or by
hinting a near-tight roster did not (measured 2026-12-02).

Nor did these (measured 2026-12-02, later; 2 workers): weekend-first decompositions — weekend
days from a model without shift types (CP-SAT, under a second) that the typed search then could
not complete (0 of 7; 0 of 6 with the weekend cells typed in that model); weekend cells from the
typed model with the cover per type only on Fridays to Mondays, which the search completed in
1–7 s (4 of 5) but which took as long to find as a tight roster (6–15 s, or none in 15 s); a
roster found without the successions (2 s) as the weekend days (1 of 3 within 10 s), as a
complete hint (0 of 3), or with all its work days fixed for CP-SAT to assign the types (1 of
12); the missing nights of each day fixed (1 of 10 within 12 s); per-employee tables of the
allowed work patterns (19 to 1,498 for each full-timer; none in 20–30 s); HiGHS or SCIP on the
same constraints as a MIP (none in 40 s); the objective in the local search (none in 25 s);
logic-based Benders (work days without types as the master, CP-SAT assigning the types as the
subproblem, its infeasible core as a cut: the cores grew to 100–150 employee-days after a few
rounds, none in 40 s). Even three nights' slack leaves it hard (none in 15 s): meeting every
other cover is what is hard. Of the local search's own settings, compound moves only found one
in 11 tries of 23, as did the default on the same seeds; no restarts, in 4 of 14 against 8 of
15. The default found one within 22.5 s in about one try of two (18 of 33, seeds 20–27 and
50–74), so two tries left about one solve in five without.

What did help is how the model counts each employee's minutes. Counted over the cells (Σ 480 ×
x[e, d, t]), the local search found a tight roster within 22.5 s with 1 seed of 6 (seeds 20–25);
counted over the work days (480 × Σ work[e, d], plus any longer type's excess over its cells:
the same sum, as a day has one shift at most), with 21 of 26 (seeds 20–45), in 2.8–15.9 s
(measured 2026-12-02, two workers). The limits on an employee's shifts then sit on the same
variables as the rules on consecutive days and weekends, where the local search's moves are.
Counting the shifts without the work variables at all (each day's cells at most one) was worse:
none with 6 seeds.

The tight roster found (1,455–1,506: the requests are not looked at) is then improved among
tight rosters only (:func:`improve_tight`: CP-SAT on the whole tight model, then the
large-neighbourhood search over it), which does better than the large-neighbourhood search on
the plain model.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence

from ortools.sat.python import cp_model

from shouwang.roster import lns
from shouwang.roster.curtois import CurtoisInstance, CurtoisModel, curtois_objective

IMPROVE_CPSAT_SHARE = 1 / 3
"""Share of :func:`improve_tight`'s time for CP-SAT on the whole tight model; the LNS over the
same model has the rest. From three tight rosters of Instance 8 (1,455–1,486; two workers),
measured 2026-12-02 after the minutes were counted on the work days: CP-SAT alone ended at
1,365–1,380 in 30 s (one of three below 1,373, 5 % over the best published 1,308) and
1,350–1,370 in 45 s; the LNS alone at 1,355–1,366 in 30 s, 1,352–1,360 in 45 s and 1,342–1,365
in 40 s, all below 1,373 but late (12.7–34.2 s); this share, 1,351–1,369 in 30 s and
1,348–1,358 in 40 s, below 1,373 in all six, after 8.3–29.6 s. CP-SAT with its LP takes the
first, large drops quickly; a few staff or days at a time, the LNS goes on where the whole
search stalls."""

RESTART_FACTOR = 3
"""CP-SAT's ``feasibility_jump_restart_factor`` for the local search (default 1: more frequent
restarts). Instance 8, two workers, seeds 0/2/3: 16.1/11.4/15.3 s with 3; 20.1 s/none in 40 s/
34.1 s with 1; 13.6/25.6/6.8 s with 10; none in 30 s/none/22.7 s with 5. One worker, seeds 10–17
in 40 s: 4 found with 3, 3 with 1. Few runs of a random search: a lean, not a finding."""


def employee_cap(instance: CurtoisInstance, e: int, t: int) -> int:
    """The most shifts of type ``t`` (index in ``instance.shifts``) employee ``e`` may work:
    their limit for that type, their days not off, and their maximum minutes."""
    emp, shift = instance.staff[e], instance.shifts[t]
    free_days = instance.days - len(instance.days_off.get(emp.id, frozenset()))
    by_minutes = emp.max_total_minutes // shift.minutes if shift.minutes > 0 else instance.days
    return max(0, min(emp.max_shifts.get(shift.id, instance.days), free_days, by_minutes))


def cover_deficits(instance: CurtoisInstance) -> dict[int, int]:
    """Shift index → the cover of that type no roster can meet (persons over the horizon):
    Σ requirement − Σ over the staff of :func:`employee_cap`, where positive. Empty when the
    staff's limits can reach every type's cover (Instances 1–7 and 9–12)."""
    out: dict[int, int] = {}
    for t, shift in enumerate(instance.shifts):
        wanted = sum(c.requirement for c in instance.cover if c.shift == shift.id)
        reach = sum(employee_cap(instance, e, t) for e in range(len(instance.staff)))
        if wanted > reach:
            out[t] = wanted - reach
    return out


def deficit_bound(instance: CurtoisInstance, deficits: Mapping[int, int]) -> int:
    """A lower bound on the benchmark objective from ``deficits`` alone (benchmark points):
    each short person at the lowest under-weight of that shift type's cover."""
    total = 0
    for t, short in deficits.items():
        weights = [c.under_weight for c in instance.cover if c.shift == instance.shifts[t].id]
        total += short * min(weights, default=0)
    return total


def add_tight(model: CurtoisModel, deficits: Mapping[int, int]) -> None:
    """Constrain ``model`` (the whole staff) to rosters that leave exactly ``deficits`` short:
    each employee works :func:`employee_cap` of each short type, no day has more of one than
    required (none where no cover of it is given), and every other cover requirement is met."""
    instance = model.instance
    staff = range(len(instance.staff))
    for t in deficits:
        for e in staff:
            cells = [model.x[e, d, t] for d in range(instance.days) if (e, d, t) in model.x]
            if cells:
                model.m.add(sum(cells) == employee_cap(instance, e, t))
    index = {s.id: t for t, s in enumerate(instance.shifts)}
    wanted = {(c.day, index[c.shift]): c.requirement for c in instance.cover}
    for (_e, d, t), v in model.x.items():
        if t in deficits and (d, t) not in wanted:
            model.m.add(v == 0)  # no cover asked that day: a shift there is one short elsewhere
    for (d, t), requirement in wanted.items():
        worked = sum(model.x[e, d, t] for e in staff if (e, d, t) in model.x)
        model.m.add(worked <= requirement if t in deficits else worked >= requirement)


def tight_roster(
    instance: CurtoisInstance,
    deficits: Mapping[int, int],
    *,
    time_limit_s: float,
    seed: int,
    workers: int,
) -> dict[int, tuple[int, ...]] | None:
    """A roster that leaves exactly ``deficits`` short (and every other cover met), found by
    CP-SAT's local search within ``time_limit_s`` wall seconds on ``workers`` threads; its rows
    by employee index (per day the shift index worked, or −1), or None when none was found.

    The requests are not looked at: the caller improves the roster afterwards."""
    model = CurtoisModel(instance, objective=False, minutes_on_work_days=True)
    add_tight(model, deficits)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s)
    solver.parameters.use_ls_only = True
    solver.parameters.feasibility_jump_restart_factor = RESTART_FACTOR
    if solver.solve(model.m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    return model.rows_of(list(solver.response_proto.solution))


def untight_bound(instance: CurtoisInstance, deficits: Mapping[int, int]) -> int:
    """A lower bound on every roster that is not tight (benchmark points): the deficits' cost
    plus one more person short at the lowest under-weight of any cover row.

    Why: a short type's shortfall is Σ_d max(0, requirement_d − worked_d) ≥ Σ requirement −
    Σ worked ≥ its deficit, with equality only when everyone works their cap of it and no day
    has more of it than required; any other cover row left short adds one more. So the best
    roster is the better of the best tight roster and this bound, and the tight search's own
    bound, capped here, is a bound on the whole instance."""
    return deficit_bound(instance, deficits) + min((c.under_weight for c in instance.cover), default=0)


def improve_tight(
    instance: CurtoisInstance,
    deficits: Mapping[int, int],
    solution: Sequence[int],
    *,
    time_limit_s: float,
    seed: int,
    workers: int,
    improved: Callable[[float, float], None] | None = None,
) -> tuple[list[int], int, float]:
    """The best tight roster found from the tight roster ``solution`` (a solution vector of
    ``CurtoisModel(instance)``) within ``time_limit_s`` wall seconds: CP-SAT on the whole tight
    model (``solution`` as a complete hint) for :data:`IMPROVE_CPSAT_SHARE` of the time, then the
    large-neighbourhood search of :mod:`shouwang.roster.lns` over the same model for the rest.
    Returns ``(solution, objective, bound)``, the objective as the model counts it
    (:func:`shouwang.roster.curtois.solve_curtois` gives the checker's recount), the bound
    CP-SAT's over tight rosters, raised to the deficits' cost (:func:`deficit_bound`) where it
    is lower and capped by :func:`untight_bound`, so it holds for the whole instance.
    ``improved(objective, bound)`` is called on each better roster.

    The whole-model search with :func:`add_tight` does better here than the large-neighbourhood
    search of :mod:`shouwang.roster.lns` on the plain model: from four tight rosters of Instance
    8 (1,455–1,479) and 30 s on two workers, it came below 1,373 (5 % over the best published
    value) in 9 runs of 9, after 3.0–23.7 s (six within 10 s), ending at 1,341–1,371; the LNS
    in 6 of 8, after 6.5–29.9 s, ending at 1,339–1,387 (measured 2026-12-02). The LNS over the
    *tight* model does better again once CP-SAT's first drops are taken (see
    :data:`IMPROVE_CPSAT_SHARE`).

    Where tight rosters are dear (requests that fight the caps), a looser roster can be cheaper;
    this search cannot find it, and the capped bound and the gap show the doubt. Instance 8's
    best published roster is tight."""
    model = CurtoisModel(instance, minutes_on_work_days=True)
    add_tight(model, deficits)
    cap = float(untight_bound(instance, deficits))
    floor = float(deficit_bound(instance, deficits))
    model.m.proto.solution_hint.vars.extend(range(len(solution)))
    model.m.proto.solution_hint.values.extend(solution)

    class Report(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if improved is not None:
                bound = max(floor, float(self.best_objective_bound))
                improved(float(self.objective_value), min(cap, bound))

    started = time.monotonic()
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(0.1, IMPROVE_CPSAT_SHARE * time_limit_s)
    code = solver.solve(model.m, Report())
    if code in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best, objective = list(solver.response_proto.solution), round(solver.objective_value)
        proved = float(objective if code == cp_model.OPTIMAL else solver.best_objective_bound)
        bound = min(cap, max(floor, proved))  # CP-SAT's bound may not have reached the deficits'
    else:
        # Out of time before the hint was taken (a loaded machine): the start stands.
        best = list(solution)
        objective = curtois_objective(instance, model.roster_of(best))
        bound = floor
    left = time_limit_s - (time.monotonic() - started)
    if code == cp_model.OPTIMAL or left < 1.0:
        return best, objective, bound

    def lns_improved(value: float, _solution: list[int]) -> None:
        if improved is not None:
            improved(value, bound)

    found = lns.search(
        model.m,
        model.cells(),
        best,
        objective,
        rows=len(model.members),
        days=instance.days,
        budget_s=left,
        seed=seed,
        bound=math.ceil(bound - 1e-6),
        threads=workers,
        improved=lns_improved,
        hot_days=model.hot_days,
    )
    return found.solution, round(found.objective), bound
