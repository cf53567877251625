"""From the database to the solver's :class:`~shouwang.roster.model.Instance` (and back to rows).

Sources: the sub-district's gate staff (``Staff`` with role ``gate_staff``; their communities say
which gates they may stand at), their Teams and leads, their time away (:class:`Availability`),
the active Checkpoints of its communities with their :class:`StaffingLevel`, the active
:class:`ShiftTemplate` rows, the rules of ``Subdistrict.policy`` (:class:`RosterPolicy`) and, for
a re-solve, the Shifts to keep (locked ones, and ones already begun) as locks.

In the Instance: a staff member's id is ``str(Staff.pk)``, a checkpoint's code its
``Checkpoint.code`` (unique), a shift's code its ``ShiftTemplate.code``. Nothing here writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q

from shouwang.core.choices import Role
from shouwang.core.models import Staff
from shouwang.places.models import Checkpoint, Subdistrict
from shouwang.roster import model
from shouwang.roster.models import Availability, Shift, ShiftTemplate, StaffingLevel

POLICY_PREFIX = "roster_"


@dataclass(frozen=True)
class RosterPolicy:
    """The duty rules of a sub-district (DESIGN.md §4), read from ``Subdistrict.policy`` keys
    ``roster_<field>`` (e.g. ``{"roster_min_rest_hours": 10, "roster_min_days_off": null}``);
    JSON ``null`` switches a rule off. Defaults are the solver's :class:`~model.Rules`.

    ``min_rest_hours``: hours between two Shifts of one person. ``max_shifts_per_day``: Shifts
    starting on one local day. ``max_consecutive_days``: working days in a row.
    ``min_days_off``: days without a Shift in a Roster. ``max_hours_per_week``: hours in any 7
    days (None: no cap). ``late_after_minutes``: a sign-in later than this after the Shift's start
    is late. ``lead_required``: every staffed Shift needs a team lead unless its
    :class:`StaffingLevel` says otherwise. ``default_staff``: people a gate needs on a shift it
    is open throughout, when no :class:`StaffingLevel` row says otherwise.
    """

    min_rest_hours: float = model.Rules().min_rest_hours
    max_shifts_per_day: int | None = model.Rules().max_shifts_per_day
    max_consecutive_days: int | None = model.Rules().max_consecutive_days
    min_days_off: int | None = model.Rules().min_days_off
    max_hours_per_week: float | None = None
    late_after_minutes: int = 10
    lead_required: bool = False
    default_staff: int = 1

    @classmethod
    def for_subdistrict(cls, subdistrict: Subdistrict) -> RosterPolicy:
        """Defaults with the sub-district's ``roster_*`` overrides; other keys are ignored, and
        a value of the wrong shape keeps the default (a typo must not stop the gates)."""
        overrides: Mapping[str, Any] = subdistrict.policy or {}
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            key = POLICY_PREFIX + f.name
            if key not in overrides:
                continue
            raw = overrides[key]
            default = getattr(DEFAULT_ROSTER_POLICY, f.name)
            nullable = "None" in str(f.type)
            if raw is None:
                if nullable:
                    values[f.name] = None
                continue
            kind: type = bool if isinstance(default, bool) else float if "float" in str(f.type) else int
            try:
                value = kind(raw)
            except (TypeError, ValueError):
                continue
            if kind is not bool and value < 0:
                continue
            values[f.name] = value
        return dataclasses.replace(DEFAULT_ROSTER_POLICY, **values) if values else DEFAULT_ROSTER_POLICY

    def rules(self) -> model.Rules:
        return model.Rules(
            min_rest_hours=self.min_rest_hours,
            max_shifts_per_day=self.max_shifts_per_day,
            max_consecutive_days=self.max_consecutive_days,
            min_days_off=self.min_days_off,
        )


DEFAULT_ROSTER_POLICY = RosterPolicy()


def roster_staff(subdistrict: Subdistrict, *, also: Iterable[int] = ()) -> list[Staff]:
    """Who is rostered: the sub-district's gate staff with an active account and at least one
    community, by pk, plus the staff of ``also`` (people holding Shifts being kept). One query
    (communities prefetched)."""
    return list(
        Staff.objects.filter(
            Q(subdistrict=subdistrict, role=Role.GATE_STAFF, user__is_active=True, communities__isnull=False)
            | Q(pk__in=list(also))
        )
        .distinct()
        .select_related("team", "user")
        .prefetch_related("communities")
        .order_by("pk")
    )


def roster_checkpoints(subdistrict: Subdistrict) -> list[Checkpoint]:
    """The active gates of the sub-district's communities, by community and code."""
    return list(
        Checkpoint.objects.filter(community__subdistrict=subdistrict, active=True)
        .select_related("community")
        .order_by("community__code", "code")
    )


def active_templates(subdistrict: Subdistrict) -> list[ShiftTemplate]:
    return list(ShiftTemplate.objects.filter(subdistrict=subdistrict, active=True).order_by("start", "code"))


def open_throughout(checkpoint: Checkpoint, template: ShiftTemplate) -> bool:
    """Is the gate open for the whole shift (by its local opening hours)? A shift that runs past
    the gate's closing, or starts before it opens, is not staffed by default."""
    if checkpoint.opens_at is None or checkpoint.closes_at is None:
        return True
    start = dt.datetime.combine(dt.date(2000, 1, 3), template.start)
    step = dt.timedelta(minutes=15)
    at = start
    while at < start + dt.timedelta(minutes=template.minutes):
        if not checkpoint.is_open_at(at.time()):
            return False
        at += step
    return True


@dataclass(frozen=True)
class Need:
    """What one gate needs on one shift template: people (0: closed) and whether a lead."""

    staff: int
    lead: bool


def needs(
    checkpoints: Sequence[Checkpoint], templates: Sequence[ShiftTemplate], policy: RosterPolicy
) -> dict[tuple[int, int], Need]:
    """``(checkpoint pk, template pk) → Need``: the :class:`StaffingLevel` row, else the policy's
    default for a gate open throughout the shift. One query."""
    levels = {
        (s.checkpoint_id, s.template_id): s
        for s in StaffingLevel.objects.filter(
            checkpoint__in=[c.pk for c in checkpoints], template__in=[t.pk for t in templates]
        )
    }
    out: dict[tuple[int, int], Need] = {}
    for c in checkpoints:
        for t in templates:
            level = levels.get((c.pk, t.pk))
            if level is not None:
                out[c.pk, t.pk] = Need(level.staff_needed, level.lead_needed and level.staff_needed > 0)
            else:
                staff = policy.default_staff if open_throughout(c, t) else 0
                out[c.pk, t.pk] = Need(staff, policy.lead_required and staff > 0)
    return out


def shift_times(date: dt.date, template: ShiftTemplate, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """``(starts_at, ends_at)`` in UTC of ``template`` on local ``date`` (the end is the start
    plus its length in real time, so a DST change would be honoured)."""
    start = dt.datetime.combine(date, template.start, tzinfo=zone).astimezone(dt.UTC)
    return start, start + dt.timedelta(minutes=template.minutes)


@dataclass
class Built:
    """An Instance and the rows behind its codes, to turn the solver's Assignments into Shifts."""

    instance: model.Instance
    staff: dict[str, Staff]
    checkpoints: dict[str, Checkpoint]
    templates: dict[str, ShiftTemplate]
    policy: RosterPolicy
    kept: list[Shift] = field(default_factory=list)

    def staff_id(self, staff: Staff) -> str:
        return str(staff.pk)


def build_instance(
    subdistrict: Subdistrict,
    *,
    start: dt.date,
    days: int,
    kept: Sequence[Shift] = (),
    previous: Sequence[Shift] = (),
    now: dt.datetime,
    name: str = "",
) -> Built:
    """The Instance of ``days`` local days from ``start`` for ``subdistrict``.

    ``kept``: Shifts the solve must keep (locked, or already begun: see ``solve_roster``); each
    becomes a :class:`~model.Lock` at its gate. ``previous``: the other Shifts of the Roster
    being re-solved, which the solver keeps where it can (:attr:`model.Instance.previous`). Every slot that starts before ``now`` is frozen:
    it needs exactly the kept people in it (nobody is rostered into the past, and a past gap
    cannot make the future infeasible). Time away that ended before ``now`` is left out for the
    same reason. Shifts of the same people in *other* Rosters within ``min_rest_hours`` of the
    horizon become time away, so rest holds across the Rosters' boundary. About eight queries.
    """
    zone = ZoneInfo(subdistrict.timezone)
    horizon = model.Horizon(start=start, days=days, tz=subdistrict.timezone)
    policy = RosterPolicy.for_subdistrict(subdistrict)
    templates = active_templates(subdistrict)
    kept_templates = {s.template_id for s in kept}
    # A kept Shift of a template since made inactive still holds its place.
    if kept_templates - {t.pk for t in templates}:
        templates = sorted(
            {*templates, *ShiftTemplate.objects.filter(pk__in=kept_templates)},
            key=lambda t: (t.start, t.code),
        )
    checkpoints = roster_checkpoints(subdistrict)
    kept_gates = {s.checkpoint_id for s in kept} - {c.pk for c in checkpoints}
    if kept_gates:
        checkpoints += list(Checkpoint.objects.filter(pk__in=kept_gates).select_related("community"))
    staff = roster_staff(subdistrict, also={s.staff_id for s in kept})
    need = needs(checkpoints, templates, policy)
    first = horizon.local(0, dt.time(0))
    end = horizon.local(days, dt.time(0))

    kept_count: dict[tuple[int, dt.date, int], int] = defaultdict(int)
    for k in kept:
        kept_count[k.checkpoint_id, k.date, k.template_id] += 1
    frozen = {
        (d, t.pk)
        for d in horizon.dates
        for t in templates
        if dt.datetime.combine(d, t.start, tzinfo=zone) < now
    }
    cp_needs = []
    for c in checkpoints:
        per_shift: dict[str, int | list[int]] = {}
        leads: set[str] = set()
        for t in templates:
            n = need.get((c.pk, t.pk), Need(0, False))
            row = [
                kept_count.get((c.pk, d, t.pk), 0) if (d, t.pk) in frozen else n.staff for d in horizon.dates
            ]
            if any(row):
                per_shift[t.code] = row
            if n.lead and not any((d, t.pk) in frozen for d in horizon.dates):
                leads.add(t.code)
        cp_needs.append(
            model.CheckpointNeed(
                code=c.code, name=c.name, staff_needed=per_shift, lead_shifts=frozenset(leads)
            )
        )

    away_days: dict[int, set[dt.date]] = defaultdict(set)
    away_times: dict[int, list[model.TimeRange]] = defaultdict(list)
    today = now.astimezone(zone).date()
    rest = dt.timedelta(hours=policy.min_rest_hours)
    for a in Availability.objects.filter(staff__in=[s.pk for s in staff]).filter(
        Q(date__gte=max(start, today), date__lte=horizon.date(days - 1))
        | Q(starts_at__lt=end, ends_at__gt=max(first, now))
    ):
        if a.date is not None:
            away_days[a.staff_id].add(a.date)
        elif a.starts_at is not None and a.ends_at is not None:
            away_times[a.staff_id].append(model.TimeRange(a.starts_at, a.ends_at))
    # Neighbouring Rosters: a Shift ending less than the rest before the horizon (or starting
    # less than it after) keeps its person away for the rest around it.
    for other in Shift.objects.filter(
        staff__in=[s.pk for s in staff], starts_at__lt=end + rest, ends_at__gt=first - rest
    ).exclude(date__gte=start, date__lte=horizon.date(days - 1)):
        away_times[other.staff_id].append(model.TimeRange(other.starts_at - rest, other.ends_at + rest))

    gate_codes: dict[int, list[str]] = defaultdict(list)
    for c in checkpoints:
        gate_codes[c.community_id].append(c.code)
    members = []
    for s in staff:
        allowed = frozenset(code for community in s.communities.all() for code in gate_codes[community.pk])
        allowed |= frozenset(k.checkpoint.code for k in kept if k.staff_id == s.pk)
        if not allowed:
            continue  # an empty set would mean "any gate" to the solver
        members.append(
            model.StaffMember(
                id=str(s.pk),
                name=s.display_name,
                team=str(s.team_id) if s.team_id else "",
                is_lead=s.is_lead,
                checkpoints=allowed,
                unavailable_dates=frozenset(away_days[s.pk]),
                unavailable_times=tuple(away_times[s.pk]),
                max_hours_per_week=policy.max_hours_per_week,
            )
        )
    locks = tuple(
        model.Lock(staff=str(k.staff_id), date=k.date, shift=k.template.code, checkpoint=k.checkpoint.code)
        for k in kept
    )
    instance = model.Instance(
        horizon=horizon,
        shifts=tuple(t.as_model() for t in templates),
        checkpoints=tuple(cp_needs),
        staff=tuple(members),
        rules=policy.rules(),
        locks=locks,
        name=name or f"{subdistrict.code} {start.isoformat()}+{days}",
        previous=tuple(
            model.Assignment(str(p.staff_id), p.date, p.template.code, p.checkpoint.code) for p in previous
        ),
    )
    return Built(
        instance=instance,
        staff={str(s.pk): s for s in staff},
        checkpoints={c.code: c for c in checkpoints},
        templates={t.code: t for t in templates},
        policy=policy,
        kept=list(kept),
    )
