"""Reads of the incidents app: an incident, lists by day and status, the one-tap prefill from a
screening, and help given. Scoped to the user's communities; another community's incident is
``incident_unknown`` exactly like a missing one. Dates are local; instants UTC."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, QuerySet

from shouwang.core.access import community_ids_for
from shouwang.core.errors import NotFound
from shouwang.incidents.models import Incident, IncidentPhoto, ServiceLog
from shouwang.incidents.services import suggested_kind
from shouwang.places.models import Checkpoint, Community
from shouwang.screening.models import ScreeningEvent


def _incidents(ids: frozenset[int] | set[int]) -> QuerySet[Incident]:
    """Incidents of ``ids`` with what lists show, without loading any photo's bytes."""
    return (
        Incident.objects.filter(community_id__in=ids)
        .select_related("community", "checkpoint", "resident", "staff__staff", "closed_by")
        .prefetch_related("escalations")
        .annotate(has_photo=Exists(IncidentPhoto.objects.filter(incident=OuterRef("pk"))))
    )


def get_incident(user: Any, incident_id: uuid.UUID | str) -> Incident:
    """An incident in the user's communities; ``incident_unknown`` otherwise (also for a
    malformed id), the same for another community's incident as for none."""
    try:
        pk = uuid.UUID(str(incident_id))
    except ValueError:
        raise NotFound("incident_unknown", field="incident") from None
    incident = _incidents(community_ids_for(user)).filter(pk=pk).first()
    if incident is None:
        raise NotFound("incident_unknown", field="incident")
    return incident


def incidents_query(
    ids: frozenset[int] | set[int],
    *,
    day: dt.date | None = None,
    status: str | None = None,
    checkpoint: Checkpoint | None = None,
) -> QuerySet[Incident]:
    """Incidents of the given communities, newest first: of local ``day``, ``status``
    (``open``/``closed``), at ``checkpoint``."""
    rows = _incidents(ids)
    if day is not None:
        rows = rows.filter(local_date=day)
    if status:
        rows = rows.filter(status=status)
    if checkpoint is not None:
        rows = rows.filter(checkpoint=checkpoint)
    return rows.order_by("-occurred_at", "pk")


def list_incidents(
    user: Any,
    *,
    community: Community | None = None,
    day: dt.date | None = None,
    status: str | None = None,
    checkpoint: Checkpoint | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[Incident]:
    """Incidents the user may see (see :func:`incidents_query`). Two queries (escalations)."""
    ids = community_ids_for(user)
    if community is not None:
        ids = ids & {community.pk}
    return list(incidents_query(ids, day=day, status=status, checkpoint=checkpoint)[offset : offset + limit])


@dataclass(frozen=True)
class IncidentPrefill:
    """What the incident form holds when raised from the gate's last screening: where and when
    (a UTC instant), who (masked, and the resident if known) and the suggested kind."""

    screening: uuid.UUID
    checkpoint: str
    occurred_at: dt.datetime
    person: str
    resident: int | None
    kind: str
    reasons: list[str]


def incident_prefill(user: Any, screening_id: uuid.UUID | str) -> IncidentPrefill:
    """The prefill from a screening in the user's communities; ``incident_screening_unknown``
    otherwise (another community's alike)."""
    try:
        pk = uuid.UUID(str(screening_id))
    except ValueError:
        raise NotFound("incident_screening_unknown", field="screening") from None
    event = (
        ScreeningEvent.objects.filter(pk=pk, community_id__in=community_ids_for(user))
        .select_related("checkpoint")
        .first()
    )
    if event is None:
        raise NotFound("incident_screening_unknown", field="screening")
    return IncidentPrefill(
        screening=event.pk,
        checkpoint=event.checkpoint.code,
        occurred_at=event.occurred_at,
        person=event.person_masked,
        resident=event.resident_id,
        kind=suggested_kind(list(event.reasons)),
        reasons=list(event.reasons),
    )


def open_incidents_by_community(user: Any) -> dict[int, int]:
    """Open incidents per community id of the user's (for a dashboard). One query."""
    rows = (
        Incident.objects.filter(community_id__in=community_ids_for(user), status="open")
        .values_list("community_id")
        .annotate(n=Count("pk"))
        .values_list("community_id", "n")
    )
    return dict(rows)


def services_query(
    ids: frozenset[int] | set[int], *, day: dt.date | None = None, checkpoint: Checkpoint | None = None
) -> QuerySet[ServiceLog]:
    """Help given in the given communities, newest first: of local ``day``, at ``checkpoint``."""
    rows = ServiceLog.objects.filter(community_id__in=ids)
    if day is not None:
        rows = rows.filter(local_date=day)
    if checkpoint is not None:
        rows = rows.filter(checkpoint=checkpoint)
    return rows.select_related("community", "checkpoint", "resident", "staff__staff").order_by(
        "-occurred_at", "pk"
    )


def list_services(
    user: Any,
    *,
    community: Community | None = None,
    day: dt.date | None = None,
    checkpoint: Checkpoint | None = None,
    offset: int = 0,
    limit: int = 100,
) -> list[ServiceLog]:
    """Help given that the user may see. One query."""
    ids = community_ids_for(user)
    if community is not None:
        ids = ids & {community.pk}
    return list(services_query(ids, day=day, checkpoint=checkpoint)[offset : offset + limit])
