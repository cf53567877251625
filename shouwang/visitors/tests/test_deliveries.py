"""Delivery riders: platform, phone, the same gate decision as everyone, handoff at the gate
unless the sub-district lets riders in, an optional recipient of this community."""

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
from shouwang.people.models import Household
from shouwang.screening.identify import Identifier
from shouwang.screening.services import record_screening
from shouwang.visitors.choices import HostKind
from shouwang.visitors.models import Delivery, Visit
from shouwang.visitors.services import HostIn, VisitorIn, register_delivery, register_visit

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def deliver(world: World, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "platform": "meituan",
        "phone": "136 0013 6000",
        "temperature": "36.5",
        "mask": True,
        "actor": world.gate_user,
    }
    values.update(changes)
    gate = values.pop("checkpoint", world.gate_a)
    return register_delivery(gate, **values)


def test_a_rider_hands_over_at_the_gate_by_default(world: World) -> None:
    d = deliver(world, recipient=world.resident.household_id).delivery
    assert (d.platform, d.phone, d.decision, d.handoff) == ("meituan", "+8613600136000", "admit", "gate")
    assert (d.recipient_label, d.local_date, d.local_hour) == ("力学胡同 3 号", dt.date(2020, 3, 1), 12)
    assert AuditLog.objects.filter(action="delivery.register", object_id=str(d.pk)).exists()
    assert not Visit.objects.exists()  # counted apart from visits


def test_letting_riders_in_needs_the_policy(world: World) -> None:
    with pytest.raises(InvalidInput) as caught:
        deliver(world, enter=True)
    assert caught.value.code == "riders_may_not_enter"
    assert "卡口交接" in caught.value.message() and "hand over at the gate" in caught.value.message("en")
    world.subdistrict.policy = {"riders_enter": "true"}
    world.subdistrict.save()
    gate = type(world.gate_a).objects.select_related("community__subdistrict").get(pk=world.gate_a.pk)
    assert deliver(world, checkpoint=gate, enter=True).delivery.handoff == "entered"
    # A rider not admitted (no mask) still hands over at the gate at most.
    assert (
        deliver(world, checkpoint=gate, enter=True, mask=False, phone="13500135000").delivery.handoff
        == "gate"
    )


def test_bad_rider_input_saves_nothing(world: World) -> None:
    for changes, code in (
        ({"platform": "uber"}, "platform_invalid"),
        ({"phone": "12345"}, "phone_invalid"),
        ({"phone": ""}, "phone_required"),
        ({"temperature": "hot"}, "temperature_unreadable"),
    ):
        with pytest.raises(InvalidInput) as caught:
            deliver(world, **changes)
        assert caught.value.code == code
        assert caught.value.message("zh-hans") != caught.value.message("en")
    foreign = Household.objects.create(community=world.community_b, address="东斜街 2 号")
    with pytest.raises(NotFound) as guessed:
        deliver(world, recipient=foreign.pk)
    assert guessed.value.code == "recipient_unknown"
    with pytest.raises(Forbidden):
        deliver(world, actor=world.other_gate_user)
    assert not Delivery.objects.exists()


def test_same_client_id_is_one_delivery(world: World) -> None:
    key = uuid.uuid4()
    first = deliver(world, client_id=key)
    again = deliver(world, client_id=key, phone="+86 13600136000")
    assert (again.created, again.delivery.pk) == (False, first.delivery.pk)
    with pytest.raises(IdReusedDifferently):
        deliver(world, client_id=key, platform="eleme")
    assert Delivery.objects.count() == 1


def test_a_rider_retest_is_matched_by_phone(world: World, clock: Any) -> None:
    first = deliver(world, temperature="37.6").delivery
    assert first.decision == "retest"
    clock.shift(dt.timedelta(minutes=3))
    second = deliver(world, temperature="37.7", phone="13600136000").delivery
    assert (second.decision, second.retest_of_id) == ("refer", first.pk)


@pytest.mark.parametrize(
    ("temperature", "mask"),
    [
        ("36.6", True),
        ("366", None),
        ("37.5", True),
        ("34.0", True),
        ("36.6", False),
        (None, True),
        ("99.5", True),
    ],
)
def test_visitors_riders_and_residents_get_the_same_decision(
    world: World, temperature: str | None, mask: bool | None
) -> None:
    """The gate rules for mask and temperature are one function for everyone (DESIGN.md §4)."""
    resident = record_screening(
        Identifier(pass_number=world.pass_.number),
        checkpoint=world.gate_a,
        direction="in",
        temperature=temperature,
        mask=mask,
        actor=world.gate_user,
    ).event
    visitor = register_visit(
        world.gate_a,
        visitor=VisitorIn(name="李四", phone="13800138000", id_number="110102199003070034"),
        host=HostIn(HostKind.HOUSEHOLD, world.resident.household_id),
        reason="探亲",
        temperature=temperature,
        mask=mask,
        actor=world.gate_user,
    ).visit
    rider = deliver(world, temperature=temperature, mask=mask).delivery
    assert visitor.decision == rider.decision == resident.decision
    shared = [r for r in resident.reasons if r != "pass_valid"]
    assert visitor.reasons == rider.reasons == shared
