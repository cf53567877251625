"""A daily report as a workbook (.xlsx, openpyxl) and as CSV (UTF-8 with a BOM, so Excel on a
Chinese Windows opens it as UTF-8 rather than GBK).

Every text that came from people (notes, the review note, names of staff, communities and gates)
passes :func:`shouwang.core.cells.safe_cell`, so ``=HYPERLINK(…)`` in the notes is shown, never
run (OWASP CSV injection). Numbers stay numbers. A document whose figures are live, not the
submitted snapshot, says so in its first lines (未上报 / NOT SUBMITTED).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from shouwang.core.cells import safe_cell
from shouwang.reports.document import COMMUNITY_HEAD, GATE_HEAD, ReportDocument

BOM = "\ufeff"
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="DDDDDD")
_WARN = PatternFill("solid", fgColor="F8D7DA")
_WRAP = Alignment(wrap_text=True, vertical="top")


def _cells(row: list[Any]) -> list[Any]:
    """Text through :func:`safe_cell`; numbers as they are."""
    return [safe_cell(v) if isinstance(v, str) else v for v in row]


def _heading(doc: ReportDocument) -> list[list[Any]]:
    lines: list[list[Any]] = [
        [doc.title],
        [f"{doc.date_words}  {doc.day.isoformat()}"],
        [f"范围 scope: {doc.scope_name}", f"状态 status: {doc.status_zh} {doc.status_en}"],
    ]
    if doc.banner:
        lines.append([doc.banner])
    return [_cells(line) for line in lines]


def _table(sheet: Worksheet, head: tuple[tuple[str, str], ...], rows: list[list[Any]], start: int) -> int:
    """Write a bordered table with a bilingual header at row ``start``; returns the next free row."""
    for col, (zh, en) in enumerate(head, start=1):
        c = sheet.cell(row=start, column=col, value=f"{zh}\n{en}")
        c.font = Font(bold=True)
        c.fill = _HEAD
        c.border = _BORDER
        c.alignment = _WRAP
    for offset, row in enumerate(rows, start=1):
        for col, value in enumerate(_cells(row), start=1):
            sheet.cell(row=start + offset, column=col, value=value).border = _BORDER
    return start + len(rows) + 1


def report_xlsx(doc: ReportDocument) -> bytes:
    """Three sheets: 日报 (heading, figures, sign-off, notes), 卡口 (per checkpoint), 社区 (per
    community). Prints A4 portrait, one page wide."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "日报 report"
    for line in _heading(doc):
        sheet.append(line)
    sheet["A1"].font = Font(bold=True, size=16)
    if doc.banner:
        banner = sheet.cell(row=4, column=1)
        banner.fill = _WARN
        banner.font = Font(bold=True, color="7A1712")
    row = sheet.max_row + 2
    sheet.cell(row=row - 1, column=1, value="数据 figures").font = Font(bold=True, size=13)
    head = (("指标", "Item"), ("Item", ""), ("数值", "Value"))
    row = _table(sheet, head, [[zh, en.strip(), value] for zh, en, value in doc.figure_rows()], row)
    sheet.cell(row=row + 1, column=1, value="上报与审核 sign-off").font = Font(bold=True, size=13)
    row = _table(
        sheet, (("项目", "Item"), ("Item", ""), ("内容", "Value")), [list(r) for r in doc.sign_off()], row + 2
    )
    sheet.cell(row=row + 1, column=1, value="备注 notes").font = Font(bold=True, size=13)
    notes = sheet.cell(row=row + 2, column=1, value=safe_cell(doc.notes) or "（无 none）")
    notes.alignment = _WRAP
    sheet.merge_cells(start_row=row + 2, start_column=1, end_row=row + 2, end_column=3)
    sheet.row_dimensions[row + 2].height = max(30, 15 * (doc.notes.count("\n") + 1 + len(doc.notes) // 40))
    for col, width in zip("ABC", (28, 30, 36), strict=True):
        sheet.column_dimensions[col].width = width

    gates = book.create_sheet("卡口 gates")
    gates.append(_cells([f"{doc.title} · 各卡口 per checkpoint · {doc.day.isoformat()}"]))
    _table(gates, GATE_HEAD, doc.gate_rows(), 3)
    communities = book.create_sheet("社区 communities")
    communities.append(_cells([f"{doc.title} · 各社区 per community · {doc.day.isoformat()}"]))
    _table(communities, COMMUNITY_HEAD, doc.community_rows(), 3)
    for ws in (gates, communities):
        ws["A1"].font = Font(bold=True, size=13)
        for index in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(index)].width = 16 if index > 1 else 22
    for ws in (sheet, gates, communities):
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_csv(doc: ReportDocument) -> bytes:
    """One CSV with the sections one after another (heading, figures, per checkpoint, per
    community, sign-off, notes), blank lines between; UTF-8 with a BOM, CRLF line ends."""
    out = io.StringIO()
    write = csv.writer(out, lineterminator="\r\n").writerow
    for line in _heading(doc):
        write(line)
    write([])
    write(["指标", "Item", "数值 value"])
    for zh, en, value in doc.figure_rows():
        write(_cells([zh.strip("\u3000"), en.strip(), value]))
    write([])
    write([f"{zh} {en}" for zh, en in GATE_HEAD])
    for row in doc.gate_rows():
        write(_cells(row))
    write([])
    write([f"{zh} {en}" for zh, en in COMMUNITY_HEAD])
    for row in doc.community_rows():
        write(_cells(row))
    write([])
    for zh, en, value in doc.sign_off():
        write(_cells([zh, en, value]))
    write([])
    write(["备注", "Notes", safe_cell(doc.notes)])
    return (BOM + out.getvalue()).encode("utf-8")
