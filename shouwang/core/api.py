"""API of the core app: the audit log (data-protection officer, sub-district admin) and
revealing a masked phone with a reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from shouwang.core.api_input import query_date
from shouwang.core.audit_export import export_audit
from shouwang.core.audit_search import AuditQuery, search_audit
from shouwang.core.reveal import reveal_by_id

router = Router(tags=["audit and privacy"])


class AuditFilters(Schema):
    id_number: str = Field("", max_length=64, description="Hashed with the keyed ID hash; never stored")
    id_type: str = Field("resident_id", max_length=40)
    resident: int | None = Field(None, ge=1, le=2**62, description="A resident's id")
    staff: str = Field("", max_length=150, description="The user name of who did it")
    action: str = Field(
        "", max_length=64, description="read | reveal | export, or an exact code such as quarantine.extend"
    )
    date_from: str = Field("", max_length=10, description="Local date YYYY-MM-DD (inclusive)")
    date_to: str = Field("", max_length=10, description="Local date YYYY-MM-DD (inclusive)")
    community: str = Field("", max_length=40, description="A community code")
    page: int = Field(1, ge=1, le=10**6)


class AuditRowOut(Schema):
    id: int
    at: dt.datetime = Field(..., description="In the sub-district's local time, with its offset")
    actor: str
    actor_role: str
    community: str
    action: str
    object_type: str
    object_id: str
    person_type: str
    person_id: str
    person: str = Field(..., description="Masked name")
    why: str
    note: str
    via: str


class AuditPageOut(Schema):
    total: int
    page: int
    pages: int
    rows: list[AuditRowOut]


def _query(f: AuditFilters) -> AuditQuery:
    return AuditQuery(
        id_number=f.id_number.strip(),
        id_type=f.id_type or "resident_id",
        resident=f.resident,
        staff=f.staff.strip(),
        action=f.action.strip(),
        date_from=query_date(f.date_from, "date_from"),
        date_to=query_date(f.date_to, "date_to"),
        community=f.community.strip(),
    )


@router.get("/audit", response=AuditPageOut, summary="Search the audit log (50 a page, newest first)")
def audit(request: HttpRequest, filters: Query[AuditFilters]) -> dict[str, Any]:
    """Data-protection officer and sub-district admin only (403 ``role_forbidden``); 400 for a
    bad ID number, an unknown user or community, or dates the wrong way round."""
    found = search_audit(request.user, _query(filters), page=filters.page)
    return {
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "rows": [r.__dict__ for r in found.rows],
    }


@router.get("/audit/export", summary="The audit search as .xlsx or CSV (the export is audited)")
def audit_export(request: HttpRequest, filters: Query[AuditFilters], format: str = "xlsx") -> HttpResponse:
    """``format``: ``xlsx`` or ``csv``; the same filters as ``GET /audit``."""
    data = export_audit(request.user, _query(filters), fmt=format[:10], via="api")
    kind = (
        "text/csv; charset=utf-8"
        if format == "csv"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response = HttpResponse(data, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="shouwang-audit.{format}"'
    return response


class RevealIn(Schema):
    kind: str = Field(
        ..., max_length=20, description="resident | member | visitor | visit | delivery | self_report"
    )
    id: str = Field(..., max_length=64, description="The record's id")
    field: str = Field("phone", max_length=20)
    reason: str = Field(
        "",
        max_length=40,
        description="follow_up_call | contact_host | health_referral | verify_identity | other",
    )
    note: str = Field("", max_length=400, description="Required with reason=other; kept up to 200 characters")


class RevealOut(Schema):
    value: str = Field(..., description="The full number, E.164")
    masked: str
    audit_id: int


@router.post("/reveal", response=RevealOut, summary="A masked phone in clear, with a reason (audited)")
def reveal(request: HttpRequest, payload: RevealIn) -> dict[str, Any]:
    """403 for gate staff, inspectors and the data-protection officer; 404 for another
    community's record or none; 400 without a reason."""
    shown = reveal_by_id(
        payload.kind,
        payload.id,
        field=payload.field,
        reason=payload.reason,
        note=payload.note,
        actor=request.user,
        via="api",
    )
    return {"value": shown.value, "masked": shown.masked, "audit_id": shown.audit_id}
