"""Households, residents, institutions and their members. Every row carries ``community``.

ID numbers are kept only as ``id_hash`` (keyed, for lookup) and ``id_masked`` (for display).
"""

from __future__ import annotations

from django.db import models

from shouwang.people.choices import DocumentType, Gender, InstitutionKind
from shouwang.places.models import Community


class Household(models.Model):
    """A household (户) at one address in the community."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="households")
    address = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "address"], name="household_unique_address")
        ]

    def __str__(self) -> str:
        return self.address


class Resident(models.Model):
    """A person registered at an address (居民). Their home quarantine, if any, is a
    :class:`shouwang.quarantine.models.QuarantinePlan`."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="residents")
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    name = models.CharField(max_length=100)
    name_pinyin = models.CharField(max_length=200, db_index=True)
    name_initials = models.CharField(max_length=50, db_index=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, blank=True)
    id_type = models.CharField(max_length=40, choices=DocumentType.choices, default=DocumentType.RESIDENT_ID)
    id_hash = models.CharField(max_length=64)
    id_masked = models.CharField(max_length=40)
    phone = models.CharField(max_length=20, blank=True)
    relation_to_head = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "id_hash"], name="resident_unique_id")]
        indexes = [models.Index(fields=["id_hash"], name="resident_id_hash")]

    def __str__(self) -> str:
        return self.name

    @property
    def masked_name(self) -> str:
        """Surname kept, rest starred: 张三 → 张*, 买买提·艾力 → 买*****."""
        return self.name[:1] + "*" * max(len(self.name) - 1, 1)


class Institution(models.Model):
    """An office, fire station, health station, hotel or shop inside the community (单位)."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="institutions")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=InstitutionKind.choices)
    address = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="institution_unique_name")]

    def __str__(self) -> str:
        return self.name


class InstitutionMember(models.Model):
    """Someone who works at an institution; may or may not live in the community."""

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="institution_members")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=100)
    name_pinyin = models.CharField(max_length=200, db_index=True)
    name_initials = models.CharField(max_length=50, db_index=True)
    id_type = models.CharField(max_length=40, choices=DocumentType.choices, default=DocumentType.RESIDENT_ID)
    id_hash = models.CharField(max_length=64)
    id_masked = models.CharField(max_length=40)
    phone = models.CharField(max_length=20, blank=True)
    role = models.CharField(max_length=50, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["institution", "id_hash"], name="member_unique_id"),
        ]
        indexes = [models.Index(fields=["id_hash"], name="member_id_hash")]

    def __str__(self) -> str:
        return f"{self.name} ({self.institution})"

    @property
    def masked_name(self) -> str:
        return self.name[:1] + "*" * max(len(self.name) - 1, 1)
