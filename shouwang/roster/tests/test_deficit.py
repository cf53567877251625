"""Forced cover shortfall on the Curtois benchmark: counted, bounded, and searched for exactly."""

from __future__ import annotations

from typing import Any

import pytest

from shouwang.roster import deficit, lns
from shouwang.roster.curtois import (
    CurtoisModel,
    curtois_objective,
    curtois_violations,
    parse_curtois,
    read_curtois,
    rows_to_roster,
    solve_curtois,
)
from shouwang.roster.tests.test_curtois import BENCH, needs_files

# Nights: one wanted every day (7), and A may work 2 of them, B 1, C none, so 4 stay short
# whatever the roster. Days: one wanted every day, anyone may work them.
SHORT = """\
SECTION_HORIZON
7

SECTION_SHIFTS
D,480,
N,480,D

SECTION_STAFF
A,D=7|N=2,3360,0,7,1,1,2
B,D=7|N=1,3360,0,7,1,1,2
C,D=7|N=0,3360,0,7,1,1,2

SECTION_DAYS_OFF
A
B
C

SECTION_SHIFT_ON_REQUESTS

SECTION_SHIFT_OFF_REQUESTS

SECTION_COVER
""" + "".join(f"{d},D,1,100,1\n{d},N,1,100,1\n" for d in range(7))


def _short(rows: dict[int, tuple[int, ...]], t: int, day: int) -> int:
    return max(0, 1 - sum(row[day] == t for row in rows.values()))


def test_a_shift_type_beyond_the_staffs_limits_is_counted_short() -> None:
    inst = parse_curtois(SHORT)
    assert deficit.cover_deficits(inst) == {1: 4}  # shift 1 is N
    assert deficit.deficit_bound(inst, {1: 4}) == 400
    assert [deficit.employee_cap(inst, e, 1) for e in range(3)] == [2, 1, 0]


def test_the_tight_roster_leaves_exactly_the_forced_shortfall() -> None:
    inst = parse_curtois(SHORT)
    rows = deficit.tight_roster(inst, {1: 4}, time_limit_s=10, seed=0, workers=1)
    assert rows is not None
    roster = rows_to_roster(inst, rows)
    assert curtois_violations(inst, roster) == []
    assert [sum(t == 1 for t in rows[e]) for e in range(3)] == [2, 1, 0]  # nights at each cap
    assert sum(_short(rows, 1, d) for d in range(7)) == 4
    assert all(sum(row[d] == 1 for row in rows.values()) <= 1 for d in range(7))  # no extra night
    assert all(_short(rows, 0, d) == 0 for d in range(7))  # every day shift covered
    assert curtois_objective(inst, roster) >= 400


def test_the_solve_starts_from_a_tight_roster_and_proves_it() -> None:
    """The deficits' cost is the bound: a tight roster with no day over-covered meets it."""
    inst = parse_curtois(SHORT)
    result = solve_curtois(inst, time_limit_s=10, seed=0, workers=1)
    assert result.objective == 400
    assert result.best_bound == 400
    assert result.status == "optimal"
    assert curtois_objective(inst, result.roster) == 400


def test_a_day_without_cover_gets_none_of_a_short_type() -> None:
    """Without a night cover on day 6, 6 are wanted and 3 may be worked: 3 short, and a night
    on day 6 would leave a fourth short elsewhere."""
    inst = parse_curtois(SHORT.replace("6,N,1,100,1\n", ""))
    assert deficit.cover_deficits(inst) == {1: 3}
    rows = deficit.tight_roster(inst, {1: 3}, time_limit_s=10, seed=0, workers=1)
    assert rows is not None
    assert all(row[6] != 1 for row in rows.values())
    assert sum(_short(rows, 1, d) for d in range(6)) == 3
    assert solve_curtois(inst, time_limit_s=10, seed=0, workers=1).objective == 300


@needs_files
def test_only_instance_8_has_forced_shortfall() -> None:
    """Its night cover asks for 86 and its staff may work 74; the others' limits reach every cover."""
    found = {n: deficit.cover_deficits(read_curtois(BENCH / f"Instance{n}.txt")) for n in range(1, 11)}
    inst8 = read_curtois(BENCH / "Instance8.txt")
    night = next(t for t, s in enumerate(inst8.shifts) if s.id == "N")
    assert found == {n: ({night: 12} if n == 8 else {}) for n in range(1, 11)}
    assert deficit.deficit_bound(inst8, found[8]) == 1_200  # below the best published 1,308


def test_the_tight_roster_is_improved_among_tight_rosters() -> None:
    """From a tight roster, CP-SAT finds the best tight one; the bound holds for the whole
    instance: a roster one more short costs the deficits' 400 plus at least 100."""
    inst = parse_curtois(SHORT)
    assert deficit.untight_bound(inst, {1: 4}) == 500
    rows = deficit.tight_roster(inst, {1: 4}, time_limit_s=10, seed=0, workers=1)
    assert rows is not None
    start = CurtoisModel(inst).solution_of(rows)
    assert start is not None
    seen: list[tuple[float, float]] = []
    solution, objective, bound = deficit.improve_tight(
        inst, {1: 4}, start, time_limit_s=10, seed=0, workers=1, improved=lambda o, b: seen.append((o, b))
    )
    assert (objective, bound) == (400, 400.0)
    assert curtois_objective(inst, CurtoisModel(inst).roster_of(solution)) == 400
    assert seen and seen[-1][0] == 400


def test_the_bound_from_tight_rosters_is_capped_where_a_looser_roster_is_cheaper() -> None:
    """A asks not to work nights at 1,000 points each: the best tight roster pays 2,000 for A's
    two nights, while leaving them short costs 200. The bound must not pass 500."""
    inst = parse_curtois(
        SHORT.replace(
            "SECTION_SHIFT_OFF_REQUESTS\n",
            "SECTION_SHIFT_OFF_REQUESTS\n" + "".join(f"A,{d},N,1000\n" for d in range(7)),
        )
    )
    rows = deficit.tight_roster(inst, {1: 4}, time_limit_s=10, seed=0, workers=1)
    assert rows is not None
    start = CurtoisModel(inst).solution_of(rows)
    assert start is not None
    _solution, objective, bound = deficit.improve_tight(
        inst, {1: 4}, start, time_limit_s=10, seed=0, workers=1
    )
    assert objective == 2_400  # the best a tight roster can do
    assert bound == 500.0  # below the instance's optimum, 600 (A on no night)
    assert solve_curtois(inst, time_limit_s=10, seed=0, workers=1, deterministic=True).objective == 600


def _month_short() -> str:
    """28 days, 12 staff, a night each day and four day shifts; nights capped at 2 a person
    (24 of 28: 4 short whatever the roster); requests that CP-SAT cannot settle in a blink."""
    staff = "".join(f"S{i},D=28|N=2,9600,4800,5,1,1,4\n" for i in range(12))
    on = "".join(f"S{i},{(5 * i + 3 * k) % 28},D,{1 + (i + k) % 3}\n" for i in range(12) for k in range(4))
    off = "".join(f"S{i},{(7 * i + 5 * k) % 28},N,{1 + (i * k) % 3}\n" for i in range(12) for k in range(3))
    cover = "".join(f"{d},D,4,100,1\n{d},N,1,100,1\n" for d in range(28))
    return (
        "SECTION_HORIZON\n28\n\nSECTION_SHIFTS\nD,480,\nN,480,D\n\nSECTION_STAFF\n"
        f"{staff}\nSECTION_DAYS_OFF\n\nSECTION_SHIFT_ON_REQUESTS\n{on}\n"
        f"SECTION_SHIFT_OFF_REQUESTS\n{off}\nSECTION_COVER\n{cover}"
    )


def test_the_neighbourhood_search_goes_on_among_tight_rosters(monkeypatch: pytest.MonkeyPatch) -> None:
    """With CP-SAT given next to no time, the large-neighbourhood search over the tight model
    improves the roster: still tight, never worse than where CP-SAT left it."""
    inst = parse_curtois(_month_short())
    deficits = deficit.cover_deficits(inst)
    assert deficits == {1: 4}
    rows = deficit.tight_roster(inst, deficits, time_limit_s=10, seed=0, workers=1)
    assert rows is not None
    start = CurtoisModel(inst).solution_of(rows)
    assert start is not None
    searched: list[float] = []
    search = lns.search

    def spy(*args: Any, **kwargs: Any) -> Any:
        searched.append(args[3])  # the objective CP-SAT handed over
        return search(*args, **kwargs)

    monkeypatch.setattr(deficit, "IMPROVE_CPSAT_SHARE", 0.0)
    monkeypatch.setattr(lns, "search", spy)
    solution, objective, bound = deficit.improve_tight(
        inst, deficits, start, time_limit_s=3, seed=0, workers=1
    )
    assert len(searched) == 1
    assert objective <= searched[0]
    roster = CurtoisModel(inst).roster_of(solution)
    assert curtois_violations(inst, roster) == []
    assert curtois_objective(inst, roster) == objective
    nights = [sum(roster[s.id][d] == "N" for s in inst.staff) for d in range(28)]
    assert sum(nights) == 24 and max(nights) == 1  # every cap worked, no night doubled
    assert 400 <= bound <= objective
