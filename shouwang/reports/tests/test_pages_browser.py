"""The daily report in headless Chromium on a 360×740 phone: a community worker writes the notes
and submits today's report, the sub-district admin sees it on the board and approves it, and each
export (xlsx, PDF, CSV) downloads and opens. Screenshots ``test-artifacts/screenshots/reports-*``.

The live server runs on the real clock: the report is of today in Beijing.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from django.utils import timezone
from openpyxl import load_workbook

from conftest import SCREENSHOTS, World, screenshot
from shouwang.core.models import AuditLog
from shouwang.core.tests.test_pages_browser import log_in
from shouwang.quarantine.tests.test_pages_browser import no_horizontal_scroll, small_targets, wide
from shouwang.reports.models import DailyReport
from shouwang.screening.identify import Identifier
from shouwang.screening.services import record_screening


def today(world: World) -> str:
    day: dt.date = world.community_a.local_date(timezone.now())
    return day.isoformat()


def test_worker_submits_and_admin_approves(world: World, page: Any, tmp_path: Path) -> None:
    for _ in range(2):
        record_screening(
            Identifier(pass_number=world.pass_.number),
            checkpoint=world.gate_a,
            direction="in" if _ == 0 else "out",
            temperature="36.6",
            mask=True,
            actor=world.gate_user,
        )
    day = today(world)
    log_in(page, "worker")
    page.goto("/reports/")
    page.wait_for_selector("#report-board")
    assert page.locator("#report-board li").count() == 1
    assert no_horizontal_scroll(page), wide(page)
    screenshot(page, "reports-board-worker")
    page.click("#board-tps a")
    page.wait_for_selector("#report-title")
    assert page.inner_text("#report-title") == "西长安街街道 太仆寺街社区 日报"
    assert page.is_visible("#live-banner")
    page.fill("#id_notes", '今日平稳。\n=HYPERLINK("http://x") 口罩余 200 只')
    page.click("#save-notes")
    page.wait_for_selector(".msgs")
    assert "草稿" in page.inner_text(".msgs")
    assert no_horizontal_scroll(page), wide(page)
    assert small_targets(page) == []
    screenshot(page, "reports-report-draft")
    page.click("#submit-report")
    page.wait_for_selector("#report-notes")
    assert "已上报" in page.inner_text("#report-status")
    report = DailyReport.objects.get()
    assert report.status == "submitted" and report.figures["screenings_total"] == 2
    screenshot(page, "reports-report-submitted")
    page.click("#lang-switch")
    page.wait_for_selector("#report-status")
    assert "submitted" in page.inner_text("#report-status")
    screenshot(page, "reports-report-submitted-en")
    page.click("#lang-switch")
    page.click("form[action='/logout/'] button")

    log_in(page, "admin")
    page.goto("/reports/")
    page.wait_for_selector("#board-all")
    assert "已上报" in page.inner_text("#board-tps")
    assert page.locator("#report-board li").count() == 3
    screenshot(page, "reports-board-admin")
    page.click("#board-tps a")
    page.wait_for_selector("#approve-report")
    page.click("#approve-report")
    page.wait_for_selector(".msgs")
    assert "已审核" in page.inner_text("#report-status")
    assert "admin" in page.inner_text("#report-reviewed")
    report.refresh_from_db()
    assert report.status == "approved"
    assert no_horizontal_scroll(page), wide(page)
    screenshot(page, "reports-report-approved")

    # Each export downloads and opens.
    files: dict[str, Path] = {}
    for fmt in ("xlsx", "pdf", "csv"):
        with page.expect_download() as info:
            page.click(f"#export-{fmt}")
        download = info.value
        assert download.suggested_filename == f"daily-report-tps-{day}.{fmt}"
        files[fmt] = tmp_path / download.suggested_filename
        download.save_as(files[fmt])
    sheet = load_workbook(io.BytesIO(files["xlsx"].read_bytes()))["日报 report"]
    notes = [
        c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str) and "HYPERLINK" in c
    ]
    assert notes and notes[0].startswith("今日平稳")
    assert files["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    assert files["pdf"].read_bytes().startswith(b"%PDF")
    assert AuditLog.objects.filter(action="report.export", actor=world.admin).count() == 3
    if shutil.which("pdftoppm"):
        os.makedirs(SCREENSHOTS, exist_ok=True)
        subprocess.run(  # noqa: S603
            ["pdftoppm", "-png", "-r", "80", str(files["pdf"]), os.path.join(SCREENSHOTS, "reports-e2e-pdf")],  # noqa: S607
            check=True,
        )
