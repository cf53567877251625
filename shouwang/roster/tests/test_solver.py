"""The roster solver keeps every hard rule, finds the optimum of small cases, and repeats itself for a seed.

Each test builds a tiny Instance where breaking the rule under test would pay (a request
pulls the other way), then checks the Roster with the independent checker
:func:`shouwang.roster.solver.violations` and by looking at the cells themselves.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import random
from typing import Any
from zoneinfo import ZoneInfo

from shouwang.roster.model import (
    CheckpointNeed,
    Horizon,
    Instance,
    Lock,
    Request,
    Result,
    Rules,
    ShiftTemplate,
    StaffMember,
    TimeRange,
    Weights,
)
from shouwang.roster.solver import components, solve, violations

DAY0 = dt.date(2020, 3, 2)  # a Monday
ZONE = ZoneInfo("Asia/Shanghai")


def quick(instance: Instance, **options: Any) -> Result:
    """Solve with a short limit on at most 2 workers (the test machine has 2 cores, and is shared)."""
    return solve(instance, time_limit_s=10.0, workers=2, seed=0, **options)


def shift(code: str, hour: int, hours: float = 4) -> ShiftTemplate:
    return ShiftTemplate(code, dt.time(hour), hours)


def small_instance(
    *,
    days: int = 3,
    staff: int = 4,
    rules: Rules | None = None,
    weights: Weights | None = None,
    needed: int = 1,
) -> Instance:
    """Two Checkpoints (one per Team), Shifts 06–10 and 10–14, ``staff`` people in Teams A/B."""
    shifts = (shift("06-10", 6), shift("10-14", 10))
    checkpoints = (
        CheckpointNeed("N", "东斜街北口", {"06-10": needed, "10-14": needed}),
        CheckpointNeed("E", "力学胡同东口", {"06-10": needed, "10-14": needed}),
    )
    people = tuple(
        StaffMember(f"s{i}", f"s{i}", team="AB"[i % 2], is_lead=i < 2, max_hours_per_week=40)
        for i in range(staff)
    )
    return Instance(
        horizon=Horizon(DAY0, days),
        shifts=shifts,
        checkpoints=checkpoints,
        staff=people,
        rules=rules or Rules(min_rest_hours=0, max_shifts_per_day=2, max_consecutive_days=None),
        weights=weights or Weights(),
    )


def with_staff(instance: Instance, index: int, **changes: object) -> Instance:
    staff = list(instance.staff)
    staff[index] = dataclasses.replace(staff[index], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(instance, staff=tuple(staff))


def cells_of(result_assignments: object, staff_id: str) -> list[tuple[dt.date, str, str]]:
    return sorted((a.date, a.shift, a.checkpoint) for a in result_assignments if a.staff == staff_id)  # type: ignore[attr-defined]


def test_small_instance_is_solved_optimally_with_the_expected_objective() -> None:
    # 12 stints of 4 h over 4 people: 12 h each is perfectly fair; one request cannot be granted
    # (s0 asks for both Shifts at both Checkpoints on day 0: one is possible), so objective 0.
    instance = small_instance(weights=Weights(team_mix=0, isolated_day=0))
    result = quick(instance)
    assert result.status == "optimal"
    assert result.objective == 0
    assert result.gap_pct == 0
    assert violations(instance, result.assignments) == []
    assert len(result.assignments) == 12
    assert set(result.hours.values()) == {12.0}


def test_an_unavoidable_refusal_is_the_whole_objective() -> None:
    instance = small_instance(weights=Weights(fairness=0, team_mix=0, isolated_day=0))
    # Everyone asks for day 1 off (weight 3): coverage needs 4 stints that day, so at least two
    # people must work (two Shifts a day each at most) — two refusals, 6 points.
    requests = (Request(DAY0 + dt.timedelta(days=1), work=False, weight=3),)
    for i in range(4):
        instance = with_staff(instance, i, requests=requests)
    result = quick(instance)
    assert result.status == "optimal"
    assert result.objective == 6
    assert result.objective_terms["requests"] == 6


def test_coverage_every_open_slot_gets_exactly_its_people_and_closed_ones_none() -> None:
    instance = small_instance(needed=2, staff=8)
    closed = dataclasses.replace(instance.checkpoints[1], staff_needed={"06-10": (2, 0, 2)})
    instance = dataclasses.replace(instance, checkpoints=(instance.checkpoints[0], closed))
    result = quick(instance)
    assert result.has_roster
    count: dict[tuple[str, dt.date, str], int] = {}
    for a in result.assignments:
        count[a.checkpoint, a.date, a.shift] = count.get((a.checkpoint, a.date, a.shift), 0) + 1
    assert count[("N", DAY0, "06-10")] == 2
    assert ("E", DAY0 + dt.timedelta(days=1), "06-10") not in count  # closed that day
    assert not any(cp == "E" and sh == "10-14" for cp, _, sh in count)  # never open
    assert violations(instance, result.assignments) == []


def test_nobody_stands_in_two_places_at_once_even_when_shifts_overlap() -> None:
    # 06–10 and 08–12 overlap; two people, each wanting both, two Checkpoints.
    instance = dataclasses.replace(
        small_instance(staff=2, days=1),
        shifts=(shift("06-10", 6), shift("08-12", 8)),
        checkpoints=(
            CheckpointNeed("N", "东斜街北口", {"06-10": 1}),
            CheckpointNeed("E", "力学胡同东口", {"08-12": 1}),
        ),
    )
    want = (
        Request(DAY0, work=True, shift="06-10", weight=5),
        Request(DAY0, work=True, shift="08-12", weight=5),
    )
    instance = with_staff(instance, 0, requests=want)
    result = quick(instance)
    assert result.status == "optimal"
    assert len(cells_of(result.assignments, "s0")) == 1
    assert violations(instance, result.assignments) == []


def test_availability_days_and_times_away_are_never_rostered() -> None:
    instance = small_instance()
    away_day = DAY0 + dt.timedelta(days=1)
    morning = TimeRange(
        dt.datetime(2020, 3, 4, 9, 0, tzinfo=ZONE), dt.datetime(2020, 3, 4, 11, 0, tzinfo=ZONE)
    )
    eager = tuple(Request(DAY0 + dt.timedelta(days=d), work=True, weight=50) for d in range(3))
    instance = with_staff(instance, 0, unavailable_dates=frozenset({away_day}), requests=eager)
    instance = with_staff(instance, 1, unavailable_times=(morning,), requests=eager)
    result = quick(instance)
    assert result.has_roster
    assert not any(d == away_day for d, _, _ in cells_of(result.assignments, "s0"))
    # 09:00–11:00 on 4 March overlaps both Shifts of that day.
    assert not any(d == dt.date(2020, 3, 4) for d, _, _ in cells_of(result.assignments, "s1"))
    assert violations(instance, result.assignments) == []


def test_rest_between_shifts_is_kept_across_midnight() -> None:
    # Shifts 14–18 and 22–02 (+1 day): 4 h apart; 02 → next 06 also 4 h. Rest 8 h forbids both pairs.
    shifts = (shift("06-10", 6), shift("14-18", 14), shift("22-02", 22))
    instance = dataclasses.replace(
        small_instance(
            staff=4, days=2, rules=Rules(min_rest_hours=8, max_shifts_per_day=3, max_consecutive_days=None)
        ),
        shifts=shifts,
        checkpoints=(CheckpointNeed("N", "东斜街北口", {"06-10": 1, "14-18": 1, "22-02": 1}),),
    )
    greedy = tuple(
        Request(DAY0 + dt.timedelta(days=d), work=True, shift=s.code, weight=9)
        for d in range(2)
        for s in shifts
    )
    instance = with_staff(instance, 0, requests=greedy)
    result = quick(instance)
    assert result.status == "optimal"
    starts = {"06-10": 6, "14-18": 14, "22-02": 22}
    mine = sorted(
        dt.datetime.combine(d, dt.time(starts[s])) - dt.datetime.combine(DAY0, dt.time(0))
        for d, s, _ in cells_of(result.assignments, "s0")
    )
    assert len(mine) >= 2  # the requests pull s0 onto as many Shifts as the rest rule allows
    assert all(b - a >= dt.timedelta(hours=12) for a, b in itertools.pairwise(mine))  # 4 h on + 8 h rest
    assert violations(instance, result.assignments) == []


def test_the_independent_checker_catches_broken_rosters() -> None:
    from shouwang.roster.model import Assignment

    instance = small_instance(rules=Rules(min_rest_hours=8, max_shifts_per_day=2, max_consecutive_days=None))
    broken = [
        Assignment("s0", DAY0, "06-10", "N"),
        Assignment("s0", DAY0, "06-10", "E"),  # two places at once
        Assignment("s1", DAY0, "10-14", "N"),
        Assignment("s1", DAY0, "06-10", "N"),  # 06–10 then 10–14: no rest; and N 06-10 overstaffed
    ]
    found = " | ".join(violations(instance, broken))
    assert "two places at once" in found
    assert "rests less than" in found
    assert "2 > need" in found
    assert "0 < 1" in found  # uncovered slots


def test_max_hours_per_week_max_shifts_per_day_and_total_hours_hold() -> None:
    rules = Rules(min_rest_hours=0, max_shifts_per_day=1, max_consecutive_days=None)
    instance = small_instance(staff=6, rules=rules)
    eager = tuple(Request(DAY0 + dt.timedelta(days=d), work=True, weight=20) for d in range(3))
    instance = with_staff(instance, 0, max_hours_per_week=8, requests=eager)
    instance = with_staff(instance, 1, max_total_hours=4, requests=eager)
    instance = with_staff(
        instance, 2, min_total_hours=12, requests=tuple(dataclasses.replace(r, work=False) for r in eager)
    )
    result = quick(instance)
    assert result.has_roster
    assert result.hours["s0"] <= 8
    assert result.hours["s1"] <= 4
    assert result.hours["s2"] >= 12
    per_day: dict[tuple[str, dt.date], int] = {}
    for a in result.assignments:
        per_day[a.staff, a.date] = per_day.get((a.staff, a.date), 0) + 1
    assert max(per_day.values()) == 1
    assert violations(instance, result.assignments) == []


def test_max_consecutive_days_and_min_days_off_hold() -> None:
    rules = Rules(min_rest_hours=0, max_shifts_per_day=1, max_consecutive_days=2, min_days_off=2)
    instance = dataclasses.replace(
        small_instance(staff=6, days=6, rules=rules),
        checkpoints=(CheckpointNeed("N", "东斜街北口", {"06-10": 1, "10-14": 1}),),
    )
    eager = tuple(Request(DAY0 + dt.timedelta(days=d), work=True, weight=30) for d in range(6))
    instance = with_staff(instance, 0, requests=eager)
    result = quick(instance)
    assert result.has_roster
    days_on = sorted({d for d, _, _ in cells_of(result.assignments, "s0")})
    assert len(days_on) <= 4  # at least 2 of 6 days off
    runs = [b - a for a, b in itertools.pairwise(days_on)]
    assert not any(runs[i] == 1 and runs[i + 1] == 1 for i in range(len(runs) - 1))  # no 3 in a row
    assert violations(instance, result.assignments) == []


def test_locks_are_kept_must_and_must_not() -> None:
    instance = small_instance()
    locks = (
        Lock("s3", DAY0, "06-10", "N", assigned=True),
        Lock("s0", DAY0, "06-10", None, assigned=False),
        Lock("s1", DAY0 + dt.timedelta(days=1), "10-14", None, assigned=True),
    )
    instance = dataclasses.replace(instance, locks=locks)
    instance = with_staff(instance, 0, requests=(Request(DAY0, work=True, shift="06-10", weight=99),))
    result = quick(instance)
    assert result.has_roster
    cells = {(a.staff, a.date, a.shift, a.checkpoint) for a in result.assignments}
    assert ("s3", DAY0, "06-10", "N") in cells
    assert not any(s == "s0" and d == DAY0 and sh == "06-10" for s, d, sh, _ in cells)
    assert any(s == "s1" and d == DAY0 + dt.timedelta(days=1) and sh == "10-14" for s, d, sh, _ in cells)
    assert violations(instance, result.assignments) == []


def test_a_team_lead_stands_every_shift_that_asks_for_one() -> None:
    instance = small_instance(staff=6, needed=2)
    lead_gate = dataclasses.replace(instance.checkpoints[0], lead_shifts=frozenset({"06-10", "10-14"}))
    instance = dataclasses.replace(instance, checkpoints=(lead_gate, instance.checkpoints[1]))
    result = quick(instance)
    assert result.has_roster
    leads = {m.id for m in instance.staff if m.is_lead}
    for d in range(3):
        for code in ("06-10", "10-14"):
            there = {
                a.staff
                for a in result.assignments
                if a.checkpoint == "N" and a.shift == code and a.date == DAY0 + dt.timedelta(days=d)
            }
            assert there & leads
    assert violations(instance, result.assignments) == []


def test_soft_goals_keep_a_team_on_its_gate_and_hours_fair() -> None:
    instance = small_instance(staff=4, days=3)
    result = quick(instance)
    assert result.status == "optimal"
    assert result.objective_terms.get("team_mix", 0) == 0
    for d in range(3):
        for cp in ("N", "E"):
            teams = {
                a.staff and next(m.team for m in instance.staff if m.id == a.staff)
                for a in result.assignments
                if a.checkpoint == cp and a.date == DAY0 + dt.timedelta(days=d)
            }
            assert len(teams) == 1


def wishful_instance() -> Instance:
    """12 staff over 14 days whose requests pull against each other (optimum 3, greedy start 15)."""
    rnd = random.Random(1)
    rules = Rules(min_rest_hours=0, max_shifts_per_day=1, max_consecutive_days=4)
    instance = small_instance(staff=12, days=14, needed=2, rules=rules)
    for i in range(12):
        wishes = tuple(
            Request(
                DAY0 + dt.timedelta(days=rnd.randrange(14)),
                work=rnd.random() < 0.5,
                shift=rnd.choice(["06-10", "10-14"]),
                weight=rnd.randint(1, 5),
            )
            for _ in range(6)
        )
        instance = with_staff(instance, i, requests=wishes)
    return instance


def test_same_seed_same_roster_in_deterministic_mode() -> None:
    # Requests that pull against each other, and a limit short enough to cut the search.
    instance = wishful_instance()
    runs = [solve(instance, time_limit_s=0.5, seed=7, workers=2, deterministic=True) for _ in range(2)]
    assert runs[0].has_roster
    assert runs[0].assignments == runs[1].assignments
    assert runs[0].objective == runs[1].objective


def test_independent_groups_are_solved_apart_and_joined() -> None:
    base = small_instance(staff=4)
    split = tuple(
        dataclasses.replace(m, checkpoints=frozenset({"N" if i < 2 else "E"}))
        for i, m in enumerate(base.staff)
    )
    instance = dataclasses.replace(base, staff=split)
    parts = components(instance)
    assert [sorted(m.id for m in p.staff) for p in parts] == [["s0", "s1"], ["s2", "s3"]]
    result = quick(instance)
    assert result.status == "optimal"
    assert len(result.assignments) == 12
    assert violations(instance, result.assignments) == []


def test_progress_reports_elapsed_objective_and_bound() -> None:
    seen: list[tuple[float, float, float]] = []
    quick(small_instance(), progress=lambda t, o, b: seen.append((t, o, b)))
    assert seen
    elapsed, objective, bound = seen[-1]
    assert elapsed >= 0 and bound <= objective


def test_a_group_not_proved_optimal_is_solved_again_from_its_best_roster(monkeypatch: Any) -> None:
    from shouwang.roster import solver

    calls: list[tuple[int, tuple[Any, ...] | None]] = []
    real = solver._solve_part

    def first_run_cut_short(part: Instance, **options: Any) -> Any:
        outcome, used = real(part, **options)
        start = options.get("start")
        calls.append((options["seed"], None if start is None else tuple(start)))
        if len(calls) == 1:  # as if time ran out before the proof: a Roster, no useful bound
            outcome = dataclasses.replace(outcome, status="feasible", bound=0.0)
        return outcome, used

    monkeypatch.setattr(solver, "_solve_part", first_run_cut_short)
    instance = small_instance()
    result = solve(instance, time_limit_s=10.0, workers=2, seed=3)
    assert [seed for seed, _ in calls] == [3, 4]  # the second solve has another seed
    assert calls[0][1] is None
    assert calls[1][1] is not None and len(calls[1][1]) == len(result.assignments)
    assert result.status == "optimal"
    assert result.gap_pct == 0
    assert violations(instance, result.assignments) == []


def test_two_solves_of_a_group_keep_the_better_roster_and_the_higher_bound() -> None:
    from shouwang.roster.solver import _better, _Outcome

    worse = _Outcome("feasible", objective=12.0, bound=9.0)
    better = _Outcome("feasible", objective=10.0, bound=7.0)
    merged = _better(worse, better)
    assert (merged.status, merged.objective, merged.bound) == ("feasible", 10.0, 9.0)
    proved = _better(_Outcome("feasible", objective=10.0, bound=4.0), _Outcome("feasible", 11.0, 10.0))
    assert (proved.status, proved.objective, proved.bound) == ("optimal", 10.0, 10.0)
    assert _better(_Outcome("unknown"), better) is better
    assert _better(better, _Outcome("unknown")) is better


def test_the_reproducible_mode_searches_past_its_first_roster() -> None:
    from shouwang.roster.solver import RosterModel

    instance = wishful_instance()
    start = RosterModel(instance)
    assert start.add_hint(time_limit_s=1.0) and start.first is not None
    runs = [solve(instance, time_limit_s=0.5, seed=7, workers=2, deterministic=True) for _ in range(2)]
    best = quick(instance)
    assert best.status == "optimal" and best.objective is not None
    assert start.first.objective_value > best.objective  # the greedy start is not the optimum…
    assert runs[0].objective == best.objective  # …the neighbourhood search gets there
    assert runs[0].assignments == runs[1].assignments
    assert violations(instance, runs[0].assignments) == []
