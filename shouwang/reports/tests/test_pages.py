"""The reports pages: the board with late / missing flags, one report with notes, submit,
approve, return with a reason, export downloads; gate staff get 403."""

from __future__ import annotations

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.test import Client

from conftest import World
from shouwang.core.models import AuditLog
from shouwang.reports.models import DailyReport
from shouwang.reports.tests.helpers import local, screen

pytestmark = pytest.mark.django_db


def logged_in(username: str) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    c.force_login(get_user_model().objects.get(username=username))
    return c


def test_board_flags_missing_after_the_deadline(world: World) -> None:
    admin = logged_in("admin")
    with time_machine.travel(local(20, 30), tick=False):
        page = admin.get("/reports/?date=2020-03-01")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('class="rep-badge missing"') == 3  # both communities and the roll-up
    assert 'id="board-tps"' in html and 'id="board-all"' in html
    worker = logged_in("worker")
    with time_machine.travel(local(19), tick=False):
        html = worker.get("/reports/?date=2020-03-01").content.decode()
    assert (
        'id="board-tps"' in html
        and 'id="board-xdb"' not in html
        and "missing" not in html.split("report-board")[1]
    )
    bad = worker.get("/reports/?date=2020-3-1x")
    assert "不是日期" in bad.content.decode() or "is not a date" in bad.content.decode()


def test_submit_approve_return_on_the_page(world: World) -> None:
    screen(world, world.gate_a, local(9))
    worker, admin = logged_in("worker"), logged_in("admin")
    with time_machine.travel(local(18), tick=False):
        page = worker.get("/reports/tps/2020-03-01/")
        assert page.status_code == 200 and 'id="live-banner"' in page.content.decode()
        done = worker.post("/reports/tps/2020-03-01/", {"action": "notes", "notes": "草稿一"})
        assert done.status_code == 302
        done = worker.post("/reports/tps/2020-03-01/", {"action": "submit", "notes": "今日平稳"})
        assert done.status_code == 302
        report = DailyReport.objects.get()
        assert report.status == "submitted" and report.notes == "今日平稳"
        assert worker.post("/reports/tps/2020-03-01/", {"action": "approve"}).status_code == 403
        empty = admin.post("/reports/tps/2020-03-01/", {"action": "return", "reason": ""})
        assert empty.status_code == 200 and "退回日报须写明原因" in empty.content.decode()
        admin.post("/reports/tps/2020-03-01/", {"action": "return", "reason": "请补充"})
        report.refresh_from_db()
        assert report.status == "returned"
        worker.post("/reports/tps/2020-03-01/", {"action": "submit", "notes": "已补充"})
        admin.post("/reports/tps/2020-03-01/", {"action": "approve"})
        report.refresh_from_db()
        assert report.status == "approved" and report.submissions == 2
        html = worker.get("/reports/tps/2020-03-01/").content.decode()
        assert 'id="notes-form"' not in html and "已补充" in html and 'id="live-banner"' not in html
        late_edit = worker.post("/reports/tps/2020-03-01/", {"action": "notes", "notes": "改"})
        assert late_edit.status_code == 302
    report.refresh_from_db()
    assert report.notes == "已补充"


def test_export_links_download_and_are_audited(world: World) -> None:
    worker = logged_in("worker")
    with time_machine.travel(local(21), tick=False):
        for fmt, starts in (("xlsx", b"PK"), ("pdf", b"%PDF"), ("csv", b"\xef\xbb\xbf")):
            got = worker.get(f"/reports/tps/2020-03-01/export.{fmt}")
            assert got.status_code == 200 and got.content.startswith(starts)
            assert got["Content-Disposition"].startswith("attachment;")
        assert worker.get("/reports/tps/2020-03-01/export.doc").status_code == 404
        assert worker.get("/reports/xdb/2020-03-01/export.pdf").status_code == 403
    assert AuditLog.objects.filter(action="report.export").count() == 3


@pytest.mark.parametrize("who", ["gate", "gate-b", "health"])
def test_gate_staff_get_403(world: World, who: str) -> None:
    c = logged_in(who)
    assert c.get("/reports/").status_code == 403
    assert c.get("/reports/tps/2020-03-01/").status_code == 403
    assert c.get("/reports/tps/2020-03-01/export.pdf").status_code == 403


def test_worker_cannot_open_another_community_or_the_roll_up(world: World) -> None:
    worker = logged_in("worker")
    assert worker.get("/reports/xdb/2020-03-01/").status_code == 403
    assert worker.get("/reports/all/2020-03-01/").status_code == 403
    assert worker.get("/reports/nowhere/2020-03-01/").status_code == 404
    assert worker.get("/reports/tps/2020-13-01/").status_code == 404
    assert Client().get("/reports/").status_code == 302  # to the log-in page
