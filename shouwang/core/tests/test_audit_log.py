"""Reads of one person's record are audited; the data-protection officer searches and exports
the log (issue 8)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from conftest import ZHANG_SAN_ID, World, start_quarantine
from shouwang.core.audit import log_action, log_read
from shouwang.core.audit_search import AuditQuery, search_audit
from shouwang.core.models import AuditLog
from shouwang.core.reveal import reveal
from shouwang.core.tests.test_access_fixtures import BWorld, api_client, client_for


@pytest.fixture
def plan_a(world: World) -> Any:
    today = world.community_a.local_date(timezone.now())
    return start_quarantine(world, world.resident, today + dt.timedelta(days=3))


def reads() -> list[AuditLog]:
    return list(AuditLog.objects.filter(action="person.read").order_by("pk"))


def test_opening_a_plan_page_or_its_api_is_a_read_of_that_person(world: World, plan_a: Any) -> None:
    client_for(world.worker).get(f"/quarantine/plans/{plan_a.pk}/")
    api_client(world.health).get(f"/api/v1/returnees/{plan_a.pk}")
    page, api = reads()
    assert (page.actor, page.person_type, page.person_id, page.community) == (
        world.worker,
        "Resident",
        str(world.resident.pk),
        world.community_a,
    )
    assert page.detail == {"via": "page", "why": "view"} and api.detail["via"] == "api"
    assert api.actor == world.health


def test_lists_are_not_per_person_reads(world: World, plan_a: Any) -> None:
    c = client_for(world.worker)
    c.get("/quarantine/")
    c.get("/api/v1/returnees/worklist")
    assert reads() == []


def test_a_read_is_one_insert(world: World, plan_a: Any) -> None:
    with CaptureQueriesContext(connection) as q:
        log_read(plan_a, actor=world.worker, via="page")
    assert len(q) == 1 and q.captured_queries[0]["sql"].lstrip().upper().startswith("INSERT")


def test_incident_with_a_person_and_visit_lookups_are_audited(world: World, bw: BWorld) -> None:
    b_gate = client_for(world.other_gate_user)
    assert b_gate.get(f"/incidents/{bw.incident.pk}/").status_code == 200
    assert api_client(world.other_gate_user).get(f"/api/v1/visits/{bw.visit.pk}").status_code == 200
    found = b_gate.get("/api/v1/visitors/lookup", {"phone": "13722223333", "community": "xdb"}).json()
    assert found["found"]
    kinds = [(r.object_type, r.person_type, r.detail["via"]) for r in reads()]
    assert kinds == [
        ("Incident", "Resident", "page"),
        ("Visit", "Visitor", "api"),
        ("Visitor", "Visitor", "api"),
    ]


def seed_log(world: World, bw: BWorld) -> None:
    """A worker reads and reveals 张三 in A; B's gate reads 王五 in B; an export by the admin."""
    log_read(world.resident, actor=world.worker, via="page")
    if world.resident.phone:
        reveal(
            world.resident,
            field="phone",
            reason="other",
            note='=HYPERLINK("http://x")',
            actor=world.admin,
            via="page",
        )
    log_read(bw.resident, actor=world.other_gate_user, via="page")
    log_action("quarantine.export", actor=world.admin, date="2020-03-01", via="page", size=1)


def test_dpo_searches_by_person_staff_action_date_and_community(world: World, bw: BWorld) -> None:
    seed_log(world, bw)
    dpo = bw.dpo
    by_id = search_audit(dpo, AuditQuery(id_number=ZHANG_SAN_ID))
    assert by_id.total >= 1 and {r.person_id for r in by_id.rows} == {str(world.resident.pk)}
    assert by_id.rows[0].person == "张*"
    by_resident = search_audit(dpo, AuditQuery(resident=bw.resident.pk))
    assert {r.actor for r in by_resident.rows} >= {"gate-b"}
    by_staff = search_audit(dpo, AuditQuery(staff="worker", action="read"))
    assert by_staff.total == 1 and by_staff.rows[0].actor == "worker"
    exports = search_audit(dpo, AuditQuery(action="export"))
    assert [r.action for r in exports.rows] == ["quarantine.export"]
    today = timezone.localdate()
    assert search_audit(dpo, AuditQuery(date_from=today, date_to=today, action="read")).total == 2
    assert search_audit(dpo, AuditQuery(date_to=today - dt.timedelta(days=1))).total == 0
    only_b = search_audit(dpo, AuditQuery(community="xdb", action="read"))
    assert only_b.total == 1 and only_b.rows[0].community == "西单北社区"
    nobody = search_audit(dpo, AuditQuery(id_number="110102198505050012"))
    assert nobody.total == 0 and nobody.notices


def test_search_pages_and_a_fixed_number_of_queries(world: World, bw: BWorld) -> None:
    for _ in range(120):
        log_read(world.resident, actor=world.worker, via="page")
    with CaptureQueriesContext(connection) as q:
        first = search_audit(bw.dpo, AuditQuery(action="read"), page=1)
    assert (first.total, first.pages, len(first.rows)) == (120, 3, 50)
    assert len(q) <= 6
    assert len(search_audit(bw.dpo, AuditQuery(action="read"), page=9).rows) == 20  # clamped to the last


def test_audit_page_for_dpo_and_admin_only(world: World, bw: BWorld) -> None:
    seed_log(world, bw)
    page = client_for(bw.dpo).get("/audit/", {"staff": "worker"})
    assert page.status_code == 200 and "person.read" in page.content.decode()
    assert client_for(world.admin).get("/audit/").status_code == 200
    for user in (world.worker, world.gate_user, world.health, bw.inspector):
        assert client_for(user).get("/audit/").status_code == 403
    bad = client_for(bw.dpo).get("/audit/", {"date_from": "2020-13-01"})
    assert bad.status_code == 200 and "audit-form-errors" in bad.content.decode()
    wrong_id = client_for(bw.dpo).get("/audit/", {"id_number": "123"})
    assert "audit-error" in wrong_id.content.decode()


def test_export_csv_and_xlsx_are_neutralised_and_audited(world: World, bw: BWorld) -> None:
    from shouwang.people.services import ResidentIn, upsert_resident

    upsert_resident(
        world.community_a,
        ResidentIn(name="张三", id_number=ZHANG_SAN_ID, address="力学胡同 3 号", phone="13800138000"),
        actor=world.admin,
    )
    world.resident.refresh_from_db()
    seed_log(world, bw)
    c = client_for(bw.dpo)
    as_csv = c.get("/audit/export.csv", {"action": "reveal"})
    assert as_csv.status_code == 200
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert rows[0][0] == "时间 time" and len(rows) == 2
    assert rows[1][8].startswith("'=HYPERLINK")  # a formula typed as a note stays text
    as_xlsx = c.get("/audit/export.xlsx")
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    assert sheet is not None and sheet.max_row >= 5
    exported = AuditLog.objects.filter(action="audit.export", actor=bw.dpo).order_by("pk")
    assert [e.detail["format"] for e in exported] == ["csv", "xlsx"]
    assert exported[0].detail["filters"] == {"action": "reveal"} and exported[0].detail["rows"] == 1


def test_audit_api(world: World, bw: BWorld) -> None:
    seed_log(world, bw)
    c = api_client(bw.dpo)
    found = c.get("/api/v1/audit", {"action": "read", "community": "tps"})
    assert found.status_code == 200
    body = found.json()
    assert body["total"] == 1 and body["rows"][0]["person_type"] == "Resident"
    bad = c.get("/api/v1/audit", {"date_from": "2020-02-30"}, headers={"accept-language": "en"})
    assert bad.status_code == 400
    backwards = c.get("/api/v1/audit", {"date_from": "2020-03-02", "date_to": "2020-03-01"})
    assert backwards.status_code == 400 and backwards.json()["code"] == "date_range_backwards"
    exported = c.get("/api/v1/audit/export", {"format": "csv"})
    assert exported.status_code == 200 and exported["content-type"].startswith("text/csv")
    assert api_client(world.worker).get("/api/v1/audit").status_code == 403
    assert json.loads(c.get("/api/v1/audit", {"staff": "nobody"}).content)["code"] == "user_unknown"
