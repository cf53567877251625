"""Phones masked by default; revealing one asks for a reason and is audited (issue 8)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from conftest import World, start_quarantine
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.core.models import AuditLog
from shouwang.core.reveal import mask_phone, reveal, reveal_by_id
from shouwang.core.tests.test_access_fixtures import A_PHONE, BWorld, api_client, client_for
from shouwang.people.services import ResidentIn, upsert_resident


@pytest.fixture
def plan_a(world: World) -> Any:
    upsert_resident(
        world.community_a,
        ResidentIn(name="张三", id_number="110102198001010017", address="力学胡同 3 号", phone=A_PHONE),
        actor=world.admin,
    )
    world.resident.refresh_from_db()
    today = world.community_a.local_date(timezone.now())
    return start_quarantine(world, world.resident, today + dt.timedelta(days=3))


def test_mask_phone() -> None:
    assert mask_phone("+8613800138000") == "138****8000"
    assert mask_phone("+861062001234") == "106***1234"
    assert mask_phone("") == ""


def test_pages_and_api_show_the_phone_masked(world: World, plan_a: Any) -> None:
    c = client_for(world.worker)
    for url in ("/quarantine/", f"/quarantine/plans/{plan_a.pk}/", "/quarantine/health/"):
        body = c.get(url).content.decode()
        assert "13800138000" not in body, url
    assert "138****8000" in c.get(f"/quarantine/plans/{plan_a.pk}/").content.decode()
    rows = c.get("/api/v1/returnees/worklist").json()
    assert rows[0]["phone"] == "138****8000"


def test_reveal_needs_a_reason_and_writes_who_what_when_why(world: World, plan_a: Any) -> None:
    with pytest.raises(InvalidInput) as no_reason:
        reveal(world.resident, field="phone", reason="", actor=world.worker, via="page")
    assert no_reason.value.code == "reveal_reason_required" and no_reason.value.field == "reason"
    with pytest.raises(InvalidInput) as no_note:
        reveal(world.resident, field="phone", reason="other", note="  ", actor=world.worker, via="page")
    assert no_note.value.code == "reveal_note_required"
    assert not AuditLog.objects.filter(action="person.reveal").exists()

    shown = reveal(
        world.resident,
        field="phone",
        reason="follow_up_call",
        note="第二次随访",
        actor=world.worker,
        via="page",
    )
    assert (shown.value, shown.masked) == (A_PHONE, "138****8000")
    row = AuditLog.objects.get(pk=shown.audit_id)
    assert (row.action, row.actor, row.community, row.person_type, row.person_id) == (
        "person.reveal",
        world.worker,
        world.community_a,
        "Resident",
        str(world.resident.pk),
    )
    assert row.detail == {"field": "phone", "why": "follow_up_call", "note": "第二次随访", "via": "page"}
    assert abs((timezone.now() - row.at).total_seconds()) < 60


@pytest.mark.parametrize("who", ["gate_user", "other_gate_user"])
def test_gate_staff_may_not_reveal(world: World, plan_a: Any, who: str) -> None:
    with pytest.raises(Forbidden):
        reveal_by_id(
            "resident",
            str(world.resident.pk),
            field="phone",
            reason="verify_identity",
            actor=getattr(world, who),
            via="api",
        )


def test_inspector_and_dpo_may_not_reveal(world: World, bw: BWorld, plan_a: Any) -> None:
    for user in (bw.inspector, bw.dpo):
        with pytest.raises(Forbidden):
            reveal_by_id(
                "resident",
                str(world.resident.pk),
                field="phone",
                reason="verify_identity",
                actor=user,
                via="api",
            )


def test_another_communitys_record_and_a_guessed_id_answer_alike(world: World, bw: BWorld) -> None:
    for pk in (str(bw.resident.pk), "999999", "not-a-number"):
        with pytest.raises(NotFound) as missing:
            reveal_by_id(
                "resident", pk, field="phone", reason="verify_identity", actor=world.worker, via="api"
            )
        assert missing.value.code == "record_unknown"
    for kind, pk in (
        ("visit", str(bw.visit.pk)),
        ("visitor", str(bw.visit.visitor_id)),
        ("self_report", "x"),
    ):
        with pytest.raises(NotFound):
            reveal_by_id(kind, pk, field="phone", reason="contact_host", actor=world.worker, via="api")
    assert not AuditLog.objects.filter(action="person.reveal").exists()


def test_reveal_api(world: World, plan_a: Any) -> None:
    c = api_client(world.worker)
    url = "/api/v1/reveal"
    missing = c.post(
        url,
        json.dumps({"kind": "resident", "id": str(world.resident.pk)}),
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "reason"
    assert "Say why" in missing.json()["errors"][0]["message"]
    body = {"kind": "resident", "id": str(world.resident.pk), "reason": "follow_up_call"}
    ok = c.post(url, json.dumps(body), content_type="application/json")
    assert ok.status_code == 200 and ok.json()["value"] == A_PHONE
    assert AuditLog.objects.get(pk=ok.json()["audit_id"]).detail["via"] == "api"
    unknown = c.post(url, json.dumps({**body, "kind": "passport"}), content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["code"] == "reveal_kind_unknown"
    gate = api_client(world.gate_user).post(url, json.dumps(body), content_type="application/json")
    assert gate.status_code == 403


def test_reveal_page_answers_json_and_works_without_script(world: World, plan_a: Any) -> None:
    c = client_for(world.worker)
    data = {
        "kind": "resident",
        "pk": world.resident.pk,
        "field": "phone",
        "reason": "follow_up_call",
        "next": "/quarantine/",
    }
    as_json = c.post("/reveal/", data, headers={"accept": "application/json"})
    assert as_json.json() == {"value": A_PHONE, "masked": "138****8000", "tel": f"tel:{A_PHONE}"}
    as_page = c.post("/reveal/", data)
    assert as_page.status_code == 200 and A_PHONE in as_page.content.decode()
    refused = c.post("/reveal/", {**data, "reason": ""}, headers={"accept": "application/json"})
    assert refused.status_code == 400 and refused.json()["code"] == "reveal_reason_required"
    assert AuditLog.objects.filter(action="person.reveal", actor=world.worker).count() == 2


def test_a_reveal_note_cannot_spoof_the_audit_log() -> None:
    """Found by a breaker: NUL, BEL and a right-to-left override were kept in the note."""
    from shouwang.core.reveal import clean_reason

    code, note = clean_reason("other", '=HYPERLINK("http://x","y")\u0000\u0007\u202e note')
    assert code == "other"
    assert note == '=HYPERLINK("http://x","y") note'
