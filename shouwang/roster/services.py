"""Writes of the roster in the product: templates and staffing levels, solving and storing a
Roster, the coordinator's hand edits (lock, assign, remove, publish), time away, swaps, and
signing in and out of duty. Pages, API and CLI all call these; each write is atomic and audited.

Roles (DESIGN.md §2): the sub-district admin is the coordinator (solve, lock, assign, publish,
approve swaps); gate staff ask for swaps and sign in and out; each acts only inside their own
sub-district and communities. Times: ``at``/``now``/``*_at`` are aware instants (UTC in the
database); ``date``/``start`` are local dates of the sub-district's zone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from shouwang.core.access import require_community, require_role
from shouwang.core.audit import log_action
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.core.models import Staff
from shouwang.places.models import Checkpoint, Subdistrict
from shouwang.roster import model
from shouwang.roster.build import RosterPolicy, build_instance, needs, shift_times
from shouwang.roster.choices import RosterStatus, ShiftSource, SwapKind, SwapStatus
from shouwang.roster.models import (
    Attendance,
    Availability,
    Roster,
    Shift,
    ShiftTemplate,
    StaffingLevel,
    SwapRequest,
)
from shouwang.roster.selectors import subdistrict_ids_for
from shouwang.roster.solver import Progress, solve

# The field's four 4-hour stints of the day (DESIGN.md §1: "each stint at a gate is 4 hours").
DEFAULT_TEMPLATES: tuple[tuple[str, dt.time], ...] = (
    ("06-10", dt.time(6)),
    ("10-14", dt.time(10)),
    ("14-18", dt.time(14)),
    ("18-22", dt.time(18)),
)
MAX_ROSTER_DAYS = 62
"""Two months: a roster longer than that is a typing slip (and a slow solve)."""
MAX_TIME_LIMIT_S = 600.0
MAX_STAFF_NEEDED = 20
MAX_AWAY = dt.timedelta(days=62)
# A sign-in this long before a Shift's start still belongs to it (people come early).
SIGN_IN_EARLY = dt.timedelta(minutes=60)
# A phone's clock a few minutes fast must not refuse a real sign-in.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
# How far back a sign-in or sign-out may be entered (a phone that was offline; a forgotten tap).
BACKDATE_LIMIT = dt.timedelta(hours=24)
COORDINATOR = Role.SUBDISTRICT_ADMIN


# ---- helpers ------------------------------------------------------------------------------


def require_coordinator(actor: Any, subdistrict: Subdistrict) -> None:
    """Raise :class:`Forbidden` unless ``actor`` is a sub-district admin of ``subdistrict``
    (``role_forbidden``, ``not_your_subdistrict``)."""
    require_role(actor, COORDINATOR)
    if subdistrict.pk not in subdistrict_ids_for(actor):
        raise Forbidden("not_your_subdistrict", subdistrict=subdistrict.name)


def _zone(subdistrict: Subdistrict) -> ZoneInfo:
    return ZoneInfo(subdistrict.timezone)


def _hm(at: dt.datetime, zone: ZoneInfo) -> str:
    """``2020-03-03 06:00`` in local time, for words."""
    return f"{at.astimezone(zone):%Y-%m-%d %H:%M}"


def _span(shift: Shift, zone: ZoneInfo) -> str:
    """``2020-03-03 06:00–10:00`` in local time, for words."""
    return f"{shift.starts_at.astimezone(zone):%Y-%m-%d %H:%M}–{shift.ends_at.astimezone(zone):%H:%M}"


def _clean(text: str, limit: int = 200) -> str:
    return " ".join((text or "").split())[:limit]


def _check_instant(at: dt.datetime, now: dt.datetime, *, field: str) -> dt.datetime:
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput("attendance_at_naive", field=field)
    if at > now + FUTURE_TOLERANCE:
        raise InvalidInput("attendance_at_future", field=field)
    if at < now - BACKDATE_LIMIT:
        raise InvalidInput(
            "attendance_at_too_old", field=field, hours=int(BACKDATE_LIMIT.total_seconds() // 3600)
        )
    return at


def may_stand_at(staff: Staff, checkpoint: Checkpoint) -> bool:
    """A person may stand at the gates of their own communities."""
    return staff.communities.filter(pk=checkpoint.community_id).exists()


def check_free(
    staff: Staff,
    *,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    date: dt.date,
    zone: ZoneInfo,
    policy: RosterPolicy,
    ignore: Sequence[int] = (),
) -> None:
    """Raise :class:`InvalidInput` unless ``staff`` can take a stint ``[starts_at, ends_at)`` on
    local ``date``: not at another gate then (``shift_overlap``), rested ``min_rest_hours``
    either side (``shift_rest_short``), not away (``staff_away``), within ``max_shifts_per_day``
    (``shift_per_day_max``). Looks at every Roster; ``ignore`` lists Shift ids to leave out
    (the Shift being moved)."""
    rest = dt.timedelta(hours=policy.min_rest_hours)
    near = (
        Shift.objects.filter(staff=staff, starts_at__lt=ends_at + rest, ends_at__gt=starts_at - rest)
        .exclude(pk__in=list(ignore))
        .select_related("checkpoint")
        .order_by("starts_at")
    )
    for other in near:
        if other.starts_at < ends_at and starts_at < other.ends_at:
            raise InvalidInput(
                "shift_overlap",
                field="staff",
                staff=staff.display_name,
                checkpoint=other.checkpoint.name,
                when=_span(other, zone),
            )
        gap = starts_at - other.ends_at if other.ends_at <= starts_at else other.starts_at - ends_at
        raise InvalidInput(
            "shift_rest_short",
            field="staff",
            staff=staff.display_name,
            checkpoint=other.checkpoint.name,
            when=_span(other, zone),
            gap_h=f"{gap.total_seconds() / 3600:g}",
            rest_h=f"{policy.min_rest_hours:g}",
        )
    if policy.max_shifts_per_day is not None:
        same_day = Shift.objects.filter(staff=staff, date=date).exclude(pk__in=list(ignore)).count()
        if same_day >= policy.max_shifts_per_day:
            raise InvalidInput(
                "shift_per_day_max",
                field="staff",
                staff=staff.display_name,
                date=date.isoformat(),
                count=policy.max_shifts_per_day,
            )
    away = (
        Availability.objects.filter(staff=staff)
        .filter(Q(date=date) | Q(starts_at__lt=ends_at, ends_at__gt=starts_at))
        .first()
    )
    if away is not None:
        if away.starts_at is not None and away.ends_at is not None:
            when = f"{_hm(away.starts_at, zone)}–{_hm(away.ends_at, zone)}"
        else:
            when = away.date.isoformat() if away.date else "-"
        raise InvalidInput(
            "staff_away", field="staff", staff=staff.display_name, when=when, reason=away.reason or "-"
        )


# ---- templates and staffing levels ---------------------------------------------------------


def ensure_default_templates(subdistrict: Subdistrict, *, actor: Any) -> list[ShiftTemplate]:
    """The sub-district's active shift templates, first creating the field's four 4-hour ones
    (06–10, 10–14, 14–18, 18–22 local) when it has none at all. Safe to repeat; audited when it
    creates them."""
    require_coordinator(actor, subdistrict)
    with transaction.atomic():
        Subdistrict.objects.select_for_update().filter(pk=subdistrict.pk).first()
        if not ShiftTemplate.objects.filter(subdistrict=subdistrict).exists():
            ShiftTemplate.objects.bulk_create(
                ShiftTemplate(subdistrict=subdistrict, code=code, start=start, minutes=240)
                for code, start in DEFAULT_TEMPLATES
            )
            log_action(
                "roster.templates_default",
                actor=actor,
                obj=subdistrict,
                codes=[code for code, _ in DEFAULT_TEMPLATES],
            )
    return list(ShiftTemplate.objects.filter(subdistrict=subdistrict, active=True).order_by("start", "code"))


def set_staffing_level(
    checkpoint: Checkpoint,
    *,
    template: ShiftTemplate,
    staff_needed: int,
    lead_needed: bool = False,
    actor: Any,
) -> StaffingLevel:
    """How many people ``checkpoint`` needs on ``template`` every day (0 closes it then), and
    whether one must be a team lead. Raises ``template_unknown`` (another sub-district's),
    ``staffing_level_range``. Audited with the old value."""
    subdistrict = checkpoint.community.subdistrict
    require_coordinator(actor, subdistrict)
    if template.subdistrict_id != subdistrict.pk:
        raise NotFound("template_unknown", field="template", code=template.code)
    if not 0 <= staff_needed <= MAX_STAFF_NEEDED:
        raise InvalidInput("staffing_level_range", field="staff_needed", high=MAX_STAFF_NEEDED)
    with transaction.atomic():
        old = (
            StaffingLevel.objects.select_for_update().filter(checkpoint=checkpoint, template=template).first()
        )
        level, _ = StaffingLevel.objects.update_or_create(
            checkpoint=checkpoint,
            template=template,
            defaults={
                "community": checkpoint.community,
                "staff_needed": staff_needed,
                "lead_needed": lead_needed,
            },
        )
        log_action(
            "roster.staffing_level",
            actor=actor,
            community=checkpoint.community,
            obj=level,
            checkpoint=checkpoint.code,
            template=template.code,
            staff_needed=staff_needed,
            lead_needed=lead_needed,
            was=None if old is None else [old.staff_needed, old.lead_needed],
        )
    return level


# ---- time away -----------------------------------------------------------------------------


def record_availability(
    staff: Staff,
    *,
    actor: Any,
    date: dt.date | None = None,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    reason: str = "",
) -> Availability:
    """Record that ``staff`` is away for a whole local ``date`` or for ``[starts_at, ends_at)``
    (aware). The person themself or their coordinator may. The next solve rosters nobody into
    it; Shifts already made are left for the coordinator (``selectors.clashes`` lists them).
    Raises ``availability_one_form``, ``availability_naive``, ``availability_order``,
    ``availability_too_long``."""
    own = getattr(getattr(actor, "staff", None), "pk", None) == staff.pk
    if not own:
        require_coordinator(actor, staff.subdistrict)
    if (date is None) == (starts_at is None and ends_at is None):
        raise InvalidInput("availability_one_form", field="date")
    if date is None:
        if starts_at is None or ends_at is None:
            raise InvalidInput("availability_one_form", field="ends_at" if starts_at else "starts_at")
        for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
            if value.tzinfo is None or value.utcoffset() is None:
                raise InvalidInput("availability_naive", field=name)
        if ends_at <= starts_at:
            raise InvalidInput("availability_order", field="ends_at")
        if ends_at - starts_at > MAX_AWAY:
            raise InvalidInput("availability_too_long", field="ends_at", days=MAX_AWAY.days)
    with transaction.atomic():
        away = Availability.objects.create(
            subdistrict=staff.subdistrict,
            staff=staff,
            date=date,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=_clean(reason),
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        log_action(
            "staff.away",
            actor=actor,
            obj=away,
            staff=staff.pk,
            date=date.isoformat() if date else None,
            starts_at=starts_at.isoformat() if starts_at else None,
            ends_at=ends_at.isoformat() if ends_at else None,
            reason=away.reason,
        )
    return away


def delete_availability(away: Availability, *, actor: Any) -> None:
    """Take back a time away (the person or their coordinator); audited."""
    own = getattr(getattr(actor, "staff", None), "pk", None) == away.staff_id
    if not own:
        require_coordinator(actor, away.staff.subdistrict)
    with transaction.atomic():
        log_action("staff.away_delete", actor=actor, obj=away, staff=away.staff_id, reason=away.reason)
        away.delete()


# ---- solving -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One reason or remark of a solve in both languages, with its stable ``code``."""

    code: str
    zh: str
    en: str

    @classmethod
    def of(cls, explanation: model.Explanation) -> Reason:
        return cls(explanation.code, explanation.text("zh-hans"), explanation.text("en"))

    def text(self, lang: str = "zh-hans") -> str:
        return self.en if lang.lower().startswith("en") else self.zh

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}


@dataclass
class SolveOutcome:
    """What ``solve_roster`` did. ``stored``: the Roster and its Shifts were written (status
    ``optimal`` or ``feasible``). Otherwise ``roster`` is the one re-solved (unchanged) or None,
    and ``reasons`` says why no Roster was made, in a coordinator's words. ``changed``: on a
    re-solve that stored a Roster, how many of the Shifts it could replace are not on the new
    one as they were (same person, day, Shift and gate); None otherwise."""

    status: str
    stored: bool
    roster: Roster | None
    reasons: list[Reason] = field(default_factory=list)
    result: model.Result | None = None
    created: bool = False
    changed: int | None = None


def _kept_shifts(roster: Roster, now: dt.datetime) -> list[Shift]:
    """Shifts a re-solve must keep: locked by the coordinator, already begun, or signed in for."""
    return list(
        roster.shifts.filter(Q(locked=True) | Q(starts_at__lt=now) | Q(attendances__isnull=False))
        .distinct()
        .select_related("template", "checkpoint", "staff")
        .order_by("pk")
    )


def _replaceable_shifts(roster: Roster, kept: Sequence[Shift]) -> list[Shift]:
    """The Roster's Shifts a re-solve may replace: all but ``kept``."""
    return list(
        roster.shifts.exclude(pk__in=[k.pk for k in kept])
        .select_related("template", "checkpoint")
        .order_by("pk")
    )


def _fingerprint(shifts: Sequence[Shift]) -> list[tuple[int, int, int, int, str]]:
    return sorted((s.pk, s.staff_id, s.checkpoint_id, s.template_id, s.date.isoformat()) for s in shifts)


def solve_roster(
    subdistrict: Subdistrict,
    *,
    start: dt.date,
    days: int,
    actor: Any,
    time_limit_s: float = 10.0,
    seed: int = 0,
    soft_coverage: bool = False,
    keep_current: bool = True,
    workers: int | None = None,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
) -> SolveOutcome:
    """Make (or re-make) the sub-district's Roster of ``days`` local days from ``start``.

    The Instance comes from :func:`shouwang.roster.build.build_instance`. A Roster with the same
    ``start`` is re-solved: every locked Shift, every Shift already begun and every Shift someone
    signed in for is kept; the others may be replaced. With ``keep_current`` (the default) the
    solver keeps as many of those as the other goals allow (:attr:`model.Instance.previous`), so
    moving one person and re-solving moves a few Shifts, not most of them (on the demo Roster,
    one lock: 2 of 364 Shifts moved, against 246 starting afresh); ``keep_current=False`` rosters
    the open cells afresh. When the solver finds a Roster
    (``optimal``/``feasible``) it is stored with its Shifts atomically, as a draft; when it
    does not (``infeasible``/``unknown``) nothing changes and ``reasons`` says why in words
    ("东斜街北口 needs 2 people 06:00–10:00 on 3 March but only 1 is available"). With
    ``soft_coverage`` slots may stay empty and are listed (``Roster.empty_slots``).

    The solve runs outside any transaction (it takes seconds); the write checks that nobody
    changed the kept Shifts meanwhile (``roster_changed_while_solving``). Raises
    :class:`InvalidInput`: ``roster_days_range``, ``roster_time_limit_range``,
    ``roster_seed_range``, ``roster_in_past``, ``roster_days_differ``, ``roster_overlaps``,
    ``roster_nothing_to_staff``; :class:`Forbidden` for anyone but the sub-district's admin.
    """
    require_coordinator(actor, subdistrict)
    now = now or timezone.now()
    if not 1 <= days <= MAX_ROSTER_DAYS:
        raise InvalidInput("roster_days_range", field="days", high=MAX_ROSTER_DAYS)
    if not 0 < time_limit_s <= MAX_TIME_LIMIT_S:
        raise InvalidInput("roster_time_limit_range", field="time_limit_s", high=int(MAX_TIME_LIMIT_S))
    if not 0 <= seed < 2**31:
        raise InvalidInput("roster_seed_range", field="seed")
    zone = _zone(subdistrict)
    last = start + dt.timedelta(days=days - 1)
    if dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), tzinfo=zone) <= now:
        raise InvalidInput("roster_in_past", field="start", last=last.isoformat())
    existing = Roster.objects.filter(subdistrict=subdistrict, start=start).first()
    if existing is not None and existing.days != days:
        raise InvalidInput(
            "roster_days_differ", field="days", start=start.isoformat(), days=existing.days, asked=days
        )
    for other in Roster.objects.filter(
        subdistrict=subdistrict, start__lte=last, start__gte=start - dt.timedelta(days=MAX_ROSTER_DAYS)
    ).exclude(start=start):
        if other.end >= start:
            raise InvalidInput(
                "roster_overlaps", field="start", first=other.start.isoformat(), last=other.end.isoformat()
            )
    ensure_default_templates(subdistrict, actor=actor)
    kept = _kept_shifts(existing, now) if existing is not None else []
    replaceable = _replaceable_shifts(existing, kept) if existing is not None else []
    built = build_instance(
        subdistrict,
        start=start,
        days=days,
        kept=kept,
        previous=replaceable if keep_current else (),
        now=now,
    )
    if not built.instance.checkpoints or not any(c.staff_needed for c in built.instance.checkpoints):
        raise InvalidInput("roster_nothing_to_staff", field="subdistrict", subdistrict=subdistrict.name)
    result = solve(
        built.instance,
        time_limit_s=time_limit_s,
        seed=seed,
        workers=workers,
        soft_coverage=soft_coverage,
        progress=progress,
    )
    reasons = [Reason.of(e) for e in result.explanations]
    params: dict[str, Any] = {
        "subdistrict": subdistrict.code,
        "start": start.isoformat(),
        "days": days,
        "status": result.status,
        "seed": seed,
        "time_limit_s": time_limit_s,
        "soft_coverage": soft_coverage,
        "keep_current": keep_current,
        "wall_s": round(result.wall_s, 2),
    }
    if not result.has_roster:
        with transaction.atomic():
            log_action(
                "roster.solve_failed",
                actor=actor,
                obj=existing,
                reasons=[r.code for r in reasons],
                **params,
            )
        return SolveOutcome(result.status, False, existing, reasons, result)

    with transaction.atomic():
        Subdistrict.objects.select_for_update().filter(pk=subdistrict.pk).first()
        roster = Roster.objects.select_for_update().filter(subdistrict=subdistrict, start=start).first()
        if (roster is None) != (existing is None) or (
            roster is not None
            and (
                _fingerprint(_kept_shifts(roster, now)) != _fingerprint(kept)
                # The Roster kept is the one read: a hand edit meanwhile would be lost silently.
                or _fingerprint(list(roster.shifts.all())) != _fingerprint([*kept, *replaceable])
            )
        ):
            raise InvalidInput("roster_changed_while_solving", field="start")
        created = roster is None
        if roster is None:
            roster = Roster(subdistrict=subdistrict, start=start, days=days)
        was_published = roster.status == RosterStatus.PUBLISHED
        roster.status = RosterStatus.DRAFT
        roster.solver_status = result.status
        roster.objective = result.objective
        roster.best_bound = result.best_bound
        roster.gap_pct = result.gap_pct
        roster.wall_s = result.wall_s
        roster.seed = seed
        roster.time_limit_s = time_limit_s
        roster.soft_coverage = soft_coverage
        roster.keep_current = keep_current
        roster.changed = None
        if not created:
            before = Counter((p.staff_id, p.date, p.template.code, p.checkpoint.code) for p in replaceable)
            after = Counter((int(a.staff), a.date, a.shift, a.checkpoint) for a in result.assignments)
            roster.changed = sum((before - after).values())
        roster.objective_terms = dict(result.objective_terms)
        roster.explanations = [r.as_dict() for r in reasons]
        roster.empty_slots = [
            {
                "checkpoint": e.checkpoint,
                "checkpoint_name": built.checkpoints[e.checkpoint].name,
                "date": e.date.isoformat(),
                "shift": e.shift,
                "needed": e.needed,
                "missing": e.missing,
                "lead": e.lead,
            }
            for e in result.empty_slots
        ]
        roster.solved_by = actor if getattr(actor, "pk", None) else None
        roster.solved_at = now
        roster.save()
        still = Counter((k.staff_id, k.date, k.template.code, k.checkpoint.code) for k in kept)
        # A Shift the new Roster has exactly as before stays the same row: its calendar event,
        # any swap asked for it and its history go on (unless its template's times changed).
        stay: dict[tuple[int, dt.date, str, str], list[Shift]] = defaultdict(list)
        for p in replaceable:
            if (p.starts_at, p.ends_at) == shift_times(p.date, p.template, zone):
                stay[p.staff_id, p.date, p.template.code, p.checkpoint.code].append(p)
        rows, staying = [], []
        for a in result.assignments:
            key = (int(a.staff), a.date, a.shift, a.checkpoint)
            if still[key] > 0:
                still[key] -= 1
                continue
            if stay[key]:
                staying.append(stay[key].pop().pk)
                continue
            template = built.templates[a.shift]
            checkpoint = built.checkpoints[a.checkpoint]
            starts_at, ends_at = shift_times(a.date, template, zone)
            rows.append(
                Shift(
                    community_id=checkpoint.community_id,
                    roster=roster,
                    checkpoint=checkpoint,
                    staff=built.staff[a.staff],
                    template=template,
                    date=a.date,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    source=ShiftSource.SOLVER,
                )
            )
        replaced = 0
        if not created:
            _, by_model = roster.shifts.exclude(pk__in=[k.pk for k in kept] + staying).delete()
            replaced = by_model.get(Shift._meta.label, 0)
        Shift.objects.bulk_create(rows)
        log_action(
            "roster.solve",
            actor=actor,
            obj=roster,
            objective=result.objective,
            gap_pct=result.gap_pct,
            shifts=len(rows) + len(kept),
            kept=len(kept),
            replaced=replaced,
            changed=roster.changed,
            empty_slots=sum(e.missing for e in result.empty_slots),
            was_published=was_published,
            **params,
        )
    return SolveOutcome(result.status, True, roster, reasons, result, created=created, changed=roster.changed)


# ---- the coordinator's hand edits ------------------------------------------------------------


def _not_begun(shift: Shift, now: dt.datetime) -> None:
    if shift.starts_at <= now:
        raise InvalidInput("shift_started", field="shift", when=_span(shift, _zone(shift.roster.subdistrict)))


def lock_shift(shift: Shift, *, actor: Any) -> Shift:
    """Fix ``shift`` so every re-solve keeps it. Safe to repeat; audited."""
    return _set_lock(shift, locked=True, actor=actor)


def unlock_shift(shift: Shift, *, actor: Any) -> Shift:
    """Let the next re-solve move ``shift``. Safe to repeat; audited."""
    return _set_lock(shift, locked=False, actor=actor)


def _set_lock(shift: Shift, *, locked: bool, actor: Any) -> Shift:
    require_coordinator(actor, shift.roster.subdistrict)
    with transaction.atomic():
        row = Shift.objects.select_for_update().get(pk=shift.pk)
        if row.locked != locked:
            row.locked = locked
            row.save(update_fields=["locked", "updated_at"])
            log_action(
                "shift.lock" if locked else "shift.unlock",
                actor=actor,
                community=shift.community,
                obj=row,
                roster=row.roster_id,
                staff=row.staff_id,
            )
    shift.locked = locked
    return row


def assign_shift(
    roster: Roster,
    *,
    staff: Staff,
    checkpoint: Checkpoint,
    date: dt.date,
    template: ShiftTemplate,
    actor: Any,
    now: dt.datetime | None = None,
) -> Shift:
    """The coordinator puts ``staff`` at ``checkpoint`` on local ``date``'s ``template`` by hand;
    the Shift is locked (kept by re-solves). When the cell is already full, an unlocked person in
    it makes way (the one the solver put there); a cell full of locked people is refused.

    Refused, with words: another sub-district's gate, template or person (``checkpoint_unknown``,
    ``template_unknown``, ``staff_unknown``), a date outside the Roster (``shift_date_outside``),
    a Shift already begun (``shift_started``), a person not of the gate's community
    (``staff_not_at_gate``), a gate closed then (``shift_cell_closed``), a full cell of locked
    people (``shift_cell_full``), and anything :func:`check_free` refuses (two places at once,
    rest, away, shifts a day). The same person in the same cell again just locks it.
    """
    subdistrict = roster.subdistrict
    require_coordinator(actor, subdistrict)
    now = now or timezone.now()
    zone = _zone(subdistrict)
    if checkpoint.community.subdistrict_id != subdistrict.pk:
        raise NotFound("checkpoint_unknown", field="checkpoint", code=checkpoint.code)
    if template.subdistrict_id != subdistrict.pk:
        raise NotFound("template_unknown", field="template", code=template.code)
    if staff.subdistrict_id != subdistrict.pk:
        raise NotFound("staff_unknown", field="staff", name=staff.user.get_username())
    if not roster.start <= date <= roster.end:
        raise InvalidInput(
            "shift_date_outside", field="date", first=roster.start.isoformat(), last=roster.end.isoformat()
        )
    starts_at, ends_at = shift_times(date, template, zone)
    if starts_at <= now:
        raise InvalidInput("shift_started", field="date", when=_hm(starts_at, zone))
    if not may_stand_at(staff, checkpoint):
        raise InvalidInput(
            "staff_not_at_gate", field="staff", staff=staff.display_name, checkpoint=checkpoint.name
        )
    policy = RosterPolicy.for_subdistrict(subdistrict)
    need = needs([checkpoint], [template], policy)[checkpoint.pk, template.pk].staff
    cell = {"checkpoint": checkpoint.name, "date": date.isoformat(), "shift": template.label()}
    with transaction.atomic():
        Roster.objects.select_for_update().filter(pk=roster.pk).first()
        same = Shift.objects.filter(
            roster=roster, staff=staff, date=date, template=template, checkpoint=checkpoint
        ).first()
        if same is not None:
            if not same.locked:
                same.locked = True
                same.save(update_fields=["locked", "updated_at"])
                log_action(
                    "shift.lock", actor=actor, community=checkpoint.community, obj=same, roster=roster.pk
                )
            return same
        if need == 0:
            raise InvalidInput("shift_cell_closed", field="checkpoint", **cell)
        occupants = list(
            Shift.objects.filter(roster=roster, checkpoint=checkpoint, date=date, template=template)
            .filter(attendances__isnull=True)
            .order_by("locked", "pk")
        )
        taken = Shift.objects.filter(
            roster=roster, checkpoint=checkpoint, date=date, template=template
        ).count()
        check_free(staff, starts_at=starts_at, ends_at=ends_at, date=date, zone=zone, policy=policy)
        made_way = None
        if taken >= need:
            movable = [o for o in occupants if not o.locked]
            if not movable:
                raise InvalidInput("shift_cell_full", field="checkpoint", needed=need, **cell)
            made_way = movable[0]
            made_way.delete()
        shift = Shift.objects.create(
            community=checkpoint.community,
            roster=roster,
            checkpoint=checkpoint,
            staff=staff,
            template=template,
            date=date,
            starts_at=starts_at,
            ends_at=ends_at,
            locked=True,
            source=ShiftSource.HAND,
        )
        log_action(
            "shift.assign",
            actor=actor,
            community=checkpoint.community,
            obj=shift,
            roster=roster.pk,
            staff=staff.pk,
            checkpoint=checkpoint.code,
            date=date.isoformat(),
            template=template.code,
            replaced_staff=made_way.staff_id if made_way else None,
        )
    return shift


def remove_shift(shift: Shift, *, actor: Any, now: dt.datetime | None = None) -> None:
    """Take ``shift`` out of its Roster (the next re-solve may fill the cell again: record time
    away to keep a person out). Refused once it has begun (``shift_started``) or when someone
    signed in for it (``shift_has_attendance``). Audited."""
    require_coordinator(actor, shift.roster.subdistrict)
    _not_begun(shift, now or timezone.now())
    with transaction.atomic():
        if Attendance.objects.filter(shift=shift).exists():
            raise InvalidInput("shift_has_attendance", field="shift")
        log_action(
            "shift.remove",
            actor=actor,
            community=shift.community,
            obj=shift,
            roster=shift.roster_id,
            staff=shift.staff_id,
            checkpoint=shift.checkpoint_id,
            date=shift.date.isoformat(),
            template=shift.template_id,
        )
        shift.delete()


def publish_roster(roster: Roster, *, actor: Any, now: dt.datetime | None = None) -> Roster:
    """Show ``roster`` to the staff ("my shifts", calendar feeds). Safe to repeat; audited with
    the number of Shifts and of empty places."""
    require_coordinator(actor, roster.subdistrict)
    with transaction.atomic():
        row = Roster.objects.select_for_update().get(pk=roster.pk)
        if row.status != RosterStatus.PUBLISHED:
            row.status = RosterStatus.PUBLISHED
            row.published_by = actor if getattr(actor, "pk", None) else None
            row.published_at = now or timezone.now()
            row.save(update_fields=["status", "published_by", "published_at", "updated_at"])
            log_action(
                "roster.publish",
                actor=actor,
                obj=row,
                shifts=row.shifts.count(),
                empty=sum(int(e.get("missing", 0)) for e in row.empty_slots),
            )
    roster.status, roster.published_at, roster.published_by = row.status, row.published_at, row.published_by
    return row


# ---- swaps ---------------------------------------------------------------------------------


def _staff_of(actor: Any) -> Staff:
    staff = getattr(actor, "staff", None)
    if staff is None:
        raise Forbidden("staff_record_required")
    return staff  # type: ignore[no-any-return]


def request_swap(
    shift: Shift,
    *,
    actor: Any,
    to_staff: Staff | None = None,
    reason: str = "",
    now: dt.datetime | None = None,
) -> SwapRequest:
    """Ask the coordinator to move ``shift`` to someone else.

    The Shift's own person offers it (``offer``) to ``to_staff``, or to whoever the coordinator
    picks when None; a colleague asks to take it (``take``; ``to_staff`` must be None or
    themself). Only Shifts of a published Roster that have not begun. A named colleague must
    be free and rested for it now (re-checked at approval). Asking again returns the pending
    request. Raises ``shift_unknown``, ``shift_started``, ``swap_to_self``,
    ``swap_take_for_self``, ``staff_unknown``, ``staff_not_at_gate`` and the refusals of
    :func:`check_free`; audited.
    """
    require_role(actor, Role.GATE_STAFF)
    me = _staff_of(actor)
    now = now or timezone.now()
    roster = shift.roster
    if roster.subdistrict_id != me.subdistrict_id or roster.status != RosterStatus.PUBLISHED:
        raise NotFound("shift_unknown", field="shift", id=shift.pk)
    _not_begun(shift, now)
    if shift.staff_id == me.pk:
        kind = SwapKind.OFFER
        if to_staff is not None and to_staff.pk == me.pk:
            raise InvalidInput("swap_to_self", field="to_staff")
    else:
        kind = SwapKind.TAKE
        if to_staff is not None and to_staff.pk != me.pk:
            raise InvalidInput("swap_take_for_self", field="to_staff")
        to_staff = me
    zone = _zone(roster.subdistrict)
    if to_staff is not None:
        if to_staff.subdistrict_id != roster.subdistrict_id:
            raise NotFound("staff_unknown", field="to_staff", name=to_staff.user.get_username())
        if not may_stand_at(to_staff, shift.checkpoint):
            raise InvalidInput(
                "staff_not_at_gate",
                field="to_staff",
                staff=to_staff.display_name,
                checkpoint=shift.checkpoint.name,
            )
        check_free(
            to_staff,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            date=shift.date,
            zone=zone,
            policy=RosterPolicy.for_subdistrict(roster.subdistrict),
            ignore=[shift.pk],
        )
    try:
        with transaction.atomic():
            seen = SwapRequest.objects.filter(
                shift=shift, requested_by=actor, status=SwapStatus.PENDING
            ).first()
            if seen is not None:
                return seen
            swap = SwapRequest.objects.create(
                community=shift.community,
                shift=shift,
                kind=kind,
                from_staff_id=shift.staff_id,
                to_staff=to_staff,
                reason=_clean(reason),
                requested_by=actor,
            )
            log_action(
                "swap.request",
                actor=actor,
                community=shift.community,
                obj=swap,
                shift=shift.pk,
                kind=kind,
                from_staff=shift.staff_id,
                to_staff=to_staff.pk if to_staff else None,
            )
    except IntegrityError:
        # Two taps at once: the other one made it.
        return SwapRequest.objects.get(shift=shift, requested_by=actor, status=SwapStatus.PENDING)
    return swap


def decide_swap(
    swap: SwapRequest,
    *,
    approve: bool,
    actor: Any,
    to_staff: Staff | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> SwapRequest:
    """The coordinator approves or rejects a pending swap; audited either way.

    Approval moves the Shift to the new person atomically (and locks it, so re-solves keep the
    agreed change), after re-checking that the Shift still belongs to the person who offered it
    (``swap_stale``), has not begun (``shift_started``), and that the new person may stand at the
    gate, is free and rested (:func:`check_free`); when a check fails nothing changes and the
    swap stays pending. ``to_staff`` names the person for an open offer (``swap_to_required``);
    a swap that names someone cannot be approved for another (``swap_to_fixed``).
    Other pending requests for the same Shift are closed as superseded. Raises
    ``swap_decided`` for a swap no longer pending.
    """
    roster = swap.shift.roster
    require_coordinator(actor, roster.subdistrict)
    now = now or timezone.now()
    zone = _zone(roster.subdistrict)
    with transaction.atomic():
        row = SwapRequest.objects.select_for_update().select_related("shift__checkpoint").get(pk=swap.pk)
        if row.status != SwapStatus.PENDING:
            raise InvalidInput("swap_decided", field="swap", status=SwapStatus(row.status).label)
        row.decided_by = actor if getattr(actor, "pk", None) else None
        row.decided_at = now
        row.decision_note = _clean(note)
        if not approve:
            row.status = SwapStatus.REJECTED
            row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
            log_action("swap.reject", actor=actor, community=row.community, obj=row, note=row.decision_note)
            return row
        shift = Shift.objects.select_for_update().select_related("checkpoint").get(pk=row.shift_id)
        if shift.staff_id != row.from_staff_id:
            raise InvalidInput("swap_stale", field="swap")
        _not_begun(shift, now)
        if row.to_staff is not None and to_staff is not None and to_staff.pk != row.to_staff_id:
            raise InvalidInput("swap_to_fixed", field="to_staff", staff=row.to_staff.display_name)
        new = row.to_staff or to_staff
        if new is None:
            raise InvalidInput("swap_to_required", field="to_staff")
        if new.subdistrict_id != roster.subdistrict_id:
            raise NotFound("staff_unknown", field="to_staff", name=new.user.get_username())
        if not may_stand_at(new, shift.checkpoint):
            raise InvalidInput(
                "staff_not_at_gate",
                field="to_staff",
                staff=new.display_name,
                checkpoint=shift.checkpoint.name,
            )
        # Rows of the new person are locked too, so two approvals cannot double-book them.
        Staff.objects.select_for_update().filter(pk=new.pk).first()
        check_free(
            new,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            date=shift.date,
            zone=zone,
            policy=RosterPolicy.for_subdistrict(roster.subdistrict),
            ignore=[shift.pk],
        )
        old_staff = shift.staff_id
        shift.staff = new
        shift.locked = True
        shift.source = ShiftSource.SWAP
        try:
            with transaction.atomic():
                shift.save(update_fields=["staff", "locked", "source", "updated_at"])
        except IntegrityError:
            raise InvalidInput(
                "shift_overlap",
                field="to_staff",
                staff=new.display_name,
                checkpoint=shift.checkpoint.name,
                when=_span(shift, zone),
            ) from None
        row.to_staff = new
        row.status = SwapStatus.APPROVED
        row.save(update_fields=["status", "to_staff", "decided_by", "decided_at", "decision_note"])
        superseded = SwapRequest.objects.filter(shift=shift, status=SwapStatus.PENDING).exclude(pk=row.pk)
        superseded_ids = list(superseded.values_list("pk", flat=True))
        superseded.update(
            status=SwapStatus.REJECTED, decided_by=row.decided_by, decided_at=now, decision_note="superseded"
        )
        log_action(
            "swap.approve",
            actor=actor,
            community=row.community,
            obj=row,
            shift=shift.pk,
            from_staff=old_staff,
            to_staff=new.pk,
            superseded=superseded_ids,
            note=row.decision_note,
        )
    return row


def cancel_swap(swap: SwapRequest, *, actor: Any, now: dt.datetime | None = None) -> SwapRequest:
    """The asker withdraws a pending request; audited. Others get ``swap_unknown``."""
    if swap.requested_by_id != getattr(actor, "pk", None):
        raise NotFound("swap_unknown", field="swap", id=swap.pk)
    with transaction.atomic():
        row = SwapRequest.objects.select_for_update().get(pk=swap.pk)
        if row.status != SwapStatus.PENDING:
            raise InvalidInput("swap_decided", field="swap", status=SwapStatus(row.status).label)
        row.status = SwapStatus.CANCELLED
        row.decided_at = now or timezone.now()
        row.save(update_fields=["status", "decided_at"])
        log_action("swap.cancel", actor=actor, community=row.community, obj=row)
    return row


# ---- attendance ----------------------------------------------------------------------------


def sign_in(
    actor_staff: Staff,
    *,
    checkpoint: Checkpoint,
    at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Attendance:
    """``actor_staff`` starts duty at ``checkpoint`` at ``at`` (default now); returns the open
    attendance. Linked to their Shift (of a published Roster) at that gate whose time contains
    ``at`` or starts within the hour. One open attendance per person: signing in again at the same gate returns it;
    at another gate it is refused with the gate and time (``attendance_open_elsewhere``: sign
    out there first), never closed silently. Raises :class:`Forbidden` outside their
    communities, ``attendance_at_naive``/``_future``/``_too_old``, ``attendance_overlaps``
    (a back-dated time inside an earlier record). Audited."""
    user = actor_staff.user
    require_community(user, checkpoint.community)
    now = now or timezone.now()
    at = _check_instant(at or now, now, field="at")
    community = checkpoint.community
    zone = community.tz
    try:
        with transaction.atomic():
            Staff.objects.select_for_update().filter(pk=actor_staff.pk).first()
            open_ = (
                Attendance.objects.filter(staff=actor_staff, signed_out_at__isnull=True)
                .select_related("checkpoint")
                .first()
            )
            if open_ is not None:
                if open_.checkpoint_id == checkpoint.pk:
                    return open_
                raise InvalidInput(
                    "attendance_open_elsewhere",
                    field="checkpoint",
                    checkpoint=open_.checkpoint.name,
                    since=_hm(open_.signed_in_at, zone),
                )
            earlier = Attendance.objects.filter(
                staff=actor_staff, signed_in_at__lte=at, signed_out_at__gt=at
            ).first()
            if earlier is not None and earlier.signed_out_at is not None:
                raise InvalidInput(
                    "attendance_overlaps",
                    field="at",
                    since=_hm(earlier.signed_in_at, zone),
                    until=_hm(earlier.signed_out_at, zone),
                )
            shift = (
                Shift.objects.filter(
                    staff=actor_staff,
                    checkpoint=checkpoint,
                    roster__status=RosterStatus.PUBLISHED,
                    starts_at__lte=at + SIGN_IN_EARLY,
                    ends_at__gt=at,
                )
                .order_by("starts_at")
                .first()
            )
            attendance = Attendance.objects.create(
                community=community,
                checkpoint=checkpoint,
                staff=actor_staff,
                shift=shift,
                local_date=community.local_date(at),
                signed_in_at=at,
            )
            log_action(
                "attendance.sign_in",
                actor=user,
                community=community,
                obj=attendance,
                checkpoint=checkpoint.code,
                at=at.isoformat(),
                shift=shift.pk if shift else None,
            )
    except IntegrityError:
        # Another phone of the same person signed in at this very moment.
        raise InvalidInput(
            "attendance_open_elsewhere", field="checkpoint", checkpoint="-", since="-"
        ) from None
    return attendance


def sign_out(
    actor_staff: Staff, *, at: dt.datetime | None = None, now: dt.datetime | None = None
) -> Attendance:
    """``actor_staff`` ends duty at ``at`` (default now); returns the closed attendance.
    Raises ``attendance_not_signed_in`` with no open attendance, ``attendance_out_before_in``,
    ``attendance_at_naive``/``_future``/``_too_old``. Audited with the hours."""
    user = actor_staff.user
    now = now or timezone.now()
    at = _check_instant(at or now, now, field="at")
    with transaction.atomic():
        open_ = (
            Attendance.objects.select_for_update()
            .filter(staff=actor_staff, signed_out_at__isnull=True)
            .select_related("community", "checkpoint")
            .first()
        )
        if open_ is None:
            raise InvalidInput("attendance_not_signed_in", field="at")
        if at <= open_.signed_in_at:
            raise InvalidInput(
                "attendance_out_before_in", field="at", since=_hm(open_.signed_in_at, open_.community.tz)
            )
        open_.signed_out_at = at
        open_.save(update_fields=["signed_out_at"])
        log_action(
            "attendance.sign_out",
            actor=user,
            community=open_.community,
            obj=open_,
            checkpoint=open_.checkpoint.code,
            at=at.isoformat(),
            hours=round(open_.hours or 0, 2),
        )
    return open_


def close_attendance(
    attendance: Attendance, *, at: dt.datetime, actor: Any, now: dt.datetime | None = None
) -> Attendance:
    """The coordinator closes an attendance someone forgot to sign out of, at ``at`` (when they
    really left); audited. Raises ``attendance_closed``, ``attendance_out_before_in``,
    ``attendance_at_naive``, ``attendance_at_future``."""
    require_coordinator(actor, attendance.community.subdistrict)
    now = now or timezone.now()
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput("attendance_at_naive", field="at")
    if at > now + FUTURE_TOLERANCE:
        raise InvalidInput("attendance_at_future", field="at")
    with transaction.atomic():
        row = Attendance.objects.select_for_update().select_related("community").get(pk=attendance.pk)
        if row.signed_out_at is not None:
            raise InvalidInput("attendance_closed", field="attendance")
        if at <= row.signed_in_at:
            raise InvalidInput(
                "attendance_out_before_in", field="at", since=_hm(row.signed_in_at, row.community.tz)
            )
        row.signed_out_at = at
        row.save(update_fields=["signed_out_at"])
        log_action("attendance.close", actor=actor, community=row.community, obj=row, at=at.isoformat())
    return row


# ---- exports (audited, DESIGN.md §4) ------------------------------------------------------------


def export_roster_xlsx(roster: Roster, *, actor: Any, via: str) -> bytes:
    """The printable grid of ``roster`` as .xlsx (see :mod:`shouwang.roster.export`), limited to
    the gates the actor may see; audited with where it went (``via``: ``page``, ``api``,
    ``cli:FILE``)."""
    from shouwang.roster.export import roster_xlsx
    from shouwang.roster.selectors import get_roster, grid

    require_role(actor, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER)
    get_roster(actor, roster.pk)  # the same NotFound for another sub-district's Roster
    data = roster_xlsx(grid(roster, user=actor))
    log_action("roster.export", actor=actor, obj=roster, via=via, size=len(data))
    return data


def export_duty_hours_xlsx(
    subdistrict: Subdistrict,
    *,
    start: dt.date,
    end: dt.date,
    actor: Any,
    via: str,
    now: dt.datetime | None = None,
) -> bytes:
    """The duty-hours report of local dates ``start``..``end`` as .xlsx; coordinator only,
    audited."""
    from shouwang.roster.export import duty_hours_xlsx
    from shouwang.roster.selectors import duty_hours

    require_coordinator(actor, subdistrict)
    data = duty_hours_xlsx(duty_hours(subdistrict, start, end, now=now))
    log_action(
        "duty_hours.export",
        actor=actor,
        obj=subdistrict,
        start=start.isoformat(),
        end=end.isoformat(),
        via=via,
        size=len(data),
    )
    return data
