"""What a newcomer broke in the first try-out, each now a refusal in words (or a page that works)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import ZHANG_SAN_ID, World, start_quarantine
from shouwang.core.auth import create_token
from shouwang.core.errors import InvalidInput
from shouwang.core.models import AuditLog
from shouwang.people.models import Resident
from shouwang.people.services import ResidentIn, upsert_resident
from shouwang.quarantine.choices import Source
from shouwang.quarantine.models import FollowUp, QuarantinePlan
from shouwang.quarantine.selectors import community_figures
from shouwang.quarantine.services import PersonIn, TripIn, extend_plan, record_follow_up, register_returnee

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 5, 10, 0, tzinfo=SHANGHAI)
NEW_ID = "110102198502020010"


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def api(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(username)}")


def trip(**changes: Any) -> TripIn:
    values: dict[str, Any] = {
        "origin": "420102",
        "arrived_at": dt.datetime(2020, 3, 4, 18, 0, tzinfo=SHANGHAI),
        "transport": "car",
    }
    values.update(changes)
    return TripIn(**values)


def test_worklist_shows_a_returnee_with_no_household(world: World, clock: Any) -> None:
    register_returnee(
        world.community_a,
        person=PersonIn(new=ResidentIn(name="郑小", id_number=NEW_ID)),
        trip=trip(),
        source=Source.WORKER,
        actor=world.worker,
    )
    page = Client()
    page.force_login(world.worker)
    response = page.get("/quarantine/?mine=0")
    assert response.status_code == 200
    assert "郑小" in response.content.decode()


def test_extension_is_capped_and_never_half_saved(world: World, clock: Any) -> None:
    plan = start_quarantine(world, world.resident, dt.date(2020, 3, 10))
    with pytest.raises(InvalidInput) as err:
        extend_plan(plan, last_day=dt.date(9999, 12, 31), reason="极端", actor=world.health)
    assert err.value.code == "extend_too_far"
    assert "2020-04-25" in err.value.message("en")  # 60 days from 25 February
    plan.refresh_from_db()
    assert plan.last_day == dt.date(2020, 3, 10)
    response = api("health").post(
        f"/api/v1/returnees/{plan.pk}/extend",
        {"last_day": "9999-12-31", "reason": "极端"},
        content_type="application/json",
    )
    assert (response.status_code, response.json()["code"]) == (400, "extend_too_far")


def test_a_new_person_with_a_residents_id_never_renames_them(world: World, clock: Any) -> None:
    with pytest.raises(InvalidInput) as err:
        register_returnee(
            world.community_a,
            person=PersonIn(new=ResidentIn(name="盖章", id_number=ZHANG_SAN_ID)),
            trip=trip(),
            source=Source.GATE,
            actor=world.gate_user,
        )
    assert (err.value.code, err.value.field) == ("person_exists", "id_number")
    world.resident.refresh_from_db()
    assert world.resident.name == "张三"
    # The same name is the same person: their plan, their record untouched.
    plan = register_returnee(
        world.community_a,
        person=PersonIn(new=ResidentIn(name="张三", id_number=ZHANG_SAN_ID, phone="13800138000")),
        trip=trip(),
        source=Source.GATE,
        actor=world.gate_user,
    )
    assert plan.resident == world.resident and Resident.objects.get(pk=world.resident.pk).phone == ""


def test_one_quarantine_per_person_across_communities(world: World, clock: Any) -> None:
    twin, _ = upsert_resident(
        world.community_b, ResidentIn(name="张三", id_number=ZHANG_SAN_ID), actor=world.admin
    )
    register_returnee(
        world.community_b,
        person=PersonIn(resident=twin.pk),
        trip=trip(),
        source=Source.WORKER,
        actor=world.admin,
    )
    with pytest.raises(InvalidInput) as err:
        register_returnee(
            world.community_a,
            person=PersonIn(resident=world.resident.pk),
            trip=trip(),
            source=Source.WORKER,
            actor=world.worker,
        )
    assert err.value.code == "quarantine_exists_elsewhere"
    assert "西单北社区" in err.value.message("zh-hans")


def test_control_characters_in_a_name_are_refused_and_the_export_still_works(
    world: World, clock: Any
) -> None:
    worker = api("worker")
    body: dict[str, Any] = {
        "community": "tps",
        "person": {"name": "郑\x00小", "id_number": NEW_ID, "address": "力学胡同\x08 9 号"},
        "origin": "420102",
        "arrived_at": "2020-03-04T18:00:00+08:00",
        "transport": "car",
    }
    refused = worker.post(
        "/api/v1/returnees", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "person.name"
    body["person"]["name"] = "郑小"
    made = worker.post("/api/v1/returnees", body, content_type="application/json")
    assert made.status_code == 201
    assert QuarantinePlan.objects.get().returnee.address == "力学胡同 9 号"
    page = Client()
    page.force_login(world.worker)
    assert page.get("/quarantine/figures.xlsx?date=2020-03-05").status_code == 200


def test_a_recorded_fever_is_not_overwritten_by_a_later_reading(world: World, clock: Any) -> None:
    plan = start_quarantine(world, world.resident, dt.date(2020, 3, 10))
    record_follow_up(plan, temperature="38.0", method="phone", actor=world.worker, slot="am")
    with pytest.raises(InvalidInput) as err:
        record_follow_up(plan, temperature="36.5", method="phone", actor=world.worker, slot="am")
    assert err.value.code == "follow_up_changed" and "38.0" in err.value.message("en")
    same = record_follow_up(plan, temperature="38.0", method="phone", actor=world.worker, slot="am")
    assert not same.created
    fixed = record_follow_up(
        plan, temperature="36.5", method="phone", actor=world.worker, slot="am", replace=True
    )
    assert str(fixed.follow_up.temperature_c) == "36.5" and FollowUp.objects.count() == 1
    audit = AuditLog.objects.get(action="follow_up.correct")
    assert audit.detail["before"]["celsius"] == "38.0"


def test_the_afternoon_slot_waits_for_the_afternoon(world: World, clock: Any) -> None:
    plan = start_quarantine(world, world.resident, dt.date(2020, 3, 10))
    with pytest.raises(InvalidInput) as err:
        record_follow_up(plan, temperature="36.5", method="phone", actor=world.worker, slot="pm")
    assert err.value.code == "slot_not_open" and "14:00" in err.value.message("en")
    # Yesterday's afternoon can still be caught up.
    late = record_follow_up(
        plan,
        temperature="36.5",
        method="phone",
        actor=world.worker,
        slot="pm",
        local_date=dt.date(2020, 3, 4),
    )
    assert late.created


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_figures_for_an_impossible_date_are_refused_in_words(world: World, clock: Any, day: str) -> None:
    response = api("worker").get(f"/api/v1/returnees/figures?date={day}", HTTP_ACCEPT_LANGUAGE="en")
    assert (response.status_code, response.json()["code"]) == (400, "date_out_of_range")
    page = Client()
    page.force_login(world.worker)
    shown = page.get(f"/quarantine/figures/?date={day}", HTTP_ACCEPT_LANGUAGE="en")
    assert shown.status_code == 200 and "between" in shown.content.decode()
    assert page.get(f"/quarantine/figures.xlsx?date={day}").status_code in (302, 400)
    with pytest.raises(CommandError, match="between"):
        call_command("quarantine", "export", "--date", day, "--out", "/tmp/never.xlsx")  # noqa: S108


def test_a_post_without_a_token_asks_for_one(world: World) -> None:
    response = Client().post(
        "/api/v1/returnees", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 401
    assert "token" in response.json()["message"].lower()


def test_an_export_that_cannot_be_written_is_not_recorded_as_done(world: World, clock: Any) -> None:
    with pytest.raises(CommandError) as err:
        call_command("quarantine", "export", "--date", "2020-03-05", "--out", "/proc/shouwang-test.xlsx")
    assert "/proc/shouwang-test.xlsx" in str(err.value)
    assert not AuditLog.objects.filter(action="quarantine.export").exists()


def test_a_reminder_that_was_not_delivered_fails_the_command(
    world: World, clock: Any, tmp_path: Path
) -> None:
    start_quarantine(world, world.resident, dt.date(2020, 3, 10))
    with pytest.raises(CommandError, match="not delivered"):
        call_command("quarantine", "remind", "--notifier", "webhook:http://127.0.0.1:9/")


def test_new_in_24_hours_counts_arrivals_not_late_entries(world: World, clock: Any) -> None:
    with time_machine.travel(dt.datetime(2020, 3, 5, 9, 0, tzinfo=SHANGHAI), tick=False):
        start_quarantine(world, world.resident, dt.date(2020, 3, 10))  # arrived 26 Feb, entered today
    figures = community_figures(world.community_a, dt.date(2020, 3, 5))
    assert (figures.in_quarantine, figures.new_24h) == (1, 0)
