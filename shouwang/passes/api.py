"""API of the passes app: listing passes (admins and community workers only)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema

from shouwang.core.access import READ_ONLY_ROLES, require_community, require_role
from shouwang.core.choices import Role
from shouwang.passes.selectors import list_passes
from shouwang.places.selectors import find_community

router = Router(tags=["passes"])


class PassFilter(Schema):
    community: str | None = None
    status: str | None = None
    limit: int = 100


class PassOut(Schema):
    number: str
    holder: str
    holder_id: str
    type: str
    status: str
    valid_from: str
    valid_until: str
    community: str


@router.get("/passes", response=list[PassOut], summary="Passes of the caller's communities")
def passes(request: HttpRequest, filters: Query[PassFilter]) -> list[PassOut]:
    require_role(request.user, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, *READ_ONLY_ROLES)
    community = None
    if filters.community:
        community = find_community(filters.community)
        require_community(request.user, community, reading=True)
    today = timezone.localdate()
    limit = max(1, min(filters.limit, 1000))
    rows = list_passes(request.user, community=community, status=filters.status, today=today)[:limit]
    return [
        PassOut(
            number=p.number,
            holder=p.holder.masked_name,
            holder_id=p.holder.id_masked,
            type=p.pass_type.name,
            status=p.status_on(p.community.local_date(timezone.now())),
            valid_from=p.valid_from.isoformat(),
            valid_until=p.valid_until.isoformat(),
            community=p.community.code,
        )
        for p in rows
    ]
