"""The coordinator's hand edits: assign (refusing two places at once, short rest, time away, a
full or closed cell), lock and unlock, remove, publish; and who may make them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from conftest import World, make_staff
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.core.models import AuditLog
from shouwang.places.models import Subdistrict
from shouwang.roster.models import Roster, Shift, ShiftTemplate
from shouwang.roster.services import (
    assign_shift,
    lock_shift,
    publish_roster,
    record_availability,
    remove_shift,
    set_staffing_level,
    sign_in,
    solve_roster,
    unlock_shift,
)
from shouwang.roster.tests.test_product_world import FAST, MONDAY, NOW, SHANGHAI, Duty, make_duty

TUESDAY = MONDAY + dt.timedelta(days=1)


@pytest.fixture
def duty(world: World) -> Iterator[Duty]:
    with time_machine.travel(NOW, tick=False):
        yield make_duty(world)


@pytest.fixture
def roster(duty: Duty) -> Roster:
    outcome = solve_roster(duty.world.subdistrict, start=MONDAY, days=3, actor=duty.admin, time_limit_s=FAST)
    assert outcome.roster is not None
    return outcome.roster


def at_gate_a(roster: Roster, date: dt.date, code: str) -> Shift:
    return roster.shifts.select_related("staff").get(
        checkpoint__code="lixue-e", date=date, template__code=code
    )


def test_a_hand_assignment_into_a_taken_time_is_refused(duty: Duty, roster: Roster) -> None:
    # Open the second gate of community A on Tuesday morning and try to put the person already
    # at 力学胡同东口 then there too.
    set_staffing_level(duty.world.gate_a2, template=duty.templates["06-10"], staff_needed=1, actor=duty.admin)
    busy = at_gate_a(roster, TUESDAY, "06-10")
    with pytest.raises(InvalidInput) as err:
        assign_shift(
            roster,
            staff=busy.staff,
            checkpoint=duty.world.gate_a2,
            date=TUESDAY,
            template=duty.templates["06-10"],
            actor=duty.admin,
        )
    assert err.value.code == "shift_overlap"
    assert err.value.message("zh-hans") == (
        f"{busy.staff.display_name} 在 2020-03-03 06:00–10:00 已安排在“力学胡同东口”，不能同时在两处值守。"
    )
    assert "nobody stands two places at once" in err.value.message("en")
    assert not Shift.objects.filter(checkpoint=duty.world.gate_a2).exists()


def test_a_hand_assignment_without_rest_is_refused(duty: Duty, roster: Roster) -> None:
    set_staffing_level(duty.world.gate_a2, template=duty.templates["10-14"], staff_needed=1, actor=duty.admin)
    busy = at_gate_a(roster, TUESDAY, "06-10")
    with pytest.raises(InvalidInput) as err:
        assign_shift(
            roster,
            staff=busy.staff,
            checkpoint=duty.world.gate_a2,
            date=TUESDAY,
            template=duty.templates["10-14"],
            actor=duty.admin,
        )
    assert err.value.code == "shift_rest_short"
    assert "only 0 h between the two, less than the 8 h rest" in err.value.message("en")


def test_a_person_away_cannot_be_assigned(duty: Duty, roster: Roster) -> None:
    a2 = duty.staff("a2")
    Shift.objects.filter(staff=a2, date=TUESDAY).delete()
    record_availability(
        a2,
        actor=a2.user,
        starts_at=dt.datetime(2020, 3, 3, 9, 0, tzinfo=SHANGHAI),
        ends_at=dt.datetime(2020, 3, 3, 11, 0, tzinfo=SHANGHAI),
        reason="体检",
    )
    with pytest.raises(InvalidInput) as err:
        assign_shift(
            roster,
            staff=a2,
            checkpoint=duty.world.gate_a,
            date=TUESDAY,
            template=duty.templates["06-10"],
            actor=duty.admin,
        )
    assert err.value.code == "staff_away"
    assert err.value.message("en") == "a2 is away 2020-03-03 09:00–2020-03-03 11:00 (体检)."


def test_an_unlocked_person_makes_way_and_a_locked_one_does_not(duty: Duty, roster: Roster) -> None:
    cell = at_gate_a(roster, TUESDAY, "14-18")
    free = next(s for s in duty.a_staff if not Shift.objects.filter(staff=s, date=TUESDAY).exists())
    shift = assign_shift(
        roster,
        staff=free,
        checkpoint=duty.world.gate_a,
        date=TUESDAY,
        template=duty.templates["14-18"],
        actor=duty.admin,
    )
    assert shift.locked and shift.source == "hand"
    assert not Shift.objects.filter(pk=cell.pk).exists()
    assert list(roster.shifts.filter(checkpoint=duty.world.gate_a, date=TUESDAY, template__code="14-18")) == [
        shift
    ]
    log = AuditLog.objects.get(action="shift.assign")
    assert log.detail["replaced_staff"] == cell.staff_id
    # The cell is now full of locked people: the one who made way cannot push back in.
    with pytest.raises(InvalidInput) as err:
        assign_shift(
            roster,
            staff=cell.staff,
            checkpoint=duty.world.gate_a,
            date=TUESDAY,
            template=duty.templates["14-18"],
            actor=duty.admin,
        )
    assert err.value.code == "shift_cell_full"
    # The same person in the same cell again is just that cell.
    again = assign_shift(
        roster,
        staff=free,
        checkpoint=duty.world.gate_a,
        date=TUESDAY,
        template=duty.templates["14-18"],
        actor=duty.admin,
    )
    assert again.pk == shift.pk


def test_a_closed_gate_and_a_person_of_another_community_are_refused(duty: Duty, roster: Roster) -> None:
    a4 = duty.staff("a4")
    with pytest.raises(InvalidInput) as err:
        assign_shift(
            roster,
            staff=a4,
            checkpoint=duty.world.gate_a2,
            date=TUESDAY,
            template=duty.templates["06-10"],
            actor=duty.admin,
        )
    assert err.value.code == "shift_cell_closed" and "小酱坊胡同西口" in err.value.message("zh-hans")
    with pytest.raises(InvalidInput) as err:
        assign_shift(
            roster,
            staff=a4,
            checkpoint=duty.world.gate_b,
            date=TUESDAY,
            template=duty.templates["06-10"],
            actor=duty.admin,
        )
    assert err.value.code == "staff_not_at_gate"
    with pytest.raises(InvalidInput) as err:
        assign_shift(
            roster,
            staff=a4,
            checkpoint=duty.world.gate_a,
            date=dt.date(2020, 3, 9),
            template=duty.templates["06-10"],
            actor=duty.admin,
        )
    assert err.value.code == "shift_date_outside"


def test_lock_and_unlock_are_audited_once_and_safe_to_repeat(duty: Duty, roster: Roster) -> None:
    shift = at_gate_a(roster, TUESDAY, "06-10")
    lock_shift(shift, actor=duty.admin)
    lock_shift(shift, actor=duty.admin)
    shift.refresh_from_db()
    assert shift.locked
    unlock_shift(shift, actor=duty.admin)
    shift.refresh_from_db()
    assert not shift.locked
    assert list(
        AuditLog.objects.filter(object_type="Shift", object_id=str(shift.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "shift.lock",
        "shift.unlock",
    ]


def test_remove_refuses_a_shift_begun_or_signed_in_for(duty: Duty, roster: Roster) -> None:
    shift = at_gate_a(roster, TUESDAY, "18-22")
    remove_shift(shift, actor=duty.admin)
    assert not Shift.objects.filter(pk=shift.pk).exists()
    publish_roster(roster, actor=duty.admin)  # a sign-in counts for a Shift of a published roster
    monday = at_gate_a(roster, MONDAY, "06-10")
    with time_machine.travel(dt.datetime(2020, 3, 2, 5, 50, tzinfo=SHANGHAI), tick=False):
        sign_in(monday.staff, checkpoint=duty.world.gate_a)
        with pytest.raises(InvalidInput) as err:
            remove_shift(monday, actor=duty.admin)
    assert err.value.code == "shift_has_attendance"
    with (
        time_machine.travel(dt.datetime(2020, 3, 2, 6, 5, tzinfo=SHANGHAI), tick=False),
        pytest.raises(InvalidInput) as err,
    ):
        remove_shift(monday, actor=duty.admin)
    assert err.value.code == "shift_started"


def test_publish_is_audited_once(duty: Duty, roster: Roster) -> None:
    publish_roster(roster, actor=duty.admin)
    publish_roster(roster, actor=duty.admin)
    roster.refresh_from_db()
    assert roster.status == "published" and roster.published_by == duty.admin and roster.published_at == NOW
    (log,) = AuditLog.objects.filter(action="roster.publish")
    assert log.detail == {"shifts": 18, "empty": 0}


def test_only_the_coordinator_edits(duty: Duty, roster: Roster) -> None:
    shift = at_gate_a(roster, TUESDAY, "06-10")
    for user in (duty.world.worker, duty.world.gate_user, duty.world.health):
        with pytest.raises(Forbidden):
            lock_shift(shift, actor=user)
        with pytest.raises(Forbidden):
            publish_roster(roster, actor=user)
    other = Subdistrict.objects.create(code="other", name="别的街道")
    stranger = make_staff("other-admin", Role.SUBDISTRICT_ADMIN, other, [])
    with pytest.raises(Forbidden) as err:
        remove_shift(shift, actor=stranger)
    assert err.value.code == "not_your_subdistrict"
    foreign = ShiftTemplate.objects.create(subdistrict=other, code="06-10", start=dt.time(6))
    with pytest.raises(NotFound) as not_found:
        assign_shift(
            roster,
            staff=duty.staff("a1"),
            checkpoint=duty.world.gate_a,
            date=TUESDAY,
            template=foreign,
            actor=duty.admin,
        )
    assert not_found.value.code == "template_unknown"
