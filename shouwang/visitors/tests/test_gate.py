"""The visitor pass at the gate: recognised among other QR codes, forged ones told apart, judged
as a one-day pass of its community by the residents' decision; the outsiders' policy; hosts."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import time_machine

from conftest import World
from shouwang.passes import signing
from shouwang.passes.services import qr_payload
from shouwang.people.models import Household, Institution
from shouwang.people.services import ResidentIn, upsert_resident
from shouwang.screening.choices import Decision
from shouwang.screening.decision import GateInput, Identity, decide
from shouwang.screening.temperature import parse_temperature
from shouwang.visitors import passes
from shouwang.visitors.choices import HostKind
from shouwang.visitors.gate import (
    DEFAULT_OUTSIDER_POLICY,
    OutsiderPolicy,
    decide_outsider,
    visitor_at_gate,
    visitor_at_gate_by_number,
)
from shouwang.visitors.selectors import search_hosts
from shouwang.visitors.services import HostIn, VisitorIn, record_pass_scan, register_visit, visit_pass_qr

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2020, 3, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture
def clock() -> Iterator[Any]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def admitted(world: World, clock: Any) -> Any:
    return register_visit(
        world.gate_a,
        visitor=VisitorIn(name="李四", phone="13800138000", id_number="110102199003070034"),
        host=HostIn(HostKind.HOUSEHOLD, world.resident.household_id),
        reason="探亲",
        temperature="36.6",
        mask=True,
        actor=world.gate_user,
    ).visit


def test_outsider_policy_reads_flags_as_written() -> None:
    assert OutsiderPolicy.from_overrides(None) == DEFAULT_OUTSIDER_POLICY
    assert DEFAULT_OUTSIDER_POLICY.visitor_document_required and not DEFAULT_OUTSIDER_POLICY.riders_enter
    policy = OutsiderPolicy.from_overrides(
        {
            "visitor_document_required": "false",
            "riders_enter": "是",
            "invitation_days_ahead": "3",
            "fever_c": 37.5,
        }
    )
    assert (policy.visitor_document_required, policy.riders_enter, policy.invitation_days_ahead) == (
        False,
        True,
        3,
    )
    assert OutsiderPolicy.from_overrides({"riders_enter": "maybe"}).riders_enter is False


def test_decide_outsider_is_the_residents_rules_without_a_pass() -> None:
    today = dt.date(2020, 3, 1)
    for raw, mask in (("36.6", True), ("37.4", True), ("36.6", False), ("", True), ("33", None)):
        reading = parse_temperature(raw)
        outsider = decide_outsider(reading=reading, mask=mask, today=today, checkpoint_id=1, community_id=1)
        resident = decide(
            GateInput(Identity.PASS, 1, 1, "in", today, reading=reading, mask=mask),
        )
        assert outsider == resident
        assert outsider.decision != Decision.REGISTER
    closed = decide_outsider(
        reading=parse_temperature("36.6"),
        mask=True,
        today=today,
        checkpoint_id=1,
        community_id=1,
        checkpoint_open=False,
        hours="06:00–22:00",
    )
    assert (closed.decision, closed.reasons[0]) == (Decision.DENY, "checkpoint_closed")
    fever = decide_outsider(
        reading=parse_temperature("37.6"),
        mask=True,
        today=today,
        checkpoint_id=1,
        community_id=1,
        previous_retest=("fever_first_reading",),
    )
    assert fever.decision == Decision.REFER and fever.params["c"] == str(Decimal("37.6"))


def test_visitor_pass_is_recognised_and_judged_as_a_one_day_pass(world: World, admitted: Any) -> None:
    qr = visit_pass_qr(admitted)
    found = visitor_at_gate("\\000026" + qr)  # a scanner's ECI prefix is stripped
    assert found is not None
    assert found.identity == Identity.PASS
    assert (found.visit_id, found.community_id, found.pass_number) == (
        admitted.pk,
        world.community_a.pk,
        "TPS-V200301-001",
    )
    assert found.person_key == f"v:{admitted.visitor_id}" and found.person_masked.startswith("李*")
    assert found.on_site and found.host == "力学胡同 3 号"
    facts = found.pass_facts
    assert facts is not None and facts.valid_from == facts.valid_until == dt.date(2020, 3, 1)

    def judged(gate: Any, day: dt.date, direction: str = "in") -> Any:
        return decide(
            GateInput(
                found.identity,
                gate.pk,
                gate.community_id,
                direction,
                day,
                pass_facts=facts,
                reading=parse_temperature("36.6"),
                mask=True,
            )
        )

    assert judged(world.gate_a2, dt.date(2020, 3, 1)).decision == Decision.ADMIT
    assert judged(world.gate_a2, dt.date(2020, 3, 2)).reasons[0] == "pass_expired"
    assert (
        judged(world.gate_a2, dt.date(2020, 3, 2), "out").decision == Decision.ADMIT
    )  # leaving is never blocked
    assert judged(world.gate_b, dt.date(2020, 3, 1)).reasons[0] == "pass_other_community"
    assert visitor_at_gate_by_number(" tps-v200301-001 ") == found


def test_other_codes_are_not_visitor_passes_and_forgeries_are_told(world: World, admitted: Any) -> None:
    assert visitor_at_gate(qr_payload(world.pass_)) is None  # a resident's pass: the caller's business
    assert visitor_at_gate("https://weixin.qq.com/x") is None
    assert visitor_at_gate_by_number(world.pass_.number) is None
    qr = visit_pass_qr(admitted)
    body, signature = qr.rsplit(".", 1)
    forged = visitor_at_gate(body.replace("-001", "-002") + "." + signature)
    assert forged is not None and forged.identity == Identity.FORGED and forged.visit_id is None
    # Genuine but the visit is gone (e.g. purged after 28 days): unknown, not forged.
    gone = visitor_at_gate(passes.visitor_pass_payload("TPS-V200301-009", "tps", dt.date(2020, 3, 1)))
    assert gone is not None and gone.identity == Identity.UNKNOWN
    with pytest.raises(signing.NotAPass):
        passes.verify_claim(passes.INVITATION_PREFIX, qr)  # one kind is never read as the other
    with pytest.raises(ValueError):
        passes.sign_claim(passes.VISITOR_PREFIX, "A.B", "tps", dt.date(2020, 3, 1))


def test_pass_scans_record_the_exit_and_a_same_day_return(world: World, admitted: Any, clock: Any) -> None:
    clock.shift(dt.timedelta(hours=1))
    out = record_pass_scan(
        admitted.pk,
        checkpoint=world.gate_a2,
        direction="out",
        actor=world.gate_user,
        occurred_at=NOW + dt.timedelta(hours=1),
    )
    assert out is not None and out.out_checkpoint_id == world.gate_a2.pk and not out.on_site
    back = record_pass_scan(
        admitted.pk,
        checkpoint=world.gate_a,
        direction="in",
        actor=world.gate_user,
        occurred_at=NOW + dt.timedelta(hours=2),
    )
    assert back is not None and back.on_site and back.reentries == 1
    # Coming in is only through the visit's own community (leaving through an adjoining
    # community's gate is recorded: test_fixes_visitors.py).
    assert (
        record_pass_scan(
            admitted.pk, checkpoint=world.gate_b, direction="in", actor=world.admin, occurred_at=NOW
        )
        is None
    )


def test_hosts_by_address_resident_name_pinyin_and_institution(world: World) -> None:
    a, b = world.community_a, world.community_b
    Household.objects.create(community=a, address="力学胡同 13 号")
    upsert_resident(
        b,
        ResidentIn(name="张三丰", id_number="110102199003070034", address="力学胡同 3 号"),
        actor=world.admin,
    )
    Institution.objects.create(community=a, name="太仆寺街理发店", kind="shop")
    Institution.objects.create(community=b, name="太仆寺街饭店", kind="shop")

    def labels(q: str, community: Any = a) -> list[str]:
        return [h.label for h in search_hosts(community, q)]

    assert labels("力学3号") == ["力学胡同 3 号"]
    assert labels("13") == ["力学胡同 13 号"]
    assert labels("力学胡同 3 号") == ["力学胡同 3 号"]
    assert labels("zs") == ["力学胡同 3 号"]  # 张三's household
    assert [h.detail for h in search_hosts(a, "zhangs")] == ["张*"]
    assert labels("张三") == ["力学胡同 3 号"]
    assert labels("tpsj") == ["太仆寺街理发店"]
    assert labels("理发") == ["太仆寺街理发店"]
    assert labels("饭店") == []  # another community's institution
    assert labels("zs", b) == ["力学胡同 3 号"] and search_hosts(b, "zs")[0].id != world.resident.household_id
    assert labels("   ") == []
