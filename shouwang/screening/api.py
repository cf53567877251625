"""API of the screening app: record a screening, and a gate's day."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictFloat, StrictInt, StrictStr

from shouwang.core.access import READ_ONLY_ROLES, require_role
from shouwang.core.choices import Role
from shouwang.core.messages import describe, pick_language
from shouwang.people.selectors import search_people
from shouwang.places.selectors import get_checkpoint
from shouwang.screening.identify import Identifier, identify
from shouwang.screening.models import ScreeningEvent
from shouwang.screening.selectors import checkpoint_day, open_alerts, person_card, recent_screenings
from shouwang.screening.services import record_screening

router = Router(tags=["screenings"])


class IdentifyIn(Schema):
    """Exactly one way of naming the person (see :class:`Identifier`)."""

    qr: str | None = Field(None, max_length=512)
    pass_number: str | None = Field(None, max_length=64)
    id_number: str | None = Field(None, max_length=64)
    id_type: str = Field("resident_id", max_length=40, description="e.g. resident_id, passport, 护照")
    resident: int | None = None
    member: int | None = None

    def identifier(self) -> Identifier:
        return Identifier(
            qr=self.qr,
            pass_number=self.pass_number,
            id_number=self.id_number,
            id_type=self.id_type,
            resident=self.resident,
            member=self.member,
        )


class ScreeningIn(IdentifyIn):
    id: uuid.UUID | None = Field(None, description="Client-made UUID; repeating it returns the first record.")
    checkpoint: str = Field(..., description="Checkpoint code", max_length=32)
    direction: str = Field(..., description="'in' or 'out'")
    temperature: StrictFloat | StrictInt | StrictStr | None = Field(
        None, description="°C or °F, or as typed: '366', '36,6', '98.6'"
    )
    mask: bool | None = None
    occurred_at: dt.datetime | None = Field(None, description="ISO 8601 with offset; default now")


class ScreeningOut(Schema):
    id: uuid.UUID
    decision: str
    decision_label: str
    reasons: list[str]
    message: str
    person: str
    temperature_c: float | None
    temperature_converted_f: bool
    checkpoint: str
    direction: str
    occurred_at: dt.datetime
    local_date: dt.date


def screening_out(event: ScreeningEvent, checkpoint_code: str, lang: str) -> dict[str, Any]:
    """The API shape of a stored screening; words for its reasons in ``lang``."""
    params = event.reason_params or {}
    return {
        "id": event.id,
        "decision": event.decision,
        "decision_label": describe(f"decision_{event.decision}", lang),
        "reasons": list(event.reasons),
        # Chinese sentences end in 。 and need no space between them; English ones do.
        "message": (" " if lang == "en" else "").join(
            describe(code, lang, **params) for code in event.reasons
        ),
        "person": event.person_masked,
        "temperature_c": float(event.temperature_c) if event.temperature_c is not None else None,
        "temperature_converted_f": event.temperature_converted_f,
        "checkpoint": checkpoint_code,
        "direction": event.direction,
        "occurred_at": event.occurred_at,
        "local_date": event.local_date,
    }


@router.post(
    "/screenings", response={200: ScreeningOut, 201: ScreeningOut}, summary="Screen one person at a gate"
)
def create_screening(request: HttpRequest, payload: ScreeningIn, response: HttpResponse) -> Any:
    """201 when written; 200 when ``id`` repeats or the same pass was scanned again within 10 s."""
    gate = get_checkpoint(payload.checkpoint, user=request.user)
    result = record_screening(
        payload.identifier(),
        checkpoint=gate,
        direction=payload.direction,
        temperature=payload.temperature,
        mask=payload.mask,
        actor=request.user,
        client_id=payload.id,
        occurred_at=payload.occurred_at,
    )
    body = screening_out(result.event, gate.code, pick_language(request.headers.get("Accept-Language")))
    return Status(201 if result.created else 200, body)


@router.get("/checkpoints/{code}/today", summary="Counts at a gate today (local), by decision and hour")
def gate_today(request: HttpRequest, code: str) -> dict[str, Any]:
    gate = get_checkpoint(code, user=request.user)
    return checkpoint_day(gate, gate.community.local_date(timezone.now()))


@router.get("/checkpoints/{code}/lookup", summary="Who is this? The person card before the temperature")
def lookup(request: HttpRequest, code: str, query: Query[IdentifyIn]) -> dict[str, Any]:
    """Identify without recording anything: masked person, address or institution, the pass and
    its picture, its status today, home quarantine."""
    gate = get_checkpoint(code, user=request.user)
    card = person_card(identify(query.identifier(), gate.community), gate)
    note = _CARD_NOTES.get(card["identity"])
    card["note"] = describe(note, pick_language(request.headers.get("Accept-Language"))) if note else ""
    return card


# What the card says before the reading when the scan found no pass of ours.
_CARD_NOTES = {"not_a_pass": "not_a_pass", "forged": "pass_forged", "unknown": "person_unknown"}


@router.get("/checkpoints/{code}/people", summary="Residents and members by name or pinyin initials")
def people(request: HttpRequest, code: str, q: str = "") -> list[dict[str, Any]]:
    gate = get_checkpoint(code, user=request.user)
    return [hit.__dict__ for hit in search_people(gate.community, q[:40])]


@router.get("/checkpoints/{code}/recent", summary="The last 10 screenings at a gate")
def recent(request: HttpRequest, code: str) -> list[dict[str, Any]]:
    gate = get_checkpoint(code, user=request.user)
    return recent_screenings(gate)


class AlertOut(Schema):
    """An open alert. ``checkpoint``, ``reasons`` come from the gate screening that raised it
    (empty for a follow-up alert); ``message`` says what happened and what to do."""

    id: int
    kind: str
    community: str
    checkpoint: str | None
    person: str
    reasons: list[str]
    message: str
    at: dt.datetime


@router.get(
    "/alerts",
    response=list[AlertOut],
    summary="Open alerts (fever referrals, quarantine breaches, forged passes, follow-up fevers and symptoms)",
)
def alerts(request: HttpRequest, limit: int = 50) -> list[AlertOut]:
    """What the community worker and the health station must act on, newest first; for
    community workers, the health station and sub-district admins of those communities."""
    from shouwang.quarantine.messages import alert_words

    require_role(
        request.user, Role.SUBDISTRICT_ADMIN, Role.COMMUNITY_WORKER, Role.HEALTH_STATION, *READ_ONLY_ROLES
    )
    lang = pick_language(request.headers.get("Accept-Language"))
    rows = open_alerts(request.user, limit=max(1, min(limit, 200)))
    return [
        AlertOut(
            id=a.pk,
            kind=a.kind,
            community=a.community.code,
            checkpoint=a.screening.checkpoint.code
            if a.screening
            else (a.detail or {}).get("checkpoint_code"),
            person=a.screening.person_masked
            if a.screening
            else (a.resident.masked_name if a.resident else str((a.detail or {}).get("person", ""))),
            reasons=list(a.screening.reasons) if a.screening else [],
            message=alert_words(a, lang),
            at=a.screening.occurred_at if a.screening else a.created_at,
        )
        for a in rows
    ]
