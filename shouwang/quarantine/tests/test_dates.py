"""Where quarantine dates break (issue 5): leap days, half past midnight, month ends, release-due
around local midnight, and a server clock in UTC while the community is in Asia/Shanghai."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
import time_machine
from django.test import override_settings

from conftest import World
from shouwang.quarantine.choices import PlanStatus, Source
from shouwang.quarantine.dates import quarantine_span
from shouwang.quarantine.models import QuarantinePlan
from shouwang.quarantine.services import (
    PersonIn,
    TripIn,
    plans_due_for_release,
    register_returnee,
    release_due,
)
from shouwang.screening.identify import Identifier
from shouwang.screening.services import record_screening

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=SHANGHAI)


def register(world: World, arrived_at: dt.datetime) -> QuarantinePlan:
    return register_returnee(
        world.community_a,
        person=PersonIn(resident=world.resident.pk),
        trip=TripIn(origin="420102", arrived_at=arrived_at, transport="train", transport_number="G508"),
        source=Source.WORKER,
        actor=world.worker,
    )


def test_span_is_pure_and_counts_the_arrival_as_day_one() -> None:
    span = quarantine_span(local(2020, 2, 29, 21, 30), SHANGHAI)
    assert (span.first_day, span.last_day, span.free_from, span.days) == (
        dt.date(2020, 2, 29),
        dt.date(2020, 3, 13),
        dt.date(2020, 3, 14),
        14,
    )
    assert span.day_number(dt.date(2020, 3, 13)) == 14
    assert quarantine_span(local(2020, 3, 1, 8), SHANGHAI, days=7).last_day == dt.date(2020, 3, 7)
    with pytest.raises(ValueError, match="timezone-aware"):
        quarantine_span(dt.datetime(2020, 3, 1, 8), SHANGHAI)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="at least 1"):
        quarantine_span(local(2020, 3, 1, 8), SHANGHAI, days=0)


@time_machine.travel(local(2020, 3, 1, 10, 0), tick=False)
def test_leap_day_arrival_at_half_past_nine_in_the_evening(world: World) -> None:
    plan = register(world, local(2020, 2, 29, 21, 30))
    assert (plan.first_day, plan.last_day) == (dt.date(2020, 2, 29), dt.date(2020, 3, 13))
    assert plan.returnee.arrived_at == dt.datetime(2020, 2, 29, 13, 30, tzinfo=dt.UTC)


@time_machine.travel(local(2020, 3, 2, 9, 0), tick=False)
def test_arrival_at_half_past_midnight_counts_from_that_local_date(world: World) -> None:
    # 00:30 in Beijing is 16:30 UTC of the day before: the UTC date would give 29 Feb.
    arrived = local(2020, 3, 1, 0, 30)
    assert arrived.astimezone(dt.UTC).date() == dt.date(2020, 2, 29)
    plan = register(world, arrived)
    assert (plan.first_day, plan.last_day) == (dt.date(2020, 3, 1), dt.date(2020, 3, 14))


@time_machine.travel(local(2020, 3, 20, 12, 0), tick=False)
def test_plan_crossing_a_month_end(world: World) -> None:
    plan = register(world, local(2020, 3, 20, 7, 15))
    assert (plan.first_day, plan.last_day) == (dt.date(2020, 3, 20), dt.date(2020, 4, 2))


@time_machine.travel(local(2020, 12, 25, 12, 0), tick=False)
def test_plan_crossing_a_year_end(world: World) -> None:
    plan = register(world, local(2020, 12, 25, 7, 15))
    assert plan.last_day == dt.date(2021, 1, 7)


def _release_due_at(world: World, moment: dt.datetime) -> int:
    with time_machine.travel(moment, tick=False):
        due = plans_due_for_release([world.community_a])
        return release_due(due, actor=world.admin)


def test_release_due_just_before_and_just_after_local_midnight(world: World) -> None:
    with time_machine.travel(local(2020, 2, 29, 22, 0), tick=False):
        plan = register(world, local(2020, 2, 29, 21, 30))
    # 23:59:59 on the last day (15:59:59 UTC): still in quarantine, nothing to release.
    assert _release_due_at(world, local(2020, 3, 13, 23, 59, 59)) == 0
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    # 00:00:01 on day 15: free, released, and free from that very date.
    assert _release_due_at(world, local(2020, 3, 14, 0, 0, 1)) == 1
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == (PlanStatus.RELEASED, dt.date(2020, 3, 14))
    # A second run releases nothing twice.
    assert _release_due_at(world, local(2020, 3, 14, 0, 5)) == 0


@override_settings(TIME_ZONE="UTC")
def test_server_in_utc_community_in_shanghai(world: World) -> None:
    """The server's own zone never decides a local date: 2020-03-13 16:30 UTC is already
    2020-03-14 00:30 in Beijing, so the plan is due and the gate lets the person out."""
    with time_machine.travel(dt.datetime(2020, 2, 29, 14, 0, tzinfo=dt.UTC), tick=False):
        plan = register(world, dt.datetime(2020, 2, 29, 13, 30, tzinfo=dt.UTC))  # 21:30 local
    assert plan.first_day == dt.date(2020, 2, 29)
    just_before = dt.datetime(2020, 3, 13, 15, 59, tzinfo=dt.UTC)  # 23:59 local on the last day
    with time_machine.travel(just_before, tick=False):
        assert plans_due_for_release([world.community_a]) == []
        stopped = record_screening(
            Identifier(pass_number=world.pass_.number),
            checkpoint=world.gate_a,
            direction="out",
            temperature=None,
            mask=True,
            actor=world.gate_user,
            occurred_at=just_before,
        ).event
        assert (stopped.decision, stopped.reasons[0]) == ("deny", "quarantine_active")
    just_after = dt.datetime(2020, 3, 13, 16, 30, tzinfo=dt.UTC)
    with time_machine.travel(just_after, tick=False):
        assert [p.pk for p in plans_due_for_release([world.community_a])] == [plan.pk]
        out = record_screening(
            Identifier(pass_number=world.pass_.number),
            checkpoint=world.gate_a,
            direction="out",
            temperature=None,
            mask=True,
            actor=world.gate_user,
        ).event
        assert (out.local_date, out.decision) == (dt.date(2020, 3, 14), "admit")


@time_machine.travel(local(2020, 3, 5, 8, 0), tick=False)
def test_an_arrival_whose_quarantine_is_already_over_is_refused(world: World, settings: Any) -> None:
    from shouwang.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        register(world, local(2020, 2, 20, 8, 0))  # free from 5 March
    assert err.value.code == "arrived_at_too_old"
    assert "2020-03-05" in err.value.message("en")
    assert QuarantinePlan.objects.count() == 0
