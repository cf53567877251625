"""The daily report (日报) a community, or the sub-district as a roll-up, sends upward.

``day`` is a local calendar date in the community's zone (the sub-district's for a roll-up).
``*_at`` fields are UTC instants. ``figures`` is the snapshot of
:func:`shouwang.dashboard.figures.day_figures` taken when the report was (last) submitted: what
went upward never changes afterwards, whatever is recorded or purged later (screenings are
deleted after 28 days; the report keeps the aggregate, DESIGN.md §4 "aggregates are kept").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from shouwang.places.models import Community, Subdistrict
from shouwang.reports.choices import ReportStatus


class DailyReport(models.Model):
    """One report per community and local day, and one roll-up (``community`` null) per
    sub-district and day.

    ``first_submitted_at`` decides "late" (a report returned and submitted again is late only if
    its first submission was); ``submissions`` counts submissions, resubmissions included.
    ``notes`` is free text, one paragraph a line.
    """

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        Community, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    day = models.DateField()
    status = models.CharField(max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    figures = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    submissions = models.PositiveIntegerField(default=0)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Partial unique indexes: both SQLite and PostgreSQL have them, and NULLs would
            # otherwise never collide (so two roll-ups of one day could slip in).
            models.UniqueConstraint(
                fields=["community", "day"],
                condition=Q(community__isnull=False),
                name="daily_report_one_per_community_day",
            ),
            models.UniqueConstraint(
                fields=["subdistrict", "day"],
                condition=Q(community__isnull=True),
                name="daily_report_one_roll_up_per_day",
            ),
        ]
        indexes = [models.Index(fields=["subdistrict", "day"], name="daily_report_subdistrict_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.community_id or 'roll-up'} {self.status}"

    @property
    def is_roll_up(self) -> bool:
        return self.community_id is None
