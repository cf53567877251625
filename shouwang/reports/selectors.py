"""Reads of the reports app: whose report a scope word names (a community code or ``all`` for
the sub-district's roll-up), the report of a local day, its deadline, the day's board of every
community with "late" and "missing" flags, and the document an export or page shows.

Days are local calendar dates in the community's zone (the sub-district's for a roll-up);
instants are UTC. Who may read: a community worker their communities, a sub-district admin every
community of their sub-district and its roll-up; any other role is refused
(``report_read_forbidden``), gate staff included.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from shouwang.core.access import community_ids_for, require_community, role_of
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, NotFound
from shouwang.dashboard.figures import Scope, day_figures
from shouwang.places.models import Community, Subdistrict
from shouwang.reports.choices import ROLL_UP, ReportStatus
from shouwang.reports.document import ReportDocument
from shouwang.reports.models import DailyReport
from shouwang.screening.policy import DEFAULT_POLICY, Policy

# Who writes and reads daily reports; gate staff and the health station have their own pages.
# The inspector reads what it is given (its communities); it writes nothing (core.access).
READERS = (Role.COMMUNITY_WORKER, Role.SUBDISTRICT_ADMIN, Role.INSPECTOR)
# The statuses whose figures are the snapshot that went upward (otherwise: live figures).
SENT = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)


@dataclass(frozen=True)
class ReportTarget:
    """Whose report: a ``community`` of ``subdistrict``, or its roll-up (``community`` None)."""

    subdistrict: Subdistrict
    community: Community | None

    @property
    def key(self) -> str:
        """The scope word of URLs, the API and file names: the community's code or ``all``."""
        return self.community.code if self.community else ROLL_UP

    @property
    def name(self) -> str:
        return self.community.name if self.community else f"{self.subdistrict.name}（汇总）"

    @property
    def name_en(self) -> str:
        return self.community.code if self.community else "roll-up"

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return self.community.tz if self.community else zoneinfo.ZoneInfo(self.subdistrict.timezone)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The local date now in the target's zone."""
        return (now or timezone.now()).astimezone(self.tz).date()

    def scope(self) -> Scope:
        return Scope(subdistrict=self.subdistrict, community=self.community)


def _user_subdistrict(user: Any) -> Subdistrict | None:
    staff = getattr(user, "staff", None)
    if staff is not None:
        return Subdistrict.objects.filter(pk=staff.subdistrict_id).first()
    if getattr(user, "is_superuser", False):
        return Subdistrict.objects.order_by("pk").first()
    return None


def require_reader(user: Any) -> None:
    """Raise :class:`Forbidden` ``report_read_forbidden`` unless a community worker, admin or inspector."""
    if role_of(user) not in READERS:
        raise Forbidden("report_read_forbidden")


def report_target(user: Any, key: str) -> ReportTarget:
    """The target ``key`` names for ``user``: ``all`` (any case) is the user's sub-district's
    roll-up (admins only: ``report_roll_up_admin_only``); otherwise a community code (any case).
    Raises ``report_read_forbidden`` (role), ``report_scope_unknown`` (404) and
    ``not_your_community`` (403)."""
    require_reader(user)
    word = (key or "").strip().lower()
    if word == ROLL_UP:
        subdistrict = _user_subdistrict(user)
        if role_of(user) != Role.SUBDISTRICT_ADMIN or subdistrict is None:
            raise Forbidden("report_roll_up_admin_only")
        return ReportTarget(subdistrict, None)
    community = Community.objects.select_related("subdistrict").filter(code__iexact=word).first()
    if community is None or not word:
        raise NotFound("report_scope_unknown", field="community", code=(key or "")[:32])
    require_community(user, community, reading=True)
    return ReportTarget(community.subdistrict, community)


def policy_of(subdistrict: Subdistrict) -> Policy:
    return Policy.from_overrides(subdistrict.policy)


def due_time(policy: Policy) -> dt.time:
    """The policy's ``daily_report_due`` as a time; a malformed override falls back to the
    default (a typo in a sub-district's settings must not hide every report's deadline)."""
    for raw in (policy.daily_report_due, DEFAULT_POLICY.daily_report_due):
        try:
            return dt.time.fromisoformat(str(raw).strip())
        except ValueError:
            continue
    return dt.time(20)


def deadline(target: ReportTarget, day: dt.date, *, policy: Policy | None = None) -> dt.datetime:
    """When the report of local ``day`` is due: ``Policy.daily_report_due`` on that day in the
    target's zone, as an aware instant."""
    due = due_time(policy or policy_of(target.subdistrict))
    return dt.datetime.combine(day, due, tzinfo=target.tz)


def is_late(report: DailyReport | None, due: dt.datetime) -> bool:
    """First submitted after ``due`` (a resubmission after a return does not make it late)."""
    return bool(report and report.first_submitted_at and report.first_submitted_at > due)


def is_missing(report: DailyReport | None, due: dt.datetime, now: dt.datetime) -> bool:
    """The deadline has passed and the report was never submitted."""
    return now > due and not (report and report.first_submitted_at)


def get_report(target: ReportTarget, day: dt.date) -> DailyReport | None:
    """The stored report of ``target`` and local ``day``, or None (nothing written yet)."""
    rows = DailyReport.objects.select_related(
        "submitted_by__staff", "reviewed_by__staff", "community", "subdistrict"
    ).filter(subdistrict=target.subdistrict, day=day)
    if target.community is None:
        return rows.filter(community__isnull=True).first()
    return rows.filter(community=target.community).first()


@dataclass(frozen=True)
class BoardRow:
    """One line of a day's board: the target, its report (None when nothing was written), its
    status (``none`` when there is no report), its deadline (UTC instant) and the flags."""

    target: ReportTarget
    report: DailyReport | None
    status: str
    due: dt.datetime
    late: bool
    missing: bool


@dataclass(frozen=True)
class Board:
    day: dt.date
    rows: list[BoardRow]

    @property
    def counts(self) -> dict[str, int]:
        """How many lines are in each status, and late / missing."""
        out = {s: 0 for s in ("none", *ReportStatus.values)}
        for row in self.rows:
            out[row.status] += 1
        out["late"] = sum(r.late for r in self.rows)
        out["missing"] = sum(r.missing for r in self.rows)
        return out


def day_board(user: Any, day: dt.date, *, now: dt.datetime | None = None) -> Board:
    """Every community of the user's (a worker: their own; an admin: the whole sub-district,
    then its roll-up) with its report's status on local ``day`` and the flags "late" (first
    submitted after the deadline) and "missing" (deadline passed, never submitted).
    Three queries whatever the number of communities. Raises ``dashboard_date_out_of_range``
    for a day no figures can exist for (before 2019-12-01 or over a year ahead), as the report
    pages do."""
    from shouwang.dashboard.figures import check_day

    require_reader(user)
    check_day(day)
    now = now or timezone.now()
    communities = list(
        Community.objects.filter(pk__in=community_ids_for(user))
        .select_related("subdistrict")
        .order_by("code")
    )
    targets = [ReportTarget(c.subdistrict, c) for c in communities]
    if role_of(user) == Role.SUBDISTRICT_ADMIN:
        subdistrict = communities[0].subdistrict if communities else _user_subdistrict(user)
        if subdistrict is not None:
            targets.append(ReportTarget(subdistrict, None))
    subdistrict_ids = {t.subdistrict.pk for t in targets}
    reports = DailyReport.objects.filter(subdistrict_id__in=subdistrict_ids, day=day).select_related(
        "submitted_by__staff", "reviewed_by__staff"
    )
    by_key = {(r.subdistrict_id, r.community_id): r for r in reports}
    rows = []
    for target in targets:
        report = by_key.get((target.subdistrict.pk, target.community.pk if target.community else None))
        due = deadline(target, day)
        rows.append(
            BoardRow(
                target=target,
                report=report,
                status=report.status if report else "none",
                due=due,
                late=is_late(report, due),
                missing=is_missing(report, due, now),
            )
        )
    return Board(day=day, rows=rows)


def default_day(user: Any, now: dt.datetime | None = None) -> dt.date:
    """Today in the user's sub-district's zone (the board's default date)."""
    subdistrict = _user_subdistrict(user)
    zone = zoneinfo.ZoneInfo(subdistrict.timezone if subdistrict else "Asia/Shanghai")
    return (now or timezone.now()).astimezone(zone).date()


def display_name(user: Any) -> str:
    """A staff member's display name (the username for an account without a staff record)."""
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return str(staff.display_name) if staff is not None else str(user.get_username())


def report_document(
    target: ReportTarget, day: dt.date, *, report: DailyReport | None = None, now: dt.datetime | None = None
) -> ReportDocument:
    """What a page or an export shows of ``target`` on local ``day``: the submitted snapshot
    when the report is submitted or approved, otherwise the live figures now, marked as not
    submitted (``live``). ``report`` may be passed when already loaded."""
    now = now or timezone.now()
    if report is None:
        report = get_report(target, day)
    sent = report is not None and report.status in SENT
    figures = (
        report.figures if report is not None and sent else day_figures(target.scope(), day, now=now).as_dict()
    )
    due = deadline(target, day)
    tz = target.tz
    return ReportDocument(
        subdistrict_name=target.subdistrict.name,
        scope_key=target.key,
        scope_name=target.name,
        day=day,
        status=report.status if report else "none",
        live=not sent,
        figures=figures,
        notes=report.notes if report else "",
        submitted_by=display_name(report.submitted_by) if report else "",
        submitted_at=report.submitted_at.astimezone(tz) if report and report.submitted_at else None,
        reviewed_by=display_name(report.reviewed_by) if report else "",
        reviewed_at=report.reviewed_at.astimezone(tz) if report and report.reviewed_at else None,
        review_note=report.review_note if report else "",
        due=due.astimezone(tz),
        late=is_late(report, due),
        missing=is_missing(report, due, now),
        generated_at=now.astimezone(tz),
    )
