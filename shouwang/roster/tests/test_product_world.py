"""The duty world the product tests share, and what the Instance built from it looks like.

A world-fixture sub-district plus two teams of extra gate staff: community A (太仆寺街社区) has
five gate staff (team 1, lead a1), community B (西单北社区) four (team 2, lead b1). 力学胡同东口
(gate A) needs one person on each of the four 4-hour shifts, 东斜街北口 (gate B) one on 06–10
and 10–14, 小酱坊胡同西口 (gate A2) is closed. It is Sunday 1 March 2020, 09:00 in Beijing; the
rosters start on Monday 2 March.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import World, make_staff
from shouwang.core.choices import Role
from shouwang.core.models import Staff, Team
from shouwang.roster.build import build_instance
from shouwang.roster.models import ShiftTemplate
from shouwang.roster.services import ensure_default_templates, set_staffing_level

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 9, 0, tzinfo=SHANGHAI)
MONDAY = dt.date(2020, 3, 2)
FAST = 5.0
"""Seconds: a limit, the small instances solve to optimal in well under a second."""


@dataclass
class Duty:
    world: World
    templates: dict[str, ShiftTemplate]
    team1: Team
    team2: Team
    a_staff: list[Staff]
    b_staff: list[Staff]

    @property
    def admin(self) -> Any:
        return self.world.admin

    def staff(self, username: str) -> Staff:
        return Staff.objects.select_related("user").get(user__username=username)


def make_duty(world: World) -> Duty:
    sub = world.subdistrict
    team1 = Team.objects.create(subdistrict=sub, name="第一临时党支部")
    team2 = Team.objects.create(subdistrict=sub, name="第二临时党支部")
    a_users = [make_staff(f"a{i}", Role.GATE_STAFF, sub, [world.community_a]) for i in range(1, 5)]
    b_users = [make_staff(f"b{i}", Role.GATE_STAFF, sub, [world.community_b]) for i in range(1, 4)]
    Staff.objects.filter(user__in=a_users).update(team=team1)
    Staff.objects.filter(user__in=b_users).update(team=team2)
    Staff.objects.filter(user__username__in=["a1", "b1"]).update(is_lead=True)
    Staff.objects.filter(user=world.gate_user).update(team=team1)
    Staff.objects.filter(user=world.other_gate_user).update(team=team2)
    templates = {t.code: t for t in ensure_default_templates(sub, actor=world.admin)}
    for code, t in templates.items():
        set_staffing_level(world.gate_a, template=t, staff_needed=1, actor=world.admin)
        set_staffing_level(world.gate_a2, template=t, staff_needed=0, actor=world.admin)
        set_staffing_level(
            world.gate_b, template=t, staff_needed=1 if code in ("06-10", "10-14") else 0, actor=world.admin
        )
    a_staff = list(Staff.objects.filter(communities=world.community_a, role=Role.GATE_STAFF).order_by("pk"))
    b_staff = list(Staff.objects.filter(communities=world.community_b, role=Role.GATE_STAFF).order_by("pk"))
    return Duty(world, templates, team1, team2, a_staff, b_staff)


@pytest.fixture
def duty(world: World) -> Duty:
    return make_duty(world)


def test_the_instance_has_the_gates_staff_and_needs_of_the_database(duty: Duty) -> None:
    built = build_instance(duty.world.subdistrict, start=MONDAY, days=3, now=NOW)
    inst = built.instance
    assert [s.code for s in inst.shifts] == ["06-10", "10-14", "14-18", "18-22"]
    assert {s.label() for s in inst.shifts} == {"06:00–10:00", "10:00–14:00", "14:00–18:00", "18:00–22:00"}
    by_code = {c.code: c for c in inst.checkpoints}
    assert by_code["lixue-e"].name == "力学胡同东口"
    assert [by_code["lixue-e"].needed(k, 0) for k in ("06-10", "10-14", "14-18", "18-22")] == [1, 1, 1, 1]
    assert [by_code["dongxie-n"].needed(k, 2) for k in ("06-10", "10-14", "14-18", "18-22")] == [1, 1, 0, 0]
    assert by_code["xiaojiangfang-w"].staff_needed == {}
    members = {m.name: m for m in inst.staff}
    assert len(members) == 9  # 5 + 4 gate staff; the admin, worker and health station are not rostered
    assert members["a1"].is_lead and members["a1"].team == str(duty.team1.pk)
    assert members["a2"].checkpoints == frozenset({"lixue-e", "xiaojiangfang-w"})
    assert members["b2"].checkpoints == frozenset({"dongxie-n"})
    assert inst.rules.min_rest_hours == 8 and inst.rules.max_shifts_per_day == 1


def test_rules_come_from_the_subdistrict_policy_with_the_model_defaults(duty: Duty) -> None:
    sub = duty.world.subdistrict
    sub.policy = {
        "roster_min_rest_hours": 10,
        "roster_max_consecutive_days": None,
        "roster_max_hours_per_week": "24",
        "roster_min_days_off": "many",  # a typo keeps the default rather than stopping the gates
        "fever_c": "37.5",
    }
    sub.save()
    inst = build_instance(sub, start=MONDAY, days=3, now=NOW).instance
    assert inst.rules.min_rest_hours == 10
    assert inst.rules.max_consecutive_days is None
    assert inst.rules.min_days_off is None
    assert inst.rules.max_shifts_per_day == 1
    assert {m.max_hours_per_week for m in inst.staff} == {24.0}


def test_time_away_becomes_unavailability(duty: Duty) -> None:
    from shouwang.roster.services import record_availability

    a2 = duty.staff("a2")
    record_availability(a2, actor=duty.admin, date=dt.date(2020, 3, 3), reason="体检")
    a3 = duty.staff("a3")
    record_availability(
        a3,
        actor=a3.user,
        starts_at=dt.datetime(2020, 3, 2, 12, 0, tzinfo=SHANGHAI),
        ends_at=dt.datetime(2020, 3, 2, 15, 0, tzinfo=SHANGHAI),
        reason="单位开会",
    )
    members = {
        m.name: m
        for m in build_instance(duty.world.subdistrict, start=MONDAY, days=3, now=NOW).instance.staff
    }
    assert members["a2"].unavailable_dates == frozenset({dt.date(2020, 3, 3)})
    (away,) = members["a3"].unavailable_times
    assert away.start.astimezone(SHANGHAI).hour == 12 and away.end.astimezone(SHANGHAI).hour == 15
