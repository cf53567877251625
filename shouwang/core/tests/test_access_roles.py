"""Roles: the inspector reads and never writes, the data-protection officer sees the audit log
and nobody's records, gate staff export nothing (issue 8, "Access and privacy")."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from conftest import World, start_quarantine
from shouwang.core.access import require_community, require_writer
from shouwang.core.errors import Forbidden
from shouwang.core.tests.test_access_fixtures import BWorld, api_client, client_for
from shouwang.incidents.models import Incident
from shouwang.quarantine.models import FollowUp
from shouwang.quarantine.services import record_follow_up


@pytest.fixture
def plan_a(world: World) -> Any:
    today = world.community_a.local_date(timezone.now())
    return start_quarantine(world, world.resident, today + dt.timedelta(days=3))


def test_inspector_reads_pages_and_api_of_their_community(world: World, bw: BWorld, plan_a: Any) -> None:
    c = client_for(bw.inspector)
    for url in (
        "/",
        "/quarantine/",
        f"/quarantine/plans/{plan_a.pk}/",
        "/visitors/",
        "/incidents/",
        "/roster/",
    ):
        assert c.get(url).status_code == 200, url
    assert c.get("/api/v1/returnees/worklist").status_code == 200
    assert c.get(f"/api/v1/returnees/{plan_a.pk}").status_code == 200
    # …and nothing of a community not given to them.
    assert c.get(f"/quarantine/plans/{bw.plan.pk}/").status_code == 404


def test_inspector_page_write_is_refused_in_both_languages(world: World, bw: BWorld, plan_a: Any) -> None:
    c = client_for(bw.inspector)
    url = f"/quarantine/plans/{plan_a.pk}/"
    answer = c.post(url, {"action": "extend", "extend-last_day": "2099-01-01", "extend-reason": "x"})
    assert answer.status_code == 403
    text = answer.content.decode()
    assert "只能查看，不能修改" in text and "may look but not change anything" in text
    answer = c.post("/quarantine/", {"plan": plan_a.pk, "temperature": "36.6"})
    assert answer.status_code == 403
    assert not FollowUp.objects.exists()


def test_inspector_api_write_is_refused_by_session_and_by_token(world: World, bw: BWorld) -> None:
    body = {"checkpoint": world.gate_a.code, "kind": "no_mask", "people": "x"}
    by_session = client_for(bw.inspector).post(
        "/api/v1/incidents",
        json.dumps(body),
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    assert by_session.status_code == 403 and by_session.json()["code"] == "read_only_role"
    assert "may look but not change" in by_session.json()["message"]
    by_token = api_client(bw.inspector).post(
        "/api/v1/incidents", json.dumps(body), content_type="application/json"
    )
    assert by_token.status_code == 403, by_token.content
    assert by_token.json()["code"] in ("read_only_role", "role_forbidden")
    assert not Incident.objects.filter(community=world.community_a).exists()


def test_services_refuse_read_only_roles(world: World, bw: BWorld, plan_a: Any) -> None:
    with pytest.raises(Forbidden) as refused:
        record_follow_up(plan_a, temperature="36.6", symptoms=[], method="phone", actor=bw.inspector)
    assert refused.value.code == "read_only_role"
    with pytest.raises(Forbidden):
        require_writer(bw.dpo)
    require_community(bw.inspector, world.community_a, reading=True)  # reading is allowed
    with pytest.raises(Forbidden) as refused:
        require_community(bw.inspector, world.community_a)
    assert "只读督查" in refused.value.message()


def test_dpo_lands_on_the_audit_log_and_sees_no_records(world: World, bw: BWorld, plan_a: Any) -> None:
    c = client_for(bw.dpo)
    assert c.get("/")["location"] == "/audit/"
    assert c.get("/audit/").status_code == 200
    assert c.get(f"/quarantine/plans/{plan_a.pk}/").status_code == 404
    assert c.get("/api/v1/returnees/worklist").json() == []
    assert (
        c.post(
            "/reveal/", {"kind": "resident", "pk": world.resident.pk, "reason": "other", "note": "x"}
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    "url",
    [
        "/quarantine/figures.xlsx",
        "/roster/hours.xlsx",
        "/audit/export.xlsx",
        "/audit/export.csv",
        "/api/v1/audit/export?format=csv",
        "/api/v1/audit",
    ],
)
def test_gate_staff_cannot_export(world: World, url: str) -> None:
    answer = client_for(world.gate_user).get(url)
    assert answer.status_code == 403, (url, answer.status_code)


def test_gate_staff_cannot_export_a_roster(world: World) -> None:
    from shouwang.roster.models import Roster

    roster = Roster.objects.create(
        subdistrict=world.subdistrict,
        start=dt.date(2020, 3, 1),
        days=1,
        solver_status="optimal",
        time_limit_s=1,
    )
    assert client_for(world.gate_user).get(f"/roster/{roster.pk}/roster.xlsx").status_code == 403
    assert client_for(world.admin).get(f"/roster/{roster.pk}/roster.xlsx").status_code == 200
