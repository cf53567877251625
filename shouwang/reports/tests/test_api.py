"""The reports API: a day's board, one report, notes, submit, approve, return and export, with
errors in the house shape and words in zh-Hans or en."""

from __future__ import annotations

import io
from typing import Any

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from conftest import World
from shouwang.core.auth import create_token
from shouwang.core.models import AuditLog
from shouwang.reports.models import DailyReport
from shouwang.reports.tests.helpers import local, screen

pytestmark = pytest.mark.django_db


def client(username: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {create_token(username)}")


def call(c: Client, method: str, path: str, body: dict[str, Any] | None = None, lang: str = "zh-CN") -> Any:
    send = getattr(c, method)
    if body is None:
        return send(f"/api/v1{path}", HTTP_ACCEPT_LANGUAGE=lang)
    return send(f"/api/v1{path}", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE=lang)


def test_submit_approve_through_the_api(world: World) -> None:
    screen(world, world.gate_a, local(9))
    worker, admin = client("worker"), client("admin")
    with time_machine.travel(local(18), tick=False):
        got = call(worker, "get", "/reports/tps/2020-03-01")
        assert got.status_code == 200, got.content
        assert got.json()["status"] == "none" and got.json()["live"] is True
        assert got.json()["figures"]["screenings_total"] == 1
        saved = call(worker, "put", "/reports/tps/2020-03-01/notes", {"notes": "平稳"})
        assert (
            saved.status_code == 200 and saved.json()["status"] == "draft" and saved.json()["notes"] == "平稳"
        )
        sent = call(worker, "post", "/reports/tps/2020-03-01/submit", {})
        body = sent.json()
        assert sent.status_code == 200, body
        assert body["status"] == "submitted" and body["live"] is False and body["submitted_by"] == "worker"
        assert body["due"].startswith("2020-03-01T20:00:00+08:00")
        refused = call(worker, "post", "/reports/tps/2020-03-01/approve", {}, lang="en")
        assert refused.status_code == 403
        assert refused.json()["code"] == "report_review_forbidden"
        assert refused.json()["message"].startswith("Only a sub-district admin")
        board = call(admin, "get", "/reports?date=2020-03-01")
        assert board.status_code == 200
        assert [(r["scope"], r["status"]) for r in board.json()["rows"]] == [
            ("tps", "submitted"),
            ("xdb", "none"),
            ("all", "none"),
        ]
        ok = call(admin, "post", "/reports/tps/2020-03-01/approve", {"note": "收到"})
        assert (
            ok.status_code == 200
            and ok.json()["status"] == "approved"
            and ok.json()["reviewed_by"] == "admin"
        )


def test_return_then_resubmit_and_errors(world: World) -> None:
    worker, admin = client("worker"), client("admin")
    with time_machine.travel(local(18), tick=False):
        missing = call(admin, "post", "/reports/tps/2020-03-01/return", {"reason": "再查"})
        assert missing.status_code == 404 and missing.json()["code"] == "report_missing"
        call(worker, "post", "/reports/tps/2020-03-01/submit", {"notes": "一"})
        no_reason = call(admin, "post", "/reports/tps/2020-03-01/return", {"reason": ""})
        assert no_reason.status_code == 400
        assert no_reason.json()["errors"][0]["field"] == "reason"
        assert "退回日报须写明原因" in no_reason.json()["message"]
        back = call(admin, "post", "/reports/tps/2020-03-01/return", {"reason": "请补充物资情况"})
        assert back.json()["status"] == "returned" and back.json()["review_note"] == "请补充物资情况"
        again = call(worker, "post", "/reports/tps/2020-03-01/submit", {"notes": "口罩余 200 只"})
        assert again.json()["status"] == "submitted" and again.json()["submissions"] == 2
    bad_date = call(worker, "get", "/reports/tps/2020-02-30", lang="en")
    assert bad_date.status_code == 400 and bad_date.json()["code"] == "query_date_invalid"
    unknown = call(worker, "get", "/reports/nowhere/2020-03-01")
    assert unknown.status_code == 404 and "没有编号为“nowhere”的社区" in unknown.json()["message"]
    theirs = call(worker, "get", "/reports/xdb/2020-03-01")
    assert theirs.status_code == 403 and theirs.json()["code"] == "not_your_community"
    roll = call(worker, "get", "/reports/all/2020-03-01", lang="en")
    assert roll.status_code == 403 and roll.json()["code"] == "report_roll_up_admin_only"


@pytest.mark.parametrize("who", ["gate", "health"])
def test_gate_staff_and_health_station_get_403(world: World, who: str) -> None:
    c = client(who)
    for method, path in (("get", "/reports?date=2020-03-01"), ("get", "/reports/tps/2020-03-01")):
        answer = call(c, method, path, lang="en")
        assert answer.status_code == 403
        assert answer.json()["code"] == "report_read_forbidden"
    answer = call(c, "post", "/reports/tps/2020-03-01/submit", {})
    assert answer.status_code == 403 and "您的角色不能查看日报" in answer.json()["message"]
    assert not DailyReport.objects.exists()


def test_export_through_the_api(world: World) -> None:
    admin = client("admin")
    with time_machine.travel(local(21), tick=False):
        xlsx = call(admin, "get", "/reports/all/2020-03-01/export?format=xlsx")
        assert xlsx.status_code == 200
        assert xlsx["Content-Disposition"] == 'attachment; filename="daily-report-all-2020-03-01-live.xlsx"'
        assert xlsx["X-Report-Live"] == "1"
        book = load_workbook(io.BytesIO(xlsx.content))
        assert book["日报 report"]["A1"].value == "西长安街街道 日报"
        csv = call(admin, "get", "/reports/tps/2020-03-01/export?format=csv")
        assert csv.content.startswith(b"\xef\xbb\xbf")
        pdf = call(admin, "get", "/reports/tps/2020-03-01/export?format=pdf")
        assert pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
        bad = call(admin, "get", "/reports/tps/2020-03-01/export?format=doc", lang="en")
    assert bad.status_code == 400 and bad.json()["code"] == "report_format_unknown"
    assert AuditLog.objects.filter(action="report.export", actor=world.admin).count() == 3


def test_the_board_refuses_a_day_no_report_can_exist_for(world: World) -> None:
    """Found by a breaker: ?date=9999-12-31 and 2019-01-01 answered 200 with every report missing."""
    client = Client()
    client.force_login(world.admin)
    for raw in ("9999-12-31", "2019-01-01"):
        response = client.get(f"/api/v1/reports?date={raw}")
        assert response.status_code == 400, raw
        assert response.json()["code"] == "dashboard_date_out_of_range"
    page = client.get("/reports/?date=9999-12-31")
    assert page.status_code == 200
    assert "2019-12-01" in page.content.decode()
