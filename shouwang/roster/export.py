"""Workbooks (.xlsx, openpyxl) of the roster: the grid as a coordinator prints it, and the
duty-hours report.

The grid sheet has one row per local date and shift and one column per gate, so a 26-day roster
of six gates prints on A4 landscape pages one page wide, with the header row repeated on each
page. Names in a cell are joined by "、"; a team lead is marked （组长）; an empty place reads
"空缺 ×N"; a closed gate "—". Every text that came from a user passes :func:`safe_text`, so a
name such as ``=HYPERLINK(…)`` is shown, never run as a formula (OWASP CSV injection).
"""

from __future__ import annotations

import io
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from shouwang.core.cells import safe_cell
from shouwang.roster.choices import RosterStatus, SolverStatus
from shouwang.roster.selectors import DutyReport, GridCell, RosterGrid

WEEKDAYS = ("周一 Mon", "周二 Tue", "周三 Wed", "周四 Thu", "周五 Fri", "周六 Sat", "周日 Sun")
_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD = PatternFill("solid", fgColor="DDDDDD")
_EMPTY = PatternFill("solid", fgColor="F8D7DA")
_CLOSED = PatternFill("solid", fgColor="EEEEEE")
_WRAP = Alignment(wrap_text=True, vertical="center", horizontal="center")


def safe_text(text: str) -> str:
    """User text for a cell (:func:`shouwang.core.cells.safe_cell`: control characters Excel
    refuses dropped, a leading ``= + - @``, tab or CR neutralised with an apostrophe)."""
    return safe_cell(text)


def cell_text(cell: GridCell) -> str:
    """The words of one grid cell."""
    if cell.closed:
        return "—"
    names = [safe_text(p.name) + ("（组长）" if p.is_lead else "") for p in cell.people]
    if cell.missing:
        names.append(f"空缺 ×{cell.missing}")
    if cell.lead_missing:
        names.append("缺组长")
    return "、".join(names)


def _style_header(sheet: Worksheet, row: int, columns: int) -> None:
    for col in range(1, columns + 1):
        c = sheet.cell(row=row, column=col)
        c.font = Font(bold=True)
        c.fill = _HEAD
        c.border = _BORDER
        c.alignment = _WRAP


def _print_setup(sheet: Worksheet, *, title_rows: str, landscape: bool = True) -> None:
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    if sheet.sheet_properties.pageSetUpPr is None:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties()
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = title_rows
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    if sheet.oddFooter is not None and sheet.oddFooter.center is not None:
        sheet.oddFooter.center.text = "&P / &N"


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def roster_xlsx(g: RosterGrid) -> bytes:
    """The workbook of a Roster grid: the grid (dates × shifts down, gates across), the people
    with their Shifts and hours, and the empty places."""
    roster = g.roster
    sub = roster.subdistrict
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "排班 roster"
    gates = [row.checkpoint for row in g.rows]
    width = 3 + len(gates)
    status = RosterStatus(roster.status).label
    solver = SolverStatus(roster.solver_status).label if roster.solver_status else "-"
    sheet.append(
        [safe_text(f"{sub.name} 值守排班 duty roster  {roster.start.isoformat()} – {roster.end.isoformat()}")]
    )
    sheet.append([f"状态 status: {status}    求解 solver: {solver}    班次 shifts: {g.shift_count}"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    sheet.cell(row=1, column=1).font = Font(bold=True, size=14)
    sheet.append(
        ["日期 date", "星期 day", "班次 shift", *(safe_text(f"{c.name}\n{c.community.name}") for c in gates)]
    )
    _style_header(sheet, 3, width)
    row_no = 4
    for d, date in enumerate(g.dates):
        first = row_no
        for k, template in enumerate(g.templates):
            sheet.cell(row=row_no, column=1, value=date.isoformat())
            sheet.cell(row=row_no, column=2, value=WEEKDAYS[date.weekday()])
            sheet.cell(row=row_no, column=3, value=template.label())
            for col, grid_row in enumerate(g.rows, start=4):
                cell = grid_row.cells[d][k]
                c = sheet.cell(row=row_no, column=col, value=cell_text(cell))
                c.alignment = _WRAP
                if cell.missing or cell.lead_missing:
                    c.fill = _EMPTY
                elif cell.closed:
                    c.fill = _CLOSED
            for col in range(1, width + 1):
                sheet.cell(row=row_no, column=col).border = _BORDER
            row_no += 1
        if len(g.templates) > 1:
            sheet.merge_cells(start_row=first, start_column=1, end_row=row_no - 1, end_column=1)
            sheet.merge_cells(start_row=first, start_column=2, end_row=row_no - 1, end_column=2)
        for col in (1, 2):
            sheet.cell(row=first, column=col).alignment = _WRAP
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 9
    sheet.column_dimensions["C"].width = 13
    for col in range(4, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 18
    sheet.row_dimensions[3].height = 32
    sheet.freeze_panes = "D4"
    _print_setup(sheet, title_rows="3:3")

    people = book.create_sheet("人员 staff")
    people.append(["姓名 name", "账号 username", "分组 team", "组长 lead", "班次 shifts", "小时 hours"])
    _style_header(people, 1, 6)
    totals: dict[int, list[Any]] = {}
    for grid_row in g.rows:
        for day in grid_row.cells:
            for cell in day:
                for p in cell.people:
                    entry = totals.setdefault(
                        p.staff_id,
                        [
                            safe_text(p.name),
                            safe_text(p.username),
                            safe_text(p.team),
                            "是" if p.is_lead else "",
                            0,
                            0.0,
                        ],
                    )
                    entry[4] += 1
                    entry[5] += cell.template.hours
    for entry in sorted(totals.values(), key=lambda e: (e[2], e[0])):
        people.append(entry)
    for letter, w in zip("ABCDEF", (14, 14, 24, 8, 10, 10), strict=True):
        people.column_dimensions[letter].width = w
    _print_setup(people, title_rows="1:1", landscape=False)

    empty = g.empty
    if empty:
        gaps = book.create_sheet("空缺 empty")
        gaps.append(["卡口 gate", "日期 date", "班次 shift", "需要 needed", "空缺 missing", "缺组长 no lead"])
        _style_header(gaps, 1, 6)
        for gate, cell in empty:
            gaps.append(
                [
                    safe_text(gate.name),
                    cell.date.isoformat(),
                    cell.template.label(),
                    cell.needed,
                    cell.missing,
                    "是" if cell.lead_missing else "",
                ]
            )
        for letter, w in zip("ABCDEF", (18, 12, 13, 10, 10, 10), strict=True):
            gaps.column_dimensions[letter].width = w
        _print_setup(gaps, title_rows="1:1", landscape=False)
    return _save(book)


def duty_hours_xlsx(report: DutyReport) -> bytes:
    """The duty-hours workbook: per person, per team, and the late and absent Shifts."""
    zone = report.subdistrict.timezone
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "工时 hours"
    sheet.append(
        [
            safe_text(
                f"{report.subdistrict.name} 值守工时 duty hours  {report.start.isoformat()} – {report.end.isoformat()}"
            )
        ]
    )
    sheet.append(
        [
            f"迟到 = 班次开始 {report.late_after_minutes} 分钟后签到 / late = signed in more than that after the start"
        ]
    )
    head = [
        "分组 team",
        "姓名 name",
        "账号 username",
        "签到工时 attended h",
        "排班工时 rostered h",
        "差额 difference h",
        "班次 shifts",
        "迟到 late",
        "缺勤 absent",
        "未签退 open",
    ]
    sheet.append(head)
    _style_header(sheet, 3, len(head))
    for p in report.people:
        sheet.append(
            [
                safe_text(p.team),
                safe_text(p.staff.display_name),
                safe_text(p.staff.user.get_username()),
                round(p.attended_h, 2),
                round(p.rostered_h, 2),
                round(p.attended_h - p.rostered_h, 2),
                p.shifts,
                len(p.late),
                len(p.absent),
                len(p.open),
            ]
        )
    for letter, w in zip("ABCDEFGHIJ", (24, 14, 14, 12, 12, 12, 9, 9, 9, 9), strict=True):
        sheet.column_dimensions[letter].width = w
    sheet.freeze_panes = "A4"
    _print_setup(sheet, title_rows="3:3")

    teams = book.create_sheet("分组 teams")
    teams.append(
        [
            "分组 team",
            "人数 people",
            "签到工时 attended h",
            "排班工时 rostered h",
            "迟到 late",
            "缺勤 absent",
            "未签退 open",
        ]
    )
    _style_header(teams, 1, 7)
    for t in [*report.teams, report.total]:
        teams.append(
            [
                safe_text(t.name or "未分组 no team"),
                t.people,
                round(t.attended_h, 2),
                round(t.rostered_h, 2),
                t.late,
                t.absent,
                t.open,
            ]
        )
    for letter, w in zip("ABCDEFG", (24, 9, 12, 12, 9, 9, 9), strict=True):
        teams.column_dimensions[letter].width = w

    events = book.create_sheet("迟到缺勤 late & absent")
    events.append(
        [
            "姓名 name",
            "日期 date",
            "卡口 gate",
            "班次 shift",
            "情况 what",
            "迟到分钟 minutes late",
            "签到 signed in",
        ]
    )
    _style_header(events, 1, 7)
    tz = ZoneInfo(zone)
    for p in report.people:
        for late in p.late:
            events.append(
                [
                    safe_text(p.staff.display_name),
                    late.shift.date.isoformat(),
                    safe_text(late.shift.checkpoint.name),
                    late.shift.template.label(),
                    "迟到 late",
                    late.minutes,
                    f"{late.attendance.signed_in_at.astimezone(tz):%H:%M}",
                ]
            )
        for shift in p.absent:
            events.append(
                [
                    safe_text(p.staff.display_name),
                    shift.date.isoformat(),
                    safe_text(shift.checkpoint.name),
                    shift.template.label(),
                    "缺勤 absent",
                    None,
                    None,
                ]
            )
    for letter, w in zip("ABCDEFG", (14, 12, 18, 13, 10, 12, 10), strict=True):
        events.column_dimensions[letter].width = w
    return _save(book)
