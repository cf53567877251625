"""Reads of the passes app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from shouwang.core.access import community_ids_for
from shouwang.core.errors import InvalidInput
from shouwang.passes.models import Pass, PassStatus
from shouwang.places.models import Community


def status_filter(status: str, today: dt.date) -> Q:
    """A filter for :class:`PassStatus` ``status`` on local date ``today``."""
    live = Q(revoked_at__isnull=True)
    filters = {
        PassStatus.VALID: live & Q(valid_from__lte=today, valid_until__gte=today),
        PassStatus.EXPIRED: live & Q(valid_until__lt=today),
        PassStatus.NOT_YET_VALID: live & Q(valid_from__gt=today),
        PassStatus.REVOKED: Q(revoked_at__isnull=False),
    }
    if status not in filters:
        raise InvalidInput(
            "status_unknown", field="status", raw=status[:20], known=", ".join(PassStatus.values)
        )
    return filters[PassStatus(status)]


def list_passes(
    user: Any, *, community: Community | None, status: str | None, today: dt.date
) -> QuerySet[Pass]:
    """Passes the user may see, newest number first, optionally by community and status."""
    qs = Pass.objects.filter(community_id__in=community_ids_for(user)).select_related(
        "pass_type", "resident", "member", "community"
    )
    if community is not None:
        qs = qs.filter(community=community)
    if status:
        qs = qs.filter(status_filter(status, today))
    return qs.order_by("number")
