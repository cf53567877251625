"""Pass types (one per issuer's style) and passes (出入证)."""

from __future__ import annotations

import datetime as dt

from django.db import models

from shouwang.people.models import Institution, InstitutionMember, Resident
from shouwang.places.models import Checkpoint, Community


class PassType(models.Model):
    """One issuer's style of pass. ``picture`` is a PNG of the physical card so gate staff
    learn to recognise each style; ``colour`` is its dominant colour (``#rrggbb``)."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="pass_types")
    code = models.SlugField(max_length=32)
    name = models.CharField(max_length=100)
    issuer = models.CharField(max_length=100)
    institution = models.ForeignKey(Institution, null=True, blank=True, on_delete=models.SET_NULL)
    description = models.CharField(max_length=300, blank=True)
    colour = models.CharField(max_length=7, default="#c0392b")
    picture = models.BinaryField(blank=True, default=b"", editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "code"], name="passtype_unique_code")]

    def __str__(self) -> str:
        return self.name


class PassStatus(models.TextChoices):
    VALID = "valid", "有效"
    EXPIRED = "expired", "已过期"
    NOT_YET_VALID = "not_yet_valid", "未生效"
    REVOKED = "revoked", "已作废"


class Pass(models.Model):
    """An entry pass held by a resident or an institution member.

    ``valid_from``/``valid_until`` are local dates in the community's zone, both inclusive.
    No allowed checkpoints means every checkpoint of the community.
    """

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="passes")
    number = models.CharField(max_length=32, unique=True)
    pass_type = models.ForeignKey(PassType, on_delete=models.PROTECT, related_name="passes")
    resident = models.ForeignKey(
        Resident, null=True, blank=True, on_delete=models.CASCADE, related_name="passes"
    )
    member = models.ForeignKey(
        InstitutionMember, null=True, blank=True, on_delete=models.CASCADE, related_name="passes"
    )
    valid_from = models.DateField()
    valid_until = models.DateField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=200, blank=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    # True when the pass is limited to the checkpoints listed in PassCheckpoint.
    restricted = models.BooleanField(default=False)
    checkpoints: models.ManyToManyField[Checkpoint, PassCheckpoint] = models.ManyToManyField(
        Checkpoint, through="PassCheckpoint", blank=True
    )

    class Meta:
        verbose_name_plural = "passes"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(resident__isnull=False, member__isnull=True)
                | models.Q(resident__isnull=True, member__isnull=False),
                name="pass_has_one_holder",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("valid_from")), name="pass_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def holder(self) -> Resident | InstitutionMember:
        holder = self.resident or self.member
        assert holder is not None  # guaranteed by pass_has_one_holder
        return holder

    def status_on(self, today: dt.date) -> str:
        """:class:`PassStatus` value on a local date."""
        if self.revoked_at is not None:
            return PassStatus.REVOKED
        if today < self.valid_from:
            return PassStatus.NOT_YET_VALID
        if today > self.valid_until:
            return PassStatus.EXPIRED
        return PassStatus.VALID


class PassCheckpoint(models.Model):
    """A checkpoint a pass is restricted to; carries ``community`` like every tenant row."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT)
    pass_obj = models.ForeignKey(Pass, on_delete=models.CASCADE)
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pass_obj", "checkpoint"], name="passcheckpoint_unique")
        ]

    def __str__(self) -> str:
        return f"{self.pass_obj_id} @ {self.checkpoint_id}"
