"""Reads of the core app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count
from django.utils import timezone

from shouwang.core.access import community_ids_for, role_of
from shouwang.places.models import Checkpoint, Community
from shouwang.screening.models import ScreeningEvent


@dataclass(frozen=True)
class CheckpointRow:
    checkpoint: Checkpoint
    screenings_today: int


@dataclass(frozen=True)
class CommunityRow:
    community: Community
    residents: int
    checkpoints: list[CheckpointRow]


def home_overview(user: Any) -> dict[str, Any]:
    """The user's communities with resident counts and each gate's screenings today (local).

    A fixed number of queries whatever the number of communities and gates.
    """
    ids = community_ids_for(user)
    today = timezone.localdate()
    communities = list(
        Community.objects.filter(id__in=ids)
        .select_related("subdistrict")
        .annotate(n_residents=Count("residents"))
    )
    gates = list(Checkpoint.objects.filter(community_id__in=ids).order_by("community_id", "code"))
    counts = dict(
        ScreeningEvent.objects.filter(community_id__in=ids, local_date=today)
        .values_list("checkpoint_id")
        .annotate(n=Count("id"))
        .values_list("checkpoint_id", "n")
    )
    rows = [
        CommunityRow(
            community=c,
            residents=getattr(c, "n_residents", 0),
            checkpoints=[CheckpointRow(g, counts.get(g.pk, 0)) for g in gates if g.community_id == c.pk],
        )
        for c in communities
    ]
    return {"today": today, "role": role_of(user), "communities": rows}
