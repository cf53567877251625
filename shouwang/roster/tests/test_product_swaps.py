"""Swap requests: offered and taken, approved (the Shift moves, re-checked for rest and
overlap) or rejected by the coordinator, withdrawn by the asker; all audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from conftest import World
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.core.models import AuditLog, Staff
from shouwang.roster.models import Roster, Shift, SwapRequest
from shouwang.roster.selectors import get_swap, list_swaps
from shouwang.roster.services import (
    assign_shift,
    cancel_swap,
    decide_swap,
    publish_roster,
    remove_shift,
    request_swap,
    solve_roster,
)
from shouwang.roster.tests.test_product_world import FAST, MONDAY, NOW, Duty, make_duty

TUESDAY = MONDAY + dt.timedelta(days=1)
WEDNESDAY = MONDAY + dt.timedelta(days=2)


@pytest.fixture
def duty(world: World) -> Iterator[Duty]:
    with time_machine.travel(NOW, tick=False):
        yield make_duty(world)


@pytest.fixture
def roster(duty: Duty) -> Roster:
    sub = duty.world.subdistrict
    sub.policy = {"roster_min_rest_hours": 10}
    sub.save()
    outcome = solve_roster(sub, start=MONDAY, days=3, actor=duty.admin, time_limit_s=FAST)
    assert outcome.roster is not None
    publish_roster(outcome.roster, actor=duty.admin)
    return outcome.roster


def gate_a(roster: Roster, date: dt.date, code: str) -> Shift:
    return roster.shifts.select_related("staff__user", "checkpoint").get(
        checkpoint__code="lixue-e", date=date, template__code=code
    )


def idle_on(duty: Duty, *dates: dt.date) -> Staff:
    """A community-A person with no Shift on any of ``dates``."""
    return next(s for s in duty.a_staff if not Shift.objects.filter(staff=s, date__in=dates).exists())


def test_an_offer_approved_moves_the_shift_and_locks_it(duty: Duty, roster: Roster) -> None:
    shift = gate_a(roster, WEDNESDAY, "10-14")
    giver = shift.staff
    taker = idle_on(duty, WEDNESDAY)
    swap = request_swap(shift, actor=giver.user, to_staff=taker, reason="家中有事")
    assert (swap.kind, swap.status, swap.from_staff, swap.to_staff) == ("offer", "pending", giver, taker)
    assert request_swap(shift, actor=giver.user, to_staff=taker).pk == swap.pk  # a double tap
    decided = decide_swap(swap, approve=True, actor=duty.admin, note="同意")
    assert decided.status == "approved" and decided.decided_by == duty.admin
    shift.refresh_from_db()
    assert (shift.staff, shift.locked, shift.source) == (taker, True, "swap")
    log = AuditLog.objects.get(action="swap.approve")
    assert (log.detail["from_staff"], log.detail["to_staff"]) == (giver.pk, taker.pk)
    assert AuditLog.objects.filter(action="swap.request", object_id=str(swap.pk)).count() == 1


def test_approval_re_checks_that_the_new_person_is_rested(duty: Duty, roster: Roster) -> None:
    shift = gate_a(roster, WEDNESDAY, "06-10")
    taker = idle_on(duty, WEDNESDAY)
    # Free on Tuesday when asked (a Tuesday evening shift of the solved roster would already be
    # too close to Wednesday 06:00, and the request itself would be refused).
    for mine in Shift.objects.filter(staff=taker, date=TUESDAY):
        remove_shift(mine, actor=duty.admin)
    swap = request_swap(shift, actor=shift.staff.user, to_staff=taker)
    # Meanwhile the coordinator moves the taker to Tuesday 18–22: 8 h before 06:00, less than 10.
    assign_shift(
        roster,
        staff=taker,
        checkpoint=duty.world.gate_a,
        date=TUESDAY,
        template=duty.templates["18-22"],
        actor=duty.admin,
    )
    with pytest.raises(InvalidInput) as err:
        decide_swap(swap, approve=True, actor=duty.admin)
    assert err.value.code == "shift_rest_short"
    assert "only 8 h between the two, less than the 10 h rest" in err.value.message("en")
    swap.refresh_from_db()
    shift.refresh_from_db()
    assert swap.status == "pending" and shift.staff != taker
    rejected = decide_swap(swap, approve=False, actor=duty.admin, note="休息不足")
    assert rejected.status == "rejected" and rejected.decision_note == "休息不足"
    assert AuditLog.objects.filter(action="swap.reject").exists()
    with pytest.raises(InvalidInput) as err:
        decide_swap(swap, approve=True, actor=duty.admin)
    assert err.value.code == "swap_decided"


def test_a_request_to_someone_busy_then_is_refused_at_once(duty: Duty, roster: Roster) -> None:
    shift = gate_a(roster, WEDNESDAY, "06-10")
    busy = gate_a(roster, WEDNESDAY, "10-14").staff
    with pytest.raises(InvalidInput) as err:
        request_swap(shift, actor=shift.staff.user, to_staff=busy)
    assert err.value.code in ("shift_rest_short", "shift_per_day_max")
    assert not SwapRequest.objects.exists()


def test_a_colleague_asks_to_take_and_an_open_offer_needs_a_name(duty: Duty, roster: Roster) -> None:
    shift = gate_a(roster, WEDNESDAY, "14-18")
    taker = idle_on(duty, WEDNESDAY)
    take = request_swap(shift, actor=taker.user)
    assert (take.kind, take.to_staff) == ("take", taker)
    with pytest.raises(InvalidInput) as err:
        request_swap(shift, actor=taker.user, to_staff=shift.staff)
    assert err.value.code == "swap_take_for_self"
    offer = request_swap(shift, actor=shift.staff.user, reason="想休息")
    assert offer.to_staff is None
    with pytest.raises(InvalidInput) as err:
        decide_swap(offer, approve=True, actor=duty.admin)
    assert err.value.code == "swap_to_required"
    decide_swap(offer, approve=True, actor=duty.admin, to_staff=taker)
    take.refresh_from_db()
    assert (take.status, take.decision_note) == ("rejected", "superseded")
    assert Shift.objects.get(pk=shift.pk).staff == taker


def test_swaps_are_seen_by_whom_they_concern(duty: Duty, roster: Roster) -> None:
    shift = gate_a(roster, WEDNESDAY, "14-18")
    taker = idle_on(duty, WEDNESDAY)
    swap = request_swap(shift, actor=taker.user)
    assert [s.pk for s in list_swaps(duty.admin)] == [swap.pk]
    assert [s.pk for s in list_swaps(shift.staff.user)] == [swap.pk]
    outsider = next(s for s in duty.a_staff if s not in (taker, shift.staff))
    assert list_swaps(outsider.user) == []
    with pytest.raises(NotFound):
        get_swap(outsider.user, swap.pk)
    with pytest.raises(NotFound):
        cancel_swap(swap, actor=outsider.user)
    assert cancel_swap(swap, actor=taker.user).status == "cancelled"


def test_draft_rosters_started_shifts_and_coordinators_cannot_be_swapped(duty: Duty, roster: Roster) -> None:
    shift = gate_a(roster, WEDNESDAY, "06-10")
    with pytest.raises(Forbidden):
        request_swap(shift, actor=duty.admin)
    roster.status = "draft"
    roster.save()
    with pytest.raises(NotFound):
        request_swap(shift, actor=shift.staff.user)
    roster.status = "published"
    roster.save()
    with (
        time_machine.travel(dt.datetime(2020, 3, 4, 6, 30, tzinfo=shift.community.tz), tick=False),
        pytest.raises(InvalidInput) as err,
    ):
        request_swap(shift, actor=shift.staff.user)
    assert err.value.code == "shift_started"


def test_a_swap_naming_someone_cannot_be_approved_for_another(duty: Duty, roster: Roster) -> None:
    shift = gate_a(roster, WEDNESDAY, "14-18")
    taker = idle_on(duty, WEDNESDAY)
    take = request_swap(shift, actor=taker.user)
    someone_else = next(s for s in duty.a_staff if s not in (taker, shift.staff))
    with pytest.raises(InvalidInput) as err:
        decide_swap(take, approve=True, actor=duty.admin, to_staff=someone_else)
    assert err.value.code == "swap_to_fixed" and taker.display_name in err.value.message("en")
    assert Shift.objects.get(pk=shift.pk).staff == shift.staff
