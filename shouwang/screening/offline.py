"""The offline bundle of one gate: what a gate phone needs to decide with no network (issue 8,
"Offline gates").

A read: the pass-signing public key, the sub-district's revoked pass numbers, this community's
passes keyed by number (masked holder, validity, whether this gate lets it through, home
quarantine, a fever referral still holding) and the policy figures the decision uses. No clear ID
number, phone or address is in it: the card offline shows the masked name and ID as online.

The device decides with the same rules as :func:`shouwang.screening.decision.decide` (in
``static/screening/gate-offline.js``); the server's decision on sync is the record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.db.models import Max
from django.utils import timezone

from shouwang.core.audit import log_action
from shouwang.passes import signing
from shouwang.passes.models import Pass, PassCheckpoint
from shouwang.places.models import Checkpoint
from shouwang.quarantine.models import QuarantinePlan
from shouwang.screening.choices import Decision
from shouwang.screening.models import ScreeningEvent
from shouwang.screening.policy import Policy

# Passes that ended longer ago than this are left out: their QR says they expired, and a typed
# number of one is read as unknown offline (the server says "expired" on sync).
EXPIRED_KEPT_DAYS = 30
# The policy figures the device's decision uses (°C as text, seconds, days, booleans).
POLICY_FIELDS = (
    "fever_c",
    "plausible_min_c",
    "plausible_max_c",
    "fahrenheit_min",
    "fahrenheit_max",
    "temperature_on_exit",
    "mask_required_in",
    "mask_required_out",
    "retest_window_s",
    "duplicate_window_s",
    "referral_hold_s",
    "backdate_days",
)


def _masked_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


def gate_bundle(gate: Checkpoint, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The offline bundle of ``gate`` (a JSON-able dict), without any check of who asks.

    Shape: ``version`` (16 hex chars, a digest of everything but ``generated_at``: the ETag),
    ``generated_at`` (UTC instant), ``checkpoint`` {id, code, name, community (code),
    community_id, community_name, timezone, opens_at/closes_at (local ``HH:MM`` or null), hours},
    ``key`` {id, public (raw Ed25519, base64url)}, ``policy`` (see :data:`POLICY_FIELDS`; °C as
    text), ``revoked`` [{number, revoked_at}] of the whole sub-district, and ``passes``
    {number: {person, type, valid_from, valid_until (local dates), allowed_here, quarantine_until
    (local date or null), referred_at (UTC instant of a fever referral within
    ``policy.referral_hold_s``, or null)}} of this community. Six queries whatever the size.
    """
    now = now or timezone.now()
    community = gate.community
    policy = Policy.from_overrides(community.subdistrict.policy)
    today = community.local_date(now)
    kept_from = today - dt.timedelta(days=EXPIRED_KEPT_DAYS)

    rows = list(
        Pass.objects.filter(community=community, revoked_at__isnull=True, valid_until__gte=kept_from)
        .select_related("pass_type", "resident", "member")
        .order_by("number")
    )
    restricted = [p.pk for p in rows if p.restricted]
    allowed: dict[int, set[int]] = {}
    if restricted:
        for pass_id, checkpoint_id in PassCheckpoint.objects.filter(pass_obj_id__in=restricted).values_list(
            "pass_obj_id", "checkpoint_id"
        ):
            allowed.setdefault(pass_id, set()).add(checkpoint_id)
    quarantine = dict(
        QuarantinePlan.objects.filter(
            community=community, status__in=("active", "extended"), last_day__gte=today
        )
        .values("resident_id")
        .annotate(last=Max("last_day"))
        .values_list("resident_id", "last")
    )
    referred: dict[str, dt.datetime] = {}
    for key, at in ScreeningEvent.objects.filter(
        community=community,
        decision=Decision.REFER,
        occurred_at__gte=now - dt.timedelta(seconds=policy.referral_hold_s),
    ).values_list("person_key", "occurred_at"):
        if key not in referred or at > referred[key]:
            referred[key] = at

    passes: dict[str, dict[str, Any]] = {}
    for p in rows:
        holder = p.resident or p.member
        if holder is None:  # pragma: no cover - the pass_has_one_holder constraint
            continue
        key = f"r:{p.resident_id}" if p.resident_id else f"m:{p.member_id}"
        last_day = quarantine.get(p.resident_id) if p.resident_id else None
        referral = referred.get(key)
        passes[p.number] = {
            "person": f"{_masked_name(holder.name)} {holder.id_masked}",
            "type": p.pass_type.name,
            "valid_from": p.valid_from.isoformat(),
            "valid_until": p.valid_until.isoformat(),
            "allowed_here": not p.restricted or gate.pk in allowed.get(p.pk, set()),
            "quarantine_until": last_day.isoformat() if last_day else None,
            "referred_at": referral.astimezone(dt.UTC).isoformat() if referral else None,
        }
    revoked = [
        {"number": number, "revoked_at": at.astimezone(dt.UTC).isoformat()}
        for number, at in Pass.objects.filter(
            community__subdistrict_id=community.subdistrict_id,
            revoked_at__isnull=False,
            valid_until__gte=kept_from,
        )
        .order_by("number")
        .values_list("number", "revoked_at")
        if at is not None  # always, by the filter; said for the type checker
    ]
    public = signing.public_key_bytes()
    body: dict[str, Any] = {
        "checkpoint": {
            "id": gate.pk,
            "code": gate.code,
            "name": gate.name,
            "community": community.code,
            "community_id": community.pk,
            "community_name": community.name,
            "timezone": community.timezone,
            "opens_at": f"{gate.opens_at:%H:%M}" if gate.opens_at else None,
            "closes_at": f"{gate.closes_at:%H:%M}" if gate.closes_at else None,
            "hours": gate.hours_label(),
        },
        "key": {"id": signing.key_id(public), "public": signing.public_key_b64()},
        "policy": {
            name: (str(value) if not isinstance(value, bool | int) else value)
            for name in POLICY_FIELDS
            for value in [getattr(policy, name)]
        },
        "revoked": revoked,
        "passes": passes,
    }
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return {"version": digest[:16], "generated_at": now.astimezone(dt.UTC).isoformat(), **body}


def record_bundle_export(gate: Checkpoint, bundle: dict[str, Any], *, actor: Any, via: str) -> None:
    """Audit one hand-over of the bundle: an export of the community's resident index
    (``gate_index.export``, with how many passes and revocations and the version)."""
    log_action(
        "gate_index.export",
        actor=actor,
        community=gate.community,
        obj=gate,
        via=via,
        version=bundle["version"],
        passes=len(bundle["passes"]),
        revoked=len(bundle["revoked"]),
    )
