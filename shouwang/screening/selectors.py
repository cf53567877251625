"""Reads of the screening app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from shouwang.core.access import community_ids_for
from shouwang.passes.models import Pass
from shouwang.people.models import InstitutionMember, Resident
from shouwang.places.models import Checkpoint
from shouwang.screening.choices import Decision
from shouwang.screening.identify import Found
from shouwang.screening.models import Alert, ScreeningEvent


def checkpoint_day(checkpoint: Checkpoint, day: dt.date) -> dict[str, Any]:
    """Counts at one gate on a local date: total, by decision, by local hour (0–23). Two queries."""
    base = ScreeningEvent.objects.filter(checkpoint=checkpoint, local_date=day)
    by_decision = {d: 0 for d in Decision.values}
    for decision, n in base.values_list("decision").annotate(n=Count("id")).values_list("decision", "n"):
        by_decision[decision] = n
    by_hour = {h: 0 for h in range(24)}
    for hour, n in base.values_list("local_hour").annotate(n=Count("id")).values_list("local_hour", "n"):
        by_hour[hour] = n
    return {
        "checkpoint": checkpoint.code,
        "date": day.isoformat(),
        "total": sum(by_decision.values()),
        "by_decision": by_decision,
        "by_hour": [{"hour": h, "count": n} for h, n in by_hour.items()],
    }


def recent_screenings(checkpoint: Checkpoint, *, limit: int = 10) -> list[dict[str, Any]]:
    """The last ``limit`` screenings at a gate, newest first, as the gate page lists them
    (local time ``HH:MM``, masked person, decision, °C). One query."""
    tz = checkpoint.community.tz
    rows = ScreeningEvent.objects.filter(checkpoint=checkpoint).order_by("-occurred_at")[:limit]
    return [
        {
            "id": str(e.id),
            "time": e.occurred_at.astimezone(tz).strftime("%H:%M"),
            "person": e.person_masked,
            "direction": e.direction,
            "decision": e.decision,
            "temperature_c": float(e.temperature_c) if e.temperature_c is not None else None,
        }
        for e in rows
    ]


def person_card(found: Found, checkpoint: Checkpoint) -> dict[str, Any]:
    """What the gate page shows before the temperature: masked identity, where they live or
    work, the pass with its type's picture, its status today (local) and any home quarantine.

    For a pass or person of another community only what its decision needs is shown (the pass,
    its status and community): their address and quarantine are not this gate's business.
    """
    today = checkpoint.community.local_date(timezone.now())
    foreign = found.community_id is not None and found.community_id != checkpoint.community_id
    in_quarantine = bool(found.quarantine_until and today <= found.quarantine_until)
    card: dict[str, Any] = {
        "identity": str(found.identity),
        "person": found.person_masked,
        "where": "" if foreign else _where(found),
        "pass": _pass_summary(found.pass_id, today, picture=not foreign) if found.pass_id else None,
        "quarantine_until": None
        if foreign or not found.quarantine_until
        else found.quarantine_until.isoformat(),
        "in_quarantine": in_quarantine and not foreign,
        "resident": None if foreign else found.resident_id,
        "member": None if foreign else found.member_id,
    }
    return card


def _where(found: Found) -> str:
    """The household's address, or the institution's name."""
    if found.resident_id:
        resident = Resident.objects.select_related("household").filter(pk=found.resident_id).first()
        return resident.household.address if resident and resident.household else ""
    if found.member_id:
        member = InstitutionMember.objects.select_related("institution").filter(pk=found.member_id).first()
        return member.institution.name if member else ""
    return ""


def _pass_summary(pass_id: int, today: dt.date, *, picture: bool) -> dict[str, Any]:
    """The pass as the card shows it; the picture URL only where the viewer may load it."""
    p = Pass.objects.select_related("pass_type", "community").get(pk=pass_id)
    return {
        "number": p.number,
        "type": p.pass_type.name,
        "issuer": p.pass_type.issuer,
        "colour": p.pass_type.colour,
        "picture": reverse("pass-type-picture", args=[p.pass_type_id])
        if picture and p.pass_type.picture
        else None,
        "valid_until": p.valid_until.isoformat(),
        "status": p.status_on(today),
        "community": p.community.name,
    }


def open_alerts(user: Any, *, limit: int = 50) -> list[Alert]:
    """Unresolved alerts in the user's communities, newest first. One query."""
    return list(
        Alert.objects.filter(community_id__in=community_ids_for(user), resolved_at__isnull=True)
        .select_related("community", "screening__checkpoint", "resident__household", "screening__community")
        .order_by("-created_at")[:limit]
    )
