"""An outsider's earlier attempts at the gates, and what they mean for this one: the retest it
answers, and a fever referral still holding (reads only; called inside the services' writes).

**Who is the same person.** Outsiders have no home community and no pass of their own, so one
person can be screened by ID number at one gate, registered as a visitor of one community and as
a delivery rider at another. Here the same person is the same identity document (its keyed
hash) or the same phone (E.164), seen anywhere in the sub-district: as a visitor (their visits,
and screenings of their visitor pass, person key ``v:<visitor id>``), as a rider (deliveries by
phone), as a resident or institution member (screenings ``r:<id>`` / ``m:<id>``), or as a document
screened at a gate (``i:<hash[:32]>``, see :mod:`shouwang.screening.identify`). A visitor record
found by document brings its phone, one found by phone its document (one step, no further).

**Rules** (DESIGN.md §4, as ``_bearing`` in :mod:`shouwang.screening.services` applies them to
residents):

- *Referral hold*: a ``refer`` of that person at any gate of the **sub-district** within
  ``Policy.referral_hold_s`` (4 h by default) before this attempt sends them back to the health
  station, whatever the new reading. Residents are held at every gate of their own community
  (``record_screening``); an outsider has no community of their own, and the sub-district is the
  level whose policy (``Subdistrict.policy``) sets these rules and whose communities share one
  health station's referrals — so the hold follows them across it (else a person referred at
  力学胡同东口, 太仆寺街, walks in a minute later at 东斜街北口, 西单北, as a "new" visitor or rider).
- *Retest*: the person's latest attempt at this gate (a visit, a delivery or an inbound
  screening) answered ``retest`` within ``Policy.retest_window_s`` → this attempt is its retest,
  so a fever read twice is referred even when the first reading was a screening and the second a
  visitor's or rider's registration.

A shared family phone can put a relative under the hold too: the gate then follows the health
station's word, which is the safe side of the choice.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from shouwang.people.models import InstitutionMember, Resident
from shouwang.places.models import Checkpoint
from shouwang.screening.choices import Decision, Direction
from shouwang.screening.models import ScreeningEvent
from shouwang.screening.policy import Policy
from shouwang.visitors.models import Delivery, Visit, Visitor

VISIT = "visit"
DELIVERY = "delivery"
SCREENING = "screening"
# How many of the person's recent attempts of each kind are read: far more than one person makes
# within the look-back, few enough that a shared phone cannot make the read slow.
RECENT = 50


@dataclass(frozen=True)
class Outsider:
    """How an outsider is recognised: document hashes (keyed, never the number) and E.164 phones."""

    id_hashes: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Attempt:
    """One earlier attempt at a gate: a visit, a delivery or a screening (``kind``), with its
    decision, reason codes and UTC instant; ``direction`` is ``in`` except for a screening out."""

    kind: str
    id: uuid.UUID
    checkpoint_id: int
    direction: str
    decision: str
    reasons: tuple[str, ...]
    at: dt.datetime


@dataclass(frozen=True)
class Bearing:
    """What the attempts mean for this one: the attempt it retests, if any, and the local time
    (``HH:MM``) of a referral still holding, if any."""

    retest_of: Attempt | None = None
    referred_since: str | None = None

    @property
    def previous_retest(self) -> tuple[str, ...]:
        """The reason codes of the ``retest`` answer this attempt retests (empty if none)."""
        return self.retest_of.reasons if self.retest_of is not None else ()

    def retest_id(self, kind: str) -> uuid.UUID | None:
        """The retested record's id when it is of ``kind`` (a visit can only point at a visit)."""
        return self.retest_of.id if self.retest_of is not None and self.retest_of.kind == kind else None


def look_back(policy: Policy) -> dt.timedelta:
    """How far back an attempt can still matter: the longer of the retest window and the hold."""
    return dt.timedelta(seconds=max(policy.retest_window_s, policy.referral_hold_s))


def _reasons(value: Any) -> tuple[str, ...]:
    return tuple(json.loads(value) if isinstance(value, str) else value or ())


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def recent_attempts(
    person: Outsider, *, subdistrict_id: int, until: dt.datetime, policy: Policy
) -> list[Attempt]:
    """The person's attempts at gates of the sub-district within :func:`look_back` before
    ``until`` (UTC instant), newest first. Six small queries at most; residents and members are
    looked up by phone among the sub-district's (no index on their phone), the rest by index."""
    hashes = {h for h in person.id_hashes if h}
    phones = {p for p in person.phones if p}
    if not hashes and not phones:
        return []
    since = until - look_back(policy)
    here = Q(community__subdistrict_id=subdistrict_id)
    visitor_ids: set[int] = set()
    known = Visitor.objects.filter(here).filter(Q(id_hash__in=hashes) | Q(phone__in=phones))
    for visitor_id, id_hash, phone in known.values_list("pk", "id_hash", "phone")[:RECENT]:
        visitor_ids.add(visitor_id)
        if id_hash:
            hashes.add(id_hash)
        if phone:
            phones.add(phone)
    keys = {f"i:{h[:32]}" for h in hashes} | {f"v:{v}" for v in visitor_ids}
    same = Q(id_hash__in=hashes) | Q(phone__in=phones)
    keys |= {f"r:{pk}" for pk in Resident.objects.filter(here, same).values_list("pk", flat=True)[:RECENT]}
    keys |= {
        f"m:{pk}" for pk in InstitutionMember.objects.filter(here, same).values_list("pk", flat=True)[:RECENT]
    }
    found: list[Attempt] = []
    screenings = ScreeningEvent.objects.filter(
        here, person_key__in=keys, occurred_at__gte=since, occurred_at__lte=until
    ).order_by("-occurred_at")
    for pk, gate, way, decision, reasons, at in screenings.values_list(
        "id", "checkpoint_id", "direction", "decision", "reasons", "occurred_at"
    )[:RECENT]:
        found.append(Attempt(SCREENING, _uuid(pk), gate, way, decision, _reasons(reasons), at))
    if visitor_ids:
        visits = Visit.objects.filter(visitor_id__in=visitor_ids, in_at__gte=since, in_at__lte=until)
        for pk, gate, decision, reasons, at in visits.order_by("-in_at").values_list(
            "id", "checkpoint_id", "decision", "reasons", "in_at"
        )[:RECENT]:
            found.append(Attempt(VISIT, _uuid(pk), gate, Direction.IN, decision, _reasons(reasons), at))
    deliveries = Delivery.objects.filter(
        here, phone__in=phones, occurred_at__gte=since, occurred_at__lte=until
    ).order_by("-occurred_at")
    for pk, gate, decision, reasons, at in deliveries.values_list(
        "id", "checkpoint_id", "decision", "reasons", "occurred_at"
    )[:RECENT]:
        found.append(Attempt(DELIVERY, _uuid(pk), gate, Direction.IN, decision, _reasons(reasons), at))
    found.sort(key=lambda a: a.at, reverse=True)
    return found


def bearing(attempts: list[Attempt], *, checkpoint: Checkpoint, at: dt.datetime, policy: Policy) -> Bearing:
    """Apply the module's rules to ``attempts`` (newest first) for an attempt coming in at
    ``checkpoint`` at ``at``: a ``refer`` anywhere in them within ``policy.referral_hold_s`` holds;
    the latest inbound attempt at this gate, if it answered ``retest`` within
    ``policy.retest_window_s``, is the one this attempt retests."""
    hold_since = at - dt.timedelta(seconds=policy.referral_hold_s)
    retest_since = at - dt.timedelta(seconds=policy.retest_window_s)
    referral = next((a for a in attempts if a.decision == Decision.REFER and hold_since <= a.at <= at), None)
    referred = referral.at.astimezone(checkpoint.community.tz).strftime("%H:%M") if referral else None
    latest = next(
        (a for a in attempts if a.checkpoint_id == checkpoint.pk and a.direction == Direction.IN), None
    )
    if latest is not None and latest.decision == Decision.RETEST and retest_since <= latest.at <= at:
        return Bearing(retest_of=latest, referred_since=referred)
    return Bearing(referred_since=referred)


def outsider_bearing(person: Outsider, *, checkpoint: Checkpoint, at: dt.datetime, policy: Policy) -> Bearing:
    """:func:`bearing` of the person's :func:`recent_attempts` in the checkpoint's sub-district."""
    attempts = recent_attempts(
        person, subdistrict_id=checkpoint.community.subdistrict_id, until=at, policy=policy
    )
    return bearing(attempts, checkpoint=checkpoint, at=at, policy=policy)
