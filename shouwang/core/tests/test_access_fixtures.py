"""Shared by the access, reveal, audit and tenancy-sweep tests: community B's people and records
(created through the services), the inspector and the data-protection officer, and markers of
B's data that must never appear in an answer to a user of community A."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.test import Client
from django.utils import timezone

from conftest import World, make_staff, start_quarantine
from shouwang.core.auth import create_token
from shouwang.core.choices import Role

WANG_WU_ID = "110102199003070018"  # valid check digit; 王五 of community B
ZHAO_LIU_ID = "110102199003070034"  # a visitor of community B
B_PHONE = "+8613911112222"
A_PHONE = "+8613800138000"
# What of B's must never reach a user of A: names, phones (clear and masked), words typed in B.
B_MARKERS = (
    "王五",
    "王*",
    "赵六",
    "钱七",
    "13911112222",
    "139****2222",
    "13722223333",
    "137****3333",
    "B-SECRET",
)


@dataclass
class BWorld:
    resident: Any
    plan: Any
    incident: Any
    visit: Any
    invitation: Any
    inspector: Any
    dpo: Any


def make_b(world: World) -> BWorld:
    """Community B's records, each through its service, as B's own staff would make them."""
    from shouwang.incidents.services import raise_incident
    from shouwang.people.services import ResidentIn, upsert_resident
    from shouwang.visitors.choices import HostKind
    from shouwang.visitors.services import HostIn, VisitorIn, invite_visitor, register_visit

    b = world.community_b
    resident, _ = upsert_resident(
        b,
        ResidentIn(name="王五", id_number=WANG_WU_ID, address="东斜街 9 号", phone=B_PHONE),
        actor=world.admin,
    )
    today = b.local_date(timezone.now())
    plan = start_quarantine(world, resident, today + dt.timedelta(days=5))
    incident = raise_incident(
        world.gate_b,
        kind="no_mask",
        actor=world.other_gate_user,
        resident=resident.pk,
        description="B-SECRET 未戴口罩",
    ).incident
    assert resident.household is not None
    host = HostIn(HostKind.HOUSEHOLD, resident.household.pk)
    visit = register_visit(
        world.gate_b,
        visitor=VisitorIn(name="赵六", phone="137 2222 3333", id_number=ZHAO_LIU_ID),
        host=host,
        reason="B-SECRET 探亲",
        temperature="366",
        mask=True,
        actor=world.other_gate_user,
    ).visit
    invitation = invite_visitor(
        b,
        visitor=VisitorIn(name="钱七", phone="136 3333 4444"),
        visit_date=today + dt.timedelta(days=1),
        actor=world.admin,
        host=host,
        reason="B-SECRET 送药",
    ).invitation
    inspector = make_staff("inspector", Role.INSPECTOR, world.subdistrict, [world.community_a])
    dpo = make_staff("dpo", Role.DATA_PROTECTION_OFFICER, world.subdistrict, [])
    return BWorld(resident, plan, incident, visit, invitation, inspector, dpo)


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def api_client(user: Any) -> Client:
    """A client sending a bearer token of ``user`` (as a gate device or a script would)."""
    token = create_token(user.get_username())
    return Client(headers={"authorization": f"Bearer {token}"})


def leaks(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [m for m in B_MARKERS if m in text]
