"""Registering visitors at the gate: new and returning visitors, phones and documents, the host
of this community only, the residents' gate rules, the one-day pass, exits, and idempotency."""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from conftest import World
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.core.idempotency import IdReusedDifferently
from shouwang.core.models import AuditLog
from shouwang.people.models import Household, Institution
from shouwang.people.services import get_or_create_household
from shouwang.screening.choices import AlertKind
from shouwang.screening.models import Alert
from shouwang.visitors.choices import HostKind
from shouwang.visitors.models import Visit, Visitor
from shouwang.visitors.selectors import find_visitor, gate_day, visits_on_site
from shouwang.visitors.services import (
    HostIn,
    VisitorIn,
    record_visit_exit,
    register_visit,
    visit_pass_qr,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 10, 0, tzinfo=SHANGHAI)
LI_SI_ID = "110102199003070034"  # valid (check digit from stdnum), not a resident


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def host(world: World) -> HostIn:
    household = world.resident.household
    return HostIn(HostKind.HOUSEHOLD, household.pk)


def li_si(**changes: Any) -> VisitorIn:
    values: dict[str, Any] = {"name": "李四", "phone": "138 0013 8000", "id_number": LI_SI_ID}
    values.update(changes)
    return VisitorIn(**values)


def visit(world: World, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "visitor": li_si(),
        "host": host(world),
        "reason": "探亲",
        "temperature": "366",
        "mask": True,
        "actor": world.gate_user,
    }
    values.update(changes)
    checkpoint = values.pop("checkpoint", world.gate_a)
    return register_visit(checkpoint, **values)


def test_new_visitor_is_admitted_with_a_one_day_pass(world: World) -> None:
    result = visit(world)
    v = result.visit
    assert result.created
    assert (v.decision, v.reasons) == ("admit", ["temperature_normal"])
    assert v.pass_number == "TPS-V200301-001"
    assert (v.local_date, v.local_hour, v.host_label) == (dt.date(2020, 3, 1), 10, "力学胡同 3 号")
    assert v.in_at == NOW and str(v.temperature_c) == "36.6"
    person = Visitor.objects.get()
    assert (person.name, person.phone, person.id_masked) == ("李四", "+8613800138000", "110***********0034")
    assert LI_SI_ID not in str(Visitor.objects.values().get())  # only the hash and the mask are kept
    assert visit_pass_qr(v).startswith("SWV1.")
    assert [a.action for a in AuditLog.objects.order_by("pk")][-2:] == ["visitor.register", "visit.register"]
    second = visit(
        world, visitor=VisitorIn(name="王五", phone="13900139000", id_type="护照", id_number="E12345678")
    )
    assert second.visit.pass_number == "TPS-V200301-002"
    assert second.visit.visitor.id_type == "passport"


def test_three_spellings_of_a_phone_are_one_number(world: World) -> None:
    visit(world, visitor=li_si(phone="138 0013 8000"))
    for spelling in ("+86 13800138000", "１３８００１３８０００", "13800138000"):
        found = find_visitor(world.community_a, phone=spelling)
        assert found is not None and found.masked_phone == "138****8000", spelling
    # Registering with another spelling is the same visitor, not a second one.
    visit(world, visitor=li_si(phone="＋８６ １３８００１３８０００"))
    assert Visitor.objects.count() == 1


def test_a_short_phone_is_refused_with_the_reason_and_nothing_is_saved(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        visit(world, visitor=li_si(phone="12345"))
    assert (caught.value.code, caught.value.field) == ("phone_invalid", "phone")
    assert "位数或号段不对" in caught.value.message("zh-hans")
    assert "wrong length or prefix" in caught.value.message("en")
    with pytest.raises(InvalidInput) as missing:
        visit(world, visitor=li_si(phone=""))
    assert missing.value.code == "phone_required"
    assert not Visit.objects.exists() and not Visitor.objects.exists()


def test_document_required_by_default_optional_by_policy_and_validated_by_type(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        visit(world, visitor=li_si(id_number=""))
    assert caught.value.code == "document_required"
    assert "证件" in caught.value.message() and "identity document" in caught.value.message("en")
    with pytest.raises(InvalidInput) as bad:
        visit(world, visitor=li_si(id_number="110102199003070035"))
    assert bad.value.code == "id_checksum"
    with pytest.raises(InvalidInput) as passport:
        visit(world, visitor=li_si(id_type="passport", id_number="护照12"))
    assert passport.value.code == "document_format_passport"  # says what a passport number looks like
    assert not Visit.objects.exists() and not Visitor.objects.exists()

    world.subdistrict.policy = {"visitor_document_required": False}
    world.subdistrict.save()
    world.gate_a.refresh_from_db()
    result = visit(world, visitor=li_si(id_number=""))
    assert result.visit.decision == "admit"
    assert result.visit.visitor.id_hash == ""


def test_returning_visitor_is_prefilled_and_repeats_with_one_confirmation(world: World, clock: Any) -> None:
    first = visit(world, reason="送药").visit
    prefill = find_visitor(world.community_a, document="110102 19900307 0034")
    assert prefill is not None
    assert (prefill.id, prefill.masked_name, prefill.reason) == (first.visitor_id, "李*", "送药")
    assert prefill.host is not None and prefill.host.label == "力学胡同 3 号"
    assert (prefill.visits, prefill.on_site, prefill.last_visit_on) == (1, True, dt.date(2020, 3, 1))

    clock.move_to(NOW + dt.timedelta(days=1))
    again = register_visit(
        world.gate_a2,
        visitor=VisitorIn(id=prefill.id),
        temperature="36.5",
        mask=True,
        actor=world.gate_user,
    ).visit
    assert (again.visitor_id, again.reason, again.household_id) == (
        first.visitor_id,
        "送药",
        first.household_id,
    )
    assert again.pass_number == "TPS-V200302-001"
    first.refresh_from_db()
    # Yesterday's visit was never scanned out: it ends where today's begins, marked as inferred.
    assert first.out_at == again.in_at and first.exit_inferred
    assert Visitor.objects.count() == 1


def test_a_visitor_of_another_community_is_not_found_by_a_guessed_id(world: World) -> None:
    other = register_visit(
        world.gate_b,
        visitor=li_si(),
        host=HostIn(HostKind.HOUSEHOLD, get_or_create_household(world.community_b, "东斜街 1 号").pk),  # type: ignore[union-attr]
        reason="探亲",
        temperature="36.6",
        mask=True,
        actor=world.other_gate_user,
    ).visit
    with pytest.raises(NotFound) as caught:
        visit(world, visitor=VisitorIn(id=other.visitor_id), host=None, reason="")
    assert caught.value.code == "visitor_unknown"
    # The same person at A is a visitor of A of their own.
    assert find_visitor(world.community_a, phone="13800138000") is None


def test_the_host_must_be_of_this_community(world: World) -> None:
    foreign = Household.objects.create(community=world.community_b, address="东斜街 9 号")
    foreign_office = Institution.objects.create(community=world.community_b, name="西单商场", kind="shop")
    for guessed in (HostIn(HostKind.HOUSEHOLD, foreign.pk), HostIn(HostKind.INSTITUTION, foreign_office.pk)):
        with pytest.raises(NotFound) as caught:
            visit(world, host=guessed)
        assert caught.value.code == "host_unknown"
    with pytest.raises(NotFound) as missing:
        visit(world, host=HostIn(HostKind.HOUSEHOLD, 999_999))
    assert missing.value.code == "host_unknown"
    with pytest.raises(InvalidInput) as no_host:
        visit(world, host=None)
    assert no_host.value.code == "host_required"
    with pytest.raises(InvalidInput) as no_reason:
        visit(world, reason="  ")
    assert no_reason.value.code == "visit_reason_required"
    assert not Visit.objects.exists() and not Visitor.objects.exists()


def test_gate_staff_only_at_their_communitys_gates_and_health_station_not_at_all(world: World) -> None:
    with pytest.raises(Forbidden) as caught:
        visit(world, actor=world.other_gate_user)
    assert caught.value.code == "not_your_community"
    with pytest.raises(Forbidden) as role:
        visit(world, actor=world.health)
    assert role.value.code == "role_forbidden"
    assert visit(world, actor=world.worker).created


def test_same_client_id_is_one_visit_and_other_content_is_409(world: World) -> None:
    key = uuid.uuid4()
    first = visit(world, client_id=key)
    again = visit(world, client_id=key, visitor=li_si(phone="+86 138 0013 8000"))
    assert (again.created, again.visit.pk, again.visit.pass_number) == (False, key, first.visit.pass_number)
    with pytest.raises(IdReusedDifferently) as caught:
        visit(world, client_id=key, temperature="37.0")
    assert (caught.value.status, caught.value.code) == (409, "client_id_reused")
    assert Visit.objects.count() == 1


def test_fever_retest_then_referral_like_a_resident(world: World, clock: Any) -> None:
    first = visit(world, temperature="37.8").visit
    assert (first.decision, first.reasons, first.pass_number) == ("retest", ["fever_first_reading"], "")
    clock.shift(dt.timedelta(minutes=5))
    second = visit(
        world, visitor=VisitorIn(id=first.visitor_id), host=None, reason="", temperature="37.9"
    ).visit
    assert (second.decision, second.retest_of_id) == ("refer", first.pk)
    assert "fever_confirmed" in second.reasons and second.pass_number == ""
    alert = Alert.objects.get()
    assert alert.kind == AlertKind.FEVER_REFERRAL and alert.detail["visit"] == str(second.pk)
    # The referral holds at every gate of the community, whatever the next reading.
    clock.shift(dt.timedelta(minutes=30))
    later = visit(world, checkpoint=world.gate_a2, temperature="36.6").visit
    assert later.decision == "refer" and later.reasons[0] == "fever_referred_recently"


def test_a_normal_retest_admits_and_no_mask_denies(world: World, clock: Any) -> None:
    first = visit(world, temperature="34.1").visit
    assert (first.decision, first.reasons) == ("retest", ["temperature_implausible"])
    clock.shift(dt.timedelta(minutes=2))
    second = visit(world, temperature="36.7").visit
    assert (second.decision, second.retest_of_id, second.reasons) == ("admit", first.pk, ["retest_normal"])
    no_mask = visit(
        world,
        visitor=VisitorIn(name="赵六", phone="13700137000", id_number="E1234567", id_type="passport"),
        mask=False,
    )
    assert (no_mask.visit.decision, no_mask.visit.reasons[0], no_mask.visit.pass_number) == (
        "deny",
        "no_mask",
        "",
    )


def test_exit_at_any_gate_of_the_community_once(world: World, clock: Any) -> None:
    v = visit(world).visit
    clock.shift(dt.timedelta(hours=1))
    out = record_visit_exit(v, checkpoint=world.gate_a2, actor=world.gate_user)
    assert out.created and out.visit.out_checkpoint_id == world.gate_a2.pk
    assert out.visit.out_at == NOW + dt.timedelta(hours=1)
    clock.shift(dt.timedelta(minutes=1))
    again = record_visit_exit(v, checkpoint=world.gate_a, actor=world.gate_user)
    assert not again.created and again.visit.out_at == NOW + dt.timedelta(hours=1)
    # An adjoining community's gate may record the exit too (test_fixes_visitors.py); this one
    # already left, so nothing changes.
    assert not record_visit_exit(v, checkpoint=world.gate_b, actor=world.admin).created
    assert visits_on_site(world.community_a) == []
    assert [a.action for a in AuditLog.objects.filter(action="visit.exit")] == ["visit.exit"]


def test_a_visit_not_admitted_has_no_exit(world: World) -> None:
    refused = visit(world, mask=False).visit
    with pytest.raises(InvalidInput) as caught:
        record_visit_exit(refused, checkpoint=world.gate_a, actor=world.gate_user)
    assert caught.value.code == "visit_not_admitted"


def test_scanned_pass_from_the_register_screening_brings_its_reading(world: World) -> None:
    from shouwang.screening.identify import Identifier
    from shouwang.screening.services import record_screening

    screening = record_screening(
        Identifier(qr="https://example.com/not-ours"),
        checkpoint=world.gate_a,
        direction="in",
        temperature="36.8",
        mask=True,
        actor=world.gate_user,
    ).event
    assert screening.decision == "register"
    result = visit(world, temperature=None, mask=None, screening=screening)
    assert (str(result.visit.temperature_c), result.visit.mask, result.visit.decision) == (
        "36.8",
        True,
        "admit",
    )
    with pytest.raises(NotFound):
        visit(world, checkpoint=world.gate_b, actor=world.admin, screening=screening)


def test_gate_day_counts_visits_and_deliveries_apart(world: World) -> None:
    from shouwang.visitors.services import register_delivery

    visit(world)
    visit(
        world,
        visitor=li_si(name="王五", phone="13900139000", id_number="E1234567", id_type="passport"),
        mask=False,
    )
    register_delivery(
        world.gate_a,
        platform="meituan",
        phone="13600136000",
        temperature="36.5",
        mask=True,
        actor=world.gate_user,
    )
    day = gate_day(world.gate_a, dt.date(2020, 3, 1))
    assert day["visits"]["admitted"] == 1
    assert day["visits"]["by_decision"] == {"admit": 1, "retest": 0, "refer": 0, "deny": 1}
    assert day["deliveries"]["by_decision"]["admit"] == 1
    assert (day["deliveries"]["gate"], day["deliveries"]["entered"]) == (1, 0)
