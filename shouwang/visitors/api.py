"""The visitors API: visits (``/api/v1/visits``), a visitor's look-up and hosts
(``/api/v1/visitors/…``), invitations (``/api/v1/invitations``) and delivery riders
(``/api/v1/deliveries``).

Thin: writes are services of :mod:`shouwang.visitors.services` (which check role and community
and raise coded errors), reads selectors scoped to the caller's communities; another
community's visit is a 404 exactly like a missing one. Gate staff, community workers and
sub-district admins register at their communities' gates; only community workers and admins
invite (residents have no accounts: a worker invites on a resident's behalf). Names and phones
come back masked. ``local_date`` is the community's local date; instants are ISO 8601 with the
community's offset.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictFloat, StrictInt, StrictStr

from shouwang.core.access import READ_ONLY_ROLES, community_ids_for, require_community, require_role
from shouwang.core.api_input import choice_words as _words
from shouwang.core.api_input import query_date as _query_date
from shouwang.core.api_input import request_language as _lang
from shouwang.core.audit import log_person_read, log_read
from shouwang.core.choices import Role
from shouwang.core.errors import InvalidInput, NotFound, ShouwangError
from shouwang.core.messages import describe
from shouwang.places.models import Checkpoint, Community
from shouwang.places.selectors import get_checkpoint
from shouwang.screening.models import ScreeningEvent
from shouwang.visitors.choices import Handoff, HostKind, Platform
from shouwang.visitors.models import Delivery, Invitation, Visit, Visitor
from shouwang.visitors.selectors import (
    VisitorPrefill,
    find_invitation,
    find_visitor,
    gate_day,
    get_visit,
    list_deliveries,
    list_invitations,
    list_visits,
    search_hosts,
    visit_by_pass,
    visit_left_at,
)
from shouwang.visitors.services import (
    GATE_ROLES,
    HostIn,
    VisitorIn,
    invitation_qr,
    invite_visitor,
    record_visit_exit,
    register_delivery,
    register_visit,
    visit_from_invitation,
    visit_pass_qr,
)

router = Router(tags=["visitors"])

# Who may read visits and deliveries: the gates, the community, and the health station (tracing).
READERS = (*GATE_ROLES, Role.HEALTH_STATION, *READ_ONLY_ROLES)
LIST_LIMIT_MAX = 500


def _message(codes: list[str], params: dict[str, Any], lang: str) -> str:
    # Chinese sentences end in 。 and need no space between them; English ones do.
    return (" " if lang == "en" else "").join(describe(code, lang, **params) for code in codes)


def _community(user: Any, code: str | None) -> Community:
    """The community named by ``code``, or the caller's only one. An unknown code is 400; a code
    outside the caller's communities is left to the service (403); lists use :func:`_scope`."""
    if code:
        found = Community.objects.select_related("subdistrict").filter(code__iexact=code.strip()).first()
        if found is None:
            raise InvalidInput("community_unknown", field="community", name=code)
        return found
    mine = list(Community.objects.select_related("subdistrict").filter(pk__in=community_ids_for(user)))
    if len(mine) != 1:
        choices = ", ".join(sorted(c.code for c in mine)) or "-"
        raise InvalidInput("community_required", field="community", choices=choices)
    return mine[0]


def _scope(user: Any, code: str | None) -> Community | None:
    """The community a list is narrowed to by ``?community=``: None when not asked; 400
    ``community_unknown`` for a code that names none; 403 ``not_your_community`` for one outside
    the caller's communities — as every list answers, and as ``POST /invitations`` does (not an
    empty list, which reads as "nothing there")."""
    if not code:
        return None
    place = _community(user, code)
    require_community(user, place, reading=True)
    return place


def _place(user: Any, checkpoint: str | None, community: str | None) -> tuple[Community, Checkpoint | None]:
    """Where a read applies: a checkpoint of the caller's (its community), else a community."""
    if checkpoint:
        gate = get_checkpoint(checkpoint, user=user)
        return gate.community, gate
    place = _community(user, community)
    require_community(user, place, reading=True)
    return place, None


def _prefixed(exc: ShouwangError, prefix: str, fields: set[str]) -> ShouwangError:
    if exc.field in fields:
        exc.field = f"{prefix}.{exc.field}"
    return exc


# ---- shapes -------------------------------------------------------------------------------


class VisitorFieldsIn(Schema):
    """A visitor: ``id`` from the look-up (a returning visitor; other fields then only correct
    what is stored), or ``name`` + ``phone`` + the document (optional where the policy says)."""

    id: int | None = None
    name: str = Field("", max_length=100)
    phone: str = Field("", max_length=40, description="Any spelling: 138 0013 8000, +86 13800138000")
    id_type: str = Field("", max_length=40, description="e.g. resident_id (default), passport, 护照")
    id_number: str = Field("", max_length=64)


class HostFieldIn(Schema):
    kind: str = Field(..., max_length=12, description="household | institution")
    id: int


class VisitIn(Schema):
    """Register a visit. Either ``invitation`` (its code or QR text: visitor, host and reason come
    from it; ``visitor`` may then carry only the document the invitation lacked), or ``visitor``
    with ``host`` and ``reason`` — which a returning visitor may leave out to reuse their last
    visit's."""

    id: uuid.UUID | None = Field(None, description="Client-made UUID; repeating it returns the first record")
    checkpoint: str = Field(..., max_length=32, description="Checkpoint code")
    visitor: VisitorFieldsIn | None = None
    host: HostFieldIn | None = None
    reason: str = Field("", max_length=200)
    invitation: str | None = Field(None, max_length=256, description="Invitation code or scanned QR")
    temperature: StrictFloat | StrictInt | StrictStr | None = Field(
        None, description="°C or °F, or as typed: '366', '36,6', '98.6'"
    )
    mask: bool | None = None
    occurred_at: dt.datetime | None = Field(None, description="ISO 8601 with offset; default now")
    screening: uuid.UUID | None = Field(
        None, description="The gate's 'register' screening; its reading is used when none is given"
    )


class ExitIn(Schema):
    checkpoint: str = Field(..., max_length=32, description="Checkpoint code (any gate of the community)")
    occurred_at: dt.datetime | None = Field(None, description="ISO 8601 with offset; default now")


class ExitByPassIn(ExitIn):
    qr: str | None = Field(None, max_length=256, description="The scanned visitor pass")
    pass_number: str | None = Field(None, max_length=32, description="Or its number, e.g. TPS-V200301-007")


class PersonOut(Schema):
    id: int
    name: str = Field(..., description="Masked: surname kept")
    phone: str = Field(..., description="Masked: 138****8000")
    id_masked: str


class HostOut(Schema):
    kind: str
    id: int | None
    label: str


class VisitOut(Schema):
    """A visit. ``pass_number``/``pass_qr`` (signed QR text) are set only when admitted; the
    pass is valid at every gate of the community on ``local_date``."""

    id: uuid.UUID
    community: str
    checkpoint: str
    visitor: PersonOut
    host: HostOut
    reason: str
    decision: str
    decision_label: str
    reasons: list[str]
    message: str
    temperature_c: float | None
    temperature_converted_f: bool
    mask: bool | None
    in_at: dt.datetime
    local_date: dt.date
    out_at: dt.datetime | None
    out_checkpoint: str | None
    exit_inferred: bool
    on_site: bool
    pass_number: str
    pass_qr: str
    invitation: str | None
    retest_of: uuid.UUID | None


class PrefillOut(Schema):
    """A returning visitor's form: masked identity and the last visit's host and reason."""

    id: int
    name: str
    phone: str
    id_type: str
    id_masked: str
    host: HostOut | None
    reason: str
    last_visit_on: dt.date | None
    visits: int
    on_site: bool


class LookupOut(Schema):
    found: bool
    visitor: PrefillOut | None


class HostHitOut(Schema):
    kind: str
    id: int
    label: str
    detail: str


class InvitationIn(Schema):
    """Invite a visitor for a local date. ``on_behalf_of``: the resident who asked (their
    household is the default host); ``host`` for an institution or another household."""

    id: uuid.UUID | None = Field(None, description="Client-made UUID; repeating it returns the first record")
    community: str | None = Field(None, max_length=32, description="Optional when the caller has one")
    visitor: VisitorFieldsIn
    visit_date: dt.date = Field(..., description="Local date of the visit")
    host: HostFieldIn | None = None
    on_behalf_of: int | None = Field(None, description="Resident id")
    reason: str = Field("", max_length=200)


class InvitationOut(Schema):
    id: uuid.UUID
    community: str
    code: str = Field(..., description="8 characters to type at the gate")
    qr: str = Field(..., description="Signed QR text carrying the code")
    visit_date: dt.date
    status: str
    visitor: PersonOut
    host: HostOut
    reason: str
    on_behalf_of: str | None = Field(..., description="The resident, masked")
    used_at: dt.datetime | None


class DeliveryIn(Schema):
    id: uuid.UUID | None = Field(None, description="Client-made UUID; repeating it returns the first record")
    checkpoint: str = Field(..., max_length=32)
    platform: str = Field(..., max_length=10, description="meituan | eleme | sf | jd | ems | other")
    phone: str = Field(..., max_length=40)
    name: str = Field("", max_length=100)
    temperature: StrictFloat | StrictInt | StrictStr | None = Field(None, description="°C or °F, as typed")
    mask: bool | None = None
    recipient: int | None = Field(None, description="Household id (optional)")
    enter: bool = Field(False, description="Let the rider in (only where the policy riders_enter allows)")
    occurred_at: dt.datetime | None = Field(None, description="ISO 8601 with offset; default now")


class DeliveryOut(Schema):
    id: uuid.UUID
    community: str
    checkpoint: str
    platform: str
    platform_label: str
    phone: str = Field(..., description="Masked")
    name: str = Field(..., description="Masked")
    decision: str
    decision_label: str
    reasons: list[str]
    message: str
    temperature_c: float | None
    temperature_converted_f: bool
    mask: bool | None
    handoff: str
    handoff_label: str
    recipient: HostOut | None
    occurred_at: dt.datetime
    local_date: dt.date


class ListFilters(Schema):
    community: str | None = Field(None, max_length=32, description="Community code")
    checkpoint: str | None = Field(None, max_length=32, description="Checkpoint code")
    date: str | None = Field(None, max_length=10, description="Local date YYYY-MM-DD (entered that day)")
    limit: int = Field(100, ge=1, le=LIST_LIMIT_MAX)
    offset: int = Field(0, ge=0)


class VisitFilters(ListFilters):
    on_site: bool = Field(False, description="Only visitors inside now (admitted, no exit yet; any day)")


# ---- output -------------------------------------------------------------------------------


def _person(visitor: Visitor) -> dict[str, Any]:
    return {
        "id": visitor.pk,
        "name": visitor.masked_name,
        "phone": visitor.masked_phone,
        "id_masked": visitor.id_masked,
    }


def visit_out(visit: Visit, lang: str) -> dict[str, Any]:
    """The API shape of a visit (needs community, checkpoint, out_checkpoint, invitation). The
    visitor is shown as recorded at this visit, not as the visitor record says now."""
    tz = visit.community.tz
    return {
        "id": visit.pk,
        "community": visit.community.code,
        "checkpoint": visit.checkpoint.code,
        "visitor": {
            "id": visit.visitor_id,
            "name": visit.masked_name,
            "phone": visit.masked_phone,
            "id_masked": visit.visitor_id_masked,
        },
        "host": {
            "kind": visit.host_kind,
            "id": visit.household_id or visit.institution_id,
            "label": visit.host_label,
        },
        "reason": visit.reason,
        "decision": visit.decision,
        "decision_label": describe(f"decision_{visit.decision}", lang),
        "reasons": list(visit.reasons),
        "message": _message(list(visit.reasons), visit.reason_params or {}, lang),
        "temperature_c": float(visit.temperature_c) if visit.temperature_c is not None else None,
        "temperature_converted_f": visit.temperature_converted_f,
        "mask": visit.mask,
        "in_at": visit.in_at.astimezone(tz),
        "local_date": visit.local_date,
        "out_at": visit.out_at.astimezone(tz) if visit.out_at else None,
        "out_checkpoint": visit.out_checkpoint.code if visit.out_checkpoint else None,
        "exit_inferred": visit.exit_inferred,
        "on_site": visit.on_site,
        "pass_number": visit.pass_number,
        "pass_qr": visit_pass_qr(visit),
        "invitation": visit.invitation.code if visit.invitation else None,
        "retest_of": visit.retest_of_id,
    }


def _prefill_out(p: VisitorPrefill) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.masked_name,
        "phone": p.masked_phone,
        "id_type": p.id_type,
        "id_masked": p.id_masked,
        "host": p.host.__dict__ if p.host else None,
        "reason": p.reason,
        "last_visit_on": p.last_visit_on,
        "visits": p.visits,
        "on_site": p.on_site,
    }


def invitation_out(inv: Invitation) -> dict[str, Any]:
    """The API shape of an invitation (needs community, visitor, on_behalf_of)."""
    return {
        "id": inv.pk,
        "community": inv.community.code,
        "code": inv.code,
        "qr": invitation_qr(inv),
        "visit_date": inv.visit_date,
        "status": inv.status,
        "visitor": _person(inv.visitor),
        "host": {
            "kind": inv.host_kind,
            "id": inv.household_id or inv.institution_id,
            "label": inv.host_label,
        },
        "reason": inv.reason,
        "on_behalf_of": inv.on_behalf_of.masked_name if inv.on_behalf_of else None,
        "used_at": inv.used_at.astimezone(inv.community.tz) if inv.used_at else None,
    }


def delivery_out(d: Delivery, lang: str) -> dict[str, Any]:
    """The API shape of a delivery (needs community, checkpoint)."""
    return {
        "id": d.pk,
        "community": d.community.code,
        "checkpoint": d.checkpoint.code,
        "platform": d.platform,
        "platform_label": _words(Platform(d.platform).label, lang),
        "phone": d.masked_phone,
        "name": d.masked_name,
        "decision": d.decision,
        "decision_label": describe(f"decision_{d.decision}", lang),
        "reasons": list(d.reasons),
        "message": _message(list(d.reasons), d.reason_params or {}, lang),
        "temperature_c": float(d.temperature_c) if d.temperature_c is not None else None,
        "temperature_converted_f": d.temperature_converted_f,
        "mask": d.mask,
        "handoff": d.handoff,
        "handoff_label": _words(Handoff(d.handoff).label, lang),
        "recipient": {"kind": HostKind.HOUSEHOLD, "id": d.household_id, "label": d.recipient_label}
        if d.recipient_label
        else None,
        "occurred_at": d.occurred_at.astimezone(d.community.tz),
        "local_date": d.local_date,
    }


def _visit_in(payload: VisitorFieldsIn | None) -> VisitorIn:
    if payload is None:
        raise InvalidInput("visitor_required", field="visitor")
    return VisitorIn(
        id=payload.id,
        name=payload.name,
        phone=payload.phone,
        id_type=payload.id_type,
        id_number=payload.id_number,
    )


_VISITOR_FIELDS = {"name", "phone", "id_type", "id_number"}


# ---- visits -------------------------------------------------------------------------------


@router.post(
    "/visits",
    response={200: VisitOut, 201: VisitOut},
    summary="Register a visitor at a gate (new, returning, or from an invitation)",
)
def create_visit(request: HttpRequest, payload: VisitIn) -> Any:
    """201 when written, 200 when ``id`` repeats with the same content (the first record), 409
    when it repeats with other content. The decision follows the residents' rules for mask and
    temperature; an admitted visit carries its one-day pass. 400 for bad fields (``field`` names
    them, e.g. ``visitor.phone``; ``screening`` when it is not this visitor's fresh, unused
    ``register`` answer), 404 for a host, visitor, invitation or screening not of this community,
    403 for a gate of another community's staff. The same form sent twice within 10 s is the first
    visit (200), with or without ``id``."""
    user = request.user
    gate = get_checkpoint(payload.checkpoint, user=user)
    try:
        if payload.invitation:
            invitation = find_invitation(gate.community, payload.invitation)
            extra = payload.visitor
            result = visit_from_invitation(
                invitation,
                checkpoint=gate,
                temperature=payload.temperature,
                mask=payload.mask,
                actor=user,
                id_number=extra.id_number if extra else "",
                id_type=extra.id_type if extra else "",
                client_id=payload.id,
                occurred_at=payload.occurred_at,
            )
        else:
            screening = None
            if payload.screening is not None:
                screening = (
                    ScreeningEvent.objects.filter(pk=payload.screening, community_id=gate.community_id)
                    .select_related("community")
                    .first()
                )
                if screening is None:
                    raise NotFound("screening_unknown_here", field="screening")
            result = register_visit(
                gate,
                visitor=_visit_in(payload.visitor),
                host=HostIn(payload.host.kind, payload.host.id) if payload.host else None,
                reason=payload.reason,
                temperature=payload.temperature,
                mask=payload.mask,
                actor=user,
                client_id=payload.id,
                occurred_at=payload.occurred_at,
                screening=screening,
            )
    except ShouwangError as exc:
        raise _prefixed(exc, "visitor", _VISITOR_FIELDS) from None
    visit = get_visit(user, result.visit.pk)
    return Status(201 if result.created else 200, visit_out(visit, _lang(request)))


@router.get("/visits", response=list[VisitOut], summary="Visits of the caller's communities, newest first")
def visits(request: HttpRequest, filters: Query[VisitFilters]) -> list[dict[str, Any]]:
    """``date``: entered on that local date; ``checkpoint``: entered there; ``on_site``: inside
    now (any day). One query. 403 for another community."""
    user = request.user
    require_role(user, *READERS)
    gate = get_checkpoint(filters.checkpoint, user=user) if filters.checkpoint else None
    community = _scope(user, filters.community)
    rows = list_visits(
        user,
        community=community,
        day=_query_date(filters.date),
        checkpoint=gate,
        on_site=filters.on_site,
        offset=filters.offset,
        limit=filters.limit,
    )
    lang = _lang(request)
    return [visit_out(v, lang) for v in rows]


@router.post(
    "/visits/exit",
    response={200: VisitOut, 201: VisitOut},
    summary="Record a visitor leaving, by their pass (QR or number)",
)
def exit_by_pass(request: HttpRequest, payload: ExitByPassIn) -> Any:
    """201 when the exit is recorded, 200 when it already was. Any gate of the sub-district: a
    visitor of an adjoining community may leave through this one. 404 ``visitor_pass_unknown``
    for a pass not of this sub-district, 400 ``visitor_pass_forged`` for a bad signature."""
    gate = get_checkpoint(payload.checkpoint, user=request.user)
    visit = visit_by_pass(
        gate.community, qr=payload.qr or "", pass_number=payload.pass_number or "", leaving=True
    )
    result = record_visit_exit(visit, checkpoint=gate, actor=request.user, occurred_at=payload.occurred_at)
    body = visit_out(visit_left_at(gate, result.visit.pk), _lang(request))
    return Status(201 if result.created else 200, body)


@router.get("/visits/{visit_id}", response=VisitOut, summary="One visit")
def visit(request: HttpRequest, visit_id: str) -> dict[str, Any]:
    """404 ``visit_unknown`` for a missing visit and for another community's alike. A read of
    the visitor's record, audited (``person.read``)."""
    require_role(request.user, *READERS)
    found = get_visit(request.user, visit_id)
    log_read(found, actor=request.user, via="api")
    return visit_out(found, _lang(request))


@router.post(
    "/visits/{visit_id}/exit",
    response={200: VisitOut, 201: VisitOut},
    summary="Record a visitor leaving, by the visit's id, at any gate of its community",
)
def exit_visit(request: HttpRequest, visit_id: str, payload: ExitIn) -> Any:
    """201 when the exit is recorded, 200 when it already was; 400 ``visit_not_admitted`` for a
    visit that got no pass; 404 for another community's visit or gate."""
    found = get_visit(request.user, visit_id)
    gate = get_checkpoint(payload.checkpoint, user=request.user)
    result = record_visit_exit(found, checkpoint=gate, actor=request.user, occurred_at=payload.occurred_at)
    body = visit_out(get_visit(request.user, result.visit.pk), _lang(request))
    return Status(201 if result.created else 200, body)


# ---- visitors: look-up and hosts ----------------------------------------------------------


@router.get(
    "/visitors/lookup",
    response=LookupOut,
    summary="A returning visitor by phone or document, with the form's prefill",
)
def lookup_visitor(
    request: HttpRequest,
    phone: str = "",
    document: str = "",
    id_type: str = "",
    checkpoint: str | None = None,
    community: str | None = None,
) -> dict[str, Any]:
    """``found: false`` for someone new. Phones in any spelling; documents validated by type
    (400 with the reason). A visitor found is a read of their record, audited (``person.read``)."""
    require_role(request.user, *GATE_ROLES)
    place, _ = _place(request.user, checkpoint, community)
    prefill = find_visitor(place, phone=phone[:40], document=document[:64], id_type=id_type[:40])
    if prefill is not None:
        log_person_read(
            "Visitor", prefill.id, community_id=place.pk, actor=request.user, via="api", why="gate_lookup"
        )
    return {"found": prefill is not None, "visitor": _prefill_out(prefill) if prefill else None}


@router.get(
    "/visitors/hosts",
    response=list[HostHitOut],
    summary="Households and institutions to visit, by address, resident's name (pinyin) or name",
)
def hosts(
    request: HttpRequest, q: str = "", checkpoint: str | None = None, community: str | None = None
) -> list[dict[str, Any]]:
    require_role(request.user, *GATE_ROLES)
    place, _ = _place(request.user, checkpoint, community)
    return [hit.__dict__ for hit in search_hosts(place, q[:40])]


# ---- invitations --------------------------------------------------------------------------


@router.post(
    "/invitations",
    response={200: InvitationOut, 201: InvitationOut},
    summary="Invite a visitor for a date, for a resident or an institution (community workers)",
)
def create_invitation(request: HttpRequest, payload: InvitationIn) -> Any:
    """201 with the 8-character code and its QR; 200 when ``id`` repeats (409 with other
    content). 403 for gate staff and other communities."""
    user = request.user
    place = _community(user, payload.community)
    try:
        result = invite_visitor(
            place,
            visitor=_visit_in(payload.visitor),
            visit_date=payload.visit_date,
            actor=user,
            host=HostIn(payload.host.kind, payload.host.id) if payload.host else None,
            on_behalf_of=payload.on_behalf_of,
            reason=payload.reason,
            client_id=payload.id,
        )
    except ShouwangError as exc:
        raise _prefixed(exc, "visitor", _VISITOR_FIELDS) from None
    return Status(201 if result.created else 200, invitation_out(result.invitation))


@router.get("/invitations", response=list[InvitationOut], summary="Invitations, by visit date")
def invitations(
    request: HttpRequest, filters: Query[ListFilters], status: str | None = None
) -> list[dict[str, Any]]:
    """``date``: the local visit date; ``status``: open | used (400 ``status_unknown`` for
    anything else); 403 for another community."""
    user = request.user
    require_role(user, *READERS)
    community = _scope(user, filters.community)
    rows = list_invitations(
        user,
        community=community,
        day=_query_date(filters.date),
        status=status,
        offset=filters.offset,
        limit=filters.limit,
    )
    return [invitation_out(i) for i in rows]


@router.get(
    "/invitations/lookup",
    response=InvitationOut,
    summary="An invitation by its code or scanned QR, to prefill the visit at the gate",
)
def lookup_invitation(
    request: HttpRequest, code: str = "", checkpoint: str | None = None, community: str | None = None
) -> dict[str, Any]:
    """404 ``invitation_unknown`` for a code of another community or none. Records nothing."""
    require_role(request.user, *GATE_ROLES)
    place, _ = _place(request.user, checkpoint, community)
    return invitation_out(find_invitation(place, code[:256]))


# ---- deliveries ---------------------------------------------------------------------------


@router.post(
    "/deliveries",
    response={200: DeliveryOut, 201: DeliveryOut},
    summary="Register a delivery rider at a gate (temperature, mask, handoff)",
)
def create_delivery(request: HttpRequest, payload: DeliveryIn) -> Any:
    """201 when written, 200 when ``id`` repeats (409 with other content). Riders hand over at
    the gate; ``enter`` is refused (400 ``riders_may_not_enter``) unless the policy allows it."""
    gate = get_checkpoint(payload.checkpoint, user=request.user)
    result = register_delivery(
        gate,
        platform=payload.platform,
        phone=payload.phone,
        temperature=payload.temperature,
        mask=payload.mask,
        actor=request.user,
        name=payload.name,
        recipient=payload.recipient,
        enter=payload.enter,
        client_id=payload.id,
        occurred_at=payload.occurred_at,
    )
    delivery = Delivery.objects.select_related("community", "checkpoint").get(pk=result.delivery.pk)
    return Status(201 if result.created else 200, delivery_out(delivery, _lang(request)))


@router.get("/deliveries", response=list[DeliveryOut], summary="Deliveries of the caller's communities")
def deliveries(request: HttpRequest, filters: Query[ListFilters]) -> list[dict[str, Any]]:
    """Newest first; counted apart from visits. One query. 403 for another community."""
    user = request.user
    require_role(user, *READERS)
    gate = get_checkpoint(filters.checkpoint, user=user) if filters.checkpoint else None
    community = _scope(user, filters.community)
    rows = list_deliveries(
        user,
        community=community,
        day=_query_date(filters.date),
        checkpoint=gate,
        offset=filters.offset,
        limit=filters.limit,
    )
    lang = _lang(request)
    return [delivery_out(d, lang) for d in rows]


@router.get(
    "/checkpoints/{code}/outsiders",
    summary="Visits and deliveries at a gate on a local date (default today), apart",
)
def outsiders_today(request: HttpRequest, code: str, date: str | None = None) -> dict[str, Any]:
    gate = get_checkpoint(code, user=request.user)
    require_role(request.user, *READERS)
    day = _query_date(date) or gate.community.local_date(timezone.now())
    return gate_day(gate, day)
