"""Where things happen: a sub-district (街道), its communities (社区, the tenants) and their gates."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import models


class Subdistrict(models.Model):
    """A sub-district office (街道), the coordinating level above communities.

    ``policy`` overrides the field rules of DESIGN.md §4 for this sub-district; keys are the
    fields of :class:`shouwang.screening.policy.Policy` (e.g. ``{"fever_c": "37.5"}``).
    """

    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")
    policy = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class Community(models.Model):
    """A community (社区): the tenant, to which nearly every row belongs."""

    subdistrict = models.ForeignKey(Subdistrict, on_delete=models.PROTECT, related_name="communities")
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(max_length=64, default="Asia/Shanghai")

    class Meta:
        verbose_name_plural = "communities"

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        """The community's zone; every "per day" figure uses its local calendar day."""
        return zoneinfo.ZoneInfo(self.timezone)

    def local_date(self, instant: dt.datetime) -> dt.date:
        """Local calendar date of a UTC instant: an entry at 00:30 local belongs to that day."""
        return instant.astimezone(self.tz).date()


class Checkpoint(models.Model):
    """A staffed entrance (卡口). ``code`` is global so a gate device names it alone.

    ``opens_at``/``closes_at`` are local wall-clock times; both empty means open round the clock.
    ``invented`` marks demo gates that were not in the record of the real operation.
    """

    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="checkpoints")
    code = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    notes = models.CharField(max_length=200, blank=True)
    invented = models.BooleanField(default=False)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["community_id", "code"]

    def __str__(self) -> str:
        return self.name

    def hours_label(self) -> str:
        """Opening hours as shown to staff, e.g. ``06:00–22:00`` or ``24h``."""
        if self.opens_at is None or self.closes_at is None:
            return "24h"
        return f"{self.opens_at:%H:%M}–{self.closes_at:%H:%M}"

    def is_open_at(self, local_time: dt.time) -> bool:
        """Whether the gate is open at a local wall-clock time; hours may run past midnight."""
        if self.opens_at is None or self.closes_at is None:
            return True
        if self.opens_at <= self.closes_at:
            return self.opens_at <= local_time < self.closes_at
        return local_time >= self.opens_at or local_time < self.closes_at

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "name": self.name, "community": self.community.code}
