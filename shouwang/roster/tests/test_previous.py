"""Re-solving around a new lock keeps the rest of the Roster (``Instance.previous``).

A coordinator who moves one person and re-solves expects a few Shifts to move, not everybody's
calendar. Each test checks the Rosters with the independent checker, and counts the moved
Shifts itself (previous cells not on the new Roster as they were) against the ``changes`` term.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable

from ortools.sat.python import cp_model

from shouwang.roster.model import Assignment, Instance, Lock, Weights
from shouwang.roster.solver import RosterModel, components, violations
from shouwang.roster.tests.test_solver import DAY0, quick, small_instance, wishful_instance, with_staff


def moved(previous: Iterable[Assignment], now: Iterable[Assignment]) -> int:
    """Cells of ``previous`` not on ``now`` as they were (same person, day, Shift, Checkpoint)."""
    return sum((Counter(previous) - Counter(now)).values())


def a_new_lock(instance: Instance, roster: tuple[Assignment, ...], n: int) -> Lock:
    """Put someone off that day into the ``n``-th cell of ``roster``, as a coordinator would."""
    cell = roster[n]
    busy = {a.staff for a in roster if a.date == cell.date}
    other = next(m.id for m in instance.staff if m.id not in busy and m.may_stand_at(cell.checkpoint))
    return Lock(other, cell.date, cell.shift, cell.checkpoint)


def test_a_resolve_around_one_lock_moves_few_shifts() -> None:
    instance = wishful_instance()  # 12 staff, 14 days, 112 cells; requests pull against each other
    first = quick(instance)
    assert first.status == "optimal"
    locked = dataclasses.replace(instance, locks=(a_new_lock(instance, first.assignments, 40),))

    kept = quick(dataclasses.replace(locked, previous=first.assignments))
    assert kept.has_roster and violations(locked, kept.assignments) == []
    count = moved(first.assignments, kept.assignments)
    assert 1 <= count <= 6  # the cell taken, and the taker's other Shifts that day or week
    assert kept.objective_terms["changes"] == count * Weights().change

    afresh = quick(locked)
    assert kept.status == afresh.status == "optimal" and "changes" not in afresh.objective_terms
    reshuffled = moved(first.assignments, afresh.assignments)
    assert reshuffled > 3 * count
    # Optimal with the changes counted: no dearer than the Roster made afresh, changes and all.
    assert kept.objective is not None and afresh.objective is not None
    assert kept.objective <= afresh.objective + reshuffled * Weights().change


def test_a_resolve_with_nothing_new_keeps_the_whole_roster() -> None:
    instance = wishful_instance()
    first = quick(instance)
    again = quick(dataclasses.replace(instance, previous=first.assignments))
    assert again.status == "optimal"
    assert again.assignments == first.assignments
    assert again.objective == first.objective and again.objective_terms["changes"] == 0


def test_the_pooled_model_costs_changes_as_the_per_person_model_does() -> None:
    """Pools only count heads per gate; the seating must keep exactly what the model counted.

    The locks: one of a pool put where someone else stood (a place held from another's previous
    gate), one locked at a gate other than their previous one that Shift.
    """
    instance = wishful_instance()
    first = quick(instance)
    pooled_cells = [a for a in first.assignments if a.staff not in ("s0", "s1")]
    other_gate = next(a for a in pooled_cells if a.date > DAY0)
    locks = (
        a_new_lock(instance, first.assignments, 7),
        Lock(
            other_gate.staff, other_gate.date, other_gate.shift, "E" if other_gate.checkpoint == "N" else "N"
        ),
    )
    instance = dataclasses.replace(instance, locks=locks, previous=first.assignments)
    values = {}
    for pool in (True, False):
        model = RosterModel(instance, pool=pool)
        assert bool(model.pools) is pool
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 2
        solver.parameters.max_time_in_seconds = 30.0
        assert solver.solve(model.m) == cp_model.OPTIMAL
        assignments, _ = model.read(solver)
        assert violations(instance, assignments) == []
        terms = model.term_values(solver)
        assert terms["changes"] == moved(first.assignments, assignments)
        values[pool] = solver.objective_value
    assert values[True] == values[False]


def test_a_shift_that_cannot_be_kept_is_a_change_all_the_same() -> None:
    instance = small_instance(staff=4, days=3)
    first = quick(instance)
    gone = first.assignments[0]
    away = with_staff(instance, int(gone.staff[1:]), unavailable_dates=frozenset({gone.date}))
    result = quick(dataclasses.replace(away, previous=first.assignments))
    assert result.status == "optimal"
    assert gone not in result.assignments
    assert result.objective_terms["changes"] == moved(first.assignments, result.assignments) >= 1


def test_weight_zero_leaves_previous_only_as_a_start() -> None:
    instance = wishful_instance()
    first = quick(instance)
    free = dataclasses.replace(instance, previous=first.assignments, weights=Weights(change=0))
    result = quick(free)
    assert result.status == "optimal" and "changes" not in result.objective_terms
    assert result.objective == first.objective


def test_independent_groups_each_get_their_own_previous_cells() -> None:
    base = small_instance(staff=4)
    split = tuple(
        dataclasses.replace(m, checkpoints=frozenset({"N" if m.team == "A" else "E"})) for m in base.staff
    )
    instance = dataclasses.replace(base, staff=split)
    first = quick(instance)
    parts = components(dataclasses.replace(instance, previous=first.assignments))
    assert len(parts) == 2
    for part in parts:
        ids = {m.id for m in part.staff}
        assert part.previous and {a.staff for a in part.previous} <= ids
    assert sum(len(p.previous) for p in parts) == len(first.assignments)
    assert DAY0 + dt.timedelta(days=2) in {a.date for a in first.assignments}
