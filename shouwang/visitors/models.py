"""Outsiders at the gate: visitors (访客) and their visits, invitations, and delivery riders
(外卖 / 快递). Every row carries ``community``.

``*_at`` fields are UTC instants; ``local_date``/``visit_date`` are the community's local calendar
dates (Asia/Shanghai), so an entry at 00:30 counts on its own day. Temperatures are °C with one
decimal (``temperature_raw`` is what was typed). Documents are kept only as ``id_hash`` (keyed,
for lookup) and ``id_masked`` (for display), never in clear (DESIGN.md §4).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from shouwang.people.choices import DocumentType
from shouwang.people.models import Household, Institution, Resident
from shouwang.places.models import Checkpoint, Community
from shouwang.screening.choices import Decision
from shouwang.screening.models import ScreeningEvent
from shouwang.visitors.choices import Handoff, HostKind, InvitationStatus, Platform


def mask_name(name: str) -> str:
    """Surname kept and at most two stars, so the mask does not tell a name's length:
    李四 → 李*, 欧阳娜娜 → 欧**, a 100-letter name → its first letter and ``**``."""
    return name[:1] + "*" * min(max(len(name) - 1, 1), 2) if name else ""


def mask_phone(phone: str) -> str:
    """``+8613800138000`` → ``138****8000``; other numbers keep their first 3 and last 4 digits."""
    digits = phone.removeprefix("+86")
    if len(digits) <= 7:
        return digits[:1] + "*" * max(len(digits) - 1, 0)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


class Visitor(models.Model):
    """A known outsider of one community, recognised again by phone or document.

    ``phone`` is E.164 (``+8613800138000``). The document is optional by policy
    (``visitor_document_required``); when given, it is unique in the community.
    """

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20)
    id_type = models.CharField(max_length=40, choices=DocumentType.choices, blank=True)
    id_hash = models.CharField(max_length=64, blank=True)
    id_masked = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "id_hash"],
                condition=~models.Q(id_hash=""),
                name="visitor_unique_document",
            )
        ]
        indexes = [models.Index(fields=["community", "phone"], name="visitor_community_phone")]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_name(self) -> str:
        """Surname kept, at most two stars (:func:`mask_name`): 李四 → 李*."""
        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)


class Visit(models.Model):
    """One visitor's attempt to enter at a checkpoint, with the gate decision
    (:func:`shouwang.visitors.gate.decide_outsider`, the residents' rules for mask and temperature).

    ``id`` is the client's UUID (idempotency key). Only an admitted visit gets ``pass_number``, the
    one-day visitor pass valid at every gate of the community on ``local_date``. ``in_at`` and
    ``out_at`` are UTC instants; ``out_at`` is the last exit (a re-entry the same day clears it
    and counts in ``reentries``); ``exit_inferred`` marks an exit nobody scanned, closed when the
    visitor registered again. ``retest_of`` is the visit whose ``retest`` answer this one retests.
    The host is a household or an institution of the same community; ``host_label`` keeps its
    address or name as it was. Likewise ``visitor_name_masked``, ``visitor_phone`` (E.164) and
    ``visitor_id_masked`` keep the visitor as recorded at this visit: a later visit that corrects
    the :class:`Visitor` does not rewrite what earlier visits show.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    visitor = models.ForeignKey(Visitor, on_delete=models.PROTECT, related_name="visits")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    host_kind = models.CharField(max_length=12, choices=HostKind.choices)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    host_label = models.CharField(max_length=200)
    visitor_name_masked = models.CharField(max_length=20, blank=True)
    visitor_phone = models.CharField(max_length=20, blank=True)
    visitor_id_masked = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=200)
    temperature_raw = models.CharField(max_length=20, blank=True)
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    temperature_converted_f = models.BooleanField(default=False)
    mask = models.BooleanField(null=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reasons = models.JSONField(default=list)
    reason_params = models.JSONField(default=dict)
    in_at = models.DateTimeField()
    local_date = models.DateField()
    local_hour = models.PositiveSmallIntegerField()
    out_at = models.DateTimeField(null=True, blank=True)
    out_checkpoint = models.ForeignKey(
        Checkpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    out_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    exit_inferred = models.BooleanField(default=False)
    reentries = models.PositiveSmallIntegerField(default=0)
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    pass_number = models.CharField(max_length=32, blank=True)
    invitation = models.ForeignKey(
        "Invitation", null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    screening = models.ForeignKey(
        ScreeningEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    retest_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retests"
    )
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["pass_number"], condition=~models.Q(pass_number=""), name="visit_unique_pass_number"
            ),
            models.CheckConstraint(
                condition=models.Q(host_kind=HostKind.HOUSEHOLD, institution__isnull=True)
                | models.Q(host_kind=HostKind.INSTITUTION, household__isnull=True),
                name="visit_one_host",
            ),
        ]
        indexes = [
            models.Index(fields=["checkpoint", "local_date"], name="visit_gate_day"),
            models.Index(fields=["community", "local_date"], name="visit_community_day"),
            # Retests and referral holds look up one visitor's last few visits.
            models.Index(fields=["visitor", "in_at"], name="visit_visitor_time"),
            models.Index(fields=["community", "out_at"], name="visit_community_out"),
        ]

    def __str__(self) -> str:
        return f"{self.in_at:%Y-%m-%d %H:%M} {self.visitor_id} {self.decision}"

    @property
    def masked_name(self) -> str:
        """The visitor's name as recorded at this visit, masked."""
        return self.visitor_name_masked

    @property
    def masked_phone(self) -> str:
        """The phone recorded at this visit, masked: ``138****8000``."""
        return mask_phone(self.visitor_phone)

    @property
    def admitted(self) -> bool:
        return self.decision == Decision.ADMIT

    @property
    def on_site(self) -> bool:
        """Admitted and not (yet) seen leaving."""
        return self.admitted and self.out_at is None


class Invitation(models.Model):
    """A visitor invited for one local date (预约), made by a community worker for a resident
    (``on_behalf_of``) or for an institution. ``code`` is 8 characters of an unambiguous alphabet
    to type at the gate; the QR carries it signed (:mod:`shouwang.visitors.passes`).
    ``id`` is the client's UUID."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    visitor = models.ForeignKey(Visitor, on_delete=models.PROTECT, related_name="invitations")
    host_kind = models.CharField(max_length=12, choices=HostKind.choices)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    host_label = models.CharField(max_length=200)
    reason = models.CharField(max_length=200)
    visit_date = models.DateField()
    code = models.CharField(max_length=8, unique=True)
    on_behalf_of = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=8, choices=InvitationStatus.choices, default=InvitationStatus.OPEN)
    used_at = models.DateTimeField(null=True, blank=True)
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(host_kind=HostKind.HOUSEHOLD, institution__isnull=True)
                | models.Q(host_kind=HostKind.INSTITUTION, household__isnull=True),
                name="invitation_one_host",
            )
        ]
        indexes = [models.Index(fields=["community", "visit_date"], name="invitation_community_day")]

    def __str__(self) -> str:
        return f"{self.code} {self.visit_date}"


class Delivery(models.Model):
    """A delivery rider at a gate (外卖 / 快递), counted apart from visits.

    Temperature and mask go through the same decision as visitors'. ``handoff`` is ``gate`` unless
    the policy ``riders_enter`` lets riders in and the rider was admitted. The recipient household
    is optional (``recipient_label`` keeps its address as it was). ``id`` is the client's UUID;
    ``occurred_at`` a UTC instant with its local date and hour.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    platform = models.CharField(max_length=10, choices=Platform.choices)
    phone = models.CharField(max_length=20)
    name = models.CharField(max_length=100, blank=True)
    temperature_raw = models.CharField(max_length=20, blank=True)
    temperature_c = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    temperature_converted_f = models.BooleanField(default=False)
    mask = models.BooleanField(null=True)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    reasons = models.JSONField(default=list)
    reason_params = models.JSONField(default=dict)
    handoff = models.CharField(max_length=8, choices=Handoff.choices, default=Handoff.GATE)
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_label = models.CharField(max_length=200, blank=True)
    occurred_at = models.DateTimeField()
    local_date = models.DateField()
    local_hour = models.PositiveSmallIntegerField()
    retest_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="retests"
    )
    fingerprint = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "deliveries"
        indexes = [
            models.Index(fields=["checkpoint", "local_date"], name="delivery_gate_day"),
            models.Index(fields=["community", "local_date"], name="delivery_community_day"),
            models.Index(fields=["community", "phone", "occurred_at"], name="delivery_rider_time"),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.platform} {self.decision}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def masked_name(self) -> str:
        """The rider's name (optional) masked like a visitor's; ``""`` when none was given."""
        return mask_name(self.name)
