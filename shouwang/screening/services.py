"""The screening write path: ``record_screening`` (after pretix's ``perform_checkin``).

Validate → identify → lock the person → duplicate/retest check → pure decision → one
``ScreeningEvent`` and its alerts, atomically → notifications on commit. Safe to repeat with the
same client UUID. The event row is itself the record of who screened whom, so no separate
audit row is written per screening (that would double the writes of the hottest path).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shouwang.core.access import require_community
from shouwang.core.db import insert_row, write_transaction
from shouwang.core.errors import InvalidInput
from shouwang.core.idempotency import IdReusedDifferently
from shouwang.passes.models import Pass
from shouwang.people.models import InstitutionMember, Resident
from shouwang.places.models import Checkpoint
from shouwang.screening.choices import Decision, Direction
from shouwang.screening.decision import GateInput, decide
from shouwang.screening.identify import Found, Identifier, identify
from shouwang.screening.models import Alert, ScreeningAlias, ScreeningEvent
from shouwang.screening.policy import Policy
from shouwang.screening.temperature import Reading, parse_temperature

logger = logging.getLogger("shouwang.screening")

FUTURE_TOLERANCE = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class ScreeningResult:
    """The stored event; ``created`` is False for an idempotent repeat or a duplicate scan."""

    event: ScreeningEvent
    created: bool


def _fingerprint(checkpoint: Checkpoint, direction: str, found: Found, reading: Reading, mask: Any) -> str:
    """What makes two submissions the same screening: gate, direction, person and the reading
    as read (``366``, ``36.6`` and ``３６６`` are one reading; a QR and its typed number one person)."""
    canonical = json.dumps(
        [checkpoint.pk, direction, found.person_key, str(reading.celsius), reading.converted_from_f, mask]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _lock_person(found: Found) -> None:
    """Serialise screenings of one person so two gates cannot both miss each other's scan.
    SQLite has one writer at a time already, so only other databases need the row lock."""
    if connection.vendor == "sqlite":
        return
    if found.pass_id is not None:
        list(Pass.objects.select_for_update().filter(pk=found.pass_id).values_list("pk"))
    elif found.resident_id is not None:
        list(Resident.objects.select_for_update().filter(pk=found.resident_id).values_list("pk"))
    elif found.member_id is not None:
        list(InstitutionMember.objects.select_for_update().filter(pk=found.member_id).values_list("pk"))


def record_screening(
    ident: Identifier,
    *,
    checkpoint: Checkpoint,
    direction: str,
    temperature: str | float | None,
    mask: bool | None,
    actor: Any,
    client_id: uuid.UUID | None = None,
    occurred_at: dt.datetime | None = None,
    policy: Policy | None = None,
) -> ScreeningResult:
    """Screen one person at ``checkpoint`` and store the decision.

    ``temperature`` is as typed (``"366"``, ``36.6``, ``"98.6"`` °F…); ``occurred_at`` is an aware
    instant (default now), stored in UTC with the community's local date and hour. A repeat of
    ``client_id`` returns the first event (``created=False``); so does the same person at the same
    gate and direction with the same reading and mask within ``policy.duplicate_window_s`` of
    ``occurred_at`` (a scanner firing twice). A changed reading is a record of its own, and after a
    ``retest`` answer it is the retest. A fever referral anywhere in the community within
    ``policy.referral_hold_s`` sends the person back to the health station at every gate.

    Raises :class:`InvalidInput` (bad direction, temperature, ID number, typed pass number,
    identifier, an ``occurred_at`` without offset, in the future or older than
    ``policy.backdate_days``), :class:`Forbidden` (not the actor's community),
    :class:`NotFound` (resident), :class:`IdReusedDifferently`. Nothing is written when it raises.
    """
    if direction not in Direction.values:
        raise InvalidInput("direction_invalid", field="direction")
    now = timezone.now()
    occurred_at = occurred_at or now
    if timezone.is_naive(occurred_at):
        raise InvalidInput("occurred_at_naive", field="occurred_at")
    if occurred_at > now + FUTURE_TOLERANCE:
        raise InvalidInput("occurred_at_future", field="occurred_at")
    community = checkpoint.community
    policy = policy or Policy.from_overrides(community.subdistrict.policy)
    if occurred_at < now - dt.timedelta(days=policy.backdate_days):
        raise InvalidInput("occurred_at_too_old", field="occurred_at", days=policy.backdate_days)
    require_community(actor, community)
    reading = parse_temperature(temperature, policy)
    found = identify(ident, community)
    fingerprint = _fingerprint(checkpoint, direction, found, reading, mask)
    if client_id is not None:
        seen = _seen(client_id, fingerprint)
        if seen is not None:
            return seen
    local = occurred_at.astimezone(community.tz)

    try:
        with write_transaction():
            _lock_person(found)
            bearing = _Bearing()
            if found.person_key:
                bearing = _bearing(
                    _history(found, occurred_at, policy),
                    checkpoint=checkpoint,
                    direction=direction,
                    occurred_at=occurred_at,
                    fingerprint=fingerprint,
                    policy=policy,
                )
            if bearing.duplicate_of is not None:
                first = ScreeningEvent.objects.get(pk=bearing.duplicate_of)
                if client_id is not None:
                    # The device's UUID is now spent on this merge (see ScreeningAlias).
                    ScreeningAlias.objects.create(id=client_id, event=first, fingerprint=fingerprint)
                return ScreeningResult(first, created=False)
            outcome = decide(
                GateInput(
                    identity=found.identity,
                    checkpoint_id=checkpoint.pk,
                    community_id=community.pk,
                    direction=direction,
                    today=local.date(),
                    pass_facts=found.pass_facts,
                    quarantine_until=found.quarantine_until,
                    reading=reading,
                    mask=mask,
                    previous_retest=bearing.retest_of,
                    checkpoint_open=checkpoint.is_open_at(local.time()),
                    hours=checkpoint.hours_label(),
                    referred_since=bearing.referred_since,
                ),
                policy,
            )
            event = ScreeningEvent(
                id=client_id or uuid.uuid4(),
                community=community,
                checkpoint=checkpoint,
                staff=actor if getattr(actor, "pk", None) else None,
                pass_obj_id=found.pass_id,
                resident_id=found.resident_id,
                member_id=found.member_id,
                person_key=found.person_key,
                person_masked=found.person_masked,
                identified_by=found.identified_by,
                direction=direction,
                occurred_at=occurred_at,
                local_date=local.date(),
                local_hour=local.hour,
                temperature_raw=reading.raw,
                temperature_c=reading.celsius,
                temperature_converted_f=reading.converted_from_f,
                mask=mask,
                decision=outcome.decision,
                reasons=list(outcome.reasons),
                reason_params=outcome.params,
                fingerprint=fingerprint,
            )
            insert_row(event)
            if outcome.alerts:
                raised = Alert.objects.bulk_create(
                    [
                        Alert(community=community, kind=k, screening=event, resident_id=found.resident_id)
                        for k in outcome.alerts
                    ]
                )
                transaction.on_commit(lambda: _notify(raised))
            if found.visit_id is not None and outcome.decision == Decision.ADMIT:
                # A visitor pass let through: going out is the visit's exit, coming back its
                # re-entry (imported here: the visitors app imports this module).
                from shouwang.visitors.services import record_pass_scan

                record_pass_scan(
                    found.visit_id,
                    checkpoint=checkpoint,
                    direction=direction,
                    actor=actor,
                    occurred_at=occurred_at,
                )
    except IntegrityError:
        # Two submissions of one client UUID raced; the other one won.
        seen = _seen(client_id, fingerprint) if client_id is not None else None
        if seen is None:
            raise
        return seen
    return ScreeningResult(event, created=True)


def _seen(client_id: uuid.UUID, fingerprint: str) -> ScreeningResult | None:
    """The screening a client UUID already names — its own, or the one its scan was merged
    into — or ``None``. Raises :class:`IdReusedDifferently` when it named other content."""
    existing = ScreeningEvent.objects.filter(pk=client_id).first()
    if existing is not None:
        return _repeat(existing, fingerprint)
    alias = ScreeningAlias.objects.select_related("event").filter(pk=client_id).first()
    if alias is None:
        return None
    if alias.fingerprint != fingerprint:
        raise IdReusedDifferently("id_reused_differently", field="id")
    return ScreeningResult(alias.event, created=False)


def _repeat(existing: ScreeningEvent, fingerprint: str) -> ScreeningResult:
    if existing.fingerprint != fingerprint:
        raise IdReusedDifferently("id_reused_differently", field="id")
    return ScreeningResult(existing, created=False)


# Hand-written: on the hottest path the ORM's query building cost more than SQLite did, and
# one query for the person's recent screenings saves a database round trip on PostgreSQL.
_HISTORY_SQL = (
    "SELECT id, checkpoint_id, direction, community_id, decision, reasons, fingerprint, occurred_at"  # noqa: S608 - only our table name is formatted in; values are %s parameters  # nosec B608
    f" FROM {ScreeningEvent._meta.db_table}"
    " WHERE person_key = %s AND occurred_at >= %s AND occurred_at <= %s"
    " ORDER BY occurred_at DESC LIMIT 50"
)


@dataclass(frozen=True)
class _Past:
    """One earlier screening of the person, as the duplicate, retest and referral rules see it."""

    id: uuid.UUID
    checkpoint_id: int
    direction: str
    community_id: int
    decision: str
    reasons: tuple[str, ...]
    fingerprint: str
    occurred_at: dt.datetime


@dataclass(frozen=True)
class _Bearing:
    """What earlier screenings mean for this one: a duplicate of ``duplicate_of``, the retest of
    ``retest_of`` (its reason codes), and the local time of a fever referral still holding."""

    duplicate_of: uuid.UUID | None = None
    retest_of: tuple[str, ...] = ()
    referred_since: str | None = None


def _instant(value: object) -> dt.datetime:
    """SQLite hands back naive UTC text in raw queries; PostgreSQL an aware datetime."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime.fromisoformat(str(value)).replace(tzinfo=dt.UTC)


def _history(found: Found, occurred_at: dt.datetime, policy: Policy) -> list[_Past]:
    """The person's screenings (any gate) from the longest look-back of the policy up to the
    duplicate window after ``occurred_at``, newest first. One query on (person_key, occurred_at)."""
    window = dt.timedelta(seconds=policy.duplicate_window_s)
    back = dt.timedelta(
        seconds=max(policy.retest_window_s, policy.duplicate_window_s, policy.referral_hold_s)
    )
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _HISTORY_SQL, [found.person_key, adapt(occurred_at - back), adapt(occurred_at + window)]
        )
        rows = cursor.fetchall()
    return [
        _Past(
            id=pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk)),
            checkpoint_id=gate,
            direction=way,
            community_id=community,
            decision=decision,
            reasons=tuple(json.loads(reasons) if isinstance(reasons, str) else reasons),
            fingerprint=fingerprint,
            occurred_at=_instant(at),
        )
        for pk, gate, way, community, decision, reasons, fingerprint, at in rows
    ]


def _bearing(
    history: list[_Past],
    *,
    checkpoint: Checkpoint,
    direction: str,
    occurred_at: dt.datetime,
    fingerprint: str,
    policy: Policy,
) -> _Bearing:
    """Apply the rules to the person's recent screenings (newest first).

    Duplicate: the latest screening here in this direction, within the duplicate window, with the
    same content (a scanner firing twice); duplicates are never stored, so it is the first record
    of its burst. A changed reading or mask is a record of its own. Retest: that latest
    screening answered ``retest`` within the retest window, before this one. Referral hold: a
    ``refer`` in the same community within ``policy.referral_hold_s`` before this one.
    """
    window = dt.timedelta(seconds=policy.duplicate_window_s)
    retest_since = occurred_at - dt.timedelta(seconds=max(policy.retest_window_s, policy.duplicate_window_s))
    hold_since = occurred_at - dt.timedelta(seconds=policy.referral_hold_s)
    here = next((p for p in history if p.checkpoint_id == checkpoint.pk and p.direction == direction), None)
    referral = next(
        (
            p
            for p in history
            if p.decision == Decision.REFER
            and p.community_id == checkpoint.community_id
            and hold_since <= p.occurred_at <= occurred_at
        ),
        None,
    )
    referred_since = (
        referral.occurred_at.astimezone(checkpoint.community.tz).strftime("%H:%M")
        if referral is not None and direction == Direction.IN
        else None
    )
    if here is None or here.occurred_at < retest_since:
        return _Bearing(referred_since=referred_since)
    if abs(here.occurred_at - occurred_at) <= window and here.fingerprint == fingerprint:
        return _Bearing(duplicate_of=here.id)
    if here.decision == Decision.RETEST and here.occurred_at <= occurred_at:
        return _Bearing(retest_of=here.reasons, referred_since=referred_since)
    return _Bearing(referred_since=referred_since)


def _notify(alerts: list[Alert]) -> None:
    """Side effects after commit: each alert, in words with what to do, to whoever acts on it
    (the health station for a fever referral, the person's community worker for a breach)."""
    from shouwang.quarantine.messages import alert_words
    from shouwang.quarantine.notify import notify_alert

    for alert in alerts:
        if alert.pk is None:  # bulk_create on a database that returns no ids
            continue
        notify_alert(alert, alert_words(alert, "zh-hans"))
