"""The reports API under ``/api/v1/reports``: a day's board, one report, notes, submit, approve,
return, and the export as .xlsx, PDF or CSV.

``{scope}`` is a community's code, or ``all`` for the sub-district's roll-up (admins only);
``{day}`` a local date ``YYYY-MM-DD``. Thin: writes are :mod:`shouwang.reports.services`, reads
:mod:`shouwang.reports.selectors`. Errors come in the house shape with words in zh-Hans or en by
Accept-Language; gate staff and the health station get 403 ``report_read_forbidden``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from shouwang.core.api_input import query_date, request_language
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.reports.document import status_words
from shouwang.reports.models import DailyReport
from shouwang.reports.selectors import (
    ReportTarget,
    day_board,
    default_day,
    display_name,
    get_report,
    report_document,
    report_target,
    require_reader,
)
from shouwang.reports.services import approve_report, export_report, return_report, save_notes, submit_report

router = Router(tags=["reports"])


def _lang(request: HttpRequest) -> str:
    return request_language(request)


def _day(raw: str) -> dt.date:
    day = query_date(raw, "date")
    if day is None:
        raise InvalidInput("query_date_invalid", field="date", what="date", raw="")
    return day


class BoardRowOut(Schema):
    scope: str = Field(..., description="Community code, or 'all' for the roll-up")
    name: str
    status: str = Field(..., description="none | draft | submitted | approved | returned")
    status_label: str
    due: dt.datetime = Field(..., description="Deadline, local time with offset")
    late: bool = Field(..., description="First submitted after the deadline")
    missing: bool = Field(..., description="Deadline passed and never submitted")
    submitted_at: dt.datetime | None
    submitted_by: str | None


class BoardOut(Schema):
    day: dt.date
    counts: dict[str, int]
    rows: list[BoardRowOut]


class ReportOut(Schema):
    scope: str
    name: str
    day: dt.date
    status: str
    status_label: str
    live: bool = Field(..., description="True: figures computed now, not the submitted snapshot")
    late: bool
    missing: bool
    due: dt.datetime
    notes: str
    submitted_by: str | None
    submitted_at: dt.datetime | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_note: str
    submissions: int
    figures: dict[str, Any] = Field(
        ..., description="day_figures(...).as_dict(): the snapshot when submitted"
    )


class NotesIn(Schema):
    notes: str = Field("", max_length=8000, description="Free text; one paragraph a line")


class SubmitIn(Schema):
    notes: str | None = Field(None, max_length=8000, description="Replaces the draft's notes when given")


class ApproveIn(Schema):
    note: str = Field("", max_length=500)


class ReturnIn(Schema):
    reason: str = Field("", max_length=500, description="Why it goes back (at least two characters)")


class BoardQuery(Schema):
    date: str | None = Field(None, max_length=10, description="Local date YYYY-MM-DD; default today")


class ExportQuery(Schema):
    format: str = Field(..., max_length=8, description="xlsx | pdf | csv")


def _words(status: str, lang: str) -> str:
    zh, en = status_words(status)
    return en if lang == "en" else zh


def report_out(
    target: ReportTarget, day: dt.date, lang: str, report: DailyReport | None = None
) -> dict[str, Any]:
    """The API shape of ``target``'s report on ``day`` (live figures when not submitted)."""
    report = report if report is not None else get_report(target, day)
    doc = report_document(target, day, report=report)
    return {
        "scope": target.key,
        "name": target.name,
        "day": day,
        "status": doc.status,
        "status_label": _words(doc.status, lang),
        "live": doc.live,
        "late": doc.late,
        "missing": doc.missing,
        "due": doc.due,
        "notes": doc.notes,
        "submitted_by": doc.submitted_by or None,
        "submitted_at": doc.submitted_at,
        "reviewed_by": doc.reviewed_by or None,
        "reviewed_at": doc.reviewed_at,
        "review_note": doc.review_note,
        "submissions": report.submissions if report else 0,
        "figures": doc.figures,
    }


@router.get(
    "/reports", response=BoardOut, summary="A day's board: every community's report status, late / missing"
)
def board(request: HttpRequest, filters: Query[BoardQuery]) -> dict[str, Any]:
    """A community worker sees their communities; an admin every community of the sub-district and
    its roll-up (``scope`` ``all``). Three queries."""
    user = request.user
    require_reader(user)
    day = query_date(filters.date) or default_day(user)
    found = day_board(user, day)
    lang = _lang(request)
    return {
        "day": day,
        "counts": found.counts,
        "rows": [
            {
                "scope": row.target.key,
                "name": row.target.name,
                "status": row.status,
                "status_label": _words(row.status, lang),
                "due": row.due,
                "late": row.late,
                "missing": row.missing,
                "submitted_at": row.report.submitted_at.astimezone(row.target.tz)
                if row.report and row.report.submitted_at
                else None,
                "submitted_by": display_name(row.report.submitted_by) if row.report else None,
            }
            for row in found.rows
        ],
    }


@router.get(
    "/reports/{scope}/{day}", response=ReportOut, summary="One daily report (live figures when not submitted)"
)
def report(request: HttpRequest, scope: str, day: str) -> dict[str, Any]:
    """404 ``report_scope_unknown``; 403 for another community or the roll-up as a worker."""
    target = report_target(request.user, scope)
    return report_out(target, _day(day), _lang(request))


@router.put("/reports/{scope}/{day}/notes", response=ReportOut, summary="Save the notes as a draft")
def notes(request: HttpRequest, scope: str, day: str, payload: NotesIn) -> dict[str, Any]:
    """400 ``report_already_submitted`` / ``report_already_approved`` once it went upward."""
    target = report_target(request.user, scope)
    on = _day(day)
    saved = save_notes(target, on, notes=payload.notes, actor=request.user)
    return report_out(target, on, _lang(request), get_report(target, on) or saved)


@router.post(
    "/reports/{scope}/{day}/submit", response=ReportOut, summary="Submit upward (figures snapshotted now)"
)
def submit(request: HttpRequest, scope: str, day: str, payload: SubmitIn) -> dict[str, Any]:
    """By a community worker of the community or a sub-district admin; again after a return."""
    target = report_target(request.user, scope)
    on = _day(day)
    submit_report(target, on, actor=request.user, notes=payload.notes)
    return report_out(target, on, _lang(request))


def _stored(request: HttpRequest, scope: str, day: str) -> tuple[ReportTarget, dt.date, DailyReport]:
    target = report_target(request.user, scope)
    on = _day(day)
    found = get_report(target, on)
    if found is None:
        raise NotFound("report_missing", scope=target.name, day=on.isoformat())
    return target, on, found


@router.post(
    "/reports/{scope}/{day}/approve", response=ReportOut, summary="Approve a submitted report (admin)"
)
def approve(request: HttpRequest, scope: str, day: str, payload: ApproveIn) -> dict[str, Any]:
    """403 ``report_review_forbidden`` unless a sub-district admin; 400 ``report_not_submitted``."""
    target, on, found = _stored(request, scope, day)
    approve_report(found, actor=request.user, note=payload.note)
    return report_out(target, on, _lang(request))


@router.post(
    "/reports/{scope}/{day}/return",
    response=ReportOut,
    summary="Return a submitted report with a reason (admin)",
)
def send_back(request: HttpRequest, scope: str, day: str, payload: ReturnIn) -> dict[str, Any]:
    """400 ``report_return_reason_required`` without a reason."""
    target, on, found = _stored(request, scope, day)
    return_report(found, actor=request.user, reason=payload.reason)
    return report_out(target, on, _lang(request))


@router.get(
    "/reports/{scope}/{day}/export",
    summary="The report as .xlsx, PDF or CSV (audited); live figures marked 未上报 when not submitted",
    response={200: None},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The file",
                "content": {
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {},
                    "application/pdf": {},
                    "text/csv": {},
                },
            }
        }
    },
)
def export(request: HttpRequest, scope: str, day: str, query: Query[ExportQuery]) -> HttpResponse:
    """400 ``report_format_unknown``. The response header ``X-Report-Live: 1`` marks live figures."""
    target = report_target(request.user, scope)
    exported = export_report(target, _day(day), fmt=query.format.strip().lower(), actor=request.user)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Report-Live"] = "1" if exported.live else "0"
    return response
