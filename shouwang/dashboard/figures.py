"""The figures of one local day for a sub-district, a community or one checkpoint: what the
dashboard shows and the daily report (日报) sends upward.

Every count is an aggregate query (``COUNT``/``SUM`` with ``GROUP BY`` and conditional counts);
:func:`day_figures` runs a fixed number of queries whatever the number of records, communities
and gates. "Per day" means the community's local calendar day (DESIGN.md §4): a screening at
00:30 local counts on that day even when the server's clock is UTC. Screenings, visits,
deliveries and incidents carry their own ``local_date``; arrivals, sign-ins and "now" are UTC
instants turned into local days here.

Contract with the daily report: ``Scope``, ``scope_for``, ``day_figures`` and the keys of
``DayFigures.as_dict()`` are stable (``/tmp/brief/figures-contract.md``); keys may be added,
never renamed.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from shouwang.core.access import community_ids_for, role_of
from shouwang.core.choices import Role
from shouwang.core.errors import Forbidden, InvalidInput, NotFound
from shouwang.incidents.models import Incident
from shouwang.places.models import Checkpoint, Community, Subdistrict
from shouwang.privacy.models import CountKind, DailyCount
from shouwang.quarantine.choices import IN_FORCE, PlanStatus, Slot
from shouwang.quarantine.models import FollowUp, QuarantinePlan, Returnee
from shouwang.roster.choices import RosterStatus
from shouwang.roster.models import Attendance, Shift
from shouwang.screening.choices import Decision
from shouwang.screening.models import ScreeningEvent
from shouwang.screening.policy import Policy
from shouwang.visitors.models import Delivery, Visit

# Who may see figures: gate staff have the gate page, not the dashboard.
VIEWER_ROLES = (Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.HEALTH_STATION, Role.INSPECTOR)

DECISIONS: tuple[str, ...] = tuple(Decision.values)


@dataclass(frozen=True)
class Scope:
    """What figures cover: one community, or every community of a sub-district.

    ``checkpoint`` narrows the gate figures (screenings, visits, deliveries, incidents,
    attendance, roster) to one gate; returnees, quarantine and follow-ups stay the community's
    (they belong to households, not to a gate)."""

    subdistrict: Subdistrict
    community: Community | None  # None = the whole sub-district
    checkpoint: Checkpoint | None = None  # dashboard drill-down to one gate (optional)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The zone that decides "today" for this scope (the community's, else the sub-district's)."""
        return zoneinfo.ZoneInfo(self.community.timezone if self.community else self.subdistrict.timezone)

    def today(self, now: dt.datetime | None = None) -> dt.date:
        """The local date of ``now`` (default the clock) in the scope's zone."""
        return (now or timezone.now()).astimezone(self.tz).date()


def scope_for(user: Any, *, community: str | None = None, checkpoint: str | None = None) -> Scope:
    """The scope a user may see, from codes. A sub-district admin (or a bare superuser, or an
    inspector given every community) defaults to the whole sub-district; a community worker,
    the health station or an inspector of some communities defaults to their community (the
    first by code when they have several: nobody sees a sub-district total that includes
    communities not theirs). ``checkpoint`` alone implies its community.

    Raises :class:`Forbidden` ``role_forbidden`` (gate staff, no staff record),
    :class:`NotFound` ``community_unknown`` / ``checkpoint_unknown`` (unknown code),
    :class:`Forbidden` ``not_your_community`` (not the user's community), and
    :class:`NotFound` ``dashboard_no_community`` (a worker assigned to no community).
    """
    role = role_of(user)
    if role not in VIEWER_ROLES:
        raise Forbidden("role_forbidden", needed=" / ".join(str(Role(r).label) for r in VIEWER_ROLES))
    allowed = community_ids_for(user)
    gate: Checkpoint | None = None
    place: Community | None = None
    if checkpoint:
        gate = (
            Checkpoint.objects.select_related("community__subdistrict")
            .filter(code=checkpoint.strip())
            .first()
        )
        if gate is None:
            raise NotFound("checkpoint_unknown", field="checkpoint", code=checkpoint[:32])
        place = gate.community
    if community:
        chosen = (
            Community.objects.select_related("subdistrict")
            .filter(Q(code=community.strip()) | Q(name=community.strip()))
            .first()
        )
        if chosen is None:
            raise NotFound("community_unknown", field="community", name=community[:32])
        if place is not None and place.pk != chosen.pk:
            raise NotFound("checkpoint_unknown", field="checkpoint", code=checkpoint)
        place = chosen
    if place is not None:
        if place.pk not in allowed:
            raise Forbidden("not_your_community", field="community", community=place.name)
        return Scope(subdistrict=place.subdistrict, community=place, checkpoint=gate)
    staff = getattr(user, "staff", None)
    if role not in (Role.SUBDISTRICT_ADMIN, Role.INSPECTOR):
        subdistrict = None
    elif staff is not None:
        subdistrict = staff.subdistrict
    else:
        # A bare superuser: the first sub-district that has communities.
        first = (
            Subdistrict.objects.filter(communities__id__in=allowed).distinct().order_by("code").first()
            if allowed
            else None
        )
        if first is None:
            raise NotFound("dashboard_no_community")
        subdistrict = first
    if subdistrict is not None and may_see_whole(user, subdistrict):
        return Scope(subdistrict=subdistrict, community=None)
    own = Community.objects.select_related("subdistrict").filter(pk__in=allowed).order_by("code").first()
    if own is None:
        raise NotFound("dashboard_no_community")
    return Scope(subdistrict=own.subdistrict, community=own)


def may_see_whole(user: Any, subdistrict: Subdistrict) -> bool:
    """Whether ``user``'s default is the whole sub-district: its admin always, an inspector
    given every one of its communities; never a worker (one query for the inspector)."""
    role = role_of(user)
    if role == Role.SUBDISTRICT_ADMIN:
        return True
    if role != Role.INSPECTOR:
        return False
    every = set(Community.objects.filter(subdistrict=subdistrict).values_list("pk", flat=True))
    return bool(every) and every <= community_ids_for(user)


# ---- the figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GateFigures:
    """One checkpoint's screenings of the day: by decision, total, fevers (°C ≥ the policy's
    threshold) and ``hourly``, 24 counts by local hour 0..23."""

    checkpoint: Checkpoint
    screenings: dict[str, int]
    total: int
    fevers: int
    hourly: list[int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "checkpoint": self.checkpoint.code,
            "name": self.checkpoint.name,
            "community": self.checkpoint.community.code,
            "screenings": dict(self.screenings),
            "total": self.total,
            "fevers": self.fevers,
            "hourly": list(self.hourly),
        }


@dataclass(frozen=True)
class CommunityFigures:
    """One community's row of the day; hours are unrounded here, one decimal in :meth:`as_dict`."""

    community: Community
    screenings: dict[str, int]
    fevers: int
    visits: int
    visits_admitted: int
    deliveries: int
    returnees_new: int
    in_quarantine: int
    follow_ups_due: int
    follow_ups_done: int
    follow_ups_overdue: int
    incidents_new: int
    incidents_open: int
    duty_hours: float
    rostered_hours: float

    @property
    def screenings_total(self) -> int:
        return sum(self.screenings.values())

    @property
    def referrals(self) -> int:
        return self.screenings[Decision.REFER]

    def as_dict(self) -> dict[str, Any]:
        return {
            "community": self.community.code,
            "name": self.community.name,
            "screenings_total": self.screenings_total,
            "screenings": dict(self.screenings),
            "fevers": self.fevers,
            "referrals": self.referrals,
            "visits": self.visits,
            "visits_admitted": self.visits_admitted,
            "deliveries": self.deliveries,
            "returnees_new": self.returnees_new,
            "in_quarantine": self.in_quarantine,
            "follow_ups_due": self.follow_ups_due,
            "follow_ups_done": self.follow_ups_done,
            "follow_ups_overdue": self.follow_ups_overdue,
            "incidents_new": self.incidents_new,
            "incidents_open": self.incidents_open,
            "duty_hours": round(self.duty_hours, 1),
            "rostered_hours": round(self.rostered_hours, 1),
        }


@dataclass(frozen=True)
class OnDuty:
    """A staff member signed in at a gate and not yet out; ``since`` is a UTC instant."""

    name: str
    checkpoint: Checkpoint
    since: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "checkpoint": self.checkpoint.code,
            "checkpoint_name": self.checkpoint.name,
            "community": self.checkpoint.community.code,
            "since": self.since.astimezone(dt.UTC).isoformat(),
        }


def _sum(rows: Iterable[CommunityFigures], attr: str) -> int:
    return sum(int(getattr(r, attr)) for r in rows)


@dataclass(frozen=True)
class DayFigures:
    """The figures of ``scope`` on local date ``day`` as of ``as_of`` (UTC instant).

    Totals are the sums of ``communities``; ``gates`` are the checkpoints in scope (active ones,
    and any other that screened someone that day) with their hourly flow."""

    scope: Scope
    day: dt.date
    as_of: dt.datetime
    is_today: bool
    gates: list[GateFigures]
    communities: list[CommunityFigures]
    on_duty_now: list[OnDuty] = field(default_factory=list)

    @property
    def screenings(self) -> dict[str, int]:
        return {d: sum(c.screenings[d] for c in self.communities) for d in DECISIONS}

    @property
    def screenings_total(self) -> int:
        return sum(self.screenings.values())

    @property
    def referrals(self) -> int:
        return self.screenings[Decision.REFER]

    def total(self, attr: str) -> int:
        """The sum over communities of an integer field of :class:`CommunityFigures`."""
        return _sum(self.communities, attr)

    @property
    def duty_hours(self) -> float:
        return round(sum(c.duty_hours for c in self.communities), 1)

    @property
    def rostered_hours(self) -> float:
        return round(sum(c.rostered_hours for c in self.communities), 1)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, with the keys of the contract (ints unless noted)."""
        scope = self.scope
        return {
            "day": self.day.isoformat(),
            "as_of": self.as_of.astimezone(dt.UTC).isoformat(),
            "is_today": self.is_today,
            "scope": {
                "subdistrict": scope.subdistrict.code,
                "subdistrict_name": scope.subdistrict.name,
                "community": scope.community.code if scope.community else None,
                "community_name": scope.community.name if scope.community else None,
                "checkpoint": scope.checkpoint.code if scope.checkpoint else None,
                "checkpoint_name": scope.checkpoint.name if scope.checkpoint else None,
            },
            "screenings": self.screenings,
            "screenings_total": self.screenings_total,
            "fevers": self.total("fevers"),
            "referrals": self.referrals,
            "visits": self.total("visits"),
            "visits_admitted": self.total("visits_admitted"),
            "deliveries": self.total("deliveries"),
            "returnees_new": self.total("returnees_new"),
            "in_quarantine": self.total("in_quarantine"),
            "follow_ups_due": self.total("follow_ups_due"),
            "follow_ups_done": self.total("follow_ups_done"),
            "follow_ups_overdue": self.total("follow_ups_overdue"),
            "incidents_new": self.total("incidents_new"),
            "incidents_open": self.total("incidents_open"),
            "on_duty_now": [p.as_dict() for p in self.on_duty_now],
            "duty_hours": self.duty_hours,
            "rostered_hours": self.rostered_hours,
            "gates": [g.as_dict() for g in self.gates],
            "communities": [c.as_dict() for c in self.communities],
        }


# Figures exist from the first screenings of 2020 to a year ahead; outside is a typing slip
# (and year 9999 would overflow the day arithmetic).
FIRST_DAY = dt.date(2019, 12, 1)


def check_day(day: dt.date, *, field: str = "date") -> dt.date:
    """``day`` if figures can exist for it (2019-12-01 to a year from today); else
    :class:`InvalidInput` ``dashboard_date_out_of_range``."""
    last = timezone.localdate() + dt.timedelta(days=366)
    if not FIRST_DAY <= day <= last:
        raise InvalidInput(
            "dashboard_date_out_of_range", field=field, first=FIRST_DAY.isoformat(), last=last.isoformat()
        )
    return day


def _hours(value: dt.timedelta | None) -> float:
    return value.total_seconds() / 3600 if value else 0.0


def _by_zone(communities: list[Community]) -> dict[str, list[int]]:
    """Community ids grouped by time zone: an instant filter is one condition per zone."""
    zones: dict[str, list[int]] = defaultdict(list)
    for c in communities:
        zones[c.timezone].append(c.pk)
    return zones


def _day_bounds(day: dt.date, zone: str) -> tuple[dt.datetime, dt.datetime]:
    tz = zoneinfo.ZoneInfo(zone)
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz), dt.datetime.combine(
        day + dt.timedelta(days=1), dt.time(0), tzinfo=tz
    )


def day_figures(scope: Scope, day: dt.date, *, now: dt.datetime | None = None) -> DayFigures:
    """Figures of one LOCAL date. ``now`` (aware UTC instant, default ``timezone.now()``)
    decides "on duty now" (only when ``day`` is today, else empty), "open incidents" (open at
    the end of ``day``, or at ``now`` when that is earlier) and which follow-up slots are due
    and overdue (the policy's windows, DESIGN.md §4: twice a day).

    Definitions: *fevers* are screenings with ``temperature_c`` ≥ the sub-district policy's
    ``fever_c`` (37.3 °C by default); *referrals* the ``refer`` decisions; *returnees_new*
    returnees whose arrival instant falls on local ``day``; *in_quarantine* plans in force on
    ``day``; *follow_ups_due* slots whose window has opened by the end of the day (or now),
    *follow_ups_done* follow-ups recorded for ``day``, *follow_ups_overdue* slots of plans in
    force whose window has closed without one; *duty_hours* closed attendances whose sign-in
    falls on ``day`` (as ``/roster/hours/``), *rostered_hours* Shifts of published Rosters on
    ``day``. Thirteen queries at most, whatever the data size and the number of communities and
    gates. Raises :class:`InvalidInput` ``dashboard_date_out_of_range`` (:func:`check_day`).
    """
    check_day(day)
    now = now or timezone.now()
    policy = Policy.from_overrides(scope.subdistrict.policy)
    gate = scope.checkpoint
    if scope.community is not None:
        communities = [scope.community]
    else:
        communities = list(Community.objects.filter(subdistrict=scope.subdistrict).order_by("code"))
    ids = [c.pk for c in communities]
    by_id = {c.pk: c for c in communities}
    is_today = day == scope.today(now)

    here = Q(community_id__in=ids)
    at_gate = Q(checkpoint=gate) if gate is not None else Q()

    # Gates: every checkpoint in scope (the community comes from `by_id`, no join).
    gates_q = Checkpoint.objects.filter(community_id__in=ids)
    if gate is not None:
        gates_q = gates_q.filter(pk=gate.pk)
    checkpoints = list(gates_q.order_by("community_id", "code"))
    for cp in checkpoints:
        cp.community = by_id[cp.community_id]

    # Screenings: one grouped scan of the (community, local_date) index.
    per_gate: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DECISIONS, 0))
    hourly: dict[int, list[int]] = defaultdict(lambda: [0] * 24)
    fevers_gate: dict[int, int] = defaultdict(int)
    fever_c = Decimal(policy.fever_c)
    rows = (
        ScreeningEvent.objects.filter(here, at_gate, local_date=day)
        .values("checkpoint_id", "local_hour", "decision")
        .annotate(n=Count("id"), fevers=Count("id", filter=Q(temperature_c__gte=fever_c)))
        .order_by()
    )
    for r in rows:
        cp_id = r["checkpoint_id"]
        per_gate[cp_id][r["decision"]] += r["n"]
        hourly[cp_id][r["local_hour"]] += r["n"]
        fevers_gate[cp_id] += r["fevers"]
    # What `shouwang purge` counted before deleting the rows past their retention period: raw
    # rows plus these counts are always the whole day, never a row twice (privacy.DailyCount).
    kept_visits: dict[int, dict[str, int]] = defaultdict(lambda: {"n": 0, "n_admitted": 0})
    kept_deliveries: dict[int, int] = defaultdict(int)
    for kept_row in DailyCount.objects.filter(here, at_gate, local_date=day).values(
        "community_id", "checkpoint_id", "local_hour", "kind", "decision", "count", "fevers"
    ):
        if kept_row["kind"] == CountKind.SCREENING:
            per_gate[kept_row["checkpoint_id"]][kept_row["decision"]] += kept_row["count"]
            hourly[kept_row["checkpoint_id"]][kept_row["local_hour"]] += kept_row["count"]
            fevers_gate[kept_row["checkpoint_id"]] += kept_row["fevers"]
        elif kept_row["kind"] == CountKind.VISIT:
            kept_visits[kept_row["community_id"]]["n"] += kept_row["count"]
            if kept_row["decision"] == Decision.ADMIT:
                kept_visits[kept_row["community_id"]]["n_admitted"] += kept_row["count"]
        else:
            kept_deliveries[kept_row["community_id"]] += kept_row["count"]

    gates = [
        GateFigures(
            checkpoint=cp,
            screenings=dict(per_gate[cp.pk]),
            total=sum(per_gate[cp.pk].values()),
            fevers=fevers_gate[cp.pk],
            hourly=list(hourly[cp.pk]),
        )
        for cp in checkpoints
        if cp.active or cp.pk in per_gate
    ]
    gate_community = {cp.pk: cp.community_id for cp in checkpoints}

    # Visits and deliveries of the day.
    visits = {
        r["community_id"]: r
        for r in Visit.objects.filter(here, at_gate, local_date=day)
        .values("community_id")
        .annotate(n=Count("id"), n_admitted=Count("id", filter=Q(decision=Decision.ADMIT)))
        .order_by()
    }
    deliveries = dict(
        Delivery.objects.filter(here, at_gate, local_date=day)
        .values("community_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("community_id", "n")
    )
    for community_id, kept in kept_visits.items():
        row = visits.setdefault(community_id, {"community_id": community_id, "n": 0, "n_admitted": 0})
        row["n"] += kept["n"]
        row["n_admitted"] += kept["n_admitted"]
    for community_id, n in kept_deliveries.items():
        deliveries[community_id] = deliveries.get(community_id, 0) + n

    # Returnees arriving on the local day (arrival is an instant: one window per zone).
    zones = _by_zone(communities)
    arrived = Q(pk__in=[])
    for zone, zone_ids in zones.items():
        start, end = _day_bounds(day, zone)
        arrived |= Q(community_id__in=zone_ids, arrived_at__gte=start, arrived_at__lt=end)
    returnees = dict(
        Returnee.objects.filter(arrived)
        .values("community_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("community_id", "n")
    )

    # Home quarantine in force on the day, and the day's follow-ups by slot.
    in_force = Q(status__in=IN_FORCE, first_day__lte=day, last_day__gte=day) | Q(
        status__in=(PlanStatus.RELEASED, PlanStatus.TRANSFERRED), first_day__lte=day, ended_on__gt=day
    )
    holding = dict(
        QuarantinePlan.objects.filter(here)
        .filter(in_force)
        .values("community_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("community_id", "n")
    )
    plan_in_force = Q(plan__status__in=IN_FORCE, plan__first_day__lte=day, plan__last_day__gte=day) | Q(
        plan__status__in=(PlanStatus.RELEASED, PlanStatus.TRANSFERRED),
        plan__first_day__lte=day,
        plan__ended_on__gt=day,
    )
    done: dict[int, int] = defaultdict(int)
    held_done: dict[tuple[int, str], int] = defaultdict(int)
    for r in (
        FollowUp.objects.filter(here, local_date=day)
        .values("community_id", "slot")
        .annotate(n=Count("id"), held=Count("id", filter=plan_in_force))
        .order_by()
    ):
        done[r["community_id"]] += r["n"]
        held_done[(r["community_id"], r["slot"])] += r["held"]

    # Incidents: new on the day, and open at the end of it (or now, if earlier).
    incidents_q = Q(local_date=day)
    open_q = Q(pk__in=[])
    for zone, zone_ids in zones.items():
        cut = min(now, _day_bounds(day, zone)[1])
        open_q |= Q(community_id__in=zone_ids, occurred_at__lt=cut) & (
            Q(closed_at__isnull=True) | Q(closed_at__gt=cut)
        )
    incidents = {
        r["community_id"]: r
        for r in Incident.objects.filter(here, at_gate)
        .filter(incidents_q | open_q)
        .values("community_id")
        .annotate(new=Count("id", filter=incidents_q), open=Count("id", filter=open_q))
        .order_by()
    }

    # Duty hours from closed attendances signed in on the day; rostered hours from the
    # published roster of the day.
    duty = dict(
        Attendance.objects.filter(here, at_gate, local_date=day, signed_out_at__isnull=False)
        .values("community_id")
        .annotate(h=Sum(F("signed_out_at") - F("signed_in_at")))
        .order_by()
        .values_list("community_id", "h")
    )
    rostered = dict(
        Shift.objects.filter(here, at_gate, date=day, roster__status=RosterStatus.PUBLISHED)
        .values("community_id")
        .annotate(h=Sum(F("ends_at") - F("starts_at")))
        .order_by()
        .values_list("community_id", "h")
    )

    on_duty: list[OnDuty] = []
    if is_today:
        gate_by_id = {cp.pk: cp for cp in checkpoints}
        for a in (
            Attendance.objects.filter(here, at_gate, signed_out_at__isnull=True, signed_in_at__lte=now)
            .values("checkpoint_id", "signed_in_at", "staff__display_name")
            .order_by("checkpoint_id", "signed_in_at")
        ):
            where = gate_by_id.get(a["checkpoint_id"])
            if where is not None:
                on_duty.append(OnDuty(a["staff__display_name"], where, a["signed_in_at"]))

    end_of = {c.pk: min(now, _day_bounds(day, c.timezone)[1]) for c in communities}
    rows_out: list[CommunityFigures] = []
    for c in communities:
        decisions = dict.fromkeys(DECISIONS, 0)
        fevers = 0
        for cp_id, counts in per_gate.items():
            if gate_community.get(cp_id) == c.pk:
                for d, n in counts.items():
                    decisions[d] += n
                fevers += fevers_gate[cp_id]
        in_q = holding.get(c.pk, 0)
        due = overdue = 0
        for slot in Slot.values:
            opens, closes = _slot_window(slot, day, c.timezone, policy)
            if end_of[c.pk] >= opens:
                due += in_q
            if end_of[c.pk] >= closes:
                overdue += max(in_q - held_done[(c.pk, slot)], 0)
        v = visits.get(c.pk, {})
        inc = incidents.get(c.pk, {})
        rows_out.append(
            CommunityFigures(
                community=c,
                screenings=decisions,
                fevers=fevers,
                visits=v.get("n", 0),
                visits_admitted=v.get("n_admitted", 0),
                deliveries=deliveries.get(c.pk, 0),
                returnees_new=returnees.get(c.pk, 0),
                in_quarantine=in_q,
                follow_ups_due=due,
                follow_ups_done=done.get(c.pk, 0),
                follow_ups_overdue=overdue,
                incidents_new=inc.get("new", 0),
                incidents_open=inc.get("open", 0),
                duty_hours=_hours(duty.get(c.pk)),
                rostered_hours=_hours(rostered.get(c.pk)),
            )
        )
    return DayFigures(
        scope=scope,
        day=day,
        as_of=now,
        is_today=is_today,
        gates=gates,
        communities=rows_out,
        on_duty_now=on_duty,
    )


def _slot_window(slot: str, day: dt.date, zone: str, policy: Policy) -> tuple[dt.datetime, dt.datetime]:
    """When a follow-up slot of local ``day`` opens and when it is overdue (aware instants);
    the same windows as the quarantine worklist (``Policy.followup_*_h``)."""
    start_h, end_h = (
        (policy.followup_am_from_h, policy.followup_am_until_h)
        if slot == Slot.AM
        else (policy.followup_pm_from_h, policy.followup_pm_until_h)
    )
    midnight = _day_bounds(day, zone)[0]
    return midnight + dt.timedelta(hours=start_h), midnight + dt.timedelta(hours=end_h)
