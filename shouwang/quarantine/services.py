"""Writes of the quarantine app: registering returnees, follow-ups, changing and ending plans,
and self-reports. Pages, API and CLI all call these; each is atomic and audited.

Rules (DESIGN.md §4): 14 calendar days from the local arrival date as day 1 (``Policy``); early
release, extension or transfer only by a sub-district admin or the health station, with a reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from shouwang.core.access import require_community, require_role, role_of
from shouwang.core.audit import log_action
from shouwang.core.choices import Role
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.core.idempotency import IdReusedDifferently
from shouwang.core.models import Staff
from shouwang.people.identity import parse_document_type, validate_document
from shouwang.people.models import Resident
from shouwang.people.services import (
    ResidentIn,
    clean_text,
    get_or_create_household,
    prepare_resident,
    upsert_resident,
)
from shouwang.places.divisions import get_division
from shouwang.places.models import Community
from shouwang.quarantine.choices import (
    IN_FORCE,
    Method,
    PlanStatus,
    SelfReportStatus,
    Slot,
    Source,
    Symptom,
    Transport,
)
from shouwang.quarantine.dates import quarantine_span
from shouwang.quarantine.models import FollowUp, QuarantinePlan, Returnee, SelfReport
from shouwang.screening.choices import AlertKind
from shouwang.screening.models import Alert, ScreeningEvent
from shouwang.screening.policy import Policy
from shouwang.screening.temperature import parse_temperature

logger = logging.getLogger("shouwang.quarantine")

# A clock a few minutes fast on a phone must not refuse a real arrival.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)
PLAN_CHANGERS = (Role.SUBDISTRICT_ADMIN, Role.HEALTH_STATION)
# No home quarantine of the 2020 rules ran past 28 days (14 + a 14-day extension after a
# household contact fell ill); 60 leaves room for a second extension and refuses typing slips.
MAX_PLAN_DAYS = 60

# Train numbers (G1234, D5, K1089, 1461), flight numbers (CA1234, MU5101, 3U8888) and Chinese
# plates (京A12345, 京AD12345 for new-energy cars); loose on purpose, tight enough to catch a
# phone number typed in the wrong box.
_TRANSPORT_NUMBER = {
    Transport.TRAIN: re.compile(r"[GDCZTKYLS]?\d{1,4}"),
    Transport.FLIGHT: re.compile(r"[A-Z0-9]{2}\d{1,4}[A-Z]?"),
    Transport.CAR: re.compile(r"[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6}"),
}
_NUMBER_REQUIRED = (Transport.TRAIN, Transport.FLIGHT)


@dataclass(frozen=True)
class PersonIn:
    """Who returned: exactly one of ``resident`` (id in the community), ``id_number`` (of a
    resident of the community, with ``id_type``) or ``new`` (a person to register)."""

    resident: int | None = None
    id_number: str | None = None
    id_type: str = "resident_id"
    new: ResidentIn | None = None


@dataclass(frozen=True)
class TripIn:
    """The arrival: ``origin`` a GB/T 2260 code, ``arrived_at`` an aware instant, ``transport``
    a :class:`Transport` value with its train/flight number or plate, the address in the
    community (blank: the resident's household), and who travelled with them."""

    origin: str
    arrived_at: dt.datetime
    transport: str
    transport_number: str = ""
    address: str = ""
    companions: str = ""


@dataclass(frozen=True)
class TripFields:
    """A trip checked and normalised, ready to store."""

    origin_code: str
    origin_label: str
    arrived_at: dt.datetime
    transport: str
    transport_number: str
    address: str
    companions: str


def policy_for(community: Community) -> Policy:
    """The rules of the community's sub-district."""
    return Policy.from_overrides(community.subdistrict.policy)


def clean_trip(trip: TripIn, community: Community, *, now: dt.datetime | None = None) -> TripFields:
    """Check an arrival. Raises :class:`InvalidInput` with the field: ``division_unknown``,
    ``arrived_at_naive``, ``arrived_at_future``, ``arrived_at_too_old`` (the plan would already
    be over), ``transport_invalid``, ``transport_number_required``, ``transport_number_invalid``."""
    now = now or timezone.now()
    try:
        division = get_division((trip.origin or "").strip())
    except InvalidInput as exc:
        raise InvalidInput(exc.code, field="origin", **exc.params) from exc
    arrived_at = trip.arrived_at
    if arrived_at.tzinfo is None or arrived_at.utcoffset() is None:
        raise InvalidInput("arrived_at_naive", field="arrived_at")
    if arrived_at > now + FUTURE_TOLERANCE:
        raise InvalidInput("arrived_at_future", field="arrived_at")
    days = policy_for(community).quarantine_days
    span = quarantine_span(arrived_at, community.tz, days)
    if span.free_from <= community.local_date(now):
        raise InvalidInput(
            "arrived_at_too_old", field="arrived_at", days=days, free_from=span.free_from.isoformat()
        )
    if trip.transport not in Transport.values:
        raise InvalidInput("transport_invalid", field="transport", choices=", ".join(Transport.values))
    number = unicodedata.normalize("NFKC", trip.transport_number or "").strip().upper().replace(" ", "")
    if not number and trip.transport in _NUMBER_REQUIRED:
        raise InvalidInput("transport_number_required", field="transport_number")
    pattern = _TRANSPORT_NUMBER.get(Transport(trip.transport))
    if number and pattern is not None and not pattern.fullmatch(number):
        raise InvalidInput("transport_number_invalid", field="transport_number", raw=number[:30])
    return TripFields(
        origin_code=division.code,
        origin_label=division.label,
        arrived_at=arrived_at,
        transport=trip.transport,
        transport_number=number[:30],
        address=clean_text(trip.address, 200),
        companions=clean_text(trip.companions, 200),
    )


def _resolve_person(community: Community, person: PersonIn, *, actor: Any) -> Resident:
    given = [v for v in (person.resident, person.id_number, person.new) if v not in (None, "")]
    if len(given) != 1:
        raise InvalidInput("one_person", field="resident")
    if person.resident is not None:
        found = Resident.objects.filter(community=community, pk=person.resident).first()
        if found is None:
            raise NotFound("resident_unknown", field="resident", id=person.resident)
        return found
    if person.id_number:
        doc = validate_document(person.id_number, parse_document_type(person.id_type))
        found = Resident.objects.filter(community=community, id_hash=doc.hash).first()
        if found is None:
            raise NotFound("returnee_not_resident", field="id_number", masked=doc.masked)
        return found
    assert person.new is not None
    fields, _doc = prepare_resident(person.new)
    known = Resident.objects.filter(community=community, id_hash=fields["id_hash"]).first()
    if known is not None:
        # Never rename or re-phone a registered resident from a returnee form: a mistyped ID
        # would quarantine (and rewrite) the wrong person.
        if known.name != fields["name"]:
            raise InvalidInput(
                "person_exists", field="id_number", masked=known.id_masked, name=known.masked_name
            )
        return known
    resident, _ = upsert_resident(community, person.new, actor=actor)
    return resident


def _default_worker(community: Community, actor: Any) -> Any:
    """The registering community worker, else the community's worker with the fewest plans in
    force (so the load spreads), else nobody (the plan shows as unassigned)."""
    if role_of(actor) == Role.COMMUNITY_WORKER:
        return actor
    staff = (
        Staff.objects.filter(role=Role.COMMUNITY_WORKER, communities=community)
        .annotate(
            load=Count(
                "user__followed_plans",
                filter=Q(user__followed_plans__status__in=IN_FORCE),
            )
        )
        .order_by("load", "pk")
        .select_related("user")
        .first()
    )
    return staff.user if staff else None


def register_returnee(
    community: Community,
    *,
    person: PersonIn,
    trip: TripIn,
    source: str,
    actor: Any,
    screening: ScreeningEvent | None = None,
    worker: Any = None,
    now: dt.datetime | None = None,
) -> QuarantinePlan:
    """Register a returnee and start their home quarantine; returns the plan.

    ``source`` is a :class:`Source`; ``screening`` the gate screening it came from. The plan runs
    ``policy.quarantine_days`` local days from the arrival date. Raises :class:`Forbidden` (not
    the actor's community), :class:`NotFound` (``resident_unknown``, ``returnee_not_resident``),
    :class:`InvalidInput` for a bad trip or person, and ``quarantine_exists`` when a plan is
    already in force. Nothing is written when it raises.
    """
    require_community(actor, community)
    now = now or timezone.now()
    fields = clean_trip(trip, community, now=now)
    days = policy_for(community).quarantine_days
    span = quarantine_span(fields.arrived_at, community.tz, days)
    if screening is not None and screening.community_id != community.pk:
        raise NotFound("screening_unknown", field="screening")
    with transaction.atomic():
        resident = _resolve_person(community, person, actor=actor)
        # Two workers registering the same arrival at once: the second waits, then sees the first.
        Resident.objects.select_for_update().filter(pk=resident.pk).first()
        current = (
            QuarantinePlan.objects.filter(
                resident=resident, status__in=IN_FORCE, last_day__gte=span.first_day
            )
            .order_by("-last_day")
            .first()
        )
        if current is not None:
            raise InvalidInput(
                "quarantine_exists",
                field="resident",
                first_day=current.first_day.isoformat(),
                last_day=current.last_day.isoformat(),
            )
        # The same document registered in another community (people move; lists overlap):
        # one person, one quarantine, one worker following it up.
        elsewhere = (
            QuarantinePlan.objects.filter(
                resident__id_hash=resident.id_hash, status__in=IN_FORCE, last_day__gte=span.first_day
            )
            .exclude(community=community)
            .select_related("community")
            .first()
        )
        if elsewhere is not None:
            raise InvalidInput(
                "quarantine_exists_elsewhere",
                field="resident",
                community=elsewhere.community.name,
                last_day=elsewhere.last_day.isoformat(),
            )
        household = resident.household
        returnee = Returnee.objects.create(
            community=community,
            resident=resident,
            origin_code=fields.origin_code,
            origin_label=fields.origin_label,
            arrived_at=fields.arrived_at,
            transport=fields.transport,
            transport_number=fields.transport_number,
            address=fields.address or (household.address if household else ""),
            companions=fields.companions,
            source=source,
            screening=screening,
            registered_by=actor if getattr(actor, "pk", None) else None,
        )
        plan = QuarantinePlan.objects.create(
            community=community,
            returnee=returnee,
            resident=resident,
            first_day=span.first_day,
            last_day=span.last_day,
            worker=worker if worker is not None else _default_worker(community, actor),
        )
        log_action(
            "returnee.register",
            actor=actor,
            community=community,
            obj=plan,
            resident=resident.pk,
            source=source,
            origin=fields.origin_code,
            first_day=span.first_day.isoformat(),
            last_day=span.last_day.isoformat(),
        )
    return plan


def _plan_today(plan: QuarantinePlan, now: dt.datetime) -> dt.date:
    return plan.community.local_date(now)


def require_in_force(plan: QuarantinePlan, day: dt.date) -> None:
    """Raise ``plan_ended`` unless ``plan`` is active or extended, ``plan_not_in_force`` unless it
    covers local ``day``."""
    if plan.status not in IN_FORCE:
        raise InvalidInput("plan_ended", field="plan", status=plan.get_status_display())
    if not plan.first_day <= day <= plan.last_day:
        raise InvalidInput(
            "plan_not_in_force",
            field="plan",
            day=day.isoformat(),
            first_day=plan.first_day.isoformat(),
            last_day=plan.last_day.isoformat(),
        )


def slot_at(local_hour: int, policy: Policy) -> str:
    """The follow-up slot a local hour belongs to: the morning one until the afternoon one opens."""
    return Slot.AM if local_hour < policy.followup_pm_from_h else Slot.PM


@dataclass
class FollowUpResult:
    """The stored follow-up, whether this call created it (False: the same client UUID was
    seen before), and the alert kinds it raised."""

    follow_up: FollowUp
    created: bool
    alerts: list[str] = field(default_factory=list)


def record_follow_up(
    plan: QuarantinePlan,
    *,
    temperature: str | float | Decimal | None,
    symptoms: list[str] | tuple[str, ...] = (),
    method: str,
    actor: Any,
    slot: str | None = None,
    local_date: dt.date | None = None,
    note: str = "",
    client_id: uuid.UUID | None = None,
    replace: bool = False,
    now: dt.datetime | None = None,
) -> FollowUpResult:
    """Record a follow-up of ``plan``: a reading (°C, or anything ``parse_temperature`` takes)
    and symptoms (:class:`Symptom` values) for ``slot`` of ``local_date`` (defaults: now, local).

    A slot holds one reading: recording it again with other values is refused
    (``follow_up_changed``) unless ``replace`` — a worker's correction, audited with the old values;
    the returnee's own link never replaces (``follow_up_exists``). The same ``client_id`` again
    returns the first record; with other values it is :class:`IdReusedDifferently` (409). The
    afternoon slot of today cannot be recorded before it opens (``slot_not_open``). A fever (≥ ``policy.fever_c``) or any symptom raises a health-station alert with
    what to do, notified on commit. ``actor`` None is the returnee's own report (self link).
    Raises :class:`InvalidInput`: ``plan_not_in_force``, ``follow_up_future``,
    ``temperature_required``, ``temperature_unreadable``, ``follow_up_implausible``,
    ``symptom_unknown``, ``method_invalid``, ``slot_invalid``.
    """
    community = plan.community
    if actor is not None:
        require_community(actor, community)
        require_role(actor, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.HEALTH_STATION)
    if client_id is not None:
        # A retry is answered before any check the clock may have changed (midnight, plan ended).
        seen = FollowUp.objects.filter(pk=client_id).first()
        if seen is not None:
            if seen.plan_id != plan.pk:
                raise InvalidInput("follow_up_id_reused", field="id")
            if not _same_reading(seen, temperature, symptoms, slot, local_date):
                raise IdReusedDifferently("id_reused_differently", field="id")
            return FollowUpResult(seen, created=False)
    policy = policy_for(community)
    now = now or timezone.now()
    local_now = now.astimezone(community.tz)
    day = local_date or local_now.date()
    if day > local_now.date():
        raise InvalidInput("follow_up_future", field="local_date", day=day.isoformat())
    require_in_force(plan, day)
    slot = slot or slot_at(local_now.hour, policy)
    if slot not in Slot.values:
        raise InvalidInput("slot_invalid", field="slot")
    if slot == Slot.PM and day == local_now.date() and local_now.hour < policy.followup_pm_from_h:
        raise InvalidInput("slot_not_open", field="slot", day=day.isoformat(), hour=policy.followup_pm_from_h)
    if method not in Method.values:
        raise InvalidInput("method_invalid", field="method", choices=", ".join(Method.values))
    reading = parse_temperature(temperature, policy)
    if reading.celsius is None:
        raise InvalidInput("temperature_required", field="temperature")
    if not reading.plausible:
        raise InvalidInput("follow_up_implausible", field="temperature", celsius=str(reading.celsius))
    unknown = [s for s in symptoms if s not in Symptom.values]
    if unknown:
        raise InvalidInput("symptom_unknown", field="symptoms", raw=str(unknown[0])[:30])
    symptom_list = sorted(set(symptoms))
    alerts: list[str] = []
    if reading.celsius >= policy.fever_c:
        alerts.append(AlertKind.FOLLOWUP_FEVER)
    elif symptom_list:
        alerts.append(AlertKind.FOLLOWUP_SYMPTOMS)
    values = {
        "temperature_c": reading.celsius,
        "temperature_raw": reading.raw,
        "symptoms": symptom_list,
        "method": method,
        "note": clean_text(note, 200),
        "recorded_by": actor if getattr(actor, "pk", None) else None,
        "recorded_at": now,
    }
    try:
        with transaction.atomic():
            existing = (
                FollowUp.objects.select_for_update().filter(plan=plan, local_date=day, slot=slot).first()
            )
            if existing is not None and actor is None:
                # The returnee's own link never overwrites a reading a worker (or they) took.
                raise InvalidInput(
                    "follow_up_exists", field="slot", day=day.isoformat(), slot=Slot(slot).label
                )
            if existing is not None and not replace:
                if existing.temperature_c == reading.celsius and existing.symptoms == symptom_list:
                    return FollowUpResult(existing, created=False)  # the same reading sent twice
                # A fever must not vanish under a later "36.5" typed into the same slot by mistake.
                raise InvalidInput(
                    "follow_up_changed",
                    field="slot",
                    day=day.isoformat(),
                    slot=Slot(slot).label,
                    celsius=str(existing.temperature_c),
                )
            before = (
                {
                    "celsius": str(existing.temperature_c),
                    "symptoms": existing.symptoms,
                    "by": existing.recorded_by_id,
                }
                if existing is not None
                else None
            )
            if existing is None:
                follow_up = FollowUp.objects.create(
                    id=client_id or uuid.uuid4(),
                    community=community,
                    plan=plan,
                    local_date=day,
                    slot=slot,
                    **values,
                )
                action = "follow_up.record"
            else:
                for key, value in values.items():
                    setattr(existing, key, value)
                existing.save()
                follow_up = existing
                action = "follow_up.correct"
            log_action(
                action,
                actor=actor,
                community=community,
                obj=follow_up,
                plan=plan.pk,
                day=day.isoformat(),
                slot=slot,
                celsius=str(reading.celsius),
                symptoms=symptom_list,
                before=before,
            )
            day_number = (day - plan.first_day).days + 1
            for kind in alerts:
                alert = Alert.objects.create(
                    community=community,
                    kind=kind,
                    resident=plan.resident,
                    detail={
                        "plan": plan.pk,
                        "follow_up": str(follow_up.pk),
                        "day": day_number,
                        "date": day.isoformat(),
                        "slot": slot,
                        "celsius": str(reading.celsius),
                        "symptoms": symptom_list,
                    },
                )
                transaction.on_commit(_notify_later(alert))
    except IntegrityError:
        seen = FollowUp.objects.filter(pk=client_id).first() if client_id is not None else None
        if seen is None:
            raise  # the slot was taken by another record at the same moment, not a retry of this one
        if seen.plan_id != plan.pk:
            raise InvalidInput("follow_up_id_reused", field="id") from None
        return FollowUpResult(seen, created=False)
    return FollowUpResult(follow_up, created=True, alerts=alerts)


def _same_reading(
    seen: FollowUp,
    temperature: str | float | Decimal | None,
    symptoms: list[str] | tuple[str, ...],
    slot: str | None,
    local_date: dt.date | None,
) -> bool:
    """Whether a retried follow-up carries what the stored one holds (fields it leaves out match)."""
    try:
        celsius = parse_temperature(temperature).celsius
    except InvalidInput:
        return False
    return (
        celsius == seen.temperature_c
        and sorted(set(symptoms)) == seen.symptoms
        and (slot is None or slot == seen.slot)
        and (local_date is None or local_date == seen.local_date)
    )


def _notify_later(alert: Alert) -> Callable[[], None]:
    """The after-commit callback that tells whoever acts on ``alert``."""
    from shouwang.quarantine.messages import alert_words
    from shouwang.quarantine.notify import notify_alert

    def send() -> None:
        notify_alert(alert, alert_words(alert, "zh-hans"))

    return send


def _reason(reason: str) -> str:
    text = clean_text(reason, 200)
    if len(text) < 2:
        raise InvalidInput("reason_required", field="reason")
    return text


def release_early(
    plan: QuarantinePlan, *, reason: str, actor: Any, now: dt.datetime | None = None
) -> QuarantinePlan:
    """End a plan in force before its last day (e.g. a negative test and a doctor's decision);
    the person is free from now. Only :data:`PLAN_CHANGERS`, with a reason; audited.
    Raises :class:`Forbidden`, ``reason_required``, ``plan_not_in_force``."""
    return _end(
        plan, PlanStatus.RELEASED, reason=reason, actor=actor, now=now, action="quarantine.release_early"
    )


def transfer_to_hospital(
    plan: QuarantinePlan, *, reason: str, actor: Any, now: dt.datetime | None = None
) -> QuarantinePlan:
    """End a plan because the person was taken to hospital (转院); same rules as an early release."""
    return _end(
        plan, PlanStatus.TRANSFERRED, reason=reason, actor=actor, now=now, action="quarantine.transfer"
    )


def _end(
    plan: QuarantinePlan, status: str, *, reason: str, actor: Any, now: dt.datetime | None, action: str
) -> QuarantinePlan:
    require_community(actor, plan.community)
    require_role(actor, *PLAN_CHANGERS)
    text = _reason(reason)
    today = _plan_today(plan, now or timezone.now())
    with transaction.atomic():
        locked = QuarantinePlan.objects.select_for_update().get(pk=plan.pk)
        require_in_force(locked, today)
        before = locked.status
        locked.status = status
        locked.ended_on = today
        locked.end_reason = text
        locked.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
        log_action(
            action,
            actor=actor,
            community=plan.community,
            obj=locked,
            reason=text,
            before=before,
            planned_last_day=locked.last_day.isoformat(),
            ended_on=today.isoformat(),
        )
    return locked


def extend_plan(
    plan: QuarantinePlan, *, last_day: dt.date, reason: str, actor: Any, now: dt.datetime | None = None
) -> QuarantinePlan:
    """Move a plan's last day (local date, inclusive) later, e.g. a companion fell ill. Only
    :data:`PLAN_CHANGERS`, with a reason; audited. Raises :class:`Forbidden`, ``reason_required``,
    ``plan_not_in_force``, ``extend_not_later`` (the new day must be after the current one)."""
    require_community(actor, plan.community)
    require_role(actor, *PLAN_CHANGERS)
    text = _reason(reason)
    today = _plan_today(plan, now or timezone.now())
    with transaction.atomic():
        locked = QuarantinePlan.objects.select_for_update().get(pk=plan.pk)
        require_in_force(locked, today)
        if last_day <= locked.last_day:
            raise InvalidInput("extend_not_later", field="last_day", current=locked.last_day.isoformat())
        longest = locked.first_day + dt.timedelta(days=MAX_PLAN_DAYS - 1)
        if last_day > longest:
            raise InvalidInput(
                "extend_too_far", field="last_day", days=MAX_PLAN_DAYS, latest=longest.isoformat()
            )
        before = locked.last_day
        locked.last_day = last_day
        locked.status = PlanStatus.EXTENDED
        locked.end_reason = text
        locked.save(update_fields=["last_day", "status", "end_reason", "updated_at"])
        log_action(
            "quarantine.extend",
            actor=actor,
            community=plan.community,
            obj=locked,
            reason=text,
            before=before.isoformat(),
            after=last_day.isoformat(),
        )
    return locked


def assign_worker(plan: QuarantinePlan, *, worker: Any, actor: Any) -> QuarantinePlan:
    """Give a plan's follow-ups to ``worker`` (a community worker of its community); audited."""
    require_community(actor, plan.community)
    require_role(actor, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER)
    if role_of(worker) != Role.COMMUNITY_WORKER:
        raise InvalidInput("worker_invalid", field="worker")
    require_community(worker, plan.community)
    with transaction.atomic():
        plan.worker = worker
        plan.save(update_fields=["worker", "updated_at"])
        log_action("quarantine.assign", actor=actor, community=plan.community, obj=plan, worker=worker.pk)
    return plan


def plans_due_for_release(
    communities: list[Community], *, now: dt.datetime | None = None
) -> list[QuarantinePlan]:
    """Plans in force whose free day has come in their community's local calendar (read only)."""
    now = now or timezone.now()
    due: list[QuarantinePlan] = []
    for community in communities:
        today = community.local_date(now)
        due.extend(
            QuarantinePlan.objects.filter(community=community, status__in=IN_FORCE, last_day__lt=today)
            .select_related("resident", "community")
            .order_by("last_day", "pk")
        )
    return due


def release_due(plans: list[QuarantinePlan], *, actor: Any, now: dt.datetime | None = None) -> int:
    """Release the given plans whose free day has come (期满解除): status ``released`` from the
    start of ``last_day + 1``. A plan changed since it was listed is skipped. Returns how many."""
    now = now or timezone.now()
    released = 0
    with transaction.atomic():
        for plan in plans:
            today = plan.community.local_date(now)
            locked = QuarantinePlan.objects.select_for_update().filter(pk=plan.pk).first()
            if locked is None or locked.status not in IN_FORCE or locked.last_day >= today:
                continue
            locked.status = PlanStatus.RELEASED
            locked.ended_on = locked.last_day + dt.timedelta(days=1)
            locked.end_reason = "期满解除 completed"
            locked.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])
            log_action(
                "quarantine.release_due",
                actor=actor,
                community=plan.community,
                obj=locked,
                last_day=locked.last_day.isoformat(),
            )
            released += 1
    return released


def submit_self_report(
    community: Community, *, person: ResidentIn, trip: TripIn, now: dt.datetime | None = None
) -> SelfReport:
    """A returnee's own report through the community's link; waits for a worker's confirmation.

    Every field is checked now (the returnee is there to fix it); the ID number is kept only as
    its keyed hash and masked form. Raises :class:`InvalidInput` like :func:`register_returnee`.
    """
    fields, doc = prepare_resident(person)
    clean = clean_trip(trip, community, now=now)
    stored_person = {k: v for k, v in fields.items() if k != "household"}
    stored_person["address"] = clean_text(person.address, 200)
    with transaction.atomic():
        report = SelfReport.objects.create(
            community=community,
            person=stored_person,
            trip={
                "origin": clean.origin_code,
                "origin_label": clean.origin_label,
                "arrived_at": clean.arrived_at.isoformat(),
                "transport": clean.transport,
                "transport_number": clean.transport_number,
                "address": clean.address,
                "companions": clean.companions,
            },
        )
        log_action("self_report.submit", actor=None, community=community, obj=report, masked=doc.masked)
    return report


def _pending(report: SelfReport, actor: Any) -> SelfReport:
    require_community(actor, report.community)
    require_role(actor, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.HEALTH_STATION)
    locked = SelfReport.objects.select_for_update().get(pk=report.pk)
    if locked.status != SelfReportStatus.PENDING:
        raise InvalidInput("self_report_decided", field="report", status=locked.get_status_display())
    return locked


def confirm_self_report(report: SelfReport, *, actor: Any, now: dt.datetime | None = None) -> QuarantinePlan:
    """A worker confirms a self-report: the person becomes (or is matched to) a resident and the
    plan starts from the reported arrival. Raises like :func:`register_returnee`, and
    ``self_report_decided`` if someone already dealt with it."""
    community = report.community
    with transaction.atomic():
        locked = _pending(report, actor)
        data = locked.person
        resident = Resident.objects.filter(community=community, id_hash=data["id_hash"]).first()
        if resident is None:
            household = get_or_create_household(community, data.get("address", ""))
            fields = {k: v for k, v in data.items() if k != "address"}
            resident = Resident.objects.create(community=community, household=household, **fields)
            log_action("resident.register", actor=actor, community=community, obj=resident, via="self_report")
        trip = locked.trip
        plan = register_returnee(
            community,
            person=PersonIn(resident=resident.pk),
            trip=TripIn(
                origin=trip["origin"],
                arrived_at=dt.datetime.fromisoformat(trip["arrived_at"]),
                transport=trip["transport"],
                transport_number=trip.get("transport_number", ""),
                address=trip.get("address", ""),
                companions=trip.get("companions", ""),
            ),
            source=Source.SELF_REPORT,
            actor=actor,
            now=now,
        )
        locked.status = SelfReportStatus.CONFIRMED
        locked.returnee = plan.returnee
        locked.decided_by = actor
        locked.decided_at = now or timezone.now()
        locked.save(update_fields=["status", "returnee", "decided_by", "decided_at"])
        log_action("self_report.confirm", actor=actor, community=community, obj=locked, plan=plan.pk)
    return plan


def reject_self_report(
    report: SelfReport, *, reason: str, actor: Any, now: dt.datetime | None = None
) -> SelfReport:
    """A worker turns a self-report down (a duplicate, a joke, not of this community), with a reason."""
    text = _reason(reason)
    with transaction.atomic():
        locked = _pending(report, actor)
        locked.status = SelfReportStatus.REJECTED
        locked.reject_reason = text
        locked.decided_by = actor
        locked.decided_at = now or timezone.now()
        locked.save(update_fields=["status", "reject_reason", "decided_by", "decided_at"])
        log_action("self_report.reject", actor=actor, community=report.community, obj=locked, reason=text)
    return locked


def export_health_station_xlsx(user: Any, *, day: dt.date, via: str, now: dt.datetime | None = None) -> bytes:
    """The health station's workbook for local ``day`` (see ``selectors.health_station_xlsx``),
    audited as every export is (DESIGN.md §4). ``via`` says where it went (``page``, ``cli:FILE``).
    Raises :class:`Forbidden` for gate staff."""
    from shouwang.quarantine.selectors import health_station_xlsx

    require_role(user, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.HEALTH_STATION)
    data = health_station_xlsx(user, day, now=now)
    log_action("quarantine.export", actor=user, date=day.isoformat(), via=via, size=len(data))
    return data


def resolve_alert(alert: Alert, *, resolution: str, actor: Any, now: dt.datetime | None = None) -> Alert:
    """Close an alert with what was done (e.g. "上门复测 36.8，无需转诊"); audited. Raises
    ``reason_required`` without words, ``alert_resolved`` if already closed."""
    require_community(actor, alert.community)
    require_role(actor, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.HEALTH_STATION)
    text = _reason(resolution)
    with transaction.atomic():
        locked = Alert.objects.select_for_update().get(pk=alert.pk)
        if locked.resolved_at is not None:
            raise InvalidInput("alert_resolved", field="alert")
        locked.resolved_at = now or timezone.now()
        locked.resolved_by = actor
        locked.resolution = text
        locked.save(update_fields=["resolved_at", "resolved_by", "resolution"])
        log_action("alert.resolve", actor=actor, community=alert.community, obj=locked, resolution=text)
    return locked
