"""Screening events (one person passing one checkpoint once) and the alerts they raise."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from shouwang.passes.models import Pass
from shouwang.people.models import InstitutionMember, Resident
from shouwang.places.models import Checkpoint, Community
from shouwang.screening.choices import AlertKind, Decision, Direction, IdentifiedBy


class ScreeningEvent(models.Model):
    """One screening (测温查证) with its decision; written only by ``record_screening``.

    ``id`` is the client's UUID (idempotency key). ``occurred_at`` is a UTC instant;
    ``local_date``/``local_hour`` are the community's local calendar day and hour, so a 00:30
    entry counts on its own day. ``temperature_c`` is °C with one decimal; ``temperature_raw``
    is what was typed. ``person_key`` ties screenings of the same person (pass, resident, member,
    or a hash of an unknown document/QR) for duplicates and retests; it holds no clear identity.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="screenings")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    pass_obj = models.ForeignKey(
        Pass, null=True, blank=True, on_delete=models.SET_NULL, related_name="screenings"
    )
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    member = models.ForeignKey(
        InstitutionMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person_key = models.CharField(max_length=80, blank=True)
    person_masked = models.CharField(max_length=120, blank=True)
    identified_by = models.CharField(max_length=16, choices=IdentifiedBy.choices)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    occurred_at = models.DateTimeField()
    local_date = models.DateField()
    local_hour = models.PositiveSmallIntegerField()
    temperature_raw = models.CharField(max_length=20, blank=True)
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    temperature_converted_f = models.BooleanField(default=False)
    mask = models.BooleanField(null=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reasons = models.JSONField(default=list)
    reason_params = models.JSONField(default=dict)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["checkpoint", "local_date"], name="screening_gate_day"),
            models.Index(fields=["community", "local_date"], name="screening_community_day"),
            # Duplicates, retests and referral holds all look up one person's last few screenings;
            # checkpoint and community are then filtered among those few rows.
            models.Index(fields=["person_key", "occurred_at"], name="screening_person_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.checkpoint_id} {self.decision}"


class ScreeningAlias(models.Model):
    """A client UUID that named a scan merged into another screening (the same person at the
    same gate and direction within the duplicate window): the UUID stays used, so sending it
    again returns that screening, and sending it with other content is refused (409), as for an
    event's own id. ``fingerprint`` is the merged request's."""

    id = models.UUIDField(primary_key=True, editable=False)
    event = models.ForeignKey(ScreeningEvent, on_delete=models.CASCADE, related_name="aliases")
    fingerprint = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.id} → {self.event_id}"


class Alert(models.Model):
    """Something a person must act on: a fever referral, a quarantine breach, a forged pass, a
    fever or symptoms at a quarantine follow-up.

    ``screening`` is set for alerts raised at a gate; ``resident`` and ``detail`` (JSON: the
    plan, the day of quarantine, the reading, the symptoms) for those raised by a follow-up.
    ``resolved_at``/``resolved_by``/``resolution`` record who dealt with it and how.
    """

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=32, choices=AlertKind.choices)
    screening = models.ForeignKey(
        ScreeningEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolution = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["community", "resolved_at"], name="alert_community_open")]

    def __str__(self) -> str:
        return f"{self.kind} {self.created_at:%Y-%m-%d %H:%M}"
