"""Monday 2 March 2020 at both communities, written through every app's services: the record
the dashboard tests count (the roster world of the roster tests: a published roster from that
day, 力学胡同东口 staffed round the clock, 东斜街北口 06–14)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import time_machine

from conftest import World
from shouwang.incidents.services import close_incident, raise_incident
from shouwang.people.services import ResidentIn, upsert_resident
from shouwang.quarantine.choices import Source
from shouwang.quarantine.services import PersonIn, TripIn, record_follow_up, register_returnee
from shouwang.roster.models import Roster
from shouwang.roster.services import publish_roster, sign_in, sign_out, solve_roster
from shouwang.roster.tests.test_product_world import FAST, MONDAY, NOW, Duty, make_duty
from shouwang.screening.identify import Identifier
from shouwang.screening.services import record_screening
from shouwang.visitors.choices import HostKind
from shouwang.visitors.services import HostIn, VisitorIn, register_delivery, register_visit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = MONDAY  # 2020-03-02


def local(hour: int, minute: int = 0, day: dt.date = DAY) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def screen(world: World, gate: Any, at: dt.datetime, temperature: str = "36.5", **ident: Any) -> str:
    """One screening through the service at local instant ``at``; returns its decision."""
    actor = world.gate_user if gate.community_id == world.community_a.pk else world.other_gate_user
    ident = ident or {"pass_number": world.pass_.number}
    with time_machine.travel(at, tick=False):
        result = record_screening(
            Identifier(**ident),
            checkpoint=gate,
            direction="in",
            temperature=temperature,
            mask=True,
            actor=actor,
        )
    assert result.created
    return str(result.event.decision)


@dataclass
class Operation:
    world: World
    duty: Duty
    roster: Roster
    plan: Any
    now: dt.datetime  # 15:00 Monday local: the end of the story


@pytest.fixture
def operation(world: World) -> Iterator[Operation]:
    """Monday's record at both communities, written through the services."""
    with time_machine.travel(NOW, tick=False):
        duty = make_duty(world)
        outcome = solve_roster(world.subdistrict, start=MONDAY, days=1, actor=world.admin, time_limit_s=FAST)
        assert outcome.roster is not None
        roster = publish_roster(outcome.roster, actor=world.admin)
    a, b = world.gate_a, world.gate_b
    # 力学胡同东口: 张三 at 00:30 local (16:30 UTC on Sunday: still Monday's), 08:10 and 08:40;
    # a fever then its retest (referred) at 09:00; an unknown ID to register at 09:30.
    assert screen(world, a, local(0, 30)) == "admit"
    assert screen(world, a, local(8, 10)) == "admit"
    assert screen(world, a, local(8, 40)) == "admit"
    assert screen(world, a, local(9, 0), "37.8") == "retest"
    assert screen(world, a, local(9, 5), "37.9") == "refer"
    assert screen(world, a, local(9, 30), id_number="110102199003070034") == "register"
    # 东斜街北口 (西单北): a stranger at 23:50 local on Sunday (not Monday's) and twice Monday.
    assert screen(world, b, local(23, 50, DAY - dt.timedelta(days=1)), id_number="110102199003070034") == (
        "register"
    )
    assert screen(world, b, local(7, 15), id_number="110102199003070034") == "register"
    assert screen(world, b, local(7, 20), "36.4", id_number="110102199003070034") == "register"

    with time_machine.travel(local(10, 0), tick=False):
        register_visit(
            a,
            visitor=VisitorIn(name="李四", phone="13800138000", id_number="110102199003070034"),
            host=HostIn(HostKind.HOUSEHOLD, world.resident.household_id),
            reason="探亲",
            temperature="36.6",
            mask=True,
            actor=world.gate_user,
        )
        register_visit(
            a,
            visitor=VisitorIn(name="王五", phone="13900139000", id_type="passport", id_number="E12345678"),
            host=HostIn(HostKind.HOUSEHOLD, world.resident.household_id),
            reason="送药",
            temperature="36.7",
            mask=False,
            actor=world.gate_user,
        )
        register_delivery(
            b, platform="sf", phone="13600136000", temperature="36.4", mask=True, actor=world.other_gate_user
        )
        register_delivery(
            b,
            platform="meituan",
            phone="13600136001",
            temperature="36.5",
            mask=True,
            actor=world.other_gate_user,
        )
        register_delivery(
            a, platform="eleme", phone="13600136002", temperature="36.5", mask=True, actor=world.gate_user
        )

    # A returnee of 太仆寺街 arrived at 00:20 local on Monday; an older plan in force from Feb 20.
    li, _ = upsert_resident(
        world.community_a,
        ResidentIn(name="李梅", id_number="110102198505050020", address="力学胡同 5 号"),
        actor=world.admin,
    )
    old, _ = upsert_resident(
        world.community_a,
        ResidentIn(name="王芳", id_number="110102197003030041", address="力学胡同 7 号"),
        actor=world.admin,
    )
    with time_machine.travel(local(11, 0), tick=False):
        plan = register_returnee(
            world.community_a,
            person=PersonIn(resident=li.pk),
            trip=TripIn(origin="420102", arrived_at=local(0, 20), transport="train", transport_number="G508"),
            source=Source.WORKER,
            actor=world.worker,
        )
        older = register_returnee(
            world.community_a,
            person=PersonIn(resident=old.pk),
            trip=TripIn(
                origin="420102",
                arrived_at=local(21, 0, dt.date(2020, 2, 20)),
                transport="train",
                transport_number="G72",
            ),
            source=Source.WORKER,
            actor=world.worker,
        )
        # The morning slot of the old plan is recorded; the new plan's morning slot is overdue by 15:00.
        record_follow_up(older, temperature="36.5", method="phone", actor=world.worker, slot="am")
        record_follow_up(
            older,
            temperature="36.6",
            method="phone",
            actor=world.worker,
            slot="pm",
            local_date=DAY - dt.timedelta(days=1),
        )

    # Incidents: one at 东斜街北口 closed at noon, one at 力学胡同东口 still open, one from Sunday open.
    with time_machine.travel(local(20, 0, DAY - dt.timedelta(days=1)), tick=False):
        raise_incident(b, kind="no_mask", people="男，约 40 岁", actor=world.other_gate_user)
    with time_machine.travel(local(9, 40), tick=False):
        closed = raise_incident(
            b, kind="forced_entry", people="男，约 40 岁，黑色外套", actor=world.other_gate_user
        )
        raise_incident(a, kind="no_pass", people="女，约 30 岁", actor=world.gate_user)
    with time_machine.travel(local(12, 0), tick=False):
        close_incident(closed.incident, outcome="派出所已带走", actor=world.admin)

    # Attendance: the 06–10 people of both gates stood 05:55–10:05 and 06:00–10:00; the
    # 10–14 person of 力学胡同东口 signed in at 10:00 and is on duty now.
    shifts = {
        (s.checkpoint.code, s.template.code): s
        for s in roster.shifts.select_related("checkpoint", "template", "staff")
    }
    with time_machine.travel(local(5, 55), tick=False):
        sign_in(shifts[("lixue-e", "06-10")].staff, checkpoint=a)
    with time_machine.travel(local(6, 0), tick=False):
        sign_in(shifts[("dongxie-n", "06-10")].staff, checkpoint=b)
    with time_machine.travel(local(10, 0), tick=False):
        sign_out(shifts[("dongxie-n", "06-10")].staff)
        sign_in(shifts[("lixue-e", "10-14")].staff, checkpoint=a)
    with time_machine.travel(local(10, 5), tick=False):
        sign_out(shifts[("lixue-e", "06-10")].staff)
    yield Operation(world, duty, roster, plan, local(15, 0))
