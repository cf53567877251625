"""The quarantine API under ``/api/v1/returnees``: register returnees, follow them up, change and
end their home quarantine, the worker's list for today and the daily figures.

Thin: every write is a service of :mod:`shouwang.quarantine.services` (which checks the role and
the community and raises coded errors), every read a selector scoped to the caller's
communities. Another community's plan is a 404 exactly like a missing one. Gate staff may
register a returnee (at the gate) but not read the lists. Dates named ``*_day``/``local_date``
are the community's local calendar dates (Asia/Shanghai); instants are ISO 8601 with offset.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictFloat, StrictInt, StrictStr

from shouwang.core.access import READ_ONLY_ROLES, community_ids_for, require_role, role_of
from shouwang.core.api_input import choice_words as _words
from shouwang.core.api_input import request_language as _lang
from shouwang.core.audit import log_read
from shouwang.core.choices import Role
from shouwang.core.errors import InvalidInput, NotFound, ShouwangError
from shouwang.core.reveal import mask_phone
from shouwang.people.services import ResidentIn
from shouwang.places.models import Community
from shouwang.quarantine.choices import PlanStatus, Source
from shouwang.quarantine.dates import Span
from shouwang.quarantine.models import FollowUp, QuarantinePlan
from shouwang.quarantine.selectors import (
    Figures,
    WorkItem,
    check_report_day,
    daily_figures,
    follow_ups_of,
    get_plan,
    list_plans,
    worklist,
)
from shouwang.quarantine.services import (
    PersonIn,
    TripIn,
    extend_plan,
    record_follow_up,
    register_returnee,
    release_early,
    transfer_to_hospital,
)
from shouwang.screening.models import ScreeningEvent

router = Router(tags=["returnees"])

# Who may read plans, lists and figures (people's addresses, phones and readings).
READERS = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.HEALTH_STATION, *READ_ONLY_ROLES)
LIST_LIMIT_MAX = 500


# ---- shapes -------------------------------------------------------------------------------


class NewPersonIn(Schema):
    """Someone not yet registered in the community (registered with the returnee)."""

    name: str = Field(..., max_length=100)
    id_number: str = Field(..., max_length=64)
    id_type: str = Field("resident_id", max_length=40, description="e.g. resident_id, passport, 护照")
    phone: str = Field("", max_length=40)
    address: str = Field("", max_length=200, description="Household address in the community")
    gender: str = Field("", max_length=4)


class ReturneeIn(Schema):
    """A returnee and their arrival. Name the person in exactly one way: ``resident`` (id of a
    resident of the community), ``id_number`` (+ ``id_type``) of a resident of the community, or
    ``person`` for someone new. With ``screening`` and no person, the screened resident is used."""

    community: str | None = Field(
        None, max_length=32, description="Community code; optional when the caller has exactly one"
    )
    resident: int | None = None
    id_number: str | None = Field(None, max_length=64)
    id_type: str = Field("resident_id", max_length=40)
    person: NewPersonIn | None = None
    origin: str = Field(..., max_length=12, description="GB/T 2260 division code, e.g. 420102 (武汉市江岸区)")
    arrived_at: dt.datetime = Field(..., description="ISO 8601 with offset, e.g. 2020-02-29T21:30:00+08:00")
    transport: str = Field(..., max_length=10, description="train | flight | coach | car | other")
    transport_number: str = Field("", max_length=40, description="Train or flight number, or plate")
    address: str = Field("", max_length=200, description="Where they stay; blank: their household")
    companions: str = Field("", max_length=200, description="Who travelled with them")
    screening: uuid.UUID | None = Field(None, description="The gate screening this comes from")


class ResidentOut(Schema):
    id: int
    name: str = Field(..., description="Masked: surname kept")
    id_masked: str


class WorkerOut(Schema):
    username: str
    name: str


class PlanOut(Schema):
    """A home-quarantine plan. ``first_day`` is the local arrival date (day 1), ``last_day`` the
    last day in quarantine, ``free_from`` the local date from whose 00:00 the person is free."""

    id: int
    community: str
    status: str
    status_label: str
    resident: ResidentOut
    origin: str
    origin_label: str
    arrived_at: dt.datetime = Field(..., description="In the community's local time, with offset")
    transport: str
    transport_number: str
    address: str
    companions: str
    first_day: dt.date
    last_day: dt.date
    free_from: dt.date
    days: int
    worker: WorkerOut | None
    source: str
    ended_on: dt.date | None
    end_reason: str
    created_at: dt.datetime


class FollowUpIn(Schema):
    id: uuid.UUID | None = Field(None, description="Client-made UUID; repeating it returns the first record")
    temperature: StrictFloat | StrictInt | StrictStr | None = Field(
        None, description="°C or °F, or as typed: '366', '36,6', '98.6'"
    )
    symptoms: list[StrictStr] = Field(
        default_factory=list,
        description="cough, fatigue, sore_throat, short_of_breath, muscle_ache, diarrhoea, runny_nose",
    )
    method: str = Field("phone", max_length=40, description="phone | visit | self")
    slot: str | None = Field(None, max_length=40, description="am | pm; default: by the local hour")
    local_date: dt.date | None = Field(None, description="Local date; default today")
    note: str = Field("", max_length=200)
    replace: bool = Field(
        False,
        description="Correct a reading already recorded for this slot (the old values stay in the audit log)",
    )


class FollowUpOut(Schema):
    id: uuid.UUID
    plan: int
    local_date: dt.date
    slot: str
    day: int = Field(..., description="Day of quarantine, 1 on the arrival date")
    temperature_c: float
    symptoms: list[str]
    method: str
    note: str
    recorded_by: str | None
    recorded_at: dt.datetime
    alerts: list[str] = Field(default_factory=list, description="Alert kinds raised by this record")


class ReasonIn(Schema):
    reason: str = Field("", max_length=200, description="Why (at least two characters); audited")


class ExtendIn(ReasonIn):
    last_day: dt.date = Field(..., description="New last day in quarantine (local date, inclusive)")


class WorkItemOut(Schema):
    """One person on the follow-up list of ``date``: each slot ``done``, ``due``, ``overdue`` or
    ``later``; ``readings`` the slot's temperature (°C) where done."""

    plan: int
    community: str
    date: dt.date
    day: int
    last_day: dt.date
    resident: ResidentOut
    phone: str = Field(
        ..., description="Masked (138****8000); POST /api/v1/reveal with a reason for the number"
    )
    address: str
    worker: str | None
    slots: dict[str, str]
    readings: dict[str, float]
    overdue: bool


class FiguresOut(Schema):
    label: str
    in_quarantine: int
    new_24h: int
    released: int
    follow_ups_done: int
    follow_ups_overdue: int


class DailyFiguresOut(Schema):
    date: dt.date
    communities: list[FiguresOut]
    total: FiguresOut


class PlanFilters(Schema):
    community: str | None = Field(None, max_length=32, description="Community code")
    status: str | None = Field(None, max_length=12, description="active | extended | released | transferred")
    date: str | None = Field(None, max_length=10, description="In force (holding someone) on this local date")
    limit: int = Field(100, ge=1, le=LIST_LIMIT_MAX)
    offset: int = Field(0, ge=0, le=1_000_000)


# ---- helpers ------------------------------------------------------------------------------


def _community(user: Any, code: str | None) -> Community:
    """The community named by ``code``, or the caller's only one. An unknown code is 400; a code
    outside the caller's communities is left to the service (403 ``not_your_community``)."""
    if code:
        found = Community.objects.select_related("subdistrict").filter(code__iexact=code.strip()).first()
        if found is None:
            raise InvalidInput("community_unknown", field="community", name=code)
        return found
    mine = list(Community.objects.select_related("subdistrict").filter(pk__in=community_ids_for(user)))
    if len(mine) != 1:
        choices = ", ".join(sorted(c.code for c in mine)) or "-"
        raise InvalidInput("community_required", field="community", choices=choices)
    return mine[0]


def _query_date(raw: str | None, what: str) -> dt.date | None:
    if not raw:
        return None
    try:
        day = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("query_date_invalid", field=what, what=what, raw=raw[:10]) from None
    return check_report_day(day, field=what)


def _resident_out(plan: QuarantinePlan) -> dict[str, Any]:
    r = plan.resident
    return {"id": r.pk, "name": r.masked_name, "id_masked": r.id_masked}


def _worker_out(user: Any) -> dict[str, str] | None:
    if user is None:
        return None
    staff = getattr(user, "staff", None)
    return {"username": user.get_username(), "name": staff.display_name if staff else user.get_username()}


def plan_out(plan: QuarantinePlan, lang: str) -> dict[str, Any]:
    """The API shape of a plan (needs ``community``, ``resident``, ``returnee``, ``worker`` loaded)."""
    span = Span(plan.first_day, plan.last_day)
    returnee = plan.returnee
    return {
        "id": plan.pk,
        "community": plan.community.code,
        "status": plan.status,
        "status_label": _words(PlanStatus(plan.status).label, lang),
        "resident": _resident_out(plan),
        "origin": returnee.origin_code,
        "origin_label": returnee.origin_label,
        "arrived_at": returnee.arrived_at.astimezone(plan.community.tz),
        "transport": returnee.transport,
        "transport_number": returnee.transport_number,
        "address": returnee.address,
        "companions": returnee.companions,
        "first_day": span.first_day,
        "last_day": span.last_day,
        "free_from": span.free_from,
        "days": span.days,
        "worker": _worker_out(plan.worker),
        "source": returnee.source,
        "ended_on": plan.ended_on,
        "end_reason": plan.end_reason,
        "created_at": plan.created_at,
    }


def follow_up_out(f: FollowUp, plan: QuarantinePlan, alerts: list[str] | None = None) -> dict[str, Any]:
    return {
        "id": f.pk,
        "plan": plan.pk,
        "local_date": f.local_date,
        "slot": f.slot,
        "day": (f.local_date - plan.first_day).days + 1,
        "temperature_c": float(f.temperature_c),
        "symptoms": list(f.symptoms or []),
        "method": f.method,
        "note": f.note,
        "recorded_by": f.recorded_by.get_username() if f.recorded_by else None,
        "recorded_at": f.recorded_at,
        "alerts": alerts or [],
    }


def _person(payload: ReturneeIn, screening: ScreeningEvent | None) -> PersonIn:
    new = payload.person
    if new is not None:
        return PersonIn(
            new=ResidentIn(
                name=new.name,
                id_number=new.id_number,
                id_type=new.id_type,
                gender=new.gender,
                phone=new.phone,
                address=new.address,
            )
        )
    if payload.resident is None and not payload.id_number and screening and screening.resident_id:
        return PersonIn(resident=screening.resident_id)
    return PersonIn(resident=payload.resident, id_number=payload.id_number, id_type=payload.id_type)


# Fields of a new person as the service names them, nested under ``person`` in this API.
_PERSON_FIELDS = {"name", "id_number", "id_type", "phone", "address", "gender"}


def _full_plan(user: Any, plan_id: int) -> QuarantinePlan:
    require_role(user, *READERS)
    return get_plan(user, plan_id)


# ---- endpoints ----------------------------------------------------------------------------


@router.post("/returnees", response={201: PlanOut}, summary="Register a returnee and start home quarantine")
def create_returnee(request: HttpRequest, payload: ReturneeIn) -> Any:
    """201 with the plan: 14 local days from the arrival date (day 1), free from day 15's 00:00.

    400 for a naive or future ``arrived_at``, an unknown ``origin``, a train or flight without
    its number, or a person already in quarantine (``quarantine_exists``); 404 for a resident or
    screening not in the community; 403 outside the caller's communities.
    """
    user = request.user
    community = _community(user, payload.community)
    screening = None
    if payload.screening is not None:
        screening = ScreeningEvent.objects.filter(pk=payload.screening, community=community).first()
        if screening is None:
            raise NotFound("screening_unknown", field="screening")
    source = Source.GATE if screening is not None or role_of(user) == Role.GATE_STAFF else Source.WORKER
    try:
        plan = register_returnee(
            community,
            person=_person(payload, screening),
            trip=TripIn(
                origin=payload.origin,
                arrived_at=payload.arrived_at,
                transport=payload.transport,
                transport_number=payload.transport_number,
                address=payload.address,
                companions=payload.companions,
            ),
            source=source,
            actor=user,
            screening=screening,
        )
    except ShouwangError as exc:
        if payload.person is not None and exc.field in _PERSON_FIELDS:
            exc.field = f"person.{exc.field}"
        raise
    fresh = (
        QuarantinePlan.objects.select_related("community", "resident", "returnee", "worker__staff")
        .filter(pk=plan.pk)
        .get()
    )
    return Status(201, plan_out(fresh, _lang(request)))


@router.get("/returnees", response=list[PlanOut], summary="Home-quarantine plans of the caller's communities")
def list_returnees(request: HttpRequest, filters: Query[PlanFilters]) -> list[dict[str, Any]]:
    """Newest arrival first. ``date``: plans holding someone at home on that local date
    (including ones released or transferred later). One query."""
    user = request.user
    require_role(user, *READERS)
    if filters.status and filters.status not in PlanStatus.values:
        raise InvalidInput(
            "status_unknown", field="status", raw=filters.status, known=", ".join(PlanStatus.values)
        )
    rows = list_plans(
        user,
        community_code=filters.community,
        status=filters.status,
        day=_query_date(filters.date, "date"),
        offset=filters.offset,
        limit=filters.limit,
    )
    lang = _lang(request)
    return [plan_out(p, lang) for p in rows]


def _today_for(user: Any) -> dt.date:
    """Today in the zone of the caller's first community (all of a sub-district share one)."""
    first = Community.objects.filter(pk__in=community_ids_for(user)).order_by("code").first()
    return first.local_date(timezone.now()) if first else timezone.localdate()


@router.get(
    "/returnees/worklist",
    response=list[WorkItemOut],
    summary="Today's follow-ups: who is due, overdue or done (per slot)",
)
def get_worklist(
    request: HttpRequest,
    mine: bool = False,
    community: str | None = None,
    date: str | None = None,
) -> list[dict[str, Any]]:
    """Overdue first. ``mine``: only plans assigned to the caller. ``date``: another local date
    (default: today in each community). Three queries."""
    user = request.user
    require_role(user, *READERS)
    chosen = _community(user, community) if community else None
    items: list[WorkItem] = worklist(user, day=_query_date(date, "date"), mine=mine, community=chosen)
    out = []
    for item in items:
        plan = item.plan
        household = plan.resident.household
        out.append(
            {
                "plan": plan.pk,
                "community": plan.community.code,
                "date": item.day,
                "day": item.day_number,
                "last_day": plan.last_day,
                "resident": _resident_out(plan),
                "phone": mask_phone(plan.resident.phone),
                "address": plan.returnee.address or (household.address if household else ""),
                "worker": plan.worker.get_username() if plan.worker else None,
                "slots": item.slots,
                "readings": {s: float(f.temperature_c) for s, f in item.readings.items()},
                "overdue": item.overdue,
            }
        )
    return out


def _figures_out(f: Figures) -> dict[str, Any]:
    return {
        "label": f.label,
        "in_quarantine": f.in_quarantine,
        "new_24h": f.new_24h,
        "released": f.released,
        "follow_ups_done": f.follow_ups_done,
        "follow_ups_overdue": f.follow_ups_overdue,
    }


@router.get(
    "/returnees/figures",
    response=DailyFiguresOut,
    summary="Daily figures per community and their total, for a local date",
)
def get_figures(request: HttpRequest, date: str | None = None) -> dict[str, Any]:
    """In quarantine that day, new in the 24 h to the end of the day (to now, today), released
    that day, follow-ups done and slots overdue; ``date`` defaults to today (local)."""
    user = request.user
    require_role(user, *READERS)
    day = _query_date(date, "date") or _today_for(user)
    rows, total = daily_figures(user, day)
    return {"date": day, "communities": [_figures_out(r) for r in rows], "total": _figures_out(total)}


@router.get("/returnees/{plan_id}", response=PlanOut, summary="One home-quarantine plan")
def get_returnee(request: HttpRequest, plan_id: int) -> dict[str, Any]:
    """404 ``plan_unknown`` for a missing plan and for another community's alike. A read of one
    person's record: audited (``person.read``, via ``api``)."""
    plan = _full_plan(request.user, plan_id)
    log_read(plan, actor=request.user, via="api")
    return plan_out(plan, _lang(request))


@router.post(
    "/returnees/{plan_id}/follow-ups",
    response={200: FollowUpOut, 201: FollowUpOut},
    summary="Record a follow-up: temperature and symptoms for a slot of a day",
)
def create_follow_up(request: HttpRequest, plan_id: int, payload: FollowUpIn) -> Any:
    """201 when written, 200 when ``id`` repeats (the first record, unchanged). A second record
    for the same slot corrects the first. A fever or symptom raises a health-station alert."""
    plan = _full_plan(request.user, plan_id)
    result = record_follow_up(
        plan,
        temperature=payload.temperature,
        symptoms=list(payload.symptoms),
        method=payload.method,
        actor=request.user,
        slot=payload.slot,
        local_date=payload.local_date,
        note=payload.note,
        client_id=payload.id,
        replace=payload.replace,
    )
    if result.follow_up.plan_id != plan.pk:
        raise InvalidInput("follow_up_id_reused", field="id")
    body = follow_up_out(result.follow_up, plan, result.alerts)
    return Status(201 if result.created else 200, body)


@router.get(
    "/returnees/{plan_id}/follow-ups",
    response=list[FollowUpOut],
    summary="A plan's follow-ups, by date and slot",
)
def list_follow_ups(request: HttpRequest, plan_id: int) -> list[dict[str, Any]]:
    plan = _full_plan(request.user, plan_id)
    return [follow_up_out(f, plan) for f in follow_ups_of(plan)]


def _changed(request: HttpRequest, plan: QuarantinePlan) -> dict[str, Any]:
    plan.refresh_from_db()
    return plan_out(plan, _lang(request))


@router.post(
    "/returnees/{plan_id}/release",
    response=PlanOut,
    summary="Release early (sub-district admin or health station, with a reason)",
)
def release(request: HttpRequest, plan_id: int, payload: ReasonIn) -> dict[str, Any]:
    """The person is free from now; audited. 403 for other roles, 400 without a reason."""
    plan = _full_plan(request.user, plan_id)
    release_early(plan, reason=payload.reason, actor=request.user)
    return _changed(request, plan)


@router.post(
    "/returnees/{plan_id}/extend",
    response=PlanOut,
    summary="Extend to a later last day (sub-district admin or health station, with a reason)",
)
def extend(request: HttpRequest, plan_id: int, payload: ExtendIn) -> dict[str, Any]:
    plan = _full_plan(request.user, plan_id)
    extend_plan(plan, last_day=payload.last_day, reason=payload.reason, actor=request.user)
    return _changed(request, plan)


@router.post(
    "/returnees/{plan_id}/transfer",
    response=PlanOut,
    summary="End the plan: taken to hospital (sub-district admin or health station, with a reason)",
)
def transfer(request: HttpRequest, plan_id: int, payload: ReasonIn) -> dict[str, Any]:
    plan = _full_plan(request.user, plan_id)
    transfer_to_hospital(plan, reason=payload.reason, actor=request.user)
    return _changed(request, plan)
