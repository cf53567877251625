"""Retention purge: what goes after its period, what stays, the counts kept, dry runs, reruns."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from typing import Any

import time_machine
from django.core.management import call_command
from django.db.models import Sum

from conftest import World, start_quarantine
from shouwang.core.models import AuditLog
from shouwang.passes.services import qr_payload
from shouwang.privacy.models import DailyCount, PurgeRun
from shouwang.privacy.services import purge
from shouwang.quarantine.models import FollowUp, QuarantinePlan, Returnee
from shouwang.quarantine.services import record_follow_up
from shouwang.screening.choices import AlertKind
from shouwang.screening.identify import Identifier
from shouwang.screening.models import Alert, ScreeningEvent
from shouwang.screening.services import record_screening
from shouwang.visitors.choices import HostKind
from shouwang.visitors.models import Delivery, Visit, Visitor
from shouwang.visitors.services import HostIn, VisitorIn, register_delivery, register_visit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY1 = dt.date(2020, 3, 1)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def screen(world: World, when: dt.datetime, temperature: str = "366") -> Any:
    with time_machine.travel(when, tick=False):
        return record_screening(
            Identifier(qr=qr_payload(world.pass_)),
            checkpoint=world.gate_a,
            direction="in",
            temperature=temperature,
            mask=True,
            actor=world.gate_user,
        )


def visit(world: World, when: dt.datetime) -> Any:
    with time_machine.travel(when, tick=False):
        return register_visit(
            world.gate_a,
            visitor=VisitorIn(name="李四", phone="138 0013 8000", id_number="110102199003070034"),
            host=HostIn(HostKind.HOUSEHOLD, world.resident.household.pk),
            reason="探亲",
            temperature="366",
            mask=True,
            actor=world.gate_user,
        )


def deliver(world: World, when: dt.datetime) -> Any:
    with time_machine.travel(when, tick=False):
        return register_delivery(
            world.gate_a,
            platform="meituan",
            phone="13900139000",
            temperature="365",
            mask=True,
            actor=world.gate_user,
        )


def test_screenings_go_on_day_29_and_their_counts_stay(world: World) -> None:
    screen(world, at(DAY1, 8, 5))
    screen(world, at(DAY1, 8, 40), temperature="375")  # a fever: retest, counted as a fever
    screen(world, at(DAY1 + dt.timedelta(days=1), 9))
    # On D + 28 the first day is still kept.
    result = purge(now=at(DAY1 + dt.timedelta(days=28), 23, 59))
    assert result.deleted["screenings"] == 0
    assert ScreeningEvent.objects.count() == 3
    # From D + 29 (local) it goes; the next day stays one day longer.
    result = purge(now=at(DAY1 + dt.timedelta(days=29), 0, 1))
    assert result.deleted["screenings"] == 2
    assert list(ScreeningEvent.objects.values_list("local_date", flat=True)) == [DAY1 + dt.timedelta(days=1)]
    cells = DailyCount.objects.filter(local_date=DAY1)
    assert cells.aggregate(n=Sum("count"), f=Sum("fevers")) == {"n": 2, "f": 1}
    assert {(c.local_hour, c.decision) for c in cells} == {(8, "admit"), (8, "retest")}
    assert result.run is not None and result.run.deleted["screenings"] == 2
    assert result.cutoffs["tps"]["screenings"] == "2020-03-02"


def test_counts_plus_raw_rows_always_add_up(world: World) -> None:
    for day in range(3):
        for hour in (7, 18):
            screen(world, at(DAY1 + dt.timedelta(days=day), hour))
    before = ScreeningEvent.objects.count()
    purge(now=at(DAY1 + dt.timedelta(days=30), 3))  # the first two days go
    kept = DailyCount.objects.aggregate(n=Sum("count"))["n"]
    assert kept == 4
    assert kept + ScreeningEvent.objects.count() == before
    purge(now=at(DAY1 + dt.timedelta(days=30), 4))  # a rerun finds nothing more
    assert DailyCount.objects.aggregate(n=Sum("count"))["n"] == 4


def test_visits_deliveries_and_visitors_go_after_their_period(world: World) -> None:
    visit(world, at(DAY1, 10))
    deliver(world, at(DAY1, 12))
    assert Visitor.objects.count() == 1
    purge(now=at(DAY1 + dt.timedelta(days=29), 1))
    assert Visit.objects.count() == 0
    assert Delivery.objects.count() == 0
    assert Visitor.objects.count() == 0, "a visitor with no visit left is personal data with no purpose"
    kinds = set(DailyCount.objects.values_list("kind", "decision"))
    assert ("visit", "admit") in kinds and ("delivery", "admit") in kinds


def test_a_visitor_who_came_back_recently_is_kept(world: World) -> None:
    visit(world, at(DAY1, 10))
    visit(world, at(DAY1 + dt.timedelta(days=20), 10))
    purge(now=at(DAY1 + dt.timedelta(days=29), 1))
    assert Visit.objects.count() == 1
    assert Visitor.objects.count() == 1


def test_quarantine_records_go_after_the_quarantine_period(world: World) -> None:
    last_day = DAY1 + dt.timedelta(days=13)
    with time_machine.travel(at(DAY1, 12), tick=False):
        plan = start_quarantine(world, world.resident, last_day)
    with time_machine.travel(at(DAY1 + dt.timedelta(days=2), 9), tick=False):
        record_follow_up(
            plan, slot="am", temperature="378", symptoms=["cough"], method="phone", actor=world.worker
        )
    assert Alert.objects.filter(kind=AlertKind.FOLLOWUP_FEVER).count() == 1
    # 180 days after the last day the plan is still kept; the day after it goes.
    purge(now=at(last_day + dt.timedelta(days=180), 12))
    assert QuarantinePlan.objects.count() == 1
    result = purge(now=at(last_day + dt.timedelta(days=181), 12))
    assert result.deleted["quarantine_plans"] == 1
    assert result.deleted["follow_ups"] == 1
    assert (QuarantinePlan.objects.count(), FollowUp.objects.count(), Returnee.objects.count()) == (0, 0, 0)
    assert Alert.objects.filter(kind=AlertKind.FOLLOWUP_FEVER).count() == 0
    world.resident.refresh_from_db()  # the resident stays in the community's register


def test_policy_sets_the_periods(world: World) -> None:
    world.subdistrict.policy = {"retention_screening_days": 7}
    world.subdistrict.save()
    screen(world, at(DAY1, 8))
    assert purge(now=at(DAY1 + dt.timedelta(days=8), 0, 30)).deleted["screenings"] == 1


def test_dry_run_counts_and_changes_nothing(world: World) -> None:
    screen(world, at(DAY1, 8))
    visit(world, at(DAY1, 10))
    result = purge(now=at(DAY1 + dt.timedelta(days=40), 8), dry_run=True)
    assert (result.deleted["screenings"], result.deleted["visits"], result.deleted["visitors"]) == (1, 1, 1)
    assert result.run is None
    assert ScreeningEvent.objects.count() == 1 and Visit.objects.count() == 1
    assert not DailyCount.objects.exists() and not PurgeRun.objects.exists()


def test_a_purge_is_recorded_and_audited(world: World) -> None:
    screen(world, at(DAY1, 8))
    result = purge(now=at(DAY1 + dt.timedelta(days=40), 8), actor=world.admin)
    run = PurgeRun.objects.get()
    assert run == result.run and run.actor == world.admin and run.finished_at is not None
    log = AuditLog.objects.get(action="privacy.purge")
    assert log.community == world.community_a
    assert log.detail["deleted"]["screenings"] == 1


def test_purge_command_prints_both_languages(world: World) -> None:
    screen(world, at(DAY1, 8))
    out = io.StringIO()
    call_command("purge", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "试运行" in text and "dry run" in text
    assert "测温查证记录 screenings: 1" in text
    assert ScreeningEvent.objects.count() == 1
    out = io.StringIO()
    call_command("purge", stdout=out)
    assert "测温查证记录 screenings: 1" in out.getvalue()
    assert ScreeningEvent.objects.count() == 0


def test_the_dashboard_still_shows_a_purged_day(world: World) -> None:
    from shouwang.dashboard.figures import Scope, day_figures

    screen(world, at(DAY1, 8, 5))
    screen(world, at(DAY1, 9, 10), temperature="375")
    visit(world, at(DAY1, 10))
    deliver(world, at(DAY1, 12))
    scope = Scope(subdistrict=world.subdistrict, community=world.community_a)
    later = at(DAY1 + dt.timedelta(days=40), 8)
    before = day_figures(scope, DAY1, now=later).as_dict()
    purge(now=later)
    assert ScreeningEvent.objects.count() == 0 and Visit.objects.count() == 0
    after = day_figures(scope, DAY1, now=later).as_dict()
    for key in ("screenings", "screenings_total", "fevers", "visits", "visits_admitted", "deliveries"):
        assert after[key] == before[key], key
    assert after["gates"] == before["gates"]
    assert before["screenings_total"] == 2 and before["fevers"] == 1 and before["deliveries"] == 1
