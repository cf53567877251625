"""Incidents at the gate (事件) with their escalations and photo, and help given (便民服务).

Every row carries ``community``. ``*_at`` fields are UTC instants; ``local_date`` is the
community's local calendar date (Asia/Shanghai). The photo lives in the database, not under a
static or media URL: it is served only through an authorised, audited read.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from shouwang.incidents.choices import EscalationTarget, IncidentKind, IncidentStatus, ServiceKind, Severity
from shouwang.people.models import Resident
from shouwang.places.models import Checkpoint, Community
from shouwang.screening.models import ScreeningEvent


class Incident(models.Model):
    """Something that went wrong at a checkpoint: refusal, forced entry, no mask, abuse…

    The people involved are a linked ``resident`` and/or ``screening`` (the gate's record of the
    person), or ``people``, a description (外貌、衣着) when nobody is known. ``status`` goes
    ``open`` → ``closed`` with ``outcome``. ``id`` is the client's UUID (idempotency key).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=24, choices=IncidentKind.choices)
    severity = models.CharField(max_length=8, choices=Severity.choices, default=Severity.MEDIUM)
    occurred_at = models.DateTimeField()
    local_date = models.DateField()
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screening = models.ForeignKey(
        ScreeningEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    people = models.CharField(max_length=300, blank=True)
    description = models.CharField(max_length=1000, blank=True)
    status = models.CharField(max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    outcome = models.CharField(max_length=500, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["community", "local_date"], name="incident_community_day"),
            models.Index(fields=["community", "status"], name="incident_community_status"),
            models.Index(fields=["checkpoint", "local_date"], name="incident_gate_day"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind} {self.status}"


class Escalation(models.Model):
    """An incident handed to the police station, the health station or the community office at
    ``at`` (UTC instant); one per target and incident."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="escalations")
    target = models.CharField(max_length=16, choices=EscalationTarget.choices)
    at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "target"], name="escalation_one_per_target")
        ]

    def __str__(self) -> str:
        return f"{self.incident_id} → {self.target}"


class IncidentPhoto(models.Model):
    """The incident's photo, re-encoded (EXIF and other metadata dropped, at most 2048 px a
    side) from a JPEG, PNG or WebP of at most 5 MB; ``sha256`` is of the stored bytes.

    Kept in the database so it is never reachable by URL, is saved or not with its transaction,
    and leaves with the incident under retention. Read it only through
    ``services.view_incident_photo`` (audited).
    """

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    incident = models.OneToOneField(Incident, on_delete=models.CASCADE, related_name="photo")
    content = models.BinaryField()
    content_type = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.incident_id} {self.content_type} {self.size} B"


class ServiceLog(models.Model):
    """Help given at a gate (便民服务): what (``kind``), for whom (a ``resident`` or ``person``, a
    description such as "老人，非本社区"), where, when, by whom, with a ``note``.
    ``id`` is the client's UUID."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=ServiceKind.choices)
    resident = models.ForeignKey(Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    person = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField()
    local_date = models.DateField()
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["community", "local_date"], name="service_community_day"),
            models.Index(fields=["checkpoint", "local_date"], name="service_gate_day"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind}"
