"""Duty in the product: shift templates, staffing levels, rosters and their Shifts, time away,
swap requests and attendance (值守 / 班次, DESIGN.md §3–§4).

The roster is made per sub-district (its coordinator rosters the gates of all its communities),
so :class:`ShiftTemplate`, :class:`Roster` and :class:`Availability` carry ``subdistrict``; every
row tied to a gate (:class:`Shift`, :class:`StaffingLevel`, :class:`SwapRequest`,
:class:`Attendance`) also carries ``community`` (the gate's), the tenant key.

Units: fields named ``date``/``start``/``local_date`` are local calendar dates of the
sub-district's zone (``Subdistrict.timezone``, Asia/Shanghai); ``*_at`` are UTC instants;
``ShiftTemplate.start`` is a local wall-clock time. A Shift belongs to the local day it starts on.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from shouwang.core.models import Staff
from shouwang.places.models import Checkpoint, Community, Subdistrict
from shouwang.roster import model
from shouwang.roster.choices import RosterStatus, ShiftSource, SolverStatus, SwapKind, SwapStatus


class ShiftTemplate(models.Model):
    """A duty stint repeated every day: starts at local ``start``, lasts ``minutes`` (240: the
    field's 4-hour stint). ``code`` names it in the solver and the API (``06-10``). An inactive
    template is not rostered any more; its past Shifts keep it."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="shift_templates")
    code = models.SlugField(max_length=16)
    start = models.TimeField()
    minutes = models.PositiveSmallIntegerField(default=240)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["subdistrict_id", "start", "code"]
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "code"], name="shift_template_code_unique"),
            models.CheckConstraint(
                condition=Q(minutes__gte=15, minutes__lte=24 * 60), name="shift_template_minutes_range"
            ),
        ]

    def __str__(self) -> str:
        return self.label()

    @property
    def hours(self) -> float:
        return self.minutes / 60

    def as_model(self) -> model.ShiftTemplate:
        """The solver's :class:`~shouwang.roster.model.ShiftTemplate` (code, local start, hours)."""
        return model.ShiftTemplate(code=self.code, start=self.start, hours=self.minutes / 60)

    def label(self) -> str:
        """``06:00–10:00`` (``+1`` when it ends the next day)."""
        return self.as_model().label()


class StaffingLevel(models.Model):
    """How many Staff a Checkpoint needs on one shift template, every day of a Roster.

    ``staff_needed`` 0 closes the gate for that shift. ``lead_needed``: one of them must be a team
    lead. Without a row the sub-district's default applies (``roster_default_staff`` people when
    the gate is open for the whole shift, else 0; see :mod:`shouwang.roster.build`).
    """

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="staffing_levels")
    template = models.ForeignKey(ShiftTemplate, on_delete=models.CASCADE, related_name="staffing_levels")
    staff_needed = models.PositiveSmallIntegerField()
    lead_needed = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "template"], name="staffing_level_one_per_cell")
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.template_id}: {self.staff_needed}"


class Roster(models.Model):
    """A sub-district's duty roster for ``days`` local days from ``start`` (written by
    ``solve_roster``). Rosters of one sub-district never overlap.

    The solver's figures of the last stored solve: ``solver_status``, ``objective`` and
    ``best_bound`` (points, lower is better), ``gap_pct`` (%), ``wall_s`` (seconds), with the
    ``seed``, ``time_limit_s`` and ``soft_coverage`` it ran with. ``explanations`` is a list of
    ``{"code", "zh", "en"}`` (words rendered when solved); ``empty_slots`` a list of
    ``{"checkpoint", "checkpoint_name", "date", "shift", "needed", "missing", "lead"}`` (codes,
    ISO local date) — both empty for a fully staffed Roster. ``keep_current``: the solve kept
    what it could of the Roster before it; ``changed``: how many of that Roster's replaceable
    Shifts the solve moved (None for a first solve).
    """

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="rosters")
    start = models.DateField()
    days = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=12, choices=RosterStatus.choices, default=RosterStatus.DRAFT)
    solver_status = models.CharField(max_length=12, choices=SolverStatus.choices)
    objective = models.FloatField(null=True, blank=True)
    best_bound = models.FloatField(null=True, blank=True)
    gap_pct = models.FloatField(null=True, blank=True)
    wall_s = models.FloatField(default=0)
    seed = models.IntegerField(default=0)
    time_limit_s = models.FloatField()
    soft_coverage = models.BooleanField(default=False)
    keep_current = models.BooleanField(default=True)
    changed = models.PositiveIntegerField(null=True, blank=True)
    objective_terms = models.JSONField(default=dict, blank=True)
    explanations = models.JSONField(default=list, blank=True)
    empty_slots = models.JSONField(default=list, blank=True)
    solved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    solved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subdistrict", "start"], name="roster_one_per_start"),
            models.CheckConstraint(condition=Q(days__gte=1), name="roster_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.subdistrict_id} {self.start}+{self.days}d {self.status}"

    @property
    def end(self) -> dt.date:
        """The last local date of the Roster (inclusive)."""
        return self.start + dt.timedelta(days=self.days - 1)

    @property
    def dates(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range(self.days)]

    def horizon(self) -> model.Horizon:
        return model.Horizon(start=self.start, days=self.days, tz=self.subdistrict.timezone)


class Shift(models.Model):
    """One stint: ``staff`` stands at ``checkpoint`` on local ``date`` for ``template``, from
    ``starts_at`` to ``ends_at`` (UTC instants). ``locked``: fixed by the coordinator, kept by
    every re-solve; ``source`` says who put the person there."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    roster = models.ForeignKey(Roster, on_delete=models.CASCADE, related_name="shifts")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="shifts")
    template = models.ForeignKey(ShiftTemplate, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    locked = models.BooleanField(default=False)
    source = models.CharField(max_length=8, choices=ShiftSource.choices, default=ShiftSource.SOLVER)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Nobody stands two gates in one shift of a day (overlaps across templates of other
            # lengths are refused by the services).
            models.UniqueConstraint(
                fields=["roster", "staff", "date", "template"], name="shift_one_place_per_slot"
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
        ]
        indexes = [
            models.Index(fields=["staff", "starts_at"], name="shift_staff_start"),
            models.Index(fields=["checkpoint", "starts_at"], name="shift_checkpoint_start"),
            models.Index(fields=["roster", "date"], name="shift_roster_date"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id}@{self.checkpoint_id} {self.date} {self.template_id}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class Availability(models.Model):
    """A staff member away (not available for duty): a whole local ``date``, or the aware range
    ``[starts_at, ends_at)`` (other duties, a medical visit), with a ``reason``. Exactly one of
    the two forms is set. The solver rosters nobody into a Shift that touches it."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="time_away")
    date = models.DateField(null=True, blank=True)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "availability"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(date__isnull=False, starts_at__isnull=True, ends_at__isnull=True)
                    | Q(date__isnull=True, starts_at__isnull=False, ends_at__gt=F("starts_at"))
                ),
                name="availability_day_or_range",
            )
        ]
        indexes = [models.Index(fields=["staff", "date"], name="availability_staff_date")]

    def __str__(self) -> str:
        when = self.date.isoformat() if self.date else f"{self.starts_at}–{self.ends_at}"
        return f"{self.staff_id} away {when}"


class SwapRequest(models.Model):
    """A Shift offered by its staff member (``offer``; ``to_staff`` a named colleague, or None:
    whoever the coordinator picks) or asked for by a colleague (``take``; ``to_staff`` is them).
    ``from_staff`` is the Shift's person when asked. Pending until the coordinator approves
    (the Shift moves to ``to_staff``) or rejects; the asker may cancel. Audited."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="swap_requests")
    kind = models.CharField(max_length=8, choices=SwapKind.choices)
    from_staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    to_staff = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=SwapStatus.choices, default=SwapStatus.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            # Asking twice is one request (a double tap, a retry).
            models.UniqueConstraint(
                fields=["shift", "requested_by"],
                condition=Q(status="pending"),
                name="swap_one_pending_per_asker",
            )
        ]
        indexes = [models.Index(fields=["community", "status"], name="swap_community_status")]

    def __str__(self) -> str:
        return f"{self.kind} shift {self.shift_id} {self.from_staff_id}→{self.to_staff_id} {self.status}"


class Attendance(models.Model):
    """A staff member on duty at a Checkpoint from ``signed_in_at`` to ``signed_out_at`` (UTC
    instants; open while ``signed_out_at`` is empty). ``local_date`` is the local date of the
    sign-in (the day the duty hours count on). ``shift`` is the rostered Shift it stands, when
    there is one. Duty hours are computed from these records, never from the roster."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="attendances")
    shift = models.ForeignKey(
        Shift, null=True, blank=True, on_delete=models.SET_NULL, related_name="attendances"
    )
    local_date = models.DateField()
    signed_in_at = models.DateTimeField()
    signed_out_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # One open attendance per person: two phones signing in at once cannot both win.
            models.UniqueConstraint(
                fields=["staff"],
                condition=Q(signed_out_at__isnull=True),
                name="attendance_one_open_per_staff",
            ),
            models.CheckConstraint(
                condition=Q(signed_out_at__isnull=True) | Q(signed_out_at__gt=F("signed_in_at")),
                name="attendance_out_after_in",
            ),
        ]
        indexes = [
            models.Index(fields=["community", "local_date"], name="attendance_community_day"),
            models.Index(fields=["staff", "signed_in_at"], name="attendance_staff_in"),
        ]

    def __str__(self) -> str:
        return f"{self.staff_id}@{self.checkpoint_id} {self.signed_in_at}–{self.signed_out_at or '…'}"

    @property
    def hours(self) -> float | None:
        """Hours on duty, or None while still signed in."""
        if self.signed_out_at is None:
            return None
        return (self.signed_out_at - self.signed_in_at).total_seconds() / 3600
