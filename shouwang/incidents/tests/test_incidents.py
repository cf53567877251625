"""Incidents at the gate: raised (from a screening in one tap, or described), escalated with the
time, closed with the outcome; scoped, idempotent, audited, refusals saving nothing."""

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
from shouwang.incidents.models import Escalation, Incident, ServiceLog
from shouwang.incidents.selectors import get_incident, incident_prefill, list_incidents
from shouwang.incidents.services import close_incident, escalate_incident, log_service, raise_incident
from shouwang.screening.identify import Identifier
from shouwang.screening.services import record_screening

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def forced_entry(world: World, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "kind": "forced_entry",
        "severity": "high",
        "actor": world.gate_user,
        "people": "男，约 40 岁，黑色外套，未戴口罩",
        "description": "无证无口罩，强行闯卡，被拦下",
    }
    values.update(changes)
    gate = values.pop("checkpoint", world.gate_a)
    return raise_incident(gate, **values)


def test_a_forced_entry_described_escalated_to_the_police_and_closed(world: World, clock: Any) -> None:
    incident = forced_entry(world).incident
    assert (incident.status, incident.local_date, incident.occurred_at) == ("open", dt.date(2020, 3, 1), NOW)
    clock.shift(dt.timedelta(minutes=3))
    police = escalate_incident(incident, to="police_station", actor=world.gate_user, note="110 已报警")
    assert police.created and police.escalation.at == NOW + dt.timedelta(minutes=3)
    again = escalate_incident(incident, to="police_station", actor=world.gate_user)
    assert not again.created and again.escalation.pk == police.escalation.pk
    escalate_incident(incident, to="community", actor=world.gate_user)
    clock.shift(dt.timedelta(minutes=30))
    closed = close_incident(incident, outcome="派出所民警到场带离", actor=world.worker)
    assert (closed.status, closed.closed_at, closed.closed_by_id) == (
        "closed",
        NOW + dt.timedelta(minutes=33),
        world.worker.pk,
    )
    assert close_incident(incident, outcome="派出所民警到场带离", actor=world.worker).status == "closed"
    with pytest.raises(InvalidInput) as changed:
        close_incident(incident, outcome="另一个结果", actor=world.worker)
    assert changed.value.code == "incident_closed"
    with pytest.raises(InvalidInput):
        escalate_incident(incident, to="health_station", actor=world.gate_user)
    assert Escalation.objects.count() == 2
    actions = list(
        AuditLog.objects.filter(object_id=str(incident.pk)).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["incident.raise", "incident.escalate", "incident.escalate", "incident.close"]


def test_one_tap_from_the_last_screening(world: World) -> None:
    screening = record_screening(
        Identifier(pass_number=world.pass_.number),
        checkpoint=world.gate_a,
        direction="in",
        temperature="36.6",
        mask=False,
        actor=world.gate_user,
        occurred_at=NOW - dt.timedelta(minutes=2),
    ).event
    prefill = incident_prefill(world.gate_user, screening.pk)
    assert (prefill.kind, prefill.checkpoint, prefill.resident) == ("no_mask", "lixue-e", world.resident.pk)
    assert prefill.occurred_at == NOW - dt.timedelta(minutes=2) and prefill.person.startswith("张*")
    incident = raise_incident(
        world.gate_a, kind=prefill.kind, actor=world.gate_user, screening=screening, severity="low"
    ).incident
    assert (incident.resident_id, incident.screening_id, incident.occurred_at) == (
        world.resident.pk,
        screening.pk,
        NOW - dt.timedelta(minutes=2),
    )
    with pytest.raises(NotFound):
        incident_prefill(world.other_gate_user, screening.pk)
    with pytest.raises(NotFound) as elsewhere:
        raise_incident(world.gate_b, kind="no_mask", actor=world.admin, screening=screening)
    assert elsewhere.value.code == "incident_screening_unknown"


def test_bad_incidents_save_nothing(world: World) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"kind": "loud"}, "incident_kind_invalid"),
        ({"severity": "extreme"}, "severity_invalid"),
        ({"people": " "}, "incident_people_required"),
        ({"occurred_at": NOW + dt.timedelta(hours=1)}, "occurred_at_future"),
        ({"occurred_at": dt.datetime(2020, 3, 1, 9, 0)}, "occurred_at_naive"),  # noqa: DTZ001 - naive on purpose
    ]
    for changes, code in cases:
        with pytest.raises(InvalidInput) as caught:
            forced_entry(world, **changes)
        assert caught.value.code == code
        assert caught.value.message("zh-hans") != caught.value.message("en")
    with pytest.raises(NotFound) as guessed:
        forced_entry(world, resident=999_999)
    assert guessed.value.code == "resident_unknown"
    with pytest.raises(Forbidden):
        forced_entry(world, actor=world.other_gate_user)
    with pytest.raises(Forbidden):
        forced_entry(world, actor=world.health)
    assert not Incident.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="incident").exists()


def test_same_client_id_is_one_incident(world: World, clock: Any) -> None:
    key = uuid.uuid4()
    first = forced_entry(world, client_id=key)
    clock.shift(dt.timedelta(seconds=40))  # a retry later, without a time of its own
    again = forced_entry(world, client_id=key)
    assert (again.created, again.incident.pk, again.incident.occurred_at) == (
        False,
        key,
        first.incident.occurred_at,
    )
    with pytest.raises(IdReusedDifferently) as caught:
        forced_entry(world, client_id=key, kind="abuse")
    assert caught.value.status == 409
    assert Incident.objects.count() == 1


def test_who_may_close(world: World) -> None:
    mine = forced_entry(world).incident
    theirs = forced_entry(world, actor=world.worker).incident
    with pytest.raises(Forbidden) as caught:
        close_incident(theirs, outcome="已劝离", actor=world.gate_user)
    assert caught.value.code == "incident_close_forbidden"
    assert close_incident(mine, outcome="已劝离", actor=world.gate_user).status == "closed"
    with pytest.raises(InvalidInput) as short:
        close_incident(theirs, outcome="好", actor=world.worker)
    assert short.value.code == "incident_outcome_required"
    with pytest.raises(Forbidden):
        close_incident(theirs, outcome="已劝离", actor=world.other_gate_user)


def test_escalation_time_is_checked(world: World) -> None:
    incident = forced_entry(world, occurred_at=NOW - dt.timedelta(minutes=10)).incident
    with pytest.raises(InvalidInput) as early:
        escalate_incident(
            incident, to="police_station", actor=world.gate_user, at=NOW - dt.timedelta(minutes=20)
        )
    assert early.value.code == "escalation_before_incident" and "09:50" in early.value.message()
    with pytest.raises(InvalidInput) as target:
        escalate_incident(incident, to="fire_brigade", actor=world.gate_user)
    assert target.value.code == "escalation_target_invalid"
    assert not Escalation.objects.exists()


def test_incidents_are_scoped_by_community(world: World) -> None:
    incident = forced_entry(world).incident
    with pytest.raises(NotFound) as caught:
        get_incident(world.other_gate_user, incident.pk)
    assert caught.value.code == "incident_unknown"
    with pytest.raises(NotFound):
        get_incident(world.gate_user, uuid.uuid4())
    assert list_incidents(world.other_gate_user) == []
    assert [i.pk for i in list_incidents(world.health, status="open")] == [incident.pk]
    with pytest.raises(Forbidden):
        escalate_incident(incident, to="police_station", actor=world.other_gate_user)


def test_help_given_for_a_resident_or_someone_described(world: World) -> None:
    # The record of 2020: staff walked ahead to check that a barber was open for an elderly visitor.
    entry = log_service(
        world.gate_a2,
        kind="errand",
        actor=world.gate_user,
        person="老人，非本社区",
        note="先去看理发店是否开门，再让老人排队登记",
    ).service
    assert (entry.local_date, entry.checkpoint_id, entry.staff_id) == (
        dt.date(2020, 3, 1),
        world.gate_a2.pk,
        world.gate_user.pk,
    )
    goods = log_service(world.gate_a, kind="goods", actor=world.gate_user, resident=world.resident.pk).service
    assert goods.resident_id == world.resident.pk
    key = uuid.uuid4()
    assert log_service(
        world.gate_a, kind="information", actor=world.gate_user, person="路人", client_id=key
    ).created
    assert not log_service(
        world.gate_a, kind="information", actor=world.gate_user, person="路人", client_id=key
    ).created
    for changes, code in (
        ({"kind": "massage"}, "service_kind_invalid"),
        ({"person": ""}, "service_for_whom_required"),
    ):
        values: dict[str, Any] = {"kind": "escort", "actor": world.gate_user, "person": "孕妇"}
        values.update(changes)
        with pytest.raises(InvalidInput) as caught:
            log_service(world.gate_a, **values)
        assert caught.value.code == code
    with pytest.raises(NotFound):
        log_service(world.gate_b, kind="escort", actor=world.admin, resident=world.resident.pk)
    assert ServiceLog.objects.count() == 3
    assert AuditLog.objects.filter(action="service.log").count() == 3
