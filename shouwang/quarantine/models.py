"""Returnees (返京人员), their home-quarantine plans (居家隔离), daily follow-ups and self-reports.

Every row carries ``community``. Dates named ``*_day`` / ``local_date`` are the community's local
calendar dates; ``*_at`` are UTC instants.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from shouwang.people.models import Resident
from shouwang.places.models import Community
from shouwang.quarantine.choices import Method, PlanStatus, SelfReportStatus, Slot, Source, Transport
from shouwang.screening.models import ScreeningEvent


class Returnee(models.Model):
    """One arrival in the city of a person who lives in the community (written by
    ``register_returnee``). ``origin_code`` is a GB/T 2260 division code, ``origin_label`` its
    words at registration (codes get renamed); ``arrived_at`` is a UTC instant."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="returns")
    origin_code = models.CharField(max_length=6)
    origin_label = models.CharField(max_length=100)
    arrived_at = models.DateTimeField()
    transport = models.CharField(max_length=10, choices=Transport.choices)
    transport_number = models.CharField(max_length=30, blank=True)
    address = models.CharField(max_length=200, blank=True)
    companions = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    screening = models.ForeignKey(
        ScreeningEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.resident} ← {self.origin_label}"


class QuarantinePlan(models.Model):
    """Home quarantine of one returnee: in force from ``first_day`` (the local arrival date,
    day 1) to the end of ``last_day``; free from ``last_day + 1``. ``ended_on`` is the local date
    a release or transfer took effect. ``worker`` is the community worker who follows it up."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    returnee = models.OneToOneField(Returnee, on_delete=models.PROTECT, related_name="plan")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="quarantine_plans")
    first_day = models.DateField()
    last_day = models.DateField()
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default=PlanStatus.ACTIVE)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=200, blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followed_plans",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # The gate asks for a resident's plans in force on every screening.
            models.Index(fields=["resident", "status"], name="plan_resident_status"),
            models.Index(fields=["community", "status", "last_day"], name="plan_community_status_end"),
        ]

    def __str__(self) -> str:
        return f"{self.resident} {self.first_day}–{self.last_day} {self.status}"


class FollowUp(models.Model):
    """One follow-up (随访) of a plan: a temperature in °C (one decimal) and symptoms, for one
    ``slot`` of one local date. ``id`` is the client's UUID (a retried form is one record)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    plan = models.ForeignKey(QuarantinePlan, on_delete=models.CASCADE, related_name="follow_ups")
    local_date = models.DateField()
    slot = models.CharField(max_length=2, choices=Slot.choices)
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1)
    temperature_raw = models.CharField(max_length=20, blank=True)
    symptoms = models.JSONField(default=list, blank=True)
    method = models.CharField(max_length=6, choices=Method.choices)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "local_date", "slot"], name="follow_up_one_per_slot")
        ]
        indexes = [models.Index(fields=["community", "local_date"], name="follow_up_community_day")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.local_date} {self.slot} {self.temperature_c}"


class SelfReport(models.Model):
    """A returnee's own report from the community's self-report link, waiting for a worker.

    ``person`` holds the prepared resident fields (name, keyed ID hash and masked ID, phone;
    never the ID number in clear) and ``trip`` the arrival fields, so confirming needs no re-typing.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=10, choices=SelfReportStatus.choices, default=SelfReportStatus.PENDING
    )
    person = models.JSONField(default=dict)
    trip = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(auto_now_add=True)
    returnee = models.ForeignKey(Returnee, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [models.Index(fields=["community", "status"], name="self_report_community_status")]

    def __str__(self) -> str:
        return f"{self.person.get('name', '?')} {self.status}"
