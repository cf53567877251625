"""API of the places app: checkpoints."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from shouwang.core.access import community_ids_for
from shouwang.places.models import Checkpoint

router = Router(tags=["checkpoints"])


class CheckpointOut(Schema):
    code: str
    name: str
    community: str
    hours: str
    invented: bool


@router.get("/checkpoints", response=list[CheckpointOut], summary="Checkpoints the caller may work at")
def list_checkpoints(request: HttpRequest) -> list[CheckpointOut]:
    gates = Checkpoint.objects.filter(
        community_id__in=community_ids_for(request.user), active=True
    ).select_related("community")
    return [
        CheckpointOut(
            code=g.code, name=g.name, community=g.community.code, hours=g.hours_label(), invented=g.invented
        )
        for g in gates
    ]
