"""Writes of the reports app: notes saved as a draft, submission (the figures snapshotted then, so
what went upward never changes), approval and return by the sub-district, resubmission after a
return, and exports (an export is recorded in the audit log like every export, DESIGN.md §4).

Who: a community's report is written and submitted by a community worker of that community or a
sub-district admin; the roll-up (``community`` None) by a sub-district admin; approving and
returning is for a sub-district admin of the report's sub-district only. Every write is atomic
with its audit record, and locks the report's row so two reviewers cannot both act on it.

Status flow: (none) → draft → submitted → approved; submitted → returned → submitted again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shouwang.core.access import require_community, role_of
from shouwang.core.audit import log_action
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, InvalidInput
from shouwang.dashboard.figures import day_figures
from shouwang.people.services import clean_text
from shouwang.reports.choices import ExportFormat, ReportStatus
from shouwang.reports.export import report_csv, report_xlsx
from shouwang.reports.models import DailyReport
from shouwang.reports.pdf import report_pdf
from shouwang.reports.selectors import (
    ReportTarget,
    deadline,
    get_report,
    is_late,
    report_document,
    require_reader,
)

NOTES_LIMIT = 4000
REASON_LIMIT = 500
EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
CONTENT_TYPES = {
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.PDF: "application/pdf",
    ExportFormat.CSV: "text/csv; charset=utf-8",
}


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _is_admin_of(actor: Any, target: ReportTarget) -> bool:
    if role_of(actor) != Role.SUBDISTRICT_ADMIN:
        return False
    staff = getattr(actor, "staff", None)
    return staff is None or staff.subdistrict_id == target.subdistrict.pk


def require_author(actor: Any, target: ReportTarget) -> None:
    """Raise :class:`Forbidden` unless ``actor`` may write ``target``'s report: a community worker
    of the community or an admin of the sub-district (the roll-up: the admin only)."""
    require_reader(actor)
    if target.community is None:
        if not _is_admin_of(actor, target):
            raise Forbidden("report_roll_up_admin_only")
        return
    require_community(actor, target.community)
    if role_of(actor) == Role.SUBDISTRICT_ADMIN:
        if not _is_admin_of(actor, target):
            raise Forbidden("report_submit_forbidden")
    elif role_of(actor) != Role.COMMUNITY_WORKER:
        raise Forbidden("report_submit_forbidden")


def require_reviewer(actor: Any, target: ReportTarget) -> None:
    """Raise :class:`Forbidden` ``report_review_forbidden`` unless an admin of the sub-district."""
    if not _is_admin_of(actor, target):
        raise Forbidden("report_review_forbidden")


def clean_notes(raw: str | None) -> str:
    """Notes kept line by line: each line through ``people.services.clean_text`` (control and
    format characters dropped, spaces joined), blank runs folded to one, ends trimmed.
    Raises ``report_notes_too_long`` above :data:`NOTES_LIMIT` characters (never cut silently)."""
    # Cut nothing here: too long is refused below, not shortened behind the writer's back.
    lines = [clean_text(line, len(line)) for line in (raw or "").splitlines()]
    kept: list[str] = []
    for line in lines:
        if line or (kept and kept[-1]):
            kept.append(line)
    text = "\n".join(kept).strip()
    if len(text) > NOTES_LIMIT:
        raise InvalidInput("report_notes_too_long", field="notes", length=len(text), limit=NOTES_LIMIT)
    return text


def _check_day(target: ReportTarget, day: dt.date, now: dt.datetime) -> None:
    if day > target.today(now):
        raise InvalidInput("report_day_future", field="date", day=day.isoformat())


def _locked(target: ReportTarget, day: dt.date) -> DailyReport:
    """The report's row, made as a draft if new, locked for this transaction."""
    rows = DailyReport.objects.select_for_update().filter(subdistrict=target.subdistrict, day=day)
    rows = (
        rows.filter(community__isnull=True)
        if target.community is None
        else rows.filter(community=target.community)
    )
    found = rows.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return DailyReport.objects.create(
                subdistrict=target.subdistrict, community=target.community, day=day
            )
    except IntegrityError:
        # Another request made it between our read and our insert: take theirs.
        return rows.get()


def _not_editable(report: DailyReport) -> InvalidInput:
    if report.status == ReportStatus.SUBMITTED:
        at = (
            report.submitted_at.astimezone(report.community.tz if report.community else dt.UTC)
            if report.submitted_at
            else None
        )
        return InvalidInput("report_already_submitted", at=f"{at:%Y-%m-%d %H:%M}" if at else "")
    if report.status == ReportStatus.APPROVED:
        return InvalidInput("report_already_approved")
    label = ReportStatus(report.status).label.split(" ", 1)
    return InvalidInput("report_not_editable", status=label[0], status_en=label[-1])


def save_notes(
    target: ReportTarget, day: dt.date, *, notes: str, actor: Any, now: dt.datetime | None = None
) -> DailyReport:
    """Save ``notes`` on the report of local ``day`` (made as a draft if there is none yet).
    Only while a draft or returned. Raises :class:`Forbidden` (see :func:`require_author`),
    ``report_day_future``, ``report_notes_too_long``, ``report_already_submitted``,
    ``report_already_approved``."""
    now = now or timezone.now()
    require_author(actor, target)
    _check_day(target, day, now)
    text = clean_notes(notes)
    with transaction.atomic():
        report = _locked(target, day)
        if report.status not in EDITABLE:
            raise _not_editable(report)
        if report.notes != text:
            report.notes = text
            report.save(update_fields=["notes", "updated_at"])
            log_action(
                "report.notes",
                actor=actor,
                community=target.community,
                obj=report,
                scope=target.key,
                day=day.isoformat(),
                length=len(text),
            )
    return report


def submit_report(
    target: ReportTarget,
    day: dt.date,
    *,
    actor: Any,
    notes: str | None = None,
    now: dt.datetime | None = None,
) -> DailyReport:
    """Submit the report of local ``day`` upward: the figures of ``day_figures(scope, day)`` are
    snapshotted now and never change afterwards. ``notes`` (when given) replace the draft's.
    A returned report may be submitted again (a new snapshot; "late" still counts from the first
    submission). Audited as ``report.submit``.

    Raises :class:`Forbidden` (see :func:`require_author`), ``report_day_future``,
    ``report_notes_too_long``, ``report_already_submitted``, ``report_already_approved``.
    """
    now = now or timezone.now()
    require_author(actor, target)
    _check_day(target, day, now)
    text = clean_notes(notes) if notes is not None else None
    with transaction.atomic():
        report = _locked(target, day)
        if report.status not in EDITABLE:
            raise _not_editable(report)
        resubmission = report.status == ReportStatus.RETURNED
        report.figures = day_figures(target.scope(), day, now=now).as_dict()
        if text is not None:
            report.notes = text
        report.status = ReportStatus.SUBMITTED
        report.submitted_by = _actor(actor)
        report.submitted_at = now
        report.first_submitted_at = report.first_submitted_at or now
        report.submissions += 1
        # A fresh submission has not been reviewed yet; the return's reason stays in the audit log.
        report.reviewed_by = None
        report.reviewed_at = None
        report.review_note = ""
        report.save()
        log_action(
            "report.submit",
            actor=actor,
            community=target.community,
            obj=report,
            scope=target.key,
            day=day.isoformat(),
            submissions=report.submissions,
            resubmission=resubmission,
            late=is_late(report, deadline(target, day)),
            screenings_total=report.figures.get("screenings_total"),
        )
    return report


def _target_of(report: DailyReport) -> ReportTarget:
    return ReportTarget(report.subdistrict, report.community)


def _review(
    report: DailyReport, *, actor: Any, status: str, note: str, now: dt.datetime | None
) -> DailyReport:
    target = _target_of(report)
    require_reviewer(actor, target)
    with transaction.atomic():
        locked = (
            DailyReport.objects.select_for_update(of=("self",))
            .select_related("community", "subdistrict")
            .get(pk=report.pk)
        )
        if locked.status != ReportStatus.SUBMITTED:
            if locked.status == ReportStatus.APPROVED:
                raise InvalidInput("report_already_approved")
            label = ReportStatus(locked.status).label.split(" ", 1)
            raise InvalidInput("report_not_submitted", status=label[0], status_en=label[-1])
        locked.status = status
        locked.reviewed_by = _actor(actor)
        locked.reviewed_at = now or timezone.now()
        locked.review_note = note
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note", "updated_at"])
        log_action(
            "report.approve" if status == ReportStatus.APPROVED else "report.return",
            actor=actor,
            community=target.community,
            obj=locked,
            scope=target.key,
            day=locked.day.isoformat(),
            note=note,
        )
    return locked


def approve_report(
    report: DailyReport, *, actor: Any, note: str = "", now: dt.datetime | None = None
) -> DailyReport:
    """Approve a submitted report (final: it can no longer change). Sub-district admin only.
    Raises ``report_review_forbidden``, ``report_not_submitted``, ``report_already_approved``."""
    return _review(
        report, actor=actor, status=ReportStatus.APPROVED, note=clean_text(note, REASON_LIMIT), now=now
    )


def return_report(
    report: DailyReport, *, actor: Any, reason: str, now: dt.datetime | None = None
) -> DailyReport:
    """Send a submitted report back with ``reason`` (at least two characters) for correction and
    resubmission. Sub-district admin only. Raises ``report_review_forbidden``,
    ``report_return_reason_required``, ``report_not_submitted``, ``report_already_approved``."""
    text = clean_text(reason, REASON_LIMIT)
    if len(text) < 2:
        raise InvalidInput("report_return_reason_required", field="reason")
    return _review(report, actor=actor, status=ReportStatus.RETURNED, note=text, now=now)


@dataclass(frozen=True)
class ExportFile:
    """An export ready to send or write: ``content`` bytes, a ``filename`` and its MIME type."""

    content: bytes
    filename: str
    content_type: str
    live: bool


def export_report(
    target: ReportTarget, day: dt.date, *, fmt: str, actor: Any, now: dt.datetime | None = None
) -> ExportFile:
    """The report of local ``day`` as ``fmt`` (``xlsx`` | ``pdf`` | ``csv``): the submitted
    snapshot, or — when none is submitted — the live figures, marked 未上报 / NOT SUBMITTED.
    Audited as ``report.export`` (format, live or not, SHA-256 of the file).
    Raises ``report_format_unknown``, :class:`Forbidden` (``report_read_forbidden``,
    ``not_your_community``, ``report_roll_up_admin_only``), ``font_missing`` (PDF)."""
    if fmt not in ExportFormat.values:
        raise InvalidInput("report_format_unknown", field="format", raw=str(fmt)[:10])
    require_reader(actor)
    if target.community is None:
        if not _is_admin_of(actor, target):
            raise Forbidden("report_roll_up_admin_only")
    else:
        require_community(actor, target.community, reading=True)
    now = now or timezone.now()
    report = get_report(target, day)
    doc = report_document(target, day, report=report, now=now)
    render = {ExportFormat.XLSX: report_xlsx, ExportFormat.PDF: report_pdf, ExportFormat.CSV: report_csv}[
        ExportFormat(fmt)
    ]
    content = render(doc)
    log_action(
        "report.export",
        actor=actor,
        community=target.community,
        obj=report,
        scope=target.key,
        day=day.isoformat(),
        format=fmt,
        live=doc.live,
        status=doc.status,
        sha256=hashlib.sha256(content).hexdigest(),
        size=len(content),
    )
    return ExportFile(content, f"{doc.file_stem()}.{fmt}", CONTENT_TYPES[ExportFormat(fmt)], doc.live)
