"""Reads of the screening app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count

from shouwang.places.models import Checkpoint
from shouwang.screening.choices import Decision
from shouwang.screening.models import ScreeningEvent


def checkpoint_day(checkpoint: Checkpoint, day: dt.date) -> dict[str, Any]:
    """Counts at one gate on a local date: total, by decision, by local hour (0–23). Two queries."""
    base = ScreeningEvent.objects.filter(checkpoint=checkpoint, local_date=day)
    by_decision = {d: 0 for d in Decision.values}
    for decision, n in base.values_list("decision").annotate(n=Count("id")).values_list("decision", "n"):
        by_decision[decision] = n
    by_hour = {h: 0 for h in range(24)}
    for hour, n in base.values_list("local_hour").annotate(n=Count("id")).values_list("local_hour", "n"):
        by_hour[hour] = n
    return {
        "checkpoint": checkpoint.code,
        "date": day.isoformat(),
        "total": sum(by_decision.values()),
        "by_decision": by_decision,
        "by_hour": [{"hour": h, "count": n} for h, n in by_hour.items()],
    }
