"""Solving and storing a sub-district's roster: the stored Shifts, locks kept by a re-solve,
infeasible input explained in words with nothing stored, soft coverage, and refusals."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from conftest import World
from shouwang.core.errors import Forbidden, InvalidInput
from shouwang.core.models import AuditLog
from shouwang.roster import services, solver
from shouwang.roster.choices import RosterStatus
from shouwang.roster.models import Roster, Shift
from shouwang.roster.selectors import grid
from shouwang.roster.services import (
    SolveOutcome,
    assign_shift,
    lock_shift,
    publish_roster,
    record_availability,
    set_staffing_level,
    solve_roster,
)
from shouwang.roster.tests.test_product_world import FAST, MONDAY, NOW, SHANGHAI, Duty, make_duty


@pytest.fixture
def duty(world: World) -> Iterator[Duty]:
    with time_machine.travel(NOW, tick=False):
        yield make_duty(world)


def plan(duty: Duty, *, days: int = 3, **kwargs: Any) -> SolveOutcome:
    return solve_roster(
        duty.world.subdistrict, start=MONDAY, days=days, actor=duty.admin, time_limit_s=FAST, **kwargs
    )


def test_the_roster_is_solved_and_stored_with_utc_instants(duty: Duty) -> None:
    outcome = plan(duty)
    assert outcome.stored and outcome.created and outcome.status == "optimal"
    roster = outcome.roster
    assert roster is not None
    assert (roster.start, roster.end, roster.days, roster.status) == (MONDAY, dt.date(2020, 3, 4), 3, "draft")
    assert roster.solver_status == "optimal" and roster.gap_pct == 0 and roster.time_limit_s == FAST
    assert roster.solved_by == duty.admin and roster.explanations == [] and roster.empty_slots == []
    shifts = list(roster.shifts.select_related("staff", "template", "checkpoint"))
    assert len(shifts) == 3 * (4 + 2)
    a_ids = {s.pk for s in duty.a_staff}
    for s in shifts:
        local = s.starts_at.astimezone(SHANGHAI)
        assert (local.date(), local.time()) == (s.date, s.template.start)
        assert s.ends_at - s.starts_at == dt.timedelta(hours=4)
        assert (s.staff_id in a_ids) == (s.checkpoint == duty.world.gate_a)
        assert not s.locked and s.source == "solver"
    # One shift a day each, nobody at two gates at once.
    assert max(Counter((s.staff_id, s.date) for s in shifts).values()) == 1
    # 06:00 in Beijing is 22:00 UTC the evening before.
    first = min(shifts, key=lambda s: s.starts_at)
    assert first.starts_at == dt.datetime(2020, 3, 1, 22, 0, tzinfo=dt.UTC)
    g = grid(roster)
    assert g.empty == [] and g.shift_count == 18
    assert g.cell("xiaojiangfang-w", MONDAY, "06-10").closed
    log = AuditLog.objects.get(action="roster.solve")
    assert log.detail["shifts"] == 18 and log.detail["status"] == "optimal"


def test_solving_the_same_start_again_re_solves_that_roster(duty: Duty) -> None:
    first = plan(duty).roster
    assert first is not None
    again = plan(duty)
    assert again.stored and not again.created and again.roster is not None
    assert again.roster.pk == first.pk and Roster.objects.count() == 1
    assert again.roster.shifts.count() == 18 and again.status == "optimal"


def test_locked_and_hand_made_shifts_survive_a_re_solve(duty: Duty) -> None:
    roster = plan(duty).roster
    assert roster is not None
    locked = roster.shifts.filter(checkpoint=duty.world.gate_b).order_by("date", "template__start").first()
    assert locked is not None
    lock_shift(locked, actor=duty.admin)
    unlocked_ids = set(roster.shifts.filter(locked=False).values_list("pk", flat=True))
    # a4 by hand at gate A on Wednesday 18–22 (an unlocked person there makes way).
    a4 = duty.staff("a4")
    Shift.objects.filter(staff=a4, date=dt.date(2020, 3, 4)).delete()
    hand = assign_shift(
        roster,
        staff=a4,
        checkpoint=duty.world.gate_a,
        date=dt.date(2020, 3, 4),
        template=duty.templates["18-22"],
        actor=duty.admin,
    )
    # The person of the locked shift is away the day after: the solver must work around them.
    record_availability(
        locked.staff, actor=duty.admin, date=locked.date + dt.timedelta(days=1), reason="病假"
    )
    publish_roster(roster, actor=duty.admin)
    replaceable = set(roster.shifts.filter(locked=False).values_list("pk", flat=True))
    outcome = plan(duty, seed=7)
    assert outcome.stored and not outcome.created
    roster.refresh_from_db()
    assert roster.status == RosterStatus.DRAFT  # changed shifts: the coordinator publishes again
    kept = Shift.objects.get(pk=locked.pk)
    assert (kept.staff_id, kept.date, kept.template_id, kept.checkpoint_id, kept.locked) == (
        locked.staff_id,
        locked.date,
        locked.template_id,
        locked.checkpoint_id,
        True,
    )
    assert Shift.objects.filter(pk=hand.pk, staff=a4, locked=True, source="hand").exists()
    assert roster.shifts.count() == 18
    # What the new Roster has as before stays the same row; the rest was replaced.
    assert roster.changed == outcome.changed and outcome.changed is not None and outcome.changed >= 1
    assert roster.shifts.filter(pk__in=replaceable).count() == len(replaceable) - outcome.changed
    assert replaceable <= unlocked_ids
    assert not roster.shifts.filter(staff=locked.staff, date=locked.date + dt.timedelta(days=1)).exists()
    assert AuditLog.objects.filter(action="roster.solve").order_by("-pk")[0].detail["kept"] == 2


def open_cells(roster: Roster) -> Counter[tuple[int, dt.date, int, int]]:
    """The unlocked cells of ``roster``: (staff, date, template, checkpoint) ids."""
    return Counter(
        (s.staff_id, s.date, s.template_id, s.checkpoint_id) for s in roster.shifts.filter(locked=False)
    )


def test_a_re_solve_around_a_hand_edit_moves_few_shifts_and_keeps_their_rows(duty: Duty) -> None:
    """The coordinator puts one person in a cell and re-solves: the others' Shifts stay put
    (same rows, so calendars and swap requests go on); afresh, most of them move."""
    roster = plan(duty, days=7).roster
    assert roster is not None
    wednesday = dt.date(2020, 3, 4)
    taken = roster.shifts.filter(checkpoint=duty.world.gate_a, date=wednesday).order_by("template__start")[0]
    newcomer = next(
        s
        for s in duty.a_staff
        if s.pk != taken.staff_id and not roster.shifts.filter(staff=s, date=wednesday).exists()
    )
    assign_shift(
        roster,
        staff=newcomer,
        checkpoint=taken.checkpoint,
        date=wednesday,
        template=taken.template,
        actor=duty.admin,
    )
    before = open_cells(roster)
    rows = set(roster.shifts.filter(locked=False).values_list("pk", flat=True))
    outcome = plan(duty, days=7)
    assert outcome.stored and outcome.status == "optimal" and outcome.changed is not None
    assert 1 <= outcome.changed <= 4
    assert sum((before - open_cells(roster)).values()) == outcome.changed
    assert roster.shifts.filter(pk__in=rows).count() == len(rows) - outcome.changed
    log = AuditLog.objects.filter(action="roster.solve").order_by("-pk")[0]
    assert log.detail["changed"] == outcome.changed and log.detail["keep_current"] is True
    assert log.detail["replaced"] == outcome.changed

    before = open_cells(roster)
    afresh = plan(duty, days=7, keep_current=False, seed=3)
    assert afresh.stored and afresh.changed is not None
    roster.refresh_from_db()
    assert roster.keep_current is False and roster.changed == afresh.changed
    assert sum((before - open_cells(roster)).values()) == afresh.changed


def test_a_hand_edit_while_solving_is_not_overwritten(duty: Duty, monkeypatch: pytest.MonkeyPatch) -> None:
    roster = plan(duty).roster
    assert roster is not None
    victim = roster.shifts.filter(locked=False).order_by("pk")[0]

    def solve_while_someone_edits(*args: Any, **kwargs: Any) -> Any:
        result = solver.solve(*args, **kwargs)
        Shift.objects.filter(pk=victim.pk).delete()  # as remove_shift would, from another request
        return result

    monkeypatch.setattr(services, "solve", solve_while_someone_edits)
    with pytest.raises(InvalidInput) as info:
        plan(duty)
    assert info.value.code == "roster_changed_while_solving"
    assert not Shift.objects.filter(pk=victim.pk).exists()
    assert roster.shifts.count() == 17


def test_shifts_already_begun_are_kept_when_re_solving_mid_roster(duty: Duty) -> None:
    roster = plan(duty).roster
    assert roster is not None
    three_pm = dt.datetime(2020, 3, 2, 15, 0, tzinfo=SHANGHAI)
    begun = {s.pk: s.staff_id for s in roster.shifts.filter(starts_at__lt=three_pm)}
    assert len(begun) == 3 + 2  # gate A 06, 10, 14; gate B 06, 10
    with time_machine.travel(three_pm, tick=False):
        outcome = plan(duty, seed=3)
    assert outcome.stored
    # Every Shift that had started by 15:00 is the same row with the same person; the rest of
    # the roster is new and still full.
    assert {s.pk: s.staff_id for s in roster.shifts.filter(starts_at__lt=three_pm)} == begun
    assert roster.shifts.count() == 18
    assert AuditLog.objects.filter(action="roster.solve").order_by("-pk")[0].detail["kept"] == 5


def test_an_infeasible_roster_stores_nothing_and_says_which_gate_date_and_time(duty: Duty) -> None:
    set_staffing_level(duty.world.gate_b, template=duty.templates["06-10"], staff_needed=5, actor=duty.admin)
    outcome = plan(duty)
    assert not outcome.stored and outcome.status == "infeasible" and outcome.roster is None
    assert Roster.objects.count() == 0 and Shift.objects.count() == 0
    zh = [r.zh for r in outcome.reasons]
    en = [r.en for r in outcome.reasons]
    assert "东斜街北口 3月2日 06:00–10:00 需要 5 人，但只有 4 人能上岗。" in zh
    assert "东斜街北口 needs 5 people 06:00–10:00 on 2 March but only 4 are available." in en
    assert {r.code for r in outcome.reasons} == {"roster_slot_short"}
    assert AuditLog.objects.get(action="roster.solve_failed").detail["reasons"] == ["roster_slot_short"] * 3


def test_an_infeasible_re_solve_leaves_the_stored_roster_as_it_was(duty: Duty) -> None:
    roster = plan(duty).roster
    assert roster is not None
    cells = sorted(roster.shifts.values_list("pk", "staff_id"))
    set_staffing_level(duty.world.gate_a, template=duty.templates["14-18"], staff_needed=6, actor=duty.admin)
    outcome = plan(duty)
    assert not outcome.stored and outcome.roster == roster
    assert any("力学胡同东口" in r.zh and "14:00–18:00" in r.zh for r in outcome.reasons)
    assert sorted(roster.shifts.values_list("pk", "staff_id")) == cells


def test_soft_coverage_stores_the_roster_and_lists_the_empty_slots(duty: Duty) -> None:
    set_staffing_level(duty.world.gate_b, template=duty.templates["06-10"], staff_needed=5, actor=duty.admin)
    outcome = plan(duty, soft_coverage=True)
    assert outcome.stored and outcome.roster is not None
    roster = outcome.roster
    assert {(e["checkpoint"], e["checkpoint_name"]) for e in roster.empty_slots} == {
        ("dongxie-n", "东斜街北口")
    }
    # 6 places a day at gate B (5 + 1) and its 4 people stand one shift a day each.
    assert sum(e["missing"] for e in roster.empty_slots) == 3 * 2
    assert roster.explanations[0]["code"] == "roster_no_full_cover"
    assert all("东斜街北口" in e["zh"] and "东斜街北口" in e["en"] for e in roster.explanations[1:])
    assert roster.shifts.filter(checkpoint=duty.world.gate_b).count() == 3 * 4
    gaps = grid(roster).empty
    assert {gate.code for gate, _ in gaps} == {"dongxie-n"}
    assert Counter(cell.date for _, cell in gaps for _ in range(cell.missing)) == {
        MONDAY + dt.timedelta(days=d): 2 for d in range(3)
    }


def test_a_lead_is_found_for_each_shift_where_the_policy_asks(duty: Duty) -> None:
    sub = duty.world.subdistrict
    for t in duty.templates.values():
        set_staffing_level(
            duty.world.gate_b,
            template=t,
            staff_needed=1 if t.code == "06-10" else 0,
            lead_needed=True,
            actor=duty.admin,
        )
    roster = plan(duty).roster
    assert roster is not None
    assert all(
        s.staff.is_lead for s in roster.shifts.filter(checkpoint=duty.world.gate_b).select_related("staff")
    )
    assert sub.pk == roster.subdistrict_id


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"days": 0}, "roster_days_range"),
        ({"days": 63}, "roster_days_range"),
        ({"time_limit_s": 0}, "roster_time_limit_range"),
        ({"seed": -1}, "roster_seed_range"),
        ({"start": dt.date(2020, 2, 20), "days": 5}, "roster_in_past"),
    ],
)
def test_bad_requests_are_refused_in_words(duty: Duty, changes: dict[str, Any], code: str) -> None:
    args: dict[str, Any] = {"start": MONDAY, "days": 3, "time_limit_s": FAST, "seed": 0}
    args.update(changes)
    with pytest.raises(InvalidInput) as err:
        solve_roster(duty.world.subdistrict, actor=duty.admin, **args)
    assert err.value.code == code
    assert err.value.message("zh-hans") != code and err.value.message("en") != code


def test_rosters_of_a_subdistrict_do_not_overlap(duty: Duty) -> None:
    plan(duty)
    with pytest.raises(InvalidInput) as err:
        solve_roster(
            duty.world.subdistrict,
            start=MONDAY + dt.timedelta(days=2),
            days=3,
            actor=duty.admin,
            time_limit_s=FAST,
        )
    assert err.value.code == "roster_overlaps"
    assert "2020-03-02" in err.value.message("en") and "2020-03-04" in err.value.message("en")
    with pytest.raises(InvalidInput) as err:
        plan(duty, days=4)
    assert err.value.code == "roster_days_differ"


def test_rest_holds_across_the_boundary_of_two_rosters(duty: Duty) -> None:
    sub = duty.world.subdistrict
    sub.policy = {"roster_min_rest_hours": 12}
    sub.save()
    first = plan(duty, days=1).roster
    assert first is not None
    late = {s.staff_id for s in first.shifts.filter(template__code="18-22")}
    second = solve_roster(
        sub, start=MONDAY + dt.timedelta(days=1), days=1, actor=duty.admin, time_limit_s=FAST
    ).roster
    assert second is not None
    early = {s.staff_id for s in second.shifts.filter(template__code="06-10")}
    assert late and not late & early  # 22:00 to 06:00 is 8 h, less than the 12 h asked


def test_only_the_subdistrict_admin_solves(duty: Duty) -> None:
    for user in (duty.world.worker, duty.world.gate_user):
        with pytest.raises(Forbidden):
            solve_roster(duty.world.subdistrict, start=MONDAY, days=3, actor=user, time_limit_s=FAST)
    assert Roster.objects.count() == 0
