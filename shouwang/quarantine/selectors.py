"""Reads of the quarantine app: the worker's worklist, a plan's record, daily figures, exports.

Every read is scoped to the user's communities (``community_ids_for``). Dates are local dates
of each community; ``now`` is a UTC instant (default: the clock).
"""

from __future__ import annotations

import datetime as dt
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from shouwang.core.access import community_ids_for
from shouwang.core.cells import safe_cell
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.core.models import AuditLog
from shouwang.people.models import Resident
from shouwang.places.models import Community
from shouwang.quarantine.choices import IN_FORCE, PlanStatus, SelfReportStatus, Slot
from shouwang.quarantine.dates import start_of_day
from shouwang.quarantine.models import FollowUp, QuarantinePlan, SelfReport
from shouwang.screening.choices import AlertKind
from shouwang.screening.models import Alert, ScreeningEvent
from shouwang.screening.policy import Policy

# What the health station acts on: fevers and symptoms at follow-ups, fever referrals at gates.
HEALTH_ALERTS = (AlertKind.FOLLOWUP_FEVER, AlertKind.FOLLOWUP_SYMPTOMS, AlertKind.FEVER_REFERRAL)


def get_plan(user: Any, plan_id: int) -> QuarantinePlan:
    """A plan in the user's communities; raises :class:`NotFound` (``plan_unknown``) otherwise,
    the same for another community's plan as for none (ids are not confirmed to strangers)."""
    plan = (
        QuarantinePlan.objects.filter(pk=plan_id, community_id__in=community_ids_for(user))
        .select_related("community__subdistrict", "resident__household", "returnee", "worker__staff")
        .first()
    )
    if plan is None:
        raise NotFound("plan_unknown", field="plan", id=plan_id)
    return plan


def list_plans(
    user: Any,
    *,
    community_code: str | None = None,
    status: str | None = None,
    day: dt.date | None = None,
    offset: int = 0,
    limit: int = 50,
) -> list[QuarantinePlan]:
    """Plans of the user's communities, newest arrival first; ``day``: holding someone at home
    on that local date (including ones released or transferred later). One query."""
    plans = QuarantinePlan.objects.filter(community_id__in=community_ids_for(user))
    if community_code:
        plans = plans.filter(community__code__iexact=community_code.strip())
    if status:
        plans = plans.filter(status=status)
    if day is not None:
        plans = plans.filter(in_force_on(day))
    return list(
        plans.select_related("community", "resident", "returnee", "worker__staff").order_by(
            "-first_day", "-pk"
        )[offset : offset + limit]
    )


def follow_ups_of(plan: QuarantinePlan, *, newest_first: bool = False) -> list[FollowUp]:
    """A plan's follow-ups by local date and slot (am before pm), with who recorded them. One query."""
    order = ("-local_date", "-slot") if newest_first else ("local_date", "slot")
    return list(
        FollowUp.objects.filter(plan=plan)
        .select_related("recorded_by__staff", "plan__community__subdistrict")
        .order_by(*order)
    )


def in_force_on(day: dt.date) -> Q:
    """Plans that hold someone at home on local ``day``."""
    return Q(status__in=IN_FORCE, first_day__lte=day, last_day__gte=day) | Q(
        status__in=(PlanStatus.RELEASED, PlanStatus.TRANSFERRED), first_day__lte=day, ended_on__gt=day
    )


def slot_window(
    slot: str, day: dt.date, community: Community, policy: Policy
) -> tuple[dt.datetime, dt.datetime]:
    """When a follow-up of ``slot`` on local ``day`` is due and when it becomes overdue (aware)."""
    start_h, end_h = (
        (policy.followup_am_from_h, policy.followup_am_until_h)
        if slot == Slot.AM
        else (policy.followup_pm_from_h, policy.followup_pm_until_h)
    )
    midnight = start_of_day(day, community.tz)
    return midnight + dt.timedelta(hours=start_h), midnight + dt.timedelta(hours=end_h)


@dataclass
class WorkItem:
    """One plan on a worker's list for local date ``day``: each slot's state (``done``, ``due``,
    ``overdue`` or ``later``), the day of quarantine, and the last reading (°C)."""

    plan: QuarantinePlan
    day: dt.date
    day_number: int
    slots: dict[str, str]
    readings: dict[str, FollowUp] = field(default_factory=dict)

    @property
    def overdue(self) -> bool:
        return "overdue" in self.slots.values()

    @property
    def due(self) -> bool:
        return "due" in self.slots.values()


def worklist(
    user: Any,
    *,
    day: dt.date | None = None,
    now: dt.datetime | None = None,
    mine: bool = False,
    community: Community | None = None,
) -> list[WorkItem]:
    """The follow-ups of ``day`` (default: today, local) for plans in force that day in the
    user's communities (``mine``: only plans assigned to ``user``), overdue first. Three queries."""
    now = now or timezone.now()
    ids = community_ids_for(user)
    if community is not None:
        ids = ids & {community.pk}
    plans = (
        QuarantinePlan.objects.filter(community_id__in=ids, status__in=IN_FORCE)
        .select_related("community__subdistrict", "resident__household", "returnee", "worker__staff")
        .order_by("last_day", "pk")
    )
    if mine:
        plans = plans.filter(worker=user)
    items: list[WorkItem] = []
    rows = list(plans)
    days = {p.pk: day or p.community.local_date(now) for p in rows}
    rows = [p for p in rows if p.first_day <= days[p.pk] <= p.last_day]
    done: dict[tuple[int, str], FollowUp] = {}
    # One condition per local date (not per plan: a thousand ORed pairs overflow SQLite's
    # expression depth), and each community's "today" is one date.
    by_day: dict[dt.date, list[int]] = {}
    for p in rows:
        by_day.setdefault(days[p.pk], []).append(p.pk)
    wanted = Q(pk__in=[])
    for local_date, plan_ids in by_day.items():
        wanted |= Q(local_date=local_date, plan_id__in=plan_ids)
    if rows:
        for f in FollowUp.objects.filter(wanted):
            done[(f.plan_id, f.slot)] = f
    policies: dict[int, Policy] = {}
    for p in rows:
        policy = policies.setdefault(p.community_id, Policy.from_overrides(p.community.subdistrict.policy))
        slots: dict[str, str] = {}
        readings: dict[str, FollowUp] = {}
        for slot in Slot.values:
            if (p.pk, slot) in done:
                slots[slot] = "done"
                readings[slot] = done[(p.pk, slot)]
                continue
            opens, closes = slot_window(slot, days[p.pk], p.community, policy)
            slots[slot] = "overdue" if now >= closes else ("due" if now >= opens else "later")
        items.append(WorkItem(p, days[p.pk], (days[p.pk] - p.first_day).days + 1, slots, readings))
    order = {"overdue": 0, "due": 1, "later": 2, "done": 3}
    items.sort(key=lambda it: (min(order[s] for s in it.slots.values()), it.plan.last_day, it.plan.pk))
    return items


def pending_self_reports(user: Any) -> list[SelfReport]:
    """Self-reports waiting for a worker in the user's communities, oldest first."""
    return list(
        SelfReport.objects.filter(
            community_id__in=community_ids_for(user), status=SelfReportStatus.PENDING
        ).order_by("submitted_at")
    )


def get_self_report(user: Any, report_id: Any) -> SelfReport:
    """A self-report of the user's communities; ``plan_unknown``-style :class:`NotFound` otherwise."""
    report = SelfReport.objects.filter(pk=report_id, community_id__in=community_ids_for(user)).first()
    if report is None:
        raise NotFound("self_report_unknown", field="report", id=report_id)
    return report


def plan_history(plan: QuarantinePlan) -> list[AuditLog]:
    """Who registered, changed and released the plan, and why (from the audit log), oldest first."""
    return list(
        AuditLog.objects.filter(object_type="QuarantinePlan", object_id=str(plan.pk))
        # Reads and reveals (person.*) are the data-protection officer's, not the plan's history.
        .exclude(action__startswith="person.")
        .select_related("actor__staff")
        .order_by("at")
    )


@dataclass(frozen=True)
class Figures:
    """The daily figures of one community (or a sum) for a local date: people in home
    quarantine that day, arrivals in the 24 h to the end of the day (or to now, today),
    plans released that day, follow-ups done that day and follow-up slots overdue."""

    label: str
    in_quarantine: int
    new_24h: int
    released: int
    follow_ups_done: int
    follow_ups_overdue: int

    def __add__(self, other: Figures) -> Figures:
        return Figures(
            self.label,
            self.in_quarantine + other.in_quarantine,
            self.new_24h + other.new_24h,
            self.released + other.released,
            self.follow_ups_done + other.follow_ups_done,
            self.follow_ups_overdue + other.follow_ups_overdue,
        )


# Figures exist from the first returnees of 2020 to a year ahead; outside is a typing slip
# (and year 9999 would overflow the day arithmetic).
FIRST_REPORT_DAY = dt.date(2019, 12, 1)


def check_report_day(day: dt.date, *, field: str = "date") -> dt.date:
    """``day`` if figures can exist for it; else :class:`InvalidInput` ``date_out_of_range``."""
    latest = timezone.localdate() + dt.timedelta(days=366)
    if not FIRST_REPORT_DAY <= day <= latest:
        raise InvalidInput(
            "date_out_of_range", field=field, first=FIRST_REPORT_DAY.isoformat(), last=latest.isoformat()
        )
    return day


def community_figures(community: Community, day: dt.date, *, now: dt.datetime | None = None) -> Figures:
    """:class:`Figures` of ``community`` for local ``day``. Four queries. "New" counts arrivals
    (not registrations) in the 24 h to the end of the day, so a plan entered late counts on the
    day the person came back."""
    check_report_day(day)
    now = now or timezone.now()
    policy = Policy.from_overrides(community.subdistrict.policy)
    end = min(now, start_of_day(day + dt.timedelta(days=1), community.tz))
    plans = QuarantinePlan.objects.filter(community=community)
    holding = list(plans.filter(in_force_on(day)).values_list("pk", flat=True))
    done = set(FollowUp.objects.filter(community=community, local_date=day).values_list("plan_id", "slot"))
    overdue = 0
    for slot in Slot.values:
        _opens, closes = slot_window(slot, day, community, policy)
        if end >= closes:
            overdue += sum(1 for pk in holding if (pk, slot) not in done)
    return Figures(
        label=community.name,
        in_quarantine=len(holding),
        new_24h=plans.filter(
            returnee__arrived_at__gte=end - dt.timedelta(hours=24), returnee__arrived_at__lt=end
        ).count(),
        released=plans.filter(status=PlanStatus.RELEASED, ended_on=day).count(),
        follow_ups_done=len(done),
        follow_ups_overdue=overdue,
    )


def daily_figures(
    user: Any, day: dt.date, *, now: dt.datetime | None = None
) -> tuple[list[Figures], Figures]:
    """Per-community :class:`Figures` for ``day`` in the user's communities, and their total
    (the sub-district's row)."""
    communities = Community.objects.filter(pk__in=community_ids_for(user)).select_related("subdistrict")
    rows = [community_figures(c, day, now=now) for c in communities.order_by("code")]
    total = Figures("合计 total", 0, 0, 0, 0, 0)
    for row in rows:
        total = total + row
    return rows, total


def health_station_xlsx(user: Any, day: dt.date, *, now: dt.datetime | None = None) -> bytes:
    """The health station's workbook for ``day``: the figures, then one row per person in home
    quarantine that day with their readings. IDs stay masked; user text cannot run as a formula."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    check_report_day(day)

    rows, total = daily_figures(user, day, now=now)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "汇总 figures"
    sheet.append(["日期 date", day.isoformat()])
    sheet.append(
        [
            "社区 community",
            "隔离中 in quarantine",
            "24小时新增 new 24 h",
            "今日解除 released",
            "已随访 follow-ups done",
            "逾期未随访 overdue",
        ]
    )
    for f in [*rows, total]:
        sheet.append(
            [
                safe_cell(f.label),
                f.in_quarantine,
                f.new_24h,
                f.released,
                f.follow_ups_done,
                f.follow_ups_overdue,
            ]
        )
    people = book.create_sheet("隔离人员 people")
    people.append(
        [
            "社区 community",
            "姓名 name",
            "证件 ID",
            "电话 phone",
            "住址 address",
            "来自 from",
            "抵达 arrived",
            "第几天 day",
            "最后一天 last day",
            "上午 am °C",
            "下午 pm °C",
            "症状 symptoms",
            "状态 status",
        ]
    )
    plans = (
        QuarantinePlan.objects.filter(in_force_on(day), community_id__in=community_ids_for(user))
        .select_related("community", "resident__household", "returnee")
        .order_by("community__code", "last_day", "pk")
    )
    readings: dict[tuple[int, str], FollowUp] = {
        (f.plan_id, f.slot): f for f in FollowUp.objects.filter(plan__in=plans, local_date=day)
    }
    for p in plans:
        am, pm = readings.get((p.pk, Slot.AM)), readings.get((p.pk, Slot.PM))
        symptoms = sorted({*(am.symptoms if am else []), *(pm.symptoms if pm else [])})
        people.append(
            [
                safe_cell(p.community.name),
                safe_cell(p.resident.name),
                p.resident.id_masked,
                p.resident.phone,
                safe_cell(p.returnee.address),
                safe_cell(p.returnee.origin_label),
                p.returnee.arrived_at.astimezone(p.community.tz).strftime("%Y-%m-%d %H:%M"),
                (day - p.first_day).days + 1,
                p.last_day.isoformat(),
                float(am.temperature_c) if am else None,
                float(pm.temperature_c) if pm else None,
                ", ".join(symptoms),
                p.get_status_display(),
            ]
        )
    for ws in (sheet, people):
        for index in range(1, ws.max_column + 1):
            ws.column_dimensions[get_column_letter(index)].width = 16
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def user_communities(user: Any) -> list[Community]:
    """The user's communities, by code."""
    return list(
        Community.objects.filter(pk__in=community_ids_for(user))
        .select_related("subdistrict")
        .order_by("code")
    )


def scoped_resident(user: Any, resident_id: Any) -> Resident | None:
    """A resident of the user's communities by id, else None (a bad id prefills nothing)."""
    try:
        pk = int(resident_id)
    except (TypeError, ValueError):
        return None
    return (
        Resident.objects.filter(pk=pk, community_id__in=community_ids_for(user))
        .select_related("household", "community")
        .first()
    )


def scoped_screening(user: Any, screening_id: Any) -> ScreeningEvent | None:
    """A screening of the user's communities by UUID, else None."""
    try:
        pk = uuid.UUID(str(screening_id))
    except ValueError:
        return None
    return (
        ScreeningEvent.objects.filter(pk=pk, community_id__in=community_ids_for(user))
        .select_related("community")
        .first()
    )


def last_readings(plan_ids: list[int]) -> dict[int, FollowUp]:
    """The latest follow-up of each plan (any day). One query."""
    latest: dict[int, FollowUp] = {}
    if not plan_ids:
        return latest
    for f in FollowUp.objects.filter(plan_id__in=plan_ids).order_by("plan_id", "-local_date", "-slot"):
        latest.setdefault(f.plan_id, f)
    return latest


def open_health_alerts(user: Any) -> list[Alert]:
    """Unresolved health-station alerts of the user's communities, oldest first (first come,
    first seen). One query."""
    return list(
        Alert.objects.filter(
            community_id__in=community_ids_for(user), resolved_at__isnull=True, kind__in=HEALTH_ALERTS
        )
        .select_related("community", "resident__household", "screening__checkpoint")
        .order_by("created_at", "pk")[:200]
    )


def fevers_today(user: Any, now: dt.datetime) -> list[FollowUp]:
    """Follow-ups of today (each community's local date) at or above its fever threshold."""
    wanted = Q(pk__in=[])
    for community in user_communities(user):
        wanted |= Q(
            community=community,
            local_date=community.local_date(now),
            temperature_c__gte=Policy.from_overrides(community.subdistrict.policy).fever_c,
        )
    return list(
        FollowUp.objects.filter(wanted)
        .select_related("plan__resident__household", "community")
        .order_by("-recorded_at")
    )


def slot_done(plan: QuarantinePlan, day: dt.date, slot: str) -> bool:
    return FollowUp.objects.filter(plan=plan, local_date=day, slot=slot).exists()
