"""The incidents API: incidents at the gate (``/api/v1/incidents``: raise, list, prefill from a
screening, escalate, close, photo) and help given (``/api/v1/services``).

Thin: writes are services of :mod:`shouwang.incidents.services`, reads selectors scoped to the
caller's communities; another community's incident is a 404 exactly like a missing one. Names
come back masked. The photo is uploaded as ``multipart/form-data`` (field ``photo``, ≤ 5 MB,
JPEG/PNG/WebP) and read back only through ``GET …/photo``, which is audited.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from shouwang.core.access import READ_ONLY_ROLES, community_ids_for, require_community, require_role
from shouwang.core.api_input import choice_words as _words
from shouwang.core.api_input import query_date as _query_date
from shouwang.core.api_input import request_language as _lang
from shouwang.core.audit import log_read
from shouwang.core.choices import Role
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.incidents.choices import EscalationTarget, IncidentKind, IncidentStatus, ServiceKind, Severity
from shouwang.incidents.models import Incident, ServiceLog
from shouwang.incidents.selectors import get_incident, incident_prefill, list_incidents, list_services
from shouwang.incidents.services import (
    GATE_ROLES,
    MAX_PHOTO_BYTES,
    attach_photo,
    close_incident,
    escalate_incident,
    log_service,
    raise_incident,
    view_incident_photo,
)
from shouwang.places.models import Community
from shouwang.places.selectors import get_checkpoint
from shouwang.screening.models import ScreeningEvent

router = Router(tags=["incidents"])

READERS = (*GATE_ROLES, Role.HEALTH_STATION, *READ_ONLY_ROLES)
LIST_LIMIT_MAX = 500
# Multipart framing around a photo: a request larger than the photo limit plus this is refused
# before its body is read.
MULTIPART_SLACK = 64 * 1024


def _community(user: Any, code: str | None) -> Community | None:
    """The community a list is narrowed to by ``?community=``: None when not asked; 400
    ``community_unknown`` for a code that names none; 403 ``not_your_community`` for another
    community (as the visitors' lists answer)."""
    if not code:
        return None
    found = Community.objects.filter(code__iexact=code.strip()).first()
    if found is None:
        raise InvalidInput("community_unknown", field="community", name=code)
    require_community(user, found, reading=True)
    return found


def _who(user: Any) -> str | None:
    if user is None:
        return None
    staff = getattr(user, "staff", None)
    return str(staff.display_name if staff else user.get_username())


# ---- shapes -------------------------------------------------------------------------------


class IncidentIn(Schema):
    """An incident. With ``screening`` (the gate's last screening) the checkpoint, time and person
    default to its; otherwise give ``checkpoint`` and who was involved (``resident`` or ``people``)."""

    id: uuid.UUID | None = Field(None, description="Client-made UUID; repeating it returns the first record")
    checkpoint: str | None = Field(None, max_length=32, description="Checkpoint code")
    screening: uuid.UUID | None = None
    kind: str = Field(..., max_length=24, description=" | ".join(IncidentKind.values))
    severity: str = Field(Severity.MEDIUM, max_length=8, description="low | medium | high")
    occurred_at: dt.datetime | None = Field(None, description="ISO 8601 with offset; default now")
    description: str = Field("", max_length=1000, description="What happened")
    people: str = Field("", max_length=300, description="Who, in words, when nobody is known")
    resident: int | None = Field(None, description="A resident of the community involved")


class EscalateIn(Schema):
    to: str = Field(..., max_length=16, description="police_station | health_station | community")
    at: dt.datetime | None = Field(None, description="ISO 8601 with offset; default now")
    note: str = Field("", max_length=200)


class CloseIn(Schema):
    outcome: str = Field("", max_length=500, description="What came of it (at least two characters)")


class ResidentOut(Schema):
    id: int
    name: str = Field(..., description="Masked: surname kept")


class EscalationOut(Schema):
    to: str
    to_label: str
    at: dt.datetime
    note: str


class IncidentOut(Schema):
    id: uuid.UUID
    community: str
    checkpoint: str
    kind: str
    kind_label: str
    severity: str
    severity_label: str
    status: str
    status_label: str
    occurred_at: dt.datetime
    local_date: dt.date
    staff: str | None
    screening: uuid.UUID | None
    resident: ResidentOut | None
    people: str
    description: str
    escalations: list[EscalationOut]
    outcome: str
    closed_at: dt.datetime | None
    has_photo: bool


class PrefillOut(Schema):
    screening: uuid.UUID
    checkpoint: str
    occurred_at: dt.datetime
    person: str
    resident: int | None
    kind: str
    reasons: list[str]


class IncidentFilters(Schema):
    community: str | None = Field(None, max_length=32)
    checkpoint: str | None = Field(None, max_length=32)
    date: str | None = Field(None, max_length=10, description="Local date YYYY-MM-DD")
    status: str | None = Field(None, max_length=8, description="open | closed")
    limit: int = Field(100, ge=1, le=LIST_LIMIT_MAX)
    offset: int = Field(0, ge=0)


class ServiceIn(Schema):
    id: uuid.UUID | None = Field(None, description="Client-made UUID; repeating it returns the first record")
    checkpoint: str = Field(..., max_length=32)
    kind: str = Field(..., max_length=12, description=" | ".join(ServiceKind.values))
    resident: int | None = Field(None, description="The resident helped, if one of the community")
    person: str = Field("", max_length=200, description="Or whom, in words")
    note: str = Field("", max_length=500)
    occurred_at: dt.datetime | None = Field(None, description="ISO 8601 with offset; default now")


class ServiceOut(Schema):
    id: uuid.UUID
    community: str
    checkpoint: str
    kind: str
    kind_label: str
    resident: ResidentOut | None
    person: str
    note: str
    occurred_at: dt.datetime
    local_date: dt.date
    staff: str | None


class ServiceFilters(Schema):
    community: str | None = Field(None, max_length=32)
    checkpoint: str | None = Field(None, max_length=32)
    date: str | None = Field(None, max_length=10, description="Local date YYYY-MM-DD")
    limit: int = Field(100, ge=1, le=LIST_LIMIT_MAX)
    offset: int = Field(0, ge=0)


# ---- output -------------------------------------------------------------------------------


def incident_out(i: Incident, lang: str) -> dict[str, Any]:
    """The API shape of an incident (as loaded by the selectors)."""
    tz = i.community.tz
    return {
        "id": i.pk,
        "community": i.community.code,
        "checkpoint": i.checkpoint.code,
        "kind": i.kind,
        "kind_label": _words(IncidentKind(i.kind).label, lang),
        "severity": i.severity,
        "severity_label": _words(Severity(i.severity).label, lang),
        "status": i.status,
        "status_label": _words(IncidentStatus(i.status).label, lang),
        "occurred_at": i.occurred_at.astimezone(tz),
        "local_date": i.local_date,
        "staff": _who(i.staff),
        "screening": i.screening_id,
        "resident": {"id": i.resident.pk, "name": i.resident.masked_name} if i.resident else None,
        "people": i.people,
        "description": i.description,
        "escalations": [
            {
                "to": e.target,
                "to_label": _words(EscalationTarget(e.target).label, lang),
                "at": e.at.astimezone(tz),
                "note": e.note,
            }
            for e in sorted(i.escalations.all(), key=lambda e: e.at)
        ],
        "outcome": i.outcome,
        "closed_at": i.closed_at.astimezone(tz) if i.closed_at else None,
        "has_photo": bool(getattr(i, "has_photo", False)),
    }


def service_out(s: ServiceLog, lang: str) -> dict[str, Any]:
    return {
        "id": s.pk,
        "community": s.community.code,
        "checkpoint": s.checkpoint.code,
        "kind": s.kind,
        "kind_label": _words(ServiceKind(s.kind).label, lang),
        "resident": {"id": s.resident.pk, "name": s.resident.masked_name} if s.resident else None,
        "person": s.person,
        "note": s.note,
        "occurred_at": s.occurred_at.astimezone(s.community.tz),
        "local_date": s.local_date,
        "staff": _who(s.staff),
    }


# ---- incidents ----------------------------------------------------------------------------


@router.post(
    "/incidents",
    response={200: IncidentOut, 201: IncidentOut},
    summary="Record an incident at a gate (no pass, no mask, forced entry…), optionally from a screening",
)
def create_incident(request: HttpRequest, payload: IncidentIn) -> Any:
    """201 when written, 200 when ``id`` repeats (409 with other content). 404 for a screening
    or resident not of the gate's community."""
    user = request.user
    screening = None
    if payload.screening is not None:
        screening = (
            ScreeningEvent.objects.filter(pk=payload.screening, community_id__in=community_ids_for(user))
            .select_related("checkpoint")
            .first()
        )
        if screening is None:
            raise NotFound("incident_screening_unknown", field="screening")
    code = payload.checkpoint or (screening.checkpoint.code if screening else None)
    if not code:
        raise InvalidInput("required", field="checkpoint", what="checkpoint")
    gate = get_checkpoint(code, user=user)
    result = raise_incident(
        gate,
        kind=payload.kind,
        actor=user,
        severity=payload.severity,
        occurred_at=payload.occurred_at,
        description=payload.description,
        people=payload.people,
        resident=payload.resident,
        screening=screening,
        client_id=payload.id,
    )
    incident = get_incident(user, result.incident.pk)
    return Status(201 if result.created else 200, incident_out(incident, _lang(request)))


@router.get("/incidents", response=list[IncidentOut], summary="Incidents of the caller's communities")
def incidents(request: HttpRequest, filters: Query[IncidentFilters]) -> list[dict[str, Any]]:
    """Newest first. Two queries (incidents, their escalations)."""
    user = request.user
    require_role(user, *READERS)
    if filters.status and filters.status not in IncidentStatus.values:
        raise InvalidInput(
            "status_unknown", field="status", raw=filters.status, known=", ".join(IncidentStatus.values)
        )
    gate = get_checkpoint(filters.checkpoint, user=user) if filters.checkpoint else None
    rows = list_incidents(
        user,
        community=_community(user, filters.community),
        day=_query_date(filters.date),
        status=filters.status,
        checkpoint=gate,
        offset=filters.offset,
        limit=filters.limit,
    )
    lang = _lang(request)
    return [incident_out(i, lang) for i in rows]


@router.get(
    "/incidents/prefill",
    response=PrefillOut,
    summary="What an incident form holds when raised from a screening (one tap at the gate)",
)
def prefill(request: HttpRequest, screening: str) -> Any:
    """404 ``incident_screening_unknown`` for another community's screening or none."""
    require_role(request.user, *GATE_ROLES)
    return incident_prefill(request.user, screening).__dict__


@router.get("/incidents/{incident_id}", response=IncidentOut, summary="One incident")
def incident(request: HttpRequest, incident_id: str) -> dict[str, Any]:
    """404 ``incident_unknown`` for a missing incident and for another community's alike. One
    with a person is a read of their record, audited (``person.read``)."""
    require_role(request.user, *READERS)
    found = get_incident(request.user, incident_id)
    if found.resident_id or found.screening_id:
        log_read(found, actor=request.user, via="api")
    return incident_out(found, _lang(request))


@router.post(
    "/incidents/{incident_id}/escalate",
    response={200: IncidentOut, 201: IncidentOut},
    summary="Escalate to the police station, the health station or the community, with the time",
)
def escalate(request: HttpRequest, incident_id: str, payload: EscalateIn) -> Any:
    """201 when recorded, 200 when that target already had it; 400 for a closed incident."""
    found = get_incident(request.user, incident_id)
    result = escalate_incident(found, to=payload.to, actor=request.user, at=payload.at, note=payload.note)
    body = incident_out(get_incident(request.user, incident_id), _lang(request))
    return Status(201 if result.created else 200, body)


@router.post(
    "/incidents/{incident_id}/close", response=IncidentOut, summary="Close an incident with its outcome"
)
def close(request: HttpRequest, incident_id: str, payload: CloseIn) -> dict[str, Any]:
    """By a community worker, a sub-district admin or whoever recorded it (403 otherwise)."""
    found = get_incident(request.user, incident_id)
    close_incident(found, outcome=payload.outcome, actor=request.user)
    return incident_out(get_incident(request.user, incident_id), _lang(request))


_PHOTO_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "photo": {
                            "type": "string",
                            "format": "binary",
                            "description": "JPEG, PNG or WebP, ≤ 5 MB",
                        }
                    },
                    "required": ["photo"],
                }
            }
        },
    }
}


@router.post(
    "/incidents/{incident_id}/photo",
    response={201: IncidentOut},
    summary="Attach the incident's photo (multipart field 'photo'; JPEG/PNG/WebP, ≤ 5 MB; EXIF removed)",
    openapi_extra=_PHOTO_BODY,
)
def upload_photo(request: HttpRequest, incident_id: str) -> Any:
    """400 ``photo_too_big`` (refused before the body is read when the request says it is
    larger), ``photo_type`` (told by content, not by name), ``photo_unreadable``,
    ``photo_empty``; nothing is saved then. A second upload replaces the first (audited)."""
    found = get_incident(request.user, incident_id)
    require_role(request.user, *GATE_ROLES)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_PHOTO_BYTES + MULTIPART_SLACK:
        raise InvalidInput("photo_too_big", field="photo", size=f"{length / 1024 / 1024:.1f}")
    upload = request.FILES.get("photo")
    if upload is None:
        raise InvalidInput("photo_empty", field="photo")
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise InvalidInput("photo_too_big", field="photo", size=f"{upload.size / 1024 / 1024:.1f}")
    attach_photo(found, data=upload.read(MAX_PHOTO_BYTES + 1), actor=request.user)
    return Status(201, incident_out(get_incident(request.user, incident_id), _lang(request)))


@router.get(
    "/incidents/{incident_id}/photo",
    summary="The incident's photo (audited; never cached)",
    response={200: None},
    openapi_extra={
        "responses": {
            "200": {
                "description": "The image",
                "content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}},
            }
        }
    },
)
def photo(request: HttpRequest, incident_id: str) -> HttpResponse:
    """404 ``photo_missing`` when none was attached; ``incident_unknown`` for another community's."""
    found = get_incident(request.user, incident_id)
    stored = view_incident_photo(found, actor=request.user)
    response = HttpResponse(bytes(stored.content), content_type=stored.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = f'inline; filename="incident-{found.pk}"'
    return response


# ---- help given ---------------------------------------------------------------------------


@router.post(
    "/services",
    response={200: ServiceOut, 201: ServiceOut},
    summary="Log help given at a gate (errand, escort, information, goods, other)",
)
def create_service(request: HttpRequest, payload: ServiceIn) -> Any:
    """201 when written, 200 when ``id`` repeats (409 with other content)."""
    gate = get_checkpoint(payload.checkpoint, user=request.user)
    result = log_service(
        gate,
        kind=payload.kind,
        actor=request.user,
        resident=payload.resident,
        person=payload.person,
        note=payload.note,
        occurred_at=payload.occurred_at,
        client_id=payload.id,
    )
    entry = ServiceLog.objects.select_related("community", "checkpoint", "resident", "staff__staff").get(
        pk=result.service.pk
    )
    return Status(201 if result.created else 200, service_out(entry, _lang(request)))


@router.get("/services", response=list[ServiceOut], summary="Help given in the caller's communities")
def services(request: HttpRequest, filters: Query[ServiceFilters]) -> list[dict[str, Any]]:
    """Newest first. One query."""
    user = request.user
    require_role(user, *READERS)
    gate = get_checkpoint(filters.checkpoint, user=user) if filters.checkpoint else None
    rows = list_services(
        user,
        community=_community(user, filters.community),
        day=_query_date(filters.date),
        checkpoint=gate,
        offset=filters.offset,
        limit=filters.limit,
    )
    lang = _lang(request)
    return [service_out(s, lang) for s in rows]
