"""``/api/v1/returnees``: registering a returnee three ways, the plan's local dates, refusals in
both languages, follow-ups, early release and extension by role, scoping, lists and figures."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import World, make_staff, start_quarantine
from shouwang.core.auth import create_token
from shouwang.core.choices import Role
from shouwang.core.models import AuditLog
from shouwang.people.models import Resident
from shouwang.people.services import ResidentIn, upsert_resident
from shouwang.quarantine.models import FollowUp, QuarantinePlan
from shouwang.screening.models import Alert

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# Sunday 1 March 2020, 10:00 in Beijing: the morning follow-up is due, the afternoon one later.
NOW = dt.datetime(2020, 3, 1, 10, 0, tzinfo=SHANGHAI)
NEW_ID = "110102198502020010"  # a valid resident ID (born 1985-02-02) of nobody yet


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def client(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(username)}")


def post(c: Client, path: str, body: dict[str, Any], lang: str = "zh-CN") -> Any:
    return c.post(f"/api/v1{path}", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)


def arrival(**changes: Any) -> dict[str, Any]:
    """Arrived by train G508 from 武汉市江岸区 on the leap day at 21:30 Beijing time."""
    body: dict[str, Any] = {
        "origin": "420102",
        "arrived_at": "2020-02-29T21:30:00+08:00",
        "transport": "train",
        "transport_number": "G508",
        "companions": "妻子",
    }
    body.update(changes)
    return body


def test_register_by_resident_id_answers_with_local_dates(world: World, clock: Any) -> None:
    response = post(client("worker"), "/returnees", arrival(resident=world.resident.pk))
    assert response.status_code == 201, response.content
    plan = response.json()
    assert {k: plan[k] for k in ("first_day", "last_day", "free_from", "days")} == {
        "first_day": "2020-02-29",
        "last_day": "2020-03-13",
        "free_from": "2020-03-14",
        "days": 14,
    }
    assert plan["status"] == "active"
    assert plan["status_label"] == "隔离中"
    assert plan["community"] == "tps"
    assert plan["resident"] == {"id": world.resident.pk, "name": "张*", "id_masked": "110***********0017"}
    assert (plan["origin"], plan["origin_label"]) == ("420102", "湖北省 武汉市 江岸区")
    assert plan["arrived_at"] == "2020-02-29T21:30:00+08:00"
    assert plan["address"] == "力学胡同 3 号"  # the household's, when none is given
    assert plan["source"] == "worker"
    assert plan["worker"] == {"username": "worker", "name": "worker"}
    assert QuarantinePlan.objects.get(pk=plan["id"]).resident_id == world.resident.pk


def test_arrival_given_in_utc_counts_from_the_local_date(world: World, clock: Any) -> None:
    # 16:30 UTC on the 29th is 00:30 on 1 March in Beijing: day 1 is 1 March.
    body = arrival(resident=world.resident.pk, arrived_at="2020-02-29T16:30:00Z")
    plan = post(client("worker"), "/returnees", body, lang="en").json()
    assert (plan["first_day"], plan["last_day"], plan["free_from"]) == (
        "2020-03-01",
        "2020-03-14",
        "2020-03-15",
    )
    assert plan["arrived_at"] == "2020-03-01T00:30:00+08:00"
    assert plan["status_label"] == "active"


def test_gate_registers_by_id_number_and_the_plan_goes_to_a_worker(world: World, clock: Any) -> None:
    body = arrival(
        id_number="110102 19800101 001７", id_type="resident_id", transport="car", transport_number=""
    )
    response = post(client("gate"), "/returnees", body)
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["resident"]["id"] == world.resident.pk
    assert plan["source"] == "gate"
    assert plan["worker"]["username"] == "worker"  # the community's only worker


def test_register_a_new_person(world: World, clock: Any) -> None:
    person = {
        "name": "李四",
        "id_number": NEW_ID,
        "phone": "13800138000",
        "address": "太仆寺街 12 号",
    }
    body = arrival(person=person, transport="flight", transport_number="ca 1234", address="")
    response = post(client("worker"), "/returnees", body)
    assert response.status_code == 201, response.content
    plan = response.json()
    assert plan["resident"]["name"] == "李*"
    assert plan["address"] == "太仆寺街 12 号"
    assert plan["transport_number"] == "CA1234"
    resident = Resident.objects.get(pk=plan["resident"]["id"])
    assert (resident.community_id, resident.phone) == (world.community_a.pk, "+8613800138000")
    bad = post(client("worker"), "/returnees", arrival(person={**person, "id_number": "110102198502020011"}))
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["field"] == "person.id_number"


def test_register_refuses_two_ways_of_naming_and_needs_a_community_when_several(
    world: World, clock: Any
) -> None:
    both = post(client("worker"), "/returnees", arrival(resident=world.resident.pk, id_number=NEW_ID))
    assert (both.status_code, both.json()["code"]) == (400, "one_person")
    admin = post(client("admin"), "/returnees", arrival(resident=world.resident.pk), lang="en")
    assert admin.status_code == 400
    assert admin.json()["errors"][0]["field"] == "community"
    assert "tps, xdb" in admin.json()["errors"][0]["message"]
    ok = post(client("admin"), "/returnees", arrival(resident=world.resident.pk, community="tps"))
    assert ok.status_code == 201
    assert ok.json()["worker"]["username"] == "worker"  # least loaded worker of the community
    stranger = post(client("gate-b"), "/returnees", arrival(resident=world.resident.pk, community="tps"))
    assert (stranger.status_code, stranger.json()["code"]) == (403, "not_your_community")


@pytest.mark.parametrize(
    ("changes", "field", "code", "zh", "en"),
    [
        (
            {"arrived_at": "2020-02-29T21:30:00"},
            "arrived_at",
            "arrived_at_naive",
            "须带时区",
            "needs a time zone",
        ),
        (
            {"origin": "999999"},
            "origin",
            "division_unknown",
            "不是现行的行政区划代码",
            "not a current division code",
        ),
        (
            {"origin": "110104"},
            "origin",
            "division_unknown",
            "行政区划",
            "division code",
        ),  # 宣武区, abolished
        (
            {"arrived_at": "2020-03-01T12:00:00+08:00"},
            "arrived_at",
            "arrived_at_future",
            "抵达时间在将来",
            "in the future",
        ),
        (
            {"transport_number": ""},
            "transport_number",
            "transport_number_required",
            "须填写车次或航班号",
            "enter the train or flight number",
        ),
        (
            {"transport_number": "13800138000"},
            "transport_number",
            "transport_number_invalid",
            "不像车次",
            "does not look like",
        ),
        ({"transport": "horse"}, "transport", "transport_invalid", "交通方式", "Transport must be"),
        (
            {"arrived_at": "2020-02-01T10:00:00+08:00"},
            "arrived_at",
            "arrived_at_too_old",
            "已于 2020-02-15 期满",
            "over on 2020-02-15",
        ),
    ],
)
def test_bad_arrivals_are_400_with_field_and_words_in_both_languages(
    world: World, clock: Any, changes: dict[str, Any], field: str, code: str, zh: str, en: str
) -> None:
    worker = client("worker")
    for lang, words in (("zh-CN", zh), ("en", en)):
        response = post(worker, "/returnees", arrival(resident=world.resident.pk, **changes), lang=lang)
        assert response.status_code == 400, response.content
        data = response.json()
        assert data["code"] == code
        assert data["errors"][0]["field"] == field
        assert data["errors"][0]["code"] == code
        assert words in data["message"] and words in data["errors"][0]["message"], data
    assert not QuarantinePlan.objects.exists()


def test_unreadable_arrival_time_is_a_schema_400(world: World, clock: Any) -> None:
    response = post(client("worker"), "/returnees", arrival(resident=world.resident.pk, arrived_at="昨天"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "arrived_at"


def test_second_registration_while_one_is_in_force(world: World, clock: Any) -> None:
    worker = client("worker")
    assert post(worker, "/returnees", arrival(resident=world.resident.pk)).status_code == 201
    again = post(
        worker, "/returnees", arrival(resident=world.resident.pk, arrived_at="2020-03-01T08:00:00+08:00")
    )
    assert again.status_code == 400
    data = again.json()
    assert data["code"] == "quarantine_exists"
    assert "2020-02-29 至 2020-03-13" in data["message"]
    assert QuarantinePlan.objects.count() == 1


def test_follow_up_is_idempotent_by_client_id(world: World, clock: Any) -> None:
    plan = start_quarantine(world, world.resident, dt.date(2020, 3, 5))
    worker = client("worker")
    body = {"id": str(uuid.uuid4()), "temperature": "366", "method": "phone"}
    first = post(worker, f"/returnees/{plan.pk}/follow-ups", body)
    assert first.status_code == 201, first.content
    data = first.json()
    assert (data["slot"], data["local_date"], data["day"], data["temperature_c"]) == (
        "am",
        "2020-03-01",
        10,  # 21 February is day 1 (2020 is a leap year)
        36.6,
    )
    assert data["recorded_by"] == "worker"
    again = post(worker, f"/returnees/{plan.pk}/follow-ups", body)
    assert again.status_code == 200
    assert again.json()["id"] == data["id"]
    changed = post(worker, f"/returnees/{plan.pk}/follow-ups", {**body, "temperature": "36.9"})
    assert (changed.status_code, changed.json()["code"]) == (409, "id_reused_differently")
    other_id = post(
        worker, f"/returnees/{plan.pk}/follow-ups", {**body, "id": str(uuid.uuid4()), "temperature": "38.1"}
    )
    assert (other_id.status_code, other_id.json()["code"]) == (400, "follow_up_changed")
    fixed = post(
        worker,
        f"/returnees/{plan.pk}/follow-ups",
        {**body, "id": str(uuid.uuid4()), "temperature": "36.8", "replace": True},
    )
    assert fixed.status_code == 201 and fixed.json()["temperature_c"] == 36.8
    assert FollowUp.objects.count() == 1
    listed = worker.get(f"/api/v1/returnees/{plan.pk}/follow-ups").json()
    assert [f["id"] for f in listed] == [data["id"]]


def test_a_client_id_of_another_plan_is_refused(world: World, clock: Any) -> None:
    plan = start_quarantine(world, world.resident, dt.date(2020, 3, 5))
    other, _ = upsert_resident(
        world.community_a, ResidentIn(name="李四", id_number=NEW_ID), actor=world.admin
    )
    second = start_quarantine(world, other, dt.date(2020, 3, 6))
    worker = client("worker")
    body = {"id": str(uuid.uuid4()), "temperature": 36.5}
    assert post(worker, f"/returnees/{plan.pk}/follow-ups", body).status_code == 201
    reused = post(worker, f"/returnees/{second.pk}/follow-ups", body)
    assert (reused.status_code, reused.json()["code"]) == (400, "follow_up_id_reused")
    assert reused.json()["errors"][0]["field"] == "id"


def test_follow_up_refusals(world: World, clock: Any) -> None:
    plan = start_quarantine(world, world.resident, dt.date(2020, 3, 5))
    worker = client("worker")
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"temperature": "31.0"}, "temperature", "follow_up_implausible"),
        ({"temperature": None}, "temperature", "temperature_required"),
        ({"temperature": 36.5, "symptoms": ["headache"]}, "symptoms", "symptom_unknown"),
        ({"temperature": 36.5, "method": "fax"}, "method", "method_invalid"),
        ({"temperature": 36.5, "local_date": "2020-03-02"}, "local_date", "follow_up_future"),
        ({"temperature": 36.5, "local_date": "2020-02-10"}, "plan", "plan_not_in_force"),
    ]
    for body, field, code in cases:
        response = post(worker, f"/returnees/{plan.pk}/follow-ups", body, lang="en")
        assert response.status_code == 400, (body, response.content)
        assert (response.json()["code"], response.json()["errors"][0]["field"]) == (code, field)
    assert not FollowUp.objects.exists()


def test_fever_follow_up_raises_an_alert_for_the_health_station(world: World, clock: Any) -> None:
    plan = start_quarantine(world, world.resident, dt.date(2020, 3, 5))
    response = post(
        client("worker"), f"/returnees/{plan.pk}/follow-ups", {"temperature": "37.8", "method": "visit"}
    )
    assert response.status_code == 201
    assert response.json()["alerts"] == ["followup_fever"]
    alert = Alert.objects.get()
    assert (alert.kind, alert.resident_id, alert.detail["day"]) == ("followup_fever", world.resident.pk, 10)
    rows = client("health").get("/api/v1/alerts").json()
    assert [r["kind"] for r in rows] == ["followup_fever"]
    assert "37.8 °C" in rows[0]["message"] and "上门复测" in rows[0]["message"]


def test_worker_cannot_release_early_the_health_station_can_with_a_reason(world: World, clock: Any) -> None:
    plan = start_quarantine(world, world.resident, dt.date(2020, 3, 5))
    path = f"/returnees/{plan.pk}/release"
    refused = post(client("worker"), path, {"reason": "核酸阴性"}, lang="en")
    assert refused.status_code == 403
    assert refused.json()["code"] == "role_forbidden"
    assert "health station" in refused.json()["message"]
    health = client("health")
    no_reason = post(health, path, {})
    assert no_reason.status_code == 400
    assert (no_reason.json()["code"], no_reason.json()["errors"][0]["field"]) == ("reason_required", "reason")
    assert "请写明原因" in no_reason.json()["message"]
    done = post(health, path, {"reason": "两次核酸阴性，医生同意"})
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["ended_on"]) == ("released", "2020-03-01")
    assert done.json()["end_reason"] == "两次核酸阴性，医生同意"
    log = AuditLog.objects.get(action="quarantine.release_early")
    assert (log.actor_id, log.object_id, log.detail["reason"]) == (
        world.health.pk,
        str(plan.pk),
        "两次核酸阴性，医生同意",
    )
    assert post(health, path, {"reason": "again"}).json()["code"] == "plan_ended"


def test_extend_and_transfer(world: World, clock: Any) -> None:
    plan = start_quarantine(world, world.resident, dt.date(2020, 3, 5))
    admin = client("admin")
    sooner = post(admin, f"/returnees/{plan.pk}/extend", {"last_day": "2020-03-04", "reason": "同行者发热"})
    assert (sooner.status_code, sooner.json()["code"]) == (400, "extend_not_later")
    later = post(admin, f"/returnees/{plan.pk}/extend", {"last_day": "2020-03-10", "reason": "同行者发热"})
    assert later.status_code == 200
    assert (later.json()["status"], later.json()["last_day"], later.json()["free_from"]) == (
        "extended",
        "2020-03-10",
        "2020-03-11",
    )
    assert later.json()["days"] == 19
    assert post(client("worker"), f"/returnees/{plan.pk}/transfer", {"reason": "发热"}).status_code == 403
    moved = post(client("health"), f"/returnees/{plan.pk}/transfer", {"reason": "120 转发热门诊"})
    assert moved.json()["status"] == "transferred"
    assert AuditLog.objects.filter(action__in=["quarantine.extend", "quarantine.transfer"]).count() == 2


def test_another_communitys_plan_is_404_like_a_missing_one(world: World, clock: Any) -> None:
    other, _ = upsert_resident(
        world.community_b, ResidentIn(name="王五", id_number=NEW_ID), actor=world.admin
    )
    foreign = start_quarantine(world, other, dt.date(2020, 3, 5))
    missing = foreign.pk + 1000
    worker, health = client("worker"), client("health")
    for c in (worker, health):
        for plan_id in (foreign.pk, missing):
            got = c.get(f"/api/v1/returnees/{plan_id}", HTTP_ACCEPT_LANGUAGE="en")
            assert got.status_code == 404
            assert got.json() == {
                "code": "plan_unknown",
                "message": f"There is no quarantine plan {plan_id} in your communities.",
                "errors": [
                    {
                        "field": "plan",
                        "code": "plan_unknown",
                        "message": f"There is no quarantine plan {plan_id} in your communities.",
                    }
                ],
            }
    assert post(worker, f"/returnees/{foreign.pk}/follow-ups", {"temperature": 36.5}).status_code == 404
    assert post(health, f"/returnees/{foreign.pk}/release", {"reason": "核酸阴性"}).status_code == 404
    assert worker.get(f"/api/v1/returnees/{foreign.pk}/follow-ups").status_code == 404
    assert [p["id"] for p in worker.get("/api/v1/returnees").json()] == []
    assert client("admin").get(f"/api/v1/returnees/{foreign.pk}").status_code == 200


def test_gate_staff_register_but_do_not_read_lists(world: World, clock: Any) -> None:
    gate = client("gate")
    created = post(gate, "/returnees", arrival(resident=world.resident.pk))
    assert created.status_code == 201
    plan_id = created.json()["id"]
    for path in (
        "/api/v1/returnees",
        f"/api/v1/returnees/{plan_id}",
        f"/api/v1/returnees/{plan_id}/follow-ups",
        "/api/v1/returnees/worklist",
        "/api/v1/returnees/figures",
    ):
        response = gate.get(path)
        assert (response.status_code, response.json()["code"]) == (403, "role_forbidden"), path
    assert post(gate, f"/returnees/{plan_id}/follow-ups", {"temperature": 36.5}).status_code == 403


def test_list_filters_and_query_count(world: World, clock: Any, django_assert_max_num_queries: Any) -> None:
    first = start_quarantine(world, world.resident, dt.date(2020, 3, 5))
    others = []
    for name, number, last in (
        ("赵六", "110102199001010011", dt.date(2020, 3, 1)),
        ("钱七", "110102199202020013", dt.date(2020, 3, 12)),
    ):
        person, _ = upsert_resident(
            world.community_a, ResidentIn(name=name, id_number=number), actor=world.admin
        )
        others.append(start_quarantine(world, person, last))
    post(client("health"), f"/returnees/{first.pk}/release", {"reason": "核酸阴性"})
    worker = client("worker")
    worker.get("/api/v1/returnees")  # authenticate once, so the count below is the list's own
    with django_assert_max_num_queries(3):
        rows = worker.get("/api/v1/returnees").json()
    assert len(rows) == 3
    active = worker.get("/api/v1/returnees?status=active").json()
    assert {p["id"] for p in active} == {others[0].pk, others[1].pk}
    # On 2 March the plan ending on 1 March no longer holds anyone and the one released early on
    # 1 March neither; on 28 February (the third plan's day 1) all three held someone.
    on_2nd = worker.get("/api/v1/returnees?date=2020-03-02").json()
    assert [p["id"] for p in on_2nd] == [others[1].pk]
    assert len(worker.get("/api/v1/returnees?date=2020-02-28").json()) == 3
    assert len(worker.get("/api/v1/returnees?community=tps&limit=1").json()) == 1
    bad = worker.get("/api/v1/returnees?status=gone", HTTP_ACCEPT_LANGUAGE="en")
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "status")
    bad_date = worker.get("/api/v1/returnees?date=2020-13-01", HTTP_ACCEPT_LANGUAGE="en")
    assert bad_date.status_code == 400
    assert "YYYY-MM-DD" in bad_date.json()["message"]


def test_worklist_today_and_mine(world: World, clock: Any) -> None:
    mine = start_quarantine(world, world.resident, dt.date(2020, 3, 5))
    other_worker = make_staff("worker2", Role.COMMUNITY_WORKER, world.subdistrict, [world.community_a])
    person, _ = upsert_resident(
        world.community_a, ResidentIn(name="李四", id_number=NEW_ID, phone="13800138000"), actor=world.admin
    )
    theirs = start_quarantine(world, person, dt.date(2020, 3, 6))
    QuarantinePlan.objects.filter(pk=theirs.pk).update(worker=other_worker)
    worker = client("worker")
    post(worker, f"/returnees/{mine.pk}/follow-ups", {"temperature": 36.4})
    rows = worker.get("/api/v1/returnees/worklist").json()
    assert [(r["plan"], r["slots"], r["readings"]) for r in rows] == [
        (theirs.pk, {"am": "due", "pm": "later"}, {}),
        (mine.pk, {"am": "done", "pm": "later"}, {"am": 36.4}),
    ]
    assert rows[0]["phone"] == "138****8000"  # masked; the number only through /reveal
    assert (rows[0]["date"], rows[0]["day"], rows[0]["worker"]) == ("2020-03-01", 9, "worker2")
    assert [r["plan"] for r in worker.get("/api/v1/returnees/worklist?mine=true").json()] == [mine.pk]


def test_figures_per_community_and_total(world: World, clock: Any) -> None:
    plan = start_quarantine(world, world.resident, dt.date(2020, 3, 5))
    other, _ = upsert_resident(
        world.community_b, ResidentIn(name="王五", id_number=NEW_ID), actor=world.admin
    )
    start_quarantine(world, other, dt.date(2020, 3, 6))
    post(client("worker"), f"/returnees/{plan.pk}/follow-ups", {"temperature": 36.4})
    data = client("admin").get("/api/v1/returnees/figures?date=2020-03-01").json()
    assert data["date"] == "2020-03-01"
    assert [(f["label"], f["in_quarantine"], f["follow_ups_done"]) for f in data["communities"]] == [
        ("太仆寺街社区", 1, 1),
        ("西单北社区", 1, 0),
    ]
    assert (data["total"]["in_quarantine"], data["total"]["follow_ups_done"]) == (2, 1)
    today = client("worker").get("/api/v1/returnees/figures").json()
    assert today["date"] == "2020-03-01"
    assert [f["label"] for f in today["communities"]] == ["太仆寺街社区"]


def test_openapi_lists_the_returnee_endpoints_with_summaries(db: Any) -> None:
    doc = Client().get("/api/openapi.json").json()
    paths = doc["paths"]
    for path, method in [
        ("/api/v1/returnees", "post"),
        ("/api/v1/returnees", "get"),
        ("/api/v1/returnees/{plan_id}", "get"),
        ("/api/v1/returnees/{plan_id}/follow-ups", "post"),
        ("/api/v1/returnees/{plan_id}/follow-ups", "get"),
        ("/api/v1/returnees/{plan_id}/release", "post"),
        ("/api/v1/returnees/{plan_id}/extend", "post"),
        ("/api/v1/returnees/{plan_id}/transfer", "post"),
        ("/api/v1/returnees/worklist", "get"),
        ("/api/v1/returnees/figures", "get"),
    ]:
        assert paths[path][method]["summary"], (path, method)
    assert "free_from" in doc["components"]["schemas"]["PlanOut"]["properties"]
