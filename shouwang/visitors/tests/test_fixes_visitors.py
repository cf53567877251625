"""Fixes of the outsiders at the gate after the tester's report: a fever never walks in as a
visitor or a rider (referrals and retests seen from screenings, across the sub-district), the
``register`` screening used once and only by its own person, exits through an adjoining
community's gate, a form sent twice, long names, visits keeping the visitor as recorded, the
health station's alert, lists of another community, and the expected document format.

Fixed time: 2020-03-01 10:00 in Beijing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from conftest import World, make_staff
from shouwang.core.auth import create_token
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.core.models import AuditLog
from shouwang.people.services import get_or_create_household
from shouwang.places.models import Checkpoint, Community, Subdistrict
from shouwang.screening.choices import AlertKind
from shouwang.screening.identify import Identifier
from shouwang.screening.models import Alert, ScreeningEvent
from shouwang.screening.services import record_screening
from shouwang.visitors.choices import HostKind
from shouwang.visitors.models import Delivery, Visit, Visitor
from shouwang.visitors.selectors import find_visitor
from shouwang.visitors.services import (
    HostIn,
    VisitorIn,
    record_visit_exit,
    register_delivery,
    register_visit,
    visit_pass_qr,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 10, 0, tzinfo=SHANGHAI)
LI_SI_ID = "110102199003070034"  # valid, not a resident
WANG_WU_ID = "110102199001010038"  # valid, not a resident
PHONE = "13800138000"


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def client(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(username)}")


def post(c: Client, path: str, body: dict[str, Any], lang: str = "zh-CN") -> Any:
    return c.post(f"/api/v1{path}", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)


def get(c: Client, path: str, lang: str = "zh-CN", **params: Any) -> Any:
    return c.get(f"/api/v1{path}", params, HTTP_ACCEPT_LANGUAGE=lang)


def host_a(world: World) -> HostIn:
    return HostIn(HostKind.HOUSEHOLD, world.resident.household_id)


def host_b(world: World) -> HostIn:
    household = get_or_create_household(world.community_b, "东斜街 1 号")
    assert household is not None
    return HostIn(HostKind.HOUSEHOLD, household.pk)


def visit(world: World, **changes: Any) -> Visit:
    values: dict[str, Any] = {
        "visitor": VisitorIn(name="李四", phone=PHONE, id_number=LI_SI_ID),
        "host": host_a(world),
        "reason": "探亲",
        "temperature": "36.6",
        "mask": True,
        "actor": world.gate_user,
    }
    values.update(changes)
    gate = values.pop("checkpoint", world.gate_a)
    result = register_visit(gate, **values)
    visit: Visit = result.visit
    return visit


def deliver(world: World, **changes: Any) -> Delivery:
    values: dict[str, Any] = {
        "platform": "meituan",
        "phone": PHONE,
        "temperature": "36.5",
        "mask": True,
        "actor": world.gate_user,
    }
    values.update(changes)
    gate = values.pop("checkpoint", world.gate_a)
    delivery: Delivery = register_delivery(gate, **values).delivery
    return delivery


def screen(world: World, temperature: str, *, gate: Any = None, **ident: Any) -> ScreeningEvent:
    gate = gate or world.gate_a
    event: ScreeningEvent = record_screening(
        Identifier(**(ident or {"id_number": LI_SI_ID})),
        checkpoint=gate,
        direction="in",
        temperature=temperature,
        mask=True,
        actor=world.gate_user if gate.community_id == world.community_a.pk else world.other_gate_user,
    ).event
    return event


def refer_at_screening(world: World, clock: Any, **ident: Any) -> ScreeningEvent:
    """A fever read twice at 力学胡同东口 five minutes apart: referred to the health station."""
    first = screen(world, "37.8", **ident)
    assert first.decision == "retest"
    clock.shift(dt.timedelta(minutes=5))
    second = screen(world, "37.9", **ident)
    assert (second.decision, second.reasons[0]) == ("refer", "fever_confirmed")
    clock.shift(dt.timedelta(seconds=30))
    return second


# ---- 1. a referral at a screening holds the visitor and the rider -------------------------


def test_referred_by_id_number_at_the_gate_then_registering_as_a_visitor_is_referred(
    world: World, clock: Any
) -> None:
    refer_at_screening(world, clock)
    held = visit(world, temperature="36.6")
    assert (held.decision, held.reasons[0], held.pass_number) == ("refer", "fever_referred_recently", "")
    assert held.reason_params["referred_at"] == "10:05"
    # Through the API as the gate page sends it: the same answer, no pass.
    body = {
        "checkpoint": "lixue-e",
        "visitor": {"name": "李四", "phone": "139 0013 9000", "id_number": LI_SI_ID},
        "host": {"kind": "household", "id": world.resident.household_id},
        "reason": "送药",
        "temperature": "36.5",
        "mask": True,
    }
    response = post(client("gate"), "/visits", body)
    assert response.status_code == 201, response.content
    assert (response.json()["decision"], response.json()["pass_number"]) == ("refer", "")
    assert "卫生站" in response.json()["message"]


def test_referred_by_id_number_then_registering_as_a_rider_by_phone_is_referred(
    world: World, clock: Any
) -> None:
    # Known as a visitor yesterday: the phone is known to belong to that document.
    with time_machine.travel(NOW - dt.timedelta(days=1), tick=False):
        visit(world)
    refer_at_screening(world, clock)
    rider = deliver(world, phone="+86 138 0013 8000")
    assert (rider.decision, rider.reasons[0]) == ("refer", "fever_referred_recently")


def test_a_fever_first_read_at_a_screening_is_retested_by_the_visitor_registration(
    world: World, clock: Any
) -> None:
    first = screen(world, "37.8")
    assert first.decision == "retest"
    clock.shift(dt.timedelta(minutes=4))
    second = visit(world, temperature="37.9")
    assert (second.decision, second.reasons[0]) == ("refer", "fever_confirmed")
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.FEVER_REFERRAL and alert.detail["visit"] == str(second.pk)
    logged = AuditLog.objects.get(action="visit.register", object_id=str(second.pk))
    assert logged.detail["retest_of"] == f"screening:{first.pk}"


def test_a_visitor_pass_referred_at_the_gate_holds_the_next_registration(world: World, clock: Any) -> None:
    admitted = visit(world)
    clock.shift(dt.timedelta(hours=1))
    qr = visit_pass_qr(admitted)
    assert screen(world, "37.8", qr=qr).decision == "retest"
    clock.shift(dt.timedelta(minutes=5))
    assert screen(world, "37.9", qr=qr).decision == "refer"
    clock.shift(dt.timedelta(minutes=1))
    again = visit(world, checkpoint=world.gate_a2, temperature="36.6")
    assert (again.decision, again.reasons[0]) == ("refer", "fever_referred_recently")


def test_the_hold_ends_after_the_referral_hold(world: World, clock: Any) -> None:
    refer_at_screening(world, clock)
    clock.shift(dt.timedelta(hours=4, minutes=1))
    assert visit(world).decision == "admit"


# ---- 2. the hold crosses the communities of the sub-district for outsiders -----------------


def test_referred_as_a_visitor_at_one_community_is_held_at_the_next(world: World, clock: Any) -> None:
    assert visit(world, temperature="37.8").decision == "retest"
    clock.shift(dt.timedelta(minutes=5))
    assert visit(world, temperature="37.9").decision == "refer"
    clock.shift(dt.timedelta(minutes=1))
    elsewhere = visit(
        world,
        checkpoint=world.gate_b,
        actor=world.other_gate_user,
        host=host_b(world),
        visitor=VisitorIn(name="李四", phone="13900139000", id_number=LI_SI_ID),
    )
    assert elsewhere.visitor.community_id == world.community_b.pk  # a new visitor record there
    assert (elsewhere.decision, elsewhere.reasons[0]) == ("refer", "fever_referred_recently")


def test_referred_as_a_rider_at_one_community_is_held_at_the_next(world: World, clock: Any) -> None:
    assert deliver(world, temperature="37.8").decision == "retest"
    clock.shift(dt.timedelta(minutes=5))
    assert deliver(world, temperature="37.9").decision == "refer"
    clock.shift(dt.timedelta(minutes=1))
    elsewhere = deliver(world, checkpoint=world.gate_b, actor=world.other_gate_user, platform="eleme")
    assert (elsewhere.decision, elsewhere.reasons[0]) == ("refer", "fever_referred_recently")
    # And as a visitor with the rider's phone.
    as_visitor = visit(
        world,
        checkpoint=world.gate_b,
        actor=world.other_gate_user,
        host=host_b(world),
        visitor=VisitorIn(name="赵六", phone=PHONE, id_number=WANG_WU_ID),
    )
    assert as_visitor.decision == "refer"


def test_referred_at_a_screening_in_one_community_is_held_as_a_visitor_of_the_next(
    world: World, clock: Any
) -> None:
    refer_at_screening(world, clock)
    elsewhere = visit(world, checkpoint=world.gate_b, actor=world.other_gate_user, host=host_b(world))
    assert elsewhere.decision == "refer"


def test_the_hold_stops_at_the_sub_district(world: World, clock: Any) -> None:
    other = Subdistrict.objects.create(code="jinrong", name="金融街街道")
    far = Community.objects.create(subdistrict=other, code="fcm", name="丰盛社区")
    far_gate = Checkpoint.objects.create(community=far, code="fcm-n", name="丰盛胡同北口")
    far_staff = make_staff("gate-far", Role.GATE_STAFF, other, [far])
    refer_at_screening(world, clock)
    household = get_or_create_household(far, "丰盛胡同 1 号")
    assert household is not None
    there = visit(
        world,
        checkpoint=far_gate,
        actor=far_staff,
        host=HostIn(HostKind.HOUSEHOLD, household.pk),
    )
    assert there.decision == "admit"


# ---- 3. the screening given with a visit --------------------------------------------------


def register_screening(world: World, **ident: Any) -> ScreeningEvent:
    event = screen(world, "36.7", **ident)
    assert event.decision == "register"
    return event


def test_a_residents_admit_screening_is_not_a_visitors_reading(world: World) -> None:
    resident = screen(world, "36.6", pass_number=world.pass_.number)
    assert resident.decision == "admit"
    body = {
        "checkpoint": "lixue-e",
        "visitor": {"name": "李四", "phone": PHONE, "id_number": LI_SI_ID},
        "host": {"kind": "household", "id": world.resident.household_id},
        "reason": "探亲",
        "screening": str(resident.pk),
    }
    for lang, words in (("zh-CN", "不是“登记”"), ("en", "not 'register'")):
        response = post(client("gate"), "/visits", body, lang=lang)
        assert response.status_code == 400, response.content
        assert response.json()["code"] == "visit_screening_not_register"
        assert response.json()["errors"][0]["field"] == "screening"
        assert words in response.json()["message"]
    assert not Visit.objects.exists() and not Visitor.objects.exists()


def test_one_register_screening_is_one_visitors_reading(world: World, clock: Any) -> None:
    screening = register_screening(world, qr="https://example.com/not-ours")
    first = visit(world, temperature=None, mask=None, screening=screening)
    assert (first.decision, str(first.temperature_c)) == ("admit", "36.7")
    clock.shift(dt.timedelta(seconds=40))
    with pytest.raises(InvalidInput) as caught:
        visit(
            world,
            temperature=None,
            mask=None,
            screening=screening,
            visitor=VisitorIn(name="王五", phone="13900139000", id_number=WANG_WU_ID),
        )
    assert (caught.value.code, caught.value.field) == ("visit_screening_used", "screening")
    assert "10:00" in caught.value.message() and "already used" in caught.value.message("en")
    assert Visit.objects.count() == 1 and Visitor.objects.count() == 1


def test_an_old_screening_is_not_todays_reading(world: World, clock: Any) -> None:
    old = record_screening(
        Identifier(qr="https://example.com/not-ours"),
        checkpoint=world.gate_a,
        direction="in",
        temperature="36.6",
        mask=True,
        actor=world.gate_user,
        occurred_at=NOW - dt.timedelta(days=2),
    ).event
    with pytest.raises(InvalidInput) as caught:
        visit(world, temperature=None, mask=None, screening=old)
    assert caught.value.code == "visit_screening_stale"
    assert "2020-02-28 10:00" in caught.value.message() and "30 minutes" in caught.value.message("en")
    fresh = register_screening(world, qr="https://example.com/not-ours")
    clock.shift(dt.timedelta(minutes=31))
    with pytest.raises(InvalidInput) as late:
        visit(world, temperature=None, mask=None, screening=fresh)
    assert late.value.code == "visit_screening_stale"
    assert not Visit.objects.exists()


def test_a_screening_of_a_document_is_only_that_documents_visitors_reading(world: World) -> None:
    screening = register_screening(world, id_number=WANG_WU_ID)
    with pytest.raises(InvalidInput) as caught:
        visit(world, temperature=None, mask=None, screening=screening)
    assert caught.value.code == "visit_screening_other_person"
    assert "110***********0038" in caught.value.message()
    assert not Visit.objects.exists() and not Visitor.objects.exists()
    own = visit(
        world,
        temperature=None,
        mask=None,
        screening=screening,
        visitor=VisitorIn(name="王五", phone="13900139000", id_number="110102 19900101 0038"),
    )
    assert (own.decision, own.screening_id) == ("admit", screening.pk)


# ---- 6. leaving through an adjoining community's gate -------------------------------------


def test_a_visitor_pass_scanned_out_at_an_adjoining_communitys_gate_is_the_exit(
    world: World, clock: Any
) -> None:
    admitted = visit(world)
    clock.shift(dt.timedelta(hours=1))
    out = record_screening(
        Identifier(qr=visit_pass_qr(admitted)),
        checkpoint=world.gate_b,
        direction="out",
        temperature=None,
        mask=True,
        actor=world.other_gate_user,
    ).event
    assert (out.decision, out.reasons[0]) == ("admit", "pass_other_community")
    admitted.refresh_from_db()
    assert (admitted.out_checkpoint_id, admitted.out_at) == (world.gate_b.pk, NOW + dt.timedelta(hours=1))
    assert AuditLog.objects.filter(action="visit.exit", object_id=str(admitted.pk)).exists()
    # Coming back in there is still another community's pass, and no re-entry.
    back = record_screening(
        Identifier(qr=visit_pass_qr(admitted)),
        checkpoint=world.gate_b,
        direction="in",
        temperature="36.6",
        mask=True,
        actor=world.other_gate_user,
    ).event
    assert back.decision == "deny"
    admitted.refresh_from_db()
    assert admitted.out_at is not None and admitted.reentries == 0


def test_exit_by_pass_at_an_adjoining_communitys_gate_and_not_beyond(world: World, clock: Any) -> None:
    admitted = visit(world)
    clock.shift(dt.timedelta(hours=1))
    response = post(
        client("gate-b"), "/visits/exit", {"checkpoint": "dongxie-n", "pass_number": admitted.pass_number}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["out_checkpoint"], body["on_site"], body["out_at"]) == (
        "dongxie-n",
        False,
        "2020-03-01T11:00:00+08:00",
    )
    again = post(client("gate-b"), "/visits/exit", {"checkpoint": "dongxie-n", "qr": visit_pass_qr(admitted)})
    assert again.status_code == 200
    # A gate of another sub-district does not know the pass.
    other = Subdistrict.objects.create(code="jinrong", name="金融街街道")
    far = Community.objects.create(subdistrict=other, code="fcm", name="丰盛社区")
    far_gate = Checkpoint.objects.create(community=far, code="fcm-n", name="丰盛胡同北口")
    far_staff = make_staff("gate-far", Role.GATE_STAFF, other, [far])
    far_exit = post(
        client("gate-far"), "/visits/exit", {"checkpoint": "fcm-n", "qr": visit_pass_qr(admitted)}
    )
    assert (far_exit.status_code, far_exit.json()["code"]) == (404, "visitor_pass_unknown")
    with pytest.raises(NotFound) as caught:
        record_visit_exit(admitted, checkpoint=far_gate, actor=far_staff)
    assert caught.value.code == "visit_unknown"
    # Staff of the visit's community cannot record an exit at a gate not theirs.
    with pytest.raises(Forbidden):
        record_visit_exit(admitted, checkpoint=world.gate_b, actor=world.gate_user)


# ---- 9. a form sent twice -----------------------------------------------------------------


def test_the_same_visit_sent_twice_without_an_id_is_one_visit(world: World, clock: Any) -> None:
    body = {
        "checkpoint": "lixue-e",
        "visitor": {"name": "李四", "phone": PHONE, "id_number": LI_SI_ID},
        "host": {"kind": "household", "id": world.resident.household_id},
        "reason": "探亲",
        "temperature": "36.6",
        "mask": True,
    }
    gate = client("gate")
    first = post(gate, "/visits", body)
    clock.shift(dt.timedelta(milliseconds=600))
    second = post(gate, "/visits", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"]
    assert second.json()["pass_number"] == first.json()["pass_number"] == "TPS-V200301-001"
    assert Visit.objects.count() == 1
    # Another reading is another record, and so is the same one after the window.
    clock.shift(dt.timedelta(seconds=11))
    assert post(gate, "/visits", body).status_code == 201
    assert Visit.objects.count() == 2


def test_the_same_delivery_sent_twice_without_an_id_is_one_delivery(world: World, clock: Any) -> None:
    body = {
        "checkpoint": "lixue-e",
        "platform": "meituan",
        "phone": PHONE,
        "temperature": "36.5",
        "mask": True,
    }
    gate = client("gate")
    first = post(gate, "/deliveries", body)
    clock.shift(dt.timedelta(milliseconds=400))
    second = post(gate, "/deliveries", body)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["id"] == first.json()["id"] and Delivery.objects.count() == 1
    assert post(gate, "/deliveries", {**body, "temperature": "36.4"}).status_code == 201


# ---- 10. a long name ----------------------------------------------------------------------


def test_a_masked_name_does_not_tell_its_length(world: World) -> None:
    from shouwang.visitors.models import mask_name

    assert [mask_name(n) for n in ("李四", "王小明", "欧阳娜娜", "A" * 100, "")] == [
        "李*",
        "王**",
        "欧**",
        "A**",
        "",
    ]
    long = visit(world, visitor=VisitorIn(name="A" * 100, phone=PHONE, id_number=LI_SI_ID))
    shown = get(client("gate"), f"/visits/{long.pk}").json()
    assert shown["visitor"]["name"] == "A**"
    rider = post(
        client("gate"),
        "/deliveries",
        {
            "checkpoint": "lixue-e",
            "platform": "sf",
            "phone": "13600136000",
            "name": "B" * 100,
            "mask": True,
            "temperature": "36.5",
        },
    ).json()
    assert rider["name"] == "B**"


# ---- 4. a visit keeps the visitor as recorded ----------------------------------------------


def test_a_later_visit_with_other_name_and_phone_does_not_rewrite_earlier_ones(
    world: World, clock: Any
) -> None:
    first = visit(world)
    clock.shift(dt.timedelta(hours=3))
    second = visit(world, visitor=VisitorIn(name="王四", phone="13900139000", id_number=LI_SI_ID))
    assert second.visitor_id == first.visitor_id
    gate = client("gate")
    shown_first = get(gate, f"/visits/{first.pk}").json()["visitor"]
    shown_second = get(gate, f"/visits/{second.pk}").json()["visitor"]
    assert (shown_first["name"], shown_first["phone"]) == ("李*", "138****8000")
    assert (shown_second["name"], shown_second["phone"]) == ("王*", "139****9000")
    first.refresh_from_db()
    assert first.visitor_phone == "+8613800138000"
    update = AuditLog.objects.get(action="visitor.update")
    assert update.detail["fields"] == ["name", "phone"]
    assert update.detail["before"] == {"name": "李*", "phone": "138****8000"}
    assert update.detail["after"] == {"name": "王*", "phone": "139****9000"}
    page = Client()
    page.force_login(world.gate_user)
    today = page.get("/visitors/").content.decode()
    assert "李*" in today and "王*" in today


def test_the_migration_fills_the_visits_from_their_visitor(world: World) -> None:
    from django.apps import apps

    migration = importlib.import_module(
        "shouwang.visitors.migrations.0002_visit_keeps_the_visitor_as_recorded"
    )
    v = visit(world)
    Visit.objects.filter(pk=v.pk).update(visitor_name_masked="", visitor_phone="", visitor_id_masked="")
    migration.fill_from_visitor(apps, None)
    v.refresh_from_db()
    assert (v.visitor_name_masked, v.visitor_phone, v.visitor_id_masked) == (
        "李*",
        "+8613800138000",
        "110***********0034",
    )


# ---- 5. the health station's alert --------------------------------------------------------


def test_an_outsiders_fever_alert_names_the_gate_and_whom_they_came_to(world: World, clock: Any) -> None:
    from shouwang.quarantine.messages import alert_words

    visit(world, temperature="37.8")
    clock.shift(dt.timedelta(minutes=5))
    visit(world, temperature="37.9")
    alert = Alert.objects.get()
    assert {k: alert.detail[k] for k in ("checkpoint", "checkpoint_code", "host", "phone")} == {
        "checkpoint": "力学胡同东口",
        "checkpoint_code": "lixue-e",
        "host": "力学胡同 3 号",
        "phone": "138****8000",
    }
    words = alert_words(alert, "zh-hans")
    assert "力学胡同东口" in words and "力学胡同 3 号" in words and "138****8000" in words
    assert "13800138000" not in str(alert.detail)
    alert.delete()
    deliver(world, temperature="37.8", phone="13600136000", recipient=world.resident.household_id)
    clock.shift(dt.timedelta(minutes=5))
    deliver(world, temperature="37.9", phone="13600136000", recipient=world.resident.household_id)
    rider = Alert.objects.get()
    assert (rider.detail["checkpoint_code"], rider.detail["host"], rider.detail["phone"]) == (
        "lixue-e",
        "力学胡同 3 号",
        "136****6000",
    )
    assert "美团骑手 136****6000 → 力学胡同 3 号" in alert_words(rider, "en")


# ---- 16/17. lists of another community ------------------------------------------------------


@pytest.mark.parametrize("path", ["/visits", "/deliveries", "/invitations"])
def test_lists_of_another_community_are_403_with_words(world: World, path: str) -> None:
    gate = client("gate")
    for lang, words in (("zh-CN", "西单北社区"), ("en", "not assigned")):
        response = get(gate, path, lang=lang, community="xdb")
        assert response.status_code == 403, (path, response.content)
        assert response.json()["code"] == "not_your_community" and words in response.json()["message"]
    unknown = get(gate, path, community="nowhere")
    assert (unknown.status_code, unknown.json()["code"]) == (400, "community_unknown")
    assert get(gate, path, community="tps").status_code == 200


def test_invitations_refuse_an_unknown_status(world: World) -> None:
    response = get(client("worker"), "/invitations", status="foo")
    assert (response.status_code, response.json()["code"]) == (400, "status_unknown")
    assert "open, used" in response.json()["message"]
    assert get(client("worker"), "/invitations", status="used").status_code == 200


# ---- 11. the expected format of a document -------------------------------------------------


def test_a_document_in_the_wrong_format_says_the_expected_one(world: World) -> None:
    with pytest.raises(InvalidInput) as passport:
        visit(world, visitor=VisitorIn(name="约翰", phone=PHONE, id_type="护照", id_number="E1234!"))
    assert (passport.value.code, passport.value.field) == ("document_format_passport", "id_number")
    assert "E12345678" in passport.value.message() and "a letter and 8 digits" in passport.value.message("en")
    with pytest.raises(InvalidInput) as permit:
        find_visitor(world.community_a, document="X1234567", id_type="hkmo_travel_permit")
    assert "H12345678" in permit.value.message()
    response = post(
        client("gate"),
        "/visits",
        {
            "checkpoint": "lixue-e",
            "visitor": {"name": "约翰", "phone": PHONE, "id_type": "passport", "id_number": "护照"},
            "host": {"kind": "household", "id": world.resident.household_id},
            "reason": "探亲",
            "temperature": "36.6",
            "mask": True,
        },
        lang="en",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "visitor.id_number"
    assert "E12345678" in response.json()["message"]
