"""Reads of the roster in the product: rosters and their grid, "my shifts", swaps, duty hours
(from attendance, beside the rostered hours, with late and absent) and who is on duty now.

Scoping: a Roster belongs to a sub-district; a sub-district admin sees its drafts and published
Rosters, other staff of the sub-district only published ones, and a community worker's grid only
shows the gates of their communities. Another sub-district's id is the same :class:`NotFound`
as a missing one. Dates are local dates of the sub-district's zone; instants are aware.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from shouwang.core.access import community_ids_for, role_of
from shouwang.core.choices import Role
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.core.models import Staff
from shouwang.places.models import Checkpoint, Community, Subdistrict
from shouwang.roster.build import RosterPolicy, needs, roster_checkpoints
from shouwang.roster.choices import RosterStatus, SwapStatus
from shouwang.roster.models import Attendance, Availability, Roster, Shift, ShiftTemplate, SwapRequest

FEED_PAST_DAYS = 31
"""The calendar feed keeps a month of past Shifts (a phone shows what was stood)."""

# ---- scope ---------------------------------------------------------------------------------


def subdistrict_ids_for(user: Any) -> frozenset[int]:
    """Ids of the sub-districts ``user`` belongs to (all of them for a bare superuser)."""
    staff = getattr(user, "staff", None)
    if staff is not None:
        return frozenset({staff.subdistrict_id})
    if getattr(user, "is_superuser", False):
        return frozenset(Subdistrict.objects.values_list("id", flat=True))
    return frozenset()


def get_subdistrict(user: Any, code: str | None = None) -> Subdistrict:
    """The sub-district ``code`` (or the user's only one when None). Raises :class:`NotFound`
    ``subdistrict_unknown`` for a missing code or one that is not the user's alike, and
    ``subdistrict_required`` when the user has several and named none."""
    ids = subdistrict_ids_for(user)
    if code:
        found = Subdistrict.objects.filter(code__iexact=code.strip(), pk__in=ids).first()
        if found is None:
            raise NotFound("subdistrict_unknown", field="subdistrict", code=code.strip()[:32])
        return found
    mine = list(Subdistrict.objects.filter(pk__in=ids).order_by("code")[:2])
    if len(mine) != 1:
        raise InvalidInput("subdistrict_required", field="subdistrict")
    return mine[0]


def _is_coordinator(user: Any) -> bool:
    return role_of(user) == Role.SUBDISTRICT_ADMIN


def visible_rosters(user: Any) -> QuerySet[Roster]:
    """Rosters of the user's sub-district: all for its admin, published ones for other staff."""
    rosters = Roster.objects.filter(subdistrict_id__in=subdistrict_ids_for(user))
    if not _is_coordinator(user):
        rosters = rosters.filter(status=RosterStatus.PUBLISHED)
    return rosters


def get_roster(user: Any, roster_id: int) -> Roster:
    """A Roster the user may see; :class:`NotFound` ``roster_unknown`` otherwise."""
    roster = (
        visible_rosters(user)
        .select_related("subdistrict", "solved_by", "published_by")
        .filter(pk=roster_id)
        .first()
    )
    if roster is None:
        raise NotFound("roster_unknown", field="roster", id=roster_id)
    return roster


def list_rosters(user: Any, *, limit: int = 50) -> list[Roster]:
    """The user's Rosters, latest start first."""
    return list(visible_rosters(user).select_related("subdistrict").order_by("-start")[:limit])


def get_shift(roster: Roster, shift_id: int) -> Shift:
    """A Shift of ``roster`` (``shift_unknown`` otherwise, also for another Roster's)."""
    shift = (
        Shift.objects.filter(roster=roster, pk=shift_id)
        .select_related(
            "roster__subdistrict", "checkpoint__community", "staff__user", "template", "community"
        )
        .first()
    )
    if shift is None:
        raise NotFound("shift_unknown", field="shift", id=shift_id)
    return shift


def get_staff(subdistrict: Subdistrict, username: str) -> Staff:
    """A staff member of ``subdistrict`` by username; ``staff_unknown`` otherwise."""
    staff = (
        Staff.objects.filter(subdistrict=subdistrict, user__username=username.strip())
        .select_related("user", "team", "subdistrict")
        .first()
    )
    if staff is None:
        raise NotFound("staff_unknown", field="staff", name=username.strip()[:150])
    return staff


def get_checkpoint(subdistrict: Subdistrict, code: str) -> Checkpoint:
    """A gate of the sub-district by code; ``checkpoint_unknown`` otherwise."""
    gate = (
        Checkpoint.objects.filter(community__subdistrict=subdistrict, code=code.strip().lower())
        .select_related("community__subdistrict")
        .first()
    )
    if gate is None:
        raise NotFound("checkpoint_unknown", field="checkpoint", code=code.strip()[:32])
    return gate


def get_template(subdistrict: Subdistrict, code: str) -> ShiftTemplate:
    """A shift template of the sub-district by code; ``template_unknown`` otherwise."""
    template = ShiftTemplate.objects.filter(subdistrict=subdistrict, code=code.strip()).first()
    if template is None:
        raise NotFound("template_unknown", field="shift", code=code.strip()[:16])
    return template


# ---- the grid ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridPerson:
    """One person in a cell: their Shift id, who they are, and whether the Shift is locked."""

    shift_id: int
    staff_id: int
    username: str
    name: str
    team: str
    is_lead: bool
    locked: bool
    source: str


@dataclass
class GridCell:
    """One gate on one shift of one local date: people needed now (current staffing level),
    whether a lead is needed, and who stands it."""

    date: dt.date
    template: ShiftTemplate
    needed: int
    lead_needed: bool
    people: list[GridPerson] = field(default_factory=list)

    @property
    def missing(self) -> int:
        """Empty places (0 for a full or closed cell)."""
        return max(0, self.needed - len(self.people))

    @property
    def lead_missing(self) -> bool:
        return self.lead_needed and bool(self.people) and not any(p.is_lead for p in self.people)

    @property
    def closed(self) -> bool:
        return self.needed == 0 and not self.people


@dataclass
class GridRow:
    """One gate: ``cells[day index][template index]``."""

    checkpoint: Checkpoint
    cells: list[list[GridCell]]


@dataclass
class RosterGrid:
    """A Roster as checkpoints × days × templates (rows by community and code, templates by
    start time). ``empty`` lists the cells with a place or a lead missing, by date and time."""

    roster: Roster
    dates: list[dt.date]
    templates: list[ShiftTemplate]
    rows: list[GridRow]

    @property
    def empty(self) -> list[tuple[Checkpoint, GridCell]]:
        out = [
            (row.checkpoint, cell)
            for row in self.rows
            for day in row.cells
            for cell in day
            if cell.missing or cell.lead_missing
        ]
        order = {t.pk: i for i, t in enumerate(self.templates)}
        return sorted(out, key=lambda pc: (pc[1].date, order[pc[1].template.pk]))

    def cell(self, checkpoint_code: str, date: dt.date, template_code: str) -> GridCell:
        """The cell of a gate (code), local date and template (code); KeyError if not shown."""
        for row in self.rows:
            if row.checkpoint.code == checkpoint_code:
                d = (date - self.roster.start).days
                for k, t in enumerate(self.templates):
                    if t.code == template_code and 0 <= d < len(self.dates):
                        return row.cells[d][k]
        raise KeyError((checkpoint_code, date, template_code))

    @property
    def shift_count(self) -> int:
        return sum(len(c.people) for row in self.rows for day in row.cells for c in day)


def grid(roster: Roster, *, user: Any = None) -> RosterGrid:
    """The grid of ``roster``: every active gate of the sub-district (and any gate with a Shift
    in it) × its dates × the active templates (and any template with a Shift). ``needed`` comes
    from the current staffing levels, so a level changed since the solve shows as gaps. With
    ``user`` other than the coordinator, only the gates of their communities. Five queries
    whatever the size."""
    subdistrict = roster.subdistrict
    shifts = list(
        Shift.objects.filter(roster=roster)
        .select_related("staff__team", "staff__user")
        .order_by("date", "checkpoint_id", "-staff__is_lead", "staff__display_name", "pk")
    )
    used_templates = {s.template_id for s in shifts}
    templates = sorted(
        {
            *ShiftTemplate.objects.filter(
                Q(subdistrict=subdistrict) & (Q(active=True) | Q(pk__in=used_templates))
            )
        },
        key=lambda t: (t.start, t.code),
    )
    used_gates = {s.checkpoint_id for s in shifts}
    checkpoints = roster_checkpoints(subdistrict)
    if used_gates - {c.pk for c in checkpoints}:
        extra = Checkpoint.objects.filter(pk__in=used_gates - {c.pk for c in checkpoints}).select_related(
            "community"
        )
        checkpoints = sorted([*checkpoints, *extra], key=lambda c: (c.community.code, c.code))
    if user is not None and not _is_coordinator(user):
        ids = community_ids_for(user)
        checkpoints = [c for c in checkpoints if c.community_id in ids]
    need = needs(checkpoints, templates, RosterPolicy.for_subdistrict(subdistrict))
    dates = roster.dates
    day_index = {d: i for i, d in enumerate(dates)}
    t_index = {t.pk: k for k, t in enumerate(templates)}
    rows: list[GridRow] = []
    by_gate: dict[int, GridRow] = {}
    for c in checkpoints:
        cells = [
            [GridCell(d, t, need[c.pk, t.pk].staff, need[c.pk, t.pk].lead) for t in templates] for d in dates
        ]
        row = GridRow(c, cells)
        rows.append(row)
        by_gate[c.pk] = row
    for s in shifts:
        gate_row = by_gate.get(s.checkpoint_id)
        d = day_index.get(s.date)
        if gate_row is None or d is None:
            continue
        staff = s.staff
        gate_row.cells[d][t_index[s.template_id]].people.append(
            GridPerson(
                shift_id=s.pk,
                staff_id=staff.pk,
                username=staff.user.get_username(),
                name=staff.display_name,
                team=staff.team.name if staff.team else "",
                is_lead=staff.is_lead,
                locked=s.locked,
                source=s.source,
            )
        )
    return RosterGrid(roster, dates, templates, rows)


# ---- my shifts -----------------------------------------------------------------------------


def _published_shifts() -> QuerySet[Shift]:
    return Shift.objects.filter(roster__status=RosterStatus.PUBLISHED).select_related(
        "checkpoint", "community", "template", "roster__subdistrict", "staff__user"
    )


def my_shifts(user: Any, start: dt.date, end: dt.date) -> list[Shift]:
    """The user's own Shifts of published Rosters on local dates ``start``..``end`` (inclusive),
    in time order; none for a user without a staff record."""
    staff = getattr(user, "staff", None)
    if staff is None:
        return []
    return list(_published_shifts().filter(staff=staff, date__gte=start, date__lte=end).order_by("starts_at"))


def feed_shifts(staff: Staff, *, now: dt.datetime | None = None) -> list[Shift]:
    """The Shifts a calendar feed shows: published, from a month ago on, in time order."""
    since = (now or timezone.now()) - dt.timedelta(days=FEED_PAST_DAYS)
    return list(_published_shifts().filter(staff=staff, ends_at__gte=since).order_by("starts_at"))


def clashes(away: Availability) -> list[Shift]:
    """Shifts of the person that fall in a recorded time away (for the coordinator to move)."""
    shifts = Shift.objects.filter(staff_id=away.staff_id)
    if away.date is not None:
        shifts = shifts.filter(date=away.date)
    else:
        shifts = shifts.filter(starts_at__lt=away.ends_at, ends_at__gt=away.starts_at)
    return list(shifts.select_related("checkpoint", "template").order_by("starts_at"))


# ---- swaps ---------------------------------------------------------------------------------


def _visible_swaps(user: Any) -> QuerySet[SwapRequest]:
    swaps = SwapRequest.objects.filter(shift__roster__subdistrict_id__in=subdistrict_ids_for(user))
    if not _is_coordinator(user):
        staff = getattr(user, "staff", None)
        mine = Q(requested_by=user)
        if staff is not None:
            mine |= Q(from_staff=staff) | Q(to_staff=staff)
        swaps = swaps.filter(mine)
    return swaps.select_related(
        "shift__checkpoint",
        "shift__template",
        "shift__roster__subdistrict",
        "from_staff__user",
        "to_staff__user",
    )


def get_swap(user: Any, swap_id: int) -> SwapRequest:
    """A swap the user may see (the coordinator: all of the sub-district; staff: the ones they
    asked or are named in); ``swap_unknown`` otherwise."""
    swap = _visible_swaps(user).filter(pk=swap_id).first()
    if swap is None:
        raise NotFound("swap_unknown", field="swap", id=swap_id)
    return swap


def list_swaps(user: Any, *, status: str | None = None, limit: int = 200) -> list[SwapRequest]:
    """Swaps the user may see: pending ones first (oldest first, the order to decide them),
    then the rest, newest first."""
    swaps = _visible_swaps(user)
    if status:
        swaps = swaps.filter(status=status)
    pending = list(swaps.filter(status=SwapStatus.PENDING).order_by("requested_at", "pk")[:limit])
    rest = list(
        swaps.exclude(status=SwapStatus.PENDING).order_by("-requested_at", "-pk")[: limit - len(pending)]
    )
    return pending + rest


# ---- duty hours ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Late:
    """A rostered Shift signed in for ``minutes`` after its start (beyond the grace)."""

    shift: Shift
    attendance: Attendance
    minutes: int


@dataclass
class PersonHours:
    """One person's duty over the report's dates: hours signed in (closed attendances by the
    local date of sign-in), hours rostered (published Shifts), the late and absent Shifts,
    and attendances still open."""

    staff: Staff
    team: str
    attended_h: float = 0.0
    rostered_h: float = 0.0
    shifts: int = 0
    attendances: int = 0
    late: list[Late] = field(default_factory=list)
    absent: list[Shift] = field(default_factory=list)
    open: list[Attendance] = field(default_factory=list)


@dataclass
class TeamHours:
    """A Team's sums (``name`` is the team's, or ``""`` for people without a team)."""

    name: str
    people: int = 0
    attended_h: float = 0.0
    rostered_h: float = 0.0
    late: int = 0
    absent: int = 0
    open: int = 0

    def add(self, p: PersonHours) -> None:
        self.people += 1
        self.attended_h += p.attended_h
        self.rostered_h += p.rostered_h
        self.late += len(p.late)
        self.absent += len(p.absent)
        self.open += len(p.open)


@dataclass
class DutyReport:
    """Duty hours of a sub-district on local dates ``start``..``end`` (inclusive) as of ``now``."""

    subdistrict: Subdistrict
    start: dt.date
    end: dt.date
    now: dt.datetime
    late_after_minutes: int
    people: list[PersonHours]
    teams: list[TeamHours]
    total: TeamHours


def duty_hours(
    subdistrict: Subdistrict, start: dt.date, end: dt.date, *, now: dt.datetime | None = None
) -> DutyReport:
    """Hours per person and per team from Attendance, with the rostered hours beside.

    *Attended*: closed attendances at the sub-district's gates whose sign-in falls on a local
    date ``start``..``end``. *Rostered*: Shifts of published Rosters on those dates. *Late*: a
    rostered Shift whose first sign-in (by the person, at that gate, or linked to it) came more
    than ``roster_late_after_minutes`` (policy, default 10) after its start. *Absent*: a rostered
    Shift that ended before ``now`` with no attendance of the person at that gate overlapping it.
    *Open*: attendances not signed out (not counted in hours until closed). Every gate staff
    member of the sub-district has a row, with zeros when idle. Four queries.
    """
    now = now or timezone.now()
    policy = RosterPolicy.for_subdistrict(subdistrict)
    zone = ZoneInfo(subdistrict.timezone)
    grace = dt.timedelta(minutes=policy.late_after_minutes)
    shifts = list(
        _published_shifts()
        .filter(roster__subdistrict=subdistrict, date__gte=start, date__lte=end)
        .order_by("starts_at")
    )
    first = dt.datetime.combine(start, dt.time(0), tzinfo=zone) - dt.timedelta(days=1)
    last = dt.datetime.combine(end + dt.timedelta(days=2), dt.time(0), tzinfo=zone)
    attendances = list(
        Attendance.objects.filter(
            community__subdistrict=subdistrict, signed_in_at__gte=first, signed_in_at__lt=last
        )
        .select_related("checkpoint__community", "staff__user")
        .order_by("signed_in_at")
    )
    staff_ids = {s.staff_id for s in shifts} | {a.staff_id for a in attendances}
    people_rows = Staff.objects.filter(
        Q(subdistrict=subdistrict, role=Role.GATE_STAFF) | Q(pk__in=staff_ids)
    ).select_related("team", "user")
    people = {
        s.pk: PersonHours(staff=s, team=s.team.name if s.team else "")
        for s in sorted(people_rows, key=lambda s: (s.team.name if s.team else "~", s.display_name, s.pk))
    }
    by_staff: dict[int, list[Attendance]] = defaultdict(list)
    for a in attendances:
        by_staff[a.staff_id].append(a)
        if not start <= a.local_date <= end:
            continue
        row = people[a.staff_id]
        if a.signed_out_at is None:
            row.open.append(a)
        else:
            row.attended_h += a.hours or 0.0
            row.attendances += 1
    for s in shifts:
        row = people[s.staff_id]
        row.shifts += 1
        row.rostered_h += s.hours
        if s.starts_at > now:
            continue
        stood = [
            a
            for a in by_staff[s.staff_id]
            if a.shift_id == s.pk
            or (
                a.checkpoint_id == s.checkpoint_id
                and a.signed_in_at < s.ends_at
                and (a.signed_out_at is None or a.signed_out_at > s.starts_at)
            )
        ]
        if not stood:
            if s.ends_at <= now:
                row.absent.append(s)
            continue
        arrived = min(stood, key=lambda a: a.signed_in_at)
        if arrived.signed_in_at > s.starts_at + grace:
            minutes = int((arrived.signed_in_at - s.starts_at).total_seconds() // 60)
            row.late.append(Late(s, arrived, minutes))
    teams: dict[str, TeamHours] = {}
    total = TeamHours("合计 total")
    for p in people.values():
        teams.setdefault(p.team, TeamHours(p.team)).add(p)
        total.add(p)
    return DutyReport(
        subdistrict=subdistrict,
        start=start,
        end=end,
        now=now,
        late_after_minutes=policy.late_after_minutes,
        people=list(people.values()),
        teams=sorted(teams.values(), key=lambda t: (t.name == "", t.name)),
        total=total,
    )


# ---- on duty now ---------------------------------------------------------------------------


@dataclass
class OnDutyNow:
    """Who is at the gates at ``now``: ``present`` (open attendances), ``expected`` (Shifts of
    published Rosters running now) and ``missing`` (expected, past the late grace, with nobody of
    them signed in at that gate)."""

    now: dt.datetime
    present: list[Attendance]
    expected: list[Shift]
    missing: list[Shift]


def on_duty_now(place: Community | Subdistrict, *, now: dt.datetime | None = None) -> OnDutyNow:
    """:class:`OnDutyNow` for the gates of a community or of a whole sub-district. Two queries."""
    now = now or timezone.now()
    if isinstance(place, Community):
        gates = Q(community=place)
        policy = RosterPolicy.for_subdistrict(place.subdistrict)
    else:
        gates = Q(community__subdistrict=place)
        policy = RosterPolicy.for_subdistrict(place)
    present = list(
        Attendance.objects.filter(gates, signed_out_at__isnull=True)
        .select_related("checkpoint__community", "staff__user", "staff__team", "shift")
        .order_by("checkpoint__code", "signed_in_at")
    )
    expected = list(
        _published_shifts()
        .filter(gates, starts_at__lte=now, ends_at__gt=now)
        .order_by("checkpoint__code", "pk")
    )
    here = {(a.staff_id, a.checkpoint_id) for a in present}
    grace = dt.timedelta(minutes=policy.late_after_minutes)
    missing = [s for s in expected if (s.staff_id, s.checkpoint_id) not in here and now > s.starts_at + grace]
    return OnDutyNow(now, present, expected, missing)
