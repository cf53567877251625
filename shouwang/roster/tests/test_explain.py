"""When no Roster exists, the coordinator is told why in words: the gate, the date, the time.

Pre-checks by counting come first; when they find nothing, a soft-coverage solve names the
slots that stay empty; when even that fails, the rules that cannot all hold are named.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from shouwang.roster.explain import precheck
from shouwang.roster.model import CheckpointNeed, Lock, Request, Rules, Weights
from shouwang.roster.solver import violations
from shouwang.roster.tests.test_solver import DAY0, quick, small_instance, with_staff

MARCH_3 = dt.date(2020, 3, 3)


def short_gate_instance() -> object:
    """东斜街北口 needs 2 people 06–10 every day; on 3 March three of the four are away."""
    instance = small_instance(staff=4)
    gate = CheckpointNeed("DXJ-N", "东斜街北口", {"06-10": 2})
    instance = dataclasses.replace(instance, checkpoints=(gate,))
    for i in (1, 2, 3):
        instance = with_staff(instance, i, unavailable_dates=frozenset({MARCH_3}))
    return instance


def test_a_short_slot_is_explained_with_gate_date_and_time_in_both_languages() -> None:
    instance = short_gate_instance()
    result = quick(instance)  # type: ignore[arg-type]
    assert result.status == "infeasible"
    assert not result.assignments
    texts_en = [e.text("en") for e in result.explanations]
    texts_zh = [e.text("zh-hans") for e in result.explanations]
    assert "东斜街北口 needs 2 people 06:00–10:00 on 3 March but only 1 is available." in texts_en
    assert "东斜街北口 3月3日 06:00–10:00 需要 2 人，但只有 1 人能上岗。" in texts_zh
    assert result.explanations[0].code == "roster_slot_short"


def test_soft_coverage_lists_exactly_the_slots_that_stay_empty() -> None:
    instance = short_gate_instance()
    result = quick(instance, soft_coverage=True)  # type: ignore[arg-type]
    assert result.status == "optimal"
    assert [(e.checkpoint, e.date, e.shift, e.needed, e.missing) for e in result.empty_slots] == [
        ("DXJ-N", MARCH_3, "06-10", 2, 1)
    ]
    words = [e.text("en") for e in result.explanations]
    assert words[0].startswith("No roster under these rules staffs every slot")
    assert "东斜街北口 06:00–10:00 on 3 March: 1 of 2 places stay empty." in words
    assert result.objective_terms["empty"] == instance.weights.empty_slot  # type: ignore[attr-defined]
    # Everything else is a valid Roster.
    problems = violations(instance, result.assignments)  # type: ignore[arg-type]
    assert problems == ["DXJ-N 2020-03-03 06-10: 1 < 2"]


def test_when_counting_finds_nothing_the_empty_slots_of_the_best_roster_are_named() -> None:
    # One gate, one person, one Shift a day for 3 days, but at most 2 days in a row: every slot
    # on its own has someone; together they cannot all be staffed.
    instance = small_instance(
        staff=1, rules=Rules(min_rest_hours=0, max_shifts_per_day=1, max_consecutive_days=2)
    )
    instance = dataclasses.replace(instance, checkpoints=(CheckpointNeed("N", "东斜街北口", {"06-10": 1}),))
    assert precheck(instance) == []
    result = quick(instance)
    assert result.status == "infeasible"
    codes = [e.code for e in result.explanations]
    assert codes == ["roster_no_full_cover", "roster_empty_slot"]
    assert "places stay empty" in result.explanations[1].text("en")


def test_rules_that_cannot_all_hold_are_named() -> None:
    # s0 must work 12 h (three 4-hour days out of three) but may work only 2 days in a row.
    rules = Rules(min_rest_hours=0, max_shifts_per_day=1, max_consecutive_days=2)
    instance = small_instance(staff=3, rules=rules)
    instance = dataclasses.replace(instance, checkpoints=(CheckpointNeed("N", "东斜街北口", {"06-10": 1}),))
    instance = with_staff(instance, 0, min_total_hours=12)
    assert precheck(instance) == []
    result = quick(instance)
    assert result.status == "infeasible"
    assert [e.code for e in result.explanations] == ["roster_rules_conflict"]
    en = result.explanations[0].text("en")
    assert "s0 works at least 12 h in all" in en
    assert "s0 works at most 2 days in a row" in en
    assert "s0 总工时至少 12 小时" in result.explanations[0].text("zh-hans")


def test_impossible_locks_are_explained() -> None:
    instance = small_instance()
    instance = with_staff(instance, 0, unavailable_dates=frozenset({DAY0}))
    instance = dataclasses.replace(
        instance,
        locks=(
            Lock("s0", DAY0, "06-10", "N"),
            Lock("s1", DAY0, "06-10", "N"),
            Lock("s2", DAY0, "06-10", "N"),
            Lock("s3", DAY0, "06-10", "E"),
            Lock("s3", DAY0, "10-14", "E"),
        ),
    )
    instance = dataclasses.replace(instance, rules=Rules(min_rest_hours=2, max_shifts_per_day=2))
    words = [e.text("en") for e in precheck(instance)]
    assert "Lock: s0 is fixed 06:00–10:00 on 2 March at 东斜街北口 but is not available then." in words
    zh = [e.text("zh-hans") for e in precheck(instance)]
    assert "锁定：s0 被固定在 3月2日 06:00–10:00（东斜街北口），但此时不能上岗。" in zh
    assert "Locks fix 2 people at 东斜街北口 06:00–10:00 on 2 March but it needs only 1." in words
    assert "Locks put s3 on two shifts too close together on 2 March: 06:00–10:00 and 10:00–14:00." in words


def test_hours_beyond_what_staff_can_give_are_explained() -> None:
    instance = small_instance(
        staff=2, days=7, rules=Rules(min_rest_hours=0, max_shifts_per_day=2, max_consecutive_days=None)
    )
    for i in range(2):
        instance = with_staff(instance, i, max_hours_per_week=20)
    reasons = precheck(instance)
    codes = {e.code for e in reasons}
    assert "roster_total_short" in codes
    assert "roster_week_short" in codes
    total = next(e for e in reasons if e.code == "roster_total_short")
    assert total.text("en") == (
        "Over the whole roster the checkpoints need 112 h but the staff can give at most 40 h "
        "(availability and hour limits)."
    )


def test_a_missing_lead_is_explained() -> None:
    instance = small_instance(staff=4)
    gate = dataclasses.replace(instance.checkpoints[0], lead_shifts=frozenset({"06-10"}))
    instance = dataclasses.replace(instance, checkpoints=(gate, instance.checkpoints[1]))
    for i in (0, 1):  # the two leads
        instance = with_staff(instance, i, unavailable_dates=frozenset({MARCH_3}))
    words = [e.text("en") for e in precheck(instance)]
    assert "东斜街北口 needs a team lead 06:00–10:00 on 3 March but no lead is available." in words


def test_an_unmet_request_is_not_an_infeasibility() -> None:
    instance = small_instance(weights=Weights(team_mix=0))
    instance = with_staff(instance, 0, requests=(Request(DAY0, work=False, weight=1),))
    assert precheck(instance) == []
    assert quick(instance).has_roster
