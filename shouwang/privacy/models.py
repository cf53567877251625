"""What retention keeps after it deletes personal records: counts, and a record of each purge."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from shouwang.places.models import Checkpoint, Community


class CountKind(models.TextChoices):
    SCREENING = "screening", "测温查证 screening"
    VISIT = "visit", "访客 visit"
    DELIVERY = "delivery", "外卖快递 delivery"


class DailyCount(models.Model):
    """How many screenings, visits or deliveries a gate had in one local hour of one local day,
    by decision, with how many of them had a fever reading. Written by ``shouwang purge`` in the
    same transaction that deletes the rows it counts, so raw rows plus these counts are always
    the whole: a figure for any day is ``count(raw) + sum(DailyCount)``, never both for one row.
    No person can be told from a row.
    """

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+")
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="+")
    local_date = models.DateField()
    local_hour = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=CountKind.choices)
    decision = models.CharField(max_length=10)
    count = models.PositiveIntegerField(default=0)
    fevers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["checkpoint", "local_date", "local_hour", "kind", "decision"],
                name="daily_count_one_per_cell",
            )
        ]
        indexes = [models.Index(fields=["community", "local_date"], name="daily_count_community_day")]

    def __str__(self) -> str:
        return f"{self.local_date} {self.local_hour:02d}h {self.checkpoint_id} {self.kind} {self.decision}: {self.count}"


class PurgeRun(models.Model):
    """One run of ``shouwang purge``: when, by whom (empty for a timer), the cut-off dates used
    per community and record type, and how many rows of each type it deleted."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    cutoffs = models.JSONField(default=dict)
    deleted = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"purge {self.started_at:%Y-%m-%d %H:%M} {self.deleted}"
