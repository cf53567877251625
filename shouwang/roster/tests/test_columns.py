"""Column generation on the Curtois benchmark: proved lower bounds, and rosters of known rows."""

from __future__ import annotations

import pytest
from ortools.sat.python import cp_model

from shouwang.roster import columns
from shouwang.roster.curtois import (
    CurtoisInstance,
    CurtoisModel,
    curtois_objective,
    curtois_violations,
    parse_curtois,
    read_curtois,
    rows_to_roster,
)
from shouwang.roster.tests.test_curtois import BENCH, TINY, needs_files
from shouwang.roster.tests.test_curtois_lns import _first_roster as _first_solution


def _first_roster(inst: CurtoisInstance) -> tuple[CurtoisModel, dict[int, columns.Row], int]:
    """A first, poor roster (CP-SAT's first solution): the model, its rows, its objective."""
    model = CurtoisModel(inst)
    solution, objective = _first_solution(model, lp=False)
    return model, model.rows_of(solution), round(objective)


def _optimum(inst: CurtoisInstance) -> int:
    model = CurtoisModel(inst)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 30
    assert solver.solve(model.m) == cp_model.OPTIMAL
    return round(solver.objective_value)


def test_on_the_tiny_instance_the_bound_holds_and_the_master_scores_true() -> None:
    inst = parse_curtois(TINY)
    optimum = _optimum(inst)
    model, rows, first = _first_roster(inst)
    outcome = columns.generate(inst, {e: {row} for e, row in rows.items()}, budget_s=10)
    assert outcome.converged
    assert outcome.bound <= optimum
    assert outcome.lp_value <= optimum + 1e-6
    found = columns.master(inst, outcome.pool, hint=rows, time_limit_s=5)
    assert found is not None
    value, chosen = found
    assert optimum <= value <= first
    roster = rows_to_roster(inst, chosen)
    assert curtois_violations(inst, roster) == []
    assert curtois_objective(inst, roster) == value
    assert model.solution_of(chosen) is not None


def test_every_employee_needs_a_row_to_start_from() -> None:
    inst = parse_curtois(TINY)
    _model, rows, _first = _first_roster(inst)
    with pytest.raises(ValueError, match=r"none for \['B'\]"):
        columns.generate(inst, {0: {rows[0]}}, budget_s=1)


def test_a_roster_breaking_a_rule_has_no_solution_vector() -> None:
    inst = parse_curtois(TINY)
    model, rows, _first = _first_roster(inst)
    # A may work 5 days running at most; every day an early shift breaks that (and day 3 off).
    broken = {**rows, 0: (0,) * inst.days}
    assert model.solution_of(broken) is None
    assert model.solution_of(rows) is not None


@needs_files
def test_instance5_is_bounded_near_its_best_published_value() -> None:
    """Instance 5's best published value is 1,143; CP-SAT's own bound after 60 s was 779–1,063.
    The LP of whole rows converges within seconds at 1,140.6."""
    inst = read_curtois(BENCH / "Instance5.txt")
    _model, rows, first = _first_roster(inst)
    outcome = columns.generate(inst, {e: {row} for e, row in rows.items()}, budget_s=40, threads=2)
    assert outcome.converged
    assert 1_100 <= outcome.bound <= 1_143
    assert outcome.bound - 1 < outcome.lp_value <= outcome.bound + 1e-6
    assert outcome.rounds > 1 and sum(len(p) for p in outcome.pool.values()) > len(inst.staff)
    found = columns.master(inst, outcome.pool, hint=rows, time_limit_s=5)
    assert found is not None
    value, chosen = found
    assert outcome.bound <= value <= first
    roster = rows_to_roster(inst, chosen)
    assert curtois_violations(inst, roster) == []
    assert curtois_objective(inst, roster) == value


@needs_files
def test_stopped_early_the_bound_is_still_a_lower_bound() -> None:
    inst = read_curtois(BENCH / "Instance8.txt")
    _model, rows, _first = _first_roster(inst)
    outcome = columns.generate(inst, {e: {row} for e, row in rows.items()}, budget_s=3, threads=2)
    assert not outcome.converged
    assert outcome.bound <= 1_308  # the best published value


@needs_files
def test_it_gives_up_when_its_pace_would_not_converge_in_time() -> None:
    """Instance 8 takes about 30 rounds of 0.3 processor seconds or more per pricing thread (30
    employees priced in each): its first three rounds show that 35 would not fit in 4 s."""
    inst = read_curtois(BENCH / "Instance8.txt")
    _model, rows, _first = _first_roster(inst)
    outcome = columns.generate(
        inst, {e: {row} for e, row in rows.items()}, budget_s=4, threads=2, give_up=True
    )
    assert not outcome.converged
    assert outcome.rounds <= 3  # about ten rounds fit in 4 s on a quiet machine
    assert outcome.used_s < 4 + columns.PRICING_STEP_S + 1


@needs_files
def test_the_solve_takes_the_masters_roster_and_the_columns_bound() -> None:
    """The step of :func:`solve_curtois` between the first solve and the LNS, on Instance 5
    from a first roster: the bound rises to the LP's, the roster is the master's when better,
    and its solution vector scores what the independent checker says. (A 200 s limit gives
    column generation a 30 s share, so that a loaded machine's pace does not make it give up;
    it converges in about 3 s.)"""
    from shouwang.roster.curtois import _by_columns, _Progress

    inst = read_curtois(BENCH / "Instance5.txt")
    model, rows, first = _first_roster(inst)
    solution = model.solution_of(rows)
    assert solution is not None
    seen: list[tuple[float, float]] = []
    reporter = _Progress(lambda _s, objective, bound: seen.append((objective, bound)), 0.0)
    better, objective, bound = _by_columns(
        model, solution, first, 0.0, 200.0, time_limit_s=200.0, threads=2, seed=0, reporter=reporter
    )
    assert 1_100 <= bound <= 1_143
    assert bound <= objective < first
    assert curtois_objective(inst, model.roster_of(better)) == objective
    assert seen and seen[-1][1] == bound
