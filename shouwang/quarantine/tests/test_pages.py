"""The quarantine pages through Django's test client: who may open what (by role and community),
what each page shows, and that bad input shows the error on its field and stores nothing.

Fixed time: 2020-03-02 09:30 in Beijing (01:30 UTC), the morning follow-up is due.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from stdnum.cn import ric

from conftest import World, make_staff, start_quarantine
from shouwang.core.choices import Role
from shouwang.core.models import AuditLog
from shouwang.people.models import Resident
from shouwang.people.services import ResidentIn, upsert_resident
from shouwang.quarantine.choices import PlanStatus, SelfReportStatus, Source
from shouwang.quarantine.links import follow_up_token, self_report_token
from shouwang.quarantine.models import FollowUp, QuarantinePlan, Returnee, SelfReport
from shouwang.screening.models import Alert

NOW = dt.datetime(2020, 3, 2, 1, 30, tzinfo=dt.UTC)  # 09:30 in Beijing
TODAY = dt.date(2020, 3, 2)
# A valid resident ID (Xicheng, born 1990-03-07), not on the register.
NEW_ID = "110102199003070034"


@pytest.fixture(autouse=True)
def _clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: Any, lang: str = "zh-hans") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(user)
    return client


@pytest.fixture
def plan(world: World) -> QuarantinePlan:
    """张三 of community A, in home quarantine to 2020-03-10 (day 6 today), followed by ``worker``."""
    plan: QuarantinePlan = start_quarantine(world, world.resident, dt.date(2020, 3, 10))
    return plan


@pytest.fixture
def worker_b(world: World) -> Any:
    return make_staff("worker-b", Role.COMMUNITY_WORKER, world.subdistrict, [world.community_b])


def register_data(world: World, **overrides: Any) -> dict[str, Any]:
    """A complete register form: 张三 picked from the search, from 武汉市江岸区 by train yesterday."""
    data = {
        "community": world.community_a.pk,
        "who": "resident",
        "resident": world.resident.pk,
        "origin": "420102",
        "origin_text": "湖北省 武汉市 江岸区",
        "arrived_date": "2020-03-01",
        "arrived_time": "10:00",
        "transport": "train",
        "transport_number": "G508",
        "address": "",
        "companions": "",
    }
    data.update(overrides)
    return data


def follow_up_data(plan: QuarantinePlan, temperature: str, **extra: Any) -> dict[str, Any]:
    prefix = f"p{plan.pk}"
    data = {
        "plan": plan.pk,
        f"{prefix}-temperature": temperature,
        f"{prefix}-slot": "am",
        f"{prefix}-method": "phone",
        f"{prefix}-client_id": str(uuid.uuid4()),
    }
    data.update({f"{prefix}-{k}": v for k, v in extra.items()})
    return data


def self_report_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "李四",
        "id_type": "resident_id",
        "id_number": NEW_ID,
        "phone": "13800138000",
        "address": "力学胡同 9 号",
        "origin": "",
        "origin_text": "wuhan",  # the type-ahead not used: the top match is 武汉市 itself
        "arrived_date": "2020-03-01",
        "arrived_time": "21:30",
        "transport": "flight",
        "transport_number": "CA1234",
        "companions": "",
    }
    data.update(overrides)
    return data


# ---- access ---------------------------------------------------------------------------------


PAGES = ["/quarantine/", "/quarantine/self-reports/", "/quarantine/health/", "/quarantine/figures/"]


@pytest.mark.parametrize("url", [*PAGES, "/quarantine/figures.xlsx", "/quarantine/returnees/new/"])
def test_anonymous_is_sent_to_log_in(world: World, url: str) -> None:
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("url", [*PAGES, "/quarantine/figures.xlsx"])
def test_gate_staff_cannot_see_the_worklist_figures_or_export(world: World, url: str) -> None:
    assert client_for(world.gate_user).get(url).status_code == 403


def test_gate_staff_cannot_open_a_plan(world: World, plan: QuarantinePlan) -> None:
    assert client_for(world.gate_user).get(f"/quarantine/plans/{plan.pk}/").status_code == 403


@pytest.mark.parametrize("who", ["worker", "admin", "health"])
@pytest.mark.parametrize("url", PAGES)
def test_worker_admin_and_health_station_open_the_pages(world: World, who: str, url: str) -> None:
    user = {"worker": world.worker, "admin": world.admin, "health": world.health}[who]
    assert client_for(user).get(url).status_code == 200


def test_health_station_may_register_returnees_as_the_api_allows(world: World) -> None:
    assert client_for(world.health).get("/quarantine/returnees/new/").status_code == 200


def test_another_communitys_worker_gets_404_on_a_plan(
    world: World, plan: QuarantinePlan, worker_b: Any
) -> None:
    client = client_for(worker_b)
    assert client.get(f"/quarantine/plans/{plan.pk}/").status_code == 404
    assert client.get("/quarantine/plans/999999/").status_code == 404  # the same answer as none
    assert client.post("/quarantine/", follow_up_data(plan, "36.6")).status_code == 404
    assert (
        client.post(
            f"/quarantine/plans/{plan.pk}/", {"action": "assign", "assign-worker": worker_b.pk}
        ).status_code
        == 404
    )
    assert plan.resident.name not in client.get("/quarantine/?mine=0").content.decode()
    assert not FollowUp.objects.exists()


def test_another_communitys_worker_cannot_search_or_prefill_our_residents(
    world: World, worker_b: Any
) -> None:
    client = client_for(worker_b)
    assert client.get(f"/quarantine/people?community={world.community_a.pk}&q=zs").status_code == 404
    page = client.get(f"/quarantine/returnees/new/?resident={world.resident.pk}").content.decode()
    assert "张*" not in page and world.resident.id_masked not in page


# ---- 1. the worklist ------------------------------------------------------------------------------


def test_worklist_shows_todays_follow_ups_and_counts(
    world: World, plan: QuarantinePlan, django_assert_max_num_queries: Any
) -> None:
    for seq in ("101", "102", "103"):  # more people on the list, the same number of queries
        base = "11010219850505" + seq
        other, _ = upsert_resident(
            world.community_a,
            ResidentIn(
                name=f"王{seq}", id_number=base + ric.calc_check_digit(base + "0"), address="力学胡同 5 号"
            ),
            actor=world.admin,
        )
        start_quarantine(world, other, dt.date(2020, 3, 12))
    client = client_for(world.worker)
    with django_assert_max_num_queries(8):  # session, user, staff, communities, plans, readings, reports
        page = client.get("/quarantine/").content.decode()
    assert "张三" in page and "第 6 天，共 14 天" in page
    assert 'id="count-in-quarantine">4<' in page and 'id="count-due">4<' in page
    assert 'inputmode="decimal"' in page
    # Mine is the default for a worker; the admin follows nobody's plans, so sees all.
    assert "张三" in client_for(world.admin).get("/quarantine/").content.decode()


def test_quick_follow_up_is_recorded_and_comes_back_to_the_list(world: World, plan: QuarantinePlan) -> None:
    client = client_for(world.worker)
    response = client.post("/quarantine/?mine=1", follow_up_data(plan, "366", symptoms=["cough"]))
    assert response.status_code == 302
    assert response["Location"] == f"/quarantine/?mine=1#plan-{plan.pk}"
    [f] = FollowUp.objects.all()
    assert (str(f.temperature_c), f.slot, f.method, f.symptoms) == ("36.6", "am", "phone", ["cough"])
    page = client.get(response["Location"]).content.decode()
    assert "36.6 °C" in page and "已记录" in page
    assert Alert.objects.get().kind == "followup_symptoms"


def test_a_retried_follow_up_post_is_one_record(world: World, plan: QuarantinePlan) -> None:
    client = client_for(world.worker)
    data = follow_up_data(plan, "36.6")
    client.post("/quarantine/", data)
    client.post("/quarantine/", data)
    assert FollowUp.objects.count() == 1


@pytest.mark.parametrize(
    ("temperature", "words"),
    [("30", "不可信"), ("abc", "无法识别"), ("", "这个字段是必填项")],
)
def test_bad_follow_up_shows_the_error_and_stores_nothing(
    world: World, plan: QuarantinePlan, temperature: str, words: str
) -> None:
    response = client_for(world.worker).post("/quarantine/", follow_up_data(plan, temperature))
    assert response.status_code == 200
    page = response.content.decode()
    assert words in page
    assert f'id="plan-{plan.pk}"' in page and '<details class="quick" open>' in page
    assert not FollowUp.objects.exists() and not Alert.objects.exists()


def test_bad_follow_up_error_in_english(world: World, plan: QuarantinePlan) -> None:
    page = client_for(world.worker, "en").post("/quarantine/", follow_up_data(plan, "30")).content.decode()
    assert "is not a plausible body temperature" in page


# ---- 2. registering a returnee --------------------------------------------------------------------


def test_worker_registers_a_returnee_and_sees_the_plan(world: World) -> None:
    client = client_for(world.worker)
    response = client.post("/quarantine/returnees/new/", register_data(world))
    plan = QuarantinePlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/quarantine/plans/{plan.pk}/"
    assert (plan.first_day, plan.last_day, plan.worker) == (
        dt.date(2020, 3, 1),
        dt.date(2020, 3, 14),
        world.worker,
    )
    assert plan.returnee.source == Source.WORKER
    page = client.get(response["Location"]).content.decode()
    for text in ("2020-03-01", "2020-03-14", "2020-03-15", "湖北省 武汉市 江岸区", "G508", "第 2 天"):
        assert text in page


def test_arrival_is_read_on_beijing_time_leap_day_evening(world: World) -> None:
    """21:30 on 29 Feb in Beijing is 13:30 UTC: the same local day, day 1 (issue's first date case)."""
    client = client_for(world.worker)
    client.post(
        "/quarantine/returnees/new/",
        register_data(world, arrived_date="2020-02-29", arrived_time="21:30"),
    )
    plan = QuarantinePlan.objects.get()
    assert plan.returnee.arrived_at == dt.datetime(2020, 2, 29, 13, 30, tzinfo=dt.UTC)
    assert (plan.first_day, plan.last_day) == (dt.date(2020, 2, 29), dt.date(2020, 3, 13))
    assert "2020-03-14" in client.get(f"/quarantine/plans/{plan.pk}/").content.decode()


def test_arrival_half_past_midnight_counts_from_that_local_date(world: World) -> None:
    client_for(world.worker).post(
        "/quarantine/returnees/new/", register_data(world, arrived_date="2020-03-01", arrived_time="00:30")
    )
    assert QuarantinePlan.objects.get().first_day == dt.date(2020, 3, 1)


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"transport_number": ""}, "transport_number", "须填写车次或航班号"),
        ({"transport_number": "13800138000"}, "transport_number", "不像车次"),
        ({"origin": "", "origin_text": "nowhere"}, "origin_text", "请从列表中选择"),
        ({"arrived_date": "2020-03-03"}, "arrived_date", "抵达时间在将来"),
        ({"arrived_date": "2020-02-01"}, "arrived_date", "已于 2020-02-15 期满"),
        ({"resident": ""}, "person_search", "请从搜索结果中选择"),
        ({"who": "id_number", "id_number": NEW_ID}, "id_number", "不是本社区登记的居民"),
        ({"who": "new", "name": "李四", "id_number": "110102199003070035"}, "id_number", "校验位错误"),
        ({"who": "new", "name": "李四", "id_number": NEW_ID, "phone": "12345"}, "phone", "电话号码"),
    ],
)
def test_bad_registration_shows_the_error_on_its_field_and_stores_nothing(
    world: World, overrides: dict[str, Any], field: str, words: str
) -> None:
    residents = Resident.objects.count()
    response = client_for(world.worker).post("/quarantine/returnees/new/", register_data(world, **overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors, form.errors
    assert words in " ".join(form.errors[field])
    assert words in response.content.decode()
    assert not Returnee.objects.exists() and not QuarantinePlan.objects.exists()
    assert Resident.objects.count() == residents


def test_registering_twice_says_already_in_quarantine(world: World, plan: QuarantinePlan) -> None:
    response = client_for(world.worker).post("/quarantine/returnees/new/", register_data(world))
    assert "已在居家隔离中" in " ".join(response.context["form"].errors["who"])
    assert QuarantinePlan.objects.count() == 1


def test_register_a_new_person_and_by_id_number(world: World) -> None:
    client = client_for(world.worker)
    response = client.post(
        "/quarantine/returnees/new/",
        register_data(
            world,
            who="new",
            resident="",
            name="李四",
            id_number=NEW_ID,
            phone="13800138000",
            address="力学胡同 9 号",
        ),
    )
    assert response.status_code == 302
    li_si = Resident.objects.get(name="李四")
    assert li_si.household is not None and li_si.household.address == "力学胡同 9 号"
    assert li_si.id_masked != NEW_ID and li_si.phone == "+8613800138000"
    upsert_resident(
        world.community_a,
        ResidentIn(name="王五", id_number="110102198505050020", address="力学胡同 5 号"),
        actor=world.admin,
    )
    response = client.post(
        "/quarantine/returnees/new/",
        register_data(world, who="id_number", resident="", id_number="1101 0219 8505 0500 20"),
    )
    assert response.status_code == 302
    assert QuarantinePlan.objects.filter(resident__name="王五").exists()


def test_gate_staff_register_from_the_gate_and_go_back(world: World) -> None:
    from shouwang.screening.identify import Identifier
    from shouwang.screening.services import record_screening

    event = record_screening(
        Identifier(resident=world.resident.pk),
        checkpoint=world.gate_a,
        direction="in",
        temperature="36.6",
        mask=True,
        actor=world.gate_user,
    ).event
    client = client_for(world.gate_user)
    query = f"?resident={world.resident.pk}&screening={event.pk}&next=/gate/lixue-e/"
    page = client.get("/quarantine/returnees/new/" + query).content.decode()
    assert "张*" in page and world.resident.id_masked in page and 'value="/gate/lixue-e/"' in page
    response = client.post(
        "/quarantine/returnees/new/",
        register_data(
            world,
            screening=str(event.pk),
            next="/gate/lixue-e/",
            arrived_date="2020-03-02",
            arrived_time="09:00",
        ),
    )
    assert response.status_code == 302 and response["Location"] == "/gate/lixue-e/"
    plan = QuarantinePlan.objects.get()
    assert plan.returnee.source == Source.GATE and plan.returnee.screening_id == event.pk
    assert plan.worker == world.worker  # the community's worker follows it up


def test_next_must_be_a_path_on_this_site(world: World) -> None:
    client = client_for(world.worker)
    page = client.get("/quarantine/returnees/new/?next=https://evil.example/").content.decode()
    assert 'name="next" value="https' not in page and "back-to-gate" not in page
    response = client.post("/quarantine/returnees/new/", register_data(world, next="//evil.example/x"))
    assert response["Location"].startswith("/quarantine/plans/")


def test_divisions_type_ahead(world: World) -> None:
    hits = Client().get("/quarantine/divisions?q=wuhan").json()
    assert hits[0] == {"code": "420100", "label": "湖北省 武汉市"}
    assert Client().get("/quarantine/divisions?q=whja").json()[0]["code"] == "420102"  # initials
    assert Client().get("/quarantine/divisions?q=").json() == []


def test_people_search_finds_residents_of_the_community(world: World) -> None:
    hits = client_for(world.worker).get(f"/quarantine/people?community={world.community_a.pk}&q=zs").json()
    assert hits == [
        {
            "id": world.resident.pk,
            "name": "张*",
            "id_masked": world.resident.id_masked,
            "where": "力学胡同 3 号",
        }
    ]


# ---- 3. the plan ------------------------------------------------------------------------------------


def test_plan_page_shows_the_qr_link_and_history(world: World, plan: QuarantinePlan) -> None:
    page = client_for(world.worker).get(f"/quarantine/plans/{plan.pk}/").content.decode()
    assert "<svg" in page and f"/q/{follow_up_token(plan)}/" in page
    assert "登记" in page and world.resident.id_masked in page
    assert "110102198001010017" not in page  # never the full ID


def test_health_station_extends_with_a_reason_and_the_worker_cannot(
    world: World, plan: QuarantinePlan
) -> None:
    url = f"/quarantine/plans/{plan.pk}/"
    worker = client_for(world.worker)
    assert "extend-submit" not in worker.get(url).content.decode()
    assert (
        worker.post(
            url, {"action": "extend", "extend-last_day": "2020-03-20", "extend-reason": "同行人确诊"}
        ).status_code
        == 403
    )
    health = client_for(world.health)
    assert "extend-submit" in health.get(url).content.decode()
    response = health.post(url, {"action": "extend", "extend-last_day": "2020-03-20", "extend-reason": ""})
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    response = health.post(
        url, {"action": "extend", "extend-last_day": "2020-03-09", "extend-reason": "同行人确诊"}
    )
    assert "须晚于当前的最后一天（2020-03-10）" in response.content.decode()
    plan.refresh_from_db()
    assert plan.last_day == dt.date(2020, 3, 10) and plan.status == PlanStatus.ACTIVE
    response = health.post(
        url, {"action": "extend", "extend-last_day": "2020-03-20", "extend-reason": "同行人确诊"}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.last_day, plan.status) == (dt.date(2020, 3, 20), PlanStatus.EXTENDED)
    page = health.get(url).content.decode()
    assert "2020-03-21" in page and "同行人确诊" in page and "已延长" in page


def test_reasons_are_required_to_release_or_transfer(world: World, plan: QuarantinePlan) -> None:
    url = f"/quarantine/plans/{plan.pk}/"
    admin = client_for(world.admin)
    response = admin.post(url, {"action": "release", "release-reason": "x"})
    assert "请写明原因" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.ACTIVE
    assert admin.post(url, {"action": "transfer", "transfer-reason": "发热转定点医院"}).status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.ended_on) == (PlanStatus.TRANSFERRED, TODAY)
    page = admin.get(url).content.decode()
    assert "plan-changes" not in page and "/q/" not in page  # ended: no changes, no link


def test_reassign_follow_ups(world: World, plan: QuarantinePlan) -> None:
    other = make_staff("worker-2", Role.COMMUNITY_WORKER, world.subdistrict, [world.community_a])
    response = client_for(world.worker).post(
        f"/quarantine/plans/{plan.pk}/", {"action": "assign", "assign-worker": other.pk}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.worker == other
    # Only workers of the plan's community are offered.
    response = client_for(world.worker).post(
        f"/quarantine/plans/{plan.pk}/", {"action": "assign", "assign-worker": world.gate_user.pk}
    )
    assert response.status_code == 200 and response.context["forms"]["assign"].errors


# ---- 4 and 5. self-reports ----------------------------------------------------------------------------


def test_a_returnee_self_reports_without_an_account(world: World) -> None:
    url = f"/r/{self_report_token(world.community_a)}/"
    client = Client()
    page = client.get(url).content.decode()
    assert "太仆寺街社区" in page and "<form" in page
    response = client.post(url, self_report_data())
    assert response.status_code == 302 and response["Location"] == url + "?done=1"
    assert "社区工作人员会尽快" in client.get(response["Location"]).content.decode()
    report = SelfReport.objects.get()
    assert report.trip["origin"] == "420100" and report.person["id_masked"] != NEW_ID
    assert NEW_ID not in str(report.person)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "110102199003070035"}, "id_number"),
        ({"phone": "12"}, "phone"),
        ({"origin_text": "wh"}, "origin_text"),  # initials are ambiguous (乌海, 芜湖, 武汉…) without a pick
        ({"transport_number": ""}, "transport_number"),
        ({"name": ""}, "name"),
    ],
)
def test_self_report_errors_show_and_store_nothing(
    world: World, overrides: dict[str, Any], field: str
) -> None:
    url = f"/r/{self_report_token(world.community_a)}/"
    response = Client().post(url, self_report_data(**overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not SelfReport.objects.exists()


def test_a_forged_self_report_link_is_refused(world: World) -> None:
    response = Client().get("/r/not-a-token/")
    assert response.status_code == 404 and "链接无效" in response.content.decode()


def test_worker_confirms_a_self_report_and_the_plan_starts(world: World) -> None:
    Client().post(f"/r/{self_report_token(world.community_a)}/", self_report_data())
    report = SelfReport.objects.get()
    client = client_for(world.worker)
    page = client.get("/quarantine/self-reports/").content.decode()
    assert "李四" in page and "湖北省 武汉市" in page and "<svg" in page
    response = client.post("/quarantine/self-reports/", {"report": str(report.pk), "action": "confirm"})
    plan = QuarantinePlan.objects.get()
    assert response["Location"] == f"/quarantine/plans/{plan.pk}/"
    assert (plan.first_day, plan.returnee.source) == (dt.date(2020, 3, 1), Source.SELF_REPORT)
    report.refresh_from_db()
    assert report.status == SelfReportStatus.CONFIRMED


def test_rejecting_a_self_report_needs_a_reason(world: World, worker_b: Any) -> None:
    Client().post(f"/r/{self_report_token(world.community_a)}/", self_report_data())
    report = SelfReport.objects.get()
    prefix = f"r{report.pk.hex[:8]}"
    assert (
        client_for(worker_b)
        .post("/quarantine/self-reports/", {"report": str(report.pk), "action": "confirm"})
        .status_code
        == 404
    )
    client = client_for(world.worker)
    response = client.post(
        "/quarantine/self-reports/", {"report": str(report.pk), "action": "reject", f"{prefix}-reason": " "}
    )
    assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
    report.refresh_from_db()
    assert report.status == SelfReportStatus.PENDING
    client.post(
        "/quarantine/self-reports/",
        {"report": str(report.pk), "action": "reject", f"{prefix}-reason": "重复申报"},
    )
    report.refresh_from_db()
    assert (report.status, report.reject_reason) == (SelfReportStatus.REJECTED, "重复申报")
    assert not QuarantinePlan.objects.exists()


def test_the_returnees_own_follow_up_once_per_slot(world: World, plan: QuarantinePlan) -> None:
    url = f"/q/{follow_up_token(plan)}/"
    client = Client()
    page = client.get(url).content.decode()
    assert "第 6 天，共 14 天" in page and "2020-03-11" in page and 'inputmode="decimal"' in page
    response = client.post(url, {"temperature": "42.5", "client_id": str(uuid.uuid4())})
    assert "不可信" in response.content.decode() and not FollowUp.objects.exists()
    response = client.post(url, {"temperature": "36,5", "client_id": str(uuid.uuid4())})
    assert response["Location"] == url + "?done=1"
    [f] = FollowUp.objects.all()
    assert (str(f.temperature_c), f.method, f.slot, f.recorded_by) == ("36.5", "self", "am", None)
    # The morning is done: the form does not come back until the afternoon.
    page = client.get(url).content.decode()
    assert "<form" not in page.split("<main>")[1] and "14:00" in page
    client.post(url, {"temperature": "38.5", "client_id": str(uuid.uuid4())})
    assert FollowUp.objects.count() == 1 and str(FollowUp.objects.get().temperature_c) == "36.5"


def test_an_ended_plans_link_says_so(world: World, plan: QuarantinePlan) -> None:
    client_for(world.health).post(
        f"/quarantine/plans/{plan.pk}/", {"action": "release", "release-reason": "核酸阴性"}
    )
    page = Client().get(f"/q/{follow_up_token(plan)}/").content.decode()
    assert "居家隔离已结束" in page and 'name="temperature"' not in page


# ---- 6. the health station -----------------------------------------------------------------------------


def test_fever_alert_reaches_the_health_station_with_what_to_do(world: World, plan: QuarantinePlan) -> None:
    client_for(world.worker).post("/quarantine/", follow_up_data(plan, "38.2"))
    alert = Alert.objects.get()
    health = client_for(world.health)
    page = health.get("/quarantine/health/").content.decode()
    assert "第 6 天随访体温 38.2 °C" in page and "2 小时内上门复测" in page
    assert "38.2" in page.split('id="fevers"')[1]  # today's fever readings
    prefix = f"a{alert.pk}"
    response = health.post("/quarantine/health/", {"alert": alert.pk, f"{prefix}-resolution": "x"})
    assert "请写明原因" in response.content.decode()
    alert.refresh_from_db()
    assert alert.resolved_at is None
    health.post("/quarantine/health/", {"alert": alert.pk, f"{prefix}-resolution": "上门复测 36.8，无需转诊"})
    alert.refresh_from_db()
    assert alert.resolved_by == world.health and alert.resolution == "上门复测 36.8，无需转诊"
    assert (
        "上门复测"
        not in health.get("/quarantine/health/").content.decode().split('id="alerts"')[1].split("</ul>")[0]
    )


def test_another_communitys_alert_is_404(world: World, plan: QuarantinePlan, worker_b: Any) -> None:
    client_for(world.worker).post("/quarantine/", follow_up_data(plan, "38.2"))
    alert = Alert.objects.get()
    response = client_for(worker_b).post(
        "/quarantine/health/", {"alert": alert.pk, f"a{alert.pk}-resolution": "已处理"}
    )
    assert response.status_code == 404
    assert "38.2" not in client_for(worker_b).get("/quarantine/health/").content.decode()


# ---- 7. figures ------------------------------------------------------------------------------------------


def test_figures_and_the_health_station_workbook(world: World, plan: QuarantinePlan) -> None:
    client = client_for(world.health)
    client_for(world.worker).post("/quarantine/", follow_up_data(plan, "36.6"))
    page = client.get("/quarantine/figures/?date=2020-03-02").content.decode()
    assert "太仆寺街社区" in page and "西单北社区" not in page  # the health station's community only
    figures = client.get("/quarantine/figures/?date=2020-03-02").context["total"]
    assert (figures.in_quarantine, figures.follow_ups_done) == (1, 1)
    response = client.get("/quarantine/figures.xlsx?date=2020-03-02")
    assert response.status_code == 200
    assert "2020-03-02" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["汇总 figures"]
    assert sheet["A3"].value == "太仆寺街社区" and sheet["B3"].value == 1
    people = book["隔离人员 people"]
    assert people["B2"].value == "张三" and people["C2"].value == world.resident.id_masked
    assert AuditLog.objects.filter(action="quarantine.export", actor=world.health).count() == 1


def test_figures_default_to_today_and_reject_a_bad_date(world: World) -> None:
    client = client_for(world.admin)
    assert client.get("/quarantine/figures/").context["day"] == TODAY
    response = client.get("/quarantine/figures/?date=2020-02-30")
    assert response.status_code == 200 and response.context["day"] == TODAY
    assert response.context["form"].errors["date"]


# ---- home -------------------------------------------------------------------------------------------------


def test_home_links_to_the_quarantine_pages_by_role(world: World) -> None:
    page = client_for(world.worker).get("/").content.decode()
    assert "/quarantine/returnees/new/" in page and "/quarantine/figures/" in page
    page = client_for(world.health).get("/").content.decode()
    assert "/quarantine/health/" in page and "/quarantine/returnees/new/" not in page
    assert timezone.now() == NOW


# ---- one language per page ---------------------------------------------------------------------------------


def test_every_page_speaks_chinese_by_default_and_english_when_asked(
    world: World, plan: QuarantinePlan
) -> None:
    from shouwang.core.tests.test_i18n import (
        assert_all_chinese,
        assert_all_english,
        place_names,
        visible_text,
    )

    Client().post(f"/r/{self_report_token(world.community_a)}/", self_report_data())
    client_for(world.worker).post("/quarantine/", follow_up_data(plan, "38.2", symptoms=["cough"]))
    own = f"/q/{follow_up_token(plan)}/"
    report = f"/r/{self_report_token(world.community_a)}/"
    pages = {
        world.worker: [
            "/quarantine/?mine=0",
            f"/quarantine/plans/{plan.pk}/",
            "/quarantine/returnees/new/",
            "/quarantine/self-reports/",
        ],
        world.health: ["/quarantine/health/", "/quarantine/figures/", f"/quarantine/plans/{plan.pk}/"],
        None: [report, own, report + "?done=1"],
    }
    data = [
        *place_names(world),
        *("张三", "张*", "李四", "力学胡同 3 号", "力学胡同 9 号", "湖北省 武汉市 江岸区", "湖北省 武汉市"),
        *("worker", "health", "G508", "CA1234", ".xlsx", "G1234 · CA1234 · 京A12345"),
        *("wuhan", "zhangsan", "zs", "wh", "武汉", "http://testserver" + own, "http://testserver" + report),
    ]
    for user, urls in pages.items():
        for url in urls:
            zh = Client()
            en = Client(HTTP_ACCEPT_LANGUAGE="en")
            if user is not None:
                zh.force_login(user)
                en.force_login(user)
            zh_text = visible_text(zh.get(url).content.decode())
            assert_all_chinese(zh_text, *data)
            en_html = en.get(url).content.decode()
            assert '<html lang="en">' in en_html, url
            assert_all_english(visible_text(en_html), *data)
