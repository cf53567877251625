"""Staff accounts and roles, API tokens, and the audit log."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shouwang.core.choices import Role
from shouwang.places.models import Community, Subdistrict


class Team(models.Model):
    """A team of staff (e.g. a 临时党支部 of deployed cadres), belonging to a sub-district."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=100)

    def __str__(self) -> str:
        return self.name


class Staff(models.Model):
    """A person with an account: deployed cadre (下沉干部), volunteer, community worker or admin.

    ``communities`` scopes what they may see and do; a sub-district admin sees every community
    of ``subdistrict``.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff")
    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=32, choices=Role.choices)
    communities = models.ManyToManyField(Community, related_name="staff", blank=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    display_name = models.CharField(max_length=100)
    phone = models.CharField(max_length=20, blank=True)
    is_lead = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = "staff"

    def __str__(self) -> str:
        return self.display_name


class ApiToken(models.Model):
    """A bearer token for the API; only its SHA-256 is stored (made by ``shouwang token create``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    label = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class AuditLog(models.Model):
    """Who did what to which record, written by the service that did it, in its transaction.

    ``person_type``/``person_id`` name the person the record is about (``Resident``, ``Visitor``,
    ``InstitutionMember``, ``Delivery``) when there is one, so the data-protection officer can
    find every read, reveal and change of one person; ``log_action`` fills them from ``obj``
    without a query.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    community = models.ForeignKey(Community, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    person_type = models.CharField(max_length=32, blank=True)
    person_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["person_type", "person_id"], name="audit_person"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["community", "at"], name="audit_community_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
