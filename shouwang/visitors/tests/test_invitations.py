"""Pre-registration: a community worker invites a visitor for a resident; the code or QR at the
gate prefills the visit, once, on that local date only."""

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
from shouwang.people.models import Institution
from shouwang.visitors.choices import HostKind
from shouwang.visitors.models import Invitation, Visitor
from shouwang.visitors.passes import INVITATION_PREFIX, verify_claim
from shouwang.visitors.selectors import find_invitation
from shouwang.visitors.services import (
    CODE_ALPHABET,
    HostIn,
    VisitorIn,
    invitation_qr,
    invite_visitor,
    visit_from_invitation,
)

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 10, 0, tzinfo=SHANGHAI)
TOMORROW = dt.date(2020, 3, 2)


@pytest.fixture(autouse=True)
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def invite(world: World, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "visitor": VisitorIn(name="李四", phone="13800138000"),
        "visit_date": TOMORROW,
        "actor": world.worker,
        "on_behalf_of": world.resident.pk,
        "reason": "送菜",
    }
    values.update(changes)
    community = values.pop("community", world.community_a)
    return invite_visitor(community, **values)


def test_worker_invites_for_a_resident_whose_household_is_the_host(world: World) -> None:
    result = invite(world)
    inv = result.invitation
    assert result.created
    assert (inv.host_kind, inv.household_id, inv.host_label) == (
        "household",
        world.resident.household_id,
        "力学胡同 3 号",
    )
    assert len(inv.code) == 8 and set(inv.code) <= set(CODE_ALPHABET)
    claim = verify_claim(INVITATION_PREFIX, invitation_qr(inv))
    assert (claim.ref, claim.community, claim.day) == (inv.code, "tps", TOMORROW)
    assert AuditLog.objects.filter(action="invitation.create", object_id=str(inv.pk)).exists()


def test_invitation_to_an_institution_and_date_limits(world: World) -> None:
    shop = Institution.objects.create(community=world.community_a, name="太仆寺街理发店", kind="shop")
    inv = invite(world, on_behalf_of=None, host=HostIn(HostKind.INSTITUTION, shop.pk)).invitation
    assert inv.host_label == "太仆寺街理发店"
    with pytest.raises(InvalidInput) as past:
        invite(world, visit_date=dt.date(2020, 2, 29))
    assert past.value.code == "invitation_date_past"
    with pytest.raises(InvalidInput) as far:
        invite(world, visit_date=dt.date(2020, 3, 20))
    assert far.value.code == "invitation_date_too_far"
    assert "2020-03-15" in far.value.message() and "14 days" in far.value.message("en")
    with pytest.raises(InvalidInput):
        invite(world, on_behalf_of=None)  # no host at all


def test_only_community_workers_and_admins_invite_in_their_community(world: World) -> None:
    with pytest.raises(Forbidden) as gate:
        invite(world, actor=world.gate_user)
    assert gate.value.code == "role_forbidden"
    with pytest.raises(Forbidden):
        invite(world, community=world.community_b)
    with pytest.raises(NotFound) as foreign:
        invite(world, community=world.community_b, actor=world.admin)  # resident of A, community B
    assert foreign.value.code == "resident_unknown"
    assert not Invitation.objects.exists()


def test_same_client_id_is_one_invitation(world: World) -> None:
    key = uuid.uuid4()
    first = invite(world, client_id=key).invitation
    again = invite(world, client_id=key)
    assert (again.created, again.invitation.code) == (False, first.code)
    with pytest.raises(IdReusedDifferently):
        invite(world, client_id=key, reason="修水管")


def test_invitation_becomes_a_visit_on_its_day_once(world: World, clock: Any) -> None:
    inv = invite(
        world, visitor=VisitorIn(name="李四", phone="13800138000", id_number="110102199003070034")
    ).invitation
    # Found by the code as typed (lower case, spaces) or by its QR, only in its own community.
    typed = " ".join([inv.code[:4].lower(), inv.code[4:]])
    assert find_invitation(world.community_a, typed).pk == inv.pk
    assert find_invitation(world.community_a, invitation_qr(inv)).pk == inv.pk
    with pytest.raises(NotFound) as elsewhere:
        find_invitation(world.community_b, inv.code)
    assert elsewhere.value.code == "invitation_unknown"

    with pytest.raises(InvalidInput) as early:
        visit_from_invitation(
            inv, checkpoint=world.gate_a, temperature="36.6", mask=True, actor=world.gate_user
        )
    assert early.value.code == "invitation_wrong_day" and "2020-03-02" in early.value.message()

    clock.move_to(dt.datetime(2020, 3, 2, 9, 0, tzinfo=SHANGHAI))
    result = visit_from_invitation(
        inv, checkpoint=world.gate_a, temperature="366", mask=True, actor=world.gate_user
    )
    v = result.visit
    assert (v.decision, v.reason, v.household_id, v.invitation_id) == (
        "admit",
        "送菜",
        world.resident.household_id,
        inv.pk,
    )
    assert v.pass_number == "TPS-V200302-001"
    inv.refresh_from_db()
    assert inv.status == "used" and inv.used_at == v.in_at
    with pytest.raises(InvalidInput) as twice:
        visit_from_invitation(
            inv, checkpoint=world.gate_a2, temperature="36.6", mask=True, actor=world.gate_user
        )
    assert twice.value.code == "invitation_used" and "2020-03-02 09:00" in twice.value.message()
    with pytest.raises(NotFound):
        visit_from_invitation(inv, checkpoint=world.gate_b, temperature="36.6", mask=True, actor=world.admin)
    assert Visitor.objects.count() == 1


def test_an_invitation_without_a_document_needs_it_at_the_gate(world: World, clock: Any) -> None:
    inv = invite(world, visit_date=dt.date(2020, 3, 1)).invitation
    with pytest.raises(InvalidInput) as caught:
        visit_from_invitation(
            inv, checkpoint=world.gate_a, temperature="36.6", mask=True, actor=world.gate_user
        )
    assert caught.value.code == "document_required"
    inv.refresh_from_db()
    assert inv.status == "open"
    v = visit_from_invitation(
        inv,
        checkpoint=world.gate_a,
        temperature="36.6",
        mask=True,
        actor=world.gate_user,
        id_number="110102199003070034",
    ).visit
    assert v.visitor.id_masked == "110***********0034"


def test_a_retest_leaves_the_invitation_open_for_the_retest(world: World, clock: Any) -> None:
    world.subdistrict.policy = {"visitor_document_required": False}
    world.subdistrict.save()
    inv = invite(world, visit_date=dt.date(2020, 3, 1)).invitation
    gate = type(world.gate_a).objects.select_related("community__subdistrict").get(pk=world.gate_a.pk)
    first = visit_from_invitation(
        inv, checkpoint=gate, temperature="37.5", mask=True, actor=world.gate_user
    ).visit
    assert first.decision == "retest"
    inv.refresh_from_db()
    assert inv.status == "open"
    clock.shift(dt.timedelta(minutes=5))
    second = visit_from_invitation(
        inv, checkpoint=gate, temperature="36.9", mask=True, actor=world.gate_user
    ).visit
    assert (second.decision, second.retest_of_id) == ("admit", first.pk)


def test_a_retried_invitation_visit_is_the_first_not_used_twice(world: World) -> None:
    world.subdistrict.policy = {"visitor_document_required": False}
    world.subdistrict.save()
    inv = invite(world, visit_date=dt.date(2020, 3, 1)).invitation
    gate = type(world.gate_a).objects.select_related("community__subdistrict").get(pk=world.gate_a.pk)
    key = uuid.uuid4()
    first = visit_from_invitation(
        inv, checkpoint=gate, temperature="36.6", mask=True, actor=world.gate_user, client_id=key
    )
    retry = visit_from_invitation(
        inv, checkpoint=gate, temperature="36.6", mask=True, actor=world.gate_user, client_id=key
    )
    assert first.created and not retry.created and retry.visit.pk == key
