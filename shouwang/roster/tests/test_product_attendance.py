"""Signing in and out of duty, and the duty hours that come from it: one open attendance per
person, refusals in words, hours per person and team beside the roster, late and absent, who is
on duty now. Times are Beijing time on Monday 2 March 2020."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine

from conftest import World
from shouwang.core.errors import Forbidden, InvalidInput
from shouwang.core.models import AuditLog
from shouwang.roster.models import Attendance, Roster, Shift
from shouwang.roster.selectors import duty_hours, on_duty_now
from shouwang.roster.services import close_attendance, publish_roster, sign_in, sign_out, solve_roster
from shouwang.roster.tests.test_product_world import FAST, MONDAY, NOW, SHANGHAI, Duty, make_duty


def monday(hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2020, 3, 2, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def duty(world: World) -> Iterator[Duty]:
    with time_machine.travel(NOW, tick=False):
        yield make_duty(world)


@pytest.fixture
def roster(duty: Duty) -> Roster:
    outcome = solve_roster(duty.world.subdistrict, start=MONDAY, days=3, actor=duty.admin, time_limit_s=FAST)
    assert outcome.roster is not None
    return publish_roster(outcome.roster, actor=duty.admin)


def on(roster: Roster, gate: str, code: str) -> Shift:
    return roster.shifts.select_related("staff__user").get(
        checkpoint__code=gate, date=MONDAY, template__code=code
    )


def at(moment: dt.datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def test_sign_in_links_the_rostered_shift_and_sign_out_closes_it(duty: Duty, roster: Roster) -> None:
    shift = on(roster, "lixue-e", "06-10")
    with at(monday(5, 55)):
        attendance = sign_in(shift.staff, checkpoint=duty.world.gate_a)
    assert attendance.shift == shift and attendance.local_date == MONDAY
    assert attendance.signed_in_at == monday(5, 55) and attendance.signed_out_at is None
    with at(monday(5, 56)):
        assert sign_in(shift.staff, checkpoint=duty.world.gate_a).pk == attendance.pk  # a double tap
    with at(monday(10, 2)):
        closed = sign_out(shift.staff)
    assert closed.pk == attendance.pk and closed.hours == pytest.approx(4 + 7 / 60)
    assert [a.action for a in AuditLog.objects.filter(object_type="Attendance").order_by("pk")] == [
        "attendance.sign_in",
        "attendance.sign_out",
    ]


def test_signing_in_at_another_gate_is_refused_with_the_gate_and_time(duty: Duty, roster: Roster) -> None:
    person = on(roster, "lixue-e", "18-22").staff
    with at(monday(18, 5)):
        sign_in(person, checkpoint=duty.world.gate_a)
    with at(monday(19, 0)), pytest.raises(InvalidInput) as err:
        sign_in(person, checkpoint=duty.world.gate_a2)
    assert err.value.code == "attendance_open_elsewhere"
    assert err.value.message("zh-hans") == (
        "您自 2020-03-02 18:05 起在“力学胡同东口”签到值守，尚未签退。请先在那里签退，再在此签到。"
    )
    assert "Sign out there first" in err.value.message("en")
    assert Attendance.objects.filter(staff=person).count() == 1  # nothing was closed silently


def test_sign_out_without_sign_in_and_bad_times_are_refused(duty: Duty, roster: Roster) -> None:
    person = on(roster, "lixue-e", "10-14").staff
    with at(monday(14, 0)), pytest.raises(InvalidInput) as err:
        sign_out(person)
    assert err.value.code == "attendance_not_signed_in"
    assert "Sign in first" in err.value.message("en")
    with at(monday(10, 0)):
        with pytest.raises(InvalidInput) as err:
            sign_in(person, checkpoint=duty.world.gate_a, at=dt.datetime(2020, 3, 2, 10, 0))  # noqa: DTZ001
        assert err.value.code == "attendance_at_naive"
        with pytest.raises(InvalidInput) as err:
            sign_in(person, checkpoint=duty.world.gate_a, at=monday(11, 0))
        assert err.value.code == "attendance_at_future"
        sign_in(person, checkpoint=duty.world.gate_a)
        with pytest.raises(InvalidInput) as err:
            sign_out(person, at=monday(9, 0))
        assert err.value.code == "attendance_out_before_in"
    with pytest.raises(Forbidden):
        sign_in(person, checkpoint=duty.world.gate_b)  # not a gate of their community


def test_duty_hours_per_person_and_team_with_late_absent_and_open(duty: Duty, roster: Roster) -> None:
    a_early, a_mid, a_after, a_late = (on(roster, "lixue-e", k) for k in ("06-10", "10-14", "14-18", "18-22"))
    b_early, b_mid = (on(roster, "dongxie-n", k) for k in ("06-10", "10-14"))
    gate_a, gate_b = duty.world.gate_a, duty.world.gate_b
    with at(monday(5, 55)):
        sign_in(a_early.staff, checkpoint=gate_a)
    with at(monday(6, 8)):
        sign_in(b_early.staff, checkpoint=gate_b)  # 8 minutes: within the 10-minute grace
    with at(monday(10, 0)):
        sign_out(b_early.staff)
    with at(monday(10, 2)):
        sign_out(a_early.staff)
    with at(monday(10, 15)):
        sign_in(a_mid.staff, checkpoint=gate_a)  # 15 minutes late
    with at(monday(14, 0)):
        sign_out(a_mid.staff)
    with at(monday(18, 5)):
        sign_in(a_late.staff, checkpoint=gate_a)  # and never signs out
    with at(monday(16, 0)):
        report = duty_hours(duty.world.subdistrict, MONDAY, MONDAY)
    people = {p.staff.pk: p for p in report.people}
    assert people[a_after.staff_id].absent == []  # still running at 16:00
    report = duty_hours(duty.world.subdistrict, MONDAY, MONDAY, now=monday(23, 0))
    people = {p.staff.pk: p for p in report.people}
    assert people[a_early.staff_id].attended_h == pytest.approx(4 + 7 / 60)
    assert people[a_mid.staff_id].attended_h == pytest.approx(3.75)
    assert people[b_early.staff_id].attended_h == pytest.approx(3 + 52 / 60)
    assert [(late.shift, late.minutes) for late in people[a_mid.staff_id].late] == [(a_mid, 15)]
    assert people[b_early.staff_id].late == [] and people[a_late.staff_id].late == []
    assert people[a_after.staff_id].absent == [a_after] and people[b_mid.staff_id].absent == [b_mid]
    assert [a.staff_id for a in people[a_late.staff_id].open] == [a_late.staff_id]
    assert people[a_late.staff_id].attended_h == 0  # open: not counted until closed
    assert all(p.rostered_h == 4 for p in people.values() if p.shifts == 1)
    teams = {t.name: t for t in report.teams}
    team1, team2 = teams["第一临时党支部"], teams["第二临时党支部"]
    assert (team1.people, team1.rostered_h, team1.late, team1.absent, team1.open) == (5, 16, 1, 1, 1)
    assert team1.attended_h == pytest.approx(4 + 7 / 60 + 3.75)
    assert (team2.people, team2.rostered_h, team2.absent) == (4, 8, 1)
    assert report.total.rostered_h == 24 and report.total.people == 9
    # The coordinator closes the forgotten one; it then counts.
    open_one = Attendance.objects.get(staff_id=a_late.staff_id)
    with at(monday(23, 0)):
        close_attendance(open_one, at=monday(22, 5), actor=duty.admin)
    report = duty_hours(duty.world.subdistrict, MONDAY, MONDAY, now=monday(23, 0))
    assert {p.staff.pk: p.attended_h for p in report.people}[a_late.staff_id] == pytest.approx(4)


def test_an_attendance_after_midnight_counts_on_its_own_local_day(duty: Duty, roster: Roster) -> None:
    person = on(roster, "lixue-e", "18-22").staff
    with at(dt.datetime(2020, 3, 3, 0, 30, tzinfo=SHANGHAI)):
        attendance = sign_in(person, checkpoint=duty.world.gate_a)
    assert attendance.local_date == dt.date(2020, 3, 3)  # 16:30 UTC on the 2nd
    assert attendance.shift is None


def test_on_duty_now_shows_who_is_there_and_who_is_missing(duty: Duty, roster: Roster) -> None:
    after = on(roster, "lixue-e", "14-18")
    early_b = on(roster, "dongxie-n", "06-10")
    with at(monday(6, 5)):
        sign_in(early_b.staff, checkpoint=duty.world.gate_b)
    with at(monday(14, 20)):
        now = on_duty_now(duty.world.community_a)
        assert now.expected == [after] and now.missing == [after] and now.present == []
        sign_in(after.staff, checkpoint=duty.world.gate_a)
        now = on_duty_now(duty.world.subdistrict)
    assert {a.staff_id for a in now.present} == {after.staff_id, early_b.staff_id}
    assert now.missing == []


def test_the_hours_report_and_the_grid_read_in_a_fixed_number_of_queries(duty: Duty, roster: Roster) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from shouwang.places.models import Checkpoint
    from shouwang.roster.models import Roster as RosterModel
    from shouwang.roster.selectors import grid

    def count() -> tuple[int, int]:
        fresh = RosterModel.objects.select_related("subdistrict").get(pk=roster.pk)
        with CaptureQueriesContext(connection) as for_grid:
            grid(fresh)
        with CaptureQueriesContext(connection) as for_hours:
            duty_hours(duty.world.subdistrict, MONDAY, MONDAY + dt.timedelta(days=2), now=monday(23, 0))
        return len(for_grid), len(for_hours)

    few = count()
    for person in duty.a_staff[:3]:
        shift = roster.shifts.filter(staff=person).order_by("starts_at").first()
        assert shift is not None
        with at(shift.starts_at + dt.timedelta(minutes=20)):
            sign_in(person, checkpoint=duty.world.gate_a)
        with at(shift.ends_at):
            sign_out(person)
    for i in range(5):
        Checkpoint.objects.create(community=duty.world.community_a, code=f"extra-{i}", name=f"示例口 {i}")
    assert count() == few
    assert few[0] <= 6 and few[1] <= 4
