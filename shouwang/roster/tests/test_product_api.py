"""The duty API: solving through ``POST /rosters`` (201, 200 on re-solve, 422 with reasons), the
grid, lock/unlock/assign/remove/publish, my shifts, swaps, sign-in/out, duty hours, and scoping
(another sub-district's roster is the same 404 as a missing one; roles by endpoint).

Until the router is mounted in ``shouwang/api.py`` these tests serve it from an API of their own
with the main API's authentication and error handlers, so the shapes and words are the real ones.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import World, make_staff
from shouwang.core.auth import create_token
from shouwang.core.choices import Role
from shouwang.places.models import Checkpoint, Community, Subdistrict
from shouwang.roster.models import Attendance, Roster, Shift, SwapRequest
from shouwang.roster.services import set_staffing_level, solve_roster
from shouwang.roster.tests.test_product_world import MONDAY, NOW, SHANGHAI, Duty, make_duty


@pytest.fixture
def duty(world: World) -> Iterator[Duty]:
    with time_machine.travel(NOW, tick=False):
        yield make_duty(world)


def client(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(username)}")


def post(c: Client, url: str, body: dict[str, Any] | None = None, lang: str = "zh-CN") -> Any:
    return c.post(f"/api/v1{url}", body or {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)


def get(c: Client, url: str, lang: str = "zh-CN", **query: Any) -> Any:
    return c.get(f"/api/v1{url}", query, HTTP_ACCEPT_LANGUAGE=lang)


def solve(c: Client, **changes: Any) -> Any:
    body = {"start": MONDAY.isoformat(), "days": 3, "time_limit_s": 5}
    body.update(changes)
    return post(c, "/rosters", body)


def test_solve_read_lock_assign_publish_through_the_api(duty: Duty) -> None:
    admin = client("admin")
    response = solve(admin)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["solver_status"], body["days"], body["end"]) == (
        "draft",
        "optimal",
        3,
        "2020-03-04",
    )
    assert body["status_label"] == "草稿" and body["subdistrict"] == "xichangan"
    assert [t["label"] for t in body["templates"]] == [
        "06:00–10:00",
        "10:00–14:00",
        "14:00–18:00",
        "18:00–22:00",
    ]
    gates = {g["code"]: g for g in body["gates"]}
    assert set(gates) == {"lixue-e", "xiaojiangfang-w", "dongxie-n"}
    cell = gates["lixue-e"]["days"][1]["cells"][0]
    assert (cell["shift"], cell["needed"], cell["missing"], len(cell["people"])) == ("06-10", 1, 0, 1)
    assert gates["xiaojiangfang-w"]["days"][0]["cells"][0]["needed"] == 0
    roster_id, shift_id = body["id"], cell["people"][0]["shift"]

    locked = post(admin, f"/rosters/{roster_id}/shifts/{shift_id}/lock")
    assert locked.status_code == 200 and locked.json()["locked"] is True
    assert locked.json()["starts_at"] == "2020-03-03T06:00:00+08:00"
    again = post(admin, "/rosters", {"start": MONDAY.isoformat(), "days": 3, "time_limit_s": 5, "seed": 5})
    assert again.status_code == 200 and again.json()["id"] == roster_id
    assert (again.json()["keep_current"], again.json()["changed"]) == (True, 0)  # nothing asked for a move
    afresh = post(admin, f"/rosters/{roster_id}/solve", {"time_limit_s": 5, "keep_current": False})
    assert afresh.status_code == 200 and afresh.json()["keep_current"] is False
    assert afresh.json()["changed"] == Roster.objects.get(pk=roster_id).changed is not None
    assert Shift.objects.filter(pk=shift_id, locked=True).exists()
    unlocked = post(admin, f"/rosters/{roster_id}/shifts/{shift_id}/unlock")
    assert unlocked.json()["locked"] is False

    set_staffing_level(duty.world.gate_a2, template=duty.templates["06-10"], staff_needed=1, actor=duty.admin)
    busy = Shift.objects.select_related("staff__user").get(pk=shift_id).staff.user.username
    refused = post(
        admin,
        f"/rosters/{roster_id}/assign",
        {"staff": busy, "checkpoint": "xiaojiangfang-w", "date": "2020-03-03", "shift": "06-10"},
        lang="en",
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "shift_overlap"
    assert "is already at '力学胡同东口' 2020-03-03 06:00–10:00" in refused.json()["message"]
    free = next(
        s.user.username
        for s in duty.a_staff
        if not Shift.objects.filter(staff=s, date=dt.date(2020, 3, 3)).exists()
    )
    made = post(
        admin,
        f"/rosters/{roster_id}/assign",
        {"staff": free, "checkpoint": "xiaojiangfang-w", "date": "2020-03-03", "shift": "06-10"},
    )
    assert made.status_code == 201 and made.json()["source"] == "hand" and made.json()["locked"]
    removed = admin.delete(f"/api/v1/rosters/{roster_id}/shifts/{made.json()['id']}")
    assert removed.status_code == 204 and not Shift.objects.filter(pk=made.json()["id"]).exists()

    published = post(admin, f"/rosters/{roster_id}/publish", lang="en")
    assert published.status_code == 200 and published.json()["status_label"] == "published"
    assert [r["id"] for r in get(admin, "/rosters").json()] == [roster_id]


def test_an_infeasible_solve_answers_422_with_the_reasons_in_words(duty: Duty) -> None:
    set_staffing_level(duty.world.gate_b, template=duty.templates["06-10"], staff_needed=5, actor=duty.admin)
    response = solve(client("admin"))
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["status"], body["roster"]) == ("roster_not_made", "infeasible", None)
    assert body["reasons"][0] == {
        "code": "roster_slot_short",
        "message": "东斜街北口 3月2日 06:00–10:00 需要 5 人，但只有 4 人能上岗。",
    }
    assert Roster.objects.count() == 0
    english = post(
        client("admin"), "/rosters", {"start": "2020-03-02", "days": 3, "time_limit_s": 5}, lang="en"
    )
    assert english.json()["reasons"][0]["message"].startswith(
        "东斜街北口 needs 5 people 06:00–10:00 on 2 March"
    )


def test_another_subdistricts_roster_is_the_same_404_as_a_missing_one(duty: Duty) -> None:
    roster = solve_roster(
        duty.world.subdistrict, start=MONDAY, days=3, actor=duty.admin, time_limit_s=5
    ).roster
    assert roster is not None
    other = Subdistrict.objects.create(code="other", name="别的街道")
    Community.objects.create(subdistrict=other, code="oth", name="别的社区")
    make_staff("other-admin", Role.SUBDISTRICT_ADMIN, other, [])
    stranger = client("other-admin")
    shift = roster.shifts.first()
    assert shift is not None
    for url in (f"/rosters/{roster.pk}", "/rosters/999999"):
        response = get(stranger, url)
        assert response.status_code == 404 and response.json()["code"] == "roster_unknown"
    missing = get(stranger, "/rosters/999999").json()
    theirs = get(stranger, f"/rosters/{roster.pk}").json()
    assert theirs["message"] == f"没有编号为 {roster.pk} 的排班表。"
    assert theirs["message"].replace(str(roster.pk), "999999") == missing["message"]
    assert post(stranger, f"/rosters/{roster.pk}/shifts/{shift.pk}/lock").status_code == 404
    assert post(stranger, f"/rosters/{roster.pk}/publish").status_code == 404
    assert get(stranger, "/rosters").json() == []
    assert (
        post(stranger, "/rosters", {"subdistrict": "xichangan", "start": "2020-03-09", "days": 2}).status_code
        == 404
    )


def test_who_may_read_the_grid(duty: Duty) -> None:
    roster = solve_roster(
        duty.world.subdistrict, start=MONDAY, days=3, actor=duty.admin, time_limit_s=5
    ).roster
    assert roster is not None
    # A community worker of A reads only the gates of A, and only once published.
    worker = client("worker")
    assert get(worker, f"/rosters/{roster.pk}").status_code == 404
    post(client("admin"), f"/rosters/{roster.pk}/publish")
    body = get(worker, f"/rosters/{roster.pk}").json()
    assert [g["code"] for g in body["gates"]] == ["lixue-e", "xiaojiangfang-w"]
    assert post(worker, f"/rosters/{roster.pk}/publish").status_code == 403
    # Gate staff and the health station use "my shifts", not the grid.
    for username in ("gate", "health"):
        response = get(client(username), f"/rosters/{roster.pk}")
        assert response.status_code == 403 and response.json()["code"] == "role_forbidden"
    assert solve(client("worker")).status_code == 403


def test_my_shifts_swaps_and_attendance_for_gate_staff(duty: Duty) -> None:
    roster = solve_roster(
        duty.world.subdistrict, start=MONDAY, days=3, actor=duty.admin, time_limit_s=5
    ).roster
    assert roster is not None
    wednesday = roster.shifts.select_related("staff__user").get(
        checkpoint__code="lixue-e", date=dt.date(2020, 3, 4), template__code="10-14"
    )
    giver = wednesday.staff.user.username
    assert (
        get(client(giver), "/my-shifts", **{"from": "2020-03-02", "to": "2020-03-04"}).json() == []
    )  # a draft
    post(client("admin"), f"/rosters/{roster.pk}/publish")
    mine = get(client(giver), "/my-shifts", **{"from": "2020-03-02", "to": "2020-03-04"}).json()
    assert wednesday.pk in [s["id"] for s in mine]
    assert all(s["username"] == giver for s in mine)
    taker = next(
        s.user.username
        for s in duty.a_staff
        if not Shift.objects.filter(staff=s, date=dt.date(2020, 3, 4)).exists()
    )
    asked = post(client(giver), "/swaps", {"shift": wednesday.pk, "to_staff": taker, "reason": "家中有事"})
    assert (
        asked.status_code == 201 and asked.json()["kind"] == "offer" and asked.json()["status"] == "pending"
    )
    assert post(client(giver), "/swaps", {"shift": wednesday.pk, "to_staff": taker}).status_code == 200
    swap_id = asked.json()["id"]
    assert [s["id"] for s in get(client("admin"), "/swaps", status="pending").json()] == [swap_id]
    assert post(client(giver), f"/swaps/{swap_id}/approve").status_code == 403
    approved = post(client("admin"), f"/swaps/{swap_id}/approve", {"note": "同意"})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["shift"]["username"] == taker
    assert SwapRequest.objects.get(pk=swap_id).status == "approved"

    monday_early = roster.shifts.select_related("staff__user").get(
        checkpoint__code="lixue-e", date=MONDAY, template__code="06-10"
    )
    me = client(monday_early.staff.user.username)
    with time_machine.travel(dt.datetime(2020, 3, 2, 6, 12, tzinfo=SHANGHAI), tick=False):
        signed = post(me, "/attendance/sign-in", {"checkpoint": "lixue-e"})
        assert signed.status_code == 201, signed.content
        assert signed.json()["shift"] == monday_early.pk
        assert signed.json()["signed_in_at"] == "2020-03-02T06:12:00+08:00"
        assert post(me, "/attendance/sign-in", {"checkpoint": "lixue-e"}).status_code == 200
        elsewhere = post(me, "/attendance/sign-in", {"checkpoint": "xiaojiangfang-w"}, lang="en")
        assert elsewhere.status_code == 400 and elsewhere.json()["code"] == "attendance_open_elsewhere"
        assert "'力学胡同东口' since 2020-03-02 06:12" in elsewhere.json()["message"]
        assert (
            post(me, "/attendance/sign-in", {"checkpoint": "dongxie-n"}).status_code == 404
        )  # not their gate
        on_duty = get(client("worker"), "/on-duty").json()
        assert [a["username"] for a in on_duty["present"]] == [monday_early.staff.user.username]
    with time_machine.travel(dt.datetime(2020, 3, 2, 10, 0, tzinfo=SHANGHAI), tick=False):
        out = post(me, "/attendance/sign-out")
        assert out.status_code == 200 and out.json()["hours"] == 3.8
        again = post(me, "/attendance/sign-out")
        assert again.status_code == 400 and again.json()["code"] == "attendance_not_signed_in"
    assert Attendance.objects.count() == 1

    with time_machine.travel(dt.datetime(2020, 3, 3, 8, 0, tzinfo=SHANGHAI), tick=False):
        hours = get(client("admin"), "/duty-hours", **{"from": "2020-03-02", "to": "2020-03-02"})
        assert hours.status_code == 200, hours.content
        people = {p["username"]: p for p in hours.json()["people"]}
        mine_h = people[monday_early.staff.user.username]
        assert (mine_h["attended_h"], mine_h["rostered_h"], mine_h["late"][0]["minutes"]) == (3.8, 4, 12)
        assert hours.json()["total"]["absent"] == 5
        assert get(me, "/duty-hours").status_code == 403
        bad = get(client("admin"), "/duty-hours", **{"from": "2020-03-05", "to": "2020-03-02"})
        assert bad.status_code == 400 and bad.json()["code"] == "duty_range_invalid"


def test_the_openapi_document_names_every_endpoint(duty: Duty) -> None:
    schema = Client().get("/api/openapi.json").json()
    paths = schema["paths"]
    for p in (
        "/api/v1/rosters",
        "/api/v1/rosters/{roster_id}",
        "/api/v1/rosters/{roster_id}/solve",
        "/api/v1/rosters/{roster_id}/shifts/{shift_id}/lock",
        "/api/v1/rosters/{roster_id}/shifts/{shift_id}/unlock",
        "/api/v1/rosters/{roster_id}/assign",
        "/api/v1/rosters/{roster_id}/publish",
        "/api/v1/my-shifts",
        "/api/v1/swaps",
        "/api/v1/swaps/{swap_id}/approve",
        "/api/v1/swaps/{swap_id}/reject",
        "/api/v1/attendance/sign-in",
        "/api/v1/attendance/sign-out",
        "/api/v1/duty-hours",
    ):
        assert p in paths, p
        assert all(op.get("summary") for op in paths[p].values())
    assert Checkpoint.objects.count() == 3
