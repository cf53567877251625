"""The quarantine write path: registering, follow-ups, changing plans, self-reports, the gate."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from typing import Any

import pytest
import time_machine

from conftest import ZHANG_SAN_ID, World, start_quarantine
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.core.models import AuditLog
from shouwang.people.models import Resident
from shouwang.people.services import ResidentIn
from shouwang.quarantine.choices import PlanStatus, Source
from shouwang.quarantine.messages import alert_words
from shouwang.quarantine.models import FollowUp, QuarantinePlan, Returnee, SelfReport
from shouwang.quarantine.services import (
    PersonIn,
    TripIn,
    confirm_self_report,
    extend_plan,
    record_follow_up,
    register_returnee,
    reject_self_report,
    release_early,
    resolve_alert,
    submit_self_report,
    transfer_to_hospital,
)
from shouwang.screening.identify import Identifier
from shouwang.screening.models import Alert
from shouwang.screening.services import record_screening

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 5, 10, 0, tzinfo=SHANGHAI)
# 李四: a valid Xicheng ID (check digit from stdnum), not yet a resident.
LI_SI_ID = "110102199003070034"

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen() -> object:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def trip(**changes: object) -> TripIn:
    values: dict[str, object] = {
        "origin": "420102",
        "arrived_at": dt.datetime(2020, 3, 4, 18, 0, tzinfo=SHANGHAI),
        "transport": "train",
        "transport_number": "g 508",
    }
    values.update(changes)
    return TripIn(**values)  # type: ignore[arg-type]


def register(world: World, person: PersonIn | None = None, **changes: Any) -> QuarantinePlan:
    return register_returnee(
        world.community_a,
        person=person or PersonIn(resident=world.resident.pk),
        trip=trip(**changes),
        source=Source.WORKER,
        actor=world.worker,
    )


def test_register_by_id_number_keeps_the_trip_and_gives_the_worker_the_plan(world: World) -> None:
    plan = register(world, PersonIn(id_number=ZHANG_SAN_ID), companions="  妻子   李梅 ")
    assert plan.resident == world.resident
    assert (plan.first_day, plan.last_day, plan.status) == (
        dt.date(2020, 3, 4),
        dt.date(2020, 3, 17),
        "active",
    )
    assert plan.worker == world.worker
    r = plan.returnee
    assert (r.origin_code, r.origin_label) == ("420102", "湖北省 武汉市 江岸区")
    assert (r.transport_number, r.companions, r.address) == ("G508", "妻子 李梅", "力学胡同 3 号")
    assert AuditLog.objects.filter(action="returnee.register", object_id=str(plan.pk)).exists()


def test_register_a_new_person_makes_them_a_resident(world: World) -> None:
    new = ResidentIn(name="李四", id_number=LI_SI_ID, phone="138 0013 8000", address="力学胡同 5 号")
    plan = register(world, PersonIn(new=new))
    assert plan.resident.name == "李四" and plan.resident.phone == "+8613800138000"
    assert plan.resident.household is not None and plan.resident.household.address == "力学胡同 5 号"


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"origin": "999999"}, "division_unknown", "origin"),
        ({"arrived_at": dt.datetime(2020, 3, 4, 18, 0)}, "arrived_at_naive", "arrived_at"),  # noqa: DTZ001
        ({"arrived_at": dt.datetime(2020, 3, 6, 18, 0, tzinfo=SHANGHAI)}, "arrived_at_future", "arrived_at"),
        ({"transport": "boat"}, "transport_invalid", "transport"),
        ({"transport_number": ""}, "transport_number_required", "transport_number"),
        ({"transport_number": "13800138000"}, "transport_number_invalid", "transport_number"),
        ({"transport": "car", "transport_number": "ABC"}, "transport_number_invalid", "transport_number"),
    ],
)
def test_a_bad_trip_says_which_field_and_saves_nothing(
    world: World, changes: dict[str, Any], code: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as err:
        register(world, **changes)
    assert (err.value.code, err.value.field) == (code, field)
    assert err.value.message("en") != code and err.value.message("zh-hans") != code
    assert Returnee.objects.count() == QuarantinePlan.objects.count() == 0


def test_a_car_needs_no_plate_but_a_plate_must_look_like_one(world: World) -> None:
    plan = register(world, transport="car", transport_number="冀f 12345")
    assert plan.returnee.transport_number == "冀F12345"


def test_one_plan_in_force_per_person(world: World) -> None:
    register(world)
    with pytest.raises(InvalidInput) as err:
        register(world, PersonIn(id_number=ZHANG_SAN_ID))
    assert err.value.code == "quarantine_exists"
    assert "2020-03-17" in err.value.message("en")


def test_person_must_be_named_once_and_be_of_this_community(world: World) -> None:
    with pytest.raises(InvalidInput, match="exactly one"):
        register(world, PersonIn(resident=world.resident.pk, id_number=ZHANG_SAN_ID))
    with pytest.raises(NotFound) as err:
        register(world, PersonIn(id_number=LI_SI_ID))
    assert err.value.code == "returnee_not_resident"
    with pytest.raises(Forbidden):
        register_returnee(
            world.community_b,
            person=PersonIn(resident=world.resident.pk),
            trip=trip(),
            source=Source.WORKER,
            actor=world.worker,
        )


def test_follow_up_fever_alerts_the_health_station_with_what_to_do(world: World, caplog: object) -> None:
    plan = register(world)
    client_id = uuid.uuid4()
    first = record_follow_up(
        plan, temperature="378", symptoms=["cough"], method="phone", actor=world.worker, client_id=client_id
    )
    assert first.created and first.alerts == ["followup_fever"]
    f = first.follow_up
    assert (str(f.temperature_c), f.slot, f.local_date, f.symptoms) == (
        "37.8",
        "am",
        dt.date(2020, 3, 5),
        ["cough"],
    )
    again = record_follow_up(
        plan, temperature="378", symptoms=["cough"], method="phone", actor=world.worker, client_id=client_id
    )
    assert not again.created and FollowUp.objects.count() == 1
    [alert] = Alert.objects.filter(kind="followup_fever")
    assert alert.resident == world.resident and alert.detail["day"] == 2
    words = alert_words(alert, "zh-hans")
    assert "张*" in words and "张三" not in words and "力学胡同" not in words
    assert "37.8" in words and "第 2 天" in words and "上门复测" in words
    assert "re-measure" in alert_words(alert, "en")
    resolved = resolve_alert(alert, resolution="上门复测 36.9，已恢复", actor=world.health)
    assert resolved.resolved_by == world.health
    with pytest.raises(InvalidInput, match="already"):
        resolve_alert(alert, resolution="again", actor=world.health)


def test_symptoms_without_fever_raise_their_own_alert_and_a_correction_replaces_the_slot(
    world: World,
) -> None:
    plan = register(world)
    record_follow_up(plan, temperature="36.6", method="visit", actor=world.worker, slot="am")
    fixed = record_follow_up(
        plan,
        temperature="36.7",
        symptoms=["fatigue", "fatigue"],
        method="visit",
        replace=True,
        actor=world.worker,
        slot="am",
    )
    assert fixed.alerts == ["followup_symptoms"] and fixed.follow_up.symptoms == ["fatigue"]
    assert FollowUp.objects.get().temperature_c == fixed.follow_up.temperature_c
    assert AuditLog.objects.filter(action="follow_up.correct").count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"temperature": ""}, "temperature_required"),
        ({"temperature": "abc"}, "temperature_unreadable"),
        ({"temperature": "33.0"}, "follow_up_implausible"),
        ({"symptoms": ["sneezing"]}, "symptom_unknown"),
        ({"method": "pigeon"}, "method_invalid"),
        ({"slot": "noon"}, "slot_invalid"),
        ({"local_date": dt.date(2020, 3, 6)}, "follow_up_future"),
        ({"local_date": dt.date(2020, 3, 3)}, "plan_not_in_force"),
    ],
)
def test_bad_follow_ups_are_refused(world: World, kwargs: dict[str, object], code: str) -> None:
    plan = register(world)
    values: dict[str, object] = {"temperature": "36.6", "method": "phone", "actor": world.worker}
    values.update(kwargs)
    with pytest.raises(InvalidInput) as err:
        record_follow_up(plan, **values)  # type: ignore[arg-type]
    assert err.value.code == code
    assert FollowUp.objects.count() == 0 and Alert.objects.count() == 0


def test_early_release_extension_and_transfer_need_the_role_and_a_reason(world: World) -> None:
    plan = register(world)
    with pytest.raises(Forbidden):
        release_early(plan, reason="核酸阴性", actor=world.worker)
    with pytest.raises(InvalidInput, match="reason"):
        release_early(plan, reason=" ", actor=world.health)
    with pytest.raises(InvalidInput) as err:
        extend_plan(plan, last_day=dt.date(2020, 3, 10), reason="同住人发热", actor=world.health)
    assert err.value.code == "extend_not_later"
    longer = extend_plan(plan, last_day=dt.date(2020, 3, 24), reason="同住人发热", actor=world.health)
    assert (longer.status, longer.last_day) == (PlanStatus.EXTENDED, dt.date(2020, 3, 24))
    released = release_early(longer, reason="核酸两次阴性，医生同意", actor=world.health)
    assert (released.status, released.ended_on) == (PlanStatus.RELEASED, dt.date(2020, 3, 5))
    with pytest.raises(InvalidInput, match=r"ended|outside"):
        transfer_to_hospital(released, reason="发热", actor=world.admin)
    actions = list(AuditLog.objects.filter(object_id=str(plan.pk)).values_list("action", "detail__reason"))
    assert ("quarantine.extend", "同住人发热") in actions
    assert ("quarantine.release_early", "核酸两次阴性，医生同意") in actions


def test_the_gate_follows_the_plan_not_a_copy(world: World, frozen: Any) -> None:
    def out() -> tuple[str, str]:
        event = record_screening(
            Identifier(pass_number=world.pass_.number),
            checkpoint=world.gate_a,
            direction="out",
            temperature=None,
            mask=True,
            actor=world.gate_user,
        ).event
        return event.decision, event.reasons[0]

    plan = register(world)
    assert out() == ("deny", "quarantine_active")
    breach = Alert.objects.get(kind="quarantine_breach")
    assert breach.resident == world.resident
    assert "力学胡同东口" in alert_words(breach, "zh-hans")
    transfer_to_hospital(plan, reason="发热转定点医院", actor=world.health)
    frozen.shift(dt.timedelta(minutes=1))  # not the same scan twice
    assert out()[0] == "admit"


def test_quarantine_breach_reaches_the_plans_worker(
    world: World, caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    register(world)
    with caplog.at_level("INFO", logger="shouwang.notify"), django_capture_on_commit_callbacks(execute=True):
        record_screening(
            Identifier(resident=world.resident.pk),
            checkpoint=world.gate_a,
            direction="out",
            temperature=None,
            mask=True,
            actor=world.gate_user,
        )
    sent = [r for r in caplog.records if r.name == "shouwang.notify"]
    assert sent and "worker" in sent[0].getMessage()


def test_self_report_keeps_no_clear_id_and_a_worker_confirms_it(world: World) -> None:
    report = submit_self_report(
        world.community_a,
        person=ResidentIn(name="李四", id_number=LI_SI_ID, phone="13800138000", address="力学胡同 7 号"),
        trip=trip(transport="flight", transport_number="ca1234"),
    )
    assert LI_SI_ID not in str(report.person) and report.person["id_masked"] == "110***********0034"
    with pytest.raises(Forbidden):
        confirm_self_report(report, actor=world.gate_user)
    plan = confirm_self_report(report, actor=world.worker)
    assert plan.resident.name == "李四" and plan.returnee.source == Source.SELF_REPORT
    assert plan.returnee.transport_number == "CA1234"
    assert Resident.objects.filter(name="李四").count() == 1
    with pytest.raises(InvalidInput, match="already"):
        reject_self_report(report, reason="重复", actor=world.worker)


def test_self_report_rejected_with_reason_and_bad_input_saves_nothing(world: World) -> None:
    with pytest.raises(InvalidInput) as err:
        submit_self_report(
            world.community_a,
            person=ResidentIn(name="李四", id_number="110102199003070035", address="x"),
            trip=trip(),
        )
    assert err.value.field == "id_number"
    assert SelfReport.objects.count() == 0
    report = submit_self_report(
        world.community_a, person=ResidentIn(name="李四", id_number=LI_SI_ID, address="x"), trip=trip()
    )
    rejected = reject_self_report(report, reason="不是本社区居民", actor=world.worker)
    assert rejected.status == "rejected" and not QuarantinePlan.objects.exists()


def test_a_missed_follow_up_can_be_recorded_for_an_earlier_day(world: World) -> None:
    with time_machine.travel(dt.datetime(2020, 3, 1, 9, tzinfo=SHANGHAI), tick=False):
        plan = start_quarantine(world, world.resident, dt.date(2020, 3, 6))
    assert plan.first_day == dt.date(2020, 2, 22)
    record_follow_up(
        plan, temperature="36.5", method="phone", actor=world.worker, local_date=dt.date(2020, 3, 4)
    )
    assert FollowUp.objects.get().local_date == dt.date(2020, 3, 4)


def test_a_follow_up_id_belongs_to_one_plan_and_gate_staff_record_none(world: World) -> None:
    plan = register(world)
    other = start_quarantine(world, _second(world), dt.date(2020, 3, 10))
    client_id = uuid.uuid4()
    record_follow_up(plan, temperature="36.6", method="phone", actor=world.worker, client_id=client_id)
    with pytest.raises(InvalidInput) as err:
        record_follow_up(other, temperature="36.6", method="phone", actor=world.admin, client_id=client_id)
    assert err.value.code == "follow_up_id_reused"
    with pytest.raises(Forbidden):
        record_follow_up(plan, temperature="36.6", method="phone", actor=world.gate_user, slot="pm")


def _second(world: World) -> Resident:
    from shouwang.people.services import upsert_resident

    resident, _ = upsert_resident(
        world.community_a,
        ResidentIn(name="李四", id_number=LI_SI_ID, address="力学胡同 5 号"),
        actor=world.admin,
    )
    return resident
