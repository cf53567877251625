"""Pooled staff: the model counts interchangeable people per gate, and seats them afterwards.

The pooled model must cost every Roster as the per-person model does (same optimum), and the
seating must keep the rules and put people back where they stood.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ortools.sat.python import cp_model

from shouwang.roster.model import CheckpointNeed, Instance, Lock, Request, Rules, StaffMember
from shouwang.roster.solver import Grid, RosterModel, pools, violations
from shouwang.roster.tests.test_solver import DAY0, quick, small_instance, wishful_instance, with_staff


def optimum(instance: Instance, *, pool: bool, soft_coverage: bool = False) -> tuple[float, RosterModel]:
    model = RosterModel(instance, pool=pool, soft_coverage=soft_coverage)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 2
    solver.parameters.max_time_in_seconds = 30.0
    solver.parameters.random_seed = 0
    assert solver.solve(model.m) == cp_model.OPTIMAL
    assignments, empty = model.read(solver)
    broken = violations(instance, assignments)
    if soft_coverage:  # the empty places are the checker's shortfalls, and nothing else is broken
        assert len(broken) == len(empty) and all(" < " in line for line in broken)
    else:
        assert broken == []
    return solver.objective_value, model


def test_pools_hold_a_teams_people_with_the_same_gates_and_lead_flag() -> None:
    instance = small_instance(staff=12)  # Teams A/B alternate; s0 and s1 are the leads
    instance = with_staff(instance, 2, checkpoints=frozenset({"N"}))
    instance = with_staff(instance, 4, requests=(Request(DAY0, work=True, checkpoint="E"),))
    off_north = Lock("s6", DAY0, "06-10", "N", assigned=False)
    at_both = (Lock("s7", DAY0, "06-10", "N"), Lock("s7", DAY0, "06-10", "E"))
    at_north = Lock("s9", DAY0, "06-10", "N")
    instance = dataclasses.replace(instance, locks=(off_north, *at_both, at_north))
    # s2 may stand only at N: alone; s4 asks for a gate, s6 is kept off one, s7 is locked to
    # two at once: alone; s9's lock holds a place in the pool's count. The leads s0 (A) and
    # s1 (B) are one each: alone.
    assert sorted(pools(instance, Grid(instance))) == [[3, 5, 9, 11], [8, 10]]


def test_the_pooled_model_has_the_per_person_models_optimum() -> None:
    instance = wishful_instance()
    north = dataclasses.replace(instance.checkpoints[0], lead_shifts=frozenset({"06-10"}))
    instance = dataclasses.replace(instance, checkpoints=(north, instance.checkpoints[1]))
    instance = with_staff(
        instance, 3, requests=(Request(DAY0 + dt.timedelta(days=2), work=True, checkpoint="E"),)
    )
    pooled, model = optimum(instance, pool=True)
    assert model.pools and 3 not in {s for members in model.pools for s in members}
    alone, per_person = optimum(instance, pool=False)
    assert not per_person.pools
    assert pooled == alone
    assert len(model.m.proto.variables) < len(per_person.m.proto.variables)


def test_with_soft_coverage_the_pooled_model_leaves_as_many_slots_empty() -> None:
    rules = Rules(min_rest_hours=0, max_shifts_per_day=1, max_consecutive_days=3)
    instance = small_instance(staff=6, days=7, needed=2, rules=rules)  # 8 people a day wanted, 6 at most
    pooled, _ = optimum(instance, pool=True, soft_coverage=True)
    alone, _ = optimum(instance, pool=False, soft_coverage=True)
    assert pooled == alone > 0


def test_a_pooled_person_goes_back_to_the_gate_they_stood_at() -> None:
    """Three of one pool for two gates, one Shift a day: A and B on day 0, B and C on day 1.

    Seating in staff order would move B from E to N on day 1; B stays at E, C takes N.
    """
    base = small_instance(staff=3, days=2)
    one_shift = (base.shifts[0],)
    gates = tuple(CheckpointNeed(c.code, c.name, {"06-10": 1}) for c in base.checkpoints)
    people = tuple(
        StaffMember(f"s{i}", f"s{i}", team="A", unavailable_dates=frozenset({DAY0 + dt.timedelta(days=away)}))
        for i, away in ((0, 1), (1, 5), (2, 0))
    )
    instance = dataclasses.replace(base, shifts=one_shift, checkpoints=gates, staff=people)
    assert pools(instance, Grid(instance)) == [[0, 1, 2]]
    result = quick(instance)
    assert result.status == "optimal"
    day = {(a.staff, a.date): a.checkpoint for a in result.assignments}
    assert day["s1", DAY0] == day["s1", DAY0 + dt.timedelta(days=1)]
    assert {day["s0", DAY0], day["s1", DAY0]} == {"N", "E"}
    assert violations(instance, result.assignments) == []


def test_a_pooled_person_locked_at_a_gate_is_seated_there() -> None:
    """Locks as the product writes them (a cell already worked): each holds its place in the count."""
    instance = wishful_instance()
    locks = tuple(
        Lock(f"s{s}", DAY0 + dt.timedelta(days=d), shift, gate)
        for s, d, shift, gate in (
            (3, 0, "06-10", "E"),
            (5, 0, "06-10", "E"),
            (7, 1, "10-14", "N"),
            (7, 2, "06-10", "E"),
        )
    )
    instance = dataclasses.replace(instance, locks=locks)
    pooled, model = optimum(instance, pool=True)
    assert {3, 5, 7} <= {s for members in model.pools for s in members}
    alone, _ = optimum(instance, pool=False)
    assert pooled == alone
    # The same lock twice is one lock (the pre-check had counted it twice: "2 locked, 1 needed").
    result = quick(dataclasses.replace(instance, locks=(*locks, locks[0])))
    assert result.status == "optimal" and result.objective == pooled
    cells = {(a.staff, a.date, a.shift, a.checkpoint) for a in result.assignments}
    assert {(k.staff, k.date, k.shift, k.checkpoint) for k in locks} <= cells
