"""Pages of the reports app under ``/reports/``: the day's board (every community's report with
"late" and "missing" flags; a community worker sees their own), one report (its figures, the
notes form, submit; approve or return with a reason for the sub-district admin; export links),
and the export download.

Thin: writes are :mod:`shouwang.reports.services`, reads :mod:`shouwang.reports.selectors`.
Gate staff and the health station get 403; another community's report is 403 too (the board
shows a worker only theirs). Times are the target's local times.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from shouwang.core.access import role_of
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, InvalidInput, NotFound, ShouwangError
from shouwang.quarantine.forms import current_lang
from shouwang.reports.choices import ExportFormat, ReportStatus
from shouwang.reports.document import status_words
from shouwang.reports.selectors import (
    READERS,
    ReportTarget,
    day_board,
    default_day,
    get_report,
    report_document,
    report_target,
)
from shouwang.reports.services import (
    EDITABLE,
    NOTES_LIMIT,
    approve_report,
    export_report,
    require_author,
    require_reviewer,
    return_report,
    save_notes,
    submit_report,
)
from shouwang.visitors.views import roles

ACTIONS = ("notes", "submit", "approve", "return")


class NotesForm(forms.Form):
    notes = forms.CharField(
        label=gettext_lazy("Notes"),
        required=False,
        max_length=NOTES_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What the figures do not say: events of the day, shortages, requests."),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for returning"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("e.g. the fever count differs from the health station's; please check"),
    )


def _day_or_404(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise Http404(raw) from None


def _target_or_error(request: HttpRequest, scope: str) -> ReportTarget:
    """The target named by ``scope``; 404 for an unknown code, 403 for one not the user's."""
    try:
        return report_target(request.user, scope)
    except NotFound:
        raise Http404(scope) from None
    except Forbidden:
        raise PermissionDenied from None


def _status(status: str) -> str:
    zh, en = status_words(status)
    return en if current_lang() == "en" else zh


def _allowed(check: Any, *args: Any) -> bool:
    try:
        check(*args)
    except ShouwangError:
        return False
    return True


@roles(*READERS)
@require_GET
def board_page(request: HttpRequest) -> HttpResponse:
    """Every community's report of a local date (``?date=YYYY-MM-DD``, default today) with its
    status and the flags late / missing; the admin's list ends with the sub-district's roll-up.
    Three queries for the board."""
    user = request.user
    today = default_day(user)
    raw = request.GET.get("date", "").strip()
    date_error = ""
    day = today
    if raw:
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            date_error = _("“%(raw)s” is not a date: use YYYY-MM-DD.") % {"raw": raw[:30]}
    try:
        found = day_board(user, day)
    except InvalidInput as err:
        date_error, day = err.message(current_lang()), today
        found = day_board(user, day)
    rows = [(row, _status(row.status), row.due.astimezone(row.target.tz)) for row in found.rows]
    return render(
        request,
        "reports/board.html",
        {
            "board": found,
            "rows": rows,
            "day": day,
            "previous": day - dt.timedelta(days=1),
            "next": day + dt.timedelta(days=1) if day < today else None,
            "date_error": date_error,
            "counts": found.counts,
            "is_admin": role_of(user) == Role.SUBDISTRICT_ADMIN,
        },
    )


@roles(*READERS)
def report_page(request: HttpRequest, scope: str, day: str) -> HttpResponse:
    """One report: its figures (the submitted snapshot, or live ones marked not submitted), the
    notes form and submit while a draft or returned, approve / return for the admin while
    submitted, export links. POST ``action`` = ``notes`` | ``submit`` | ``approve`` | ``return``,
    each coming back here."""
    user = request.user
    target = _target_or_error(request, scope)
    on = _day_or_404(day)
    report = get_report(target, on)
    status = report.status if report else "none"
    can_write = (status == "none" or status in EDITABLE) and _allowed(require_author, user, target)
    can_review = status == ReportStatus.SUBMITTED and _allowed(require_reviewer, user, target)
    notes_form = NotesForm(initial={"notes": report.notes if report else ""})
    return_form = ReturnForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            raise Http404(action)
        allowed = can_write if action in ("notes", "submit") else can_review
        if not allowed:
            if report is not None and status not in EDITABLE and action in ("notes", "submit"):
                messages.error(request, _("This report has gone upward and can no longer change."))
                return redirect("reports:report", scope=target.key, day=on.isoformat())
            raise PermissionDenied
        if action in ("notes", "submit"):
            notes_form = NotesForm(request.POST)
            if notes_form.is_valid() and _write(request, target, on, action, notes_form):
                return redirect("reports:report", scope=target.key, day=on.isoformat())
        elif action == "approve":
            assert report is not None
            if _act(request, approve_report, report, _("Report approved.")):
                return redirect("reports:report", scope=target.key, day=on.isoformat())
        else:
            assert report is not None
            return_form = ReturnForm(request.POST)
            if return_form.is_valid() and _send_back(request, report, return_form):
                return redirect("reports:report", scope=target.key, day=on.isoformat())
    doc = report_document(target, on, report=report)
    return render(
        request,
        "reports/report.html",
        {
            "target": target,
            "doc": doc,
            "report": report,
            "status_words": _status(doc.status),
            "day": on,
            "notes_form": notes_form,
            "return_form": return_form,
            "can_write": can_write,
            "can_review": can_review,
            "formats": ExportFormat.values,
            "lang": current_lang(),
        },
    )


def _write(request: HttpRequest, target: ReportTarget, day: dt.date, action: str, form: NotesForm) -> bool:
    notes = form.cleaned_data["notes"]
    try:
        if action == "submit":
            submit_report(target, day, actor=request.user, notes=notes)
        else:
            save_notes(target, day, notes=notes, actor=request.user)
    except ShouwangError as err:
        form.add_error("notes", err.message(current_lang()))
        return False
    messages.success(request, _("Report submitted.") if action == "submit" else _("Notes saved as a draft."))
    return True


def _act(request: HttpRequest, action: Any, report: Any, done: str) -> bool:
    try:
        action(report, actor=request.user)
    except ShouwangError as err:
        messages.error(request, err.message(current_lang()))
        return False
    messages.success(request, done)
    return True


def _send_back(request: HttpRequest, report: Any, form: ReturnForm) -> bool:
    try:
        return_report(report, actor=request.user, reason=form.cleaned_data["reason"])
    except ShouwangError as err:
        form.add_error("reason", err.message(current_lang()))
        return False
    messages.success(request, _("Report returned with the reason."))
    return True


@roles(*READERS)
@require_GET
def export_view(request: HttpRequest, scope: str, day: str, fmt: str) -> HttpResponse:
    """The report as ``fmt`` (xlsx | pdf | csv), downloaded; audited by the service."""
    target = _target_or_error(request, scope)
    on = _day_or_404(day)
    if fmt not in ExportFormat.values:
        raise Http404(fmt)
    try:
        exported = export_report(target, on, fmt=fmt, actor=request.user)
    except Forbidden:
        raise PermissionDenied from None
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
