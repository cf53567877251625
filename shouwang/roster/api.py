"""The duty API (``router``, mounted at ``/api/v1``): rosters and their grid, the coordinator's
hand edits, "my shifts", swap requests, signing in and out of duty, duty hours, who is on duty.

Thin: every write is a service of :mod:`shouwang.roster.services` (which checks role and scope
and raises coded errors), every read a selector. Roles: the sub-district admin coordinates
(solve, lock, assign, publish, decide swaps, hours); a community worker reads the grid of their
communities' gates; gate staff see their own shifts, ask for swaps and sign in and out. Another
sub-district's roster, shift or swap is a 404 exactly like a missing one. Dates are local dates
(Asia/Shanghai); instants are ISO 8601 with offset, answered in local time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from shouwang.core.access import READ_ONLY_ROLES, community_ids_for, require_role, role_of
from shouwang.core.api_input import choice_words as _words
from shouwang.core.api_input import request_language as _lang
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.core.messages import describe
from shouwang.places.models import Community
from shouwang.places.selectors import get_checkpoint as get_gate
from shouwang.roster.choices import RosterStatus, SwapStatus
from shouwang.roster.models import Attendance, Roster, Shift, SwapRequest
from shouwang.roster.selectors import (
    DutyReport,
    RosterGrid,
    duty_hours,
    get_checkpoint,
    get_roster,
    get_shift,
    get_staff,
    get_subdistrict,
    get_swap,
    get_template,
    grid,
    list_rosters,
    list_swaps,
    my_shifts,
    on_duty_now,
    visible_rosters,
)
from shouwang.roster.services import (
    SolveOutcome,
    assign_shift,
    cancel_swap,
    decide_swap,
    lock_shift,
    publish_roster,
    remove_shift,
    request_swap,
    sign_in,
    sign_out,
    solve_roster,
    unlock_shift,
)

router = Router(tags=["roster"])

COORDINATOR = (Role.SUBDISTRICT_ADMIN,)
GRID_READERS = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, *READ_ONLY_ROLES)
ON_DUTY = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.GATE_STAFF)
API_TIME_LIMIT_MAX = 60.0
"""A solve through the API holds a web worker; longer ones go through ``shouwang duty plan``."""
MAX_REPORT_DAYS = 366
MY_SHIFTS_DEFAULT_DAYS = 14


def _date(raw: str | None, what: str) -> dt.date | None:
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("duty_date_invalid", field=what, what=what, raw=raw[:10]) from None


def _staff_of(user: Any) -> Any:
    staff = getattr(user, "staff", None)
    if staff is None:
        raise Forbidden("staff_record_required")
    return staff


# ---- shapes -------------------------------------------------------------------------------


class ReasonOut(Schema):
    code: str = Field(..., description="Stable code, e.g. roster_slot_short")
    message: str = Field(..., description="In the language of Accept-Language")


class EmptySlotOut(Schema):
    checkpoint: str
    checkpoint_name: str
    date: dt.date
    shift: str = Field(..., description="Shift template code, e.g. 06-10")
    needed: int
    missing: int
    lead: bool = Field(..., description="The slot is staffed but its team lead is missing")


class RosterSummaryOut(Schema):
    """A Roster and its solver figures: ``objective``/``best_bound`` are points (lower is
    better), ``gap_pct`` percent, ``wall_s`` seconds."""

    id: int
    subdistrict: str
    start: dt.date
    end: dt.date = Field(..., description="Last local date, inclusive")
    days: int
    status: str = Field(..., description="draft | published")
    status_label: str
    solver_status: str = Field(..., description="optimal | feasible")
    objective: float | None
    best_bound: float | None
    gap_pct: float | None
    wall_s: float
    seed: int
    time_limit_s: float
    soft_coverage: bool
    keep_current: bool = Field(..., description="The solve kept what it could of the Roster before it")
    changed: int | None = Field(..., description="Shifts of the Roster before that the last solve moved")
    empty_places: int
    solved_at: dt.datetime | None
    solved_by: str | None
    published_at: dt.datetime | None
    explanations: list[ReasonOut]
    empty_slots: list[EmptySlotOut]


class TemplateOut(Schema):
    code: str
    start: str = Field(..., description="Local HH:MM")
    minutes: int
    label: str


class PersonOut(Schema):
    shift: int = Field(..., description="The Shift's id (for lock, unlock, remove, swaps)")
    username: str
    name: str
    team: str
    lead: bool
    locked: bool
    source: str = Field(..., description="solver | hand | swap")


class CellOut(Schema):
    shift: str = Field(..., description="Shift template code")
    needed: int = Field(..., description="People needed now (0: closed)")
    lead_needed: bool
    missing: int
    lead_missing: bool
    people: list[PersonOut]


class DayOut(Schema):
    date: dt.date
    cells: list[CellOut] = Field(..., description="One per template, in the order of `templates`")


class GateOut(Schema):
    code: str
    name: str
    community: str
    days: list[DayOut]


class RosterOut(RosterSummaryOut):
    """A Roster with its grid: gates × dates × templates."""

    templates: list[TemplateOut]
    gates: list[GateOut]


class SolveFailedOut(Schema):
    """No Roster was made; nothing changed. ``reasons`` in a coordinator's words."""

    code: str = Field("roster_not_made")
    status: str = Field(..., description="infeasible | unknown")
    roster: int | None = Field(..., description="The Roster re-solved (unchanged), if any")
    message: str
    reasons: list[ReasonOut]


class RosterIn(Schema):
    subdistrict: str | None = Field(None, max_length=32, description="Code; optional when the caller has one")
    start: dt.date = Field(..., description="First local date")
    days: int = Field(..., ge=1, le=62)
    time_limit_s: float = Field(
        10.0, gt=0, le=API_TIME_LIMIT_MAX, description="Seconds (a limit, not a target)"
    )
    seed: int = Field(0, ge=0, lt=2**31)
    soft_coverage: bool = Field(False, description="Let slots stay empty (listed) rather than fail")
    keep_current: bool = Field(
        True, description="On a re-solve, keep as much of the present Roster as the rules allow"
    )


class ResolveIn(Schema):
    time_limit_s: float = Field(10.0, gt=0, le=API_TIME_LIMIT_MAX)
    seed: int = Field(0, ge=0, lt=2**31)
    soft_coverage: bool = False
    keep_current: bool = Field(
        True, description="Keep as much of the present Roster as the rules allow (false: afresh)"
    )


class AssignIn(Schema):
    staff: str = Field(..., max_length=150, description="Username of the person")
    checkpoint: str = Field(..., max_length=32, description="Gate code")
    date: dt.date = Field(..., description="Local date")
    shift: str = Field(..., max_length=16, description="Shift template code, e.g. 06-10")


class ShiftOut(Schema):
    id: int
    roster: int
    date: dt.date
    shift: str
    label: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    checkpoint: str
    checkpoint_name: str
    community: str
    username: str
    name: str
    locked: bool
    source: str


class SwapIn(Schema):
    shift: int = Field(..., description="The Shift's id")
    to_staff: str | None = Field(
        None, max_length=150, description="Username; empty: let the coordinator pick"
    )
    reason: str = Field("", max_length=200)


class DecideIn(Schema):
    to_staff: str | None = Field(None, max_length=150, description="Who takes an offer that names nobody")
    note: str = Field("", max_length=200)


class SwapOut(Schema):
    id: int
    kind: str = Field(..., description="offer | take")
    status: str = Field(..., description="pending | approved | rejected | cancelled")
    status_label: str
    shift: ShiftOut
    from_staff: str
    to_staff: str | None
    reason: str
    requested_by: str | None
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None
    decision_note: str


class SignInIn(Schema):
    checkpoint: str = Field(..., max_length=32, description="Gate code")
    at: dt.datetime | None = Field(None, description="Default now; ISO 8601 with offset (an offline phone)")


class SignOutIn(Schema):
    at: dt.datetime | None = Field(None, description="Default now; ISO 8601 with offset")


class AttendanceOut(Schema):
    id: int
    checkpoint: str
    checkpoint_name: str
    username: str
    name: str
    shift: int | None = Field(..., description="The rostered Shift it stands, if any")
    local_date: dt.date
    signed_in_at: dt.datetime
    signed_out_at: dt.datetime | None
    hours: float | None


class LateOut(Schema):
    shift: ShiftOut
    minutes: int
    signed_in_at: dt.datetime


class PersonHoursOut(Schema):
    username: str
    name: str
    team: str
    attended_h: float
    rostered_h: float
    shifts: int
    attendances: int
    late: list[LateOut]
    absent: list[ShiftOut]
    open: list[AttendanceOut]


class TeamHoursOut(Schema):
    name: str
    people: int
    attended_h: float
    rostered_h: float
    late: int
    absent: int
    open: int


class DutyHoursOut(Schema):
    subdistrict: str
    start: dt.date
    end: dt.date
    late_after_minutes: int
    people: list[PersonHoursOut]
    teams: list[TeamHoursOut]
    total: TeamHoursOut


class OnDutyOut(Schema):
    present: list[AttendanceOut]
    expected: list[ShiftOut]
    missing: list[ShiftOut]


class RangeFilters(Schema):
    start: str | None = Field(None, alias="from", max_length=10, description="First local date")
    end: str | None = Field(None, alias="to", max_length=10, description="Last local date (inclusive)")
    subdistrict: str | None = Field(None, max_length=32)


# ---- shaping ------------------------------------------------------------------------------


def _who(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def roster_summary(roster: Roster, lang: str) -> dict[str, Any]:
    zone = roster.horizon().zone
    return {
        "id": roster.pk,
        "subdistrict": roster.subdistrict.code,
        "start": roster.start,
        "end": roster.end,
        "days": roster.days,
        "status": roster.status,
        "status_label": _words(RosterStatus(roster.status).label, lang),
        "solver_status": roster.solver_status,
        "objective": roster.objective,
        "best_bound": roster.best_bound,
        "gap_pct": roster.gap_pct,
        "wall_s": roster.wall_s,
        "seed": roster.seed,
        "time_limit_s": roster.time_limit_s,
        "soft_coverage": roster.soft_coverage,
        "keep_current": roster.keep_current,
        "changed": roster.changed,
        "empty_places": sum(int(e.get("missing", 0)) for e in roster.empty_slots),
        "solved_at": roster.solved_at.astimezone(zone) if roster.solved_at else None,
        "solved_by": _who(roster.solved_by),
        "published_at": roster.published_at.astimezone(zone) if roster.published_at else None,
        "explanations": [
            {"code": e["code"], "message": e["en"] if lang == "en" else e["zh"]} for e in roster.explanations
        ],
        "empty_slots": roster.empty_slots,
    }


def roster_out(g: RosterGrid, lang: str) -> dict[str, Any]:
    body = roster_summary(g.roster, lang)
    body["templates"] = [
        {"code": t.code, "start": f"{t.start:%H:%M}", "minutes": t.minutes, "label": t.label()}
        for t in g.templates
    ]
    body["gates"] = [
        {
            "code": row.checkpoint.code,
            "name": row.checkpoint.name,
            "community": row.checkpoint.community.code,
            "days": [
                {
                    "date": date,
                    "cells": [
                        {
                            "shift": cell.template.code,
                            "needed": cell.needed,
                            "lead_needed": cell.lead_needed,
                            "missing": cell.missing,
                            "lead_missing": cell.lead_missing,
                            "people": [
                                {
                                    "shift": p.shift_id,
                                    "username": p.username,
                                    "name": p.name,
                                    "team": p.team,
                                    "lead": p.is_lead,
                                    "locked": p.locked,
                                    "source": p.source,
                                }
                                for p in cell.people
                            ],
                        }
                        for cell in row.cells[d]
                    ],
                }
                for d, date in enumerate(g.dates)
            ],
        }
        for row in g.rows
    ]
    return body


def shift_out(s: Shift) -> dict[str, Any]:
    """Needs ``checkpoint``, ``community``, ``template``, ``staff__user`` loaded."""
    zone = s.community.tz
    return {
        "id": s.pk,
        "roster": s.roster_id,
        "date": s.date,
        "shift": s.template.code,
        "label": s.template.label(),
        "starts_at": s.starts_at.astimezone(zone),
        "ends_at": s.ends_at.astimezone(zone),
        "checkpoint": s.checkpoint.code,
        "checkpoint_name": s.checkpoint.name,
        "community": s.community.code,
        "username": s.staff.user.get_username(),
        "name": s.staff.display_name,
        "locked": s.locked,
        "source": s.source,
    }


def _fresh_shift(pk: int) -> Shift:
    return Shift.objects.select_related("checkpoint", "community", "template", "staff__user").get(pk=pk)


def swap_out(swap: SwapRequest, lang: str) -> dict[str, Any]:
    """Needs the Shift (as :func:`shift_out`), ``from_staff__user``, ``to_staff__user``,
    ``requested_by`` and ``decided_by`` loaded (``selectors.get_swap`` does)."""
    shift = swap.shift
    zone = shift.community.tz
    return {
        "id": swap.pk,
        "kind": swap.kind,
        "status": swap.status,
        "status_label": _words(SwapStatus(swap.status).label, lang),
        "shift": shift_out(shift),
        "from_staff": swap.from_staff.user.get_username(),
        "to_staff": swap.to_staff.user.get_username() if swap.to_staff else None,
        "reason": swap.reason,
        "requested_by": _who(swap.requested_by),
        "requested_at": swap.requested_at.astimezone(zone),
        "decided_by": _who(swap.decided_by),
        "decided_at": swap.decided_at.astimezone(zone) if swap.decided_at else None,
        "decision_note": swap.decision_note,
    }


def attendance_out(a: Attendance) -> dict[str, Any]:
    """Needs ``checkpoint__community`` and ``staff__user`` loaded."""
    zone = a.checkpoint.community.tz
    return {
        "id": a.pk,
        "checkpoint": a.checkpoint.code,
        "checkpoint_name": a.checkpoint.name,
        "username": a.staff.user.get_username(),
        "name": a.staff.display_name,
        "shift": a.shift_id,
        "local_date": a.local_date,
        "signed_in_at": a.signed_in_at.astimezone(zone),
        "signed_out_at": a.signed_out_at.astimezone(zone) if a.signed_out_at else None,
        "hours": round(a.hours, 2) if a.hours is not None else None,
    }


def _solve_answer(outcome: SolveOutcome, request: HttpRequest, *, created_status: int) -> Any:
    lang = _lang(request)
    if not outcome.stored or outcome.roster is None:
        body = {
            "code": "roster_not_made",
            "status": outcome.status,
            "roster": outcome.roster.pk if outcome.roster else None,
            "message": describe("duty_roster_not_made", lang, status=outcome.status),
            "reasons": [{"code": r.code, "message": r.text(lang)} for r in outcome.reasons],
        }
        return Status(422, body)
    roster = get_roster(request.user, outcome.roster.pk)
    return Status(
        created_status if outcome.created else 200, roster_out(grid(roster, user=request.user), lang)
    )


# ---- rosters ------------------------------------------------------------------------------


@router.get("/rosters", response=list[RosterSummaryOut], summary="Rosters of the caller's sub-district")
def rosters(request: HttpRequest) -> list[dict[str, Any]]:
    """Latest start first; drafts only for the coordinator."""
    require_role(request.user, *GRID_READERS)
    lang = _lang(request)
    return [roster_summary(r, lang) for r in list_rosters(request.user)]


@router.post(
    "/rosters",
    response={200: RosterOut, 201: RosterOut, 422: SolveFailedOut},
    summary="Solve a roster for a sub-district (coordinator)",
)
def create_roster(request: HttpRequest, payload: RosterIn) -> Any:
    """201 with the new Roster (a draft) and its grid; 200 when a Roster with this ``start``
    existed and was re-solved around its locked Shifts; 422 when no Roster can be made, with the
    reasons in words ("东斜街北口 needs 2 people 06:00–10:00 on 3 March but only 1 is available")
    and nothing changed. 400 for an overlap with another Roster or a horizon in the past."""
    user = request.user
    require_role(user, *COORDINATOR)
    subdistrict = get_subdistrict(user, payload.subdistrict)
    outcome = solve_roster(
        subdistrict,
        start=payload.start,
        days=payload.days,
        actor=user,
        time_limit_s=payload.time_limit_s,
        seed=payload.seed,
        soft_coverage=payload.soft_coverage,
        keep_current=payload.keep_current,
    )
    return _solve_answer(outcome, request, created_status=201)


@router.get(
    "/rosters/{roster_id}", response=RosterOut, summary="A roster with its grid (gates × days × shifts)"
)
def roster_detail(request: HttpRequest, roster_id: int) -> dict[str, Any]:
    """A community worker sees the gates of their communities only. 404 ``roster_unknown`` for a
    missing Roster and another sub-district's alike."""
    require_role(request.user, *GRID_READERS)
    roster = get_roster(request.user, roster_id)
    return roster_out(grid(roster, user=request.user), _lang(request))


@router.post(
    "/rosters/{roster_id}/solve",
    response={200: RosterOut, 422: SolveFailedOut},
    summary="Re-solve a roster around its locked shifts (coordinator)",
)
def resolve_roster(request: HttpRequest, roster_id: int, payload: ResolveIn) -> Any:
    """Locked Shifts, Shifts already begun and Shifts signed in for are kept; the rest are
    replaced. The Roster becomes a draft again. 422 with reasons when no Roster can be made
    (the old one stays as it was)."""
    user = request.user
    require_role(user, *COORDINATOR)
    roster = get_roster(user, roster_id)
    outcome = solve_roster(
        roster.subdistrict,
        start=roster.start,
        days=roster.days,
        actor=user,
        time_limit_s=payload.time_limit_s,
        seed=payload.seed,
        soft_coverage=payload.soft_coverage,
        keep_current=payload.keep_current,
    )
    return _solve_answer(outcome, request, created_status=200)


def _coordinated_shift(request: HttpRequest, roster_id: int, shift_id: int) -> Shift:
    require_role(request.user, *COORDINATOR)
    return get_shift(get_roster(request.user, roster_id), shift_id)


@router.post(
    "/rosters/{roster_id}/shifts/{shift_id}/lock",
    response=ShiftOut,
    summary="Lock a shift so re-solves keep it (coordinator)",
)
def lock(request: HttpRequest, roster_id: int, shift_id: int) -> dict[str, Any]:
    shift = _coordinated_shift(request, roster_id, shift_id)
    lock_shift(shift, actor=request.user)
    return shift_out(_fresh_shift(shift.pk))


@router.post(
    "/rosters/{roster_id}/shifts/{shift_id}/unlock",
    response=ShiftOut,
    summary="Unlock a shift so the next re-solve may move it (coordinator)",
)
def unlock(request: HttpRequest, roster_id: int, shift_id: int) -> dict[str, Any]:
    shift = _coordinated_shift(request, roster_id, shift_id)
    unlock_shift(shift, actor=request.user)
    return shift_out(_fresh_shift(shift.pk))


@router.delete(
    "/rosters/{roster_id}/shifts/{shift_id}",
    response={204: None},
    summary="Remove a shift from a roster (coordinator)",
)
def remove(request: HttpRequest, roster_id: int, shift_id: int) -> Any:
    """400 ``shift_started`` once it has begun, ``shift_has_attendance`` when someone signed in."""
    shift = _coordinated_shift(request, roster_id, shift_id)
    remove_shift(shift, actor=request.user)
    return Status(204, None)


@router.post(
    "/rosters/{roster_id}/assign",
    response={201: ShiftOut},
    summary="Put a person in a cell by hand; the shift is locked (coordinator)",
)
def assign(request: HttpRequest, roster_id: int, payload: AssignIn) -> Any:
    """An unlocked person already in a full cell makes way. 400 ``shift_overlap`` when the person
    is at another gate then, ``shift_rest_short``, ``staff_away``, ``shift_cell_full``,
    ``shift_cell_closed``, ``staff_not_at_gate``; 404 for an unknown person, gate or template."""
    user = request.user
    require_role(user, *COORDINATOR)
    roster = get_roster(user, roster_id)
    sub = roster.subdistrict
    shift = assign_shift(
        roster,
        staff=get_staff(sub, payload.staff),
        checkpoint=get_checkpoint(sub, payload.checkpoint),
        date=payload.date,
        template=get_template(sub, payload.shift),
        actor=user,
    )
    return Status(201, shift_out(_fresh_shift(shift.pk)))


@router.post(
    "/rosters/{roster_id}/publish",
    response=RosterSummaryOut,
    summary="Publish a roster: the staff see their shifts (coordinator)",
)
def publish(request: HttpRequest, roster_id: int) -> dict[str, Any]:
    user = request.user
    require_role(user, *COORDINATOR)
    roster = publish_roster(get_roster(user, roster_id), actor=user)
    return roster_summary(get_roster(user, roster.pk), _lang(request))


# ---- my shifts ----------------------------------------------------------------------------


def _today(user: Any) -> dt.date:
    staff = getattr(user, "staff", None)
    zone = staff.subdistrict.timezone if staff is not None else "Asia/Shanghai"
    return timezone.now().astimezone(ZoneInfo(zone)).date()


@router.get("/my-shifts", response=list[ShiftOut], summary="The caller's own shifts (published rosters)")
def my_shifts_view(request: HttpRequest, filters: Query[RangeFilters]) -> list[dict[str, Any]]:
    """``from``/``to`` are local dates (default: today and the 13 days after)."""
    user = request.user
    start = _date(filters.start, "from") or _today(user)
    end = _date(filters.end, "to") or start + dt.timedelta(days=MY_SHIFTS_DEFAULT_DAYS - 1)
    _check_range(start, end)
    return [shift_out(s) for s in my_shifts(user, start, end)]


def _check_range(start: dt.date, end: dt.date) -> None:
    if end < start:
        raise InvalidInput("duty_range_invalid", field="to", start=start.isoformat(), end=end.isoformat())
    if (end - start).days >= MAX_REPORT_DAYS:
        raise InvalidInput("duty_range_too_long", field="to", days=MAX_REPORT_DAYS)


# ---- swaps --------------------------------------------------------------------------------


@router.get(
    "/swaps", response=list[SwapOut], summary="Swap requests: all for the coordinator, one's own for staff"
)
def swaps(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    """Pending ones first, oldest first."""
    if status and status not in SwapStatus.values:
        raise InvalidInput(
            "status_unknown", field="status", raw=status[:20], known=", ".join(SwapStatus.values)
        )
    lang = _lang(request)
    return [swap_out(s, lang) for s in list_swaps(request.user, status=status)]


@router.post(
    "/swaps",
    response={200: SwapOut, 201: SwapOut},
    summary="Offer one's shift (to someone, or to whoever the coordinator picks), or ask to take a colleague's",
)
def create_swap(request: HttpRequest, payload: SwapIn) -> Any:
    """201 when asked, 200 when the same request was already pending. A named colleague must be
    free and rested for the shift (400 ``shift_overlap``, ``shift_rest_short``…)."""
    user = request.user
    require_role(user, Role.GATE_STAFF)
    me = _staff_of(user)
    shift = (
        Shift.objects.filter(pk=payload.shift, roster__in=visible_rosters(user))
        .select_related("roster__subdistrict", "checkpoint", "community", "staff__user", "template")
        .first()
    )
    if shift is None:
        raise NotFound("shift_unknown", field="shift", id=payload.shift)
    to_staff = get_staff(me.subdistrict, payload.to_staff) if payload.to_staff else None
    before = SwapRequest.objects.filter(
        shift=shift, requested_by_id=getattr(user, "pk", None), status=SwapStatus.PENDING
    ).exists()
    swap = request_swap(shift, actor=user, to_staff=to_staff, reason=payload.reason)
    return Status(200 if before else 201, swap_out(get_swap(user, swap.pk), _lang(request)))


def _decide(request: HttpRequest, swap_id: int, payload: DecideIn, *, approve: bool) -> dict[str, Any]:
    user = request.user
    require_role(user, *COORDINATOR)
    swap = get_swap(user, swap_id)
    to_staff = get_staff(swap.shift.roster.subdistrict, payload.to_staff) if payload.to_staff else None
    row = decide_swap(swap, approve=approve, actor=user, to_staff=to_staff, note=payload.note)
    return swap_out(get_swap(user, row.pk), _lang(request))


@router.post(
    "/swaps/{swap_id}/approve",
    response=SwapOut,
    summary="Approve a swap: the shift moves to the new person (coordinator)",
)
def approve(request: HttpRequest, swap_id: int, payload: DecideIn) -> dict[str, Any]:
    """Re-checks that the new person is free and rested; 400 with words when not (the swap
    stays pending). ``to_staff`` names the person for an offer that names nobody."""
    return _decide(request, swap_id, payload, approve=True)


@router.post("/swaps/{swap_id}/reject", response=SwapOut, summary="Reject a swap (coordinator)")
def reject(request: HttpRequest, swap_id: int, payload: DecideIn) -> dict[str, Any]:
    return _decide(request, swap_id, payload, approve=False)


@router.post("/swaps/{swap_id}/cancel", response=SwapOut, summary="Withdraw one's own pending swap request")
def cancel(request: HttpRequest, swap_id: int) -> dict[str, Any]:
    swap = get_swap(request.user, swap_id)
    row = cancel_swap(swap, actor=request.user)
    return swap_out(get_swap(request.user, row.pk), _lang(request))


# ---- attendance ---------------------------------------------------------------------------


def _fresh_attendance(pk: int) -> Attendance:
    return Attendance.objects.select_related("checkpoint__community", "staff__user").get(pk=pk)


@router.post(
    "/attendance/sign-in",
    response={200: AttendanceOut, 201: AttendanceOut},
    summary="Sign in for duty at a gate",
)
def attendance_sign_in(request: HttpRequest, payload: SignInIn) -> Any:
    """201 when signed in; 200 when already signed in at this gate (the same record). 400
    ``attendance_open_elsewhere`` when signed in at another gate: sign out there first."""
    user = request.user
    staff = _staff_of(user)
    gate = get_gate(payload.checkpoint, user=user)
    before = Attendance.objects.filter(staff=staff, signed_out_at__isnull=True, checkpoint=gate).exists()
    attendance = sign_in(staff, checkpoint=gate, at=payload.at)
    return Status(200 if before else 201, attendance_out(_fresh_attendance(attendance.pk)))


@router.post("/attendance/sign-out", response=AttendanceOut, summary="Sign out of duty")
def attendance_sign_out(request: HttpRequest, payload: SignOutIn) -> dict[str, Any]:
    """400 ``attendance_not_signed_in`` when there is nothing to sign out of."""
    attendance = sign_out(_staff_of(request.user), at=payload.at)
    return attendance_out(_fresh_attendance(attendance.pk))


@router.get("/on-duty", response=OnDutyOut, summary="Who is signed in at the gates now, and who is missing")
def on_duty(request: HttpRequest, community: str | None = None) -> dict[str, Any]:
    """The caller's sub-district (the coordinator) or one of their communities (``community``
    code; default: their only one, or all of them in turn for the coordinator)."""
    user = request.user
    require_role(user, *ON_DUTY)
    place: Community | Any
    if community:
        place = Community.objects.filter(
            code__iexact=community.strip(), pk__in=community_ids_for(user)
        ).first()
        if place is None:
            raise InvalidInput("community_unknown", field="community", name=community[:32])
    elif role_of(user) == Role.SUBDISTRICT_ADMIN:
        place = get_subdistrict(user)
    else:
        mine = list(
            Community.objects.filter(pk__in=community_ids_for(user)).select_related("subdistrict")[:2]
        )
        if len(mine) != 1:
            raise InvalidInput("community_required", field="community", choices="-")
        place = mine[0]
    now = on_duty_now(place)
    return {
        "present": [attendance_out(a) for a in now.present],
        "expected": [shift_out(s) for s in now.expected],
        "missing": [shift_out(s) for s in now.missing],
    }


# ---- duty hours ---------------------------------------------------------------------------


def duty_hours_out(report: DutyReport) -> dict[str, Any]:
    def team(t: Any) -> dict[str, Any]:
        return {
            "name": t.name,
            "people": t.people,
            "attended_h": round(t.attended_h, 2),
            "rostered_h": round(t.rostered_h, 2),
            "late": t.late,
            "absent": t.absent,
            "open": t.open,
        }

    tz = ZoneInfo(report.subdistrict.timezone)
    return {
        "subdistrict": report.subdistrict.code,
        "start": report.start,
        "end": report.end,
        "late_after_minutes": report.late_after_minutes,
        "people": [
            {
                "username": p.staff.user.get_username(),
                "name": p.staff.display_name,
                "team": p.team,
                "attended_h": round(p.attended_h, 2),
                "rostered_h": round(p.rostered_h, 2),
                "shifts": p.shifts,
                "attendances": p.attendances,
                "late": [
                    {
                        "shift": shift_out(late.shift),
                        "minutes": late.minutes,
                        "signed_in_at": late.attendance.signed_in_at.astimezone(tz),
                    }
                    for late in p.late
                ],
                "absent": [shift_out(s) for s in p.absent],
                "open": [attendance_out(a) for a in p.open],
            }
            for p in report.people
        ],
        "teams": [team(t) for t in report.teams],
        "total": team(report.total),
    }


@router.get(
    "/duty-hours",
    response=DutyHoursOut,
    summary="Duty hours per person and team from sign-ins, with rostered hours, late and absent (coordinator)",
)
def duty_hours_view(request: HttpRequest, filters: Query[RangeFilters]) -> dict[str, Any]:
    """``from``/``to`` are local dates (default: the last 7 days to today)."""
    user = request.user
    require_role(user, *COORDINATOR)
    subdistrict = get_subdistrict(user, filters.subdistrict)
    end = _date(filters.end, "to") or _today(user)
    start = _date(filters.start, "from") or end - dt.timedelta(days=6)
    _check_range(start, end)
    return duty_hours_out(duty_hours(subdistrict, start, end))
